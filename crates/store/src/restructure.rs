//! Set-based rewrites of a subtree, for moving, merging, splitting and dissolving units: a few
//! `UPDATE … WHERE path LIKE 'prefix%'` and `INSERT … SELECT` statements, whatever the size of
//! the subtree (a commune moved with its 300 cells and 8,000 members is still five statements).
//! The checks and the decision to restructure belong to the application; this module only
//! rewrites rows.

use chibo_domain::member::RollKind;
use chibo_domain::org::path_ids;
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use crate::entities::{member, member_unit, position, unit, unit_event, unit_version};
use crate::meeting_stats::SheetsToMark;
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
    reroot_where(
        db,
        Condition::all().add(unit::Column::Path.like(path_prefix(old_prefix))),
        Condition::all().add(member::Column::UnitPath.like(path_prefix(old_prefix))),
        old_prefix,
        new_prefix,
    )
    .await
}

/// Re-roots the units meeting `units` and the members meeting `members` (all below
/// `old_prefix`) under `new_prefix`, shifting the units' depths.
async fn reroot_where(
    db: &impl ConnectionTrait,
    units: Condition,
    members: Condition,
    old_prefix: &str,
    new_prefix: &str,
) -> Result<u64, DbErr> {
    let shift = path_ids(new_prefix).len() as i32 - path_ids(old_prefix).len() as i32;
    let move_units = Query::update()
        .table(unit::Entity)
        .value(
            unit::Column::Path,
            rerooted(unit::Column::Path, old_prefix, new_prefix),
        )
        .value(
            unit::Column::Depth,
            Expr::col(unit::Column::Depth).add(shift),
        )
        .cond_where(units)
        .to_owned();
    let moved = db.execute(&move_units).await?.rows_affected();
    let move_members = Query::update()
        .table(member::Entity)
        .value(
            member::Column::UnitPath,
            rerooted(member::Column::UnitPath, old_prefix, new_prefix),
        )
        .cond_where(members)
        .to_owned();
    db.execute(&move_members).await?;
    Ok(moved)
}

/// Ends the open version of every live unit of the subtree at `prefix` on `date` and opens one
/// from the unit as it is now (after a move re-rooted it).
pub async fn open_versions_under(
    db: &impl ConnectionTrait,
    prefix: &str,
    date: NaiveDate,
) -> Result<(), DbErr> {
    reopen_versions(
        db,
        Condition::all().add(unit::Column::Path.like(path_prefix(prefix))),
        Expr::col(unit::Column::Path),
        date,
    )
    .await
}

/// Ends on `date` the open version of every live unit meeting `which` (a condition on `units`)
/// and opens one from the unit as it is now, with the path `path` (an expression over the
/// row). A version opened that same day is replaced: the state it recorded never held.
async fn reopen_versions(
    db: &impl ConnectionTrait,
    which: Condition,
    path: Expr,
    date: NaiveDate,
) -> Result<(), DbErr> {
    let live = Query::select()
        .column(unit::Column::Id)
        .from(unit::Entity)
        .cond_where(which.clone())
        .and_where(unit::Column::DissolvedOn.is_null())
        .to_owned();
    let open_of_live = || {
        Condition::all()
            .add(unit_version::Column::ValidTo.is_null())
            .add(unit_version::Column::UnitId.in_subquery(live.clone()))
    };
    let same_day = Query::delete()
        .from_table(unit_version::Entity)
        .cond_where(open_of_live())
        .and_where(unit_version::Column::ValidFrom.eq(date))
        .to_owned();
    db.execute(&same_day).await?;
    let close = Query::update()
        .table(unit_version::Entity)
        .value(unit_version::Column::ValidTo, date)
        .cond_where(open_of_live())
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
                .columns([unit::Column::Id, unit::Column::ParentId])
                .expr(path)
                .columns([
                    unit::Column::Name,
                    unit::Column::Kind,
                    unit::Column::CellType,
                ])
                .expr(Expr::val(date))
                .from(unit::Entity)
                .cond_where(which)
                .and_where(unit::Column::DissolvedOn.is_null())
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&open).await?;
    Ok(())
}

