//! CSRF protection by origin check (with SameSite cookies) and security headers.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::extract::session::SESSION_COOKIE;

/// A state-changing request must come from our own pages: `Origin` matches `Host`, or the
/// browser says `Sec-Fetch-Site: same-origin`. Bearer-token API calls without a session
/// cookie cannot be forged by a browser and pass.
pub async fn csrf(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || !needs_check(&req) || same_origin(&req) {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    let msg = "Yêu cầu bị từ chối vì không xuất phát từ trang của chibo (chống giả mạo yêu cầu).";
    if api {
        let body = serde_json::json!({"error": {"code": "csrf", "message": msg, "fields": []}});
        (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
    } else {
        (StatusCode::FORBIDDEN, axum::response::Html(format!("<!doctype html><meta charset=utf-8><title>Từ chối</title><p>{msg}</p><p><a href=\"/\">Về trang chủ</a></p>"))).into_response()
    }
}

fn needs_check(req: &Request) -> bool {
    let has_cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(SESSION_COOKIE));
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    // A request with a bearer token is signed by it (a session cookie beside it is not read),
    // and a page of another site cannot attach `Authorization` to a request it forges. Without
    // a session cookie the browser attaches no credentials, so an API call cannot be forged;
    // the login form (no cookie yet) is still checked against login CSRF.
    let api = req.uri().path().starts_with("/api/");
    !bearer && (has_cookie || !api)
}

fn same_origin(req: &Request) -> bool {
    let h = req.headers();
    if h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin") {
        return true;
    }
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some(o), Some(host)) => o
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        _ => false,
    }
}

/// The headers of every response. `hsts`: the server is reached over HTTPS (its cookies are
/// `Secure`), so browsers are told to come back only over HTTPS for a year.
pub async fn headers(hsts: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    if hsts {
        set(
            h,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    res
}
