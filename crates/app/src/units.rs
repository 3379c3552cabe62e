//! The organisation tree: browse (now or as of a date), create, rename, move, merge, split,
//! dissolve. Every structure change keeps a version row and an event with its effective date.

use std::collections::HashMap;

use chibo_domain::org::{self, CellType, MIN_OFFICIAL_MEMBERS_PER_CELL, UnitKind};
use chibo_domain::{Invalid, text, validate};
use chibo_store::entities::{member, member_unit, unit, unit_event, unit_version};
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::members::{self, on_roll_codes};
use crate::scope::Actor;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// `province`, `district`, `commune`, `grassroots`, `base_cell`, `cell`, `group`, `other`.
    pub kind: String,
    pub kind_label: String,
    pub cell_type: Option<String>,
    pub cell_type_label: Option<String>,
    pub path: String,
    pub depth: i32,
    pub established_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
    pub successor_id: Option<i64>,
    /// Members on the roll of this unit itself (not of units below it).
    pub member_count: i64,
    pub official_count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub date: NaiveDate,
    pub kind: String,
    pub text: String,
    pub unit: UnitRef,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitDetail {
    pub unit: UnitView,
    pub ancestors: Vec<UnitRef>,
    pub children: Vec<UnitView>,
    pub officers: Vec<members::PositionView>,
    pub warnings: Vec<String>,
    pub predecessors: Vec<UnitRef>,
    pub successor: Option<UnitRef>,
    pub history: Vec<HistoryEntry>,
    /// The meeting rule set in force for the unit on the date shown.
    pub rule_set: Option<UnitRef>,
    /// Members on the roll of the unit and its party groups.
    pub subtree_member_count: i64,
    /// Meetings from today not yet held, which dissolving or merging the unit today cancels.
    pub meetings_to_cancel: u64,
    pub can_restructure: bool,
    pub can_create_child: bool,
    pub can_manage_members: bool,
}

pub(crate) fn view(u: &unit::Model, counts: &HashMap<i64, (i64, i64)>) -> UnitView {
    let kind = UnitKind::from_code(&u.kind);
    let ct = u.cell_type.as_deref().and_then(CellType::from_code);
    let (member_count, official_count) = counts.get(&u.id).copied().unwrap_or((0, 0));
    UnitView {
        id: u.id,
        parent_id: u.parent_id,
        name: u.name.clone(),
        kind: u.kind.clone(),
        kind_label: kind.map(|k| k.label().to_string()).unwrap_or_default(),
        cell_type: u.cell_type.clone(),
        cell_type_label: ct.map(|c| c.label().to_string()),
        path: u.path.clone(),
        depth: u.depth,
        established_on: u.established_on,
        dissolved_on: u.dissolved_on,
        successor_id: u.successor_id,
        member_count,
        official_count,
    }
}

