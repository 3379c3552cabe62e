//! The meeting page and the meeting lists. The page reads each of its parts once; a write
//! answers with the part it changed, never with the page.

use std::collections::HashMap;

use chibo_domain::cursor::Cursor;
use chibo_domain::ids::MemberId;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::org::UnitKind;
use chibo_store::entities::{meeting, member, unit};
use chibo_store::sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement, UnionType};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, MeetingAccess, MeetingOf};
use crate::meetings::away::{self, AwayPart};
use crate::meetings::lines::{MeetingLine, lines_of};
use crate::meetings::lookup::{
    AttendanceSummary, MeetingView, SheetRow, meeting_status, meeting_views, rule_sets, view_of,
    views_with_cells, visible_cell, visible_meeting,
};
use crate::meetings::mine::{self, MyMeeting};
use crate::meetings::notice::{self, FollowerView};
use crate::meetings::{held, sheet};
use crate::refs::{MemberChoices, UnitRef};
use crate::rules::{self, RuleSetView};
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingDetail {
    pub meeting: MeetingView,
    /// Members expected at the meeting (working, suspended…), in Vietnamese order; empty for a
    /// member who only attends (see `mine`).
    pub sheet: Vec<SheetRow>,
    /// Exempt members and those transferred out for the time being, listed apart.
    pub apart: Vec<SheetRow>,
    /// The sheet's figures, for the cell's officers, the superior committee and the meeting's
    /// chair and minute-taker.
    pub summary: Option<AttendanceSummary>,
    pub can_manage: bool,
    /// May open the cell's own page (a member who only attends may not: they get its meetings).
    pub can_read_cell: bool,
    /// Agenda, documents, guests, preparation and check-in.
    pub notice: notice::Notice,
    /// The record, tasks and score of a held meeting (officers and the superior committee).
    pub held: Option<held::HeldDetail>,
    /// The meeting as it concerns a member who only attends it: their attendance, the
    /// resolution and their tasks. Absent for those who read the whole sheet.
    pub mine: Option<MyMeeting>,
    /// For those who read the meeting whole: the members who confirmed reading its documents
    /// or sent a written opinion before it (`away`).
    pub away: Vec<AwayPart>,
}

/// A page of a cell's meetings, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingPage {
    pub items: Vec<MeetingView>,
    /// Pass as `after` for the older meetings; absent on the last page.
    pub next: Option<String>,
    /// For those who read the cell (its officers, the superior committee): each held meeting
    /// of the page with its attendance, score and sign-off. Empty for a member.
    pub lines: Vec<MeetingLine>,
}

