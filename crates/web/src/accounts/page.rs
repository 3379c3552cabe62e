use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chibo_app::access::auth;
use chibo_app::access::users;
use chibo_app::access::users::PasswordInput;
use chibo_app::{Actor, AppError};

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::{
    ClientIp, PageUser, SESSION_COOKIE, clear_cookie, cookie_value, safe_next, session_cookie,
};
use crate::render::{Nav, render, render_status, see_other};
use crate::state::AppState;
use crate::typed::Typed;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    username: String,
    error: Option<String>,
    /// Where to go after login (a path on this site), or "".
    next: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    pub(crate) next: String,
}

/// Where a successful login goes: the page asked for when it is one of ours, else home.
pub(crate) fn after_login(next: &str) -> &str {
    safe_next(next).unwrap_or("/")
}

pub async fn login_form(
    user: Option<PageUser>,
    PageQuery(q): PageQuery<NextQuery>,
) -> Result<Response, PageError> {
    if user.is_some() {
        return Ok(see_other(after_login(&q.next)));
    }
    render(&LoginPage {
        username: String::new(),
        error: None,
        next: safe_next(&q.next).unwrap_or_default().to_string(),
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Form { input: form, .. }: Form<LoginForm>,
) -> Result<Response, PageError> {
    let username = form.username;
    match auth::login(&s.app, &username, &form.password, &ip).await {
        Ok(auth::Login::Open(secret)) => {
            signed_in(&s, see_other(after_login(&form.next)), &secret, false)
        }
        Ok(auth::Login::NeedsCode(secret)) => {
            let next = safe_next(&form.next).unwrap_or_default();
            let to = if next.is_empty() {
                "/login/code".to_string()
            } else {
                format!(
                    "/login/code?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )
            };
            signed_in(&s, see_other(&to), &secret, true)
        }
        Err(e @ (AppError::BadCredentials | AppError::Throttled { .. })) => {
            let status = if matches!(e, AppError::Throttled { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            render_status(
                status,
                &LoginPage {
                    username,
                    error: Some(e.to_string()),
                    next: safe_next(&form.next).unwrap_or_default().to_string(),
                },
            )
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `res` with the session's cookie: for the session's whole life, or, waiting for a code, for
/// the minutes the code may take.
pub(crate) fn signed_in(
    s: &AppState,
    mut res: Response,
    secret: &str,
    needs_code: bool,
) -> Result<Response, PageError> {
    let lasts = if needs_code {
        auth::CODE_MINUTES * 60
    } else {
        s.app.config.session_hours * 3600
    };
    let cookie = session_cookie(secret, lasts, s.web.secure_cookies);
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(res)
}

pub async fn logout(
    State(s): State<AppState>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let (parts, _) = req.into_parts();
    if let Some(secret) = cookie_value(&parts, SESSION_COOKIE) {
        auth::logout(&s.app, &secret).await?;
    }
    let mut res = see_other("/login");
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&clear_cookie(s.web.secure_cookies))
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(res)
}

/// A member lands on their own record; others on their account page.
pub async fn me(PageUser(a): PageUser) -> Response {
    match a.member_id() {
        Some(id) => see_other(&format!("/members/{id}")),
        None => see_other("/account"),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Nav,
    actor: Actor,
    /// The password form's messages, each beside its field (a password is never sent back).
    password: Typed,
    tokens: Vec<auth::TokenView>,
    /// Whether the second factor is on, for the accounts that may use one.
    second_factor: Option<bool>,
}

/// Whether the actor's second factor is on, when they may use one.
async fn second_factor_of(s: &AppState, a: &Actor) -> Result<Option<bool>, PageError> {
    use chibo_app::access::second_factor;
    if !second_factor::may_use(a) {
        return Ok(None);
    }
    Ok(Some(second_factor::is_on(&s.app, a).await?))
}

pub async fn page(State(s): State<AppState>, PageUser(a): PageUser) -> Result<Response, PageError> {
    render(&AccountPage {
        nav: Nav::of(&a),
        tokens: auth::tokens_of(&s.app, &a).await?,
        second_factor: second_factor_of(&s, &a).await?,
        actor: a,
        password: Typed::default(),
    })
}

/// Revokes one of the user's own API tokens and goes back to the account page.
pub async fn revoke_token(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    auth::revoke_own_token(&s.app, &a, id).await?;
    Ok(see_other("/account#tokens"))
}

/// A member changes their own password, typing the new one twice.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NewPasswordForm {
    current_password: Option<String>,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form {
        input: form,
        values,
    }: Form<NewPasswordForm>,
) -> Result<Response, PageError> {
    let r = if form.new_password != form.confirm_password {
        Err(AppError::invalid(
            "confirm_password",
            "Mật khẩu nhập lại không khớp.",
        ))
    } else {
        let input = PasswordInput {
            current_password: form.current_password,
            new_password: form.new_password,
        };
        users::set_password(&s.app, &a, a.user_id(), input).await
    };
    let secret = ["current_password", "new_password", "confirm_password"];
    match crate::typed::refused(r, &values, &secret)? {
        // The password change ended every session, this one too.
        Ok(()) => Ok(see_other("/login")),
        Err(password) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                nav: Nav::of(&a),
                tokens: auth::tokens_of(&s.app, &a).await?,
                second_factor: second_factor_of(&s, &a).await?,
                actor: a,
                password,
            },
        ),
    }
}
