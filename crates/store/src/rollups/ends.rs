//! The counts taken on the last day of a month that is over, for every unit path of that day
//! (`unit_ends`): members on a roll and officers of a cell, each once, grassroots
//! organisations, cells, and cells with party groups, and in December the year's
//! classification of the cells and of their members; over the units below the path (`own` 0,
//! keyed also by the path's parent) and at the path alone (`own` 1). The badges awarded in the
//! month are counted there too, each under the paths its member's home unit had on the day
//! (which may be gone by the month's end), so a period of whole months sums a row a month;
//! `unit_end_trained` holds the officers of the day by the day of their latest course. A
//! period that ends on such a day reads a row for the whole subtree, or a row per child and the
//! root's own, instead of every place on a roll and every office below the root (a province:
//! 240,000 places).
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
use crate::migration::ends::END_COUNTS;
use crate::sql::{Sql, valid_on};

/// The kinds of unit that are cells, as the indicators count them.
const CELLS: &str = "('cell', 'base_cell')";

/// The levels of classification that count as good or better.
const GOOD: &str = "('excellent', 'good')";

/// The months whose month-end counts stand, oldest first.
pub async fn ends_standing(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    super::months_listed(db, "end_months").await
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
    let Some((first, last)) = month_days(month) else {
        return Err(DbErr::Custom(format!("not a month: {month}")));
    };
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        // Shorter than the deadlock check (one second): a build waiting on a change that
        // waits on it gives up first, and the change goes through.
        db.execute_unprepared("SET LOCAL lock_timeout = '500ms'")
            .await?;
        db.execute_unprepared(
            "LOCK TABLE unit_versions, member_units, positions, member_badges, courses, \
             course_participants, unit_reviews, member_reviews IN SHARE MODE",
        )
        .await?;
    }
    super::delete_month(db, &["unit_ends", "unit_end_trained", "end_months"], month).await?;
    let mut sql = Sql::default();
    let (first, day) = (sql.bind(first), sql.bind(last));
    let m = sql.bind(month.to_string());
    // December's last day ends a year: the year's classification is placed in the tree then.
    let none = "SELECT CAST(NULL AS TEXT) AS path, 0 AS good, 0 AS n WHERE 1 = 0";
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
        (none.to_string(), none.to_string())
    };
    // Each source (a CTE of rows with a `path`) and what it adds to which column, over the
    // units below a path (joined to its prefixes) and at the path alone.
    let sources: [(&str, &[(&str, &str)]); 6] = [
        ("mem", &[("members", "COUNT(DISTINCT t.who)")]),
        (
            "u",
            &[
                ("grassroots", "SUM(t.g)"),
                ("cells", "SUM(t.c)"),
                ("cells_grouped", "SUM(t.gr)"),
            ],
        ),
        ("off", &[("officers", "COUNT(DISTINCT t.who)")]),
        (
            "rc",
            &[("cells_good", "SUM(t.good)"), ("cells_rated", "SUM(t.n)")],
        ),
        (
            "rm",
            &[
                ("members_good", "SUM(t.good)"),
                ("members_rated", "SUM(t.n)"),
            ],
        ),
        ("bd", &[("badges", "SUM(t.n)")]),
    ];
    let exprs = |adds: &[(&str, &str)]| -> String {
        END_COUNTS
            .iter()
            .map(|c| {
                let e = adds.iter().find(|(a, _)| a == c).map_or("0", |(_, e)| *e);
                format!("{e} AS {c}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let counted: Vec<String> = sources
        .iter()
        .flat_map(|(cte, adds)| {
            [
                format!(
                    "SELECT anc.pre AS path, anc.parent AS parent, 0 AS own, {} FROM {cte} t \
                     JOIN anc ON anc.leaf = t.path GROUP BY anc.pre, anc.parent",
                    exprs(adds)
                ),
                format!(
                    "SELECT t.path, '' AS parent, 1 AS own, {} FROM {cte} t GROUP BY t.path",
                    exprs(adds)
                ),
            ]
        })
        .collect();
    let sums: Vec<String> = END_COUNTS.iter().map(|c| format!("SUM({c})")).collect();
    let text = format!(
        "INSERT INTO unit_ends (month, path, parent_path, own, {columns}) \
         WITH RECURSIVE {officers}, \
         grp AS (SELECT DISTINCT g.parent_id AS cell FROM unit_versions g \
           WHERE g.kind = 'group' AND {valid_g}), \
         u AS (SELECT vs.path, \
           CASE WHEN vs.kind IN ('grassroots', 'base_cell') THEN 1 ELSE 0 END AS g, \
           CASE WHEN vs.kind IN {CELLS} THEN 1 ELSE 0 END AS c, \
           CASE WHEN vs.kind IN {CELLS} AND grp.cell IS NOT NULL THEN 1 ELSE 0 END AS gr \
           FROM vs LEFT JOIN grp ON grp.cell = vs.unit_id), \
         mem AS (SELECT DISTINCT r.member_id AS who, vs.path FROM member_units r \
           JOIN vs ON vs.unit_id = r.unit_id WHERE {valid_r}), \
         rc AS ({reviews}), rm AS ({member_reviews}), \
         bd AS (SELECT v.path, COUNT(*) AS n FROM (SELECT mb.awarded_on, \
             (SELECT r.unit_id FROM member_units r WHERE r.member_id = mb.member_id \
               AND r.kind = 'home' AND {valid_home} \
               ORDER BY r.valid_from DESC, r.id DESC LIMIT 1) AS unit_id \
           FROM member_badges mb WHERE mb.awarded_on >= {first} AND mb.awarded_on <= {day}) b \
           JOIN unit_versions v ON v.unit_id = b.unit_id AND {valid_b} GROUP BY v.path), \
         {anc}, \
         counted AS ({counted}) \
         SELECT {m}, path, MAX(parent), own, {sums} FROM counted GROUP BY path, own \
         HAVING {any} > 0",
        columns = END_COUNTS.join(", "),
        officers = officers_on(&day),
        valid_g = valid_on("g", &day),
        valid_r = valid_on("r", &day),
        valid_home = valid_on("r", "mb.awarded_on"),
        valid_b = valid_on("v", "b.awarded_on"),
        // The badges of the month may lie under paths gone by its last day.
        anc = ancestors_cte(
            backend,
            "SELECT path AS p FROM vs UNION SELECT path FROM bd"
        ),
        counted = counted.join(" UNION ALL "),
        sums = sums.join(", "),
        any = sums.join(" + "),
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    insert_trained(db, month, last).await?;
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

/// `vs AS (…), off AS (…)`: the units' versions on `day` (an SQL expression) and the
/// officers of the cells then, each with the path of their cell.
fn officers_on(day: &str) -> String {
    format!(
        "vs AS (SELECT v.unit_id, v.path, v.kind FROM unit_versions v WHERE {valid_v}), \
         off AS (SELECT DISTINCT p.member_id AS who, vs.path FROM positions p \
           JOIN vs ON vs.unit_id = p.unit_id WHERE vs.kind IN {CELLS} \
           AND p.term_from <= {day} AND (p.term_to IS NULL OR p.term_to > {day}))",
        valid_v = valid_on("v", day),
    )
}

/// Inserts the `unit_end_trained` rows of month `month`, whose last day is `last`: for every
/// unit path and the day its officers then completed their latest course ending by `last`,
/// how many of them (each once). The officers trained in a period ending on `last` are those
/// whose day falls in it.
async fn insert_trained(
    db: &impl ConnectionTrait,
    month: &str,
    last: NaiveDate,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut sql = Sql::default();
    let (day, m) = (sql.bind(last), sql.bind(month.to_string()));
    let text = format!(
        "INSERT INTO unit_end_trained (month, path, parent_path, own, since, officers) \
         WITH RECURSIVE {officers}, \
         latest AS (SELECT cp.member_id, MAX(c.ends_on) AS since FROM course_participants cp \
           JOIN courses c ON c.id = cp.course_id WHERE cp.completed AND c.ends_on <= {day} \
           GROUP BY cp.member_id), \
         t AS (SELECT off.who, off.path, latest.since FROM off \
           JOIN latest ON latest.member_id = off.who), \
         {anc}, \
         counted AS (SELECT anc.pre AS path, anc.parent AS parent, 0 AS own, t.since AS since, \
             COUNT(DISTINCT t.who) AS n FROM t JOIN anc ON anc.leaf = t.path \
             GROUP BY anc.pre, anc.parent, t.since \
           UNION ALL SELECT t.path, '', 1, t.since, COUNT(DISTINCT t.who) FROM t \
             GROUP BY t.path, t.since) \
         SELECT {m}, path, MAX(parent), own, since, SUM(n) FROM counted \
         GROUP BY path, own, since",
        officers = officers_on(&day),
        anc = ancestors_cte(backend, "SELECT DISTINCT path AS p FROM t"),
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    Ok(())
}

/// Forgets every month's month-end counts (`chibo reindex`).
pub(super) async fn forget_ends(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for table in ["unit_ends", "unit_end_trained", "end_months"] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    Ok(())
}
