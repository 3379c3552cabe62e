//! Who is asking: a session cookie (pages and API) or a bearer token (API).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chibo_app::access::auth;
use chibo_app::{Actor, AppError};

use crate::error::{ApiError, PageError};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "chibo_session";

pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    cookie_in(&parts.headers, name)
}

/// The value of the cookie `name` among the request's headers.
pub fn cookie_in(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
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

/// The signed-in user of a page; a visitor is sent to the login page, which brings them back
/// to the page they asked for (a check-in link scanned while logged out keeps its code).
pub struct PageUser(pub Actor);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match actor_of(parts, state).await {
            Ok(Some(a)) => Ok(PageUser(a)),
            Ok(None) => Err(crate::render::see_other(&login_url(parts))),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

/// `/login`, with `next` the page asked for when it is a plain page read (not a form post, not
/// a fragment, not the home page).
fn login_url(parts: &Parts) -> String {
    let asked = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let fragment = parts.headers.contains_key("hx-request");
    if parts.method != axum::http::Method::GET || fragment || safe_next(asked).is_none() {
        return "/login".into();
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("next", asked);
    format!("/login?{}", q.finish())
}

/// `next` when it is a path on this site to return to after login: one leading `/` (not `//`,
/// another host), no backslash or scheme, visible ASCII only; never the home page itself.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && next != "/"
        && !next.contains('\\')
        && !next.contains("://")
        && next.bytes().all(|b| (0x21..=0x7e).contains(&b));
    ok.then_some(next)
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
