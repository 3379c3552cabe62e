//! Reading transfers and the destinations a member may be sent to.

use std::collections::HashMap;

use chibo_domain::calendar::{Holidays, last_overdue_start};
use chibo_domain::cursor::Cursor;
use chibo_domain::org::UnitKind;
use chibo_domain::rules::MemberRules;
use chibo_domain::transfers::{self as transfer_rules, TransferState, TransferStatus};
use chibo_domain::transfers::{TransferKind, TransferReason, TransferRules};
use chibo_store::entities::{member, transfer, unit};
use chibo_store::sea_orm::sea_query::{Query, UnionType};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::members;
use crate::org::units;
use crate::paging::{Ranked, ranked_page};
use crate::refs::{MemberRef, UnitChoices, UnitRef};
use crate::workflows::acts_as;
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferView {
    pub id: i64,
    pub member: MemberRef,
    pub kind: String,
    pub kind_label: String,
    pub reason: String,
    pub reason_label: String,
    pub from: UnitRef,
    pub to: Option<UnitRef>,
    pub destination: String,
    pub moved_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub applied_on: Option<NaiveDate>,
    pub letter_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    /// `open`, `completed`, `cancelled`.
    pub status: String,
    pub status_label: String,
    /// Permanent: the last day to apply (60 working days after moving).
    pub apply_by: Option<NaiveDate>,
    /// The rule that sets it, with its source.
    pub apply_basis: Option<String>,
    /// The last day to present the letter (30 working days after it).
    pub present_by: Option<NaiveDate>,
    pub present_basis: Option<String>,
    /// What is overdue today, in Vietnamese.
    pub overdue: Option<String>,
    /// What the actor may do next: `apply`, `letter`, `receive`, `return`, `cancel`.
    pub next_steps: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferList {
    pub unit: UnitRef,
    pub transfers: Vec<TransferView>,
    /// Overdue transfers in the whole list, not only this page.
    pub overdue: u32,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
    /// The deadlines as the rules in force for the unit today set them, with their sources.
    pub rules_text: String,
}

/// What a transfer is judged by: the members' rules in force today for the unit a list or a
/// step is about (a list's rows are judged, like its overdue count, by its root's rules).
pub(crate) struct Ctx {
    pub(crate) all: MemberRules,
    pub(crate) rules: TransferRules,
    pub(crate) holidays: Holidays,
    pub(crate) today: NaiveDate,
}

pub(crate) fn transfer_view(
    t: &transfer::Model,
    ctx: &Ctx,
    names: &HashMap<i64, String>,
    units: &HashMap<i64, unit::Model>,
    actor: &Actor,
) -> TransferView {
    let kind = TransferKind::from_code(&t.kind).unwrap_or(TransferKind::Temporary);
    let unit_ref = |id: i64| UnitRef {
        id,
        name: units.get(&id).map(|u| u.name.clone()).unwrap_or_default(),
    };
    // A status chibo did not write is not open and offers no step.
    let status = TransferStatus::from_code(&t.status);
    let open = status == Some(TransferStatus::Open);
    let apply_by =
        (kind == TransferKind::Permanent).then(|| ctx.rules.apply_by(t.moved_on, &ctx.holidays));
    let present_by = t.letter_on.map(|l| ctx.rules.present_by(l, &ctx.holidays));
    let fmt = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let overdue = if !open {
        None
    } else if let Some(by) = apply_by.filter(|by| t.applied_on.is_none() && ctx.today > *by) {
        Some(format!(
            "Quá hạn làm thủ tục chuyển sinh hoạt (hạn {}).",
            fmt(by)
        ))
    } else if let Some(by) = present_by.filter(|by| t.received_on.is_none() && ctx.today > *by) {
        Some(format!(
            "Quá hạn xuất trình giấy giới thiệu với nơi đến (hạn {}).",
            fmt(by)
        ))
    } else {
        t.ends_on
            .filter(|e| {
                kind == TransferKind::Temporary && t.returned_on.is_none() && ctx.today > *e
            })
            .map(|e| {
                format!(
                    "Hết thời hạn sinh hoạt tạm thời ngày {}, chưa trở về.",
                    fmt(e)
                )
            })
    };
    let home = units.get(&t.from_unit_id);
    let dest = t.to_unit_id.and_then(|id| units.get(&id));
    let manages_home = home.is_some_and(|u| actor.may_manage(u));
    let manages_dest = dest.is_some_and(|u| actor.may_manage(u));
    let next_steps = match status {
        Some(status) => transfer_rules::next_steps(TransferState {
            kind,
            status,
            applied: t.applied_on.is_some(),
            letter: t.letter_on.is_some(),
            received: t.received_on.is_some(),
            destination_in_chibo: dest.is_some(),
        })
        .into_iter()
        .filter(|(_, party)| acts_as(*party, manages_home, manages_dest, false, false))
        .map(|(action, _)| action.code().to_string())
        .collect(),
        None => vec![],
    };
    TransferView {
        id: t.id,
        member: MemberRef {
            id: t.member_id,
            name: names.get(&t.member_id).cloned().unwrap_or_default(),
        },
        kind: t.kind.clone(),
        kind_label: kind.label().to_string(),
        reason: t.reason.clone(),
        reason_label: TransferReason::from_code(&t.reason)
            .map(|r| r.label().to_string())
            .unwrap_or_default(),
        from: unit_ref(t.from_unit_id),
        to: t.to_unit_id.map(unit_ref),
        destination: t.destination.clone(),
        moved_on: t.moved_on,
        ends_on: t.ends_on,
        applied_on: t.applied_on,
        letter_on: t.letter_on,
        received_on: t.received_on,
        returned_on: t.returned_on,
        status: t.status.clone(),
        status_label: status.map(|s| s.label().to_string()).unwrap_or_default(),
        apply_basis: apply_by.map(|_| ctx.all.basis("transfer.apply_within_working_days")),
        present_basis: present_by.map(|_| ctx.all.basis("transfer.present_within_working_days")),
        apply_by,
        present_by,
        overdue,
        next_steps,
    }
}

pub(crate) async fn ctx(app: &App, u: &unit::Model) -> AppResult<Ctx> {
    let (all, holidays) = crate::rules::members::deadlines_for(app, u).await?;
    Ok(Ctx {
        rules: all.transfer,
        all,
        holidays,
        today: App::today(),
    })
}

async fn transfer_views(
    app: &App,
    actor: &Actor,
    c: &Ctx,
    rows: Vec<transfer::Model>,
) -> AppResult<Vec<TransferView>> {
    let ids: Vec<i64> = rows.iter().map(|t| t.member_id).collect();
    let names: HashMap<i64, String> =
        crate::lookup::by_ids::<member::Entity, _>(&app.db, member::Column::Id, &ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m.full_name))
            .collect();
    let unit_ids: Vec<i64> = rows
        .iter()
        .flat_map(|t| [Some(t.from_unit_id), t.to_unit_id])
        .flatten()
        .collect();
    let units: HashMap<i64, unit::Model> = crate::lookup::units_by_id(&app.db, &unit_ids).await?;
    Ok(rows
        .iter()
        .map(|t| transfer_view(t, c, &names, &units, actor))
        .collect())
}

