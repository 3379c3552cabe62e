//! Write transactions ([`WriteTx`]) and, on SQLite, the turn each writer waits for.
//!
//! SQLite has one writer at a time. Left to itself, a writer that finds the file locked sleeps
//! in SQLite's busy handler (1, 2, 5, 10 … 100 ms) and tries again, whether or not the lock was
//! freed a moment after it fell asleep: under a burst of check-ins most of the time went on
//! those sleeps, the write lock idle (181 check-ins a second, p99 352 ms, on a file that takes
//! 8,500 single-row transactions a second). So the writers of one process queue on an async
//! mutex per database file, in order, and each is woken the moment the one before commits.
//! They write through one connection of their own, so that the writer whose turn it is never
//! waits for one of the pool's connections behind the readers. Two kinds of writer still meet
//! it in the busy handler: another process on the same file (a second `chibo`), and the
//! single statements written outside a transaction through the pool (a session's renewal, a
//! login's count, a notice marked read), which take no turn.
//!
//! PostgreSQL has row locks and no such queue.

use std::collections::HashMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use sea_orm::SqlxSqliteConnector;
use sea_orm::sqlx::sqlite::{SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use tokio::sync::OwnedMutexGuard;

use crate::Db;

mod checkpoint;
use checkpoint::Checkpoints;

/// How long a writer waits for its turn before giving up with an error, rather than wait
/// forever behind a writer that never ends.
const TURN_WAIT: Duration = Duration::from_secs(30);

/// The writers of one SQLite file: their queue, and the one connection they write through.
/// A connection of their own, because a writer holding its turn and then waiting for one of
/// the pool's connections, all busy with reads, would keep every other writer waiting too.
struct Writers {
    turn: Arc<tokio::sync::Mutex<()>>,
    /// The connection, and which file it opened.
    connection: Option<(Db, FileId)>,
    checkpoints: Arc<Checkpoints>,
}

/// What a write transaction on SQLite holds: its turn, and, when the writers have a connection
/// of their own, what to checkpoint with once it commits (the pool it was begun on).
struct Turn {
    queue: OwnedMutexGuard<()>,
    checkpoint: Option<(Arc<Checkpoints>, Db)>,
}

/// The writers of each SQLite file this process opened.
static WRITERS: LazyLock<Mutex<HashMap<PathBuf, Writers>>> = LazyLock::new(Default::default);

/// A file as it is on disk: its inode and when it was made, so that a file removed and made
/// again under the same name (a restore), even on a reused inode, gets a new connection.
type FileId = (u64, Option<std::time::SystemTime>);

fn file_id(file: &std::path::Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(file).ok()?;
    Some((m.ino(), m.created().ok()))
}

/// The queue of writers of the SQLite file behind `db`, the connection to write through (`db`
/// itself for a database in memory, which another connection would not see) and, when that
/// connection is the writers' own, the file's checkpoints.
fn writers_of(db: &Db) -> (Arc<tokio::sync::Mutex<()>>, Db, Option<Arc<Checkpoints>>) {
    let options = db.get_sqlite_connection_pool().connect_options();
    // One name per file, however the URL spelt it (relative, absolute, through a link).
    let file = options.get_filename();
    let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let on_disk = file_id(&file);
    let mut all = WRITERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let writers = all.entry(file).or_insert_with(|| Writers {
        turn: Default::default(),
        connection: None,
        checkpoints: Default::default(),
    });
    let Some(on_disk) = on_disk else {
        return (writers.turn.clone(), db.clone(), None);
    };
    let checkpoints = Some(writers.checkpoints.clone());
    match &writers.connection {
        Some((writer, of)) if *of == on_disk => (writers.turn.clone(), writer.clone(), checkpoints),
        _ => {
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(0)
                // Only the writer whose turn it is uses the connection: no ping before each.
                .test_before_acquire(false)
                .idle_timeout(Some(Duration::from_secs(60)))
                .acquire_timeout(TURN_WAIT)
                // FULL: each write transaction's commit is flushed to disk before it returns, so
                // what chibo answered as saved survives a power cut, not only a killed process
                // (the pool's NORMAL syncs at checkpoints only). One flush per transaction, and
                // check-ins come in batches (`meetings::check_in_batch`).
                .connect_lazy_with(
                    (*options)
                        .clone()
                        .synchronous(SqliteSynchronous::Full)
                        // The log is copied into the file outside the turn (`checkpoint`);
                        // this writer copies it only past 10,000 pages, when what is left to
                        // copy is little, so that the log can start again from its beginning.
                        .pragma("wal_autocheckpoint", "10000"),
                );
            let writer = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
            writers.connection = Some((writer.clone(), on_disk));
            (writers.turn.clone(), writer, checkpoints)
        }
    }
}

/// A write transaction; on SQLite it holds the file's turn until it ends. Derefs to the
/// transaction, and runs statements itself (`.exec(&tx)`). Dropped without
/// [`WriteTx::commit`], it rolls back.
pub struct WriteTx {
    // Declared first so that it is dropped (its rollback queued) before the turn passes on.
    tx: DatabaseTransaction,
    turn: Option<Turn>,
}

impl WriteTx {
    /// Opens a write transaction: on SQLite after waiting its turn, then `BEGIN IMMEDIATE`,
    /// so that a transaction that reads before it writes holds the write lock from the start
    /// and cannot fail on a lock upgrade.
    pub async fn begin(db: &Db) -> Result<WriteTx, DbErr> {
        let (turn, mode, db) = match db.get_database_backend() {
            DbBackend::Sqlite => {
                let (queue, writer, checkpoints) = writers_of(db);
                let queue = tokio::time::timeout(TURN_WAIT, queue.lock_owned())
                    .await
                    .map_err(|_| {
                        DbErr::Custom("no turn to write within 30 s: the database is busy".into())
                    })?;
                let turn = Turn {
                    queue,
                    checkpoint: checkpoints.map(|c| (c, db.clone())),
                };
                (Some(turn), Some(SqliteTransactionMode::Immediate), writer)
            }
            _ => (None, None, db.clone()),
        };
        let tx = db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: mode,
                ..Default::default()
            })
            .await?;
        Ok(WriteTx { tx, turn })
    }

    /// Commits, then passes the turn on (and, on SQLite, may start a checkpoint).
    pub async fn commit(self) -> Result<(), DbErr> {
        let WriteTx { tx, turn } = self;
        tx.commit().await?;
        if let Some(Turn { queue, checkpoint }) = turn {
            drop(queue);
            if let Some((checkpoints, pool)) = checkpoint {
                checkpoints.after_commit(&pool);
            }
        }
        Ok(())
    }

    /// Rolls back, then passes the turn on.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }
}

