#![allow(dead_code)]
//! `TestApp`: the real router over a fresh demo database, driven in-process.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chibo_app::{App, Config};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const HOST: &str = "chibo.test";
pub const ORIGIN: &str = "http://chibo.test";

pub struct TestApp {
    pub app: App,
    pub router: Router,
}

pub enum Auth<'a> {
    None,
    Cookie(&'a str),
    Bearer(&'a str),
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Res {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with(Config::default(), chibo_web::WebConfig::default()).await
    }

    /// The demo under other settings.
    pub async fn with(config: Config, web: chibo_web::WebConfig) -> TestApp {
        let db = chibo_store::testing::fresh_db()
            .await
            .expect("test database");
        let app = App::new(db, config);
        chibo_seed::demo::seed(&app).await.expect("demo");
        let router = chibo_web::router(app.clone(), web);
        TestApp { app, router }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<(&str, String)>,
        origin: Option<&str>,
    ) -> Res {
        let body = body.map(|(ctype, b)| (ctype, b.into_bytes()));
        self.send_bytes(method, path, auth, body, origin).await
    }

    /// One file in a multipart form (field `file`), from our own pages' origin.
    pub async fn upload(&self, path: &str, auth: Auth<'_>, file_name: &str, bytes: &[u8]) -> Res {
        let boundary = "chibo-test-boundary-7f3a";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ctype = format!("multipart/form-data; boundary={boundary}");
        self.send_bytes(Method::POST, path, auth, Some((&ctype, body)), Some(ORIGIN))
            .await
    }

    pub async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<(&str, Vec<u8>)>,
        origin: Option<&str>,
    ) -> Res {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST);
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        match auth {
            Auth::None => {}
            Auth::Cookie(c) => b = b.header(header::COOKIE, format!("chibo_session={c}")),
            Auth::Bearer(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
        let req = match body {
            Some((ctype, body)) => b
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, auth: Auth<'_>) -> Res {
        self.send(Method::GET, path, auth, None, None).await
    }

    /// A form post from our own pages (same origin).
    pub async fn post_form(&self, path: &str, auth: Auth<'_>, form: &str) -> Res {
        self.send(
            Method::POST,
            path,
            auth,
            Some(("application/x-www-form-urlencoded", form.to_string())),
            Some(ORIGIN),
        )
        .await
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        json: serde_json::Value,
    ) -> Res {
        let body = if method == Method::GET {
            None
        } else {
            Some(("application/json", json.to_string()))
        };
        self.send(method, path, Auth::Bearer(token), body, None)
            .await
    }

    /// Logs in through the page and returns the session cookie's value.
    pub async fn login(&self, username: &str) -> String {
        self.login_with(username, chibo_seed::demo::DEMO_PASSWORD)
            .await
    }

    /// Logs in an account made with its own password; returns the session cookie's value.
    pub async fn login_with(&self, username: &str, password: &str) -> String {
        let password: String = form_urlencoded::byte_serialize(password.as_bytes()).collect();
        let res = self
            .post_form(
                "/login",
                Auth::None,
                &format!("username={username}&password={password}"),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "login of {username}: {}",
            res.body
        );
        let cookie = res
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        cookie
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string()
    }

    pub async fn token(&self, username: &str) -> String {
        self.token_with(username, chibo_seed::demo::DEMO_PASSWORD)
            .await
    }

    /// A bearer token for an account made with its own password.
    pub async fn token_with(&self, username: &str, password: &str) -> String {
        let res = self
            .send(
                Method::POST,
                "/api/v1/auth/token",
                Auth::None,
                Some((
                    "application/json",
                    serde_json::json!({"username": username, "password": password}).to_string(),
                )),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        res.json()["token"].as_str().unwrap().to_string()
    }

    /// The meeting page as `token` reads it through the API (writes answer with a part only).
    pub async fn meeting(&self, token: &str, id: impl std::fmt::Display) -> serde_json::Value {
        ok(&self
            .api(
                Method::GET,
                &format!("/api/v1/meetings/{id}"),
                token,
                serde_json::Value::Null,
            )
            .await)
    }

    pub async fn unit_id(&self, name: &str) -> i64 {
        use chibo_store::entities::unit;
        use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        unit::Entity::find()
            .filter(unit::Column::Name.eq(name))
            .one(&self.app.db)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// The actor of the account `username`.
    pub async fn actor(&self, username: &str) -> chibo_app::Actor {
        chibo_app::access::auth::actor_by_username(&self.app, username)
            .await
            .unwrap()
            .unwrap()
    }

    /// The member the account `username` belongs to.
    pub async fn member_id(&self, username: &str) -> i64 {
        self.actor(username).await.member_id().unwrap().get()
    }
}

/// The JSON of a successful answer (the test fails with the body otherwise).
pub fn ok(r: &Res) -> serde_json::Value {
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    r.json()
}

/// The first field message of a 422 answer with the `invalid_input` code.
pub fn refused(r: &Res) -> String {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v = r.json();
    assert_eq!(v["error"]["code"], "invalid_input");
    v["error"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Today in Vietnam plus `offset` days, as `YYYY-MM-DD`.
pub fn day(offset: i64) -> String {
    (chibo_app::App::today() + chrono::Duration::days(offset)).to_string()
}

/// Whether an import report's `errors` name `row` and `column` with a message containing `text`.
pub fn has_row_error(errors: &[serde_json::Value], row: u64, column: &str, text: &str) -> bool {
    errors.iter().any(|e| {
        e["row"] == row
            && e["column"].as_str().unwrap() == column
            && e["message"].as_str().unwrap().contains(text)
    })
}

/// Schedules and publishes a regular meeting of `cell` on `date` at 19:30; returns its id.
pub async fn published(t: &TestApp, token: &str, cell: i64, date: chrono::NaiveDate) -> i64 {
    let m = ok(&t
        .api(Method::POST, &format!("/api/v1/units/{cell}/meetings"), token, json!({
            "kind": "regular", "topic": "Kiểm điểm tháng, nhiệm vụ tháng tới", "meeting_date": date.to_string(),
            "start_time": "19:30", "place": "Nhà văn hóa thôn", "confirm": true
        }))
        .await);
    let id = m["id"].as_i64().unwrap();
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/meetings/{id}/publish"),
            token,
            json!({}),
        )
        .await);
    id
}

/// Holds a meeting where two members (never those in `keep`) are absent with a reason.
pub async fn hold(
    t: &TestApp,
    token: &str,
    cell: i64,
    date: chrono::NaiveDate,
    keep: &[i64],
) -> (i64, Value) {
    let id = published(t, token, cell, date).await;
    let d = t.meeting(token, id).await;
    let rows = d["sheet"].as_array().unwrap();
    let absent: Vec<i64> = rows
        .iter()
        .map(|r| r["member_id"].as_i64().unwrap())
        .filter(|id| !keep.contains(id))
        .take(2)
        .collect();
    let entries: Vec<Value> = rows
        .iter()
        .map(|r| {
            if absent.contains(&r["member_id"].as_i64().unwrap()) {
                json!({"member_id": r["member_id"], "presence": "absent_excused", "reason": "Đi làm ăn xa"})
            } else {
                json!({"member_id": r["member_id"], "presence": "present"})
            }
        })
        .collect();
    let sheet = ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            token,
            json!({ "entries": entries }),
        )
        .await);
    // The write answers with the sheet it changed; the page shows the rest.
    assert_eq!(sheet["summary"]["absent_excused"], 2);
    (id, t.meeting(token, id).await)
}

/// Records every member of meeting `id`'s sheet still without a presence as absent without
/// reason: the sheet is then whole, as a vote needs it.
pub async fn complete_sheet(t: &TestApp, token: &str, id: i64) {
    let d = t.meeting(token, id).await;
    let rest: Vec<Value> = d["sheet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["presence"].is_null())
        .map(|r| json!({"member_id": r["member_id"], "presence": "absent_unexcused"}))
        .collect();
    ok(&t
        .api(
            Method::PUT,
            &format!("/api/v1/meetings/{id}/attendance"),
            token,
            json!({ "entries": rest }),
        )
        .await);
}

/// The part of `body` after the first `start`, up to the next `end` (a form or a paragraph of a
/// page, to look at on its own).
pub fn section<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let rest = body
        .split_once(start)
        .unwrap_or_else(|| panic!("no {start} in {body}"))
        .1;
    rest.split(end).next().unwrap_or(rest)
}

/// The label that holds the field `name`, from its opening to its end (where a refused form
/// shows the field's value and its message).
pub fn label_of<'a>(body: &'a str, name: &str) -> &'a str {
    let at = body
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name} in {body}"));
    let start = body[..at].rfind("<label").unwrap();
    let end = at + body[at..].find("</label>").unwrap();
    &body[start..end]
}

