//! The second factor of administrators and board officers, the accounts that read and change a
//! whole province: a six-digit code from an authenticator app (TOTP, RFC 6238, thirty-second
//! steps and SHA-1, as every app reads it), asked after the password at login and with the
//! password for an API token once the account has turned it on. A code is taken once.

use chibo_domain::ids::UserId;
use chibo_store::entities::user;
use chibo_store::sea_orm::sea_query::{Expr, ExprTrait};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use chibo_store::write_tx;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, Secret, TOTP};
use utoipa::ToSchema;

use crate::access::{Actor, Admin, Role, auth};
use crate::{App, AppError, AppResult, audit};

/// The name authenticator apps show beside the account.
const ISSUER: &str = "chibo";
/// Seconds a code stands for.
const STEP_SECONDS: u64 = 30;
/// Steps either side of now whose code is still taken (a phone's clock a little off).
const SKEW_STEPS: u64 = 1;

/// A new secret to enter into an authenticator app, by its text or its QR code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enrolment {
    /// The secret in base32, as apps ask for it when typed.
    pub secret: String,
    /// `otpauth://totp/…`: what the QR code holds.
    pub uri: String,
}

/// Turning the second factor on: the secret shown, the current password and a code the app
/// made from that secret (which shows it was entered right).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EnableInput {
    pub secret: String,
    pub password: String,
    pub code: String,
}

/// Turning it off: the current password and a current code.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DisableInput {
    pub password: String,
    pub code: String,
}

/// Whether the account may use a second factor: an administrator or a board officer.
pub fn may_use(actor: &Actor) -> bool {
    actor.is_admin()
        || actor
            .grants()
            .iter()
            .any(|g| matches!(g.role, Role::OrgBoard))
}

fn refuse_others(actor: &Actor) -> AppResult<()> {
    if may_use(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether the account has its second factor on.
pub async fn is_on(app: &App, actor: &Actor) -> AppResult<bool> {
    Ok(own_account(app, actor).await?.totp_secret.is_some())
}

async fn own_account(app: &App, actor: &Actor) -> AppResult<user::Model> {
    user::Entity::find_by_id(actor.user_id().get())
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A fresh secret for the actor's app; nothing is kept until [`enable`] is given a code.
pub fn new_enrolment(actor: &Actor) -> AppResult<Enrolment> {
    refuse_others(actor)?;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let secret = match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => unreachable!("to_encoded answers the encoded form"),
    };
    let label: String = form_urlencoded::byte_serialize(actor.username().as_bytes()).collect();
    let uri = format!(
        "otpauth://totp/{ISSUER}:{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period={STEP_SECONDS}"
    );
    Ok(Enrolment { secret, uri })
}

fn totp_of(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.trim().to_uppercase())
        .to_bytes()
        .ok()?;
    TOTP::new(Algorithm::SHA1, 6, SKEW_STEPS as u8, STEP_SECONDS, bytes).ok()
}

/// The step of `code` for the secret at `now` (seconds since 1970), if it is one of the steps
/// around now and later than `last_step`, the last one taken.
pub fn step_of_code(secret: &str, code: &str, now: u64, last_step: Option<i64>) -> Option<i64> {
    let totp = totp_of(secret)?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 {
        return None;
    }
    let current = now / STEP_SECONDS;
    (current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS)
        .filter(|step| last_step.is_none_or(|last| *step as i64 > last))
        .find(|step| {
            let made = totp.generate(step * STEP_SECONDS);
            made.len() == code.len()
                && made
                    .bytes()
                    .zip(code.bytes())
                    .fold(0u8, |d, (a, b)| d | (a ^ b))
                    == 0
        })
        .map(|step| step as i64)
}

fn now_seconds() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "Mã xác thực không đúng, đã hết hạn hoặc đã dùng. Nhập mã 6 số mới nhất trong ứng dụng xác thực.",
    )
}

/// Takes `code` for the account: right for its secret now and not taken before. Records the
/// step, so the same code is refused the next time.
pub(crate) async fn take_code(app: &App, u: &user::Model, code: &str) -> AppResult<()> {
    let Some(secret) = &u.totp_secret else {
        return Ok(());
    };
    if code.trim().is_empty() {
        return Err(AppError::invalid(
            "code",
            "Tài khoản này dùng xác thực hai bước: nhập mã 6 số trong ứng dụng xác thực.",
        ));
    }
    let step =
        step_of_code(secret, code, now_seconds(), u.totp_last_step).ok_or_else(wrong_code)?;
    // Taken only if no other request took this step or a later one first.
    let taken = user::Entity::update_many()
        .col_expr(user::Column::TotpLastStep, Expr::value(step))
        .filter(user::Column::Id.eq(u.id))
        .filter(
            user::Column::TotpLastStep
                .is_null()
                .or(user::Column::TotpLastStep.lt(step)),
        )
        .exec(&app.db)
        .await?;
    if taken.rows_affected == 0 {
        return Err(wrong_code());
    }
    Ok(())
}

