//! The roll-ups that let the indicators over a province read a dozen rows instead of every
//! meeting, kept in the transaction of every change that alters them:
//! - `unit_months`: for every unit path (the path a unit had on each meeting's date) and month,
//!   the sums of `meeting_stats` over the held meetings of the cells that lay below it then.
//!   A province's twelve months are twelve rows; its children's, a row per child and month.
//! - `cell_months`: a row per cell and month in which the cell existed every day, with its path
//!   at the month's end, whether it held a regular and a thematic meeting, whether its stay
//!   under that path begins or ends there (`stays`) and how many months and quarters the cell
//!   missed up to it (`runs`); the cell-month indicators read these rows instead of looking
//!   for meetings cell by cell.
//! - `rollup_months`: the months both are kept for. A month is built whole ([`build_month`],
//!   by `chibo serve` as a month begins, by `chibo reindex` and the generator); before that the
//!   indicators count it from the raw rows, so a missing month is slower, never wrong.
//!
//! What keeps them: a stored meeting figure takes its old sums out and puts its new ones in
//! ([`stat_changing`] and [`stat_changed`], around the update, in its transaction); a change to
//! the tree from a day on (a move, a merger, a dissolution, a new cell) builds again the rows
//! of the region it touched from that month on ([`tree_changed`], set-based). On PostgreSQL
//! both take a shared lock that a month's build takes alone, so a build never reads a figure
//! that a concurrent change will then apply twice. A build and a change to the tree mark again
//! the stays of the rows they wrote and of the months beside them ([`mark_stays`]); a meeting's
//! figures never move a cell, so they leave the stays alone.
//!
//! Every write here is a handful of statements whatever the size of the region: the paths'
//! prefixes are expanded in SQL (a recursive `WITH`), never in Rust.

use chibo_domain::meeting_checks::{AGENCY_PARTY_TIME_PERMILLE, COPIED_MINUTES_PERMILLE};
use chibo_domain::org::CellType;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entities::meeting_stat;

use crate::sql::{Sql, valid_on};

mod ends;
mod runs;
mod stats;
mod stays;
mod tree;

pub use ends::{build_end, end_month, ends_standing, ends_to_build};
pub use runs::{count_month, mark_runs};
pub use stats::{stat_changed, stat_changing};
pub(crate) use stays::quarter_months;
pub use stays::{Cells, mark_quarters, mark_stays};
pub use tree::{common_prefix, tree_changed};

/// The sums of `unit_months` and what each adds up over a held meeting `ms` of a cell whose
/// version then is `v`, in the order of the meeting slots of the indicators. Three count the
/// tasks and meetings followed by a regular meeting (`@followed@`, see [`sum_exprs`]).
const SUMS: [(&str, &str); 21] = [
    ("regular", "CASE WHEN ms.kind = 'regular' THEN 1 ELSE 0 END"),
    (
        "present",
        "CASE WHEN ms.kind = 'regular' THEN ms.present ELSE 0 END",
    ),
    (
        "sheet",
        "CASE WHEN ms.kind = 'regular' THEN ms.sheet_members ELSE 0 END",
    ),
    (
        "attendance_ok",
        "CASE WHEN ms.kind = 'regular' AND ms.attendance_ok THEN 1 ELSE 0 END",
    ),
    (
        "tasked",
        "CASE WHEN ms.kind = 'regular' THEN ms.tasked ELSE 0 END",
    ),
    ("held", "1"),
    (
        "full_procedure",
        "CASE WHEN ms.full_procedure THEN 1 ELSE 0 END",
    ),
    ("ended", "CASE WHEN ms.has_end_time THEN 1 ELSE 0 END"),
    (
        "long_enough",
        "CASE WHEN ms.has_end_time AND ms.duration_ok THEN 1 ELSE 0 END",
    ),
    (
        "documents_on_time",
        "CASE WHEN ms.documents_on_time THEN 1 ELSE 0 END",
    ),
    (
        "superior",
        "CASE WHEN ms.superior_attended THEN 1 ELSE 0 END",
    ),
    ("level_tot", "CASE WHEN ms.level = 'tot' THEN 1 ELSE 0 END"),
    ("level_kha", "CASE WHEN ms.level = 'kha' THEN 1 ELSE 0 END"),
    (
        "level_trung_binh",
        "CASE WHEN ms.level = 'trung_binh' THEN 1 ELSE 0 END",
    ),
    ("level_kem", "CASE WHEN ms.level = 'kem' THEN 1 ELSE 0 END"),
    (
        "tasks_followed",
        "CASE WHEN @followed@ THEN ms.tasks_given ELSE 0 END",
    ),
    (
        "tasks_reviewed",
        "CASE WHEN @followed@ THEN ms.tasks_reviewed ELSE 0 END",
    ),
    // The meetings four early warnings list (`crate::indicators::warnings`), counted here so
    // that a province's warnings are a dozen rows; `v` is the cell's version on the day.
    (
        "untasked_meetings",
        "CASE WHEN ms.kind = 'regular' AND ms.tasked < ms.sheet_members THEN 1 ELSE 0 END",
    ),
    (
        "copied_minutes",
        "CASE WHEN ms.kind = 'regular' AND ms.minutes_similarity >= @copied@ THEN 1 ELSE 0 END",
    ),
    (
        "agency_short",
        "CASE WHEN v.cell_type = '@agency_type@' AND ms.party_time < @agency@ THEN 1 ELSE 0 END",
    ),
    (
        "unfollowed_meetings",
        "CASE WHEN @followed@ AND ms.tasks_reviewed < ms.tasks_given THEN 1 ELSE 0 END",
    ),
];

