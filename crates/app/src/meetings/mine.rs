//! A meeting as it concerns one member who is not among those who run or oversee it: their own
//! line of the attendance sheet, the resolution once written (marked final when the minutes are
//! signed), and the tasks it gave them.
//! Read without the cell's roll or figures, so the page every member opens costs a few indexed
//! lookups whatever the size of the cell; the sheet's figures are the officers' (`sheet`).

use chibo_domain::ids::MemberId;
use chibo_domain::meeting::MeetingStatus;
use chibo_store::entities::{meeting_attendance, meeting_record, meeting_task};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::meetings::away::MyAway;
use crate::meetings::held::{TaskView, task_view};
use crate::meetings::lookup::meeting_status;
use crate::meetings::signatures::minutes_signed;
use crate::{App, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyMeeting {
    /// `present`, `absent_excused`, `absent_unexcused`; `null` until the secretary records it.
    pub presence: Option<String>,
    /// "Có mặt", "Vắng có lý do", "Vắng không lý do".
    pub presence_label: Option<String>,
    /// The reason recorded for an absence.
    pub reason: Option<String>,
    /// The resolution of the meeting, once it is held and written down.
    pub resolution_text: Option<String>,
    /// The chair and the minute-taker approved the minutes: the resolution is final.
    pub approved: bool,
    /// What the meeting asked of the member, in the order it was given.
    pub tasks: Vec<TaskView>,
    /// Before the meeting: their confirmation of reading its documents and their written
    /// opinion (`crate::meetings::away`), on the meeting's page; `null` for one who is not of
    /// the cell, and in the list of one's meetings.
    pub away: Option<MyAway>,
}

/// The member's own attendance row of meeting `meeting_id`, if they have one.
pub(crate) async fn own_attendance(
    app: &App,
    actor: &Actor,
    meeting_id: i64,
) -> AppResult<Option<meeting_attendance::Model>> {
    let Some(mid) = actor.member_id().map(MemberId::get) else {
        return Ok(None);
    };
    Ok(meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(meeting_id))
        .filter(meeting_attendance::Column::MemberId.eq(mid))
        .one(&app.db)
        .await?)
}

/// Of the `meetings` listed on their home page (their upcoming ones, a handful), those the actor
/// is already marked present at or checked in to (the page offers "Điểm danh" only for the
/// others): their own rows, by the (meeting, member) index. Asking by date instead ("every
/// meeting from today on") made PostgreSQL read the province's upcoming meetings (35 ms).
pub async fn checked_in(
    app: &App,
    actor: &Actor,
    meetings: &[i64],
) -> AppResult<std::collections::HashSet<i64>> {
    let Some(mid) = actor.member_id().map(MemberId::get) else {
        return Ok(Default::default());
    };
    if meetings.is_empty() {
        return Ok(Default::default());
    }
    Ok(meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.is_in(meetings.iter().copied()))
        .filter(meeting_attendance::Column::MemberId.eq(mid))
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|a| a.checked_in_at.is_some() || a.presence == "present")
        .map(|a| a.meeting_id)
        .collect())
}

fn presence_label(code: &str) -> &'static str {
    match code {
        "present" => "Có mặt",
        "absent_excused" => "Vắng có lý do",
        _ => "Vắng không lý do",
    }
}

/// The member's part of the meeting `m`, from the attendance row and the record already read
/// for the page.
pub(crate) async fn my_part(
    app: &App,
    actor: &Actor,
    m: &chibo_store::entities::meeting::Model,
    own: Option<&meeting_attendance::Model>,
    record: Option<&meeting_record::Model>,
) -> AppResult<MyMeeting> {
    let held = meeting_status(m) == MeetingStatus::Held;
    let resolution_text = record
        .and_then(|r| r.resolution_text.clone())
        .filter(|t| held && !t.trim().is_empty());
    let approved = resolution_text.is_some() && minutes_signed(app, m.id).await?;
    let tasks = match actor.member_id() {
        Some(mid) if held => {
            let rows = meeting_task::Entity::find()
                .filter(meeting_task::Column::MeetingId.eq(m.id))
                .filter(meeting_task::Column::MemberId.eq(mid.get()))
                .order_by_asc(meeting_task::Column::Id)
                .all(&app.db)
                .await?;
            let names = if rows.is_empty() {
                Default::default()
            } else {
                crate::lookup::member_names(&app.db, &[mid.get()]).await?
            };
            rows.iter().map(|t| task_view(t, &names)).collect()
        }
        _ => vec![],
    };
    Ok(MyMeeting {
        presence: own.map(|a| a.presence.clone()),
        presence_label: own.map(|a| presence_label(&a.presence).to_string()),
        reason: own.and_then(|a| a.reason.clone()),
        resolution_text,
        approved,
        tasks,
        away: None,
    })
}
