//! Founding an organisation from a spreadsheet through the API and the pages: every problem by
//! row, all-or-nothing writing, the same file twice changing nothing, a place naming a unit
//! founded by an earlier row, only a committee (not the board) founding, and members then
//! imported into a cell the tree import founded. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use chibo_store::entities::unit;
use chibo_store::sea_orm::{EntityTrait, PaginatorTrait};
use common::*;

const HEADER: &str = "Tên đơn vị,Đơn vị cấp trên,Loại đơn vị,Loại hình chi bộ,Ngày thành lập";

async fn units(t: &TestApp) -> u64 {
    unit::Entity::find().count(&t.app.db).await.unwrap()
}

#[tokio::test]
async fn a_committee_founds_its_tree_from_a_file_once() {
    let t = TestApp::new().await;
    let committee = t.token("xaphulam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let api = format!("/api/v1/units/{commune}/tree/import");
    let before = units(&t).await;

    // Every problem by row; nothing is written.
    let bad = format!(
        "{HEADER}\n\
         Chi bộ thôn Bãi Sậy,,Chi bộ,Hợp tác xã,01/07/2025\n\
         Chi bộ khu Mới,Chi bộ thôn Không Có,Chi bộ,Thôn bản,01/07/2025\n\
         Tổ đảng số 7,,Tổ đảng,,01/07/2025\n\
         Chi bộ trường Tiểu học,,Chi bộ,Trường học,32/13/2025\n\
         ,,Chi bộ,Thôn bản,01/07/2025\n"
    );
    let dry = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&committee),
            "cay.csv",
            bad.as_bytes(),
        )
        .await);
    let errors = dry["errors"].as_array().unwrap();
    let has = |row: u64, col: &str, text: &str| has_row_error(errors, row, col, text);
    assert!(has(2, "Loại hình chi bộ", "Hợp tác xã"), "{errors:?}");
    assert!(
        has(3, "Đơn vị cấp trên", "Chi bộ thôn Không Có"),
        "{errors:?}"
    );
    assert!(has(4, "Loại đơn vị", "không thể trực thuộc"), "{errors:?}");
    assert!(has(5, "Ngày thành lập", "32/13/2025"), "{errors:?}");
    assert!(has(6, "Tên đơn vị", "Ghi tên"), "{errors:?}");
    // A row under a refused row says where the problem is.
    let chained = format!(
        "{HEADER}\n\
         Chi bộ thôn Lau,,Chi bộ,,01/07/2025\n\
         Tổ đảng số 1,Chi bộ thôn Lau,Tổ đảng,,01/08/2025\n"
    );
    let dry = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&committee),
            "cay.csv",
            chained.as_bytes(),
        )
        .await);
    assert!(
        dry["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("ở dòng 2 có lỗi"),
        "{dry}"
    );
    assert_eq!(dry["written"], false);
    let refused = t
        .upload(&api, Auth::Bearer(&committee), "cay.csv", bad.as_bytes())
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(units(&t).await, before, "nothing written");

    // A cell, a party group in it named by its place, and a cell under an existing one's
    // neighbour: founded in one go, cells empty.
    let good = format!(
        "{HEADER}\n\
         Chi bộ thôn Bãi Sậy,,Chi bộ,\"Thôn, bản\",01/07/2025\n\
         Tổ đảng số 1,Chi bộ thôn Bãi Sậy,Tổ đảng,,01/08/2025\n\
         Tổ đảng số 2,Đảng bộ xã Phú Lâm / Chi bộ thôn Bãi Sậy,tổ đảng,,01/08/2025\n\
         Tổ đảng số 9,Chi bộ thôn Đồng Tâm,Tổ đảng,,01/08/2025\n"
    );
    let done = ok(&t
        .upload(&api, Auth::Bearer(&committee), "cay.csv", good.as_bytes())
        .await);
    assert_eq!(done["errors"].as_array().unwrap().len(), 0, "{done}");
    assert_eq!(
        (done["created"].as_u64(), done["written"].as_bool()),
        (Some(4), Some(true))
    );
    assert_eq!(units(&t).await, before + 4);
    let cell = t.unit_id("Chi bộ thôn Bãi Sậy").await;
    let page = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/children"),
            Auth::Bearer(&committee),
        )
        .await);
    let names: Vec<&str> = page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["unit"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Tổ đảng số 1", "Tổ đảng số 2"]);

    // The same file again changes nothing.
    let again = ok(&t
        .upload(&api, Auth::Bearer(&committee), "cay.csv", good.as_bytes())
        .await);
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(4))
    );
    assert_eq!(units(&t).await, before + 4);
    // A row naming a unit already there with another kind is an error, not a silent match
    // under which the rows below would be checked against the wrong kind.
    let other_kind = format!(
        "{HEADER}\n\
         Chi bộ thôn Bãi Sậy,,Chi bộ cơ sở,\"Thôn, bản\",01/07/2025\n\
         Tổ đảng số 3,Chi bộ thôn Bãi Sậy,Tổ đảng,,01/08/2025\n"
    );
    let dry = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&committee),
            "cay.csv",
            other_kind.as_bytes(),
        )
        .await);
    assert!(
        dry["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("đã có với loại"),
        "{dry}"
    );

    // Members go into the new cell by its place.
    let sec = t.token("xaphulam").await;
    let members = "Họ và tên,Ngày sinh,Giới tính,Ngày vào Đảng,Ngày chính thức,Số thẻ đảng viên,Chi bộ / tổ đảng\n\
         Vũ Văn Sậy,02/02/1970,Nam,03/02/2000,03/02/2001,77000001,Chi bộ thôn Bãi Sậy\n\
         Vũ Thị Lau,02/02/1972,Nữ,03/02/2002,03/02/2003,77000002,Chi bộ thôn Bãi Sậy / Tổ đảng số 2\n";
    let imported = ok(&t
        .upload(
            &format!("/api/v1/units/{commune}/members/import"),
            Auth::Bearer(&sec),
            "ds.csv",
            members.as_bytes(),
        )
        .await);
    assert_eq!(imported["created"], 2, "{imported}");

    // The organisation board reads the tree but does not found units; the page says so too.
    let board = t.token("bantochuc").await;
    let board_try = t
        .upload(&api, Auth::Bearer(&board), "cay.csv", good.as_bytes())
        .await;
    assert_eq!(board_try.status, StatusCode::FORBIDDEN);
    let form = t
        .get(
            &format!("/units/{commune}/import-tree"),
            Auth::Cookie(&t.login("xaphulam").await),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("tree-import-form"));
    let template = t
        .get(
            "/api/v1/import/tree-template.xlsx",
            Auth::Bearer(&committee),
        )
        .await;
    assert_eq!(template.status, StatusCode::OK);
    // The template's example rows are a tree the import takes.
    let rows =
        chibo_export::table::read("mau.xlsx", &chibo_app::org::tree_import::template()).unwrap();
    assert_eq!(rows[0][0], "Tên đơn vị");
    let admin = t.token("admin").await;
    let province = t.unit_id("Đảng bộ tỉnh Hòa Sơn").await;
    let example = ok(&t
        .upload(
            &format!("/api/v1/units/{province}/tree/import?dry_run=true"),
            Auth::Bearer(&admin),
            "mau.xlsx",
            &chibo_app::org::tree_import::template(),
        )
        .await);
    assert!(
        example["errors"].as_array().unwrap().is_empty(),
        "{example}"
    );
    assert_eq!(example["created"], 3);
}

