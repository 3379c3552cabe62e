//! Around a meeting: its agenda and notice, the documents sent beforehand, the cell committee's
//! preparatory meeting, the guests, the superior committee member who follows the cell, and the
//! members' own check-in with the meeting's QR code.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::files;
use chibo_domain::org::UnitKind;
use chibo_domain::rules::{self as rules_domain, RuleSet, Standing};
use chibo_domain::validate;
use chibo_store::entities::{
    meeting, meeting_attendance, meeting_document, meeting_guest, meeting_preparation,
    meeting_record, member, unit,
};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use chibo_store::{is_unique_violation, write_tx};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::meeting_record::MemberRef;
use crate::meetings::{self, MeetingDetail};
use crate::scope::Actor;
use crate::units;
use crate::{App, AppError, AppResult, audit};

/// Documents kept per meeting at most.
pub const MAX_DOCUMENTS_PER_MEETING: u64 = 30;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// e.g. "245 KB".
    pub size_text: String,
    pub uploaded_at: DateTime<Utc>,
    /// Vietnamese date of the upload, the day the document reached members.
    pub uploaded_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuestView {
    pub id: i64,
    pub full_name: String,
    pub title: String,
    pub member_id: Option<i64>,
    /// The guest is the superior committee member who follows the cell.
    pub follows_cell: bool,
}

