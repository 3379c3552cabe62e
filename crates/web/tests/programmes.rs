//! What the programmes measure, through the API and the pages: breakthrough tasks given to
//! cadres and their counts, training courses and the share of cell officers trained, inspections
//! of cells with the share inspected and the follow-up of recommendations. Runs on SQLite and
//! on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::access::auth;
use common::*;
use serde_json::json;

#[tokio::test]
async fn cadre_tasks_training_and_inspections() {
    let t = TestApp::new().await;
    let committee = t.token("xaphulam").await;
    let sec = t.token("bithu.dongtam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let dong_tam = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let secretary = auth::actor_by_username(&t.app, "bithu.dongtam")
        .await
        .unwrap()
        .unwrap()
        .member_id()
        .unwrap()
        .get();
    let year = chrono::Datelike::year(&chibo_app::App::today());

    // Breakthrough tasks: given by the committee, counted by status.
    let path = format!("/api/v1/units/{commune}/cadre-tasks");
    let task = json!({"member_id": secretary, "year": year, "task": "Xây dựng mô hình dân vận khéo về chuyển đổi số", "due_on": day(60)});
    let not_yours = t.api(Method::POST, &path, &sec, task.clone()).await;
    assert_eq!(
        not_yours.status,
        StatusCode::NOT_FOUND,
        "the cell's secretary does not read the commune"
    );
    let bad = t
        .api(
            Method::POST,
            &path,
            &committee,
            json!({"member_id": secretary, "year": year + 1, "task": "", "due_on": day(0)}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("nội dung nhiệm vụ") && bad.body.contains("trước năm giao việc"),
        "{}",
        bad.body
    );
    let list = ok(&t.api(Method::POST, &path, &committee, task).await);
    assert_eq!(
        (list["given"].as_u64(), list["cadres"].as_u64()),
        (Some(1), Some(1))
    );
    let id = &list["tasks"][0]["id"];
    let no_evidence = t
        .api(
            Method::PUT,
            &format!("/api/v1/cadre-tasks/{id}"),
            &committee,
            json!({"status": "done", "done_on": day(0)}),
        )
        .await;
    assert!(refused(&no_evidence).contains("minh chứng"));
    let done = ok(&t
        .api(Method::PUT, &format!("/api/v1/cadre-tasks/{id}"), &committee,
            json!({"status": "done", "done_on": day(0), "evidence": "Mô hình được Huyện ủy công nhận"}))
        .await);
    assert_eq!(
        (done["done"].as_u64(), done["in_progress"].as_u64()),
        (Some(1), Some(0))
    );

    // Training: a course, its participants, the share of officers trained.
    let course = ok(&t
        .api(Method::POST, &format!("/api/v1/units/{commune}/courses"), &committee,
            json!({"name": "Bồi dưỡng nghiệp vụ công tác đảng cho bí thư chi bộ", "organiser": "Trung tâm Chính trị", "starts_on": day(-10), "ends_on": day(-8), "topics": "Quy trình sinh hoạt chi bộ"}))
        .await);
    let wrong_order = t
        .api(
            Method::POST,
            &format!("/api/v1/units/{commune}/courses"),
            &committee,
            json!({"name": "Lớp", "organiser": "TT", "starts_on": day(-1), "ends_on": day(-3)}),
        )
        .await;
    assert!(refused(&wrong_order).contains("từ ngày khai giảng"));
    let cid = &course["course"]["id"];
    let outsider = t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({"member_ids": [999999]}),
        )
        .await;
    assert!(refused(&outsider).contains("Học viên phải là đảng viên"));
    // More ids than either backend binds in one query (SQLite 32,766, PostgreSQL 65,535): the
    // same field error, not a database failure.
    let many: Vec<i64> = (1_000_000..1_070_000).collect();
    let flood = t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({ "member_ids": many }),
        )
        .await;
    assert!(refused(&flood).contains("Học viên phải là đảng viên"));
    let c = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({"member_ids": [secretary], "completed_ids": [secretary]}),
        )
        .await);
    assert_eq!(c["participants"][0]["completed"], true);
    assert_eq!(
        (
            c["course"]["participants"].as_u64(),
            c["course"]["completed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    // A page of participants is saved on its own: members not named keep their mark, and the
    // page's unticked boxes are marked not completed.
    let cookie = t.login("xaphulam").await;
    let page = t
        .get(&format!("/courses/{cid}"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"shown_ids\""), "{}", page.body);
    let saved = t
        .post_form(
            &format!("/courses/{cid}/participants"),
            Auth::Cookie(&cookie),
            &format!("shown_ids={secretary}"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let c = ok(&t
        .get(&format!("/api/v1/courses/{cid}"), Auth::Bearer(&committee))
        .await);
    assert_eq!(c["participants"][0]["completed"], false);
    let both = t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({"completed_ids": [secretary], "not_completed_ids": [secretary]}),
        )
        .await;
    assert!(refused(&both).contains("vừa hoàn thành vừa chưa"));
    let c = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({"completed_ids": [secretary]}),
        )
        .await);
    assert_eq!(c["participants"][0]["completed"], true);
    // Every member of the commune on the course at once, then walked a page at a time in
    // name order: each once, the secretary still completed.
    let everyone = ok(&t
        .get(
            &format!("/api/v1/members?unit_id={commune}&per_page=500"),
            Auth::Bearer(&committee),
        )
        .await);
    let ids: Vec<i64> = everyone["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() > 20);
    let c = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({ "member_ids": ids }),
        )
        .await);
    assert_eq!(c["course"]["participants"].as_u64(), Some(ids.len() as u64));
    let (mut walked, mut after) = (Vec::new(), String::new());
    loop {
        let p = ok(&t
            .get(
                &format!("/api/v1/courses/{cid}?per_page=7{after}"),
                Auth::Bearer(&committee),
            )
            .await);
        for x in p["participants"].as_array().unwrap() {
            walked.push(x["member"]["id"].as_i64().unwrap());
            if x["member"]["id"] == secretary {
                assert_eq!(x["completed"], true);
            }
        }
        match p["next"].as_str() {
            Some(n) => after = format!("&after={n}"),
            None => break,
        }
    }
    walked.sort_unstable();
    let mut expected = ids.clone();
    expected.sort_unstable();
    assert_eq!(walked, expected);
    let training_page = t
        .get(&format!("/units/{commune}/training"), Auth::Cookie(&cookie))
        .await;
    assert!(
        training_page
            .body
            .contains(&format!("{} học viên, 1 hoàn thành", ids.len()))
            && training_page
                .body
                .contains(&format!("href=\"/courses/{cid}\"")),
        "the list counts and links the course"
    );
    let tr = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/training"),
            Auth::Bearer(&committee),
        )
        .await);
    assert_eq!(tr["trainee_times"].as_u64(), Some(ids.len() as u64));
    assert_eq!(tr["share"]["trained"], 1);
    assert!(tr["share"]["officers"].as_u64().unwrap() > 1);
    assert!(
        !tr["share"]["untrained"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == secretary)
    );
    // A member who holds no office completing the course trains no officer.
    let untrained: Vec<&serde_json::Value> = tr["share"]["untrained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    let plain = ids
        .iter()
        .find(|id| **id != secretary && !untrained.iter().any(|u| *u == *id))
        .expect("a member without office");
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({ "completed_ids": [plain] }),
        )
        .await);
    let again = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/training"),
            Auth::Bearer(&committee),
        )
        .await);
    assert_eq!(
        (&again["share"]["trained"], &again["share"]["officers"]),
        (&tr["share"]["trained"], &tr["share"]["officers"])
    );
    let bad_period = t
        .get(
            &format!("/api/v1/units/{commune}/training?from=2026-12-31&to=2026-01-01"),
            Auth::Bearer(&committee),
        )
        .await;
    assert!(refused(&bad_period).contains("Đến ngày"));

    // Inspection: planned by the committee, a result with a recommendation, followed up by the cell.
    let plan = t
        .api(Method::POST, &format!("/api/v1/units/{dong_tam}/inspections"), &sec,
            json!({"cell_id": dong_tam, "kind": "inspection", "planned_on": day(-5), "content": "Việc thực hiện quy trình sinh hoạt"}))
        .await;
    assert_eq!(
        plan.status,
        StatusCode::FORBIDDEN,
        "a cell does not inspect itself"
    );
    let i = ok(&t
        .api(Method::POST, &format!("/api/v1/units/{commune}/inspections"), &committee,
            json!({"cell_id": dong_tam, "kind": "inspection", "planned_on": day(-5), "content": "Việc thực hiện quy trình sinh hoạt chi bộ"}))
        .await);
    let before = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/inspections"),
            Auth::Bearer(&committee),
        )
        .await);
    assert_eq!(before["cells_inspected"], 0);
    // The commune's live cells, counted in SQL, are the ones its committee may inspect; they
    // are found by name without diacritics, a page at a time.
    let choices = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/cells-to-inspect?per_page=1"),
            Auth::Bearer(&committee),
        )
        .await);
    let mut all = choices["items"].as_array().unwrap().clone();
    assert_eq!(all.len(), 1);
    let mut next = choices["next"].as_str().map(str::to_string);
    while let Some(n) = next {
        let page = ok(&t
            .get(
                &format!("/api/v1/units/{commune}/cells-to-inspect?per_page=1&after={n}"),
                Auth::Bearer(&committee),
            )
            .await);
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        next = page["next"].as_str().map(str::to_string);
    }
    assert_eq!(before["cells"].as_u64().unwrap(), all.len() as u64);
    assert!(all.len() >= 2 && all.iter().any(|c| c["id"] == dong_tam));
    // Units to choose in a form are those of the user's scope only.
    let mine = ok(&t
        .get(
            "/api/v1/units/choices?q=phu%20lam",
            Auth::Bearer(&committee),
        )
        .await);
    let names: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Đảng bộ xã Phú Lâm"), "{names:?}");
    assert!(
        !names.contains(&"Đảng bộ huyện Phú Lâm"),
        "the dissolved district is not offered"
    );
    let board = t.token("bantochuc").await;
    let all = ok(&t
        .get(
            "/api/v1/units/choices?q=chi%20bo&per_page=500",
            Auth::Bearer(&board),
        )
        .await);
    let mine = ok(&t
        .get(
            "/api/v1/units/choices?q=chi%20bo&per_page=500",
            Auth::Bearer(&committee),
        )
        .await);
    assert!(
        mine["items"].as_array().unwrap().len() < all["items"].as_array().unwrap().len(),
        "a commune chooses among its own cells"
    );
    // Officers to give tasks and courses to, searched by name without diacritics.
    let officers = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/officers"),
            Auth::Bearer(&committee),
        )
        .await);
    let first = &officers["items"][0];
    let plain = chibo_domain::text::search_key(first["name"].as_str().unwrap());
    let by_name = ok(&t
        .get(
            &format!(
                "/api/v1/units/{commune}/officers?q={}",
                plain.replace(' ', "%20")
            ),
            Auth::Bearer(&committee),
        )
        .await);
    assert!(
        by_name["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == first["id"])
    );
    let found = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/cells-to-inspect?q=dong%20tam"),
            Auth::Bearer(&committee),
        )
        .await);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["id"], dong_tam);
    let page = t
        .get(
            &format!("/units/{commune}/cells-to-inspect?q=dong+tam"),
            Auth::Cookie(&t.login("xaphulam").await),
        )
        .await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{dong_tam}\">")),
        "{}",
        page.body
    );
    let late_due = t
        .api(Method::PUT, &format!("/api/v1/inspections/{}/result", i["id"]), &committee,
            json!({"done_on": day(-2), "result": "Chi bộ thực hiện cơ bản đúng quy trình", "recommendations": [{"text": "Ghi biên bản đầy đủ ý kiến", "due_on": day(-3)}]}))
        .await;
    assert!(refused(&late_due).contains("sau ngày kiểm tra"));
    let done = ok(&t
        .api(Method::PUT, &format!("/api/v1/inspections/{}/result", i["id"]), &committee,
            json!({"done_on": day(-2), "result": "Chi bộ thực hiện cơ bản đúng quy trình", "recommendations": [{"text": "Ghi biên bản đầy đủ ý kiến", "due_on": day(28)}]}))
        .await);
    assert_eq!(done["status"], "done");
    let again = t
        .api(
            Method::PUT,
            &format!("/api/v1/inspections/{}/result", i["id"]),
            &committee,
            json!({"done_on": day(-1), "result": "x"}),
        )
        .await;
    assert!(refused(&again).contains("đã có kết quả"));
    let after = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/inspections"),
            Auth::Bearer(&committee),
        )
        .await);
    assert_eq!(after["cells_inspected"], 1);
    let cells = after["cells"].as_u64().unwrap();
    assert_eq!(
        after["share_text"],
        chibo_domain::text::percent_text(1, cells)
    );
    assert_eq!(after["open_recommendations"], 1);
    assert_eq!(after["overdue_recommendations"], 0, "due in 28 days");
    let rec = &done["recommendations"][0]["id"];
    let fixed = ok(&t
        .api(Method::POST, &format!("/api/v1/recommendations/{rec}/follow-up"), &sec,
            json!({"done_on": day(0), "follow_up": "Biên bản tháng này ghi đủ ý kiến từng đồng chí"}))
        .await);
    assert_eq!(fixed["recommendations"][0]["status"], "done");
    let cell_view = ok(&t
        .get(
            &format!("/api/v1/units/{dong_tam}/inspections"),
            Auth::Bearer(&sec),
        )
        .await);
    assert_eq!(cell_view["open_recommendations"], 0);

    // The pages.
    let cookie = t.login("xaphulam").await;
    for (page, text) in [
        ("cadre-tasks", "Mô hình được Huyện ủy công nhận"),
        ("training", "Bồi dưỡng nghiệp vụ công tác đảng"),
        ("inspections", "Biên bản tháng này ghi đủ ý kiến"),
    ] {
        let r = t
            .get(&format!("/units/{commune}/{page}"), Auth::Cookie(&cookie))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert!(r.body.contains(text), "{page}: {text}");
    }
    let posted = t
        .post_form(
            &format!("/units/{commune}/inspections"),
            Auth::Cookie(&cookie),
            "cell_id=&kind=inspection&planned_on=&content=",
        )
        .await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(posted.body.contains("Chọn một chi bộ"));
}
