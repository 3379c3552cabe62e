//! Issue 14, point 4: members working away. Before the meeting a member of the cell sees the
//! draft resolution, confirms having read the documents and sends a written opinion (refused in
//! words when empty, kept as typed); the officers see who read and who wrote; the minutes list
//! the written opinions apart; attendance is unchanged by it. Runs on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_member_away_reads_and_writes_and_stays_absent() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    // Today: the sheet is taken on the meeting's day.
    let day = chibo_app::App::today();
    let id = published(&t, &sec, cell, day).await;
    let chair = t.member_id("bithu.dongtam").await;
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/preparation"),
            &sec,
            json!({"held_on": chibo_app::App::today().to_string(), "attendee_ids": [chair],
                   "content": "Thống nhất chương trình",
                   "draft_resolution": "Hoàn thành làm đường bê tông liên thôn trước Tết"}),
        )
        .await);

    // The member's page: the draft to write on, and the two actions.
    let member = t.login("dangvien.dongtam").await;
    let me = t.member_id("dangvien.dongtam").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&member))
        .await;
    assert!(
        section(&page.body, "id=\"draft-for-members\"", "</div>")
            .contains("Hoàn thành làm đường bê tông liên thôn trước Tết")
    );
    assert!(page.body.contains("id=\"confirm-read\""));

    let r = t
        .post_form(&format!("/meetings/{id}/da-doc"), Auth::Cookie(&member), "")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(r.location(), Auth::Cookie(&member)).await;
    assert!(
        page.body.contains("Bạn đã xác nhận đọc tài liệu lúc"),
        "{}",
        page.body
    );

    // An empty opinion is refused beside its field.
    let r = t
        .post_form(
            &format!("/meetings/{id}/y-kien"),
            Auth::Cookie(&member),
            "opinion=+++",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        label_of(&r.body, "opinion").contains("Vui lòng nhập ý kiến"),
        "{}",
        r.body
    );
    let opinion =
        "Đề nghị bổ sung chỉ tiêu vận động con em đi làm xa đóng góp, mỗi hộ một ngày công.";
    let r = t
        .post_form(
            &format!("/meetings/{id}/y-kien"),
            Auth::Cookie(&member),
            &format!("opinion={}", opinion.replace(' ', "+").replace(',', "%2C")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The officers see it.
    let d = t.meeting(&sec, id).await;
    let part = d["away"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["member"]["id"] == me)
        .unwrap();
    assert!(part["read_at"].is_string());
    assert_eq!(part["opinion"], opinion);
    let sec_page = t.login("bithu.dongtam").await;
    let html = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&sec_page))
        .await;
    assert!(section(&html.body, "id=\"away-list\"", "</section>").contains(opinion));

    // Someone not of the cell cannot write on it.
    let admin = t.token("admin").await;
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/opinion"),
            &admin,
            json!({"opinion": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused(&r).contains("Chỉ đảng viên của chi bộ"),
        "{}",
        r.body
    );

    // Held with the member absent with a reason: still absent; the minutes list the opinion apart.
    let d = t.meeting(&sec, id).await;
    let entries: Vec<serde_json::Value> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            if r["member_id"] == me {
                json!({"member_id": me, "presence": "absent_excused", "reason": "Đi làm ăn xa"})
            } else {
                json!({"member_id": r["member_id"], "presence": "present"})
            }
        })
        .collect();
    // A member sent twice in one sheet is refused on their row, and nothing is written.
    let mut twice = entries.clone();
    twice.push(json!({"member_id": me, "presence": "present"}));
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            &sec,
            json!({"entries": twice}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains(&format!("entries.{me}.presence")),
        "{}",
        r.body
    );
    assert!(refused(&r).contains("được điểm danh hai lần"), "{}", r.body);
    assert!(
        t.meeting(&sec, id).await["sheet"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["presence"].is_null())
    );
    let sheet = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            &sec,
            json!({"entries": entries}),
        )
        .await);
    assert_eq!(sheet["summary"]["absent_excused"], 1);
    let row = sheet["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["member_id"] == me)
        .unwrap();
    assert_eq!(row["presence"], "absent_excused");
    let minutes = t
        .get(&format!("/meetings/{id}/print"), Auth::Cookie(&sec_page))
        .await;
    assert_eq!(minutes.status, StatusCode::OK);
    assert!(
        minutes
            .body
            .contains("Ý kiến bằng văn bản của đảng viên vắng mặt:"),
        "{}",
        minutes.body
    );
    assert!(
        minutes
            .body
            .contains(&format!("(gửi bằng văn bản): {opinion}"))
    );

    // Once held, nothing more is written.
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/read-confirmation"),
            &t.token("dangvien.dongtam").await,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused(&r).contains("trước buổi sinh hoạt"), "{}", r.body);
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&member))
        .await;
    assert!(!page.body.contains("id=\"opinion-form\""));
    assert!(
        page.body.contains(opinion),
        "the member still sees what they sent"
    );
}
