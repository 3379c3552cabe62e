//! The statements that count the indicators, each grouped by the scope's key, and the slots
//! their counts land in.

use chibo_domain::indicators::{Figure, Indicator};
use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr};

use super::{Groups, Scope, Slots, Sql, dated, last_day, rolled, valid_on};
use crate::rollups;

/// Where each count lands.
pub(super) mod slot {
    pub const MEMBERS: usize = 0;
    pub const GRASSROOTS: usize = 1;
    pub const CELLS: usize = 2;
    pub const CELLS_WITH_GROUPS: usize = 3;
    pub const CELLS_INSPECTED: usize = 4;
    pub const OFFICERS: usize = 5;
    pub const OFFICERS_TRAINED: usize = 6;
    pub const CELL_MONTHS_MET: usize = 7;
    pub const CELL_MONTHS: usize = 8;
    pub const CELLS_EVERY_MONTH: usize = 9;
    pub const CELLS_EXPECTED: usize = 10;
    pub const CELLS_EVERY_QUARTER: usize = 11;
    pub const CELLS_WITH_QUARTER: usize = 12;
    pub const REGULAR: usize = 13;
    pub const PRESENT: usize = 14;
    pub const SHEET: usize = 15;
    pub const ATTENDANCE_OK: usize = 16;
    pub const TASKED: usize = 17;
    pub const HELD: usize = 18;
    pub const FULL_PROCEDURE: usize = 19;
    pub const ENDED: usize = 20;
    pub const LONG_ENOUGH: usize = 21;
    pub const DOCUMENTS_ON_TIME: usize = 22;
    pub const SUPERIOR: usize = 23;
    pub const LEVEL_TOT: usize = 24;
    pub const LEVEL_KHA: usize = 25;
    pub const LEVEL_TRUNG_BINH: usize = 26;
    pub const LEVEL_KEM: usize = 27;
    pub const TASKS_DUE_REVIEW: usize = 28;
    pub const TASKS_REVIEWED: usize = 29;
    pub const TOPICS: usize = 30;
    pub const COURSES: usize = 31;
    pub const TRAINEES: usize = 32;
    pub const ADMITTED: usize = 33;
    pub const BADGES: usize = 34;
    pub const CADRES: usize = 35;
    pub const CADRE_TASKS: usize = 36;
    pub const CADRE_TASKS_DONE: usize = 37;
    pub const CELLS_GOOD: usize = 38;
    pub const CELLS_RATED: usize = 39;
    pub const MEMBERS_GOOD: usize = 40;
    pub const MEMBERS_RATED: usize = 41;
    // Not indicators: the held meetings four early warnings list.
    pub const UNTASKED_MEETINGS: usize = 42;
    pub const COPIED_MINUTES: usize = 43;
    pub const AGENCY_SHORT: usize = 44;
    pub const UNFOLLOWED_MEETINGS: usize = 45;
}

pub(super) const SLOTS: usize = 46;

/// The figures of one group's counts, in the order of [`Indicator::ALL`].
pub(super) fn figures(s: &[u64; SLOTS]) -> Vec<(Indicator, Figure)> {
    use Indicator::*;
    use slot::*;
    let count = |i: usize| Figure::count(s[i]);
    let share = |n: usize, d: usize| Figure::share(s[n], s[d]);
    let figures = vec![
        (Members, count(MEMBERS)),
        (GrassrootsOrgs, count(GRASSROOTS)),
        (Cells, count(CELLS)),
        (CellsWithGroups, count(CELLS_WITH_GROUPS)),
        (CellMonthsMet, share(CELL_MONTHS_MET, CELL_MONTHS)),
        (
            CellsMeetingMonthly,
            share(CELLS_EVERY_MONTH, CELLS_EXPECTED),
        ),
        (
            CellsThematicQuarterly,
            share(CELLS_EVERY_QUARTER, CELLS_WITH_QUARTER),
        ),
        (AttendanceRate, share(PRESENT, SHEET)),
        (MeetingsAttendanceOk, share(ATTENDANCE_OK, REGULAR)),
        (MeetingsFullProcedure, share(FULL_PROCEDURE, HELD)),
        (MeetingsMinDuration, share(LONG_ENOUGH, ENDED)),
        (DocumentsOnTime, share(DOCUMENTS_ON_TIME, HELD)),
        (MembersTasked, share(TASKED, SHEET)),
        (TasksFollowedUp, share(TASKS_REVIEWED, TASKS_DUE_REVIEW)),
        (LevelExcellent, count(LEVEL_TOT)),
        (LevelGood, count(LEVEL_KHA)),
        (LevelAverage, count(LEVEL_TRUNG_BINH)),
        (LevelWeak, count(LEVEL_KEM)),
        (SuperiorAttended, share(SUPERIOR, HELD)),
        (ThematicTopics, count(TOPICS)),
        (CellsInspected, share(CELLS_INSPECTED, CELLS)),
        (OfficersTrained, share(OFFICERS_TRAINED, OFFICERS)),
        (Courses, count(COURSES)),
        (TraineeTimes, count(TRAINEES)),
        (MembersAdmitted, count(ADMITTED)),
        (BadgesAwarded, count(BADGES)),
        (CellsGoodOrBetter, share(CELLS_GOOD, CELLS_RATED)),
        (MembersGoodOrBetter, share(MEMBERS_GOOD, MEMBERS_RATED)),
        (CadresTasked, count(CADRES)),
        (CadreTasksGiven, count(CADRE_TASKS)),
        (CadreTasksDone, count(CADRE_TASKS_DONE)),
    ];
    debug_assert_eq!(figures.len(), Indicator::ALL.len());
    figures
}

