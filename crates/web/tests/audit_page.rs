//! The audit log's page and API (issue 13): actions and kinds in Vietnamese words, filtered by
//! account, kind of record and days, the filter carried from page to page, a filter naming
//! nothing refused in words. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::Value;

#[tokio::test]
async fn the_log_is_read_in_vietnamese_and_filtered() {
    let t = TestApp::new().await;
    let admin = t.token("admin").await;
    let api = |q: &'static str| {
        let (t, admin) = (&t, &admin);
        async move {
            t.api(
                Method::GET,
                &format!("/api/v1/audit{q}"),
                admin,
                Value::Null,
            )
            .await
        }
    };
    let units = ok(&api("?entity=unit&limit=500").await);
    let items = units["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|e| e["entity"] == "unit" && e["entity_label"] == "Tổ chức đảng")
    );
    assert!(
        items
            .iter()
            .any(|e| e["action_label"] == "Sáp nhập tổ chức đảng"),
        "{items:?}"
    );
    let r = api("?entity=bi-mat").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "entity");
    let r = api("?from=2026-13-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "from");

    let cookie = t.login("admin").await;
    let page = t
        .get("/admin/audit?loai=unit&nguoi=admin", Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let list = section(&page.body, "id=\"audit-list\"", "</table>");
    assert!(list.contains("Sáp nhập tổ chức đảng"), "{list}");
    assert!(
        !list.contains("Buổi sinh hoạt"),
        "only the kind asked: {list}"
    );
    let form = section(&page.body, "id=\"audit-filter\"", "</form>");
    assert!(
        form.contains("value=\"unit\" selected") && form.contains("value=\"admin\""),
        "{form}"
    );
    // An older page links back to the newest with the same filter.
    let older = t
        .get(
            "/admin/audit?before=999999999&loai=unit",
            Auth::Cookie(&cookie),
        )
        .await;
    assert!(
        older.body.contains("href=\"/admin/audit?loai=unit\""),
        "{}",
        older.body
    );
    // A filter naming nobody is refused in words, the filter kept.
    let r = t
        .get("/admin/audit?nguoi=khong-co-ai", Auth::Cookie(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Không có tài khoản «khong-co-ai».")
            && r.body.contains("value=\"khong-co-ai\"")
    );
    // Not for anyone but the administrators.
    let board = t.login("bantochuc").await;
    let r = t.get("/admin/audit", Auth::Cookie(&board)).await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
}
