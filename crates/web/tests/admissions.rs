//! The admission pipeline through the API and the pages: class, file with an introducer, the
//! two-thirds vote and its escalation, the superior committee's decision making the member
//! record, ceremony, probation, the cell's vote to recognise and the superior committee's
//! recognition from the twelve-month date, deadlines and the overdue list. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::org::units;
use chibo_store::entities::member;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_candidate_from_class_to_official() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let committee = t.token("xaphulam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let other_cell = t.unit_id("Chi bộ thôn Bản Nà").await;
    let list_path = format!("/api/v1/units/{cell}/candidates");
    let propose = |name: &str, born: &str, cccd: &str| json!({"full_name": name, "date_of_birth": born, "sex": "female", "ethnicity": "Tày", "citizen_id": cccd});
    let a = ok(&t
        .api(
            Method::POST,
            &list_path,
            &sec,
            propose("Nông Thị Mai", "1998-03-08", "001198012345"),
        )
        .await);
    let twice = t
        .api(
            Method::POST,
            &list_path,
            &sec,
            propose("Nông Thị Mai", "1998-03-08", "001198012345"),
        )
        .await;
    assert!(refused(&twice).contains("CCCD"));
    let step = |id: &Value, body: Value, token: &str| {
        let path = format!("/api/v1/candidates/{id}/steps");
        let token = token.to_string();
        let t = &t;
        async move { t.api(Method::POST, &path, &token, body).await }
    };
    let out_of_order = step(
        &a["id"],
        json!({"step": "vote", "on": day(-400), "votes_for": 10}),
        &sec,
    )
    .await;
    assert!(refused(&out_of_order).contains("chưa đến lượt"));
    ok(&step(
        &a["id"],
        json!({"step": "class", "on": day(-420), "number": "GCN-125"}),
        &sec,
    )
    .await);
    // The introducer: an official member of the cell who has known the candidate a year by
    // the file's date (Điều lệ Đảng, Điều 4).
    let path = units::find(&t.app.db, cell).await.unwrap().unwrap().path;
    let long_official = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&path)))
        .filter(member::Column::Status.eq("active"))
        .filter(
            member::Column::OfficialDate.lt(chibo_app::App::today() - chrono::Duration::days(800)),
        )
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let elsewhere = member::Entity::find()
        .filter(
            member::Column::UnitPath.like(chibo_store::path_prefix(
                &units::find(&t.app.db, other_cell)
                    .await
                    .unwrap()
                    .unwrap()
                    .path,
            )),
        )
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let incomplete = step(
        &a["id"],
        json!({"step": "file", "on": day(-410), "introducer_member_id": long_official, "application": true}),
        &sec,
    )
    .await;
    assert!(refused(&incomplete).contains("Hồ sơ còn thiếu: lý lịch"));
    let stranger = step(
        &a["id"],
        json!({"step": "file", "on": day(-410), "introducer_member_id": elsewhere, "application": true, "history": true}),
        &sec,
    )
    .await;
    assert!(refused(&stranger).contains("đảng viên chính thức của chi bộ"));
    // Official for years, but beside the candidate only six months: refused.
    let recent = step(
        &a["id"],
        json!({"step": "file", "on": day(-410), "introducer_member_id": long_official, "introducer_known_since": day(-590), "application": true, "history": true}),
        &sec,
    )
    .await;
    let why = refused(&recent);
    assert!(
        why.contains("ít nhất 12 tháng") && why.contains("mới được"),
        "{why}"
    );
    ok(&step(
        &a["id"],
        json!({"step": "file", "on": day(-410), "introducer_member_id": long_official, "introducer_known_since": day(-1200), "application": true, "history": true}),
        &sec,
    )
    .await);
    let too_many = step(
        &a["id"],
        json!({"step": "vote", "on": day(-400), "votes_for": 500}),
        &sec,
    )
    .await;
    assert!(refused(&too_many).contains("vượt số đảng viên chính thức"));
    let voted = ok(&step(
        &a["id"],
        json!({"step": "vote", "on": day(-400), "votes_for": 30}),
        &sec,
    )
    .await);
    assert_eq!(voted["stage"], "voted", "{voted}");
    // The decision was due within 60 working days of the vote: overdue now.
    assert_eq!(voted["overdue"], true);
    let list = ok(&t.get(&list_path, Auth::Bearer(&sec)).await);
    assert!(list["overdue"].as_u64().unwrap() >= 1);
    assert!(
        voted["next_steps"].as_array().unwrap().is_empty(),
        "the cell does not decide"
    );
    let decided = ok(&step(
        &a["id"],
        json!({"step": "decide", "on": day(-390), "number": "QĐ 215-QĐ/ĐU"}),
        &committee,
    )
    .await);
    let member_id = decided["member_id"].as_i64().expect("a member record");
    ok(&step(&a["id"], json!({"step": "ceremony", "on": day(-380)}), &sec).await);
    // Official recognition (Điều lệ Đảng, Điều 5.3; issue 12 defect 7): the cell votes first,
    // with two-thirds of its official members; the superior committee cannot skip it.
    let skipped = step(
        &a["id"],
        json!({"step": "recognise", "on": day(0)}),
        &committee,
    )
    .await;
    assert!(refused(&skipped).contains("chưa đến lượt"));
    let early = step(
        &a["id"],
        json!({"step": "recognition_vote", "on": day(-100), "votes_for": 30}),
        &sec,
    )
    .await;
    assert!(refused(&early).contains("trở đi"));
    let failed = ok(&step(
        &a["id"],
        json!({"step": "recognition_vote", "on": day(-12), "votes_for": 1}),
        &sec,
    )
    .await);
    assert_eq!(
        failed["stage"], "probation",
        "one failure: the cell votes again"
    );
    let voted = ok(&step(
        &a["id"],
        json!({"step": "recognition_vote", "on": day(-10), "votes_for": 30}),
        &sec,
    )
    .await);
    assert_eq!(voted["stage"], "recognition_voted", "{voted}");
    let purposes: Vec<&str> = voted["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(purposes, ["admission", "recognition", "recognition"]);
    assert!(
        voted["next_steps"].as_array().unwrap().is_empty(),
        "the cell does not recognise"
    );
    assert_eq!(
        voted["due_what"],
        "Cấp ủy cấp trên quyết định công nhận chính thức"
    );
    let extended = ok(&step(
        &a["id"],
        json!({"step": "extend_recognition", "on": day(-5)}),
        &committee,
    )
    .await);
    assert!(extended["due_on"].as_str() > voted["due_on"].as_str());
    assert!(
        !extended["next_steps"]
            .as_array()
            .unwrap()
            .contains(&json!("extend_recognition")),
        "extended once only"
    );
    let official = ok(&step(
        &a["id"],
        json!({"step": "recognise", "on": day(0)}),
        &committee,
    )
    .await);
    assert_eq!(official["stage"], "official");
    let m = ok(&t
        .get(&format!("/api/v1/members/{member_id}"), Auth::Bearer(&sec))
        .await);
    assert_eq!(m["admission_date"], day(-390));
    assert_eq!(
        m["official_date"], official["probation_ends"],
        "official from the twelve-month date"
    );

    // Three failed votes send the case up; an over-age candidate cannot be voted on.
    let b = ok(&t
        .api(
            Method::POST,
            &list_path,
            &sec,
            propose("Hà Văn Lợi", "1990-07-01", "001090012399"),
        )
        .await);
    ok(&step(
        &b["id"],
        json!({"step": "class", "on": day(-60), "number": "GCN-7"}),
        &sec,
    )
    .await);
    ok(&step(
        &b["id"],
        json!({"step": "file", "on": day(-50), "introducer_member_id": long_official, "introducer_known_since": day(-1200), "application": true, "history": true}),
        &sec,
    )
    .await);
    for n in 0..3 {
        let v = ok(&step(
            &b["id"],
            json!({"step": "vote", "on": day(-40 + n), "votes_for": 1}),
            &sec,
        )
        .await);
        assert_eq!(v["stage"], if n < 2 { "file_ready" } else { "escalated" });
    }
    let old = ok(&t
        .api(
            Method::POST,
            &list_path,
            &sec,
            propose("Lý Văn Cao", "1960-01-01", "001060012388"),
        )
        .await);
    ok(&step(
        &old["id"],
        json!({"step": "class", "on": day(-30), "number": "GCN-9"}),
        &sec,
    )
    .await);
    ok(&step(
        &old["id"],
        json!({"step": "file", "on": day(-20), "introducer_member_id": long_official, "introducer_known_since": day(-1200), "application": true, "history": true}),
        &sec,
    )
    .await);
    let aged = step(
        &old["id"],
        json!({"step": "vote", "on": day(-10), "votes_for": 30}),
        &sec,
    )
    .await;
    assert!(refused(&aged).contains("từ đủ 18 tuổi đến 60 tuổi 0 tháng"));

    // Three failed votes to recognise send the case up; the superior committee's thirty
    // working days run from the third, and are long past here.
    let c = ok(&t
        .api(
            Method::POST,
            &list_path,
            &sec,
            propose("Triệu Thị Hằng", "1991-02-02", "001091012377"),
        )
        .await);
    for (what, ago, number, by) in [
        ("class", -800, "GCN-11", &sec),
        ("file", -790, "", &sec),
        ("vote", -780, "", &sec),
        ("decide", -770, "QĐ 301-QĐ/ĐU", &committee),
        ("ceremony", -760, "", &sec),
    ] {
        ok(&step(
            &c["id"],
            json!({"step": what, "on": day(ago), "number": number, "votes_for": 30, "introducer_member_id": long_official, "introducer_known_since": day(-1300), "application": true, "history": true}),
            by,
        )
        .await);
    }
    for n in 0..3 {
        let v = ok(&step(
            &c["id"],
            json!({"step": "recognition_vote", "on": day(-300 + n), "votes_for": 2}),
            &sec,
        )
        .await);
        let expected = if n < 2 {
            "probation"
        } else {
            "recognition_escalated"
        };
        assert_eq!(v["stage"], expected, "{v}");
        if n == 2 {
            assert_eq!(v["overdue"], true, "{v}");
            assert_eq!(v["next_steps"], json!([]), "the cell has no step left");
        }
    }
    let listed = ok(&t.get(&list_path, Auth::Bearer(&committee)).await);
    let up = listed["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == c["id"])
        .expect("listed")
        .clone();
    assert_eq!(
        up["next_steps"],
        json!(["extend_recognition", "recognise", "not_recognise"])
    );

    // The page.
    let cookie = t.login("xaphulam").await;
    let page = t
        .get(&format!("/units/{cell}/candidates"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Hà Văn Lợi") && page.body.contains("báo cáo cấp trên"));
}
