//! Members who cannot come (working away: the seeds' unstable rural attendance). Before the
//! meeting, a member of the cell confirms having read its documents and may send a written
//! opinion on the draft resolution, which they see for that. The officers see who read and who
//! wrote; the minutes list the written opinions apart. Attendance is not touched: a member who
//! wrote is still absent (with their reason) on the sheet and in every figure.

use chibo_domain::Invalid;
use chibo_domain::ids::MemberId;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::validate;
use chibo_store::entities::{meeting, meeting_away, meeting_record, member, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, MeetingOf, Reads};
use crate::meetings::lookup::{self, meeting_status};
use crate::refs::MemberRef;
use crate::{App, AppError, AppResult, audit};

/// What a member who cannot come did before a meeting (the officers' list).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwayPart {
    pub member: MemberRef,
    pub read_at: Option<DateTime<Utc>>,
    pub opinion: Option<String>,
    pub opinion_at: Option<DateTime<Utc>>,
}

/// The member's own side of it, on their meeting page.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct MyAway {
    /// The meeting is announced and not yet held: they may still confirm and write.
    pub open: bool,
    /// The draft resolution the committee prepared, to write an opinion on.
    pub draft_resolution: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub opinion: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct OpinionInput {
    /// At most 4,000 characters.
    pub opinion: String,
}

/// The written parts of meeting `m`, in name order, for those who read it whole.
pub(crate) async fn parts_of(app: &App, m: &Reads<MeetingOf>) -> AppResult<Vec<AwayPart>> {
    let rows = meeting_away::Entity::find()
        .filter(meeting_away::Column::MeetingId.eq(m.meeting.id))
        .order_by_asc(meeting_away::Column::Id)
        .all(&app.db)
        .await?;
    let names = crate::lookup::member_names(
        &app.db,
        &rows.iter().map(|r| r.member_id).collect::<Vec<_>>(),
    )
    .await?;
    let mut parts: Vec<AwayPart> = rows
        .into_iter()
        .map(|r| AwayPart {
            member: MemberRef {
                id: r.member_id,
                name: names.get(&r.member_id).cloned().unwrap_or_default(),
            },
            read_at: r.read_at,
            opinion: r.opinion,
            opinion_at: r.opinion_at,
        })
        .collect();
    parts.sort_by_key(|p| chibo_domain::text::collation_key(&p.member.name));
    Ok(parts)
}

/// The member's own part of meeting `m` of `cell`, when they are of the cell: `None` for a
/// follower or an account without a member record.
pub(crate) async fn mine(
    app: &App,
    actor: &Actor,
    m: &meeting::Model,
    cell: &unit::Model,
    record: Option<&meeting_record::Model>,
) -> AppResult<Option<MyAway>> {
    let Some(mid) = own_member(app, actor, cell).await? else {
        return Ok(None);
    };
    let open = meeting_status(m) == MeetingStatus::Published;
    let row = meeting_away::Entity::find()
        .filter(meeting_away::Column::MeetingId.eq(m.id))
        .filter(meeting_away::Column::MemberId.eq(mid))
        .one(&app.db)
        .await?;
    Ok(Some(MyAway {
        open,
        draft_resolution: record
            .and_then(|r| r.draft_resolution.clone())
            .filter(|d| open && !d.trim().is_empty()),
        read_at: row.as_ref().and_then(|r| r.read_at),
        opinion: row.and_then(|r| r.opinion),
    }))
}

/// The actor's member id when their member record lies in `cell` (its party groups included).
async fn own_member(app: &App, actor: &Actor, cell: &unit::Model) -> AppResult<Option<i64>> {
    let Some(mid) = actor.member_id().map(MemberId::get) else {
        return Ok(None);
    };
    let own = member::Entity::find_by_id(mid).one(&app.db).await?;
    Ok(own
        .filter(|m| m.unit_path.starts_with(&cell.path))
        .map(|m| m.id))
}

