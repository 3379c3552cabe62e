//! An officer's account made from their member page (issue 13): the login name, role and cell
//! offered from the member's record and office, nothing typed by number, a refused form kept as
//! typed with each error beside its field, one account per member, administrators only; the
//! same through the API. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_store::entities::{position, user};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use common::*;
use serde_json::{Value, json};

/// Cell secretaries in office without an account, as (member, cell).
async fn secretaries_without_account(t: &TestApp) -> Vec<(i64, i64)> {
    let linked: Vec<i64> = user::Entity::find()
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|u| u.member_id)
        .collect();
    position::Entity::find()
        .filter(position::Column::Kind.eq("secretary"))
        .filter(position::Column::TermTo.is_null())
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| !linked.contains(&p.member_id))
        .map(|p| (p.member_id, p.unit_id))
        .collect()
}

fn form_body(username: &str, password: &str, role: &str, unit: i64) -> String {
    format!("username={username}&password={password}&role={role}&unit_id={unit}")
}

#[tokio::test]
async fn an_officer_gets_an_account_from_the_member_page() {
    let t = TestApp::new().await;
    let (member, cell) = secretaries_without_account(&t).await[0];
    let admin = t.login("admin").await;
    let page = t
        .get(&format!("/members/{member}"), Auth::Cookie(&admin))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let form = section(&page.body, "id=\"account-form\"", "</form>");
    assert!(
        form.contains(r#"<option value="cell_secretary" selected>"#),
        "the secretary's role is offered: {form}"
    );
    assert!(
        form.contains(&format!(r#"<option value="{cell}" selected>"#)),
        "{form}"
    );
    assert!(
        !form.contains("member_id"),
        "no member number is typed: {form}"
    );
    let offered = section(form, "name=\"username\" value=\"", "\"")
        .trim_start_matches("name=\"username\" value=\"")
        .to_string();
    assert!(offered.len() >= 3, "{offered}");

    // A short password: refused, the rest kept, the error beside its field.
    let r = t
        .post_form(
            &format!("/members/{member}/account"),
            Auth::Cookie(&admin),
            &form_body("bithu.moi", "ngan", "cell_deputy", cell),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = section(&r.body, "id=\"account-form\"", "</form>");
    assert!(form.contains(r#"value="bithu.moi""#), "{form}");
    assert!(
        form.contains(r#"<option value="cell_deputy" selected>"#),
        "{form}"
    );
    assert!(
        !form.contains("ngan"),
        "the password is not sent back: {form}"
    );
    let password = section(form, "name=\"password\"", "</label>");
    assert!(password.contains("ít nhất 8 ký tự"), "{password}");

    // A cell the member has nothing to do with: refused on that field.
    let mut other = t.unit_id("Chi bộ thôn Bản Nà").await;
    if other == cell {
        other = t.unit_id("Chi bộ thôn Tân Lập").await;
    }
    let r = t
        .post_form(
            &format!("/members/{member}/account"),
            Auth::Cookie(&admin),
            &form_body("bithu.moi", "mat-khau-dai-du", "cell_secretary", other),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unit = section(&r.body, "name=\"unit_id\"", "</label>");
    assert!(unit.contains("Vui lòng chọn chi bộ"), "{unit}");

    let r = t
        .post_form(
            &format!("/members/{member}/account"),
            Auth::Cookie(&admin),
            &form_body("bithu.moi", "mat-khau-dai-du", "cell_secretary", cell),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("/members/{member}?da-luu=tai-khoan#tai-khoan")
    );
    let page = t.get(r.location(), Auth::Cookie(&admin)).await;
    assert!(page.body.contains("Đã tạo tài khoản đăng nhập"));
    let section_ = section(&page.body, "id=\"tai-khoan\"", "</section>");
    assert!(
        section_.contains("bithu.moi") && section_.contains("Bí thư chi bộ"),
        "{section_}"
    );
    assert!(
        !section_.contains("account-form"),
        "one account per member: {section_}"
    );

    // The new secretary signs in and keeps the cell's meetings.
    let actor = t.actor("bithu.moi").await;
    assert_eq!(actor.member_id().unwrap().get(), member);
    let token = {
        let r = t
            .api(
                Method::POST,
                "/api/v1/auth/token",
                "",
                json!({"username": "bithu.moi", "password": "mat-khau-dai-du"}),
            )
            .await;
        ok(&r)["token"].as_str().unwrap().to_string()
    };
    let r = t
        .api(
            Method::GET,
            &format!("/api/v1/units/{cell}/meetings"),
            &token,
            Value::Null,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // A second account for the same member is refused, on the page and by the users form.
    let r = t
        .post_form(
            &format!("/members/{member}/account"),
            Auth::Cookie(&admin),
            &form_body("bithu.khac", "mat-khau-dai-du", "cell_secretary", cell),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let admin_token = t.token("admin").await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/users",
            &admin_token,
            json!({"username": "bithu.khac", "display_name": "X", "password": "mat-khau-dai-du",
                   "member_id": member}),
        )
        .await;
    assert!(refused(&r).contains("đã có tài khoản"), "{}", r.body);

    // Others see no account section and cannot post it.
    let commune = t.login("xaphulam").await;
    let page = t
        .get(&format!("/members/{member}"), Auth::Cookie(&commune))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"tai-khoan\""));
}

#[tokio::test]
async fn the_api_offers_and_makes_a_members_account() {
    let t = TestApp::new().await;
    let (member, cell) = secretaries_without_account(&t).await[0];
    let admin = t.token("admin").await;
    let url = format!("/api/v1/members/{member}/accounts");
    let got = ok(&t.api(Method::GET, &url, &admin, Value::Null).await);
    assert_eq!(got["accounts"], json!([]));
    assert_eq!(got["offer"]["role"], "cell_secretary");
    assert_eq!(got["offer"]["unit_id"], cell);
    let taken = got["offer"]["username"].as_str().unwrap().to_string();
    // Another account took the login name: the next number is offered.
    ok(&t
        .api(
            Method::POST,
            "/api/v1/users",
            &admin,
            json!({"username": taken, "display_name": "Người khác", "password": "mat-khau-dai-du"}),
        )
        .await);
    let got = ok(&t.api(Method::GET, &url, &admin, Value::Null).await);
    let username = got["offer"]["username"].as_str().unwrap().to_string();
    assert_eq!(username, format!("{taken}2"));

    let r = t
        .api(
            Method::POST,
            &url,
            &admin,
            json!({"username": username, "password": "x", "role": "org_board", "unit_id": cell}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"role".to_string()), "{fields:?}");

    let r = t
        .api(Method::POST, &url, &admin, json!({"username": username, "password": "mat-khau-dai-du", "role": "member", "unit_id": cell}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = r.json();
    assert_eq!(made["member_id"], member);
    assert_eq!(made["roles"][0]["role"], "member");
    let got = ok(&t.api(Method::GET, &url, &admin, Value::Null).await);
    assert_eq!(got["accounts"][0]["username"], username.as_str());
    assert!(got["offer"].is_null());

    // A cell secretary is not an administrator.
    let secretary = t.token("bithu.dongtam").await;
    let r = t.api(Method::GET, &url, &secretary, Value::Null).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "administrators only");
}

#[tokio::test]
async fn the_users_form_keeps_what_was_typed() {
    let t = TestApp::new().await;
    let admin = t.login("admin").await;
    let page = t.get("/admin/users", Auth::Cookie(&admin)).await;
    assert!(
        !page.body.contains("name=\"member_id\""),
        "no member number typed"
    );
    let r = t
        .post_form(
            "/admin/users",
            Auth::Cookie(&admin),
            "username=admin&display_name=Ban+t%E1%BB%95+ch%E1%BB%A9c&password=mat-khau-dai-du&role=org_board&unit_id=",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let username = section(&r.body, "name=\"username\"", "</label>");
    assert!(username.contains("đã được sử dụng"), "{username}");
    let unit = section(&r.body, "name=\"unit_id\"", "</label>");
    assert!(unit.contains("Vui lòng chọn đơn vị"), "{unit}");
    assert!(r.body.contains("Ban tổ chức"), "the name is kept");
    assert!(r.body.contains(r#"<option value="org_board" selected>"#));
    assert!(!r.body.contains("mat-khau-dai-du"));
}
