use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use chibo_app::membership::dues::{self, DuesInput, DuesList};
use chibo_app::membership::dues_import::{self, DuesImportReport};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::import::api::{ImportQuery, refuse_unless_clean};
use crate::state::AppState;
use crate::upload::{FileUpload, XLSX};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MonthQuery {
    /// `YYYY-MM` (this month by default).
    month: Option<String>,
}

/// A cell's party dues for a month: everyone who pays in the cell that month (a member sees
/// their own row), what was recorded, the totals, and who reached the removal trigger.
#[utoipa::path(get, path = "/api/v1/units/{id}/dues", tag = "members", params(("id" = i64, Path), MonthQuery),
    responses((status = 200, body = DuesList), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<DuesList>, ApiError> {
    Ok(Json(dues::list(&s.app, &a, id, q.month.as_deref()).await?))
}

/// Records a month for the members listed (the cell's officers and the committee above): paid
/// (`amount` and `paid_on`), unpaid, or excused (`reason`); all or nothing.
#[utoipa::path(put, path = "/api/v1/units/{id}/dues", tag = "members", params(("id" = i64, Path)), request_body = DuesInput,
    responses((status = 200, body = DuesList), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<DuesInput>,
) -> Result<Json<DuesList>, ApiError> {
    Ok(Json(dues::record(&s.app, &a, id, b).await?))
}

/// Imports dues from an XLSX or CSV file in the template's columns (name, card number or
/// citizen ID, month, amount, day paid, reason unpaid), any number of months. With `dry_run`
/// the report lists every problem by row; otherwise the file is written at once or, with any
/// problem, not at all (422).
#[utoipa::path(post, path = "/api/v1/units/{id}/dues/import", tag = "members", params(("id" = i64, Path), ImportQuery),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = DuesImportReport), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<ImportQuery>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    dues::may_record(&s.app, &a, id).await?;
    let (name, bytes) = crate::upload::read_file(form, dues_import::MAX_DUES_BYTES).await?;
    let report = dues_import::run(&s.app, &a, id, &name, &bytes, q.dry_run).await?;
    refuse_unless_clean(q.dry_run, &report.errors)?;
    Ok(Json(report).into_response())
}

/// The dues import template (XLSX, one example row).
#[utoipa::path(get, path = "/api/v1/dues/template.xlsx", tag = "members",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = ErrorBody)))]
pub async fn template(ApiUser(_a): ApiUser) -> Response {
    crate::upload::file_response(dues_import::template(), XLSX, "mau-dang-phi.xlsx")
}
