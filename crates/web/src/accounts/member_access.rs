//! An administrator's view of one member's data: who opened, changed or exported it, and the
//! download of everything recorded about the member. Pages and API call the same use cases
//! (`chibo_app::audit::{about_member, member_dossier}`).

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chibo_app::audit::{self, AuditEntry, AuditLog, MemberDossier};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody, PageError};
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, PageQuery};
use crate::extract::session::{ApiUser, PageUser};
use crate::fmt::VnDate;
use crate::render::{Nav, render};
use crate::state::AppState;

/// A page of the member's access log.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AccessQ {
    /// Entries older than this id (the `next` of the page before).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub before: Option<chibo_domain::bounded::RowId>,
}

#[derive(Template)]
#[template(path = "member_access.html")]
struct AccessPage {
    nav: Nav,
    member_id: i64,
    full_name: String,
    entries: Vec<AuditEntry>,
    older: bool,
    next: Option<i64>,
}

/// Who opened, changed or exported the member's data, newest first.
pub async fn page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<AccessQ>,
) -> Result<Response, PageError> {
    let admin = a.admin()?;
    let log = audit::about_member(&s.app, &admin, id, q.before.map(|b| b.get()), 100).await?;
    let full_name = chibo_app::lookup::member_names(&s.app.db, &[id])
        .await
        .map_err(chibo_app::AppError::from)?
        .remove(&id)
        .unwrap_or_default();
    render(&AccessPage {
        nav: Nav::of(&a),
        member_id: id,
        full_name,
        entries: log.items,
        older: q.before.is_some(),
        next: log.next,
    })
}

/// Everything recorded about the member, as a JSON file.
pub async fn dossier_file(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let d = audit::member_dossier(&s.app, &a.admin()?, id).await?;
    let bytes =
        serde_json::to_vec_pretty(&d).map_err(|e| chibo_app::AppError::Internal(e.to_string()))?;
    Ok(crate::upload::file_response(
        bytes,
        "application/json; charset=utf-8",
        &format!("dang-vien-{id}.json"),
    ))
}

/// Who opened, changed or exported the member's data, and every export of a unit they belong to
/// (administrators).
#[utoipa::path(get, path = "/api/v1/admin/members/{id}/access-log", tag = "audit",
    params(("id" = i64, Path), AccessQ),
    responses((status = 200, body = AuditLog), (status = 404, body = ErrorBody)))]
pub async fn access_log(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<AccessQ>,
) -> Result<Json<AuditLog>, ApiError> {
    Ok(Json(
        audit::about_member(&s.app, &a.admin()?, id, q.before.map(|b| b.get()), 100).await?,
    ))
}

/// Everything recorded about the member, table by table, secrets kept back (administrators);
/// the export is written to the audit log.
#[utoipa::path(get, path = "/api/v1/admin/members/{id}/dossier", tag = "audit",
    params(("id" = i64, Path)),
    responses((status = 200, body = MemberDossier), (status = 404, body = ErrorBody)))]
pub async fn dossier(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MemberDossier>, ApiError> {
    Ok(Json(audit::member_dossier(&s.app, &a.admin()?, id).await?))
}