/// How many sums a row of `unit_months` has.
pub const SUM_COUNT: usize = SUMS.len();

/// The column names of the sums, in order.
pub fn sum_columns() -> impl Iterator<Item = &'static str> {
    SUMS.iter().map(|(c, _)| *c)
}

/// The expression of each sum over a held meeting `ms`, in order. A task counts as followed
/// up when a regular meeting came after its meeting (`followed_by: None`, what a month's row
/// keeps), or came by the day `followed_by` (an SQL expression: the end of a period).
pub fn sum_exprs(followed_by: Option<&str>) -> Vec<String> {
    let followed = match followed_by {
        None => "ms.next_regular_on IS NOT NULL".to_string(),
        Some(day) => format!("ms.next_regular_on IS NOT NULL AND ms.next_regular_on <= {day}"),
    };
    SUMS.iter()
        .map(|(_, e)| {
            e.replace("@followed@", &followed)
                .replace("@copied@", &COPIED_MINUTES_PERMILLE.to_string())
                .replace("@agency_type@", CellType::Agency.code())
                .replace("@agency@", &AGENCY_PARTY_TIME_PERMILLE.to_string())
        })
        .collect()
}

/// The month (`YYYY-MM`) a date falls in, as the roll-ups key it.
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The first and last days of month `month` (`YYYY-MM`).
pub fn month_days(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let last = (first + Months::new(1)).pred_opt()?;
    Some((first, last))
}

/// The SQL expression of the month (`YYYY-MM`) of the date expression `day`.
pub fn month_expr(backend: DbBackend, day: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({day}, 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {day})"),
    }
}

/// The position of a text in another: the backend's name for it.
pub fn find_fn(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "strpos",
        _ => "instr",
    }
}

/// Deletes the rows of month `month` from each of `tables`, before the month is built again.
async fn delete_month(
    db: &impl ConnectionTrait,
    tables: &[&str],
    month: &str,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for table in tables {
        let mut sql = Sql::default();
        let text = format!(
            "DELETE FROM {table} WHERE month = {}",
            sql.bind(month.to_string())
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
    }
    Ok(())
}

/// The months already built, oldest first.
pub async fn built_months(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    months_listed(db, "rollup_months").await
}

/// The months listed in `table` (`rollup_months`, `end_months`), oldest first.
async fn months_listed(db: &impl ConnectionTrait, table: &str) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT month FROM {table} ORDER BY month"),
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect()
}

/// Lets a build of a month run alone on PostgreSQL (`exclusive`), or a change run beside the
/// other changes but not beside a build. SQLite runs one writer at a time already.
async fn lock(db: &impl ConnectionTrait, exclusive: bool) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let f = if exclusive {
        "pg_advisory_xact_lock"
    } else {
        "pg_advisory_xact_lock_shared"
    };
    // The key names the roll-ups among chibo's advisory locks ("RLUP").
    db.execute_unprepared(&format!("SELECT {f}(1380733520)"))
        .await?;
    Ok(())
}

