//! Migrations of reaching members (issue 14): the calendar feeds a member or a cell subscribes
//! to at a secret address.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{c, fk, index};

/// A calendar feed: its secret's hash (the address is shown once, when made), the account it
/// reads as, and the cell it is of (`NULL`: the account's own meetings).
pub(super) struct CalendarFeeds;

impl MigrationName for CalendarFeeds {
    fn name(&self) -> &str {
        "m20261209_000046_calendar_feeds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CalendarFeeds {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("calendar_feeds"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("token_hash"), 64))
                .col(big_integer(c("user_id")))
                .col(big_integer_null(c("unit_id")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("calendar_feeds", "user_id", "users"))
                .foreign_key(&mut fk("calendar_feeds", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("calendar_feeds", &["token_hash"], true))
            .await?;
        m.create_index(index("calendar_feeds", &["user_id", "unit_id"], false))
            .await
    }
}
