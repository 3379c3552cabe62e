//! Starting a transfer and moving it through its steps; temporary transfers put the member on a
//! second roll and bring them back.

use chibo_domain::Invalid;
use chibo_domain::member::RollKind;
use chibo_domain::member::{Status, StatusEventKind};
use chibo_domain::transfers::{TransferAction, TransferStatus};
use chibo_domain::transfers::{TransferKind, TransferReason};
use chibo_domain::validate;
use chibo_store::entities::{member, member_unit, transfer, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::member_events;
use crate::membership::members;
use crate::membership::members::status_of;
use crate::org::units;
use crate::workflows::transfers::{TransferView, cell_of, ctx, destinations_from, transfer_by_id};
use crate::{App, AppError, AppResult, audit};

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
    let c = ctx(app, &home).await?;
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
    {
        // The limits in force for the cell on the day the member moved.
        let limits = crate::rules::members::rules_for(&app.db, &home, f)
            .await?
            .transfer;
        if let Err(msg) = limits.check_temporary(r, f, t) {
            e.push("ends_on", msg);
        }
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
        .filter(transfer::Column::Status.eq(TransferStatus::Open.code()))
        .one(&app.db)
        .await?;
    if open.is_some_and(|o| {
        !(o.kind == TransferKind::Temporary.code() && kind == Some(TransferKind::Permanent))
    }) {
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
        status: Set(TransferStatus::Open.code().into()),
        created_by: Set(Some(actor.user_id().get())),
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
        member_events::apply_event(
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
                reason: Set(format!("Sinh hoạt tạm thời từ {}", home.name)),
                kind: Set(RollKind::Temporary.code().into()),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            chibo_store::meeting_stats::member_changed(&tx, m.id, moved_on).await?;
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
    transfer_by_id(app, actor, saved.id).await
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
            .filter(|r| r.kind == RollKind::Temporary.code())
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
    let current = transfer_by_id(app, actor, id).await?;
    if t.status != TransferStatus::Open.code() {
        return Err(AppError::invalid(
            "step",
            "Việc chuyển sinh hoạt này đã kết thúc.",
        ));
    }
    let what = crate::workflows::require_step(
        &current.next_steps,
        &input.step,
        TransferAction::from_code,
    )?;
    let mut e = Invalid::new();
    let on = validate::date_field(
        &mut e,
        "on",
        "ngày",
        input.on.as_deref(),
        what != TransferAction::Cancel,
    );
    let earliest = match what {
        TransferAction::Letter => t.applied_on,
        TransferAction::Receive => t.letter_on,
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
    // The member's row first, as every change to members (the rolls are written below).
    chibo_store::restructure::lock_members(&tx, Condition::all().add(member::Column::Id.eq(m.id)))
        .await?;
    let before = t.clone();
    let mut am = t.clone().into_active_model();
    match what {
        TransferAction::Apply => am.applied_on = Set(Some(on)),
        TransferAction::Letter => am.letter_on = Set(Some(on)),
        TransferAction::Receive => {
            am.received_on = Set(Some(on));
            am.status = Set(TransferStatus::Completed.code().into());
            match t.to_unit_id {
                Some(to) => {
                    let to = units::find(&tx, to).await?.ok_or(AppError::NotFound)?;
                    // A permanent transfer supersedes a temporary one still open.
                    let m = come_back(&tx, actor, m, on, "Chuyển sinh hoạt chính thức").await?;
                    close_open_temporary(&tx, m.id, on).await?;
                    // Its own sheets are marked at once: the transfer writes no other member.
                    member_events::move_members(
                        &tx,
                        &[m.id],
                        &to,
                        on,
                        "Chuyển sinh hoạt chính thức đến",
                    )
                    .await?
                    .mark(&tx)
                    .await?;
                }
                None => {
                    member_events::apply_event(
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
        TransferAction::Return => {
            am.returned_on = Set(Some(on));
            am.status = Set(TransferStatus::Completed.code().into());
            come_back(&tx, actor, m, on, "Trở về sau chuyển sinh hoạt tạm thời").await?;
            close_temporary_row(&tx, &t, on).await?;
        }
        TransferAction::Cancel => {
            am.status = Set(TransferStatus::Cancelled.code().into());
            if t.kind == TransferKind::Temporary.code() {
                come_back(&tx, actor, m, on, "Hủy chuyển sinh hoạt tạm thời").await?;
                close_temporary_row(&tx, &t, on).await?;
            }
        }
    }
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        &format!("transfer.{}", what.code()),
        "transfer",
        Some(id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    transfer_by_id(app, actor, id).await
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
    member_events::apply_event(
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
        .filter(transfer::Column::Kind.eq(TransferKind::Temporary.code()))
        .filter(transfer::Column::Status.eq(TransferStatus::Open.code()))
        .all(tx)
        .await?
    {
        close_temporary_row(tx, &t, on).await?;
        let mut am = t.into_active_model();
        am.returned_on = Set(Some(on));
        am.status = Set(TransferStatus::Completed.code().into());
        am.update(tx).await?;
    }
    Ok(())
}
