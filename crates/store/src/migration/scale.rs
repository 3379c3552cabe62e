//! Migrations of the province-scale work (issue 9): what the subtree reads need to use indexes.

use sea_orm_migration::prelude::*;

/// PostgreSQL uses a B-tree index for `path LIKE 'prefix%'` only with the pattern operator class
/// (under any collation but "C"): the subtree reads of every list need these (issue 9). SQLite
/// gets the same from `case_sensitive_like` (see `connect`).
pub(super) struct PathPatternIndexes;

impl MigrationName for PathPatternIndexes {
    fn name(&self) -> &str {
        "m20261129_000018_path_pattern_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PathPatternIndexes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        for (table, column) in [
            ("units", "path"),
            ("unit_versions", "path"),
            ("members", "unit_path"),
        ] {
            m.get_connection()
                .execute_unprepared(&format!(
                    "CREATE INDEX ix_{table}_{column}_pattern ON {table} ({column} text_pattern_ops)"
                ))
                .await?;
        }
        Ok(())
    }
}
