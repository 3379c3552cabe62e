//! Around a meeting, through the real router: agenda and notice, document uploads with their
//! limits and the late-documents flag, the superior committee member who follows the cell and
//! comes as a guest, QR check-in in its window, once per member, and a member's phone pages.
//! Runs on SQLite and on PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::access::auth;
use chibo_app::meetings::documents;
use common::*;
use serde_json::json;

async fn count(t: &TestApp, table: &str) -> u64 {
    use chibo_store::entities::{audit, meeting_attendance, meeting_document};
    use chibo_store::sea_orm::{EntityTrait, PaginatorTrait};
    let db = &t.app.db;
    match table {
        "meeting_documents" => meeting_document::Entity::find().count(db).await,
        "meeting_attendance" => meeting_attendance::Entity::find().count(db).await,
        _ => audit::Entity::find().count(db).await,
    }
    .unwrap()
}

#[tokio::test]
async fn notice_documents_and_preparation() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let day = chibo_app::App::today() + chrono::Duration::days(10);
    // The agenda given at scheduling replaces the rule set's procedure.
    let id = schedule(
        &t,
        &sec,
        cell,
        json!({"kind": "regular", "topic": "Kiểm điểm tháng", "meeting_date": day.to_string(),
               "start_time": "19:30", "place": "Nhà văn hóa thôn",
               "agenda": "Khai mạc\n\n  Thông tin thời sự \nKiểm điểm nghị quyết tháng trước\nBế mạc"}),
    )
    .await;
    let d = t.meeting(&sec, id).await;
    assert_eq!(
        d["notice"]["agenda"],
        json!([
            "Khai mạc",
            "Thông tin thời sự",
            "Kiểm điểm nghị quyết tháng trước",
            "Bế mạc"
        ])
    );
    assert_eq!(d["notice"]["documents_late"], false, "not due yet");
    // Clearing the agenda restores the procedure; a bad time is refused.
    let bad = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/notice"),
            &sec,
            json!({"topic": "Kiểm điểm tháng", "place": "Nhà văn hóa thôn", "start_time": "7 giờ"}),
        )
        .await;
    assert!(refused(&bad).contains("giờ:phút"));
    let d = ok(&t
        .api(Method::PUT, &format!("/api/v1/meetings/{id}/notice"), &sec,
            json!({"topic": "Kiểm điểm tháng 11", "place": "Hội trường thôn", "start_time": "19:00", "agenda": ""}))
        .await);
    // The change answers with the meeting as changed; the page shows the agenda restored.
    assert_eq!(d["place"], "Hội trường thôn");
    let d = t.meeting(&sec, id).await;
    assert!(d["notice"]["agenda"].as_array().unwrap().len() > 8);

    // Uploads: a forbidden type, a renamed program, an oversized file: refused, nothing kept.
    let cookie = t.login("bithu.dongtam").await;
    let before = count(&t, "meeting_documents").await;
    let audits = count(&t, "audit_log").await;
    let path = format!("/meetings/{id}/files");
    let exe = t
        .upload(
            &path,
            Auth::Cookie(&cookie),
            "chuong-trinh.exe",
            b"MZ\x90\x00",
        )
        .await;
    assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exe.body.contains("Chỉ nhận"), "{}", exe.body);
    let beside = section(&exe.body, "id=\"upload-form\"", "</form>");
    assert!(
        beside.contains("id=\"error-file\"") && beside.contains("Chỉ nhận"),
        "{beside}"
    );
    let renamed = t
        .upload(&path, Auth::Cookie(&cookie), "du-thao.pdf", b"MZ\x90\x00")
        .await;
    assert!(renamed.body.contains("không phải là tệp PDF"));
    // A PDF header pasted on a program; a zip renamed .docx; a document declaring 300 MB.
    let mut program = b"%PDF-1.7\n\x7fELF\x02\x01\x01".to_vec();
    program.extend(vec![0x90; 2048]);
    let api_files = format!("/api/v1/meetings/{id}/files");
    let r = t
        .upload(&api_files, Auth::Bearer(&sec), "du-thao.pdf", &program)
        .await;
    assert!(refused(&r).contains("không phải là tệp PDF"), "{}", r.body);
    let plain_zip = zip_of("ghi-chu.xml", b"<x/>");
    let r = t
        .upload(&api_files, Auth::Bearer(&sec), "du-thao.docx", &plain_zip)
        .await;
    assert!(
        refused(&r).contains("không phải là tệp .docx"),
        "{}",
        r.body
    );
    let mut bomb = zip_of("word/document.xml", b"<w:document/>");
    declare_size(&mut bomb, 300 * 1024 * 1024);
    let r = t
        .upload(&api_files, Auth::Bearer(&sec), "du-thao.docx", &bomb)
        .await;
    assert!(
        refused(&r).contains("quá lớn khi giải nén (hơn 200 MB)"),
        "{}",
        r.body
    );
    let big = vec![b'%'; 10 * 1024 * 1024 + 1];
    let too_big = t
        .upload(
            &format!("/api/v1/meetings/{id}/files"),
            Auth::Bearer(&sec),
            "lon.pdf",
            &big,
        )
        .await;
    assert!(refused(&too_big).contains("vượt giới hạn 10 MB"));
    assert_eq!(count(&t, "meeting_documents").await, before);
    assert_eq!(count(&t, "audit_log").await, audits);
    // A good upload from the page, then through the API.
    let page = t
        .upload(
            &path,
            Auth::Cookie(&cookie),
            "Dự thảo nghị quyết.pdf",
            &chibo_domain::files::minimal_pdf(),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let doc = ok(&t
        .upload(
            &format!("/api/v1/meetings/{id}/files"),
            Auth::Bearer(&sec),
            "de-cuong.txt",
            "Đề cương".as_bytes(),
        )
        .await);
    assert_eq!(doc["content_type"], "text/plain; charset=utf-8");
    // Publish: the member sees the notice and downloads the documents.
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/publish"),
            &sec,
            json!({}),
        )
        .await);
    let member = t.token("dangvien.dongtam").await;
    let seen = t.meeting(&member, id).await;
    let docs = seen["notice"]["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(seen["notice"]["documents_late"], false);
    assert_eq!(
        seen["notice"]["documents_on"],
        chibo_app::App::today().to_string()
    );
    assert!(seen["notice"]["preparation"].is_null(), "officers only");
    let file = t
        .get(
            &format!("/api/v1/files/{}", doc["id"]),
            Auth::Bearer(&member),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, "Đề cương");
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    // Issue 13, defect 8: on the page a PDF opens in the phone's viewer, with "Tải về" beside
    // it; a text file is saved.
    let member_cookie = t.login("dangvien.dongtam").await;
    let pdf = docs
        .iter()
        .find(|d| d["file_name"] == "Dự thảo nghị quyết.pdf")
        .unwrap()["id"]
        .clone();
    let disposition = |path: String| {
        let (t, cookie) = (&t, member_cookie.clone());
        async move {
            t.get(&path, Auth::Cookie(&cookie)).await.headers["content-disposition"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    assert!(
        disposition(format!("/files/{pdf}"))
            .await
            .starts_with("inline;")
    );
    assert!(
        disposition(format!("/files/{pdf}?tai=1"))
            .await
            .starts_with("attachment;")
    );
    assert!(
        disposition(format!("/files/{}", doc["id"]))
            .await
            .starts_with("attachment;")
    );
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&member_cookie))
        .await;
    assert!(page.body.contains(&format!("/files/{pdf}?tai=1")));
    // Defect 4: a member sees the meeting as it concerns them, not the secretary's figures.
    assert!(!page.body.contains("Đảng viên phải dự") && !page.body.contains("chưa đạt"));
    // Defect 8: a member's crumb leads to the cell's meetings, which they may read, not to the
    // cell's page, which they may not.
    assert!(
        !page.body.contains(&format!(r#"href="/units/{cell}""#)),
        "{}",
        page.body
    );
    let own = t
        .get(
            &format!("/members/{}", t.member_id("dangvien.dongtam").await),
            Auth::Cookie(&member_cookie),
        )
        .await;
    for href in own.body.split(r#"href="/units/"#).skip(1) {
        let path = format!("/units/{}", href.split('"').next().unwrap());
        let r = t.get(&path, Auth::Cookie(&member_cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    // The province's organisation board reads it too (scope is checked by tests/authz.rs).
    let board = t.token("bantochuc").await;
    let read = t
        .get(
            &format!("/api/v1/files/{}", doc["id"]),
            Auth::Bearer(&board),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let d = ok(&t
        .api(
            Method::DELETE,
            &format!("/api/v1/files/{}", doc["id"]),
            &sec,
            json!(null),
        )
        .await);
    assert_eq!(d["documents"].as_array().unwrap().len(), 1);
    assert_eq!(d["meeting_id"], id);
    let gone = t
        .get(
            &format!("/api/v1/files/{}", doc["id"]),
            Auth::Bearer(&member),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // The committee's preparatory meeting: only cell members attend, before the meeting.
    let chair = t.member_id("bithu.dongtam").await;
    let stranger = t
        .api(Method::PUT, &format!("/api/v1/meetings/{id}/preparation"), &sec,
            json!({"held_on": chibo_app::App::today().to_string(), "attendee_ids": [999999], "content": "Nội dung"}))
        .await;
    assert!(refused(&stranger).contains("đảng viên của chi bộ"));
    let d = ok(&t
        .api(Method::PUT, &format!("/api/v1/meetings/{id}/preparation"), &sec,
            json!({"held_on": chibo_app::App::today().to_string(), "attendee_ids": [chair],
                   "content": "Thống nhất chương trình", "draft_resolution": "Dự thảo nghị quyết tháng"}))
        .await);
    assert_eq!(d["attendees"][0]["id"], chair);
    let d = t.meeting(&sec, id).await;
    assert_eq!(d["notice"]["preparation"]["attendees"][0]["id"], chair);
    assert_eq!(d["notice"]["draft_resolution"], "Dự thảo nghị quyết tháng");
    // The meeting page shows all of it.
    let html = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&cookie))
        .await;
    assert_eq!(html.status, StatusCode::OK);
    for text in [
        "Dự thảo nghị quyết.pdf",
        "Thống nhất chương trình",
        "Chương trình (mỗi dòng một mục",
    ] {
        assert!(html.body.contains(text), "{text}");
    }
}

#[tokio::test]
async fn late_documents_are_flagged_on_the_notice() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let today = chibo_app::App::today();
    // Documents uploaded today for a meeting today: less than 1 day ahead.
    let id = schedule(&t, &sec, cell, json!({"kind": "regular", "topic": "Họp tháng", "meeting_date": today.to_string(), "start_time": "19:30", "place": "Nhà văn hóa"})).await;
    ok(&t
        .upload(
            &format!("/api/v1/meetings/{id}/files"),
            Auth::Bearer(&sec),
            "tai-lieu.txt",
            b"x",
        )
        .await);
    let d = t.meeting(&sec, id).await;
    assert_eq!(d["notice"]["documents_late"], true);
    // Nothing sent and the day before already passed: late too.
    let id2 = schedule(&t, &sec, cell, json!({"kind": "extraordinary", "topic": "Họp bất thường", "meeting_date": today.to_string(), "start_time": "07:00", "place": "Nhà văn hóa"})).await;
    let d2 = t.meeting(&sec, id2).await;
    assert_eq!(d2["notice"]["documents_late"], true);
    assert!(d2["notice"]["documents_on"].is_null());
    let cookie = t.login("bithu.dongtam").await;
    let html = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&cookie))
        .await;
    assert!(html.body.contains("Tài liệu gửi muộn"), "{}", html.body);
}

#[tokio::test]
async fn follower_guests_and_check_in() {
    let t = TestApp::new().await;
    let sec = t.token("bithu.dongtam").await;
    let committee = t.token("xaphulam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    // The follower is chosen by the superior committee from its own organisation, by name and
    // a page at a time; the cell's own officers may not choose.
    let first = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/follower-choices?per_page=2"),
            Auth::Bearer(&committee),
        )
        .await);
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let after = first["next"].as_str().expect("a commune has more than two");
    let second = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/follower-choices?per_page=2&after={after}"),
            Auth::Bearer(&committee),
        )
        .await);
    assert!(
        second["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !items.contains(m))
    );
    let name = items[1]["name"].as_str().unwrap();
    let last_word = name.split_whitespace().last().unwrap();
    let plain = chibo_domain::text::search_key(last_word);
    let found = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/follower-choices?q={plain}"),
            Auth::Bearer(&committee),
        )
        .await);
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| chibo_domain::text::search_key(m["name"].as_str().unwrap()).contains(&plain))
    );
    assert!(found["items"].as_array().unwrap().contains(&items[1]));
    let options = t
        .get(
            &format!("/units/{cell}/follower-choices?q={plain}"),
            Auth::Cookie(&t.login("xaphulam").await),
        )
        .await;
    assert!(options.body.contains(name), "{}", options.body);
    let by_secretary = t
        .get(
            &format!("/api/v1/units/{cell}/follower-choices"),
            Auth::Bearer(&sec),
        )
        .await;
    assert_eq!(by_secretary.status, StatusCode::FORBIDDEN);
    let follower = items[0]["id"].as_i64().unwrap();
    let not_allowed = t
        .api(
            Method::PUT,
            &format!("/api/v1/units/{cell}/follower"),
            &sec,
            json!({"member_id": follower}),
        )
        .await;
    assert_eq!(
        not_allowed.status,
        StatusCode::FORBIDDEN,
        "{}",
        not_allowed.body
    );
    let own_member = t.member_id("dangvien.dongtam").await;
    let inside = t
        .api(
            Method::PUT,
            &format!("/api/v1/units/{cell}/follower"),
            &committee,
            json!({"member_id": own_member}),
        )
        .await;
    assert!(
        refused(&inside).contains("Người theo dõi chi bộ"),
        "not a member of the cell itself"
    );
    let f = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/units/{cell}/follower"),
            &committee,
            json!({"member_id": follower}),
        )
        .await);
    assert_eq!(f["follower"]["id"], follower);

    // A meeting starting now: members check in with the code.
    let now = chibo_app::App::now_local();
    let id = schedule(&t, &sec, cell, json!({"kind": "regular", "topic": "Họp tháng", "meeting_date": now.date().to_string(), "start_time": now.format("%H:%M").to_string(), "place": "Nhà văn hóa"})).await;
    let early = t
        .get(
            &format!("/api/v1/meetings/{id}/check-in-code"),
            Auth::Bearer(&sec),
        )
        .await;
    assert!(refused(&early).contains("Phát hành"));
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/publish"),
            &sec,
            json!({}),
        )
        .await);
    let code = ok(&t
        .get(
            &format!("/api/v1/meetings/{id}/check-in-code"),
            Auth::Bearer(&sec),
        )
        .await);
    let code = code["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    let member = t.token("dangvien.dongtam").await;
    let cant = t
        .get(
            &format!("/api/v1/meetings/{id}/check-in-code"),
            Auth::Bearer(&member),
        )
        .await;
    assert_eq!(
        cant.status,
        StatusCode::NOT_FOUND,
        "members do not get the code from the API"
    );
    // Issue 13, defect 8: the home page offers "Điểm danh" until the member has checked in.
    let member_cookie = t.login("dangvien.dongtam").await;
    let link = format!("/meetings/{id}/check-in");
    let home = t.get("/", Auth::Cookie(&member_cookie)).await;
    assert!(home.body.contains(&link), "{}", home.body);
    let wrong = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/check-in"),
            &member,
            json!({"code": "AAAAAAAA"}),
        )
        .await;
    assert!(refused(&wrong).contains("không đúng"));
    // Typed with a dash and in lower case, as people do.
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let d = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/check-in"),
            &member,
            json!({"code": typed}),
        )
        .await);
    assert!(d["checked_in_at"].is_string());
    let home = t.get("/", Auth::Cookie(&member_cookie)).await;
    assert!(
        !home.body.contains(&link) && home.body.contains("Đã điểm danh"),
        "{}",
        home.body
    );
    let d = t.meeting(&member, id).await;
    assert!(d["notice"]["check_in"]["mine"].is_string());
    assert_eq!(d["mine"]["presence"], "present");
    assert!(d["sheet"].as_array().unwrap().is_empty() && d["summary"].is_null());
    assert_eq!(d["meeting"]["status"], "held");
    let twice = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/check-in"),
            &member,
            json!({"code": code}),
        )
        .await;
    assert!(refused(&twice).contains("đã điểm danh"));
    // The secretary's correction keeps the check-in while the member stays present.
    let d = t.meeting(&sec, id).await;
    assert_eq!(d["notice"]["check_in"]["count"], 1);
    // Issue 13: the secretary's sheet shows who checked in by QR, and offers everyone else
    // as present until marked otherwise.
    let sheet = d["sheet"].as_array().unwrap();
    let checked: Vec<i64> = sheet
        .iter()
        .filter(|r| r["checked_in"] == true)
        .map(|r| r["member_id"].as_i64().unwrap())
        .collect();
    assert_eq!(checked, vec![own_member]);
    let sec_cookie = t.login("bithu.dongtam").await;
    let page = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&sec_cookie))
        .await;
    assert!(
        page.body
            .contains(&format!(r#"id="checked-in-{own_member}""#)),
        "{}",
        page.body
    );
    let form = section(&page.body, r#"id="attendance-form""#, "</form>");
    let offered_present = sheet
        .iter()
        .filter(|r| match r["presence"].as_str() {
            Some(p) => p == "present",
            None => r["standing"] == "working",
        })
        .count();
    assert!(offered_present > 1);
    assert_eq!(
        form.matches(r#"value="present" checked"#).count(),
        offered_present,
        "{form}"
    );
    assert!(form.contains(r#"<datalist id="absence-reasons">"#));
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            &sec,
            json!({"entries": [{"member_id": own_member, "presence": "present"}]}),
        )
        .await);
    let d = t.meeting(&sec, id).await;
    assert_eq!(d["notice"]["check_in"]["count"], 1);

    // A meeting of last week: the window has closed.
    let past = chibo_app::App::today() - chrono::Duration::days(7);
    let old = schedule(&t, &sec, cell, json!({"kind": "regular", "topic": "Họp tháng trước", "meeting_date": past.to_string(), "start_time": "19:30", "place": "Nhà văn hóa"})).await;
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{old}/publish"),
            &sec,
            json!({}),
        )
        .await);
    let old_code = ok(&t
        .get(
            &format!("/api/v1/meetings/{old}/check-in-code"),
            Auth::Bearer(&sec),
        )
        .await)["code"]
        .as_str()
        .unwrap()
        .to_string();
    let attendance_rows = count(&t, "meeting_attendance").await;
    let closed = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{old}/check-in"),
            &member,
            json!({"code": old_code}),
        )
        .await;
    assert!(refused(&closed).contains("Chỉ điểm danh được trong thời gian họp"));
    assert_eq!(count(&t, "meeting_attendance").await, attendance_rows);

    // The follower comes as a guest: counted for the year; named once.
    let d = ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/guests"),
            &sec,
            json!({"member_id": follower, "title": "Đảng ủy viên, phụ trách chi bộ"}),
        )
        .await);
    assert_eq!(d["guests"][0]["follows_cell"], true);
    let again = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/guests"),
            &sec,
            json!({"member_id": follower, "title": "Đảng ủy viên"}),
        )
        .await;
    assert!(refused(&again).contains("đã có trong danh sách"));
    let nameless = t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/guests"),
            &sec,
            json!({"title": "Bí thư Đoàn xã"}),
        )
        .await;
    assert!(refused(&nameless).contains("họ và tên"));
    let f = ok(&t
        .get(
            &format!("/api/v1/units/{cell}/follower"),
            Auth::Bearer(&sec),
        )
        .await);
    assert_eq!(
        (f["attended"].as_u64(), f["meetings_held"].as_u64()),
        (Some(1), Some(1))
    );
    let minutes = documents::minutes(
        &t.app,
        &auth::actor_by_username(&t.app, "bithu.dongtam")
            .await
            .unwrap()
            .unwrap(),
        id,
    )
    .await
    .unwrap();
    let text = format!("{minutes:?}");
    assert!(text.contains("Khách mời"), "{text}");

    // Member pages: the check-in page, past resolutions, the home page.
    let cookie = t.login("dangvien.dongtam").await;
    let page = t
        .get(
            &format!("/meetings/{id}/check-in?ma={code}"),
            Auth::Cookie(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Bạn đã điểm danh có mặt"),
        "{}",
        page.body
    );
    let res = ok(&t.get("/api/v1/me/resolutions", Auth::Bearer(&member)).await);
    assert!(res.as_array().unwrap().is_empty(), "nothing resolved yet");
    // A vote needs the whole sheet: those who did not check in are recorded absent first.
    complete_sheet(&t, &sec, id).await;
    ok(&t
        .api(Method::PUT, &format!("/api/v1/meetings/{id}/record"), &sec,
            json!({"resolution_text": "Chi bộ thống nhất ra quân vệ sinh môi trường.", "votes_for": 1, "votes_against": 0, "votes_abstain": 0}))
        .await);
    let res = ok(&t.get("/api/v1/me/resolutions", Auth::Bearer(&member)).await);
    assert_eq!(
        res[0]["resolution_text"],
        "Chi bộ thống nhất ra quân vệ sinh môi trường."
    );
    let page = t.get("/resolutions", Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("ra quân vệ sinh môi trường"));
    let home = t.get("/", Auth::Cookie(&cookie)).await;
    assert!(home.body.contains("Nghị quyết chi bộ"));
    // The officer's QR page carries the code and an SVG.
    let sec_cookie = t.login("bithu.dongtam").await;
    let qr = t
        .get(&format!("/meetings/{id}/qr"), Auth::Cookie(&sec_cookie))
        .await;
    assert_eq!(qr.status, StatusCode::OK);
    assert!(
        qr.body.contains("<svg") && qr.body.contains(&code[..4]),
        "{}",
        qr.body
    );
    assert!(qr.body.contains(&format!(
        "http://chibo.test/meetings/{id}/check-in?ma={code}"
    )));
}