/// Meetings of a cell, newest first, `per_page` of them after `after` (a keyset on the date
/// and the id). Members of the cell see announced ones.
pub async fn list(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<MeetingPage> {
    let cell = visible_cell(app, actor, unit_id).await?;
    let per_page = per_page.clamp(1, 500);
    let mut q = meeting::Entity::find().filter(meeting::Column::UnitId.eq(cell.id));
    if !actor.can_read_path(&cell.path) {
        q = q.filter(seen_by_attendees());
    }
    if let Some(c) = after {
        q = q.filter(crate::paging::older_than(
            c,
            meeting::Column::MeetingDate,
            meeting::Column::Id,
        )?);
    }
    let mut rows = q
        .order_by_desc(meeting::Column::MeetingDate)
        .order_by_desc(meeting::Column::Id)
        .limit(per_page + 1)
        .all(&app.db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |m| {
        Cursor::new(m.meeting_date.to_string(), m.id).encode()
    });
    let lines = if actor.can_read_path(&cell.path) {
        lines_of(app, &rows).await?
    } else {
        vec![]
    };
    Ok(MeetingPage {
        items: meeting_views(app, &rows).await?,
        next,
        lines,
    })
}

/// The meetings a cell's members see, as `MeetingStatus::seen_by_attendees`: announced or
/// held, or cancelled after it was announced.
pub(crate) fn seen_by_attendees() -> Condition {
    let seen = |published: bool| {
        MeetingStatus::ALL
            .iter()
            .filter(|s| s.seen_by_attendees(published))
            .map(|s| s.code())
            .collect::<Vec<_>>()
    };
    Condition::any()
        .add(meeting::Column::Status.is_in(seen(false)))
        .add(
            Condition::all()
                .add(meeting::Column::Status.is_in(seen(true)))
                .add(meeting::Column::PublishedAt.is_not_null()),
        )
}

/// The cells whose meetings member `member_id` is told of, as one subquery: their own (see
/// [`own_cell`]) and those they follow for the superior committee.
pub(crate) fn cells_of_member(member_id: i64) -> SelectStatement {
    let followed = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .filter(unit::Column::FollowerMemberId.eq(member_id))
        .filter(unit::Column::DissolvedOn.is_null())
        .into_query();
    // A UNION of the two: with an OR of two subqueries PostgreSQL read every meeting from
    // today on (45 ms at a province) instead of the few cells' own.
    own_cell(member_id)
        .union(UnionType::Distinct, followed)
        .to_owned()
}

/// The cell a member meets in, as a subquery: their unit, or the cell above it when that is a
/// party group.
fn own_cell(member_id: i64) -> SelectStatement {
    Query::select()
        .expr(
            Expr::case(
                Expr::col((unit::Entity, unit::Column::Kind)).eq(UnitKind::Group.code()),
                Expr::col((unit::Entity, unit::Column::ParentId)),
            )
            .finally(Expr::col((unit::Entity, unit::Column::Id))),
        )
        .from(unit::Entity)
        .inner_join(
            member::Entity,
            Expr::col((member::Entity, member::Column::UnitId))
                .equals((unit::Entity, unit::Column::Id)),
        )
        .and_where(Expr::col((member::Entity, member::Column::Id)).eq(member_id))
        .to_owned()
}

/// Published meetings from today on in the actor's own cell and in the cells they follow for
/// the superior committee (a member's home page).
pub async fn upcoming_for_me(app: &App, actor: &Actor) -> AppResult<Vec<MeetingView>> {
    let Some(mid) = actor.member_id().map(MemberId::get) else {
        return Ok(vec![]);
    };
    // Each meeting with its cell, joined: the page every member opens reads one statement.
    let rows: Vec<(meeting::Model, Option<unit::Model>)> = meeting::Entity::find()
        .join(
            JoinType::InnerJoin,
            meeting::Entity::belongs_to(unit::Entity)
                .from(meeting::Column::UnitId)
                .to(unit::Column::Id)
                .into(),
        )
        .select_also(unit::Entity)
        // The own cell and the cells followed, as one subquery of the one query: what every
        // member's home page reads.
        .filter(meeting::Column::UnitId.in_subquery(cells_of_member(mid)))
        .filter(meeting::Column::MeetingDate.gte(App::today()))
        .filter(
            meeting::Column::Status.is_in(MeetingStatus::codes_where(MeetingStatus::takes_place)),
        )
        .order_by_asc(meeting::Column::MeetingDate)
        .order_by_asc(meeting::Column::StartTime)
        .order_by_asc(meeting::Column::Id)
        .all(&app.db)
        .await?;
    let cells: HashMap<i64, String> = rows
        .iter()
        .filter_map(|(_, u)| u.as_ref().map(|u| (u.id, u.name.clone())))
        .collect();
    let meetings: Vec<meeting::Model> = rows.into_iter().map(|(m, _)| m).collect();
    views_with_cells(app, &meetings, &cells).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PastResolution {
    pub meeting: MeetingView,
    pub resolution_text: String,
    pub votes_for: Option<i32>,
    pub votes_against: Option<i32>,
    pub votes_abstain: Option<i32>,
    /// The minutes were approved by the chair and the minute-taker.
    pub approved: bool,
}

/// Resolutions of the member's own cell over the last twelve months, newest first.
pub async fn resolutions_for_me(app: &App, actor: &Actor) -> AppResult<Vec<PastResolution>> {
    use chibo_store::entities::{meeting_approval, meeting_record};
    let Some(mid) = actor.member_id().map(MemberId::get) else {
        return Ok(vec![]);
    };
    let since = App::today() - chrono::Duration::days(366);
    let held_query = || {
        meeting::Entity::find()
            .filter(meeting::Column::UnitId.in_subquery(own_cell(mid)))
            .filter(meeting::Column::Status.eq(MeetingStatus::Held.code()))
            .filter(meeting::Column::MeetingDate.gte(since))
    };
    let held: Vec<meeting::Model> = held_query()
        .order_by_desc(meeting::Column::MeetingDate)
        .all(&app.db)
        .await?;
    // The records and sign-offs of those meetings, by subquery rather than a list of ids.
    let held_ids = || {
        held_query()
            .select_only()
            .column(meeting::Column::Id)
            .into_query()
    };
    let records: HashMap<i64, meeting_record::Model> = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.in_subquery(held_ids()))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| (r.meeting_id, r))
        .collect();
    let mut approvals: HashMap<i64, usize> = HashMap::new();
    for a in meeting_approval::Entity::find()
        .filter(meeting_approval::Column::MeetingId.in_subquery(held_ids()))
        .all(&app.db)
        .await?
    {
        *approvals.entry(a.meeting_id).or_default() += 1;
    }
    let views = meeting_views(app, &held).await?;
    let mut out = Vec::new();
    for (m, meeting) in held.iter().zip(views) {
        let Some(r) = records.get(&m.id) else {
            continue;
        };
        let Some(text) = r.resolution_text.clone().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        out.push(PastResolution {
            meeting,
            resolution_text: text,
            votes_for: r.votes_for,
            votes_against: r.votes_against,
            votes_abstain: r.votes_abstain,
            approved: approvals.get(&m.id).copied().unwrap_or(0) >= 2,
        });
    }
    Ok(out)
}

