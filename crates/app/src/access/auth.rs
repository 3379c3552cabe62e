//! Passwords (argon2id), database-stored sessions and API tokens, and login throttling kept in
//! the database so that several servers share it.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chibo_domain::ids::{MemberId, UserId};
use chibo_store::entities::{api_token, login_attempt, member, session, unit, user, user_role};
use chibo_store::sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SimpleExpr};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Set,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::access::{Actor, Grant, Role};
use crate::{App, AppError, AppResult};

pub fn hash_password(password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random secret for a cookie or a bearer token; only its hash is stored.
pub(crate) fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub(crate) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub use chibo_domain::password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_LEN};

fn account_key(username: &str) -> String {
    format!("u:{username}")
}

/// Counts an attempt on the account (and the address, when there is one) before the password is
/// checked, and refuses once a window holds more than the limit. Counting first is what makes
/// parallel attempts unable to pass together: each one has taken its place in the count before
/// any of them is verified.
pub(crate) async fn count_attempt(app: &App, username: &str, ip: Option<&str>) -> AppResult<()> {
    let now = chrono::Utc::now();
    let opens_after = now - chrono::Duration::minutes(app.config.throttle_minutes);
    let on_account =
        chibo_store::throttle::count_attempt(&app.db, &account_key(username), now, opens_after)
            .await?;
    let on_address = match ip {
        Some(ip) => {
            chibo_store::throttle::count_attempt(&app.db, &format!("ip:{ip}"), now, opens_after)
                .await?
        }
        None => 0,
    };
    let over = |n: i64, max: u64| u64::try_from(n).unwrap_or(0) > max;
    if over(on_account, app.config.max_failures_per_account)
        || over(on_address, app.config.max_failures_per_ip)
    {
        return Err(AppError::Throttled {
            minutes: app.config.throttle_minutes,
        });
    }
    Ok(())
}

/// A correct password: the account's window starts afresh and the address's count loses this
/// attempt.
pub(crate) async fn forgive_attempt(app: &App, username: &str, ip: Option<&str>) -> AppResult<()> {
    chibo_store::throttle::clear(&app.db, &account_key(username)).await?;
    if let Some(ip) = ip {
        chibo_store::throttle::forgive_attempt(&app.db, &format!("ip:{ip}")).await?;
    }
    Ok(())
}

/// Checks the password, with throttling per account and per address. On success returns the
/// user; every attempt is recorded.
pub async fn check_login(
    app: &App,
    username: &str,
    password: &str,
    ip: &str,
) -> AppResult<user::Model> {
    let username: String = username.trim().to_lowercase().chars().take(64).collect();
    let ip: String = ip.chars().take(64).collect();
    count_attempt(app, &username, Some(&ip)).await?;
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(&app.db)
        .await?;
    // Every attempt costs one hash, whether the account exists, is locked or is not: timing
    // tells no one which accounts exist or are locked. A password longer than any chibo
    // accepts is checked against the fixed hash, at the same cost.
    let ok = match &found {
        Some(u) if password.len() <= MAX_PASSWORD_BYTES => {
            let matches = verify_password(password, &u.password_hash);
            u.is_active && matches
        }
        _ => {
            let capped = &password[..password.floor_char_boundary(MAX_PASSWORD_BYTES)];
            verify_password(capped, dummy_hash());
            false
        }
    };
    if ok {
        forgive_attempt(app, &username, Some(&ip)).await?;
    }
    login_attempt::ActiveModel {
        username: Set(username),
        ip: Set(ip),
        at: Set(chrono::Utc::now()),
        success: Set(ok),
        ..Default::default()
    }
    .insert(&app.db)
    .await?;
    match (ok, found) {
        (true, Some(u)) => Ok(u),
        _ => Err(AppError::BadCredentials),
    }
}

/// Whether `password` is the user's current one (asked before a password change), under the
/// same per-account throttle as a login: a stolen session cannot guess the password either.
pub async fn check_current_password(app: &App, u: &user::Model, password: &str) -> AppResult<bool> {
    count_attempt(app, &u.username, None).await?;
    let ok = password.len() <= MAX_PASSWORD_BYTES && verify_password(password, &u.password_hash);
    if ok {
        forgive_attempt(app, &u.username, None).await?;
    }
    Ok(ok)
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("không phải mật khẩu").unwrap_or_default())
}

