//! What a restructuring may aim at: the units a move or a merge may target, only those the tree
//! allows and the actor may act on, decided in SQL and searched by name a page at a time (an
//! administrator may move a cell under any of a province's 1,256 communes). What it does to a
//! cell's calendar is in `cancellations`.

use chibo_domain::cursor::Cursor;
use chibo_domain::org::{UnitKind, merge_refusal};
use chibo_store::entities::unit;
use chibo_store::sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};
use chibo_store::subtree::Subtree;

use crate::access::{Actor, Visible};
use crate::org::units::{choices_in_name_order, find};
use crate::refs::UnitChoices;
use crate::{App, AppResult};

/// How many targets a unit's page offers before a search.
pub const FIRST_TARGETS: u64 = 50;

/// The first targets of a move and of a merge, for the forms of a unit's page: none unless the
/// unit is live and the actor may restructure it.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RestructureTargets {
    pub moves: UnitChoices,
    pub merges: UnitChoices,
}

/// Which restructuring the targets are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A new parent (`POST /units/{id}/move`).
    Move,
    /// The unit that takes this one over (`POST /units/{id}/merge`).
    Merge,
}

pub async fn targets(app: &App, actor: &Actor, id: i64) -> AppResult<RestructureTargets> {
    let Some((u, parent)) = restructurable(app, actor, id).await? else {
        return Ok(RestructureTargets::default());
    };
    Ok(RestructureTargets {
        moves: page(
            app,
            actor,
            &u,
            parent.as_ref(),
            Target::Move,
            None,
            None,
            FIRST_TARGETS,
        )
        .await?,
        merges: page(
            app,
            actor,
            &u,
            parent.as_ref(),
            Target::Merge,
            None,
            None,
            FIRST_TARGETS,
        )
        .await?,
    })
}

/// The targets of a move or a merge of unit `id` whose name contains `q`, by name, after
/// `after`. `Forbidden` when the actor may not restructure the unit.
pub async fn choices(
    app: &App,
    actor: &Actor,
    id: i64,
    target: Target,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UnitChoices> {
    let Some((u, parent)) = restructurable(app, actor, id).await? else {
        return Err(crate::AppError::Forbidden);
    };
    page(app, actor, &u, parent.as_ref(), target, q, after, per_page).await
}

/// The unit and its parent when it is live and the actor may restructure it (`NotFound`
/// outside the actor's scope).
async fn restructurable(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<Option<(Visible<unit::Model>, Option<unit::Model>)>> {
    let u = actor.visible(find(&app.db, id).await?)?;
    let parent = match u.parent_id {
        Some(p) => find(&app.db, p).await?,
        None => None,
    };
    let may = u.dissolved_on.is_none() && actor.can_restructure(&u, parent.as_ref());
    Ok(may.then_some((u, parent)))
}

#[allow(clippy::too_many_arguments)]
async fn page(
    app: &App,
    actor: &Actor,
    u: &Visible<unit::Model>,
    parent: Option<&unit::Model>,
    target: Target,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UnitChoices> {
    let select = match target {
        Target::Move => move_targets(actor, u),
        Target::Merge => match parent {
            Some(p) => merge_targets(app, actor, u, p).await?,
            None => return Ok(UnitChoices::default()),
        },
    };
    choices_in_name_order(&app.db, select, q, after, per_page).await
}

/// Live units `u` may move under: kinds the tree allows above `u`'s kind, in the actor's read
/// scope, where the actor may create such a unit, outside `u`'s own subtree and other than its
/// current parent.
fn move_targets(actor: &Actor, u: &Visible<unit::Model>) -> Select<unit::Entity> {
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
        .filter(actor.scope().condition(unit::Column::Path))
        .filter(actor.creatable_under(kind));
    if let Some(p) = u.parent_id {
        q = q.filter(unit::Column::Id.ne(p));
    }
    q
}

/// Live units `u` may merge into: its siblings of a kind the tree allows and, for a party group,
/// its own cell; only those the actor may act on (restructure the target, or create a unit of
/// `u`'s kind under it).
async fn merge_targets(
    app: &App,
    actor: &Actor,
    u: &unit::Model,
    parent: &unit::Model,
) -> AppResult<Select<unit::Entity>> {
    let kind = UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Other);
    let grandparent = match parent.parent_id {
        Some(g) => find(&app.db, g).await?,
        None => None,
    };
    // A sibling's kind decides whether the tree allows the merger and whether the actor may
    // restructure it (that depends on its parent, which is `u`'s): a few kinds, decided here.
    let sibling_kinds: Vec<UnitKind> = UnitKind::ALL
        .iter()
        .copied()
        .filter(|k| merge_refusal(kind, *k, false, true).is_none())
        .collect();
    let restructurable: Vec<&str> = sibling_kinds
        .iter()
        .filter(|k| actor.can_create_under(parent.id, parent.parent_id, **k))
        .map(|k| k.code())
        .collect();
    let siblings = Condition::all()
        .add(unit::Column::ParentId.eq(parent.id))
        .add(unit::Column::Id.ne(u.id))
        .add(unit::Column::Kind.is_in(sibling_kinds.iter().map(|k| k.code())))
        .add(
            Condition::any()
                .add(unit::Column::Kind.is_in(restructurable))
                .add(actor.creatable_under(kind)),
        );
    let parent_kind = UnitKind::from_code(&parent.kind).unwrap_or(UnitKind::Other);
    let into_parent = merge_refusal(kind, parent_kind, true, false).is_none()
        && actor.may_merge_into(parent, grandparent.as_ref(), kind);
    let mut any = Condition::any().add(siblings);
    if into_parent {
        any = any.add(unit::Column::Id.eq(parent.id));
    }
    Ok(unit::Entity::find()
        .filter(unit::Column::DissolvedOn.is_null())
        .filter(any))
}