/// Moves the live sub-units of `from` (with everything below them) under `to` on `date`, as a
/// merger does: their versions close and reopen with the new paths, their parent becomes `to`,
/// their paths and their members' paths are re-rooted, and each gets a `moved` event by
/// `created_by`. Seven statements whatever the number of sub-units. Sub-units of `from` that
/// were dissolved stay where they were, with what lies below them (all dissolved too).
pub async fn move_children(
    db: &impl ConnectionTrait,
    from: &unit::Model,
    to: &unit::Model,
    date: NaiveDate,
    created_by: Option<i64>,
) -> Result<(), DbErr> {
    let dissolved: Vec<String> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Path)
        .filter(unit::Column::ParentId.eq(from.id))
        .filter(unit::Column::DissolvedOn.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    // Strictly below `from`, outside its dissolved sub-units.
    let below = |column| strictly_below_except(column, &from.path, &dissolved);
    let events = Query::insert()
        .into_table(unit_event::Entity)
        .columns([
            unit_event::Column::Kind,
            unit_event::Column::EffectiveOn,
            unit_event::Column::UnitId,
            unit_event::Column::OtherUnitId,
            unit_event::Column::CreatedBy,
            unit_event::Column::CreatedAt,
        ])
        .select_from(
            Query::select()
                .expr(Expr::val("moved"))
                .expr(Expr::val(date))
                .column(unit::Column::Id)
                .expr(Expr::val(to.id))
                .expr(Expr::val(created_by))
                .expr(Expr::val(Utc::now()))
                .from(unit::Entity)
                .and_where(unit::Column::ParentId.eq(from.id))
                .and_where(unit::Column::DissolvedOn.is_null())
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&events).await?;
    let adopt = Query::update()
        .table(unit::Entity)
        .value(unit::Column::ParentId, to.id)
        .and_where(unit::Column::ParentId.eq(from.id))
        .and_where(unit::Column::DissolvedOn.is_null())
        .to_owned();
    db.execute(&adopt).await?;
    reopen_versions(
        db,
        below(unit::Column::Path),
        rerooted(unit::Column::Path, &from.path, &to.path),
        date,
    )
    .await?;
    reroot_where(
        db,
        below(unit::Column::Path),
        strictly_below_except(member::Column::UnitPath, &from.path, &dissolved),
        &from.path,
        &to.path,
    )
    .await?;
    Ok(())
}

/// Paths strictly below `root` and outside each of the subtrees at `except`.
fn strictly_below_except(
    column: impl ColumnTrait + Copy,
    root: &str,
    except: &[String],
) -> Condition {
    except.iter().fold(
        Condition::all()
            .add(column.like(path_prefix(root)))
            .add(column.ne(root)),
        |c, e| c.add(column.not_like(path_prefix(e))),
    )
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

/// Locks the rows of the members matching `which` until the transaction ends, in id order, on
/// PostgreSQL (SQLite has one writer). Every change to members starts with it, so two changes
/// to one member take turns from their first statement and cannot each hold a part of the
/// member (a roll, the row, the figures) the other waits for. `FOR NO KEY UPDATE`: the rows
/// that refer to a member (an event, an attendance) take a key-share lock, which this leaves
/// them. One statement.
pub async fn lock_members(db: &impl ConnectionTrait, which: Condition) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let lock = Query::select()
        .column(member::Column::Id)
        .from(member::Entity)
        .cond_where(which)
        .order_by(member::Column::Id, sea_orm::Order::Asc)
        .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
        .to_owned();
    db.query_all(&lock).await?;
    Ok(())
}

