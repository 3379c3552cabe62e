//! The running counts of a cell's kept cell-months: on each row, how many of the cell's rows up
//! to and including its month missed the regular meeting (`missed_run`) and how many missed a
//! quarter's thematic meeting (`quarters_run`, the sum of `quarter_missed`). A cell that stayed
//! under one path through a period has a row every month of it, so what it missed in the period
//! is the difference of two of its rows' counts (`crate::indicators`): the nation's cells that
//! stayed are counted from two rows each, however many months they missed.
//!
//! Only the difference between two rows of one stay is ever read, so a count needs to follow
//! its row of the month before (when there is one) and nothing else: every write that changes a
//! row's flags or adds rows counts again the rows after it ([`mark_runs`]).

use sea_orm::{ConnectionTrait, DbErr};

use super::built_months;
use super::stays::{Cells, month_beside};
use crate::sql::Sql;

/// What a row `c` adds to each running count.
const OWN_MISSED: &str = "(1 - c.regular)";
const OWN_QUARTERS: &str = "c.quarter_missed";

/// Counts again the running counts of `cells` from month `from` (`YYYY-MM`) on. Every cell: a
/// statement per built month from `from` on, each row adding its own to its row of the month
/// before (a month's build, usually the last month: one statement). Some cells: one statement
/// that counts every row of theirs again from their first.
pub async fn mark_runs(
    db: &impl ConnectionTrait,
    from: &str,
    cells: Cells<'_>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let which = |sql: &mut Sql| match cells {
        Cells::All => None,
        Cells::Below(prefix) => Some(format!(
            "cell_id IN (SELECT r.cell_id FROM cell_months r WHERE r.path LIKE {} \
             AND r.month >= {})",
            sql.bind(format!("{prefix}%")),
            sql.bind(from.to_string())
        )),
        Cells::One(cell) => Some(format!("cell_id = {}", sql.bind(cell))),
    };
    let mut sql = Sql::default();
    if let Some(which) = which(&mut sql) {
        let text = format!(
            "UPDATE cell_months SET missed_run = w.m, quarters_run = w.q FROM (\
               SELECT c.id AS id, SUM({OWN_MISSED}) OVER (PARTITION BY c.cell_id ORDER BY c.month) AS m, \
                 SUM({OWN_QUARTERS}) OVER (PARTITION BY c.cell_id ORDER BY c.month) AS q \
               FROM cell_months c WHERE c.{which}) w \
             WHERE cell_months.id = w.id"
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
        return Ok(());
    }
    for month in built_months(db)
        .await?
        .iter()
        .filter(|m| m.as_str() >= from)
    {
        let Some(before) = month_beside(month, -1) else {
            continue;
        };
        let mut sql = Sql::default();
        let (month, before) = (sql.bind(month.clone()), sql.bind(before));
        // A join rather than a lookup per row: PostgreSQL hashes the month before once.
        let text = format!(
            "UPDATE cell_months SET missed_run = w.m, quarters_run = w.q FROM (\
               SELECT c.id AS id, {OWN_MISSED} + COALESCE(b.missed_run, 0) AS m, \
                 {OWN_QUARTERS} + COALESCE(b.quarters_run, 0) AS q \
               FROM cell_months c LEFT JOIN cell_months b \
                 ON b.cell_id = c.cell_id AND b.month = {before} \
               WHERE c.month = {month}) w \
             WHERE cell_months.id = w.id"
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
    }
    Ok(())
}
