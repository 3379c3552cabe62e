//! The tables of who may sign in and what they did: accounts and their roles, sessions and API
//! tokens, the login throttle and attempts, the audit log, and what members are told (calendar
//! feeds, notification choices, the list in chibo and the outbox).

entity!(user, "users", {
    username: String,
    display_name: String,
    password_hash: String,
    member_id: Option<i64>,
    is_active: bool,
    created_at: DateTime<Utc>,
    /// The shared secret of the account's authenticator app (base32), when it has one.
    totp_secret: Option<String>,
    /// The last 30-second step whose code was accepted: a code is taken once.
    totp_last_step: Option<i64>,
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
    /// The session ends at the latest then, however much it is used.
    expires_at: DateTime<Utc>,
    ip: Option<String>,
    /// The session ends then unless used before; each use moves it on.
    idle_until: Option<DateTime<Utc>>,
    /// The password was right and the second factor is still to be given.
    needs_code: bool,
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

entity!(notify_pref, "notify_prefs", {
    member_id: i64,
    email: Option<String>,
    email_on: bool,
    sms_on: bool,
    /// The kinds turned off, as `,code,code,`.
    muted: String,
    updated_at: DateTime<Utc>,
});

entity!(notification, "notifications", {
    /// The member told; empty for a notice to an account alone (a committee's digest to an
    /// account without a member record).
    member_id: Option<i64>,
    /// The account told, for notices to accounts (`None` for a member's).
    user_id: Option<i64>,
    /// `chibo_domain::notify::NoticeKind`.
    kind: String,
    title: String,
    body: String,
    /// The page it is about, on this server (`/meetings/7`).
    link: String,
    meeting_id: Option<i64>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
});

entity!(outbox, "outbox", {
    member_id: i64,
    kind: String,
    /// `email` or `sms`.
    channel: String,
    address: String,
    subject: String,
    body: String,
    meeting_id: Option<i64>,
    /// `chibo_domain::notify::DeliveryStatus`.
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    claimed_by: Option<String>,
    claimed_until: Option<DateTime<Utc>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
});

entity!(outbox_attempt, "outbox_attempts", {
    outbox_id: i64,
    at: DateTime<Utc>,
    worker: String,
    ok: bool,
    error: Option<String>,
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
    /// The entry's place in the hash chain, once sealed (`crate::audit_chain`).
    chain_seq: Option<i64>,
    /// The hash of the entry before it in the chain.
    prev_hash: Option<String>,
    /// This entry's hash over its fields and `prev_hash`.
    hash: Option<String>,
});