impl Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTx {
    fn get_database_backend(&self) -> DbBackend {
        self.tx.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tx.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tx.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tx.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tx.query_all_raw(stmt).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    /// Writers of one file wait their turn instead of meeting a locked file: many at once all
    /// commit, none sleeps in the busy handler long enough to fail, and their counts add up.
    #[tokio::test]
    async fn writers_take_turns() {
        let url = testing::fresh_url().await.unwrap();
        let db = crate::connect(&url).await.unwrap();
        let b = db.get_database_backend();
        db.execute_raw(Statement::from_string(
            b,
            "CREATE TABLE turns (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
        ))
        .await
        .unwrap();
        db.execute_raw(Statement::from_string(b, "INSERT INTO turns VALUES (1, 0)"))
            .await
            .unwrap();
        let writers: Vec<_> = (0..40)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let tx = WriteTx::begin(&db).await.unwrap();
                    // PostgreSQL queues the writers on the row's lock instead.
                    let lock = if b == DbBackend::Postgres {
                        " FOR UPDATE"
                    } else {
                        ""
                    };
                    let read = format!("SELECT n FROM turns{lock}");
                    let row = tx
                        .query_one_raw(Statement::from_string(b, read))
                        .await
                        .unwrap()
                        .unwrap();
                    let n: i64 = row.try_get_by_index(0).unwrap();
                    tokio::task::yield_now().await;
                    let mut sql = crate::sql::Sql::default();
                    let next = sql.bind(n + 1);
                    tx.execute_raw(sql.statement(b, &format!("UPDATE turns SET n = {next}")))
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap();
        }
        let row = db
            .query_one_raw(Statement::from_string(b, "SELECT n FROM turns"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 40);
    }

    /// A file removed and made again under the same name (a restore) is written through a new
    /// connection, not through the one that still holds the removed file open.
    #[tokio::test]
    async fn a_file_made_again_gets_its_own_writer() {
        let dir = std::env::temp_dir().join(format!(
            "chibo-writer-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("again.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        for round in 1..=2i64 {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            let db = crate::connect(&url).await.unwrap();
            let b = db.get_database_backend();
            db.execute_unprepared("CREATE TABLE rounds (n BIGINT NOT NULL)")
                .await
                .unwrap();
            let tx = WriteTx::begin(&db).await.unwrap();
            tx.execute_unprepared(&format!("INSERT INTO rounds VALUES ({round})"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let row = db
                .query_one_raw(Statement::from_string(b, "SELECT SUM(n) FROM rounds"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), round);
            db.close().await.unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Each file has its own queue: a writer holding its turn on one database does not hold
    /// up a writer of another.
    #[tokio::test]
    async fn each_file_its_own_turn() {
        let a = crate::connect(&testing::fresh_url().await.unwrap())
            .await
            .unwrap();
        let b = crate::connect(&testing::fresh_url().await.unwrap())
            .await
            .unwrap();
        let held = WriteTx::begin(&a).await.unwrap();
        let other = tokio::time::timeout(Duration::from_secs(5), WriteTx::begin(&b))
            .await
            .expect("a writer of another file waits for no one")
            .unwrap();
        other.commit().await.unwrap();
        held.rollback().await.unwrap();
    }
}
