//! Writing an import's new members a batch at a time, inside the import's transaction (so a
//! failure leaves nothing written): ids are drawn first, so the members and their places on
//! the rolls are written whole without reading anything back (one statement each on
//! PostgreSQL, 400 rows a statement on SQLite).

use chibo_domain::member::Status;
use chibo_store::bulk;
use chibo_store::entities::{member, member_unit, unit};
use chibo_store::sea_orm::{ActiveValue::Set, DatabaseTransaction, TryIntoModel};

use crate::AppResult;
use crate::membership::member_edit::{Clean, new_member_row, new_roll_row};

/// Inserts the members of a batch on the rolls of their units; answers their ids.
pub(super) async fn insert_members(
    tx: &DatabaseTransaction,
    batch: &[(Clean, unit::Model)],
) -> AppResult<Vec<i64>> {
    let ids = bulk::fresh_ids::<member::Entity>(tx, batch.len()).await?;
    let members = batch
        .iter()
        .zip(&ids)
        .map(|((c, u), id)| {
            let mut row = new_member_row(c.clone(), u, Status::Active);
            row.id = Set(*id);
            row.try_into_model()
        })
        .collect::<Result<Vec<member::Model>, _>>()?;
    let roll_ids = bulk::fresh_ids::<member_unit::Entity>(tx, batch.len()).await?;
    let rolls = members
        .iter()
        .zip(batch)
        .zip(roll_ids)
        .map(|((m, (_, u)), id)| {
            let mut row = new_roll_row(m, u, Status::Active);
            row.id = Set(id);
            row.try_into_model()
        })
        .collect::<Result<Vec<member_unit::Model>, _>>()?;
    bulk::insert_models::<member::Entity>(tx, &members).await?;
    bulk::insert_models::<member_unit::Entity>(tx, &rolls).await?;
    let first_roll = rolls.iter().map(|r| r.id).min();
    let last_roll = rolls.iter().map(|r| r.id).max();
    let from = rolls.iter().map(|r| r.valid_from).min();
    if let (Some(first), Some(last), Some(from)) = (first_roll, last_roll, from) {
        // The batch's members now stand on the sheets of meetings held since their rolls begin.
        chibo_store::meeting_stats::rolls_added(tx, (first, last), from).await?;
    }
    Ok(ids)
}
