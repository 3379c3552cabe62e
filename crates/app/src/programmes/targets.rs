//! The targets a unit is held to under a programme: the programme's own, each tightened by the
//! programmes implementing it on the unit's line down from the issuer.

use std::collections::HashMap;

use chibo_domain::indicators::Target;
use chibo_domain::org::path_ids;
use chibo_store::entities::{programme, programme_target};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::programme::{ProgrammeRef, concerning, programme_ref, target_of};
use crate::access::Actor;
use crate::org::units;
use crate::{App, AppError, AppResult};

/// The targets programme `programme_id` itself sets.
pub(crate) async fn own_targets(app: &App, programme_id: i64) -> AppResult<Vec<Target>> {
    Ok(programme_target::Entity::find()
        .filter(programme_target::Column::ProgrammeId.eq(programme_id))
        .all(&app.db)
        .await?
        .iter()
        .filter_map(target_of)
        .collect())
}

/// The targets unit `unit_id` is held to under programme `programme_id`: the programme's own,
/// each replaced by the stricter one of a programme implementing it (at any depth: a cell's plan
/// under a commune's plan under the province's đề án), issued by the unit or by a unit between.
/// The unit must lie in the programme's subtree.
pub async fn targets_for(
    app: &App,
    actor: &Actor,
    programme_id: i64,
    unit_id: i64,
) -> AppResult<(ProgrammeRef, Vec<Target>)> {
    let (p, issuer) = concerning(app, actor, programme_id).await?;
    let u = actor.visible(units::find(&app.db, unit_id).await?)?;
    if !u.path.starts_with(&issuer.path) {
        return Err(AppError::invalid(
            "programme",
            format!("Văn bản này không áp dụng cho {}.", u.name),
        ));
    }
    // The programmes on the unit's line that implement this one, level by level down the
    // chain (as deep as the tree, a handful of queries).
    let line = path_ids(&u.path);
    let mut chain = vec![p.clone()];
    let mut frontier = vec![p.id];
    while !frontier.is_empty() {
        let next = programme::Entity::find()
            .filter(programme::Column::ParentId.is_in(frontier.clone()))
            .filter(programme::Column::UnitId.is_in(line.clone()))
            .all(&app.db)
            .await?;
        frontier = next.iter().map(|x| x.id).collect();
        chain.extend(next);
        if chain.len() > 64 {
            break;
        }
    }
    // Nearest to the unit last, so its targets are applied last.
    let depth: HashMap<i64, usize> = line.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    chain.sort_by_key(|x| depth.get(&x.unit_id).copied().unwrap_or(0));
    let ids: Vec<i64> = chain.iter().map(|x| x.id).collect();
    let rows = programme_target::Entity::find()
        .filter(programme_target::Column::ProgrammeId.is_in(ids.clone()))
        .all(&app.db)
        .await?;
    let mut targets: Vec<Target> = Vec::new();
    for id in ids {
        for t in rows
            .iter()
            .filter(|t| t.programme_id == id)
            .filter_map(target_of)
        {
            match targets.iter_mut().find(|x| x.indicator == t.indicator) {
                // A programme below may only tighten a target (checked when it is recorded).
                Some(x) if t.at_least_as_strict_as(*x) => *x = t,
                Some(_) => {}
                None => targets.push(t),
            }
        }
    }
    Ok((programme_ref(&p), targets))
}
