use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::access::auth;
use chibo_app::access::users;
use chibo_app::access::users::{
    ActiveInput, NewUser, PasswordInput, RoleInput, UserPage, UserView,
};
use chibo_app::audit::{self, AuditLog};
use chibo_app::{Actor, AppError};
use chibo_domain::ids::UserId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::{PathId, PathIds, PathUserId};
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::{ApiUser, ClientIp};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// What the token is for (shown to administrators).
    pub name: Option<String>,
    /// The six-digit code of the account's authenticator app, for an account with a second
    /// factor (refused without it, with the field `code`).
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Exchanges a username and password for a bearer token (throttled like the login page).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", security(), request_body = TokenRequest,
    responses((status = 201, body = TokenResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_token(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    let name = b.name.unwrap_or_else(|| "API".into());
    let (token, expires_at) = auth::issue_token(
        &s.app,
        &b.username,
        &b.password,
        &ip,
        &name,
        b.code.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse { token, expires_at }),
    ))
}

/// Revokes the bearer token used for this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    _u: ApiUser,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError(AppError::invalid(
                "authorization",
                "Yêu cầu này cần một Bearer token.",
            ))
        })?;
    auth::revoke_token(&s.app, token.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your live API tokens (name and dates; the secret was shown once).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth",
    responses((status = 200, body = Vec<auth::TokenView>), (status = 401, body = ErrorBody)))]
pub async fn my_tokens(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<Vec<auth::TokenView>>, ApiError> {
    Ok(Json(auth::tokens_of(&s.app, &a).await?))
}

/// Revokes one of your API tokens (404 for a token that is not yours).
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "auth", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn revoke_my_token(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    auth::revoke_own_token(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who you are, with your roles and their units.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Actor), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(a): ApiUser) -> Json<Actor> {
    Json(a)
}

/// Accounts in username order, a page at a time (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(Paging),
    responses((status = 200, body = UserPage), (status = 404, body = ErrorBody)))]
pub async fn list_users(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<UserPage>, ApiError> {
    let per_page = q.per_page_or(100);
    Ok(Json(
        users::list(&s.app, &a.admin()?, q.after.as_ref(), per_page).await?,
    ))
}

/// Creates an account, optionally with a first role (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(users::create(&s.app, &a.admin()?, b).await?),
    ))
}

/// One account (administrators).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathUserId(id): PathUserId,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::get(&s.app, &a.admin()?, id).await?))
}

/// Grants a role on a unit (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "users", params(("id" = i64, Path)), request_body = RoleInput,
    responses((status = 200, body = UserView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_role(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathUserId(id): PathUserId,
    ApiJson(b): ApiJson<RoleInput>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::add_role(&s.app, &a.admin()?, id, b).await?))
}

/// Removes a role (administrators).
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{role_id}", tag = "users", params(("id" = i64, Path), ("role_id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn remove_role(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathIds(id, role_id): PathIds,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(
        users::remove_role(&s.app, &a.admin()?, UserId::new(id), role_id).await?,
    ))
}

/// Sets a password: administrators for anyone; a user for themselves with the current one.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = PasswordInput,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_password(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathUserId(id): PathUserId,
    ApiJson(b): ApiJson<PasswordInput>,
) -> Result<StatusCode, ApiError> {
    users::set_password(&s.app, &a, id, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Locks or unlocks an account (administrators); locking ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/active", tag = "users", params(("id" = i64, Path)), request_body = ActiveInput,
    responses((status = 200, body = UserView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_active(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathUserId(id): PathUserId,
    ApiJson(b): ApiJson<ActiveInput>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::set_active(&s.app, &a.admin()?, id, b).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries on a page (100 by default).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub limit: Option<chibo_domain::bounded::PageSize>,
    /// Entries older than this id: the `next` of the previous page.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub before: Option<chibo_domain::bounded::RowId>,
    /// Only the entries about this unit and the units below it (a member, a meeting, a transfer
    /// … is about the unit it belongs to).
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Only the entries of this account (its username).
    pub user: Option<String>,
    /// Only the entries about this kind of record (`meeting`, `member`, `unit`, …).
    pub entity: Option<String>,
    /// Only the entries from and to these days of Vietnam (`YYYY-MM-DD`).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The audit log, newest first (administrators), filtered by unit, account, kind of record and
/// days; each entry with its action and kind in Vietnamese words.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditLog), (status = 404, body = ErrorBody)))]
pub async fn audit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditLog>, ApiError> {
    Ok(Json(
        audit::list(
            &s.app,
            &a.admin()?,
            q.limit.map_or(100, |l| l.get_u64()),
            q.before.map(|b| b.get()),
            &audit::AuditFilter {
                unit_id: q.unit_id,
                username: q.user,
                entity: q.entity,
                from: q.from,
                to: q.to,
            },
        )
        .await?,
    ))
}
