//! Before a meeting, on its page (issue 13): the cell committee's preparatory meeting picks its
//! attendees from the cell's officers on the meeting's day, the other members set apart; the
//! notice and the attendance sheet print for members without a phone; the cell's list shows
//! each held meeting's attendance, score and sign-off to those who read the cell. Runs on
//! SQLite and on PostgreSQL.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn the_preparatory_meeting_lists_the_cell_committee_first() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let day = chibo_app::App::today() + chrono::Duration::days(9);
    let id = schedule(&t, &sec, cell, json!({"kind": "regular", "topic": "Họp tháng", "meeting_date": day.to_string(), "start_time": "19:30", "place": "Nhà văn hóa"})).await;
    let cookie = t.login("bithu.dongtam").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&cookie))
        .await;
    let committee = section(
        &page.body,
        "id=\"preparation-committee\"",
        "id=\"preparation-others\"",
    );
    let others = section(&page.body, "id=\"preparation-others\"", "</fieldset>");
    let box_of = |member: i64| format!("name=\"attendee_ids\" value=\"{member}\"");
    let secretary = box_of(t.member_id("bithu.dongtam").await);
    let member = box_of(t.member_id("dangvien.dongtam").await);
    assert!(committee.contains(&secretary), "{committee}");
    assert!(!committee.contains(&member), "{committee}");
    assert!(others.contains(&member), "{others}");
    assert!(!others.contains(&secretary), "{others}");
}

#[tokio::test]
async fn the_notice_and_the_attendance_sheet_print_for_the_officers_only() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let day = chibo_app::App::today() + chrono::Duration::days(9);
    let id = schedule(&t, &sec, cell, json!({"kind": "regular", "topic": "Kiểm điểm thu hoạch vụ mùa", "meeting_date": day.to_string(), "start_time": "19:30", "place": "Nhà văn hóa thôn"})).await;
    let cookie = t.login("bithu.dongtam").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&cookie))
        .await;
    assert!(page.body.contains("id=\"handouts\""), "{}", page.body);

    let notice = t
        .get(
            &format!("/meetings/{id}/print?loai=giay-moi"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(notice.status, axum::http::StatusCode::OK);
    let when = format!("Vào lúc 19 giờ 30 phút, ngày {}.", day.format("%d/%m/%Y"));
    for part in [
        "<h1>THÔNG BÁO</h1>",
        when.as_str(),
        "Tại: Nhà văn hóa thôn.",
        "Kiểm điểm thu hoạch vụ mùa",
        "Toàn thể đảng viên Chi bộ thôn Đồng Tâm",
        "BÍ THƯ CHI BỘ",
    ] {
        assert!(notice.body.contains(part), "{part}: {}", notice.body);
    }
    // The agenda, numbered: the rule set's procedure when none was typed.
    assert!(notice.body.contains("<p>1. "), "{}", notice.body);

    let sheet = t
        .get(
            &format!("/meetings/{id}/print?loai=diem-danh"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(sheet.status, axum::http::StatusCode::OK);
    assert!(sheet.body.contains("<th>Ký tên</th>"), "{}", sheet.body);
    let api = ok(&t
        .get(&format!("/api/v1/meetings/{id}"), Auth::Bearer(&sec))
        .await);
    let listed = api["sheet"].as_array().unwrap().len() + api["apart"].as_array().unwrap().len();
    let grid = section(&sheet.body, "class=\"grid\"", "</table>");
    assert_eq!(
        grid.matches("<tr><td>").count(),
        listed,
        "one line a member"
    );
    let apart = api["apart"].as_array().unwrap();
    assert!(!apart.is_empty());
    let note = apart[0]["standing_label"].as_str().unwrap();
    assert!(
        grid.contains(&format!("<td>{note}</td>")),
        "members apart are marked: {grid}"
    );

    // A member who only attends reads the meeting on the phone; the print-outs are not theirs.
    let member = t.login("dangvien.dongtam").await;
    let r = t
        .get(
            &format!("/meetings/{id}/print?loai=diem-danh"),
            Auth::Cookie(&member),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::NOT_FOUND);
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&member))
        .await;
    assert!(!page.body.contains("id=\"handouts\""));
}

#[tokio::test]
async fn the_cells_list_shows_attendance_score_and_sign_off() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let sec = t.token("bithu.dongtam").await;
    let page = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/meetings?per_page=50"),
            Auth::Bearer(&sec),
        )
        .await);
    let lines = page["lines"].as_array().unwrap();
    let held = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "held")
        .count();
    assert!(
        held > 0 && lines.len() == held,
        "{held} held, {} lines",
        lines.len()
    );
    for l in lines {
        assert!(l["present"].as_i64().unwrap() <= l["sheet_members"].as_i64().unwrap());
    }
    assert!(
        lines.iter().any(|l| l["level_label"].is_string()),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l["signed"] == true), "{lines:?}");

    let cookie = t.login("bithu.dongtam").await;
    let list = t
        .get(&format!("/units/{cell}/meetings"), Auth::Cookie(&cookie))
        .await;
    let table = section(&list.body, "id=\"meeting-list\"", "</table>");
    assert!(
        table.contains("<th>Dự họp</th>") && table.contains("Đã ký"),
        "{table}"
    );
    let first = &lines[0];
    let shown = format!(
        "{}/{} ({})",
        first["present"],
        first["sheet_members"],
        first["attendance_text"].as_str().unwrap()
    );
    assert!(table.contains(&shown), "{shown}: {table}");

    // A member reads the list without the cell's figures.
    let member = t.token("dangvien.dongtam").await;
    let page = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/meetings"),
            Auth::Bearer(&member),
        )
        .await);
    assert!(page["lines"].as_array().unwrap().is_empty());
    let cookie = t.login("dangvien.dongtam").await;
    let list = t
        .get(&format!("/units/{cell}/meetings"), Auth::Cookie(&cookie))
        .await;
    assert!(!list.body.contains("<th>Dự họp</th>"));
}