/// Every count of the scope, by group. The statements read different rows and do not depend
/// on each other: they run in three lanes at once, each on a connection of its own, so that a
/// province's longest (the cell-months, the members on the roll) take the time of the longer,
/// not of both (two cores; more lanes would only queue on them, and take connections from the
/// pages).
pub(super) async fn count(db: &impl ConnectionTrait, s: &Scope<'_>) -> Result<Groups, DbErr> {
    let (mut groups, rest) = tokio::try_join!(count_distinct(db, s), async {
        let mut g = Groups::new();
        // Read with the members from the month-end counts when they stand.
        if s.end_standing(s.to).is_none() {
            last_day::units_on_to(db, s, &mut g).await?;
        }
        last_day::inspected_on_to(db, s, &mut g).await?;
        meetings(db, s, &mut g).await?;
        dated::programmes(db, s, &mut g).await?;
        dated::classification(db, s, &mut g).await?;
        Ok::<_, DbErr>(g)
    })?;
    super::merge(&mut groups, rest);
    Ok(groups)
}

/// The slots [`count_distinct`] counts: those the lines by child do not add up to the whole
/// (distinct members, officers, cells and cadres, since one may lie under two children in the
/// period: a cell moved, a member on two rolls, an officer in two cells), and the others its
/// statements count beside them. Every other slot places each row under one child, so the
/// whole is the sum of the children's.
pub(super) const RECOUNTED: [usize; 12] = [
    slot::MEMBERS,
    slot::OFFICERS,
    slot::OFFICERS_TRAINED,
    slot::CELL_MONTHS_MET,
    slot::CELL_MONTHS,
    slot::CELLS_EVERY_MONTH,
    slot::CELLS_EXPECTED,
    slot::CELLS_EVERY_QUARTER,
    slot::CELLS_WITH_QUARTER,
    slot::CADRES,
    slot::CADRE_TASKS,
    slot::CADRE_TASKS_DONE,
];

/// The counts of the [`RECOUNTED`] slots, by group: what a whole needs counted again when
/// its children's lines are known.
pub(super) async fn count_distinct(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
) -> Result<Groups, DbErr> {
    // Two lanes of about the same length at a province (see `count`).
    let (mut groups, cells) = tokio::try_join!(
        async {
            let mut g = Groups::new();
            if let Some(month) = s.end_standing(s.to) {
                last_day::ends_on_to(db, s, &mut g, &month).await?;
                super::month_ends::read_trained(db, s, &mut g, &month).await?;
            } else {
                last_day::members_on_to(db, s, &mut g).await?;
                last_day::officers_on_to(db, s, &mut g).await?;
                last_day::trained_on_to(db, s, &mut g).await?;
            }
            Ok::<_, DbErr>(g)
        },
        async {
            let mut g = Groups::new();
            cell_months(db, s, &mut g).await?;
            dated::cadre_tasks(db, s, &mut g).await?;
            Ok::<_, DbErr>(g)
        }
    )?;
    super::merge(&mut groups, cells);
    Ok(groups)
}

/// The counts of the cell-months and the held meetings only, by group.
pub(super) async fn count_meetings(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
) -> Result<Groups, DbErr> {
    let mut groups = Groups::new();
    cell_months(db, s, &mut groups).await?;
    meetings(db, s, &mut groups).await?;
    Ok(groups)
}

/// The held meetings' sums over the whole scope (from the roll-ups where kept).
pub(super) async fn meeting_sums(db: &impl ConnectionTrait, s: &Scope<'_>) -> Result<Slots, DbErr> {
    let mut groups = Groups::new();
    meetings(db, s, &mut groups).await?;
    Ok(super::sum(&groups))
}

