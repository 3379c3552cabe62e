//! Finding a meeting the actor may see or manage, the rule set that judges it, and the cell's roll
//! on the meeting date: what every other meetings module starts from.

use std::collections::{HashMap, HashSet};

use chibo_domain::meeting::MeetingStatus;
use chibo_domain::member::RollKind;
use chibo_domain::member::{self as member_rules, Status, StatusEvent, StatusEventKind};
use chibo_domain::rules::{Presence, RuleSet, Standing};
use chibo_store::entities::{meeting, member, member_event, member_unit, unit};
use chibo_store::sea_orm::sea_query::{Alias, Expr, Query};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, Attends, CellProof, Manages, MeetingOf, Visible};
use crate::org::units;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult};

pub(crate) use crate::lookup::{kind_label_of, rule_set_of, rule_sets};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub unit: UnitRef,
    /// `regular`, `thematic`, `extraordinary`, `committee` (as the rule set names them).
    pub kind: String,
    pub kind_label: String,
    /// A regular meeting held together with a thematic one.
    pub combined: bool,
    pub topic: String,
    pub meeting_date: NaiveDate,
    /// `HH:MM`.
    pub start_time: String,
    pub place: String,
    /// `planned`, `published` (notice sent), `held` (attendance taken).
    pub status: String,
    pub status_label: String,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why a cancelled meeting was cancelled (by the cell, or its cell dissolved or merged).
    pub cancelled_reason: Option<String>,
    /// The day a postponed meeting was first set for, and why it moved (shown to members).
    pub postponed_from: Option<NaiveDate>,
    pub postponed_reason: Option<String>,
    /// The number of its resolution in the cell and year, given when it was held.
    pub resolution_number: Option<i32>,
    /// The rule set that judges this meeting.
    pub rule_set: UnitRef,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SheetRow {
    pub member_id: i64,
    pub full_name: String,
    /// The cell or party group the member belongs to.
    pub unit_name: String,
    /// `working`, `exempt`, `transferred_out_temp`, `suspended`, `detained`, `special_duty`.
    pub standing: String,
    pub standing_label: String,
    /// Temporarily transferred in from another cell.
    pub transferred_in: bool,
    /// Official (not probationary) on the meeting date.
    pub official: bool,
    /// `present`, `absent_excused`, `absent_unexcused`; `null` until recorded.
    pub presence: Option<String>,
    pub reason: Option<String>,
    /// Checked in with the meeting's QR code (present on their own word, shown as such).
    pub checked_in: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceSummary {
    pub expected: u32,
    pub present: u32,
    pub absent_excused: u32,
    pub absent_unexcused: u32,
    pub exempt_present: u32,
    pub not_recorded: u32,
    /// e.g. "85,3%".
    pub rate_text: String,
    /// e.g. "trên 85%".
    pub threshold_text: String,
    pub threshold_met: bool,
    pub unexcused_names: Vec<String>,
}

/// The meeting's status; the column holds only `MeetingStatus` codes, written by the use cases.
pub fn meeting_status(m: &meeting::Model) -> MeetingStatus {
    MeetingStatus::from_code(&m.status).unwrap_or(MeetingStatus::Planned)
}

pub(crate) fn standing_code(s: Standing) -> &'static str {
    match s {
        Standing::Working => "working",
        Standing::Exempt => "exempt",
        Standing::TransferredOutTemp => "transferred_out_temp",
        Standing::Suspended => "suspended",
        Standing::Detained => "detained",
        Standing::SpecialDuty => "special_duty",
    }
}

pub(crate) fn standing_label(s: Standing) -> &'static str {
    match s {
        Standing::Working => "Đang sinh hoạt",
        Standing::Exempt => "Miễn sinh hoạt",
        Standing::TransferredOutTemp => "Chuyển sinh hoạt tạm thời đi",
        Standing::Suspended => "Đình chỉ sinh hoạt",
        Standing::Detained => "Bị tạm giam, truy tố",
        Standing::SpecialDuty => "Làm nhiệm vụ đặc biệt",
    }
}

pub(crate) fn presence_of(code: &str) -> Option<Presence> {
    [
        Presence::Present,
        Presence::AbsentExcused,
        Presence::AbsentUnexcused,
    ]
    .into_iter()
    .find(|p| presence_code(*p) == code)
}

