//! What a meeting's notice shows: agenda, documents, guests, the preparation checklist and the
//! check-in state (the read side of the preparation modules).

use chibo_domain::cursor::Cursor;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::rules::{self as rules_domain, RuleSet};
use chibo_domain::validate;
use chibo_store::entities::{
    meeting, meeting_attendance, meeting_document, meeting_guest, meeting_preparation,
    meeting_record, member, unit,
};
use chibo_store::sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use chibo_store::subtree::Subtree;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, CellProof, MeetingOf};
use crate::meetings::lookup;
use crate::membership::members;
use crate::org::units;
use crate::refs::{MemberChoices, MemberRef};
use crate::{App, AppResult};

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

/// A meeting's guests after one was added or removed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingGuests {
    pub meeting_id: i64,
    pub guests: Vec<GuestView>,
}

/// A meeting's documents after one was removed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingDocuments {
    pub meeting_id: i64,
    pub documents: Vec<DocumentView>,
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
    /// When the window opens and closes, in Vietnam's time (`+07:00`).
    pub opens_at: DateTime<FixedOffset>,
    pub closes_at: DateTime<FixedOffset>,
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
    /// The cell's officers (secretary, deputy, committee members) on the meeting's day, for
    /// the officers and the superior committee: the preparatory meeting is theirs.
    pub committee_ids: Vec<i64>,
    /// The day documents were handed out on paper, as the record gives it.
    pub documents_on_paper: Option<NaiveDate>,
    pub check_in: CheckInView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowerView {
    pub unit: crate::refs::UnitRef,
    pub follower: Option<MemberRef>,
    pub year: i32,
    /// Meetings of the cell held this year.
    pub meetings_held: u32,
    /// Of those, how many the follower attended as a guest.
    pub attended: u32,
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

fn size_text(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        let tenths = (bytes * 10 + 1024 * 1024 - 1) / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

pub(crate) fn document_view(d: meeting_document::Model) -> DocumentView {
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

/// The documents of the meeting `h` proves access to, oldest first.
pub(crate) async fn documents_of<P>(app: &App, h: &P) -> AppResult<Vec<DocumentView>>
where
    P: CellProof + std::ops::Deref<Target = MeetingOf>,
{
    let meeting_id = h.meeting.id;
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

async fn member_refs(app: &App, ids: &[i64]) -> AppResult<Vec<MemberRef>> {
    let found = crate::lookup::member_names(&app.db, ids).await?;
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

/// The guests of the meeting `h` proves access to, in the order they were added.
pub(crate) async fn guests_of<P>(app: &App, h: &P) -> AppResult<Vec<GuestView>>
where
    P: CellProof + std::ops::Deref<Target = MeetingOf>,
{
    let cell = &h.cell;
    Ok(meeting_guest::Entity::find()
        .filter(meeting_guest::Column::MeetingId.eq(h.meeting.id))
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
        .collect())
}

/// What the page has read of a meeting before its notice: the record and the actor's own
/// attendance row (each also shown elsewhere on the page).
pub(crate) struct Read<'a> {
    pub record: Option<&'a meeting_record::Model>,
    pub own: Option<&'a meeting_attendance::Model>,
}

/// The meeting's record, if one was written.
pub(crate) async fn record_of(
    app: &App,
    meeting_id: i64,
) -> AppResult<Option<meeting_record::Model>> {
    Ok(meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.eq(meeting_id))
        .one(&app.db)
        .await?)
}

/// The notice, documents, guests, preparation and check-in of a meeting.
pub(crate) async fn notice<P>(
    app: &App,
    actor: &Actor,
    seen: &P,
    rules: &RuleSet,
    Read { record, own }: Read<'_>,
) -> AppResult<Notice>
where
    P: CellProof + std::ops::Deref<Target = MeetingOf>,
{
    let (m, cell) = (&seen.meeting, &seen.cell);
    let documents = documents_of(app, seen).await?;
    let documents_on_paper = record.and_then(|r| r.documents_posted_on);
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
    let guests = guests_of(app, seen).await?;
    let officer = actor.can_read_path(&cell.path);
    let guest_choices = if officer {
        guest_choices(app, seen, m.meeting_date).await?
    } else {
        vec![]
    };
    let (preparation, committee_ids) = if officer {
        let committee = members::officers_on(&app.db, m.unit_id, m.meeting_date).await?;
        (
            preparation_of(app, m.id).await?,
            committee.into_iter().map(|p| p.member_id).collect(),
        )
    } else {
        (None, vec![])
    };
    let draft_resolution = record
        .and_then(|r| r.draft_resolution.clone())
        .filter(|_| officer);
    let start = validate::parse_time(&m.start_time).unwrap_or_default();
    let (opens_at, closes_at) =
        rules_domain::check_in_window(&rules.check_in, m.meeting_date, start);
    let now = App::now_local();
    let mine = own.and_then(|a| a.checked_in_at);
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
        committee_ids,
        documents_on_paper,
        check_in: CheckInView {
            open: lookup::meeting_status(m).takes_place() && opens_at <= now && now <= closes_at,
            opens_at: App::in_vietnam(opens_at),
            closes_at: App::in_vietnam(closes_at),
            mine,
            count,
        },
    })
}

/// The superior committee's members on `on` (officers of the cell's parent) and the cell's
/// follower, as a guest may be picked from them.
pub(crate) async fn guest_choices(
    app: &App,
    cell: &impl CellProof,
    on: NaiveDate,
) -> AppResult<Vec<GuestChoice>> {
    let subtree = Subtree::of(cell);
    let cell = cell.cell();
    let mut out = Vec::new();
    if let Some(parent_id) = cell.parent_id {
        let parent = units::find(&app.db, parent_id).await?;
        let parent_name = parent.map(|p| p.name).unwrap_or_default();
        let officers = members::officers_on(&app.db, parent_id, on).await?;
        // A committee member who belongs to this cell is on its attendance sheet, not a guest.
        let ids: Vec<i64> = officers.iter().map(|p| p.member_id).collect();
        let inside: std::collections::HashSet<i64> = member::Entity::find()
            .filter(member::Column::Id.is_in(ids))
            .filter(subtree.contains(member::Column::UnitPath))
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

pub(crate) async fn follower_view(app: &App, cell: &unit::Model) -> AppResult<FollowerView> {
    let year = chrono::Datelike::year(&App::today());
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
    let held: Vec<i64> = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell.id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held.code()))
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
        unit: crate::refs::UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        follower,
        year,
        meetings_held: held.len() as u32,
        attended,
    })
}

