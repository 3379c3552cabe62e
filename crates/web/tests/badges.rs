//! Party badges through the API and the pages: the due list at an award day, recording an award
//! (on an award day, a real milestone, not early without a reason, once), and a disciplinary
//! measure that delays a badge. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::access::auth;
use chibo_domain::badges::BadgeRules;
use chibo_store::entities::{audit, member, member_badge};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use common::*;
use serde_json::{Value, json};

/// Gives the member an admission date so that party age reaches `years` on `reached`, and
/// removes their badges.
async fn admitted_for(t: &TestApp, id: i64, years: u32, reached: chrono::NaiveDate) {
    member_badge::Entity::delete_many()
        .filter(member_badge::Column::MemberId.eq(id))
        .exec(&t.app.db)
        .await
        .unwrap();
    let m = member::Entity::find_by_id(id)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let mut am = m.into_active_model();
    am.admission_date = Set(reached
        .checked_sub_months(chrono::Months::new(years * 12))
        .unwrap());
    am.update(&t.app.db).await.unwrap();
}

async fn member_of(t: &TestApp, username: &str) -> i64 {
    auth::actor_by_username(&t.app, username)
        .await
        .unwrap()
        .unwrap()
        .member_id()
        .unwrap()
        .get()
}

#[tokio::test]
async fn badges_due_awarded_once_and_delayed_by_discipline() {
    let t = TestApp::new().await;
    let rules = BadgeRules::default();
    let today = chibo_app::App::today();
    let next = rules.award_day_from(today + chrono::Duration::days(1));
    let previous = rules.award_day_before(next);
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let committee = t.token("xaphulam").await;
    let secretary = t.token("bithu.dongtam").await;
    let x = member_of(&t, "dangvien.dongtam").await;
    let y = member_of(&t, "bithu.dongtam").await;
    admitted_for(&t, x, 30, next - chrono::Duration::days(10)).await;
    admitted_for(&t, y, 40, next - chrono::Duration::days(20)).await;

    let due = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/badges"),
            Auth::Bearer(&committee),
        )
        .await);
    assert_eq!(due["award_on"], next.to_string());
    let row = |due: &Value, id: i64| {
        due["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["member_id"] == id)
            .cloned()
    };
    let rx = row(&due, x).expect("x is due");
    assert_eq!(
        (rx["years"].as_u64(), &rx["overdue"]),
        (Some(30), &json!(false))
    );
    assert_eq!(row(&due, y).unwrap()["years"], 40);
    // A page at a time, one row a page: the same members, each once, in the same order.
    let all: Vec<i64> = due["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["member_id"].as_i64().unwrap())
        .collect();
    assert!(due["next"].is_null(), "one page holds them all");
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/units/{commune}/badges?per_page=1&after={a}"),
            None => format!("/api/v1/units/{commune}/badges?per_page=1"),
        };
        let page = ok(&t.get(&path, Auth::Bearer(&committee)).await);
        paged.extend(
            page["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["member_id"].as_i64().unwrap()),
        );
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, all);
    assert!(all.len() >= 2);
    let bad_day = t
        .get(
            &format!("/api/v1/units/{commune}/badges?award_on=2026-06-01"),
            Auth::Bearer(&committee),
        )
        .await;
    assert!(refused(&bad_day).contains("3/2 (Ngày thành lập Đảng), 19/5"));

    // Awarding: the cell's secretary may not; the rules are checked; nothing half-written.
    let award = |years: u32, on: chrono::NaiveDate, early: &str| json!({"years": years, "awarded_on": on.to_string(), "early": early, "decision": "Quyết định số 125-QĐ/TU"});
    let path = format!("/api/v1/members/{x}/badges");
    let forbidden = t
        .api(Method::POST, &path, &secretary, award(30, next, "none"))
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let audits = audit::Entity::find().count(&t.app.db).await.unwrap();
    for (body, expect) in [
        (award(35, next, "none"), "các mốc"),
        (
            award(30, next - chrono::Duration::days(1), "none"),
            "trường hợp đặc biệt",
        ),
        (award(30, previous, "none"), "Chưa đủ điều kiện"),
        (award(30, next, "posthumous"), "đã từ trần"),
    ] {
        let r = t.api(Method::POST, &path, &committee, body).await;
        assert!(refused(&r).contains(expect), "{expect}: {}", r.body);
    }
    assert_eq!(
        audit::Entity::find().count(&t.app.db).await.unwrap(),
        audits
    );
    // Seriously ill: up to 12 months early, so the previous award day is allowed.
    let b = ok(&t
        .api(
            Method::POST,
            &path,
            &committee,
            award(30, previous, "seriously_ill"),
        )
        .await);
    assert_eq!(b["awards"][0]["years"], 30);
    assert_eq!(b["next"]["years"], 40);
    let twice = t
        .api(Method::POST, &path, &committee, award(30, next, "none"))
        .await;
    assert!(refused(&twice).contains("đã được ghi nhận"));
    assert_eq!(
        member_badge::Entity::find()
            .filter(member_badge::Column::MemberId.eq(x))
            .count(&t.app.db)
            .await
            .unwrap(),
        1
    );

    // A warning two months ago delays y's badge by six months: off this award day's list.
    let warned = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/members/{y}/disciplines"),
            &secretary,
            json!({"kind": "warning", "decided_on": (today - chrono::Duration::days(60)).to_string(), "decision": "Quyết định số 3-QĐ/ĐU"}),
        )
        .await);
    let next_y = &warned["next"];
    assert_eq!(next_y["years"], 40);
    assert!(next_y["eligible_from"].as_str().unwrap() > next_y["reached_on"].as_str().unwrap());
    let bad = t
        .api(
            Method::POST,
            &format!("/api/v1/members/{y}/disciplines"),
            &secretary,
            json!({"kind": "scolding", "decided_on": "32/13/2026", "decision": ""}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["fields"].as_array().unwrap().len(), 3);
    let due = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/badges"),
            Auth::Bearer(&committee),
        )
        .await);
    assert!(row(&due, x).is_none(), "x holds the 30-year badge");
    assert!(row(&due, y).is_none(), "y is delayed");
    let award_y = t
        .api(
            Method::POST,
            &format!("/api/v1/members/{y}/badges"),
            &committee,
            award(40, next, "none"),
        )
        .await;
    assert!(refused(&award_y).contains("kỷ luật"));

    // The pages.
    let cookie = t.login("xaphulam").await;
    let page = t
        .get(&format!("/units/{commune}/badges"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Huy hiệu Đảng đợt"));
    let member_page = t.get(&format!("/members/{y}"), Auth::Cookie(&cookie)).await;
    assert!(
        member_page.body.contains("do kỷ luật"),
        "{}",
        member_page.body
    );
    let posted = t
        .post_form(
            &format!("/members/{y}/badges"),
            Auth::Cookie(&cookie),
            "years=40&awarded_on=2026-06-01&early=none&decision=QD",
        )
        .await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(posted.body.contains("3/2 (Ngày thành lập Đảng), 19/5"));

    // Hướng dẫn 01-HD/TW 2021, §18: in a special case the provincial standing committee
    // decides, a badge may be given outside the occasions, once the delay has run out.
    let eligible: chrono::NaiveDate = next_y["eligible_from"].as_str().unwrap().parse().unwrap();
    let mut off = eligible + chrono::Duration::days(1);
    while rules.is_award_day(off) {
        off += chrono::Duration::days(1);
    }
    let special = |on: chrono::NaiveDate, special: bool| {
        json!({"years": 40, "awarded_on": on.to_string(), "early": "none",
               "decision": "Quyết định số 88-QĐ/TU của Ban Thường vụ Tỉnh ủy", "special": special})
    };
    let ordinary = t
        .api(
            Method::POST,
            &format!("/api/v1/members/{y}/badges"),
            &committee,
            special(off, false),
        )
        .await;
    assert!(refused(&ordinary).contains("trường hợp đặc biệt"));
    let given = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/members/{y}/badges"),
            &committee,
            special(off, true),
        )
        .await);
    assert_eq!(given["awards"][0]["special"], true);
    let member_page = t.get(&format!("/members/{y}"), Auth::Cookie(&cookie)).await;
    assert!(member_page.body.contains("trường hợp đặc biệt"));
}
