//! Issue 14, points 2 and 6 in the pages and the API: a member's list of notices (the frame's
//! unread count, opening one, all read), their choices of channels and kinds (a bad address
//! refused beside its field, what was typed kept), the secretary's view of who was reached
//! with invitations to print for the others, and the administrator's outbox with its retry.
//! Runs on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_store::entities::outbox;
use chibo_store::sea_orm::EntityTrait;
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_member_reads_their_notices_and_chooses_how_to_get_them() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let id = published(
        &t,
        &sec,
        cell,
        chibo_app::App::today() + chrono::Duration::days(6),
    )
    .await;

    let member = t.login("dangvien.dongtam").await;
    // The frame's count, fetched after the page loads.
    let badge = t.get("/thong-bao/chua-doc", Auth::Cookie(&member)).await;
    assert!(badge.body.contains(">1</span>"), "{}", badge.body);
    let home = t.get("/", Auth::Cookie(&member)).await;
    assert!(
        home.body.contains("hx-get=\"/thong-bao/chua-doc\""),
        "the menu asks for it"
    );

    let list = t.get("/thong-bao", Auth::Cookie(&member)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("Thông báo sinh hoạt: Chi bộ thôn Đồng Tâm"),
        "{}",
        list.body
    );
    assert!(list.body.contains("Nhà văn hóa thôn"), "the body is shown");
    let nid = section(&list.body, "<a href=\"/thong-bao/", "\"").to_string();
    // Opening it goes to the meeting and marks it read.
    let open = t
        .get(&format!("/thong-bao/{nid}"), Auth::Cookie(&member))
        .await;
    assert_eq!(open.location(), format!("/meetings/{id}"));
    let badge = t.get("/thong-bao/chua-doc", Auth::Cookie(&member)).await;
    assert!(!badge.body.contains("badge"), "{}", badge.body);
    // Another member's notice is not theirs to open.
    let other = t.login("bithu.dongtam").await;
    let r = t
        .get(&format!("/thong-bao/{nid}"), Auth::Cookie(&other))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Choices: a bad address is refused beside its field, what was typed kept.
    let r = t
        .post_form(
            "/account/notifications",
            Auth::Cookie(&member),
            "email=khong-phai-thu&email_on=on&kinds=meeting_published&kinds=meeting_cancelled",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        label_of(&r.body, "email").contains("Địa chỉ thư không hợp lệ"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"khong-phai-thu\""));
    assert!(r.body.contains("value=\"meeting_cancelled\" checked"));
    assert!(
        !r.body.contains("value=\"task_due\" checked"),
        "unticked stays unticked"
    );
    // Email asked for without an address.
    let r = t
        .post_form(
            "/account/notifications",
            Auth::Cookie(&member),
            "email=&email_on=on",
        )
        .await;
    assert!(
        label_of(&r.body, "email").contains("Hãy nhập địa chỉ thư"),
        "{}",
        r.body
    );
    // Saved: the page shows the choices back.
    let r = t
        .post_form(
            "/account/notifications",
            Auth::Cookie(&member),
            "email=dangvien%40example.vn&email_on=on&kinds=meeting_published&kinds=meeting_tomorrow",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(r.location(), Auth::Cookie(&member)).await;
    assert!(page.body.contains("Đã lưu thay đổi."), "{}", page.body);
    assert!(page.body.contains("value=\"dangvien@example.vn\""));
    assert!(page.body.contains("value=\"meeting_tomorrow\" checked"));
    assert!(!page.body.contains("value=\"meeting_cancelled\" checked"));
    assert!(
        !page.body.contains("name=\"sms_on\" checked"),
        "SMS turned off"
    );

    // The same through the API.
    let token = t.token("dangvien.dongtam").await;
    let c = ok(&t
        .api(
            Method::GET,
            "/api/v1/me/notification-choices",
            &token,
            json!({}),
        )
        .await);
    assert_eq!(c["email"], "dangvien@example.vn");
    assert_eq!(c["sms_on"], false);
    let r = t
        .api(
            Method::PUT,
            "/api/v1/me/notification-choices",
            &token,
            json!({"email": "a@b@c", "email_on": true, "kinds": ["nope"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "kinds"]);
    let page = ok(&t
        .api(Method::GET, "/api/v1/me/notifications", &token, json!({}))
        .await);
    assert_eq!(page["unread"], 0);
    assert_eq!(page["items"][0]["link"], format!("/meetings/{id}"));
    // Opening one through the API: marked read, its link answered; not another member's.
    let one = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/me/notifications/{nid}/read"),
            &token,
            json!({}),
        )
        .await);
    assert_eq!(one["read"], true);
    assert_eq!(one["link"], format!("/meetings/{id}"));
    let other = t.token("bithu.dongtam").await;
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/me/notifications/{nid}/read"),
            &other,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another member's notice");
}

