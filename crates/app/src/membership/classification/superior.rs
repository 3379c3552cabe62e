//! What the superior committee decides in the annual review: the cell's own level (excellent
//! only when its members allow it), and a member's level where it judges otherwise than the
//! cell's scoring, always with its reason (Quy định 366-QĐ/TW: the upper committee decides).

use chibo_domain::Invalid;
use chibo_domain::classification::Level;
use chibo_domain::validate;
use chibo_store::entities::{member_review, unit_review};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use chibo_store::write_tx;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{CellReviewInput, ReviewSheet, org_counts, sheet};
use crate::access::Actor;
use crate::org::units;
use crate::{App, AppError, AppResult, audit};

/// The cell's sheet, for the superior committee only.
async fn sheet_to_decide(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    year: i32,
) -> AppResult<ReviewSheet> {
    let s = sheet(app, actor, cell_id, year).await?;
    if !s.can_decide {
        return Err(AppError::Forbidden);
    }
    Ok(s)
}

/// The superior committee decides the cell's level (excellent only when its members allow it).
pub async fn decide(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    input: CellReviewInput,
) -> AppResult<ReviewSheet> {
    let s = sheet_to_decide(app, actor, cell_id, input.year).await?;
    let (rules, _, _) =
        crate::rules::members::year_classification(app, cell_id, input.year).await?;
    let mut e = Invalid::new();
    let score = match input.score {
        None => {
            e.push("score", "Vui lòng nhập điểm tự đánh giá của chi bộ.");
            0
        }
        Some(x) if x > 100 => {
            e.push("score", "Điểm từ 0 đến 100.");
            x
        }
        Some(x) => x,
    };
    let decision = validate::required_text(
        &mut e,
        "decision",
        "quyết định của cấp ủy cấp trên",
        &input.decision,
        255,
    );
    let on = validate::date_field(
        &mut e,
        "decided_on",
        "ngày quyết định",
        input.decided_on.as_deref(),
        true,
    );
    if on.is_some_and(|d| d > App::today()) {
        e.push("decided_on", "Ngày quyết định chưa đến.");
    }
    if on.is_some_and(|d| d.year() < input.year) {
        e.push(
            "decided_on",
            "Quyết định xếp loại phải trong hoặc sau năm đánh giá.",
        );
    }
    let level = rules.level(score);
    if level == Level::Excellent
        && let Some(why) = &s.cell_excellent_blocked
    {
        e.push("score", why.clone());
    }
    e.into_result()?;
    let existing = unit_review::Entity::find()
        .filter(unit_review::Column::UnitId.eq(s.cell.id))
        .filter(unit_review::Column::Year.eq(input.year))
        .one(&app.db)
        .await?;
    let now = chrono::Utc::now();
    let tx = write_tx(&app.db).await?;
    let mut am = match existing.clone() {
        Some(r) => r.into_active_model(),
        None => unit_review::ActiveModel {
            unit_id: Set(s.cell.id),
            year: Set(input.year),
            ..Default::default()
        },
    };
    am.score = Set(score as i32);
    am.level = Set(level.code().to_string());
    am.decision = Set(decision);
    am.decided_on = Set(on.expect("checked"));
    am.updated_by = Set(Some(actor.user_id().get()));
    am.updated_at = Set(now);
    let saved = if existing.is_some() {
        am.update(&tx).await?
    } else {
        am.insert(&tx).await?
    };
    audit::record(
        &tx,
        Some(actor),
        "review.cell",
        "unit",
        Some(s.cell.id),
        existing.as_ref(),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    sheet(app, actor, cell_id, input.year).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MemberLevelInput {
    pub year: i32,
    pub member_id: i64,
    /// `excellent`, `good`, `completed` or `not_completed`.
    pub level: String,
    /// Why the committee gives this level (required).
    pub reason: String,
}

/// The superior committee sets a scored member's level itself, with its reason, within the
/// organisation's excellent quota; the cell's later scoring keeps it.
pub async fn set_member_level(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    input: MemberLevelInput,
) -> AppResult<ReviewSheet> {
    let s = sheet_to_decide(app, actor, cell_id, input.year).await?;
    let (rules, _, _) =
        crate::rules::members::year_classification(app, cell_id, input.year).await?;
    let mut e = Invalid::new();
    let row = s.rows.iter().find(|r| r.member.id == input.member_id);
    match row {
        None => e.push(
            "member_id",
            "Đảng viên này không thuộc chi bộ trong năm đánh giá.",
        ),
        Some(r) if r.excluded.is_some() => e.push(
            "member_id",
            format!(
                "{}: {}.",
                r.member.name,
                r.excluded.as_deref().unwrap_or("")
            ),
        ),
        Some(r) if r.score.is_none() => e.push(
            "member_id",
            format!("Chi bộ chưa chấm điểm đảng viên {}.", r.member.name),
        ),
        Some(_) => {}
    }
    let level = Level::from_code(input.level.trim());
    if level.is_none() {
        e.push("level", "Chọn mức xếp loại.");
    }
    let reason = validate::required_text(
        &mut e,
        "reason",
        "lý do cấp ủy cấp trên xếp loại",
        &input.reason,
        2000,
    );
    e.into_result()?;
    let level = level.expect("checked");
    let org = units::find(&app.db, s.org.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut after = org_counts(app, &org, input.year, &[input.member_id]).await?;
    after.add(level, 1);
    rules
        .check_quota(after.excellent, after.quota_base(&rules), &org.name)
        .map_err(|msg| AppError::invalid("level", msg))?;
    let before = member_review::Entity::find()
        .filter(member_review::Column::MemberId.eq(input.member_id))
        .filter(member_review::Column::Year.eq(input.year))
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let tx = write_tx(&app.db).await?;
    let mut am = before.clone().into_active_model();
    am.level = Set(level.code().to_string());
    am.superior_reason = Set(Some(reason));
    am.updated_by = Set(Some(actor.user_id().get()));
    am.updated_at = Set(chrono::Utc::now());
    let saved = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "review.member_level",
        "member",
        Some(input.member_id),
        Some(&before),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    sheet(app, actor, cell_id, input.year).await
}
