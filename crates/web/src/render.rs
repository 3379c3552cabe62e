//! What every page handler uses to answer: the frame's navigation, rendering a template,
//! field errors back to the form, and redirects after a successful post.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chibo_app::{Actor, AppError, Role};

use crate::error::PageError;

/// What every page's frame needs: the user's name and which menu entries to show.
pub struct Nav {
    pub display_name: String,
    pub is_admin: bool,
    /// Reads part of the tree (not only a member's own record).
    pub browses: bool,
    /// The page follows a save (`crate::saved`): the frame confirms it.
    pub saved: bool,
}

impl Nav {
    pub fn of(a: &Actor) -> Nav {
        Nav {
            display_name: a.display_name().to_string(),
            is_admin: a.is_admin(),
            browses: a.is_admin() || a.grants().iter().any(|g| g.role != Role::Member),
            saved: crate::saved::follows_a_save(),
        }
    }
}

pub fn render(t: &impl Template) -> Result<Response, PageError> {
    Ok(Html(t.render()?).into_response())
}

/// 200, or 422 when a form comes back with errors.
pub fn status_for(errors: &[String]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub fn render_status(status: StatusCode, t: &impl Template) -> Result<Response, PageError> {
    Ok((status, Html(t.render()?)).into_response())
}

/// After a successful form post: back to a page (303 so the browser GETs it).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Splits a use case's result: field errors go back to the form, other errors become pages.
pub fn form_errors<T>(r: Result<T, AppError>) -> Result<Result<T, Vec<String>>, PageError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid(inv)) => Ok(Err(inv.errors.into_iter().map(|e| e.message).collect())),
        Err(e) => Err(PageError(e)),
    }
}

/// Whether a use case refused only until the user confirms (a warning on the `confirm` field):
/// the form is then shown again with a box to tick.
pub fn asks_confirmation<T>(r: &Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::Invalid(inv)) if inv.errors.iter().any(|e| e.field == "confirm"))
}

/// The path a meeting's QR code points to.
pub fn check_in_path(meeting_id: i64, code: &str) -> String {
    format!("/meetings/{meeting_id}/check-in?ma={code}")
}

/// Choices a form shows before the user searches.
pub const FIRST_CHOICES: u64 = 50;

/// The options of a form's choice list (htmx swaps them in while the user types a name); the
/// form keeps its own blank choice.
#[derive(Template)]
#[template(path = "choices.html")]
struct Choices {
    items: Vec<(i64, String)>,
    more: bool,
}

/// A page of choices (units or members found by name), as a form's options.
pub fn choices(page: impl Into<Options>) -> Result<Response, PageError> {
    let Options(items, more) = page.into();
    render(&Choices { items, more })
}

/// Options of a select: (id, name), and whether a search finds more.
pub struct Options(Vec<(i64, String)>, bool);

impl From<chibo_app::refs::UnitChoices> for Options {
    fn from(page: chibo_app::refs::UnitChoices) -> Self {
        let more = page.next.is_some();
        Options(
            page.items.into_iter().map(|u| (u.id, u.name)).collect(),
            more,
        )
    }
}

impl From<chibo_app::refs::MemberChoices> for Options {
    fn from(page: chibo_app::refs::MemberChoices) -> Self {
        let more = page.next.is_some();
        Options(
            page.items.into_iter().map(|m| (m.id, m.name)).collect(),
            more,
        )
    }
}
