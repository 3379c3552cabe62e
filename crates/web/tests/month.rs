//! One month of a cell's life through the HTTP API: schedule, notice, attendance, record,
//! resolution and vote, tasks, quality score; next month reviews the tasks and members report
//! on them; the superior committee adjusts a score. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::meetings::documents;
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_month_of_a_cell_through_the_api() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let today = chibo_app::App::today();
    let first = today - chrono::Duration::days(35);
    let (chair, secretary) = (
        t.member_id("bithu.dongtam").await,
        t.member_id("dangvien.dongtam").await,
    );
    let (id, d) = hold(&t, &sec, cell, first, &[chair, secretary]).await;
    assert_eq!(d["meeting"]["status"], "held");
    let present: Vec<i64> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["presence"] == "present")
        .map(|r| r["member_id"].as_i64().unwrap())
        .collect();
    let n_present = present.len() as u32;
    let summary = &d["summary"];
    assert_eq!(summary["absent_excused"], 2);
    assert_eq!(summary["threshold_met"], true);
    let held = &d["held"];
    assert!(
        held["minutes_missing"].as_array().unwrap().len() >= 5,
        "nothing recorded yet: {}",
        held["minutes_missing"]
    );

    // The committee's preparatory meeting, with the draft resolution.
    let prep = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/preparation"),
            &sec,
            json!({"held_on": (first + chrono::Duration::days(1)).to_string(), "attendee_ids": [chair], "content": "Thống nhất nội dung"}),
        )
        .await;
    assert!(refused(&prep).contains("trước hoặc trong ngày"));
    let d = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/preparation"),
            &sec,
            json!({
                "held_on": (first - chrono::Duration::days(5)).to_string(),
                "attendee_ids": [chair, secretary],
                "content": "Thống nhất nội dung, phân công chuẩn bị báo cáo.",
                "draft_resolution": "Dự thảo: tập trung thu hoạch vụ mùa, vệ sinh môi trường."
            }),
        )
        .await);
    assert_eq!(d["attendees"].as_array().unwrap().len(), 2);
    let d = t.meeting(&sec, id).await;
    assert_eq!(
        d["notice"]["preparation"]["attendees"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        d["held"]["record"]["committee_prepared_on"],
        (first - chrono::Duration::days(5)).to_string()
    );

    // The record: a vote with more ballots than members present is refused.
    let record = |votes_for: u32| {
        json!({
            "end_time": "21:45", "chair_member_id": chair, "secretary_member_id": secretary,
            "documents_posted_on": (first - chrono::Duration::days(2)).to_string(),
            "resolution_text": "Chi bộ thống nhất: thu hoạch xong vụ mùa trước 30; ra quân vệ sinh môi trường.",
            "votes_for": votes_for, "votes_against": 1, "votes_abstain": 0
        })
    };
    let too_many = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/record"),
            &sec,
            record(n_present + 5),
        )
        .await;
    assert!(refused(&too_many).contains("vượt quá"));
    // Steps in the rule set's order, with times; a speaker with a summary.
    let late = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/steps"),
            &sec,
            json!({"step": "agenda", "done_at": "19:40"}),
        )
        .await;
    assert!(refused(&late).contains("theo thứ tự"));
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/steps"),
            &sec,
            json!({"step": "opening", "done_at": "19:30"}),
        )
        .await);
    let early = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/steps"),
            &sec,
            json!({"step": "secretary", "done_at": "19:00"}),
        )
        .await;
    assert!(refused(&early).contains("sớm hơn"));
    // One step's body names its own fields (the list of steps names them by step).
    assert_eq!(early.json()["error"]["fields"][0]["field"], "done_at");
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/steps"),
            &sec,
            json!({"step": "secretary", "done_at": "19:35"}),
        )
        .await);
    ok(&t.api(Method::POST, &format!("/api/v1/meetings/{id}/speeches"), &sec, json!({"member_id": present[2], "summary": "Đề nghị phân công đảng viên xuống từng hộ."})).await);
    let d = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/record"),
            &sec,
            record(n_present - 1),
        )
        .await);
    // The record answers with the held part of the page, judged again.
    let vote = &d["record"]["vote"];
    assert_eq!(vote["valid"], true, "{vote}");
    assert_eq!(d["record"]["duration_minutes"], 135);
    assert_eq!(d["record"]["duration_met"], true);
    assert_eq!(d["record"]["documents_in_time"], true);
    let d = t.meeting(&sec, id).await;

    // Tasks: a due date before the meeting is refused; then everyone working gets one.
    let before = t.api(Method::POST, &format!("/api/v1/meetings/{id}/tasks"), &sec, json!({"member_id": present[0], "what": "Vận động bà con", "due_on": (first - chrono::Duration::days(1)).to_string()})).await;
    assert!(refused(&before).contains("trước ngày họp"));
    let working: Vec<i64> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["standing"] == "working")
        .map(|r| r["member_id"].as_i64().unwrap())
        .collect();
    assert!(!d["held"]["without_task"].as_array().unwrap().is_empty());
    for mid in &working {
        let task = ok(&t.api(Method::POST, &format!("/api/v1/meetings/{id}/tasks"), &sec, json!({"member_id": mid, "what": "Vận động 5 hộ gia đình hoàn thành thu hoạch", "due_on": (first + chrono::Duration::days(20)).to_string()})).await);
        assert_eq!(&task["member"]["id"], mid);
    }
    let last = t.meeting(&sec, id).await;
    assert!(last["held"]["without_task"].as_array().unwrap().is_empty());
    assert!(
        last["held"]["minutes_missing"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{}",
        last["held"]["minutes_missing"]
    );
    assert_eq!(last["held"]["minutes_percent"], 100);

    // The cell scores what it judges; auto criteria are chibo's.
    let lines = last["held"]["quality"]["lines"].as_array().unwrap().clone();
    let auto_code = lines.iter().find(|l| l["auto"] == true).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let cheat = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/score"),
            &sec,
            json!({"entries": [{"criterion": auto_code, "points": 5}]}),
        )
        .await;
    assert!(refused(&cheat).contains("tự tính"));
    let manual: Vec<Value> = lines
        .iter()
        .filter(|l| l["auto"] == false)
        .map(|l| json!({"criterion": l["code"], "points": l["max_points"]}))
        .collect();
    let over: Vec<Value> = lines
        .iter()
        .filter(|l| l["auto"] == false)
        .take(1)
        .map(|l| json!({"criterion": l["code"], "points": l["max_points"].as_u64().unwrap() + 1}))
        .collect();
    assert!(
        refused(
            &t.api(
                Method::PUT,
                &format!("/api/v1/meetings/{id}/score"),
                &sec,
                json!({"entries": over})
            )
            .await
        )
        .contains("tối đa")
    );
    let scored = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/score"),
            &sec,
            json!({"entries": manual}),
        )
        .await);
    let q = &scored["quality"];
    assert_eq!(q["unscored"], 0);
    let lines = q["lines"].as_array().unwrap();
    let missed: Vec<&Value> = lines
        .iter()
        .filter(|l| l["points"] != l["max_points"])
        .collect();
    // Two members absent (with reason) keep attendance above the threshold; all met.
    assert!(missed.is_empty(), "criteria not met: {missed:?}");
    assert_eq!(q["total"], q["max_points"]);
    assert_eq!(q["level"], "Tốt");

    // Sign-off: the chair and the minute-taker approve; then nothing changes but by amendment.
    let member_token = t.token("dangvien.dongtam").await;
    let commune = t.token("xaphulam").await;
    let stranger = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/approve"),
            &commune,
            json!({}),
        )
        .await;
    assert!(
        refused(&stranger).contains("chủ trì hoặc thư ký"),
        "only the chair and the minute-taker"
    );
    let one = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/approve"),
            &sec,
            json!({}),
        )
        .await);
    assert_eq!(one["locked"], false);
    assert_eq!(one["approvals"].as_array().unwrap().len(), 1);
    // Issue 13, defect 7: the page no longer offers the sign-off to the chair who signed.
    let chair_page = t
        .get(
            &format!("/meetings/{id}"),
            Auth::Cookie(&t.login("bithu.dongtam").await),
        )
        .await;
    assert!(!chair_page.body.contains(r#"id="approve""#));
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/approve"),
            &member_token,
            json!({}),
        )
        .await);
    let locked = t.meeting(&sec, id).await;
    assert_eq!(locked["held"]["locked"], true);
    // The minute-taker, a plain member, reads the whole meeting they signed.
    let signer = t.meeting(&member_token, id).await;
    assert!(signer["summary"].is_object() && signer["mine"].is_null());
    assert_eq!(signer["held"]["locked"], true);
    // Any other member sees the meeting as it concerns them: their line, the adopted resolution
    // and their task, none of the secretary's figures.
    let other = *present
        .iter()
        .find(|m| **m != chair && **m != secretary)
        .unwrap();
    let admin = t.token("admin").await;
    ok(&t
        .api(
            Method::POST,
            "/api/v1/users",
            &admin,
            json!({"username": "dangvien.khac", "display_name": "Đảng viên khác",
                   "password": "mây trắng bay qua núi", "member_id": other,
                   "role": "member", "unit_id": cell}),
        )
        .await);
    let other_token = t.token_with("dangvien.khac", "mây trắng bay qua núi").await;
    let theirs = t.meeting(&other_token, id).await;
    assert!(theirs["summary"].is_null() && theirs["held"].is_null());
    assert!(theirs["sheet"].as_array().unwrap().is_empty());
    assert_eq!(
        theirs["mine"]["resolution_text"],
        locked["held"]["record"]["resolution_text"]
    );
    assert_eq!(theirs["mine"]["approved"], true);
    assert_eq!(theirs["mine"]["presence"], "present");
    assert_eq!(theirs["mine"]["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["mine"]["tasks"][0]["member"]["id"], other);
    let minutes = t
        .api(
            Method::GET,
            &format!("/api/v1/meetings/{id}/documents/minutes"),
            &other_token,
            json!(null),
        )
        .await;
    assert_eq!(
        minutes.status,
        StatusCode::NOT_FOUND,
        "the minutes are the cell's"
    );
    let cookie = t.login_with("dangvien.khac", "mây trắng bay qua núi").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Phần của bạn") && page.body.contains("Có mặt"));
    assert!(page.body.contains("thu hoạch xong vụ mùa trước 30"));
    assert!(
        page.body
            .contains("Vận động 5 hộ gia đình hoàn thành thu hoạch")
    );
    assert!(
        !page.body.contains("Đảng viên phải dự") && !page.body.contains("Tỷ lệ dự họp"),
        "no figures of the sheet on a member's page"
    );
    let edit = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/record"),
            &sec,
            record(n_present - 1),
        )
        .await;
    assert!(refused(&edit).contains("không thể sửa"));
    let att = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            &sec,
            json!({"entries": [{"member_id": present[0], "presence": "absent_unexcused"}]}),
        )
        .await;
    assert!(refused(&att).contains("không thể sửa"));
    let amended = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/amendments"),
            &sec,
            json!({"body": "Đính chính: hạn thu hoạch là ngày 30 tháng 11."}),
        )
        .await);
    assert!(amended["body"].as_str().unwrap().contains("Đính chính"));
    let amended = t.meeting(&sec, id).await;
    assert_eq!(amended["held"]["amendments"].as_array().unwrap().len(), 1);
    assert_eq!(
        amended["held"]["record"]["resolution_text"], locked["held"]["record"]["resolution_text"],
        "the approved text is unchanged"
    );

    // The minutes and the resolution as Party documents (DOCX).
    let docx = t
        .send(
            Method::GET,
            &format!("/api/v1/meetings/{id}/documents/resolution"),
            Auth::Bearer(&sec),
            None,
            None,
        )
        .await;
    assert_eq!(docx.status, StatusCode::OK);
    assert_eq!(
        docx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(docx.body.starts_with("PK"), "a DOCX is a zip archive");
    let minutes = t
        .send(
            Method::GET,
            &format!("/api/v1/meetings/{id}/documents/minutes"),
            Auth::Bearer(&sec),
            None,
            None,
        )
        .await;
    assert_eq!(minutes.status, StatusCode::OK);
    let unknown = t
        .send(
            Method::GET,
            &format!("/api/v1/meetings/{id}/documents/thu-moi"),
            Auth::Bearer(&sec),
            None,
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let doc = documents::minutes(&t.app, &t.actor("bithu.dongtam").await, id)
        .await
        .unwrap();
    let text: String = doc
        .sections
        .iter()
        .flat_map(|s| s.paragraphs.iter())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("Vắng có lý do: 2 đồng chí") && text.contains("Đi làm ăn xa"),
        "{text}"
    );
    assert!(text.contains("thu hoạch xong vụ mùa") && text.contains("21 giờ 45 phút"));
    assert!(
        text.contains("19:35 — Cử thư ký ghi biên bản")
            && text.contains("phát biểu: Đề nghị phân công"),
        "proceedings with named speakers"
    );
    assert!(doc.header.superior.contains("Phú Lâm") && doc.header.place == "Phú Lâm");
    assert!(
        text.contains("hạn thu hoạch là ngày 30"),
        "the amendment is part of the minutes"
    );

    // Next month: last month's tasks are reviewed; members report on theirs.
    let (id2, d2) = hold(&t, &sec, cell, today - chrono::Duration::days(5), &[]).await;
    let prev = d2["held"]["previous_tasks"].as_array().unwrap();
    assert_eq!(prev.len(), working.len());
    let mine = ok(&t
        .api(Method::GET, "/api/v1/me/tasks", &member_token, json!(null))
        .await);
    let my_task = mine
        .as_array()
        .unwrap()
        .first()
        .expect("the member has a task")["id"]
        .as_i64()
        .unwrap();
    let other_task = prev
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .find(|x| *x != my_task)
        .unwrap();
    let not_mine = t
        .api(
            Method::POST,
            &format!("/api/v1/tasks/{other_task}/progress"),
            &member_token,
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(not_mine.status, StatusCode::NOT_FOUND);
    let done = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/tasks/{my_task}/progress"),
            &member_token,
            json!({"status": "done", "progress": "Đã vận động 5 hộ"}),
        )
        .await);
    assert_eq!(done["status"], "done");
    let d2 = t.meeting(&sec, id2).await;
    let follow = d2["held"]["quality"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "follow_up")
        .unwrap()
        .clone();
    assert_eq!(follow["points"], 0, "the other tasks have no report yet");

    // The superior committee adjusts an automatic score, with a reason.
    let no_reason = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/score"),
            &commune,
            json!({"entries": [{"criterion": "duration", "points": 0}]}),
        )
        .await;
    assert!(refused(&no_reason).contains("lý do"));
    // Issue 13, defect 2: the whole sheet sent back with one criterion changed asks a reason
    // for that one only.
    let before = ok(&t
        .get(&format!("/api/v1/meetings/{id}"), Auth::Bearer(&commune))
        .await);
    let mut sheet: Vec<serde_json::Value> = before["held"]["quality"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["points"].is_u64())
        .map(|l| json!({"criterion": l["code"], "points": l["points"]}))
        .collect();
    assert!(sheet.len() > 5);
    let unchanged = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/score"),
            &commune,
            json!({"entries": sheet}),
        )
        .await;
    assert!(refused(&unchanged).contains("Không có tiêu chí nào được điều chỉnh"));
    for x in sheet.iter_mut() {
        if x["criterion"] == "duration" {
            *x = json!({"criterion": "duration", "points": 0, "reason": "Kiểm tra thực tế: buổi họp kết thúc sớm"});
        }
    }
    let adjusted = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/score"),
            &commune,
            json!({"entries": sheet}),
        )
        .await);
    let q = &adjusted["quality"];
    assert_eq!(
        q["total"].as_u64().unwrap() + 5,
        q["max_points"].as_u64().unwrap()
    );
    assert!(adjusted["can_review"].as_bool().unwrap());
}
