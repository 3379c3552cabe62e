//! The rules a meeting's record is held to, through the HTTP API (issue 12): a vote needs the
//! whole sheet, a chair other than the secretary gives a reason, a meeting may run past
//! midnight. Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::Method;
use chibo_app::meetings::documents;
use common::*;
use serde_json::{Value, json};

/// Domain.md §4: a resolution is counted against the whole sheet. A vote recorded while some
/// working members have no presence yet is refused with the reason; once the sheet is
/// complete the same vote is judged against every member it holds.
#[tokio::test]
async fn a_vote_needs_the_whole_sheet() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let date = chibo_app::App::today() - chrono::Duration::days(3);
    let id = published(&t, &sec, cell, date).await;
    let d = t.meeting(&sec, id).await;
    let rows: Vec<i64> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["member_id"].as_i64().unwrap())
        .collect();
    assert!(rows.len() >= 8, "a cell of some size");
    let attend = |ids: &[i64]| {
        let entries: Vec<Value> = ids
            .iter()
            .map(|m| json!({"member_id": m, "presence": "present"}))
            .collect();
        json!({ "entries": entries })
    };
    // Four recorded present of the whole sheet.
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            &sec,
            attend(&rows[..4]),
        )
        .await);
    let record = json!({
        "resolution_text": "Chi bộ thống nhất ra quân vệ sinh môi trường.",
        "votes_for": 3, "votes_against": 1, "votes_abstain": 0
    });
    let partial = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/record"),
            &sec,
            record.clone(),
        )
        .await;
    let why = refused(&partial);
    assert!(why.contains("Điểm danh chưa đủ"), "{why}");
    // The rest recorded as absent without reason: three votes of the whole sheet are too few.
    complete_sheet(&t, &sec, id).await;
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/record"),
            &sec,
            record,
        )
        .await);
    let vote = &t.meeting(&sec, id).await["held"]["record"]["vote"];
    assert_eq!(vote["counted"].as_u64().unwrap() as usize, rows.len());
    assert_eq!(vote["valid"], false);
}

/// Domain.md §4: the secretary or the deputy chairs. Another member may, with a reason, which
/// the meeting page, the score and the minutes show; the secretary needs none.
#[tokio::test]
async fn a_chair_other_than_the_secretary_gives_a_reason() {
    use chibo_store::entities::position;
    use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let secretary = t.member_id("bithu.dongtam").await;
    let officers: Vec<i64> = position::Entity::find()
        .filter(position::Column::UnitId.eq(cell))
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.member_id)
        .collect();
    let date = chibo_app::App::today() - chrono::Duration::days(4);
    let (id, d) = hold(&t, &sec, cell, date, &officers).await;
    let other = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["presence"] == "present")
        .map(|r| r["member_id"].as_i64().unwrap())
        .find(|m| !officers.contains(m))
        .expect("a member without an office came");
    let path = format!("/api/v1/meetings/{id}/record");
    let put = |body: Value| t.api(Method::PUT, &path, &sec, body);
    let without = put(json!({"end_time": "21:30", "chair_member_id": other})).await;
    let why = refused(&without);
    assert!(why.contains("không phải bí thư hay phó bí thư"), "{why}");
    let reason = "Bí thư và phó bí thư đi tập huấn ở tỉnh";
    ok(&put(json!({"end_time": "21:30", "chair_member_id": other, "chair_reason": reason})).await);
    let m = t.meeting(&sec, id).await;
    assert_eq!(m["held"]["record"]["chair_reason"], reason);
    let page = t.get(&format!("/meetings/{id}"), Auth::Bearer(&sec)).await;
    assert!(
        page.body.contains(reason),
        "the page and its score show the reason"
    );
    let actor = t.actor("bithu.dongtam").await;
    let minutes = documents::minutes(&t.app, &actor, id).await.unwrap();
    assert!(
        format!("{minutes:?}").contains(reason),
        "the minutes show it"
    );
    // The secretary chairs: no reason asked, the old one is dropped.
    ok(&put(json!({"end_time": "21:30", "chair_member_id": secretary})).await);
    assert!(t.meeting(&sec, id).await["held"]["record"]["chair_reason"].is_null());
}

/// A meeting that runs past midnight (issue 12): its end, its steps and its minutes are
/// recorded; the duration counts across midnight; an end before the start on the same evening
/// is still a slip.
#[tokio::test]
async fn a_meeting_may_run_past_midnight() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let date = chibo_app::App::today() - chrono::Duration::days(6);
    let (id, _) = hold(&t, &sec, cell, date, &[]).await;
    let path = format!("/api/v1/meetings/{id}/record");
    let slip = t
        .api(Method::PUT, &path, &sec, json!({"end_time": "19:00"}))
        .await;
    assert!(refused(&slip).contains("quá nửa đêm vẫn ghi được"));
    ok(&t
        .api(Method::PUT, &path, &sec, json!({"end_time": "00:20"}))
        .await);
    let record = &t.meeting(&sec, id).await["held"]["record"];
    assert_eq!(record["duration_minutes"], 290, "19:30 to 00:20");
    assert_eq!(record["duration_met"], true);
    let steps = format!("/api/v1/meetings/{id}/steps");
    ok(&t
        .api(
            Method::POST,
            &steps,
            &sec,
            json!({"step": "opening", "done_at": "23:50"}),
        )
        .await);
    ok(&t
        .api(
            Method::POST,
            &steps,
            &sec,
            json!({"step": "secretary", "done_at": "00:05"}),
        )
        .await);
    let early = t
        .api(
            Method::POST,
            &steps,
            &sec,
            json!({"step": "attendance", "done_at": "23:55"}),
        )
        .await;
    assert!(refused(&early).contains("sớm hơn"));
    let actor = t.actor("bithu.dongtam").await;
    let minutes = format!(
        "{:?}",
        documents::minutes(&t.app, &actor, id).await.unwrap()
    );
    let next_day = (date + chrono::Duration::days(1))
        .format("%d/%m/%Y")
        .to_string();
    assert!(minutes.contains(&format!("ngày {next_day}")), "{minutes}");
}
