//! The exemption workflow through the API and the pages: the member's request, the cell's
//! decision at a held meeting (attendance leaves the member out from then), the report to the
//! grassroots committee, revocation on request. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::access::auth;
use chibo_app::org::units;
use common::*;
use serde_json::{Value, json};

/// A meeting of the cell today, held (everyone on the sheet present).
async fn held_meeting(t: &TestApp, token: &str, cell: i64, kind: &str) -> Value {
    let m = ok(&t
        .api(Method::POST, &format!("/api/v1/units/{cell}/meetings"), token,
            json!({"kind": kind, "topic": "Sinh hoạt", "meeting_date": day(0), "start_time": "07:00", "place": "Nhà văn hóa"}))
        .await);
    let id = m["id"].as_i64().unwrap();
    let d = t.meeting(token, id).await;
    let entries: Vec<Value> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"member_id": r["member_id"], "presence": "present"}))
        .collect();
    let sheet = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            token,
            json!({"entries": entries}),
        )
        .await);
    assert_eq!(sheet["summary"]["present"], entries.len());
    t.meeting(token, id).await
}

#[tokio::test]
async fn exemption_from_request_to_revocation() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let member = t.token("dangvien.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let me = auth::actor_by_username(&t.app, "dangvien.dongtam")
        .await
        .unwrap()
        .unwrap()
        .member_id()
        .unwrap()
        .get();
    let path = format!("/api/v1/members/{me}/exemptions");

    // The member asks; a second open request is refused; a future date too.
    let future = t
        .api(
            Method::POST,
            &path,
            &member,
            json!({"requested_on": day(3), "reason": "Tuổi cao, sức khỏe yếu"}),
        )
        .await;
    assert!(refused(&future).contains("chưa đến"));
    let x = ok(&t
        .api(
            Method::POST,
            &path,
            &member,
            json!({"requested_on": day(-5), "reason": "Tuổi cao, sức khỏe yếu"}),
        )
        .await);
    assert_eq!(x["status"], "requested");
    assert!(
        x["next_steps"].as_array().unwrap().is_empty(),
        "the member does not decide"
    );
    let again = t
        .api(
            Method::POST,
            &path,
            &member,
            json!({"requested_on": day(-1), "reason": "Sức khỏe"}),
        )
        .await;
    assert!(refused(&again).contains("đang xét"));

    // The cell decides at a held meeting.
    let before = held_meeting(&t, &sec, cell, "regular").await;
    let expected_before = before["summary"]["expected"].as_u64().unwrap();
    let step = |id: &Value, body: Value, token: &str| {
        let path = format!("/api/v1/exemptions/{id}/steps");
        let token = token.to_string();
        let t = &t;
        async move { t.api(Method::POST, &path, &token, body).await }
    };
    let by_member = step(
        &x["id"],
        json!({"step": "grant", "meeting_id": before["meeting"]["id"]}),
        &member,
    )
    .await;
    assert!(refused(&by_member).contains("không có quyền"));
    let no_meeting = step(&x["id"], json!({"step": "grant"}), &sec).await;
    assert!(refused(&no_meeting).contains("Chọn buổi sinh hoạt"));
    let granted = ok(&step(
        &x["id"],
        json!({"step": "grant", "meeting_id": before["meeting"]["id"]}),
        &sec,
    )
    .await);
    assert_eq!(granted["status"], "granted");
    assert_eq!(granted["decided_on"], day(0));
    let m = ok(&t
        .get(&format!("/api/v1/members/{me}"), Auth::Bearer(&sec))
        .await);
    assert_eq!(m["status"], "exempt");
    // From the decision on, the member is listed apart and counted only when attending.
    let after = held_meeting(&t, &sec, cell, "extraordinary").await;
    assert!(
        after["apart"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["member_id"] == me && r["standing"] == "exempt")
    );
    assert_eq!(
        after["summary"]["expected"].as_u64().unwrap(),
        expected_before - 1
    );

    // Reported to the grassroots committee; then the member asks to come back.
    let early = step(&x["id"], json!({"step": "report", "on": day(-1)}), &sec).await;
    assert!(refused(&early).contains("trở đi"));
    let reported = ok(&step(&x["id"], json!({"step": "report", "on": day(0)}), &sec).await);
    assert_eq!(reported["reported_on"], day(0));
    let asked = ok(&step(
        &x["id"],
        json!({"step": "request_revoke", "on": day(0)}),
        &member,
    )
    .await);
    assert_eq!(
        asked["next_steps"],
        json!([]),
        "the member waits for the cell"
    );
    let revoked = ok(&step(
        &x["id"],
        json!({"step": "revoke", "meeting_id": after["meeting"]["id"]}),
        &sec,
    )
    .await);
    assert_eq!(revoked["status"], "revoked");
    let m = ok(&t
        .get(&format!("/api/v1/members/{me}"), Auth::Bearer(&sec))
        .await);
    assert_eq!(m["status"], "active");
    let done = step(&x["id"], json!({"step": "report", "on": day(0)}), &sec).await;
    assert!(refused(&done).contains("chưa đến lượt"));

    // A member working away is exempted for a period; once it ends the list flags it.
    let path_of_cell = units::find(&t.app.db, cell).await.unwrap().unwrap().path;
    let away = {
        use chibo_store::entities::member;
        use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        member::Entity::find()
            .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&path_of_cell)))
            .filter(member::Column::Status.eq("active"))
            .filter(member::Column::Id.ne(me))
            .one(&t.app.db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    ok(&t
        .api(Method::POST, &format!("/api/v1/members/{away}/events"), &sec,
            json!({"kind": "working_away", "effective_on": day(-5), "until": day(200), "reason": "Đi làm ăn xa tại Bình Dương"}))
        .await);
    let bad_until = t
        .api(
            Method::POST,
            &format!("/api/v1/members/{away}/exemptions"),
            &sec,
            json!({"requested_on": day(-4), "reason": "Đi làm ăn xa", "until": day(-4)}),
        )
        .await;
    assert!(refused(&bad_until).contains("sau ngày làm đơn"));
    let tmp = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/members/{away}/exemptions"),
            &sec,
            json!({"requested_on": day(-4), "reason": "Đi làm ăn xa", "until": day(-1)}),
        )
        .await);
    let g = ok(&step(
        &tmp["id"],
        json!({"step": "grant", "meeting_id": after["meeting"]["id"]}),
        &sec,
    )
    .await);
    assert_eq!(g["expired"], true);
    let list = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/exemptions"),
            Auth::Bearer(&sec),
        )
        .await);
    assert_eq!(list["expired"], 1);

    // The pages: the unit's list and the member's own page with the request form.
    let cookie = t.login("bithu.dongtam").await;
    let list = t
        .get(&format!("/units/{cell}/exemptions"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Đã thôi miễn"));
    let own = t.login("dangvien.dongtam").await;
    let page = t.get(&format!("/members/{me}"), Auth::Cookie(&own)).await;
    assert!(page.body.contains("Làm đơn xin miễn"));
    let posted = t
        .post_form(
            &format!("/members/{me}/exemptions"),
            Auth::Cookie(&own),
            "requested_on=&reason=",
        )
        .await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(posted.body.contains("lý do xin miễn"), "{}", posted.body);
}
