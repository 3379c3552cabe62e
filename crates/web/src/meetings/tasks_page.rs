//! A member's tasks and their reports: the "my tasks" page, and a report from it or from the
//! meeting page (`back`), a refused one kept as typed.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::meetings::held::TaskView;
use chibo_app::meetings::record;
use chibo_app::meetings::record::TaskUpdate;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, form_errors, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    nav: Nav,
    tasks: Vec<TaskView>,
    errors: Vec<String>,
    /// A report was just saved: say so (issue 13: every save is confirmed).
    saved: bool,
    /// The task whose report was refused, and the report as typed.
    refused: Option<(i64, crate::typed::Typed)>,
}

impl TasksPage {
    /// What the report form of task `id` had when it was refused.
    fn typed(&self, id: &i64) -> Option<&crate::typed::Typed> {
        self.refused
            .as_ref()
            .filter(|(t, _)| t == id)
            .map(|(_, typed)| typed)
    }

    /// A task's report: as typed when its form was refused, else as stored.
    fn progress_of(&self, t: &TaskView) -> String {
        match self.typed(&t.id) {
            Some(typed) => typed.get("progress").to_string(),
            None => t.progress.clone().unwrap_or_default(),
        }
    }

    /// Whether task `id`'s refused report said it was done.
    fn typed_done(&self, id: &i64) -> bool {
        self.typed(id).is_some_and(|t| t.get("status") == "done")
    }

    /// The message of a field of task `id`'s report form ("" when none).
    fn err(&self, id: &i64, field: &str) -> &str {
        self.typed(id).map_or("", |t| t.err(field))
    }

    /// Tasks already done: listed apart, without a form (issue 13: a short page on a phone).
    fn done(&self) -> usize {
        self.tasks.iter().filter(|t| t.status == "done").count()
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

pub async fn my_tasks(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<SavedQuery>,
) -> Result<Response, PageError> {
    let tasks = record::my_tasks(&s.app, &a).await?;
    render_status(
        axum::http::StatusCode::OK,
        &TasksPage {
            nav: Nav::of(&a),
            tasks,
            errors: vec![],
            saved: q.saved.is_some(),
            refused: None,
        },
    )
}

/// A member reports on a task from "my tasks"; officers from the meeting page (`back`).
pub async fn task_progress(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<TaskUpdate>,
) -> Result<Response, PageError> {
    let back = values.back().unwrap_or("/tasks").to_string();
    let r = record::update_task(&s.app, &a, id, input).await;
    let typed = crate::typed::Typed::sent(&values, &[]).with_errors_of(&r);
    match form_errors(r)? {
        // The redirect gains its confirmation (`crate::saved`).
        Ok(_) => Ok(see_other(&back)),
        Err(errors) => {
            let tasks = record::my_tasks(&s.app, &a).await?;
            render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &TasksPage {
                    nav: Nav::of(&a),
                    tasks,
                    errors,
                    saved: false,
                    refused: Some((id, typed)),
                },
            )
        }
    }
}
