//! The cell-months of a period of whole kept months counted without grouping every row by
//! cell. A cell none of whose rows under the root begins or ends a stay inside the period
//! (`crate::rollups::stays`) lay under one path every month of it: it is counted from its row
//! of the period's last month, its missed months (a partial index: a few hundred a month at a
//! province) and the whole quarters in which it held no thematic meeting (another, on the
//! rows of the quarters' last months: `quarter_missed`, some 2,900 a quarter at the generated
//! province). Only the cells with a marked row, few, are grouped row by row as before
//! (`queries::cell_month_counts`).
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

    // The cells that stayed put, from their last month's row.
    let whole: Vec<i32> = quarters
        .iter()
        .copied()
        .filter(|q| spans.iter().filter(|m| m.2 == *q).count() == 3)
        .collect();
    let mut sql = Sql::default();
    let moved = moved_cte(s, &mut sql, &from, &to, end);
    let day = sql.bind(end);
    let under = s.under(&mut sql, "c.path", &day);
    let key = s.key(&mut sql, "c.path", &day);
    let (from, to) = (sql.bind(from), sql.bind(to));
    // The last month of each whole quarter: its row says whether the cell missed it.
    let quarter_ends: Vec<String> = whole
        .iter()
        .filter_map(|q| spans.iter().rev().find(|m| m.2 == *q))
        .map(|(f, _, _)| sql.bind(month_of(*f)))
        .collect();
    let quarters_missed = if quarter_ends.is_empty() {
        String::new()
    } else {
        format!(
            " UNION ALL SELECT c.cell_id AS cell, 0 AS m, 1 AS q FROM cell_months c \
             WHERE c.quarter_missed = 1 AND c.month IN ({}) AND {under}",
            quarter_ends.join(", ")
        )
    };
    // Computed numbers, written in the statement rather than bound.
    let (n, any_quarter) = (spans.len(), i32::from(!whole.is_empty()));
    let big = |e: &str| format!("CAST({e} AS BIGINT)");
    // The months and the quarters missed, in one table joined once: SQLite 3.51 plans a
    // second outer join of a small grouped table as a scan of it for every cell.
    let text = format!(
        "WITH {moved}, \
         stayed AS (SELECT {key} AS k, c.cell_id AS cell FROM cell_months c \
           WHERE c.month = {to} AND {under} \
           AND c.cell_id NOT IN (SELECT moved.cell_id FROM moved)), \
         missed AS (SELECT x.cell AS cell, SUM(x.m) AS n, MAX(x.q) AS q FROM (\
           SELECT c.cell_id AS cell, 1 AS m, 0 AS q FROM cell_months c \
           WHERE c.regular = 0 AND c.month >= {from} AND c.month <= {to} AND {under}\
           {quarters_missed}) x GROUP BY x.cell) \
         SELECT stayed.k, {met}, {months}, {every}, {cells}, {every_quarter}, {with_quarter} \
         FROM stayed LEFT JOIN missed ON missed.cell = stayed.cell GROUP BY stayed.k",
        met = big(&format!("{n} * COUNT(*) - COALESCE(SUM(missed.n), 0)")),
        months = big(&format!("{n} * COUNT(*)")),
        every = big("COUNT(*) - SUM(CASE WHEN missed.n > 0 THEN 1 ELSE 0 END)"),
        cells = big("COUNT(*)"),
        every_quarter = big(&format!(
            "{any_quarter} * (COUNT(*) - COALESCE(SUM(missed.q), 0))"
        )),
        with_quarter = big(&format!("{any_quarter} * COUNT(*)")),
    );
    s.add(db, g, sql, &text, &CELL_MONTH_SLOTS).await
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
