//! The indicators of domain.md §7 over a subtree and a period, counted in SQL with the tree as
//! it was: a row (a meeting, a cell-month, a badge) belongs to the subtree when the unit it
//! belongs to stood under the subtree's root on the row's own date, read from `unit_versions`.
//! So a cell merged away in March counts under its old parent for January and February, and a
//! root that moved counts its subtree under each of its paths in turn.
//!
//! Meetings are summed from `meeting_stats` (one row a meeting, kept by the application), never
//! from the attendance rows. Each group of indicators is one statement; none binds the ids of
//! the subtree. The arithmetic of a share (rounding, a share of nothing) is the domain's
//! (`chibo_domain::indicators::Figure`).

use chibo_domain::indicators::{Figure, Indicator};
use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};

use crate::subtree::Subtree;

/// The longest period the indicators are counted over, in months.
pub const MAX_MONTHS: u32 = 120;

/// One path of the root over a span of days (`to` excluded, `None`: still today).
#[derive(Debug, Clone, FromQueryResult)]
struct RootVersion {
    path: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

/// A statement being written: each value gets a token `@n@` that may appear any number of
/// times and in any order in the text; [`Sql::statement`] turns the tokens into the backend's
/// placeholders (`?` or `$n`) with the values in the order the text names them.
#[derive(Default)]
struct Sql {
    values: Vec<Value>,
}

impl Sql {
    /// The token standing for `v`.
    fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        format!("@{}@", self.values.len() - 1)
    }

    fn statement(self, backend: DbBackend, text: &str) -> Statement {
        let mut out = String::with_capacity(text.len());
        let mut values = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find('@') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let end = after.find('@').expect("a token is closed");
            let n: usize = after[..end].parse().expect("a token names a value");
            values.push(self.values[n].clone());
            match backend {
                DbBackend::Postgres => out.push_str(&format!("${}", values.len())),
                _ => out.push('?'),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Statement::from_sql_and_values(backend, out, values)
    }
}

/// `alias` (a `unit_versions` or `member_units` row) was valid on `day` (an SQL expression).
fn valid_on(alias: &str, day: &str) -> String {
    format!(
        "{alias}.valid_from <= {day} AND ({alias}.valid_to IS NULL OR {alias}.valid_to > {day})"
    )
}

/// The subtree's root over the period, and the period.
pub struct Scope<'a> {
    versions: Vec<RootVersion>,
    from: NaiveDate,
    to: NaiveDate,
    backend: DbBackend,
    _subtree: Subtree<'a>,
}

impl Scope<'_> {
    /// `path` (a column) lay under the root on `day` (an SQL expression): one alternative per
    /// path the root had in the period, usually one.
    fn under(&self, sql: &mut Sql, path: &str, day: &str) -> String {
        let mut alternatives = Vec::new();
        for v in &self.versions {
            let mut a = format!(
                "({path} LIKE {} AND {day} >= {}",
                sql.bind(format!("{}%", v.path)),
                sql.bind(v.valid_from)
            );
            if let Some(t) = v.valid_to {
                a.push_str(&format!(" AND {day} < {}", sql.bind(t)));
            }
            a.push(')');
            alternatives.push(a);
        }
        if alternatives.is_empty() {
            "1 = 0".into()
        } else {
            format!("({})", alternatives.join(" OR "))
        }
    }

    async fn numbers(
        &self,
        db: &impl ConnectionTrait,
        sql: Sql,
        text: &str,
        n: usize,
    ) -> Result<Vec<u64>, DbErr> {
        let row = db
            .query_one_raw(sql.statement(self.backend, text))
            .await?
            .ok_or_else(|| DbErr::Custom("an aggregate returned no row".into()))?;
        (0..n)
            .map(|i| {
                row.try_get_by_index::<Option<i64>>(i)
                    .map(|v| v.unwrap_or(0).max(0) as u64)
                    .map_err(DbErr::from)
            })
            .collect()
    }
}