/// Turns the actor's second factor on with the secret they entered into their app, once the
/// password and a code from that secret are right. Other sessions and tokens end: from now on
/// they would need the code.
pub async fn enable(app: &App, actor: &Actor, input: EnableInput) -> AppResult<()> {
    refuse_others(actor)?;
    let u = own_account(app, actor).await?;
    if u.totp_secret.is_some() {
        return Err(AppError::invalid(
            "code",
            "Xác thực hai bước đã bật. Tắt đi trước khi đổi ứng dụng.",
        ));
    }
    if !auth::check_current_password(app, &u, &input.password).await? {
        return Err(AppError::invalid(
            "password",
            "Mật khẩu hiện tại không đúng.",
        ));
    }
    let secret = input.secret.trim().to_uppercase();
    if totp_of(&secret).is_none() {
        return Err(AppError::invalid(
            "secret",
            "Khóa bí mật không hợp lệ; hãy mở lại trang để lấy khóa mới.",
        ));
    }
    let step = step_of_code(&secret, &input.code, now_seconds(), None).ok_or_else(wrong_code)?;
    set_factor(
        app,
        actor,
        u.id,
        Some((secret, step)),
        "user.second_factor.on",
    )
    .await
}

/// Turns the actor's own second factor off, with the password and a current code.
pub async fn disable(app: &App, actor: &Actor, input: DisableInput) -> AppResult<()> {
    let u = own_account(app, actor).await?;
    if u.totp_secret.is_none() {
        return Err(AppError::invalid("code", "Xác thực hai bước chưa bật."));
    }
    if !auth::check_current_password(app, &u, &input.password).await? {
        return Err(AppError::invalid(
            "password",
            "Mật khẩu hiện tại không đúng.",
        ));
    }
    take_code(app, &u, &input.code).await?;
    set_factor(app, actor, u.id, None, "user.second_factor.off").await
}

/// An administrator turns off the second factor of an account whose phone was lost; its
/// sessions and tokens end, and its owner signs in with the password alone until they turn it
/// on again.
pub async fn reset(app: &App, admin: &Admin<'_>, user_id: UserId) -> AppResult<()> {
    let actor: &Actor = admin;
    let u = user::Entity::find_by_id(user_id.get())
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if u.totp_secret.is_none() {
        return Err(AppError::invalid(
            "user",
            "Tài khoản này chưa bật xác thực hai bước.",
        ));
    }
    set_factor(app, actor, u.id, None, "user.second_factor.reset").await
}

/// Gives the account its secret and the step of the code that proved it (`Some`), or takes
/// them away (`None`); every session and token of the account ends, and `action` is audited.
async fn set_factor(
    app: &App,
    actor: &Actor,
    user_id: i64,
    factor: Option<(String, i64)>,
    action: &str,
) -> AppResult<()> {
    let (secret, step) = factor.unzip();
    let tx = write_tx(&app.db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(secret))
        .col_expr(user::Column::TotpLastStep, Expr::value(step))
        .filter(user::Column::Id.eq(user_id))
        .exec(&tx)
        .await?;
    auth::end_all_access(&tx, user_id).await?;
    audit::record(
        &tx,
        Some(actor),
        action,
        "user",
        Some(user_id),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's own test secret ("12345678901234567890") and its SHA-1 vectors, cut to six
    /// digits.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_are_rfc_6238_and_taken_once() {
        assert_eq!(totp_of(RFC_SECRET).unwrap().generate(59), "287082");
        assert_eq!(totp_of(RFC_SECRET).unwrap().generate(1111111109), "081804");
        let step = 1111111109 / STEP_SECONDS;
        assert_eq!(
            step_of_code(RFC_SECRET, "081 804", 1111111109, None),
            Some(step as i64)
        );
        // The step before and after are still taken; two away are not.
        assert!(step_of_code(RFC_SECRET, "081804", 1111111109 + 30, None).is_some());
        assert!(step_of_code(RFC_SECRET, "081804", 1111111109 - 30, None).is_some());
        assert!(step_of_code(RFC_SECRET, "081804", 1111111109 + 61, None).is_none());
        // Taken once: a step at or before the last is refused.
        assert_eq!(
            step_of_code(RFC_SECRET, "081804", 1111111109, Some(step as i64)),
            None
        );
        assert!(step_of_code(RFC_SECRET, "081805", 1111111109, None).is_none());
        assert!(step_of_code(RFC_SECRET, "81804", 1111111109, None).is_none());
        assert!(step_of_code("không phải base32", "081804", 1111111109, None).is_none());
    }
}
