//! What a restructuring may aim at, and what it does to a cell's calendar: the units a move or a
//! merge may target (only those the tree allows, read in SQL from the unit's neighbourhood, not
//! from the whole tree), and the cancellation of a dissolved or merged cell's future meetings,
//! counted beforehand so the page can say so before the user confirms.

use chibo_domain::org::{UnitKind, merge_refusal};
use chibo_store::entities::{meeting, unit};
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use chrono::NaiveDate;

use crate::scope::Actor;
use crate::units::{UnitRef, find, scope_condition};
use crate::{App, AppResult, meetings};

/// Statuses of a meeting not yet held, which a dissolution cancels.
const NOT_HELD: [&str; 2] = ["planned", "published"];

/// Where a unit may be moved and merged, for the forms of its page.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RestructureTargets {
    pub moves: Vec<UnitRef>,
    pub merges: Vec<UnitRef>,
}

/// The targets the actor may choose for unit `id`: none unless the unit is live and the actor
/// may restructure it.
pub async fn targets(app: &App, actor: &Actor, id: i64) -> AppResult<RestructureTargets> {
    let u = actor.readable(find(&app.db, id).await?)?.0;
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
    u: &unit::Model,
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
        .filter(unit::Column::Path.not_like(chibo_store::path_prefix(&u.path)))
        .filter(scope_condition(unit::Column::Path, &actor.read_paths()));
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

/// Whether the actor may merge into `target` (whose parent is `target_parent`) a unit of `kind`.
pub(crate) fn may_merge_into(
    actor: &Actor,
    target: &unit::Model,
    target_parent: Option<&unit::Model>,
    kind: UnitKind,
) -> bool {
    actor.can_restructure(target, target_parent)
        || actor.can_create_under(target.id, target.parent_id, kind)
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
                && may_merge_into(actor, t, t_parent, kind)
        })
        .map(unit_ref)
        .collect())
}

/// Meetings of the unit on or after `from` that were not held.
fn not_held_from(unit_id: i64, from: NaiveDate) -> Condition {
    Condition::all()
        .add(meeting::Column::UnitId.eq(unit_id))
        .add(meeting::Column::MeetingDate.gte(from))
        .add(meeting::Column::Status.is_in(NOT_HELD))
}

/// How many meetings of the unit on or after `from` a dissolution or merger would cancel.
pub async fn meetings_to_cancel(
    db: &impl ConnectionTrait,
    unit_id: i64,
    from: NaiveDate,
) -> AppResult<u64> {
    Ok(meeting::Entity::find()
        .filter(not_held_from(unit_id, from))
        .count(db)
        .await?)
}

/// Cancels, in one statement, the unit's meetings on or after `from` that were not held, giving
/// `reason`; returns how many.
pub(crate) async fn cancel_meetings(
    db: &impl ConnectionTrait,
    unit_id: i64,
    from: NaiveDate,
    reason: &str,
) -> AppResult<u64> {
    let done = meeting::Entity::update_many()
        .col_expr(meeting::Column::Status, Expr::value(meetings::CANCELLED))
        .col_expr(meeting::Column::CancelledReason, Expr::value(reason))
        .filter(not_held_from(unit_id, from))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
