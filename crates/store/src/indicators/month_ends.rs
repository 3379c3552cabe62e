//! Counts read from the month-end counts (`crate::rollups::ends`): the root's row for the whole
//! subtree; by child, each child's row and the root's own, keyed by their paths on the day.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::{Grouping, Groups, Scope, Sql};

/// Adds the columns `counts` (a column of `unit_ends` and the slot it lands in) of month
/// `month`, whose last day is `day`, to the groups of the scope. The root counts under the
/// path it had on `day`; if it did not stand then, there is nothing to count.
pub(super) async fn read(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
    month: &str,
    day: NaiveDate,
    counts: &[(&str, usize)],
) -> Result<(), DbErr> {
    let Some(root) = s.path_on(day) else {
        return Ok(());
    };
    let mut sql = Sql::default();
    let (month, root) = (sql.bind(month.to_string()), sql.bind(root.to_string()));
    let (key, rows) = match s.grouping {
        Grouping::Whole => ("''", format!("path = {root} AND own = 0")),
        _ => (
            "path",
            format!("(parent_path = {root} AND own = 0) OR (path = {root} AND own = 1)"),
        ),
    };
    let columns: Vec<&str> = counts.iter().map(|(c, _)| *c).collect();
    let slots: Vec<usize> = counts.iter().map(|(_, s)| *s).collect();
    let text = format!(
        "SELECT {key}, {} FROM unit_ends WHERE month = {month} AND ({rows})",
        columns.join(", ")
    );
    s.add(db, g, sql, &text, &slots).await
}
