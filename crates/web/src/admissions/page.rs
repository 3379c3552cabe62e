//! The admission pipeline page of a unit: candidates, their steps and deadlines.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::workflows::admission_steps;
use chibo_app::workflows::admissions;
use chibo_app::workflows::admissions::{CandidateInput, CandidateList, CandidateStep};
use chibo_app::{Actor, App};
use chibo_domain::cursor::Cursor;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, refused};

#[derive(Template)]
#[template(path = "candidates.html")]
struct ListPage {
    nav: Nav,
    list: CandidateList,
    /// Not the first page.
    later: bool,
    /// This page's cursor ("" on the first page): a row's form posts it, so a refused row
    /// comes back on its own page.
    after: String,
    /// The form refused (`propose`, or `step-<candidate>-<step>`) and what was typed in it.
    refused: Refusal,
    /// A step or a proposal was just recorded.
    saved: bool,
    today: String,
}

/// The list's query: where it continues, and whether a change was just saved.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQ {
    after: Option<Cursor>,
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

impl ListPage {
    /// The name of a candidate's step form, as `refused` names it.
    fn step_form(&self, candidate: &i64, step: &str) -> String {
        format!("step-{candidate}-{step}")
    }
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    after: Option<&Cursor>,
    refused: Refusal,
    saved: bool,
) -> Result<Response, PageError> {
    let list = admissions::list(&s.app, a, id, after, 100).await?;
    render_status(
        refused.status(),
        &ListPage {
            nav: Nav::of(a),
            list,
            later: after.is_some(),
            after: after.map(|c| c.encode()).unwrap_or_default(),
            refused,
            saved,
            today: App::today().to_string(),
        },
    )
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ListQ>,
) -> Result<Response, PageError> {
    let saved = q.saved.is_some();
    render_list(&s, &a, id, q.after.as_ref(), Default::default(), saved).await
}

pub async fn propose(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<CandidateInput>,
) -> Result<Response, PageError> {
    let r = admissions::propose(&s.app, &a, id, input).await;
    match refused(r, &values, &[])? {
        Ok(_) => Ok(see_other(&format!("/units/{id}/candidates?da-luu=1"))),
        Err(typed) => render_list(&s, &a, id, None, Refusal::of("propose", typed), false).await,
    }
}

/// A step posted from a unit's list (`unit` is that list).
pub async fn step(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<CandidateStep>,
) -> Result<Response, PageError> {
    let r = admission_steps::step(&s.app, &a, id, input).await;
    let back = match values.from_unit() {
        Some(u) => u,
        None => match &r {
            Ok(c) => c.unit.id,
            Err(_) => admissions::unit_of(&s.app, &a, id).await?,
        },
    };
    match refused(r, &values, &[])? {
        Ok(_) => Ok(see_other(&format!(
            "/units/{back}/candidates?da-luu=1#candidate-{id}"
        ))),
        Err(typed) => {
            let form = format!("step-{id}-{}", values.get("step").unwrap_or(""));
            let page = values.from_page();
            render_list(&s, &a, back, page.as_ref(), Refusal::of(form, typed), false).await
        }
    }
}
