//! What the programmes (đề án) measure besides meetings: breakthrough tasks given to cadres,
//! training of cell officers, and inspection of cells with the follow-up of recommendations.
//! Each is kept by the committee of a unit and counted over a period for its subtree.

use std::collections::{HashMap, HashSet};

use chibo_domain::Invalid;
use chibo_domain::member::PositionKind;
use chibo_domain::org::UnitKind;
use chibo_domain::text::percent_text;
use chibo_domain::validate;
use chibo_store::entities::{
    cadre_task, course, course_participant, inspection, inspection_recommendation, member,
    position, unit,
};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use chibo_store::{is_unique_violation, write_tx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::meeting_record::MemberRef;
use crate::scope::Actor;
use crate::units::{self, UnitRef};
use crate::{App, AppError, AppResult, audit};

/// A period of dates, both ends included; the current year when not given.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn parse(from: Option<&str>, to: Option<&str>) -> AppResult<Period> {
        let year = App::today().year();
        let mut e = Invalid::new();
        let from = validate::date_field(&mut e, "from", "từ ngày", from, false)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January"));
        let to = validate::date_field(&mut e, "to", "đến ngày", to, false)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December"));
        if to < from {
            e.push("to", "Đến ngày phải sau từ ngày.");
        }
        e.into_result()?;
        Ok(Period { from, to })
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// The unit a programme record belongs to, when the actor reads it.
async fn readable_unit(app: &App, actor: &Actor, unit_id: i64) -> AppResult<unit::Model> {
    Ok(actor.readable(units::find(&app.db, unit_id).await?)?.0)
}

/// Units of a subtree by id.
async fn subtree(app: &App, root: &unit::Model) -> AppResult<HashMap<i64, unit::Model>> {
    Ok(unit::Entity::find()
        .filter(unit::Column::Path.like(chibo_store::path_prefix(&root.path)))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// A member of the unit's subtree, or the field error.
async fn member_in(
    app: &App,
    e: &mut Invalid,
    field: &str,
    root: &unit::Model,
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

async fn names(app: &App, ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    Ok(
        crate::lookup::by_ids::<member::Entity, _>(&app.db, member::Column::Id, &ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m.full_name))
            .collect(),
    )
}

/// Secretaries, deputies and committee members of the subtree's cells today, by name: the
/// cadres programmes give tasks to and train.
pub async fn officers(app: &App, actor: &Actor, unit_id: i64) -> AppResult<Vec<MemberRef>> {
    let root = readable_unit(app, actor, unit_id).await?;
    let today = App::today();
    let ids: Vec<i64> = position::Entity::find()
        .filter(position::Column::UnitId.in_subquery(chibo_store::cells_under(&root.path)))
        .filter(position::Column::TermFrom.lte(today))
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(today)),
        )
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| p.member_id)
        .collect();
    let mut out: Vec<MemberRef> = names(app, ids)
        .await?
        .into_iter()
        .map(|(id, name)| MemberRef { id, name })
        .collect();
    out.sort_by_key(|m| chibo_domain::text::person_sort_key(&m.name));
    Ok(out)
}

