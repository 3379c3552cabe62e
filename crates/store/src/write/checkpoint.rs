//! Copying SQLite's write-ahead log into the database file (a checkpoint) outside the
//! writers' turn.
//!
//! Left to SQLite, the connection whose commit makes the log pass 1,000 pages copies the log
//! into the file and flushes it inside that commit, while it holds the writers' turn: every
//! writer queued behind it waited (a check-in burst's slowest hundredth, sent together about
//! a second apart, took 60 ms instead of 20). So a commit starts a passive checkpoint on one
//! of the pool's connections when none has started for [`EVERY`]: it copies what no reader
//! still needs and waits for no one, and writers go on appending to the log meanwhile. What
//! was committed is already flushed in the log, so a crash between checkpoints loses nothing:
//! SQLite replays the log when it opens the file.
//!
//! A passive checkpoint never makes the log start again from its beginning: only a writer does
//! that, when it begins after a checkpoint that copied everything, and under a stream of
//! commits a checkpoint running beside them never catches the last. So the writers' connection
//! still checkpoints itself, but only past 10,000 pages (`wal_autocheckpoint` in `write.rs`,
//! against SQLite's 1,000): by then the background has copied nearly all of it, the copy in
//! the turn is short, and the log starts again. The log thus stays under about 40 MB.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use crate::Db;

/// At most one checkpoint a second per file. The last commits of a burst are copied by the
/// next checkpoint after it (or when the file is closed); meanwhile they are read from the log.
const EVERY: Duration = Duration::from_secs(1);

/// One file's checkpoints: whether one runs, and when the last started.
#[derive(Default)]
pub(super) struct Checkpoints {
    running: Arc<AtomicBool>,
    last: Mutex<Option<Instant>>,
}

/// Clears `running` when the checkpoint's task ends, however it ends (a test's runtime dropped
/// with the task in it would otherwise leave the file never checkpointed again).
struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Checkpoints {
    /// After a commit: starts a passive checkpoint through `pool` in the background, unless one
    /// runs or one started less than [`EVERY`] ago.
    pub(super) fn after_commit(&self, pool: &Db) {
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < EVERY) {
                return;
            }
            if self.running.swap(true, Ordering::AcqRel) {
                return;
            }
            *last = Some(Instant::now());
        }
        let running = Running(self.running.clone());
        let pool = pool.clone();
        tokio::spawn(async move {
            let _running = running;
            if let Err(e) = pool
                .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                .await
            {
                // The next commit a second later tries again; the log meanwhile only grows.
                tracing::warn!("checkpoint of the write-ahead log failed: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testing;
    use crate::write::WriteTx;
    use sea_orm::ConnectionTrait;
    use std::time::Duration;

    /// A fresh SQLite file with an empty `blobs` table, and the file's name; `None` on
    /// PostgreSQL, which has no log of SQLite's to copy.
    async fn blobs() -> Option<(String, crate::Db)> {
        let url = testing::fresh_url().await.unwrap();
        let file = url.strip_prefix("sqlite://")?;
        let file = file.split('?').next().unwrap_or(file).to_string();
        let db = crate::connect(&url).await.unwrap();
        db.execute_unprepared("CREATE TABLE blobs (b BLOB NOT NULL)")
            .await
            .unwrap();
        Some((file, db))
    }

    /// 100 kB more, in a write transaction of its own.
    async fn write_blob(db: &crate::Db) {
        let tx = WriteTx::begin(db).await.unwrap();
        tx.execute_unprepared("INSERT INTO blobs VALUES (randomblob(100000))")
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    /// Written rows reach the database file itself, copied there by the background checkpoint
    /// (the writers' connection copies only past 10,000 pages; without the checkpoint the file
    /// would stay as small as the empty table and the log would hold everything).
    #[tokio::test]
    async fn commits_reach_the_database_file() {
        let Some((file, db)) = blobs().await else {
            return;
        };
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let before = size();
        // About 2 MB in 20 commits; the first starts a checkpoint, a commit after a second
        // another, which copies the rest.
        for round in 0..21 {
            if round == 20 {
                tokio::time::sleep(super::EVERY + Duration::from_millis(100)).await;
            }
            write_blob(&db).await;
        }
        let mut waited = Duration::ZERO;
        while size() < before + 2_000_000 && waited < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += Duration::from_millis(50);
        }
        assert!(
            size() >= before + 2_000_000,
            "the database file has {} bytes, {before} before the writes",
            size()
        );
    }

    /// The log starts again from its beginning under a stream of commits: 80 MB written in
    /// 800 commits leave a log file under 65 MB (about 41 MB, more when a background checkpoint
    /// holds the log as the writer's falls due; with the writers' own checkpoint switched off,
    /// the background's passive ones alone, it holds all of it: 54.6 MB after 50 MB).
    #[tokio::test]
    async fn the_log_stays_bounded_under_a_stream_of_commits() {
        let Some((file, db)) = blobs().await else {
            return;
        };
        for _ in 0..800 {
            write_blob(&db).await;
        }
        let log = std::fs::metadata(format!("{file}-wal")).unwrap().len();
        assert!(log < 65_000_000, "the log holds {log} bytes");
    }
}