#[tokio::test]
async fn the_secretary_sees_who_was_reached_and_prints_invitations_for_the_others() {
    let t = TestApp::new().await;
    let token = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let id = published(
        &t,
        &token,
        cell,
        chibo_app::App::today() + chrono::Duration::days(4),
    )
    .await;
    // One member reads it.
    let member = t.token("dangvien.dongtam").await;
    ok(&t
        .api(
            Method::POST,
            "/api/v1/me/notifications/read",
            &member,
            json!({}),
        )
        .await);

    let sec = t.login("bithu.dongtam").await;
    let meeting = t.get(&format!("/meetings/{id}"), Auth::Cookie(&sec)).await;
    assert!(
        meeting
            .body
            .contains(&format!("href=\"/meetings/{id}/reached\""))
    );
    let page = t
        .get(&format!("/meetings/{id}/reached"), Auth::Cookie(&sec))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let r = ok(&t
        .api(
            Method::GET,
            &format!("/api/v1/meetings/{id}/reached"),
            &token,
            json!({}),
        )
        .await);
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(r["reached"], 1, "{r}");
    assert_eq!(r["not_reached"].as_u64().unwrap() as usize, rows.len() - 1);
    let reader = rows.iter().find(|x| x["read"] == true).unwrap();
    assert!(
        page.body.contains("<strong>1</strong> đảng viên đã nhận"),
        "{}",
        page.body
    );

    // Invitations: one for each member not reached, none for the reader.
    let print = t
        .get(&format!("/meetings/{id}/reached/print"), Auth::Cookie(&sec))
        .await;
    assert_eq!(print.status, StatusCode::OK);
    assert_eq!(
        print.body.matches("<h1>GIẤY MỜI</h1>").count(),
        rows.len() - 1
    );
    let reader_name = reader["member"]["name"].as_str().unwrap();
    assert!(!print.body.contains(&format!(
        "Kính gửi đồng chí: <strong>{reader_name}</strong>"
    )));
    assert!(print.body.contains("Nhà văn hóa thôn"));

    // A member does not see the report.
    let r = t
        .api(
            Method::GET,
            &format!("/api/v1/meetings/{id}/reached"),
            &member,
            json!({}),
        )
        .await;
    assert!(matches!(
        r.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
}

#[tokio::test]
async fn the_administrator_sees_the_outbox_and_sends_a_failed_message_again() {
    let t = TestApp::new().await;
    let member = t.member_id("dangvien.dongtam").await;
    let row = failed_message(&t, member).await;

    let admin = t.login("admin").await;
    let page = t
        .get("/admin/outbox?trang-thai=failed", Auth::Cookie(&admin))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("550 Mailbox unavailable"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Gửi không được: <strong>1</strong>"),
        "{}",
        page.body
    );
    let r = t
        .post_form(
            &format!("/admin/outbox/{}/retry", row.id),
            Auth::Cookie(&admin),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let again = outbox::Entity::find_by_id(row.id)
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.status.as_str(), again.attempts), ("queued", 0));
    // Sent again twice: refused in words.
    let r = t
        .post_form(
            &format!("/admin/outbox/{}/retry", row.id),
            Auth::Cookie(&admin),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Chỉ gửi lại được tin đã gửi không được."),
        "{}",
        r.body
    );
    // The API lists it queued; a state that is not one is refused.
    let token = t.token("admin").await;
    let list = ok(&t
        .api(
            Method::GET,
            "/api/v1/admin/outbox?status=queued",
            &token,
            json!({}),
        )
        .await);
    assert_eq!(list["items"][0]["id"], row.id);
    let r = t
        .api(
            Method::GET,
            "/api/v1/admin/outbox?status=lost",
            &token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Not an administrator: nothing there.
    let sec = t.token("bithu.dongtam").await;
    let r = t
        .api(Method::GET, "/api/v1/admin/outbox", &sec, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn committees_read_their_daily_digest_and_officers_the_steps_overdue() {
    let t = TestApp::new().await;
    let told = chibo_app::reach::steps::run(&t.app, chibo_app::App::today())
        .await
        .unwrap();
    assert!(told.cells > 0 && told.digests > 0, "{told:?}");

    // The commune's committee account has no member record: its digest is in its list, and
    // the page says it goes nowhere else.
    let commune = t.login("xaphulam").await;
    let badge = t.get("/thong-bao/chua-doc", Auth::Cookie(&commune)).await;
    assert!(badge.body.contains(">1</span>"), "{}", badge.body);
    let list = t.get("/thong-bao", Auth::Cookie(&commune)).await;
    assert!(list.body.contains("Việc quá hạn ngày "), "{}", list.body);
    assert!(
        list.body
            .contains("Trong Đảng bộ xã Phú Lâm hôm nay có:\n- "),
        "{}",
        list.body
    );
    assert!(list.body.contains("không gửi qua thư hay SMS"));
    let nid = section(&list.body, "<a href=\"/thong-bao/", "\"").to_string();
    let phu_lam = t.unit_id("Đảng bộ xã Phú Lâm").await;
    let open = t
        .get(&format!("/thong-bao/{nid}"), Auth::Cookie(&commune))
        .await;
    assert_eq!(open.location(), format!("/units/{phu_lam}/warnings"));
    let warnings = t.get(open.location(), Auth::Cookie(&commune)).await;
    assert_eq!(warnings.status, StatusCode::OK);
    // Not another account's to open.
    let board = t.login("bantochuc").await;
    let r = t
        .get(&format!("/thong-bao/{nid}"), Auth::Cookie(&board))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let token = t.token("xaphulam").await;
    let page = ok(&t
        .api(Method::GET, "/api/v1/me/notifications", &token, json!({}))
        .await);
    assert_eq!(page["items"][0]["kind"], "overdue_digest");
    assert_eq!(page["unread"], 0, "opened on the page");

    // The cell's secretary: each overdue transfer, with the list to act on.
    let sec = t.login("bithu.dongtam").await;
    let list = t.get("/thong-bao", Auth::Cookie(&sec)).await;
    assert!(
        list.body
            .contains("<strong>Chuyển sinh hoạt đảng quá hạn: "),
        "{}",
        list.body
    );
    assert!(list.body.contains(", Chi bộ thôn Đồng Tâm</strong>"));
    assert!(list.body.contains("đã quá hạn một bước.\nĐồng chí: "));
}
