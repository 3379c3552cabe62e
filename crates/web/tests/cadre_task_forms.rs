//! Issue 13, defect 1 on the breakthrough tasks' page: a refused task or update comes back as
//! typed, the officer still chosen, each error beside its field; a saved one is confirmed.
//! Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;

#[tokio::test]
async fn a_refused_cadre_task_keeps_what_was_typed() {
    let t = TestApp::new().await;
    let cookie = t.login("xaphulam").await;
    let committee = t.token("xaphulam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let secretary = t.member_id("bithu.dongtam").await;
    let year = chrono::Datelike::year(&chibo_app::App::today());
    let today = chibo_app::App::today();

    // No task, and a due date before the year it is given for.
    let r = t
        .post_form(
            &format!("/units/{commune}/cadre-tasks"),
            Auth::Cookie(&cookie),
            &format!(
                "member_id={secretary}&year={}&task=&due_on={today}",
                year + 1
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, "id=\"cadre-task-form\"", "</form>");
    assert!(
        form.contains(&format!("value=\"{secretary}\" selected")),
        "the officer stays chosen: {form}"
    );
    assert!(form.contains(&format!("value=\"{}\"", year + 1)), "{form}");
    assert!(form.matches("class=\"bad\"").count() >= 2, "{form}");

    // Given, then an update to "done" without its evidence.
    let r = t
        .post_form(
            &format!("/units/{commune}/cadre-tasks"),
            Auth::Cookie(&cookie),
            &format!(
                "member_id={secretary}&year={year}&task=X%C3%A2y+d%E1%BB%B1ng+m%C3%B4+h%C3%ACnh&due_on={today}"
            ),
        )
        .await;
    assert!(r.location().contains("da-luu=1"), "{}", r.body);
    let page = t.get(r.location(), Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("id=\"saved\""));
    let list = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/units/{commune}/cadre-tasks"),
            &committee,
            serde_json::Value::Null,
        )
        .await);
    let id = list["tasks"][0]["id"].as_i64().unwrap();
    let r = t
        .post_form(
            &format!("/cadre-tasks/{id}"),
            Auth::Cookie(&cookie),
            &format!("status=done&done_on={today}&evidence="),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let update = section(&r.body, &format!("id=\"update-{id}\""), "</form>");
    assert!(update.contains("value=\"done\" selected"), "{update}");
    assert!(
        update.contains(&format!("name=\"nam\" value=\"{year}\"")),
        "the update comes back on the year it was on: {update}"
    );
    assert!(update.contains("class=\"bad\""), "{update}");
    assert!(r.body.contains("minh chứng"));
}
