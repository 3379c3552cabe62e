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
