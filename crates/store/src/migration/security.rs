//! Migrations of the fix-now security work (issue 8): an atomic login throttle, and the reason a
//! meeting was cancelled when its cell was dissolved or merged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{c, index};

/// One row a throttled key ("u:<username>", "ip:<address>"): attempts counted in the current
/// window. Counting and checking are one `INSERT … ON CONFLICT … RETURNING`, so parallel
/// attempts cannot all read the same count.
pub(super) struct LoginThrottles;

impl MigrationName for LoginThrottles {
    fn name(&self) -> &str {
        "m20261129_000016_login_throttles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for LoginThrottles {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("login_throttles"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("key"), 200))
                .col(integer(c("attempts")))
                .col(timestamp_with_time_zone(c("window_start")))
                .to_owned(),
        )
        .await?;
        m.create_index(index("login_throttles", &["key"], true))
            .await
    }
}

/// Why a meeting was cancelled (its cell was dissolved or merged on that date).
pub(super) struct MeetingCancellation;

impl MigrationName for MeetingCancellation {
    fn name(&self) -> &str {
        "m20261129_000017_meeting_cancellation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MeetingCancellation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("meetings"))
                .add_column(string_len_null(c("cancelled_reason"), 500))
                .to_owned(),
        )
        .await
    }
}
