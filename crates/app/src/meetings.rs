//! Cell meetings: schedule, publish the notice, take attendance on a sheet generated from the
//! cell's roll on the meeting date, judged by the rule set in force on that date.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::member::{self as member_rules, Status, StatusEvent, StatusEventKind};
use chibo_domain::org::UnitKind;
use chibo_domain::rules::{self as rules_domain, Presence, RuleSet, Standing};
use chibo_domain::validate;
use chibo_store::entities::{meeting, meeting_attendance, member, member_event, member_unit, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::scope::Actor;
use crate::units::{self, UnitRef};
use crate::{App, AppError, AppResult, audit, rules};

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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingDetail {
    pub meeting: MeetingView,
    /// Members expected at the meeting (working, suspended…), in Vietnamese order.
    pub sheet: Vec<SheetRow>,
    /// Exempt members and those transferred out for the time being, listed apart.
    pub apart: Vec<SheetRow>,
    pub summary: AttendanceSummary,
    pub can_manage: bool,
    /// Agenda, documents, guests, preparation and check-in.
    pub notice: crate::meeting_prep::Notice,
    /// The record, tasks and score of a held meeting (officers and the superior committee).
    pub held: Option<crate::meeting_record::HeldDetail>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewMeeting {
    pub kind: String,
    pub combined: bool,
    pub topic: String,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub meeting_date: Option<String>,
    /// `HH:MM`.
    pub start_time: Option<String>,
    pub place: String,
    /// One item per line; empty means the rule set's procedure.
    pub agenda: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AttendanceEntry {
    pub member_id: i64,
    /// `present`, `absent_excused` (a reason is required) or `absent_unexcused`.
    pub presence: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AttendanceInput {
    pub entries: Vec<AttendanceEntry>,
}

pub use crate::cancellations::CANCELLED;

fn status_label(s: &str) -> &'static str {
    match s {
        "planned" => "Dự kiến",
        "published" => "Đã thông báo",
        "held" => "Đã họp",
        CANCELLED => "Đã hủy",
        _ => "",
    }
}

fn standing_code(s: Standing) -> &'static str {
    match s {
        Standing::Working => "working",
        Standing::Exempt => "exempt",
        Standing::TransferredOutTemp => "transferred_out_temp",
        Standing::Suspended => "suspended",
        Standing::Detained => "detained",
        Standing::SpecialDuty => "special_duty",
    }
}

fn standing_label(s: Standing) -> &'static str {
    match s {
        Standing::Working => "Đang sinh hoạt",
        Standing::Exempt => "Miễn sinh hoạt",
        Standing::TransferredOutTemp => "Chuyển sinh hoạt tạm thời đi",
        Standing::Suspended => "Đình chỉ sinh hoạt",
        Standing::Detained => "Bị tạm giam, truy tố",
        Standing::SpecialDuty => "Làm nhiệm vụ đặc biệt",
    }
}

fn presence_of(code: &str) -> Option<Presence> {
    match code {
        "present" => Some(Presence::Present),
        "absent_excused" => Some(Presence::AbsentExcused),
        "absent_unexcused" => Some(Presence::AbsentUnexcused),
        _ => None,
    }
}

/// How a member's status on the day counts at a meeting.
fn standing_of(s: Status) -> Option<Standing> {
    match s {
        Status::Active | Status::WorkingAway | Status::TransferredInTemp => Some(Standing::Working),
        Status::Exempt => Some(Standing::Exempt),
        Status::TransferredOutTemp => Some(Standing::TransferredOutTemp),
        Status::Suspended => Some(Standing::Suspended),
        _ => None,
    }
}

async fn view(
    app: &App,
    m: &meeting::Model,
    rules: &RuleSet,
    rule_name: &str,
) -> AppResult<MeetingView> {
    let u = units::find(&app.db, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MeetingView {
        id: m.id,
        unit: UnitRef {
            id: u.id,
            name: u.name,
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
        status_label: status_label(&m.status).to_string(),
        published_at: m.published_at,
        rule_set: UnitRef {
            id: m.rule_set_id,
            name: rule_name.to_string(),
        },
    })
}

pub(crate) async fn rule_set_of(app: &App, m: &meeting::Model) -> AppResult<(RuleSet, String)> {
    let r = chibo_store::entities::rule_set::Entity::find_by_id(m.rule_set_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules: RuleSet =
        serde_json::from_str(&r.body).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((rules, r.name))
}

/// The cell whose meetings the actor may see: in read scope, or the actor's own cell.
pub(crate) async fn visible_cell(app: &App, actor: &Actor, unit_id: i64) -> AppResult<unit::Model> {
    let u = units::find(&app.db, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if actor.can_read_path(&u.path) {
        return Ok(u);
    }
    if actor.member_id.is_some() && u.follower_member_id == actor.member_id {
        return Ok(u);
    }
    if let Some(mid) = actor.member_id {
        let own = member::Entity::find_by_id(mid).one(&app.db).await?;
        if own.is_some_and(|m| {
            m.unit_path.starts_with(&u.path)
                && UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell())
        }) {
            return Ok(u);
        }
    }
    Err(AppError::NotFound)
}

/// Meetings of a cell, newest first. Members of the cell see published ones.
pub async fn list(app: &App, actor: &Actor, unit_id: i64) -> AppResult<Vec<MeetingView>> {
    let cell = visible_cell(app, actor, unit_id).await?;
    let officer = actor.can_read_path(&cell.path);
    let rows = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell.id))
        .order_by_desc(meeting::Column::MeetingDate)
        .order_by_desc(meeting::Column::Id)
        .all(&app.db)
        .await?;
    let mut out = Vec::new();
    for m in rows.iter().filter(|m| officer || m.status != "planned") {
        let (rules, name) = rule_set_of(app, m).await?;
        out.push(view(app, m, &rules, &name).await?);
    }
    Ok(out)
}

/// The cell the actor belongs to (a party group's cell), if they are a member.
async fn my_cell_id(app: &App, actor: &Actor) -> AppResult<Option<i64>> {
    let Some(mid) = actor.member_id else {
        return Ok(None);
    };
    let Some(me) = member::Entity::find_by_id(mid).one(&app.db).await? else {
        return Ok(None);
    };
    let Some(u) = units::find(&app.db, me.unit_id).await? else {
        return Ok(None);
    };
    Ok(Some(
        if UnitKind::from_code(&u.kind) == Some(UnitKind::Group) {
            u.parent_id.unwrap_or(u.id)
        } else {
            u.id
        },
    ))
}

/// Published meetings from today on in the actor's own cell and in the cells they follow for
/// the superior committee (a member's home page).
pub async fn upcoming_for_me(app: &App, actor: &Actor) -> AppResult<Vec<MeetingView>> {
    let mut cells: Vec<i64> = my_cell_id(app, actor).await?.into_iter().collect();
    if let Some(mid) = actor.member_id {
        cells.extend(
            unit::Entity::find()
                .filter(unit::Column::FollowerMemberId.eq(mid))
                .filter(unit::Column::DissolvedOn.is_null())
                .all(&app.db)
                .await?
                .into_iter()
                .map(|u| u.id),
        );
    }
    let today = App::today();
    let mut next = Vec::new();
    for cell_id in cells {
        next.extend(list(app, actor, cell_id).await?.into_iter().filter(|m| {
            m.meeting_date >= today && !matches!(m.status.as_str(), "planned" | CANCELLED)
        }));
    }
    next.sort_by(|a, b| (a.meeting_date, &a.start_time).cmp(&(b.meeting_date, &b.start_time)));
    Ok(next)
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
    let Some(cell_id) = my_cell_id(app, actor).await? else {
        return Ok(vec![]);
    };
    let since = App::today() - chrono::Duration::days(366);
    let held: Vec<meeting::Model> = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell_id))
        .filter(meeting::Column::Status.eq("held"))
        .filter(meeting::Column::MeetingDate.gte(since))
        .order_by_desc(meeting::Column::MeetingDate)
        .all(&app.db)
        .await?;
    let ids: Vec<i64> = held.iter().map(|m| m.id).collect();
    let records: HashMap<i64, meeting_record::Model> = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.is_in(ids.clone()))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| (r.meeting_id, r))
        .collect();
    let mut approvals: HashMap<i64, usize> = HashMap::new();
    for a in meeting_approval::Entity::find()
        .filter(meeting_approval::Column::MeetingId.is_in(ids))
        .all(&app.db)
        .await?
    {
        *approvals.entry(a.meeting_id).or_default() += 1;
    }
    let mut out = Vec::new();
    for m in held {
        let Some(r) = records.get(&m.id) else {
            continue;
        };
        let Some(text) = r.resolution_text.clone().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let (rules, name) = rule_set_of(app, &m).await?;
        out.push(PastResolution {
            meeting: view(app, &m, &rules, &name).await?,
            resolution_text: text,
            votes_for: r.votes_for,
            votes_against: r.votes_against,
            votes_abstain: r.votes_abstain,
            approved: approvals.get(&m.id).copied().unwrap_or(0) >= 2,
        });
    }
    Ok(out)
}

