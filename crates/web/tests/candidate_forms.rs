//! Issue 13, defect 1 on the admission page: a refused proposal and a refused step come back
//! as typed, their fields marked, beside the candidate they concern; a step recorded is
//! confirmed. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_refused_proposal_or_step_keeps_what_was_typed() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;

    // A proposal of someone under eighteen.
    let born = (chibo_app::App::today() - chrono::Duration::days(365 * 10)).to_string();
    let r = t
        .post_form(
            &format!("/units/{cell}/candidates"),
            Auth::Cookie(&cookie),
            &format!(
                "full_name=N%C3%B4ng+Th%E1%BB%8B+Mai&date_of_birth={born}&sex=female&ethnicity=T%C3%A0y&citizen_id=&phone=0912345678"
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, "id=\"candidate-form\"", "</form>");
    assert!(form.contains("value=\"Nông Thị Mai\""), "{form}");
    assert!(form.contains("value=\"Tày\"") && form.contains("value=\"0912345678\""));
    assert!(form.contains("value=\"female\" selected"), "{form}");
    assert!(
        form.contains("class=\"bad\""),
        "the birth date is marked: {form}"
    );

    // A class step dated in the future: the certificate number typed is kept.
    let a = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/units/{cell}/candidates"),
            &sec,
            json!({"full_name": "Nông Thị Mai", "date_of_birth": "1998-03-08", "sex": "female", "ethnicity": "Tày", "citizen_id": "001198012345"}),
        )
        .await);
    let id = a["id"].as_i64().unwrap();
    let tomorrow = (chibo_app::App::today() + chrono::Duration::days(1)).to_string();
    let r = t
        .post_form(
            &format!("/candidates/{id}/steps"),
            Auth::Cookie(&cookie),
            &format!("unit={cell}&step=class&on={tomorrow}&number=GCN-125"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let step = section(&r.body, &format!("id=\"step-{id}-class\""), "</form>");
    assert!(step.contains("value=\"GCN-125\""), "{step}");
    assert!(step.contains(&format!("value=\"{tomorrow}\"")), "{step}");
    assert!(step.contains("class=\"bad\""), "{step}");
    assert!(r.body.contains(&format!("id=\"step-{id}-class-errors\"")));

    // Recorded: the list says so and returns to the candidate.
    let r = t
        .post_form(
            &format!("/candidates/{id}/steps"),
            Auth::Cookie(&cookie),
            &format!(
                "unit={cell}&step=class&on={}&number=GCN-125",
                chibo_app::App::today()
            ),
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/units/{cell}/candidates?da-luu=1#candidate-{id}")
    );
    let page = t.get(r.location(), Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("id=\"saved\""));
}
