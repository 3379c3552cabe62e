//! Member import and export through the API and the pages: a dry run reporting every problem
//! by row and column, all-or-nothing writing, matching by card number or citizen ID so the same
//! file twice changes nothing, the export importing back unchanged, and the files refused
//! (formulas, wrong encoding). Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use chibo_app::access::auth;
use chibo_app::membership::import;
use chibo_store::entities::{audit, meeting_stat, member, member_unit, unit};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use common::*;

async fn members(t: &TestApp) -> u64 {
    member::Entity::find().count(&t.app.db).await.unwrap()
}

const HEADER: &str = "STT,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Số điện thoại,Ngày vào Đảng,Ngày chính thức,Số thẻ đảng viên,Số lý lịch,Số huy hiệu,Chi bộ / tổ đảng";

#[tokio::test]
async fn import_checks_writes_once_and_round_trips() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let api = format!("/api/v1/units/{cell}/members/import");
    let before = members(&t).await;

    // Problems are reported by row and column; nothing is written.
    let bad = format!(
        "{HEADER}\n\
         1,Hoàng Văn Mới,12/04/1980,Nam,Tày,001080099001,0912000001,03/02/2010,03/02/2011,90000001,,,Tổ đảng số 1\n\
         2,Lò Thị Sai,31/02/1985,Không rõ,Thái,,,03/02/2012,,90000002,,,Tổ đảng số 1\n\
         3,Hoàng Văn Mới,12/04/1980,Nam,Tày,,,03/02/2010,,90000001,,,Tổ đảng số 9\n"
    );
    let dry = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "ds.csv",
            bad.as_bytes(),
        )
        .await);
    let errors = dry["errors"].as_array().unwrap();
    let has = |row: u64, col: &str, text: &str| has_row_error(errors, row, col, text);
    assert!(has(3, "Ngày sinh", ""), "{errors:?}");
    assert!(has(3, "Giới tính", "giới tính"), "{errors:?}");
    assert!(
        has(4, "", "Trùng số thẻ hoặc số CCCD với dòng 2"),
        "{errors:?}"
    );
    assert!(has(4, "Chi bộ, tổ đảng", "Tổ đảng số 9"), "{errors:?}");
    assert_eq!(dry["written"], false);
    let real = t
        .upload(&api, Auth::Bearer(&sec), "ds.csv", bad.as_bytes())
        .await;
    assert_eq!(real.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(real.body.contains("Dòng 3, cột Giới tính"), "{}", real.body);
    assert_eq!(members(&t).await, before);

    // A good file is written at once; the same file again changes nothing.
    // The demo's meetings, with their figures kept (to see the import date them).
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let before = members(&t).await;
    assert_eq!(
        chibo_store::meeting_stats::stale_count(&t.app.db)
            .await
            .unwrap(),
        0
    );
    let good = format!(
        "{HEADER}\n\
         1,Hoàng Văn Mới,12/04/1980,Nam,Tày,001080099001,0912000001,03/02/2010,03/02/2011,90000001,,,Tổ đảng số 1\n\
         2,Lò Thị Hiền,21/02/1985,Nữ,Thái,001185099002,,03/02/2012,,90000002,,,Tổ đảng số 3\n"
    );
    let r = ok(&t
        .upload(&api, Auth::Bearer(&sec), "ds.csv", good.as_bytes())
        .await);
    assert_eq!(
        (r["created"].as_u64(), r["written"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(members(&t).await, before + 2);
    // Each new member stands on the roll of their party group from their admission, and the
    // cell's meetings since then count them: their kept figures are out of date.
    for (card, group) in [("90000001", "Tổ đảng số 1"), ("90000002", "Tổ đảng số 3")]
    {
        let m = member::Entity::find()
            .filter(member::Column::CardNumber.eq(card))
            .one(&t.app.db)
            .await
            .unwrap()
            .unwrap();
        let rolls = member_unit::Entity::find()
            .filter(member_unit::Column::MemberId.eq(m.id))
            .all(&t.app.db)
            .await
            .unwrap();
        assert_eq!(rolls.len(), 1, "{rolls:?}");
        let group_id = t.unit_id(group).await;
        assert_eq!(
            (rolls[0].unit_id, rolls[0].kind.as_str(), rolls[0].valid_to),
            (group_id, "home", None)
        );
        assert_eq!(m.unit_id, group_id);
        let founded = unit::Entity::find_by_id(group_id)
            .one(&t.app.db)
            .await
            .unwrap()
            .unwrap()
            .established_on;
        assert_eq!(rolls[0].valid_from, m.admission_date.max(founded));
    }
    let stale_in_cell = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::CellId.eq(cell))
        .filter(meeting_stat::Column::Stale.eq(true))
        .count(&t.app.db)
        .await
        .unwrap();
    assert!(stale_in_cell > 0);
    assert_eq!(
        chibo_store::meeting_stats::stale_count(&t.app.db)
            .await
            .unwrap(),
        stale_in_cell,
        "only the cell's meetings"
    );
    let audits = audit::Entity::find().count(&t.app.db).await.unwrap();
    let again = ok(&t
        .upload(&api, Auth::Bearer(&sec), "ds.csv", good.as_bytes())
        .await);
    assert_eq!(
        (
            again["created"].as_u64(),
            again["unchanged"].as_u64(),
            again["written"].as_bool()
        ),
        (Some(0), Some(2), Some(false))
    );
    assert_eq!(members(&t).await, before + 2);
    assert_eq!(
        audit::Entity::find().count(&t.app.db).await.unwrap(),
        audits
    );
    // A changed phone updates the member found by card number.
    let changed = good.replace("0912000001", "0987000001");
    let r = ok(&t
        .upload(&api, Auth::Bearer(&sec), "ds.csv", changed.as_bytes())
        .await);
    assert_eq!(
        (r["updated"].as_u64(), r["unchanged"].as_u64()),
        (Some(1), Some(1))
    );
    let updated = member::Entity::find()
        .filter(member::Column::CardNumber.eq("90000001"))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (updated.phone.as_deref(), updated.full_name.as_str()),
        (Some("0987000001"), "Hoàng Văn Mới")
    );
    // Two rows that find one member by different keys are refused, not written in turn.
    let twice = format!(
        "{HEADER}\n\
         1,Hoàng Văn Mới,12/04/1980,Nam,Tày,,0912000001,03/02/2010,03/02/2011,90000001,,,Tổ đảng số 1\n\
         2,Hoàng Văn Mới,12/04/1980,Nam,Tày,001080099001,0912000009,03/02/2010,03/02/2011,,,,Tổ đảng số 1\n"
    );
    let dry = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "ds.csv",
            twice.as_bytes(),
        )
        .await);
    let errors = dry["errors"].as_array().unwrap();
    assert!(
        has_row_error(errors, 3, "", "dòng 2 cùng là đảng viên Hoàng Văn Mới"),
        "{errors:?}"
    );

    // The export imports back unchanged.
    let xlsx = t
        .get(
            &format!("/api/v1/units/{cell}/members.xlsx"),
            Auth::Bearer(&sec),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let raw = export_bytes(&t, cell).await;
    let back = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "xuat.xlsx",
            &raw,
        )
        .await);
    assert!(
        back["errors"].as_array().unwrap().is_empty(),
        "{}",
        back["errors"]
    );
    assert_eq!(back["created"], 0);
    assert_eq!(back["updated"], 0);
    assert!(back["unchanged"].as_u64().unwrap() > 10);

    // Files refused as a whole: formulas, another encoding, not a spreadsheet.
    let formula = format!("{HEADER}\n1,=HYPERLINK(\"x\"),12/04/1980,Nam,Tày,,,03/02/2010,,1,,,\n");
    let r = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "f.csv",
            formula.as_bytes(),
        )
        .await);
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("công thức")
    );
    let mut latin = HEADER.as_bytes().to_vec();
    latin.extend_from_slice(b"\n1,Nguy\xeaan V\xe3n A,01/01/1970,Nam\n");
    let r = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "w.csv",
            &latin,
        )
        .await);
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    let r = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "a.pdf",
            b"%PDF",
        )
        .await);
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(".xlsx")
    );

    // The page: check, then import.
    let cookie = t.login("bithu.dongtam").await;
    let form = t
        .get(&format!("/units/{cell}/import"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let checked = t
        .upload(
            &format!("/units/{cell}/import?kiem-tra=1"),
            Auth::Cookie(&cookie),
            "ds.csv",
            bad.as_bytes(),
        )
        .await;
    assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        checked.body.contains("Dòng 3, cột Giới tính"),
        "{}",
        checked.body
    );
    let template = t.get("/import/template.xlsx", Auth::Cookie(&cookie)).await;
    assert_eq!(template.status, StatusCode::OK);
    // Outside the scope: the province's ward cell.
    let other = t.unit_id("Chi bộ Tổ dân phố số 1").await;
    let outside = t
        .upload(
            &format!("/api/v1/units/{other}/members/import?dry_run=true"),
            Auth::Bearer(&sec),
            "ds.csv",
            good.as_bytes(),
        )
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
}

