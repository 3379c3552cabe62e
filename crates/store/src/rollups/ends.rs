//! The counts taken on the last day of a month that is over, for every unit path of that day
//! (`unit_ends`): members on a roll and officers of a cell, each once, grassroots
//! organisations, cells, and cells with party groups, and in December the year's
//! classification of the cells and of their members; over the units below the path (`own` 0,
//! keyed also by the path's parent) and at the path alone (`own` 1). A period that ends on such
//! a day reads a row for the whole subtree, or a row per child and the root's own, instead of
//! every place on a roll and every office below the root (a province: 240,000 places).
//!
//! `end_months` lists the months whose rows stand. The rows read places on rolls, offices and
//! units' versions, which many write paths change (transfers, admissions, imports,
//! restructures, appointments); so a database trigger on each of those tables, made by the
//! migration, takes out of `end_months` every month whose last day a changed row reaches, in
//! the transaction of the change. Nothing has to remember it, and a month taken out is counted
//! from the raw rows until the background pass builds it again ([`build_end`]). A change dated
//! today reaches no month that is over, so the daily work leaves the months alone.

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::{ancestors_cte, month_days, month_of};
use crate::sql::{Sql, valid_on};

/// The kinds of unit that are cells, as the indicators count them.
const CELLS: &str = "('cell', 'base_cell')";

/// The levels of classification that count as good or better.
const GOOD: &str = "('excellent', 'good')";

/// The months whose month-end counts stand, oldest first.
pub async fn ends_standing(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT month FROM end_months ORDER BY month",
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect()
}

/// The month of `day` when `day` is its last day, the month is over by `today`, and it is one
/// of the months `standing` (whose month-end counts stand).
pub fn end_month(day: NaiveDate, today: NaiveDate, standing: &[String]) -> Option<String> {
    let month = month_of(day);
    let last = month_days(&month)?.1;
    (last == day && day < today && standing.contains(&month)).then_some(month)
}

/// Of `months`, those that are over by `today` and whose month-end counts do not stand.
pub async fn ends_to_build(
    db: &impl ConnectionTrait,
    months: &[String],
    today: NaiveDate,
) -> Result<Vec<String>, DbErr> {
    let kept = ends_standing(db).await?;
    Ok(months
        .iter()
        .filter(|m| month_days(m).is_some_and(|(_, last)| last < today))
        .filter(|m| !kept.contains(m))
        .cloned()
        .collect())
}