/// The write transaction of a change to the tree: on PostgreSQL it runs alone among the
/// changes to the roll-ups from its first statement (a restructure reads the region's rows and
/// rewrites them, which a meeting's figures stored meanwhile would make count twice; taking the
/// lock first, before any meeting row, leaves no lock to wait on in the other order).
pub async fn restructure_tx(db: &crate::Db) -> Result<crate::WriteTx, DbErr> {
    let tx = crate::write_tx(db).await?;
    lock(&tx, true).await?;
    Ok(tx)
}

/// Which meeting figures a contribution adds up.
enum Meetings<'a> {
    /// One stored figure.
    Stat(i64),
    /// Those of the cells below `prefix` on their date, from `from` on; only the rows of units
    /// at or below `prefix` are touched.
    Region { prefix: &'a str, from: NaiveDate },
    /// Those dated in one month.
    Month(NaiveDate, NaiveDate),
}

/// Adds (`sign` 1) or takes out (`sign` -1) the sums of the meeting figures `which` to the rows
/// of every unit each lay below on its date, for the months built: one statement.
async fn contribute(
    db: &impl ConnectionTrait,
    which: Meetings<'_>,
    sign: i64,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let mut sql = Sql::default();
    let (filter, region) = match which {
        Meetings::Stat(id) => (format!("ms.id = {}", sql.bind(id)), None),
        Meetings::Region { prefix, from } => {
            let like = sql.bind(format!("{prefix}%"));
            (
                format!(
                    "ms.meeting_date >= {} AND v.path LIKE {like}",
                    sql.bind(from)
                ),
                Some(like),
            )
        }
        Meetings::Month(first, last) => (
            format!(
                "ms.meeting_date >= {} AND ms.meeting_date <= {}",
                sql.bind(first),
                sql.bind(last)
            ),
            None,
        ),
    };
    let month = month_expr(backend, "ms.meeting_date");
    let exprs = sum_exprs(None);
    let sums: Vec<String> = SUMS
        .iter()
        .zip(&exprs)
        .map(|((c, _), e)| format!("SUM({e}) AS {c}"))
        .collect();
    let outer: Vec<String> = SUMS
        .iter()
        .map(|(c, _)| format!("{sign} * SUM(src.{c})"))
        .collect();
    let set: Vec<String> = SUMS
        .iter()
        .map(|(c, _)| format!("{c} = unit_months.{c} + excluded.{c}"))
        .collect();
    let columns: Vec<&str> = SUMS.iter().map(|(c, _)| *c).collect();
    // Taking a meeting out leaves the latest date as it was: it only bounds the month.
    let latest = if sign > 0 {
        "MAX(src.latest)"
    } else {
        "CAST(NULL AS DATE)"
    };
    let within = region
        .map(|like| format!("AND anc.pre LIKE {like}"))
        .unwrap_or_default();
    let text = format!(
        "INSERT INTO unit_months (path, parent_path, month, {columns}, latest) \
         WITH RECURSIVE src AS (\
           SELECT v.path AS p, {month} AS month, {sums}, MAX(ms.meeting_date) AS latest \
           FROM meeting_stats ms JOIN unit_versions v ON v.unit_id = ms.cell_id AND {valid} \
           WHERE ms.held AND {filter} GROUP BY v.path, {month}), \
         {anc} \
         SELECT anc.pre, anc.parent, src.month, {outer}, {latest} \
         FROM src JOIN anc ON anc.leaf = src.p \
         WHERE src.month IN (SELECT month FROM rollup_months) {within} \
         GROUP BY anc.pre, anc.parent, src.month \
         ON CONFLICT (path, month) DO UPDATE SET {set}, \
           latest = CASE WHEN excluded.latest IS NOT NULL AND (unit_months.latest IS NULL \
             OR excluded.latest > unit_months.latest) THEN excluded.latest \
             ELSE unit_months.latest END",
        columns = columns.join(", "),
        sums = sums.join(", "),
        valid = valid_on("v", "ms.meeting_date"),
        anc = ancestors_cte(backend, "SELECT DISTINCT p FROM src"),
        outer = outer.join(", "),
        set = set.join(", "),
    );
    Ok(db
        .execute_raw(sql.statement(backend, &text))
        .await?
        .rows_affected())
}

