//! Party badges: the list of members due at an award day, and recording awards and
//! disciplinary measures from it or from a member's page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::membership::badges;
use chibo_app::membership::badges::{AwardInput, DisciplineInput};
use chibo_app::membership::badges_due;
use chibo_app::membership::badges_due::DueList;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, form_errors, render_status};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DueQuery {
    ngay: String,
    after: Option<chibo_domain::cursor::Cursor>,
}

#[derive(Template)]
#[template(path = "badges.html")]
struct DuePage {
    nav: Nav,
    list: DueList,
    /// Not the first page: link back to it.
    later: bool,
    errors: Vec<String>,
}

pub async fn due(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<DueQuery>,
) -> Result<Response, PageError> {
    let page = |day: Option<String>, after: Option<chibo_domain::cursor::Cursor>| {
        let (s, a) = (&s, &a);
        async move { badges_due::due(&s.app, a, id, day.as_deref(), after.as_ref(), 100).await }
    };
    let (list, errors) = match form_errors(page(Some(q.ngay.clone()), q.after.clone()).await)? {
        Ok(l) => (l, vec![]),
        Err(errors) => (page(None, None).await?, errors),
    };
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &DuePage {
            nav: Nav::of(&a),
            later: q.after.is_some() && errors.is_empty(),
            list,
            errors,
        },
    )
}

/// From the due list (`back` is its address) or from the member's page.
pub async fn award(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<AwardInput>,
) -> Result<Response, PageError> {
    let r = badges::award(&s.app, &a, id, input).await;
    let back = values
        .back()
        .filter(|b| b.starts_with("/units/"))
        .map(str::to_string);
    crate::members::page::after_member_form(&s, &a, id, r, "award", &values, |_| {
        back.unwrap_or_else(|| format!("/members/{id}#badges"))
    })
    .await
}

pub async fn discipline(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<DisciplineInput>,
) -> Result<Response, PageError> {
    let r = badges::discipline(&s.app, &a, id, input).await;
    crate::members::page::after_member_form(&s, &a, id, r, "discipline", &values, |_| {
        format!("/members/{id}#badges")
    })
    .await
}
