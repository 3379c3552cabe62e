//! Who has signed a meeting's minutes off, and whether they are locked: once the chair and the
//! secretary have both signed, the record changes only through an amendment.

use chibo_store::entities::meeting_approval;
use std::collections::{HashMap, HashSet};

use chibo_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::refs::MemberRef;
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalView {
    /// `chair` or `secretary`.
    pub role: String,
    pub member: MemberRef,
    pub approved_at: chrono::DateTime<chrono::Utc>,
}

/// Who has signed the minutes off; both signed locks them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignOff {
    pub approvals: Vec<ApprovalView>,
    pub locked: bool,
}

/// The approvals of a meeting's minutes, and whether both chair and minute-taker approved.
pub(crate) async fn approvals_of(
    app: &App,
    meeting_id: i64,
) -> AppResult<(Vec<ApprovalView>, bool)> {
    let rows = meeting_approval::Entity::find()
        .filter(meeting_approval::Column::MeetingId.eq(meeting_id))
        .order_by_asc(meeting_approval::Column::Id)
        .all(&app.db)
        .await?;
    let n = crate::lookup::member_names(
        &app.db,
        &rows.iter().map(|a| a.member_id).collect::<Vec<_>>(),
    )
    .await?;
    let locked = SIGNERS.iter().all(|r| rows.iter().any(|a| a.role == *r));
    let views = rows
        .into_iter()
        .map(|a| ApprovalView {
            member: MemberRef {
                id: a.member_id,
                name: n.get(&a.member_id).cloned().unwrap_or_default(),
            },
            role: a.role,
            approved_at: a.approved_at,
        })
        .collect();
    Ok((views, locked))
}

/// The roles whose approvals lock the minutes.
pub(crate) const SIGNERS: [&str; 2] = ["chair", "secretary"];

/// Whether the chair and the minute-taker have both approved the minutes of `meeting_id`
/// (counted by the database, for a page that only needs the answer).
pub(crate) async fn minutes_signed(app: &App, meeting_id: i64) -> AppResult<bool> {
    let signed = meeting_approval::Entity::find()
        .filter(meeting_approval::Column::MeetingId.eq(meeting_id))
        .filter(meeting_approval::Column::Role.is_in(SIGNERS))
        .count(&app.db)
        .await?;
    Ok(signed as usize >= SIGNERS.len())
}

/// Refuses a change to approved minutes: a correction is an amendment, never an edit.
pub(crate) async fn ensure_open(app: &App, meeting_id: i64) -> AppResult<()> {
    if minutes_signed(app, meeting_id).await? {
        return Err(signed_error());
    }
    Ok(())
}

/// The refusal of a change to minutes the chair and the minute-taker have approved.
pub(crate) fn signed_error() -> AppError {
    AppError::invalid(
        "status",
        "Biên bản và nghị quyết đã được chủ trì và thư ký thông qua, không thể sửa. Hãy lập văn bản đính chính.",
    )
}

/// Of `meeting_ids` (a handful, a batch's), those whose minutes are approved: one statement.
pub(crate) async fn signed_among(
    db: &impl ConnectionTrait,
    meeting_ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashSet<i64>> {
    let approvals: Vec<(i64, String)> = meeting_approval::Entity::find()
        .select_only()
        .column(meeting_approval::Column::MeetingId)
        .column(meeting_approval::Column::Role)
        .filter(meeting_approval::Column::MeetingId.is_in(meeting_ids))
        .filter(meeting_approval::Column::Role.is_in(SIGNERS))
        .into_tuple()
        .all(db)
        .await?;
    let mut roles: HashMap<i64, HashSet<String>> = HashMap::new();
    for (meeting, role) in approvals {
        roles.entry(meeting).or_default().insert(role);
    }
    Ok(roles
        .into_iter()
        .filter(|(_, r)| r.len() >= SIGNERS.len())
        .map(|(m, _)| m)
        .collect())
}
