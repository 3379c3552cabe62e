use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::workflows::exemptions;
use chibo_app::workflows::exemptions::{
    ExemptionList, ExemptionRequest, ExemptionStep, ExemptionView,
};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;

/// Exemption requests and exemptions in a subtree, what needs doing first, a page at a time.
#[utoipa::path(get, path = "/api/v1/units/{id}/exemptions", tag = "exemptions", params(("id" = i64, Path), Paging),
    responses((status = 200, body = ExemptionList), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<ExemptionList>, ApiError> {
    Ok(Json(
        exemptions::list(&s.app, &a, id, q.after.as_ref(), q.per_page_or(100)).await?,
    ))
}

/// A member's exemption requests (the member sees their own).
#[utoipa::path(get, path = "/api/v1/members/{id}/exemptions", tag = "exemptions", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ExemptionView>), (status = 404, body = ErrorBody)))]
pub async fn of_member(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<Vec<ExemptionView>>, ApiError> {
    Ok(Json(exemptions::of_member(&s.app, &a, id).await?))
}

/// A member's request for exemption (by the member, or the cell's officers for them).
#[utoipa::path(post, path = "/api/v1/members/{id}/exemptions", tag = "exemptions", params(("id" = i64, Path)), request_body = ExemptionRequest,
    responses((status = 201, body = ExemptionView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn request(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ExemptionRequest>,
) -> Result<(StatusCode, Json<ExemptionView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(exemptions::request(&s.app, &a, id, b).await?),
    ))
}

/// The next step: `grant` / `reject` at a held meeting, `report`, `request_revoke`, `revoke`.
#[utoipa::path(post, path = "/api/v1/exemptions/{id}/steps", tag = "exemptions", params(("id" = i64, Path)), request_body = ExemptionStep,
    responses((status = 200, body = ExemptionView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ExemptionStep>,
) -> Result<Json<ExemptionView>, ApiError> {
    Ok(Json(exemptions::step(&s.app, &a, id, b).await?))
}
