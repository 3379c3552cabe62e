//! The marks of a cell's stays among the kept cell-months: a row whose cell has no row with
//! the same path the month before begins a stay (`stay_starts`), one with none the month after
//! ends one (`stay_ends`). Over a period of kept months, a cell none of whose rows under the
//! root begins or ends a stay inside it lay under one path every month, so its counts follow
//! from its rows of the period's first and last months (`super::runs`, `crate::indicators`);
//! only the marked cells are grouped row by row.
//!
//! A mark of 1 claims nothing, so a row marked 1 that could be 0 costs time, never a wrong
//! count; a 0 claims a neighbour, so every write that adds, removes or moves cell-month rows
//! marks the rows of its months and of the months on either side again ([`mark_stays`]).
//!
//! The row of a quarter's last month also says whether the cell held no thematic meeting in
//! any of the quarter's three months (`quarter_missed`, [`mark_quarters`], after every write
//! of a quarter's rows), which the running count of quarters missed adds up.

use chrono::{Datelike, Months};
use sea_orm::{ConnectionTrait, DbErr};

use super::{month_days, month_of};
use crate::sql::Sql;

/// The month before (`-1`) or after (`1`) month `month` (`YYYY-MM`).
pub(super) fn month_beside(month: &str, step: i32) -> Option<String> {
    let (first, _) = month_days(month)?;
    let d = if step < 0 {
        first.checked_sub_months(Months::new(1))?
    } else {
        first.checked_add_months(Months::new(1))?
    };
    Some(month_of(d))
}

/// Marks again the stays of the rows of `months` (below `prefix`, or all) and of the months
/// on either side of them: one statement a month, each row looking for its neighbours by the
/// cell's index.
pub async fn mark_stays(
    db: &impl ConnectionTrait,
    months: &[String],
    prefix: Option<&str>,
) -> Result<(), DbErr> {
    let mut all: Vec<String> = months
        .iter()
        .flat_map(|m| [month_beside(m, -1), Some(m.clone()), month_beside(m, 1)])
        .flatten()
        .collect();
    all.sort();
    all.dedup();
    let backend = db.get_database_backend();
    for month in &all {
        let (Some(before), Some(after)) = (month_beside(month, -1), month_beside(month, 1)) else {
            continue;
        };
        let mut sql = Sql::default();
        let beside = |sql: &mut Sql, other: String| {
            format!(
                "CASE WHEN EXISTS (SELECT 1 FROM cell_months o WHERE o.cell_id = cell_months.cell_id \
                 AND o.month = {} AND o.path = cell_months.path) THEN 0 ELSE 1 END",
                sql.bind(other)
            )
        };
        let starts = beside(&mut sql, before.clone());
        let ends = beside(&mut sql, after.clone());
        // The cells with a row in the region this month or beside it, not the rows whose path
        // is in it: a row written again may have come into the region from outside it.
        let region = prefix
            .map(|p| {
                format!(
                    " AND cell_id IN (SELECT r.cell_id FROM cell_months r WHERE r.path LIKE {} \
                     AND r.month >= {} AND r.month <= {})",
                    sql.bind(format!("{p}%")),
                    sql.bind(before),
                    sql.bind(after)
                )
            })
            .unwrap_or_default();
        let text = format!(
            "UPDATE cell_months SET stay_starts = {starts}, stay_ends = {ends} \
             WHERE month = {}{region}",
            sql.bind(month.clone())
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
    }
    Ok(())
}

/// The three months of the quarter of month `month` (`YYYY-MM`), its last month last.
pub(crate) fn quarter_months(month: &str) -> Option<[String; 3]> {
    let (first, _) = month_days(month)?;
    let start = first.with_month0(first.month0() / 3 * 3)?;
    let at = |n: u32| start.checked_add_months(Months::new(n)).map(month_of);
    Some([at(0)?, at(1)?, at(2)?])
}

/// Which cells' quarters [`mark_quarters`] marks again.
pub enum Cells<'a> {
    /// Every cell.
    All,
    /// The cells with a row below this path prefix in the quarter.
    Below(&'a str),
    /// One cell.
    One(i64),
}

/// Marks again `quarter_missed` on the rows of the last month of the quarters of `months`:
/// 1 when none of the cell's rows of the quarter's three months holds a thematic meeting, 0
/// otherwise (and on the rows of every other month). One statement a quarter.
pub async fn mark_quarters(
    db: &impl ConnectionTrait,
    months: &[String],
    cells: Cells<'_>,
) -> Result<(), DbErr> {
    let mut quarters: Vec<[String; 3]> = months.iter().filter_map(|m| quarter_months(m)).collect();
    quarters.sort();
    quarters.dedup();
    let backend = db.get_database_backend();
    for [first, second, last] in quarters {
        let mut sql = Sql::default();
        let (m1, m2, m3) = (
            sql.bind(first.clone()),
            sql.bind(second),
            sql.bind(last.clone()),
        );
        let which = match cells {
            Cells::All => String::new(),
            Cells::Below(prefix) => format!(
                " AND cell_id IN (SELECT r.cell_id FROM cell_months r WHERE r.path LIKE {} \
                 AND r.month >= {} AND r.month <= {})",
                sql.bind(format!("{prefix}%")),
                sql.bind(first),
                sql.bind(last.clone())
            ),
            Cells::One(cell) => format!(" AND cell_id = {}", sql.bind(cell)),
        };
        let text = format!(
            "UPDATE cell_months SET quarter_missed = CASE WHEN EXISTS (SELECT 1 FROM cell_months o \
               WHERE o.cell_id = cell_months.cell_id AND o.month IN ({m1}, {m2}, {m3}) \
               AND o.thematic = 1) THEN 0 ELSE 1 END \
             WHERE month = {m3}{which}"
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_knows_its_neighbours_across_a_year() {
        assert_eq!(month_beside("2026-01", -1).as_deref(), Some("2025-12"));
        assert_eq!(month_beside("2025-12", 1).as_deref(), Some("2026-01"));
        assert_eq!(month_beside("2026-13", 1), None);
    }

    #[test]
    fn a_month_knows_its_quarter() {
        let q = |m: &str| quarter_months(m).map(|q| q.join(" "));
        assert_eq!(q("2026-01").as_deref(), Some("2026-01 2026-02 2026-03"));
        assert_eq!(q("2026-05").as_deref(), Some("2026-04 2026-05 2026-06"));
        assert_eq!(q("2025-12").as_deref(), Some("2025-10 2025-11 2025-12"));
        assert_eq!(q("2026-13"), None);
    }
}
