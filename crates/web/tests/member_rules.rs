//! The rules of members' work as versioned data (issue 12): the built-in sets for the texts in
//! force from 30 Jul 2021 (QĐ 24), 1 Jul 2025 (QĐ 294) and 30 Aug 2025 (QĐ 366), chosen for a
//! unit and a date like the meeting rules; a set an administrator adds in a form, attached to a
//! commune, changes the deadlines, working days and badge days of its cells only, and every
//! figure it decides is shown with its source. Both lists of rule sets are paged. Runs on SQLite
//! and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{NaiveDate, Weekday};
use common::*;
use serde_json::json;

#[tokio::test]
async fn sets_of_members_rules_by_date_and_unit_with_their_sources() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let admin = t.token("admin").await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;

    // The built-in sets, each figure with the text it comes from.
    let page = ok(&t.get("/api/v1/member-rule-sets", Auth::Bearer(&sec)).await);
    assert!(page["next"].is_null(), "one page: {page}");
    let sets = &page["items"];
    let codes: Vec<&str> = sets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["qd24-2021", "qd294-2025", "qd366-2025"]);
    for s in sets.as_array().unwrap() {
        for f in s["figures"].as_array().unwrap() {
            assert!(
                !f["source"].as_str().unwrap().is_empty(),
                "{}: {}",
                s["code"],
                f["key"]
            );
        }
    }
    let on = |date: &str| {
        let (t, sec) = (&t, sec.clone());
        let path = format!("/api/v1/units/{cell}/member-rules?date={date}");
        async move { ok(&t.get(&path, Auth::Bearer(&sec)).await) }
    };
    let figure = |set: &serde_json::Value, key: &str| {
        set["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap()
            .clone()
    };
    // QĐ 24 until 30 June 2025, QĐ 294 from 1 July, QĐ 366's classification from 30 August.
    assert_eq!(on("2025-06-30").await["code"], "qd24-2021");
    let jul = on("2025-07-01").await;
    assert_eq!(jul["code"], "qd294-2025");
    assert!(
        figure(&jul, "admission.decide_within_working_days")["source"]
            .as_str()
            .unwrap()
            .contains("294-QĐ/TW")
    );
    assert_eq!(
        figure(&jul, "classification.task_conditions")["value"],
        "Không"
    );
    let sep = on("2025-09-01").await;
    assert_eq!(
        figure(&sep, "classification.task_conditions")["value"],
        "Có"
    );
    assert_eq!(
        figure(&sep, "classification.excellent_exceeded")["value"],
        "từ 30% trở lên"
    );
    // Records older than any shipped set are judged by the oldest.
    assert_eq!(on("2015-01-01").await["code"], "qd24-2021");

    // The classification of a year follows the set in force on its 31 December.
    let year_rules = |year: i32| {
        let (t, sec) = (&t, sec.clone());
        async move {
            ok(&t
                .get(
                    &format!("/api/v1/units/{cell}/reviews?year={year}"),
                    Auth::Bearer(&sec),
                )
                .await)["rule_set"]
                .clone()
        }
    };
    assert_eq!(
        year_rules(2024).await,
        "Quy định 24-QĐ/TW và Hướng dẫn 01-HD/TW (2021)"
    );
    // An administrator's set for the commune: the superior committee decides recognition within
    // 20 working days, only Sunday is a day off, and the province adds an award day.
    let new_set = |code: &str, figures: serde_json::Value, sources: serde_json::Value| {
        json!({"code": code, "name": "Quy định của Đảng ủy xã Phú Lâm", "unit_id": commune,
               "effective_from": "2020-01-01", "figures": figures, "sources": sources})
    };
    let path = "/api/v1/member-rule-sets";
    // Refused, each with the field named and nothing written: not an administrator; a figure
    // that is not a number; a source left empty; a key that does not exist; ages reversed.
    let r = t
        .api(
            Method::POST,
            path,
            &sec,
            new_set("phu-lam", json!({}), json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for (figures, sources, field) in [
        (
            json!({"admission.recognise_within_working_days": "hai mươi"}),
            json!({}),
            "figures.admission.recognise_within_working_days",
        ),
        (
            json!({}),
            json!({"admission.vote": " "}),
            "sources.admission.vote",
        ),
        (
            json!({"admission.speed": "1"}),
            json!({}),
            "figures.admission.speed",
        ),
        (
            json!({"admission.min_age": "61"}),
            json!({}),
            "figures.admission.max_age",
        ),
    ] {
        let r = t
            .api(
                Method::POST,
                path,
                &admin,
                new_set("phu-lam", figures, sources),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["fields"][0]["field"], field, "{}", r.body);
    }
    let created = t
        .api(
            Method::POST,
            path,
            &admin,
            new_set(
                "phu-lam",
                json!({"admission.recognise_within_working_days": "20",
                       "working_days.weekly_days_off": "CN",
                       "badges.occasions": "3/2 Ngày thành lập Đảng; 19/5 Ngày sinh Chủ tịch Hồ Chí Minh; 2/9 Quốc khánh; 7/11 Cách mạng Tháng Mười; 1/10 Ngày truyền thống tỉnh"}),
                json!({"admission.recognise_within_working_days": "Quy định 99-QĐ/ĐU (thử), điểm 2"}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    assert_eq!(on("2026-01-01").await["id"], created["id"]);
    let elsewhere = t.unit_id("Chi bộ Tổ dân phố số 1").await;
    let other = ok(&t
        .get(
            &format!("/api/v1/units/{elsewhere}/member-rules"),
            Auth::Bearer(&admin),
        )
        .await);
    assert_eq!(
        other["code"], "qd366-2025",
        "another commune keeps the national set"
    );

    // The candidate the cell voted to recognise 40 days ago: the deadline now counts 20 working
    // days with only Sundays off, and names its source.
    let list = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/candidates"),
            Auth::Bearer(&sec),
        )
        .await);
    let dung = list["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["full_name"] == "Nông Văn Dũng")
        .unwrap()
        .clone();
    let voted: NaiveDate = dung["votes"].as_array().unwrap().last().unwrap()["held_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let h = chibo_app::rules::calendar::holidays(&t.app)
        .await
        .unwrap()
        .with_weekly_days_off([Weekday::Sun]);
    assert_eq!(dung["due_on"], h.add_working_days(voted, 20).to_string());
    assert_eq!(dung["overdue"], true);
    let basis = dung["due_basis"].as_str().unwrap();
    assert!(
        basis.starts_with("20 ngày làm việc (Quy định 99-QĐ/ĐU (thử), điểm 2)"),
        "{basis}"
    );
    assert!(list["overdue"].as_u64().unwrap() >= 1);

    // The province's own award day is among those the member's page cites.
    let cookie = t.login("bithu.dongtam").await;
    let member = t.member_id("dangvien.dongtam").await;
    let page = t
        .get(&format!("/members/{member}"), Auth::Cookie(&cookie))
        .await;
    assert!(
        page.body.contains("1/10 Ngày truyền thống tỉnh"),
        "{}",
        page.body
    );

    assert_eq!(year_rules(2026).await, "Quy định của Đảng ủy xã Phú Lâm");
}

#[tokio::test]
async fn the_administrators_form_copies_a_set_and_shows_each_figure_with_its_source() {
    let t = TestApp::new().await;
    let admin = t.login("admin").await;
    let page = t.get("/member-rule-sets", Auth::Cookie(&admin)).await;
    assert!(
        page.body
            .contains("name=\"v.admission.decide_within_working_days\" value=\"60\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"s.badges.occasions\""));
    // A member reads the sets but gets no form.
    let member = t.login("dangvien.dongtam").await;
    let read = t.get("/member-rule-sets", Auth::Cookie(&member)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("name=\"v.admission"));
    // The form as the page fills it from the QĐ 294 set, with the probation changed.
    let base = ok(&t
        .get(
            "/api/v1/member-rule-sets",
            Auth::Bearer(&t.token("admin").await),
        )
        .await)["items"][1]
        .clone();
    let form = |probation: &str| {
        let mut f = form_urlencoded::Serializer::new(String::new());
        f.append_pair("code", "tinh-thu")
            .append_pair("name", "Quy định thử")
            .append_pair("effective_from", "2026-02-01")
            .append_pair("base_id", &base["id"].to_string());
        for fig in base["figures"].as_array().unwrap() {
            let key = fig["key"].as_str().unwrap();
            let (value, source) = if key == "admission.probation_months" {
                (probation, "Điều lệ Đảng, Điều 5")
            } else {
                (
                    fig["input"].as_str().unwrap(),
                    fig["source"].as_str().unwrap(),
                )
            };
            f.append_pair(&format!("v.{key}"), value)
                .append_pair(&format!("s.{key}"), source);
        }
        f.finish()
    };
    // A source cleared in the form is refused, not taken from the set copied.
    let cleared = form("12").replace("s.admission.vote=", "s.admission.vote=+&x=");
    let r = t
        .post_form("/member-rule-sets", Auth::Cookie(&admin), &cleared)
        .await;
    assert!(r.body.contains("ghi văn bản quy định"), "{}", r.body);
    // On the figure's own row, beside its source.
    let row = section(&r.body, "id=\"error-admission.vote\"", "</small>");
    assert!(row.contains("ghi văn bản quy định"), "{row}");
    let bad = t
        .post_form("/member-rule-sets", Auth::Cookie(&admin), &form("0"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Thời gian dự bị: nhập số nguyên từ 1 đến 36."),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"0\""),
        "the form keeps what was typed"
    );
    // The message is on the figure's own row.
    let row = section(
        &bad.body,
        "id=\"error-admission.probation_months\"",
        "</small>",
    );
    assert!(row.contains("từ 1 đến 36"), "{row}");
    assert!(
        label_of(&bad.body, "code").contains("value=\"")
            && label_of(&bad.body, "effective_from").contains("value=\"2026-02-01\""),
        "the heading kept"
    );
    let good = t
        .post_form("/member-rule-sets", Auth::Cookie(&admin), &form("18"))
        .await;
    assert!(
        good.status.is_redirection(),
        "{} {}",
        good.status,
        good.body
    );
    let shown = t.get(good.location(), Auth::Cookie(&admin)).await;
    assert!(
        shown
            .body
            .contains("<td>Thời gian dự bị</td><td>18 tháng</td><td>Điều lệ Đảng, Điều 5</td>"),
        "{}",
        shown.body
    );
    // Copied from the QĐ 294 set: its other sources are kept.
    assert!(shown.body.contains("Quy định 294-QĐ/TW"));
}

/// Both lists of rule sets come a page at a time, in the API and in the pages: the pages of one
/// set each, followed by their cursors, give the whole list once and in order; a bad cursor is
/// refused with its message.
#[tokio::test]
async fn the_lists_of_rule_sets_come_a_page_at_a_time() {
    let t = TestApp::new().await;
    let admin = t.token("admin").await;
    let cookie = t.login("admin").await;
    for list in ["rule-sets", "member-rule-sets"] {
        let whole = ok(&t
            .get(&format!("/api/v1/{list}"), Auth::Bearer(&admin))
            .await);
        let ids: Vec<i64> = whole["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        assert!(ids.len() >= 3, "{list}: {whole}");
        let (mut paged, mut after) = (Vec::new(), None::<String>);
        loop {
            let path = match &after {
                Some(a) => format!("/api/v1/{list}?per_page=1&after={a}"),
                None => format!("/api/v1/{list}?per_page=1"),
            };
            let page = ok(&t.get(&path, Auth::Bearer(&admin)).await);
            let items = page["items"].as_array().unwrap();
            assert_eq!(items.len(), 1, "{list}: {page}");
            paged.push(items[0]["id"].as_i64().unwrap());
            match page["next"].as_str() {
                Some(n) => after = Some(n.to_string()),
                None => break,
            }
        }
        assert_eq!(paged, ids, "{list}: every set once, oldest first");
        let bad = t
            .get(&format!("/api/v1/{list}?after=xyz"), Auth::Bearer(&admin))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{list}");
        assert!(bad.body.contains("after"), "{list}: {}", bad.body);
        // The page after the first set: the later sets, a link back to the first page.
        let first = ok(&t
            .get(&format!("/api/v1/{list}?per_page=1"), Auth::Bearer(&admin))
            .await);
        let cursor = first["next"].as_str().unwrap();
        let page = t
            .get(&format!("/{list}?after={cursor}"), Auth::Cookie(&cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Trang đầu"), "{list}");
        let link = |id: i64| format!("href=\"/{list}/{id}\"");
        assert!(!page.body.contains(&link(ids[0])), "{list}: the first set");
        assert!(page.body.contains(&link(ids[ids.len() - 1])), "{list}");
    }
}
