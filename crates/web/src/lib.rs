//! HTTP: server-rendered Vietnamese pages and the JSON API under `/api/v1`, over one [`App`].

pub mod api;
pub mod error;
pub mod fmt;
pub mod pages;
pub mod query;
pub mod security;
pub mod session;
pub mod upload;

use axum::Router;
use chibo_app::App;

pub use error::{ApiError, PageError};

/// Settings of the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// The address members reach the server at (`https://chibo.example.vn`), used in the
    /// meetings' QR codes; without it the address the officer's browser used.
    pub public_url: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: WebConfig,
}

/// The whole service: pages, API, static files, with CSRF and security headers.
pub fn router(app: App, web: WebConfig) -> Router {
    let state = AppState { app, web };
    let (api_router, _) = api::router().split_for_parts();
    pages::router()
        .merge(api_router)
        .with_state(state)
        .layer(axum::middleware::from_fn(security::csrf))
        .layer(axum::middleware::from_fn(security::headers))
}
