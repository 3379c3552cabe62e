//! The dated and yearly counts of the indicators: thematic topics, courses and trainees,
//! admissions, badges, breakthrough tasks, and last years' classification, each row placed in
//! the tree by its unit on its own date (or its year's end).

use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr};

use super::queries::{CELL_KINDS, slot};
use super::{Groups, Scope, Sql, valid_on};

/// The end of year `y` inside the period: the day a yearly row is placed in the tree.
fn year_end(y: i32, to: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, 12, 31)
        .expect("31 December")
        .min(to)
}

/// The unit version `v` of the unit in column `unit` on `day`, under the root then: the joins
/// that place a dated row in the tree. The dated rows come first: on SQLite the join is a
/// `CROSS JOIN`, which keeps that order, for its planner otherwise read every unit version of
/// the tree and looked for each one's rows (a province's year of no thematic topics: 20–25 ms
/// against 1). PostgreSQL picks the order from its statistics.
fn placed(s: &Scope<'_>, sql: &mut Sql, unit: &str, day: &str) -> String {
    let join = match s.backend {
        sea_orm::DbBackend::Sqlite => "CROSS JOIN",
        _ => "JOIN",
    };
    format!(
        "{join} unit_versions v ON v.unit_id = {unit} AND {} AND {}",
        valid_on("v", day),
        s.under(sql, "v.path", day)
    )
}

/// Thematic topics of the years of the period, courses ending in it and their trainees,
/// admission decisions and badges awarded.
pub(super) async fn programmes(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    use slot::*;
    per_year(db, s, g, "thematic_topics t", "COUNT(*)", &[TOPICS]).await?;

    let mut sql = Sql::default();
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    let join = placed(s, &mut sql, "c.unit_id", "c.ends_on");
    let key = s.key(&mut sql, "v.path", "c.ends_on");
    let text = format!(
        "SELECT {key}, COUNT(DISTINCT c.id), COUNT(cp.id) \
         FROM courses c {join} LEFT JOIN course_participants cp ON cp.course_id = c.id \
         WHERE c.ends_on >= {from} AND c.ends_on <= {to} GROUP BY 1"
    );
    s.add(db, g, sql, &text, &[COURSES, TRAINEES]).await?;

    let mut sql = Sql::default();
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    let join = placed(s, &mut sql, "k.unit_id", "k.decided_on");
    let key = s.key(&mut sql, "v.path", "k.decided_on");
    let text = format!(
        "SELECT {key}, COUNT(*) FROM candidates k {join} \
         WHERE k.decided_on >= {from} AND k.decided_on <= {to} GROUP BY 1"
    );
    s.add(db, g, sql, &text, &[ADMITTED]).await?;

    // A badge counts under the member's home cell on the day it was awarded: summed from the
    // month-end counts when the period is made of months whose counts stand.
    if let Some(months) = s.ends_over_period() {
        return super::month_ends::read(db, s, g, &months, s.to, &[("badges", BADGES)]).await;
    }
    // Else each badge's home roll is looked up. A member has one home roll at a time
    // (`restructure::move_members` keeps it so), so each badge looks its roll up by the
    // member's index, once (`MATERIALIZED`): joined instead, PostgreSQL hashed all 240,000
    // rolls of a province for its year's 8,712 badges (116 ms against 56 ms alone in `psql`).
    let mut sql = Sql::default();
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    let join = placed(s, &mut sql, "b.unit_id", "b.awarded_on");
    let key = s.key(&mut sql, "v.path", "b.awarded_on");
    let text = format!(
        "WITH b AS MATERIALIZED (SELECT mb.awarded_on, (SELECT r.unit_id FROM member_units r \
           WHERE r.member_id = mb.member_id AND r.kind = 'home' AND {} \
           ORDER BY r.valid_from DESC, r.id DESC LIMIT 1) AS unit_id \
           FROM member_badges mb WHERE mb.awarded_on >= {from} AND mb.awarded_on <= {to}) \
         SELECT {key}, COUNT(*) FROM b {join} GROUP BY 1",
        valid_on("r", "mb.awarded_on")
    );
    s.add(db, g, sql, &text, &[BADGES]).await
}

