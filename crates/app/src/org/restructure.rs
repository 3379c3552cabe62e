//! Moving, merging, splitting and dissolving units: paths, rolls and positions follow, and the
//! meetings that can no longer be held are cancelled.

use std::collections::HashMap;

use chibo_domain::member::on_roll_codes;
use chibo_domain::org::{self, MIN_OFFICIAL_MEMBERS_PER_CELL, UnitKind};
use chibo_domain::{Invalid, validate};
use chibo_store::entities::{member, unit};
use chibo_store::meeting_stats::SheetsToMark;
use chibo_store::sea_orm::PaginatorTrait;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::member_events;
use crate::membership::positions;
use crate::org::cancellations;
use crate::org::edit::{
    add_event, changeable_from, check_cell_type, check_members_for_cell, check_sibling_name,
    clashing_children, effective_date, new_version, restructurable, write_version,
};
use crate::org::founding::insert_unit;
use crate::org::units::{UnitView, find, unit_view};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MoveUnit {
    pub new_parent_id: Option<i64>,
    pub effective_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MergeUnit {
    /// The unit that takes over this one's members and sub-units.
    pub into_unit_id: Option<i64>,
    pub effective_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SplitPart {
    pub name: String,
    pub cell_type: Option<String>,
    pub member_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SplitUnit {
    /// New cells taking the listed members; the remaining members stay (or, if none remain,
    /// the cell is dissolved).
    pub parts: Vec<SplitPart>,
    pub effective_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DissolveUnit {
    pub reason: String,
    pub effective_on: Option<String>,
}

/// Re-roots every unit and member below `old_prefix` under `new_prefix` and gives each live
/// unit of the subtree a new version dated `date`: set-based, whatever the subtree's size.
async fn reroot_subtree(
    tx: &DatabaseTransaction,
    old_prefix: &str,
    new_prefix: &str,
    date: NaiveDate,
) -> AppResult<()> {
    chibo_store::restructure::reroot(tx, old_prefix, new_prefix).await?;
    chibo_store::restructure::open_versions_under(tx, new_prefix, date).await?;
    Ok(())
}

pub async fn move_unit(app: &App, actor: &Actor, id: i64, input: MoveUnit) -> AppResult<UnitView> {
    let u = restructurable(app, actor, id).await?;
    let target_id = validate::chosen("new_parent_id", "đơn vị cấp trên mới", input.new_parent_id)?;
    let target = actor.visible(find(&app.db, target_id).await?)?;
    let kind = UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Other);
    actor.require(actor.can_create_under(target.id, target.parent_id, kind))?;
    let mut errors = Invalid::new();
    if org::is_within(&target.path, &u.path) {
        errors.push(
            "new_parent_id",
            "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó.",
        );
    } else if Some(target.id) == u.parent_id {
        errors.push("new_parent_id", "Đơn vị đã trực thuộc đơn vị này.");
    }
    if target.dissolved_on.is_some() {
        errors.push("new_parent_id", "Đơn vị cấp trên mới đã giải thể.");
    }
    let target_kind = UnitKind::from_code(&target.kind).unwrap_or(UnitKind::Other);
    if !target_kind.allowed_children().contains(&kind) {
        errors.push(
            "new_parent_id",
            format!(
                "{} không thể trực thuộc {}.",
                kind.label(),
                target_kind.label()
            ),
        );
    }
    let date = effective_date(
        &mut errors,
        input.effective_on.as_deref(),
        changeable_from(&app.db, &u).await?,
    );
    check_sibling_name(
        &app.db,
        &mut errors,
        "new_parent_id",
        target.id,
        &u.name,
        Some(u.id),
    )
    .await?;
    errors.into_result()?;

    let tx = chibo_store::rollups::restructure_tx(&app.db).await?;
    let before = u.clone();
    let new_path = org::child_path(&target.path, u.id);
    let mut am = u.into_inner().into_active_model();
    am.parent_id = Set(Some(target.id));
    am.update(&tx).await?;
    reroot_subtree(&tx, &before.path, &new_path, date).await?;
    let region = chibo_store::rollups::common_prefix(&before.path, &new_path);
    chibo_store::rollups::tree_changed(&tx, &region, date).await?;
    let after = find(&tx, before.id).await?.ok_or(AppError::NotFound)?;
    add_event(
        &tx,
        Some(actor),
        "moved",
        after.id,
        Some(target.id),
        None,
        date,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "unit.move",
        "unit",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(unit_view(&after, &HashMap::new()))
}

/// Merges unit `id` into another: its members and sub-units go over, its officers' terms end,
/// and it is closed with the other as its successor, so history follows the merger.
pub async fn merge(app: &App, actor: &Actor, id: i64, input: MergeUnit) -> AppResult<UnitView> {
    let u = restructurable(app, actor, id).await?;
    let target_id = validate::chosen("into_unit_id", "đơn vị nhận sáp nhập", input.into_unit_id)?;
    let target = actor.visible(find(&app.db, target_id).await?)?;
    let mut errors = Invalid::new();
    if target.id == u.id || org::is_within(&target.path, &u.path) {
        errors.push(
            "into_unit_id",
            "Không thể sáp nhập một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó.",
        );
    }
    if target.dissolved_on.is_some() {
        errors.push("into_unit_id", "Đơn vị nhận sáp nhập đã giải thể.");
    }
    let kind = UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Other);
    let target_kind = UnitKind::from_code(&target.kind).unwrap_or(UnitKind::Other);
    if let Some(why) = org::merge_refusal(
        kind,
        target_kind,
        Some(target.id) == u.parent_id,
        target.parent_id == u.parent_id,
    ) {
        errors.push("into_unit_id", why);
    }
    let target_parent = match target.parent_id {
        Some(p) => find(&app.db, p).await?,
        None => None,
    };
    if !actor.may_merge_into(&target, target_parent.as_ref(), kind) {
        errors.push(
            "into_unit_id",
            "Bạn không có quyền đối với đơn vị nhận sáp nhập.",
        );
    }
    let clashes = clashing_children(&app.db, u.id, target.id).await?;
    if !clashes.is_empty() {
        let more = if clashes.len() > 5 {
            " và các đơn vị khác"
        } else {
            ""
        };
        let names = clashes
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        errors.push(
            "into_unit_id",
            format!(
                "{} đã có đơn vị trực thuộc trùng tên với đơn vị sẽ chuyển sang ({names}{more}): hãy đổi tên trước khi sáp nhập.",
                target.name
            ),
        );
    }
    let not_before = changeable_from(&app.db, &u)
        .await?
        .max(changeable_from(&app.db, &target).await?);
    let date = effective_date(&mut errors, input.effective_on.as_deref(), not_before);
    errors.into_result()?;

    let tx = chibo_store::rollups::restructure_tx(&app.db).await?;
    // Sub-units go over to the target, with everything below them.
    chibo_store::restructure::move_children(&tx, &u, &target, date, Some(actor.user_id().get()))
        .await?;
    let (_, sheets) = chibo_store::restructure::move_members(
        &tx,
        Condition::all()
            .add(member::Column::UnitId.eq(u.id))
            .add(member::Column::Status.is_in(on_roll_codes())),
        &target,
        date,
        &format!("Sáp nhập {} vào {}", u.name, target.name),
    )
    .await?;
    positions::end_positions(&tx, u.id, date).await?;
    let reason = format!(
        "{} sáp nhập vào {} từ {}",
        u.name,
        target.name,
        date.format("%d/%m/%Y")
    );
    cancel_meetings_of(app, &tx, actor, &u, date, &reason).await?;
    let before = u.clone();
    let mut am = u.into_inner().into_active_model();
    am.dissolved_on = Set(Some(date));
    am.successor_id = Set(Some(target.id));
    let after = am.update(&tx).await?;
    write_version(&tx, &after, date, true).await?;
    // The sub-units left for the target: the region holding both is counted again.
    let region = chibo_store::rollups::common_prefix(&after.path, &target.path);
    chibo_store::rollups::tree_changed(&tx, &region, date).await?;
    add_event(
        &tx,
        Some(actor),
        "merged",
        after.id,
        Some(target.id),
        None,
        date,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "unit.merge",
        "unit",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    // Last, after the members and the cancelled meetings (see `SheetsToMark`).
    sheets.mark(&tx).await?;
    tx.commit().await?;
    Ok(unit_view(&after, &HashMap::new()))
}

/// Splits a cell: each part becomes a new sibling cell with the listed members. The remaining
/// members stay; when none remain the cell is dissolved.
pub async fn split(
    app: &App,
    actor: &Actor,
    id: i64,
    input: SplitUnit,
) -> AppResult<Vec<UnitView>> {
    let u = restructurable(app, actor, id).await?;
    let kind = UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Other);
    let parent = find(&app.db, u.parent_id.ok_or(AppError::NotFound)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Invalid::new();
    if !kind.holds_members() {
        errors.push("parts", "Chỉ tách được chi bộ hoặc tổ đảng.");
    }
    if input.parts.is_empty() {
        errors.push("parts", "Vui lòng khai báo ít nhất một chi bộ mới.");
    }
    let date = effective_date(
        &mut errors,
        input.effective_on.as_deref(),
        changeable_from(&app.db, &u).await?,
    );
    let mut taken: Vec<i64> = Vec::new();
    let mut plans = Vec::new();
    for (i, part) in input.parts.iter().enumerate() {
        let field = format!("parts[{i}]");
        let name = validate::required_text(
            &mut errors,
            &format!("{field}.name"),
            "tên chi bộ mới",
            &part.name,
            255,
        );
        let ct = check_cell_type(
            &mut errors,
            kind,
            part.cell_type.as_deref().or(u.cell_type.as_deref()),
        );
        check_sibling_name(
            &app.db,
            &mut errors,
            &format!("{field}.name"),
            parent.id,
            &name,
            None,
        )
        .await?;
        if part.member_ids.iter().any(|m| taken.contains(m)) {
            errors.push(
                &format!("{field}.member_ids"),
                "Một đảng viên chỉ được chọn vào một chi bộ mới.",
            );
        }
        taken.extend(&part.member_ids);
        let ms = check_members_for_cell(
            &app.db,
            &mut errors,
            &format!("{field}.member_ids"),
            &part.member_ids,
            &u,
            kind.is_cell(),
            date,
        )
        .await?;
        plans.push((name, ct, ms));
    }
    // The members who stay, and the official ones among them on `date`: the roll below the
    // unit counted in SQL, less those the parts take (checked on that roll, each once), so no
    // list of the request's ids is bound.
    let on_roll = || {
        member::Entity::find()
            .filter(Subtree::of(&u).contains(member::Column::UnitPath))
            .filter(member::Column::Status.is_in(on_roll_codes()))
    };
    let mut leaving = std::collections::HashSet::new();
    let mut leaving_official = 0u64;
    for m in plans.iter().flat_map(|(_, _, ms)| ms) {
        if leaving.insert(m.id) && m.official_date.is_some_and(|d| d <= date) {
            leaving_official += 1;
        }
    }
    let remaining = on_roll()
        .count(&app.db)
        .await?
        .saturating_sub(leaving.len() as u64);
    let remaining_official = on_roll()
        .filter(member::Column::OfficialDate.lte(date))
        .count(&app.db)
        .await?
        .saturating_sub(leaving_official);
    if remaining > 0 && kind.is_cell() && remaining_official < MIN_OFFICIAL_MEMBERS_PER_CELL as u64
    {
        errors.push(
            "parts",
            format!("Sau khi tách, {} chỉ còn {remaining_official} đảng viên chính thức (cần ít nhất {MIN_OFFICIAL_MEMBERS_PER_CELL}).", u.name),
        );
    }
    errors.into_result()?;

    let tx = chibo_store::rollups::restructure_tx(&app.db).await?;
    let mut created = Vec::new();
    let mut sheets = SheetsToMark::default();
    for (name, ct, ms) in plans {
        let part = insert_unit(&tx, &parent, &name, &u.kind, ct, date).await?;
        add_event(&tx, Some(actor), "split", u.id, Some(part.id), None, date).await?;
        let ids: Vec<i64> = ms.iter().map(|m| m.id).collect();
        let reason = format!("Tách từ {}", u.name);
        let moved = member_events::move_members(&tx, &ids, &part, date, &reason).await?;
        sheets = sheets.and(moved);
        audit::record(
            &tx,
            Some(actor),
            "unit.split",
            "unit",
            Some(part.id),
            Some(&u),
            Some(&part),
        )
        .await?;
        created.push(unit_view(&part, &HashMap::new()));
    }
    if remaining == 0 {
        positions::end_positions(&tx, u.id, date).await?;
        let why = format!(
            "{} tách hết đảng viên sang chi bộ mới từ {}",
            u.name,
            date.format("%d/%m/%Y")
        );
        cancel_meetings_of(app, &tx, actor, &u, date, &why).await?;
        let mut am = (*u).clone().into_active_model();
        am.dissolved_on = Set(Some(date));
        let after = am.update(&tx).await?;
        write_version(&tx, &after, date, true).await?;
        add_event(
            &tx,
            Some(actor),
            "dissolved",
            u.id,
            None,
            Some("Tách hết đảng viên sang chi bộ mới".into()),
            date,
        )
        .await?;
        audit::record(
            &tx,
            Some(actor),
            "unit.dissolve",
            "unit",
            Some(u.id),
            Some(&u),
            Some(&after),
        )
        .await?;
    }
    // The new cells are expected from their founding on, the split cell no longer if it went:
    // one rebuild of the parent's region.
    chibo_store::rollups::tree_changed(&tx, &parent.path, date).await?;
    // Last, after every part's members moved (see `SheetsToMark`).
    sheets.mark(&tx).await?;
    tx.commit().await?;
    Ok(created)
}

/// Cancels the unit's meetings from `date` that were not held, and records how many.
async fn cancel_meetings_of(
    app: &App,
    tx: &impl ConnectionTrait,
    actor: &Actor,
    u: &unit::Model,
    date: NaiveDate,
    reason: &str,
) -> AppResult<()> {
    let n = cancellations::cancel_meetings(app, tx, u.id, date, reason).await?;
    if n > 0 {
        audit::record(
            tx,
            Some(actor),
            "meeting.cancel",
            "unit",
            Some(u.id),
            None::<&()>,
            Some(&serde_json::json!({ "cancelled": n, "reason": reason })),
        )
        .await?;
    }
    Ok(())
}

/// Dissolves a unit that no longer has members or live sub-units, cancelling its meetings from
/// that date that were not held.
pub async fn dissolve(
    app: &App,
    actor: &Actor,
    id: i64,
    input: DissolveUnit,
) -> AppResult<UnitView> {
    let u = restructurable(app, actor, id).await?;
    let mut errors = Invalid::new();
    let reason =
        validate::required_text(&mut errors, "reason", "lý do giải thể", &input.reason, 1000);
    let date = effective_date(
        &mut errors,
        input.effective_on.as_deref(),
        changeable_from(&app.db, &u).await?,
    );
    let left = member::Entity::find()
        .filter(Subtree::of(&u).contains(member::Column::UnitPath))
        .filter(member::Column::Status.is_in(on_roll_codes()))
        .count(&app.db)
        .await?;
    if left > 0 {
        errors.push("reason", format!("Đơn vị còn {left} đảng viên: hãy chuyển sinh hoạt hoặc sáp nhập trước khi giải thể."));
    }
    let kids = unit::Entity::find()
        .filter(unit::Column::ParentId.eq(u.id))
        .filter(unit::Column::DissolvedOn.is_null())
        .count(&app.db)
        .await?;
    if kids > 0 {
        errors.push(
            "reason",
            format!("Đơn vị còn {kids} đơn vị trực thuộc: hãy chuyển hoặc giải thể chúng trước."),
        );
    }
    errors.into_result()?;
    let tx = chibo_store::rollups::restructure_tx(&app.db).await?;
    positions::end_positions(&tx, u.id, date).await?;
    let why = format!("{} giải thể từ {}", u.name, date.format("%d/%m/%Y"));
    cancel_meetings_of(app, &tx, actor, &u, date, &why).await?;
    let before = u.clone();
    let mut am = u.into_inner().into_active_model();
    am.dissolved_on = Set(Some(date));
    let after = am.update(&tx).await?;
    new_version(&tx, &after, date, true).await?;
    add_event(
        &tx,
        Some(actor),
        "dissolved",
        after.id,
        None,
        Some(reason),
        date,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "unit.dissolve",
        "unit",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(unit_view(&after, &HashMap::new()))
}
