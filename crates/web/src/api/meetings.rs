use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::meetings::{self, AttendanceInput, MeetingDetail, MeetingView, NewMeeting};

use super::{ApiJson, Ids};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

/// Meetings of a cell, newest first (members of the cell see published ones).
#[utoipa::path(get, path = "/api/v1/units/{id}/meetings", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MeetingView>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    id: Ids,
) -> Result<Json<Vec<MeetingView>>, ApiError> {
    Ok(Json(meetings::list(&s.app, &a, id.one()).await?))
}

/// Schedules a meeting of a cell; the rule set in force on its date will judge it.
#[utoipa::path(post, path = "/api/v1/units/{id}/meetings", tag = "meetings", params(("id" = i64, Path)), request_body = NewMeeting,
    responses((status = 201, body = MeetingView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn schedule(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    id: Ids,
    ApiJson(b): ApiJson<NewMeeting>,
) -> Result<(StatusCode, Json<MeetingView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(meetings::schedule(&s.app, &a, id.one(), b).await?),
    ))
}

/// A meeting with its attendance sheet and the attendance judged by its rule set.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    id: Ids,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(meetings::get(&s.app, &a, id.one()).await?))
}

/// Publishes the meeting notice to the cell's members and the superior committee.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/publish", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    id: Ids,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(meetings::publish(&s.app, &a, id.one()).await?))
}

/// Records attendance (all entries or none).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance", tag = "meetings", params(("id" = i64, Path)), request_body = AttendanceInput,
    responses((status = 200, body = MeetingDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn attendance(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    id: Ids,
    ApiJson(b): ApiJson<AttendanceInput>,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(
        meetings::record_attendance(&s.app, &a, id.one(), b).await?,
    ))
}
