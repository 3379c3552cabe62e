//! HTTP: server-rendered Vietnamese pages and the JSON API under `/api/v1`, over one [`App`].

pub mod accounts;
pub mod admissions;
pub mod api;
pub mod badges;
pub mod calendar;
pub mod dues;
pub mod error;
pub mod exemptions;
pub mod extract;
pub mod fmt;
pub mod import;
pub mod kept;
pub mod meetings;
pub mod members;
pub mod notices;
pub mod pages;
pub mod programmes;
pub mod render;
pub mod reports;
pub mod reviews;
pub mod rules;
pub mod saved;
pub mod security;
pub mod state;
pub mod transfers;
pub mod typed;
pub mod units;
pub mod upload;

use axum::Router;
use chibo_app::App;

pub use error::{ApiError, PageError};
pub use state::{AppState, WebConfig};

/// The whole service: pages, API, static files, with CSRF and security headers.
pub fn router(app: App, web: WebConfig) -> Router {
    let memo = app.memo.clone();
    let kept = std::sync::Arc::new(kept::KeptPages::new(std::time::Duration::from_secs(
        app.config.actor_memo_seconds,
    )));
    let hsts = web.secure_cookies;
    let state = AppState { app, web, kept };
    let (api_router, _) = api::router().split_for_parts();
    pages::router()
        .merge(api_router)
        // After the merge, so the API's routes answer a wrong method in JSON too.
        .method_not_allowed_fallback(pages::method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            memo,
            forget_after_writes,
        ))
        .layer(axum::middleware::from_fn(saved::confirm_saves))
        .layer(axum::middleware::from_fn(security::csrf))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::headers(hsts, req, next)
        }))
        .layer(compression())
}

/// Pages, styles, scripts and JSON gzipped for a phone on a slow connection (a secretary's
/// meeting page of 65 KB arrives in about 10); the files users download (DOCX, XLSX, PDF,
/// images) are compressed already and go as they are.
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    let predicate = DefaultPredicate::new()
        .and(NotForContentType::const_new("application/vnd."))
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/zip"));
    tower_http::compression::CompressionLayer::new().compress_when(predicate)
}

/// Once a request that may change something has been handled (its transaction committed), no
/// actor read before it is served from memory again: a grant, a password or a logout takes
/// effect on the next request, whichever use case wrote it (see `chibo_app::memo`).
async fn forget_after_writes(
    axum::extract::State(memo): axum::extract::State<std::sync::Arc<chibo_app::memo::Memo>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let write = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let res = next.run(req).await;
    if write {
        memo.forget_actors();
    }
    res
}
