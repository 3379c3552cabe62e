//! Exemption from party work and activities (miễn công tác và sinh hoạt đảng) as a workflow: the
//! member's request, the cell's decision at one of its meetings, the report to the grassroots
//! committee, and revocation on request. The member's status changes on the decision's date, so
//! attendance rates leave them out from that meeting on.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::exemption::{
    self as exemption_rules, ExemptionAction, ExemptionState, ExemptionStatus,
};
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::member::{Status, StatusEventKind};
use chibo_domain::org::UnitKind;
use chibo_domain::validate;
use chibo_store::entities::{exemption, meeting, member, member_event, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use chibo_store::subtree::Subtree;
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::member_events;
use crate::membership::members;
use crate::membership::members::status_of;
use crate::org::units;
use crate::paging::{Ranked, ranked_page};
use crate::refs::{MemberRef, UnitRef};
use crate::workflows::acts_as;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExemptionView {
    pub id: i64,
    pub member: MemberRef,
    pub requested_on: NaiveDate,
    pub reason: String,
    /// `requested`, `granted`, `rejected`, `revoked`.
    pub status: String,
    pub status_label: String,
    pub meeting_id: Option<i64>,
    pub decided_on: Option<NaiveDate>,
    pub reported_on: Option<NaiveDate>,
    pub revoke_requested_on: Option<NaiveDate>,
    pub revoke_meeting_id: Option<i64>,
    pub revoked_on: Option<NaiveDate>,
    /// A temporary exemption (e.g. while working away) ends on this day.
    pub until: Option<NaiveDate>,
    /// Granted for a period that has ended: the cell should revoke it.
    pub expired: bool,
    /// What the actor may do next: `grant`, `reject`, `report`, `request_revoke`, `revoke`.
    pub next_steps: Vec<String>,
    /// Held meetings of the cell a decision can be recorded at (newest first).
    pub meetings: Vec<MeetingChoice>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingChoice {
    pub id: i64,
    pub meeting_date: NaiveDate,
    pub topic: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ExemptionRequest {
    pub requested_on: Option<String>,
    /// Why (age, health, working away…), in the member's words.
    pub reason: String,
    /// For a temporary exemption (a member working away): its last day.
    pub until: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ExemptionStep {
    /// `grant` or `reject` (at a meeting), `report` (to the grassroots committee),
    /// `request_revoke` (the member asks to take up party work again), `revoke` (at a meeting).
    pub step: String,
    /// The held cell meeting that decided (`grant`, `reject`, `revoke`).
    pub meeting_id: Option<i64>,
    /// The date of `report` or `request_revoke`.
    pub on: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExemptionList {
    pub unit: UnitRef,
    pub exemptions: Vec<ExemptionView>,
    /// Requests waiting for the cell's decision.
    pub pending: u32,
    /// Granted but not reported to the grassroots committee.
    pub unreported: u32,
    /// Temporary exemptions whose period has ended.
    pub expired: u32,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

async fn exemption_views(
    app: &App,
    actor: &Actor,
    rows: Vec<exemption::Model>,
) -> AppResult<Vec<ExemptionView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
    let ms: HashMap<i64, member::Model> =
        crate::lookup::by_ids::<member::Entity, _>(&app.db, member::Column::Id, &ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
    // Each member's cell: their unit, or its parent for a party group (two lookups in all).
    let unit_ids: Vec<i64> = ms.values().map(|m| m.unit_id).collect();
    let mut cells: HashMap<i64, unit::Model> =
        crate::lookup::units_by_id(&app.db, &unit_ids).await?;
    let parent_ids: Vec<i64> = cells
        .values()
        .filter(|u| u.kind == UnitKind::Group.code())
        .filter_map(|u| u.parent_id)
        .collect();
    let parents: HashMap<i64, unit::Model> =
        crate::lookup::units_by_id(&app.db, &parent_ids).await?;
    for u in cells.values_mut() {
        if u.kind == UnitKind::Group.code()
            && let Some(p) = u.parent_id.and_then(|p| parents.get(&p))
        {
            *u = p.clone();
        }
    }
    // The rows, with what the actor may do next, before their meeting choices.
    let mut steps_of = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(m) = ms.get(&r.member_id) else {
            continue;
        };
        let Some(cell) = cells.get(&m.unit_id) else {
            continue;
        };
        let manages = actor.may_manage(cell);
        // A status chibo did not write offers no step.
        let status = ExemptionStatus::from_code(&r.status);
        let steps = status.map_or_else(Vec::new, |status| {
            exemption_rules::next_steps(ExemptionState {
                status,
                reported: r.reported_on.is_some(),
                revoke_requested: r.revoke_requested_on.is_some(),
            })
        });
        let own = actor.is_member(m.id);
        let mut next: Vec<ExemptionAction> = steps
            .into_iter()
            .filter(|(_, party)| acts_as(*party, manages, false, false, own))
            .map(|(action, _)| action)
            .collect();
        next.dedup();
        steps_of.push((r, m, cell.id, next));
    }
    let held = held_meetings_for(app, &steps_of).await?;
    let today = App::today();
    Ok(steps_of
        .into_iter()
        .map(|(r, m, cell_id, next)| {
            let since = r.revoke_requested_on.unwrap_or(r.requested_on);
            let meetings = if next.iter().any(|a| a.at_meeting()) {
                held.get(&cell_id)
                    .into_iter()
                    .flatten()
                    .filter(|x| x.meeting_date >= since)
                    .cloned()
                    .collect()
            } else {
                vec![]
            };
            let status = ExemptionStatus::from_code(&r.status);
            ExemptionView {
                expired: status == Some(ExemptionStatus::Granted)
                    && r.until.is_some_and(|u| u < today),
                id: r.id,
                member: MemberRef {
                    id: m.id,
                    name: m.full_name.clone(),
                },
                requested_on: r.requested_on,
                reason: r.reason,
                status_label: status.map(|s| s.label().to_string()).unwrap_or_default(),
                status: r.status,
                meeting_id: r.meeting_id,
                decided_on: r.decided_on,
                reported_on: r.reported_on,
                revoke_requested_on: r.revoke_requested_on,
                revoke_meeting_id: r.revoke_meeting_id,
                revoked_on: r.revoked_on,
                until: r.until,
                next_steps: next.iter().map(|a| a.code().to_string()).collect(),
                meetings,
            }
        })
        .collect())
}

/// How far back the meetings offered to decide a waiting request go.
const DECIDED_WITHIN_DAYS: i64 = 366;

/// Held meetings, newest first, of the cells where a row waits for a decision at a meeting,
/// from the earliest day such a row could be decided: one query for a page of rows.
async fn held_meetings_for(
    app: &App,
    rows: &[(exemption::Model, &member::Model, i64, Vec<ExemptionAction>)],
) -> AppResult<HashMap<i64, Vec<MeetingChoice>>> {
    let waiting: Vec<_> = rows
        .iter()
        .filter(|(_, _, _, next)| next.iter().any(|a| a.at_meeting()))
        .collect();
    let Some(since) = waiting
        .iter()
        .map(|(r, ..)| r.revoke_requested_on.unwrap_or(r.requested_on))
        .min()
    else {
        return Ok(HashMap::new());
    };
    // A request forgotten for years is still decided at a recent meeting: the last year's
    // meetings are offered (about twelve a cell), not every meeting since it was made.
    let since = since.max(App::today() - chrono::Duration::days(DECIDED_WITHIN_DAYS));
    let mut cell_ids: Vec<i64> = waiting.iter().map(|(_, _, c, _)| *c).collect();
    cell_ids.sort_unstable();
    cell_ids.dedup();
    let mut out: HashMap<i64, Vec<MeetingChoice>> = HashMap::new();
    for x in meeting::Entity::find()
        .filter(meeting::Column::UnitId.is_in(cell_ids))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held.code()))
        .filter(meeting::Column::MeetingDate.gte(since))
        .order_by_desc(meeting::Column::MeetingDate)
        .all(&app.db)
        .await?
    {
        out.entry(x.unit_id).or_default().push(MeetingChoice {
            id: x.id,
            meeting_date: x.meeting_date,
            topic: x.topic,
        });
    }
    Ok(out)
}

/// A member's exemption requests, newest first (the member sees their own).
pub async fn of_member(app: &App, actor: &Actor, member_id: i64) -> AppResult<Vec<ExemptionView>> {
    let (m, _) = members::visible(app, actor, member_id).await?;
    let rows = exemption::Entity::find()
        .filter(exemption::Column::MemberId.eq(m.id))
        .order_by_desc(exemption::Column::RequestedOn)
        .order_by_desc(exemption::Column::Id)
        .all(&app.db)
        .await?;
    exemption_views(app, actor, rows).await
}

/// Exemptions in a subtree, what needs doing first: requests and ended periods, then grants
/// not yet reported or asked to be revoked, then the other grants, then the closed ones; each
/// newest first, `per_page` of them after `after`.
pub async fn list(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<ExemptionList> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    let today = App::today();
    let under = || {
        exemption::Entity::find()
            .filter(Subtree::of(&root).has_member((exemption::Entity, exemption::Column::MemberId)))
    };
    let status = |s: ExemptionStatus| Condition::all().add(exemption::Column::Status.eq(s.code()));
    let requested = status(ExemptionStatus::Requested);
    let granted = status(ExemptionStatus::Granted);
    let expired = granted.clone().add(exemption::Column::Until.lt(today));
    let unreported = granted.clone().add(exemption::Column::ReportedOn.is_null());
    let count = |c: &Condition| under().filter(c.clone()).count(&app.db);
    let (pending, expired_count, unreported_count) = (
        count(&requested).await?,
        count(&expired).await?,
        count(&unreported).await?,
    );
    let order = Ranked::first_met(
        vec![
            Condition::any().add(requested).add(expired),
            Condition::any().add(unreported).add(
                granted
                    .clone()
                    .add(exemption::Column::RevokeRequestedOn.is_not_null()),
            ),
            granted,
        ],
        exemption::Column::RequestedOn,
    );
    let page = ranked_page::<_, NaiveDate>(&app.db, under(), order, after, per_page).await?;
    Ok(ExemptionList {
        pending: pending as u32,
        expired: expired_count as u32,
        unreported: unreported_count as u32,
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        exemptions: exemption_views(app, actor, page.rows).await?,
        next: page.next,
    })
}

/// Records a member's request (the member themselves, or the cell's officers for them).
pub async fn request(
    app: &App,
    actor: &Actor,
    member_id: i64,
    input: ExemptionRequest,
) -> AppResult<ExemptionView> {
    let (m, u) = members::visible(app, actor, member_id).await?;
    if !actor.is_member(m.id) {
        actor.require(actor.can_read_path(&m.unit_path) && actor.can_manage_members(&u))?;
    }
    let mut e = Invalid::new();
    let on = validate::date_field(
        &mut e,
        "requested_on",
        "ngày làm đơn",
        input.requested_on.as_deref(),
        true,
    );
    let reason = validate::required_text(&mut e, "reason", "lý do xin miễn", &input.reason, 2000);
    if on.is_some_and(|d| d > App::today()) {
        e.push("requested_on", "Ngày làm đơn chưa đến.");
    }
    if on.is_some_and(|d| d < m.admission_date) {
        e.push("requested_on", "Ngày làm đơn trước ngày vào Đảng.");
    }
    let until = validate::date_field(
        &mut e,
        "until",
        "ngày hết miễn",
        input.until.as_deref(),
        false,
    );
    if let (Some(u), Some(o)) = (until, on)
        && u <= o
    {
        e.push("until", "Ngày hết miễn phải sau ngày làm đơn.");
    }
    let status = status_of(&m.status);
    if !matches!(status, Status::Active | Status::WorkingAway) {
        e.push(
            "member_id",
            format!(
                "Chỉ đảng viên đang sinh hoạt hoặc đi làm ăn xa mới xin miễn công tác và sinh hoạt (hiện: {}).",
                status.label().to_lowercase()
            ),
        );
    }
    let open = exemption::Entity::find()
        .filter(exemption::Column::MemberId.eq(m.id))
        .filter(exemption::Column::Status.is_in([
            ExemptionStatus::Requested.code(),
            ExemptionStatus::Granted.code(),
        ]))
        .one(&app.db)
        .await?;
    if open.is_some() {
        e.push(
            "member_id",
            "Đảng viên đã có đơn xin miễn đang xét hoặc đang được miễn.",
        );
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let saved = exemption::ActiveModel {
        member_id: Set(m.id),
        requested_on: Set(on.expect("checked")),
        reason: Set(reason),
        status: Set(ExemptionStatus::Requested.code().into()),
        meeting_id: Set(None),
        decided_on: Set(None),
        reported_on: Set(None),
        revoke_requested_on: Set(None),
        revoke_meeting_id: Set(None),
        revoked_on: Set(None),
        until: Set(until),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "exemption.request",
        "member",
        Some(m.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(exemption_views(app, actor, vec![saved]).await?.remove(0))
}

/// Records the next step of an exemption, checked for order, date and who may take it.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    input: ExemptionStep,
) -> AppResult<ExemptionView> {
    let row = exemption::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (m, _) = members::visible(app, actor, row.member_id).await?;
    let current = exemption_views(app, actor, vec![row.clone()])
        .await?
        .remove(0);
    let what = crate::workflows::require_step(
        &current.next_steps,
        &input.step,
        ExemptionAction::from_code,
    )?;
    let mut e = Invalid::new();
    // Decisions are taken at a held meeting of the cell; the meeting's date is the decision's.
    let decided_at = if what.at_meeting() {
        match input
            .meeting_id
            .and_then(|mid| current.meetings.iter().find(|x| x.id == mid))
        {
            Some(x) => Some(x.meeting_date),
            None => {
                e.push(
                    "meeting_id",
                    "Chọn buổi sinh hoạt chi bộ (đã họp, từ ngày làm đơn) đã xét việc này.",
                );
                None
            }
        }
    } else {
        None
    };
    let on = if what.dated() {
        let on = validate::date_field(&mut e, "on", "ngày", input.on.as_deref(), true);
        let since = row.decided_on.unwrap_or(row.requested_on);
        if on.is_some_and(|d| d < since) {
            e.push(
                "on",
                format!("Ngày này phải từ ngày {} trở đi.", since.format("%d/%m/%Y")),
            );
        }
        if on.is_some_and(|d| d > App::today()) {
            e.push("on", "Ngày này chưa đến.");
        }
        on
    } else {
        None
    };
    if let Some(d) = decided_at {
        let last = member_event::Entity::find()
            .filter(member_event::Column::MemberId.eq(m.id))
            .order_by_desc(member_event::Column::EffectiveOn)
            .one(&app.db)
            .await?;
        if let Some(l) = last.filter(|l| l.effective_on > d) {
            e.push(
                "meeting_id",
                format!(
                    "Đảng viên có thay đổi tình trạng ngày {}, sau buổi họp này.",
                    l.effective_on.format("%d/%m/%Y")
                ),
            );
        }
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = row.clone();
    let mut am = row.clone().into_active_model();
    match what {
        ExemptionAction::Grant => {
            let d = decided_at.expect("checked");
            member_events::apply_event(
                &tx,
                actor,
                m.clone(),
                StatusEventKind::ExemptionGranted,
                d,
                row.until,
                &format!(
                    "Nghị quyết chi bộ ngày {}: {}",
                    d.format("%d/%m/%Y"),
                    row.reason
                ),
            )
            .await?;
            am.status = Set(ExemptionStatus::Granted.code().into());
            am.meeting_id = Set(input.meeting_id);
            am.decided_on = Set(Some(d));
        }
        ExemptionAction::Reject => {
            am.status = Set(ExemptionStatus::Rejected.code().into());
            am.meeting_id = Set(input.meeting_id);
            am.decided_on = Set(decided_at);
        }
        ExemptionAction::Report => am.reported_on = Set(on),
        ExemptionAction::RequestRevoke => am.revoke_requested_on = Set(on),
        ExemptionAction::Revoke => {
            let d = decided_at.expect("checked");
            member_events::apply_event(
                &tx,
                actor,
                m.clone(),
                StatusEventKind::ExemptionRevoked,
                d,
                None,
                &format!(
                    "Nghị quyết chi bộ ngày {}: thôi miễn theo đề nghị của đảng viên",
                    d.format("%d/%m/%Y")
                ),
            )
            .await?;
            am.status = Set(ExemptionStatus::Revoked.code().into());
            am.revoke_meeting_id = Set(input.meeting_id);
            am.revoked_on = Set(Some(d));
        }
    }
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        &format!("exemption.{}", what.code()),
        "member",
        Some(m.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(exemption_views(app, actor, vec![after]).await?.remove(0))
}

/// The member an exemption request is about, when the actor may see it.
pub async fn member_of(app: &App, actor: &Actor, id: i64) -> AppResult<i64> {
    let row = exemption::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(members::visible(app, actor, row.member_id).await?.0.id)
}
