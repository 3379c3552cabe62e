//! Reading units: one by id, the scope condition on paths, member counts now and on a date, and
//! a unit's version on a date. Every other org module and context reads units through here.

use std::collections::HashMap;

use chibo_domain::cursor::Cursor;
use chibo_domain::member::on_roll_codes;
use chibo_domain::org::{self, CellType, UnitKind};
use chibo_domain::text;
use chibo_store::entities::{member, member_unit, unit, unit_version};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::refs::{UnitChoices, UnitRef};
use crate::{App, AppResult};

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

pub(crate) fn unit_view(u: &unit::Model, counts: &HashMap<i64, (i64, i64)>) -> UnitView {
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

/// Units in Vietnamese name order (`sort_key`, then the id) from `after` on, `per_page` of them, and
/// the cursor of the next page: the keyset every list of units by name pages by.
pub(crate) async fn page_in_name_order(
    db: &impl ConnectionTrait,
    select: Select<unit::Entity>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<(Vec<unit::Model>, Option<String>)> {
    let per_page = per_page.clamp(1, 500);
    let select = match after {
        Some(c) => select.filter(
            Condition::any()
                .add(unit::Column::SortKey.gt(c.key.as_str()))
                .add(
                    Condition::all()
                        .add(unit::Column::SortKey.eq(c.key.as_str()))
                        .add(unit::Column::Id.gt(c.id)),
                ),
        ),
        None => select,
    };
    let mut rows = select
        .order_by_asc(unit::Column::SortKey)
        .order_by_asc(unit::Column::Id)
        .limit(per_page + 1)
        .all(db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |u| {
        Cursor::new(u.sort_key.clone(), u.id).encode()
    });
    Ok((rows, next))
}

/// Live units in the actor's scope whose name contains `q` (diacritics ignored), by name: a
/// form's choice of a unit (a role's, a rule set's), searched since a province has ten
/// thousand of them.
pub async fn choices(
    app: &App,
    actor: &Actor,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UnitChoices> {
    let select = unit::Entity::find()
        .filter(unit::Column::DissolvedOn.is_null())
        .filter(actor.scope().condition(unit::Column::Path));
    choices_in_name_order(&app.db, select, q, after, per_page).await
}

/// A page of the units `select` finds whose name contains `q` (diacritics ignored), in
/// Vietnamese name order after `after`: a form's choices when there are too many for one list.
pub(crate) async fn choices_in_name_order(
    db: &impl ConnectionTrait,
    mut select: Select<unit::Entity>,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UnitChoices> {
    if let Some(term) = q.map(text::search_key).filter(|t| !t.is_empty()) {
        select = select.filter(unit::Column::SearchKey.like(chibo_store::containing(&term)));
    }
    let (rows, next) = page_in_name_order(db, select, after, per_page).await?;
    Ok(UnitChoices {
        items: rows
            .into_iter()
            .map(|u| UnitRef {
                id: u.id,
                name: u.name,
            })
            .collect(),
        next,
    })
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<unit::Model>> {
    Ok(unit::Entity::find_by_id(id).one(db).await?)
}

/// A unit the actor may read, by id and name (404 outside the actor's scope).
pub async fn visible_ref(app: &App, actor: &Actor, id: i64) -> AppResult<UnitRef> {
    let u = actor.visible(find(&app.db, id).await?)?;
    Ok(UnitRef {
        id: u.id,
        name: u.name.clone(),
    })
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

/// A page of the tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<UnitView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// The tree in the actor's scope, `per_page` units after `after`, each before the units under
/// it (path order, siblings in the order they were made): today's live units, or the tree as
/// it was on `as_of` (a unit shows if it is in scope now or was then). For siblings in name
/// order, read a level at a time (`tree::level`).
pub async fn tree(
    app: &App,
    actor: &Actor,
    as_of: Option<NaiveDate>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UnitPage> {
    let scope = actor.scope();
    let per_page = per_page.clamp(1, 500);
    let after_path = after.map(|c| c.key.clone()).unwrap_or_default();
    let (views, next) = match as_of {
        None => {
            let mut units = unit::Entity::find()
                .filter(unit::Column::DissolvedOn.is_null())
                .filter(scope.condition(unit::Column::Path))
                .filter(unit::Column::Path.gt(after_path))
                .order_by_asc(unit::Column::Path)
                .limit(per_page + 1)
                .all(&app.db)
                .await?;
            let next = crate::lookup::cut_page(&mut units, per_page, |u| {
                Cursor::new(u.path.clone(), u.id).encode()
            });
            let counts = current_counts(
                &app.db,
                Condition::all().add(member::Column::UnitId.is_in(units.iter().map(|u| u.id))),
            )
            .await?;
            (units.iter().map(|u| unit_view(u, &counts)).collect(), next)
        }
        Some(date) => {
            let in_scope_now = unit::Entity::find()
                .select_only()
                .column(unit::Column::Id)
                .filter(scope.condition(unit::Column::Path))
                .into_query();
            let mut versions = unit_version::Entity::find()
                .filter(valid_on(date))
                .filter(
                    Condition::any()
                        .add(scope.condition(unit_version::Column::Path))
                        .add(unit_version::Column::UnitId.in_subquery(in_scope_now)),
                )
                .filter(unit_version::Column::Path.gt(after_path))
                .order_by_asc(unit_version::Column::Path)
                .limit(per_page + 1)
                .all(&app.db)
                .await?;
            let next = crate::lookup::cut_page(&mut versions, per_page, |v| {
                Cursor::new(v.path.clone(), v.unit_id).encode()
            });
            let ids: Vec<i64> = versions.iter().map(|v| v.unit_id).collect();
            let current: HashMap<i64, unit::Model> =
                crate::lookup::units_by_id(&app.db, &ids).await?;
            let counts = counts_on(&app.db, &ids, date).await?;
            let views = versions
                .iter()
                .filter_map(|v| {
                    let cur = current.get(&v.unit_id)?;
                    Some(unit_view(&as_it_was(cur, v, date), &counts))
                })
                .collect();
            (views, next)
        }
    };
    Ok(UnitPage { items: views, next })
}

/// Members on each unit's roll on `date`, from the membership history.
pub(crate) async fn counts_on(
    db: &impl ConnectionTrait,
    unit_ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, (i64, i64)>> {
    // Callers pass a page (at most 500 units) or one unit: one chunk; the chunks only keep a
    // longer list under the databases' parameter limits.
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