async fn export_bytes(t: &TestApp, cell: i64) -> Vec<u8> {
    let admin = auth::actor_by_username(&t.app, "bithu.dongtam")
        .await
        .unwrap()
        .unwrap();
    import::export(&t.app, &admin, cell).await.unwrap().1
}

/// A list of `n` new members of the Đồng Tâm cell's party groups (row `i + 2` is member `i`).
fn long_list(n: usize, row: impl Fn(usize) -> Option<String>) -> String {
    let mut out = format!("{HEADER}\n");
    for i in 0..n {
        let line = row(i).unwrap_or_else(|| {
            format!(
                "{i},Nguyễn Văn Dài {i},{:02}/{:02}/{},Nam,Kinh,0020{i:08},,02/09/2015,02/09/2016,8{i:07},,,Tổ đảng số {}",
                i % 28 + 1,
                i % 12 + 1,
                1950 + i % 45,
                i % 3 + 1
            )
        });
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn a_long_file_is_read_a_chunk_at_a_time_and_judged_whole() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let api = format!("/api/v1/units/{cell}/members/import");
    let before = members(&t).await;
    // Problems far apart, in different chunks of the reader: a key repeated from row 7, a
    // group that does not exist.
    let bad = long_list(4_600, |i| match i {
        4_100 => Some(format!(
            "{i},Trần Văn Lặp,01/01/1970,Nam,Kinh,,,02/09/2015,,8{:07},,,Tổ đảng số 1",
            5
        )),
        4_400 => Some(format!(
            "{i},Lê Văn Lạc,01/01/1970,Nam,Kinh,,,02/09/2015,,9{i:07},,,Tổ đảng số 9"
        )),
        _ => None,
    });
    let dry = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "dai.csv",
            bad.as_bytes(),
        )
        .await);
    let errors = dry["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        has_row_error(errors, 4_102, "", "Trùng số thẻ hoặc số CCCD với dòng 7"),
        "{errors:?}"
    );
    assert!(
        has_row_error(errors, 4_402, "Chi bộ, tổ đảng", "Tổ đảng số 9"),
        "{errors:?}"
    );
    assert_eq!(dry["rows"], 4_600);
    // A formula deep in the file refuses the whole file, and nothing is written.
    let formula = long_list(4_600, |i| {
        (i == 3_000).then(|| format!("{i},=HYPERLINK(\"x\"),01/01/1970,Nam,,,,02/09/2015,,,,,"))
    });
    let refused = t
        .upload(&api, Auth::Bearer(&sec), "dai.csv", formula.as_bytes())
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("công thức"), "{}", refused.body);
    assert_eq!(members(&t).await, before);
    // The good file is written whole: its groups were looked up once, in the first chunk.
    let good = long_list(4_600, |_| None);
    let done = ok(&t
        .upload(&api, Auth::Bearer(&sec), "dai.csv", good.as_bytes())
        .await);
    assert_eq!(
        (done["created"].as_u64(), done["written"].as_bool()),
        (Some(4_600), Some(true))
    );
    assert_eq!(members(&t).await, before + 4_600);
    let again = ok(&t
        .upload(&api, Auth::Bearer(&sec), "dai.csv", good.as_bytes())
        .await);
    assert_eq!(again["unchanged"], 4_600);
}
