//! Issue 13, defect 1 on the year plan and the training page: a refused topic comes back on
//! the plan of its own year and a refused course as typed, each error beside its field; a
//! saved one is confirmed. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn a_refused_topic_or_course_keeps_what_was_typed() {
    let t = TestApp::new().await;
    let today = chibo_app::App::today();
    let next_year = chrono::Datelike::year(&today) + 1;

    // A topic for next year without its title.
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let writer = t.member_id("dangvien.dongtam").await;
    let r = t
        .post_form(
            &format!("/units/{cell}/plan"),
            Auth::Cookie(&cookie),
            &format!("year={next_year}&quarter=3&title=&writer_member_id={writer}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, "id=\"topic-form\"", "</form>");
    assert!(
        form.contains(&format!("name=\"year\" value=\"{next_year}\"")),
        "the plan of the year the topic was for: {form}"
    );
    assert!(form.contains("value=\"3\" selected"), "{form}");
    assert!(
        form.contains(&format!("value=\"{writer}\" selected")),
        "{form}"
    );
    assert!(form.contains("class=\"bad\""), "{form}");
    let r = t
        .post_form(
            &format!("/units/{cell}/plan"),
            Auth::Cookie(&cookie),
            &format!(
                "year={next_year}&quarter=3&title=Ph%C3%B2ng+ch%C3%A1y&writer_member_id={writer}"
            ),
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/units/{cell}/plan?nam={next_year}&da-luu=1")
    );
    assert!(
        t.get(r.location(), Auth::Cookie(&cookie))
            .await
            .body
            .contains("id=\"saved\"")
    );

    // A course that ends before it starts.
    let cookie = t.login("xaphulam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let (start, end) = (
        today - chrono::Duration::days(1),
        today - chrono::Duration::days(3),
    );
    let r = t
        .post_form(
            &format!("/units/{commune}/courses"),
            Auth::Cookie(&cookie),
            &format!("name=L%E1%BB%9Bp+nghi%E1%BB%87p+v%E1%BB%A5&organiser=Trung+t%C3%A2m&starts_on={start}&ends_on={end}&topics=Quy+tr%C3%ACnh"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, "id=\"course-form\"", "</form>");
    assert!(
        form.contains("value=\"Lớp nghiệp vụ\"") && form.contains("Quy trình</textarea>"),
        "{form}"
    );
    assert!(form.contains(&format!("value=\"{end}\"")), "{form}");
    assert!(form.contains("class=\"bad\""), "{form}");
    let r = t
        .post_form(
            &format!("/units/{commune}/courses"),
            Auth::Cookie(&cookie),
            &format!("name=L%E1%BB%9Bp&organiser=TT&starts_on={end}&ends_on={start}"),
        )
        .await;
    assert_eq!(r.location(), format!("/units/{commune}/training?da-luu=1"));
    assert!(
        t.get(r.location(), Auth::Cookie(&cookie))
            .await
            .body
            .contains("id=\"saved\"")
    );
}
