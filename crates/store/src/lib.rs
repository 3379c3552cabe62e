//! Storage: entities, migrations and connection set-up for SQLite and PostgreSQL; the filters of
//! every read over a subtree (`subtree`, made only from a proof of access) and the set-based
//! rewrites restructuring makes (`restructure`); marking the figures kept about meetings out of
//! date (`meeting_stats`); writes of many rows by id in one statement (`bulk`); and the roll-ups
//! over months and units that the indicators read (`rollups`); write transactions, which on
//! SQLite take turns per file (`write`).

pub mod audit_chain;
pub mod backup;
pub mod bulk;
pub mod dossier;
pub mod entities;
pub mod indicators;
pub mod meeting_stats;
pub mod migration;
pub mod name_order;
pub mod restructure;
pub mod rollups;
pub mod search;
pub mod signed;
pub mod sql;
pub mod subtree;
pub mod testing;
pub mod throttle;
pub mod write;

pub use write::WriteTx;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

pub use sea_orm;

pub type Db = DatabaseConnection;

/// Opens the database named by `url` (`sqlite://file.db?mode=rwc` or `postgres://…`).
/// SQLite gets WAL, synchronous=NORMAL, foreign keys and a busy timeout so that writers queue.
/// `CHIBO_LOG_SQL=1` logs every statement with its rows and time (at `info`, target `sqlx`).
pub async fn connect(url: &str) -> Result<Db, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(std::env::var("CHIBO_LOG_SQL").is_ok_and(|v| v == "1"))
        .acquire_timeout(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Subtree reads are `path LIKE '/1/5/%'`; SQLite turns a case-sensitive prefix
                // LIKE into a range on the path index, a case-insensitive one into a full scan.
                // Paths are digits and slashes, and every other LIKE compares search keys that
                // are already lower case.
                .pragma("case_sensitive_like", "ON")
                .create_if_missing(true)
                // Rows cross from SQLite's thread to the request's task through a channel; at
                // the default 50 a page's larger reads (a cell's roll) stall the reader thread
                // and switch threads again and again.
                .row_buffer_size(1000)
        })
        // PostgreSQL compiles a query whose estimated cost passes `jit_above_cost` to machine
        // code first: 30–40 ms spent on every request of a list over a province (the training
        // share, the badges due), for queries that then run in less.
        // And from a prepared statement's sixth run on a connection it may switch to a generic
        // plan, made without the parameters' values: for `path LIKE $1` it cannot know the
        // pattern is a prefix, so the plan reads whole tables (the training page's untrained
        // officers took 13–16 s every few requests at a province, against 80 ms). Planning
        // each run with its values costs a millisecond or two.
        .map_sqlx_postgres_opts(|o| {
            o.options([("jit", "off"), ("plan_cache_mode", "force_custom_plan")])
        });
    // SQLite keeps to 8: each connection holds its own page cache, prepared statements and row
    // buffer, and with 16 the server's peak under load grew from about 180 to 265 MiB. A
    // board's dashboard reads up to nine statements at once (`indicators`): on SQLite the
    // ninth waits for a connection.
    if url.starts_with("sqlite:") {
        opts.max_connections(8);
    } else {
        opts.max_connections(16);
    }
    Database::connect(opts).await
}

/// The connections for statements that find rows by their keys (a session's user, a meeting by
/// id, one member's places): statements whose best plan is the same whatever values are bound.
/// The main pool plans every run of a statement with its values (`force_custom_plan`, see
/// [`connect`]), which a subtree's `path LIKE $1` needs; for a statement found by key that
/// planning is the only work left: it was nine tenths of PostgreSQL's time for a check-in's
/// three reads, at a thousand check-ins a second. These connections let PostgreSQL keep a plan
/// made without the values once five runs showed it no worse. On SQLite, which plans a
/// statement once when it is prepared, this is the same pool. The pool opens its connections
/// when first used, at most 8.
pub fn keyed_reads(db: &Db) -> Db {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return db.clone();
    }
    let pool = db.get_postgres_connection_pool();
    // Settings are applied in order, so this one replaces the main pool's.
    let options = (*pool.connect_options())
        .clone()
        .options([("plan_cache_mode", "auto")]);
    let keyed = sea_orm::sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(30))
        .connect_lazy_with(options);
    sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(keyed)
}

