//! Databases for tests: a fresh SQLite file by default, or a fresh PostgreSQL database when
//! `CHIBO_TEST_DATABASE_URL` names a server (CI sets it for the PostgreSQL pass).

use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::{ConnectionTrait, Database, DbErr, Statement};

use crate::{Db, connect, migrate};

pub const TEST_URL_VAR: &str = "CHIBO_TEST_DATABASE_URL";

/// A migrated, empty database that belongs to one test.
pub async fn fresh_db() -> Result<Db, DbErr> {
    let url = fresh_url().await?;
    let db = connect(&url).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Test databases are named after the process that made them.
const PREFIX: &str = "chibo_test_";

/// Whether a test database was made by a process that has ended (its id is in the name).
fn left_behind(name: &str) -> bool {
    let Some(pid) = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        return false;
    };
    pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The URL of a new empty database (not yet migrated). The first call of a test process also
/// removes the databases that ended test processes left behind: each test binary's hundreds
/// of databases (a generated city is 100 MB) would otherwise fill the disk run after run.
pub async fn fresh_url() -> Result<String, DbErr> {
    static SWEPT: AtomicBool = AtomicBool::new(false);
    let sweep = !SWEPT.swap(true, Ordering::Relaxed);
    let name = format!(
        "{PREFIX}{}_{}",
        std::process::id(),
        rand::random::<u64>() % 1_000_000_000_000
    );
    match std::env::var(TEST_URL_VAR) {
        Ok(base) if base.starts_with("postgres") => {
            let admin = Database::connect(base.clone()).await?;
            if sweep {
                let backend = admin.get_database_backend();
                let names = admin
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'"),
                    ))
                    .await
                    .unwrap_or_default();
                for row in names {
                    let Ok(old) = row.try_get::<String>("", "datname") else {
                        continue;
                    };
                    if left_behind(&old) {
                        // Another process may be sweeping too: a failed drop is left.
                        let _ = admin
                            .execute_raw(Statement::from_string(
                                backend,
                                format!("DROP DATABASE IF EXISTS {old}"),
                            ))
                            .await;
                    }
                }
            }
            admin
                .execute_raw(Statement::from_string(
                    admin.get_database_backend(),
                    format!("CREATE DATABASE {name}"),
                ))
                .await?;
            admin.close().await?;
            let (prefix, _) = base
                .rsplit_once('/')
                .ok_or_else(|| DbErr::Custom("bad CHIBO_TEST_DATABASE_URL".into()))?;
            Ok(format!("{prefix}/{name}"))
        }
        _ => {
            let dir = std::env::temp_dir().join("chibo-tests");
            std::fs::create_dir_all(&dir).map_err(|e| DbErr::Custom(e.to_string()))?;
            if sweep {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    if left_behind(&entry.file_name().to_string_lossy()) {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
            Ok(format!("sqlite://{}/{name}.db?mode=rwc", dir.display()))
        }
    }
}

/// Which backend the tests run on, for messages.
pub fn backend_name() -> &'static str {
    match std::env::var(TEST_URL_VAR) {
        Ok(u) if u.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// Every table with its row count and a digest of all its rows as text, in a fixed order: two
/// databases of the same backend with the same fingerprints hold the same rows. For tests: a
/// table is read as one string.
pub async fn table_fingerprints(db: &Db) -> Result<Vec<(String, i64, String)>, DbErr> {
    use sha2::Digest;
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for t in crate::backup::tables(db).await? {
        let sql = match backend {
            sea_orm::DbBackend::Sqlite => {
                let columns: Vec<String> = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_table_info('{t}')"),
                    ))
                    .await?
                    .into_iter()
                    .map(|r| r.try_get_by_index::<String>(0))
                    .collect::<Result<_, _>>()?;
                let row = columns
                    .iter()
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join("||','||");
                format!(
                    "SELECT COUNT(*), COALESCE(group_concat(r, char(10)), '') \
                     FROM (SELECT {row} AS r FROM \"{t}\" ORDER BY 1)"
                )
            }
            _ => format!(
                "SELECT COUNT(*), COALESCE(string_agg(x::text, E'\\n' ORDER BY x::text), '') \
                 FROM \"{t}\" x"
            ),
        };
        let r = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await?
            .ok_or_else(|| DbErr::Custom(format!("no answer for {t}")))?;
        let rows: i64 = r.try_get_by_index(0)?;
        let text: String = r.try_get_by_index(1)?;
        out.push((t, rows, hex::encode(sha2::Sha256::digest(text.as_bytes()))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_databases_of_ended_processes_are_left_behind() {
        let mine = format!("{PREFIX}{}_42", std::process::id());
        assert!(!left_behind(&mine));
        assert!(!left_behind(&format!("{mine}.db-wal")));
        // Above Linux's largest process id: no such process can be running.
        assert!(left_behind(&format!("{PREFIX}4294967_7.db")));
        assert!(left_behind(&format!("{PREFIX}4294967_7")));
        assert!(!left_behind("chibo"));
        assert!(!left_behind(&format!("{PREFIX}x_7")));
    }
}
