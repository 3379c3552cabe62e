//! The tree one level at a time, now and as of a date, through the API and the pages: the top of
//! the user's scope, a level opened in place, the district that stood until 1 Jul 2025, and
//! nothing outside the scope. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;

fn names(level: &serde_json::Value) -> Vec<String> {
    level["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["unit"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_tree_opens_one_level_at_a_time() {
    let t = TestApp::new().await;
    let board = t.token("bantochuc").await;
    let top = ok(&t.get("/api/v1/tree", Auth::Bearer(&board)).await);
    assert_eq!(names(&top), vec!["Đảng bộ tỉnh Hòa Sơn"]);
    let province = top["nodes"][0]["unit"]["id"].as_i64().unwrap();
    assert!(top["nodes"][0]["child_count"].as_i64().unwrap() >= 2);

    // Today: the communes and the ward under the province, no dissolved district.
    let now = ok(&t
        .get(
            &format!("/api/v1/units/{province}/children"),
            Auth::Bearer(&board),
        )
        .await);
    let under = names(&now);
    assert!(
        under.contains(&"Đảng bộ xã Phú Lâm".to_string()),
        "{under:?}"
    );
    assert!(!under.contains(&"Đảng bộ huyện Phú Lâm".to_string()));
    assert_eq!(now["parent"]["id"], province);
    // As of 30 Jun 2025: the district, and under it the two communes merged on 1 Jul.
    let then = ok(&t
        .get(
            &format!("/api/v1/units/{province}/children?date=2025-06-30"),
            Auth::Bearer(&board),
        )
        .await);
    let district = then["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["unit"]["name"] == "Đảng bộ huyện Phú Lâm")
        .unwrap_or_else(|| panic!("{then}"))["unit"]["id"]
        .as_i64()
        .unwrap();
    let communes = ok(&t
        .get(
            &format!("/api/v1/units/{district}/children?date=2025-06-30"),
            Auth::Bearer(&board),
        )
        .await);
    assert_eq!(
        names(&communes),
        vec!["Đảng bộ xã Tân Hòa", "Đảng bộ xã Tân Phú"]
    );

    // A cell secretary's tree starts at the cell; the ward is not in their scope.
    let sec = t.token("bithu.dongtam").await;
    let own = ok(&t.get("/api/v1/tree", Auth::Bearer(&sec)).await);
    assert_eq!(names(&own), vec!["Chi bộ thôn Đồng Tâm"]);
    let ward = t.unit_id("Đảng bộ phường Hòa Bình").await;
    assert_eq!(
        t.get(
            &format!("/api/v1/units/{ward}/children"),
            Auth::Bearer(&sec)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // The page shows the top open, and a level loads in place.
    let cookie = t.login("bantochuc").await;
    let page = t.get("/units", Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("Đảng bộ xã Phú Lâm"), "{}", page.body);
    assert!(
        !page.body.contains("Chi bộ thôn Đồng Tâm"),
        "one level at a time"
    );
    let phu_lam = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let part = t
        .get(&format!("/units/{phu_lam}/tree"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(part.status, StatusCode::OK);
    assert!(
        part.body.starts_with("<ul class=\"tree\">"),
        "{}",
        part.body
    );
    assert!(part.body.contains("Chi bộ thôn Đồng Tâm"));
    assert!(
        part.body.contains("đơn vị trực thuộc"),
        "Đồng Tâm's party groups open too"
    );
}

fn unit_names(choices: &serde_json::Value) -> Vec<String> {
    choices["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect()
}

/// Where a unit may be moved or merged is answered by name search a page at a time, only where
/// the tree allows it and the actor may act; the page offers the first and searches the rest.
#[tokio::test]
async fn restructuring_targets_are_searched_by_name() {
    let t = TestApp::new().await;
    let commune = t.token("xaphulam").await;
    let admin = t.token("admin").await;
    let sec = t.token("bithu.dongtam").await;
    let ban_na = t.unit_id("Chi bộ thôn Bản Nà").await;

    // The commune committee merges a cell into a sibling cell, never into a party group.
    let merges = ok(&t
        .get(
            &format!("/api/v1/units/{ban_na}/merge-targets"),
            Auth::Bearer(&commune),
        )
        .await);
    let names = unit_names(&merges);
    assert!(
        names.contains(&"Chi bộ thôn Đồng Tâm".to_string()),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.starts_with("Tổ đảng")), "{names:?}");
    let searched = ok(&t
        .get(
            &format!("/api/v1/units/{ban_na}/merge-targets?q=dong%20tam"),
            Auth::Bearer(&commune),
        )
        .await);
    assert_eq!(unit_names(&searched), vec!["Chi bộ thôn Đồng Tâm"]);

    // Only under a unit where the actor may found a cell: the commune committee has only its
    // own commune, which is already the parent; the administrator has every other commune,
    // a page at a time.
    let moves = ok(&t
        .get(
            &format!("/api/v1/units/{ban_na}/move-targets"),
            Auth::Bearer(&commune),
        )
        .await);
    assert!(unit_names(&moves).is_empty(), "{moves}");
    let first = ok(&t
        .get(
            &format!("/api/v1/units/{ban_na}/move-targets?per_page=1"),
            Auth::Bearer(&admin),
        )
        .await);
    let after = first["next"].as_str().expect("more than one commune");
    let second = ok(&t
        .get(
            &format!("/api/v1/units/{ban_na}/move-targets?per_page=1&after={after}"),
            Auth::Bearer(&admin),
        )
        .await);
    let (a, b) = (unit_names(&first), unit_names(&second));
    assert_eq!((a.len(), b.len()), (1, 1));
    assert!(a[0] != b[0] && !a[0].contains("Phú Lâm") && !b[0].contains("Phú Lâm"));
    assert!(
        a.iter().chain(&b).all(|n| n.starts_with("Đảng bộ")),
        "{a:?} {b:?}"
    );
    let wanted = &b[0];
    let key = chibo_domain::text::search_key(wanted.trim_start_matches("Đảng bộ "));
    let found = ok(&t
        .get(
            &format!(
                "/api/v1/units/{ban_na}/move-targets?q={}",
                key.replace(' ', "%20")
            ),
            Auth::Bearer(&admin),
        )
        .await);
    assert!(unit_names(&found).contains(wanted), "{found}");

    // The page's search answers options; a secretary may not restructure their own cell, and
    // another cell is not there for them.
    let options = t
        .get(
            &format!("/units/{ban_na}/move-targets?q={}", key.replace(' ', "%20")),
            Auth::Cookie(&t.login("admin").await),
        )
        .await;
    assert!(options.body.contains(wanted.as_str()), "{}", options.body);
    let own = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    for (unit, status) in [
        (own, StatusCode::FORBIDDEN),
        (ban_na, StatusCode::NOT_FOUND),
    ] {
        let r = t
            .get(
                &format!("/api/v1/units/{unit}/merge-targets"),
                Auth::Bearer(&sec),
            )
            .await;
        assert_eq!(r.status, status, "{}", r.body);
    }
}

/// A new cell's founders are found by name across the whole commune, a page at a time, not
/// picked from the first members of a list; the API answers the same choices.
#[tokio::test]
async fn founders_are_searched_by_name() {
    let t = TestApp::new().await;
    let committee = t.token("xaphulam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let first = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/founder-choices?per_page=5"),
            Auth::Bearer(&committee),
        )
        .await);
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(first["next"].is_string());
    let name = items[3]["name"].as_str().unwrap();
    let key = chibo_domain::text::search_key(name).replace(' ', "%20");
    let found = ok(&t
        .get(
            &format!("/api/v1/units/{commune}/founder-choices?q={key}"),
            Auth::Bearer(&committee),
        )
        .await);
    assert!(found["items"].as_array().unwrap().contains(&items[3]));
    let cookie = t.login("xaphulam").await;
    let page = t
        .get(&format!("/units/{commune}"), Auth::Cookie(&cookie))
        .await;
    assert!(
        page.body.contains("id=\"founder-choices\""),
        "{}",
        page.body
    );
    let ticks = t
        .get(
            &format!("/units/{commune}/founder-choices?q={key}"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert!(
        ticks.body.contains(&format!(
            "name=\"founding_member_ids\" value=\"{}\"",
            items[3]["id"]
        )),
        "{}",
        ticks.body
    );
}

#[tokio::test]
async fn a_units_history_pages_from_the_newest_event() {
    let t = TestApp::new().await;
    let board = t.token("bantochuc").await;
    let province = ok(&t.get("/api/v1/tree", Auth::Bearer(&board)).await)["nodes"][0]["unit"]["id"]
        .as_i64()
        .unwrap();
    let whole = ok(&t
        .get(
            &format!("/api/v1/units/{province}/history?per_page=500"),
            Auth::Bearer(&board),
        )
        .await);
    let all: Vec<(String, String)> = whole["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["date"].to_string(), e["text"].to_string()))
        .collect();
    assert!(all.len() >= 3, "the demo's province has a history: {all:?}");
    assert!(whole["next"].is_null());
    let dates: Vec<&String> = all.iter().map(|(d, _)| d).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // One event a page, following `next`, gives the same events in the same order.
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/units/{province}/history?per_page=1&after={a}"),
            None => format!("/api/v1/units/{province}/history?per_page=1"),
        };
        let page = ok(&t.get(&path, Auth::Bearer(&board)).await);
        for e in page["items"].as_array().unwrap() {
            paged.push((e["date"].to_string(), e["text"].to_string()));
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, all);
    let bad = t
        .get(
            &format!("/api/v1/units/{province}/history?after=xyz"),
            Auth::Bearer(&board),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page lists the same events; the unit page links to it when it shows only the newest.
    let cookie = t.login("bantochuc").await;
    let page = t
        .get(&format!("/units/{province}/history"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(all[0].1.trim_matches('"')));
    let unit = ok(&t
        .get(&format!("/api/v1/units/{province}"), Auth::Bearer(&board))
        .await);
    assert_eq!(
        unit["history"].as_array().unwrap().len(),
        all.len().min(10),
        "the unit shows the newest ten"
    );
    assert_eq!(unit["history_next"].is_string(), all.len() > 10);
    // Outside the scope: not found.
    let member = t.token("dangvien.dongtam").await;
    let hidden = t
        .get(
            &format!("/api/v1/units/{province}/history"),
            Auth::Bearer(&member),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}
