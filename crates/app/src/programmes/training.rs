//! Political training courses and who attended them, with the share of members trained.

use std::collections::HashSet;

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::member::PositionKind;
use chibo_domain::text::percent_text;
use chibo_domain::validate;
use chibo_store::entities::{course, course_participant, member, position, unit};
use chibo_store::sea_orm::sea_query::SelectStatement;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Set,
};
use chibo_store::subtree::Subtree;
use chibo_store::{is_unique_violation, write_tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::paging::{Ranked, ranked_page};
use crate::programmes::readable_unit;
use crate::refs::{MemberRef, UnitRef};
use crate::reports::Period;
use crate::{App, AppError, AppResult, audit};

// ---------------------------------------------------------------- training

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    pub member: MemberRef,
    pub completed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseView {
    pub id: i64,
    pub unit: UnitRef,
    pub name: String,
    pub organiser: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub topics: String,
    pub participants: Vec<ParticipantView>,
}

/// The programme target: secretaries, deputies and committee members of the subtree's cells
/// (holding the position at the end of the period) who completed a course ending in the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingShare {
    pub officers: u32,
    pub trained: u32,
    /// e.g. "75,0%".
    pub share_text: String,
    /// Officers not trained yet, the first hundred by name (`officers - trained` counts all).
    pub untrained: Vec<MemberRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingList {
    pub unit: UnitRef,
    pub period: Period,
    pub courses: Vec<CourseView>,
    /// Courses in the period (all pages).
    pub course_count: u32,
    /// Course places taken (one member in two courses counts twice).
    pub trainee_times: u32,
    pub share: TrainingShare,
    pub can_manage: bool,
    /// Pass as `after` for the next page of courses; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CourseInput {
    pub name: String,
    pub organiser: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub topics: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ParticipantsInput {
    /// Members who attend (added if missing).
    pub member_ids: Vec<i64>,
    /// Of those on the course, who completed it (the others are marked not completed).
    pub completed_ids: Vec<i64>,
}

/// Courses of a subtree ending in a period, the latest first, `per_page` of them after
/// `after`, with the trainee-times and the share of officers trained over the whole period.
pub async fn training(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<TrainingList> {
    let root = readable_unit(app, actor, unit_id).await?;
    let page = ranked_page::<_, NaiveDate>(
        &app.db,
        courses_of(&root, &period),
        Ranked::by(course::Column::StartsOn),
        after,
        per_page,
    )
    .await?;
    let course_count = courses_of(&root, &period).count(&app.db).await?;
    let trainee_times = course_participant::Entity::find()
        .filter(course_participant::Column::CourseId.in_subquery(course_ids_of(&root, &period)))
        .count(&app.db)
        .await?;
    Ok(TrainingList {
        can_manage: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        share: training_share(app, &root, &period).await?,
        period,
        courses: course_views(app, page.rows).await?,
        course_count: course_count as u32,
        trainee_times: trainee_times as u32,
        next: page.next,
    })
}

/// Courses of the subtree ending in the period.
fn courses_of(root: &Visible<unit::Model>, period: &Period) -> Select<course::Entity> {
    course::Entity::find()
        .filter(course::Column::UnitId.in_subquery(Subtree::of(root).units()))
        .filter(course::Column::EndsOn.between(period.from, period.to))
}

fn course_ids_of(root: &Visible<unit::Model>, period: &Period) -> SelectStatement {
    courses_of(root, period)
        .select_only()
        .column(course::Column::Id)
        .into_query()
}

/// Untrained officers named on the page; the count covers them all.
const UNTRAINED_SHOWN: u64 = 100;

/// Officers of the subtree's cells at the period's end, and those who completed a course of
/// the subtree ending in the period, counted by the database.
async fn training_share(
    app: &App,
    root: &Visible<unit::Model>,
    period: &Period,
) -> AppResult<TrainingShare> {
    let officers = position::Entity::find()
        .select_only()
        .column(position::Column::MemberId)
        .filter(position::Column::UnitId.in_subquery(Subtree::of(root).cells()))
        .filter(position::Column::Kind.is_in(PositionKind::codes_where(|_| true)))
        .filter(position::Column::TermFrom.lte(period.to))
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(period.to)),
        )
        .into_query();
    let trained = course_participant::Entity::find()
        .select_only()
        .column(course_participant::Column::MemberId)
        .filter(course_participant::Column::Completed.eq(true))
        .filter(course_participant::Column::CourseId.in_subquery(course_ids_of(root, period)))
        .into_query();
    let officer_members =
        || member::Entity::find().filter(member::Column::Id.in_subquery(officers.clone()));
    let total = officer_members().count(&app.db).await?;
    let done = officer_members()
        .filter(member::Column::Id.in_subquery(trained.clone()))
        .count(&app.db)
        .await?;
    let untrained = officer_members()
        .filter(member::Column::Id.not_in_subquery(trained))
        .order_by_asc(member::Column::SortKey)
        .order_by_asc(member::Column::Id)
        .limit(UNTRAINED_SHOWN)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|m| MemberRef {
            id: m.id,
            name: m.full_name,
        })
        .collect();
    Ok(TrainingShare {
        officers: total as u32,
        trained: done as u32,
        share_text: percent_text(done, total),
        untrained,
    })
}

