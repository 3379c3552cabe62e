//! Meetings cancelled because their cell was dissolved, merged or emptied by a split: counted
//! beforehand so the unit page can say so before the user confirms, and cancelled in one
//! statement in the restructuring's transaction, telling the members of those announced.
//! Depends on no other use case (`crate::notify` tells), so the tree's and the meetings'
//! modules can both use it.

use chibo_domain::meeting::MeetingStatus;
use chibo_store::entities::meeting;
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use chrono::NaiveDate;

use crate::{App, AppResult};

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
/// `reason`, and tells the members on its roll the day before of each one they had been
/// announced (a cell has a handful ahead at most); returns how many were cancelled.
pub(crate) async fn cancel_meetings(
    app: &App,
    db: &impl ConnectionTrait,
    unit_id: i64,
    from: NaiveDate,
    reason: &str,
) -> AppResult<u64> {
    let announced = meeting::Entity::find()
        .filter(not_held_from(unit_id, from))
        .filter(meeting::Column::PublishedAt.is_not_null())
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?;
    let done = meeting::Entity::update_many()
        .col_expr(
            meeting::Column::Status,
            Expr::value(MeetingStatus::Cancelled.code()),
        )
        .col_expr(meeting::Column::CancelledReason, Expr::value(reason))
        .filter(not_held_from(unit_id, from))
        .exec(db)
        .await?;
    for mut m in announced {
        m.status = MeetingStatus::Cancelled.code().to_string();
        m.cancelled_reason = Some(reason.to_string());
        let label = crate::lookup::kind_label_of(app, &m).await?;
        crate::notify::meeting_cancelled_from(app, db, &m, from, label).await?;
    }
    Ok(done.rows_affected)
}
