//! Databases for tests: a fresh SQLite file by default, or a fresh PostgreSQL database when
//! `CHIBO_TEST_DATABASE_URL` names a server (CI sets it for the PostgreSQL pass).

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

/// The URL of a new empty database (not yet migrated).
pub async fn fresh_url() -> Result<String, DbErr> {
    let name = format!(
        "chibo_test_{}_{}",
        std::process::id(),
        rand::random::<u64>() % 1_000_000_000_000
    );
    match std::env::var(TEST_URL_VAR) {
        Ok(base) if base.starts_with("postgres") => {
            let admin = Database::connect(base.clone()).await?;
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
