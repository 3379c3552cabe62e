//! Exemption requests: a unit's list, and the request and its steps on a member's page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::workflows::exemptions;
use chibo_app::workflows::exemptions::{ExemptionList, ExemptionRequest, ExemptionStep};
use chibo_app::{Actor, App};
use chibo_domain::cursor::Cursor;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::{PageQuery, Paging};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, refused};

#[derive(Template)]
#[template(path = "exemptions.html")]
struct ListPage {
    nav: Nav,
    list: ExemptionList,
    /// Not the first page.
    later: bool,
    /// This page's cursor ("" on the first page): a row's form posts it, so a refused row
    /// comes back on its own page.
    after: String,
    /// A step's button that was refused (`exemption-<id>-<step>`), as chosen.
    refused: Refusal,
    today: String,
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    after: Option<&Cursor>,
    refused: Refusal,
) -> Result<Response, PageError> {
    let list = exemptions::list(&s.app, a, id, after, 100).await?;
    render_status(
        refused.status(),
        &ListPage {
            nav: Nav::of(a),
            list,
            later: after.is_some(),
            after: after.map(|c| c.encode()).unwrap_or_default(),
            refused,
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
    render_list(&s, &a, id, q.after.as_ref(), Refusal::default()).await
}

pub async fn request(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<ExemptionRequest>,
) -> Result<Response, PageError> {
    let r = exemptions::request(&s.app, &a, id, input).await;
    crate::members::page::after_member_form(&s, &a, id, r, "exemption", &values, |_| {
        format!("/members/{id}#exemptions")
    })
    .await
}

/// A step from a unit's list (`unit` names it) or from the member's page.
pub async fn step(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<ExemptionStep>,
) -> Result<Response, PageError> {
    let form = format!("exemption-{id}-{}", input.step);
    let r = exemptions::step(&s.app, &a, id, input).await;
    match (refused(r, &values, &[])?, values.from_unit()) {
        (Ok(_), Some(u)) => Ok(see_other(&format!("/units/{u}/exemptions"))),
        (Ok(x), None) => Ok(see_other(&format!("/members/{}#exemptions", x.member.id))),
        (Err(typed), Some(u)) => {
            let page = values.from_page();
            render_list(&s, &a, u, page.as_ref(), Refusal::of(form, typed)).await
        }
        (Err(typed), None) => {
            let member = exemptions::member_of(&s.app, &a, id).await?;
            let refused = Refusal::of(form, typed);
            crate::members::page::render_member_refused(&s, &a, member, refused).await
        }
    }
}
