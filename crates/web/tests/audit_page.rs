//! The audit log's page and API (issue 13): actions and kinds in Vietnamese words, filtered by
//! unit, account, kind of record and days, the filter carried from page to page, a filter naming
//! nothing refused in words. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use common::*;
use serde_json::Value;

#[tokio::test]
async fn the_log_is_read_in_vietnamese_and_filtered() {
    let t = TestApp::new().await;
    let admin = t.token("admin").await;
    let api = |q: &'static str| {
        let (t, admin) = (&t, &admin);
        async move {
            t.api(
                Method::GET,
                &format!("/api/v1/audit{q}"),
                admin,
                Value::Null,
            )
            .await
        }
    };
    let units = ok(&api("?entity=unit&limit=500").await);
    let items = units["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|e| e["entity"] == "unit" && e["entity_label"] == "Tổ chức đảng")
    );
    assert!(
        items
            .iter()
            .any(|e| e["action_label"] == "Sáp nhập tổ chức đảng"),
        "{items:?}"
    );
    let r = api("?entity=bi-mat").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "entity");
    let r = api("?from=2026-13-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "from");

    let cookie = t.login("admin").await;
    let page = t
        .get("/admin/audit?loai=unit&nguoi=admin", Auth::Cookie(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let list = section(&page.body, "id=\"audit-list\"", "</table>");
    assert!(list.contains("Sáp nhập tổ chức đảng"), "{list}");
    assert!(
        !list.contains("Buổi sinh hoạt"),
        "only the kind asked: {list}"
    );
    let form = section(&page.body, "id=\"audit-filter\"", "</form>");
    assert!(
        form.contains("value=\"unit\" selected") && form.contains("value=\"admin\""),
        "{form}"
    );
    // An older page links back to the newest with the same filter.
    let older = t
        .get(
            "/admin/audit?before=999999999&loai=unit",
            Auth::Cookie(&cookie),
        )
        .await;
    assert!(
        older.body.contains("href=\"/admin/audit?loai=unit\""),
        "{}",
        older.body
    );
    // A filter naming nobody is refused in words, the filter kept.
    let r = t
        .get("/admin/audit?nguoi=khong-co-ai", Auth::Cookie(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Không có tài khoản «khong-co-ai».")
            && r.body.contains("value=\"khong-co-ai\"")
    );
    // Not for anyone but the administrators.
    let board = t.login("bantochuc").await;
    let r = t.get("/admin/audit", Auth::Cookie(&board)).await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
}

/// Issue 13: the log filtered by unit: the entries about a unit's records (its meetings, its
/// members, their transfers…) and those of the units below it, kept with each entry as it is
/// written; an unknown unit refused in words.
#[tokio::test]
async fn the_log_is_filtered_by_unit_and_the_units_below() {
    let t = TestApp::new().await;
    let admin = t.token("admin").await;
    let secretary = t.token("bithu.dongtam").await;
    let dongtam = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let banna = t.unit_id("Chi bộ thôn Bản Nà").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    // A fresh change in Đồng Tâm.
    let meeting = published(
        &t,
        &secretary,
        dongtam,
        chibo_app::App::today() + chrono::Duration::days(9),
    )
    .await;
    let api = |q: String| {
        let (t, admin) = (&t, &admin);
        async move {
            t.api(
                Method::GET,
                &format!("/api/v1/audit?limit=500{q}"),
                admin,
                Value::Null,
            )
            .await
        }
    };
    let ids = |v: &Value| -> Vec<(String, i64)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["entity"].as_str().unwrap().to_string(),
                    e["entity_id"].as_i64().unwrap_or(0),
                )
            })
            .collect()
    };
    let cell = ids(&ok(&api(format!("&unit_id={dongtam}")).await));
    assert!(cell.contains(&("meeting".into(), meeting)), "{cell:?}");
    let above = ids(&ok(&api(format!("&unit_id={commune}")).await));
    assert!(
        above.contains(&("meeting".into(), meeting)),
        "the commune sees its cells' entries"
    );
    let other = ids(&ok(&api(format!("&unit_id={banna}")).await));
    assert!(!other.contains(&("meeting".into(), meeting)), "{other:?}");
    // Every meeting entry of the cell's filter is a meeting of the cell.
    let own: Vec<i64> = chibo_store::entities::meeting::Entity::find()
        .filter(chibo_store::entities::meeting::Column::UnitId.eq(dongtam))
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert!(
        cell.iter()
            .filter(|(e, _)| e == "meeting")
            .all(|(_, id)| own.contains(id))
    );
    let r = api("&unit_id=999999".into()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "unit_id");

    // The page: the unit chosen stays chosen and is carried to the next page; a unit that is
    // not one is refused in words.
    let cookie = t.login("admin").await;
    let page = t
        .get(
            &format!("/admin/audit?don-vi={dongtam}"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let form = section(&page.body, "id=\"audit-filter\"", "</form>");
    assert!(
        form.contains(&format!(
            "value=\"{dongtam}\" selected>Chi bộ thôn Đồng Tâm"
        )),
        "{form}"
    );
    let list = section(&page.body, "id=\"audit-list\"", "</table>");
    assert!(list.contains(&format!("#{meeting}")), "{list}");
    let r = t
        .get("/admin/audit?don-vi=abc", Auth::Cookie(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Không tìm thấy tổ chức đảng."));
}
