//! Set-based rewrites of a subtree, for moving, merging, splitting and dissolving units: a few
//! `UPDATE … WHERE path LIKE 'prefix%'` and `INSERT … SELECT` statements, whatever the size of
//! the subtree (a commune moved with its 300 cells and 8,000 members is still five statements).
//! The checks and the decision to restructure belong to the application; this module only
//! rewrites rows.

use chibo_domain::org::path_ids;
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr};

use crate::entities::{member, member_unit, position, unit, unit_version};
use crate::path_prefix;

/// `new_prefix || substr(column, len(old_prefix) + 1)`: a path below `old_prefix` re-rooted
/// under `new_prefix` (paths are ASCII digits and slashes, so characters are bytes).
fn rerooted(column: impl ColumnTrait, old_prefix: &str, new_prefix: &str) -> Expr {
    let rest_from = i32::try_from(old_prefix.len() + 1).unwrap_or(i32::MAX);
    Expr::val(new_prefix).binary(
        BinOper::Custom("||"),
        Func::cust("substr")
            .arg(Expr::col(column.as_column_ref()))
            .arg(rest_from),
    )
}

/// Re-roots every unit and member path below `old_prefix` (the unit itself included) under
/// `new_prefix`, and shifts the units' depths: two statements. Returns the units re-rooted.
pub async fn reroot(
    db: &impl ConnectionTrait,
    old_prefix: &str,
    new_prefix: &str,
) -> Result<u64, DbErr> {
    let shift = path_ids(new_prefix).len() as i32 - path_ids(old_prefix).len() as i32;
    let units = Query::update()
        .table(unit::Entity)
        .value(
            unit::Column::Path,
            rerooted(unit::Column::Path, old_prefix, new_prefix),
        )
        .value(
            unit::Column::Depth,
            Expr::col(unit::Column::Depth).add(shift),
        )
        .and_where(unit::Column::Path.like(path_prefix(old_prefix)))
        .to_owned();
    let moved = db.execute(&units).await?.rows_affected();
    let members = Query::update()
        .table(member::Entity)
        .value(
            member::Column::UnitPath,
            rerooted(member::Column::UnitPath, old_prefix, new_prefix),
        )
        .and_where(member::Column::UnitPath.like(path_prefix(old_prefix)))
        .to_owned();
    db.execute(&members).await?;
    Ok(moved)
}

/// The live (not dissolved) units of the subtree at `prefix`, as a subquery of ids.
fn live_units_under(prefix: &str) -> SelectStatement {
    Query::select()
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(unit::Column::Path.like(path_prefix(prefix)))
        .and_where(unit::Column::DissolvedOn.is_null())
        .to_owned()
}

/// Ends the open version of every live unit of the subtree at `prefix` on `date` and opens one
/// from the unit as it is now (after a move re-rooted it). A version opened that same day is
/// replaced: the state it recorded never held.
pub async fn open_versions_under(
    db: &impl ConnectionTrait,
    prefix: &str,
    date: NaiveDate,
) -> Result<(), DbErr> {
    let open_of_subtree = || {
        Condition::all()
            .add(unit_version::Column::ValidTo.is_null())
            .add(unit_version::Column::UnitId.in_subquery(live_units_under(prefix)))
    };
    let same_day = Query::delete()
        .from_table(unit_version::Entity)
        .cond_where(open_of_subtree())
        .and_where(unit_version::Column::ValidFrom.eq(date))
        .to_owned();
    db.execute(&same_day).await?;
    let close = Query::update()
        .table(unit_version::Entity)
        .value(unit_version::Column::ValidTo, date)
        .cond_where(open_of_subtree())
        .to_owned();
    db.execute(&close).await?;
    let open = Query::insert()
        .into_table(unit_version::Entity)
        .columns([
            unit_version::Column::UnitId,
            unit_version::Column::ParentId,
            unit_version::Column::Path,
            unit_version::Column::Name,
            unit_version::Column::Kind,
            unit_version::Column::CellType,
            unit_version::Column::ValidFrom,
        ])
        .select_from(
            Query::select()
                .columns([
                    unit::Column::Id,
                    unit::Column::ParentId,
                    unit::Column::Path,
                    unit::Column::Name,
                    unit::Column::Kind,
                    unit::Column::CellType,
                ])
                .expr(Expr::val(date))
                .from(unit::Entity)
                .and_where(unit::Column::Path.like(path_prefix(prefix)))
                .and_where(unit::Column::DissolvedOn.is_null())
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&open).await?;
    Ok(())
}

