//! Migrations of the secretary's month (issue 13): a meeting moved to another day keeps the day
//! it was first set for and why it moved; a resolution keeps the number it was issued with; the
//! audit log is read by account and by kind of record.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::{c, index};

/// The day a postponed meeting was first set for, and the reason the members see.
pub(super) struct MeetingPostponement;

impl MigrationName for MeetingPostponement {
    fn name(&self) -> &str {
        "m20261207_000041_meeting_postponement"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MeetingPostponement {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters one at a time.
        m.alter_table(
            Table::alter()
                .table(c("meetings"))
                .add_column(date_null(c("postponed_from")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(c("meetings"))
                .add_column(string_len_null(c("postponed_reason"), 500))
                .to_owned(),
        )
        .await
    }
}

/// A resolution's number, given once when its meeting is recorded as held and unique in its
/// cell and year; before, it was counted again on every export, so a meeting recorded late
/// renumbered the resolutions issued after it. Meetings already held get the numbers they
/// were shown with: their order in the cell and year.
pub(super) struct ResolutionNumbers;

impl MigrationName for ResolutionNumbers {
    fn name(&self) -> &str {
        "m20261207_000042_resolution_numbers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ResolutionNumbers {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["resolution_year", "resolution_number"] {
            m.alter_table(
                Table::alter()
                    .table(c("meetings"))
                    .add_column(integer_null(c(column)))
                    .to_owned(),
            )
            .await?;
        }
        let year = match m.get_database_backend() {
            DbBackend::Postgres => "CAST(EXTRACT(YEAR FROM meeting_date) AS INTEGER)",
            _ => "CAST(strftime('%Y', meeting_date) AS INTEGER)",
        };
        m.get_connection()
            .execute_unprepared(&format!(
                "UPDATE meetings SET resolution_year = n.y, resolution_number = n.k \
                 FROM (SELECT id, {year} AS y, ROW_NUMBER() OVER (PARTITION BY unit_id, {year} \
                   ORDER BY meeting_date, id) AS k FROM meetings \
                   WHERE status = 'held' AND kind <> 'committee') n \
                 WHERE meetings.id = n.id"
            ))
            .await?;
        m.create_index(index(
            "meetings",
            &["unit_id", "resolution_year", "resolution_number"],
            true,
        ))
        .await
    }
}

/// The audit log filtered by account or by kind of record, newest first: each filter walks an
/// index in the page's order (the id) and stops at the page's end.
pub(super) struct AuditFilters;

impl MigrationName for AuditFilters {
    fn name(&self) -> &str {
        "m20261207_000043_audit_filters"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AuditFilters {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("audit_log", &["user_id", "id"], false))
            .await?;
        m.create_index(index("audit_log", &["entity", "id"], false))
            .await
    }
}

/// One login account per member: the index that finds a member's account becomes unique (for
/// the members linked), so that two requests at once cannot both make one.
pub(super) struct OneAccountPerMember;

impl MigrationName for OneAccountPerMember {
    fn name(&self) -> &str {
        "m20261208_000044_one_account_per_member"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OneAccountPerMember {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_users_member_id")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ix_users_member_once ON users (member_id) \
             WHERE member_id IS NOT NULL",
        )
        .await?;
        Ok(())
    }
}

/// The audit log filtered by unit: each entry keeps the path of the unit its record belongs to
/// (`chibo_app::audit`); the entries written before are given the path their record has now.
pub(super) struct AuditUnitPath;

impl MigrationName for AuditUnitPath {
    fn name(&self) -> &str {
        "m20261208_000045_audit_unit_path"
    }
}

/// The kinds of record kept by a table with a `unit_id` (or, for inspections, the cell
/// inspected), and the column.
const AUDITED_BY_UNIT: [(&str, &str, &str); 10] = [
    ("rule_set", "rule_sets", "unit_id"),
    ("member_rule_set", "member_rule_sets", "unit_id"),
    ("position", "positions", "unit_id"),
    ("candidate", "candidates", "unit_id"),
    ("course", "courses", "unit_id"),
    ("inspection", "inspections", "cell_id"),
    ("cadre_task", "cadre_tasks", "unit_id"),
    ("programme", "programmes", "unit_id"),
    ("review_report", "review_reports", "unit_id"),
    ("meeting", "meetings", "unit_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for AuditUnitPath {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("audit_log"))
                .add_column(ColumnDef::new(Alias::new("unit_path")).string().null())
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let set = |entity: &str, path: &str| {
            format!("UPDATE audit_log SET unit_path = ({path}) WHERE entity = '{entity}'")
        };
        db.execute_unprepared(&set(
            "unit",
            "SELECT u.path FROM units u WHERE u.id = audit_log.entity_id",
        ))
        .await?;
        db.execute_unprepared(&set(
            "member",
            "SELECT x.unit_path FROM members x WHERE x.id = audit_log.entity_id",
        ))
        .await?;
        // Exemptions are audited as their member's record; transfers as their own.
        db.execute_unprepared(&set(
            "transfer",
            "SELECT x.unit_path FROM transfers t JOIN members x ON x.id = t.member_id \
             WHERE t.id = audit_log.entity_id",
        ))
        .await?;
        for (entity, table, column) in AUDITED_BY_UNIT {
            db.execute_unprepared(&set(
                entity,
                &format!(
                    "SELECT u.path FROM {table} t JOIN units u ON u.id = t.{column} \
                     WHERE t.id = audit_log.entity_id"
                ),
            ))
            .await?;
        }
        db.execute_unprepared(&set(
            "task",
            "SELECT u.path FROM meeting_tasks t JOIN meetings x ON x.id = t.meeting_id \
             JOIN units u ON u.id = x.unit_id WHERE t.id = audit_log.entity_id",
        ))
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            // A plain index serves `LIKE 'prefix%'` only under the C collation.
            db.execute_unprepared(
                "CREATE INDEX ix_audit_log_unit_path_pattern ON audit_log \
                 (unit_path text_pattern_ops, id)",
            )
            .await?;
            Ok(())
        } else {
            m.create_index(index("audit_log", &["unit_path", "id"], false))
                .await
        }
    }
}
