//! A meeting's day through the real router (issue 13): cancelled or moved with the reason
//! the members see, on the meeting, the cell's list and the year's plan; a day already past or
//! a second regular meeting in the month confirmed first, in the API and on the pages, the
//! form keeping what was typed. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

/// Issue 13, defect 5: a meeting not yet held is cancelled with a reason the members see; a
/// cancelled or held meeting is not cancelled again.
#[tokio::test]
async fn a_meeting_is_cancelled_with_a_reason_members_see() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let day = chibo_app::App::today() + chrono::Duration::days(9);
    let id = published(&t, &sec, cell, day).await;
    let cancel = |reason: &'static str| {
        let (t, sec) = (&t, &sec);
        async move {
            t.api(
                Method::POST,
                &format!("/api/v1/meetings/{id}/cancel"),
                sec,
                json!({ "reason": reason }),
            )
            .await
        }
    };
    assert!(refused(&cancel(" ").await).contains("lý do hủy"));
    let member = t.token("dangvien.dongtam").await;
    let not_theirs = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/cancel"),
            &member,
            json!({"reason": "Bận"}),
        )
        .await;
    assert!(
        matches!(
            not_theirs.status,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        not_theirs.status
    );
    let v = ok(&cancel("Trùng lịch bầu cử đại biểu Quốc hội").await);
    assert_eq!(
        (v["status"].as_str(), v["cancelled_reason"].as_str()),
        (
            Some("cancelled"),
            Some("Trùng lịch bầu cử đại biểu Quốc hội")
        )
    );
    assert!(refused(&cancel("Lần nữa").await).contains("đã bị hủy"));
    // The member reads why on the meeting page; the cell's list and plan say so too.
    let member_cookie = t.login("dangvien.dongtam").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&member_cookie))
        .await;
    assert!(
        page.body
            .contains("Buổi sinh hoạt đã hủy. Lý do: Trùng lịch bầu cử đại biểu Quốc hội"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"cancel-form\""));
    let list = t
        .get(
            &format!("/units/{cell}/meetings"),
            Auth::Cookie(&member_cookie),
        )
        .await;
    assert!(
        list.body.contains("Đã hủy: Trùng lịch bầu cử"),
        "{}",
        list.body
    );
    let plan = t
        .get(
            &format!("/units/{cell}/plan?nam={}", chrono::Datelike::year(&day)),
            Auth::Cookie(&member_cookie),
        )
        .await;
    assert!(
        plan.body
            .contains("(đã hủy: Trùng lịch bầu cử đại biểu Quốc hội)"),
        "the reason shown in the plan: {}",
        plan.body
    );
    // Through the page: the secretary's form, then the confirmation.
    let sec_cookie = t.login("bithu.dongtam").await;
    let other = schedule(&t, &sec, cell, json!({"kind": "regular", "topic": "Họp bù", "meeting_date": (day + chrono::Duration::days(7)).to_string(), "start_time": "19:30", "place": "Nhà văn hóa"})).await;
    let page = t
        .get(&format!("/meetings/{other}"), Auth::Cookie(&sec_cookie))
        .await;
    assert!(page.body.contains("id=\"cancel-form\""));
    let r = t
        .post_form(
            &format!("/meetings/{other}/cancel"),
            Auth::Cookie(&sec_cookie),
            "reason=M%C6%B0a+b%C3%A3o",
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/meetings/{other}?da-luu=cancelled#cancelled")
    );
    let after = t.get(r.location(), Auth::Cookie(&sec_cookie)).await;
    assert!(
        after.body.contains("Đã hủy buổi sinh hoạt"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Lý do: Mưa bão"));
    assert!(!after.body.contains("id=\"cancel-form\""));
    // A draft never announced stays unseen by the members once cancelled.
    let member = t.token("dangvien.dongtam").await;
    let seen = |meeting: i64| {
        let (t, member) = (&t, &member);
        async move {
            t.get(&format!("/api/v1/meetings/{meeting}"), Auth::Bearer(member))
                .await
                .status
        }
    };
    assert_eq!(seen(other).await, StatusCode::NOT_FOUND);
    assert_eq!(seen(id).await, StatusCode::OK);
    // A meeting held (its attendance taken) is not cancelled.
    let today = chibo_app::App::today();
    let held = schedule(&t, &sec, cell, json!({"kind": "extraordinary", "topic": "Họp bất thường", "meeting_date": today.to_string(), "start_time": "07:00", "place": "Nhà văn hóa"})).await;
    let me = t.member_id("bithu.dongtam").await;
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{held}/attendance"),
            &sec,
            json!({"entries": [{"member_id": me, "presence": "present"}]}),
        )
        .await);
    let refused_held = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{held}/cancel"),
            &sec,
            json!({"reason": "Nhầm"}),
        )
        .await;
    assert!(refused(&refused_held).contains("đã diễn ra"));
}