/// What a right password opens: a session, or, for an account with a second factor, a
/// session waiting for the code (it reaches nothing but the code's form).
#[derive(Debug)]
pub enum Login {
    /// The cookie secret of a live session.
    Open(String),
    /// The cookie secret of a session waiting for the code, for [`CODE_MINUTES`].
    NeedsCode(String),
}

/// Minutes the code of a second factor may be given in after the password.
pub const CODE_MINUTES: i64 = 5;

/// Checks the password and opens a session; see [`Login`].
pub async fn login(app: &App, username: &str, password: &str, ip: &str) -> AppResult<Login> {
    let u = check_login(app, username, password, ip).await?;
    Ok(if u.totp_secret.is_some() {
        Login::NeedsCode(open_session(app, u.id, ip, true).await?)
    } else {
        Login::Open(open_session(app, u.id, ip, false).await?)
    })
}

/// Takes the code of the account whose password opened the waiting session `pending`: the
/// waiting session ends and a live one opens under a new secret, which is returned. Codes are
/// throttled with the passwords, per account and address.
pub async fn confirm_code(app: &App, pending: &str, code: &str, ip: &str) -> AppResult<String> {
    let now = chrono::Utc::now();
    let waiting = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest(pending)))
        .filter(session::Column::NeedsCode.eq(true))
        .filter(session::Column::ExpiresAt.gt(now))
        .one(&app.db)
        .await?
        .ok_or(AppError::BadCredentials)?;
    let u = user::Entity::find_by_id(waiting.user_id)
        .filter(user::Column::IsActive.eq(true))
        .one(&app.db)
        .await?
        .ok_or(AppError::BadCredentials)?;
    let ip: String = ip.chars().take(64).collect();
    count_attempt(app, &u.username, Some(&ip)).await?;
    super::second_factor::take_code(app, &u, code).await?;
    forgive_attempt(app, &u.username, Some(&ip)).await?;
    session::Entity::delete_by_id(waiting.id)
        .exec(&app.db)
        .await?;
    open_session(app, u.id, &ip, false).await
}

/// Opens a session for the user; returns the cookie secret. A live one lasts
/// `session_hours` at most and ends when left unused `session_idle_minutes`; one waiting for a
/// code lasts [`CODE_MINUTES`].
async fn open_session(app: &App, user_id: i64, ip: &str, needs_code: bool) -> AppResult<String> {
    let secret = new_secret();
    let now = chrono::Utc::now();
    let (lasts, idle) = if needs_code {
        let code = chrono::Duration::minutes(CODE_MINUTES);
        (code, code)
    } else {
        (
            chrono::Duration::hours(app.config.session_hours),
            chrono::Duration::minutes(app.config.session_idle_minutes),
        )
    };
    session::ActiveModel {
        token_hash: Set(digest(&secret)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + lasts),
        idle_until: Set(Some(now + idle)),
        needs_code: Set(needs_code),
        ip: Set(Some(ip.chars().take(64).collect())),
        ..Default::default()
    }
    .insert(&app.db)
    .await?;
    Ok(secret)
}

pub async fn logout(app: &App, secret: &str) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(digest(secret)))
        .exec(&app.db)
        .await?;
    Ok(())
}

/// Issues an API token for the given credentials; returns the bearer secret.
pub async fn issue_token(
    app: &App,
    username: &str,
    password: &str,
    ip: &str,
    name: &str,
    code: Option<&str>,
) -> AppResult<(String, chrono::DateTime<chrono::Utc>)> {
    let u = check_login(app, username, password, ip).await?;
    if u.totp_secret.is_some() {
        super::second_factor::take_code(app, &u, code.unwrap_or("")).await?;
    }
    let secret = new_secret();
    let now = chrono::Utc::now();
    let expires = now + chrono::Duration::days(app.config.token_days);
    api_token::ActiveModel {
        token_hash: Set(digest(&secret)),
        user_id: Set(u.id),
        name: Set(name.chars().take(255).collect()),
        created_at: Set(now),
        expires_at: Set(expires),
        ..Default::default()
    }
    .insert(&app.db)
    .await?;
    Ok((secret, expires))
}

