//! Transfers of party activity: temporary (the member attends another cell for a while) and
//! permanent (the member moves), inside chibo or out of it, with the deadlines counted in
//! working days and the list of what is overdue.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::calendar::Holidays;
use chibo_domain::member::{Status, StatusEventKind};
use chibo_domain::org::UnitKind;
use chibo_domain::transfers::{TransferKind, TransferReason, TransferRules};
use chibo_domain::validate;
use chibo_store::entities::{member, member_unit, transfer, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::meeting_record::MemberRef;
use crate::members::{self, status_of};
use crate::scope::Actor;
use crate::units::{self, UnitRef};
use crate::{App, AppError, AppResult, audit};

/// The reason written on the roll of a cell a member attends on a temporary transfer; the roll
/// recognises such rows by it.
pub const TEMPORARY_ROLL_REASON: &str = "Sinh hoạt tạm thời";

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
    /// The last day to present the letter (30 working days after it).
    pub present_by: Option<NaiveDate>,
    /// What is overdue today, in Vietnamese.
    pub overdue: Option<String>,
    /// What the actor may do next: `apply`, `letter`, `receive`, `return`, `cancel`.
    pub next_steps: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TransferInput {
    /// `temporary` or `permanent`.
    pub kind: String,
    /// `work`, `residence` or `training`.
    pub reason: String,
    /// The receiving cell in chibo; empty when the member goes outside it.
    pub to_unit_id: Option<i64>,
    /// Where the member goes (required outside chibo).
    pub destination: String,
    /// Temporary: the first day away. Permanent: the day the member moved.
    pub moved_on: Option<String>,
    /// Temporary: the planned last day.
    pub ends_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TransferStep {
    /// `apply` (the member applied), `letter` (the introduction letter was issued), `receive`
    /// (the receiving organisation took the member in), `return` (back from a temporary
    /// transfer) or `cancel`.
    pub step: String,
    pub on: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferList {
    pub unit: UnitRef,
    pub transfers: Vec<TransferView>,
    pub overdue: u32,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "open" => "Đang thực hiện",
        "completed" => "Đã hoàn tất",
        "cancelled" => "Đã hủy",
        _ => "",
    }
}

struct Ctx {
    rules: TransferRules,
    holidays: Holidays,
    today: NaiveDate,
}

fn view(
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
    let open = t.status == "open";
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
    let manages_home =
        home.is_some_and(|u| actor.can_read_path(&u.path) && actor.can_manage_members(u));
    let manages_dest =
        dest.is_some_and(|u| actor.can_read_path(&u.path) && actor.can_manage_members(u));
    let mut next_steps = Vec::new();
    if open {
        match kind {
            TransferKind::Permanent => {
                if manages_home && t.applied_on.is_none() {
                    next_steps.push("apply");
                }
                if manages_home && t.applied_on.is_some() && t.letter_on.is_none() {
                    next_steps.push("letter");
                }
                if t.letter_on.is_some() && (manages_dest || dest.is_none() && manages_home) {
                    next_steps.push("receive");
                }
            }
            TransferKind::Temporary => {
                if manages_home {
                    next_steps.push("return");
                }
            }
        }
        if manages_home && t.received_on.is_none() {
            next_steps.push("cancel");
        }
    }
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
        status_label: status_label(&t.status).to_string(),
        apply_by,
        present_by,
        overdue,
        next_steps: next_steps.into_iter().map(str::to_string).collect(),
    }
}

async fn ctx(app: &App) -> AppResult<Ctx> {
    Ok(Ctx {
        rules: TransferRules::default(),
        holidays: crate::calendar::holidays(app).await?,
        today: App::today(),
    })
}

async fn views(
    app: &App,
    actor: &Actor,
    rows: Vec<transfer::Model>,
) -> AppResult<Vec<TransferView>> {
    let c = ctx(app).await?;
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
    let units: HashMap<i64, unit::Model> =
        crate::lookup::by_ids::<unit::Entity, _>(&app.db, unit::Column::Id, &unit_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
    Ok(rows
        .iter()
        .map(|t| view(t, &c, &names, &units, actor))
        .collect())
}

/// Transfers out of or into a subtree (open ones first, then the newest), with what is overdue.
pub async fn list(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    overdue_only: bool,
) -> AppResult<TransferList> {
    let root = actor.readable(units::find(&app.db, unit_id).await?)?.0;
    let rows = transfer::Entity::find()
        .filter(
            Condition::any()
                .add(transfer::Column::FromUnitId.in_subquery(chibo_store::units_under(&root.path)))
                .add(transfer::Column::ToUnitId.in_subquery(chibo_store::units_under(&root.path))),
        )
        .order_by_desc(transfer::Column::MovedOn)
        .order_by_desc(transfer::Column::Id)
        .all(&app.db)
        .await?;
    let mut transfers = views(app, actor, rows).await?;
    transfers.sort_by_key(|t| (t.status != "open", t.overdue.is_none()));
    let overdue = transfers.iter().filter(|t| t.overdue.is_some()).count() as u32;
    if overdue_only {
        transfers.retain(|t| t.overdue.is_some());
    }
    Ok(TransferList {
        unit: UnitRef {
            id: root.id,
            name: root.name,
        },
        transfers,
        overdue,
    })
}

/// Transfers of one member, newest first.
pub async fn of_member(app: &App, actor: &Actor, member_id: i64) -> AppResult<Vec<TransferView>> {
    let (m, _) = members::visible(app, actor, member_id).await?;
    let rows = transfer::Entity::find()
        .filter(transfer::Column::MemberId.eq(m.id))
        .order_by_desc(transfer::Column::MovedOn)
        .all(&app.db)
        .await?;
    views(app, actor, rows).await
}

/// A transfer the actor may see: its home or its receiving cell is in their read scope.
async fn one(app: &App, actor: &Actor, id: i64) -> AppResult<TransferView> {
    let t = transfer::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut seen = false;
    for uid in [Some(t.from_unit_id), t.to_unit_id].into_iter().flatten() {
        if units::find(&app.db, uid)
            .await?
            .is_some_and(|u| actor.can_read_path(&u.path))
        {
            seen = true;
        }
    }
    if !seen {
        return Err(AppError::NotFound);
    }
    Ok(views(app, actor, vec![t]).await?.remove(0))
}

async fn cell_of(app: &App, unit_id: i64) -> AppResult<unit::Model> {
    let u = units::find(&app.db, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    members::cell_of(&app.db, &u).await
}

/// Starts a transfer of a member out of their cell (the cell's officers or the committee above).
pub async fn start(
    app: &App,
    actor: &Actor,
    member_id: i64,
    input: TransferInput,
) -> AppResult<TransferView> {
    let (m, u) = members::visible(app, actor, member_id).await?;
    if !actor.can_read_path(&m.unit_path) {
        return Err(AppError::NotFound);
    }
    actor.require(actor.can_manage_members(&u))?;
    let home = cell_of(app, m.unit_id).await?;
    let c = ctx(app).await?;
    let mut e = Invalid::new();
    let kind = TransferKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.push("kind", "Chọn chuyển sinh hoạt tạm thời hay chính thức.");
    }
    let reason = TransferReason::from_code(input.reason.trim());
    if reason.is_none() {
        e.push("reason", "Chọn lý do chuyển sinh hoạt.");
    }
    let moved_on = validate::date_field(
        &mut e,
        "moved_on",
        "ngày bắt đầu",
        input.moved_on.as_deref(),
        true,
    );
    let ends_on = validate::date_field(
        &mut e,
        "ends_on",
        "ngày kết thúc",
        input.ends_on.as_deref(),
        kind == Some(TransferKind::Temporary),
    );
    let destination = validate::optional_text(
        &mut e,
        "destination",
        "nơi đến",
        Some(&input.destination),
        500,
    )
    .unwrap_or_default();
    let to = match input.to_unit_id {
        Some(id) => {
            // Only a destination the form offers: any other id, known or not, gets the same
            // answer, so the form reveals no unit name outside the user's view.
            let to = unit::Entity::find()
                .filter(destinations_from(actor, &home))
                .filter(unit::Column::Id.eq(id))
                .one(&app.db)
                .await?;
            if to.is_none() {
                e.push(
                    "to_unit_id",
                    "Chỉ chọn được chi bộ trong danh sách nơi đến; nơi khác hãy ghi tên vào ô \"Nơi đến\".",
                );
            }
            to
        }
        None => {
            if destination.is_empty() {
                e.push(
                    "destination",
                    "Ghi nơi đến (đảng bộ, chi bộ ngoài hệ thống) hoặc chọn chi bộ nơi đến.",
                );
            }
            None
        }
    };
    if let Some(d) = moved_on {
        if d < m.admission_date {
            e.push("moved_on", "Ngày bắt đầu trước ngày vào Đảng.");
        }
        if d > c.today {
            e.push(
                "moved_on",
                "Ngày bắt đầu chưa đến; ghi khi đảng viên đã chuyển đi.",
            );
        }
    }
    if let (Some(TransferKind::Temporary), Some(r), Some(f), Some(t)) =
        (kind, reason, moved_on, ends_on)
        && let Err(msg) = c.rules.check_temporary(r, f, t)
    {
        e.push("ends_on", msg);
    }
    let status = status_of(&m.status);
    let event = match kind {
        Some(TransferKind::Temporary) => Some(StatusEventKind::TempTransferOut),
        _ => None,
    };
    match (kind, status) {
        (Some(TransferKind::Temporary), s) if s != Status::Active => e.push(
            "kind",
            format!(
                "Chỉ đảng viên đang sinh hoạt mới chuyển sinh hoạt tạm thời (hiện: {}).",
                s.label().to_lowercase()
            ),
        ),
        (Some(TransferKind::Permanent), s)
            if !matches!(
                s,
                Status::Active | Status::WorkingAway | Status::TransferredOutTemp
            ) =>
        {
            e.push(
                "kind",
                format!(
                    "Đảng viên không thể chuyển sinh hoạt chính thức (hiện: {}).",
                    s.label().to_lowercase()
                ),
            )
        }
        _ => {}
    }
    let open = transfer::Entity::find()
        .filter(transfer::Column::MemberId.eq(m.id))
        .filter(transfer::Column::Status.eq("open"))
        .one(&app.db)
        .await?;
    if open.is_some_and(|o| !(o.kind == "temporary" && kind == Some(TransferKind::Permanent))) {
        e.push(
            "kind",
            "Đảng viên đang có một việc chuyển sinh hoạt chưa hoàn tất.",
        );
    }
    e.into_result()?;
    let (kind, reason, moved_on) = (
        kind.expect("checked"),
        reason.expect("checked"),
        moved_on.expect("checked"),
    );
    let tx = write_tx(&app.db).await?;
    let saved = transfer::ActiveModel {
        member_id: Set(m.id),
        kind: Set(kind.code().to_string()),
        reason: Set(reason.code().to_string()),
        from_unit_id: Set(home.id),
        to_unit_id: Set(to.as_ref().map(|t| t.id)),
        destination: Set(destination),
        moved_on: Set(moved_on),
        ends_on: Set(ends_on),
        applied_on: Set(None),
        letter_on: Set(None),
        received_on: Set(None),
        returned_on: Set(None),
        status: Set("open".into()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    if let Some(ev) = event {
        let where_to = to
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_else(|| saved.destination.clone());
        members::apply_event(
            &tx,
            actor,
            m.clone(),
            ev,
            moved_on,
            ends_on,
            &format!("Chuyển sinh hoạt tạm thời đến {where_to}"),
        )
        .await?;
        if let Some(t) = &to {
            member_unit::ActiveModel {
                member_id: Set(m.id),
                unit_id: Set(t.id),
                valid_from: Set(moved_on),
                valid_to: Set(None),
                reason: Set(format!("{TEMPORARY_ROLL_REASON} từ {}", home.name)),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
    }
    audit::record(
        &tx,
        Some(actor),
        "transfer.start",
        "transfer",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    one(app, actor, saved.id).await
}

async fn close_temporary_row(
    tx: &DatabaseTransaction,
    t: &transfer::Model,
    on: NaiveDate,
) -> AppResult<()> {
    if let Some(to) = t.to_unit_id {
        for row in member_unit::Entity::find()
            .filter(member_unit::Column::MemberId.eq(t.member_id))
            .filter(member_unit::Column::UnitId.eq(to))
            .filter(member_unit::Column::ValidTo.is_null())
            .all(tx)
            .await?
            .into_iter()
            .filter(|r| r.reason.starts_with(TEMPORARY_ROLL_REASON))
        {
            let mut am = row.into_active_model();
            am.valid_to = Set(Some(on.max(t.moved_on)));
            am.update(tx).await?;
        }
    }
    Ok(())
}

/// Records the next step of a transfer, each checked for order, date and who may take it.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    input: TransferStep,
) -> AppResult<TransferView> {
    let t = transfer::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = one(app, actor, id).await?;
    let what = input.step.trim();
    if t.status != "open" {
        return Err(AppError::invalid(
            "step",
            "Việc chuyển sinh hoạt này đã kết thúc.",
        ));
    }
    crate::require_step(&current.next_steps, what)?;
    let mut e = Invalid::new();
    let on = validate::date_field(&mut e, "on", "ngày", input.on.as_deref(), what != "cancel");
    let earliest = match what {
        "letter" => t.applied_on,
        "receive" => t.letter_on,
        _ => Some(t.moved_on),
    }
    .unwrap_or(t.moved_on);
    if let Some(d) = on {
        if d < earliest {
            e.push(
                "on",
                format!(
                    "Ngày này phải từ ngày {} trở đi.",
                    earliest.format("%d/%m/%Y")
                ),
            );
        }
        if d > App::today() {
            e.push("on", "Ngày này chưa đến.");
        }
    }
    e.into_result()?;
    let on = on.unwrap_or_else(App::today);
    let m = member::Entity::find_by_id(t.member_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let tx = write_tx(&app.db).await?;
    let before = t.clone();
    let mut am = t.clone().into_active_model();
    match what {
        "apply" => am.applied_on = Set(Some(on)),
        "letter" => am.letter_on = Set(Some(on)),
        "receive" => {
            am.received_on = Set(Some(on));
            am.status = Set("completed".into());
            match t.to_unit_id {
                Some(to) => {
                    let to = units::find(&tx, to).await?.ok_or(AppError::NotFound)?;
                    // A permanent transfer supersedes a temporary one still open.
                    let m = come_back(&tx, actor, m, on, "Chuyển sinh hoạt chính thức").await?;
                    close_open_temporary(&tx, m.id, on).await?;
                    members::move_member(&tx, m, &to, on, "Chuyển sinh hoạt chính thức đến")
                        .await?;
                }
                None => {
                    members::apply_event(
                        &tx,
                        actor,
                        m,
                        StatusEventKind::PermanentTransferOut,
                        on,
                        None,
                        &format!("Chuyển sinh hoạt chính thức đến {}", t.destination),
                    )
                    .await?;
                }
            }
        }
        "return" => {
            am.returned_on = Set(Some(on));
            am.status = Set("completed".into());
            come_back(&tx, actor, m, on, "Trở về sau chuyển sinh hoạt tạm thời").await?;
            close_temporary_row(&tx, &t, on).await?;
        }
        _ => {
            am.status = Set("cancelled".into());
            if t.kind == "temporary" {
                come_back(&tx, actor, m, on, "Hủy chuyển sinh hoạt tạm thời").await?;
                close_temporary_row(&tx, &t, on).await?;
            }
        }
    }
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        &format!("transfer.{what}"),
        "transfer",
        Some(id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    one(app, actor, id).await
}

/// A member away on a temporary transfer is back in their cell from `on`.
async fn come_back(
    tx: &DatabaseTransaction,
    actor: &Actor,
    m: member::Model,
    on: NaiveDate,
    reason: &str,
) -> AppResult<member::Model> {
    if status_of(&m.status) != Status::TransferredOutTemp {
        return Ok(m);
    }
    members::apply_event(
        tx,
        actor,
        m,
        StatusEventKind::TempTransferReturn,
        on,
        None,
        reason,
    )
    .await
}

/// Ends any open temporary transfer of the member (a permanent one supersedes it).
async fn close_open_temporary(
    tx: &DatabaseTransaction,
    member_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    for t in transfer::Entity::find()
        .filter(transfer::Column::MemberId.eq(member_id))
        .filter(transfer::Column::Kind.eq("temporary"))
        .filter(transfer::Column::Status.eq("open"))
        .all(tx)
        .await?
    {
        close_temporary_row(tx, &t, on).await?;
        let mut am = t.into_active_model();
        am.returned_on = Set(Some(on));
        am.status = Set("completed".into());
        am.update(tx).await?;
    }
    Ok(())
}

/// Cells a transfer from `home` may go to inside chibo: live cells under the same superior
/// organisation, and every other live cell the actor reads.
fn destinations_from(actor: &Actor, home: &unit::Model) -> Condition {
    let cell_kinds: Vec<&str> = [UnitKind::BaseCell, UnitKind::Cell]
        .iter()
        .map(|k| k.code())
        .collect();
    let siblings = match home.parent_id {
        Some(p) => Condition::all().add(unit::Column::ParentId.eq(p)),
        None => Condition::all().add(chibo_store::sea_orm::sea_query::Expr::cust("1 = 0")),
    };
    Condition::all()
        .add(unit::Column::Kind.is_in(cell_kinds))
        .add(unit::Column::DissolvedOn.is_null())
        .add(unit::Column::Id.ne(home.id))
        .add(Condition::any().add(siblings).add(units::scope_condition(
            unit::Column::Path,
            &actor.read_paths(),
        )))
}

/// Cells a member of `member_id`'s cell may be transferred to in chibo, by name.
pub async fn destinations(app: &App, actor: &Actor, member_id: i64) -> AppResult<Vec<UnitRef>> {
    let (m, _) = members::visible(app, actor, member_id).await?;
    let home = cell_of(app, m.unit_id).await?;
    Ok(unit::Entity::find()
        .filter(destinations_from(actor, &home))
        .order_by_asc(unit::Column::SearchKey)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| UnitRef {
            id: u.id,
            name: u.name,
        })
        .collect())
}

/// The member a transfer is about, when the actor may see the transfer.
pub async fn of_transfer_member(app: &App, actor: &Actor, id: i64) -> AppResult<i64> {
    Ok(one(app, actor, id).await?.member.id)
}
