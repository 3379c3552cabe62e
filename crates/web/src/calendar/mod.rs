//! Calendars: the secret feed addresses of a member and of a cell, the feed itself (read by
//! calendar apps, without a session) and one meeting's `.ics`. The pages (`page`) and the API
//! (`api`) call the same use cases (`chibo_app::reach::calendar`).

pub mod api;
pub mod page;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chibo_app::reach::calendar::Feed;

/// A calendar file as an answer: `text/calendar`, downloaded as `file_name` when given (one
/// meeting), shown inline otherwise (a feed a calendar app subscribes to).
pub(crate) fn ics_response(feed: &Feed, file_name: Option<&str>) -> Response {
    let text = chibo_export::calendar::ics(&feed.name, &feed.events, chrono::Utc::now());
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    // Each request reads the meetings anew; nothing in between keeps a copy.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Some(name) = file_name
        && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