pub async fn revoke_token(app: &App, secret: &str) -> AppResult<()> {
    api_token::Entity::delete_many()
        .filter(api_token::Column::TokenHash.eq(digest(secret)))
        .exec(&app.db)
        .await?;
    Ok(())
}

/// One of the user's own API tokens (the secret itself was shown once and is not kept).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    /// What the token is for, as named when it was issued.
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The signed-in user's live API tokens, newest first.
pub async fn tokens_of(app: &App, actor: &Actor) -> AppResult<Vec<TokenView>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(actor.user_id.get()))
        .filter(api_token::Column::ExpiresAt.gt(chrono::Utc::now()))
        .order_by_desc(api_token::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
        })
        .collect())
}

/// Revokes one of the signed-in user's own tokens; another user's token is not found.
pub async fn revoke_own_token(app: &App, actor: &Actor, token_id: i64) -> AppResult<()> {
    let gone = api_token::Entity::delete_many()
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::UserId.eq(actor.user_id.get()))
        .exec(&app.db)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Ends every session and revokes every API token of a user: what a password change, a reset
/// or a locked account must do, so nothing issued under the old password outlives it.
pub(crate) async fn end_all_access(
    db: &impl chibo_store::sea_orm::ConnectionTrait,
    user_id: i64,
) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    api_token::Entity::delete_many()
        .filter(api_token::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The actor behind a session cookie, if the session is live: not past its end, used within
/// the idle time, and not waiting for a code. A use moves the idle end on, written at most once
/// a minute a session.
pub async fn actor_from_session(app: &App, secret: &str) -> AppResult<Option<Actor>> {
    use session::Column as C;
    let hash = digest(secret);
    remembered(app, format!("s{hash}"), async {
        let now = chrono::Utc::now();
        let Some(s) = session::Entity::find()
            .filter(C::TokenHash.eq(hash.as_str()))
            .filter(C::ExpiresAt.gt(now))
            .filter(C::IdleUntil.gt(now))
            .filter(C::NeedsCode.eq(false))
            .one(&app.db)
            .await?
        else {
            return Ok(None);
        };
        let idle = chrono::Duration::minutes(app.config.session_idle_minutes);
        let moved_on = now + idle;
        if s.idle_until
            .is_none_or(|until| moved_on - until > chrono::Duration::minutes(1))
        {
            session::Entity::update_many()
                .col_expr(C::IdleUntil, Expr::value(moved_on))
                .filter(C::Id.eq(s.id))
                .exec(&app.db)
                .await?;
        }
        load_actor(app, s.user_id).await
    })
    .await
}

/// The actor behind an API token, if the token is live.
pub async fn actor_from_token(app: &App, secret: &str) -> AppResult<Option<Actor>> {
    use api_token::Column as C;
    let hash = digest(secret);
    remembered(app, format!("t{hash}"), async {
        let live = Query::select()
            .column(C::UserId)
            .from(api_token::Entity)
            .and_where(C::TokenHash.eq(hash.as_str()))
            .and_where(C::ExpiresAt.gt(chrono::Utc::now()))
            .to_owned();
        actor_where(app, user::Column::Id.in_subquery(live)).await
    })
    .await
}

/// The actor `key` names (a session's or a token's hash): from memory when read since the last
/// write (see [`crate::memo`]), else from `read`.
async fn remembered(
    app: &App,
    key: String,
    read: impl Future<Output = AppResult<Option<Actor>>>,
) -> AppResult<Option<Actor>> {
    if let Some(a) = app.memo.actor(&key) {
        return Ok(Some(a));
    }
    let read_in = app.memo.generation();
    let actor = read.await?;
    if let Some(a) = &actor {
        app.memo.remember_actor(key, read_in, a);
    }
    Ok(actor)
}

pub async fn load_actor(app: &App, user_id: i64) -> AppResult<Option<Actor>> {
    actor_where(app, user::Column::Id.eq(user_id)).await
}

/// The active user `which` finds (their session or token looked up in the same query), with
/// their own member record's unit path and their grants and each grant's unit joined: one
/// statement for every request, a row per grant (one row with no grant for a plain member).
async fn actor_where(app: &App, which: SimpleExpr) -> AppResult<Option<Actor>> {
    let q = Query::select()
        .column((user::Entity, user::Column::Id))
        .column((user::Entity, user::Column::Username))
        .column((user::Entity, user::Column::DisplayName))
        .column((user::Entity, user::Column::MemberId))
        .column((user_role::Entity, user_role::Column::Role))
        .column((user_role::Entity, user_role::Column::UnitId))
        .column((unit::Entity, unit::Column::Path))
        .column((unit::Entity, unit::Column::Name))
        .expr_as(
            Expr::col((member::Entity, member::Column::UnitPath)),
            Alias::new("own_unit_path"),
        )
        .from(user::Entity)
        .left_join(
            member::Entity,
            Expr::col((member::Entity, member::Column::Id))
                .equals((user::Entity, user::Column::MemberId)),
        )
        .left_join(
            user_role::Entity,
            Expr::col((user_role::Entity, user_role::Column::UserId))
                .equals((user::Entity, user::Column::Id)),
        )
        .left_join(
            unit::Entity,
            Expr::col((unit::Entity, unit::Column::Id))
                .equals((user_role::Entity, user_role::Column::UnitId)),
        )
        .and_where(which)
        .and_where(Expr::col((user::Entity, user::Column::IsActive)).eq(true))
        .order_by((user_role::Entity, user_role::Column::Id), Order::Asc)
        .to_owned();
    let rows = ActorRow::find_by_statement(app.by_key.get_database_backend().build(&q))
        .all(&app.by_key)
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let (id, username, display_name, member_id, own_unit_path) = (
        first.id,
        first.username.clone(),
        first.display_name.clone(),
        first.member_id,
        first.own_unit_path.clone(),
    );
    let grants = rows
        .into_iter()
        .filter_map(|g| {
            Some(Grant {
                role: Role::from_code(g.role.as_deref()?)?,
                unit_id: g.unit_id,
                unit_path: g.path,
                unit_name: g.name,
            })
        })
        .collect();
    Ok(Some(Actor {
        user_id: UserId::new(id),
        username,
        display_name,
        member_id: member_id.map(MemberId::new),
        grants,
        own_unit_path,
        sealed: super::Sealed,
    }))
}

/// A user as read with one of their grants and its unit (none for a user without grants).
#[derive(Debug, FromQueryResult)]
struct ActorRow {
    id: i64,
    username: String,
    display_name: String,
    member_id: Option<i64>,
    role: Option<String>,
    unit_id: Option<i64>,
    path: Option<String>,
    name: Option<String>,
    own_unit_path: Option<String>,
}

/// Removes expired sessions and old login attempts (run at start-up and daily).
pub async fn purge_expired(app: &App) -> AppResult<()> {
    let now = chrono::Utc::now();
    session::Entity::delete_many()
        .filter(
            session::Column::ExpiresAt
                .lt(now)
                .or(session::Column::IdleUntil.lt(now)),
        )
        .exec(&app.db)
        .await?;
    api_token::Entity::delete_many()
        .filter(api_token::Column::ExpiresAt.lt(now))
        .exec(&app.db)
        .await?;
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::At.lt(now - chrono::Duration::days(30)))
        .exec(&app.db)
        .await?;
    chibo_store::throttle::purge(&app.db, now - chrono::Duration::days(1)).await?;
    Ok(())
}

/// The actor of a username (command line tools and tests act as a named user).
pub async fn actor_by_username(app: &App, username: &str) -> AppResult<Option<Actor>> {
    match user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&app.db)
        .await?
    {
        Some(u) => load_actor(app, u.id).await,
        None => Ok(None),
    }
}

/// An actor with no grants, for the memo's tests.
#[cfg(test)]
pub(crate) fn test_actor(username: &str) -> Actor {
    Actor {
        user_id: UserId::new(1),
        username: username.into(),
        display_name: username.into(),
        member_id: None,
        grants: vec![],
        own_unit_path: None,
        sealed: super::Sealed,
    }
}