/// Units below any of `paths` (or all when `None`).
pub(crate) fn scope_condition(col: impl ColumnTrait, paths: &Option<Vec<String>>) -> Condition {
    match paths {
        None => Condition::all(),
        Some(ps) => ps
            .iter()
            .fold(Condition::any().add(Expr::cust("1 = 0")), |c, p| {
                c.add(col.like(chibo_store::path_prefix(p)))
            }),
    }
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<unit::Model>> {
    Ok(unit::Entity::find_by_id(id).one(db).await?)
}

/// Members on the roll per unit today: (all, official), counted by the database.
pub(crate) async fn current_counts(
    db: &impl ConnectionTrait,
    cond: Condition,
) -> AppResult<HashMap<i64, (i64, i64)>> {
    let today = App::today();
    let base = member::Entity::find()
        .select_only()
        .column(member::Column::UnitId)
        .column_as(member::Column::Id.count(), "n")
        .filter(member::Column::Status.is_in(on_roll_codes()))
        .filter(cond)
        .group_by(member::Column::UnitId);
    let all: Vec<(i64, i64)> = base.clone().into_tuple().all(db).await?;
    let official: Vec<(i64, i64)> = base
        .filter(member::Column::OfficialDate.lte(today))
        .into_tuple()
        .all(db)
        .await?;
    Ok(merge_counts(all, official))
}

fn merge_counts(all: Vec<(i64, i64)>, official: Vec<(i64, i64)>) -> HashMap<i64, (i64, i64)> {
    let mut out: HashMap<i64, (i64, i64)> = all.into_iter().map(|(u, n)| (u, (n, 0))).collect();
    for (u, n) in official {
        out.entry(u).or_default().1 = n;
    }
    out
}

/// Orders units depth-first, siblings by Vietnamese name order.
fn depth_first(mut units: Vec<UnitView>) -> Vec<UnitView> {
    units.sort_by_key(|u| text::collation_key(&u.name));
    let ids: std::collections::HashSet<i64> = units.iter().map(|u| u.id).collect();
    let mut children: HashMap<Option<i64>, Vec<UnitView>> = HashMap::new();
    for u in units {
        let parent = u.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    let mut out = Vec::new();
    fn walk(
        key: Option<i64>,
        children: &mut HashMap<Option<i64>, Vec<UnitView>>,
        out: &mut Vec<UnitView>,
    ) {
        if let Some(list) = children.remove(&key) {
            for u in list {
                let id = u.id;
                out.push(u);
                walk(Some(id), children, out);
            }
        }
    }
    walk(None, &mut children, &mut out);
    out
}

/// The tree in the actor's scope: today's (live units), or as it was on `as_of`.
pub async fn tree(app: &App, actor: &Actor, as_of: Option<NaiveDate>) -> AppResult<Vec<UnitView>> {
    let paths = actor.read_paths();
    match as_of {
        None => {
            let units = unit::Entity::find()
                .filter(unit::Column::DissolvedOn.is_null())
                .filter(scope_condition(unit::Column::Path, &paths))
                .all(&app.db)
                .await?;
            let counts =
                current_counts(&app.db, scope_condition(member::Column::UnitPath, &paths)).await?;
            Ok(depth_first(
                units.iter().map(|u| view(u, &counts)).collect(),
            ))
        }
        Some(date) => {
            let versions = unit_version::Entity::find()
                .filter(valid_on(date))
                .all(&app.db)
                .await?;
            let ids: Vec<i64> = versions.iter().map(|v| v.unit_id).collect();
            let current: HashMap<i64, unit::Model> =
                crate::lookup::by_ids::<unit::Entity, _>(&app.db, unit::Column::Id, &ids)
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u))
                    .collect();
            let counts = counts_on(&app.db, &ids, date).await?;
            let mut out = Vec::new();
            for v in versions {
                let Some(cur) = current.get(&v.unit_id) else {
                    continue;
                };
                // A unit is in scope if it is now, or its path then was.
                if !(actor.can_read_path(&cur.path) || actor.can_read_path(&v.path)) {
                    continue;
                }
                out.push(view(&as_it_was(cur, &v, date), &counts));
            }
            Ok(depth_first(out))
        }
    }
}

