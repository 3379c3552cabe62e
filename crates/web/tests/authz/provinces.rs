//! A board officer of another province. The demo has one province, so the test founds a second
//! beside it, with an officer of its board: every route that names a row of the demo province
//! answers that officer 404 (pages and API alike), the lists open to any signed-in user name
//! nothing of the demo province, and the demo province's board cannot open the second one.

use axum::http::{Method, StatusCode};
use chibo_app::access::users::{self, NewUser};
use chibo_domain::org::UnitKind;
use chibo_store::entities::member;
use chibo_store::sea_orm::EntityTrait;

use crate::common::*;
use crate::routes::*;
use crate::rows::*;

const OFFICER: &str = "bantochuc.thuhai";
const PASSWORD: &str = "mây trắng bay qua đỉnh núi Thử Hai";

#[tokio::test]
async fn another_provinces_board_sees_nothing_of_this_one() {
    let t = TestApp::new().await;
    let second = chibo_app::org::edit::create_root(
        &t.app.db,
        "Đảng bộ tỉnh Thử Hai",
        UnitKind::Province,
        chrono::NaiveDate::from_ymd_opt(1991, 1, 1).unwrap(),
    )
    .await
    .unwrap();
    let admin = t.actor("admin").await;
    users::create(
        &t.app,
        &admin.admin().unwrap(),
        NewUser {
            username: OFFICER.into(),
            display_name: "Cán bộ Ban Tổ chức tỉnh Thử Hai".into(),
            password: PASSWORD.into(),
            member_id: None,
            role: Some("org_board".into()),
            unit_id: Some(second.id),
        },
    )
    .await
    .unwrap();
    let cookie = t.login_with(OFFICER, PASSWORD).await;
    let token = t.token_with(OFFICER, PASSWORD).await;
    let session = |api: bool| if api { token.as_str() } else { cookie.as_str() };

    // Rows of every kind in a cell of the demo province.
    let theirs = ids_in(&t, "Chi bộ thôn Bản Nà", "xaphulam").await;
    let someone = member::Entity::find_by_id(theirs.member)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let names_of_theirs = ["Hòa Sơn", "Phú Lâm", "Bản Nà", someone.full_name.as_str()];

    let mut failures = Vec::new();
    let routes = every_route();
    for (m, p, api) in &routes {
        let c = case(m, p).unwrap();
        match c {
            Case::Public | Case::SecondFactor => continue,
            // What any signed-in user may open: the lists are filtered by scope, so the
            // officer's name nothing of the demo province.
            Case::Own => {
                if *m != Method::GET || p.contains('{') {
                    continue;
                }
                let auth = if *api {
                    Auth::Bearer(&token)
                } else {
                    Auth::Cookie(&cookie)
                };
                let res = t.get(p, auth).await;
                if let Some(name) = names_of_theirs.iter().find(|n| res.body.contains(**n)) {
                    failures.push(format!("{m} {p} names {name} ({})", res.status));
                }
            }
            _ => {
                let url = fill(p, &theirs, 0, 0, c);
                let got = call(
                    &t,
                    m,
                    &url,
                    *api,
                    Some(session(*api)),
                    (theirs.unit, theirs.unit),
                )
                .await;
                if got != StatusCode::NOT_FOUND {
                    failures.push(format!("{m} {url}: got {got}"));
                }
            }
        }
    }

    // The officer opens their own province; the demo province's board cannot.
    let own_board = t.login("bantochuc").await;
    let own_board_token = t.token("bantochuc").await;
    for (m, p, api) in &routes {
        if *m != Method::GET || case(m, p) != Some(Case::Unit) || p.contains("{role_id}") {
            continue;
        }
        let url = p.replace("{id}", &second.id.to_string());
        // The unit itself opens (other routes of a unit may want a cell, or a period).
        if p.trim_start_matches("/api/v1") == "/units/{id}" {
            let got = call(&t, m, &url, *api, Some(session(*api)), (0, 0)).await;
            if got != StatusCode::OK {
                failures.push(format!("officer's own province {url}: got {got}"));
            }
        }
        let theirs_session = if *api {
            own_board_token.as_str()
        } else {
            own_board.as_str()
        };
        let got = call(&t, m, &url, *api, Some(theirs_session), (0, 0)).await;
        if got != StatusCode::NOT_FOUND {
            failures.push(format!("the demo province's board {url}: got {got}"));
        }
    }
    // And the demo's own officer still sees their member (the walk above was refused, not broken).
    let res = t
        .get(
            &format!("/api/v1/members/{}", someone.id),
            Auth::Bearer(&own_board_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let none_of_theirs = t
        .get(
            &format!(
                "/api/v1/members?q={}",
                form_urlencoded::byte_serialize(someone.full_name.as_bytes()).collect::<String>()
            ),
            Auth::Bearer(&token),
        )
        .await;
    assert!(
        !none_of_theirs.body.contains(&someone.full_name),
        "the search found {}: {}",
        someone.full_name,
        none_of_theirs.body
    );

    assert!(
        failures.is_empty(),
        "a board officer of another province:\n{}",
        failures.join("\n")
    );
}