pub async fn migrate(db: &Db) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}

/// A write transaction: on SQLite it waits its turn among the process's writers of the file,
/// then `BEGIN IMMEDIATE` (see [`write`]).
pub async fn write_tx(db: &Db) -> Result<WriteTx, DbErr> {
    WriteTx::begin(db).await
}

/// True when the error is a violated unique constraint (on either backend).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// A `LIKE` pattern matching every path that starts with `prefix` (a subtree), matched literally.
/// The application reads a subtree through [`subtree::Subtree`]; this is for the access module,
/// restructuring, the generators and tests.
pub fn path_prefix(prefix: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(format!("{}%", like_escape(prefix))).escape('\\')
}

/// A `LIKE` pattern matching every text that contains `part`, matched literally (a search).
pub fn containing(part: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(format!("%{}%", like_escape(part))).escape('\\')
}

/// Escapes `%`, `_` and `\` so user input is matched literally in a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};

    #[tokio::test]
    async fn migrations_run_and_unique_keys_hold() {
        let db = testing::fresh_db().await.unwrap();
        let now = chrono::Utc::now();
        let unit = entities::unit::ActiveModel {
            parent_id: Set(None),
            path: Set("/".into()),
            depth: Set(0),
            name: Set("Tỉnh".into()),
            search_key: Set("tinh".into()),
            sort_key: Set(chibo_domain::text::collation_key("Tỉnh")),
            kind: Set("province".into()),
            cell_type: Set(None),
            established_on: Set(chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()),
            dissolved_on: Set(None),
            successor_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        assert!(unit.id > 0);
        let user = |name: &str| entities::user::ActiveModel {
            username: Set(name.into()),
            display_name: Set(name.into()),
            password_hash: Set("x".into()),
            member_id: Set(None),
            is_active: Set(true),
            created_at: Set(now),
            ..Default::default()
        };
        user("a").insert(&db).await.unwrap();
        let err = user("a").insert(&db).await.unwrap_err();
        assert!(
            is_unique_violation(&err),
            "{err:?} on {}",
            testing::backend_name()
        );
        assert_eq!(
            entities::user::Entity::find().all(&db).await.unwrap().len(),
            1
        );
    }

    #[tokio::test]
    async fn write_transactions_roll_back() {
        let db = testing::fresh_db().await.unwrap();
        let tx = write_tx(&db).await.unwrap();
        entities::login_attempt::ActiveModel {
            username: Set("x".into()),
            ip: Set("1".into()),
            at: Set(chrono::Utc::now()),
            success: Set(false),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert!(
            entities::login_attempt::Entity::find()
                .all(&db)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn like_escape_escapes_wildcards() {
        assert_eq!(like_escape("a%b_c\\"), "a\\%b\\_c\\\\");
    }

    /// On PostgreSQL the keyed reads' connections may keep a plan and the main pool's plan every
    /// run; on SQLite both are one pool. Either way what one writes the other reads.
    #[tokio::test]
    async fn keyed_reads_keep_plans_and_see_the_main_pools_writes() {
        use sea_orm::{ConnectionTrait, Statement};
        let db = testing::fresh_db().await.unwrap();
        let keyed = keyed_reads(&db);
        let backend = db.get_database_backend();
        if backend == sea_orm::DbBackend::Postgres {
            let mode = |db: Db| async move {
                db.query_one_raw(Statement::from_string(backend, "SHOW plan_cache_mode"))
                    .await
                    .unwrap()
                    .unwrap()
                    .try_get_by_index::<String>(0)
                    .unwrap()
            };
            assert_eq!(mode(db.clone()).await, "force_custom_plan");
            assert_eq!(mode(keyed.clone()).await, "auto");
        }
        let run = |sql: &str| Statement::from_string(backend, sql.to_string());
        db.execute_raw(run("CREATE TABLE keyed_check (id BIGINT PRIMARY KEY)"))
            .await
            .unwrap();
        db.execute_raw(run("INSERT INTO keyed_check VALUES (7)"))
            .await
            .unwrap();
        let read = keyed
            .query_one_raw(run("SELECT id FROM keyed_check"))
            .await
            .unwrap()
            .map(|row| row.try_get_by_index::<i64>(0).unwrap());
        assert_eq!(read, Some(7));
    }
}
