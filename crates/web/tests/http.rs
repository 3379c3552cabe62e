//! The HTTP layer end to end: login, sessions, CSRF, throttling, API errors, OpenAPI.

mod common;

use axum::http::{Method, StatusCode, header};
use chibo_app::access::auth;
use common::*;
use serde_json::json;

/// Issue 13, defect 3: a page asked for while logged out (a scanned check-in link with its
/// code) is where the login leads back to; only a path on this site is followed.
#[tokio::test]
async fn login_returns_to_the_page_asked_for() {
    let t = TestApp::new().await;
    let asked = "/meetings/5/check-in?ma=ABCD";
    let res = t.get(asked, Auth::None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        "/login?next=%2Fmeetings%2F5%2Fcheck-in%3Fma%3DABCD"
    );
    let page = t.get(res.location(), Auth::None).await;
    assert!(
        page.body
            .contains(r#"name="next" value="/meetings/5/check-in?ma=ABCD""#),
        "{}",
        page.body
    );
    let login = |next: &str| {
        let body = format!(
            "username=admin&password={}&next={next}",
            chibo_seed::demo::DEMO_PASSWORD
        );
        let t = &t;
        async move { t.post_form("/login", Auth::None, &body).await }
    };
    assert_eq!(
        login("%2Fmeetings%2F5%2Fcheck-in%3Fma%3DABCD")
            .await
            .location(),
        asked
    );
    for elsewhere in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "",
    ] {
        assert_eq!(login(elsewhere).await.location(), "/", "{elsewhere}");
    }
    // A wrong password keeps where to go.
    let bad = t
        .post_form(
            "/login",
            Auth::None,
            "username=admin&password=sai&next=%2Fmembers",
        )
        .await;
    assert!(bad.body.contains(r#"name="next" value="/members""#));
}

#[tokio::test]
async fn login_logout_and_session_cookie() {
    let t = TestApp::new().await;
    let res = t.get("/", Auth::None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login");
    let page = t.get("/login", Auth::None).await;
    assert!(page.body.contains("Đăng nhập"));

    let bad = t
        .post_form("/login", Auth::None, "username=admin&password=sai-mat-khau")
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    let unknown = t
        .post_form("/login", Auth::None, "username=khong-co&password=x")
        .await;
    assert!(
        unknown
            .body
            .contains("Tên đăng nhập hoặc mật khẩu không đúng"),
        "unknown users get the same answer"
    );

    let ok = t
        .post_form(
            "/login",
            Auth::None,
            &format!(
                "username=admin&password={}",
                chibo_seed::demo::DEMO_PASSWORD
            ),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let set = ok
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let cookie = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let home = t.get("/", Auth::Cookie(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Quản trị hệ thống"));
    for h in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
    ] {
        assert!(home.headers.contains_key(h), "missing {h}");
    }

    let out = t.post_form("/logout", Auth::Cookie(&cookie), "").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get("/", Auth::Cookie(&cookie)).await.location(),
        "/login",
        "the session is gone from the database"
    );
}

#[tokio::test]
async fn login_is_throttled_per_account() {
    let t = TestApp::new().await;
    for _ in 0..5 {
        let r = t
            .post_form("/login", Auth::None, "username=xaphulam&password=sai")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = t
        .post_form(
            "/login",
            Auth::None,
            &format!(
                "username=xaphulam&password={}",
                chibo_seed::demo::DEMO_PASSWORD
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("thử lại sau"));
    // Another account from the same address still gets in.
    t.login("admin").await;
    let api = t
        .send(
            Method::POST,
            "/api/v1/auth/token",
            Auth::None,
            Some((
                "application/json",
                json!({"username": "xaphulam", "password": "x"}).to_string(),
            )),
            None,
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.json()["error"]["code"], "too_many_attempts");
}

#[tokio::test]
async fn state_changes_need_our_origin() {
    let t = TestApp::new().await;
    let cookie = t.login("admin").await;
    let unit = t.unit_id("Chi bộ Tổ dân phố số 5").await;
    let path = format!("/units/{unit}/rename");
    let body = Some((
        "application/x-www-form-urlencoded",
        "name=Chi+b%E1%BB%99+m%E1%BB%9Bi".to_string(),
    ));
    let none = t
        .send(
            Method::POST,
            &path,
            Auth::Cookie(&cookie),
            body.clone(),
            None,
        )
        .await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let foreign = t
        .send(
            Method::POST,
            &path,
            Auth::Cookie(&cookie),
            body.clone(),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign.body.contains("giả mạo"));
    let ours = t
        .send(
            Method::POST,
            &path,
            Auth::Cookie(&cookie),
            body,
            Some(ORIGIN),
        )
        .await;
    assert_eq!(ours.status, StatusCode::SEE_OTHER, "{}", ours.body);
    // The unit's page confirms the change.
    assert_eq!(ours.location(), format!("/units/{unit}?da-luu=rename"));
    let page = t.get(ours.location(), Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("Chi bộ mới"));
    assert!(page.body.contains("Đã đổi tên đơn vị."), "{}", page.body);
    // The API with a cookie is held to the same rule; with a bearer token it is not forgeable.
    let api = t
        .send(
            Method::POST,
            &format!("/api/v1/units/{unit}/rename"),
            Auth::Cookie(&cookie),
            Some(("application/json", json!({"name": "X"}).to_string())),
            None,
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["error"]["code"], "csrf");
    // A bearer token signs the call, whatever cookie comes with it.
    let token = t.token("admin").await;
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/units/{unit}/rename"))
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("chibo_session={cookie}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(
            json!({"name": "Chi bộ đổi tên"}).to_string(),
        ))
        .unwrap();
    let signed = tower::ServiceExt::oneshot(t.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::OK);
}

#[tokio::test]
async fn api_reports_field_errors_in_vietnamese_and_writes_nothing() {
    let t = TestApp::new().await;
    let token = t.token("bithu.dongtam").await;
    // A path no route answers is the API's JSON error under /api/, the page elsewhere.
    let missing = t
        .api(
            Method::GET,
            "/api/v1/khong-co-duong-nay",
            &token,
            json!(null),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["code"], "not_found");
    assert!(
        missing.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Không tìm thấy")
    );
    // A method the path does not take: JSON too.
    let wrong = t
        .api(Method::PATCH, "/api/v1/members", &token, json!({}))
        .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.json()["error"]["code"], "method_not_allowed");
    let page = t.get("/khong-co-trang-nay", Auth::None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<html"), "{}", page.body);
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let before = t
        .api(Method::GET, "/api/v1/members", &token, json!(null))
        .await
        .json()["total"]
        .as_u64()
        .unwrap();
    let res = t
        .api(
            Method::POST,
            "/api/v1/members",
            &token,
            json!({
                "full_name": "Lò Văn Sáng", "date_of_birth": "1990-01-01", "sex": "male",
                "citizen_id": "12345", "admission_date": "1985-01-01", "unit_id": cell
            }),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.json();
    assert_eq!(body["error"]["code"], "invalid_input");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"citizen_id") && fields.contains(&"date_of_birth"),
        "{body}"
    );
    // A value of the wrong type names its field in Vietnamese, not serde's English.
    let res = t
        .api(
            Method::POST,
            "/api/v1/members",
            &token,
            json!({"full_name": "Lò Văn Sáng", "unit_id": "chi bộ"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.json();
    assert_eq!(body["error"]["fields"][0]["field"], "unit_id", "{body}");
    assert_eq!(
        body["error"]["fields"][0]["message"], "Giá trị của đơn vị không hợp lệ.",
        "{body}"
    );
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| "ạảấầẩẫậắằẳẵặđếềểễệốồổỗộớờởỡợứừửữựýỳỷỹỵ".contains(c))
    );
    let after = t
        .api(Method::GET, "/api/v1/members", &token, json!(null))
        .await
        .json()["total"]
        .as_u64()
        .unwrap();
    assert_eq!(before, after);

    let ok = t
        .api(Method::POST, "/api/v1/members", &token, json!({
            "full_name": "Lò Văn Sáng", "date_of_birth": "1990-01-01", "sex": "male", "citizen_id": "014090000123",
            "admission_date": "2015-06-01", "official_date": "2016-06-01", "card_number": "77.000001", "unit_id": cell
        }))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let dup = t
        .api(
            Method::POST,
            "/api/v1/members",
            &token,
            json!({
                "full_name": "Lò Thị Sáng", "date_of_birth": "1991-01-01", "sex": "female",
                "admission_date": "2015-06-01", "card_number": "77.000001", "unit_id": cell
            }),
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(dup.json()["error"]["fields"][0]["field"], "card_number");
    let malformed = t
        .send(
            Method::POST,
            "/api/v1/members",
            Auth::Bearer(&token),
            Some(("application/json", "{not json".into())),
            None,
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.json()["error"]["code"], "invalid_input");
    // Diacritic-free search through the API.
    let found = t
        .api(
            Method::GET,
            "/api/v1/members?q=lo%20van%20sang",
            &token,
            json!(null),
        )
        .await
        .json();
    assert_eq!(found["total"], 1);
}

#[tokio::test]
async fn api_tokens_work_and_can_be_revoked() {
    let t = TestApp::new().await;
    let token = t.token("bantochuc").await;
    let me = t.api(Method::GET, "/api/v1/me", &token, json!(null)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["grants"][0]["role"], "org_board");
    let tree = t
        .api(
            Method::GET,
            "/api/v1/units?date=2025-06-30",
            &token,
            json!(null),
        )
        .await
        .json();
    assert!(
        tree["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["name"] == "Đảng bộ huyện Phú Lâm")
    );
    let bad_date = t
        .api(
            Method::GET,
            "/api/v1/units?date=hôm-qua",
            &token,
            json!(null),
        )
        .await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    let gone = t
        .api(Method::DELETE, "/api/v1/auth/token", &token, json!(null))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let after = t.api(Method::GET, "/api/v1/me", &token, json!(null)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.json()["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn openapi_document_and_docs_page_list_every_endpoint() {
    let t = TestApp::new().await;
    let doc = t.get("/api/v1/openapi.json", Auth::None).await.json();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{} paths", paths.len());
    let docs = t.get("/api/v1/docs", Auth::None).await;
    assert_eq!(docs.status, StatusCode::OK);
    for p in paths.keys() {
        assert!(docs.body.contains(p.as_str()), "docs page misses {p}");
        assert!(p.starts_with("/api/v1/"));
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn pages_render_for_each_role() {
    let t = TestApp::new().await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    for (user, path, expect) in [
        ("admin", "/units".to_string(), "Đảng bộ tỉnh Hòa Sơn"),
        (
            "admin",
            "/units?ngay=2025-06-30".to_string(),
            "Đảng bộ huyện Phú Lâm",
        ),
        ("admin", format!("/units/{cell}"), "Tổ đảng số 1"),
        ("admin", "/admin/users".to_string(), "bithu.dongtam"),
        ("admin", "/admin/audit".to_string(), "Sáp nhập tổ chức đảng"),
        ("bantochuc", "/members?q=nguyen".to_string(), "Nguyễn"),
        (
            "xaphulam",
            format!("/units/{cell}/members/new"),
            "Thêm đảng viên",
        ),
        ("bithu.dongtam", "/me".to_string(), ""),
        ("dangvien.dongtam", "/account".to_string(), "Đổi mật khẩu"),
        ("bithu.dongtam", "/rule-sets".to_string(), "Hướng dẫn 42"),
        (
            "bithu.dongtam",
            format!("/units/{cell}"),
            "Bộ quy định sinh hoạt áp dụng",
        ),
    ] {
        let cookie = t.login(user).await;
        let r = t.get(&path, Auth::Cookie(&cookie)).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::SEE_OTHER,
            "{user} {path}: {}",
            r.status
        );
        assert!(
            r.body.contains(expect),
            "{user} {path} should show {expect}"
        );
    }
    // The member's own record shows party age.
    let cookie = t.login("dangvien.dongtam").await;
    let me = t.get("/me", Auth::Cookie(&cookie)).await;
    let own = t.get(me.location(), Auth::Cookie(&cookie)).await;
    assert!(own.body.contains("Tuổi đảng"));
    // htmx asks for the result table only.
    let cookie = t.login("admin").await;
    let partial = t
        .send(
            Method::GET,
            "/members?q=duc",
            Auth::Cookie(&cookie),
            None,
            None,
        )
        .await;
    assert!(partial.body.contains("<html"));
    let mut req = axum::http::Request::builder()
        .uri("/members?q=duc")
        .header("host", HOST)
        .header("hx-request", "true");
    req = req.header("cookie", format!("chibo_session={cookie}"));
    use tower::ServiceExt;
    let res = t
        .router
        .clone()
        .oneshot(req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(!body.contains("<html") && body.contains("đảng viên"));
}

#[tokio::test]
async fn member_form_shows_field_errors_and_keeps_values() {
    let t = TestApp::new().await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let r = t
        .post_form(&format!("/units/{cell}/members"), Auth::Cookie(&cookie), "full_name=H%C3%A0+Th%E1%BB%8B+Mai&date_of_birth=1990-01-01&sex=female&citizen_id=123&admission_date=2012-01-01")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Số CCCD phải gồm đúng 12 chữ số."));
    assert!(r.body.contains("Hà Thị Mai"), "the typed name is kept");
    let ok = t
        .post_form(&format!("/units/{cell}/members"), Auth::Cookie(&cookie), "full_name=H%C3%A0+Th%E1%BB%8B+Mai&date_of_birth=1990-01-01&sex=female&citizen_id=001190000321&admission_date=2012-01-01&official_date=2013-01-01")
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = t.get(ok.location(), Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("Hà Thị Mai") && page.body.contains("Chính thức"));
}

#[tokio::test]
async fn rule_set_pages_show_the_rules_and_refuse_bad_json() {
    let t = TestApp::new().await;
    let cookie = t.login("admin").await;
    let list = t.get("/rule-sets", Auth::Cookie(&cookie)).await;
    assert!(
        list.body.contains("Thêm bộ quy định") && list.body.contains("min_duration_minutes"),
        "the form starts from a copy"
    );
    let id = list
        .body
        .split("/rule-sets/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let one = t
        .get(&format!("/rule-sets/{id}"), Auth::Cookie(&cookie))
        .await;
    assert!(
        one.body.contains("Quy trình sinh hoạt")
            && one.body.contains("Xếp loại")
            && one.body.contains("90 phút")
    );
    let bad = t
        .post_form(
            "/rule-sets",
            Auth::Cookie(&cookie),
            "code=thu&name=Th%E1%BB%AD&effective_from=2026-01-01&rules=%7Bnot",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("không phải JSON hợp lệ"));
    let member = t.login("dangvien.dongtam").await;
    let page = t.get("/rule-sets", Auth::Cookie(&member)).await;
    assert!(
        !page.body.contains("Thêm bộ quy định"),
        "only administrators add rule sets"
    );
}

#[tokio::test]
async fn a_secretary_schedules_publishes_and_takes_attendance_through_the_pages() {
    let t = TestApp::new().await;
    let sec = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let page = t
        .get(&format!("/units/{cell}/meetings"), Auth::Cookie(&sec))
        .await;
    assert!(page.body.contains("Lập lịch buổi sinh hoạt"));
    let bad = t
        .post_form(
            &format!("/units/{cell}/meetings"),
            Auth::Cookie(&sec),
            "kind=regular&topic=&meeting_date=2026-10-15&start_time=19%3A30&place=",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Vui lòng nhập nội dung chính"));
    let ok = t
        .post_form(
            &format!("/units/{cell}/meetings"),
            Auth::Cookie(&sec),
            "kind=regular&topic=Thu+ho%E1%BA%A1ch+v%E1%BB%A5+m%C3%B9a&meeting_date=2026-10-15&start_time=19%3A30&place=Nh%C3%A0+v%C4%83n+h%C3%B3a&confirm=on",
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // The new meeting's page, confirming it was scheduled.
    let (url, confirmed) = ok.location().split_once('?').unwrap();
    assert_eq!(confirmed, "da-luu=schedule");
    let url = url.to_string();
    let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
    let member = t.login("dangvien.dongtam").await;
    assert_eq!(
        t.get(&url, Auth::Cookie(&member)).await.status,
        StatusCode::NOT_FOUND,
        "not announced yet"
    );
    assert_eq!(
        t.post_form(&format!("/meetings/{id}/publish"), Auth::Cookie(&sec), "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        t.get(&url, Auth::Cookie(&member)).await.status,
        StatusCode::OK
    );

    // Everyone on the sheet present.
    let sheet = t.get(&url, Auth::Cookie(&sec)).await;
    let form: Vec<String> = sheet
        .body
        .match_indices("name=\"presence_")
        .map(|(i, _)| sheet.body[i + 15..].split('"').next().unwrap().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|id| format!("presence_{id}=present"))
        .collect();
    assert!(form.len() > 30);
    let saved = t
        .post_form(
            &format!("/meetings/{id}/attendance"),
            Auth::Cookie(&sec),
            &form.join("&"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = t.get(&url, Auth::Cookie(&sec)).await;
    assert!(
        after.body.contains("100,0%") && after.body.contains("đạt"),
        "the rate and the verdict are shown"
    );
    assert!(after.body.contains("Đã họp"));
    let list = t
        .get(&format!("/units/{cell}/meetings"), Auth::Cookie(&member))
        .await;
    assert!(list.body.contains("Thu hoạch vụ mùa"));

    // The record with a vote, then a task for the member, who reports on it from their phone.
    let member_actor = auth::actor_by_username(&t.app, "dangvien.dongtam")
        .await
        .unwrap()
        .unwrap();
    let mid = member_actor.member_id().unwrap().get();
    let bad = t
        .post_form(
            &format!("/meetings/{id}/record"),
            Auth::Cookie(&sec),
            "end_time=18%3A00",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Giờ kết thúc phải sau giờ bắt đầu"));
    // A value that is not a number is named, never read as "no vote".
    let bad = t
        .post_form(
            &format!("/meetings/{id}/record"),
            Auth::Cookie(&sec),
            "end_time=21%3A30&votes_for=ba+m%C6%B0%C6%A1i",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Giá trị của số phiếu tán thành không hợp lệ."),
        "{}",
        bad.body
    );
    // A task with no member chosen is refused as such, never given to member 0.
    let bad = t
        .post_form(
            &format!("/meetings/{id}/tasks"),
            Auth::Cookie(&sec),
            "member_id=&what=V%E1%BA%ADn+%C4%91%E1%BB%99ng&due_on=2026-11-30",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Vui lòng chọn đảng viên được giao."));
    let rec = t
        .post_form(&format!("/meetings/{id}/record"), Auth::Cookie(&sec), &format!("end_time=21%3A30&chair_member_id={mid}&chair_reason=B%C3%AD+th%C6%B0+%C4%91i+c%C3%B4ng+t%C3%A1c&resolution_text=1.+Thu+ho%E1%BA%A1ch%0D%0A2.+V%E1%BA%ADn+%C4%91%E1%BB%99ng&votes_for=30&votes_against=0&votes_abstain=1"))
        .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.body);
    let task = t
        .post_form(
            &format!("/meetings/{id}/tasks"),
            Auth::Cookie(&sec),
            &format!(
                "member_id={mid}&what=V%E1%BA%ADn+%C4%91%E1%BB%99ng+5+h%E1%BB%99&due_on=2026-11-30"
            ),
        )
        .await;
    assert_eq!(task.status, StatusCode::SEE_OTHER, "{}", task.body);
    let page = t.get(&url, Auth::Cookie(&sec)).await;
    assert!(page.body.contains("nghị quyết hợp lệ") && page.body.contains("Vận động 5 hộ"));
    let title = page
        .body
        .split("<title>")
        .nth(1)
        .unwrap()
        .split("</title>")
        .next()
        .unwrap();
    assert!(
        !title.contains('<') && title.len() < 120,
        "the title is plain text: {title}"
    );
    let main = page.body.split("<main>").nth(1).unwrap();
    assert!(
        main.contains("id=\"steps\"")
            && main.contains("id=\"record\"")
            && main.contains("id=\"score\"")
    );
    assert_eq!(
        page.body.matches("id=\"record\"").count(),
        1,
        "each section once"
    );
    let print = t
        .get(&format!("{url}/print?loai=nghi-quyet"), Auth::Cookie(&sec))
        .await;
    assert!(
        print.body.contains("ĐẢNG CỘNG SẢN VIỆT NAM") && print.body.contains("NGHỊ QUYẾT"),
        "{}",
        print.body
    );
    // Issue 13, defect 6: the numbered items stay apart, on the page and in the document.
    assert!(page.body.contains(r#"class="multiline""#));
    assert!(
        print.body.contains("<p>1. Thu hoạch</p>") && print.body.contains("<p>2. Vận động</p>"),
        "{}",
        print.body
    );
    // Issue 13, defect 5: numbered in the cell and year, never twice.
    let number = |body: &str| {
        body.split("Số ")
            .nth(1)
            .and_then(|r| r.split("-NQ/CB").next())
            .map(str::to_string)
            .unwrap()
    };
    let first = number(&print.body);
    let token = t.token("bithu.dongtam").await;
    let date: chrono::NaiveDate = t.meeting(&token, id).await["meeting"]["meeting_date"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (other, _) = hold(&t, &token, cell, date + chrono::Duration::days(1), &[]).await;
    let second = t
        .get(
            &format!("/meetings/{other}/print?loai=nghi-quyet"),
            Auth::Cookie(&sec),
        )
        .await;
    let second = number(&second.body);
    assert_ne!(first, second, "two meetings, two numbers");
    assert_eq!(
        second.parse::<u32>().unwrap(),
        first.parse::<u32>().unwrap() + 1,
        "the next one in the year"
    );
    let docx = t
        .get(&format!("{url}/minutes.docx"), Auth::Cookie(&sec))
        .await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(
        docx.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("bien-ban")
    );
    assert!(
        page.body.contains("Chưa được giao nhiệm vụ"),
        "the others have no task yet"
    );
    let mine = t.get("/tasks", Auth::Cookie(&member)).await;
    assert!(mine.body.contains("Vận động 5 hộ"));
    let task_id = mine
        .body
        .split("/tasks/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let done = t
        .post_form(
            &format!("/tasks/{task_id}/progress"),
            Auth::Cookie(&member),
            "status=done&progress=%C4%90%C3%A3+xong",
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    // Issue 13, defect 7: the save is confirmed.
    assert_eq!(done.location(), "/tasks?da-luu=1");
    let after = t.get(done.location(), Auth::Cookie(&member)).await;
    assert!(after.body.contains("Đã cập nhật kết quả nhiệm vụ."));
    // Issue 13, defect 8: a task done leaves its form and is listed apart.
    let after = t.get("/tasks", Auth::Cookie(&member)).await;
    assert!(!after.body.contains("Đã cập nhật kết quả nhiệm vụ."));
    assert!(
        after.body.contains("Nhiệm vụ đã hoàn thành (1)"),
        "{}",
        after.body
    );
    assert!(!after.body.contains(&format!("/tasks/{task_id}/progress")));
}

#[tokio::test]
async fn a_page_form_is_urlencoded_or_refused() {
    let t = TestApp::new().await;
    let r = t
        .send(
            Method::POST,
            "/login",
            Auth::None,
            Some(("text/plain", "username=admin&password=x".to_string())),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Không đọc được dữ liệu biểu mẫu."));
    // Many blank fields are read once each, and the form still answers.
    let blanks: String = (0..20_000).map(|i| format!("&k{i}=")).collect();
    let r = t
        .post_form(
            "/login",
            Auth::None,
            &format!("username=admin&password=sai-mat-khau{blanks}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_audit_log_pages_by_keyset_to_its_end() {
    use chibo_store::entities::audit;
    use chibo_store::sea_orm::{EntityTrait, PaginatorTrait};
    let t = TestApp::new().await;
    let admin = t.token("admin").await;
    let total = audit::Entity::find().count(&t.app.db).await.unwrap();
    assert!(total > 14, "the demo writes an audit trail: {total}");
    let mut ids: Vec<i64> = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let path = match before {
            Some(b) => format!("/api/v1/audit?limit=7&before={b}"),
            None => "/api/v1/audit?limit=7".to_string(),
        };
        let page = ok(&t.api(Method::GET, &path, &admin, json!(null)).await);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 7);
        ids.extend(items.iter().map(|e| e["id"].as_i64().unwrap()));
        match page["next"].as_i64() {
            Some(n) => {
                assert_eq!(Some(n), ids.last().copied(), "next is the page's last id");
                before = Some(n);
            }
            None => break,
        }
    }
    assert_eq!(ids.len() as u64, total, "every entry once");
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeat"
    );
    // The page links the same way.
    let cookie = t.login("admin").await;
    let first = t.get("/admin/audit", Auth::Cookie(&cookie)).await;
    assert!(
        first.body.contains("/admin/audit?before="),
        "a link to older entries"
    );
    assert!(
        !first.body.contains("Mới nhất"),
        "the newest page links to no newer one"
    );
}

#[tokio::test]
async fn accounts_page_by_keyset_in_username_order() {
    use chibo_store::entities::user;
    use chibo_store::sea_orm::{EntityTrait, PaginatorTrait};
    let t = TestApp::new().await;
    let admin = t.token("admin").await;
    let total = user::Entity::find().count(&t.app.db).await.unwrap();
    let mut names: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/users?per_page=3&after={a}"),
            None => "/api/v1/users?per_page=3".to_string(),
        };
        let page = ok(&t.api(Method::GET, &path, &admin, json!(null)).await);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        names.extend(
            items
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_string()),
        );
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(names.len() as u64, total, "every account once");
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "in username order: {names:?}"
    );
    let bad = t
        .api(Method::GET, "/api/v1/users?after=xyz", &admin, json!(null))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Issue 13, defect 1: a form refused with errors is shown again as it was typed: the whole
/// attendance sheet as ticked, and the record with its resolution text.
#[tokio::test]
async fn refused_forms_keep_what_was_typed() {
    let t = TestApp::new().await;
    let token = t.token("bithu.dongtam").await;
    let cookie = t.login("bithu.dongtam").await;
    let cell = t.unit_id("Chi bộ thôn Đồng Tâm").await;
    let (id, d) = hold(
        &t,
        &token,
        cell,
        chibo_app::App::today() - chrono::Duration::days(1),
        &[],
    )
    .await;
    let ids: Vec<i64> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["member_id"].as_i64().unwrap())
        .collect();
    // Everyone ticked present but one, absent "with reason" and no reason given: refused.
    let mut form: Vec<String> = ids
        .iter()
        .map(|m| format!("presence_{m}=present"))
        .collect();
    form[0] = format!("presence_{}=absent_excused", ids[0]);
    form.push(format!("reason_{}=", ids[0]));
    form.push(format!("reason_{}=%C3%94m", ids[1]));
    let r = t
        .post_form(
            &format!("/meetings/{id}/attendance"),
            Auth::Cookie(&cookie),
            &form.join("&"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let ticked = |m: i64, v: &str| format!(r#"name="presence_{m}" value="{v}" checked"#);
    assert!(
        r.body.contains(&ticked(ids[0], "absent_excused")),
        "{}",
        r.body
    );
    assert!(r.body.contains(&ticked(ids[2], "present")));
    assert!(
        r.body
            .contains(&format!(r#"name="reason_{}" value="Ôm""#, ids[1]))
    );

    // The record: a wrong end time keeps the resolution and the votes as typed.
    let r = t
        .post_form(
            &format!("/meetings/{id}/record"),
            Auth::Cookie(&cookie),
            "end_time=25%3A99&resolution_text=1.+Thu+ho%E1%BA%A1ch%0D%0A2.+Gi%E1%BB%AF+g%C3%ACn&votes_for=7&votes_against=0&votes_abstain=0",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Giờ kết thúc"), "{}", r.body);
    assert!(
        r.body.contains("1. Thu hoạch\r\n2. Giữ gìn")
            || r.body.contains("1. Thu hoạch\n2. Giữ gìn"),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"name="votes_for" value="7""#));
    assert!(r.body.contains(r#"name="end_time" value="25:99""#));

    // Defect 7: a saved change says so, and only the chair and the minute-taker who have not
    // signed are offered the sign-off.
    let me = t.member_id("bithu.dongtam").await;
    let other = ids.iter().copied().find(|m| *m != me).unwrap();
    let present: Vec<String> = ids
        .iter()
        .map(|m| format!("presence_{m}=present"))
        .collect();
    let r = t
        .post_form(
            &format!("/meetings/{id}/attendance"),
            Auth::Cookie(&cookie),
            &present.join("&"),
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/meetings/{id}?da-luu=attendance-form#attendance-form")
    );
    // Issue 13: the record form offers the cell's secretary as the chair.
    let page = t.get(r.location(), Auth::Cookie(&cookie)).await;
    let chair = section(&page.body, r#"name="chair_member_id""#, "</select>");
    assert!(
        chair.contains(&format!(r#"value="{me}" selected"#)),
        "{chair}"
    );
    assert_eq!(chair.matches(" selected").count(), 1, "{chair}");
    let r = t
        .post_form(
            &format!("/meetings/{id}/record"),
            Auth::Cookie(&cookie),
            &format!("end_time=21%3A30&chair_member_id={me}&secretary_member_id={other}&resolution_text=Thu+ho%E1%BA%A1ch"),
        )
        .await;
    assert!(r.status.is_redirection(), "{}", r.body);
    let page = t.get(r.location(), Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("Đã lưu biên bản."), "{}", page.body);
    // Issue 13: each member still without a task leads to the task form, chosen.
    let line = section(&page.body, r#"id="without-task""#, "</p>");
    let link = format!("/meetings/{id}?giao={other}#task-form");
    assert!(line.contains(&format!(r#"href="{link}""#)), "{line}");
    let form = t.get(&link, Auth::Cookie(&cookie)).await;
    let task_form = section(&form.body, r#"id="task-form""#, "</form>");
    assert!(
        task_form.contains(&format!(r#"value="{other}" checked"#)),
        "{task_form}"
    );
    assert!(page.body.contains(r#"id="approve""#), "the chair may sign");
    let board = t.login("bantochuc").await;
    let seen = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&board))
        .await;
    assert!(
        !seen.body.contains(r#"id="approve""#),
        "the board officer may not"
    );
    // Issue 13, defect 7: the organisation board reads the score; the commune's committee
    // adjusts it.
    assert!(!seen.body.contains("Lưu điểm"), "{}", seen.body);
    assert!(
        !seen.body.contains("placeholder=\"Lý do điều chỉnh\""),
        "{}",
        seen.body
    );
    let board_token = t.token("bantochuc").await;
    let adjust = json!({"entries": [{"criterion": "x", "points": 1, "reason": "Thử"}]});
    let refused = t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/score"),
            &board_token,
            adjust.clone(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let commune = t.login("xaphulam").await;
    let theirs = t
        .get(&format!("/meetings/{id}"), Auth::Cookie(&commune))
        .await;
    assert!(
        theirs.body.contains("placeholder=\"Lý do điều chỉnh\""),
        "{}",
        theirs.body
    );
    // (Once signed it is no longer offered: `month.rs` signs a complete record through the
    // API; the page's condition is `ShowPage::may_approve`.)
}
