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