/// Someone a guest may be picked from by id, with the title the guest list shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuestChoice {
    pub member: MemberRef,
    /// E.g. "Bí thư Đảng ủy xã Phú Lâm", or "Cấp ủy viên theo dõi chi bộ".
    pub title: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreparationView {
    pub held_on: NaiveDate,
    pub attendees: Vec<MemberRef>,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckInView {
    /// Members may check in now.
    pub open: bool,
    /// Local (Vietnam) time the window opens and closes.
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    /// When the signed-in member checked in, if they did.
    pub mine: Option<DateTime<Utc>>,
    /// How many members checked themselves in.
    pub count: u32,
}

/// What the notice of a meeting carries, and what was prepared for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    /// One item per line, as it will be followed.
    pub agenda: Vec<String>,
    pub documents: Vec<DocumentView>,
    /// The day documents reached members (first upload, or the date the record gives).
    pub documents_on: Option<NaiveDate>,
    /// The last day documents count as in time (the rule set's lead time before the meeting).
    pub documents_due: NaiveDate,
    /// Documents arrived after `documents_due`, or none had arrived by then.
    pub documents_late: bool,
    pub guests: Vec<GuestView>,
    /// Who a guest may be picked from by id (for the cell's officers): the superior
    /// committee's members on the meeting's day and the follower. Others are typed by name.
    pub guest_choices: Vec<GuestChoice>,
    /// The superior committee member who follows the cell.
    pub follower: Option<MemberRef>,
    /// The cell committee's preparatory meeting (officers and the superior committee).
    pub preparation: Option<PreparationView>,
    /// The draft resolution the committee prepared (officers and the superior committee).
    pub draft_resolution: Option<String>,
    /// The day documents were handed out on paper, as the record gives it.
    pub documents_on_paper: Option<NaiveDate>,
    pub check_in: CheckInView,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NoticeInput {
    pub topic: String,
    pub place: String,
    /// `HH:MM`.
    pub start_time: Option<String>,
    /// One agenda item per line; empty restores the rule set's procedure.
    pub agenda: Option<String>,
}

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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowerView {
    pub unit: units::UnitRef,
    pub follower: Option<MemberRef>,
    pub year: i32,
    /// Meetings of the cell held this year.
    pub meetings_held: u32,
    /// Of those, how many the follower attended as a guest.
    pub attended: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CheckInInput {
    /// The code in the meeting's QR code (also shown under it to type in).
    pub code: String,
}

/// The agenda of a meeting: its own lines, or the rule set's procedure.
pub fn agenda_of(m: &meeting::Model, rules: &RuleSet) -> Vec<String> {
    let own: Vec<String> = m
        .agenda
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if own.is_empty() {
        rules.procedure.iter().map(|s| s.label.clone()).collect()
    } else {
        own
    }
}

/// Checks a typed agenda: at most 40 items of at most 500 characters. `None` when empty.
pub(crate) fn clean_agenda(e: &mut Invalid, agenda: Option<&str>) -> Option<String> {
    let lines: Vec<String> = agenda
        .unwrap_or("")
        .lines()
        .map(|l| chibo_domain::text::clean(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > 40 {
        e.push("agenda", "Chương trình họp tối đa 40 mục.");
    }
    if lines.iter().any(|l| l.chars().count() > 500) {
        e.push("agenda", "Mỗi mục của chương trình tối đa 500 ký tự.");
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn size_text(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        let tenths = (bytes * 10 + 1024 * 1024 - 1) / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

fn document_view(d: meeting_document::Model) -> DocumentView {
    DocumentView {
        id: d.id,
        size_text: size_text(d.size_bytes),
        file_name: d.file_name,
        content_type: d.content_type,
        size_bytes: d.size_bytes,
        uploaded_at: d.uploaded_at,
        uploaded_on: App::local(d.uploaded_at).date(),
    }
}

async fn documents_of(app: &App, meeting_id: i64) -> AppResult<Vec<DocumentView>> {
    Ok(meeting_document::Entity::find()
        .select_only()
        .columns([
            meeting_document::Column::Id,
            meeting_document::Column::MeetingId,
            meeting_document::Column::FileName,
            meeting_document::Column::ContentType,
            meeting_document::Column::SizeBytes,
            meeting_document::Column::Sha256,
            meeting_document::Column::StoredPath,
            meeting_document::Column::UploadedBy,
            meeting_document::Column::UploadedAt,
        ])
        .expr_as(
            chibo_store::sea_orm::sea_query::Expr::val(Option::<Vec<u8>>::None),
            "data",
        )
        .filter(meeting_document::Column::MeetingId.eq(meeting_id))
        .order_by_asc(meeting_document::Column::UploadedAt)
        .order_by_asc(meeting_document::Column::Id)
        .into_model::<meeting_document::Model>()
        .all(&app.db)
        .await?
        .into_iter()
        .map(document_view)
        .collect())
}

/// The day documents reached members: the first upload, or an earlier date the record gives
/// (documents handed out on paper).
pub(crate) fn documents_day(
    uploads: &[DocumentView],
    recorded: Option<NaiveDate>,
) -> Option<NaiveDate> {
    uploads.iter().map(|d| d.uploaded_on).chain(recorded).min()
}

async fn member_refs(app: &App, ids: &[i64]) -> AppResult<Vec<MemberRef>> {
    let found: HashMap<i64, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(ids.to_vec()))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.full_name))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| {
            found.get(id).map(|n| MemberRef {
                id: *id,
                name: n.clone(),
            })
        })
        .collect())
}

pub(crate) async fn preparation_of(
    app: &App,
    meeting_id: i64,
) -> AppResult<Option<PreparationView>> {
    let Some(p) = meeting_preparation::Entity::find()
        .filter(meeting_preparation::Column::MeetingId.eq(meeting_id))
        .one(&app.db)
        .await?
    else {
        return Ok(None);
    };
    let ids: Vec<i64> = serde_json::from_str(&p.attendee_ids).unwrap_or_default();
    Ok(Some(PreparationView {
        held_on: p.held_on,
        attendees: member_refs(app, &ids).await?,
        content: p.content,
    }))
}

/// The notice, documents, guests, preparation and check-in of a meeting.
pub(crate) async fn notice(
    app: &App,
    actor: &Actor,
    m: &meeting::Model,
    cell: &unit::Model,
    rules: &RuleSet,
) -> AppResult<Notice> {
    let documents = documents_of(app, m.id).await?;
    let record = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.eq(m.id))
        .one(&app.db)
        .await?;
    let documents_on_paper = record.as_ref().and_then(|r| r.documents_posted_on);
    let documents_on = documents_day(&documents, documents_on_paper);
    let documents_due =
        m.meeting_date - chrono::Duration::days(i64::from(rules.document_lead_days));
    let documents_late = match documents_on {
        Some(d) => !rules_domain::documents_in_time(rules, d, m.meeting_date),
        None => App::today() > documents_due,
    };
    let follower = match cell.follower_member_id {
        Some(id) => member_refs(app, &[id]).await?.pop(),
        None => None,
    };
    let guests = meeting_guest::Entity::find()
        .filter(meeting_guest::Column::MeetingId.eq(m.id))
        .order_by_asc(meeting_guest::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|g| GuestView {
            id: g.id,
            follows_cell: g.member_id.is_some() && g.member_id == cell.follower_member_id,
            full_name: g.full_name,
            title: g.title,
            member_id: g.member_id,
        })
        .collect();
    let officer = actor.can_read_path(&cell.path);
    let guest_choices = if officer {
        guest_choices(app, cell, m.meeting_date).await?
    } else {
        vec![]
    };
    let preparation = if officer {
        preparation_of(app, m.id).await?
    } else {
        None
    };
    let draft_resolution = record.and_then(|r| r.draft_resolution).filter(|_| officer);
    let start = validate::parse_time(&m.start_time).unwrap_or_default();
    let (opens_at, closes_at) =
        rules_domain::check_in_window(&rules.check_in, m.meeting_date, start);
    let now = App::now_local();
    let mine = match actor.member_id {
        Some(mid) => meeting_attendance::Entity::find()
            .filter(meeting_attendance::Column::MeetingId.eq(m.id))
            .filter(meeting_attendance::Column::MemberId.eq(mid))
            .one(&app.db)
            .await?
            .and_then(|a| a.checked_in_at),
        None => None,
    };
    let count = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id))
        .filter(meeting_attendance::Column::CheckedInAt.is_not_null())
        .count(&app.db)
        .await? as u32;
    Ok(Notice {
        agenda: agenda_of(m, rules),
        documents,
        documents_on,
        documents_due,
        documents_late,
        guests,
        guest_choices,
        follower,
        preparation,
        draft_resolution,
        documents_on_paper,
        check_in: CheckInView {
            open: !matches!(m.status.as_str(), "planned" | meetings::CANCELLED)
                && opens_at <= now
                && now <= closes_at,
            opens_at,
            closes_at,
            mine,
            count,
        },
    })
}

