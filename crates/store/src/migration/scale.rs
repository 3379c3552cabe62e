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

/// Units get a Vietnamese collation key of their name, as members have, so a level of the tree
/// and every list of units by name pages by keyset in SQL instead of being sorted in Rust.
pub(super) struct UnitSortKeys;

impl MigrationName for UnitSortKeys {
    fn name(&self) -> &str {
        "m20261130_000020_unit_sort_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for UnitSortKeys {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("units"))
                .add_column(
                    // Text: a collation key is about three characters a letter, longer than the
                    // 255-character name it comes from.
                    ColumnDef::new(Alias::new("sort_key"))
                        .text()
                        .not_null()
                        .default(""),
                )
                .to_owned(),
        )
        .await?;
        // The key is computed in Rust (the database has no Vietnamese collation); the units
        // that exist when this runs are few (the tree, not its members).
        let db = m.get_connection();
        let rows = db
            .query_all(
                Query::select()
                    .columns([Alias::new("id"), Alias::new("name")])
                    .from(Alias::new("units")),
            )
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            db.execute(
                Query::update()
                    .table(Alias::new("units"))
                    .value(
                        Alias::new("sort_key"),
                        chibo_domain::text::collation_key(&name),
                    )
                    .and_where(Expr::col(Alias::new("id")).eq(id)),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("ix_units_parent_id_sort_key")
                .table(Alias::new("units"))
                .col(Alias::new("parent_id"))
                .col(Alias::new("sort_key"))
                .to_owned(),
        )
        .await
    }
}