/// `anc(leaf, pre, parent)`: every path `p` of `paths` with each of its prefixes `pre` (the
/// path itself included, each the path of a unit above it) and that prefix's own parent path
/// (`''` for a root). Paths are `/1/5/17/`: a prefix is cut at each slash after the first.
fn ancestors_cte(backend: DbBackend, paths: &str) -> String {
    let find = find_fn(backend);
    format!(
        "anc(leaf, pre, parent) AS (\
           SELECT CAST(p AS TEXT), CAST(substr(p, 1, 1 + {find}(substr(p, 2), '/')) AS TEXT), \
             CAST('' AS TEXT) FROM ({paths}) x \
           UNION ALL SELECT leaf, \
             CAST(substr(leaf, 1, length(pre) + {find}(substr(leaf, length(pre) + 1), '/')) AS TEXT), \
             pre FROM anc WHERE length(pre) < length(leaf))"
    )
}

/// 1 when cell `cell` (an SQL expression) held a meeting matching `what` between the days
/// `first` and `last` (SQL expressions), 0 otherwise: how a cell-month learns whether its
/// regular and thematic meetings were held, wherever it is judged.
pub fn held_between(cell: &str, what: &str, first: &str, last: &str) -> String {
    format!(
        "CASE WHEN EXISTS (SELECT 1 FROM meeting_stats ms WHERE ms.cell_id = {cell} \
         AND ms.held AND ({what}) AND ms.meeting_date >= {first} \
         AND ms.meeting_date <= {last}) THEN 1 ELSE 0 END"
    )
}

/// What a regular meeting is, and what counts as a thematic one (alone or combined).
pub const REGULAR: &str = "ms.kind = 'regular'";
pub const THEMATIC: &str = "ms.kind = 'thematic' OR ms.combined";

