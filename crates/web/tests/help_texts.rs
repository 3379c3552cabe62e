//! Every page has a help paragraph in Vietnamese: each page route is read as the administrator
//! (who may open them all) over the demo, and every full page answered must carry its own,
//! non-empty help text. A page added without one fails here.

mod common;

use axum::http::{Method, StatusCode};
use chibo_store::entities::{meeting, member, programme, review_report, rule_set, user};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use common::*;
use std::collections::HashMap;

/// The first row's id of an entity, for the routes of one record.
macro_rules! first_id {
    ($t:expr, $entity:ident) => {
        $entity::Entity::find()
            .order_by_asc($entity::Column::Id)
            .one(&$t.app.db)
            .await
            .unwrap()
            .map_or(0, |r| r.id)
    };
}

/// The text of the page's help paragraph, or `None` without one.
fn help_of(body: &str) -> Option<String> {
    let start = body.find("<details class=\"help\" id=\"help\">")?;
    let rest = &body[start..];
    let p = rest.find("<p>")? + 3;
    let end = rest[p..].find("</p>")? + p;
    Some(rest[p..end].trim().to_string())
}

#[tokio::test]
async fn every_page_has_its_help_paragraph() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let held = meeting::Entity::find()
        .filter(meeting::Column::Status.eq("held"))
        .order_by_asc(meeting::Column::Id)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let ids: HashMap<&str, i64> = HashMap::from([
        ("/units/", cell),
        ("/meetings/", held),
        ("/members/", first_id!(t, member)),
        ("/rule-sets/", first_id!(t, rule_set)),
        ("/programmes/", first_id!(t, programme)),
        ("/review-reports/", first_id!(t, review_report)),
        ("/admin/users/", first_id!(t, user)),
    ]);
    let cookie = t.login("admin").await;
    let mut pages = 0;
    let mut missing = Vec::new();
    for (route, _) in chibo_web::pages::routes() {
        if route.method != Method::GET {
            continue;
        }
        let path = route.path.to_string();
        let url = match path.find("{id}") {
            None if path.contains('{') => continue,
            None => path.clone(),
            Some(at) => match ids.get(&path[..at]) {
                Some(id) => path.replace("{id}", &id.to_string()),
                None => continue,
            },
        };
        let r = t.get(&url, Auth::Cookie(&cookie)).await;
        let html = r
            .headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        // Fragments (htmx answers) and the bare pages (login, print) have no page frame.
        if r.status != StatusCode::OK || !html || !r.body.contains("<main>") {
            continue;
        }
        if !r.body.contains("class=\"top\"") {
            continue;
        }
        pages += 1;
        match help_of(&r.body) {
            Some(text) if text.chars().count() >= 80 => {}
            other => missing.push(format!("{url}: {other:?}")),
        }
    }
    assert!(pages > 30, "only {pages} pages read");
    // The login page, where a member lands from a QR code, has its help too.
    let login = t.get("/login", Auth::None).await;
    match help_of(&login.body) {
        Some(text) if text.chars().count() >= 80 => {}
        other => missing.push(format!("/login: {other:?}")),
    }
    assert!(
        missing.is_empty(),
        "pages without their help:\n{}",
        missing.join("\n")
    );
}
