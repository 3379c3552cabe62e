//! The running counts of a cell's kept cell-months: on each row, how many of the cell's rows up
//! to and including its month missed the regular meeting (`missed_run`) and how many missed a
//! quarter's thematic meeting (`quarters_run`, the sum of `quarter_missed`). A cell that stayed
//! under one path through a period has a row every month of it, so what it missed in the period
//! is the difference of its rows' counts (`crate::indicators`): the nation's cells that stayed
//! are counted from two or three rows each, however many months they missed.
//!
//! Only the difference between two rows of one stay is ever read, so a row's count needs only
//! to follow its row of the month before, when there is one: where the counts start, and what
//! a cell's rows after a month without a row say, claims nothing. Every write that changes a
//! row's flags or adds rows counts its rows again ([`count_month`], [`mark_runs`]).

use sea_orm::{ConnectionTrait, DbErr};

use super::stays::{Cells, month_beside};
use crate::sql::Sql;

/// What a row `c` adds to each running count.
const OWN_MISSED: &str = "(1 - c.regular)";
const OWN_QUARTERS: &str = "c.quarter_missed";

/// Counts again every row of `cells` from the cell's first (`Cells::Below`: the cells with a
/// row below the prefix from month `from` on). One statement, a window sum over their rows.
pub async fn mark_runs(
    db: &impl ConnectionTrait,
    from: &str,
    cells: Cells<'_>,
) -> Result<(), DbErr> {
    let mut sql = Sql::default();
    let which = match cells {
        Cells::All => "1 = 1".to_string(),
        Cells::Below(prefix) => format!(
            "c.cell_id IN (SELECT r.cell_id FROM cell_months r WHERE r.path LIKE {} \
             AND r.month >= {})",
            sql.bind(format!("{prefix}%")),
            sql.bind(from.to_string())
        ),
        Cells::One(cell) => format!("c.cell_id = {}", sql.bind(cell)),
    };
    let running = |own: &str| format!("SUM({own}) OVER (PARTITION BY c.cell_id ORDER BY c.month)");
    let text = format!(
        "UPDATE cell_months SET missed_run = w.m, quarters_run = w.q FROM (\
           SELECT c.id AS id, {m} AS m, {q} AS q FROM cell_months c WHERE {which}) w \
         WHERE cell_months.id = w.id",
        m = running(OWN_MISSED),
        q = running(OWN_QUARTERS),
    );
    db.execute_raw(sql.statement(db.get_database_backend(), &text))
        .await?;
    Ok(())
}

/// Counts the rows of month `month` (`YYYY-MM`), just built, on from their rows of the month
/// before (from 0 where there is none), then moves each cell's later rows, if any (a month
/// built after the months that follow it), by what its row of the month after is off. Two
/// statements, whichever month.
pub async fn count_month(db: &impl ConnectionTrait, month: &str) -> Result<(), DbErr> {
    let (Some(before), Some(after)) = (month_beside(month, -1), month_beside(month, 1)) else {
        return Ok(());
    };
    let backend = db.get_database_backend();
    let mut sql = Sql::default();
    let (at, before) = (sql.bind(month.to_string()), sql.bind(before));
    // A join rather than a lookup per row: PostgreSQL hashes the month before once.
    let text = format!(
        "UPDATE cell_months SET missed_run = w.m, quarters_run = w.q FROM (\
           SELECT c.id AS id, {OWN_MISSED} + COALESCE(b.missed_run, 0) AS m, \
             {OWN_QUARTERS} + COALESCE(b.quarters_run, 0) AS q \
           FROM cell_months c LEFT JOIN cell_months b \
             ON b.cell_id = c.cell_id AND b.month = {before} \
           WHERE c.month = {at}) w \
         WHERE cell_months.id = w.id"
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    // Every later row of a cell moves by one amount, so what they say of one another stays.
    let mut sql = Sql::default();
    let (at, after) = (sql.bind(month.to_string()), sql.bind(after));
    let text = format!(
        "UPDATE cell_months SET missed_run = missed_run + d.m, quarters_run = quarters_run + d.q \
         FROM (SELECT n.cell_id AS cell, \
             b.missed_run + (1 - n.regular) - n.missed_run AS m, \
             b.quarters_run + n.quarter_missed - n.quarters_run AS q \
           FROM cell_months b JOIN cell_months n ON n.cell_id = b.cell_id AND n.month = {after} \
           WHERE b.month = {at}) d \
         WHERE cell_months.cell_id = d.cell AND cell_months.month > {at} \
         AND (d.m <> 0 OR d.q <> 0)"
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    Ok(())
}
