//! Issue 13: rule sets made in a form in Vietnamese (the JSON stays as the advanced way): the
//! form starts from an existing set, its lists take rows and drop blank ones, a refused form
//! comes back as typed with each error beside its field, only administrators reach it. Runs on
//! SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::Value;

/// A whole rule set as the form posts it, with `extra` pairs after.
fn body(extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("mode", "form"),
        ("code", "tinh-thu-2026"),
        ("name", "Quy định sinh hoạt chi bộ của tỉnh (thử)"),
        ("effective_from", "2026-12-01"),
        ("min_duration_minutes", "90"),
        ("combined_min_duration_minutes", "120"),
        ("document_lead_days", "2"),
        ("attendance_num", "90"),
        ("attendance_den", "100"),
        ("attendance_strict", "on"),
        ("max_consecutive_absences", "3"),
        ("vote_num", "1"),
        ("vote_den", "2"),
        ("vote_strict", "on"),
        ("check_in_before", "30"),
        ("check_in_for", "180"),
        ("kind_code_0", "regular"),
        ("kind_label_0", "Sinh hoạt thường kỳ"),
        ("kind_frequency_0", "monthly"),
        ("kind_min_0", "1"),
        ("kind_code_1", "thematic"),
        ("kind_label_1", "Sinh hoạt chuyên đề"),
        ("kind_frequency_1", "quarterly"),
        ("kind_min_1", "1"),
        ("kind_code_2", ""),
        ("kind_label_2", ""),
        ("step_code_0", "opening"),
        ("step_label_0", "Khai mạc"),
        ("step_code_1", "closing"),
        ("step_label_1", "Bế mạc"),
        ("step_code_2", ""),
        ("sheet_name", "Phiếu chấm điểm (thử)"),
        ("criterion_code_0", "attendance"),
        ("criterion_label_0", "Tỷ lệ dự họp"),
        ("criterion_points_0", "40"),
        ("criterion_auto_0", "attendance_above_threshold"),
        ("criterion_code_1", "content"),
        ("criterion_label_1", "Nội dung thiết thực"),
        ("criterion_points_1", "60"),
        ("criterion_auto_1", ""),
        ("level_code_0", "tot"),
        ("level_label_0", "Tốt"),
        ("level_min_0", "80"),
        ("level_code_1", "kem"),
        ("level_label_1", "Kém"),
        ("level_min_1", "0"),
    ];
    pairs.retain(|(k, _)| !extra.iter().any(|(x, _)| x == k));
    pairs.extend_from_slice(extra);
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Both steps of [`body`] left blank: no procedure at all.
const NO_STEPS: [(&str, &str); 4] = [
    ("step_code_0", ""),
    ("step_label_0", ""),
    ("step_code_1", ""),
    ("step_label_1", ""),
];

#[tokio::test]
async fn a_rule_set_is_made_in_a_form() {
    let t = TestApp::new().await;
    let cookie = t.login("admin").await;

    // The form starts from the newest national set, every list with blank rows to add.
    let page = t.get("/rule-sets/new", Auth::Cookie(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("name=\"min_duration_minutes\" value=\"90\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Hướng dẫn 42"),
        "the name it starts from"
    );
    let steps = section(&page.body, "id=\"rule-steps\"", "</fieldset>");
    assert!(
        steps.contains("value=\"Cử thư ký ghi biên bản\""),
        "{steps}"
    );
    assert!(steps.contains("name=\"step_code_"), "{steps}");

    let r = t
        .post_form("/rule-sets", Auth::Cookie(&cookie), &body(&[]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The new set's page, confirming the save.
    let id: i64 = r
        .location()
        .trim_start_matches("/rule-sets/")
        .trim_end_matches("?da-luu=1")
        .parse()
        .unwrap();
    let shown = t.get(r.location(), Auth::Cookie(&cookie)).await;
    assert!(shown.body.contains("Đã lưu thay đổi."), "{}", shown.body);
    let admin = t.token("admin").await;
    let set = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/rule-sets/{id}"),
            &admin,
            Value::Null,
        )
        .await);
    let rules = &set["rules"];
    assert_eq!(rules["min_duration_minutes"], 90);
    assert_eq!(
        rules["attendance_threshold"],
        serde_json::json!({"numerator": 90, "denominator": 100, "strict": true})
    );
    assert_eq!(
        rules["meeting_kinds"].as_array().unwrap().len(),
        2,
        "the blank row dropped"
    );
    assert_eq!(rules["procedure"][1]["label"], "Bế mạc");
    assert_eq!(
        rules["scoring"]["criteria"][0]["auto"],
        "attendance_above_threshold"
    );
    assert!(rules["scoring"]["criteria"][1]["auto"].is_null());
    assert_eq!(rules["check_in"]["open_for_minutes"], 180);
    // A set made this way starts the next one.
    let page = t
        .get(&format!("/rule-sets/new?tu={id}"), Auth::Cookie(&cookie))
        .await;
    assert!(page.body.contains("name=\"check_in_for\" value=\"180\""));
}

#[tokio::test]
async fn a_refused_rule_set_comes_back_as_typed() {
    let t = TestApp::new().await;
    let cookie = t.login("admin").await;
    let r = t
        .post_form(
            "/rule-sets",
            Auth::Cookie(&cookie),
            &body(&[("min_duration_minutes", "chín mươi"), ("kind_code_1", "")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let duration = section(&r.body, "Thời lượng tối thiểu một buổi", "</label>");
    assert!(
        duration.contains("value=\"chín mươi\"") && duration.contains("số tự nhiên"),
        "{duration}"
    );
    assert!(
        r.body
            .contains("value=\"Quy định sinh hoạt chi bộ của tỉnh (thử)\""),
        "the name kept"
    );
    assert!(
        r.body.contains("value=\"Nội dung thiết thực\""),
        "a criterion kept"
    );
    // A kind named without its code: refused on that row's code.
    let kinds = section(&r.body, "id=\"rule-kinds\"", "</fieldset>");
    let row = section(kinds, "name=\"kind_code_1\"", "</td>");
    assert!(row.contains("Vui lòng nhập mã"), "{row}");

    // The unit chosen stays chosen (listed first, so also when it lies beyond the first
    // choices the list offers).
    let unit = t.unit_id("Chi bộ thôn Bản Nà").await.to_string();
    let r = t
        .post_form(
            "/rule-sets",
            Auth::Cookie(&cookie),
            &body(&[("unit_id", unit.as_str()), ("min_duration_minutes", "x")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let select = section(&r.body, "name=\"unit_id\"", "</select>");
    assert!(
        select.contains(&format!("value=\"{unit}\" selected")),
        "{select}"
    );

    // The numbers right, the procedure empty: the rules' own check, on the procedure.
    let r = t
        .post_form("/rule-sets", Auth::Cookie(&cookie), &body(&NO_STEPS))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let steps = section(&r.body, "id=\"rule-steps\"", "</fieldset>");
    assert!(steps.contains("ít nhất một bước"), "{steps}");

    // Only administrators.
    let board = t.login("bantochuc").await;
    assert_eq!(
        t.get("/rule-sets/new", Auth::Cookie(&board)).await.status,
        StatusCode::NOT_FOUND
    );
}
