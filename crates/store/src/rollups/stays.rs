//! The marks of a cell's stays among the kept cell-months: a row whose cell has no row with
//! the same path the month before begins a stay (`stay_starts`), one with none the month after
//! ends one (`stay_ends`). Over a period of kept months, a cell none of whose rows under the
//! root begins or ends a stay inside it lay under one path every month, so its counts follow
//! from its last month's row, its missed months and its thematic meetings
//! (`crate::indicators`); only the marked cells are grouped row by row.
//!
//! A mark of 1 claims nothing, so a row marked 1 that could be 0 costs time, never a wrong
//! count; a 0 claims a neighbour, so every write that adds, removes or moves cell-month rows
//! marks the rows of its months and of the months on either side again ([`mark_stays`]).

use chrono::Months;
use sea_orm::{ConnectionTrait, DbErr};

use super::{month_days, month_of};
use crate::sql::Sql;

/// The month before (`-1`) or after (`1`) month `month` (`YYYY-MM`).
fn month_beside(month: &str, step: i32) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_knows_its_neighbours_across_a_year() {
        assert_eq!(month_beside("2026-01", -1).as_deref(), Some("2025-12"));
        assert_eq!(month_beside("2025-12", 1).as_deref(), Some("2026-01"));
        assert_eq!(month_beside("2026-13", 1), None);
    }
}
