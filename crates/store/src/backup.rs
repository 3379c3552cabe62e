//! What a backup and its restore need from the database: SQLite's online copy (`VACUUM INTO`, a
//! consistent snapshot taken while the server keeps writing), whether a database is empty
//! (a restore goes only into one), its tables' row counts, and SQLite's integrity check.
//! PostgreSQL's copy is `pg_dump`'s, run by the command line.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use crate::Db;

/// What a backup file holds, known by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// A SQLite database file.
    Sqlite,
    /// `pg_dump`'s custom format.
    PgDump,
}

impl BackupKind {
    /// The kind of a backup file by its first bytes; `None` for anything else.
    pub fn of_bytes(head: &[u8]) -> Option<BackupKind> {
        if head.starts_with(b"SQLite format 3\0") {
            Some(BackupKind::Sqlite)
        } else if head.starts_with(b"PGDMP") {
            Some(BackupKind::PgDump)
        } else {
            None
        }
    }
}

/// The path of a SQLite database URL's file (`sqlite://chibo.db?mode=rwc` → `chibo.db`).
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Copies a SQLite database, as it is at one instant, into a new file at `to` (which must not
/// exist): the server may keep writing meanwhile.
pub async fn sqlite_copy(db: &Db, to: &str) -> Result<(), DbErr> {
    let quoted = to.replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
        .await?;
    Ok(())
}

/// The database's own tables, by name.
pub async fn tables(db: &Db) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name"
        }
        _ => "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await?
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect()
}

/// Whether the database has no tables yet: the only kind a restore goes into.
pub async fn is_empty(db: &Db) -> Result<bool, DbErr> {
    Ok(tables(db).await?.is_empty())
}

/// Every table with its number of rows.
pub async fn row_counts(db: &Db) -> Result<Vec<(String, i64)>, DbErr> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for t in tables(db).await? {
        let n = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) FROM \"{t}\""),
            ))
            .await?
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        out.push((t, n));
    }
    Ok(out)
}

/// SQLite's integrity check: `None` when the file is sound, else what it found. PostgreSQL
/// checks its pages itself; `None` there.
pub async fn integrity_problem(db: &Db) -> Result<Option<String>, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?;
    let found: Vec<String> = rows
        .into_iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    Ok((found != ["ok"]).then(|| found.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_known_by_their_first_bytes() {
        assert_eq!(
            BackupKind::of_bytes(b"SQLite format 3\0rest"),
            Some(BackupKind::Sqlite)
        );
        assert_eq!(
            BackupKind::of_bytes(b"PGDMP\x01\x0e"),
            Some(BackupKind::PgDump)
        );
        assert_eq!(BackupKind::of_bytes(b"PK\x03\x04"), None);
        assert_eq!(sqlite_path("sqlite://chibo.db?mode=rwc"), Some("chibo.db"));
        assert_eq!(sqlite_path("sqlite:/tmp/a.db"), Some("/tmp/a.db"));
        assert_eq!(sqlite_path("postgres://x@h/db"), None);
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