/// How a presence is stored on the attendance sheet.
pub(crate) fn presence_code(p: Presence) -> &'static str {
    match p {
        Presence::Present => "present",
        Presence::AbsentExcused => "absent_excused",
        Presence::AbsentUnexcused => "absent_unexcused",
    }
}

/// How a member's status on the day counts at a meeting.
fn standing_of(s: Status) -> Option<Standing> {
    match s {
        // A member out of contact is still expected (and absent): the removal trigger counts
        // their absences.
        Status::Active | Status::WorkingAway | Status::TransferredInTemp | Status::LostContact => {
            Some(Standing::Working)
        }
        Status::Exempt => Some(Standing::Exempt),
        Status::TransferredOutTemp => Some(Standing::TransferredOutTemp),
        Status::Suspended => Some(Standing::Suspended),
        Status::Detained => Some(Standing::Detained),
        Status::SpecialDuty => Some(Standing::SpecialDuty),
        _ => None,
    }
}

/// The standing a sheet row stores, read back; `None` for a code this version does not know.
pub(crate) fn standing_from_code(code: &str) -> Option<Standing> {
    [
        Standing::Working,
        Standing::Exempt,
        Standing::TransferredOutTemp,
        Standing::Suspended,
        Standing::Detained,
        Standing::SpecialDuty,
    ]
    .into_iter()
    .find(|s| standing_code(*s) == code)
}

pub(crate) async fn meeting_view(
    app: &App,
    m: &meeting::Model,
    rules: &RuleSet,
    rule_name: &str,
) -> AppResult<MeetingView> {
    let u = units::find(&app.db, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view_of(m, &u.name, rules, rule_name))
}

/// The meeting as the lists show it, from what was read for it.
pub(crate) fn view_of(
    m: &meeting::Model,
    cell_name: &str,
    rules: &RuleSet,
    rule_name: &str,
) -> MeetingView {
    MeetingView {
        id: m.id,
        unit: UnitRef {
            id: m.unit_id,
            name: cell_name.to_string(),
        },
        kind: m.kind.clone(),
        kind_label: rules
            .kind(&m.kind)
            .map(|k| k.label.clone())
            .unwrap_or_else(|| m.kind.clone()),
        combined: m.combined,
        topic: m.topic.clone(),
        meeting_date: m.meeting_date,
        start_time: m.start_time.clone(),
        place: m.place.clone(),
        status: m.status.clone(),
        status_label: meeting_status(m).label().to_string(),
        published_at: m.published_at,
        cancelled_reason: m.cancelled_reason.clone(),
        postponed_from: m.postponed_from,
        postponed_reason: m.postponed_reason.clone(),
        resolution_number: m.resolution_number,
        rule_set: UnitRef {
            id: m.rule_set_id,
            name: rule_name.to_string(),
        },
    }
}

/// Meetings as the lists show them, in the order given: their cells and rule sets read once
/// for the whole list (each rule set parsed once), never once per meeting.
pub(crate) async fn meeting_views(
    app: &App,
    rows: &[meeting::Model],
) -> AppResult<Vec<MeetingView>> {
    let cells = rows.iter().map(|m| m.unit_id).collect::<Vec<_>>();
    let cells = crate::lookup::unit_names(&app.db, &cells).await?;
    views_with_cells(app, rows, &cells).await
}

/// Meetings as the lists show them, their cells' names already read (`cells` by unit id).
pub(crate) async fn views_with_cells(
    app: &App,
    rows: &[meeting::Model],
    cells: &HashMap<i64, String>,
) -> AppResult<Vec<MeetingView>> {
    let sets = rule_sets(app, &rows.iter().map(|m| m.rule_set_id).collect::<Vec<_>>()).await?;
    rows.iter()
        .map(|m| {
            let (rules, name) = &**sets.get(&m.rule_set_id).ok_or(AppError::NotFound)?;
            let cell = cells.get(&m.unit_id).ok_or(AppError::NotFound)?;
            Ok(view_of(m, cell, rules, name))
        })
        .collect()
}

/// The meeting as the lists show it, after a change to it.
pub(crate) async fn meeting_view_after_change(
    app: &App,
    m: &meeting::Model,
) -> AppResult<MeetingView> {
    let (rules, name) = rule_set_of(app, m).await?;
    meeting_view(app, m, &rules, &name).await
}