/// Issue 13, defect 8: every link a member finds on their cell's meetings list and year plan
/// opens (the cell's own page is not for them: its name is plain text there).
#[tokio::test]
async fn a_member_meets_no_dead_link_on_the_cells_meeting_pages() {
    let t = TestApp::new().await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let member = t.login("dangvien.dongtam").await;
    let secretary = t.login("bithu.dongtam").await;
    for page in [
        format!("/units/{cell}/meetings"),
        format!("/units/{cell}/plan"),
    ] {
        let res = t.get(&page, Auth::Cookie(&member)).await;
        assert_eq!(res.status, StatusCode::OK, "{page}");
        let links: Vec<&str> = res
            .body
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|href| href.starts_with('/') && !href.starts_with("/static/"))
            .collect();
        assert!(!links.is_empty(), "{page}");
        assert!(
            !links.contains(&format!("/units/{cell}").as_str()),
            "{page}"
        );
        for href in links {
            let href = href.replace("&amp;", "&");
            let opened = t.get(&href, Auth::Cookie(&member)).await;
            assert!(
                opened.status.is_success() || opened.status.is_redirection(),
                "{page} links to {href}: {}",
                opened.status
            );
        }
        // The secretary still goes to the cell's page from there.
        let res = t.get(&page, Auth::Cookie(&secretary)).await;
        assert!(
            res.body.contains(&format!("href=\"/units/{cell}\"")),
            "{page}"
        );
    }
}

/// A zip of one part, stored uncompressed.
fn zip_of(name: &str, body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut out);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file(name, stored).unwrap();
    w.write_all(body).unwrap();
    w.finish().unwrap();
    out.into_inner()
}

/// Rewrites the uncompressed size the zip's central directory declares for its one part.
fn declare_size(zip: &mut [u8], size: u32) {
    let central = zip.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}