/// Checks a start time (`HH:MM`), naming the problem in Vietnamese.
pub(crate) fn start_time_field(e: &mut Invalid, input: Option<&str>) -> Option<String> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.push("start_time", "Vui lòng nhập giờ bắt đầu.");
            None
        }
        Some(s) => validate::parse_time(s)
            .map(|t| t.format("%H:%M").to_string())
            .or_else(|| {
                e.push(
                    "start_time",
                    "Giờ bắt đầu phải có dạng giờ:phút, ví dụ 19:30.",
                );
                None
            }),
    }
}

pub async fn schedule(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: NewMeeting,
) -> AppResult<MeetingView> {
    let cell = actor.readable(units::find(&app.db, unit_id).await?)?.0;
    actor.require(actor.can_manage_members(&cell))?;
    let mut e = Invalid::new();
    if !UnitKind::from_code(&cell.kind).is_some_and(|k| k.is_cell()) || cell.dissolved_on.is_some()
    {
        return Err(AppError::invalid(
            "unit_id",
            "Chỉ chi bộ đang hoạt động mới lập lịch sinh hoạt.",
        ));
    }
    let date = validate::date_field(
        &mut e,
        "meeting_date",
        "ngày họp",
        input.meeting_date.as_deref(),
        true,
    );
    let start = start_time_field(&mut e, input.start_time.as_deref());
    let topic = validate::required_text(&mut e, "topic", "nội dung chính", &input.topic, 500);
    let place = validate::required_text(&mut e, "place", "địa điểm", &input.place, 255);
    let agenda = crate::meeting_prep::clean_agenda(&mut e, input.agenda.as_deref());
    let mut rule_set = None;
    if let Some(d) = date {
        if d < cell.established_on {
            e.push("meeting_date", "Ngày họp trước ngày thành lập chi bộ.");
        }
        if d > App::today() + chrono::Duration::days(366) {
            e.push("meeting_date", "Chỉ lập lịch trong vòng một năm tới.");
        }
        match rules::in_force_for(&app.db, &cell, d).await? {
            None => e.push(
                "meeting_date",
                "Chưa có bộ quy định nào có hiệu lực vào ngày này.",
            ),
            Some(r) => {
                if r.rules.kind(input.kind.trim()).is_none() {
                    e.push(
                        "kind",
                        "Loại sinh hoạt không có trong bộ quy định đang áp dụng.",
                    );
                }
                rule_set = Some(r);
            }
        }
        let clash = meeting::Entity::find()
            .filter(meeting::Column::UnitId.eq(cell.id))
            .filter(meeting::Column::MeetingDate.eq(d))
            .filter(meeting::Column::Kind.eq(input.kind.trim()))
            .count(&app.db)
            .await?;
        if clash > 0 {
            e.push(
                "meeting_date",
                "Chi bộ đã có buổi sinh hoạt cùng loại vào ngày này.",
            );
        }
    }
    if input.combined && input.kind.trim() != "regular" {
        e.push(
            "combined",
            "Chỉ sinh hoạt thường kỳ mới kết hợp với chuyên đề.",
        );
    }
    e.into_result()?;
    let r = rule_set.expect("checked");
    let tx = write_tx(&app.db).await?;
    let m = meeting::ActiveModel {
        unit_id: Set(cell.id),
        kind: Set(input.kind.trim().to_string()),
        combined: Set(input.combined),
        topic: Set(topic),
        meeting_date: Set(date.expect("checked")),
        start_time: Set(start.expect("checked")),
        place: Set(place),
        rule_set_id: Set(r.id),
        status: Set("planned".into()),
        published_at: Set(None),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(chrono::Utc::now()),
        agenda: Set(agenda),
        checkin_code: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.schedule",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&m),
    )
    .await?;
    tx.commit().await?;
    view(app, &m, &r.rules, &r.name).await
}