/// Issue 13, defect 5: a meeting not yet held is moved to another day with the reason its
/// members see; a day already past is confirmed first, and the page keeps what was typed.
#[tokio::test]
async fn a_meeting_is_moved_with_a_reason_members_see() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let day = chibo_app::App::today() + chrono::Duration::days(9);
    let id = published(&t, &sec, cell, day).await;
    let later = day + chrono::Duration::days(2);
    let body = json!({"meeting_date": later.to_string(), "start_time": "08:00", "reason": "Trùng ngày bầu cử"});
    let v = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/postpone"),
            &sec,
            body,
        )
        .await);
    assert_eq!(v["meeting_date"], later.to_string());
    assert_eq!(v["postponed_from"], day.to_string());
    assert_eq!(v["postponed_reason"], "Trùng ngày bầu cử");
    // Into the past: refused on `confirm` until confirmed.
    let past = chibo_app::App::today() - chrono::Duration::days(3);
    let body =
        json!({"meeting_date": past.to_string(), "start_time": "08:00", "reason": "Họp sớm"});
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/postpone"),
            &sec,
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "confirm",
        "{}",
        r.body
    );

    // The member reads it on the meeting, the list and the plan.
    let member = t.login("dangvien.dongtam").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&member))
        .await;
    let moved = format!(
        "Buổi sinh hoạt đã dời từ ngày {} sang ngày {}, 08:00. Lý do: Trùng ngày bầu cử",
        day.format("%d/%m/%Y"),
        later.format("%d/%m/%Y")
    );
    assert!(page.body.contains(&moved), "{}", page.body);
    assert!(!page.body.contains("id=\"postpone-form\""));
    let list = t
        .get(&format!("/units/{cell}/meetings"), Auth::Cookie(&member))
        .await;
    let since = format!("(dời từ {}: Trùng ngày bầu cử)", day.format("%d/%m/%Y"));
    assert!(list.body.contains(&since), "{}", list.body);
    let plan = t
        .get(
            &format!("/units/{cell}/plan?nam={}", chrono::Datelike::year(&later)),
            Auth::Cookie(&member),
        )
        .await;
    assert!(
        plan.body.contains(&since),
        "the reason shown in the plan: {}",
        plan.body
    );

    // On the page: a past day comes back with the warning, the box to tick and the input.
    let cookie = t.login("bithu.dongtam").await;
    let form = format!("meeting_date={past}&start_time=07%3A15&reason=H%E1%BB%8Dp+s%E1%BB%9Bm");
    let r = t
        .post_form(
            &format!("/meetings/{id}/postpone"),
            Auth::Cookie(&cookie),
            &form,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kept = section(&r.body, "id=\"postpone-form\"", "</form>");
    assert!(kept.contains("id=\"postpone-confirm\""), "{kept}");
    assert!(
        kept.contains("value=\"07:15\"") && kept.contains("value=\"Họp sớm\""),
        "{kept}"
    );
    assert!(r.body.contains("đã qua"));
    let r = t
        .post_form(
            &format!("/meetings/{id}/postpone"),
            Auth::Cookie(&cookie),
            &format!("{form}&confirm=on"),
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/meetings/{id}?da-luu=postponed#postponed")
    );
    let after = t.get(r.location(), Auth::Cookie(&cookie)).await;
    assert!(
        after.body.contains("Đã dời buổi sinh hoạt"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Lý do: Họp sớm"));
}

/// A second regular meeting in a month is confirmed on the cell's page before it is made.
#[tokio::test]
async fn a_second_regular_meeting_in_a_month_is_confirmed_on_the_page() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let next = chibo_app::App::today() + chrono::Months::new(2);
    let first = chrono::NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&next),
        chrono::Datelike::month(&next),
        5,
    )
    .unwrap();
    schedule(&t, &sec, cell, json!({"kind": "regular", "topic": "Họp tháng", "meeting_date": first.to_string(), "start_time": "19:30", "place": "Nhà văn hóa"})).await;
    let cookie = t.login("bithu.dongtam").await;
    let second = first + chrono::Duration::days(10);
    let form = format!(
        "kind=regular&topic=H%E1%BB%8Dp+th%C3%AAm&meeting_date={second}&start_time=19%3A30&place=Nh%C3%A0+v%C4%83n+h%C3%B3a"
    );
    let r = t
        .post_form(
            &format!("/units/{cell}/meetings"),
            Auth::Cookie(&cookie),
            &form,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kept = section(&r.body, "id=\"schedule-form\"", "</form>");
    assert!(kept.contains("id=\"schedule-confirm\""), "{kept}");
    assert!(kept.contains("value=\"Họp thêm\""), "{kept}");
    assert!(r.body.contains("đã có buổi sinh hoạt thường kỳ"));
    let r = t
        .post_form(
            &format!("/units/{cell}/meetings"),
            Auth::Cookie(&cookie),
            &format!("{form}&confirm=on"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A form refused for another reason offers no box to tick.
    let r = t
        .post_form(
            &format!("/units/{cell}/meetings"),
            Auth::Cookie(&cookie),
            "kind=regular&topic=&meeting_date=2099-01-01&start_time=19%3A30&place=X",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("id=\"schedule-confirm\""));
}
