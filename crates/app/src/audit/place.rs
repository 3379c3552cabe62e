//! Where in the tree an audited record lies: the path of the unit it belongs to, kept with each
//! entry when it is written so that the log is filtered by unit with a prefix test on one column
//! (a unit's entries and those of every unit below it), not by joining each kind of record.

use chibo_store::entities::{
    cadre_task, candidate, course, exemption, inspection, meeting, meeting_task, member,
    member_rule_set, position, programme, review_report, rule_set, transfer, unit,
};
use chibo_store::sea_orm::{ConnectionTrait, EntityTrait};

use crate::AppResult;

/// The path of the unit the record `entity` `id` belongs to (a member's cell, a meeting's cell,
/// an inspection's cell inspected); `None` for records of no unit (accounts, holidays, national
/// rule sets) or gone.
pub(super) async fn unit_path_of<C: ConnectionTrait>(
    conn: &C,
    entity: &str,
    id: i64,
) -> AppResult<Option<String>> {
    let member_path = |m: Option<member::Model>| m.map(|m| m.unit_path);
    let unit_id = match entity {
        "unit" => Some(id),
        "member" => return Ok(member_path(member::Entity::find_by_id(id).one(conn).await?)),
        "transfer" => match transfer::Entity::find_by_id(id).one(conn).await? {
            Some(t) => {
                return Ok(member_path(
                    member::Entity::find_by_id(t.member_id).one(conn).await?,
                ));
            }
            None => None,
        },
        "exemption" => match exemption::Entity::find_by_id(id).one(conn).await? {
            Some(x) => {
                return Ok(member_path(
                    member::Entity::find_by_id(x.member_id).one(conn).await?,
                ));
            }
            None => None,
        },
        "meeting" => meeting::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|m| m.unit_id),
        "task" => match meeting_task::Entity::find_by_id(id).one(conn).await? {
            Some(t) => meeting::Entity::find_by_id(t.meeting_id)
                .one(conn)
                .await?
                .map(|m| m.unit_id),
            None => None,
        },
        "position" => position::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|p| p.unit_id),
        "candidate" => candidate::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|c| c.unit_id),
        "course" => course::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|c| c.unit_id),
        "inspection" => inspection::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|i| i.cell_id),
        "cadre_task" => cadre_task::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|c| c.unit_id),
        "programme" => programme::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|p| p.unit_id),
        "review_report" => review_report::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|r| r.unit_id),
        "rule_set" => rule_set::Entity::find_by_id(id)
            .one(conn)
            .await?
            .and_then(|r| r.unit_id),
        "member_rule_set" => member_rule_set::Entity::find_by_id(id)
            .one(conn)
            .await?
            .and_then(|r| r.unit_id),
        _ => None,
    };
    Ok(match unit_id {
        Some(u) => unit::Entity::find_by_id(u).one(conn).await?.map(|u| u.path),
        None => None,
    })
}
