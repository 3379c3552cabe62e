//! Walks every route of the router (every page route and every endpoint of the OpenAPI
//! document) and checks each role from inside and from outside its scope. A new route without
//! a case here fails the suite; a route that forgets its scope check answers 200 where 404 is due.
//! `provinces.rs` does the same for a board officer of another province.

#[path = "../common/mod.rs"]
mod common;
mod provinces;
mod routes;
mod rows;

use axum::http::{Method, StatusCode};
use chibo_app::access::auth;
use chibo_store::entities::{member, user, user_role};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use common::*;
use routes::*;
use rows::*;

#[tokio::test]
async fn every_route_checks_scope_for_every_role() {
    let t = TestApp::new().await;
    // The commune committee of Phú Lâm: Bản Nà is inside its scope, the ward's cell is not.
    let inside = ids_in(&t, "Chi bộ thôn Bản Nà", "xaphulam").await;
    let outside = ids_in(&t, "Chi bộ Tổ dân phố số 1", "bantochuc").await;
    let target_user = user::Entity::find()
        .filter(user::Column::Username.eq("bantochuc"))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let role = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(target_user.id))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();

    let mut routes = every_route();
    let missing: Vec<String> = routes
        .iter()
        .filter(|(m, p, _)| case(m, p).is_none())
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization case: {missing:?}"
    );

    let admin_cookie = t.login("admin").await;
    let admin_token = t.token("admin").await;
    let commune_cookie = t.login("xaphulam").await;
    let commune_token = t.token("xaphulam").await;
    let member_cookie = t.login("dangvien.dongtam").await;
    let member_token = t.token("dangvien.dongtam").await;
    let member_actor = auth::actor_by_username(&t.app, "dangvien.dongtam")
        .await
        .unwrap()
        .unwrap();
    let own_member = member_actor.member_id().unwrap().get();
    let mate = member::Entity::find()
        .filter(member::Column::Id.ne(own_member))
        .filter(
            member::Column::UnitId.eq(member::Entity::find_by_id(own_member)
                .one(&t.app.db)
                .await
                .unwrap()
                .unwrap()
                .unit_id),
        )
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();

    let mut failures = Vec::new();
    let mut check = |what: String, got: StatusCode, ok: bool| {
        if !ok {
            failures.push(format!("{what}: got {got}"));
        }
    };

    // 1. Visitors: nothing but the public routes.
    for (m, p, api) in &routes {
        let c = case(m, p).unwrap();
        if c == Case::Public {
            continue;
        }
        let url = fill(p, &outside, target_user.id, role.id, c);
        let got = call(&t, m, &url, *api, None, (0, 0)).await;
        let expected = if *api {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        check(format!("visitor {m} {url}"), got, got == expected);
    }

    // 2. Out of scope: the commune committee and a plain member get 404, never more.
    for (m, p, api) in &routes {
        let c = case(m, p).unwrap();
        if matches!(c, Case::Public | Case::Own | Case::SecondFactor) {
            continue;
        }
        let url = fill(p, &outside, target_user.id, role.id, c);
        for (who, cookie, token) in [
            ("xaphulam", &commune_cookie, &commune_token),
            ("dangvien", &member_cookie, &member_token),
        ] {
            let s = if *api {
                token.as_str()
            } else {
                cookie.as_str()
            };
            let got = call(&t, m, &url, *api, Some(s), (outside.unit, outside.unit)).await;
            check(
                format!("{who} {m} {url} (outside)"),
                got,
                got == StatusCode::NOT_FOUND,
            );
        }
        // A member sees their own record, not their cell-mates'.
        if c == Case::Member {
            let url = p.replace("{id}", &mate.id.to_string());
            let s = if *api {
                member_token.as_str()
            } else {
                member_cookie.as_str()
            };
            let got = call(&t, m, &url, *api, Some(s), (0, 0)).await;
            check(
                format!("dangvien {m} {url} (cell-mate)"),
                got,
                got == StatusCode::NOT_FOUND,
            );
        }
    }

    // 3. Inside the scope: reads succeed, changes get past the scope check. Revoking the token
    // goes last, and each role removal gets a role of its own to remove.
    routes.sort_by_key(|(m, p, _)| *m == Method::DELETE && p.ends_with("/auth/token"));
    let phu_lam = t.unit_id("Đảng bộ xã Phú Lâm").await;
    for (m, p, api) in &routes {
        let c = case(m, p).unwrap();
        if c == Case::Public {
            continue;
        }
        let (cookie, token) = if matches!(
            c,
            Case::Admin | Case::Holiday | Case::MemberAccount | Case::Outbox | Case::SecondFactor
        ) {
            (&admin_cookie, &admin_token)
        } else {
            (&commune_cookie, &commune_token)
        };
        let fresh_role = if p.contains("{role_id}") {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            user_role::ActiveModel {
                user_id: Set(target_user.id),
                role: Set("org_board".into()),
                unit_id: Set(Some(phu_lam)),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        } else {
            role.id
        };
        // Removing a document or a guest uses one made for the purpose.
        let removes = *m == Method::DELETE || p.ends_with("/delete");
        let mut ids = Ids { ..inside };
        if removes && c == Case::File {
            ids.file = new_file(&t, inside.meeting).await;
        }
        if removes && c == Case::Guest {
            ids.guest = new_guest(&t, inside.meeting).await;
        }
        if c == Case::Holiday {
            ids.holiday = new_holiday(&t).await;
        }
        if c == Case::Token {
            ids.token = new_token(&t, "xaphulam").await;
        }
        // A notice is opened by the member it was told to (the committee has no member record).
        let (cookie, token) = if c == Case::Notification {
            ids.notification = new_notification(&t, own_member).await;
            (&member_cookie, &member_token)
        } else {
            (cookie, token)
        };
        let url = fill(p, &ids, target_user.id, fresh_role, c);
        let s = if *api {
            token.as_str()
        } else {
            cookie.as_str()
        };
        let got = call(&t, m, &url, *api, Some(s), (inside.unit, phu_lam)).await;
        let ok = if *m == Method::GET {
            got == StatusCode::OK || (got == StatusCode::SEE_OTHER && !*api)
        } else {
            !matches!(
                got,
                StatusCode::NOT_FOUND
                    | StatusCode::UNAUTHORIZED
                    | StatusCode::FORBIDDEN
                    | StatusCode::INTERNAL_SERVER_ERROR
            )
        };
        check(format!("inside {m} {url}"), got, ok);
    }
    // The member's own record.
    let got = call(
        &t,
        &Method::GET,
        &format!("/api/v1/members/{own_member}"),
        true,
        Some(&member_token),
        (0, 0),
    )
    .await;
    check("own record".into(), got, got == StatusCode::OK);

    assert!(
        failures.is_empty(),
        "authorization failures:\n{}",
        failures.join("\n")
    );
}