/// The day documents reached members: the first upload, or an earlier date the record gives
/// (documents handed out on paper).
pub(crate) fn documents_day(
    uploads: &[DocumentView],
    recorded: Option<NaiveDate>,
) -> Option<NaiveDate> {
    uploads.iter().map(|d| d.uploaded_on).chain(recorded).min()
}

/// The dates a meeting's preparation is judged on: when the cell committee prepared it and
/// when its documents reached members.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lead {
    pub prepared_on: Option<NaiveDate>,
    pub documents_on: Option<NaiveDate>,
    /// The committee agreed a draft resolution before the meeting.
    pub draft_present: bool,
}

fn has_text(t: Option<&str>) -> bool {
    t.is_some_and(|t| !t.trim().is_empty())
}

impl Lead {
    /// Taken from a notice already read (an officer's: it carries the preparation).
    pub(crate) fn of_notice(n: &Notice) -> Self {
        Lead {
            prepared_on: n.preparation.as_ref().map(|p| p.held_on),
            documents_on: n.documents_on,
            draft_present: has_text(n.draft_resolution.as_deref()),
        }
    }
}

/// The lead of a meeting, read on its own (after a change to the record).
pub(crate) async fn lead_of<P>(
    app: &App,
    h: &P,
    record: Option<&meeting_record::Model>,
) -> AppResult<Lead>
where
    P: CellProof + std::ops::Deref<Target = MeetingOf>,
{
    let meeting_id = h.meeting.id;
    let prepared_on = meeting_preparation::Entity::find()
        .filter(meeting_preparation::Column::MeetingId.eq(meeting_id))
        .one(&app.db)
        .await?
        .map(|p| p.held_on);
    let documents = documents_of(app, h).await?;
    Ok(Lead {
        prepared_on,
        documents_on: documents_day(&documents, record.and_then(|r| r.documents_posted_on)),
        draft_present: has_text(record.and_then(|r| r.draft_resolution.as_deref())),
    })
}

/// The follower of a cell and how many of its meetings this year they attended.
pub async fn follower(app: &App, actor: &Actor, unit_id: i64) -> AppResult<FollowerView> {
    let cell = lookup::visible_cell(app, actor, unit_id).await?;
    follower_view(app, &cell).await
}

/// Members who may follow the cell: on the roll of its superior organisation, outside the cell,
/// whose name contains `q`, in name order a page at a time (for the superior committee's
/// choice; a commune has thousands of members).
pub async fn follower_choices(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<MemberChoices> {
    let cell = actor.visible(units::find(&app.db, unit_id).await?)?;
    actor.require(actor.supervises(&cell))?;
    let Some(parent_id) = cell.parent_id else {
        return Ok(MemberChoices::default());
    };
    // The superior committee reads the cell's parent: its grant lies on the parent or above.
    let parent = actor.visible(units::find(&app.db, parent_id).await?)?;
    members::choices_in_name_order(
        &app.db,
        member::Entity::find()
            .filter(Subtree::of(&parent).contains(member::Column::UnitPath))
            .filter(Subtree::of(&cell).contains(member::Column::UnitPath).not())
            .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes())),
        q,
        after,
        per_page,
    )
    .await
}
