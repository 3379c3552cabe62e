//! The notices over the API: the caller's list and choices, a meeting's reach, and the
//! administrator's outbox.

use axum::Json;
use axum::extract::State;
use chibo_app::reach::inbox::{self, Choices, ChoicesInput, NotificationPage, NotificationView};
use chibo_app::reach::outbox::{self, OutboxPage};
use chibo_app::reach::reached::{self, Reached};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;

/// Your notices, newest first, with how many are unread.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "meetings", params(Paging),
    responses((status = 200, body = NotificationPage), (status = 401, body = ErrorBody)))]
pub async fn my_notifications(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<NotificationPage>, ApiError> {
    Ok(Json(
        inbox::list(&s.app, &a, q.after.as_ref(), q.per_page_or(30)).await?,
    ))
}

/// Opens one of your notices: marked read; the answer has its `link`.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = NotificationView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn read_one(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<NotificationView>, ApiError> {
    Ok(Json(inbox::open(&s.app, &a, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadAnswer {
    /// How many were unread.
    pub read: u64,
}

/// Marks every notice of yours read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "meetings",
    responses((status = 200, body = ReadAnswer), (status = 401, body = ErrorBody)))]
pub async fn read_all(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<ReadAnswer>, ApiError> {
    Ok(Json(ReadAnswer {
        read: inbox::read_all(&s.app, &a).await?,
    }))
}

/// How you receive notices: email, SMS, and which kinds.
#[utoipa::path(get, path = "/api/v1/me/notification-choices", tag = "meetings",
    responses((status = 200, body = Choices), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn my_choices(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<Choices>, ApiError> {
    Ok(Json(inbox::choices(&s.app, &a).await?))
}

/// Saves how you receive notices.
#[utoipa::path(put, path = "/api/v1/me/notification-choices", tag = "meetings", request_body = ChoicesInput,
    responses((status = 200, body = Choices), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_choices(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<ChoicesInput>,
) -> Result<Json<Choices>, ApiError> {
    Ok(Json(inbox::save_choices(&s.app, &a, b).await?))
}

/// Who of a meeting's members its notice reached (those who manage the cell).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/reached", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = Reached), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn meeting_reached(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<Reached>, ApiError> {
    Ok(Json(reached::of_meeting(&s.app, &a, id).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OutboxQuery {
    /// `queued`, `sending`, `sent` or `failed`; all when absent.
    status: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    after: Option<chibo_domain::cursor::Cursor>,
    /// Messages a page (1–200, default 50).
    #[param(value_type = Option<u32>)]
    per_page: Option<chibo_domain::bounded::PageSize>,
}

/// The outbox, newest first, with how many messages are in each state (administrators).
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "users", params(OutboxQuery),
    responses((status = 200, body = OutboxPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn admin_outbox(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<OutboxPage>, ApiError> {
    let per_page = q.per_page.map_or(50, |p| p.get_u64());
    Ok(Json(
        outbox::list(
            &s.app,
            &a.admin()?,
            q.status.as_deref(),
            q.after.as_ref(),
            per_page,
        )
        .await?,
    ))
}

/// Sends a failed message again (administrators).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "users", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn retry(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<axum::http::StatusCode, ApiError> {
    outbox::retry(&s.app, &a.admin()?, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