/// For each classification year ending in the period: cells rated good or excellent and
/// cells rated, members likewise, each placed in the tree at the year's end (read from
/// December's month-end counts where they stand).
pub(super) async fn classification(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    use slot::*;
    let good = "('excellent', 'good')";
    for y in s.from.year()..=s.to.year() {
        let end = NaiveDate::from_ymd_opt(y, 12, 31).expect("31 December");
        if !(s.from <= end && end <= s.to) {
            continue;
        }
        if let Some(december) = s.end_standing(end) {
            let counts = [
                ("cells_good", CELLS_GOOD),
                ("cells_rated", CELLS_RATED),
                ("members_good", MEMBERS_GOOD),
                ("members_rated", MEMBERS_RATED),
            ];
            super::month_ends::read(db, s, g, &[december], end, &counts).await?;
            continue;
        }
        let mut sql = Sql::default();
        let day = sql.bind(end);
        let year = sql.bind(y);
        let join = placed(s, &mut sql, "ur.unit_id", &day);
        let key = s.key(&mut sql, "v.path", &day);
        let text = format!(
            "SELECT {key}, SUM(CASE WHEN ur.level IN {good} THEN 1 ELSE 0 END), COUNT(*) \
             FROM unit_reviews ur {join} WHERE ur.year = {year} AND v.kind IN {CELL_KINDS} \
             GROUP BY 1"
        );
        s.add(db, g, sql, &text, &[CELLS_GOOD, CELLS_RATED]).await?;

        let mut sql = Sql::default();
        let day = sql.bind(end);
        let year = sql.bind(y);
        let join = placed(s, &mut sql, "x.cell_id", &day);
        let key = s.key(&mut sql, "v.path", &day);
        // Added up by cell first, then placed: the reviews are read in their index's order
        // and each cell is looked up once, not each member (a province's 230,173 reviews:
        // 46 ms against 77 ms joined first, alone in `psql`).
        let text = format!(
            "SELECT {key}, CAST(SUM(x.good) AS BIGINT), CAST(SUM(x.n) AS BIGINT) \
             FROM (SELECT mr.cell_id AS cell_id, \
               SUM(CASE WHEN mr.level IN {good} THEN 1 ELSE 0 END) AS good, COUNT(*) AS n \
               FROM member_reviews mr WHERE mr.year = {year} GROUP BY mr.cell_id) x {join} \
             GROUP BY 1"
        );
        s.add(db, g, sql, &text, &[MEMBERS_GOOD, MEMBERS_RATED])
            .await?;
    }
    Ok(())
}

/// The breakthrough tasks of the years of the period: cadres given one (distinct), tasks,
/// tasks done.
pub(super) async fn cadre_tasks(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    use slot::*;
    per_year(
        db,
        s,
        g,
        "cadre_tasks t",
        "COUNT(DISTINCT t.member_id), COUNT(*), SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END)",
        &[CADRES, CADRE_TASKS, CADRE_TASKS_DONE],
    )
    .await
}

/// Counts `counts` over the rows `t` of `table` (named `… t`, with `unit_id` and `year`
/// columns) for each year of the period: a yearly row counts under the root by its unit at
/// the end of its year (or of the period). One statement a year, a handful.
async fn per_year(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
    table: &str,
    counts: &str,
    slots: &[usize],
) -> Result<(), DbErr> {
    for y in s.from.year()..=s.to.year() {
        let mut sql = Sql::default();
        let day = sql.bind(year_end(y, s.to));
        let year = sql.bind(y);
        let join = placed(s, &mut sql, "t.unit_id", &day);
        let key = s.key(&mut sql, "v.path", &day);
        let text =
            format!("SELECT {key}, {counts} FROM {table} {join} WHERE t.year = {year} GROUP BY 1");
        s.add(db, g, sql, &text, slots).await?;
    }
    Ok(())
}