/// The root's versions that overlap the period: the paths to count under.
pub async fn scope<'a>(
    db: &impl ConnectionTrait,
    subtree: Subtree<'a>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Scope<'a>, DbErr> {
    let backend = db.get_database_backend();
    let mut sql = Sql::default();
    let text = format!(
        "SELECT path, valid_from, valid_to FROM unit_versions \
         WHERE unit_id = (SELECT id FROM units WHERE path = {}) \
         AND valid_from <= {} AND (valid_to IS NULL OR valid_to > {}) ORDER BY valid_from",
        sql.bind(subtree.root()),
        sql.bind(to),
        sql.bind(from)
    );
    let versions = RootVersion::find_by_statement(sql.statement(backend, &text))
        .all(db)
        .await?;
    Ok(Scope {
        versions,
        from,
        to,
        backend,
        _subtree: subtree,
    })
}

/// Every indicator of the subtree over the period, in the order of [`Indicator::ALL`].
pub async fn all(
    db: &impl ConnectionTrait,
    scope: &Scope<'_>,
) -> Result<Vec<(Indicator, Figure)>, DbErr> {
    use Indicator::*;
    let tree = tree_on_to(db, scope).await?;
    let months = cell_months(db, scope).await?;
    let meetings = meetings(db, scope).await?;
    let programmes = programmes(db, scope).await?;
    let years = classification(db, scope).await?;
    let count = Figure::count;
    let share = Figure::share;
    let figures = vec![
        (Members, count(tree[0])),
        (GrassrootsOrgs, count(tree[1])),
        (Cells, count(tree[2])),
        (CellsWithGroups, count(tree[3])),
        (CellMonthsMet, share(months[0], months[1])),
        (CellsMeetingMonthly, share(months[2], months[3])),
        (CellsThematicQuarterly, share(months[4], months[5])),
        (AttendanceRate, share(meetings[1], meetings[2])),
        (MeetingsAttendanceOk, share(meetings[3], meetings[0])),
        (MeetingsFullProcedure, share(meetings[6], meetings[5])),
        (MeetingsMinDuration, share(meetings[8], meetings[7])),
        (DocumentsOnTime, share(meetings[9], meetings[5])),
        (MembersTasked, share(meetings[4], meetings[2])),
        (TasksFollowedUp, share(meetings[16], meetings[15])),
        (LevelExcellent, count(meetings[11])),
        (LevelGood, count(meetings[12])),
        (LevelAverage, count(meetings[13])),
        (LevelWeak, count(meetings[14])),
        (SuperiorAttended, share(meetings[10], meetings[5])),
        (ThematicTopics, count(programmes[0])),
        (CellsInspected, share(tree[4], tree[2])),
        (OfficersTrained, share(tree[6], tree[5])),
        (Courses, count(programmes[1])),
        (TraineeTimes, count(programmes[2])),
        (MembersAdmitted, count(programmes[3])),
        (BadgesAwarded, count(programmes[4])),
        (CellsGoodOrBetter, share(years[0], years[1])),
        (MembersGoodOrBetter, share(years[2], years[3])),
        (CadresTasked, count(programmes[5])),
        (CadreTasksGiven, count(programmes[6])),
        (CadreTasksDone, count(programmes[7])),
    ];
    debug_assert_eq!(figures.len(), Indicator::ALL.len());
    Ok(figures)
}

const CELL_KINDS: &str = "('cell', 'base_cell')";

