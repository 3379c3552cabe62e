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
