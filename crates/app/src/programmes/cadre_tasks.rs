//! Breakthrough tasks a committee gives its officers, and their progress.

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::programme::TaskStatus;
use chibo_domain::validate;
use chibo_store::entities::cadre_task;
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
};
use chibo_store::subtree::Subtree;
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::paging::{PER_PAGE, Ranked, counts_by, ranked_page};
use crate::programmes::{member_in, readable_unit};
use crate::refs::{MemberRef, UnitRef};
use crate::{App, AppError, AppResult, audit};

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
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
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

/// Breakthrough tasks given in a subtree in a year, the earliest due first, `per_page` of them
/// after `after`, with the counts the reviews report (over the whole year, not the page).
pub async fn cadre_tasks(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    year: Option<i32>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<CadreTaskList> {
    let root = readable_unit(app, actor, unit_id).await?;
    let year = year.unwrap_or_else(|| App::today().year());
    let of_year = || {
        cadre_task::Entity::find()
            .filter(cadre_task::Column::UnitId.in_subquery(Subtree::of(&root).units()))
            .filter(cadre_task::Column::Year.eq(year))
    };
    let page = ranked_page::<_, NaiveDate>(
        &app.db,
        of_year(),
        Ranked::by(cadre_task::Column::DueOn).oldest_first(),
        after,
        per_page,
    )
    .await?;
    let rows = page.rows;
    let n = crate::lookup::member_names(
        &app.db,
        &rows.iter().map(|t| t.member_id).collect::<Vec<_>>(),
    )
    .await?;
    let units =
        crate::lookup::unit_names(&app.db, &rows.iter().map(|t| t.unit_id).collect::<Vec<_>>())
            .await?;
    let today = App::today();
    let tasks: Vec<CadreTaskView> = rows
        .into_iter()
        .map(|t| CadreTaskView {
            id: t.id,
            unit: UnitRef {
                id: t.unit_id,
                name: units.get(&t.unit_id).cloned().unwrap_or_default(),
            },
            cadre: MemberRef {
                id: t.member_id,
                name: n.get(&t.member_id).cloned().unwrap_or_default(),
            },
            year: t.year,
            overdue: TaskStatus::from_code(&t.status).is_some_and(TaskStatus::open)
                && t.due_on < today,
            status_label: TaskStatus::from_code(&t.status)
                .map(|s| s.label().to_string())
                .unwrap_or_default(),
            task: t.task,
            due_on: t.due_on,
            status: t.status,
            evidence: t.evidence,
            done_on: t.done_on,
        })
        .collect();
    let by_status = counts_by(&app.db, of_year(), cadre_task::Column::Status).await?;
    let count = |s: TaskStatus| by_status.get(s.code()).copied().unwrap_or(0) as u32;
    let cadres: Option<i64> = of_year()
        .select_only()
        .column_as(Expr::cust("COUNT(DISTINCT member_id)"), "n")
        .into_tuple()
        .one(&app.db)
        .await?;
    Ok(CadreTaskList {
        cadres: cadres.unwrap_or(0).max(0) as u32,
        given: by_status.values().sum::<u64>() as u32,
        done: count(TaskStatus::Done),
        in_progress: count(TaskStatus::InProgress) + count(TaskStatus::Assigned),
        not_done: count(TaskStatus::NotDone),
        can_give: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        year,
        tasks,
        next: page.next,
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
        status: Set(TaskStatus::Assigned.code().into()),
        evidence: Set(String::new()),
        done_on: Set(None),
        created_by: Set(Some(actor.user_id().get())),
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
    cadre_tasks(app, actor, unit_id, Some(input.year), None, PER_PAGE).await
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
    let status = TaskStatus::from_code(input.status.trim());
    if status.is_none() {
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
        status == Some(TaskStatus::Done),
    );
    if status == Some(TaskStatus::Done) && evidence.is_empty() {
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
    let status = status.expect("checked");
    am.status = Set(status.code().to_string());
    am.evidence = Set(evidence);
    am.done_on = Set(done_on.filter(|_| status == TaskStatus::Done));
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
    cadre_tasks(app, actor, after.unit_id, Some(after.year), None, PER_PAGE).await
}