pub(crate) async fn find(app: &App, id: i64) -> AppResult<meeting::Model> {
    meeting::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A member on a cell's roll on a day.
pub(crate) struct RollEntry {
    pub member: member::Model,
    pub standing: Standing,
    /// The cell or party group they belong to.
    pub unit_name: String,
    /// Here from another cell in chibo on a temporary transfer.
    pub visiting: bool,
}

/// Members on the cell's roll on the meeting date, with their standing that day.
pub(crate) async fn roll(
    app: &App,
    cell: &unit::Model,
    date: NaiveDate,
) -> AppResult<Vec<RollEntry>> {
    let unit_rows = unit::Entity::find()
        .filter(unit::Column::Path.like(chibo_store::path_prefix(&cell.path)))
        .all(&app.db)
        .await?;
    let unit_names: HashMap<i64, String> =
        unit_rows.iter().map(|u| (u.id, u.name.clone())).collect();
    let memberships = member_unit::Entity::find()
        .filter(member_unit::Column::UnitId.is_in(unit_names.keys().copied().collect::<Vec<_>>()))
        .filter(member_unit::Column::ValidFrom.lte(date))
        .filter(
            Condition::any()
                .add(member_unit::Column::ValidTo.is_null())
                .add(member_unit::Column::ValidTo.gt(date)),
        )
        .all(&app.db)
        .await?;
    let ids: Vec<i64> = memberships.iter().map(|x| x.member_id).collect();
    let members = member::Entity::find()
        .filter(member::Column::Id.is_in(ids.clone()))
        .all(&app.db)
        .await?;
    let events = member_event::Entity::find()
        .filter(member_event::Column::MemberId.is_in(ids))
        .order_by_asc(member_event::Column::EffectiveOn)
        .order_by_asc(member_event::Column::Id)
        .all(&app.db)
        .await?;
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
        let visiting = memberships.iter().any(|x| {
            x.member_id == m.id
                && x.reason
                    .starts_with(crate::transfers::TEMPORARY_ROLL_REASON)
        });
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
    out.sort_by(|a, b| a.member.sort_key.cmp(&b.member.sort_key));
    Ok(out)
}

/// A meeting the actor may see, with its cell: officers and the superior committee see every
/// meeting of the cell, its members and its follower only those announced.
pub(crate) async fn seen(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(meeting::Model, unit::Model)> {
    let m = find(app, id).await?;
    let cell = visible_cell(app, actor, m.unit_id).await?;
    if !actor.can_read_path(&cell.path) && m.status == "planned" {
        return Err(AppError::NotFound);
    }
    Ok((m, cell))
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<MeetingDetail> {
    let (m, cell) = seen(app, actor, id).await?;
    let officer = actor.can_read_path(&cell.path);
    let (rules, rule_name) = rule_set_of(app, &m).await?;
    let recorded: HashMap<i64, meeting_attendance::Model> = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|a| (a.member_id, a))
        .collect();
    let mut sheet = Vec::new();
    let mut apart = Vec::new();
    let mut counted: Vec<(Standing, Presence)> = Vec::new();
    let mut not_recorded = 0;
    let mut unexcused_names = Vec::new();
    for RollEntry {
        member: mem,
        standing,
        unit_name,
        visiting,
    } in roll(app, &cell, m.meeting_date).await?
    {
        // A member sees only their own line.
        if !officer && actor.member_id != Some(mem.id) {
            continue;
        }
        let rec = recorded.get(&mem.id);
        let presence = rec.and_then(|r| presence_of(&r.presence));
        match presence {
            Some(p) => counted.push((standing, p)),
            None if matches!(
                standing,
                Standing::Working | Standing::Suspended | Standing::Detained
            ) =>
            {
                not_recorded += 1
            }
            None => {}
        }
        if presence == Some(Presence::AbsentUnexcused) {
            unexcused_names.push(mem.full_name.clone());
        }
        let row = SheetRow {
            member_id: mem.id,
            full_name: mem.full_name.clone(),
            unit_name,
            standing: standing_code(standing).to_string(),
            standing_label: standing_label(standing).to_string(),
            transferred_in: mem.initial_status == Status::TransferredInTemp.code() || visiting,
            official: mem.official_date.is_some_and(|d| d <= m.meeting_date),
            presence: rec.map(|r| r.presence.clone()),
            reason: rec.and_then(|r| r.reason.clone()),
        };
        if matches!(
            standing,
            Standing::Exempt | Standing::TransferredOutTemp | Standing::SpecialDuty
        ) {
            apart.push(row);
        } else {
            sheet.push(row);
        }
    }
    let a = rules_domain::attendance(&counted);
    let summary = AttendanceSummary {
        expected: a.expected,
        present: a.present,
        absent_excused: a.absent_excused,
        absent_unexcused: a.absent_unexcused,
        exempt_present: a.exempt_present,
        not_recorded,
        rate_text: chibo_domain::text::percent_text(a.present.into(), a.expected.into()),
        threshold_text: rules.attendance_threshold.text(),
        threshold_met: a.expected > 0 && a.met(rules.attendance_threshold),
        unexcused_names,
    };
    let notice = crate::meeting_prep::notice(app, actor, &m, &cell, &rules).await?;
    let held = if officer && m.status == "held" {
        let everyone: Vec<SheetRow> = sheet.iter().chain(&apart).cloned().collect();
        Some(
            crate::meeting_record::held_detail(
                app,
                actor,
                crate::meeting_record::Held {
                    m: &m,
                    cell: &cell,
                    rules: &rules,
                    summary: &summary,
                    sheet: &everyone,
                    notice: &notice,
                },
            )
            .await?,
        )
    } else {
        None
    };
    Ok(MeetingDetail {
        meeting: view(app, &m, &rules, &rule_name).await?,
        sheet,
        apart,
        summary,
        can_manage: actor.can_manage_members(&cell),
        notice,
        held,
    })
}

pub(crate) async fn manageable(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(meeting::Model, unit::Model)> {
    let m = find(app, id).await?;
    let cell = visible_cell(app, actor, m.unit_id).await?;
    if !actor.can_read_path(&cell.path) {
        return Err(AppError::NotFound);
    }
    actor.require(actor.can_manage_members(&cell))?;
    if m.status == CANCELLED {
        return Err(AppError::invalid(
            "status",
            format!(
                "Buổi sinh hoạt đã bị hủy ({}); không thay đổi được nữa.",
                m.cancelled_reason
                    .as_deref()
                    .unwrap_or("chi bộ không còn hoạt động")
            ),
        ));
    }
    Ok((m, cell))
}

/// Publishes the notice: members of the cell and the superior committee see the meeting.
pub async fn publish(app: &App, actor: &Actor, id: i64) -> AppResult<MeetingDetail> {
    let (m, _) = manageable(app, actor, id).await?;
    if m.status != "planned" {
        return Err(AppError::invalid(
            "status",
            "Thông báo buổi sinh hoạt này đã được phát hành.",
        ));
    }
    let tx = write_tx(&app.db).await?;
    let before = m.clone();
    let mut am = m.into_active_model();
    am.status = Set("published".into());
    am.published_at = Set(Some(chrono::Utc::now()));
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.publish",
        "meeting",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// Replaces the attendance of the listed members and marks the meeting held (checked input).
/// A member's own check-in time stays while the secretary keeps them present.
pub(crate) async fn write_attendance(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    m: &meeting::Model,
    entries: &[AttendanceEntry],
) -> AppResult<()> {
    let now = chrono::Utc::now();
    let ids: Vec<i64> = entries.iter().map(|x| x.member_id).collect();
    let checked_in: HashMap<i64, chrono::DateTime<chrono::Utc>> =
        meeting_attendance::Entity::find()
            .filter(meeting_attendance::Column::MeetingId.eq(m.id))
            .filter(meeting_attendance::Column::MemberId.is_in(ids.clone()))
            .all(tx)
            .await?
            .into_iter()
            .filter_map(|a| Some((a.member_id, a.checked_in_at?)))
            .collect();
    meeting_attendance::Entity::delete_many()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id))
        .filter(meeting_attendance::Column::MemberId.is_in(ids))
        .exec(tx)
        .await?;
    for entry in entries {
        let presence = entry.presence.trim().to_string();
        meeting_attendance::ActiveModel {
            meeting_id: Set(m.id),
            member_id: Set(entry.member_id),
            checked_in_at: Set(checked_in
                .get(&entry.member_id)
                .copied()
                .filter(|_| presence == "present")),
            presence: Set(presence),
            reason: Set(entry
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)),
            recorded_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    mark_held(tx, m).await
}

/// Attendance has been taken: the meeting is held.
pub(crate) async fn mark_held(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    m: &meeting::Model,
) -> AppResult<()> {
    if m.status != "held" {
        let mut am = m.clone().into_active_model();
        am.status = Set("held".into());
        am.published_at = Set(m.published_at.or(Some(chrono::Utc::now())));
        am.update(tx).await?;
    }
    Ok(())
}

/// Records attendance for some or all members of the sheet, all at once or not at all.
pub async fn record_attendance(
    app: &App,
    actor: &Actor,
    id: i64,
    input: AttendanceInput,
) -> AppResult<MeetingDetail> {
    let (m, cell) = manageable(app, actor, id).await?;
    crate::meeting_record::ensure_open(app, m.id).await?;
    let mut e = Invalid::new();
    if m.meeting_date > App::today() {
        e.push("entries", "Chưa đến ngày họp, chưa thể điểm danh.");
    }
    if input.entries.is_empty() {
        e.push("entries", "Chưa có đảng viên nào được điểm danh.");
    }
    let on_roll: HashMap<i64, String> = roll(app, &cell, m.meeting_date)
        .await?
        .into_iter()
        .map(|r| (r.member.id, r.member.full_name))
        .collect();
    for entry in &input.entries {
        let Some(name) = on_roll.get(&entry.member_id) else {
            e.push(
                "entries",
                "Có đảng viên không thuộc danh sách chi bộ vào ngày họp.",
            );
            continue;
        };
        match presence_of(entry.presence.trim()) {
            None => e.push("entries", format!("{name}: chưa chọn có mặt hay vắng mặt.")),
            Some(Presence::AbsentExcused)
                if entry.reason.as_deref().is_none_or(|r| r.trim().is_empty()) =>
            {
                e.push("entries", format!("{name}: vắng có lý do cần ghi lý do."))
            }
            Some(_) => {}
        }
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    write_attendance(&tx, &m, &input.entries).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.attendance",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}
