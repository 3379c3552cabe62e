//! The second factor's pages and API: the code asked after the password, turning it on and off
//! on one's own account, and an administrator turning it off for an account whose phone was
//! lost. The use cases are `chibo_app::access::second_factor`'s.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chibo_app::access::auth;
use chibo_app::access::second_factor::{self, DisableInput, EnableInput, Enrolment};
use chibo_app::{Actor, AppError};

use crate::accounts::page::{NextQuery, after_login, signed_in};
use crate::error::{ApiError, ErrorBody, PageError};
use crate::extract::form::{ApiJson, Form};
use crate::extract::path::PathUserId;
use crate::extract::query::PageQuery;
use crate::extract::session::{ApiUser, ClientIp, PageUser, SESSION_COOKIE, cookie_in, safe_next};
use crate::render::{Nav, render, render_status, see_other};
use crate::state::AppState;
use crate::typed::Typed;

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    next: String,
    error: Option<String>,
    minutes: i64,
}

fn code_page(next: &str, error: Option<String>) -> CodePage {
    CodePage {
        next: safe_next(next).unwrap_or_default().to_string(),
        error,
        minutes: auth::CODE_MINUTES,
    }
}

/// The code's form, after a right password on an account with a second factor.
pub async fn code_form(PageQuery(q): PageQuery<NextQuery>) -> Result<Response, PageError> {
    render(&code_page(&q.next, None))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    next: String,
}

/// Takes the code: the waiting session is replaced by a live one. A wrong code asks again; a
/// waiting session past its minutes sends back to the password.
pub async fn confirm_code(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form { input: form, .. }: Form<CodeForm>,
) -> Result<Response, PageError> {
    let pending = cookie_in(&headers, SESSION_COOKIE).unwrap_or_default();
    match auth::confirm_code(&s.app, &pending, &form.code, &ip).await {
        Ok(secret) => signed_in(&s, see_other(after_login(&form.next)), &secret, false),
        Err(AppError::Invalid(inv)) => {
            let message = inv.errors.first().map(|f| f.message.clone());
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &code_page(&form.next, message),
            )
        }
        Err(e @ AppError::Throttled { .. }) => render_status(
            StatusCode::TOO_MANY_REQUESTS,
            &code_page(&form.next, Some(e.to_string())),
        ),
        Err(AppError::BadCredentials) => render_status(
            StatusCode::UNAUTHORIZED,
            &code_page(
                &form.next,
                Some("Đã quá thời gian nhập mã. Hãy đăng nhập lại bằng mật khẩu.".into()),
            ),
        ),
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    nav: Nav,
    on: bool,
    enrolment: Option<Enrolment>,
    /// The enrolment's QR code, drawn by the server.
    qr_svg: String,
    form: Typed,
}

async fn second_factor_page(
    s: &AppState,
    a: &Actor,
    form: Typed,
) -> Result<SecondFactorPage, PageError> {
    let on = second_factor::is_on(&s.app, a).await?;
    let enrolment = if on {
        None
    } else {
        Some(second_factor::new_enrolment(a)?)
    };
    let qr_svg = match &enrolment {
        Some(e) => qrcode::QrCode::new(e.uri.as_bytes())
            .map_err(|err| AppError::Internal(err.to_string()))?
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build(),
        None => String::new(),
    };
    Ok(SecondFactorPage {
        nav: Nav::of(a),
        on,
        enrolment,
        qr_svg,
        form,
    })
}

/// The second factor of one's account: its state, and turning it on or off.
pub async fn page(State(s): State<AppState>, PageUser(a): PageUser) -> Result<Response, PageError> {
    render(&second_factor_page(&s, &a, Typed::default()).await?)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct EnableForm {
    secret: String,
    password: String,
    code: String,
}

/// Turns it on; every session ended, so the user signs in again, now with a code.
pub async fn enable(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form {
        input: form,
        values,
    }: Form<EnableForm>,
) -> Result<Response, PageError> {
    let input = EnableInput {
        secret: form.secret,
        password: form.password,
        code: form.code,
    };
    let r = second_factor::enable(&s.app, &a, input).await;
    match crate::typed::refused(r, &values, &["password", "code", "secret"])? {
        Ok(()) => Ok(see_other("/login?next=/account")),
        Err(typed) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &second_factor_page(&s, &a, typed).await?,
        ),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DisableForm {
    password: String,
    code: String,
}

/// Turns it off, with the password and a current code; every session ends.
pub async fn disable(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form {
        input: form,
        values,
    }: Form<DisableForm>,
) -> Result<Response, PageError> {
    let input = DisableInput {
        password: form.password,
        code: form.code,
    };
    let r = second_factor::disable(&s.app, &a, input).await;
    match crate::typed::refused(r, &values, &["password", "code"])? {
        Ok(()) => Ok(see_other("/login")),
        Err(typed) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &second_factor_page(&s, &a, typed).await?,
        ),
    }
}

/// An administrator turns off the second factor of an account whose phone was lost.
pub async fn reset_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathUserId(id): PathUserId,
) -> Result<Response, PageError> {
    second_factor::reset(&s.app, &a.admin()?, id).await?;
    Ok(see_other(&format!("/admin/users/{}", id.get())))
}

/// A new secret for your authenticator app (administrators and board officers); nothing is
/// kept until you turn the second factor on with a code from it.
#[utoipa::path(post, path = "/api/v1/me/second-factor/enrolment", tag = "auth",
    responses((status = 200, body = Enrolment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn enrolment(ApiUser(a): ApiUser) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(second_factor::new_enrolment(&a)?))
}

/// Turns your second factor on: the secret from the enrolment, your password and a code your
/// app made from it. Every session and token of yours ends; a new token needs the code.
#[utoipa::path(put, path = "/api/v1/me/second-factor", tag = "auth", request_body = EnableInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enable_api(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<EnableInput>,
) -> Result<StatusCode, ApiError> {
    second_factor::enable(&s.app, &a, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns your second factor off, with your password and a current code.
#[utoipa::path(delete, path = "/api/v1/me/second-factor", tag = "auth", request_body = DisableInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disable_api(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<DisableInput>,
) -> Result<StatusCode, ApiError> {
    second_factor::disable(&s.app, &a, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns off the second factor of an account whose phone was lost (administrators); its
/// sessions and tokens end.
#[utoipa::path(delete, path = "/api/v1/users/{id}/second-factor", tag = "users", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_api(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathUserId(id): PathUserId,
) -> Result<StatusCode, ApiError> {
    second_factor::reset(&s.app, &a.admin()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
