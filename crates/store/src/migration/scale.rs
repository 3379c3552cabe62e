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

/// The cells a member follows for the superior committee are read on every home page: without
/// an index that read scanned every unit of the province.
pub(super) struct FollowerIndex;

impl MigrationName for FollowerIndex {
    fn name(&self) -> &str {
        "m20261130_000021_follower_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for FollowerIndex {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_units_follower_member_id")
                .table(Alias::new("units"))
                .col(Alias::new("follower_member_id"))
                .to_owned(),
        )
        .await
    }
}

/// A trigram index of member names, so a search by part of a name does not read a province's
/// members (see `crate::search`). On SQLite an FTS5 table kept by triggers; on PostgreSQL a
/// `pg_trgm` GIN index, skipped (searches then scan) where the extension may not be created.
pub(super) struct MemberNameSearch;

impl MigrationName for MemberNameSearch {
    fn name(&self) -> &str {
        "m20261130_000022_member_name_search"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MemberNameSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            // An exception block runs as a subtransaction: a server without the extension (or
            // a role that may not create it) keeps the migration's transaction alive.
            db.execute_unprepared(
                "DO $$ BEGIN
                   CREATE EXTENSION IF NOT EXISTS pg_trgm;
                   CREATE INDEX ix_members_search_key_trgm ON members
                     USING gin (search_key gin_trgm_ops);
                 EXCEPTION WHEN OTHERS THEN
                   RAISE WARNING 'pg_trgm unavailable (%): member name searches will scan', SQLERRM;
                 END $$",
            )
            .await?;
            return Ok(());
        }
        for statement in [
            "CREATE VIRTUAL TABLE member_names USING fts5(search_key, content='members', \
             content_rowid='id', tokenize='trigram')",
            "INSERT INTO member_names(member_names) VALUES ('rebuild')",
            "CREATE TRIGGER members_names_insert AFTER INSERT ON members BEGIN \
               INSERT INTO member_names(rowid, search_key) VALUES (new.id, new.search_key); END",
            "CREATE TRIGGER members_names_delete AFTER DELETE ON members BEGIN \
               INSERT INTO member_names(member_names, rowid, search_key) \
               VALUES ('delete', old.id, old.search_key); END",
            "CREATE TRIGGER members_names_update AFTER UPDATE OF search_key ON members BEGIN \
               INSERT INTO member_names(member_names, rowid, search_key) \
               VALUES ('delete', old.id, old.search_key); \
               INSERT INTO member_names(rowid, search_key) VALUES (new.id, new.search_key); END",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}

/// Transfers are listed out of or into a subtree, and a year's member reviews counted over a
/// subtree's cells: without these indexes a commune's list read every transfer or review of the
/// database. The members' path index also carries the status, so the member total of a
/// subtree (the list's and the unit page's) is counted from the index alone (a province's
/// 240,000 members: PostgreSQL 45 ms against 110–160 ms reading the table, SQLite 64 ms against
/// 230 ms). On PostgreSQL it replaces the path's pattern index, which it covers.
pub(super) struct SubtreeListIndexes;

impl MigrationName for SubtreeListIndexes {
    fn name(&self) -> &str {
        "m20261204_000037_subtree_list_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SubtreeListIndexes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in [
            ("transfers", &["from_unit_id"][..]),
            ("transfers", &["to_unit_id"][..]),
            ("member_reviews", &["cell_id", "year"][..]),
        ] {
            m.create_index(super::index(table, cols, false)).await?;
        }
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_members_unit_path_status_pattern ON members \
                     (unit_path text_pattern_ops, status); \
                     DROP INDEX ix_members_unit_path_pattern",
                )
                .await?;
        } else {
            // The name order within a path stays first: the status only rides along, so the
            // list keeps its plans (a status-only index made SQLite sort the province).
            m.create_index(super::index(
                "members",
                &["unit_path", "sort_key", "status"],
                false,
            ))
            .await?;
            m.get_connection()
                .execute_unprepared("DROP INDEX ix_members_unit_path_sort_key")
                .await?;
        }
        Ok(())
    }
}

/// SQLite: the name index also carries the path and status, so a list of a large subtree read
/// in name order (`crate::name_order`) tests both from the index (a page at row 10,000 of a
/// province: 10,000 index entries; the table is read for the rows that pass, and for the tests
/// the index lacks). `id` is named before them: an index ends with the rowid anyway, but after
/// the path it would no longer order the rows of one name. It replaces the name-only index,
/// which it covers. PostgreSQL keeps its own plans. Written to be run again after a stop
/// between its two statements (SQLite runs a migration outside a transaction).
pub(super) struct MemberNameOrderIndex;

impl MigrationName for MemberNameOrderIndex {
    fn name(&self) -> &str {
        "m20261205_000038_member_name_order_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MemberNameOrderIndex {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DbBackend::Sqlite {
            m.create_index(
                super::index("members", &["sort_key", "id", "unit_path", "status"], false)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
            m.get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_members_sort_key")
                .await?;
        }
        Ok(())
    }
}

/// The indicators over a province read every roll, officer post and member review of the
/// subtree through its units: each index now carries what those counts test and return, so
/// they are read from the index alone (members on the roll on a day: 240,000 table lookups
/// fewer). Each replaces the index it extends. Written to be run again after a stop.
pub(super) struct CoveringIndexes;

impl MigrationName for CoveringIndexes {
    fn name(&self) -> &str {
        "m20261206_000040_covering_indexes"
    }
}

/// The new indexes, each with the one it replaces.
const COVERING: [(&str, &[&str], &str); 3] = [
    (
        "member_units",
        &["unit_id", "valid_from", "valid_to", "member_id"],
        "ix_member_units_unit_id_valid_from",
    ),
    (
        "positions",
        &["unit_id", "term_from", "term_to", "member_id"],
        "ix_positions_unit_id_term_from",
    ),
    (
        "member_reviews",
        &["cell_id", "year", "level"],
        "ix_member_reviews_cell_id_year",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for CoveringIndexes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns, replaced) in COVERING {
            m.create_index(
                super::index(table, columns, false)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
            m.get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {replaced}"))
                .await?;
        }
        Ok(())
    }
}
