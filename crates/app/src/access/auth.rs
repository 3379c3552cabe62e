//! Passwords (argon2id), database-stored sessions and API tokens, and login throttling kept in
//! the database so that several servers share it.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chibo_domain::ids::{MemberId, UserId};
use chibo_store::entities::{api_token, login_attempt, session, unit, user, user_role};
use chibo_store::sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};
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

pub const MIN_PASSWORD_LEN: usize = 8;

fn account_key(username: &str) -> String {
    format!("u:{username}")
}

/// Counts an attempt on the account (and the address, when there is one) before the password is
/// checked, and refuses once a window holds more than the limit. Counting first is what makes
/// parallel attempts unable to pass together: each one has taken its place in the count before
/// any of them is verified.
async fn count_attempt(app: &App, username: &str, ip: Option<&str>) -> AppResult<()> {
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
async fn forgive_attempt(app: &App, username: &str, ip: Option<&str>) -> AppResult<()> {
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
    // Verify against a fixed hash for unknown users so timing does not reveal who exists.
    let ok = match &found {
        Some(u) => u.is_active && verify_password(password, &u.password_hash),
        None => {
            verify_password(password, dummy_hash());
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
    let ok = verify_password(password, &u.password_hash);
    if ok {
        forgive_attempt(app, &u.username, None).await?;
    }
    Ok(ok)
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("không phải mật khẩu").unwrap_or_default())
}

/// Logs in and opens a session; returns the cookie secret.
pub async fn login(app: &App, username: &str, password: &str, ip: &str) -> AppResult<String> {
    let u = check_login(app, username, password, ip).await?;
    let secret = new_secret();
    let now = chrono::Utc::now();
    session::ActiveModel {
        token_hash: Set(digest(&secret)),
        user_id: Set(u.id),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::hours(app.config.session_hours)),
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
) -> AppResult<(String, chrono::DateTime<chrono::Utc>)> {
    let u = check_login(app, username, password, ip).await?;
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

/// The actor behind a session cookie, if the session is live.
pub async fn actor_from_session(app: &App, secret: &str) -> AppResult<Option<Actor>> {
    use session::Column as C;
    live_actor(
        app,
        's',
        session::Entity,
        [C::UserId, C::TokenHash, C::ExpiresAt],
        secret,
    )
    .await
}

/// The actor behind an API token, if the token is live.
pub async fn actor_from_token(app: &App, secret: &str) -> AppResult<Option<Actor>> {
    use api_token::Column as C;
    live_actor(
        app,
        't',
        api_token::Entity,
        [C::UserId, C::TokenHash, C::ExpiresAt],
        secret,
    )
    .await
}

/// The user of the live row of `table` (a session or a token) whose hash is the secret's, with
/// their grants: from memory when read since the last write (see [`crate::memo`]), else from
/// the database. `kind` keeps sessions and tokens apart in memory.
async fn live_actor<E: EntityTrait>(
    app: &App,
    kind: char,
    table: E,
    [user_id, token_hash, expires_at]: [E::Column; 3],
    secret: &str,
) -> AppResult<Option<Actor>> {
    let hash = digest(secret);
    let key = format!("{kind}{hash}");
    if let Some(a) = app.memo.actor(&key) {
        return Ok(Some(a));
    }
    let read_in = app.memo.generation();
    let live = Query::select()
        .column(user_id)
        .from(table)
        .and_where(token_hash.eq(hash))
        .and_where(expires_at.gt(chrono::Utc::now()))
        .to_owned();
    let actor = actor_where(app, user::Column::Id.in_subquery(live)).await?;
    if let Some(a) = &actor {
        app.memo.remember_actor(key, read_in, a);
    }
    Ok(actor)
}

pub async fn load_actor(app: &App, user_id: i64) -> AppResult<Option<Actor>> {
    actor_where(app, user::Column::Id.eq(user_id)).await
}

/// The active user `which` finds (their session or token looked up in the same query), with
/// their grants and each grant's unit in a second: two queries for every request, whatever
/// the number of roles.
async fn actor_where(app: &App, which: SimpleExpr) -> AppResult<Option<Actor>> {
    let Some(u) = user::Entity::find()
        .filter(which)
        .filter(user::Column::IsActive.eq(true))
        .one(&app.db)
        .await?
    else {
        return Ok(None);
    };
    let grants_of = Query::select()
        .column((user_role::Entity, user_role::Column::Role))
        .column((user_role::Entity, user_role::Column::UnitId))
        .column((unit::Entity, unit::Column::Path))
        .column((unit::Entity, unit::Column::Name))
        .from(user_role::Entity)
        .left_join(
            unit::Entity,
            Expr::col((unit::Entity, unit::Column::Id))
                .equals((user_role::Entity, user_role::Column::UnitId)),
        )
        .and_where(Expr::col((user_role::Entity, user_role::Column::UserId)).eq(u.id))
        .order_by((user_role::Entity, user_role::Column::Id), Order::Asc)
        .to_owned();
    let grants = GrantRow::find_by_statement(app.db.get_database_backend().build(&grants_of))
        .all(&app.db)
        .await?
        .into_iter()
        .filter_map(|g| {
            Some(Grant {
                role: Role::from_code(&g.role)?,
                unit_id: g.unit_id,
                unit_path: g.path,
                unit_name: g.name,
            })
        })
        .collect();
    Ok(Some(Actor {
        user_id: UserId::new(u.id),
        username: u.username,
        display_name: u.display_name,
        member_id: u.member_id.map(MemberId::new),
        grants,
        sealed: super::Sealed,
    }))
}

/// A grant as read with its unit.
#[derive(Debug, FromQueryResult)]
struct GrantRow {
    role: String,
    unit_id: Option<i64>,
    path: Option<String>,
    name: Option<String>,
}

/// Removes expired sessions and old login attempts (run at start-up and daily).
pub async fn purge_expired(app: &App) -> AppResult<()> {
    let now = chrono::Utc::now();
    session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
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
        sealed: super::Sealed,
    }
}
