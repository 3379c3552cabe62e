//! Use cases: what a user may do on which part of the tree. Every use case takes an [`Actor`]
//! and checks scope here, never in the handlers; an out-of-scope id is [`AppError::NotFound`].

pub mod access;
pub mod audit;
pub mod lookup;
pub mod meetings;
pub mod membership;
pub mod memo;
pub mod notify;
pub mod org;
pub mod paging;
pub mod programmes;
pub mod reach;
pub mod refs;
pub mod reports;
pub mod rules;
pub mod sheets;
pub mod workflows;

use chibo_domain::Invalid;
use chibo_store::Db;
use chibo_store::sea_orm::DbErr;

pub use access::{Actor, Grant, Role};

/// Settings of the running service (see README: configuration).
#[derive(Debug, Clone)]
pub struct Config {
    /// Hours a login session lasts at most, however much it is used.
    pub session_hours: i64,
    /// Minutes a login session lasts unused; each use moves the end on.
    pub session_idle_minutes: i64,
    /// Days an API token lasts.
    pub token_days: i64,
    /// Failed logins allowed per account within `throttle_minutes`.
    pub max_failures_per_account: u64,
    /// Failed logins allowed per client address within `throttle_minutes`.
    pub max_failures_per_ip: u64,
    pub throttle_minutes: i64,
    /// Largest meeting document accepted, in bytes.
    pub upload_max_bytes: usize,
    /// Where uploaded documents are kept; `None` keeps them in the database.
    pub upload_dir: Option<std::path::PathBuf>,
    /// Seconds a signed-in user's grants are kept in memory between requests (see [`memo`]):
    /// how long another server or the command line may take to be seen. Zero reads them on
    /// every request.
    pub actor_memo_seconds: u64,
    /// Members of a subtree above which SQLite lists them by walking the name index
    /// (`chibo_store::name_order`), and lists its warnings by walking the meetings newest
    /// first; tests lower it to walk the demo's small units.
    pub walk_members_above: u64,
    /// How members are reached beyond chibo's pages (issue 14).
    pub reach: ReachConfig,
}

/// Which channels the server delivers by, and the address its messages link to.
#[derive(Debug, Clone)]
pub struct ReachConfig {
    /// The address members reach the server at, for the links in messages.
    pub public_url: String,
    /// An SMTP relay is configured: members who chose email get it.
    pub email: bool,
    /// An SMS gateway is configured: members with a phone who did not turn SMS off get it.
    pub sms: bool,
    /// How long a worker's claim on a batch of the outbox lasts, in seconds: a worker that
    /// dies mid-delivery leaves its batch to the others after this.
    pub lease_seconds: i64,
}

impl Default for ReachConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            email: false,
            sms: false,
            lease_seconds: crate::reach::outbox::LEASE_SECONDS,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            session_hours: 12,
            session_idle_minutes: 60,
            token_days: 90,
            max_failures_per_account: 5,
            max_failures_per_ip: 30,
            throttle_minutes: 15,
            upload_max_bytes: 10 * 1024 * 1024,
            upload_dir: None,
            actor_memo_seconds: 5,
            walk_members_above: chibo_store::name_order::LARGE,
            reach: ReachConfig::default(),
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub db: Db,
    /// For statements that find rows by their keys, whatever the values bound (the actor of
    /// every request, a meeting by id, one member's line of a roll): on PostgreSQL connections
    /// that may keep a statement's plan, where `db` plans every run
    /// ([`chibo_store::keyed_reads`]). The same pool as `db` on SQLite. Never for a statement
    /// that reads a subtree by its path.
    pub by_key: Db,
    pub config: Config,
    /// Shared by every clone of the app (one per request).
    pub memo: std::sync::Arc<memo::Memo>,
    /// The check-ins waiting to be written together, shared by every clone.
    pub check_ins: std::sync::Arc<meetings::check_in_batch::CheckInQueue>,
}

impl App {
    pub fn new(db: Db, config: Config) -> Self {
        let memo = memo::Memo::new(std::time::Duration::from_secs(config.actor_memo_seconds));
        Self {
            by_key: chibo_store::keyed_reads(&db),
            db,
            config,
            memo: std::sync::Arc::new(memo),
            check_ins: Default::default(),
        }
    }

    /// Today in Vietnam (UTC+7), the date that "now" means for users.
    pub fn today() -> chrono::NaiveDate {
        Self::now_local().date()
    }

    /// The wall-clock time in Vietnam (UTC+7).
    pub fn now_local() -> chrono::NaiveDateTime {
        Self::local(chrono::Utc::now())
    }

    /// A moment as Vietnamese wall-clock time.
    pub fn local(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
        (at + chrono::Duration::hours(7)).naive_utc()
    }

    /// A Vietnamese wall-clock time with its offset (`+07:00`), as the API writes times.
    pub fn in_vietnam(local: chrono::NaiveDateTime) -> chrono::DateTime<chrono::FixedOffset> {
        let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is an offset");
        local
            .and_local_timezone(offset)
            .single()
            .expect("a fixed offset has one time for each wall-clock time")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not there, or not in the user's scope: the two are indistinguishable on purpose.
    #[error("Không tìm thấy nội dung yêu cầu.")]
    NotFound,
    #[error("Vui lòng đăng nhập.")]
    Unauthenticated,
    /// In scope to read, but the user may not make this change.
    #[error("Bạn không có quyền thực hiện thao tác này.")]
    Forbidden,
    #[error("Tên đăng nhập hoặc mật khẩu không đúng.")]
    BadCredentials,
    #[error("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")]
    Throttled { minutes: i64 },
    #[error("{0}")]
    Invalid(Invalid),
    #[error("Lỗi cơ sở dữ liệu")]
    Db(#[from] DbErr),
    #[error("Lỗi hệ thống: {0}")]
    Internal(String),
}

impl From<Invalid> for AppError {
    fn from(v: Invalid) -> Self {
        AppError::Invalid(v)
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(Invalid::one(field, message))
    }

    /// A refusal with its fields renamed where `rename` gives a new name (a list's entry named
    /// as the form or body that sent it names it); other errors as they are.
    pub fn rename_fields(self, rename: impl Fn(&str) -> Option<String>) -> Self {
        match self {
            AppError::Invalid(mut inv) => {
                for f in &mut inv.errors {
                    if let Some(name) = rename(&f.field) {
                        f.field = name;
                    }
                }
                AppError::Invalid(inv)
            }
            e => e,
        }
    }

    /// A stable code for the API's error body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::BadCredentials => "bad_credentials",
            AppError::Throttled { .. } => "too_many_attempts",
            AppError::Invalid(_) => "invalid_input",
            AppError::Db(_) | AppError::Internal(_) => "internal",
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
