//! A training course's page: its facts, its participants a page at a time in name order, and
//! the form that adds participants and marks who completed it (one page of them at a time).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::Actor;
use chibo_app::programmes::courses;
use chibo_app::programmes::courses::{CourseDetail, ParticipantsInput};
use chibo_app::refs::MemberChoices;
use chibo_domain::cursor::Cursor;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::{PageQuery, Paging};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::programmes::page::first_officers;
use crate::render::{Nav, form_errors, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    nav: Nav,
    d: CourseDetail,
    officers: MemberChoices,
    /// Not the first page of participants.
    later: bool,
    errors: Vec<String>,
}

async fn render_course(
    s: &AppState,
    a: &Actor,
    id: i64,
    after: Option<&Cursor>,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let d = courses::course(&s.app, a, id, after, courses::PARTICIPANTS_PER_PAGE).await?;
    let officers = first_officers(s, a, d.course.unit.id, d.can_manage).await?;
    render_status(
        crate::render::status_for(&errors),
        &CoursePage {
            nav: Nav::of(a),
            d,
            officers,
            later: after.is_some(),
            errors,
        },
    )
}

pub async fn course(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<Paging>,
) -> Result<Response, PageError> {
    render_course(&s, &a, id, q.after.as_ref(), vec![]).await
}

/// What the participants form posts: the members added, and for the participants shown on the
/// page (`shown_ids`) the boxes ticked as completed; the others shown are not completed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ParticipantsForm {
    member_ids: Vec<i64>,
    shown_ids: Vec<i64>,
    completed_ids: Vec<i64>,
}

pub async fn participants(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<ParticipantsForm>,
) -> Result<Response, PageError> {
    let not_completed_ids = input
        .shown_ids
        .iter()
        .filter(|m| !input.completed_ids.contains(m))
        .copied()
        .collect();
    let change = ParticipantsInput {
        member_ids: input.member_ids,
        completed_ids: input.completed_ids,
        not_completed_ids,
    };
    match form_errors(courses::set_participants(&s.app, &a, id, change).await)? {
        Ok(_) => Ok(see_other(&format!("/courses/{id}"))),
        Err(errors) => render_course(&s, &a, id, None, errors).await,
    }
}
