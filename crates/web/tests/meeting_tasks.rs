//! A held meeting's tasks and steps through the real router (issue 13: the month in minutes):
//! the same task given to several members at once, all or none, the form keeping what was
//! typed; the previous regular meeting's unfinished tasks carried over once; the procedure's
//! steps ticked from one list in one submit. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

/// A regular meeting of the cell `days_ago` days ago, held with `present` on the sheet.
async fn held(t: &TestApp, token: &str, cell: i64, days_ago: i64, present: &[i64]) -> i64 {
    let day = chibo_app::App::today() - chrono::Duration::days(days_ago);
    let id = schedule(t, token, cell, json!({"kind": "regular", "topic": "Họp tháng", "meeting_date": day.to_string(), "start_time": "07:00", "place": "Nhà văn hóa"})).await;
    let entries: Vec<Value> = present
        .iter()
        .map(|m| json!({"member_id": m, "presence": "present"}))
        .collect();
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            token,
            json!({ "entries": entries }),
        )
        .await);
    id
}

#[tokio::test]
async fn one_task_to_several_members_and_last_months_carried_over() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let (a, b) = (
        t.member_id("bithu.dongtam").await,
        t.member_id("dangvien.dongtam").await,
    );
    let before = held(&t, &sec, cell, 40, &[a, b]).await;
    let due = chibo_app::App::today().to_string();
    let given = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{before}/tasks/many"),
            &sec,
            json!({"member_ids": [a, b], "what": "Vận động hộ nghèo", "due_on": due}),
        )
        .await);
    assert_eq!(given.as_array().unwrap().len(), 2);
    // All or none: one member who is not on the sheet refuses the whole batch.
    let tasks_before = t.meeting(&sec, before).await["held"]["tasks"]
        .as_array()
        .unwrap()
        .len();
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{before}/tasks/many"),
            &sec,
            json!({"member_ids": [a, 999_999], "what": "Trực bão", "due_on": due}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "member_ids");
    let after = t.meeting(&sec, before).await["held"]["tasks"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, tasks_before);
    // One of them is done; the other is carried over to the next meeting.
    let done = given[0]["id"].as_i64().unwrap();
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/tasks/{done}/progress"),
            &sec,
            json!({"status": "done", "progress": "Đã xong"}),
        )
        .await);

    let now = held(&t, &sec, cell, 3, &[a, b]).await;
    let cookie = t.login("bithu.dongtam").await;
    // On the page: boxes ticked, a refused form keeps its ticks and words.
    let page = t
        .get(&format!("/meetings/{now}"), Auth::Cookie(&cookie))
        .await;
    let form = section(&page.body, "id=\"task-form\"", "</form>");
    assert!(
        form.contains(&format!("name=\"member_ids\" value=\"{a}\"")),
        "{form}"
    );
    assert!(page.body.contains("id=\"copy-tasks-form\""));
    let r = t
        .post_form(
            &format!("/meetings/{now}/tasks"),
            Auth::Cookie(&cookie),
            &format!("member_ids={a}&member_ids={b}&what=Tr%E1%BB%B1c+b%C3%A3o&due_on=2000-01-01"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kept = section(&r.body, "id=\"task-form\"", "</form>");
    assert!(kept.contains(&format!("value=\"{b}\" checked")), "{kept}");
    assert!(kept.contains("value=\"Trực bão\""), "{kept}");
    assert!(r.body.contains("Hạn hoàn thành không được trước ngày họp."));
    let r = t
        .post_form(
            &format!("/meetings/{now}/tasks/copy"),
            Auth::Cookie(&cookie),
            &format!("due_on={due}"),
        )
        .await;
    assert_eq!(r.location(), format!("/meetings/{now}?da-luu=tasks#tasks"));
    let tasks = t.meeting(&sec, now).await["held"]["tasks"].clone();
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 1, "only the unfinished task: {tasks:?}");
    assert_eq!(tasks[0]["what"], "Vận động hộ nghèo");
    assert_eq!(
        tasks[0]["member"]["id"].as_i64(),
        given[1]["member"]["id"].as_i64()
    );
    // Carried over once.
    let again = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{now}/tasks/copy"),
            &sec,
            json!({ "due_on": due }),
        )
        .await;
    assert!(refused(&again).contains("đã chép rồi"), "{}", again.body);
}

