//! Issue 13, defect 1 on a member's page: a refused form (a change of status, a transfer, an
//! account) comes back open and as typed, each error beside its field; and a member of a party
//! group is offered an account on the group's cell. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_store::entities::{member, unit};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use common::*;
use serde_json::Value;

#[tokio::test]
async fn a_refused_form_of_the_member_page_keeps_what_was_typed() {
    let t = TestApp::new().await;
    let cookie = t.login("xaphulam").await;
    let member = t.member_id("dangvien.dongtam").await;

    // A change of status without its reason.
    let r = t
        .post_form(
            &format!("/members/{member}/events"),
            Auth::Cookie(&cookie),
            "kind=working_away&effective_on=2026-01-05&until=2026-12-31&reason=",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"event-form\""));
    let reason = label_in(&r.body, "event-form", "reason");
    assert!(
        reason.starts_with("<label class=\"bad\"") && reason.contains("lý do"),
        "{reason}"
    );
    assert!(label_in(&r.body, "event-form", "effective_on").contains("value=\"2026-01-05\""));
    assert!(label_in(&r.body, "event-form", "until").contains("value=\"2026-12-31\""));
    assert!(label_in(&r.body, "event-form", "kind").contains("value=\"working_away\" selected"));

    // A transfer to nowhere: the choices kept, the destination's error beside it.
    let r = t
        .post_form(
            &format!("/members/{member}/transfers"),
            Auth::Cookie(&cookie),
            "kind=permanent&reason=residence&to_unit_id=&destination=&moved_on=2026-02-01&ends_on=",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(label_in(&r.body, "transfer-form", "kind").contains("value=\"permanent\" selected"));
    assert!(label_in(&r.body, "transfer-form", "reason").contains("value=\"residence\" selected"));
    assert!(label_in(&r.body, "transfer-form", "moved_on").contains("value=\"2026-02-01\""));
    assert!(label_in(&r.body, "transfer-form", "destination").starts_with("<label class=\"bad\""));
    // The other forms are as offered, not as this one was typed.
    assert!(!label_in(&r.body, "event-form", "reason").contains("class=\"bad\""));
}

#[tokio::test]
async fn a_party_group_member_is_offered_an_account_on_its_cell() {
    let t = TestApp::new().await;
    let groups: Vec<i64> = unit::Entity::find()
        .filter(unit::Column::Kind.eq("group"))
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    let m = member::Entity::find()
        .filter(member::Column::UnitId.is_in(groups))
        .one(&t.app.db)
        .await
        .unwrap()
        .expect("the demo has members in party groups");
    let group = unit::Entity::find_by_id(m.unit_id)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let admin = t.token("admin").await;
    let url = format!("/api/v1/members/{}/accounts", m.id);
    let offer = ok(&t.api(Method::GET, &url, &admin, Value::Null).await)["offer"].clone();
    assert_eq!(offer["unit_id"], group.parent_id.unwrap(), "{offer}");
    assert!(
        offer["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["id"] != group.id)
    );
    let made = t
        .api(
            Method::POST,
            &url,
            &admin,
            serde_json::json!({"username": offer["username"], "password": "mat-khau-dai-du",
                               "role": offer["role"], "unit_id": offer["unit_id"]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
}

#[tokio::test]
async fn a_refused_gap_shows_its_error_beside_its_field() {
    let t = TestApp::new().await;
    let cookie = t.login("xaphulam").await;
    let member = t.member_id("dangvien.dongtam").await;
    // Ends before it starts.
    let r = t
        .post_form(
            &format!("/members/{member}/gaps"),
            Auth::Cookie(&cookie),
            "kind=lost_contact&from=2020-05-01&to=2020-01-01&note=Th%E1%BB%AD",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = section(&r.body, "id=\"gap-form\"", "</form>");
    assert!(
        form.contains("class=\"bad\""),
        "an error beside a field of the row added: {form}"
    );
    assert!(label_in(&r.body, "gap-form", "from").contains("value=\"2020-05-01\""));
    assert!(label_in(&r.body, "gap-form", "note").contains("value=\"Thử\""));
}