/// On the period's last day: members on the roll, grassroots organisations, cells, cells with
/// party groups, cells inspected in the period, officers in office and those trained in it.
async fn tree_on_to(db: &impl ConnectionTrait, s: &Scope<'_>) -> Result<Vec<u64>, DbErr> {
    let mut sql = Sql::default();
    let to = sql.bind(s.to);
    let under = s.under(&mut sql, "v.path", &to);
    let valid_v = valid_on("v", &to);
    let members = format!(
        "SELECT COUNT(DISTINCT r.member_id) FROM unit_versions v \
         JOIN member_units r ON r.unit_id = v.unit_id \
         WHERE {valid_v} AND {under} AND {}",
        valid_on("r", &to)
    );
    let from = sql.bind(s.from);
    let valid_g = valid_on("g", &to);
    let units = format!(
        "SELECT \
           COUNT(CASE WHEN v.kind IN ('grassroots', 'base_cell') THEN 1 END), \
           COUNT(CASE WHEN v.kind IN {CELL_KINDS} THEN 1 END), \
           COUNT(CASE WHEN v.kind IN {CELL_KINDS} AND EXISTS (SELECT 1 FROM unit_versions g \
             WHERE g.parent_id = v.unit_id AND g.kind = 'group' AND {valid_g}) THEN 1 END), \
           COUNT(CASE WHEN v.kind IN {CELL_KINDS} AND EXISTS (SELECT 1 FROM inspections i \
             WHERE i.cell_id = v.unit_id AND i.status = 'done' \
             AND i.done_on >= {from} AND i.done_on <= {to}) THEN 1 END) \
         FROM unit_versions v WHERE {valid_v} AND {under}"
    );
    let officers = format!(
        "SELECT COUNT(DISTINCT p.member_id), \
           COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM course_participants cp \
             JOIN courses c ON c.id = cp.course_id WHERE cp.member_id = p.member_id \
             AND cp.completed AND c.ends_on >= {from} AND c.ends_on <= {to}) \
             THEN p.member_id END) \
         FROM unit_versions v JOIN positions p ON p.unit_id = v.unit_id \
         WHERE {valid_v} AND {under} AND v.kind IN {CELL_KINDS} \
         AND p.term_from <= {to} AND (p.term_to IS NULL OR p.term_to > {to})"
    );
    let text = format!("SELECT ({members}), u.*, o.* FROM ({units}) u, ({officers}) o");
    s.numbers(db, sql, &text, 7).await
}

/// Each month of the period (the part of it inside the period), with its quarter as
/// `year * 10 + quarter`.
fn month_spans(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate, i32)> {
    let mut spans = Vec::new();
    let mut first = from.with_day(1).expect("the first of a month");
    while first <= to {
        let next = first + Months::new(1);
        let last = next.pred_opt().expect("a day before");
        let quarter = first.year() * 10 + (first.month0() / 3 + 1) as i32;
        spans.push((first.max(from), last.min(to), quarter));
        first = next;
    }
    spans
}

/// Cell-months: (cell, month) pairs in which the cell existed every day of the month inside
/// the period, under the root on the month's last day, each with whether a regular and a
/// thematic (alone or combined) meeting was held in it. Then: months met / expected; cells
/// that met every expected month / cells expected at least once; cells with a thematic
/// meeting in every quarter wholly expected / cells with such a quarter.
async fn cell_months(db: &impl ConnectionTrait, s: &Scope<'_>) -> Result<Vec<u64>, DbErr> {
    let mut sql = Sql::default();
    let rows: Vec<String> = month_spans(s.from, s.to)
        .into_iter()
        .map(|(first, last, q)| {
            format!(
                "SELECT {} AS start_on, {} AS end_on, {} AS q",
                sql.bind(first),
                sql.bind(last),
                sql.bind(q)
            )
        })
        .collect();
    let months = rows.join(" UNION ALL ");
    let under = s.under(&mut sql, "v.path", "m.end_on");
    let held = |what: &str| {
        format!(
            "CASE WHEN EXISTS (SELECT 1 FROM meeting_stats ms WHERE ms.cell_id = v.unit_id \
             AND ms.held AND ({what}) AND ms.meeting_date >= m.start_on \
             AND ms.meeting_date <= m.end_on) THEN 1 ELSE 0 END"
        )
    };
    let text = format!(
        "WITH m AS ({months}), cm AS (\
           SELECT v.unit_id AS cell, m.q AS q, {regular} AS regular, {thematic} AS thematic \
           FROM m JOIN unit_versions v ON v.kind IN {CELL_KINDS} AND {valid_v} \
           JOIN units u ON u.id = v.unit_id AND u.established_on <= m.start_on \
             AND (u.dissolved_on IS NULL OR u.dissolved_on > m.end_on) \
           WHERE {under}), \
         quarters AS (SELECT cell, MAX(thematic) AS thematic FROM cm GROUP BY cell, q \
           HAVING COUNT(*) = 3) \
         SELECT \
           (SELECT SUM(regular) FROM cm), (SELECT COUNT(*) FROM cm), \
           (SELECT COUNT(*) FROM (SELECT cell FROM cm GROUP BY cell HAVING MIN(regular) = 1) a), \
           (SELECT COUNT(DISTINCT cell) FROM cm), \
           (SELECT COUNT(*) FROM (SELECT cell FROM quarters GROUP BY cell \
             HAVING MIN(thematic) = 1) b), \
           (SELECT COUNT(DISTINCT cell) FROM quarters)",
        regular = held("ms.kind = 'regular'"),
        thematic = held("ms.kind = 'thematic' OR ms.combined"),
        valid_v = valid_on("v", "m.end_on"),
    );
    s.numbers(db, sql, &text, 6).await
}

