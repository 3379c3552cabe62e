//! The home page (a board officer's or committee member's dashboard; for the others the
//! user's roles and the meetings coming up) and the static files.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use chibo_app::access::Role;
use chibo_app::meetings::detail;
use chibo_app::meetings::lookup;
use chibo_app::{Actor, AppError};

use crate::error::PageError;
use crate::extract::path::RawFile;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render, see_other};
use crate::state::AppState;

/// A grant's unit on the home page: the page to open, its name, its id.
type GrantUnit = (String, String, i64);

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    actor: Actor,
    /// Each grant: its role and its unit: the page to open (the cell's meetings for a member),
    /// its name and its id.
    role_lines: Vec<(String, Option<GrantUnit>)>,
    upcoming: Vec<lookup::MeetingView>,
    /// The upcoming meetings the member has already checked in to.
    checked_in: std::collections::HashSet<i64>,
    today: chrono::NaiveDate,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    /// `1`: the personal page (roles, own meetings) even for a committee or a board officer.
    ca_nhan: Option<String>,
}

/// The unit whose dashboard is the home page of a board officer or a committee member: that of
/// their first such role.
fn board_home(a: &Actor) -> Option<i64> {
    a.grants()
        .iter()
        .find(|g| matches!(g.role, Role::OrgBoard | Role::Committee))
        .and_then(|g| g.unit_id)
}

/// The home page: a board officer's or committee member's is the dashboard of their unit; the
/// others', and theirs with `?ca_nhan=1`, list their roles and coming meetings.
pub async fn start_page(
    State(s): State<AppState>,
    began: crate::kept::Began,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<HomeQuery>,
    uri: Uri,
) -> Result<Response, PageError> {
    if q.ca_nhan.as_deref() != Some("1")
        && let Some(unit) = board_home(&a)
    {
        return Ok(see_other(&format!("/units/{unit}/dashboard")));
    }
    crate::kept::page_for(&s, began, &a, &uri, || personal_page(&s, &a)).await
}

/// The user's roles and the meetings coming up in their cells.
async fn personal_page(s: &AppState, a: &Actor) -> Result<Response, PageError> {
    let upcoming = detail::upcoming_for_me(&s.app, a).await?;
    let ids: Vec<i64> = upcoming.iter().map(|m| m.id).collect();
    let checked_in = chibo_app::meetings::mine::checked_in(&s.app, a, &ids).await?;
    let role_lines = a
        .grants()
        .iter()
        .map(|g| {
            // A member reads their cell's meetings, not the cell's page.
            let page = |id: i64| {
                if g.role == Role::Member {
                    format!("/units/{id}/meetings")
                } else {
                    format!("/units/{id}")
                }
            };
            (
                g.role.label().to_string(),
                g.unit_id
                    .zip(g.unit_name.clone())
                    .map(|(id, name)| (page(id), name, id)),
            )
        })
        .collect();
    render(&HomePage {
        nav: Nav::of(a),
        role_lines,
        upcoming,
        checked_in,
        actor: a.clone(),
        today: chibo_app::App::today(),
    })
}

static APP_CSS: &str = include_str!("../../static/app.css");

static HTMX_JS: &str = include_str!("../../static/htmx.min.js");

static APP_JS: &str = include_str!("../../static/app.js");

static PRINT_CSS: &str = include_str!("../../static/print.css");

pub async fn static_file(RawFile(file): RawFile) -> Response {
    let (body, ctype) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX_JS, "text/javascript; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "print.css" => (PRINT_CSS, "text/css; charset=utf-8"),
        _ => return PageError(AppError::NotFound).into_response(),
    };
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}
