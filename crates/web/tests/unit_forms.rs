//! Issue 13, defect 1 on a unit's page: a refused restructuring (founding, renaming, moving,
//! merging, splitting, dissolving) comes back open and as typed, its fields marked, what it had
//! chosen still chosen; a change that succeeds is confirmed. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;

/// The form of id `form` on the page.
fn form<'a>(body: &'a str, id: &str) -> &'a str {
    section(body, &format!("id=\"{id}\""), "</form>")
}

#[tokio::test]
async fn a_refused_restructuring_keeps_what_was_typed() {
    let t = TestApp::new().await;
    let cookie = t.login("xaphulam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let ban_na = t.unit_id("Chi bộ thôn Bản Nà").await;
    let dong_tam = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let one = t.member_id("dangvien.dongtam").await;

    // A cell founded with one member: refused, the name, kind, type and the member kept.
    let r = t
        .post_form(
            &format!("/units/{commune}/children"),
            Auth::Cookie(&cookie),
            &format!(
                "name=Chi+b%E1%BB%99+th%C3%B4n+M%E1%BB%9Bi&kind=cell&cell_type=rural&effective_on=&founding_member_ids={one}"
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"found\" open"),
        "the founding form opens"
    );
    let found = form(&r.body, "found-form");
    assert!(found.contains("value=\"Chi bộ thôn Mới\""), "{found}");
    assert!(found.contains("value=\"cell\" selected"), "{found}");
    assert!(found.contains("value=\"rural\" selected"), "{found}");
    let chosen = section(found, "id=\"founders-chosen\"", "</div>");
    assert!(
        chosen.contains(&format!("value=\"{one}\" checked")),
        "the ticked member is still ticked: {chosen}"
    );
    assert!(
        found.contains("class=\"bad-text\""),
        "the founders' error beside them"
    );
    assert_eq!(
        found.matches(&format!("value=\"{one}\"")).count(),
        1,
        "the ticked member is shown once, not again among the choices"
    );

    // A merger dated tomorrow: refused, the cell chosen and the date kept, the date marked.
    let tomorrow = (chibo_app::App::today() + chrono::Duration::days(1)).to_string();
    let r = t
        .post_form(
            &format!("/units/{ban_na}/merge"),
            Auth::Cookie(&cookie),
            &format!("into_unit_id={dong_tam}&effective_on={tomorrow}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"merge\" open"));
    let merge = form(&r.body, "merge-form");
    assert!(
        merge.contains(&format!("value=\"{dong_tam}\" selected")),
        "{merge}"
    );
    let date = label_in(&r.body, "merge-form", "effective_on");
    assert!(
        date.contains("class=\"bad\"") && date.contains(&tomorrow),
        "{date}"
    );

    // A split without a name: the members ticked stay ticked.
    let r = t
        .post_form(
            &format!("/units/{dong_tam}/split"),
            Auth::Cookie(&cookie),
            &format!("name=&member_ids={one}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(label_in(&r.body, "split-form", "name").contains("class=\"bad\""));
    assert!(form(&r.body, "split-form").contains(&format!("value=\"{one}\" checked")));

    // Dissolving a cell that still has members: the reason typed is kept.
    let r = t
        .post_form(
            &format!("/units/{ban_na}/dissolve"),
            Auth::Cookie(&cookie),
            "reason=Th%C3%B4n+s%C3%A1p+nh%E1%BA%ADp&effective_on=",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"dissolve\" open"));
    assert!(form(&r.body, "dissolve-form").contains("Thôn sáp nhập</textarea>"));

    // The merger done: the receiving cell's page says so.
    let r = t
        .post_form(
            &format!("/units/{ban_na}/merge"),
            Auth::Cookie(&cookie),
            &format!("into_unit_id={dong_tam}&effective_on="),
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/units/{dong_tam}?da-luu=merge"),
        "{}",
        r.body
    );
    let page = t.get(r.location(), Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("id=\"saved\""), "{}", page.body);
}
