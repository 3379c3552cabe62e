//! Positions held in a unit (secretary, deputy, committee member) and their ends.

use chibo_domain::member::{PositionKind, Status};
use chibo_domain::{Invalid, validate};
use chibo_store::entities::position;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::member_edit::manageable;
use crate::membership::members::{MemberDetail, cell_of, detail, status_of};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PositionInput {
    pub kind: String,
    pub term_from: Option<String>,
    pub term_to: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct EndPositionInput {
    pub term_to: Option<String>,
}

async fn end_open_positions(
    tx: &DatabaseTransaction,
    cond: Condition,
    on: NaiveDate,
) -> AppResult<()> {
    chibo_store::restructure::end_positions_where(tx, cond, on).await?;
    Ok(())
}

/// Ends every open position in a unit (it is merged or dissolved).
pub(crate) async fn end_positions(
    tx: &DatabaseTransaction,
    unit_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    end_open_positions(
        tx,
        Condition::all().add(position::Column::UnitId.eq(unit_id)),
        on,
    )
    .await
}

pub(crate) async fn end_member_positions(
    tx: &DatabaseTransaction,
    member_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    end_open_positions(
        tx,
        Condition::all().add(position::Column::MemberId.eq(member_id)),
        on,
    )
    .await
}

pub async fn add_position(
    app: &App,
    actor: &Actor,
    id: i64,
    input: PositionInput,
) -> AppResult<MemberDetail> {
    let (m, u) = manageable(app, actor, id).await?;
    let cell = cell_of(&app.db, &u).await?;
    let mut e = Invalid::new();
    let kind = PositionKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.push("kind", "Vui lòng chọn chức vụ.");
    }
    let from = validate::date_field(
        &mut e,
        "term_from",
        "ngày bắt đầu nhiệm kỳ",
        input.term_from.as_deref(),
        true,
    );
    let to = validate::date_field(
        &mut e,
        "term_to",
        "ngày kết thúc nhiệm kỳ",
        input.term_to.as_deref(),
        false,
    );
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        e.push("term_to", "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.");
    }
    if let Some(f) = from
        && f < m.admission_date
    {
        e.push(
            "term_from",
            "Nhiệm kỳ không thể bắt đầu trước ngày vào Đảng.",
        );
    }
    if status_of(&m.status) != Status::Active {
        e.push(
            "kind",
            "Chỉ đảng viên đang sinh hoạt mới được giữ chức vụ trong chi ủy.",
        );
    }
    if kind == Some(PositionKind::Secretary) {
        let existing = position::Entity::find()
            .filter(position::Column::UnitId.eq(cell.id))
            .filter(position::Column::Kind.eq("secretary"))
            .filter(
                Condition::any()
                    .add(position::Column::TermTo.is_null())
                    .add(position::Column::TermTo.gt(App::today())),
            )
            .count(&app.db)
            .await?;
        if existing > 0 {
            e.push(
                "kind",
                "Chi bộ đã có bí thư đương nhiệm: hãy kết thúc nhiệm kỳ của bí thư cũ trước.",
            );
        }
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let p = position::ActiveModel {
        member_id: Set(m.id),
        unit_id: Set(cell.id),
        kind: Set(kind.expect("checked").code().to_string()),
        term_from: Set(from.expect("checked")),
        term_to: Set(to),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "position.create",
        "position",
        Some(p.id),
        None::<&()>,
        Some(&p),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, m, u).await
}

pub async fn end_position(
    app: &App,
    actor: &Actor,
    position_id: i64,
    input: EndPositionInput,
) -> AppResult<MemberDetail> {
    let p = position::Entity::find_by_id(position_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (m, u) = manageable(app, actor, p.member_id).await?;
    let mut e = Invalid::new();
    let to = validate::date_field(
        &mut e,
        "term_to",
        "ngày kết thúc nhiệm kỳ",
        input.term_to.as_deref(),
        false,
    )
    .unwrap_or_else(App::today);
    if to <= p.term_from {
        e.push("term_to", "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.");
    }
    if p.term_to.is_some_and(|t| t <= App::today()) {
        e.push("term_to", "Nhiệm kỳ này đã kết thúc.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = p.clone();
    let mut am = p.into_active_model();
    am.term_to = Set(Some(to));
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "position.end",
        "position",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, m, u).await
}
