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
use crate::extract::query::{PageQuery, Paging};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, form_errors, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "candidates.html")]
struct ListPage {
    nav: Nav,
    list: CandidateList,
    /// Not the first page.
    later: bool,
    errors: Vec<String>,
    today: String,
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    after: Option<&Cursor>,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let list = admissions::list(&s.app, a, id, after, 100).await?;
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &ListPage {
            nav: Nav::of(a),
            list,
            later: after.is_some(),
            errors,
            today: App::today().to_string(),
        },
    )
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<Paging>,
) -> Result<Response, PageError> {
    render_list(&s, &a, id, q.after.as_ref(), vec![]).await
}

pub async fn propose(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<CandidateInput>,
) -> Result<Response, PageError> {
    match form_errors(admissions::propose(&s.app, &a, id, input).await)? {
        Ok(_) => Ok(see_other(&format!("/units/{}/candidates", id))),
        Err(errors) => render_list(&s, &a, id, None, errors).await,
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
    match form_errors(r)? {
        Ok(_) => Ok(see_other(&format!("/units/{back}/candidates"))),
        Err(errors) => render_list(&s, &a, back, None, errors).await,
    }
}
