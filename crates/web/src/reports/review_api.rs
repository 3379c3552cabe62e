//! The API of review reports (báo cáo sơ kết / tổng kết): a unit's reports on a programme, the
//! draft a new one starts from, writing and changing one, and its DOCX and XLSX.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chibo_app::programmes::review::{self, ReportInput, ReportList, ReportView};
use chibo_app::programmes::review_files;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::state::AppState;
use crate::upload::{DOCX, XLSX, file_response};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportUnitQuery {
    /// The reporting unit, in the programme's subtree (default: the programme's issuer).
    pub unit: Option<i64>,
}

/// The review reports one unit wrote on the programme, newest first.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/reports", tag = "reports",
    params(("id" = i64, Path), ReportUnitQuery),
    responses((status = 200, body = ReportList), (status = 404, body = ErrorBody)))]
pub async fn reports(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<ReportUnitQuery>,
) -> Result<Json<ReportList>, ApiError> {
    Ok(Json(review::list(&s.app, &a, id, q.unit).await?))
}

/// What a new review report starts from: the next review's title, the unit's place, today, the
/// period the programme has run, the signer's role.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/reports/draft", tag = "reports",
    params(("id" = i64, Path), ReportUnitQuery),
    responses((status = 200, body = ReportInput), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draft(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<ReportUnitQuery>,
) -> Result<Json<ReportInput>, ApiError> {
    Ok(Json(review::draft(&s.app, &a, id, q.unit).await?))
}

/// Writes a review report of the programme for `unit_id` (default: the issuer); its figures are
/// counted when it is read.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/reports", tag = "reports",
    params(("id" = i64, Path)), request_body = ReportInput,
    responses((status = 201, body = ReportView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ReportInput>,
) -> Result<(StatusCode, Json<ReportView>), ApiError> {
    let created = review::create(&s.app, &a, id, b).await?;
    Ok((
        StatusCode::CREATED,
        Json(review::get(&s.app, &a, created).await?),
    ))
}

/// One review report with its figures (the dashboard's, over its period).
#[utoipa::path(get, path = "/api/v1/review-reports/{id}", tag = "reports",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReportView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<ReportView>, ApiError> {
    Ok(Json(review::get(&s.app, &a, id).await?))
}

/// Changes a review report's heading, period and prose (`unit_id` is ignored).
#[utoipa::path(put, path = "/api/v1/review-reports/{id}", tag = "reports",
    params(("id" = i64, Path)), request_body = ReportInput,
    responses((status = 200, body = ReportView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ReportInput>,
) -> Result<Json<ReportView>, ApiError> {
    review::update(&s.app, &a, id, b).await?;
    Ok(Json(review::get(&s.app, &a, id).await?))
}

/// The report as a DOCX download.
pub(crate) async fn docx_of(
    s: &AppState,
    a: &chibo_app::Actor,
    id: i64,
) -> Result<Response, chibo_app::AppError> {
    Ok(file_response(
        review_files::docx_for(&s.app, a, id).await?,
        DOCX,
        &format!("bao-cao-{id}.docx"),
    ))
}

/// The report's tables as an XLSX download.
pub(crate) async fn xlsx_of(
    s: &AppState,
    a: &chibo_app::Actor,
    id: i64,
) -> Result<Response, chibo_app::AppError> {
    Ok(file_response(
        review_files::xlsx_for(&s.app, a, id).await?,
        XLSX,
        &format!("bao-cao-{id}.xlsx"),
    ))
}

/// The report as a DOCX in the Party document layout.
#[utoipa::path(get, path = "/api/v1/review-reports/{id}/report.docx", tag = "reports",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn docx(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    Ok(docx_of(&s, &a, id).await?)
}

/// The report's tables as XLSX: the summary, the warnings, one sheet per indicator by child
/// unit.
#[utoipa::path(get, path = "/api/v1/review-reports/{id}/report.xlsx", tag = "reports",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn xlsx(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    Ok(xlsx_of(&s, &a, id).await?)
}