/// The meeting, its cell and the actor's member id, when they may still confirm or write.
async fn open_for(app: &App, actor: &Actor, id: i64) -> AppResult<(MeetingOf, i64)> {
    let m = lookup::find(app, id).await?;
    let cell = lookup::visible_cell(app, actor, m.unit_id).await?;
    let seen = actor.sees_meeting(m, cell)?.into_inner();
    let mid = own_member(app, actor, &seen.cell).await?.ok_or_else(|| {
        AppError::invalid(
            "member",
            "Chỉ đảng viên của chi bộ xác nhận đọc tài liệu và gửi ý kiến bằng văn bản.",
        )
    })?;
    if meeting_status(&seen.meeting) != MeetingStatus::Published {
        return Err(AppError::invalid(
            "status",
            "Chỉ xác nhận đọc tài liệu và gửi ý kiến trước buổi sinh hoạt, khi thông báo đã phát hành.",
        ));
    }
    Ok((seen, mid))
}

/// Writes the member's row of the meeting (`change` on it), audited as `action`; answers their
/// part as their page shows it.
async fn write(
    app: &App,
    actor: &Actor,
    seen: &MeetingOf,
    mid: i64,
    action: &str,
    change: impl FnOnce(&mut meeting_away::ActiveModel),
) -> AppResult<MyAway> {
    let m = &seen.meeting;
    let tx = write_tx(&app.db).await?;
    let row = meeting_away::Entity::find()
        .filter(meeting_away::Column::MeetingId.eq(m.id))
        .filter(meeting_away::Column::MemberId.eq(mid))
        .one(&tx)
        .await?;
    let before = row.clone();
    let mut am = match row {
        Some(r) => r.into(),
        None => meeting_away::ActiveModel {
            meeting_id: Set(m.id),
            member_id: Set(mid),
            read_at: Set(None),
            opinion: Set(None),
            opinion_at: Set(None),
            ..Default::default()
        },
    };
    change(&mut am);
    let after = am.save(&tx).await?;
    let after: meeting_away::Model = after.try_into().map_err(|_| AppError::NotFound)?;
    audit::record(
        &tx,
        Some(actor),
        action,
        "meeting",
        Some(m.id),
        before.as_ref(),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    let record = crate::meetings::notice::record_of(app, m.id).await?;
    mine(app, actor, m, &seen.cell, record.as_ref())
        .await?
        .ok_or(AppError::NotFound)
}

/// The member confirms having read the meeting's documents.
pub async fn confirm_read(app: &App, actor: &Actor, id: i64) -> AppResult<MyAway> {
    let (seen, mid) = open_for(app, actor, id).await?;
    write(app, actor, &seen, mid, "meeting.away.read", |am| {
        am.read_at = Set(Some(Utc::now()));
    })
    .await
}

/// The member sends (or sends again) their written opinion on the draft resolution.
pub async fn send_opinion(
    app: &App,
    actor: &Actor,
    id: i64,
    input: OpinionInput,
) -> AppResult<MyAway> {
    // Who may write is checked first: a meeting out of reach answers the same whatever is sent.
    let (seen, mid) = open_for(app, actor, id).await?;
    let mut e = Invalid::new();
    let opinion = validate::required_text(&mut e, "opinion", "ý kiến", &input.opinion, 4000);
    e.into_result()?;
    write(app, actor, &seen, mid, "meeting.away.opinion", |am| {
        am.opinion = Set(Some(opinion));
        am.opinion_at = Set(Some(Utc::now()));
    })
    .await
}

/// The minutes' lines for the written opinions, apart from what was said at the meeting.
pub(crate) fn minutes_lines(parts: &[AwayPart]) -> Vec<String> {
    parts
        .iter()
        .filter_map(|p| {
            p.opinion
                .as_ref()
                .map(|o| format!("Đồng chí {} (gửi bằng văn bản): {o}", p.member.name))
        })
        .collect()
}
