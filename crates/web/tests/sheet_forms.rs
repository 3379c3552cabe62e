//! Issue 13, defect 1 on the sheets of one row per member (a month's dues, the year's review)
//! and on the forms beside them: a refused sheet comes back with every row as it was typed and
//! each row's error on that row, not only in a list at the top. Runs on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;

/// The member ids of a cell's list, from an API that answers `rows[].member.id`.
async fn row_members(t: &TestApp, path: &str, token: &str) -> Vec<i64> {
    ok(&t.get(path, Auth::Bearer(token)).await)["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["excluded"].is_null())
        .map(|r| r["member"]["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_refused_dues_sheet_keeps_every_row() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let month = chibo_app::App::today().format("%Y-%m").to_string();
    let members = row_members(
        &t,
        &format!("/api/v1/units/{cell}/dues?month={month}"),
        &sec,
    )
    .await;
    let (a, b, c) = (members[0], members[1], members[2]);
    let path = format!("/units/{cell}/dues");

    // a: excused without a reason (refused on the page); b: paid, typed well; c: paid without
    // its day (refused by the use case, which names the entry by its place in the list).
    let form = format!(
        "month={month}&status_{a}=excused&reason_{a}=&status_{b}=paid&amount_{b}=45.000&paid_on_{b}={}",
        day(0)
    );
    let r = t.post_form(&path, Auth::Cookie(&cookie), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains(&format!("id=\"error-dues-{a}\"")),
        "{}",
        r.body
    );
    let amount_b = format!("name=\"amount_{b}\" inputmode=\"numeric\" value=\"45.000\"");
    assert!(r.body.contains(&amount_b), "{}", r.body);
    let select_b = section(&r.body, &format!("name=\"status_{b}\""), "</select>");
    assert!(select_b.contains("value=\"paid\" selected"), "{select_b}");
    let select_a = section(&r.body, &format!("name=\"status_{a}\""), "</select>");
    assert!(
        select_a.contains("value=\"excused\" selected"),
        "{select_a}"
    );

    let form = format!(
        "month={month}&status_{b}=paid&amount_{b}=45.000&status_{c}=paid&amount_{c}=30.000"
    );
    let r = t.post_form(&path, Auth::Cookie(&cookie), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Each unpaid day is named on its own row.
    let row_c = section(&r.body, &format!("href=\"/members/{c}\""), "</tr>");
    assert!(row_c.contains(&format!("id=\"error-dues-{c}\"")), "{row_c}");
    assert!(row_c.contains("value=\"30.000\""), "{row_c}");

    // Typed well: saved, confirmed, shown as recorded.
    let form = format!(
        "month={month}&status_{b}=paid&amount_{b}=45.000&paid_on_{b}={}",
        day(0)
    );
    let r = t.post_form(&path, Auth::Cookie(&cookie), &form).await;
    assert_eq!(
        r.location(),
        format!("/units/{cell}/dues?thang={month}&da-luu=1")
    );
    let page = t.get(r.location(), Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("id=\"saved\""), "{}", page.body);
}

#[tokio::test]
async fn a_refused_review_sheet_keeps_every_score() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let year = chrono::Datelike::year(&chibo_app::App::today());
    let members = row_members(&t, &format!("/api/v1/units/{cell}/reviews"), &sec).await;
    let (a, b) = (members[0], members[1]);
    let tasks = |m: i64| format!("&given_{m}=10&on_time_{m}=10&exceeded_{m}=1");
    let form = format!(
        "year={year}&score_{a}=101{}&score_{b}=85{}",
        tasks(a),
        tasks(b)
    );
    let path = format!("/units/{cell}/reviews");
    let r = t.post_form(&path, Auth::Cookie(&cookie), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains(&format!("id=\"error-review-{a}\"")),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains(&format!("id=\"error-review-{b}\"")),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(&format!("name=\"score_{b}\" value=\"85\"")),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("name=\"score_{a}\" value=\"101\"")),
        "{}",
        r.body
    );

    let form = format!("year={year}&score_{b}=85{}", tasks(b));
    let r = t.post_form(&path, Auth::Cookie(&cookie), &form).await;
    assert_eq!(
        r.location(),
        format!("/units/{cell}/reviews?nam={year}&da-luu=1")
    );

    // The superior committee's decision on the cell: a future day refused beside its field,
    // the score and decision typed kept.
    let committee = t.login("xaphulam").await;
    let form = format!(
        "year={year}&score=88&decision=Quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh+12&decided_on={}",
        day(30)
    );
    let r = t
        .post_form(
            &format!("/units/{cell}/review"),
            Auth::Cookie(&committee),
            &form,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let date = label_in(&r.body, "cell-review-form", "decided_on");
    assert!(
        date.contains("class=\"bad\"") && date.contains("chưa đến"),
        "{date}"
    );
    assert!(label_in(&r.body, "cell-review-form", "score").contains("value=\"88\""));
    assert!(label_in(&r.body, "cell-review-form", "decision").contains("value=\"Quyết định 12\""));
}
