//! Programmes the committees run over their subtree: the programmes themselves (đề án, kế
//! hoạch, with their targets: `programme`), breakthrough (cadre) tasks, political
//! training and inspections, over a period (`reports::Period`). The indicators and dashboards
//! over them belong in `reports`.

pub mod cadre_tasks;
pub mod courses;
pub mod inspections;
pub mod programme;
pub mod review;
pub mod review_files;
mod targets;
pub mod training;
pub mod uptake;

use crate::access::{Actor, Visible};
use crate::membership::members;
use crate::org::units;
use crate::refs::MemberChoices;
use crate::{App, AppError, AppResult};
use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_store::entities::{
    cadre_task, course, inspection, inspection_recommendation, member, position, unit,
};
use chibo_store::name_order::NameOrder;
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};
use chibo_store::subtree::Subtree;

/// The unit a programme record belongs to, when the actor reads it.
pub(crate) async fn readable_unit(
    app: &App,
    actor: &Actor,
    unit_id: i64,
) -> AppResult<Visible<unit::Model>> {
    actor.visible(units::find(&app.db, unit_id).await?)
}

/// A member of the unit's subtree, or the field error.
pub(crate) async fn member_in(
    app: &App,
    e: &mut Invalid,
    field: &str,
    root: &Visible<unit::Model>,
    id: Option<i64>,
) -> AppResult<Option<member::Model>> {
    let Some(id) = id else {
        e.push(field, "Chọn đảng viên.");
        return Ok(None);
    };
    let m = member::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .filter(|m| m.unit_path.starts_with(&root.path));
    if m.is_none() {
        e.push(field, format!("Đảng viên phải thuộc {}.", root.name));
    }
    Ok(m)
}

/// How many times more members than a member list a subtree needs before its officers (the
/// choices, the untrained) are listed by walking the name index (`chibo_store::name_order`):
/// they are about one member in thirty, and the walk has no path to test, so it pays only over
/// most of a province (50,000 members by default).
pub(crate) const WALK_FOR_OFFICERS: u64 = 5;

/// Secretaries, deputies and committee members of the subtree's cells today, in Vietnamese
/// name order, those whose name contains `q` (diacritics ignored): the cadres programmes give
/// tasks to and train, chosen by search since a province has tens of thousands of them.
pub async fn officers(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<MemberChoices> {
    let root = readable_unit(app, actor, unit_id).await?;
    let today = App::today();
    let holding = position::Entity::find()
        .select_only()
        .column(position::Column::MemberId)
        .filter(position::Column::UnitId.in_subquery(Subtree::of(&root).cells()))
        .filter(position::Column::TermFrom.lte(today))
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(today)),
        )
        .into_query();
    // Without a search, the first officers of a province by name are found sooner by walking
    // the name index (SQLite: 34 ms against 88 for sorting its 30,000 officers).
    let order = match q {
        None => {
            let walk_above = app
                .config
                .walk_members_above
                .saturating_mul(WALK_FOR_OFFICERS);
            Subtree::of(&root).name_order(&app.db, walk_above).await?
        }
        Some(_) => NameOrder::Sort,
    };
    members::choices_in_name_order(
        &app.db,
        member::Entity::find().filter(order.member_in(holding)),
        q,
        after,
        per_page,
    )
    .await
}

/// Which programme record a page came back from.
#[derive(Debug, Clone, Copy)]
pub enum Record {
    CadreTask(i64),
    Course(i64),
    Inspection(i64),
    Recommendation(i64),
}

/// The unit a programme record is kept by, when the actor reads it (for the way back).
pub async fn unit_of(app: &App, actor: &Actor, r: Record) -> AppResult<i64> {
    let unit_id = match r {
        Record::CadreTask(id) => cadre_task::Entity::find_by_id(id)
            .one(&app.db)
            .await?
            .map(|t| t.unit_id),
        Record::Course(id) => course::Entity::find_by_id(id)
            .one(&app.db)
            .await?
            .map(|c| c.unit_id),
        Record::Inspection(id) => inspection::Entity::find_by_id(id)
            .one(&app.db)
            .await?
            .map(|i| i.unit_id),
        Record::Recommendation(id) => match inspection_recommendation::Entity::find_by_id(id)
            .one(&app.db)
            .await?
        {
            Some(rec) => inspection::Entity::find_by_id(rec.inspection_id)
                .one(&app.db)
                .await?
                .map(|i| i.cell_id),
            None => None,
        },
    }
    .ok_or(AppError::NotFound)?;
    Ok(readable_unit(app, actor, unit_id).await?.id)
}
