//! Issue 13, defect 1 on the meeting page: every form refused with errors comes back as typed,
//! and each error stands beside its field (the attendance sheet's on its member's row, the
//! score sheet's on its criterion's line), not only in the list at the top. Runs on SQLite and
//! on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn each_error_of_a_held_meeting_stands_beside_its_field() {
    let t = TestApp::new().await;
    let token = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let (id, d) = hold(
        &t,
        &token,
        cell,
        chibo_app::App::today() - chrono::Duration::days(1),
        &[],
    )
    .await;
    let ids: Vec<i64> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["member_id"].as_i64().unwrap())
        .collect();

    // Two rows absent "with reason" and no reason: each row says so, the others do not.
    let mut form: Vec<String> = ids
        .iter()
        .map(|m| format!("presence_{m}=present"))
        .collect();
    form[0] = format!("presence_{}=absent_excused", ids[0]);
    form[1] = format!("presence_{}=absent_excused", ids[1]);
    let r = t
        .post_form(
            &format!("/meetings/{id}/attendance"),
            Auth::Cookie(&cookie),
            &form.join("&"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for m in &ids[..2] {
        let row = section(&r.body, &format!("name=\"reason_{m}\""), "</tr>");
        assert!(row.contains("cần ghi lý do"), "{row}");
        assert!(row.contains(&format!("id=\"error-reason-{m}\"")), "{row}");
    }
    let row = section(&r.body, &format!("name=\"reason_{}\"", ids[2]), "</tr>");
    assert!(!row.contains("error-reason"), "{row}");

    // The record: the end time's error in its own label, the resolution kept.
    let r = t
        .post_form(
            &format!("/meetings/{id}/record"),
            Auth::Cookie(&cookie),
            "end_time=25%3A99&resolution_text=Thu+ho%E1%BA%A1ch&votes_for=7",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let end = label_of(&r.body, "end_time");
    assert!(end.starts_with("<label class=\"bad\""), "{end}");
    assert!(
        end.contains("<small>") && !end.contains("<small></small>"),
        "{end}"
    );
    assert!(
        label_of(&r.body, "resolution_text").contains("<small></small>"),
        "no error on the resolution"
    );
    assert!(
        r.body.contains(r#"id="record-details" open"#),
        "the form is open"
    );

    // The score sheet: a criterion over its maximum keeps the typed points, its error on its line.
    let lines = d["held"]["quality"]["lines"].as_array().unwrap();
    let line = lines.iter().find(|l| l["auto"] == false).unwrap();
    let code = line["code"].as_str().unwrap();
    let over = line["max_points"].as_u64().unwrap() + 5;
    let r = t
        .post_form(
            &format!("/meetings/{id}/score"),
            Auth::Cookie(&cookie),
            &format!("score_{code}={over}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let row = section(&r.body, &format!("name=\"score_{code}\""), "</tr>");
    assert!(row.contains(&format!("value=\"{over}\"")), "{row}");
    assert!(
        row.contains(&format!("id=\"error-score-{code}\"")) && row.contains("tối đa"),
        "{row}"
    );
    // Not a number: the same line, the page not lost.
    let r = t
        .post_form(
            &format!("/meetings/{id}/score"),
            Auth::Cookie(&cookie),
            &format!("score_{code}=nhieu"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let row = section(&r.body, &format!("name=\"score_{code}\""), "</tr>");
    assert!(
        row.contains("value=\"nhieu\"") && row.contains("số tự nhiên"),
        "{row}"
    );

    // A speech without its summary keeps the speaker chosen.
    let r = t
        .post_form(
            &format!("/meetings/{id}/speeches"),
            Auth::Cookie(&cookie),
            &format!("member_id={}&summary=", ids[2]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let speaker = section(&r.body, "/speeches\"", "</select>");
    assert!(
        speaker.contains(&format!("value=\"{}\" selected", ids[2])),
        "{speaker}"
    );
    assert!(label_of(&r.body, "summary").starts_with("<label class=\"bad\""));
}

#[tokio::test]
async fn the_notice_and_the_preparation_keep_what_was_typed() {
    let t = TestApp::new().await;
    let token = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let id = published(
        &t,
        &token,
        cell,
        chibo_app::App::today() + chrono::Duration::days(5),
    )
    .await;

    let r = t
        .post_form(
            &format!("/meetings/{id}/notice"),
            Auth::Cookie(&cookie),
            "topic=&start_time=19%3A00&place=H%E1%BB%99i+tr%C6%B0%E1%BB%9Dng+m%E1%BB%9Bi&agenda=Khai+m%E1%BA%A1c%0D%0AB%E1%BA%BF+m%E1%BA%A1c",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let notice = section(&r.body, "id=\"notice-form\"", "</form>");
    let topic = label_of(notice, "topic");
    assert!(
        topic.starts_with("<label class=\"bad\"") && topic.contains("nội dung chính"),
        "{topic}"
    );
    assert!(label_of(notice, "place").contains("value=\"Hội trường mới\""));
    assert!(label_of(notice, "start_time").contains("value=\"19:00\""));
    let agenda = label_of(notice, "agenda");
    assert!(
        agenda.contains("Khai mạc") && agenda.contains("Bế mạc"),
        "{agenda}"
    );

    // The preparatory meeting: its day missing, the content, draft and those ticked kept.
    let me = t.member_id("bithu.dongtam").await;
    let r = t
        .post_form(
            &format!("/meetings/{id}/preparation"),
            Auth::Cookie(&cookie),
            &format!("held_on=&attendee_ids={me}&content=Th%E1%BB%91ng+nh%E1%BA%A5t+n%E1%BB%99i+dung&draft_resolution=D%E1%BB%B1+th%E1%BA%A3o+m%E1%BB%99t"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(label_of(&r.body, "held_on").starts_with("<label class=\"bad\""));
    assert!(label_of(&r.body, "content").contains("Thống nhất nội dung"));
    assert!(label_of(&r.body, "draft_resolution").contains("Dự thảo một"));
    let form = section(&r.body, "id=\"preparation-form\"", "</form>");
    assert!(form.contains(&format!("value=\"{me}\" checked")), "{form}");
    assert_eq!(form.matches(" checked").count(), 1, "{form}");
}

#[tokio::test]
async fn the_schedule_form_shows_each_error_beside_its_field() {
    let t = TestApp::new().await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let day = (chibo_app::App::today() + chrono::Duration::days(12)).to_string();
    let r = t
        .post_form(
            &format!("/units/{cell}/meetings"),
            Auth::Cookie(&cookie),
            &format!("kind=regular&topic=Ki%E1%BB%83m+%C4%91i%E1%BB%83m+th%C3%A1ng&meeting_date={day}&start_time=19%3A30&place="),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, "id=\"schedule-form\"", "</form>");
    let place = label_of(form, "place");
    assert!(
        place.starts_with("<label class=\"bad\"") && place.contains("địa điểm"),
        "{place}"
    );
    assert!(label_of(form, "topic").contains("value=\"Kiểm điểm tháng\""));
    assert!(label_of(form, "topic").contains("<small></small>"));
    assert!(label_of(form, "meeting_date").contains(&format!("value=\"{day}\"")));
}

#[tokio::test]
async fn a_refused_task_report_keeps_what_the_member_wrote() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let cookie = t.login("dangvien.dongtam").await;
    let page = t.get("/tasks", Auth::Cookie(&cookie)).await;
    let id: i64 = section(&page.body, "action=\"/tasks/", "/progress")
        .trim_start_matches("action=\"/tasks/")
        .parse()
        .expect("the demo member has a task still open");
    let long = "Đã vận động các hộ. ".repeat(120);
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("progress", long.as_str()), ("status", "done")])
        .finish();
    let r = t
        .post_form(
            &format!("/tasks/{id}/progress"),
            Auth::Cookie(&cookie),
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, &format!("id=\"task-{id}-form\""), "</form>");
    let progress = label_of(form, "progress");
    assert!(
        progress.starts_with("<label class=\"bad\"") && progress.contains(long.trim_end()),
        "kept"
    );
    assert!(form.contains("value=\"done\" selected"), "{form}");
}
