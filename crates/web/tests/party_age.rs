//! Party age with its gaps (issue 12, defect 9; Điều lệ Đảng, Điều 6; domain.md §3): periods
//! of removal, expulsion, lost contact and gaps between cells are deducted. Lost contact is a
//! status with its dates; periods from before the member joined this cell (an imported
//! re-admitted member's old gap) are entered by hand; no day is deducted twice.
//! Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::Method;
use chrono::{Duration, NaiveDate};
use common::*;
use serde_json::json;

#[tokio::test]
async fn gaps_entered_and_lost_contact_are_deducted_once() {
    let t = TestApp::new().await;
    let secretary = t.token("bithu.dongtam").await;
    let member = t.token("dangvien.dongtam").await;
    let id = t.member_id("dangvien.dongtam").await;
    let path = format!("/api/v1/members/{id}/gaps");
    let m = ok(&t
        .get(&format!("/api/v1/members/{id}"), Auth::Bearer(&secretary))
        .await);
    let admitted: NaiveDate = m["admission_date"].as_str().unwrap().parse().unwrap();
    let before = m["party_age"]["gap_days"].as_i64().unwrap();
    let at = |d: i64| (admitted + Duration::days(d)).to_string();

    // Two old periods: a removal before re-admission and a gap between two cells.
    let set = |token: &str, gaps: serde_json::Value| {
        let (token, path, t) = (token.to_string(), path.clone(), &t);
        async move {
            t.api(Method::PUT, &path, &token, json!({ "gaps": gaps }))
                .await
        }
    };
    let two = json!([
        {"kind": "removed", "from": at(100), "to": at(200), "note": "Xóa tên, kết nạp lại năm sau"},
        {"kind": "transfer", "from": at(400), "to": at(430), "note": ""}
    ]);
    let r = ok(&set(&secretary, two.clone()).await);
    assert_eq!(r["party_age"]["gap_days"].as_i64().unwrap(), before + 130);
    assert_eq!(r["recorded_gaps"].as_array().unwrap().len(), 2);
    assert_eq!(
        r["recorded_gaps"][1]["kind_label"],
        "Gián đoạn khi chuyển sinh hoạt"
    );

    // The member may read it but not change it.
    assert!(!set(&member, json!([])).await.status.is_success());

    // Lost contact is a status with its dates: deducted while it lasts...
    let event = |kind: &str, on: String| {
        let (t, secretary) = (&t, secretary.clone());
        let body = json!({"kind": kind, "effective_on": on, "reason": "Chi bộ xác minh"});
        async move {
            t.api(
                Method::POST,
                &format!("/api/v1/members/{id}/events"),
                &secretary,
                body,
            )
            .await
        }
    };
    let r = ok(&event("lost_contact", day(-20)).await);
    assert_eq!(r["status"], "lost_contact");
    assert_eq!(r["party_age"]["gap_days"].as_i64().unwrap(), before + 150);
    // ...and up to the day contact was restored.
    let r = ok(&event("contact_restored", day(-5)).await);
    assert_eq!(r["status"], "active");
    assert_eq!(r["party_age"]["gap_days"].as_i64().unwrap(), before + 145);

    // A period entered over the lost-contact one would count days twice: refused, nothing
    // written.
    let mut overlapping = two.as_array().unwrap().clone();
    overlapping.push(json!({"kind": "lost_contact", "from": day(-30), "to": day(-10)}));
    let msg = refused(&set(&secretary, json!(overlapping)).await);
    assert!(msg.contains("trùng"), "{msg}");
    // Two entered periods over each other, one before admission, an end before the start and
    // an end in the future: each refused with its line.
    for (gap, expect) in [
        (
            json!([{"kind": "removed", "from": at(10), "to": at(50)}, {"kind": "removed", "from": at(40), "to": at(60)}]),
            "trùng với dòng 1",
        ),
        (
            json!([{"kind": "removed", "from": at(-10), "to": at(50)}]),
            "ngày vào Đảng",
        ),
        (
            json!([{"kind": "removed", "from": at(50), "to": at(50)}]),
            "sau ngày bắt đầu",
        ),
        (
            json!([{"kind": "removed", "from": day(-3), "to": day(3)}]),
            "ngày hôm nay",
        ),
        (
            json!([{"kind": "vacation", "from": at(10), "to": at(50)}]),
            "lý do",
        ),
    ] {
        let msg = refused(&set(&secretary, gap).await);
        assert!(msg.contains(expect), "{expect}: {msg}");
    }
    let r = ok(&t
        .get(&format!("/api/v1/members/{id}"), Auth::Bearer(&secretary))
        .await);
    assert_eq!(r["party_age"]["gap_days"].as_i64().unwrap(), before + 145);

    // The page lists them, removes one and adds one.
    let cookie = t.login("bithu.dongtam").await;
    let page = t
        .get(&format!("/members/{id}"), Auth::Cookie(&cookie))
        .await;
    assert!(
        page.body.contains("Thời gian không tính tuổi đảng"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Xóa tên, kết nạp lại năm sau"));
    let r = t
        .post_form(
            &format!("/members/{id}/gaps/remove"),
            Auth::Cookie(&cookie),
            "index=1",
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let form = format!(
        "kind=lost_contact&from={}&to={}&note=M%E1%BA%A5t+li%C3%AAn+l%E1%BA%A1c",
        at(500),
        at(510)
    );
    let r = t
        .post_form(&format!("/members/{id}/gaps"), Auth::Cookie(&cookie), &form)
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let r = ok(&t
        .get(&format!("/api/v1/members/{id}"), Auth::Bearer(&secretary))
        .await);
    assert_eq!(
        r["party_age"]["gap_days"].as_i64().unwrap(),
        before + 100 + 15 + 10
    );
    let bad = format!("kind=removed&from={}&to={}", at(505), at(520));
    let r = t
        .post_form(&format!("/members/{id}/gaps"), Auth::Cookie(&cookie), &bad)
        .await;
    assert!(r.body.contains("trùng với dòng 2"), "{}", r.body);
}
