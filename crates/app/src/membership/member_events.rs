//! A member's status over time: events (official, exempt, transferred, left...) and the moves
//! between cells that close one membership and open another.

use chibo_domain::member::{self as rules, Status, StatusEventKind};
use chibo_domain::{Invalid, validate};
use chibo_store::entities::{member, member_event, member_unit, unit};
use chibo_store::meeting_stats::SheetsToMark;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::member_edit::manageable;
use crate::membership::members::{MemberDetail, detail, events_of, status_of};
use crate::membership::positions::end_member_positions;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct StatusEventInput {
    pub kind: String,
    pub effective_on: Option<String>,
    /// Expected end, for temporary transfers and working away.
    pub until: Option<String>,
    pub reason: String,
}

/// Records a status change (exemption, transfer, working away, suspension, removal…).
pub async fn add_event(
    app: &App,
    actor: &Actor,
    id: i64,
    input: StatusEventInput,
) -> AppResult<MemberDetail> {
    let (m, u) = manageable(app, actor, id).await?;
    let mut e = Invalid::new();
    let kind = StatusEventKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.push("kind", "Vui lòng chọn loại thay đổi.");
    }
    let on = validate::date_field(
        &mut e,
        "effective_on",
        "ngày hiệu lực",
        input.effective_on.as_deref(),
        true,
    );
    let until = validate::date_field(
        &mut e,
        "until",
        "ngày dự kiến kết thúc",
        input.until.as_deref(),
        false,
    );
    let reason = validate::required_text(&mut e, "reason", "lý do", &input.reason, 2000);
    let events = events_of(&app.db, m.id).await?;
    let current = status_of(&m.status);
    let next = kind.map(|k| rules::apply(current, k));
    if let Some(Err(msg)) = &next {
        e.push("kind", *msg);
    }
    if let Some(on) = on {
        if on > App::today() {
            e.push("effective_on", "Ngày hiệu lực không được sau ngày hôm nay.");
        }
        if on < m.admission_date {
            e.push(
                "effective_on",
                "Ngày hiệu lực không được trước ngày vào Đảng.",
            );
        }
        let since = member_unit::Entity::find()
            .filter(member_unit::Column::MemberId.eq(m.id))
            .order_by_desc(member_unit::Column::ValidFrom)
            .one(&app.db)
            .await?
            .map(|x| x.valid_from);
        if let Some(since) = since.filter(|s| on < *s) {
            e.push("effective_on", format!(
                "Ngày hiệu lực không được trước ngày bắt đầu sinh hoạt tại chi bộ hiện tại ({}).",
                since.format("%d/%m/%Y")
            ));
        }
        if let Some(last) = events.last()
            && on < last.effective_on
        {
            e.push(
                "effective_on",
                format!(
                    "Ngày hiệu lực phải từ ngày {} (thay đổi gần nhất) trở đi.",
                    last.effective_on.format("%d/%m/%Y")
                ),
            );
        }
        if let Some(u) = until
            && u <= on
        {
            e.push("until", "Ngày dự kiến kết thúc phải sau ngày hiệu lực.");
        }
    }
    e.into_result()?;
    let (kind, on, next) = (
        kind.expect("checked"),
        on.expect("checked"),
        next.expect("checked").expect("checked"),
    );

    let tx = write_tx(&app.db).await?;
    let after = write_event(&tx, actor, m, kind, on, until, &reason, current, next).await?;
    tx.commit().await?;
    detail(app, actor, after, u).await
}

/// Records a status change the member's current status allows (else a field error), in `tx`.
pub(crate) async fn apply_event(
    tx: &DatabaseTransaction,
    actor: &Actor,
    m: member::Model,
    kind: StatusEventKind,
    on: NaiveDate,
    until: Option<NaiveDate>,
    reason: &str,
) -> AppResult<member::Model> {
    let status = status_of(&m.status);
    let next = rules::apply(status, kind).map_err(|msg| AppError::invalid("kind", msg))?;
    write_event(tx, actor, m, kind, on, until, reason, status, next).await
}

/// Writes a checked status change: the event, the roll (leaving it closes the membership,
/// re-admission opens it again in the same cell), the member's status and the audit line.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_event(
    tx: &DatabaseTransaction,
    actor: &Actor,
    m: member::Model,
    kind: StatusEventKind,
    on: NaiveDate,
    until: Option<NaiveDate>,
    reason: &str,
    current: Status,
    next: Status,
) -> AppResult<member::Model> {
    chibo_store::restructure::lock_members(tx, Condition::all().add(member::Column::Id.eq(m.id)))
        .await?;
    let ev = member_event::ActiveModel {
        member_id: Set(m.id),
        kind: Set(kind.code().to_string()),
        effective_on: Set(on),
        until: Set(until),
        reason: Set(reason.to_string()),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    if current.on_roll() && !next.on_roll() {
        close_membership(tx, m.id, on).await?;
        end_member_positions(tx, m.id, on).await?;
    } else if !current.on_roll() && next.on_roll() {
        member_unit::ActiveModel {
            member_id: Set(m.id),
            unit_id: Set(m.unit_id),
            valid_from: Set(on),
            valid_to: Set(None),
            reason: Set(kind.label().to_string()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    let before = m.clone();
    let mut am = m.into_active_model();
    am.status = Set(next.code().to_string());
    am.updated_at = Set(chrono::Utc::now());
    let after = am.update(tx).await?;
    // The sheets of meetings from that day on read the member's status then. Marked after the
    // member's rows are written, as every change to members does (see `SheetsToMark`).
    chibo_store::meeting_stats::member_changed(tx, after.id, on).await?;
    audit::record(
        tx,
        Some(actor),
        "member.status",
        "member",
        Some(after.id),
        Some(&before),
        Some(&ev),
    )
    .await?;
    Ok(after)
}

async fn close_membership(
    tx: &DatabaseTransaction,
    member_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    let open = member_unit::Entity::find()
        .filter(member_unit::Column::MemberId.eq(member_id))
        .filter(member_unit::Column::ValidTo.is_null())
        .all(tx)
        .await?;
    for row in open {
        if row.valid_from >= on {
            member_unit::Entity::delete_by_id(row.id).exec(tx).await?;
        } else {
            let mut am = row.into_active_model();
            am.valid_to = Set(Some(on));
            am.update(tx).await?;
        }
    }
    Ok(())
}

/// Moves the listed members to another unit on `date`, keeping their membership history:
/// set-based statements a thousand members at a time (the list comes from a form or the API,
/// so its length is not the database's to bound). Returns the sheets the move dated, for the
/// transaction to mark after its last other write.
pub(crate) async fn move_members(
    tx: &DatabaseTransaction,
    member_ids: &[i64],
    to: &unit::Model,
    date: NaiveDate,
    reason: &str,
) -> AppResult<SheetsToMark> {
    let mut sheets = SheetsToMark::default();
    for chunk in member_ids.chunks(1_000) {
        let (_, dated) = chibo_store::restructure::move_members(
            tx,
            Condition::all().add(member::Column::Id.is_in(chunk.iter().copied())),
            to,
            date,
            reason,
        )
        .await?;
        sheets = sheets.and(dated);
    }
    Ok(sheets)
}
