use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::workflows::admission_steps;
use chibo_app::workflows::admissions;
use chibo_app::workflows::admissions::{
    CandidateInput, CandidateList, CandidateStep, CandidateView,
};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;

/// Candidates for admission in a subtree, with the deadline of each and what is overdue, the
/// overdue first, a page at a time.
#[utoipa::path(get, path = "/api/v1/units/{id}/candidates", tag = "admissions", params(("id" = i64, Path), Paging),
    responses((status = 200, body = CandidateList), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<CandidateList>, ApiError> {
    Ok(Json(
        admissions::list(&s.app, &a, id, q.after.as_ref(), q.per_page_or(100)).await?,
    ))
}

/// A cell proposes an outstanding non-member for admission.
#[utoipa::path(post, path = "/api/v1/units/{id}/candidates", tag = "admissions", params(("id" = i64, Path)), request_body = CandidateInput,
    responses((status = 201, body = CandidateView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn propose(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CandidateInput>,
) -> Result<(StatusCode, Json<CandidateView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(admissions::propose(&s.app, &a, id, b).await?),
    ))
}

/// The next step: `class`, `file`, `vote`, `decide` (superior committee), `ceremony`,
/// `recognition_vote` (the cell, after probation), `extend_recognition`, `recognise` /
/// `not_recognise` (superior committee).
#[utoipa::path(post, path = "/api/v1/candidates/{id}/steps", tag = "admissions", params(("id" = i64, Path)), request_body = CandidateStep,
    responses((status = 200, body = CandidateView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CandidateStep>,
) -> Result<Json<CandidateView>, ApiError> {
    Ok(Json(admission_steps::step(&s.app, &a, id, b).await?))
}
