//! The roll-ups' side of a stored meeting figure: its old sums out before it is written again,
//! its new ones in after, and its cell-months' flags, quarters and running counts marked again,
//! all in the transaction that stores it.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::runs::mark_runs;
use super::stays::{Cells, mark_quarters};
use super::{Meetings, REGULAR, THEMATIC, contribute, held_between, lock, month_days, month_of};
use crate::sql::Sql;

/// Stored figure `stat_id` is about to be written again: its sums come out of the roll-ups.
/// Call [`stat_changed`] after the write, in the same transaction.
pub async fn stat_changing(db: &impl ConnectionTrait, stat_id: i64) -> Result<(), DbErr> {
    lock(db, false).await?;
    contribute(db, Meetings::Stat(stat_id), -1).await?;
    Ok(())
}

/// Stored figure `stat_id` was written: its new sums go into the roll-ups, and `cell_months`
/// (its cell and day before and now) learn again whether a regular and a thematic meeting were
/// held, their quarters whether one was missed, and their cells' rows their running counts.
pub async fn stat_changed(
    db: &impl ConnectionTrait,
    stat_id: i64,
    cell_months: &[(i64, NaiveDate)],
) -> Result<(), DbErr> {
    contribute(db, Meetings::Stat(stat_id), 1).await?;
    let backend = db.get_database_backend();
    let mut cells: Vec<i64> = cell_months.iter().map(|(cell, _)| *cell).collect();
    cells.sort_unstable();
    cells.dedup();
    if backend == DbBackend::Postgres && !cells.is_empty() {
        // Two figures of one cell stored at once: the second waits here, and its updates then
        // see the first's meeting (READ COMMITTED reads anew per statement). Every row either
        // may write (a month's, its quarter's last, the running counts of every later one:
        // all the cell's) locked by one statement in one order for all, so that two figures
        // never wait on each other.
        let mut lock = Sql::default();
        let ids: Vec<String> = cells.iter().map(|c| lock.bind(*c)).collect();
        let text = format!(
            "SELECT id FROM cell_months WHERE cell_id IN ({}) ORDER BY cell_id, month FOR UPDATE",
            ids.join(", ")
        );
        db.query_all_raw(lock.statement(backend, &text)).await?;
    }
    for (cell_id, day) in cell_months {
        let Some((first, last)) = month_days(&month_of(*day)) else {
            continue;
        };
        let mut sql = Sql::default();
        let (cell, month) = (sql.bind(*cell_id), sql.bind(month_of(*day)));
        let (first, last) = (sql.bind(first), sql.bind(last));
        let held = |what: &str| held_between(&cell, what, &first, &last);
        let text = format!(
            "UPDATE cell_months SET regular = {}, thematic = {} \
             WHERE cell_id = {cell} AND month = {month}",
            held(REGULAR),
            held(THEMATIC)
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
        mark_quarters(db, &[month_of(*day)], Cells::One(*cell_id)).await?;
    }
    for cell in cells {
        // Every row of the cell counted again: the month matters only for many cells.
        mark_runs(db, "", Cells::One(cell)).await?;
    }
    Ok(())
}
