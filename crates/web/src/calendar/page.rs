//! The calendar pages: the member's own feed (from the account page), a cell's (from its
//! meeting list, for its officers), the feed calendar apps fetch, and a meeting's `.ics`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chibo_app::Actor;
use chibo_app::reach::calendar::{self, FeedOf, FeedState, feed_path};

use super::ics_response;
use crate::error::PageError;
use crate::extract::path::PathId;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Typed, messages_of};

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    nav: Nav,
    /// "của tôi" or the cell's name.
    whose: String,
    /// The cell, for a cell's feed (its meeting list links back).
    cell_id: Option<i64>,
    /// Where the forms post.
    action: String,
    state: FeedState,
    /// The full address, just after it was made.
    address: Option<String>,
    errors: Typed,
    /// The account's member record, if any (an account without one has no feed of its own).
    nav_member: Option<i64>,
}

async fn show(
    s: &AppState,
    a: &Actor,
    of: FeedOf,
    state: FeedState,
    headers: &HeaderMap,
    errors: Typed,
) -> Result<Response, PageError> {
    let (whose, cell_id, action) = match (&state.cell, of) {
        (Some(c), FeedOf::Cell(id)) => (c.name.clone(), Some(id), format!("/units/{id}/calendar")),
        _ => ("của tôi".to_string(), None, "/account/calendar".to_string()),
    };
    let address = state
        .secret
        .as_deref()
        .map(|secret| format!("{}{}", s.public_base(headers), feed_path(secret)));
    let status = errors.status();
    render_status(
        status,
        &CalendarPage {
            nav: Nav::of(a),
            whose,
            cell_id,
            action,
            state,
            address,
            errors,
            nav_member: a.member_id().map(|m| m.get()),
        },
    )
}

async fn page_of(
    s: AppState,
    a: Actor,
    of: FeedOf,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let state = calendar::state(&s.app, &a, of).await?;
    show(&s, &a, of, state, &headers, Typed::default()).await
}

/// Makes a new address and shows it, once (only its hash is kept).
async fn make_of(
    s: AppState,
    a: Actor,
    of: FeedOf,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let state = calendar::make(&s.app, &a, of).await?;
    show(&s, &a, of, state, &headers, Typed::default()).await
}

async fn stop_of(
    s: AppState,
    a: Actor,
    of: FeedOf,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match messages_of(calendar::stop(&s.app, &a, of).await)? {
        Ok(_) => {
            let back = match of {
                FeedOf::Mine => "/account/calendar".to_string(),
                FeedOf::Cell(id) => format!("/units/{id}/calendar"),
            };
            Ok(see_other(&back))
        }
        Err(errors) => {
            let state = calendar::state(&s.app, &a, of).await?;
            show(&s, &a, of, state, &headers, errors).await
        }
    }
}

pub async fn mine(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    page_of(s, a, FeedOf::Mine, headers).await
}

pub async fn make_mine(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    make_of(s, a, FeedOf::Mine, headers).await
}

pub async fn stop_mine(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    stop_of(s, a, FeedOf::Mine, headers).await
}

pub async fn cell(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    page_of(s, a, FeedOf::Cell(id), headers).await
}

pub async fn make_cell(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    make_of(s, a, FeedOf::Cell(id), headers).await
}

pub async fn stop_cell(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    stop_of(s, a, FeedOf::Cell(id), headers).await
}

/// The feed a calendar app fetches at its secret address (`/lich/<secret>.ics`): no session,
/// the secret is the key. Unknown, turned off or no longer readable: 404.
pub async fn feed(
    State(s): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let secret = file.strip_suffix(".ics").unwrap_or(&file);
    // A secret is 64 hex digits; anything else is not looked up.
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PageError(chibo_app::AppError::NotFound));
    }
    let feed = calendar::feed(&s.app, secret, &s.public_base(&headers)).await?;
    Ok(ics_response(&feed, None))
}

/// One meeting's `.ics`, for a member to add it to their calendar.
pub async fn meeting(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let feed = calendar::meeting_file(&s.app, &a, id, &s.public_base(&headers)).await?;
    Ok(ics_response(&feed, Some(&format!("sinh-hoat-{id}.ics"))))
}
