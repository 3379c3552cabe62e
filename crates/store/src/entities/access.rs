//! The tables of who may sign in and what they did: accounts and their roles, sessions and API
//! tokens, the login throttle and attempts, and the audit log.

entity!(user, "users", {
    username: String,
    display_name: String,
    password_hash: String,
    member_id: Option<i64>,
    is_active: bool,
    created_at: DateTime<Utc>,
});

entity!(user_role, "user_roles", {
    user_id: i64,
    role: String,
    unit_id: Option<i64>,
});

entity!(session, "sessions", {
    token_hash: String,
    user_id: i64,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    ip: Option<String>,
});

entity!(api_token, "api_tokens", {
    token_hash: String,
    user_id: i64,
    name: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
});

entity!(calendar_feed, "calendar_feeds", {
    token_hash: String,
    /// The account the feed reads as: it shows what that account may see, while it may.
    user_id: i64,
    /// The cell whose meetings it lists; `None`: the account's member's own meetings.
    unit_id: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(login_throttle, "login_throttles", {
    /// "u:<username>" or "ip:<address>".
    key: String,
    /// Attempts counted since `window_start`.
    attempts: i32,
    window_start: DateTime<Utc>,
});

entity!(login_attempt, "login_attempts", {
    username: String,
    ip: String,
    at: DateTime<Utc>,
    success: bool,
});

entity!(audit, "audit_log", {
    at: DateTime<Utc>,
    user_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
    /// The path of the unit the record belongs to, when written (`chibo_app::audit::place`).
    unit_path: Option<String>,
});
