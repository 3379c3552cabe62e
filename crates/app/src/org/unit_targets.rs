//! What a restructuring may aim at: the units a move or a merge may target, only those the tree
//! allows, read in SQL from the unit's neighbourhood, not from the whole tree. (What it does to a
//! cell's calendar is in `cancellations`.)

use chibo_domain::org::{UnitKind, merge_refusal};
use chibo_store::entities::unit;
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use chibo_store::subtree::Subtree;

use crate::access::{Actor, Visible};
use crate::org::units::find;
use crate::refs::UnitRef;
use crate::{App, AppResult};

/// Where a unit may be moved and merged, for the forms of its page.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RestructureTargets {
    pub moves: Vec<UnitRef>,
    pub merges: Vec<UnitRef>,
}

/// The targets the actor may choose for unit `id`: none unless the unit is live and the actor
/// may restructure it.
pub async fn targets(app: &App, actor: &Actor, id: i64) -> AppResult<RestructureTargets> {
    let u = actor.visible(find(&app.db, id).await?)?;
    let parent = match u.parent_id {
        Some(p) => find(&app.db, p).await?,
        None => None,
    };
    if u.dissolved_on.is_some() || !actor.can_restructure(&u, parent.as_ref()) {
        return Ok(RestructureTargets::default());
    }
    Ok(RestructureTargets {
        moves: move_targets(&app.db, actor, &u).await?,
        merges: merge_targets(&app.db, actor, &u).await?,
    })
}

fn unit_ref(u: unit::Model) -> UnitRef {
    UnitRef {
        id: u.id,
        name: u.name,
    }
}

/// Live units `u` may move under: kinds the tree allows above `u`'s kind, in the actor's read
/// scope, outside `u`'s own subtree, not its present parent, and where the actor may create a
/// unit of that kind. By name.
async fn move_targets(
    db: &impl ConnectionTrait,
    actor: &Actor,
    u: &Visible<unit::Model>,
) -> AppResult<Vec<UnitRef>> {
    let kind = UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Other);
    let parents: Vec<&str> = UnitKind::ALL
        .iter()
        .filter(|k| k.allowed_children().contains(&kind))
        .map(|k| k.code())
        .collect();
    let mut q = unit::Entity::find()
        .filter(unit::Column::DissolvedOn.is_null())
        .filter(unit::Column::Kind.is_in(parents))
        .filter(Subtree::of(u).contains(unit::Column::Path).not())
        .filter(actor.scope().condition(unit::Column::Path));
    if let Some(p) = u.parent_id {
        q = q.filter(unit::Column::Id.ne(p));
    }
    Ok(q.order_by_asc(unit::Column::SearchKey)
        .all(db)
        .await?
        .into_iter()
        .filter(|t| actor.can_create_under(t.id, t.parent_id, kind))
        .map(unit_ref)
        .collect())
}

/// Live units `u` may merge into: its siblings of a kind the tree allows and, for a party group,
/// its own cell; only those the actor may act on. By name.
async fn merge_targets(
    db: &impl ConnectionTrait,
    actor: &Actor,
    u: &unit::Model,
) -> AppResult<Vec<UnitRef>> {
    let Some(parent_id) = u.parent_id else {
        return Ok(vec![]);
    };
    let kind = UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Other);
    let parent = find(db, parent_id).await?;
    let grandparent = match parent.as_ref().and_then(|p| p.parent_id) {
        Some(g) => find(db, g).await?,
        None => None,
    };
    let siblings = unit::Entity::find()
        .filter(unit::Column::DissolvedOn.is_null())
        .filter(
            Condition::any()
                .add(unit::Column::ParentId.eq(parent_id))
                .add(unit::Column::Id.eq(parent_id)),
        )
        .filter(unit::Column::Id.ne(u.id))
        .order_by_asc(unit::Column::SearchKey)
        .all(db)
        .await?;
    Ok(siblings
        .into_iter()
        .filter(|t| {
            let is_parent = t.id == parent_id;
            let t_kind = UnitKind::from_code(&t.kind).unwrap_or(UnitKind::Other);
            let t_parent = if is_parent {
                grandparent.as_ref()
            } else {
                parent.as_ref()
            };
            merge_refusal(kind, t_kind, is_parent, !is_parent).is_none()
                && actor.may_merge_into(t, t_parent, kind)
        })
        .map(unit_ref)
        .collect())
}
