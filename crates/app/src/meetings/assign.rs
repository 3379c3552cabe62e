//! Giving a held meeting's tasks (issue 13: the month in minutes): to one member, the same task
//! to several members at once, or the previous regular meeting's unfinished tasks carried
//! over. Each way writes all its tasks in one transaction, each audited, or none.

use std::collections::HashSet;

use chibo_domain::Invalid;
use chibo_domain::rules::Standing;
use chibo_domain::validate;
use chibo_store::entities::{meeting, meeting_task};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Manages, MeetingOf};
use crate::meetings::figures::MeetingTx;
use crate::meetings::held::{TaskView, previous_regular, task_view};
use crate::meetings::lookup;
use crate::meetings::signatures::ensure_open;
use crate::{App, AppError, AppResult, audit};

/// The most members one task is given to at once (a cell has at most a few hundred).
const MAX_MEMBERS: usize = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TaskInput {
    pub member_id: Option<i64>,
    /// The same task given to several members at once (with `member_id`, if set).
    pub member_ids: Vec<i64>,
    pub what: String,
    /// Not before the meeting.
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CopyTasksInput {
    /// The new due date of the tasks carried over; not before the meeting.
    pub due_on: Option<String>,
}

/// The members of the meeting's sheet who work (those a task may be given to).
async fn working_members(app: &App, h: &Manages<MeetingOf>) -> AppResult<HashSet<i64>> {
    Ok(lookup::roll(app, h, h.meeting.meeting_date)
        .await?
        .into_iter()
        .filter(|r| r.standing == Standing::Working)
        .map(|r| r.member.id)
        .collect())
}

/// The due date typed, checked against the meeting's day.
fn due_field(e: &mut Invalid, input: Option<&str>, m: &meeting::Model) -> Option<NaiveDate> {
    let due = validate::date_field(e, "due_on", "hạn hoàn thành", input, true);
    if due.is_some_and(|x| x < m.meeting_date) {
        e.push("due_on", "Hạn hoàn thành không được trước ngày họp.");
    }
    due
}

/// Gives one task to one member (`member_id` alone): the API's single task.
pub async fn add_task(app: &App, actor: &Actor, id: i64, input: TaskInput) -> AppResult<TaskView> {
    let one = TaskInput {
        member_ids: vec![],
        ..input
    };
    let mut given = add_tasks(app, actor, id, one).await?;
    given.pop().ok_or(AppError::NotFound)
}

/// Gives the same task to every member chosen (`member_ids` and `member_id`), all or none.
pub async fn add_tasks(
    app: &App,
    actor: &Actor,
    id: i64,
    input: TaskInput,
) -> AppResult<Vec<TaskView>> {
    let h = lookup::manageable(app, actor, id).await?;
    ensure_open(app, h.meeting.id).await?;
    let field = if input.member_ids.is_empty() {
        "member_id"
    } else {
        "member_ids"
    };
    let mut members: Vec<i64> = input
        .member_ids
        .iter()
        .copied()
        .chain(input.member_id)
        .collect();
    members.sort_unstable();
    members.dedup();
    let mut e = Invalid::new();
    if members.is_empty() {
        e.push(field, "Vui lòng chọn đảng viên được giao.");
    } else if members.len() > MAX_MEMBERS {
        e.push(field, "Mỗi lần giao cho tối đa 500 đảng viên.");
    } else {
        let working = working_members(app, &h).await?;
        if members.iter().any(|m| !working.contains(m)) {
            e.push(
                field,
                "Chỉ giao nhiệm vụ cho đảng viên đang sinh hoạt của chi bộ.",
            );
        }
    }
    let what = validate::required_text(&mut e, "what", "nội dung nhiệm vụ", &input.what, 2000);
    let due = due_field(&mut e, input.due_on.as_deref(), &h.meeting);
    e.into_result()?;
    let due = due.expect("checked");
    let tasks = members
        .into_iter()
        .map(|m| (m, what.clone(), due))
        .collect();
    write_tasks(app, actor, &h.meeting, tasks).await
}

/// Carries the previous regular meeting's tasks that are not done over to this meeting, for
/// the members who still work in the cell, with a new due date; a task already carried over
/// (the same member and words) is not copied twice.
pub async fn copy_previous(
    app: &App,
    actor: &Actor,
    id: i64,
    input: CopyTasksInput,
) -> AppResult<Vec<TaskView>> {
    let h = lookup::manageable(app, actor, id).await?;
    let m = &h.meeting;
    ensure_open(app, m.id).await?;
    let mut e = Invalid::new();
    let due = due_field(&mut e, input.due_on.as_deref(), m);
    e.into_result()?;
    let previous = previous_regular(app, m).await?.ok_or_else(|| {
        AppError::invalid(
            "previous",
            "Chi bộ chưa có buổi sinh hoạt thường kỳ nào trước buổi này để chép nhiệm vụ.",
        )
    })?;
    let tasks_of = |meeting_id: i64| {
        meeting_task::Entity::find()
            .filter(meeting_task::Column::MeetingId.eq(meeting_id))
            .order_by_asc(meeting_task::Column::Id)
            .all(&app.db)
    };
    let here: HashSet<(i64, String)> = tasks_of(m.id)
        .await?
        .into_iter()
        .map(|t| (t.member_id, t.what))
        .collect();
    let working = working_members(app, &h).await?;
    let due = due.expect("checked");
    let carried: Vec<(i64, String, NaiveDate)> = tasks_of(previous.id)
        .await?
        .into_iter()
        .filter(|t| t.status != "done" && working.contains(&t.member_id))
        .filter(|t| !here.contains(&(t.member_id, t.what.clone())))
        .map(|t| (t.member_id, t.what, due))
        .collect();
    if carried.is_empty() {
        return Err(AppError::invalid(
            "previous",
            "Không còn nhiệm vụ nào của kỳ trước chưa hoàn thành để chép (hoặc đã chép rồi).",
        ));
    }
    write_tasks(app, actor, m, carried).await
}

/// Writes the tasks `(member, what, due)` of meeting `m` in one transaction, each audited.
async fn write_tasks(
    app: &App,
    actor: &Actor,
    m: &meeting::Model,
    tasks: Vec<(i64, String, NaiveDate)>,
) -> AppResult<Vec<TaskView>> {
    let cell = crate::lookup::unit_names(&app.db, &[m.unit_id])
        .await?
        .remove(&m.unit_id)
        .unwrap_or_default();
    let tx = MeetingTx::begin(app, m).await?;
    let mut written = Vec::with_capacity(tasks.len());
    for (member_id, what, due) in tasks {
        let t = meeting_task::ActiveModel {
            meeting_id: Set(m.id),
            member_id: Set(member_id),
            what: Set(what),
            due_on: Set(due),
            status: Set("open".into()),
            progress: Set(None),
            updated_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        audit::record(
            &*tx,
            Some(actor),
            "task.create",
            "task",
            Some(t.id),
            None::<&()>,
            Some(&t),
        )
        .await?;
        crate::notify::task_told(app, &*tx, &t, &cell, false).await?;
        written.push(t);
    }
    tx.commit().await?;
    let ids: Vec<i64> = written.iter().map(|t| t.member_id).collect();
    let names = crate::lookup::member_names(&app.db, &ids).await?;
    Ok(written.iter().map(|t| task_view(t, &names)).collect())
}
