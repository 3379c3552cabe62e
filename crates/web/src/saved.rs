//! The confirmation after a save, for every page form: a form that saved answers with a
//! redirect (303) to the page that shows the result; that redirect gains `da-luu=1` unless it
//! already names what was saved (`da-luu=<change>`), and a page asked with `da-luu` says so in
//! its frame ("Đã lưu thay đổi.", `Nav::saved`), unless its template says more in its own
//! words (`{% block saved %}`). Logging in and out are not saves.

use axum::extract::Request;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    /// Whether the page being answered follows a save: read by `Nav::of`, which every page
    /// frame is drawn with, inside the request's own task.
    static SAVED: bool;
}

/// Whether the page being drawn follows a save (false outside a request).
pub fn follows_a_save() -> bool {
    SAVED.try_with(|s| *s).unwrap_or(false)
}

pub async fn confirm_saves(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let page = !path.starts_with("/api/");
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let signs_in_or_out = path == "/login" || path == "/login/code" || path == "/logout";
    let saved = page && reads && req.uri().query().is_some_and(names_a_save);
    let confirm = page && !reads && !signs_in_or_out;
    let mut res = SAVED.scope(saved, next.run(req)).await;
    if confirm && res.status() == StatusCode::SEE_OTHER {
        let to = res.headers().get(LOCATION).and_then(|v| v.to_str().ok());
        if let Some(v) = to
            .and_then(confirmed)
            .and_then(|l| HeaderValue::from_str(&l).ok())
        {
            res.headers_mut().insert(LOCATION, v);
        }
    }
    res
}

/// Whether a query has `da-luu` (any value).
fn names_a_save(query: &str) -> bool {
    query
        .split('&')
        .any(|p| p == "da-luu" || p.starts_with("da-luu="))
}

/// A local redirect with `da-luu=1` added to its query (before any `#anchor`), or none when it
/// already has one or leads to the login page (a password changed ends the session).
pub fn confirmed(location: &str) -> Option<String> {
    if !location.starts_with('/') || location.starts_with("//") || location.starts_with("/login") {
        return None;
    }
    let (path, anchor) = match location.split_once('#') {
        Some((p, a)) => (p, format!("#{a}")),
        None => (location, String::new()),
    };
    if path.split_once('?').is_some_and(|(_, q)| names_a_save(q)) {
        return None;
    }
    let join = if path.contains('?') { '&' } else { '?' };
    Some(format!("{path}{join}da-luu=1{anchor}"))
}

#[cfg(test)]
mod tests {
    use super::confirmed;

    #[test]
    fn a_redirect_gains_its_confirmation_once() {
        assert_eq!(
            confirmed("/members/3").as_deref(),
            Some("/members/3?da-luu=1")
        );
        assert_eq!(
            confirmed("/units/4/transfers?qua-han=1#t").as_deref(),
            Some("/units/4/transfers?qua-han=1&da-luu=1#t")
        );
        assert_eq!(confirmed("/units/4?da-luu=merge"), None);
        assert_eq!(confirmed("/login"), None);
        assert_eq!(confirmed("//elsewhere.example"), None);
        assert_eq!(confirmed("https://elsewhere.example/"), None);
    }
}