// ---------------------------------------------------------------- breakthrough tasks

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CadreTaskView {
    pub id: i64,
    pub unit: UnitRef,
    pub cadre: MemberRef,
    pub year: i32,
    pub task: String,
    pub due_on: NaiveDate,
    /// `assigned`, `in_progress`, `done`, `not_done`.
    pub status: String,
    pub status_label: String,
    pub evidence: String,
    pub done_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CadreTaskList {
    pub unit: UnitRef,
    pub year: i32,
    pub tasks: Vec<CadreTaskView>,
    /// Cadres given at least one task.
    pub cadres: u32,
    pub given: u32,
    pub done: u32,
    pub in_progress: u32,
    pub not_done: u32,
    pub can_give: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CadreTaskInput {
    pub member_id: Option<i64>,
    pub year: i32,
    pub task: String,
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CadreTaskUpdate {
    /// `assigned`, `in_progress`, `done` or `not_done`.
    pub status: String,
    /// What shows the result (required when done).
    pub evidence: String,
    /// When it was done (required when done).
    pub done_on: Option<String>,
}

fn task_status_label(s: &str) -> &'static str {
    match s {
        "assigned" => "Mới giao",
        "in_progress" => "Đang thực hiện",
        "done" => "Đã hoàn thành",
        "not_done" => "Không hoàn thành",
        _ => "",
    }
}

/// Breakthrough tasks given in a subtree in a year, with the counts the reviews report.
pub async fn cadre_tasks(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    year: Option<i32>,
) -> AppResult<CadreTaskList> {
    let root = readable_unit(app, actor, unit_id).await?;
    let year = year.unwrap_or_else(|| App::today().year());
    let units = subtree(app, &root).await?;
    let rows = cadre_task::Entity::find()
        .filter(cadre_task::Column::UnitId.in_subquery(chibo_store::units_under(&root.path)))
        .filter(cadre_task::Column::Year.eq(year))
        .order_by_asc(cadre_task::Column::DueOn)
        .order_by_asc(cadre_task::Column::Id)
        .all(&app.db)
        .await?;
    let n = names(app, rows.iter().map(|t| t.member_id).collect()).await?;
    let today = App::today();
    let tasks: Vec<CadreTaskView> = rows
        .into_iter()
        .map(|t| CadreTaskView {
            id: t.id,
            unit: UnitRef {
                id: t.unit_id,
                name: units
                    .get(&t.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
            },
            cadre: MemberRef {
                id: t.member_id,
                name: n.get(&t.member_id).cloned().unwrap_or_default(),
            },
            year: t.year,
            overdue: matches!(t.status.as_str(), "assigned" | "in_progress") && t.due_on < today,
            status_label: task_status_label(&t.status).to_string(),
            task: t.task,
            due_on: t.due_on,
            status: t.status,
            evidence: t.evidence,
            done_on: t.done_on,
        })
        .collect();
    let count = |s: &str| tasks.iter().filter(|t| t.status == s).count() as u32;
    Ok(CadreTaskList {
        cadres: tasks
            .iter()
            .map(|t| t.cadre.id)
            .collect::<HashSet<_>>()
            .len() as u32,
        given: tasks.len() as u32,
        done: count("done"),
        in_progress: count("in_progress") + count("assigned"),
        not_done: count("not_done"),
        can_give: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name,
        },
        year,
        tasks,
    })
}

/// Gives a cadre of the subtree a breakthrough task (the committee of the unit or above).
pub async fn give_cadre_task(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: CadreTaskInput,
) -> AppResult<CadreTaskList> {
    let root = readable_unit(app, actor, unit_id).await?;
    actor.require(actor.oversees(&root))?;
    let mut e = Invalid::new();
    let cadre = member_in(app, &mut e, "member_id", &root, input.member_id).await?;
    let task = validate::required_text(&mut e, "task", "nội dung nhiệm vụ", &input.task, 2000);
    let due = validate::date_field(&mut e, "due_on", "thời hạn", input.due_on.as_deref(), true);
    let this_year = App::today().year();
    if !(this_year - 5..=this_year + 1).contains(&input.year) {
        e.push(
            "year",
            format!("Năm giao việc từ {} đến {}.", this_year - 5, this_year + 1),
        );
    }
    if let Some(d) = due
        && d.year() < input.year
    {
        e.push("due_on", "Thời hạn không được trước năm giao việc.");
    }
    e.into_result()?;
    let now = chrono::Utc::now();
    let tx = write_tx(&app.db).await?;
    let saved = cadre_task::ActiveModel {
        unit_id: Set(root.id),
        member_id: Set(cadre.expect("checked").id),
        year: Set(input.year),
        task: Set(task),
        due_on: Set(due.expect("checked")),
        status: Set("assigned".into()),
        evidence: Set(String::new()),
        done_on: Set(None),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "cadre_task.give",
        "cadre_task",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    cadre_tasks(app, actor, unit_id, Some(input.year)).await
}

/// Updates a task's status with its evidence.
pub async fn update_cadre_task(
    app: &App,
    actor: &Actor,
    id: i64,
    input: CadreTaskUpdate,
) -> AppResult<CadreTaskList> {
    let t = cadre_task::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = readable_unit(app, actor, t.unit_id).await?;
    actor.require(actor.oversees(&u))?;
    let mut e = Invalid::new();
    let status = input.status.trim();
    if !["assigned", "in_progress", "done", "not_done"].contains(&status) {
        e.push("status", "Chọn tình trạng nhiệm vụ.");
    }
    let evidence = validate::optional_text(
        &mut e,
        "evidence",
        "kết quả, minh chứng",
        Some(&input.evidence),
        5000,
    )
    .unwrap_or_default();
    let done_on = validate::date_field(
        &mut e,
        "done_on",
        "ngày hoàn thành",
        input.done_on.as_deref(),
        status == "done",
    );
    if status == "done" && evidence.is_empty() {
        e.push(
            "evidence",
            "Ghi kết quả, minh chứng khi nhiệm vụ hoàn thành.",
        );
    }
    if done_on.is_some_and(|d| d > App::today()) {
        e.push("done_on", "Ngày hoàn thành chưa đến.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = t.clone();
    let mut am = t.into_active_model();
    am.status = Set(status.to_string());
    am.evidence = Set(evidence);
    am.done_on = Set(done_on.filter(|_| status == "done"));
    am.updated_at = Set(chrono::Utc::now());
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "cadre_task.update",
        "cadre_task",
        Some(id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    cadre_tasks(app, actor, after.unit_id, Some(after.year)).await
}

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
    /// Officers not trained yet, by name.
    pub untrained: Vec<MemberRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingList {
    pub unit: UnitRef,
    pub period: Period,
    pub courses: Vec<CourseView>,
    /// Course places taken (one member in two courses counts twice).
    pub trainee_times: u32,
    pub share: TrainingShare,
    pub can_manage: bool,
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

/// Courses of a subtree in a period, with trainee-times and the share of officers trained.
pub async fn training(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
) -> AppResult<TrainingList> {
    let root = readable_unit(app, actor, unit_id).await?;
    let units = subtree(app, &root).await?;
    let rows = course::Entity::find()
        .filter(course::Column::UnitId.in_subquery(chibo_store::units_under(&root.path)))
        .filter(course::Column::EndsOn.between(period.from, period.to))
        .order_by_desc(course::Column::StartsOn)
        .all(&app.db)
        .await?;
    let course_ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let parts = crate::lookup::by_ids::<course_participant::Entity, _>(
        &app.db,
        course_participant::Column::CourseId,
        &course_ids,
    )
    .await?;
    // Officers: positions in cells of the subtree held on the period's last day.
    let officer_ids: HashSet<i64> = position::Entity::find()
        .filter(position::Column::UnitId.in_subquery(chibo_store::cells_under(&root.path)))
        .filter(
            position::Column::Kind.is_in(
                PositionKind::ALL
                    .iter()
                    .map(|k| k.code())
                    .collect::<Vec<_>>(),
            ),
        )
        .filter(position::Column::TermFrom.lte(period.to))
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(period.to)),
        )
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| p.member_id)
        .collect();
    let mut ids: Vec<i64> = parts.iter().map(|p| p.member_id).collect();
    ids.extend(officer_ids.iter().copied());
    let n = names(app, ids).await?;
    let trained: HashSet<i64> = parts
        .iter()
        .filter(|p| p.completed)
        .map(|p| p.member_id)
        .collect();
    let mut untrained: Vec<MemberRef> = officer_ids
        .iter()
        .filter(|id| !trained.contains(id))
        .map(|id| MemberRef {
            id: *id,
            name: n.get(id).cloned().unwrap_or_default(),
        })
        .collect();
    untrained.sort_by_key(|m| chibo_domain::text::person_sort_key(&m.name));
    let done = officer_ids.iter().filter(|id| trained.contains(id)).count() as u64;
    let courses = rows
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
                    name: units
                        .get(&c.unit_id)
                        .map(|u| u.name.clone())
                        .unwrap_or_default(),
                },
                name: c.name,
                organiser: c.organiser,
                starts_on: c.starts_on,
                ends_on: c.ends_on,
                topics: c.topics,
                participants,
            }
        })
        .collect();
    Ok(TrainingList {
        can_manage: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name,
        },
        period,
        courses,
        trainee_times: parts.len() as u32,
        share: TrainingShare {
            officers: officer_ids.len() as u32,
            trained: done as u32,
            share_text: percent_text(done, officer_ids.len() as u64),
            untrained,
        },
    })
}