/// Courses with their participants by name (one query for all the courses' participants).
async fn course_views(app: &App, rows: Vec<course::Model>) -> AppResult<Vec<CourseView>> {
    let course_ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let units =
        crate::lookup::unit_names(&app.db, &rows.iter().map(|c| c.unit_id).collect::<Vec<_>>())
            .await?;
    let parts = crate::lookup::by_ids::<course_participant::Entity, _>(
        &app.db,
        course_participant::Column::CourseId,
        &course_ids,
    )
    .await?;
    let n = crate::lookup::member_names(
        &app.db,
        &parts.iter().map(|p| p.member_id).collect::<Vec<_>>(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let mut participants: Vec<ParticipantView> = parts
                .iter()
                .filter(|p| p.course_id == c.id)
                .map(|p| ParticipantView {
                    member: MemberRef {
                        id: p.member_id,
                        name: n.get(&p.member_id).cloned().unwrap_or_default(),
                    },
                    completed: p.completed,
                })
                .collect();
            participants.sort_by_key(|p| chibo_domain::text::person_sort_key(&p.member.name));
            CourseView {
                id: c.id,
                unit: UnitRef {
                    id: c.unit_id,
                    name: units.get(&c.unit_id).cloned().unwrap_or_default(),
                },
                name: c.name,
                organiser: c.organiser,
                starts_on: c.starts_on,
                ends_on: c.ends_on,
                topics: c.topics,
                participants,
            }
        })
        .collect())
}

async fn course_unit(app: &App, actor: &Actor, id: i64) -> AppResult<(course::Model, unit::Model)> {
    let c = course::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = readable_unit(app, actor, c.unit_id).await?;
    actor.require(actor.oversees(&u))?;
    Ok((c, u.into_inner()))
}

/// Records a course run for the unit's programme (the committee of the unit or above).
pub async fn add_course(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: CourseInput,
) -> AppResult<CourseView> {
    let root = readable_unit(app, actor, unit_id).await?;
    actor.require(actor.oversees(&root))?;
    let mut e = Invalid::new();
    let name = validate::required_text(&mut e, "name", "tên lớp", &input.name, 500);
    let organiser =
        validate::required_text(&mut e, "organiser", "đơn vị tổ chức", &input.organiser, 255);
    let starts = validate::date_field(
        &mut e,
        "starts_on",
        "ngày khai giảng",
        input.starts_on.as_deref(),
        true,
    );
    let ends = validate::date_field(
        &mut e,
        "ends_on",
        "ngày bế giảng",
        input.ends_on.as_deref(),
        true,
    );
    if let (Some(s), Some(t)) = (starts, ends)
        && t < s
    {
        e.push("ends_on", "Ngày bế giảng phải từ ngày khai giảng trở đi.");
    }
    let topics = validate::optional_text(&mut e, "topics", "chuyên đề", Some(&input.topics), 5000)
        .unwrap_or_default();
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let saved = course::ActiveModel {
        unit_id: Set(root.id),
        name: Set(name),
        organiser: Set(organiser),
        starts_on: Set(starts.expect("checked")),
        ends_on: Set(ends.expect("checked")),
        topics: Set(topics),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "course.add",
        "course",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    course_view(app, actor, saved.id).await
}

pub async fn course_view(app: &App, actor: &Actor, id: i64) -> AppResult<CourseView> {
    let c = course::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    readable_unit(app, actor, c.unit_id).await?;
    Ok(course_views(app, vec![c]).await?.remove(0))
}

/// Adds participants and records who completed the course, all at once.
pub async fn set_participants(
    app: &App,
    actor: &Actor,
    id: i64,
    input: ParticipantsInput,
) -> AppResult<CourseView> {
    let (c, root) = course_unit(app, actor, id).await?;
    let existing: Vec<course_participant::Model> = course_participant::Entity::find()
        .filter(course_participant::Column::CourseId.eq(c.id))
        .all(&app.db)
        .await?;
    let mut all: Vec<i64> = existing.iter().map(|p| p.member_id).collect();
    all.extend(input.member_ids.iter().copied());
    all.sort_unstable();
    all.dedup();
    let mut e = Invalid::new();
    // The ids are the form's, as many as a province's course has: looked up in chunks.
    let found: HashSet<i64> =
        crate::lookup::by_ids::<member::Entity, _>(&app.db, member::Column::Id, &input.member_ids)
            .await?
            .into_iter()
            .filter(|m| m.unit_path.starts_with(&root.path))
            .map(|m| m.id)
            .collect();
    if input.member_ids.iter().any(|id| !found.contains(id)) {
        e.push(
            "member_ids",
            format!("Học viên phải là đảng viên thuộc {}.", root.name),
        );
    }
    if input.completed_ids.iter().any(|id| !all.contains(id)) {
        e.push(
            "completed_ids",
            "Chỉ đánh dấu hoàn thành cho học viên của lớp.",
        );
    }
    if c.ends_on > App::today() && !input.completed_ids.is_empty() {
        e.push("completed_ids", "Lớp chưa bế giảng, chưa ghi hoàn thành.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    for mid in &all {
        let completed = input.completed_ids.contains(mid);
        match existing.iter().find(|p| p.member_id == *mid) {
            Some(p) => {
                let mut am = p.clone().into_active_model();
                am.completed = Set(completed);
                am.update(&tx).await?;
            }
            None => {
                course_participant::ActiveModel {
                    course_id: Set(c.id),
                    member_id: Set(*mid),
                    completed: Set(completed),
                    ..Default::default()
                }
                .insert(&tx)
                .await
                .map_err(|err| {
                    if is_unique_violation(&err) {
                        AppError::invalid("member_ids", "Học viên đã có trong lớp.")
                    } else {
                        err.into()
                    }
                })?;
            }
        }
    }
    audit::record(
        &tx,
        Some(actor),
        "course.participants",
        "course",
        Some(c.id),
        None::<&()>,
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    course_view(app, actor, id).await
}