/// The meeting page: the notice and, for officers, the superior committee and the meeting's
/// chair and minute-taker, the attendance sheet and once it is held the record; for a member
/// who only attends, their own part of it. Every part is read once.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<MeetingDetail> {
    let seen = visible_meeting(app, actor, id).await?;
    let record = notice::record_of(app, seen.meeting.id).await?;
    let access = actor.meeting_access(seen, record.as_ref());
    let MeetingOf { meeting: m, cell } = access.of();
    let sets = rule_sets(app, &[m.rule_set_id]).await?;
    let (rules, rule_name) = &**sets.get(&m.rule_set_id).ok_or(AppError::NotFound)?;
    let own = mine::own_attendance(app, actor, m.id).await?;
    let read = notice::Read {
        record: record.as_ref(),
        own: own.as_ref(),
    };
    let meeting = view_of(m, &cell.name, rules, rule_name);
    let can_manage = actor.can_manage_members(cell);
    let can_read_cell = actor.can_read_path(&cell.path);
    let h = match access {
        MeetingAccess::Whole(h) => h,
        MeetingAccess::Attends(h) => {
            let notice = notice::notice(app, actor, &h, rules, read).await?;
            let mut mine =
                mine::my_part(app, actor, &h.meeting, own.as_ref(), record.as_ref()).await?;
            mine.away = away::mine(app, actor, &h.meeting, &h.cell, record.as_ref()).await?;
            return Ok(MeetingDetail {
                meeting,
                sheet: vec![],
                apart: vec![],
                summary: None,
                can_manage,
                can_read_cell,
                notice,
                held: None,
                mine: Some(mine),
                away: vec![],
            });
        }
    };
    let notice = notice::notice(app, actor, &h, rules, read).await?;
    let attendance = sheet::attendance_sheet(app, &h, rules).await?;
    let held = if meeting_status(&h.meeting) == MeetingStatus::Held {
        let lead = (notice::Lead::of_notice(&notice), record.as_ref());
        Some(sheet::held_part(app, actor, &h, rules, &attendance, lead).await?)
    } else {
        None
    };
    Ok(MeetingDetail {
        meeting,
        can_manage,
        can_read_cell,
        sheet: attendance.sheet,
        apart: attendance.apart,
        summary: Some(attendance.summary),
        notice,
        held,
        mine: None,
        away: away::parts_of(app, &h).await?,
    })
}

/// A cell's meetings page: its meetings, and what the actor may do there.
#[derive(Debug, Clone, Serialize)]
pub struct CellMeetings {
    pub unit: UnitRef,
    /// The actor may open the cell's own page (a member may not: the breadcrumb is plain text).
    pub can_read_cell: bool,
    /// The newest meetings; `next` leads to older ones.
    pub meetings: MeetingPage,
    /// The actor manages the cell and it still exists (a dissolved or merged cell holds no more
    /// meetings).
    pub can_schedule: bool,
    /// The rule set new meetings would be judged by (shown beside the scheduling form).
    pub rule_set: Option<RuleSetView>,
    pub follower: FollowerView,
    /// The actor is on the superior committee and may name the follower.
    pub can_set_follower: bool,
    /// The first members to choose the follower from (searched by name for the rest).
    pub follower_choices: MemberChoices,
}

/// How many members the cell's meetings page offers as its follower before a search.
pub const FIRST_FOLLOWER_CHOICES: u64 = 50;

pub async fn cell_meetings(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    after: Option<&Cursor>,
) -> AppResult<CellMeetings> {
    let meetings = list(app, actor, unit_id, after, 50).await?;
    let cell = visible_cell(app, actor, unit_id).await?;
    let can_schedule = cell.dissolved_on.is_none() && actor.may_manage(&cell);
    let rule_set = if can_schedule {
        rules::in_force(app, actor, unit_id, App::today()).await?
    } else {
        None
    };
    let can_set_follower = actor.supervises(&cell);
    let follower_choices = if can_set_follower {
        notice::follower_choices(app, actor, unit_id, None, None, FIRST_FOLLOWER_CHOICES).await?
    } else {
        MemberChoices::default()
    };
    Ok(CellMeetings {
        unit: UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        can_read_cell: actor.can_read_path(&cell.path),
        meetings,
        can_schedule,
        rule_set,
        follower: notice::follower_view(app, &cell).await?,
        can_set_follower,
        follower_choices,
    })
}