/// Ends, on `date`, every position still open then that matches `which` (a condition on
/// `positions` columns).
pub async fn end_positions_where(
    db: &impl ConnectionTrait,
    which: Condition,
    date: NaiveDate,
) -> Result<u64, DbErr> {
    let end = Query::update()
        .table(position::Entity)
        .value(position::Column::TermTo, date)
        .cond_where(which)
        .cond_where(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(date)),
        )
        .to_owned();
    Ok(db.execute(&end).await?.rows_affected())
}

/// Moves the members matching `movers` (a condition on `members` columns) to unit `to` on
/// `date`: their open roll rows end (a row opened on or after `date` never held and goes),
/// a home roll row in `to` opens with `reason`, their positions end, and their unit and path
/// become `to`'s. Five statements for any number of members. Returns how many moved.
pub async fn move_members(
    db: &impl ConnectionTrait,
    movers: Condition,
    to: &unit::Model,
    date: NaiveDate,
    reason: &str,
) -> Result<u64, DbErr> {
    let mover_ids = || {
        Query::select()
            .column(member::Column::Id)
            .from(member::Entity)
            .cond_where(movers.clone())
            .to_owned()
    };
    let open_rolls = || {
        Condition::all()
            .add(member_unit::Column::ValidTo.is_null())
            .add(member_unit::Column::MemberId.in_subquery(mover_ids()))
    };
    let never_held = Query::delete()
        .from_table(member_unit::Entity)
        .cond_where(open_rolls())
        .and_where(member_unit::Column::ValidFrom.gte(date))
        .to_owned();
    db.execute(&never_held).await?;
    let close = Query::update()
        .table(member_unit::Entity)
        .value(member_unit::Column::ValidTo, date)
        .cond_where(open_rolls())
        .to_owned();
    db.execute(&close).await?;
    let open = Query::insert()
        .into_table(member_unit::Entity)
        .columns([
            member_unit::Column::MemberId,
            member_unit::Column::UnitId,
            member_unit::Column::ValidFrom,
            member_unit::Column::Reason,
        ])
        .select_from(
            Query::select()
                .column(member::Column::Id)
                .expr(Expr::val(to.id))
                .expr(Expr::val(date))
                .expr(Expr::val(reason))
                .from(member::Entity)
                .cond_where(movers.clone())
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&open).await?;
    end_positions_where(
        db,
        Condition::all().add(position::Column::MemberId.in_subquery(mover_ids())),
        date,
    )
    .await?;
    let rehome = Query::update()
        .table(member::Entity)
        .value(member::Column::UnitId, to.id)
        .value(member::Column::UnitPath, to.path.as_str())
        .value(member::Column::UpdatedAt, Utc::now())
        .cond_where(movers)
        .to_owned();
    Ok(db.execute(&rehome).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    /// The re-rooting expression keeps the rest of the path after the old prefix, on both
    /// backends (a placeholder left in the SQL would bind nothing).
    #[test]
    fn a_path_is_rerooted_by_its_rest() {
        let q = Query::update()
            .table(member::Entity)
            .value(
                member::Column::UnitPath,
                rerooted(member::Column::UnitPath, "/1/2/", "/1/"),
            )
            .to_owned();
        assert_eq!(
            q.to_string(SqliteQueryBuilder),
            r#"UPDATE "members" SET "unit_path" = '/1/' || substr("members"."unit_path", 6)"#
        );
        assert_eq!(
            q.to_string(PostgresQueryBuilder),
            r#"UPDATE "members" SET "unit_path" = '/1/' || substr("members"."unit_path", 6)"#
        );
    }
}
