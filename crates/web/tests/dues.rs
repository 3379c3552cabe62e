//! Party dues (issue 12, defect 14; Điều lệ Đảng, Điều 8; domain.md §3): a cell records each
//! member's month (paid with amount and day, unpaid, or excused with a reason), by the form, the
//! API or a spreadsheet, all or nothing; exempt members pay, members working away are excused
//! by the rules; members with three months unpaid without reason in a year are flagged on the
//! cell's list and in the committees' warnings. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chrono::Months;
use common::*;
use serde_json::json;

fn month(back: u32) -> String {
    (chibo_domain::dues::month_of(chibo_app::App::today()) - Months::new(back))
        .format("%Y-%m")
        .to_string()
}

#[tokio::test]
async fn a_cells_dues_by_month_and_the_removal_trigger() {
    let t = TestApp::new().await;
    chibo_seed::demo::seed_meetings(&t.app).await.unwrap();
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let path = format!("/api/v1/units/{cell}/dues");

    // The demo's last month: every payer recorded, one of them unpaid for six months, flagged.
    let last = ok(&t
        .get(&format!("{path}?month={}", month(1)), Auth::Bearer(&sec))
        .await);
    let rows = last["rows"].as_array().unwrap();
    assert!(rows.len() > 10);
    assert_eq!(last["not_recorded"], 0);
    assert_eq!(last["unpaid"], 1);
    let late = rows.iter().find(|r| r["status"] == "unpaid").unwrap();
    assert_eq!(late["flagged"], true);
    assert!(late["unpaid_in_year"].as_u64().unwrap() >= 1);
    assert!(
        last["basis"]
            .as_str()
            .unwrap()
            .starts_with("3 tháng (Điều lệ Đảng"),
        "{}",
        last["basis"]
    );
    let paid: i64 = rows.iter().filter_map(|r| r["amount"].as_i64()).sum();
    assert_eq!(last["total_amount"].as_i64().unwrap(), paid);

    // The committees see the trigger among the warnings, with the cell's dues as evidence.
    let board = t.token("bantochuc").await;
    let province = t.unit_id("Đảng bộ tỉnh Hòa Sơn").await;
    let w = ok(&t
        .get(
            &format!(
                "/api/v1/units/{province}/warnings?from={}&to={}&kind=unpaid_dues",
                day(-365),
                day(0)
            ),
            Auth::Bearer(&board),
        )
        .await);
    let item = &w["items"][0];
    assert!(
        item["reason"].as_str().unwrap().contains("xem xét xóa tên"),
        "{item}"
    );
    assert!(
        item["evidence"]
            .as_str()
            .unwrap()
            .starts_with(&format!("/units/{cell}/dues?thang="))
    );

    // This month, by the API: a payment and an excuse; a bad row refuses the whole month.
    let this = ok(&t.get(&path, Auth::Bearer(&sec)).await);
    assert_eq!(this["month"], format!("{}-01", month(0)));
    let ids: Vec<i64> = this["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["member"]["id"].as_i64().unwrap())
        .collect();
    let put = |entries: serde_json::Value| {
        let (t, sec, path) = (&t, sec.clone(), path.clone());
        async move {
            t.api(
                Method::PUT,
                &path,
                &sec,
                json!({"month": month(0), "entries": entries}),
            )
            .await
        }
    };
    for (entry, text) in [
        (
            json!({"member_id": ids[1], "amount": 0, "paid_on": day(0)}),
            "số tiền",
        ),
        (json!({"member_id": ids[1], "amount": 30000}), "ngày nộp"),
        (
            json!({"member_id": ids[1], "amount": 30000, "paid_on": day(1)}),
            "chưa đến",
        ),
        (
            json!({"member_id": 999_999, "amount": 30000, "paid_on": day(0)}),
            "không nộp đảng phí tại chi bộ",
        ),
    ] {
        let r =
            put(json!([{"member_id": ids[0], "amount": 30000, "paid_on": day(0)}, entry])).await;
        let msg = refused(&r);
        assert!(msg.contains(text), "{text}: {msg}");
    }
    let unchanged = ok(&t.get(&path, Auth::Bearer(&sec)).await);
    assert_eq!(unchanged["paid"], 0, "nothing written");
    // The month under way cannot be recorded unpaid: it has not ended.
    assert!(refused(&put(json!([{"member_id": ids[0]}])).await).contains("chưa hết"));
    let r = ok(&put(json!([
        {"member_id": ids[0], "amount": 30000, "paid_on": day(0)},
        {"member_id": ids[1], "reason": "Ốm nằm viện"}
    ]))
    .await);
    assert_eq!(
        (r["paid"].as_u64(), r["excused"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["total_amount"], 30000);

    // A member working away who has not paid is excused by the rules.
    let away = ids[2];
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/members/{away}/events"),
            &sec,
            json!({"kind": "working_away", "effective_on": day(0), "reason": "Làm việc tại Bình Dương"}),
        )
        .await);
    let r = ok(&put(json!([{"member_id": away}])).await);
    let row = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["member"]["id"] == away)
        .unwrap()
        .clone();
    assert_eq!(
        (row["status"].as_str(), row["reason"].as_str()),
        (Some("excused"), Some("Đi làm ăn xa"))
    );
    assert_eq!(row["working_away"], true);

    // A member sees only their own row; a unit above cells has no dues list.
    let member = t.token("dangvien.dongtam").await;
    let own = ok(&t.get(&path, Auth::Bearer(&member)).await);
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
    assert_eq!(own["can_record"], false);
    assert_eq!(
        t.api(
            Method::PUT,
            &path,
            &member,
            json!({"month": month(0), "entries": []})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let commune = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let r = t
        .get(
            &format!("/api/v1/units/{commune}/dues"),
            Auth::Bearer(&board),
        )
        .await;
    assert!(refused(&r).contains("chi bộ"));
    // A month not come yet, and one typed wrongly.
    assert!(
        refused(
            &t.get(
                &format!(
                    "{path}?month={}",
                    (chibo_app::App::today() + Months::new(1)).format("%Y-%m")
                ),
                Auth::Bearer(&sec)
            )
            .await
        )
        .contains("chưa đến")
    );
    assert!(
        refused(
            &t.get(&format!("{path}?month=thang-muoi"), Auth::Bearer(&sec))
                .await
        )
        .contains("11/2026")
    );
}

#[tokio::test]
async fn dues_imported_from_a_spreadsheet_and_entered_on_the_page() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let list = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/dues?month={}", month(1)),
            Auth::Bearer(&sec),
        )
        .await);
    let names: Vec<String> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["member"]["name"].as_str().unwrap().to_string())
        .collect();
    let header = "Họ và tên,Số thẻ đảng viên,Số CCCD,Tháng,Số tiền (đồng),Ngày nộp,Lý do chưa nộp";
    let m1 = month(1).split('-').rev().collect::<Vec<_>>().join("/");
    let m2 = month(2).split('-').rev().collect::<Vec<_>>().join("/");
    let paid_on = format!("10/{m1}");
    let bad = format!(
        "{header}\n{},,,{m1},\"50.000\",{paid_on},\n\
         Người Không Có,,,{m1},50000,{paid_on},\n\
         {},,,{m1},50000,31/02/2026,\n\
         {},,,{m1},,,\n{},,,{m2},,,Ốm\n{},,,tháng mười,,,\n",
        names[0], names[1], names[2], names[2], names[3]
    );
    let api = format!("/api/v1/units/{cell}/dues/import");
    let dry = ok(&t
        .upload(
            &format!("{api}?dry_run=true"),
            Auth::Bearer(&sec),
            "dp.csv",
            bad.as_bytes(),
        )
        .await);
    let errors = dry["errors"].as_array().unwrap();
    assert!(
        has_row_error(errors, 3, "Họ và tên", "không có trong danh sách"),
        "{errors:?}"
    );
    assert!(
        has_row_error(errors, 4, "Ngày nộp", "không phải ngày"),
        "{errors:?}"
    );
    assert!(has_row_error(errors, 7, "Tháng", "11/2026"), "{errors:?}");
    assert_eq!(dry["written"], false);
    // Not a dry run: refused as a whole.
    let r = t
        .upload(&api, Auth::Bearer(&sec), "dp.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let after = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/dues?month={}", month(1)),
            Auth::Bearer(&sec),
        )
        .await);
    assert_eq!(
        after["not_recorded"], list["not_recorded"],
        "nothing written"
    );
    let good = format!(
        "{header}\n{},,,{m1},\"50.000\",{paid_on},\n{},,,{m1},,,\n{},,,{m2},,,Ốm\n",
        names[0], names[2], names[3]
    );
    let done = ok(&t
        .upload(&api, Auth::Bearer(&sec), "dp.csv", good.as_bytes())
        .await);
    assert_eq!(done["written"], true);
    assert_eq!(done["months"].as_array().unwrap().len(), 2);
    let m = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/dues?month={}", month(1)),
            Auth::Bearer(&sec),
        )
        .await);
    let by_name = |n: &str| {
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["member"]["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name(&names[0])["amount"], 50000);
    assert_eq!(by_name(&names[2])["status"], "unpaid");

    // The page: the month's form, saved row by row.
    let cookie = t.login("bithu.dongtam").await;
    let page = t
        .get(
            &format!("/units/{cell}/dues?thang={}", month(1)),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đảng phí tháng"), "{}", page.body);
    let id = by_name(&names[2])["member"]["id"].as_i64().unwrap();
    // Only the rows given a status are recorded: the one left "Chưa ghi" keeps what it had.
    let untouched = by_name(&names[0])["member"]["id"].as_i64().unwrap();
    let form = format!(
        "month={}&status_{id}=paid&amount_{id}=40.000&paid_on_{id}={}&amount_{untouched}=&status_{untouched}=",
        month(1),
        day(0)
    );
    let r = t
        .post_form(&format!("/units/{cell}/dues"), Auth::Cookie(&cookie), &form)
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let m = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/dues?month={}", month(1)),
            Auth::Bearer(&sec),
        )
        .await);
    assert_eq!(
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["member"]["id"] == id)
            .unwrap()["amount"],
        40000
    );
    let kept = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["member"]["id"] == untouched)
        .unwrap()
        .clone();
    assert_eq!(kept["amount"], 50000);
    let bad = format!("month={}&status_{id}=paid&amount_{id}=bốn+mươi", month(1));
    let r = t
        .post_form(&format!("/units/{cell}/dues"), Auth::Cookie(&cookie), &bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("không phải số tiền"), "{}", r.body);
    // The template downloads.
    let tpl = t
        .get("/api/v1/dues/template.xlsx", Auth::Bearer(&sec))
        .await;
    assert_eq!(tpl.status, StatusCode::OK);
}
