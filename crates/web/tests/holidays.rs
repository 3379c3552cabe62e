//! Public holidays for any year (issue 12): the statutory ones computed with the lunar
//! calendar, the make-up and swapped days an administrator enters (days off and weekend days
//! made working days), and the years whose announced days are not entered yet, reported.
//! Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::rules::calendar;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use common::*;
use serde_json::json;

#[tokio::test]
async fn holidays_for_any_year_and_the_years_not_entered() {
    let t = TestApp::new().await;
    let admin = t.token("admin").await;
    let committee = t.token("xaphulam").await;
    let this = chibo_app::App::today().year();

    // Computed for any year: 2027's Tết eve, 5 February, is there without anyone entering it.
    let y2027 = ok(&t
        .get("/api/v1/holidays?year=2027", Auth::Bearer(&committee))
        .await);
    assert_eq!(y2027["computed"], true);
    let days: Vec<&str> = y2027["statutory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["day"].as_str().unwrap())
        .collect();
    assert!(
        days.contains(&"2027-02-05") && days.contains(&"2027-04-16"),
        "{days:?}"
    );
    // A year chibo cannot compute says so.
    let far = ok(&t
        .get("/api/v1/holidays?year=2150", Auth::Bearer(&committee))
        .await);
    assert_eq!(far["computed"], false);
    assert_eq!(far["statutory"], json!([]));

    // This year and next are reported until an administrator confirms their announced days.
    assert_eq!(y2027["missing_years"], json!([this, this + 1]));
    let confirm = |token: &str, year: i32| {
        let token = token.to_string();
        let t = &t;
        async move {
            t.api(
                Method::POST,
                "/api/v1/holiday-years",
                &token,
                json!({"year": year}),
            )
            .await
        }
    };
    assert_eq!(
        confirm(&committee, this).await.status,
        StatusCode::NOT_FOUND
    );
    let done = ok(&confirm(&admin, this).await);
    assert_eq!(done["confirmed"], true);
    assert_eq!(done["missing_years"], json!([this + 1]));
    assert!(refused(&confirm(&admin, this).await).contains("đã được xác nhận"));

    // A make-up Saturday becomes a working day; only a weekend day can be one.
    let mut saturday = NaiveDate::from_ymd_opt(this + 1, 3, 1).unwrap();
    while saturday.weekday() != Weekday::Sat {
        saturday += Duration::days(1);
    }
    let add = |body: serde_json::Value| {
        let admin = admin.clone();
        let t = &t;
        async move { t.api(Method::POST, "/api/v1/holidays", &admin, body).await }
    };
    let weekday = add(json!({"day": (saturday - Duration::days(1)).to_string(), "name": "Làm bù", "kind": "working"})).await;
    assert!(refused(&weekday).contains("thứ Bảy hoặc Chủ nhật"));
    let statutory = add(json!({"day": format!("{}-09-02", this + 1), "name": "Quốc khánh"})).await;
    assert!(refused(&statutory).contains("theo Bộ luật Lao động"));
    let bad_kind = add(json!({"day": saturday.to_string(), "name": "X", "kind": "holiday"})).await;
    assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !calendar::holidays(&t.app)
            .await
            .unwrap()
            .is_working_day(saturday)
    );
    let made = ok(&add(
        json!({"day": saturday.to_string(), "name": "Làm bù cho ngày nghỉ Tết", "kind": "working"}),
    )
    .await);
    assert_eq!(made["kind"], "working");
    let h = calendar::holidays(&t.app).await.unwrap();
    assert!(h.is_working_day(saturday));
    assert_eq!(
        h.add_working_days(saturday - Duration::days(1), 1),
        saturday
    );

    // The page: both tables, the missing year reported, the confirmation form.
    let cookie = t.login("admin").await;
    let page = t
        .get(
            &format!("/admin/holidays?nam={}", this + 1),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Giỗ Tổ Hùng Vương") && page.body.contains("Ngày làm bù"));
    assert!(page.body.contains("holiday-missing"));
    let confirmed = t
        .post_form(
            "/admin/holiday-years",
            Auth::Cookie(&cookie),
            &format!("year={}", this + 1),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let page = t
        .get(
            &format!("/admin/holidays?nam={}", this + 1),
            Auth::Cookie(&cookie),
        )
        .await;
    assert!(
        !page.body.contains("holiday-missing"),
        "no year missing now"
    );
}