/// Held meetings of the period, each counted under the root by its cell on its date: regular
/// ones, present and sheet members over them, those reaching the threshold, members tasked;
/// all held ones, with full procedure, with an end time, long enough, documents in time,
/// attended by the superior committee, per level; tasks whose cell met again by `to`, and of
/// them those reviewed.
async fn meetings(db: &impl ConnectionTrait, s: &Scope<'_>) -> Result<Vec<u64>, DbErr> {
    let mut sql = Sql::default();
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    let under = s.under(&mut sql, "v.path", "ms.meeting_date");
    let when = |cond: &str, then: &str| format!("SUM(CASE WHEN {cond} THEN {then} ELSE 0 END)");
    let regular = "ms.kind = 'regular'";
    let followed = format!("ms.next_regular_on IS NOT NULL AND ms.next_regular_on <= {to}");
    let level = |code: &str| when(&format!("ms.level = '{code}'"), "1");
    let text = format!(
        "SELECT {}, {}, {}, {}, {}, COUNT(*), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} \
         FROM meeting_stats ms JOIN unit_versions v ON v.unit_id = ms.cell_id AND {valid_v} \
         WHERE ms.held AND ms.meeting_date >= {from} AND ms.meeting_date <= {to} AND {under}",
        when(regular, "1"),
        when(regular, "ms.present"),
        when(regular, "ms.sheet_members"),
        when(&format!("{regular} AND ms.attendance_ok"), "1"),
        when(regular, "ms.tasked"),
        when("ms.full_procedure", "1"),
        when("ms.has_end_time", "1"),
        when("ms.has_end_time AND ms.duration_ok", "1"),
        when("ms.documents_on_time", "1"),
        when("ms.superior_attended", "1"),
        level("tot"),
        level("kha"),
        level("trung_binh"),
        level("kem"),
        when(&followed, "ms.tasks_given"),
        when(&followed, "ms.tasks_reviewed"),
        valid_v = valid_on("v", "ms.meeting_date"),
    );
    s.numbers(db, sql, &text, 17).await
}

/// The end of year `y` inside the period: the day a yearly row is placed in the tree.
fn year_end(y: i32, to: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, 12, 31)
        .expect("31 December")
        .min(to)
}

/// Thematic topics of the years of the period, courses ending in it and their trainees,
/// admission decisions, badges awarded, and the breakthrough tasks of its years (cadres, tasks,
/// done).
async fn programmes(db: &impl ConnectionTrait, s: &Scope<'_>) -> Result<Vec<u64>, DbErr> {
    let mut sql = Sql::default();
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    // A yearly row counts under the root by its unit at the end of its year (or of the period).
    let mut by_year = |table: &str, unit: &str| {
        let alternatives: Vec<String> = (s.from.year()..=s.to.year())
            .map(|y| {
                let day = sql.bind(year_end(y, s.to));
                format!(
                    "({table}.year = {} AND EXISTS (SELECT 1 FROM unit_versions v \
                     WHERE v.unit_id = {table}.{unit} AND {} AND {}))",
                    sql.bind(y),
                    valid_on("v", &day),
                    s.under(&mut sql, "v.path", &day)
                )
            })
            .collect();
        format!("({})", alternatives.join(" OR "))
    };
    let topics = by_year("t", "unit_id");
    let tasks = by_year("ct", "unit_id");
    let at = |unit: &str, day: &str, sql: &mut Sql| {
        format!(
            "EXISTS (SELECT 1 FROM unit_versions v WHERE v.unit_id = {unit} AND {} AND {})",
            valid_on("v", day),
            s.under(sql, "v.path", day)
        )
    };
    let course_here = at("c.unit_id", "c.ends_on", &mut sql);
    let admitted_here = at("k.unit_id", "k.decided_on", &mut sql);
    let badge_here = format!(
        "EXISTS (SELECT 1 FROM member_units r WHERE r.member_id = b.member_id \
         AND r.kind = 'home' AND {} AND {})",
        valid_on("r", "b.awarded_on"),
        at("r.unit_id", "b.awarded_on", &mut sql)
    );
    let courses = format!(
        "SELECT c.id FROM courses c WHERE c.ends_on >= {from} AND c.ends_on <= {to} \
         AND {course_here}"
    );
    let text = format!(
        "SELECT \
           (SELECT COUNT(*) FROM thematic_topics t WHERE {topics}), \
           (SELECT COUNT(*) FROM ({courses}) cs), \
           (SELECT COUNT(*) FROM course_participants cp WHERE cp.course_id IN ({courses})), \
           (SELECT COUNT(*) FROM candidates k WHERE k.decided_on >= {from} \
             AND k.decided_on <= {to} AND {admitted_here}), \
           (SELECT COUNT(*) FROM member_badges b WHERE b.awarded_on >= {from} \
             AND b.awarded_on <= {to} AND {badge_here}), \
           (SELECT COUNT(DISTINCT ct.member_id) FROM cadre_tasks ct WHERE {tasks}), \
           (SELECT COUNT(*) FROM cadre_tasks ct WHERE {tasks}), \
           (SELECT COUNT(*) FROM cadre_tasks ct WHERE ct.status = 'done' AND {tasks})"
    );
    s.numbers(db, sql, &text, 8).await
}