#[tokio::test]
async fn the_procedure_is_ticked_from_one_list() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let a = t.member_id("bithu.dongtam").await;
    let id = held(&t, &sec, cell, 3, &[a]).await;
    let codes: Vec<String> = t.meeting(&sec, id).await["held"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.len() >= 4, "{codes:?}");
    let cookie = t.login("bithu.dongtam").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&cookie))
        .await;
    let form = section(&page.body, "id=\"steps-form\"", "</form>");
    assert_eq!(
        form.matches("type=\"checkbox\"").count(),
        codes.len(),
        "{form}"
    );
    // Two steps in one submit.
    let two = format!(
        "done_{0}=on&time_{0}=07%3A00&done_{1}=on&time_{1}=07%3A10",
        codes[0], codes[1]
    );
    let r = t
        .post_form(
            &format!("/meetings/{id}/steps"),
            Auth::Cookie(&cookie),
            &two,
        )
        .await;
    assert_eq!(r.location(), format!("/meetings/{id}?da-luu=steps#steps"));
    assert_eq!(steps_done(&t, &sec, id).await, 2);
    // A later step timed before the last one refuses the whole list, which comes back as typed.
    let bad = format!(
        "done_{0}=on&time_{0}=07%3A20&done_{1}=on&time_{1}=07%3A05",
        codes[2], codes[3]
    );
    let r = t
        .post_form(
            &format!("/meetings/{id}/steps"),
            Auth::Cookie(&cookie),
            &bad,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("sớm hơn"), "{}", r.body);
    let kept = section(&r.body, "id=\"steps-form\"", "</form>");
    assert!(
        kept.contains(&format!("name=\"done_{}\" checked", codes[3])),
        "{kept}"
    );
    assert!(kept.contains("value=\"07:05\""), "{kept}");
    assert_eq!(
        steps_done(&t, &sec, id).await,
        2,
        "nothing of a refused list is written"
    );
    // Out of order: a step whose predecessor is not ticked.
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/steps/many"),
            &sec,
            json!({"steps": [{"step": codes[3], "done_at": "07:30"}]}),
        )
        .await;
    assert!(refused(&r).contains("theo thứ tự"), "{}", r.body);
    let v = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/steps/many"),
            &sec,
            // Sent in any order, the steps are checked in the procedure's.
            json!({"steps": [{"step": codes[3], "done_at": "07:30"}, {"step": codes[2], "done_at": "07:20"}]}),
        )
        .await);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(steps_done(&t, &sec, id).await, 4);
    // A time that is not one: refused on the step's own row, naming the step.
    let c = &codes[4];
    let r = t
        .post_form(
            &format!("/meetings/{id}/steps"),
            Auth::Cookie(&cookie),
            &format!("done_{c}=on&time_{c}=25%3A99"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let row = section(&r.body, &format!("name=\"time_{c}\""), "</div>");
    assert!(
        row.contains(&format!("id=\"error-step-{c}\"")) && row.contains("giờ:phút"),
        "{row}"
    );
    // Every step left ticked in one submit: the form's fields arrive by name, not in the
    // procedure's order (the demo's codes are not alphabetical), and are accepted.
    let rest: Vec<String> = codes[4..]
        .iter()
        .enumerate()
        .map(|(i, c)| format!("done_{c}=on&time_{c}=08%3A{:02}", i + 10))
        .collect();
    assert!(
        codes[4..].windows(2).any(|w| w[0] > w[1]),
        "the procedure's codes are in name order: {codes:?}"
    );
    let r = t
        .post_form(
            &format!("/meetings/{id}/steps"),
            Auth::Cookie(&cookie),
            &rest.join("&"),
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/meetings/{id}?da-luu=steps#steps"),
        "{}",
        r.body
    );
    assert_eq!(steps_done(&t, &sec, id).await, codes.len());
}

/// How many steps of meeting `id` are ticked.
async fn steps_done(t: &TestApp, token: &str, id: i64) -> usize {
    t.meeting(token, id).await["held"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["done_at"].is_null())
        .count()
}
