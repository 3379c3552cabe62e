//! Signing the minutes off, amending them afterwards, and the steps and speeches noted while the
//! meeting runs.

use chibo_domain::Invalid;
use chibo_domain::ids::MemberId;
use chibo_domain::rules::Presence;
use chibo_domain::validate;
use chibo_store::entities::{
    meeting_amendment, meeting_approval, meeting_attendance, meeting_record, meeting_speech,
};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use chibo_store::write_tx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, MeetingAccess, MeetingOf};
use crate::meetings::figures::MeetingTx;
use crate::meetings::held::{AmendmentView, SpeechView};
use crate::meetings::lookup;
use crate::meetings::sheet;
use crate::meetings::signatures::{self, SignOff, approvals_of, ensure_open};
use crate::refs::MemberRef;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AmendmentInput {
    pub body: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SpeechInput {
    pub member_id: Option<i64>,
    pub summary: String,
}

/// The chair or the minute-taker approves the minutes (as the member linked to their account).
pub async fn approve(app: &App, actor: &Actor, id: i64) -> AppResult<SignOff> {
    let h = lookup::visible_meeting(app, actor, id).await?;
    let m = h.meeting.clone();
    if !actor.can_read_path(&h.cell.path) && actor.member_id().is_none() {
        return Err(AppError::NotFound);
    }
    let rec = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.eq(m.id))
        .one(&app.db)
        .await?;
    let me = actor.member_id().map(MemberId::get);
    let mut roles = Vec::new();
    if let Some(r) = &rec {
        if me.is_some() && r.chair_member_id == me {
            roles.push("chair");
        }
        if me.is_some() && r.secretary_member_id == me {
            roles.push("secretary");
        }
    }
    if roles.is_empty() {
        return Err(AppError::invalid(
            "status",
            "Chỉ đồng chí chủ trì hoặc thư ký của buổi sinh hoạt mới thông qua biên bản.",
        ));
    }
    // Read as the cell would, whoever signs: a chair who is not an officer signs the same
    // complete minutes.
    let MeetingAccess::Whole(h) = actor.meeting_access(h, rec.as_ref()) else {
        return Err(AppError::Forbidden);
    };
    let missing = sheet::held_after_change(app, actor, &h)
        .await?
        .minutes_missing;
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "status",
            format!(
                "Biên bản còn thiếu: {}. Hãy bổ sung trước khi thông qua.",
                missing.join("; ")
            ),
        ));
    }
    let existing: Vec<String> = meeting_approval::Entity::find()
        .filter(meeting_approval::Column::MeetingId.eq(m.id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|a| a.role)
        .collect();
    let todo: Vec<&str> = roles
        .into_iter()
        .filter(|r| !existing.iter().any(|e| e == r))
        .collect();
    if todo.is_empty() {
        return Err(AppError::invalid(
            "status",
            "Bạn đã thông qua biên bản này.",
        ));
    }
    let tx = write_tx(&app.db).await?;
    for role in &todo {
        meeting_approval::ActiveModel {
            meeting_id: Set(m.id),
            member_id: Set(me.expect("checked")),
            role: Set((*role).to_string()),
            approved_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    // Both have now signed: what they signed is sealed with its hash (`chibo verify`).
    let signed_now = signatures::SIGNERS
        .iter()
        .all(|r| existing.iter().any(|e| e == r) || todo.contains(r));
    if signed_now {
        chibo_store::signed::seal(&tx, m.id).await?;
    }
    audit::record(
        &tx,
        Some(actor),
        "meeting.approve",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&todo),
    )
    .await?;
    tx.commit().await?;
    let (approvals, locked) = approvals_of(app, m.id).await?;
    Ok(SignOff { approvals, locked })
}

/// Adds a correction to approved minutes (the cell's officers).
pub async fn amend(
    app: &App,
    actor: &Actor,
    id: i64,
    input: AmendmentInput,
) -> AppResult<AmendmentView> {
    let MeetingOf {
        meeting: m,
        cell: _,
    } = lookup::manageable(app, actor, id).await?.into_inner();
    let mut e = Invalid::new();
    if !approvals_of(app, m.id).await?.1 {
        e.push(
            "body",
            "Biên bản chưa được thông qua: hãy sửa trực tiếp thay vì lập đính chính.",
        );
    }
    let body = validate::required_text(&mut e, "body", "nội dung đính chính", &input.body, 5000);
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let a = meeting_amendment::ActiveModel {
        meeting_id: Set(m.id),
        body: Set(body),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.amend",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&a),
    )
    .await?;
    tx.commit().await?;
    Ok(AmendmentView {
        id: a.id,
        body: a.body,
        created_at: a.created_at,
    })
}

/// Records a member's contribution to the discussion, in order.
pub async fn add_speech(
    app: &App,
    actor: &Actor,
    id: i64,
    input: SpeechInput,
) -> AppResult<SpeechView> {
    let MeetingOf {
        meeting: m,
        cell: _,
    } = lookup::manageable(app, actor, id).await?.into_inner();
    ensure_open(app, m.id).await?;
    let member_id = validate::chosen("member_id", "người phát biểu", input.member_id)?;
    let mut e = Invalid::new();
    let present = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id))
        .filter(meeting_attendance::Column::MemberId.eq(member_id))
        .filter(meeting_attendance::Column::Presence.eq(lookup::presence_code(Presence::Present)))
        .count(&app.db)
        .await?
        > 0;
    if !present {
        e.push("member_id", "Người phát biểu phải là đảng viên có mặt.");
    }
    let summary =
        validate::required_text(&mut e, "summary", "tóm tắt ý kiến", &input.summary, 5000);
    e.into_result()?;
    let tx = MeetingTx::begin(app, &m).await?;
    let s = meeting_speech::ActiveModel {
        meeting_id: Set(m.id),
        member_id: Set(member_id),
        summary: Set(summary),
        ..Default::default()
    }
    .insert(&*tx)
    .await?;
    audit::record(
        &*tx,
        Some(actor),
        "meeting.speech",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&s),
    )
    .await?;
    tx.commit().await?;
    let names = crate::lookup::member_names(&app.db, &[s.member_id]).await?;
    Ok(SpeechView {
        id: s.id,
        member: MemberRef {
            id: s.member_id,
            name: names.get(&s.member_id).cloned().unwrap_or_default(),
        },
        summary: s.summary,
    })
}