/// Transfers out of or into a subtree: the overdue open ones first, then the other open ones,
/// then the rest, each newest first; `per_page` of them after `after`.
pub async fn list(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    overdue_only: bool,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<TransferList> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    let c = ctx(app, &root).await?;
    // Out of or into the subtree, as one set of ids: `from IN (units) OR to IN (units)` cannot
    // be joined by PostgreSQL, which then scans the subtree's ids again for every transfer
    // once they outgrow `work_mem` (the nation's 400,000 units: minutes).
    let touching = |side: transfer::Column| {
        Query::select()
            .column(transfer::Column::Id)
            .from(transfer::Entity)
            .and_where(side.in_subquery(Subtree::of(&root).units()))
            .to_owned()
    };
    let under = Condition::all().add(
        transfer::Column::Id.in_subquery(
            touching(transfer::Column::FromUnitId)
                .union(UnionType::Distinct, touching(transfer::Column::ToUnitId))
                .to_owned(),
        ),
    );
    let overdue = overdue_condition(&c);
    let overdue_count = transfer::Entity::find()
        .filter(under.clone())
        .filter(overdue.clone())
        .count(&app.db)
        .await? as u32;
    let mut q = transfer::Entity::find().filter(under);
    if overdue_only {
        q = q.filter(overdue.clone());
    }
    let order = Ranked::first_met(
        vec![
            overdue,
            Condition::all().add(transfer::Column::Status.eq(TransferStatus::Open.code())),
        ],
        transfer::Column::MovedOn,
    );
    let page = ranked_page::<_, NaiveDate>(&app.db, q, order, after, per_page).await?;
    Ok(TransferList {
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        transfers: transfer_views(app, actor, &c, page.rows).await?,
        overdue: overdue_count,
        next: page.next,
        rules_text: format!(
            "Chuyển sinh hoạt chính thức: làm thủ tục trong {} kể từ khi chuyển nơi làm việc, cư \
             trú; xuất trình giấy giới thiệu với nơi đến trong {}. Chuyển sinh hoạt tạm thời: từ \
             {} đến dưới {} ({} khi đi học). Ngày làm việc không tính {} và ngày nghỉ lễ.",
            c.all.basis("transfer.apply_within_working_days"),
            c.all.basis("transfer.present_within_working_days"),
            c.all.basis("transfer.temp_min_months"),
            c.all.basis("transfer.temp_below_months"),
            c.all.basis("transfer.training_max_months"),
            chibo_domain::rules::figures::value_text(&c.all, "working_days.weekly_days_off")
                .unwrap_or_default()
                .to_lowercase(),
        ),
    })
}