/// Inserts the `cell_months` rows of the cells below `prefix` (all, for `None`) for `months`:
/// a cell whose version at the month's end is a cell and which existed every day of it. One
/// statement.
async fn insert_cell_months(
    db: &impl ConnectionTrait,
    months: &[String],
    prefix: Option<&str>,
) -> Result<u64, DbErr> {
    let mut sql = Sql::default();
    let rows: Vec<String> = months
        .iter()
        .filter_map(|m| month_days(m).map(|d| (m, d)))
        .map(|(m, (first, last))| {
            format!(
                "SELECT {} AS month, {} AS first_on, {} AS last_on",
                sql.bind(m.clone()),
                sql.bind(first),
                sql.bind(last)
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let region = prefix
        .map(|p| format!("AND v.path LIKE {}", sql.bind(format!("{p}%"))))
        .unwrap_or_default();
    let text = format!(
        "INSERT INTO cell_months (cell_id, month, path, regular, thematic) \
         WITH m AS ({months}) \
         SELECT v.unit_id, m.month, v.path, {regular}, {thematic} \
         FROM m JOIN unit_versions v ON v.kind IN ('cell', 'base_cell') AND {valid} \
         JOIN units u ON u.id = v.unit_id AND u.established_on <= m.first_on \
           AND (u.dissolved_on IS NULL OR u.dissolved_on > m.last_on) \
         WHERE 1 = 1 {region} \
         ON CONFLICT (cell_id, month) DO UPDATE SET path = excluded.path, \
           regular = excluded.regular, thematic = excluded.thematic",
        months = rows.join(" UNION ALL "),
        regular = held_between("v.unit_id", REGULAR, "m.first_on", "m.last_on"),
        thematic = held_between("v.unit_id", THEMATIC, "m.first_on", "m.last_on"),
        valid = valid_on("v", "m.last_on"),
    );
    let backend = db.get_database_backend();
    Ok(db
        .execute_raw(sql.statement(backend, &text))
        .await?
        .rows_affected())
}

/// Builds month `month` (`YYYY-MM`) whole from the raw rows and marks it kept: its rows are
/// deleted and written again, in one transaction that no change runs beside.
pub async fn build_month(db: &impl ConnectionTrait, month: &str) -> Result<(), DbErr> {
    let Some((first, last)) = month_days(month) else {
        return Err(DbErr::Custom(format!("not a month: {month}")));
    };
    lock(db, true).await?;
    let backend = db.get_database_backend();
    delete_month(db, &["unit_months", "cell_months", "rollup_months"], month).await?;
    let mut sql = Sql::default();
    let text = format!(
        "INSERT INTO rollup_months (month, built_at) VALUES ({}, {})",
        sql.bind(month.to_string()),
        sql.bind(Utc::now())
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    contribute(db, Meetings::Month(first, last), 1).await?;
    insert_cell_months(db, &[month.to_string()], None).await?;
    if backend == DbBackend::Postgres {
        // The statistics do not know the month's rows yet: planned on them, the marks of the
        // month before look for each of its cells' rows among "the month's one row" by the
        // month alone, and at the nation read its 229,500 rows for each of 229,500 cells.
        db.execute_unprepared("ANALYZE cell_months").await?;
    }
    mark_stays(db, &[month.to_string()], None).await?;
    mark_quarters(db, &[month.to_string()], Cells::All).await?;
    count_month(db, month).await?;
    if backend == DbBackend::Postgres {
        // Again, now that the marks are written: planned on "every row of the month marked",
        // a period's cells that moved are looked for among all its cell-months.
        db.execute_unprepared("ANALYZE cell_months").await?;
    }
    Ok(())
}

/// The months kept: every month from the first meeting's (or the one a year back, if earlier:
/// a year's dashboard then reads no raw month) to `today`'s, oldest first (none when there are
/// no meetings).
pub async fn months_to_keep(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<String>, DbErr> {
    let first = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT MIN(meeting_date) FROM meeting_stats",
        ))
        .await?
        .and_then(|r| r.try_get_by_index::<Option<NaiveDate>>(0).ok().flatten());
    let Some(first) = first else {
        return Ok(Vec::new());
    };
    let mut months = Vec::new();
    let year_back = today - Months::new(12);
    let mut d = first
        .min(year_back)
        .with_day(1)
        .expect("the first of a month");
    while d <= today {
        months.push(month_of(d));
        d = d + Months::new(1);
    }
    Ok(months)
}

/// Of `months`, those whose meeting roll-ups are not built yet.
pub async fn months_to_build(
    db: &impl ConnectionTrait,
    months: &[String],
) -> Result<Vec<String>, DbErr> {
    let built = built_months(db).await?;
    Ok(months
        .iter()
        .filter(|m| !built.contains(m))
        .cloned()
        .collect())
}

/// Forgets every month built, and every month's end counts (`chibo reindex`, before building
/// them all again).
pub async fn forget_all(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    lock(db, true).await?;
    for table in ["unit_months", "cell_months", "rollup_months"] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    ends::forget_ends(db).await
}

/// Opens a page of stored figures for writing: of the rows `read` (`id`, `updated_at` as
/// they were read before their figures were computed), the ids of those not marked again
/// since. On PostgreSQL it takes the roll-ups' shared lock first, as every change does, then
/// locks the rows, so a change that marks one again waits for this transaction; SQLite runs
/// one writer at a time already. The page is a handful of rows (a background pass's page),
/// never a subtree's.
pub async fn stats_to_store(
    db: &impl ConnectionTrait,
    read: &[(i64, DateTime<Utc>)],
) -> Result<HashSet<i64>, DbErr> {
    lock(db, false).await?;
    let mut rows = meeting_stat::Entity::find()
        .select_only()
        .column(meeting_stat::Column::Id)
        .column(meeting_stat::Column::UpdatedAt)
        .filter(meeting_stat::Column::Id.is_in(read.iter().map(|&(id, _)| id)));
    if db.get_database_backend() == DbBackend::Postgres {
        // In id order, as `meeting_stats::set_stale` locks them: a check-in batch marking a
        // cell's rows while this page holds some of them would otherwise deadlock with it.
        rows = rows.order_by_asc(meeting_stat::Column::Id).lock_exclusive();
    }
    let now: HashMap<i64, DateTime<Utc>> = rows
        .into_tuple::<(i64, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(read
        .iter()
        .filter(|(id, at)| now.get(id) == Some(at))
        .map(|&(id, _)| id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sums_are_the_columns_the_migration_made() {
        use crate::migration::indicators::{ROLLUP_SUMS, WARNING_SUMS};
        let ours: Vec<&str> = sum_columns().collect();
        assert_eq!(ours, [ROLLUP_SUMS.as_slice(), &WARNING_SUMS].concat());
    }

    #[test]
    fn a_month_knows_its_days() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_of(d(2026, 2, 14)), "2026-02");
        assert_eq!(month_days("2028-02"), Some((d(2028, 2, 1), d(2028, 2, 29))));
        assert_eq!(month_days("2026-13"), None);
    }
}