pub(super) const CELL_KINDS: &str = "('cell', 'base_cell')";

/// Each month of the period (the part of it inside the period), with its quarter as
/// `year * 10 + quarter`.
pub(super) fn month_spans(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate, i32)> {
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

/// `WITH m AS (…), mk AS (…), cm AS (the cell-months)`: one row per (cell, month) expected,
/// keyed, with the month's first day, its quarter, and whether a regular and a thematic
/// meeting were held in it. The whole months the roll-ups keep (`mk`) are read from
/// `cell_months`, and so is the month the period's end cuts short when `Scope::cut_kept` says
/// its kept rows stand for it ([`cut_month_rows`]); the others (`m`) are found from the units
/// and `meeting_stats`. Shared by the indicators and the warnings.
pub(super) fn cell_months_cte(s: &Scope<'_>, sql: &mut Sql) -> String {
    // A month is expected only once it is over: the current one is still under way.
    let mut cut = None;
    let (kept, raw): (Vec<_>, Vec<_>) = month_spans(s.from, s.to)
        .into_iter()
        .filter(|(_, last, _)| *last < s.today)
        .filter(|span| {
            // The month the period's end cuts short, when its kept rows can answer it.
            let (first, last, _) = *span;
            let whole = rollups::month_days(&rollups::month_of(first));
            let readable = s.cut_kept && last == s.to && whole.is_some_and(|(f, _)| f == first);
            if readable {
                cut = Some(*span);
            }
            !readable
        })
        .partition(|(first, last, _)| {
            let month = rollups::month_of(*first);
            rollups::month_days(&month) == Some((*first, *last)) && s.built.contains(&month)
        });
    let list = |sql: &mut Sql, spans: Vec<(NaiveDate, NaiveDate, i32)>| {
        let rows: Vec<String> = spans
            .into_iter()
            .map(|(first, last, q)| {
                format!(
                    "SELECT {} AS month, {} AS start_on, {} AS end_on, {} AS q",
                    sql.bind(rollups::month_of(first)),
                    sql.bind(first),
                    sql.bind(last),
                    sql.bind(q)
                )
            })
            .collect();
        if rows.is_empty() {
            "SELECT CAST(NULL AS TEXT) AS month, CAST(NULL AS DATE) AS start_on, \
             CAST(NULL AS DATE) AS end_on, 0 AS q WHERE 1 = 0"
                .to_string()
        } else {
            rows.join(" UNION ALL ")
        }
    };
    let (raw, kept) = (list(sql, raw), list(sql, kept));
    let under = s.under(sql, "v.path", "m.end_on");
    let key = s.key(sql, "v.path", "m.end_on");
    let under_kept = s.under(sql, "c.path", "mk.end_on");
    let key_kept = s.key(sql, "c.path", "mk.end_on");
    let held = |what: &str| rollups::held_between("v.unit_id", what, "m.start_on", "m.end_on");
    let cut = cut
        .map(|(first, to, q)| cut_month_rows(s, sql, first, to, q))
        .unwrap_or_default();
    format!(
        "WITH m AS ({raw}), mk AS ({kept}), cm AS (\
           SELECT {key} AS k, v.unit_id AS cell, m.start_on AS start_on, m.q AS q, \
             {regular} AS regular, {thematic} AS thematic \
           FROM m JOIN unit_versions v ON v.kind IN {CELL_KINDS} AND {valid_v} \
           JOIN units u ON u.id = v.unit_id AND u.established_on <= m.start_on \
             AND (u.dissolved_on IS NULL OR u.dissolved_on > m.end_on) \
           WHERE {under} \
           UNION ALL SELECT {key_kept}, c.cell_id, mk.start_on, mk.q, c.regular, c.thematic \
           FROM mk JOIN cell_months c ON c.month = mk.month WHERE {under_kept}{cut})",
        regular = held(rollups::REGULAR),
        thematic = held(rollups::THEMATIC),
        valid_v = valid_on("v", "m.end_on"),
    )
}

/// ` UNION ALL SELECT …`: the cell-months of the month that the period cuts short at `to`,
/// read from its kept rows (`Scope::cut_kept` says they stand for it). A kept row says whether
/// a meeting was held in the whole month; a cell that held one after `to` is asked again for
/// the days up to `to` alone (few: the meetings of the days after the period).
fn cut_month_rows(s: &Scope<'_>, sql: &mut Sql, first: NaiveDate, to: NaiveDate, q: i32) -> String {
    let month = rollups::month_of(first);
    let last = rollups::month_days(&month).map_or(to, |(_, last)| last);
    let (month, first, to, last, q) = (
        sql.bind(month),
        sql.bind(first),
        sql.bind(to),
        sql.bind(last),
        sql.bind(q),
    );
    let under = s.under(sql, "c.path", &to);
    let key = s.key(sql, "c.path", &to);
    let flag = |what: &str, kept: &str| {
        format!(
            "CASE WHEN c.cell_id IN (SELECT ms.cell_id FROM meeting_stats ms WHERE ms.held \
               AND ms.meeting_date > {to} AND ms.meeting_date <= {last}) THEN {} ELSE {kept} END",
            rollups::held_between("c.cell_id", what, &first, &to)
        )
    };
    format!(
        " UNION ALL SELECT {key}, c.cell_id, {first}, {q}, {}, {} \
         FROM cell_months c WHERE c.month = {month} AND {under}",
        flag(rollups::REGULAR, "c.regular"),
        flag(rollups::THEMATIC, "c.thematic"),
    )
}

/// Cell-months: (cell, month) pairs in which the cell existed every day of the month inside
/// the period, under the root on the month's last day, each with whether a regular and a
/// thematic (alone or combined) meeting was held in it. Then: months met / expected; cells
/// that met every expected month / cells expected at least once; cells with a thematic
/// meeting in every quarter wholly expected / cells with such a quarter. A period of whole
/// kept months groups only the cells that came, left or moved in it (`stayed`); any other
/// reads the cell-months once and groups them once, by cell: each quarter of the period is a
/// pair of columns (its months expected, whether one had a thematic meeting), which costs
/// less than a second grouping by quarter (at a province, 133,627 rows a year sorted once, not twice).
async fn cell_months(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    if let Some(spans) = super::stayed::kept_months(s) {
        return super::stayed::cell_months(db, s, g, &spans).await;
    }
    let mut sql = Sql::default();
    let cte = cell_months_cte(s, &mut sql);
    let mut quarters: Vec<i32> = month_spans(s.from, s.to).iter().map(|m| m.2).collect();
    quarters.dedup();
    let text = cell_month_counts(&cte, &quarters);
    s.add(db, g, sql, &text, &CELL_MONTH_SLOTS).await
}

/// The slots the cell-month counts land in, in the order of [`cell_month_counts`]' columns.
pub(super) const CELL_MONTH_SLOTS: [usize; 6] = [
    slot::CELL_MONTHS_MET,
    slot::CELL_MONTHS,
    slot::CELLS_EVERY_MONTH,
    slot::CELLS_EXPECTED,
    slot::CELLS_EVERY_QUARTER,
    slot::CELLS_WITH_QUARTER,
];

/// The statement that counts the cell-months `cm` of `cte` (`k, cell, q, regular, thematic`)
/// by group, `quarters` being the quarters the period touches (`year * 10 + quarter`).
pub(super) fn cell_month_counts(cte: &str, quarters: &[i32]) -> String {
    let big = |e: &str| format!("CAST({e} AS BIGINT)");
    // Computed numbers, written in the statement rather than bound.
    let columns: String = quarters
        .iter()
        .enumerate()
        .map(|(i, q)| {
            format!(
                ", SUM(CASE WHEN q = {q} THEN 1 ELSE 0 END) AS n{i}, \
                 MAX(CASE WHEN q = {q} THEN thematic ELSE 0 END) AS t{i}"
            )
        })
        .collect();
    let any = |each: &dyn Fn(usize) -> String| {
        let terms: Vec<String> = (0..quarters.len()).map(each).collect();
        if terms.is_empty() {
            "1 = 0".to_string()
        } else {
            terms.join(" OR ")
        }
    };
    let with_quarter = any(&|i| format!("n{i} = 3"));
    let quarter_missed = any(&|i| format!("(n{i} = 3 AND t{i} = 0)"));
    format!(
        "{cte}, \
         cells AS (SELECT k, cell, COUNT(*) AS months, SUM(regular) AS met, \
           MIN(regular) AS every{columns} FROM cm GROUP BY k, cell) \
         SELECT k, {sum_met}, {sum_months}, {sum_every}, COUNT(*), {quarters_met}, \
           {quarters_expected} FROM cells GROUP BY k",
        sum_met = big("SUM(met)"),
        sum_months = big("SUM(months)"),
        sum_every = big("SUM(every)"),
        quarters_met = big(&format!(
            "SUM(CASE WHEN ({with_quarter}) AND NOT ({quarter_missed}) THEN 1 ELSE 0 END)"
        )),
        quarters_expected = big(&format!("SUM(CASE WHEN {with_quarter} THEN 1 ELSE 0 END)")),
    )
}

/// Where the sums of a held meeting land, in the order of `crate::rollups::sum_exprs`.
pub(super) fn meeting_slots() -> [usize; crate::rollups::SUM_COUNT] {
    use slot::*;
    [
        REGULAR,
        PRESENT,
        SHEET,
        ATTENDANCE_OK,
        TASKED,
        HELD,
        FULL_PROCEDURE,
        ENDED,
        LONG_ENOUGH,
        DOCUMENTS_ON_TIME,
        SUPERIOR,
        LEVEL_TOT,
        LEVEL_KHA,
        LEVEL_TRUNG_BINH,
        LEVEL_KEM,
        TASKS_DUE_REVIEW,
        TASKS_REVIEWED,
        UNTASKED_MEETINGS,
        COPIED_MINUTES,
        AGENCY_SHORT,
        UNFOLLOWED_MEETINGS,
    ]
}

/// Held meetings of the period, each counted under the root by its cell on its date: regular
/// ones, present and sheet members over them, those reaching the threshold, members tasked;
/// all held ones, with full procedure, with an end time, long enough, documents in time,
/// attended by the superior committee, per level; tasks whose cell met again by `to`, and of
/// them those reviewed. The months the roll-ups keep are read from them (`rolled`), the other
/// days from `meeting_stats`, one statement per run of such days.
async fn meetings(db: &impl ConnectionTrait, s: &Scope<'_>, g: &mut Groups) -> Result<(), DbErr> {
    let read = rolled::meetings(db, s, g).await?;
    for (from, to) in rolled::raw_ranges(s, &read) {
        let mut sql = Sql::default();
        let (from, to, end) = (sql.bind(from), sql.bind(to), sql.bind(s.to));
        let under = s.under(&mut sql, "v.path", "ms.meeting_date");
        let key = s.key(&mut sql, "v.path", "ms.meeting_date");
        let sums: Vec<String> = crate::rollups::sum_exprs(Some(&end))
            .into_iter()
            .map(|e| format!("SUM({e})"))
            .collect();
        let text = format!(
            "SELECT {key}, {} FROM meeting_stats ms \
             JOIN unit_versions v ON v.unit_id = ms.cell_id AND {valid_v} \
             WHERE ms.held AND ms.meeting_date >= {from} AND ms.meeting_date <= {to} \
             AND {under} GROUP BY 1",
            sums.join(", "),
            valid_v = valid_on("v", "ms.meeting_date"),
        );
        s.add(db, g, sql, &text, &meeting_slots()).await?;
    }
    Ok(())
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
    fn every_slot_is_named_once() {
        let mut all = [
            slot::MEMBERS,
            slot::GRASSROOTS,
            slot::CELLS,
            slot::CELLS_WITH_GROUPS,
            slot::CELLS_INSPECTED,
            slot::OFFICERS,
            slot::OFFICERS_TRAINED,
            slot::CELL_MONTHS_MET,
            slot::CELL_MONTHS,
            slot::CELLS_EVERY_MONTH,
            slot::CELLS_EXPECTED,
            slot::CELLS_EVERY_QUARTER,
            slot::CELLS_WITH_QUARTER,
            slot::REGULAR,
            slot::PRESENT,
            slot::SHEET,
            slot::ATTENDANCE_OK,
            slot::TASKED,
            slot::HELD,
            slot::FULL_PROCEDURE,
            slot::ENDED,
            slot::LONG_ENOUGH,
            slot::DOCUMENTS_ON_TIME,
            slot::SUPERIOR,
            slot::LEVEL_TOT,
            slot::LEVEL_KHA,
            slot::LEVEL_TRUNG_BINH,
            slot::LEVEL_KEM,
            slot::TASKS_DUE_REVIEW,
            slot::TASKS_REVIEWED,
            slot::TOPICS,
            slot::COURSES,
            slot::TRAINEES,
            slot::ADMITTED,
            slot::BADGES,
            slot::CADRES,
            slot::CADRE_TASKS,
            slot::CADRE_TASKS_DONE,
            slot::CELLS_GOOD,
            slot::CELLS_RATED,
            slot::MEMBERS_GOOD,
            slot::MEMBERS_RATED,
            slot::UNTASKED_MEETINGS,
            slot::COPIED_MINUTES,
            slot::AGENCY_SHORT,
            slot::UNFOLLOWED_MEETINGS,
        ];
        all.sort_unstable();
        assert_eq!(all.to_vec(), (0..SLOTS).collect::<Vec<_>>());
    }
}