/// The last start days already overdue, as `transfer_view` words it: a permanent move not
/// applied for by `apply` days after it, a letter not presented by `present` days after it.
pub(crate) struct OverdueStarts {
    pub apply: NaiveDate,
    pub present: NaiveDate,
}

pub(crate) fn overdue_starts(c: &Ctx) -> OverdueStarts {
    OverdueStarts {
        apply: last_overdue_start(c.today, |d| c.rules.apply_by(d, &c.holidays)),
        present: last_overdue_start(c.today, |d| c.rules.present_by(d, &c.holidays)),
    }
}

/// The open transfers with a deadline passed, in SQL: each deadline becomes the last start
/// day already overdue.
fn overdue_condition(c: &Ctx) -> Condition {
    let OverdueStarts {
        apply: apply_late,
        present: present_late,
    } = overdue_starts(c);
    Condition::all()
        .add(transfer::Column::Status.eq(TransferStatus::Open.code()))
        .add(
            Condition::any()
                .add(
                    Condition::all()
                        .add(transfer::Column::Kind.eq(TransferKind::Permanent.code()))
                        .add(transfer::Column::AppliedOn.is_null())
                        .add(transfer::Column::MovedOn.lte(apply_late)),
                )
                .add(
                    Condition::all()
                        .add(transfer::Column::ReceivedOn.is_null())
                        .add(transfer::Column::LetterOn.lte(present_late)),
                )
                .add(
                    Condition::all()
                        .add(transfer::Column::Kind.eq(TransferKind::Temporary.code()))
                        .add(transfer::Column::ReturnedOn.is_null())
                        .add(transfer::Column::EndsOn.lt(c.today)),
                ),
        )
}

/// Transfers of one member, newest first.
pub async fn of_member(app: &App, actor: &Actor, member_id: i64) -> AppResult<Vec<TransferView>> {
    let (m, u) = members::visible(app, actor, member_id).await?;
    let rows = transfer::Entity::find()
        .filter(transfer::Column::MemberId.eq(m.id))
        .order_by_desc(transfer::Column::MovedOn)
        .all(&app.db)
        .await?;
    transfer_views(app, actor, &ctx(app, &u).await?, rows).await
}

/// A transfer the actor may see: its home or its receiving cell is in their read scope.
pub(crate) async fn transfer_by_id(app: &App, actor: &Actor, id: i64) -> AppResult<TransferView> {
    let t = transfer::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut seen = false;
    let mut home = None;
    for uid in [Some(t.from_unit_id), t.to_unit_id].into_iter().flatten() {
        let u = units::find(&app.db, uid).await?;
        if u.as_ref().is_some_and(|u| actor.can_read_path(&u.path)) {
            seen = true;
        }
        if uid == t.from_unit_id {
            home = u;
        }
    }
    let (true, Some(home)) = (seen, home) else {
        return Err(AppError::NotFound);
    };
    let c = ctx(app, &home).await?;
    Ok(transfer_views(app, actor, &c, vec![t]).await?.remove(0))
}

pub(crate) async fn cell_of(app: &App, unit_id: i64) -> AppResult<unit::Model> {
    let u = units::find(&app.db, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    members::cell_of(&app.db, &u).await
}

/// Cells a transfer from `home` may go to inside chibo: live cells under the same superior
/// organisation, and every other live cell the actor reads.
pub(crate) fn destinations_from(actor: &Actor, home: &unit::Model) -> Condition {
    let cell_kinds: Vec<&str> = [UnitKind::BaseCell, UnitKind::Cell]
        .iter()
        .map(|k| k.code())
        .collect();
    let mut reachable = Condition::any().add(actor.scope().condition(unit::Column::Path));
    if let Some(p) = home.parent_id {
        reachable = reachable.add(unit::Column::ParentId.eq(p));
    }
    Condition::all()
        .add(unit::Column::Kind.is_in(cell_kinds))
        .add(unit::Column::DissolvedOn.is_null())
        .add(unit::Column::Id.ne(home.id))
        .add(reachable)
}

/// Cells a member of `member_id`'s cell may be transferred to in chibo whose name contains `q`,
/// by name, a page at a time (an administrator may send a member to any of ten thousand cells).
/// `Forbidden` to whoever may not manage the member.
pub async fn destinations(
    app: &App,
    actor: &Actor,
    member_id: i64,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UnitChoices> {
    let (m, u) = members::visible(app, actor, member_id).await?;
    // Only whoever may start the member's transfer learns where it could go (a member sees
    // their own record, not the names of the cells around theirs).
    actor.require(actor.can_manage_members(&u))?;
    let home = cell_of(app, m.unit_id).await?;
    units::choices_in_name_order(
        &app.db,
        unit::Entity::find().filter(destinations_from(actor, &home)),
        q,
        after,
        per_page,
    )
    .await
}

/// The member a transfer is about, when the actor may see the transfer.
pub async fn of_transfer_member(app: &App, actor: &Actor, id: i64) -> AppResult<i64> {
    Ok(transfer_by_id(app, actor, id).await?.member.id)
}