/// Members on each unit's roll on `date`, from the membership history.
pub(crate) async fn counts_on(
    db: &impl ConnectionTrait,
    unit_ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, (i64, i64)>> {
    // A whole tree's ids go in chunks (a level's fit in one).
    let mut out = HashMap::new();
    for chunk in unit_ids.chunks(1_000) {
        out.extend(counts_on_chunk(db, chunk, date).await?);
    }
    Ok(out)
}

async fn counts_on_chunk(
    db: &impl ConnectionTrait,
    unit_ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, (i64, i64)>> {
    let base = member_unit::Entity::find()
        .select_only()
        .column(member_unit::Column::UnitId)
        .column_as(member_unit::Column::Id.count(), "n")
        .join(
            chibo_store::sea_orm::JoinType::InnerJoin,
            member_unit::Entity::belongs_to(member::Entity)
                .from(member_unit::Column::MemberId)
                .to(member::Column::Id)
                .into(),
        )
        .filter(member_unit::Column::UnitId.is_in(unit_ids.to_vec()))
        .filter(member_unit::Column::ValidFrom.lte(date))
        .filter(
            Condition::any()
                .add(member_unit::Column::ValidTo.is_null())
                .add(member_unit::Column::ValidTo.gt(date)),
        )
        .group_by(member_unit::Column::UnitId);
    let all: Vec<(i64, i64)> = base.clone().into_tuple().all(db).await?;
    let official: Vec<(i64, i64)> = base
        .filter(member::Column::OfficialDate.lte(date))
        .into_tuple()
        .all(db)
        .await?;
    Ok(merge_counts(all, official))
}

/// A unit's page: the unit (now, or as of a date), its place in the tree, children, officers,
/// warnings and history, with what the actor may do there.
pub async fn detail(
    app: &App,
    actor: &Actor,
    id: i64,
    as_of: Option<NaiveDate>,
) -> AppResult<UnitDetail> {
    let u = actor.readable(find(&app.db, id).await?)?.0;
    let date = as_of.unwrap_or_else(App::today);
    let counts = if as_of.is_some() {
        counts_on(&app.db, &[u.id], date).await?
    } else {
        current_counts(
            &app.db,
            Condition::all().add(member::Column::UnitId.eq(u.id)),
        )
        .await?
    };
    // The unit as it was on the date, when a date is asked for.
    let shown = match as_of {
        Some(d) => match version_on(&app.db, u.id, d).await? {
            Some(v) => unit::Model {
                parent_id: v.parent_id,
                path: v.path,
                name: v.name,
                kind: v.kind,
                cell_type: v.cell_type,
                ..u.clone()
            },
            None => {
                return Err(AppError::invalid(
                    "ngay",
                    format!("Đơn vị chưa tồn tại vào ngày {}.", d.format("%d/%m/%Y")),
                ));
            }
        },
        None => u.clone(),
    };
    let unit_view = view(&shown, &counts);

    let ancestor_ids: Vec<i64> = org::path_ids(&shown.path)
        .into_iter()
        .filter(|a| *a != u.id)
        .collect();
    let ancestors_map: HashMap<i64, unit::Model> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(ancestor_ids.clone()))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let ancestors = ancestor_ids
        .iter()
        .filter_map(|a| ancestors_map.get(a))
        .filter(|a| actor.can_read_path(&a.path))
        .map(|a| UnitRef {
            id: a.id,
            name: a.name.clone(),
        })
        .collect();

    let children = if as_of.is_some() {
        tree(app, actor, as_of)
            .await?
            .into_iter()
            .filter(|c| c.parent_id == Some(u.id))
            .collect()
    } else {
        let kids = unit::Entity::find()
            .filter(unit::Column::ParentId.eq(u.id))
            .filter(unit::Column::DissolvedOn.is_null())
            .all(&app.db)
            .await?;
        let ids: Vec<i64> = kids.iter().map(|k| k.id).collect();
        let counts = current_counts(
            &app.db,
            Condition::all().add(member::Column::UnitId.is_in(ids)),
        )
        .await?;
        let mut v: Vec<UnitView> = kids.iter().map(|k| view(k, &counts)).collect();
        v.sort_by_key(|k| text::collation_key(&k.name));
        v
    };

    let officers = members::officers_on(&app.db, u.id, date).await?;
    let subtree_member_count = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&u.path)))
        .filter(member::Column::Status.is_in(on_roll_codes()))
        .count(&app.db)
        .await? as i64;

    let mut warnings = Vec::new();
    let kind = UnitKind::from_code(&u.kind);
    if as_of.is_none() && u.dissolved_on.is_none() && kind.is_some_and(|k| k.is_cell()) {
        let official = member::Entity::find()
            .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&u.path)))
            .filter(member::Column::Status.is_in(on_roll_codes()))
            .filter(member::Column::OfficialDate.lte(date))
            .count(&app.db)
            .await? as usize;
        if official < MIN_OFFICIAL_MEMBERS_PER_CELL {
            warnings.push(format!(
                "Chi bộ chỉ có {official} đảng viên chính thức, chưa đủ {MIN_OFFICIAL_MEMBERS_PER_CELL} theo Điều lệ Đảng: cần kiện toàn hoặc sáp nhập."
            ));
        }
        if !officers.iter().any(|o| o.kind == "secretary") {
            warnings.push("Chi bộ chưa có bí thư đương nhiệm.".to_string());
        }
    }
    if let Some(d) = u.dissolved_on {
        warnings.push(format!(
            "Đơn vị đã giải thể hoặc sáp nhập từ ngày {}.",
            d.format("%d/%m/%Y")
        ));
    }

    let predecessors = unit::Entity::find()
        .filter(unit::Column::SuccessorId.eq(u.id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| UnitRef {
            id: p.id,
            name: p.name,
        })
        .collect();
    let successor = match u.successor_id {
        Some(s) => find(&app.db, s)
            .await?
            .filter(|s| actor.can_read_path(&s.path))
            .map(|s| UnitRef {
                id: s.id,
                name: s.name,
            }),
        None => None,
    };
    let history = history(app, &u).await?;
    let rule_set = crate::rules::in_force_for(&app.db, &u, date)
        .await?
        .map(|r| UnitRef {
            id: r.id,
            name: r.name,
        });
    let live = u.dissolved_on.is_none();
    let parent = match u.parent_id {
        Some(p) => find(&app.db, p).await?,
        None => None,
    };
    Ok(UnitDetail {
        can_restructure: live && actor.can_restructure(&u, parent.as_ref()),
        can_create_child: live
            && kind.is_some_and(|k| {
                k.allowed_children()
                    .iter()
                    .any(|c| actor.can_create_under(u.id, u.parent_id, *c))
            }),
        can_manage_members: live
            && kind.is_some_and(|k| k.holds_members())
            && actor.can_manage_members(&u),
        unit: unit_view,
        ancestors,
        children,
        officers,
        warnings,
        predecessors,
        successor,
        history,
        rule_set,
        subtree_member_count,
        meetings_to_cancel: crate::cancellations::meetings_to_cancel(&app.db, id, App::today())
            .await?,
    })
}

