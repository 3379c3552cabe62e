use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use chibo_app::AppError;
use chibo_app::membership::import;
use chibo_app::membership::import::ImportReport;
use chibo_domain::Invalid;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::state::AppState;
use crate::upload::FileUpload;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ImportQuery {
    /// Only check the file and report; write nothing.
    dry_run: bool,
}

/// Imports members from an XLSX or CSV file in the template's columns. With `dry_run` the
/// report lists every problem by row and column and nothing is written; otherwise the file is
/// written all at once, or, if any row has a problem, not at all (422 with one field error per
/// problem). Rows matching a member on record by card number or citizen ID update it, so the
/// same file imported twice changes nothing.
#[utoipa::path(post, path = "/api/v1/units/{id}/members/import", tag = "members", params(("id" = i64, Path), ImportQuery),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReport), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import_members(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<ImportQuery>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    import::may_import(&s.app, &a, id).await?;
    let (name, bytes) = crate::upload::read_file(form, import::MAX_IMPORT_BYTES).await?;
    let report = import::run(&s.app, &a, id, &name, &bytes, q.dry_run, &|_, _| {}).await?;
    if !q.dry_run && !report.errors.is_empty() {
        let mut inv = Invalid::new();
        for e in &report.errors {
            inv.push("file", e.to_string());
        }
        return Err(ApiError(AppError::Invalid(inv)));
    }
    Ok(axum::Json(report).into_response())
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The members on the roll of a subtree as XLSX, in the import template's columns.
#[utoipa::path(get, path = "/api/v1/units/{id}/members.xlsx", tag = "members", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn export_members(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let (file, bytes) = import::export(&s.app, &a, id).await?;
    Ok(crate::upload::file_response(bytes, XLSX, &file))
}

/// The import template (XLSX, one example row).
#[utoipa::path(get, path = "/api/v1/import/template.xlsx", tag = "members",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = ErrorBody)))]
pub async fn template(ApiUser(_a): ApiUser) -> Response {
    crate::upload::file_response(import::template(), XLSX, "mau-danh-sach-dang-vien.xlsx")
}
