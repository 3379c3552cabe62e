//! Annual review and classification through the API and the pages: levels from scores, exempt
//! members not classified, the excellent quota of the grassroots organisation, the cell-excellent
//! condition, Quy định 366's task conditions beside the points, the superior committee's
//! decisions on the cell and on a member. Runs on SQLite and on PostgreSQL.

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
            json!({"year": year, "entries": [{"member_id": exempt, "score": 80, "tasks_given": 10, "tasks_on_time": 10, "tasks_exceeded": 4}]}),
        )
        .await;
    assert!(refused(&not_classified).contains("không xếp loại"));
    let too_high = t
        .api(
            Method::PUT,
            &path,
            &sec,
            json!({"year": year, "entries": [{"member_id": scored[0], "score": 101, "tasks_given": 10, "tasks_on_time": 10, "tasks_exceeded": 4}]}),
        )
        .await;
    assert!(refused(&too_high).contains("từ 0 đến 100"));

    // The quota: everyone good or better, one more excellent than allowed, then exactly allowed.
    let allowed = ClassificationRules::default().excellent_allowed(scored.len() as u32) as usize;
    let entries = |excellent: usize| json!({"year": year, "entries": scored.iter().enumerate().map(|(i, m)| json!({"member_id": m, "score": if i < excellent { 92 } else { 78 }, "tasks_given": 10, "tasks_on_time": 10, "tasks_exceeded": 4})).collect::<Vec<_>>()});
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
        .api(Method::PUT, &path, &sec, json!({"year": year, "entries": [{"member_id": scored[scored.len() - 1], "score": 40, "tasks_given": 10, "tasks_on_time": 10, "tasks_exceeded": 4}]}))
        .await);
    let blocked = t.api(Method::PUT, &decide, &committee, body(95)).await;
    assert!(refused(&blocked).contains("không hoàn thành"));
    ok(&t
        .api(Method::PUT, &path, &sec, json!({"year": year, "entries": [{"member_id": scored[scored.len() - 1], "score": 75, "tasks_given": 10, "tasks_on_time": 10, "tasks_exceeded": 4}]}))
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

/// Quy định 366-QĐ/TW (issue 12, defect 11): the points give a level only when the task
/// results allow it; the results are required and recorded per member; the superior committee
/// may set a member's level with a reason, and the cell's later scoring keeps it.
#[tokio::test]
async fn task_results_and_the_superior_committees_level() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let committee = t.token("xaphulam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let year = chrono::Datelike::year(&chibo_app::App::today());
    let path = format!("/api/v1/units/{cell}/reviews");
    let sheet = ok(&t.get(&path, Auth::Bearer(&sec)).await);
    let members: Vec<i64> = sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["excluded"].is_null())
        .map(|r| r["member"]["id"].as_i64().unwrap())
        .collect();
    let (a, b) = (members[0], members[1]);
    let entry = |m: i64, score: u32, tasks: Option<(u32, u32, u32)>| match tasks {
        Some((g, o, x)) => {
            json!({"member_id": m, "score": score, "tasks_given": g, "tasks_on_time": o, "tasks_exceeded": x})
        }
        None => json!({"member_id": m, "score": score}),
    };
    let save = |entries: Vec<serde_json::Value>| {
        let path = path.clone();
        let sec = sec.clone();
        let t = &t;
        async move {
            t.api(
                Method::PUT,
                &path,
                &sec,
                json!({"year": year, "entries": entries}),
            )
            .await
        }
    };
    // Without task results the points cannot be judged: refused, naming the member.
    let missing = save(vec![entry(a, 92, None)]).await;
    assert!(refused(&missing).contains("số nhiệm vụ được giao"));
    let impossible = save(vec![entry(a, 92, Some((5, 6, 0)))]).await;
    assert!(refused(&impossible).contains("vượt số nhiệm vụ được giao"));
    // 92 points, one task of ten late: completed, with the reason shown.
    let sheet = ok(&save(vec![
        entry(a, 92, Some((10, 9, 5))),
        entry(b, 80, Some((4, 4, 0))),
    ])
    .await);
    let row = |sheet: &serde_json::Value, m: i64| {
        sheet["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["member"]["id"] == m)
            .unwrap()
            .clone()
    };
    let ra = row(&sheet, a);
    assert_eq!(ra["level"], "completed", "{ra}");
    assert_eq!(ra["tasks_on_time"], 9);
    assert!(
        ra["level_reason"]
            .as_str()
            .unwrap()
            .contains("Quy định 366")
    );
    assert_eq!(row(&sheet, b)["level"], "good");
    assert!(row(&sheet, b)["level_reason"].is_null());

    // The superior committee sets b's level with a reason; the cell cannot.
    let set = format!("/api/v1/units/{cell}/reviews/member-level");
    let body = json!({"year": year, "member_id": b, "level": "completed", "reason": "Để xảy ra vi phạm trong quản lý đất đai ở thôn"});
    assert_eq!(
        t.api(Method::PUT, &set, &sec, body.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let no_reason = t
        .api(
            Method::PUT,
            &set,
            &committee,
            json!({"year": year, "member_id": b, "level": "completed"}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sheet = ok(&t.api(Method::PUT, &set, &committee, body).await);
    let rb = row(&sheet, b);
    assert_eq!(rb["level"], "completed");
    assert_eq!(rb["set_by_superior"], true);
    assert!(rb["level_reason"].as_str().unwrap().contains("đất đai"));
    // The cell scores again: its points change, the committee's level stays.
    let sheet = ok(&save(vec![entry(b, 85, Some((4, 4, 2)))]).await);
    assert_eq!(row(&sheet, b)["level"], "completed");
    assert_eq!(row(&sheet, b)["score"], 85);

    // The page asks the task counts and shows the reasons; the committee sees its form.
    let cookie = t.login("xaphulam").await;
    let page = t
        .get(
            &format!("/units/{cell}/reviews?nam={year}"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert!(page.body.contains("đất đai") && page.body.contains("cấp trên xếp"));
    assert!(page.body.contains("member-level"));
    let sec_cookie = t.login("bithu.dongtam").await;
    let form = format!("year={year}&score_{a}=80&given_{a}=3&on_time_{a}=3&exceeded_{a}=0");
    let saved = t
        .post_form(
            &format!("/units/{cell}/reviews"),
            Auth::Cookie(&sec_cookie),
            &form,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let sheet = ok(&t.get(&path, Auth::Bearer(&sec)).await);
    assert_eq!(row(&sheet, a)["level"], "good", "all three tasks on time");
}
