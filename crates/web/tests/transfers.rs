//! Transfers of party activity through the API and the pages: a temporary transfer into another
//! cell (who attends where), the periods the rules allow, permanent transfers inside and outside
//! chibo with their working-day deadlines and the overdue list, and the holidays those deadlines
//! skip. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::org::units;
use chibo_app::rules::calendar;
use chibo_store::entities::{member, transfer};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use common::*;
use serde_json::{Value, json};

async fn members_of(t: &TestApp, cell: i64) -> Vec<i64> {
    let path = units::find(&t.app.db, cell).await.unwrap().unwrap().path;
    member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&path)))
        .filter(member::Column::Status.eq("active"))
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

#[tokio::test]
async fn transfers_move_members_and_keep_their_deadlines() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let committee = t.token("xaphulam").await;
    let admin = t.token("admin").await;
    let dong_tam = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let ban_na = t.unit_id("Chi bộ thôn Bản Nà").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let ids = members_of(&t, dong_tam).await;
    let (a, b, c) = (ids[0], ids[1], ids[2]);

    // Temporary, inside chibo: the periods are checked and nothing is written on error.
    let start = |m: i64, body: Value| {
        let path = format!("/api/v1/members/{m}/transfers");
        let token = sec.clone();
        let t = &t;
        async move { t.api(Method::POST, &path, &token, body).await }
    };
    let before = transfer::Entity::find().count(&t.app.db).await.unwrap();
    let short = start(a, json!({"kind": "temporary", "reason": "work", "to_unit_id": ban_na, "moved_on": day(-10), "ends_on": day(30)})).await;
    assert!(refused(&short).contains("3 tháng"));
    let long = start(a, json!({"kind": "temporary", "reason": "residence", "to_unit_id": ban_na, "moved_on": day(-10), "ends_on": day(400)})).await;
    assert!(refused(&long).contains("chính thức"));
    let nowhere = start(
        a,
        json!({"kind": "temporary", "reason": "work", "moved_on": day(-10), "ends_on": day(120)}),
    )
    .await;
    assert!(refused(&nowhere).contains("Ghi nơi đến"));
    assert_eq!(
        transfer::Entity::find().count(&t.app.db).await.unwrap(),
        before
    );
    let tmp = ok(&start(a, json!({"kind": "temporary", "reason": "work", "to_unit_id": ban_na, "moved_on": day(-10), "ends_on": day(150)})).await);
    assert_eq!(tmp["next_steps"], json!(["return", "cancel"]));
    let again = start(a, json!({"kind": "temporary", "reason": "work", "destination": "Hà Nội", "moved_on": day(-5), "ends_on": day(150)})).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("chưa hoàn tất"), "{}", again.body);
    // The member attends Bản Nà now, and is listed apart in Đồng Tâm.
    let sheet_of = |cell: i64| {
        let t = &t;
        let committee = committee.clone();
        async move {
            let m = ok(&t
                .api(Method::POST, &format!("/api/v1/units/{cell}/meetings"), &committee,
                    json!({"kind": "extraordinary", "topic": "Họp bất thường", "meeting_date": day(0), "start_time": "07:00", "place": "Nhà văn hóa"}))
                .await);
            ok(&t
                .api(
                    Method::GET,
                    &format!("/api/v1/meetings/{}", m["id"]),
                    &committee,
                    json!(null),
                )
                .await)
        }
    };
    let bn = sheet_of(ban_na).await;
    let row = bn["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["member_id"] == a)
        .expect("on Bản Nà's sheet");
    assert_eq!(row["transferred_in"], true);
    let dt = sheet_of(dong_tam).await;
    assert!(
        dt["apart"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["member_id"] == a)
    );
    assert!(
        !dt["sheet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["member_id"] == a)
    );
    // Back home.
    let back = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/transfers/{}/steps", tmp["id"]),
            &sec,
            json!({"step": "return", "on": day(0)}),
        )
        .await);
    assert_eq!(back["status"], "completed");
    let m = ok(&t
        .get(&format!("/api/v1/members/{a}"), Auth::Bearer(&sec))
        .await);
    assert_eq!(m["status"], "active");

    // Permanent, outside chibo, moved 100 days ago and never applied: overdue.
    let perm = ok(&start(b, json!({"kind": "permanent", "reason": "residence", "destination": "Đảng bộ phường Ba Đình, Hà Nội", "moved_on": day(-100)})).await);
    assert!(
        perm["overdue"]
            .as_str()
            .unwrap()
            .contains("Quá hạn làm thủ tục"),
        "{perm}"
    );
    let list = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/transfers?overdue=true"),
            Auth::Bearer(&committee),
        )
        .await);
    // The demo has overdue transfers of its own; b's is among them, and only overdue ones show.
    let shown = list["transfers"].as_array().unwrap();
    assert_eq!(list["overdue"].as_u64().unwrap() as usize, shown.len());
    assert!(shown.iter().any(|x| x["member"]["id"] == b));
    assert!(shown.iter().all(|x| x["overdue"].is_string()));
    let step = |id: &Value, what: &str, on: String, token: &str| {
        let path = format!("/api/v1/transfers/{id}/steps");
        let body = json!({"step": what, "on": on});
        let token = token.to_string();
        let t = &t;
        async move { t.api(Method::POST, &path, &token, body).await }
    };
    let early = step(&perm["id"], "letter", day(-1), &sec).await;
    assert!(refused(&early).contains("chưa đến lượt"));
    let before_move = step(&perm["id"], "apply", day(-101), &sec).await;
    assert!(refused(&before_move).contains("trở đi"));
    ok(&step(&perm["id"], "apply", day(-20), &sec).await);
    let lettered = ok(&step(&perm["id"], "letter", day(-15), &sec).await);
    assert!(lettered["overdue"].is_null(), "{lettered}");
    assert!(lettered["present_by"].is_string());
    let gone = ok(&step(&perm["id"], "receive", day(-2), &sec).await);
    assert_eq!(gone["status"], "completed");
    let m = ok(&t
        .get(&format!("/api/v1/members/{b}"), Auth::Bearer(&committee))
        .await);
    assert_eq!(m["status"], "transferred_out");

    // Permanent, inside chibo: the receiving cell's committee takes the member in.
    let inside = ok(&start(c, json!({"kind": "permanent", "reason": "residence", "to_unit_id": ban_na, "moved_on": day(-30)})).await);
    ok(&step(&inside["id"], "apply", day(-25), &sec).await);
    let l = ok(&step(&inside["id"], "letter", day(-20), &sec).await);
    assert_eq!(
        l["next_steps"],
        json!(["cancel"]),
        "the secretary of Đồng Tâm does not receive in Bản Nà"
    );
    ok(&step(&inside["id"], "receive", day(-3), &committee).await);
    let m = ok(&t
        .get(&format!("/api/v1/members/{c}"), Auth::Bearer(&committee))
        .await);
    assert_eq!(m["unit"]["id"], ban_na);
    assert_eq!(m["status"], "active");
    let done = step(&inside["id"], "cancel", day(0), &committee).await;
    assert!(refused(&done).contains("đã kết thúc"));

    // Holidays: administrators only; a weekday holiday pushes a deadline by a working day.
    let d = ok(&start(a, json!({"kind": "permanent", "reason": "work", "destination": "Công ty X, TP Hồ Chí Minh", "moved_on": day(-1)})).await);
    let apply_by =
        chrono::NaiveDate::parse_from_str(d["apply_by"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let mut extra = chibo_app::App::today() + chrono::Duration::days(10);
    while matches!(
        chrono::Datelike::weekday(&extra),
        chrono::Weekday::Sat | chrono::Weekday::Sun
    ) || calendar::holidays(&t.app).await.unwrap().contains(extra)
    {
        extra += chrono::Duration::days(1);
    }
    let not_admin = t
        .api(
            Method::POST,
            "/api/v1/holidays",
            &committee,
            json!({"day": extra.to_string(), "name": "Nghỉ bù"}),
        )
        .await;
    assert_eq!(not_admin.status, StatusCode::NOT_FOUND);
    ok(&t
        .api(
            Method::POST,
            "/api/v1/holidays",
            &admin,
            json!({"day": extra.to_string(), "name": "Nghỉ bù"}),
        )
        .await);
    let twice = t
        .api(
            Method::POST,
            "/api/v1/holidays",
            &admin,
            json!({"day": extra.to_string(), "name": "Nghỉ bù"}),
        )
        .await;
    assert!(refused(&twice).contains("đã là ngày nghỉ"));
    let d2 = ok(&t
        .get(
            &format!("/api/v1/members/{a}/transfers"),
            Auth::Bearer(&sec),
        )
        .await);
    let later =
        chrono::NaiveDate::parse_from_str(d2[0]["apply_by"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert!(later > apply_by, "{later} after {apply_by}");

    // The pages.
    let cookie = t.login("xaphulam").await;
    let page = t
        .get(
            &format!("/units/{commune}/transfers"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đảng bộ phường Ba Đình"));
    let sec_cookie = t.login("bithu.dongtam").await;
    let bad = t
        .post_form(
            &format!("/members/{a}/transfers"),
            Auth::Cookie(&sec_cookie),
            "kind=temporary&reason=work&destination=X&moved_on=2026-01-01",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let member_page = t
        .get(&format!("/members/{a}"), Auth::Cookie(&sec_cookie))
        .await;
    assert!(member_page.body.contains("Công ty X"));
    let admin_cookie = t.login("admin").await;
    let holidays = t.get("/admin/holidays", Auth::Cookie(&admin_cookie)).await;
    assert!(holidays.body.contains("Quốc khánh"));
}

/// The cells a member may be sent to are chosen by name a page at a time: the siblings of their
/// cell and what the actor reads, never their own cell; the page's search answers options.
#[tokio::test]
async fn transfer_destinations_are_searched_by_name() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let admin = t.token("admin").await;
    let dong_tam = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let a = members_of(&t, dong_tam).await[0];
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_string())
            .collect()
    };
    let path = format!("/api/v1/members/{a}/transfer-destinations");
    let by_secretary = ok(&t.get(&path, Auth::Bearer(&sec)).await);
    let sibling_names = names(&by_secretary);
    assert!(
        sibling_names.contains(&"Chi bộ thôn Bản Nà".to_string()),
        "{sibling_names:?}"
    );
    assert!(!sibling_names.contains(&"Chi bộ thôn Đồng Tâm".to_string()));
    let found = ok(&t
        .get(&format!("{path}?q=ban%20na"), Auth::Bearer(&sec))
        .await);
    assert_eq!(names(&found), vec!["Chi bộ thôn Bản Nà"]);
    // The administrator reads every cell: a page at a time.
    let first = ok(&t
        .get(&format!("{path}?per_page=3"), Auth::Bearer(&admin))
        .await);
    assert_eq!(names(&first).len(), 3);
    let after = first["next"].as_str().expect("more cells than three");
    let second = ok(&t
        .get(
            &format!("{path}?per_page=3&after={after}"),
            Auth::Bearer(&admin),
        )
        .await);
    assert!(names(&second).iter().all(|n| !names(&first).contains(n)));
    // The member themselves may not list where they could be sent.
    let own = t.token("dangvien.dongtam").await;
    let me = ok(&t.get("/api/v1/me", Auth::Bearer(&own)).await);
    let own_id = me["member_id"].as_i64().unwrap();
    let refused = t
        .get(
            &format!("/api/v1/members/{own_id}/transfer-destinations"),
            Auth::Bearer(&own),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let options = t
        .get(
            &format!("/members/{a}/transfer-destinations?q=ban%20na"),
            Auth::Cookie(&t.login("bithu.dongtam").await),
        )
        .await;
    assert!(
        options.body.contains("Chi bộ thôn Bản Nà"),
        "{}",
        options.body
    );
}
