//! What every handler is given: the application and the settings of the HTTP layer.

use chibo_app::App;

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
    /// Pages every member opens, kept until the next write (see [`crate::kept`]).
    pub kept: std::sync::Arc<crate::kept::KeptPages>,
}

impl AppState {
    /// The address members' phones and calendars reach this server at: the configured public
    /// address, or the one the user's browser used.
    pub fn public_base(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(u) = &self.web.public_url {
            return u.trim_end_matches('/').to_string();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = if self.web.secure_cookies {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    }
}
