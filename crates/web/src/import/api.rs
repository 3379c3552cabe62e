use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use chibo_app::AppError;
use chibo_app::membership::import;
use chibo_app::membership::import::{ImportReport, RowError};
use chibo_app::org::tree_import;
use chibo_app::org::tree_import::TreeImportReport;
use chibo_domain::Invalid;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::state::AppState;
use crate::upload::{FileUpload, XLSX};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ImportQuery {
    /// Only check the file and report; write nothing.
    pub(crate) dry_run: bool,
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
    refuse_unless_clean(q.dry_run, &report.errors)?;
    Ok(axum::Json(report).into_response())
}

/// A real import with errors is refused as a whole: 422 with one field error per problem.
pub(crate) fn refuse_unless_clean(dry_run: bool, errors: &[RowError]) -> Result<(), ApiError> {
    if dry_run || errors.is_empty() {
        return Ok(());
    }
    let mut inv = Invalid::new();
    for e in errors {
        inv.push("file", e.to_string());
    }
    Err(ApiError(AppError::Invalid(inv)))
}

/// Founds the units of an organisation from an XLSX or CSV file in the tree template's columns
/// (name, unit above, kind, cell type, founding date; units above first), under this unit. With
/// `dry_run` the report lists every problem by row; otherwise the whole tree is written at once,
/// or, if any row has a problem, not at all (422). Units already there (same name under the
/// same unit) are left as they are, so the same file imported twice changes nothing. Cells are
/// founded empty; import their members next.
#[utoipa::path(post, path = "/api/v1/units/{id}/tree/import", tag = "units", params(("id" = i64, Path), ImportQuery),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = TreeImportReport), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import_tree(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<ImportQuery>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    tree_import::may_import(&s.app, &a, id).await?;
    let (name, bytes) = crate::upload::read_file(form, tree_import::MAX_TREE_BYTES).await?;
    let report = tree_import::run(&s.app, &a, id, &name, &bytes, q.dry_run).await?;
    refuse_unless_clean(q.dry_run, &report.errors)?;
    Ok(axum::Json(report).into_response())
}

/// The tree import template (XLSX, a commune, a cell and a party group as examples).
#[utoipa::path(get, path = "/api/v1/import/tree-template.xlsx", tag = "units",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = ErrorBody)))]
pub async fn tree_template(ApiUser(_a): ApiUser) -> Response {
    crate::upload::file_response(tree_import::template(), XLSX, "mau-cay-to-chuc.xlsx")
}

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
