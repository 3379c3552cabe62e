//! Who is asking: a session cookie (pages and API) or a bearer token (API).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use chibo_app::access::auth;
use chibo_app::{Actor, AppError};

use crate::error::{ApiError, PageError};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "chibo_session";

pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|s| s.trim().to_string())
}

pub async fn actor_of(parts: &Parts, state: &AppState) -> Result<Option<Actor>, AppError> {
    if let Some(t) = bearer(parts) {
        return auth::actor_from_token(&state.app, &t).await;
    }
    match cookie_value(parts, SESSION_COOKIE) {
        Some(s) => auth::actor_from_session(&state.app, &s).await,
        None => Ok(None),
    }
}

/// The signed-in user of a page; a visitor is sent to the login page.
pub struct PageUser(pub Actor);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        actor_of(parts, state)
            .await?
            .map(PageUser)
            .ok_or(PageError(AppError::Unauthenticated))
    }
}

impl OptionalFromRequestParts<AppState> for PageUser {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(actor_of(parts, state).await?.map(PageUser))
    }
}

/// The caller of an API endpoint; 401 with a JSON body when there is none.
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        actor_of(parts, state)
            .await?
            .map(ApiUser)
            .ok_or(ApiError(AppError::Unauthenticated))
    }
}

/// The client's address for throttling: the socket peer, or the first `X-Forwarded-For` hop
/// when the operator says a proxy sets it (`CHIBO_TRUST_PROXY=1`).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if std::env::var("CHIBO_TRUST_PROXY").is_ok_and(|v| v == "1")
            && let Some(ip) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
        {
            return Ok(ClientIp(ip.trim().to_string()));
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientIp(peer.unwrap_or_else(|| "local".into())))
    }
}

pub fn session_cookie(secret: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}