use chibo_store::sea_orm::PaginatorTrait;

/// Versions in force on `date`.
pub(crate) fn valid_on(date: NaiveDate) -> Condition {
    Condition::all()
        .add(unit_version::Column::ValidFrom.lte(date))
        .add(
            Condition::any()
                .add(unit_version::Column::ValidTo.is_null())
                .add(unit_version::Column::ValidTo.gt(date)),
        )
}

pub(crate) async fn version_on(
    db: &impl ConnectionTrait,
    unit_id: i64,
    date: NaiveDate,
) -> AppResult<Option<unit_version::Model>> {
    Ok(unit_version::Entity::find()
        .filter(unit_version::Column::UnitId.eq(unit_id))
        .filter(valid_on(date))
        .one(db)
        .await?)
}

/// The unit as it stood on `date`, from its version then.
pub(crate) fn as_it_was(
    cur: &unit::Model,
    v: &unit_version::Model,
    date: NaiveDate,
) -> unit::Model {
    unit::Model {
        parent_id: v.parent_id,
        path: v.path.clone(),
        depth: org::path_ids(&v.path).len() as i32 - 1,
        name: v.name.clone(),
        kind: v.kind.clone(),
        cell_type: v.cell_type.clone(),
        dissolved_on: cur.dissolved_on.filter(|d| *d <= date),
        ..cur.clone()
    }
}