/// For each classification year ending in the period: cells rated good or excellent and
/// cells rated, members likewise, each placed in the tree at the year's end.
async fn classification(db: &impl ConnectionTrait, s: &Scope<'_>) -> Result<Vec<u64>, DbErr> {
    let mut sql = Sql::default();
    let years: Vec<i32> = (s.from.year()..=s.to.year())
        .filter(|y| {
            let end = NaiveDate::from_ymd_opt(*y, 12, 31).expect("31 December");
            s.from <= end && end <= s.to
        })
        .collect();
    if years.is_empty() {
        return Ok(vec![0; 4]);
    }
    let mut placed = |table: &str, unit: &str, cells_only: bool| {
        let alternatives: Vec<String> = years
            .iter()
            .map(|y| {
                let day = sql.bind(NaiveDate::from_ymd_opt(*y, 12, 31).expect("31 December"));
                format!(
                    "({table}.year = {} AND EXISTS (SELECT 1 FROM unit_versions v \
                     WHERE v.unit_id = {table}.{unit} AND {} AND {}{}))",
                    sql.bind(*y),
                    valid_on("v", &day),
                    s.under(&mut sql, "v.path", &day),
                    if cells_only {
                        format!(" AND v.kind IN {CELL_KINDS}")
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        format!("({})", alternatives.join(" OR "))
    };
    let cells = placed("ur", "unit_id", true);
    let members = placed("mr", "cell_id", false);
    let good = "('excellent', 'good')";
    let text = format!(
        "SELECT \
           (SELECT COUNT(*) FROM unit_reviews ur WHERE ur.level IN {good} AND {cells}), \
           (SELECT COUNT(*) FROM unit_reviews ur WHERE {cells}), \
           (SELECT COUNT(*) FROM member_reviews mr WHERE mr.level IN {good} AND {members}), \
           (SELECT COUNT(*) FROM member_reviews mr WHERE {members})"
    );
    s.numbers(db, sql, &text, 4).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_cut_to_the_period_and_know_their_quarter() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let spans = month_spans(d(2025, 11, 15), d(2026, 2, 10));
        assert_eq!(
            spans,
            vec![
                (d(2025, 11, 15), d(2025, 11, 30), 20254),
                (d(2025, 12, 1), d(2025, 12, 31), 20254),
                (d(2026, 1, 1), d(2026, 1, 31), 20261),
                (d(2026, 2, 1), d(2026, 2, 10), 20261),
            ]
        );
    }

    #[test]
    fn a_token_may_be_named_twice_and_out_of_order() {
        let mut sql = Sql::default();
        let a = sql.bind(1);
        let b = sql.bind("x");
        let text = format!("SELECT {b}, {a}, {b}");
        let st = sql.statement(DbBackend::Postgres, &text);
        assert_eq!(st.sql, "SELECT $1, $2, $3");
        assert_eq!(st.values.unwrap().0.len(), 3);
    }
}
