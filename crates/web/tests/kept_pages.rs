//! The pages every member opens are kept until the next write (`chibo_web::kept`): served again
//! while nothing changed, never after a write, and never to another user. Runs on SQLite and
//! on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_store::entities::meeting;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use common::*;
use serde_json::json;

/// Changes a meeting's topic behind the service's back, as another process would.
async fn retitle_behind_its_back(t: &TestApp, id: i64, topic: &str) {
    meeting::Entity::update_many()
        .col_expr(meeting::Column::Topic, Expr::value(topic))
        .filter(meeting::Column::Id.eq(id))
        .exec(&t.app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_kept_page_is_served_again_until_a_write_and_only_to_its_user() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let id = published(
        &t,
        &sec,
        cell,
        chibo_app::App::today() + chrono::Duration::days(3),
    )
    .await;
    let member = t.login("dangvien.dongtam").await;
    let secretary = t.login("bithu.dongtam").await;
    let page = format!("/meetings/{id}");

    let first = t.get(&page, Auth::Cookie(&member)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("Kiểm điểm tháng"), "{}", first.body);
    // The secretary's page at the same address is their own: the attendance sheet.
    let officers = t.get(&page, Auth::Cookie(&secretary)).await;
    assert!(
        officers.body.contains("id=\"attendance-form\""),
        "{}",
        officers.body
    );
    assert!(!officers.body.contains("id=\"mine\""));
    assert!(first.body.contains("id=\"mine\"") && !first.body.contains("id=\"attendance-form\""));

    // Nothing written through the service: the member is served the kept page.
    retitle_behind_its_back(&t, id, "Chuyên đề học tập và làm theo Bác").await;
    let again = t.get(&page, Auth::Cookie(&member)).await;
    assert_eq!(again.body, first.body);
    let mine = t
        .get(
            "/api/v1/me/meetings",
            Auth::Bearer(&t.token("dangvien.dongtam").await),
        )
        .await;
    assert!(
        mine.body.contains("Chuyên đề học tập"),
        "read for the first time: {}",
        mine.body
    );

    // Any write through the service ends what was kept: here the secretary invites a guest.
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/guests"),
            &sec,
            json!({"full_name": "Trần Văn Khách", "title": "Ủy viên Ban Thường vụ Đảng ủy xã"}),
        )
        .await);
    let after = t.get(&page, Auth::Cookie(&member)).await;
    assert!(after.body.contains("Chuyên đề học tập"), "{}", after.body);
}

#[tokio::test]
async fn a_member_sees_a_newly_published_meeting_at_once() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let member = t.token("dangvien.dongtam").await;
    let cookie = t.login("dangvien.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let before = ok(&t.get("/api/v1/me/meetings", Auth::Bearer(&member)).await);
    let home = t.get("/", Auth::Cookie(&cookie)).await;
    let date = chibo_app::App::today() + chrono::Duration::days(9);
    let id = published(&t, &sec, cell, date).await;
    let after = ok(&t.get("/api/v1/me/meetings", Auth::Bearer(&member)).await);
    assert_eq!(
        after.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 1
    );
    let link = format!("/meetings/{id}\"");
    assert!(!home.body.contains(&link));
    let home = t.get("/", Auth::Cookie(&cookie)).await;
    assert!(home.body.contains(&link), "{}", home.body);
}
