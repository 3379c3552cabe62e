//! Migrations of the shape-of-the-code work (issue 10): state that lived in free text gets a
//! column of its own.

use sea_orm_migration::prelude::*;

/// A roll row says whether it is the member's home cell or a temporary one (a visitor on a
/// temporary transfer); this was recognised by the reason text starting with "Sinh hoạt tạm
/// thời", which an edit of the wording would have broken.
pub(super) struct RollKind;

impl MigrationName for RollKind {
    fn name(&self) -> &str {
        "m20261130_000019_roll_kind"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for RollKind {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("member_units"))
                .add_column(
                    ColumnDef::new(Alias::new("kind"))
                        .string_len(16)
                        .not_null()
                        .default("home"),
                )
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE member_units SET kind = 'temporary' WHERE reason LIKE 'Sinh hoạt tạm thời%'",
            )
            .await?;
        Ok(())
    }
}

/// One home roll at a time: the rolls written before `restructure::move_members` kept it so
/// are repaired (`restructure::one_home_roll_at_a_time`), and a partial index finds the
/// temporary rolls, few among many, for the members counted on a day (`indicators`).
pub(super) struct OneHomeRoll;

impl MigrationName for OneHomeRoll {
    fn name(&self) -> &str {
        "m20261212_000053_one_home_roll"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OneHomeRoll {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX ix_member_units_temporary ON member_units (member_id) \
             WHERE kind = 'temporary'",
        )
        .await?;
        crate::restructure::one_home_roll_at_a_time(db).await?;
        Ok(())
    }
}
