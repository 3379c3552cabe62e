//! Annual review and classification through the API and the pages: levels from scores, exempt
//! members not classified, the excellent quota of the grassroots organisation, the cell-excellent
//! condition, the superior committee's decision. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::access::auth;
use chibo_domain::classification::ClassificationRules;
use common::*;
use serde_json::json;

#[tokio::test]
async fn members_and_cells_classified_within_the_rules() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let committee = t.token("xaphulam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let year = chrono::Datelike::year(&chibo_app::App::today());
    let today = chibo_app::App::today().to_string();
    // One member becomes exempt today: not classified.
    let sheet = ok(&t
        .get(&format!("/api/v1/units/{cell}/reviews"), Auth::Bearer(&sec))
        .await);
    let working: Vec<i64> = sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["excluded"].is_null())
        .map(|r| r["member"]["id"].as_i64().unwrap())
        .collect();
    let exempt = auth::actor_by_username(&t.app, "dangvien.dongtam")
        .await
        .unwrap()
        .unwrap()
        .member_id()
        .unwrap()
        .get();
    ok(&t
        .api(Method::POST, &format!("/api/v1/members/{exempt}/events"), &sec,
            json!({"kind": "exemption_granted", "effective_on": today, "reason": "Nghị quyết chi bộ: tuổi cao"}))
        .await);
    let scored: Vec<i64> = working.iter().copied().filter(|m| *m != exempt).collect();
    let path = format!("/api/v1/units/{cell}/reviews");
    let not_classified = t
        .api(
            Method::PUT,
            &path,
            &sec,
            json!({"year": year, "entries": [{"member_id": exempt, "score": 80}]}),
        )
        .await;
    assert!(refused(&not_classified).contains("không xếp loại"));
    let too_high = t
        .api(
            Method::PUT,
            &path,
            &sec,
            json!({"year": year, "entries": [{"member_id": scored[0], "score": 101}]}),
        )
        .await;
    assert!(refused(&too_high).contains("từ 0 đến 100"));

    // The quota: everyone good or better, one more excellent than allowed, then exactly allowed.
    let allowed = ClassificationRules::default().excellent_allowed(scored.len() as u32) as usize;
    let entries = |excellent: usize| json!({"year": year, "entries": scored.iter().enumerate().map(|(i, m)| json!({"member_id": m, "score": if i < excellent { 92 } else { 78 }})).collect::<Vec<_>>()});
    let over = t.api(Method::PUT, &path, &sec, entries(allowed + 1)).await;
    let msg = refused(&over);
    assert!(
        msg.contains("Vượt tỷ lệ")
            && msg.contains("Phú Lâm")
            && msg.contains(&format!("tối đa {allowed}")),
        "{msg}"
    );
    let sheet = ok(&t.get(&path, Auth::Bearer(&sec)).await);
    assert_eq!(sheet["counts"]["good"], 0, "nothing written");
    let sheet = ok(&t.api(Method::PUT, &path, &sec, entries(allowed)).await);
    assert_eq!(
        sheet["counts"]["excellent"].as_u64().unwrap() as usize,
        allowed
    );
    assert_eq!(
        sheet["counts"]["good"].as_u64().unwrap() as usize,
        scored.len() - allowed
    );

    // The cell's level: the superior committee decides; excellent needs every member completed.
    let decide = format!("/api/v1/units/{cell}/review");
    let body = |score: u32| json!({"year": year, "score": score, "decision": "Quyết định số 45-QĐ/ĐU", "decided_on": today});
    assert_eq!(
        t.api(Method::PUT, &decide, &sec, body(95)).await.status,
        StatusCode::FORBIDDEN
    );
    ok(&t
        .api(Method::PUT, &path, &sec, json!({"year": year, "entries": [{"member_id": scored[scored.len() - 1], "score": 40}]}))
        .await);
    let blocked = t.api(Method::PUT, &decide, &committee, body(95)).await;
    assert!(refused(&blocked).contains("không hoàn thành"));
    ok(&t
        .api(Method::PUT, &path, &sec, json!({"year": year, "entries": [{"member_id": scored[scored.len() - 1], "score": 75}]}))
        .await);
    let decided = ok(&t.api(Method::PUT, &decide, &committee, body(95)).await);
    assert_eq!(decided["cell_review"]["level"], "excellent");

    // The commune's summary counts them.
    let summary = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/reviews/summary"),
            Auth::Bearer(&committee),
        )
        .await);
    assert_eq!(
        summary["members"]["excellent"].as_u64().unwrap() as usize,
        allowed
    );
    assert_eq!(summary["cells"]["excellent"], 1);
    assert_eq!(summary["members_good_share"], "100,0%");

    // The pages.
    let cookie = t.login("bithu.dongtam").await;
    let page = t
        .get(&format!("/units/{cell}/reviews"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Hoàn thành xuất sắc nhiệm vụ"));
    let bad = t
        .post_form(
            &format!("/units/{cell}/reviews"),
            Auth::Cookie(&cookie),
            &format!("year={year}&score_{}=abc", scored[0]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let c_cookie = t.login("xaphulam").await;
    let summary_page = t
        .get(
            &format!("/units/{commune}/reviews"),
            Auth::Cookie(&c_cookie),
        )
        .await;
    assert!(summary_page.body.contains("Chi bộ thôn Đồng Tâm"));
}