/// Changes the notice (topic, place, time, agenda) until the meeting is held.
pub async fn update_notice(
    app: &App,
    actor: &Actor,
    id: i64,
    input: NoticeInput,
) -> AppResult<MeetingDetail> {
    let (m, _) = meetings::manageable(app, actor, id).await?;
    if m.status == "held" {
        return Err(AppError::invalid(
            "status",
            "Buổi sinh hoạt đã diễn ra; không sửa thông báo nữa.",
        ));
    }
    let mut e = Invalid::new();
    let topic = validate::required_text(&mut e, "topic", "nội dung chính", &input.topic, 500);
    let place = validate::required_text(&mut e, "place", "địa điểm", &input.place, 255);
    let start = meetings::start_time_field(&mut e, input.start_time.as_deref());
    let agenda = clean_agenda(&mut e, input.agenda.as_deref());
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = m.clone();
    let mut am = m.into_active_model();
    am.topic = Set(topic);
    am.place = Set(place);
    am.start_time = Set(start.expect("checked"));
    am.agenda = Set(agenda);
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.notice",
        "meeting",
        Some(id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    meetings::get(app, actor, id).await
}

/// Whether the actor may attach documents to the meeting now (checked before reading a file).
pub async fn may_upload(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let (m, _) = meetings::manageable(app, actor, id).await?;
    crate::meeting_record::ensure_open(app, m.id).await
}

/// Attaches a document to a meeting (checked for size and type), kept in the database or in
/// the configured directory.
pub async fn upload_document(
    app: &App,
    actor: &Actor,
    id: i64,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<DocumentView> {
    may_upload(app, actor, id).await?;
    let m = meetings::find(app, id).await?;
    let name = chibo_domain::text::clean(file_name)
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let kind = files::check_upload(&name, bytes, app.config.upload_max_bytes)
        .map_err(|msg| AppError::invalid("file", msg))?;
    let count = meeting_document::Entity::find()
        .filter(meeting_document::Column::MeetingId.eq(m.id))
        .count(&app.db)
        .await?;
    if count >= MAX_DOCUMENTS_PER_MEETING {
        return Err(AppError::invalid(
            "file",
            format!("Mỗi buổi sinh hoạt đính kèm tối đa {MAX_DOCUMENTS_PER_MEETING} tệp."),
        ));
    }
    let sha = hex::encode(Sha256::digest(bytes));
    // A file on disk is named by its content, so writing it twice is harmless and a failed
    // transaction leaves at most an unreferenced copy.
    let (data, stored_path) = match &app.config.upload_dir {
        None => (Some(bytes.to_vec()), None),
        Some(dir) => {
            let path = dir.join(&sha);
            if !path.exists() {
                std::fs::create_dir_all(dir)
                    .and_then(|_| std::fs::write(&path, bytes))
                    .map_err(|err| AppError::Internal(format!("lưu tệp: {err}")))?;
            }
            (None, Some(sha.clone()))
        }
    };
    let tx = write_tx(&app.db).await?;
    let saved = meeting_document::ActiveModel {
        meeting_id: Set(m.id),
        file_name: Set(name),
        content_type: Set(kind.content_type.to_string()),
        size_bytes: Set(bytes.len() as i64),
        sha256: Set(sha),
        data: Set(data),
        stored_path: Set(stored_path),
        uploaded_by: Set(Some(actor.user_id)),
        uploaded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let view = document_view(saved);
    audit::record(
        &tx,
        Some(actor),
        "meeting.document.upload",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&serde_json::json!({
            "document_id": view.id,
            "file_name": view.file_name,
            "size_bytes": view.size_bytes,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// A document's name, type and bytes, for whoever may see the meeting.
pub async fn document_file(
    app: &App,
    actor: &Actor,
    doc_id: i64,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let d = meeting_document::Entity::find_by_id(doc_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    // Only whether the actor sees the meeting, not the whole meeting page.
    meetings::seen(app, actor, d.meeting_id).await?;
    let bytes = match (&d.data, &d.stored_path, &app.config.upload_dir) {
        (Some(b), _, _) => b.clone(),
        (None, Some(p), Some(dir)) => std::fs::read(dir.join(p))
            .map_err(|err| AppError::Internal(format!("đọc tệp {p}: {err}")))?,
        _ => {
            return Err(AppError::Internal(
                "tệp được lưu ngoài cơ sở dữ liệu nhưng chưa cấu hình thư mục tải lên".into(),
            ));
        }
    };
    Ok((document_view(d), bytes))
}

/// Removes a document before the meeting is held (afterwards it is part of the record).
pub async fn delete_document(app: &App, actor: &Actor, doc_id: i64) -> AppResult<MeetingDetail> {
    let d = meeting_document::Entity::find_by_id(doc_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (m, _) = meetings::manageable(app, actor, d.meeting_id).await?;
    if m.status == "held" {
        return Err(AppError::invalid(
            "file",
            "Buổi sinh hoạt đã diễn ra; tài liệu đã gửi được lưu cùng hồ sơ, không xóa được.",
        ));
    }
    let tx = write_tx(&app.db).await?;
    meeting_document::Entity::delete_by_id(d.id)
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.document.delete",
        "meeting",
        Some(m.id),
        Some(&serde_json::json!({ "document_id": d.id, "file_name": d.file_name })),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    meetings::get(app, actor, m.id).await
}

/// Records the cell committee's preparatory meeting and the draft resolution it agreed.
pub async fn save_preparation(
    app: &App,
    actor: &Actor,
    id: i64,
    input: PreparationInput,
) -> AppResult<MeetingDetail> {
    let (m, cell) = meetings::manageable(app, actor, id).await?;
    crate::meeting_record::ensure_open(app, m.id).await?;
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
    let draft = validate::optional_text(
        &mut e,
        "draft_resolution",
        "dự thảo nghị quyết",
        input.draft_resolution.as_deref(),
        20_000,
    );
    let roll: HashMap<i64, Standing> = meetings::roll(app, &cell, m.meeting_date)
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
    let tx = write_tx(&app.db).await?;
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
        am.update(&tx).await?
    } else {
        am.insert(&tx).await?
    };
    match record {
        Some(r) => {
            let mut rm = r.into_active_model();
            rm.draft_resolution = Set(draft);
            rm.updated_at = Set(now);
            rm.update(&tx).await?;
        }
        None => {
            meeting_record::ActiveModel {
                meeting_id: Set(m.id),
                draft_resolution: Set(draft),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
    }
    audit::record(
        &tx,
        Some(actor),
        "meeting.preparation",
        "meeting",
        Some(m.id),
        existing.as_ref(),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    meetings::get(app, actor, id).await
}

/// Records a guest: a superior committee member or another invited person.
pub async fn add_guest(
    app: &App,
    actor: &Actor,
    id: i64,
    input: GuestInput,
) -> AppResult<MeetingDetail> {
    let (m, cell) = meetings::manageable(app, actor, id).await?;
    crate::meeting_record::ensure_open(app, m.id).await?;
    let mut e = Invalid::new();
    let title = validate::optional_text(&mut e, "title", "chức vụ", Some(&input.title), 255)
        .unwrap_or_default();
    // A guest picked by id must be one of the choices the form offers: any other id, known or
    // not, gets the same answer, so the form reveals no name outside the user's view.
    let (full_name, title) = match input.member_id {
        Some(mid) => match guest_choices(app, &cell, m.meeting_date)
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
    let tx = write_tx(&app.db).await?;
    let g = meeting_guest::ActiveModel {
        meeting_id: Set(m.id),
        member_id: Set(input.member_id),
        full_name: Set(full_name),
        title: Set(title),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.guest.add",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&g),
    )
    .await?;
    tx.commit().await?;
    meetings::get(app, actor, id).await
}

pub async fn remove_guest(app: &App, actor: &Actor, guest_id: i64) -> AppResult<MeetingDetail> {
    let g = meeting_guest::Entity::find_by_id(guest_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (m, _) = meetings::manageable(app, actor, g.meeting_id).await?;
    crate::meeting_record::ensure_open(app, m.id).await?;
    let tx = write_tx(&app.db).await?;
    meeting_guest::Entity::delete_by_id(g.id).exec(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.guest.remove",
        "meeting",
        Some(m.id),
        Some(&g),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    meetings::get(app, actor, m.id).await
}

/// The superior committee's members on `on` (officers of the cell's parent) and the cell's
/// follower, as a guest may be picked from them.
async fn guest_choices(
    app: &App,
    cell: &unit::Model,
    on: NaiveDate,
) -> AppResult<Vec<GuestChoice>> {
    let mut out = Vec::new();
    if let Some(parent_id) = cell.parent_id {
        let parent = units::find(&app.db, parent_id).await?;
        let parent_name = parent.map(|p| p.name).unwrap_or_default();
        let officers = crate::members::officers_on(&app.db, parent_id, on).await?;
        // A committee member who belongs to this cell is on its attendance sheet, not a guest.
        let ids: Vec<i64> = officers.iter().map(|p| p.member_id).collect();
        let inside: std::collections::HashSet<i64> = member::Entity::find()
            .filter(member::Column::Id.is_in(ids))
            .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&cell.path)))
            .all(&app.db)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        for p in officers
            .into_iter()
            .filter(|p| !inside.contains(&p.member_id))
        {
            out.push(GuestChoice {
                title: format!("{} {parent_name}", p.kind_label),
                member: MemberRef {
                    id: p.member_id,
                    name: p.member_name,
                },
            });
        }
    }
    if let Some(id) = cell.follower_member_id
        && !out.iter().any(|c| c.member.id == id)
        && let Some(f) = member_refs(app, &[id]).await?.pop()
    {
        out.push(GuestChoice {
            member: f,
            title: "Cấp ủy viên theo dõi chi bộ".into(),
        });
    }
    Ok(out)
}

/// The follower of a cell and how many of its meetings this year they attended.
pub async fn follower(app: &App, actor: &Actor, unit_id: i64) -> AppResult<FollowerView> {
    let cell = meetings::visible_cell(app, actor, unit_id).await?;
    follower_view(app, &cell).await
}

async fn follower_view(app: &App, cell: &unit::Model) -> AppResult<FollowerView> {
    let year = chrono::Datelike::year(&App::today());
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
    let held: Vec<i64> = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell.id))
        .filter(meeting::Column::Status.eq("held"))
        .filter(meeting::Column::MeetingDate.gte(jan1))
        .filter(meeting::Column::MeetingDate.lte(App::today()))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let follower = match cell.follower_member_id {
        Some(id) => member_refs(app, &[id]).await?.pop(),
        None => None,
    };
    let attended = match &follower {
        Some(f) => {
            meeting_guest::Entity::find()
                .filter(meeting_guest::Column::MeetingId.is_in(held.clone()))
                .filter(meeting_guest::Column::MemberId.eq(f.id))
                .count(&app.db)
                .await? as u32
        }
        None => 0,
    };
    Ok(FollowerView {
        unit: units::UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        follower,
        year,
        meetings_held: held.len() as u32,
        attended,
    })
}

/// Members who may follow the cell: on the roll of its superior organisation, outside the cell,
/// in name order (for the superior committee's choice).
pub async fn follower_choices(
    app: &App,
    actor: &Actor,
    unit_id: i64,
) -> AppResult<Vec<(i64, String)>> {
    let cell = actor.readable(units::find(&app.db, unit_id).await?)?.0;
    actor.require(actor.supervises(&cell))?;
    let Some(parent) = (match cell.parent_id {
        Some(p) => units::find(&app.db, p).await?,
        None => None,
    }) else {
        return Ok(vec![]);
    };
    Ok(member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&parent.path)))
        .filter(member::Column::Status.is_in(crate::members::on_roll_codes()))
        .order_by_asc(member::Column::SortKey)
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|m| !m.unit_path.starts_with(&cell.path))
        .map(|m| (m.id, m.full_name))
        .collect())
}

/// Names the superior committee member who follows a cell (the superior committee decides).
pub async fn set_follower(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: FollowerInput,
) -> AppResult<FollowerView> {
    let cell = actor.readable(units::find(&app.db, unit_id).await?)?.0;
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
                    && crate::members::on_roll_codes().contains(&x.status.as_str())
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
    let before = cell.clone();
    let mut am = cell.into_active_model();
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

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// The meeting's check-in code, made on first use (officers show it as a QR code).
pub async fn check_in_code(app: &App, actor: &Actor, id: i64) -> AppResult<String> {
    let (m, _) = meetings::manageable(app, actor, id).await?;
    if let Some(c) = m.checkin_code {
        return Ok(c);
    }
    if m.status == "planned" {
        return Err(AppError::invalid(
            "status",
            "Phát hành thông báo trước khi mở điểm danh bằng mã QR.",
        ));
    }
    let code: String = {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..8)
            .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
            .collect()
    };
    let tx = write_tx(&app.db).await?;
    let mut am = m.into_active_model();
    am.checkin_code = Set(Some(code.clone()));
    am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.check_in_code",
        "meeting",
        Some(id),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// Normalises a typed code: upper case, without spaces or dashes.
fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A member checks themselves in with the meeting's code, once, inside the window.
pub async fn check_in(
    app: &App,
    actor: &Actor,
    id: i64,
    input: CheckInInput,
) -> AppResult<MeetingDetail> {
    let (m, cell) = meetings::seen(app, actor, id).await?;
    if m.status == "planned" {
        return Err(AppError::invalid(
            "code",
            "Buổi sinh hoạt chưa được thông báo; chưa mở điểm danh.",
        ));
    }
    if m.status == meetings::CANCELLED {
        return Err(AppError::invalid("code", "Buổi sinh hoạt đã bị hủy."));
    }
    crate::meeting_record::ensure_open(app, m.id).await?;
    let wrong = || AppError::invalid("code", "Mã điểm danh không đúng với buổi sinh hoạt này.");
    let Some(code) = &m.checkin_code else {
        return Err(wrong());
    };
    if normalise_code(&input.code) != *code {
        return Err(wrong());
    }
    let Some(mid) = actor.member_id else {
        return Err(AppError::invalid(
            "code",
            "Tài khoản này không gắn với đảng viên nào nên không tự điểm danh được.",
        ));
    };
    let (rules, _) = meetings::rule_set_of(app, &m).await?;
    let start = validate::parse_time(&m.start_time).unwrap_or_default();
    let now = App::now_local();
    if !rules_domain::check_in_open(&rules.check_in, m.meeting_date, start, now) {
        let (from, to) = rules_domain::check_in_window(&rules.check_in, m.meeting_date, start);
        return Err(AppError::invalid(
            "code",
            format!(
                "Chỉ điểm danh được trong thời gian họp: từ {} đến {}.",
                from.format("%H:%M ngày %d/%m/%Y"),
                to.format("%H:%M ngày %d/%m/%Y")
            ),
        ));
    }
    let standing = meetings::roll(app, &cell, m.meeting_date)
        .await?
        .into_iter()
        .find(|r| r.member.id == mid)
        .map(|r| r.standing);
    if !matches!(standing, Some(Standing::Working | Standing::Exempt)) {
        return Err(AppError::invalid(
            "code",
            "Bạn không có tên trong danh sách sinh hoạt của chi bộ vào ngày họp.",
        ));
    }
    let tx = write_tx(&app.db).await?;
    let existing = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id))
        .filter(meeting_attendance::Column::MemberId.eq(mid))
        .one(&tx)
        .await?;
    let at = Utc::now();
    match existing {
        Some(a) if a.checked_in_at.is_some() => {
            return Err(AppError::invalid(
                "code",
                format!(
                    "Bạn đã điểm danh lúc {}.",
                    App::local(a.checked_in_at.expect("checked")).format("%H:%M")
                ),
            ));
        }
        Some(a) if a.presence == "present" => {
            return Err(AppError::invalid(
                "code",
                "Thư ký đã ghi bạn có mặt; không cần điểm danh lại.",
            ));
        }
        Some(a) => {
            let mut am = a.into_active_model();
            am.presence = Set("present".into());
            am.reason = Set(None);
            am.recorded_at = Set(at);
            am.checked_in_at = Set(Some(at));
            am.update(&tx).await?;
        }
        None => {
            let inserted = meeting_attendance::ActiveModel {
                meeting_id: Set(m.id),
                member_id: Set(mid),
                presence: Set("present".into()),
                reason: Set(None),
                recorded_at: Set(at),
                checked_in_at: Set(Some(at)),
                ..Default::default()
            }
            .insert(&tx)
            .await;
            match inserted {
                Err(err) if is_unique_violation(&err) => {
                    return Err(AppError::invalid("code", "Bạn đã điểm danh rồi."));
                }
                other => {
                    other?;
                }
            }
        }
    }
    meetings::mark_held(&tx, &m).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.check_in",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&serde_json::json!({ "member_id": mid })),
    )
    .await?;
    tx.commit().await?;
    meetings::get(app, actor, id).await
}
