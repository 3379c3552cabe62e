//! Meetings cancelled because their cell was dissolved, merged or emptied by a split: counted
//! beforehand so the unit page can say so before the user confirms, and cancelled in one
//! statement in the restructuring's transaction. Depends on no other use case, so the tree's and
//! the meetings' modules can both use it.

use chibo_domain::meeting::MeetingStatus;
use chibo_store::entities::meeting;
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use chrono::NaiveDate;

use crate::AppResult;

/// Meetings of the unit on or after `from` that were not held.
fn not_held_from(unit_id: i64, from: NaiveDate) -> Condition {
    Condition::all()
        .add(meeting::Column::UnitId.eq(unit_id))
        .add(meeting::Column::MeetingDate.gte(from))
        .add(meeting::Column::Status.is_in(MeetingStatus::pending_codes()))
}

/// How many meetings of the unit on or after `from` a dissolution or merger would cancel.
pub async fn meetings_to_cancel(
    db: &impl ConnectionTrait,
    unit_id: i64,
    from: NaiveDate,
) -> AppResult<u64> {
    Ok(meeting::Entity::find()
        .filter(not_held_from(unit_id, from))
        .count(db)
        .await?)
}

/// Cancels, in one statement, the unit's meetings on or after `from` that were not held, giving
/// `reason`; returns how many.
pub(crate) async fn cancel_meetings(
    db: &impl ConnectionTrait,
    unit_id: i64,
    from: NaiveDate,
    reason: &str,
) -> AppResult<u64> {
    let done = meeting::Entity::update_many()
        .col_expr(
            meeting::Column::Status,
            Expr::value(MeetingStatus::Cancelled.code()),
        )
        .col_expr(meeting::Column::CancelledReason, Expr::value(reason))
        .filter(not_held_from(unit_id, from))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
