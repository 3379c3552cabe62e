//! Issue 13, the phone on a slow connection: pages, styles and scripts travel gzipped to a
//! browser that accepts it; the files users download (XLSX, DOCX) go as they are, being
//! compressed already.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The `Content-Encoding` of `path` asked with `Accept-Encoding: gzip`, and the bytes sent.
async fn encoded(t: &TestApp, path: &str, cookie: &str) -> (String, Vec<u8>) {
    let req = Request::get(path)
        .header(header::HOST, "localhost")
        .header(header::ACCEPT_ENCODING, "gzip")
        .header(header::COOKIE, format!("chibo_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    let res = t.router.clone().oneshot(req).await.unwrap();
    let encoding = res
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (encoding, bytes)
}

#[tokio::test]
async fn pages_travel_gzipped_and_downloads_as_they_are() {
    let t = TestApp::new().await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    for path in [
        format!("/units/{cell}"),
        "/static/htmx.min.js".to_string(),
        "/static/app.css".to_string(),
    ] {
        let plain = t.get(&path, Auth::Cookie(&cookie)).await.body.len();
        let (encoding, bytes) = encoded(&t, &path, &cookie).await;
        assert_eq!(encoding, "gzip", "{path}");
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{path}: a gzip stream");
        assert!(
            bytes.len() * 2 < plain,
            "{path}: {} bytes gzipped of {plain}",
            bytes.len()
        );
    }
    let (encoding, bytes) = encoded(&t, "/dues/template.xlsx", &cookie).await;
    assert_eq!(encoding, "", "an XLSX is a zip already");
    assert_eq!(&bytes[..2], b"PK");
}
