//! The roll-ups after a change to the tree: the region it touched is built again from the
//! change's month, and the units above the region move by what the region's own rows moved.

use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr};

use super::{
    Cells, Meetings, built_months, contribute, insert_cell_months, lock, mark_quarters, mark_stays,
    month_of, sum_columns,
};
use crate::sql::Sql;

/// The tree changed at and below `prefix` from day `from` on (units moved, merged, split,
/// dissolved, made, or changed kind): the rows of the region are built again from that month
/// on, for the months built, and the units above it move by what the region's own rows moved
/// (a cell dissolved back in time takes its later meetings out of every unit above it).
/// `prefix` must hold every place a moved unit was and is (the lowest unit above both). A
/// handful of statements, two more per level above the region.
pub async fn tree_changed(
    db: &impl ConnectionTrait,
    prefix: &str,
    from: NaiveDate,
) -> Result<(), DbErr> {
    // Held already when the transaction came from `restructure_tx` (the lock is re-entrant).
    lock(db, true).await?;
    let backend = db.get_database_backend();
    let first = from.with_day(1).expect("the first of a month");
    let months: Vec<String> = built_months(db)
        .await?
        .into_iter()
        .filter(|m| m.as_str() >= month_of(first).as_str())
        .collect();
    if months.is_empty() {
        return Ok(());
    }
    shift_ancestors(db, prefix, &month_of(first), -1).await?;
    for table in ["unit_months", "cell_months"] {
        let mut sql = Sql::default();
        let text = format!(
            "DELETE FROM {table} WHERE path LIKE {} AND month >= {}",
            sql.bind(format!("{prefix}%")),
            sql.bind(month_of(first))
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
    }
    contribute(
        db,
        Meetings::Region {
            prefix,
            from: first,
        },
        1,
    )
    .await?;
    insert_cell_months(db, &months, Some(prefix)).await?;
    // The region's rows were written again: their stays, and those of the month before,
    // whose rows may have lost the neighbour they were marked with.
    mark_stays(db, &months, Some(prefix)).await?;
    mark_quarters(db, &months, Cells::Below(prefix)).await?;
    super::mark_runs(db, &month_of(first), Cells::Below(prefix)).await?;
    shift_ancestors(db, prefix, &month_of(first), 1).await?;
    Ok(())
}

/// Adds (`sign` 1) or takes out (-1) the rows of `prefix` from month `from` on to those of
/// every unit above it: one statement per level.
async fn shift_ancestors(
    db: &impl ConnectionTrait,
    prefix: &str,
    from: &str,
    sign: i64,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let columns: Vec<&str> = sum_columns().collect();
    let values: Vec<String> = columns.iter().map(|c| format!("{sign} * {c}")).collect();
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = unit_months.{c} + excluded.{c}"))
        .collect();
    for (above, parent) in ancestors_of(prefix) {
        let mut sql = Sql::default();
        let text = format!(
            "INSERT INTO unit_months (path, parent_path, month, {columns}, latest) \
             SELECT {above}, {parent}, month, {values}, {latest} FROM unit_months \
             WHERE path = {prefix} AND month >= {from} \
             ON CONFLICT (path, month) DO UPDATE SET {set}, \
               latest = CASE WHEN excluded.latest IS NOT NULL AND (unit_months.latest IS NULL \
                 OR excluded.latest > unit_months.latest) THEN excluded.latest \
                 ELSE unit_months.latest END",
            columns = columns.join(", "),
            above = sql.bind(above.to_string()),
            parent = sql.bind(parent.to_string()),
            values = values.join(", "),
            latest = if sign > 0 {
                "latest"
            } else {
                "CAST(NULL AS DATE)"
            },
            prefix = sql.bind(prefix.to_string()),
            from = sql.bind(from.to_string()),
            set = set.join(", "),
        );
        db.execute_raw(sql.statement(backend, &text)).await?;
    }
    Ok(())
}

/// The paths strictly above `path`, each with its own parent path (`''` for the root).
fn ancestors_of(path: &str) -> Vec<(&str, &str)> {
    let cuts: Vec<usize> = path
        .char_indices()
        .filter(|(i, c)| *c == '/' && *i > 0)
        .map(|(i, _)| i + 1)
        .collect();
    let mut out = Vec::new();
    let mut parent = "";
    for end in cuts.iter().copied().filter(|e| *e < path.len()) {
        out.push((&path[..end], parent));
        parent = &path[..end];
    }
    out
}

/// The lowest common ancestor of two paths (`/1/5/` of `/1/5/17/` and `/1/5/20/3/`).
pub fn common_prefix(a: &str, b: &str) -> String {
    let mut end = 0;
    for (i, (x, y)) in a.bytes().zip(b.bytes()).enumerate() {
        if x != y {
            break;
        }
        if x == b'/' {
            end = i + 1;
        }
    }
    a[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_units_above_a_path_know_their_parents() {
        assert_eq!(
            ancestors_of("/1/5/17/"),
            vec![("/1/", ""), ("/1/5/", "/1/")]
        );
        assert!(ancestors_of("/1/").is_empty());
    }

    #[test]
    fn the_common_prefix_ends_at_a_unit() {
        assert_eq!(common_prefix("/1/5/17/", "/1/5/20/3/"), "/1/5/");
        assert_eq!(common_prefix("/1/5/17/", "/1/5/170/"), "/1/5/");
        assert_eq!(common_prefix("/1/5/", "/1/5/9/"), "/1/5/");
        assert_eq!(common_prefix("/1/", "/2/"), "/");
    }
}
