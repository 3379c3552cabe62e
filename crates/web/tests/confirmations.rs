//! Issue 13, defect 7: every save is confirmed. A page form that saved leads to a page that
//! says so (`crate::saved`): in the page's own words where it has them, else "Đã lưu thay đổi."
//! in the frame; logging out is not a save. Runs on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn every_save_is_confirmed_once() {
    let t = TestApp::new().await;
    let admin = t.login("admin").await;

    // A page without words of its own: the frame confirms.
    let r = t
        .post_form(
            "/admin/holidays",
            Auth::Cookie(&admin),
            "day=2031-05-02&name=Ngh%E1%BB%89+b%C3%B9&kind=off",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/admin/holidays?nam=2031&da-luu=1");
    let page = t.get(r.location(), Auth::Cookie(&admin)).await;
    assert!(page.body.contains("Đã lưu thay đổi."), "{}", page.body);
    assert_eq!(page.body.matches("id=\"saved\"").count(), 1);
    // Without it, nothing is said.
    let page = t
        .get("/admin/holidays?nam=2031", Auth::Cookie(&admin))
        .await;
    assert!(!page.body.contains("id=\"saved\""));

    // A page with its own words says them, once: the member's page after a position.
    let sec = t.login("bithu.dongtam").await;
    let member = t.member_id("dangvien.dongtam").await;
    let r = t
        .post_form(
            &format!("/members/{member}/positions"),
            Auth::Cookie(&sec),
            &format!("kind=committee_member&term_from={}", day(-1)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/members/{member}?da-luu=1"));
    let page = t.get(r.location(), Auth::Cookie(&sec)).await;
    assert_eq!(
        page.body.matches("id=\"saved\"").count(),
        1,
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Đã lưu thay đổi."),
        "its own words: {}",
        page.body
    );

    // A redirect that names its change keeps it; logging out is not a save.
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let month = (chibo_app::App::today() - chrono::Months::new(1))
        .format("%Y-%m")
        .to_string();
    let r = t
        .post_form(
            &format!("/units/{cell}/dues"),
            Auth::Cookie(&sec),
            &format!("month={month}&status_{member}=unpaid"),
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/units/{cell}/dues?thang={month}&da-luu=1")
    );
    let r = t.post_form("/logout", Auth::Cookie(&sec), "").await;
    assert_eq!(r.location(), "/login");
}
