//! `chibo generate`: a realistic, reproducible organisation at city, province or national size,
//! written with set-based inserts into an empty database. What it writes is what the use cases
//! would write (paths, versions, rolls, statuses, positions, meetings and their records); the
//! test `tests/generate.rs` checks those invariants on a generated city.
//!
//! The order: rule sets, the tree with its history (`org`), members with their rolls, statuses
//! and positions, and the party groups of large cells (`people`), months of meetings
//! (`meetings`), a year of the other work (`workflows`: badges, exemption requests, transfers,
//! candidates, last year's classification, courses, inspections, breakthrough tasks), then
//! accounts for a few chosen units.

mod bulk;
mod logins;
mod meetings;
pub mod org;
mod people;
pub mod plan;
mod workflows;

use crate::demo::names::Rng;
use chibo_app::App;
use chibo_store::entities::{unit, user};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PaginatorTrait};

pub use plan::{Scale, Sizes};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub scale: Scale,
    /// Months of meetings, ending with the current month.
    pub months: u32,
    pub seed: u64,
}

/// What was generated, and the logins to try it with.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub units: usize,
    pub cells: usize,
    pub members: usize,
    pub meetings: usize,
    pub attendance: usize,
    /// (username, what the account is) for every generated login.
    pub logins: Vec<(String, String)>,
}

/// Reports progress: a phase's name, then (done, total) of it.
pub trait Progress {
    fn phase(&self, name: &str, total: u64);
    fn advance(&self, done: u64);
}

/// A progress report that says nothing (tests).
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// The generator's state: its random numbers and the next id of each table it fills.
pub struct Ctx {
    pub rng: Rng,
    next_unit: i64,
}

impl Ctx {
    fn new(seed: u64) -> Self {
        Self {
            // xorshift must not start at zero.
            rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
            next_unit: 0,
        }
    }

    pub fn next_unit_id(&mut self) -> i64 {
        self.next_unit += 1;
        self.next_unit
    }
}

/// Why a generation could not start or failed.
#[derive(Debug)]
pub enum GenerateError {
    /// The database already holds an organisation.
    NotEmpty,
    Db(DbErr),
    App(chibo_app::AppError),
}

impl std::fmt::Display for GenerateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenerateError::NotEmpty => write!(
                f,
                "Cơ sở dữ liệu đã có dữ liệu tổ chức hoặc tài khoản; hãy dùng một cơ sở dữ liệu trống."
            ),
            GenerateError::Db(e) => write!(f, "Lỗi cơ sở dữ liệu: {e}"),
            GenerateError::App(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for GenerateError {}

impl From<DbErr> for GenerateError {
    fn from(e: DbErr) -> Self {
        GenerateError::Db(e)
    }
}

impl From<chibo_app::AppError> for GenerateError {
    fn from(e: chibo_app::AppError) -> Self {
        GenerateError::App(e)
    }
}

/// Fills the empty database of `app` with a generated organisation.
pub async fn generate(
    app: &App,
    opts: Options,
    progress: &dyn Progress,
) -> Result<Summary, GenerateError> {
    // Accounts are written with chosen ids too: an administrator made by `create-admin` would
    // clash, so the database must hold neither units nor users.
    if unit::Entity::find().count(&app.db).await? > 0
        || user::Entity::find().count(&app.db).await? > 0
    {
        return Err(GenerateError::NotEmpty);
    }
    let mut ctx = Ctx::new(opts.seed);
    chibo_app::rules::ensure_builtins(&app.db).await?;
    let units = org::build(&mut ctx, &opts.scale.provinces());
    progress.phase("Cây tổ chức", units.len() as u64);
    let tx = bulk::load_tx(&app.db).await?;
    people::write_units(&tx, &units, progress).await?;
    tx.commit().await?;
    let sizes = opts.scale.provinces();
    let people = people::write_people(app, &mut ctx, &units, &sizes, progress).await?;
    let (meetings, attendance) =
        meetings::write_meetings(app, &mut ctx, &units, &people, opts.months, progress).await?;
    workflows::write_workflows(app, &mut ctx, &units, &people, progress).await?;
    let logins = logins::write_logins(app, &units, &people).await?;
    bulk::advance_sequences(&app.db, people::TABLES).await?;
    bulk::advance_sequences(&app.db, meetings::TABLES).await?;
    bulk::advance_sequences(&app.db, workflows::TABLES).await?;
    analyze(&app.db).await?;
    progress.phase("Số liệu tổng hợp theo tháng", opts.months as u64 + 1);
    chibo_app::meetings::figures::build_rollups(app).await?;
    analyze_rollups(&app.db).await?;
    Ok(Summary {
        units: units.len() + people.groups,
        cells: units.iter().filter(|u| u.kind.is_cell()).count(),
        members: people.members.len(),
        meetings,
        attendance,
        logins,
    })
}

/// Fresh statistics on the roll-ups just built.
async fn analyze_rollups(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for t in ["unit_months", "cell_months", "rollup_months"] {
        db.execute_unprepared(&analyze_table(db, t)).await?;
    }
    Ok(())
}

/// The statement that leaves table `t` as a database in use has it. On PostgreSQL the table is
/// vacuumed too: rows just loaded are not yet marked visible to all, so an index-only scan
/// reads the table for each of them until the background vacuum comes by, some minutes later,
/// and a benchmark run right after the load measured that (and the vacuum beside it).
fn analyze_table(db: &impl ConnectionTrait, t: &str) -> String {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!("VACUUM (ANALYZE) {t}"),
        _ => format!("ANALYZE {t}"),
    }
}

/// Fresh statistics for the query planner after a bulk load. On PostgreSQL only the tables
/// written (a bare `ANALYZE` also visits system tables the owner may not analyse, and warns).
async fn analyze(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
        return Ok(());
    }
    let tables = people::TABLES
        .iter()
        .chain(meetings::TABLES)
        .chain(workflows::TABLES)
        .chain(&[
            "meeting_attendance",
            "meeting_records",
            "meeting_tasks",
            "meeting_stats",
            "member_badges",
            "member_reviews",
            "unit_reviews",
            "transfers",
            "exemptions",
            "candidate_votes",
        ]);
    for t in tables {
        db.execute_unprepared(&analyze_table(db, t)).await?;
    }
    Ok(())
}
