//! Issue 13, defect 1 on the small forms: a step's button of a transfer or an exemption (on a
//! unit's list and on the member's page), ending a position, a course's participants, the
//! inspections, the holidays, the password and an account's role. A refused one comes back as
//! typed with its message beside it. Runs on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

/// The form posting to `action`, as the page shows it.
fn form_to<'a>(body: &'a str, action: &str) -> &'a str {
    section(body, &format!("action=\"{action}\""), "</form>")
}

#[tokio::test]
async fn a_refused_step_is_shown_beside_its_button() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let member = t.member_id("dangvien.dongtam").await;

    // A transfer's step on a day not come yet: refused beside the button, the day kept, on
    // the member's page and on the unit's list.
    let away = t.member_id("bithu.dongtam").await;
    let transfer = ok(&t
        .api(Method::POST, &format!("/api/v1/members/{away}/transfers"), &sec,
            json!({"kind": "temporary", "reason": "work", "destination": "Hà Nội", "moved_on": day(-5), "ends_on": day(150)}))
        .await);
    let id = transfer["id"].as_i64().unwrap();
    let step = transfer["next_steps"][0].as_str().unwrap().to_string();
    let action = format!("/transfers/{id}/steps");
    let later = day(10);
    let r = t
        .post_form(
            &action,
            Auth::Cookie(&cookie),
            &format!("step={step}&on={later}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = form_to(&r.body, &action);
    assert!(
        form.contains("chưa đến") && form.contains(&format!("value=\"{later}\"")),
        "{form}"
    );
    let r = t
        .post_form(
            &action,
            Auth::Cookie(&cookie),
            &format!("unit={cell}&step={step}&on={later}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(form_to(&r.body, &action).contains("chưa đến"), "{}", r.body);

    // An exemption granted without naming the meeting that decided it.
    let own = t.token("dangvien.dongtam").await;
    let x = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/members/{member}/exemptions"),
            &own,
            json!({"requested_on": day(-1), "reason": "Sức khỏe"}),
        )
        .await);
    let action = format!("/exemptions/{}/steps", x["id"]);
    let r = t
        .post_form(
            &action,
            Auth::Cookie(&cookie),
            &format!("unit={cell}&step=grant&meeting_id="),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(form_to(&r.body, &action).contains("bad-text"), "{}", r.body);
    let r = t
        .post_form(&action, Auth::Cookie(&cookie), "step=grant&meeting_id=")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(form_to(&r.body, &action).contains("bad-text"), "{}", r.body);

    // Ending a position on a day before it began.
    let secretary = t.member_id("bithu.dongtam").await;
    let detail = ok(&t
        .get(&format!("/api/v1/members/{secretary}"), Auth::Bearer(&sec))
        .await);
    let position = detail["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["term_to"].is_null())
        .expect("the demo's secretary holds a position")["id"]
        .clone();
    let action = format!("/positions/{position}/end");
    let r = t
        .post_form(
            &action,
            Auth::Cookie(&cookie),
            &format!("member_id={secretary}&term_to=1990-01-01"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = form_to(&r.body, &action);
    assert!(
        form.contains("bad-text") && form.contains("value=\"1990-01-01\""),
        "{form}"
    );
}

#[tokio::test]
async fn a_refused_course_or_inspection_keeps_what_was_typed() {
    let t = TestApp::new().await;
    let committee = t.token("xaphulam").await;
    let cookie = t.login("xaphulam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let dong_tam = t.unit_id("Chi bộ thôn Đồng Tâm").await;

    // Completion ticked on a course not ended yet, one officer chosen to add.
    let course = ok(&t
        .api(Method::POST, &format!("/api/v1/units/{commune}/courses"), &committee,
            json!({"name": "Lớp bồi dưỡng", "organiser": "Trung tâm", "starts_on": day(-1), "ends_on": day(5)}))
        .await);
    let cid = course["course"]["id"].as_i64().unwrap();
    let officer = t.member_id("bithu.dongtam").await;
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/courses/{cid}/participants"),
            &committee,
            json!({"member_ids": [officer]}),
        )
        .await);
    let other = t.member_id("dangvien.dongtam").await;
    let r = t
        .post_form(
            &format!("/courses/{cid}/participants"),
            Auth::Cookie(&cookie),
            &format!("shown_ids={officer}&completed_ids={officer}&member_ids={other}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, "id=\"participants-form\"", "</form>");
    assert!(form.contains("chưa bế giảng"), "{form}");
    assert!(
        form.contains(&format!("value=\"{officer}\" checked")),
        "{form}"
    );
    assert!(
        form.contains(&format!("value=\"{other}\" selected")),
        "{form}"
    );

    // A plan without its content; a result with a recommendation due before the inspection.
    let r = t
        .post_form(
            &format!("/units/{commune}/inspections"),
            Auth::Cookie(&cookie),
            &format!(
                "cell_id={dong_tam}&kind=supervision&planned_on={}&content=",
                day(3)
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(label_in(&r.body, "inspection-form", "content").contains("class=\"bad\""));
    let kind = label_in(&r.body, "inspection-form", "kind");
    assert!(kind.contains("value=\"supervision\" selected"), "{kind}");
    let cell = label_in(&r.body, "inspection-form", "cell_id");
    assert!(
        cell.contains(&format!("value=\"{dong_tam}\" selected")),
        "{cell}"
    );

    let i = ok(&t
        .api(Method::POST, &format!("/api/v1/units/{commune}/inspections"), &committee,
            json!({"cell_id": dong_tam, "kind": "inspection", "planned_on": day(-5), "content": "Quy trình sinh hoạt"}))
        .await);
    let id = i["id"].as_i64().unwrap();
    let form = format!(
        "unit={commune}&done_on={}&result=C%C6%A1+b%E1%BA%A3n+%C4%91%C3%BAng&recommendation=Ghi+bi%C3%AAn+b%E1%BA%A3n&rec_due_on={}&recommendation=&rec_due_on=",
        day(-2),
        day(-3)
    );
    let r = t
        .post_form(
            &format!("/inspections/{id}/result"),
            Auth::Cookie(&cookie),
            &form,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let shown = section(&r.body, &format!("id=\"result-{id}\""), "</form>");
    assert!(shown.contains("sau ngày kiểm tra"), "{shown}");
    assert!(
        shown.contains("value=\"Ghi biên bản\"") && shown.contains("Cơ bản đúng</textarea>"),
        "{shown}"
    );
    assert!(shown.contains(&format!("value=\"{}\"", day(-3))), "{shown}");
}

#[tokio::test]
async fn an_administrators_forms_show_each_error_beside_its_field() {
    let t = TestApp::new().await;
    let admin = t.login("admin").await;

    // A holiday without its name comes back on the year of its day.
    let r = t
        .post_form(
            "/admin/holidays",
            Auth::Cookie(&admin),
            "day=2031-05-02&name=&kind=working",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Ngày nghỉ lễ năm 2031"), "{}", r.body);
    assert!(label_in(&r.body, "holiday-form", "name").contains("class=\"bad\""));
    assert!(label_in(&r.body, "holiday-form", "day").contains("value=\"2031-05-02\""));
    assert!(label_in(&r.body, "holiday-form", "kind").contains("value=\"working\" selected"));

    // A rule set in JSON that does not parse: the text typed stays, the message under it.
    let r = t
        .post_form(
            "/rule-sets",
            Auth::Cookie(&admin),
            "code=thu-nghiem&name=Th%E1%BB%AD&unit_id=&effective_from=2027-01-01&rules=%7B%22meeting_kinds%22%3A",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let rules = label_of(&r.body, "rules");
    assert!(
        rules.contains("JSON hợp lệ") && rules.contains("{&#34;meeting_kinds&#34;:"),
        "{rules}"
    );
    assert!(label_of(&r.body, "code").contains("value=\"thu-nghiem\""));

    // Their own password: a wrong repeat is named beside the repeat, no password sent back.
    let r = t
        .post_form(
            "/account/password",
            Auth::Cookie(&admin),
            "current_password=x&new_password=mat-khau-moi-1&confirm_password=mat-khau-moi-2",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let repeat = label_of(&r.body, "confirm_password");
    assert!(
        repeat.contains("class=\"bad\"") && repeat.contains("không khớp"),
        "{repeat}"
    );
    assert!(!r.body.contains("mat-khau-moi"), "{}", r.body);

    // A role given to an account without the unit it needs: the role chosen stays.
    let users = ok(&t
        .get(
            "/api/v1/users?per_page=500",
            Auth::Bearer(&t.token("admin").await),
        )
        .await);
    let user = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "dangvien.dongtam")
        .unwrap()["id"]
        .clone();
    let r = t
        .post_form(
            &format!("/admin/users/{user}/roles"),
            Auth::Cookie(&admin),
            "role=cell_secretary&unit_id=",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let role = label_in(&r.body, "role-form", "role");
    assert!(role.contains("value=\"cell_secretary\" selected"), "{role}");
    assert!(
        section(&r.body, "id=\"role-form\"", "</form>").contains("class=\"bad\""),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_refused_check_in_names_the_code() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let meeting = published(&t, &sec, cell, chibo_app::App::today()).await;
    let member = t.login("dangvien.dongtam").await;
    let r = t
        .post_form(
            &format!("/meetings/{meeting}/check-in"),
            Auth::Cookie(&member),
            "code=SAI123",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let code = label_of(&r.body, "code");
    assert!(
        code.contains("class=\"bad\"") && code.contains("value=\"SAI123\""),
        "{code}"
    );
    assert!(code.contains("id=\"check-in-error\""), "{code}");
}
