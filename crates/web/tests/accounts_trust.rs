//! Accounts a stolen password or an idle phone cannot open (issue 15, point 4): the second
//! factor of administrators and board officers, sessions that end when idle or old, the
//! password policy, HSTS.

mod common;

use axum::http::{Method, StatusCode, header};
use chibo_store::entities::{session, user};
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use common::*;
use serde_json::json;

/// The code the account's app shows at `now + offset` seconds.
fn code(secret: &str, offset: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.into()).to_bytes().unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    totp.generate((chrono::Utc::now().timestamp() + offset) as u64)
}

fn cookie_of(r: &Res) -> String {
    let c = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    c.split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

async fn password_login(t: &TestApp, username: &str) -> Res {
    t.post_form(
        "/login",
        Auth::None,
        &format!(
            "username={username}&password={}&next=/account",
            chibo_seed::demo::DEMO_PASSWORD
        ),
    )
    .await
}

async fn audited(t: &TestApp, action: &str) -> u64 {
    use chibo_store::entities::audit;
    use chibo_store::sea_orm::PaginatorTrait;
    audit::Entity::find()
        .filter(audit::Column::Action.eq(action))
        .count(&t.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_board_officer_signs_in_with_a_code_once_it_is_on() {
    let t = TestApp::new().await;
    // A member has no second factor to turn on.
    let member = t.token("dangvien.dongtam").await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/me/second-factor/enrolment",
            &member,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let page = t
        .get("/account", Auth::Cookie(&t.login("dangvien.dongtam").await))
        .await;
    assert!(!page.body.contains("id=\"second-factor\""));

    // The board officer turns it on through the API.
    let board = t.token("bantochuc").await;
    let e = ok(&t
        .api(
            Method::POST,
            "/api/v1/me/second-factor/enrolment",
            &board,
            json!({}),
        )
        .await);
    let secret = e["secret"].as_str().unwrap().to_string();
    assert!(
        e["uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/chibo:bantochuc?secret=")
    );
    let enable = |password: &str, code: String| json!({"secret": secret, "password": password, "code": code});
    let r = t
        .api(
            Method::PUT,
            "/api/v1/me/second-factor",
            &board,
            enable("sai-mat-khau", code(&secret, 0)),
        )
        .await;
    assert!(refused(&r).contains("Mật khẩu hiện tại không đúng"));
    let r = t
        .api(
            Method::PUT,
            "/api/v1/me/second-factor",
            &board,
            enable(chibo_seed::demo::DEMO_PASSWORD, "000000".into()),
        )
        .await;
    assert!(refused(&r).contains("Mã xác thực không đúng"), "{}", r.body);
    // The previous step's code: a phone's clock a little behind is let in.
    let turned_on = code(&secret, -30);
    let r = t
        .api(
            Method::PUT,
            "/api/v1/me/second-factor",
            &board,
            enable(chibo_seed::demo::DEMO_PASSWORD, turned_on.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(audited(&t, "user.second_factor.on").await, 1);
    // Every token and session of the account ended.
    let r = t.get("/api/v1/me", Auth::Bearer(&board)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The password alone opens a session waiting for the code, which reaches nothing else.
    let r = password_login(&t, "bantochuc").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login/code?next=%2Faccount");
    let pending = cookie_of(&r);
    let r = t.get("/account", Auth::Cookie(&pending)).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "a waiting session is not signed in"
    );
    let form = t
        .get("/login/code?next=/account", Auth::Cookie(&pending))
        .await;
    assert!(form.body.contains("autocomplete=\"one-time-code\""));
    let r = t
        .post_form(
            "/login/code",
            Auth::Cookie(&pending),
            "code=123456&next=/account",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Mã xác thực không đúng"), "{}", r.body);
    // The code used to turn it on is not taken again. The same string, not the previous
    // step's code computed anew: thirty seconds on, that is a newer step and rightly taken.
    let r = t
        .post_form(
            "/login/code",
            Auth::Cookie(&pending),
            &format!("code={turned_on}&next=/account"),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code is taken once"
    );
    let r = t
        .post_form(
            "/login/code",
            Auth::Cookie(&pending),
            &format!("code={}&next=/account", code(&secret, 0)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/account");
    let live = cookie_of(&r);
    assert_ne!(live, pending, "the live session has a secret of its own");
    let page = t.get("/account", Auth::Cookie(&live)).await;
    assert!(
        page.body.contains("Xác thực hai bước: <strong>đang bật"),
        "{}",
        page.body
    );
    // The waiting session is gone.
    let r = t
        .post_form(
            "/login/code",
            Auth::Cookie(&pending),
            &format!("code={}", code(&secret, 30)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("đăng nhập lại"));

    // A token needs the code too.
    let token = |code: Option<String>| {
        t.send(
            Method::POST,
            "/api/v1/auth/token",
            Auth::None,
            Some((
                "application/json",
                json!({"username": "bantochuc", "password": chibo_seed::demo::DEMO_PASSWORD, "code": code}).to_string(),
            )),
            None,
        )
    };
    let r = token(None).await;
    assert!(refused(&r).contains("xác thực hai bước"), "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "code");
    let r = token(Some(code(&secret, 30))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // The phone is lost: the administrator turns it off from the account's page.
    let admin = t.login("admin").await;
    let id = user::Entity::find()
        .filter(user::Column::Username.eq("bantochuc"))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let page = t
        .get(&format!("/admin/users/{id}"), Auth::Cookie(&admin))
        .await;
    assert!(page.body.contains("id=\"second-factor-reset\""));
    let r = t
        .post_form(
            &format!("/admin/users/{id}/second-factor/reset"),
            Auth::Cookie(&admin),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(audited(&t, "user.second_factor.reset").await, 1);
    let r = password_login(&t, "bantochuc").await;
    assert_eq!(
        r.location(),
        "/account",
        "the password alone signs in again"
    );
    // Not twice, and not by anyone but an administrator.
    let r = t
        .api(
            Method::DELETE,
            &format!("/api/v1/users/{id}/second-factor"),
            &t.token("admin").await,
            json!({}),
        )
        .await;
    assert!(refused(&r).contains("chưa bật"));
    let r = t
        .api(
            Method::DELETE,
            &format!("/api/v1/users/{id}/second-factor"),
            &member,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_administrator_turns_it_on_and_off_in_the_pages() {
    let t = TestApp::new().await;
    let cookie = t.login("admin").await;
    let page = t.get("/account/second-factor", Auth::Cookie(&cookie)).await;
    assert!(page.body.contains("<svg"), "the QR code is drawn");
    let secret = section(&page.body, "id=\"second-factor-secret\">", "</code>")
        .trim_start_matches("id=\"second-factor-secret\">")
        .to_string();
    let r = t
        .post_form(
            "/account/second-factor",
            Auth::Cookie(&cookie),
            &format!(
                "secret={secret}&password={}&code=111111",
                chibo_seed::demo::DEMO_PASSWORD
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"second-factor-errors\""));
    let r = t
        .post_form(
            "/account/second-factor",
            Auth::Cookie(&cookie),
            &format!(
                "secret={secret}&password={}&code={}",
                chibo_seed::demo::DEMO_PASSWORD,
                code(&secret, 0)
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login?next=/account");
    let pending = cookie_of(&password_login(&t, "admin").await);
    let r = t
        .post_form(
            "/login/code",
            Auth::Cookie(&pending),
            &format!("code={}", code(&secret, 30)),
        )
        .await;
    let live = cookie_of(&r);
    // Turning it off takes a code not yet taken: the test forgets the last step taken rather
    // than wait thirty seconds for the next code.
    user::Entity::update_many()
        .col_expr(user::Column::TotpLastStep, Expr::value(None::<i64>))
        .filter(user::Column::Username.eq("admin"))
        .exec(&t.app.db)
        .await
        .unwrap();
    let r = t
        .post_form(
            "/account/second-factor/off",
            Auth::Cookie(&live),
            &format!(
                "password={}&code={}",
                chibo_seed::demo::DEMO_PASSWORD,
                code(&secret, 0)
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(audited(&t, "user.second_factor.off").await, 1);
    assert_eq!(password_login(&t, "admin").await.location(), "/account");
}

#[tokio::test]
async fn a_session_ends_when_left_idle_or_grown_old() {
    let config = chibo_app::Config {
        actor_memo_seconds: 0,
        ..Default::default()
    };
    let t = TestApp::with(config, chibo_web::WebConfig::default()).await;
    let cookie = t.login("bithu.dongtam").await;
    let hash = hex_sha256(&cookie);
    let set = |column: session::Column, minutes: i64| {
        session::Entity::update_many()
            .col_expr(
                column,
                Expr::value(chrono::Utc::now() + chrono::Duration::minutes(minutes)),
            )
            .filter(session::Column::TokenHash.eq(hash.clone()))
            .exec(&t.app.db)
    };
    let row = || {
        session::Entity::find()
            .filter(session::Column::TokenHash.eq(hash.clone()))
            .one(&t.app.db)
    };
    // A use moves the idle end on to an hour from now.
    set(session::Column::IdleUntil, 2).await.unwrap();
    assert_eq!(
        t.get("/account", Auth::Cookie(&cookie)).await.status,
        StatusCode::OK
    );
    let until = row().await.unwrap().unwrap().idle_until.unwrap();
    assert!(
        until > chrono::Utc::now() + chrono::Duration::minutes(58),
        "{until}"
    );
    // Left idle: signed out.
    set(session::Column::IdleUntil, -1).await.unwrap();
    let r = t.get("/account", Auth::Cookie(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));
    // Used, but past its absolute end: signed out.
    set(session::Column::IdleUntil, 30).await.unwrap();
    assert_eq!(
        t.get("/account", Auth::Cookie(&cookie)).await.status,
        StatusCode::OK
    );
    set(session::Column::ExpiresAt, -1).await.unwrap();
    assert_eq!(
        t.get("/account", Auth::Cookie(&cookie)).await.status,
        StatusCode::SEE_OTHER
    );
}

fn hex_sha256(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

#[tokio::test]
async fn passwords_follow_the_policy_and_https_is_remembered() {
    let t = TestApp::with(
        chibo_app::Config::default(),
        chibo_web::WebConfig {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await;
    let admin = t.token("admin").await;
    let new_user = |password: &str| json!({"username": "thu.ky", "display_name": "Thư ký", "password": password});
    for (password, why) in [
        ("Matkhau@2026", "phổ biến"),
        ("12345678", "phổ biến"),
        ("chibo-demo-2026", "trình diễn"),
        ("thu.ky-2026!", "tên đăng nhập"),
        ("ngắn", "ít nhất 8"),
    ] {
        let r = t
            .api(Method::POST, "/api/v1/users", &admin, new_user(password))
            .await;
        assert!(refused(&r).contains(why), "{password}: {}", r.body);
    }
    let long = "chữ ".repeat(70);
    let r = t
        .api(Method::POST, "/api/v1/users", &admin, new_user(&long))
        .await;
    assert!(refused(&r).contains("dài quá"), "{}", r.body);
    let r = t
        .api(
            Method::POST,
            "/api/v1/users",
            &admin,
            new_user("ruộng bậc thang mùa lúa chín"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Served over HTTPS: browsers are told to keep to it.
    let r = t.get("/login", Auth::None).await;
    assert_eq!(
        r.headers.get("strict-transport-security").unwrap(),
        "max-age=31536000; includeSubDomains"
    );
    let plain = TestApp::new().await;
    assert!(
        plain
            .get("/login", Auth::None)
            .await
            .headers
            .get("strict-transport-security")
            .is_none()
    );
}
