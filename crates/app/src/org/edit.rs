//! Founding, renaming and versioning units: the checks a new cell must pass and the events
//! that keep a unit's history.

use std::collections::HashMap;

use chibo_domain::cursor::Cursor;
use chibo_domain::member::on_roll_codes;
use chibo_domain::org::{self, CellType, MIN_OFFICIAL_MEMBERS_PER_CELL, UnitKind};
use chibo_domain::{Invalid, text, validate};
use chibo_store::entities::{member, unit, unit_event, unit_version};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Query,
};
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::membership::member_events;
use crate::org::founding::{insert_unit, version_row};
use crate::org::units::{UnitView, find, unit_view};
use crate::refs::{MemberChoices, MemberRef};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewUnit {
    pub parent_id: Option<i64>,
    pub name: String,
    /// One of the unit kind codes; must be allowed under the parent.
    pub kind: String,
    /// Required for cells: `rural`, `urban`, `agency`, `public_service`, `enterprise`, `army`, `police`, `school`.
    pub cell_type: Option<String>,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`; today when empty.
    pub effective_on: Option<String>,
    /// For a new cell: at least three official members, moved into it from units below the parent.
    #[serde(default)]
    pub founding_member_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RenameUnit {
    pub name: String,
    pub effective_on: Option<String>,
}

/// The effective date of a change: today when empty, never in the future, never before `not_before`.
pub(crate) fn effective_date(
    errors: &mut Invalid,
    raw: Option<&str>,
    not_before: NaiveDate,
) -> NaiveDate {
    let today = App::today();
    let d =
        validate::date_field(errors, "effective_on", "ngày hiệu lực", raw, false).unwrap_or(today);
    if d > today {
        errors.push("effective_on", "Ngày hiệu lực không được sau ngày hôm nay.");
    } else if d < not_before {
        errors.push(
            "effective_on",
            format!(
                "Ngày hiệu lực phải từ ngày {} trở đi (sau thay đổi gần nhất của đơn vị).",
                not_before.format("%d/%m/%Y")
            ),
        );
    }
    d
}

async fn current_version(
    db: &impl ConnectionTrait,
    unit_id: i64,
) -> AppResult<Option<unit_version::Model>> {
    Ok(unit_version::Entity::find()
        .filter(unit_version::Column::UnitId.eq(unit_id))
        .filter(unit_version::Column::ValidTo.is_null())
        .one(db)
        .await?)
}

/// The first date a new change to `u` may take effect.
pub(crate) async fn changeable_from(
    db: &impl ConnectionTrait,
    u: &unit::Model,
) -> AppResult<NaiveDate> {
    Ok(current_version(db, u.id)
        .await?
        .map_or(u.established_on, |v| v.valid_from))
}

/// Ends the unit's open version on `date` and opens one from the unit as it is now; the
/// roll-ups of the unit's region are built again from that day's month.
pub(crate) async fn new_version(
    tx: &DatabaseTransaction,
    u: &unit::Model,
    date: NaiveDate,
    dissolved: bool,
) -> AppResult<()> {
    write_version(tx, u, date, dissolved).await?;
    chibo_store::rollups::tree_changed(tx, &u.path, date).await?;
    Ok(())
}

/// [`new_version`] without the roll-ups, for a change whose caller builds the roll-ups of a
/// region holding this unit once (units made in a batch, a merger).
pub(crate) async fn write_version(
    tx: &DatabaseTransaction,
    u: &unit::Model,
    date: NaiveDate,
    dissolved: bool,
) -> AppResult<()> {
    if let Some(cur) = current_version(tx, u.id).await? {
        if cur.valid_from == date {
            // Two changes on one day: the earlier state never held, drop it.
            unit_version::Entity::delete_by_id(cur.id).exec(tx).await?;
        } else {
            let mut am = cur.into_active_model();
            am.valid_to = Set(Some(date));
            am.update(tx).await?;
        }
    }
    if !dissolved {
        version_row(u, date).insert(tx).await?;
    }
    Ok(())
}

pub async fn add_event(
    tx: &DatabaseTransaction,
    actor: Option<&Actor>,
    kind: &str,
    unit_id: i64,
    other: Option<i64>,
    note: Option<String>,
    date: NaiveDate,
) -> AppResult<()> {
    event_row(actor, kind, unit_id, other, note, date)
        .insert(tx)
        .await?;
    Ok(())
}

/// An event of a unit's history, to be written.
pub(crate) fn event_row(
    actor: Option<&Actor>,
    kind: &str,
    unit_id: i64,
    other: Option<i64>,
    note: Option<String>,
    date: NaiveDate,
) -> unit_event::ActiveModel {
    unit_event::ActiveModel {
        kind: Set(kind.to_string()),
        effective_on: Set(date),
        unit_id: Set(unit_id),
        other_unit_id: Set(other),
        note: Set(note),
        created_by: Set(actor.map(|a| a.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
}

pub(crate) fn check_cell_type(
    errors: &mut Invalid,
    kind: UnitKind,
    cell_type: Option<&str>,
) -> Option<String> {
    let ct = cell_type.map(str::trim).filter(|s| !s.is_empty());
    match (kind.is_cell(), ct) {
        (true, None) => {
            errors.push("cell_type", "Vui lòng chọn loại hình chi bộ.");
            None
        }
        (_, Some(c)) => match CellType::from_code(c) {
            Some(c) => Some(c.code().to_string()),
            None => {
                errors.push("cell_type", "Loại hình chi bộ không hợp lệ.");
                None
            }
        },
        (false, None) => None,
    }
}

/// A live unit under `parent_id` already has `name` (but `except`): the error goes to `field`
/// (the name typed, or the new parent chosen when a unit moves).
pub(crate) async fn check_sibling_name(
    db: &impl ConnectionTrait,
    errors: &mut Invalid,
    field: &str,
    parent_id: i64,
    name: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let key = text::search_key(name);
    let clash = unit::Entity::find()
        .filter(unit::Column::ParentId.eq(parent_id))
        .filter(unit::Column::SearchKey.eq(key))
        .filter(unit::Column::DissolvedOn.is_null())
        .all(db)
        .await?
        .into_iter()
        .any(|u| Some(u.id) != except);
    if clash {
        errors.push(
            field,
            "Đơn vị cấp trên đã có một đơn vị trực thuộc trùng tên.",
        );
    }
    Ok(())
}

/// The names of `from`'s live sub-units that `into` already has a live sub-unit of (by search
/// key), the first few in name order: merging would put two units of one name side by side
/// ("Chi bộ thôn 1" of two merged communes), so they must be renamed first.
pub(crate) async fn clashing_children(
    db: &impl ConnectionTrait,
    from: i64,
    into: i64,
) -> AppResult<Vec<String>> {
    let names_in_target = Query::select()
        .column(unit::Column::SearchKey)
        .from(unit::Entity)
        .and_where(unit::Column::ParentId.eq(into))
        .and_where(unit::Column::DissolvedOn.is_null())
        .to_owned();
    Ok(unit::Entity::find()
        .select_only()
        .column(unit::Column::Name)
        .filter(unit::Column::ParentId.eq(from))
        .filter(unit::Column::DissolvedOn.is_null())
        .filter(unit::Column::SearchKey.in_subquery(names_in_target))
        .order_by_asc(unit::Column::SortKey)
        .limit(6)
        .into_tuple()
        .all(db)
        .await?)
}

/// Loads the members to move into a new cell or split part and checks them: they must be on
/// the roll below `within`, and a cell needs at least three official members.
pub(crate) async fn check_members_for_cell(
    db: &impl ConnectionTrait,
    errors: &mut Invalid,
    field: &str,
    ids: &[i64],
    within: &unit::Model,
    is_cell: bool,
    date: NaiveDate,
) -> AppResult<Vec<member::Model>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found = on_roll_below(db, within, &ids).await?;
    if found.len() != ids.len() {
        errors.push(
            field,
            format!(
                "Có đảng viên không thuộc {} hoặc không còn sinh hoạt.",
                within.name
            ),
        );
    }
    let official = found
        .iter()
        .filter(|m| m.official_date.is_some_and(|d| d <= date))
        .count();
    if is_cell && official < MIN_OFFICIAL_MEMBERS_PER_CELL {
        errors.push(
            field,
            format!("Chi bộ phải có ít nhất {MIN_OFFICIAL_MEMBERS_PER_CELL} đảng viên chính thức (mới chọn {official})."),
        );
    }
    Ok(found)
}

/// Creates a unit under `parent_id`. A cell is founded with at least three official members.
pub async fn create(app: &App, actor: &Actor, input: NewUnit) -> AppResult<UnitView> {
    let parent_id = validate::chosen("parent_id", "đơn vị cấp trên", input.parent_id)?;
    let parent = actor.visible(find(&app.db, parent_id).await?)?;
    let mut errors = Invalid::new();
    let kind = UnitKind::from_code(input.kind.trim());
    let Some(k) = kind else {
        return Err(AppError::invalid("kind", "Vui lòng chọn loại đơn vị."));
    };
    actor.require(actor.can_create_under(parent.id, parent.parent_id, k))?;
    if parent.dissolved_on.is_some() {
        errors.push("parent_id", "Đơn vị cấp trên đã giải thể.");
    }
    let name = validate::required_text(&mut errors, "name", "tên đơn vị", &input.name, 255);
    let parent_kind = UnitKind::from_code(&parent.kind).unwrap_or(UnitKind::Other);
    let cell_type = match kind {
        None => {
            errors.push("kind", "Vui lòng chọn loại đơn vị.");
            None
        }
        Some(k) if !parent_kind.allowed_children().contains(&k) => {
            errors.push(
                "kind",
                format!(
                    "{} không thể trực thuộc {}.",
                    k.label(),
                    parent_kind.label()
                ),
            );
            None
        }
        Some(k) => check_cell_type(&mut errors, k, input.cell_type.as_deref()),
    };
    let date = effective_date(
        &mut errors,
        input.effective_on.as_deref(),
        parent.established_on,
    );
    check_sibling_name(&app.db, &mut errors, "name", parent.id, &name, None).await?;
    let is_cell = kind.is_some_and(|k| k.is_cell());
    let founders = if is_cell || !input.founding_member_ids.is_empty() {
        check_members_for_cell(
            &app.db,
            &mut errors,
            "founding_member_ids",
            &input.founding_member_ids,
            &parent,
            is_cell,
            date,
        )
        .await?
    } else {
        Vec::new()
    };
    // The founders' units in one query (the form may name a large cell's members).
    let unit_ids: Vec<i64> = founders.iter().map(|m| m.unit_id).collect();
    let units_of: HashMap<i64, unit::Model> =
        crate::lookup::units_by_id(&app.db, &unit_ids).await?;
    for m in &founders {
        if !units_of
            .get(&m.unit_id)
            .is_some_and(|u| actor.can_manage_members(u))
        {
            errors.push(
                "founding_member_ids",
                format!("Bạn không có quyền chuyển đảng viên {}.", m.full_name),
            );
        }
    }
    errors.into_result()?;
    let kind = kind.expect("checked above");

    let tx = chibo_store::rollups::restructure_tx(&app.db).await?;
    let created = insert_unit(&tx, &parent, &name, kind.code(), cell_type, date).await?;
    chibo_store::rollups::tree_changed(&tx, &created.path, date).await?;
    add_event(
        &tx,
        Some(actor),
        "created",
        created.id,
        Some(parent.id),
        None,
        date,
    )
    .await?;
    let founder_ids: Vec<i64> = founders.iter().map(|m| m.id).collect();
    let sheets =
        member_events::move_members(&tx, &founder_ids, &created, date, "Thành lập chi bộ mới")
            .await?;
    audit::record(
        &tx,
        Some(actor),
        "unit.create",
        "unit",
        Some(created.id),
        None::<&()>,
        Some(&created),
    )
    .await?;
    sheets.mark(&tx).await?;
    tx.commit().await?;
    Ok(unit_view(&created, &HashMap::new()))
}

/// Loads a unit the actor may restructure (404 outside read scope, 403 inside without the right).
pub(crate) async fn restructurable(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<Visible<unit::Model>> {
    let u = actor.visible(find(&app.db, id).await?)?;
    let parent = match u.parent_id {
        Some(p) => find(&app.db, p).await?,
        None => None,
    };
    actor.require(actor.can_restructure(&u, parent.as_ref()))?;
    if u.dissolved_on.is_some() {
        return Err(AppError::invalid(
            "id",
            "Đơn vị đã giải thể hoặc sáp nhập, không thể thay đổi.",
        ));
    }
    Ok(u)
}

pub async fn rename(app: &App, actor: &Actor, id: i64, input: RenameUnit) -> AppResult<UnitView> {
    let u = restructurable(app, actor, id).await?;
    let mut errors = Invalid::new();
    let name = validate::required_text(&mut errors, "name", "tên đơn vị", &input.name, 255);
    let date = effective_date(
        &mut errors,
        input.effective_on.as_deref(),
        changeable_from(&app.db, &u).await?,
    );
    if name == u.name {
        errors.push("name", "Tên mới trùng với tên hiện tại.");
    }
    if let Some(p) = u.parent_id {
        check_sibling_name(&app.db, &mut errors, "name", p, &name, Some(u.id)).await?;
    }
    errors.into_result()?;
    let tx = chibo_store::rollups::restructure_tx(&app.db).await?;
    let before = u.clone();
    let mut am = u.into_inner().into_active_model();
    am.name = Set(name.clone());
    am.search_key = Set(text::search_key(&name));
    am.sort_key = Set(text::collation_key(&name));
    let after = am.update(&tx).await?;
    new_version(&tx, &after, date, false).await?;
    add_event(
        &tx,
        Some(actor),
        "renamed",
        after.id,
        None,
        Some(format!("{} → {}", before.name, after.name)),
        date,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "unit.rename",
        "unit",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(unit_view(&after, &HashMap::new()))
}

/// Members on the roll below `parent_id` whose name contains `q`, by name a page at a time:
/// whom a new unit under it may be founded with (a commune has thousands, so they are
/// searched). Whether the actor may move each one is checked when the unit is founded.
pub async fn founder_choices(
    app: &App,
    actor: &Actor,
    parent_id: i64,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<MemberChoices> {
    let parent = actor.visible(find(&app.db, parent_id).await?)?;
    crate::membership::members::choices_in_name_order(
        &app.db,
        member::Entity::find()
            .filter(Subtree::of(&parent).contains(member::Column::UnitPath))
            .filter(member::Column::Status.is_in(on_roll_codes())),
        q,
        after,
        per_page,
    )
    .await
}

/// The members of `ids` on the roll below `within`. The ids are a form's (a large cell's
/// founders, what a refused founding had ticked): looked up in chunks, then kept when on the
/// roll below `within`.
async fn on_roll_below(
    db: &impl ConnectionTrait,
    within: &unit::Model,
    ids: &[i64],
) -> AppResult<Vec<member::Model>> {
    let on_roll = on_roll_codes();
    Ok(
        crate::lookup::by_ids::<member::Entity, _>(db, member::Column::Id, ids)
            .await?
            .into_iter()
            .filter(|m| {
                m.unit_path.starts_with(&within.path) && on_roll.contains(&m.status.as_str())
            })
            .collect(),
    )
}

/// The members of `ids` on the roll under `parent_id`, by name: what a refused form had ticked
/// or chosen (a founding's members, a course's participants), shown chosen again. The ids are
/// the few the user chose (looked up in chunks); any outside the unit or off the roll are left
/// out, as the choices would have left them.
pub async fn on_roll_named(
    app: &App,
    actor: &Actor,
    parent_id: i64,
    ids: &[i64],
) -> AppResult<Vec<MemberRef>> {
    let parent = actor.visible(find(&app.db, parent_id).await?)?;
    let mut named: Vec<MemberRef> = on_roll_below(&app.db, &parent, ids)
        .await?
        .into_iter()
        .map(|m| MemberRef::of(&m))
        .collect();
    named.sort_by_key(|m| text::collation_key(&m.name));
    Ok(named)
}

/// Seeds a root unit (the demo and `chibo` set-up use it; no actor, no scope).
pub async fn create_root(
    db: &impl ConnectionTrait,
    name: &str,
    kind: UnitKind,
    date: NaiveDate,
) -> AppResult<unit::Model> {
    let created = unit::ActiveModel {
        parent_id: Set(None),
        path: Set("/?/".into()),
        depth: Set(0),
        name: Set(name.to_string()),
        search_key: Set(text::search_key(name)),
        sort_key: Set(text::collation_key(name)),
        kind: Set(kind.code().to_string()),
        cell_type: Set(None),
        established_on: Set(date),
        dissolved_on: Set(None),
        successor_id: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let path = org::root_path(created.id);
    let mut am = created.into_active_model();
    am.path = Set(path);
    let created = am.update(db).await?;
    version_row(&created, date).insert(db).await?;
    Ok(created)
}
