//! The board's view through the API and the pages: the indicators of a unit's subtree, the
//! programmes with their targets (nested, the stricter one nearer the unit winning), which
//! units below issued theirs, and the errors a wrong period or target gets. Runs on SQLite and
//! on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

fn line<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {r}"))
}

/// The id of the programme named `name` in a unit's programmes.
fn programme_named(list: &Value, name: &str) -> i64 {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn indicators_and_programmes_through_the_api_and_the_pages() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let board = t.token("bantochuc").await;
    let member = t.token("dangvien.dongtam").await;
    let committee = t.token("xaphulam").await;
    let province = t.unit_id("Đảng bộ tỉnh Hòa Sơn").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let (from, to) = (day(-365), day(-1));
    let path = |unit: i64, extra: &str| {
        format!("/api/v1/units/{unit}/indicators?from={from}&to={to}{extra}")
    };

    // Every indicator, in the documented shape.
    let r = ok(&t
        .api(Method::GET, &path(province, ""), &board, json!(null))
        .await);
    assert_eq!(r["unit_id"], province);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some(from.as_str()), Some(to.as_str()))
    );
    assert_eq!(r["indicators"].as_array().unwrap().len(), 31);
    let rate = line(&r, "attendance_rate");
    let (n, d) = (
        rate["numerator"].as_f64().unwrap(),
        rate["denominator"].as_f64().unwrap(),
    );
    assert!(d > 0.0);
    assert_eq!(
        rate["value"].as_f64().unwrap(),
        (n * 1000.0 / d).round() / 10.0,
        "a percentage with one decimal"
    );
    assert_eq!(rate["target"], Value::Null);
    assert_eq!(line(&r, "members")["denominator"], Value::Null);
    assert_eq!(line(&r, "cell_months_met")["evidence"], "missed_month");
    // A count links the page that lists what it counts, and every such page opens.
    assert_eq!(
        line(&r, "members")["rows"],
        format!("/members?unit_id={province}")
    );
    assert_eq!(
        line(&r, "trainee_times")["rows"],
        format!("/units/{province}/training")
    );
    let cookie = t.login("bantochuc").await;
    let mut linked = 0;
    for l in r["indicators"].as_array().unwrap() {
        if let Some(p) = l["rows"].as_str() {
            let page = t.get(p, Auth::Cookie(&cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{p}");
            linked += 1;
        }
    }
    assert!(linked >= 10, "{linked}");

    // A plain member reads no subtree; a wrong period is refused in Vietnamese.
    let hidden = t
        .api(Method::GET, &path(province, ""), &member, json!(null))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    for bad in [
        format!("/api/v1/units/{province}/indicators?from={to}&to={from}"),
        format!("/api/v1/units/{province}/indicators?from=2000-01-01&to=2026-01-01"),
        format!("/api/v1/units/{province}/indicators?from=31-02-2026"),
    ] {
        let res = t.api(Method::GET, &bad, &board, json!(null)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(res.json()["error"]["code"], "invalid_input", "{}", res.body);
    }

    // The demo's programmes: Đề án 11 and 16 on the province, Phú Lâm's plan under Đề án 11.
    let list = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/units/{commune}/programmes"),
            &committee,
            json!(null),
        )
        .await);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Đề án 11-ĐA/TU") && names.contains(&"Kế hoạch 45-KH/ĐU"),
        "{names:?}"
    );
    let de_an_11 = programme_named(&list, "Đề án 11-ĐA/TU");

    // Held against Đề án 11: the province sees ≥ 90%, the commune its own stricter ≥ 95%.
    let at_province = ok(&t
        .api(
            Method::GET,
            &path(province, &format!("&programme={de_an_11}")),
            &board,
            json!(null),
        )
        .await);
    let rate = line(&at_province, "attendance_rate");
    assert_eq!(rate["target"].as_f64(), Some(90.0));
    assert_eq!(
        rate["met"].as_bool(),
        Some(rate["value"].as_f64().unwrap() >= 90.0)
    );
    assert_eq!(line(&at_province, "members")["target"], Value::Null);
    let at_commune = ok(&t
        .api(
            Method::GET,
            &path(commune, &format!("&programme={de_an_11}")),
            &committee,
            json!(null),
        )
        .await);
    assert_eq!(
        line(&at_commune, "attendance_rate")["target"].as_f64(),
        Some(95.0)
    );
    assert_eq!(
        line(&at_commune, "cell_months_met")["target"].as_f64(),
        Some(100.0)
    );

    // Which units under the province issued theirs.
    let uptake = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/programmes/{de_an_11}/uptake"),
            &board,
            json!(null),
        )
        .await);
    assert_eq!(uptake["issued_below"], 1);
    assert!(uptake["units"].as_u64().unwrap() >= 2);

    // Recording a programme: errors named by field, then saved, read and changed.
    let create = format!("/api/v1/units/{commune}/programmes");
    let bad = t
        .api(
            Method::POST,
            &create,
            &committee,
            json!({"kind": "de_an", "code": "", "title": "Nâng cao chất lượng", "issued_on": "2026-01-10",
                   "starts_on": "2026-01-10", "ends_on": "2025-12-31", "parent_id": de_an_11 + 1000,
                   "targets": [{"indicator": "attendance_rate", "comparison": "at_least", "value": "120"},
                               {"indicator": "no_such", "value": "3"}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    for f in [
        "code",
        "ends_on",
        "parent_id",
        "targets[0].value",
        "targets[1].indicator",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }
    let body = json!({"kind": "nghi_quyet", "code": "05-NQ/ĐU", "title": "Nghị quyết chuyên đề về nâng cao chất lượng sinh hoạt chi bộ",
                      "issued_on": "2026-02-01", "starts_on": "2026-02-01", "ends_on": "2026-12-31", "parent_id": de_an_11,
                      "targets": [{"indicator": "members_tasked", "comparison": "at_least", "value": "100"}],
                      "reviews": [{"due_on": "2026-12-20", "title": "Tổng kết năm"}]});
    // A programme below may tighten a target, never loosen it.
    let looser = t
        .api(
            Method::POST,
            &create,
            &committee,
            json!({"kind": "ke_hoach", "code": "09-KH/ĐU", "title": "Kế hoạch", "issued_on": "2026-02-01",
                   "starts_on": "2026-02-01", "ends_on": "2026-12-31", "parent_id": de_an_11,
                   "targets": [{"indicator": "attendance_rate", "comparison": "at_least", "value": "80"}]}),
        )
        .await;
    assert_eq!(looser.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        looser.body.contains("targets[0].value") && looser.body.contains("≥ 90%"),
        "{}",
        looser.body
    );
    let not_theirs = t.api(Method::POST, &create, &member, body.clone()).await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    let created = t.api(Method::POST, &create, &committee, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let p = created.json();
    assert_eq!(
        p["targets"][0]["text"],
        "Đảng viên được phân công nhiệm vụ cụ thể ≥ 100%"
    );
    assert_eq!(p["parent"]["id"], de_an_11);
    let id = p["id"].as_i64().unwrap();
    let changed = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/programmes/{id}"),
            &committee,
            json!({"kind": "nghi_quyet", "code": "05-NQ/ĐU", "title": "Nghị quyết chuyên đề", "issued_on": "2026-02-01",
                   "starts_on": "2026-02-01", "ends_on": "2026-12-31",
                   "targets": [{"indicator": "superior_attended", "comparison": "at_least", "value": "50,5"}]}),
        )
        .await);
    assert_eq!(changed["targets"].as_array().unwrap().len(), 1);
    assert_eq!(changed["targets"][0]["value"].as_f64(), Some(50.5));
    assert_eq!(changed["reviews"].as_array().unwrap().len(), 0);
    let read = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/programmes/{id}"),
            &board,
            json!(null),
        )
        .await);
    assert_eq!(read["title"], "Nghị quyết chuyên đề");

    // The pages: the board's dashboard (its home page) with Đề án 11's targets, a programme,
    // the form.
    let cookie = t.login("bantochuc").await;
    let home = t.get("/", Auth::Cookie(&cookie)).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), format!("/units/{province}/dashboard"));
    let personal = t.get("/?ca_nhan=1", Auth::Cookie(&cookie)).await;
    assert!(
        personal.body.contains("Xin chào"),
        "the personal page stays"
    );
    let committee_home = t.get("/", Auth::Cookie(&t.login("xaphulam").await)).await;
    assert_eq!(
        committee_home.location(),
        format!("/units/{commune}/dashboard")
    );
    let secretary_home = t
        .get("/", Auth::Cookie(&t.login("bithu.dongtam").await))
        .await;
    assert_eq!(
        secretary_home.status,
        StatusCode::OK,
        "a cell's secretary keeps the list"
    );
    let page = t
        .get(
            &format!("/units/{province}/dashboard?tu={from}&den={to}&chuong_trinh={de_an_11}"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("id=\"ind-attendance_rate\"") && page.body.contains("≥ 90%"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"child-table\"")
            && page.body.contains(&format!("id=\"child-{commune}\"")),
        "the communes' table"
    );
    let sorted = t
        .get(
            &format!("/units/{province}/dashboard?tu={from}&den={to}&xep=members&giam=1"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(sorted.status, StatusCode::OK);
    let by_child = ok(&t
        .api(
            Method::GET,
            &path(province, "&by=child"),
            &board,
            json!(null),
        )
        .await);
    let members: Vec<u64> = by_child["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| line(c, "members")["numerator"].as_u64().unwrap())
        .collect();
    let mut order: Vec<(u64, usize)> = members.iter().copied().zip(0..).collect();
    order.sort_by_key(|o| std::cmp::Reverse(o.0));
    let first = &by_child["children"][order[0].1]["unit"]["id"];
    let at = |id: &Value| sorted.body.find(&format!("id=\"child-{id}\"")).unwrap();
    for (_, i) in &order[1..] {
        assert!(
            at(first) <= at(&by_child["children"][*i]["unit"]["id"]),
            "the most members first"
        );
    }
    let months = ok(&t
        .api(
            Method::GET,
            &path(province, "&by=month"),
            &board,
            json!(null),
        )
        .await);
    // Twelve months and a day: thirteen calendar months, or twelve when it starts on a first.
    let calendar_months = if from.ends_with("-01") { 12 } else { 13 };
    assert_eq!(months["months"].as_array().unwrap().len(), calendar_months);
    let wrong_by = t
        .api(
            Method::GET,
            &path(province, "&by=year"),
            &board,
            json!(null),
        )
        .await;
    assert_eq!(wrong_by.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = t
        .get(&format!("/programmes/{de_an_11}"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("id=\"target-attendance_rate\"")
            && shown.body.contains("Đảng bộ xã Phú Lâm"),
        "{}",
        shown.body
    );
    let ccookie = t.login("xaphulam").await;
    let form = "kind=ke_hoach&code=07-KH%2F%C4%90U&title=K%E1%BA%BF+ho%E1%BA%A1ch&issued_on=2026-03-01&starts_on=2026-03-01&ends_on=2026-12-31\
                &indicator=attendance_rate&comparison=at_least&value=97&indicator=&comparison=at_least&value=\
                &review_due_on=&review_title=&review_due_on=&review_title=";
    let saved = t
        .post_form(
            &format!("/units/{commune}/programmes"),
            Auth::Cookie(&ccookie),
            form,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(saved.location().starts_with("/programmes/"));
    let wrong = t
        .post_form(
            &format!("/units/{commune}/programmes"),
            Auth::Cookie(&ccookie),
            "kind=ke_hoach&code=08&title=Sai&issued_on=2026-03-01&starts_on=2026-03-01&ends_on=2026-12-31\
             &indicator=attendance_rate&comparison=at_least&value=abc&indicator=&comparison=at_least&value=",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("Nhập tỷ lệ từ 0 đến 100") && wrong.body.contains("value=\"abc\""),
        "the form keeps what was typed: {}",
        wrong.body
    );
    // The message is on the target's own line, not only above the form.
    let line = section(&wrong.body, "class=\"inline target-line\"", "</div>");
    assert!(
        line.contains("bad-text") && line.contains("từ 0 đến 100"),
        "{line}"
    );
}

#[tokio::test]
async fn warnings_through_the_api_and_the_pages() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let board = t.token("bantochuc").await;
    let member = t.token("dangvien.dongtam").await;
    let province = t.unit_id("Đảng bộ tỉnh Hòa Sơn").await;
    let (from, to) = (day(-365), day(-1));
    let path = format!("/api/v1/units/{province}/warnings?from={from}&to={to}");
    let w = ok(&t.api(Method::GET, &path, &board, json!(null)).await);
    assert_eq!(w["kinds"].as_array().unwrap().len(), 16);
    let missed = w["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "missed_month")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert!(missed > 2, "the demo skips months");
    // The demo shows every kind.
    for k in w["kinds"].as_array().unwrap() {
        assert!(
            k["count"].as_u64().unwrap() > 0,
            "the demo shows {}",
            k["kind"]
        );
    }
    // Each new kind names its evidence: the member behind a removal trigger, the meeting
    // behind copied minutes and an agency's work meeting.
    for (kind, evidence) in [
        ("repeated_absence", "/members/"),
        ("unpaid_dues", "/units/"),
        ("copied_minutes", "/meetings/"),
        ("agency_party_time", "/meetings/"),
    ] {
        let one = ok(&t
            .api(
                Method::GET,
                &format!("{path}&kind={kind}&per_page=1"),
                &board,
                json!(null),
            )
            .await);
        let item = &one["items"][0];
        assert!(
            item["evidence"].as_str().unwrap().starts_with(evidence),
            "{kind}: {item}"
        );
    }
    let first = &w["items"][0];
    assert!(
        first["reason"].as_str().unwrap().len() > 10
            && first["evidence"].as_str().unwrap().starts_with('/')
    );
    let page = ok(&t
        .api(
            Method::GET,
            &format!("{path}&kind=missed_month&per_page=2"),
            &board,
            json!(null),
        )
        .await);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next"].as_str().expect("more than one page");
    let page2 = ok(&t
        .api(
            Method::GET,
            &format!("{path}&kind=missed_month&per_page=2&after={next}"),
            &board,
            json!(null),
        )
        .await);
    assert_ne!(page2["items"][0], page["items"][0]);
    let bad = t
        .api(
            Method::GET,
            &format!("{path}&kind=nothing"),
            &board,
            json!(null),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["fields"][0]["field"], "kind");
    let hidden = t.api(Method::GET, &path, &member, json!(null)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    let cookie = t.login("bantochuc").await;
    // A unit dissolved before the period still has its board (nothing to count, no error).
    let district = t.unit_id("Đảng bộ huyện Phú Lâm").await;
    let gone = t
        .get(
            &format!("/units/{district}/dashboard"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let dash = t
        .get(
            &format!("/units/{province}/dashboard?tu={from}&den={to}"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert!(
        dash.body.contains("id=\"warn-missed_month\"")
            && dash.body.contains(&format!(
                "/units/{province}/warnings?loai=missed_month&tu={from}"
            )),
        "{}",
        dash.body
    );
    let list = t
        .get(
            &format!("/units/{province}/warnings?loai=missed_month&tu={from}&den={to}"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("không tổ chức sinh hoạt thường kỳ tháng"),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn review_reports_through_the_api_and_the_pages() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let board = t.token("bantochuc").await;
    let member = t.token("dangvien.dongtam").await;
    let province = t.unit_id("Đảng bộ tỉnh Hòa Sơn").await;
    let programmes = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/units/{province}/programmes"),
            &board,
            json!(null),
        )
        .await);
    let de_an_11 = programme_named(&programmes, "Đề án 11-ĐA/TU");

    // The demo ships the board's draft of its five-year review.
    let list = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/programmes/{de_an_11}/reports"),
            &board,
            json!(null),
        )
        .await);
    assert_eq!(list["items"][0]["number"], "120-BC/TU");
    assert_eq!(list["can_write"], true);

    // A new one from the draft: field errors first, then written and read back with figures.
    let mut draft = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/programmes/{de_an_11}/reports/draft"),
            &board,
            json!(null),
        )
        .await);
    let create = format!("/api/v1/programmes/{de_an_11}/reports");
    let bad = t.api(Method::POST, &create, &board, draft.clone()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["code"], "invalid_input");
    assert!(
        bad.body.contains("\"number\"") && bad.body.contains("số báo cáo"),
        "{}",
        bad.body
    );
    draft["number"] = json!("130-BC/TU");
    draft["signer_name"] = json!("Trần Quốc Minh");
    let hidden = t.api(Method::POST, &create, &member, draft.clone()).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let created = t.api(Method::POST, &create, &board, draft.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let r = created.json();
    let id = r["id"].as_i64().unwrap();
    let rate = r["figures"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "attendance_rate")
        .unwrap();
    assert_eq!(rate["target"].as_f64(), Some(90.0));
    assert!(r["figures"]["children"].as_array().unwrap().len() >= 2);
    draft["directions"] = json!("Tiếp tục thực hiện.");
    let changed = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/review-reports/{id}"),
            &board,
            draft,
        )
        .await);
    assert_eq!(changed["directions"], "Tiếp tục thực hiện.");
    let unseen = t
        .api(
            Method::GET,
            &format!("/api/v1/review-reports/{id}"),
            &member,
            json!(null),
        )
        .await;
    assert_eq!(unseen.status, StatusCode::NOT_FOUND);

    // Its files, through the API and the pages.
    let cookie = t.login("bantochuc").await;
    for (path, kind) in [
        (
            format!("/api/v1/review-reports/{id}/report.docx"),
            "wordprocessingml",
        ),
        (
            format!("/api/v1/review-reports/{id}/report.xlsx"),
            "spreadsheetml",
        ),
    ] {
        let res = t.api(Method::GET, &path, &board, json!(null)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let ct = res.headers["content-type"].to_str().unwrap();
        assert!(ct.contains(kind), "{ct}");
        assert!(res.body.starts_with("PK"), "a zip archive");
        let page = t
            .get(&path.replace("/api/v1", ""), Auth::Cookie(&cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK);
    }

    // The pages: the list with the form filled from the draft, the report, a bad change.
    let reports = t
        .get(
            &format!("/programmes/{de_an_11}/reports"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(reports.status, StatusCode::OK);
    assert!(
        reports.body.contains("id=\"report-form\"") && reports.body.contains("130-BC/TU"),
        "{}",
        reports.body
    );
    let form = format!(
        "unit_id={province}&title=B%C3%A1o+c%C3%A1o+qu%C3%BD&number=140-BC%2FTU&place=H%C3%B2a+S%C6%A1n\
         &report_on=2026-11-30&from=2026-01-01&to=2026-09-30&situation=T%C3%ACnh+h%C3%ACnh\
         &assessment=&weaknesses=&directions=&signer_role=T%2FM+BAN+TH%C6%AF%E1%BB%9CNG+V%E1%BB%A4\
         &signer_name=Tr%E1%BA%A7n+Qu%E1%BB%91c+Minh"
    );
    let saved = t
        .post_form(
            &format!("/programmes/{de_an_11}/reports"),
            Auth::Cookie(&cookie),
            &form,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = t.get(saved.location(), Auth::Cookie(&cookie)).await;
    assert_eq!(shown.status, StatusCode::OK);
    for id in [
        "report-targets",
        "report-weaknesses",
        "report-units",
        "docx",
        "xlsx",
    ] {
        assert!(shown.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    let wrong = t
        .post_form(
            saved.location(),
            Auth::Cookie(&cookie),
            &form.replace("to=2026-09-30", "to=2025-09-30"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Đến ngày phải sau từ ngày."));
    let to = section(&wrong.body, "Sửa nội dung báo cáo", "</form>");
    assert!(
        label_of(to, "to").contains("class=\"bad\""),
        "the message beside the field: {to}"
    );
    let programme_page = t
        .get(&format!("/programmes/{de_an_11}"), Auth::Cookie(&cookie))
        .await;
    assert!(programme_page.body.contains("id=\"review-reports\""));
}
