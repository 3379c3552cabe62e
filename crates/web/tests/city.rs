//! Every page and every API read over a generated city (10,450 members, 352 cells, last month's
//! and this month's meetings), at the root of the tree as the organisation board and the administrator see it:
//! a list that cannot hold a city fails here. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::{App, Config};
use chibo_seed::generate::{Options, Quiet, Scale, generate};
use chibo_store::entities::{meeting, member, unit};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use common::*;

/// Routes whose `{id}` is a cell rather than any unit.
fn cell_route(path: &str) -> bool {
    ["/meetings", "/plan", "/reviews", "/follower", "/dues"]
        .iter()
        .any(|s| path.contains(&format!("{{id}}{s}")))
        && !path.ends_with("/reviews/summary")
}

#[tokio::test]
async fn every_read_holds_a_generated_city() {
    let db = chibo_store::testing::fresh_db().await.unwrap();
    let app = App::new(db, Config::default());
    generate(
        &app,
        Options {
            scale: Scale::City,
            // This month alone has nothing held yet on its first days.
            months: 2,
            seed: 11,
        },
        &Quiet,
    )
    .await
    .unwrap();
    let router = chibo_web::router(app.clone(), chibo_web::WebConfig::default());
    let t = TestApp { app, router };
    let root = unit::Entity::find()
        .filter(unit::Column::ParentId.is_null())
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let cell = unit::Entity::find()
        .filter(unit::Column::Kind.eq("cell"))
        .order_by_asc(unit::Column::Id)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let a_member = member::Entity::find()
        .order_by_asc(member::Column::Id)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let held = meeting::Entity::find()
        .filter(meeting::Column::Status.eq("held"))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();

    let mut routes: Vec<(String, bool)> = chibo_web::pages::routes()
        .into_iter()
        .filter(|(r, _)| r.method == Method::GET)
        .map(|(r, _)| (r.path.to_string(), false))
        .collect();
    for (path, item) in chibo_web::api::openapi().paths.paths.iter() {
        if item.get.is_some() {
            routes.push((path.clone(), true));
        }
    }
    let fill = |p: &str| -> Option<String> {
        let id = if p.starts_with("/units/{id}") || p.starts_with("/api/v1/units/{id}") {
            if cell_route(p) { cell.id } else { root.id }
        } else if p.contains("/members/{id}") {
            a_member.id
        } else if p.contains("/meetings/{id}") {
            held.id
        } else if p.contains("{") {
            // Single records of other kinds (files, users, rule sets…) are not lists.
            return None;
        } else {
            0
        };
        Some(
            p.replace("{id}", &id.to_string())
                .replace("{kind}", "minutes"),
        )
    };
    let mut failures = Vec::new();
    let mut called = 0;
    for username in ["bantochuc", "admin"] {
        let cookie = t.login(username).await;
        let token = t.token(username).await;
        for (p, api) in &routes {
            let Some(url) = fill(p) else { continue };
            if p.contains("/admin/") && username != "admin" {
                continue;
            }
            let auth = if *api {
                Auth::Bearer(&token)
            } else {
                Auth::Cookie(&cookie)
            };
            let r = t.get(&url, auth).await;
            called += 1;
            // The board reads everything but changes nothing: forms it may not use answer 403,
            // administration 404. The administrator gets every page.
            let board_may_not = username == "bantochuc"
                && (r.status == StatusCode::FORBIDDEN
                    || (r.status == StatusCode::NOT_FOUND
                        && (url.ends_with("/users")
                            || url.ends_with("/audit")
                            || url.ends_with("/accounts")
                            || url.ends_with("/rule-sets/new"))));
            if !(r.status == StatusCode::OK
                || (!api && r.status == StatusCode::SEE_OTHER)
                || board_may_not)
            {
                failures.push(format!(
                    "{username} GET {url}: {} {}",
                    r.status,
                    r.body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(called > 60, "{called} calls");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
