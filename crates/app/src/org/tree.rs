//! The organisation tree one level at a time, now or as it stood on a date: the units directly
//! under one unit (or the top units of the actor's scope), each with its members and how many
//! units lie under it, so the tree page stays small at any size and opens level by level. Every
//! query reads one level: its units by parent, its counts grouped by unit.

use std::collections::HashMap;

use chibo_domain::cursor::Cursor;
use chibo_domain::org;
use chibo_domain::text;
use chibo_store::entities::{unit, unit_version};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::org::units::{
    UnitView, as_it_was, counts_on, current_counts, find, page_in_name_order, unit_view, valid_on,
    version_on,
};
use crate::refs::UnitRef;
use crate::{AppError, AppResult};

/// A unit in a level of the tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TreeNode {
    pub unit: UnitView,
    /// Units directly under it (then, for a past date).
    pub child_count: i64,
}

/// One level of the tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TreeLevel {
    /// The unit whose children these are; none for the top of the actor's scope.
    pub parent: Option<UnitRef>,
    pub as_of: Option<NaiveDate>,
    /// In Vietnamese name order.
    pub nodes: Vec<TreeNode>,
    /// Pass as `after` for the rest of the level; absent on its last page.
    pub next: Option<String>,
}

/// The units of one level, in Vietnamese name order, `per_page` of them after `after`: under
/// `parent_id`, or the top units of the actor's scope; today's live units, or the units as
/// they stood on `as_of`.
pub async fn level(
    app: &crate::App,
    actor: &Actor,
    parent_id: Option<i64>,
    as_of: Option<NaiveDate>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<TreeLevel> {
    let db = &app.db;
    // The top of a scope is the actor's grants, a handful: read whole, so a unit nested in
    // another grant's unit is dropped below whatever the page size.
    let per_page = if parent_id.is_none() {
        500
    } else {
        per_page.clamp(1, 500)
    };
    let parent = match parent_id {
        Some(id) => {
            let p = find(db, id).await?.ok_or(AppError::NotFound)?;
            // In scope now, or (for a past date) where it stood then.
            let then_path = match as_of {
                Some(d) => version_on(db, id, d).await?.map(|v| v.path),
                None => None,
            };
            if !(actor.can_read_path(&p.path) || then_path.is_some_and(|t| actor.can_read_path(&t)))
            {
                return Err(AppError::NotFound);
            }
            Some(p)
        }
        None => None,
    };
    let (mut units, next) = match as_of {
        // A level in name order from the cursor on, by the (parent_id, sort_key) index.
        None => {
            let q = unit::Entity::find()
                .filter(unit::Column::DissolvedOn.is_null())
                .filter(match &parent {
                    Some(p) => Condition::all().add(unit::Column::ParentId.eq(p.id)),
                    None => top_of_scope(actor),
                });
            page_in_name_order(db, q, after, per_page).await?
        }
        Some(date) => {
            let mut units = units_then(actor, db, parent.as_ref(), date).await?;
            // The names are those of then: the level (one parent's children, never a
            // subtree) is ordered and cut here.
            for u in &mut units {
                u.sort_key = text::collation_key(&u.name);
            }
            units.sort_by(|a, b| (&a.sort_key, a.id).cmp(&(&b.sort_key, b.id)));
            if let Some(c) = after {
                units.retain(|u| (u.sort_key.as_str(), u.id) > (c.key.as_str(), c.id));
            }
            let next = crate::lookup::cut_page(&mut units, per_page, |u| {
                Cursor::new(u.sort_key.clone(), u.id).encode()
            });
            (units, next)
        }
    };
    // The top of a scope (a handful of grants): a unit inside another of the actor's units is
    // not a top.
    if parent.is_none() {
        let paths: Vec<String> = units.iter().map(|u| u.path.clone()).collect();
        units.retain(|u| {
            !paths
                .iter()
                .any(|p| p != &u.path && org::is_within(&u.path, p))
        });
    }
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let (counts, children) = match as_of {
        None => (
            current_counts(
                db,
                Condition::all()
                    .add(chibo_store::entities::member::Column::UnitId.is_in(ids.clone())),
            )
            .await?,
            child_counts_now(db, &ids).await?,
        ),
        Some(date) => (
            counts_on(db, &ids, date).await?,
            child_counts_on(db, &ids, date).await?,
        ),
    };
    Ok(TreeLevel {
        parent: parent.map(|p| UnitRef {
            id: p.id,
            name: p.name,
        }),
        as_of,
        nodes: units
            .iter()
            .map(|u| TreeNode {
                unit: unit_view(u, &counts),
                child_count: children.get(&u.id).copied().unwrap_or(0),
            })
            .collect(),
        next,
    })
}

/// The units of a level as they stood on `date` (in the actor's scope now or then).
async fn units_then(
    actor: &Actor,
    db: &impl ConnectionTrait,
    parent: Option<&unit::Model>,
    date: NaiveDate,
) -> AppResult<Vec<unit::Model>> {
    let versions = unit_version::Entity::find()
        .filter(valid_on(date))
        .filter(match parent {
            Some(p) => Condition::all().add(unit_version::Column::ParentId.eq(p.id)),
            None => top_versions(actor),
        })
        .all(db)
        .await?;
    let ids: Vec<i64> = versions.iter().map(|v| v.unit_id).collect();
    let current: HashMap<i64, unit::Model> = crate::lookup::units_by_id(db, &ids).await?;
    Ok(versions
        .into_iter()
        .filter_map(|v| {
            let cur = current.get(&v.unit_id)?;
            // In scope now, or where it stood then (as the whole tree as of a date).
            if !(actor.can_read_path(&cur.path) || actor.can_read_path(&v.path)) {
                return None;
            }
            Some(as_it_was(cur, &v, date))
        })
        .collect())
}

/// The units of the actor's grants (all roots for an administrator).
fn top_of_scope(actor: &Actor) -> Condition {
    match actor.scope().paths() {
        None => Condition::all().add(unit::Column::ParentId.is_null()),
        Some([]) => crate::access::nothing(),
        Some(paths) => paths
            .iter()
            .fold(Condition::any(), |c, p| c.add(unit::Column::Path.eq(p))),
    }
}

/// The versions of the actor's grant units (or of the roots), for a past date.
fn top_versions(actor: &Actor) -> Condition {
    match actor.scope().paths() {
        None => Condition::all().add(unit_version::Column::ParentId.is_null()),
        Some(paths) => {
            // The units of the grants that read a subtree (a plain member's grant does not).
            let ids: Vec<i64> = actor
                .grants()
                .iter()
                .filter(|g| g.unit_path.as_ref().is_some_and(|p| paths.contains(p)))
                .filter_map(|g| g.unit_id)
                .collect();
            Condition::all().add(unit_version::Column::UnitId.is_in(ids))
        }
    }
}

fn by_parent(rows: Vec<(Option<i64>, i64)>) -> HashMap<i64, i64> {
    rows.into_iter()
        .filter_map(|(p, n)| Some((p?, n)))
        .collect()
}

/// Live units directly under each of `ids`, counted by the database.
async fn child_counts_now(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(Option<i64>, i64)> = unit::Entity::find()
        .select_only()
        .column(unit::Column::ParentId)
        .column_as(unit::Column::Id.count(), "n")
        .filter(unit::Column::ParentId.is_in(ids.to_vec()))
        .filter(unit::Column::DissolvedOn.is_null())
        .group_by(unit::Column::ParentId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(by_parent(rows))
}

/// Units directly under each of `ids` on `date`.
async fn child_counts_on(
    db: &impl ConnectionTrait,
    ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(Option<i64>, i64)> = unit_version::Entity::find()
        .select_only()
        .column(unit_version::Column::ParentId)
        .column_as(unit_version::Column::Id.count(), "n")
        .filter(unit_version::Column::ParentId.is_in(ids.to_vec()))
        .filter(valid_on(date))
        .group_by(unit_version::Column::ParentId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(by_parent(rows))
}
