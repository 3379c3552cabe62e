//! Issue 14, point 3: calendars. A member's and a cell's feed at a secret address that
//! calendar apps fetch without a session, parsed here by an iCalendar parser (the `ical`
//! crate; `scripts/ical-check` reads the same feed with Python's `icalendar`); a meeting's
//! `.ics`. The address works while the account may read what it lists, and stops when made
//! again or turned off. Runs on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use serde_json::json;

/// The events of a calendar file: (UID, STATUS, SUMMARY, DESCRIPTION, DTSTART).
fn events(text: &str) -> Vec<[String; 5]> {
    let mut reader = ical::IcalParser::new(text.as_bytes());
    let cal = reader.next().expect("a calendar").expect("valid iCalendar");
    cal.events
        .iter()
        .map(|e| {
            let get = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            [
                get("UID"),
                get("STATUS"),
                get("SUMMARY"),
                get("DESCRIPTION"),
                get("DTSTART"),
            ]
        })
        .collect()
}

fn uid(id: i64) -> String {
    format!("meeting-{id}@chibo")
}

/// The feed's path on the server, from the address a page or the API showed.
fn path_of(address: &str) -> String {
    let at = address.find("/lich/").expect("a feed address");
    address[at..].to_string()
}

#[tokio::test]
async fn a_cells_feed_lists_its_announced_meetings_until_it_is_made_again() {
    let t = TestApp::new().await;
    let sec = t.login("bithu.dongtam").await;
    let token = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let soon = chibo_app::App::today() + chrono::Duration::days(12);
    let announced = published(&t, &token, cell, soon).await;
    let draft = schedule(
        &t,
        &token,
        cell,
        json!({"kind": "thematic", "topic": "Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "meeting_date": (soon + chrono::Duration::days(3)).to_string(), "start_time": "08:00", "place": "Hội trường thôn"}),
    )
    .await;
    let cancelled = published(&t, &token, cell, soon + chrono::Duration::days(5)).await;
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{cancelled}/cancel"),
            &token,
            json!({"reason": "Trùng lịch bầu cử trưởng thôn"}),
        )
        .await);

    // The page makes the address and shows it once.
    let page = t
        .post_form(&format!("/units/{cell}/calendar"), Auth::Cookie(&sec), "")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let address = section(&page.body, "id=\"feed-address\" value=\"", "\"").to_string();
    assert!(address.starts_with("http://chibo.test/lich/"), "{address}");
    let again = t
        .get(&format!("/units/{cell}/calendar"), Auth::Cookie(&sec))
        .await;
    assert!(!again.body.contains(&address), "shown once only");
    assert!(again.body.contains("Lịch đang bật"), "{}", again.body);

    // A calendar app fetches it with no session.
    let feed = t.get(&path_of(&address), Auth::None).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    let got = events(&feed.body);
    let find = |id: i64| got.iter().find(|e| e[0] == uid(id));
    let e = find(announced).expect("the announced meeting");
    assert_eq!(e[1], "CONFIRMED");
    assert!(e[2].contains("Chi bộ thôn Đồng Tâm"), "{:?}", e);
    assert!(
        e[3].contains("Nội dung: Kiểm điểm tháng\\, nhiệm vụ tháng tới"),
        "{:?}",
        e
    );
    assert!(e[3].contains(&format!("http://chibo.test/meetings/{announced}")));
    // 19:30 in Việt Nam is 12:30 UTC.
    assert_eq!(e[4], format!("{}T123000Z", soon.format("%Y%m%d")));
    let c = find(cancelled).expect("the cancelled meeting, as cancelled");
    assert_eq!(c[1], "CANCELLED");
    assert!(c[3].contains("Trùng lịch bầu cử trưởng thôn"), "{:?}", c);
    assert!(
        find(draft).is_none(),
        "a meeting not announced is not in a feed"
    );

    // Made again: the old address stops working, the new one works.
    let made = t
        .api(
            Method::POST,
            &format!("/api/v1/units/{cell}/calendar"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let second = made.json()["url"].as_str().unwrap().to_string();
    assert_eq!(
        t.get(&path_of(&address), Auth::None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&path_of(&second), Auth::None).await.status,
        StatusCode::OK
    );

    // Turned off from the page: gone, and the page says so.
    let r = t
        .post_form(
            &format!("/units/{cell}/calendar/stop"),
            Auth::Cookie(&sec),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        t.get(&path_of(&second), Auth::None).await.status,
        StatusCode::NOT_FOUND
    );
    let page = t.get(r.location(), Auth::Cookie(&sec)).await;
    assert!(page.body.contains("Chưa có địa chỉ lịch."), "{}", page.body);
    // Turning off what is off is refused in words.
    let r = t
        .post_form(
            &format!("/units/{cell}/calendar/stop"),
            Auth::Cookie(&sec),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Chưa có địa chỉ lịch nào để tắt."),
        "{}",
        r.body
    );

    // The audit log names who made and turned off the cell's feed.
    let admin = t.token("admin").await;
    let log = ok(&t
        .api(Method::GET, "/api/v1/audit?per_page=20", &admin, json!({}))
        .await);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"unit.calendar") && actions.contains(&"unit.calendar_stop"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_members_feed_is_their_own_and_ends_with_their_account() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let member = t.token("dangvien.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let soon = chibo_app::App::today() + chrono::Duration::days(9);
    let own = published(&t, &sec, cell, soon).await;
    // Another cell's meeting, announced: not in this member's feed.
    let admin = t.token("admin").await;
    let other_cell = t.unit_id("Chi bộ thôn Bản Nà").await;
    let other = published(&t, &admin, other_cell, soon).await;

    // A member does not manage the cell: no cell feed for them.
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/units/{cell}/calendar"),
            &member,
            json!({}),
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{} {}",
        r.status,
        r.body
    );
    assert!(
        r.json()["error"]["message"].as_str().is_some(),
        "{}",
        r.body
    );

    let made = t
        .api(Method::POST, "/api/v1/me/calendar", &member, json!({}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let url = made.json()["url"].as_str().unwrap().to_string();
    let state = ok(&t
        .api(Method::GET, "/api/v1/me/calendar", &member, json!({}))
        .await);
    assert!(
        state["created_at"].is_string() && state["url"].is_null(),
        "{state}"
    );

    let got = events(&t.get(&path_of(&url), Auth::None).await.body);
    assert!(got.iter().any(|e| e[0] == uid(own)), "{got:?}");
    assert!(!got.iter().any(|e| e[0] == uid(other)), "{got:?}");

    // One meeting's file, downloaded by the member.
    let one = t
        .get(&format!("/meetings/{own}/lich.ics"), Auth::Bearer(&member))
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert!(
        one.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(&format!("sinh-hoat-{own}.ics"))
    );
    assert_eq!(events(&one.body).len(), 1);
    // Another cell's meeting is not theirs to download.
    let r = t
        .api(
            Method::GET,
            &format!("/api/v1/meetings/{other}/ics"),
            &member,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The account disabled: its feed answers nothing.
    let uid_of_member = t.actor("dangvien.dongtam").await.user_id().get();
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/users/{uid_of_member}/active"),
            &admin,
            json!({"is_active": false}),
        )
        .await);
    assert_eq!(
        t.get(&path_of(&url), Auth::None).await.status,
        StatusCode::NOT_FOUND
    );

    // An address that is not one is not looked up.
    for bad in ["/lich/abc.ics", "/lich/..%2F..%2Fetc.ics"] {
        assert_eq!(
            t.get(bad, Auth::None).await.status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
}
