//! Migrations of the programmes issue (issue 11): the figures chibo keeps about each meeting so
//! that the indicators over a province are sums over one row a meeting, never the raw
//! attendance rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{c, fk, index};

/// `meeting_stats`: one row a meeting, what `meetings::figures` computed from its sheet,
/// record, tasks, steps and score (the same code as the meeting page). `stale` is set in the
/// transaction of every change that can alter them and cleared when they are computed again.
pub(super) struct MeetingStats;

impl MigrationName for MeetingStats {
    fn name(&self) -> &str {
        "m20261130_000023_meeting_stats"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MeetingStats {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("meeting_stats"))
                .col(pk_auto(c("id")).big_integer())
                .col(big_integer(c("meeting_id")))
                .col(big_integer(c("cell_id")))
                .col(date(c("meeting_date")))
                .col(string_len(c("kind"), 16))
                .col(boolean(c("combined")))
                .col(boolean(c("held")))
                .col(boolean(c("stale")))
                .col(integer(c("sheet_members")))
                .col(integer(c("present")))
                .col(integer(c("tasked")))
                .col(boolean(c("attendance_ok")))
                .col(boolean(c("full_procedure")))
                .col(boolean(c("has_end_time")))
                .col(boolean(c("duration_ok")))
                .col(boolean(c("documents_on_time")))
                .col(boolean(c("superior_attended")))
                .col(string_len_null(c("level"), 32))
                .col(integer(c("tasks_given")))
                .col(integer(c("tasks_reviewed")))
                .col(date_null(c("next_regular_on")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("meeting_stats", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_stats", "cell_id", "units"))
                .to_owned(),
        )
        .await?;
        for i in [
            index("meeting_stats", &["meeting_id"], true),
            index("meeting_stats", &["cell_id", "meeting_date"], false),
            index("meeting_stats", &["meeting_date"], false),
            index("meeting_stats", &["stale"], false),
        ] {
            m.create_index(i).await?;
        }
        Ok(())
    }
}
