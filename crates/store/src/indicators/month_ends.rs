//! Counts read from the month-end counts (`crate::rollups::ends`): the root's rows for the
//! whole subtree; by child, each child's rows and the root's own, keyed by their paths.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::{Grouping, Groups, Scope, Sql};

/// Adds the columns `counts` (a column of `unit_ends` and the slot it lands in) of `months`
/// to the groups of the scope, the root's rows being those of the path it had on `day` (the
/// last day of the month read, or of a period over which the root kept one path). If the root
/// did not stand then, there is nothing to count.
pub(super) async fn read(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
    months: &[String],
    day: NaiveDate,
    counts: &[(&str, usize)],
) -> Result<(), DbErr> {
    read_rows(db, s, g, "unit_ends", months, day, counts, None).await
}

/// The officers on the last day of `month` (which ends the period) who completed a course
/// ending in the period, from `unit_end_trained`: those whose latest course by then ended on
/// or after the period's first day.
pub(super) async fn read_trained(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
    month: &str,
) -> Result<(), DbErr> {
    let counts = [("officers", super::queries::slot::OFFICERS_TRAINED)];
    let months = [month.to_string()];
    let since = Some(s.from);
    read_rows(db, s, g, "unit_end_trained", &months, s.to, &counts, since).await
}

/// [`read`] from `table`, of the rows whose `since` is on or after `since` when given.
#[allow(clippy::too_many_arguments)]
async fn read_rows(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
    table: &str,
    months: &[String],
    day: NaiveDate,
    counts: &[(&str, usize)],
    since: Option<NaiveDate>,
) -> Result<(), DbErr> {
    let Some(root) = s.path_on(day) else {
        return Ok(());
    };
    let mut sql = Sql::default();
    let root = sql.bind(root.to_string());
    let months: Vec<String> = months.iter().map(|m| sql.bind(m.clone())).collect();
    let months = months.join(", ");
    let since = since
        .map(|d| format!(" AND since >= {}", sql.bind(d)))
        .unwrap_or_default();
    let columns: Vec<&str> = counts.iter().map(|(c, _)| *c).collect();
    let rows = |which: &str| {
        format!(
            "SELECT path, {} FROM {table} WHERE month IN ({months}) AND {which}{since}",
            columns.join(", ")
        )
    };
    // By child, two reads each by its own index (an `OR` of both read every row of the
    // months: a province's 36,000 a month).
    let (key, rows) = match s.grouping {
        Grouping::Whole => ("''", rows(&format!("path = {root} AND own = 0"))),
        _ => (
            "path",
            format!(
                "{} UNION ALL {}",
                rows(&format!("parent_path = {root} AND own = 0")),
                rows(&format!("path = {root} AND own = 1"))
            ),
        ),
    };
    let sums: Vec<String> = columns
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect();
    let slots: Vec<usize> = counts.iter().map(|(_, s)| *s).collect();
    let text = format!(
        "SELECT {key}, {} FROM ({rows}) e GROUP BY 1",
        sums.join(", ")
    );
    s.add(db, g, sql, &text, &slots).await
}