/// The label of the field `name` inside the form of id `form`.
pub fn label_in<'a>(body: &'a str, form: &str, name: &str) -> &'a str {
    label_of(section(body, &format!("id=\"{form}\""), "</form>"), name)
}

/// Schedules a meeting of `cell` through the API, past the warnings (a day already past, a
/// second regular meeting in the month) unless `body` says `"confirm": false`; its id.
pub async fn schedule(t: &TestApp, token: &str, cell: i64, mut body: Value) -> i64 {
    if body.get("confirm").is_none() {
        body["confirm"] = json!(true);
    }
    ok(&t
        .api(
            Method::POST,
            &format!("/api/v1/units/{cell}/meetings"),
            token,
            body,
        )
        .await)["id"]
        .as_i64()
        .unwrap()
}

/// An email to member `member_id` that failed its six attempts (what the outbox's pages show
/// and send again).
pub async fn failed_message(t: &TestApp, member_id: i64) -> chibo_store::entities::outbox::Model {
    use chibo_store::sea_orm::{ActiveModelTrait, Set};
    chibo_store::entities::outbox::ActiveModel {
        member_id: Set(member_id),
        kind: Set("meeting_published".into()),
        channel: Set("email".into()),
        address: Set("dangvien@example.vn".into()),
        subject: Set("Thông báo sinh hoạt: Chi bộ thôn Đồng Tâm".into()),
        body: Set("…".into()),
        meeting_id: Set(None),
        status: Set("failed".into()),
        attempts: Set(6),
        next_attempt_at: Set(chrono::Utc::now()),
        claimed_by: Set(None),
        claimed_until: Set(None),
        last_error: Set(Some("máy chủ thư từ chối: 550 Mailbox unavailable".into())),
        created_at: Set(chrono::Utc::now()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
}
