//! Issue 13: the meeting page in three steps (before, during, after the meeting), the one the
//! meeting is at open and the others folded, with the next thing to do on top for the
//! secretary; a save or a refused form opens the step it belongs to. Runs on SQLite and on
//! PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::App;
use chrono::Duration;
use common::*;
use serde_json::json;

/// The step shown open, and the next thing to do (its anchor), as the page says.
fn shown(body: &str) -> (Vec<&'static str>, Option<String>) {
    let open = ["before", "during", "after"]
        .into_iter()
        .filter(|p| body.contains(&format!("id=\"phase-{p}\" open")))
        .collect();
    let next = body.split_once("id=\"next-step\"").map(|(_, rest)| {
        section(rest, "href=\"", "\"")
            .trim_start_matches("href=\"")
            .to_string()
    });
    (open, next)
}

#[tokio::test]
async fn the_page_opens_at_the_step_the_meeting_is_at() {
    let t = TestApp::new().await;
    let token = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let page = |id: i64| {
        let (t, cookie) = (&t, &cookie);
        async move {
            let r = t
                .get(&format!("/meetings/{id}"), Auth::Cookie(cookie))
                .await;
            assert_eq!(r.status, StatusCode::OK);
            r.body
        }
    };

    // Scheduled, not announced: announce it.
    let planned = schedule(
        &t,
        &token,
        cell,
        json!({"kind": "regular", "topic": "Tháng tới", "meeting_date": (App::today() + Duration::days(20)).to_string(),
               "start_time": "19:30", "place": "Nhà văn hóa"}),
    )
    .await;
    assert_eq!(
        shown(&page(planned).await),
        (vec!["before"], Some("#publish".into()))
    );

    // Announced, without documents: post them; then the committee's preparatory meeting.
    let soon = published(&t, &token, cell, App::today() + Duration::days(6)).await;
    assert_eq!(
        shown(&page(soon).await),
        (vec!["before"], Some("#documents".into()))
    );
    let r = t
        .upload(
            &format!("/meetings/{soon}/files"),
            Auth::Cookie(&cookie),
            "de-cuong.txt",
            "Đề cương".as_bytes(),
        )
        .await;
    assert!(r.status.is_redirection(), "{}", r.body);
    assert_eq!(shown(&page(soon).await).1.as_deref(), Some("#preparation"));

    // Its day came and no one was marked: the attendance.
    let today = published(&t, &token, cell, App::today()).await;
    assert_eq!(
        shown(&page(today).await),
        (vec!["during"], Some("#attendance-form".into()))
    );

    // Held: the record first, then what remains.
    let (held, _) = hold(&t, &token, cell, App::today() - Duration::days(2), &[]).await;
    assert_eq!(
        shown(&page(held).await),
        (vec!["after"], Some("#record".into()))
    );

    // A refused sheet opens the step it is in; a save returns to its own.
    let r = t
        .post_form(
            &format!("/meetings/{held}/steps"),
            Auth::Cookie(&cookie),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(shown(&r.body).0, vec!["during"]);
    let r = t
        .get(
            &format!("/meetings/{held}?da-luu=documents#documents"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(shown(&r.body).0, vec!["before"]);

    // A member reads the same meeting without a next step of the secretary's.
    let member = t.login("dangvien.dongtam").await;
    let r = t
        .get(&format!("/meetings/{soon}"), Auth::Cookie(&member))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(shown(&r.body).1, None);

    // Cancelled: nothing left to do.
    let member_token = t.token("bithu.dongtam").await;
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{planned}/cancel"),
            &member_token,
            json!({"reason": "Trùng lịch họp xã"}),
        )
        .await);
    assert_eq!(shown(&page(planned).await).1, None);
}
