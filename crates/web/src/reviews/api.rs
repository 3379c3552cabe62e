use axum::Json;
use axum::extract::State;
use chibo_app::membership::classification;
use chibo_app::membership::classification::{
    CellReviewInput, MemberLevelInput, ReviewInput, ReviewSheet, ReviewSummary,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::state::AppState;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct YearQuery {
    /// The year reviewed; this year when empty.
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2200)]
    year: Option<chibo_domain::bounded::Year>,
    /// The summary: the `next` of the previous page of cells.
    #[param(value_type = Option<String>)]
    after: Option<chibo_domain::cursor::Cursor>,
    /// The summary: cells on a page (1–500, default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    per_page: Option<chibo_domain::bounded::PageSize>,
}

fn year(q: &YearQuery) -> i32 {
    q.year
        .map(|y| y.get_i32())
        .unwrap_or_else(|| chrono::Datelike::year(&chibo_app::App::today()))
}

/// A cell's review sheet: members with their scores and levels, the quota, the cell's level.
#[utoipa::path(get, path = "/api/v1/units/{id}/reviews", tag = "reviews", params(("id" = i64, Path), YearQuery),
    responses((status = 200, body = ReviewSheet), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sheet(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<ReviewSheet>, ApiError> {
    Ok(Json(classification::sheet(&s.app, &a, id, year(&q)).await?))
}

/// Records the cell's scores for its members (all or none; the excellent quota is enforced).
#[utoipa::path(put, path = "/api/v1/units/{id}/reviews", tag = "reviews", params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = ReviewSheet), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn save(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ReviewInput>,
) -> Result<Json<ReviewSheet>, ApiError> {
    Ok(Json(classification::save(&s.app, &a, id, b).await?))
}

/// The superior committee's decision on the cell's level.
#[utoipa::path(put, path = "/api/v1/units/{id}/review", tag = "reviews", params(("id" = i64, Path)), request_body = CellReviewInput,
    responses((status = 200, body = ReviewSheet), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CellReviewInput>,
) -> Result<Json<ReviewSheet>, ApiError> {
    Ok(Json(classification::decide(&s.app, &a, id, b).await?))
}

/// The superior committee sets a scored member's level itself, with its reason (within the
/// excellent quota); the cell's later scoring keeps it.
#[utoipa::path(put, path = "/api/v1/units/{id}/reviews/member-level", tag = "reviews", params(("id" = i64, Path)), request_body = MemberLevelInput,
    responses((status = 200, body = ReviewSheet), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_member_level(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<MemberLevelInput>,
) -> Result<Json<ReviewSheet>, ApiError> {
    Ok(Json(
        classification::set_member_level(&s.app, &a, id, b).await?,
    ))
}

/// Members and cells of a subtree by level, with the shares rated good or better.
#[utoipa::path(get, path = "/api/v1/units/{id}/reviews/summary", tag = "reviews", params(("id" = i64, Path), YearQuery),
    responses((status = 200, body = ReviewSummary), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<ReviewSummary>, ApiError> {
    Ok(Json(
        classification::summary(
            &s.app,
            &a,
            id,
            year(&q),
            q.after.as_ref(),
            q.per_page
                .map_or(chibo_app::paging::PER_PAGE, |p| p.get_u64()),
        )
        .await?,
    ))
}
