//! Migrations of the rules issue (issue 12): what the corrected rules need recorded.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::c;

/// `candidates.introducer_known_since`: the day since which the introducer has worked,
/// studied or lived with the candidate (issue 12: twelve months of it, not a year of party
/// membership, qualify an introducer).
pub(super) struct IntroducerKnownSince;

impl MigrationName for IntroducerKnownSince {
    fn name(&self) -> &str {
        "m20261202_000028_introducer_known_since"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IntroducerKnownSince {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("candidates"))
                .add_column(date_null(c("introducer_known_since")))
                .to_owned(),
        )
        .await
    }
}