async fn course_unit(app: &App, actor: &Actor, id: i64) -> AppResult<(course::Model, unit::Model)> {
    let c = course::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = readable_unit(app, actor, c.unit_id).await?;
    actor.require(actor.oversees(&u))?;
    Ok((c, u))
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
        created_by: Set(Some(actor.user_id)),
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
    let period = Period {
        from: c.ends_on,
        to: c.ends_on,
    };
    training(app, actor, c.unit_id, period)
        .await?
        .courses
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(AppError::NotFound)
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
    let found: HashSet<i64> = member::Entity::find()
        .filter(member::Column::Id.is_in(input.member_ids.clone()))
        .all(&app.db)
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

// ---------------------------------------------------------------- inspection

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationView {
    pub id: i64,
    pub text: String,
    pub due_on: NaiveDate,
    /// `open` or `done`.
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub follow_up: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionView {
    pub id: i64,
    pub unit: UnitRef,
    pub cell: UnitRef,
    /// `inspection` or `supervision`.
    pub kind: String,
    pub kind_label: String,
    pub planned_on: NaiveDate,
    pub content: String,
    /// `planned`, `done`, `cancelled`.
    pub status: String,
    pub status_label: String,
    pub done_on: Option<NaiveDate>,
    pub result: String,
    pub recommendations: Vec<RecommendationView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionList {
    pub unit: UnitRef,
    pub period: Period,
    pub inspections: Vec<InspectionView>,
    /// Live cells of the subtree.
    pub cells: u32,
    /// Of those, inspected or supervised (done) in the period.
    pub cells_inspected: u32,
    pub share_text: String,
    pub open_recommendations: u32,
    pub overdue_recommendations: u32,
    pub can_manage: bool,
    /// Cells the committee can plan for.
    pub cell_choices: Vec<UnitRef>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct InspectionInput {
    pub cell_id: Option<i64>,
    /// `inspection` (kiểm tra) or `supervision` (giám sát).
    pub kind: String,
    pub planned_on: Option<String>,
    pub content: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct InspectionResult {
    pub done_on: Option<String>,
    pub result: String,
    /// Recommendations, each with its due date.
    pub recommendations: Vec<RecommendationInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RecommendationInput {
    pub text: String,
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FollowUpInput {
    pub done_on: Option<String>,
    pub follow_up: String,
}

fn inspection_kind_label(k: &str) -> &'static str {
    if k == "supervision" {
        "Giám sát"
    } else {
        "Kiểm tra"
    }
}

fn inspection_status_label(s: &str) -> &'static str {
    match s {
        "planned" => "Theo kế hoạch",
        "done" => "Đã thực hiện",
        "cancelled" => "Đã hủy",
        _ => "",
    }
}

/// Inspections planned or done in a period by the subtree's committees, the share of cells
/// inspected and the recommendations still open.
pub async fn inspections(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
) -> AppResult<InspectionList> {
    let root = readable_unit(app, actor, unit_id).await?;
    let units = subtree(app, &root).await?;
    let live_cells: Vec<&unit::Model> = units
        .values()
        .filter(|u| {
            UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell()) && u.dissolved_on.is_none()
        })
        .collect();
    let rows = inspection::Entity::find()
        .filter(inspection::Column::CellId.in_subquery(chibo_store::units_under(&root.path)))
        .filter(
            Condition::any()
                .add(inspection::Column::PlannedOn.between(period.from, period.to))
                .add(inspection::Column::DoneOn.between(period.from, period.to)),
        )
        .order_by_asc(inspection::Column::PlannedOn)
        .all(&app.db)
        .await?;
    let inspection_ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let mut recs = crate::lookup::by_ids::<inspection_recommendation::Entity, _>(
        &app.db,
        inspection_recommendation::Column::InspectionId,
        &inspection_ids,
    )
    .await?;
    recs.sort_by_key(|r| r.id);
    let mut all_units = units.clone();
    for id in rows.iter().map(|i| i.unit_id) {
        if let std::collections::hash_map::Entry::Vacant(v) = all_units.entry(id)
            && let Some(u) = units::find(&app.db, id).await?
        {
            v.insert(u);
        }
    }
    let name_of = |id: i64| UnitRef {
        id,
        name: all_units
            .get(&id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
    };
    let today = App::today();
    let inspected: HashSet<i64> = rows
        .iter()
        .filter(|i| i.status == "done" && i.done_on.is_some_and(|d| period.contains(d)))
        .map(|i| i.cell_id)
        .collect();
    let inspections: Vec<InspectionView> = rows
        .into_iter()
        .map(|i| InspectionView {
            id: i.id,
            unit: name_of(i.unit_id),
            cell: name_of(i.cell_id),
            kind_label: inspection_kind_label(&i.kind).to_string(),
            kind: i.kind,
            planned_on: i.planned_on,
            content: i.content,
            status_label: inspection_status_label(&i.status).to_string(),
            status: i.status,
            done_on: i.done_on,
            result: i.result,
            recommendations: recs
                .iter()
                .filter(|r| r.inspection_id == i.id)
                .map(|r| RecommendationView {
                    id: r.id,
                    text: r.text.clone(),
                    due_on: r.due_on,
                    overdue: r.status == "open" && r.due_on < today,
                    status: r.status.clone(),
                    done_on: r.done_on,
                    follow_up: r.follow_up.clone(),
                })
                .collect(),
        })
        .collect();
    let open: Vec<&RecommendationView> = inspections
        .iter()
        .flat_map(|i| i.recommendations.iter())
        .filter(|r| r.status == "open")
        .collect();
    let can_manage = actor.oversees(&root);
    let mut cell_choices: Vec<UnitRef> = if can_manage {
        live_cells
            .iter()
            .filter(|c| actor.supervises(c))
            .map(|c| UnitRef {
                id: c.id,
                name: c.name.clone(),
            })
            .collect()
    } else {
        vec![]
    };
    cell_choices.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(InspectionList {
        cells: live_cells.len() as u32,
        cells_inspected: live_cells
            .iter()
            .filter(|c| inspected.contains(&c.id))
            .count() as u32,
        share_text: percent_text(
            live_cells
                .iter()
                .filter(|c| inspected.contains(&c.id))
                .count() as u64,
            live_cells.len() as u64,
        ),
        open_recommendations: open.len() as u32,
        overdue_recommendations: open.iter().filter(|r| r.overdue).count() as u32,
        can_manage,
        cell_choices,
        unit: UnitRef {
            id: root.id,
            name: root.name,
        },
        period,
        inspections,
    })
}

/// Plans an inspection or supervision of a cell (the superior committee; the plan belongs to
/// the unit the actor's committee sits on or to `unit_id`).
pub async fn plan_inspection(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: InspectionInput,
) -> AppResult<InspectionView> {
    let root = readable_unit(app, actor, unit_id).await?;
    actor.require(actor.oversees(&root))?;
    let mut e = Invalid::new();
    let cell = match input.cell_id {
        Some(id) => units::find(&app.db, id).await?.filter(|c| {
            c.path.starts_with(&root.path)
                && UnitKind::from_code(&c.kind).is_some_and(|k| k.is_cell())
                && c.dissolved_on.is_none()
                && actor.supervises(c)
        }),
        None => None,
    };
    if cell.is_none() {
        e.push(
            "cell_id",
            format!(
                "Chọn một chi bộ trực thuộc {} để kiểm tra, giám sát.",
                root.name
            ),
        );
    }
    let kind = input.kind.trim();
    if !["inspection", "supervision"].contains(&kind) {
        e.push("kind", "Chọn kiểm tra hay giám sát.");
    }
    let planned = validate::date_field(
        &mut e,
        "planned_on",
        "thời gian dự kiến",
        input.planned_on.as_deref(),
        true,
    );
    let content = validate::required_text(
        &mut e,
        "content",
        "nội dung kiểm tra, giám sát",
        &input.content,
        5000,
    );
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let saved = inspection::ActiveModel {
        unit_id: Set(root.id),
        cell_id: Set(cell.expect("checked").id),
        kind: Set(kind.to_string()),
        planned_on: Set(planned.expect("checked")),
        content: Set(content),
        status: Set("planned".into()),
        done_on: Set(None),
        result: Set(String::new()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "inspection.plan",
        "inspection",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    inspection_view(app, actor, saved.id).await
}

async fn inspection_view(app: &App, actor: &Actor, id: i64) -> AppResult<InspectionView> {
    let i = inspection::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let d = i.done_on.unwrap_or(i.planned_on).min(i.planned_on);
    let to = i.done_on.unwrap_or(i.planned_on).max(i.planned_on);
    inspections(app, actor, i.cell_id, Period { from: d, to })
        .await?
        .inspections
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(AppError::NotFound)
}

async fn managed_inspection(app: &App, actor: &Actor, id: i64) -> AppResult<inspection::Model> {
    let i = inspection::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = readable_unit(app, actor, i.unit_id).await?;
    actor.require(actor.oversees(&u))?;
    Ok(i)
}

/// Records the result of an inspection and its recommendations, all at once.
pub async fn record_inspection(
    app: &App,
    actor: &Actor,
    id: i64,
    input: InspectionResult,
) -> AppResult<InspectionView> {
    let i = managed_inspection(app, actor, id).await?;
    if i.status != "planned" {
        return Err(AppError::invalid(
            "status",
            "Cuộc kiểm tra, giám sát này đã có kết quả.",
        ));
    }
    let mut e = Invalid::new();
    let done = validate::date_field(
        &mut e,
        "done_on",
        "ngày thực hiện",
        input.done_on.as_deref(),
        true,
    );
    if done.is_some_and(|d| d > App::today()) {
        e.push("done_on", "Ngày thực hiện chưa đến.");
    }
    let result =
        validate::required_text(&mut e, "result", "kết quả, kết luận", &input.result, 20_000);
    let mut recs = Vec::new();
    for (n, r) in input.recommendations.iter().enumerate() {
        let label = format!("kiến nghị {}", n + 1);
        let text = validate::required_text(&mut e, "recommendations", &label, &r.text, 2000);
        let due = validate::date_field(
            &mut e,
            "recommendations",
            &format!("thời hạn {label}"),
            r.due_on.as_deref(),
            true,
        );
        if let (Some(d), Some(dn)) = (due, done)
            && d < dn
        {
            e.push(
                "recommendations",
                format!("Thời hạn {label} phải sau ngày kiểm tra."),
            );
        }
        recs.push((text, due));
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = i.clone();
    let mut am = i.into_active_model();
    am.status = Set("done".into());
    am.done_on = Set(done);
    am.result = Set(result);
    am.update(&tx).await?;
    for (text, due) in recs {
        inspection_recommendation::ActiveModel {
            inspection_id: Set(id),
            text: Set(text),
            due_on: Set(due.expect("checked")),
            status: Set("open".into()),
            done_on: Set(None),
            follow_up: Set(String::new()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    audit::record(
        &tx,
        Some(actor),
        "inspection.result",
        "inspection",
        Some(id),
        Some(&before),
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    inspection_view(app, actor, id).await
}

/// Records that a recommendation was carried out (the inspected cell or the committee).
pub async fn follow_up(
    app: &App,
    actor: &Actor,
    rec_id: i64,
    input: FollowUpInput,
) -> AppResult<InspectionView> {
    let r = inspection_recommendation::Entity::find_by_id(rec_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let i = inspection::Entity::find_by_id(r.inspection_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let cell = readable_unit(app, actor, i.cell_id).await?;
    actor.require(actor.can_manage_members(&cell) || actor.oversees(&cell))?;
    let mut e = Invalid::new();
    let done = validate::date_field(
        &mut e,
        "done_on",
        "ngày khắc phục",
        input.done_on.as_deref(),
        true,
    );
    if done.is_some_and(|d| d > App::today() || i.done_on.is_some_and(|x| d < x)) {
        e.push(
            "done_on",
            "Ngày khắc phục phải từ ngày kiểm tra đến hôm nay.",
        );
    }
    let text = validate::required_text(
        &mut e,
        "follow_up",
        "kết quả khắc phục",
        &input.follow_up,
        5000,
    );
    if r.status == "done" {
        e.push("follow_up", "Kiến nghị này đã được khắc phục.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = r.clone();
    let mut am = r.into_active_model();
    am.status = Set("done".into());
    am.done_on = Set(done);
    am.follow_up = Set(text);
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "inspection.follow_up",
        "inspection",
        Some(i.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    inspection_view(app, actor, i.id).await
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
