//! Who saw a member's data (issue 15, point 1): opening a record and every export are in the
//! audit log, an administrator lists them for one member and downloads everything recorded
//! about the member, secrets kept back.

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use serde_json::json;

#[tokio::test]
async fn an_administrator_sees_who_opened_and_exported_a_members_data() {
    let t = TestApp::new().await;
    let member = t.member_id("dangvien.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let secretary = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    // The secretary opens the record in the page and the API, and exports the cell's roll.
    assert_eq!(
        t.get(&format!("/members/{member}"), Auth::Cookie(&cookie))
            .await
            .status,
        StatusCode::OK
    );
    ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/members/{member}"),
            &secretary,
            json!(null),
        )
        .await);
    let sheet = t
        .get(
            &format!("/api/v1/units/{cell}/members.xlsx"),
            Auth::Bearer(&secretary),
        )
        .await;
    assert_eq!(sheet.status, StatusCode::OK);

    let admin = t.token("admin").await;
    let log = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/admin/members/{member}/access-log"),
            &admin,
            json!(null),
        )
        .await);
    let seen: Vec<(String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["username"].as_str().unwrap_or("").to_string(),
                e["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reads = seen
        .iter()
        .filter(|(u, a)| u == "bithu.dongtam" && a == "member.read")
        .count();
    assert_eq!(reads, 2, "{seen:?}");
    assert!(
        seen.contains(&("bithu.dongtam".into(), "export.members".into())),
        "{seen:?}"
    );
    // Another member's reads are not in this member's log.
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| { e["entity"] != "member" || e["entity_id"] == json!(member) })
    );

    // Everything about the member, secrets kept back; the export is itself logged.
    let d = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/admin/members/{member}/dossier"),
            &admin,
            json!(null),
        )
        .await);
    assert_eq!(d["member_id"], json!(member));
    let tables = d["tables"].as_object().unwrap();
    assert_eq!(tables["members"][0]["id"], json!(member));
    assert!(tables.contains_key("member_units"), "{:?}", tables.keys());
    let account = &tables["users"][0];
    assert_eq!(account["username"], "dangvien.dongtam");
    assert!(account.get("password_hash").is_none() && account.get("totp_secret").is_none());
    assert!(
        tables["audit_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "member.read")
    );
    let text = d.to_string();
    assert!(!text.contains("$argon2"), "no password hash anywhere");
    let log = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/admin/members/{member}/access-log"),
            &admin,
            json!(null),
        )
        .await);
    assert_eq!(log["items"][0]["action"], "member.export");
    assert_eq!(
        log["items"][0]["action_label"],
        "Xuất mọi dữ liệu về đảng viên"
    );

    // The pages: the link on the record, the list, the file.
    let admin_cookie = t.login("admin").await;
    let record = t
        .get(&format!("/members/{member}"), Auth::Cookie(&admin_cookie))
        .await;
    assert!(record.body.contains("id=\"member-access\""));
    let page = t
        .get(
            &format!("/admin/members/{member}/access"),
            Auth::Cookie(&admin_cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Xem hồ sơ đảng viên") && page.body.contains("bithu.dongtam"));
    assert!(page.body.contains("Xuất danh sách đảng viên ra tệp"));
    let file = t
        .get(
            &format!("/admin/members/{member}/dossier.json"),
            Auth::Cookie(&admin_cookie),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert_eq!(file.json()["member_id"], json!(member));
    // The secretary has no such page.
    let r = t
        .get(
            &format!("/api/v1/admin/members/{member}/access-log"),
            Auth::Bearer(&secretary),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Every one of those entries is chained.
    let found = chibo_app::audit::integrity::verify(&t.app).await.unwrap();
    assert!(found.intact(), "{:?}", found.lines());
}