/// The cell whose meetings the actor may see: in read scope, followed by them, or their own.
pub(crate) async fn visible_cell(
    app: &App,
    actor: &Actor,
    unit_id: i64,
) -> AppResult<Attends<unit::Model>> {
    actor.attends(units::find(&app.db, unit_id).await?)
}

pub(crate) async fn find(app: &App, id: i64) -> AppResult<meeting::Model> {
    meeting::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Meeting `id` with its cell (`None` for a cell gone), in one statement.
async fn find_with_cell(app: &App, id: i64) -> AppResult<(meeting::Model, Option<unit::Model>)> {
    let cell = meeting::Entity::belongs_to(unit::Entity)
        .from(meeting::Column::UnitId)
        .to(unit::Column::Id)
        .into();
    meeting::Entity::find_by_id(id)
        .select_also(unit::Entity)
        .join(JoinType::LeftJoin, cell)
        .one(&app.by_key)
        .await?
        .ok_or(AppError::NotFound)
}

/// A member on a cell's roll on a day.
pub struct RollEntry {
    pub member: member::Model,
    pub standing: Standing,
    /// The cell or party group they belong to.
    pub unit_name: String,
    /// Here from another cell in chibo on a temporary transfer.
    pub visiting: bool,
}

/// Members on the cell's roll on the meeting date, with their standing that day.
pub async fn roll(app: &App, cell: &impl CellProof, date: NaiveDate) -> AppResult<Vec<RollEntry>> {
    roll_of(app, cell, date, None).await
}

/// Member `member_id`'s standing on the cell's roll on `date`, if they are on it: the roll's
/// rules for one member (a check-in), without reading the others'.
pub async fn standing_on_roll(
    app: &App,
    cell: &impl CellProof,
    date: NaiveDate,
    member_id: i64,
) -> AppResult<Option<Standing>> {
    let entry = roll_of(app, cell, date, Some(member_id)).await?;
    Ok(entry.into_iter().next().map(|r| r.standing))
}

/// The cell's roll on `date`, or only member `only`'s line of it.
async fn roll_of(
    app: &App,
    cell: &impl CellProof,
    date: NaiveDate,
    only: Option<i64>,
) -> AppResult<Vec<RollEntry>> {
    let subtree = Subtree::of(cell);
    // The units of the roll (the cell and its party groups) by their paths, in the statement
    // that reads the places on it: for the whole roll the units found by the path index, for
    // one member (a check-in) each of their places' units looked up by key. The units' names
    // only for the whole roll, which shows them.
    let (on_roll, unit_names): (Condition, HashMap<i64, String>) = match only {
        Some(_) => (
            subtree.has_unit((member_unit::Entity, member_unit::Column::UnitId)),
            HashMap::new(),
        ),
        None => (
            Condition::all().add(
                member_unit::Column::UnitId.in_subquery(
                    Query::select()
                        .column(unit::Column::Id)
                        .from(unit::Entity)
                        .cond_where(subtree.contains(unit::Column::Path))
                        .to_owned(),
                ),
            ),
            unit::Entity::find()
                .filter(subtree.contains(unit::Column::Path))
                .all(&app.db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect(),
        ),
    };
    // The places on the roll that day with their members and the members' status events, in
    // one statement (a check-in reads one member's line of it; a member has few events, so the
    // rows a place repeats for its member's events are few).
    let member_of_place = member_unit::Entity::belongs_to(member::Entity)
        .from(member_unit::Column::MemberId)
        .to(member::Column::Id)
        .into();
    let events_of_member = member_event::Entity::belongs_to(member::Entity)
        .from(member_event::Column::MemberId)
        .to(member::Column::Id)
        .into();
    let mut places = member_unit::Entity::find()
        .select_also(member::Entity)
        .join(JoinType::InnerJoin, member_of_place)
        .join_rev(JoinType::LeftJoin, events_of_member);
    if let Some(member) = only {
        places = places.filter(member_unit::Column::MemberId.eq(member));
    }
    let mut statement = places
        .filter(on_roll)
        .filter(member_unit::Column::ValidFrom.lte(date))
        .filter(
            Condition::any()
                .add(member_unit::Column::ValidTo.is_null())
                .add(member_unit::Column::ValidTo.gt(date)),
        )
        // A member with two places on the roll is shown under the latest (the first seen).
        .order_by_desc(member_unit::Column::ValidFrom)
        .order_by_desc(member_unit::Column::Id)
        .into_query();
    // The events' columns beside the place's (`A_`) and the member's (`B_`), as `C_`.
    for c in member_event::Column::iter() {
        statement.expr_as(
            Expr::col((member_event::Entity, c)),
            Alias::new(format!("C_{}", c.as_str())),
        );
    }
    // One member's line is found by their id, the whole roll by the cell's path.
    let db = if only.is_some() { &app.by_key } else { &app.db };
    let mut rows = Vec::new();
    for row in db
        .query_all_raw(db.get_database_backend().build(&statement))
        .await?
    {
        rows.push((
            member_unit::Model::from_query_result(&row, "A_")?,
            member::Model::from_query_result_optional(&row, "B_")?,
            member_event::Model::from_query_result_optional(&row, "C_")?,
        ));
    }
    let (mut seen_members, mut seen_places, mut seen_events) =
        (HashSet::new(), HashSet::new(), HashSet::new());
    let mut memberships = Vec::with_capacity(rows.len());
    let mut members = Vec::with_capacity(rows.len());
    let mut events = Vec::new();
    for (place, m, ev) in rows {
        if let Some(m) = m.filter(|m| seen_members.insert(m.id)) {
            members.push(m);
        }
        if let Some(ev) = ev.filter(|ev| seen_events.insert(ev.id)) {
            events.push(ev);
        }
        if seen_places.insert(place.id) {
            memberships.push(place);
        }
    }
    events.sort_by_key(|e| (e.effective_on, e.id));
    let mut by_member: HashMap<i64, Vec<StatusEvent>> = HashMap::new();
    for ev in events {
        if let Some(kind) = StatusEventKind::from_code(&ev.kind) {
            by_member
                .entry(ev.member_id)
                .or_default()
                .push(StatusEvent {
                    kind,
                    on: ev.effective_on,
                });
        }
    }
    let mut out = Vec::new();
    for m in members {
        let initial = Status::from_code(&m.initial_status).unwrap_or(Status::Active);
        let status = member_rules::status_on(
            initial,
            by_member.get(&m.id).map(Vec::as_slice).unwrap_or(&[]),
            date,
        );
        // A member of another cell here on a temporary transfer works in this cell.
        let visiting = memberships
            .iter()
            .any(|x| x.member_id == m.id && x.kind == RollKind::Temporary.code());
        let standing = match standing_of(status) {
            Some(Standing::TransferredOutTemp) if visiting => Standing::Working,
            Some(s) if !visiting => s,
            _ => continue,
        };
        let unit_id = memberships
            .iter()
            .find(|x| x.member_id == m.id)
            .map(|x| x.unit_id)
            .unwrap_or(m.unit_id);
        let name = unit_names.get(&unit_id).cloned().unwrap_or_default();
        out.push(RollEntry {
            member: m,
            standing,
            unit_name: name,
            visiting,
        });
    }
    out.sort_by(|a, b| (&a.member.sort_key, a.member.id).cmp(&(&b.member.sort_key, b.member.id)));
    Ok(out)
}

/// A meeting the actor may see, with its cell: officers and the superior committee see every
/// meeting of the cell, its members and its follower only those announced.
pub(crate) async fn visible_meeting(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<Visible<MeetingOf>> {
    let (m, cell) = find_with_cell(app, id).await?;
    let cell = actor.attends(cell)?;
    actor.sees_meeting(m, cell)
}

/// A meeting whose cell the actor manages, still open to changes (not cancelled).
pub(crate) async fn manageable(app: &App, actor: &Actor, id: i64) -> AppResult<Manages<MeetingOf>> {
    let (m, cell) = find_with_cell(app, id).await?;
    let cell = actor.attends(cell)?;
    let h = actor.manages_meeting(m, cell)?;
    if meeting_status(&h.meeting) == MeetingStatus::Cancelled {
        return Err(AppError::invalid(
            "status",
            format!(
                "Buổi sinh hoạt đã bị hủy ({}); không thay đổi được nữa.",
                h.meeting
                    .cancelled_reason
                    .as_deref()
                    .unwrap_or("chi bộ không còn hoạt động")
            ),
        ));
    }
    Ok(h)
}