/// A file larger than one write batch, two levels deep: every unit gets the path, depth, first
/// version and history event founding one by hand gives it, whichever batch wrote it.
#[tokio::test]
async fn a_large_tree_file_is_founded_a_level_at_a_time() {
    use chibo_store::entities::{unit_event, unit_version};
    use chibo_store::sea_orm::{ColumnTrait, QueryFilter};
    let t = TestApp::new().await;
    let committee = t.token("xaphulam").await;
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let before = units(&t).await;
    let mut file = format!("{HEADER}\n");
    for i in 1..=430 {
        file.push_str(&format!(
            "Chi bộ khu dân cư số {i},,Chi bộ,Tổ dân phố,01/07/2025\n"
        ));
    }
    for i in 1..=430 {
        file.push_str(&format!(
            "Tổ đảng số 1,Chi bộ khu dân cư số {i},Tổ đảng,,01/08/2025\n"
        ));
    }
    let done = ok(&t
        .upload(
            &format!("/api/v1/units/{commune}/tree/import"),
            Auth::Bearer(&committee),
            "cay.csv",
            file.as_bytes(),
        )
        .await);
    assert_eq!(done["created"], 860, "{done}");
    assert_eq!(units(&t).await, before + 860);
    let parent = unit::Entity::find_by_id(commune)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let founded = unit::Entity::find()
        .filter(unit::Column::Path.like(format!("{}%", parent.path)))
        .filter(unit::Column::EstablishedOn.gte(chrono::NaiveDate::from_ymd_opt(2025, 7, 1)))
        .all(&t.app.db)
        .await
        .unwrap();
    let by_id: std::collections::HashMap<i64, &unit::Model> =
        founded.iter().map(|u| (u.id, u)).collect();
    let mut groups = 0;
    let group_day = chrono::NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
    for u in founded
        .iter()
        .filter(|u| u.kind == "group" && u.established_on == group_day)
    {
        let cell = by_id[&u.parent_id.unwrap()];
        assert!(
            cell.name.starts_with("Chi bộ khu dân cư số"),
            "{}",
            cell.name
        );
        assert_eq!(cell.path, format!("{}{}/", parent.path, cell.id));
        assert_eq!(u.path, format!("{}{}/", cell.path, u.id));
        assert_eq!((cell.depth, u.depth), (parent.depth + 1, parent.depth + 2));
        groups += 1;
    }
    assert_eq!(groups, 430);
    for u in &founded {
        let versions = unit_version::Entity::find()
            .filter(unit_version::Column::UnitId.eq(u.id))
            .all(&t.app.db)
            .await
            .unwrap();
        assert_eq!(versions.len(), 1, "{}", u.name);
        let v = &versions[0];
        assert_eq!(
            (&v.path, v.parent_id, &v.name, v.valid_from, v.valid_to),
            (&u.path, u.parent_id, &u.name, u.established_on, None)
        );
        let events = unit_event::Entity::find()
            .filter(unit_event::Column::UnitId.eq(u.id))
            .all(&t.app.db)
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].kind.as_str(), events[0].other_unit_id),
            ("created", u.parent_id)
        );
    }
}