/// Moves the members matching `movers` (a condition on `members` columns) to unit `to` on
/// `date`: their home roll goes over to `to` from `date`, or from the day their stay began when
/// that was later (a member admitted or transferred in after `date`, the change being dated
/// back, is not put on `to`'s roll before they arrived, nor on two rolls at once); their other
/// open roll rows end (a row opened on or after `date` never held and goes), their positions
/// end, and their unit and path become `to`'s. Seven statements for any number of members
/// (eight on PostgreSQL, which locks them first).
/// Returns how many moved, and the sheets of the meetings of the units they left and joined,
/// from `date` on, for the transaction to mark once it has written its other rows.
pub async fn move_members(
    db: &impl ConnectionTrait,
    movers: Condition,
    to: &unit::Model,
    date: NaiveDate,
    reason: &str,
) -> Result<(u64, SheetsToMark), DbErr> {
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
    // Every change to members takes their rows first, in id order (`lock_members`): a status
    // change to one of them waits here or makes this wait, never halfway.
    lock_members(db, movers.clone()).await?;
    // The sheets of the meetings held from `date` in the units the movers leave and in `to`
    // are out of date (a change dated back moves members off sheets already counted). The
    // units are read now, while the rolls still name them; the caller marks the sheets last.
    let mut units: Vec<i64> = member_unit::Entity::find()
        .select_only()
        .column(member_unit::Column::UnitId)
        .distinct()
        .filter(open_rolls())
        .into_tuple()
        .all(db)
        .await?;
    units.push(to.id);
    let home = RollKind::Home.code();
    let home_in_to = || {
        Condition::all()
            .add(member_unit::Column::Kind.eq(home))
            .add(member_unit::Column::UnitId.eq(to.id))
    };
    // A stay that began on or after `date` continues in `to` from the day it began, with the
    // reason it began for (an admission, a transfer in), which is what happened that day.
    let carried = Query::update()
        .table(member_unit::Entity)
        .value(member_unit::Column::UnitId, to.id)
        .cond_where(open_rolls())
        .and_where(member_unit::Column::Kind.eq(home))
        .and_where(member_unit::Column::ValidFrom.gte(date))
        .to_owned();
    db.execute(&carried).await?;
    let never_held = Query::delete()
        .from_table(member_unit::Entity)
        .cond_where(open_rolls())
        .cond_where(home_in_to().not())
        .and_where(member_unit::Column::ValidFrom.gte(date))
        .to_owned();
    db.execute(&never_held).await?;
    let close = Query::update()
        .table(member_unit::Entity)
        .value(member_unit::Column::ValidTo, date)
        .cond_where(open_rolls())
        .cond_where(home_in_to().not())
        .to_owned();
    db.execute(&close).await?;
    // The others, on `to`'s roll from `date`.
    let already_in_to = Query::select()
        .expr(Expr::val(1))
        .from(member_unit::Entity)
        .and_where(
            Expr::col((member_unit::Entity, member_unit::Column::MemberId))
                .equals((member::Entity, member::Column::Id)),
        )
        .and_where(member_unit::Column::ValidTo.is_null())
        .cond_where(home_in_to())
        .to_owned();
    let open = Query::insert()
        .into_table(member_unit::Entity)
        .columns([
            member_unit::Column::MemberId,
            member_unit::Column::UnitId,
            member_unit::Column::ValidFrom,
            member_unit::Column::Reason,
            member_unit::Column::Kind,
        ])
        .select_from(
            Query::select()
                .column(member::Column::Id)
                .expr(Expr::val(to.id))
                .expr(Expr::val(date))
                .expr(Expr::val(reason))
                .expr(Expr::val(home))
                .from(member::Entity)
                .cond_where(movers.clone())
                .and_where(Expr::exists(already_in_to).not())
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
    let moved = db.execute(&rehome).await?.rows_affected();
    Ok((moved, SheetsToMark::of(units, date)))
}

/// Repairs rolls written before [`move_members`] kept one home roll at a time. That code wrote
/// the new unit's roll from the restructure's date, so where two home rolls of a member overlap,
/// the one that ends later (or is open) is the one written too early: it is cut to begin when
/// the others it overlaps ended, or dropped if nothing is left, and the sheets of its unit's
/// meetings from then on are marked out of date. (A start that code dropped, for a member
/// admitted after the date, cannot be recovered.) Returns the rolls cut or dropped; a few
/// statements when there are none.
pub async fn one_home_roll_at_a_time(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let t = "member_units";
    let mut repaired = 0;
    // Cutting only moves starts later, so a round leaves no overlap behind; PostgreSQL reads
    // the table as it was before each statement and SQLite as it goes, hence a second look.
    for _ in 0..4 {
        let first = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT MIN(b.valid_from) AS first FROM {t} b WHERE b.kind = 'home' \
                     AND EXISTS (SELECT 1 FROM {t} a WHERE {})",
                    ended_inside("b")
                ),
            ))
            .await?
            .map(|r| r.try_get::<Option<NaiveDate>>("", "first"))
            .transpose()?
            .flatten();
        let Some(first) = first else {
            return Ok(repaired);
        };
        let units = Query::select()
            .column(member_unit::Column::UnitId)
            .from_as(member_unit::Entity, sea_orm::sea_query::Alias::new("b"))
            .and_where(Expr::cust(format!(
                "b.kind = 'home' AND EXISTS (SELECT 1 FROM {t} a WHERE {})",
                ended_inside("b")
            )))
            .to_owned();
        crate::meeting_stats::rolls_changed(db, units, first).await?;
        let ends = format!(
            "(SELECT MAX(a.valid_to) FROM {t} a WHERE {})",
            ended_inside(t)
        );
        let cut = format!(
            "kind = 'home' AND EXISTS (SELECT 1 FROM {t} a WHERE {})",
            ended_inside(t)
        );
        repaired += db
            .execute_unprepared(&format!(
                "DELETE FROM {t} WHERE {cut} AND valid_to IS NOT NULL AND {ends} >= valid_to"
            ))
            .await?
            .rows_affected();
        repaired += db
            .execute_unprepared(&format!("UPDATE {t} SET valid_from = {ends} WHERE {cut}"))
            .await?
            .rows_affected();
    }
    Err(DbErr::Custom(
        "one_home_roll_at_a_time: overlapping home rolls remain after four rounds".into(),
    ))
}

/// For `member_units a` beside `outer` (a home roll): another home roll of the same member,
/// closed, overlapping `outer` and ending before it (or on the same day, with a lower id).
fn ended_inside(outer: &str) -> String {
    format!(
        "a.member_id = {outer}.member_id AND a.kind = 'home' AND a.id <> {outer}.id \
         AND a.valid_to IS NOT NULL AND a.valid_to > {outer}.valid_from \
         AND ({outer}.valid_to IS NULL OR a.valid_to < {outer}.valid_to \
         OR (a.valid_to = {outer}.valid_to AND a.id < {outer}.id))"
    )
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
