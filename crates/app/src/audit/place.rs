//! Where in the tree an audited record lies: the path of the unit it belongs to, kept with each
//! entry when it is written so that the log is filtered by unit with a prefix test on one column
//! (a unit's entries and those of every unit below it), not by joining each kind of record.

use chibo_store::entities::{
    cadre_task, candidate, course, inspection, meeting, meeting_task, member, member_rule_set,
    position, programme, review_report, rule_set, transfer, unit,
};
use chibo_store::sea_orm::{ConnectionTrait, EntityTrait, PrimaryKeyTrait};

use crate::AppResult;

/// A column of the row `id` of `E` (`None` when there is no such row).
async fn read<E, C, T>(
    conn: &C,
    id: i64,
    column: impl FnOnce(E::Model) -> Option<T>,
) -> AppResult<Option<T>>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    C: ConnectionTrait,
{
    Ok(E::find_by_id(id).one(conn).await?.and_then(column))
}

/// The path of the unit the record `entity` `id` belongs to (a member's cell, a meeting's cell,
/// an inspection's cell inspected); `None` for records of no unit (accounts, holidays, national
/// rule sets) or gone.
pub(super) async fn unit_path_of<C: ConnectionTrait>(
    conn: &C,
    entity: &str,
    id: i64,
) -> AppResult<Option<String>> {
    // The records that belong to a member lie where the member's roll is (an exemption is
    // audited as its member's record).
    let member = match entity {
        "member" => Some(id),
        "transfer" => read::<transfer::Entity, _, _>(conn, id, |t| Some(t.member_id)).await?,
        _ => None,
    };
    if let Some(m) = member {
        return read::<member::Entity, _, _>(conn, m, |m| Some(m.unit_path)).await;
    }
    let unit_id = match entity {
        "unit" => Some(id),
        "meeting" => read::<meeting::Entity, _, _>(conn, id, |m| Some(m.unit_id)).await?,
        "task" => match read::<meeting_task::Entity, _, _>(conn, id, |t| Some(t.meeting_id)).await?
        {
            Some(m) => read::<meeting::Entity, _, _>(conn, m, |m| Some(m.unit_id)).await?,
            None => None,
        },
        "position" => read::<position::Entity, _, _>(conn, id, |p| Some(p.unit_id)).await?,
        "candidate" => read::<candidate::Entity, _, _>(conn, id, |c| Some(c.unit_id)).await?,
        "course" => read::<course::Entity, _, _>(conn, id, |c| Some(c.unit_id)).await?,
        "inspection" => read::<inspection::Entity, _, _>(conn, id, |i| Some(i.cell_id)).await?,
        "cadre_task" => read::<cadre_task::Entity, _, _>(conn, id, |c| Some(c.unit_id)).await?,
        "programme" => read::<programme::Entity, _, _>(conn, id, |p| Some(p.unit_id)).await?,
        "review_report" => {
            read::<review_report::Entity, _, _>(conn, id, |r| Some(r.unit_id)).await?
        }
        "rule_set" => read::<rule_set::Entity, _, _>(conn, id, |r| r.unit_id).await?,
        "member_rule_set" => read::<member_rule_set::Entity, _, _>(conn, id, |r| r.unit_id).await?,
        _ => None,
    };
    match unit_id {
        Some(u) => read::<unit::Entity, _, _>(conn, u, |u| Some(u.path)).await,
        None => Ok(None),
    }
}
