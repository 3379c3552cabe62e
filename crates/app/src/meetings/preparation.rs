//! Preparing a meeting: the checklist, the guests of the superior committee and the committee
//! member who follows the cell.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::org::UnitKind;
use chibo_domain::rules::Standing;
use chibo_domain::validate;
use chibo_store::entities::{meeting_guest, meeting_preparation, meeting_record, member};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use chibo_store::write_tx;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::meetings::figures::MeetingTx;
use crate::meetings::lookup;
use crate::meetings::notice::{
    self, FollowerView, MeetingGuests, PreparationView, follower_view, guest_choices,
};
use crate::meetings::signatures;
use crate::org::units;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct GuestInput {
    /// A party member in chibo (the name and nothing else is then taken from the record).
    pub member_id: Option<i64>,
    /// Required when `member_id` is empty.
    pub full_name: String,
    /// Position, e.g. "Ủy viên Ban Thường vụ Đảng ủy xã".
    pub title: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PreparationInput {
    /// `YYYY-MM-DD` or `DD/MM/YYYY`; on or before the meeting date.
    pub held_on: Option<String>,
    /// Committee members present (members of the cell).
    pub attendee_ids: Vec<i64>,
    /// What the committee agreed: content, agenda, who presents what.
    pub content: String,
    pub draft_resolution: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FollowerInput {
    /// A member of the superior organisation; empty clears it.
    pub member_id: Option<i64>,
}

/// Records the cell committee's preparatory meeting and the draft resolution it agreed.
pub async fn save_preparation(
    app: &App,
    actor: &Actor,
    id: i64,
    input: PreparationInput,
) -> AppResult<PreparationView> {
    let h = lookup::manageable(app, actor, id).await?;
    let m = h.meeting.clone();
    signatures::ensure_open(app, m.id).await?;
    let mut e = Invalid::new();
    let held_on = validate::date_field(
        &mut e,
        "held_on",
        "ngày chi ủy họp",
        input.held_on.as_deref(),
        true,
    );
    if held_on.is_some_and(|d| d > m.meeting_date) {
        e.push(
            "held_on",
            "Chi ủy họp chuẩn bị phải trước hoặc trong ngày sinh hoạt.",
        );
    }
    if held_on.is_some_and(|d| d > App::today()) {
        e.push("held_on", "Ngày chi ủy họp chưa đến.");
    }
    let content = validate::required_text(
        &mut e,
        "content",
        "nội dung chi ủy thống nhất",
        &input.content,
        20_000,
    );
    let draft = validate::optional_lines(
        &mut e,
        "draft_resolution",
        "dự thảo nghị quyết",
        input.draft_resolution.as_deref(),
        20_000,
    );
    let roll: HashMap<i64, Standing> = lookup::roll(app, &h, m.meeting_date)
        .await?
        .into_iter()
        .map(|r| (r.member.id, r.standing))
        .collect();
    let mut attendees = input.attendee_ids.clone();
    attendees.sort_unstable();
    attendees.dedup();
    if attendees.is_empty() {
        e.push("attendee_ids", "Chọn các đồng chí chi ủy dự họp.");
    }
    if attendees.iter().any(|a| !roll.contains_key(a)) {
        e.push(
            "attendee_ids",
            "Người dự họp chi ủy phải là đảng viên của chi bộ.",
        );
    }
    e.into_result()?;
    let now = Utc::now();
    let existing = meeting_preparation::Entity::find()
        .filter(meeting_preparation::Column::MeetingId.eq(m.id))
        .one(&app.db)
        .await?;
    let record = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.eq(m.id))
        .one(&app.db)
        .await?;
    let tx = MeetingTx::begin(app, &m).await?;
    let mut am = match existing.clone() {
        Some(p) => p.into_active_model(),
        None => meeting_preparation::ActiveModel {
            meeting_id: Set(m.id),
            ..Default::default()
        },
    };
    am.held_on = Set(held_on.expect("checked"));
    am.attendee_ids = Set(serde_json::to_string(&attendees).expect("ids"));
    am.content = Set(content);
    am.updated_at = Set(now);
    let saved = if existing.is_some() {
        am.update(&*tx).await?
    } else {
        am.insert(&*tx).await?
    };
    match record {
        Some(r) => {
            let mut rm = r.into_active_model();
            rm.draft_resolution = Set(draft);
            rm.updated_at = Set(now);
            rm.update(&*tx).await?;
        }
        None => {
            meeting_record::ActiveModel {
                meeting_id: Set(m.id),
                draft_resolution: Set(draft),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&*tx)
            .await?;
        }
    }
    audit::record(
        &*tx,
        Some(actor),
        "meeting.preparation",
        "meeting",
        Some(m.id),
        existing.as_ref(),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    notice::preparation_of(app, m.id)
        .await?
        .ok_or_else(|| AppError::Internal("preparation not saved".into()))
}

/// Records a guest: a superior committee member or another invited person.
pub async fn add_guest(
    app: &App,
    actor: &Actor,
    id: i64,
    input: GuestInput,
) -> AppResult<MeetingGuests> {
    let h = lookup::manageable(app, actor, id).await?;
    let m = h.meeting.clone();
    signatures::ensure_open(app, m.id).await?;
    let mut e = Invalid::new();
    let title = validate::optional_text(&mut e, "title", "chức vụ", Some(&input.title), 255)
        .unwrap_or_default();
    // A guest picked by id must be one of the choices the form offers: any other id, known or
    // not, gets the same answer, so the form reveals no name outside the user's view.
    let (full_name, title) = match input.member_id {
        Some(mid) => match guest_choices(app, &h, m.meeting_date)
            .await?
            .into_iter()
            .find(|c| c.member.id == mid)
        {
            Some(c) => (
                c.member.name,
                if title.is_empty() { c.title } else { title },
            ),
            None => {
                e.push(
                    "member_id",
                    "Chỉ chọn được cấp ủy viên cấp trên hoặc người theo dõi chi bộ; khách mời khác hãy ghi họ và tên.",
                );
                (String::new(), title)
            }
        },
        None => (
            validate::required_text(
                &mut e,
                "full_name",
                "họ và tên khách mời",
                &input.full_name,
                255,
            ),
            title,
        ),
    };
    if input.member_id.is_none() && title.is_empty() {
        e.push("title", "Ghi chức vụ của khách mời.");
    }
    e.into_result()?;
    let dup = meeting_guest::Entity::find()
        .filter(meeting_guest::Column::MeetingId.eq(m.id))
        .all(&app.db)
        .await?
        .into_iter()
        .any(|g| match input.member_id {
            Some(mid) => g.member_id == Some(mid),
            None => {
                chibo_domain::text::search_key(&g.full_name)
                    == chibo_domain::text::search_key(&full_name)
            }
        });
    if dup {
        return Err(AppError::invalid(
            "full_name",
            format!("{full_name} đã có trong danh sách khách mời."),
        ));
    }
    let tx = MeetingTx::begin(app, &m).await?;
    let g = meeting_guest::ActiveModel {
        meeting_id: Set(m.id),
        member_id: Set(input.member_id),
        full_name: Set(full_name),
        title: Set(title),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*tx)
    .await?;
    audit::record(
        &*tx,
        Some(actor),
        "meeting.guest.add",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&g),
    )
    .await?;
    tx.commit().await?;
    Ok(MeetingGuests {
        meeting_id: m.id,
        guests: notice::guests_of(app, &h).await?,
    })
}

/// Removes a guest; answers with the guests left.
pub async fn remove_guest(app: &App, actor: &Actor, guest_id: i64) -> AppResult<MeetingGuests> {
    let g = meeting_guest::Entity::find_by_id(guest_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let h = lookup::manageable(app, actor, g.meeting_id).await?;
    let m = &h.meeting;
    signatures::ensure_open(app, m.id).await?;
    let tx = MeetingTx::begin(app, m).await?;
    meeting_guest::Entity::delete_by_id(g.id).exec(&*tx).await?;
    audit::record(
        &*tx,
        Some(actor),
        "meeting.guest.remove",
        "meeting",
        Some(m.id),
        Some(&g),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(MeetingGuests {
        meeting_id: m.id,
        guests: notice::guests_of(app, &h).await?,
    })
}

/// Names the superior committee member who follows a cell (the superior committee decides).
pub async fn set_follower(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: FollowerInput,
) -> AppResult<FollowerView> {
    let cell = actor.visible(units::find(&app.db, unit_id).await?)?;
    if !UnitKind::from_code(&cell.kind).is_some_and(|k| k.is_cell()) {
        return Err(AppError::invalid(
            "unit_id",
            "Chỉ chi bộ mới có cấp ủy viên cấp trên theo dõi.",
        ));
    }
    actor.require(actor.supervises(&cell))?;
    let parent = match cell.parent_id {
        Some(p) => units::find(&app.db, p).await?,
        None => None,
    }
    .ok_or_else(|| AppError::invalid("unit_id", "Chi bộ chưa thuộc tổ chức đảng cấp trên."))?;
    if let Some(mid) = input.member_id {
        let ok = member::Entity::find_by_id(mid)
            .one(&app.db)
            .await?
            .filter(|x| {
                x.unit_path.starts_with(&parent.path)
                    && !x.unit_path.starts_with(&cell.path)
                    && chibo_domain::member::on_roll_codes().contains(&x.status.as_str())
            });
        if ok.is_none() {
            return Err(AppError::invalid(
                "member_id",
                format!(
                    "Người theo dõi chi bộ phải là đảng viên đang sinh hoạt trong {}, ngoài chi bộ này.",
                    parent.name
                ),
            ));
        }
    }
    let tx = write_tx(&app.db).await?;
    let before = (*cell).clone();
    let mut am = cell.into_inner().into_active_model();
    am.follower_member_id = Set(input.member_id);
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "unit.follower",
        "unit",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    follower_view(app, &after).await
}
