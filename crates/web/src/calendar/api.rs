//! The calendar feeds over the API: state, make (the answer carries the address, once) and
//! turn off, for the caller's own meetings and for a cell they manage; a meeting's `.ics`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chibo_app::reach::calendar::{self, FeedOf, FeedState, feed_path};
use serde::Serialize;
use utoipa::ToSchema;

use super::ics_response;
use crate::error::{ApiError, ErrorBody};
use crate::extract::path::PathId;
use crate::extract::session::ApiUser;
use crate::state::AppState;

/// A calendar feed: made when, and (only in the answer that made it) its address.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedAnswer {
    #[serde(flatten)]
    pub state: FeedState,
    /// The address to give a calendar app, only in the answer that made it.
    pub url: Option<String>,
}

fn answer(s: &AppState, headers: &HeaderMap, state: FeedState) -> FeedAnswer {
    let url = state
        .secret
        .as_deref()
        .map(|secret| format!("{}{}", s.public_base(headers), feed_path(secret)));
    FeedAnswer { state, url }
}

/// Your own calendar feed: the meetings of your cell and of the cells you follow.
#[utoipa::path(get, path = "/api/v1/me/calendar", tag = "meetings",
    responses((status = 200, body = FeedAnswer), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn my_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    headers: HeaderMap,
) -> Result<Json<FeedAnswer>, ApiError> {
    let state = calendar::state(&s.app, &a, FeedOf::Mine).await?;
    Ok(Json(answer(&s, &headers, state)))
}

/// Makes a new address for your feed (the old one stops working); the answer carries it, once.
#[utoipa::path(post, path = "/api/v1/me/calendar", tag = "meetings",
    responses((status = 201, body = FeedAnswer), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn make_my_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<FeedAnswer>), ApiError> {
    let state = calendar::make(&s.app, &a, FeedOf::Mine).await?;
    Ok((StatusCode::CREATED, Json(answer(&s, &headers, state))))
}

/// Turns your feed off.
#[utoipa::path(delete, path = "/api/v1/me/calendar", tag = "meetings",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn stop_my_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<StatusCode, ApiError> {
    calendar::stop(&s.app, &a, FeedOf::Mine).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A cell's calendar feed (its officers): the cell's announced meetings.
#[utoipa::path(get, path = "/api/v1/units/{id}/calendar", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = FeedAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cell_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<Json<FeedAnswer>, ApiError> {
    let state = calendar::state(&s.app, &a, FeedOf::Cell(id)).await?;
    Ok(Json(answer(&s, &headers, state)))
}

/// Makes a new address for a cell's feed (the old one stops working); the answer carries it, once.
#[utoipa::path(post, path = "/api/v1/units/{id}/calendar", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 201, body = FeedAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn make_cell_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<FeedAnswer>), ApiError> {
    let state = calendar::make(&s.app, &a, FeedOf::Cell(id)).await?;
    Ok((StatusCode::CREATED, Json(answer(&s, &headers, state))))
}

/// Turns a cell's feed off.
#[utoipa::path(delete, path = "/api/v1/units/{id}/calendar", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn stop_cell_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    calendar::stop(&s.app, &a, FeedOf::Cell(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One meeting as an iCalendar file (whoever may see the meeting).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/ics", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn meeting_ics(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let feed = calendar::meeting_file(&s.app, &a, id, &s.public_base(&headers)).await?;
    Ok(ics_response(&feed, Some(&format!("sinh-hoat-{id}.ics"))))
}
