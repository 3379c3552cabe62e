//! Writing an import's new members a batch at a time: the members in one statement that
//! returns their ids, then their places on the rolls in another, inside the import's
//! transaction (so a failure leaves nothing written).

use chibo_domain::member::Status;
use chibo_store::entities::{member, member_unit, unit};
use chibo_store::sea_orm::{DatabaseTransaction, EntityTrait};

use crate::AppResult;
use crate::membership::member_edit::{Clean, new_member_row, new_roll_row};

/// Inserts the members of a batch on the rolls of their units; answers their ids.
pub(super) async fn insert_members(
    tx: &DatabaseTransaction,
    batch: &[(Clean, unit::Model)],
) -> AppResult<Vec<i64>> {
    let rows = batch
        .iter()
        .map(|(c, u)| new_member_row(c.clone(), u, Status::Active));
    let written: Vec<member::Model> = member::Entity::insert_many(rows)
        .exec_with_returning(tx)
        .await?;
    // The rows come back in the order written, each under its unit (by the unit id each
    // was written with, not by position, should a backend ever reorder them).
    let unit_of = |m: &member::Model| {
        batch
            .iter()
            .map(|(_, u)| u)
            .find(|u| u.id == m.unit_id)
            .expect("a written member is in a unit of its batch")
    };
    let rolls: Vec<member_unit::ActiveModel> = written
        .iter()
        .map(|m| new_roll_row(m, unit_of(m), Status::Active))
        .collect();
    let earliest = rolls
        .iter()
        .filter_map(|r| r.valid_from.try_as_ref().copied())
        .min();
    member_unit::Entity::insert_many(rolls).exec(tx).await?;
    let ids: Vec<i64> = written.iter().map(|m| m.id).collect();
    if let Some(from) = earliest {
        // The batch's members now stand on the sheets of meetings held since their rolls begin.
        chibo_store::meeting_stats::members_changed(tx, &ids, from).await?;
    }
    Ok(ids)
}