/// Counts month `month`'s last day again for every unit path and marks the month standing, in
/// one transaction. On PostgreSQL the tables it reads are locked against writes while it runs,
/// so that no change dated in the month commits between its reading and its marking (the
/// change's trigger would find no mark to take out, and the counts would miss it); it waits
/// half a second at most for the changes under way, then gives up, to be tried again.
pub async fn build_end(db: &impl ConnectionTrait, month: &str) -> Result<(), DbErr> {
    let Some((_, last)) = month_days(month) else {
        return Err(DbErr::Custom(format!("not a month: {month}")));
    };
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        // Shorter than the deadlock check (one second): a build waiting on a change that
        // waits on it gives up first, and the change goes through.
        db.execute_unprepared("SET LOCAL lock_timeout = '500ms'")
            .await?;
        db.execute_unprepared("LOCK TABLE unit_versions, member_units, positions IN SHARE MODE")
            .await?;
    }
    for table in ["unit_ends", "end_months"] {
        let mut sql = Sql::default();
        let text = format!(
            "DELETE FROM {table} WHERE month = {}",
            sql.bind(month.to_string())
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
    }
    let mut sql = Sql::default();
    let day = sql.bind(last);
    let m = sql.bind(month.to_string());
    // December's last day ends a year: the year's classification is placed in the tree then.
    let (reviews, member_reviews) = if last.month() == 12 {
        let year = sql.bind(last.year());
        (
            format!(
                "SELECT vs.path, SUM(CASE WHEN ur.level IN {GOOD} THEN 1 ELSE 0 END) AS good, \
                   COUNT(*) AS n FROM unit_reviews ur JOIN vs ON vs.unit_id = ur.unit_id \
                 WHERE ur.year = {year} AND vs.kind IN {CELLS} GROUP BY vs.path"
            ),
            format!(
                "SELECT vs.path, SUM(x.good) AS good, SUM(x.n) AS n FROM (\
                   SELECT mr.cell_id, SUM(CASE WHEN mr.level IN {GOOD} THEN 1 ELSE 0 END) AS good, \
                   COUNT(*) AS n FROM member_reviews mr WHERE mr.year = {year} \
                   GROUP BY mr.cell_id) x JOIN vs ON vs.unit_id = x.cell_id GROUP BY vs.path"
            ),
        )
    } else {
        let none = "SELECT CAST(NULL AS TEXT) AS path, 0 AS good, 0 AS n WHERE 1 = 0";
        (none.to_string(), none.to_string())
    };
    let text = format!(
        "INSERT INTO unit_ends (month, path, parent_path, own, members, grassroots, cells, \
           cells_grouped, officers, cells_good, cells_rated, members_good, members_rated) \
         WITH RECURSIVE vs AS (SELECT v.unit_id, v.path, v.kind FROM unit_versions v \
           WHERE {valid_v}), \
         {anc}, \
         grp AS (SELECT DISTINCT g.parent_id AS cell FROM unit_versions g \
           WHERE g.kind = 'group' AND {valid_g}), \
         u AS (SELECT vs.path, \
           CASE WHEN vs.kind IN ('grassroots', 'base_cell') THEN 1 ELSE 0 END AS g, \
           CASE WHEN vs.kind IN {CELLS} THEN 1 ELSE 0 END AS c, \
           CASE WHEN vs.kind IN {CELLS} AND grp.cell IS NOT NULL THEN 1 ELSE 0 END AS gr \
           FROM vs LEFT JOIN grp ON grp.cell = vs.unit_id), \
         mem AS (SELECT DISTINCT r.member_id AS who, vs.path FROM member_units r \
           JOIN vs ON vs.unit_id = r.unit_id WHERE {valid_r}), \
         off AS (SELECT DISTINCT p.member_id AS who, vs.path FROM positions p \
           JOIN vs ON vs.unit_id = p.unit_id WHERE vs.kind IN {CELLS} \
           AND p.term_from <= {day} AND (p.term_to IS NULL OR p.term_to > {day})), \
         rc AS ({reviews}), rm AS ({member_reviews}), \
         counted AS (\
           SELECT anc.pre AS path, anc.parent AS parent, 0 AS own, \
             COUNT(DISTINCT mem.who) AS members, 0 AS g, 0 AS c, 0 AS gr, 0 AS officers, \
             0 AS cg, 0 AS cr, 0 AS mg, 0 AS mrn \
           FROM mem JOIN anc ON anc.leaf = mem.path GROUP BY anc.pre, anc.parent \
           UNION ALL SELECT anc.pre, anc.parent, 0, 0, SUM(u.g), SUM(u.c), SUM(u.gr), 0, \
             0, 0, 0, 0 FROM u JOIN anc ON anc.leaf = u.path GROUP BY anc.pre, anc.parent \
           UNION ALL SELECT anc.pre, anc.parent, 0, 0, 0, 0, 0, COUNT(DISTINCT off.who), \
             0, 0, 0, 0 FROM off JOIN anc ON anc.leaf = off.path GROUP BY anc.pre, anc.parent \
           UNION ALL SELECT anc.pre, anc.parent, 0, 0, 0, 0, 0, 0, SUM(rc.good), SUM(rc.n), \
             0, 0 FROM rc JOIN anc ON anc.leaf = rc.path GROUP BY anc.pre, anc.parent \
           UNION ALL SELECT anc.pre, anc.parent, 0, 0, 0, 0, 0, 0, 0, 0, SUM(rm.good), \
             SUM(rm.n) FROM rm JOIN anc ON anc.leaf = rm.path GROUP BY anc.pre, anc.parent \
           UNION ALL SELECT path, '', 1, COUNT(DISTINCT who), 0, 0, 0, 0, 0, 0, 0, 0 \
             FROM mem GROUP BY path \
           UNION ALL SELECT path, '', 1, 0, g, c, gr, 0, 0, 0, 0, 0 FROM u \
           UNION ALL SELECT path, '', 1, 0, 0, 0, 0, COUNT(DISTINCT who), 0, 0, 0, 0 \
             FROM off GROUP BY path \
           UNION ALL SELECT path, '', 1, 0, 0, 0, 0, 0, good, n, 0, 0 FROM rc \
           UNION ALL SELECT path, '', 1, 0, 0, 0, 0, 0, 0, 0, good, n FROM rm) \
         SELECT {m}, path, MAX(parent), own, SUM(members), SUM(g), SUM(c), SUM(gr), \
           SUM(officers), SUM(cg), SUM(cr), SUM(mg), SUM(mrn) \
         FROM counted GROUP BY path, own \
         HAVING SUM(members) + SUM(g) + SUM(c) + SUM(officers) + SUM(cr) + SUM(mrn) > 0",
        valid_v = valid_on("v", &day),
        valid_g = valid_on("g", &day),
        valid_r = valid_on("r", &day),
        anc = ancestors_cte(backend, "SELECT path AS p FROM vs"),
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    let mut sql = Sql::default();
    let text = format!(
        "INSERT INTO end_months (month, last_on, built_at) VALUES ({}, {}, {})",
        sql.bind(month.to_string()),
        sql.bind(last),
        sql.bind(Utc::now())
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    Ok(())
}

/// Forgets every month's month-end counts (`chibo reindex`).
pub(super) async fn forget_ends(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for table in ["unit_ends", "end_months"] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    Ok(())
}
