//! The cell-months of a period of whole kept months counted without grouping every row by
//! cell. A cell none of whose rows under the root begins or ends a stay inside the period
//! (`crate::rollups::stays`) lay under one path every month of it: it is counted from its rows
//! of the period's last and first months, whose running counts of the months and quarters it
//! missed (`crate::rollups::mark_runs`) differ by what it missed in the period, however many
//! months that is (the nation's 229,500 cells: two rows each, three when the period begins in a
//! quarter's second month). Only the cells with a marked row, few, are grouped row by row as
//! before (`queries::cell_month_counts`).
//! The two statements together give the same counts as that grouping over every cell
//! (`crates/app/tests/rollups.rs` holds them to it).

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::queries::{CELL_MONTH_SLOTS, cell_month_counts, month_spans};
use super::{Grouping, Groups, Scope, Sql};
use crate::rollups::{month_days, month_of};

/// The months of the period counted this way: every month expected in it is whole and kept,
/// and the root stood under one path all through it (so a row's place depends on its path
/// alone). `None` otherwise, and for the lines by month.
pub(super) fn kept_months(s: &Scope<'_>) -> Option<Vec<(NaiveDate, NaiveDate, i32)>> {
    if s.grouping == Grouping::ByMonth {
        return None;
    }
    let spans: Vec<_> = month_spans(s.from, s.to)
        .into_iter()
        .filter(|(_, last, _)| *last < s.today)
        .collect();
    let (first, last) = (spans.first()?.0, spans.last()?.1);
    let [root] = s.versions.as_slice() else {
        return None;
    };
    if root.valid_from > first || root.valid_to.is_some_and(|t| t <= last) {
        return None;
    }
    let whole_and_kept = spans.iter().all(|(f, l, _)| {
        let month = month_of(*f);
        month_days(&month) == Some((*f, *l)) && s.built.contains(&month)
    });
    whole_and_kept.then_some(spans)
}

/// The six cell-month counts (`CELL_MONTH_SLOTS`) over `spans` ([`kept_months`]), by group.
pub(super) async fn cell_months(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
    spans: &[(NaiveDate, NaiveDate, i32)],
) -> Result<(), DbErr> {
    let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
        return Ok(());
    };
    let (from, to, end) = (month_of(first.0), month_of(last.0), last.1);
    let mut quarters: Vec<i32> = month_spans(s.from, s.to).iter().map(|m| m.2).collect();
    quarters.dedup();

    // The marked cells, row by row.
    let mut sql = Sql::default();
    let moved = moved_cte(s, &mut sql, &from, &to, end);
    let months: Vec<String> = spans
        .iter()
        .map(|(f, l, q)| {
            format!(
                "SELECT {} AS month, {} AS start_on, {} AS end_on, {} AS q",
                sql.bind(month_of(*f)),
                sql.bind(*f),
                sql.bind(*l),
                sql.bind(*q)
            )
        })
        .collect();
    let under = s.under(&mut sql, "c.path", "mk.end_on");
    let key = s.key(&mut sql, "c.path", "mk.end_on");
    let cte = format!(
        "WITH mk AS ({months}), {moved}, cm AS (\
           SELECT {key} AS k, c.cell_id AS cell, mk.start_on AS start_on, mk.q AS q, \
             c.regular AS regular, c.thematic AS thematic \
           FROM moved JOIN cell_months c ON c.cell_id = moved.cell_id \
           JOIN mk ON mk.month = c.month WHERE {under})",
        months = months.join(" UNION ALL "),
    );
    let text = cell_month_counts(&cte, &quarters);
    s.add(db, g, sql, &text, &CELL_MONTH_SLOTS).await?;

    // The cells that stayed put: what they missed is the difference of the running counts
    // (`crate::rollups::mark_runs`) of their rows of the period's last and first months.
    let any_quarter = quarters
        .iter()
        .any(|q| spans.iter().filter(|m| m.2 == *q).count() == 3);
    let mut sql = Sql::default();
    let moved = moved_cte(s, &mut sql, &from, &to, end);
    let day = sql.bind(end);
    let under = s.under(&mut sql, "c.path", &day);
    let key = s.key(&mut sql, "c.path", &day);
    // The quarters that end after the base row and by the last month are the whole ones: the
    // base is the first month's row, or, when the first month is a quarter's second, the
    // quarter's last (its quarter began before the period).
    let base = quarter_base(&from);
    let (from_at, to_at) = (sql.bind(from), sql.bind(to));
    let (quarters_missed, base_join) = match base {
        _ if !any_quarter => ("0".to_string(), String::new()),
        None => ("c.quarters_run - f.quarters_run".to_string(), String::new()),
        Some(base) => (
            "c.quarters_run - b.quarters_run".to_string(),
            format!(
                " JOIN cell_months b ON b.cell_id = c.cell_id AND b.month = {}",
                sql.bind(base)
            ),
        ),
    };
    // Computed numbers, written in the statement rather than bound.
    let n = spans.len();
    let quarter_counted = i32::from(any_quarter);
    let big = |e: &str| format!("CAST({e} AS BIGINT)");
    let text = format!(
        "WITH {moved}, \
         stayed AS (SELECT {key} AS k, \
             c.missed_run - f.missed_run + 1 - f.regular AS n, {quarters_missed} AS q \
           FROM cell_months c JOIN cell_months f ON f.cell_id = c.cell_id AND f.month = {from_at}\
           {base_join} WHERE c.month = {to_at} AND {under} \
           AND c.cell_id NOT IN (SELECT moved.cell_id FROM moved)) \
         SELECT k, {met}, {months}, {every}, {cells}, {every_quarter}, {with_quarter} \
         FROM stayed GROUP BY k",
        met = big(&format!("{n} * COUNT(*) - SUM(n)")),
        months = big(&format!("{n} * COUNT(*)")),
        every = big("COUNT(*) - SUM(CASE WHEN n > 0 THEN 1 ELSE 0 END)"),
        cells = big("COUNT(*)"),
        every_quarter = big(&format!(
            "{quarter_counted} * (COUNT(*) - SUM(CASE WHEN q > 0 THEN 1 ELSE 0 END))"
        )),
        with_quarter = big(&format!("{quarter_counted} * COUNT(*)")),
    );
    s.add(db, g, sql, &text, &CELL_MONTH_SLOTS).await
}

/// The month whose row's quarter count the quarters missed in a period beginning in month
/// `first` are counted from, when it is not `first`'s own: the last of `first`'s quarter when
/// `first` is a quarter's second month (when it is the quarter's first, its row counts no
/// quarter yet; when the last, the quarter is not whole and its row counts it already).
fn quarter_base(first: &str) -> Option<String> {
    let [_, second, last] = crate::rollups::quarter_months(first)?;
    (second == first).then_some(last)
}

/// `moved(cell_id)`: the cells with a row under the root between months `from` and `to` that
/// begins a stay after `from` or ends one before `to` (`day`, the period's last day, places
/// the paths: the root stood under one path all through).
fn moved_cte(s: &Scope<'_>, sql: &mut Sql, from: &str, to: &str, day: NaiveDate) -> String {
    let day = sql.bind(day);
    let under = s.under(sql, "c.path", &day);
    let (from, to) = (sql.bind(from.to_string()), sql.bind(to.to_string()));
    format!(
        "moved AS (SELECT c.cell_id FROM cell_months c WHERE c.stay_starts = 1 \
           AND c.month > {from} AND c.month <= {to} AND {under} \
         UNION SELECT c.cell_id FROM cell_months c WHERE c.stay_ends = 1 \
           AND c.month >= {from} AND c.month < {to} AND {under})"
    )
}