/// The unit's events and those of the units merged into it, so history follows a merger.
async fn history(app: &App, u: &unit::Model) -> AppResult<Vec<HistoryEntry>> {
    let mut lineage = vec![u.id];
    let mut frontier = vec![u.id];
    while !frontier.is_empty() {
        let preds: Vec<i64> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Id)
            .filter(unit::Column::SuccessorId.is_in(frontier.clone()))
            .into_tuple()
            .all(&app.db)
            .await?;
        frontier = preds.into_iter().filter(|p| !lineage.contains(p)).collect();
        lineage.extend(&frontier);
    }
    let events = unit_event::Entity::find()
        .filter(
            Condition::any()
                .add(unit_event::Column::UnitId.is_in(lineage.clone()))
                .add(unit_event::Column::OtherUnitId.is_in(lineage.clone())),
        )
        .order_by_desc(unit_event::Column::EffectiveOn)
        .order_by_desc(unit_event::Column::Id)
        .all(&app.db)
        .await?;
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut ids: Vec<i64> = events.iter().map(|e| e.unit_id).collect();
    ids.extend(events.iter().filter_map(|e| e.other_unit_id));
    for x in unit::Entity::find()
        .filter(unit::Column::Id.is_in(ids))
        .all(&app.db)
        .await?
    {
        names.insert(x.id, x.name);
    }
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(events
        .into_iter()
        .map(|e| {
            let other = e.other_unit_id.map(name).unwrap_or_default();
            let note = e.note.clone().unwrap_or_default();
            let text = match e.kind.as_str() {
                "created" => format!("Thành lập {}", name(e.unit_id)),
                "renamed" => format!("Đổi tên: {note}"),
                "moved" => format!("Chuyển về trực thuộc {other}"),
                "merged" => format!("{} sáp nhập vào {other}", name(e.unit_id)),
                "split" => format!("Tách từ {} thành {other}", name(e.unit_id)),
                "dissolved" => format!("Giải thể {}: {note}", name(e.unit_id)),
                k => k.to_string(),
            };
            HistoryEntry {
                date: e.effective_on,
                kind: e.kind,
                text,
                unit: UnitRef {
                    id: e.unit_id,
                    name: name(e.unit_id),
                },
            }
        })
        .collect())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewUnit {
    pub parent_id: i64,
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MoveUnit {
    pub new_parent_id: i64,
    pub effective_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MergeUnit {
    /// The unit that takes over this one's members and sub-units.
    pub into_unit_id: i64,
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

/// The effective date of a change: today when empty, never in the future, never before `not_before`.
fn effective_date(errors: &mut Invalid, raw: Option<&str>, not_before: NaiveDate) -> NaiveDate {
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
async fn changeable_from(db: &impl ConnectionTrait, u: &unit::Model) -> AppResult<NaiveDate> {
    Ok(current_version(db, u.id)
        .await?
        .map_or(u.established_on, |v| v.valid_from))
}

/// Ends the unit's open version on `date` and opens one from the unit as it is now.
async fn new_version(
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
        unit_version::ActiveModel {
            unit_id: Set(u.id),
            parent_id: Set(u.parent_id),
            path: Set(u.path.clone()),
            name: Set(u.name.clone()),
            kind: Set(u.kind.clone()),
            cell_type: Set(u.cell_type.clone()),
            valid_from: Set(date),
            valid_to: Set(None),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn add_event(
    tx: &DatabaseTransaction,
    actor: Option<&Actor>,
    kind: &str,
    unit_id: i64,
    other: Option<i64>,
    note: Option<String>,
    date: NaiveDate,
) -> AppResult<()> {
    unit_event::ActiveModel {
        kind: Set(kind.to_string()),
        effective_on: Set(date),
        unit_id: Set(unit_id),
        other_unit_id: Set(other),
        note: Set(note),
        created_by: Set(actor.map(|a| a.user_id)),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

fn check_cell_type(
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

async fn check_sibling_name(
    db: &impl ConnectionTrait,
    errors: &mut Invalid,
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
            "name",
            "Đơn vị cấp trên đã có một đơn vị trực thuộc trùng tên.",
        );
    }
    Ok(())
}

/// Loads the members to move into a new cell or split part and checks them: they must be on
/// the roll below `within`, and a cell needs at least three official members.
async fn check_members_for_cell(
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
    let found = member::Entity::find()
        .filter(member::Column::Id.is_in(ids.clone()))
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&within.path)))
        .filter(member::Column::Status.is_in(on_roll_codes()))
        .all(db)
        .await?;
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

pub(crate) async fn insert_unit(
    tx: &DatabaseTransaction,
    parent: &unit::Model,
    name: &str,
    kind: &str,
    cell_type: Option<String>,
    date: NaiveDate,
) -> AppResult<unit::Model> {
    let created = unit::ActiveModel {
        parent_id: Set(Some(parent.id)),
        path: Set(format!("{}?", parent.path)),
        depth: Set(parent.depth + 1),
        name: Set(name.to_string()),
        search_key: Set(text::search_key(name)),
        kind: Set(kind.to_string()),
        cell_type: Set(cell_type),
        established_on: Set(date),
        dissolved_on: Set(None),
        successor_id: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    let path = org::child_path(&parent.path, created.id);
    let mut am = created.into_active_model();
    am.path = Set(path);
    let created = am.update(tx).await?;
    new_version(tx, &created, date, false).await?;
    Ok(created)
}

/// Creates a unit under `parent_id`. A cell is founded with at least three official members.
pub async fn create(app: &App, actor: &Actor, input: NewUnit) -> AppResult<UnitView> {
    let parent = actor.readable(find(&app.db, input.parent_id).await?)?.0;
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
    check_sibling_name(&app.db, &mut errors, parent.id, &name, None).await?;
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
    for m in &founders {
        if !actor.can_manage_members(&member_unit_of(&app.db, m).await?) {
            errors.push(
                "founding_member_ids",
                format!("Bạn không có quyền chuyển đảng viên {}.", m.full_name),
            );
        }
    }
    errors.into_result()?;
    let kind = kind.expect("checked above");

    let tx = write_tx(&app.db).await?;
    let created = insert_unit(&tx, &parent, &name, kind.code(), cell_type, date).await?;
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
    for m in founders {
        members::move_member(&tx, m, &created, date, "Thành lập chi bộ mới").await?;
    }
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
    tx.commit().await?;
    Ok(view(&created, &HashMap::new()))
}

async fn member_unit_of(db: &impl ConnectionTrait, m: &member::Model) -> AppResult<unit::Model> {
    find(db, m.unit_id).await?.ok_or(AppError::NotFound)
}

/// Loads a unit the actor may restructure (404 outside read scope, 403 inside without the right).
async fn restructurable(app: &App, actor: &Actor, id: i64) -> AppResult<unit::Model> {
    let u = actor.readable(find(&app.db, id).await?)?.0;
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
        check_sibling_name(&app.db, &mut errors, p, &name, Some(u.id)).await?;
    }
    errors.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = u.clone();
    let mut am = u.into_active_model();
    am.name = Set(name.clone());
    am.search_key = Set(text::search_key(&name));
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
    Ok(view(&after, &HashMap::new()))
}

/// Re-roots every unit and member below `u` after its path changed; each moved unit gets a
/// new version dated `date`.
async fn reroot_subtree(
    tx: &DatabaseTransaction,
    old_prefix: &str,
    new_prefix: &str,
    date: NaiveDate,
) -> AppResult<()> {
    let below = unit::Entity::find()
        .filter(unit::Column::Path.like(chibo_store::path_prefix(old_prefix)))
        .all(tx)
        .await?;
    for d in below {
        let Some(path) = org::reroot(&d.path, old_prefix, new_prefix) else {
            continue;
        };
        let depth = org::path_ids(&path).len() as i32 - 1;
        let mut am = d.into_active_model();
        am.path = Set(path);
        am.depth = Set(depth);
        let d = am.update(tx).await?;
        if d.dissolved_on.is_none() {
            new_version(tx, &d, date, false).await?;
        }
    }
    let movers = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(old_prefix)))
        .all(tx)
        .await?;
    for m in movers {
        if let Some(p) = org::reroot(&m.unit_path, old_prefix, new_prefix) {
            let mut am = m.into_active_model();
            am.unit_path = Set(p);
            am.update(tx).await?;
        }
    }
    Ok(())
}

pub async fn move_unit(app: &App, actor: &Actor, id: i64, input: MoveUnit) -> AppResult<UnitView> {
    let u = restructurable(app, actor, id).await?;
    let target = actor.readable(find(&app.db, input.new_parent_id).await?)?.0;
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
    check_sibling_name(&app.db, &mut errors, target.id, &u.name, Some(u.id)).await?;
    errors.into_result()?;

    let tx = write_tx(&app.db).await?;
    let before = u.clone();
    let new_path = org::child_path(&target.path, u.id);
    let mut am = u.into_active_model();
    am.parent_id = Set(Some(target.id));
    am.update(&tx).await?;
    reroot_subtree(&tx, &before.path, &new_path, date).await?;
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
    Ok(view(&after, &HashMap::new()))
}

/// Merges unit `id` into another: its members and sub-units go over, its officers' terms end,
/// and it is closed with the other as its successor, so history follows the merger.
pub async fn merge(app: &App, actor: &Actor, id: i64, input: MergeUnit) -> AppResult<UnitView> {
    let u = restructurable(app, actor, id).await?;
    let target = actor.readable(find(&app.db, input.into_unit_id).await?)?.0;
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
    let not_before = changeable_from(&app.db, &u)
        .await?
        .max(changeable_from(&app.db, &target).await?);
    let date = effective_date(&mut errors, input.effective_on.as_deref(), not_before);
    errors.into_result()?;

    let tx = write_tx(&app.db).await?;
    // Sub-units go over to the target.
    let children = unit::Entity::find()
        .filter(unit::Column::ParentId.eq(u.id))
        .filter(unit::Column::DissolvedOn.is_null())
        .all(&tx)
        .await?;
    for c in children {
        let old = c.path.clone();
        let mut am = c.into_active_model();
        am.parent_id = Set(Some(target.id));
        let c = am.update(&tx).await?;
        reroot_subtree(&tx, &old, &org::child_path(&target.path, c.id), date).await?;
        add_event(&tx, Some(actor), "moved", c.id, Some(target.id), None, date).await?;
    }
    let movers = member::Entity::find()
        .filter(member::Column::UnitId.eq(u.id))
        .filter(member::Column::Status.is_in(on_roll_codes()))
        .all(&tx)
        .await?;
    for m in movers {
        members::move_member(
            &tx,
            m,
            &target,
            date,
            &format!("Sáp nhập {} vào {}", u.name, target.name),
        )
        .await?;
    }
    members::end_positions(&tx, u.id, date).await?;
    let reason = format!(
        "{} sáp nhập vào {} từ {}",
        u.name,
        target.name,
        date.format("%d/%m/%Y")
    );
    cancel_meetings_of(&tx, actor, &u, date, &reason).await?;
    let before = u.clone();
    let mut am = u.into_active_model();
    am.dissolved_on = Set(Some(date));
    am.successor_id = Set(Some(target.id));
    let after = am.update(&tx).await?;
    new_version(&tx, &after, date, true).await?;
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
    tx.commit().await?;
    Ok(view(&after, &HashMap::new()))
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
        check_sibling_name(&app.db, &mut errors, parent.id, &name, None).await?;
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
    let remaining = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&u.path)))
        .filter(member::Column::Status.is_in(on_roll_codes()))
        .filter(member::Column::Id.is_not_in(taken.clone()))
        .all(&app.db)
        .await?;
    let remaining_official = remaining
        .iter()
        .filter(|m| m.official_date.is_some_and(|d| d <= date))
        .count();
    if !remaining.is_empty() && kind.is_cell() && remaining_official < MIN_OFFICIAL_MEMBERS_PER_CELL
    {
        errors.push(
            "parts",
            format!("Sau khi tách, {} chỉ còn {remaining_official} đảng viên chính thức (cần ít nhất {MIN_OFFICIAL_MEMBERS_PER_CELL}).", u.name),
        );
    }
    errors.into_result()?;

    let tx = write_tx(&app.db).await?;
    let mut created = Vec::new();
    for (name, ct, ms) in plans {
        let part = insert_unit(&tx, &parent, &name, &u.kind, ct, date).await?;
        add_event(&tx, Some(actor), "split", u.id, Some(part.id), None, date).await?;
        for m in ms {
            members::move_member(&tx, m, &part, date, &format!("Tách từ {}", u.name)).await?;
        }
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
        created.push(view(&part, &HashMap::new()));
    }
    if remaining.is_empty() {
        members::end_positions(&tx, u.id, date).await?;
        let why = format!(
            "{} tách hết đảng viên sang chi bộ mới từ {}",
            u.name,
            date.format("%d/%m/%Y")
        );
        cancel_meetings_of(&tx, actor, &u, date, &why).await?;
        let mut am = u.clone().into_active_model();
        am.dissolved_on = Set(Some(date));
        let after = am.update(&tx).await?;
        new_version(&tx, &after, date, true).await?;
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
    tx.commit().await?;
    Ok(created)
}

/// Cancels the unit's meetings from `date` that were not held, and records how many.
async fn cancel_meetings_of(
    tx: &impl ConnectionTrait,
    actor: &Actor,
    u: &unit::Model,
    date: NaiveDate,
    reason: &str,
) -> AppResult<()> {
    let n = crate::cancellations::cancel_meetings(tx, u.id, date, reason).await?;
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
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&u.path)))
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
    let tx = write_tx(&app.db).await?;
    members::end_positions(&tx, u.id, date).await?;
    let why = format!("{} giải thể từ {}", u.name, date.format("%d/%m/%Y"));
    cancel_meetings_of(&tx, actor, &u, date, &why).await?;
    let before = u.clone();
    let mut am = u.into_active_model();
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
    Ok(view(&after, &HashMap::new()))
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
    unit_version::ActiveModel {
        unit_id: Set(created.id),
        parent_id: Set(None),
        path: Set(created.path.clone()),
        name: Set(created.name.clone()),
        kind: Set(created.kind.clone()),
        cell_type: Set(None),
        valid_from: Set(date),
        valid_to: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(created)
}
