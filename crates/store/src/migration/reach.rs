//! Migrations of reaching members (issue 14): the calendar feeds a member or a cell subscribes
//! to at a secret address; the notices, the outbox and the scheduled jobs' claims; what
//! members working away did before a meeting; and the steps the daily job told (with notices
//! to accounts).

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

/// What members are told: their choices (`notify_prefs`), the list in chibo
/// (`notifications`), the messages to deliver by email and SMS (`outbox`, written in the
/// transaction of the change they tell of) with every attempt (`outbox_attempts`), and the
/// scheduled jobs each run once per period across servers (`job_runs`).
pub(super) struct Outbox;

impl MigrationName for Outbox {
    fn name(&self) -> &str {
        "m20261209_000047_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Outbox {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("notify_prefs"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(string_len_null(c("email"), 254))
                .col(boolean(c("email_on")))
                .col(boolean(c("sms_on")))
                // The kinds turned off, as `,code,code,` (`chibo_domain::notify::NoticeKind`).
                .col(string_len(c("muted"), 500))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("notify_prefs", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("notify_prefs", &["member_id"], true))
            .await?;
        m.create_table(
            Table::create()
                .table(c("notifications"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("kind"), 32))
                .col(string_len(c("title"), 255))
                .col(text(c("body")))
                .col(string_len(c("link"), 255))
                .col(big_integer_null(c("meeting_id")))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone_null(c("read_at")))
                .foreign_key(&mut fk("notifications", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("notifications", &["member_id", "id"], false))
            .await?;
        m.create_index(index("notifications", &["member_id", "read_at"], false))
            .await?;
        m.create_index(index("notifications", &["meeting_id", "kind"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("outbox"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("kind"), 32))
                .col(string_len(c("channel"), 16))
                .col(string_len(c("address"), 254))
                .col(string_len(c("subject"), 255))
                .col(text(c("body")))
                .col(big_integer_null(c("meeting_id")))
                .col(string_len(c("status"), 16))
                .col(integer(c("attempts")))
                .col(timestamp_with_time_zone(c("next_attempt_at")))
                .col(string_len_null(c("claimed_by"), 64))
                .col(timestamp_with_time_zone_null(c("claimed_until")))
                .col(text_null(c("last_error")))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone_null(c("sent_at")))
                .foreign_key(&mut fk("outbox", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox", &["status", "next_attempt_at"], false))
            .await?;
        m.create_index(index("outbox", &["meeting_id", "member_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("outbox_attempts"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("outbox_id")))
                .col(timestamp_with_time_zone(c("at")))
                .col(string_len(c("worker"), 64))
                .col(boolean(c("ok")))
                .col(text_null(c("error")))
                .foreign_key(&mut fk("outbox_attempts", "outbox_id", "outbox"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox_attempts", &["outbox_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("job_runs"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("job"), 64))
                .col(string_len(c("period"), 32))
                .col(string_len(c("worker"), 64))
                .col(timestamp_with_time_zone(c("started_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(index("job_runs", &["job", "period"], true))
            .await
    }
}

/// What a member who cannot come did before the meeting: confirmed reading its documents, and
/// the written opinion they sent on the draft resolution; one row per member and meeting.
pub(super) struct MeetingAway;

impl MigrationName for MeetingAway {
    fn name(&self) -> &str {
        "m20261209_000048_meeting_away"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MeetingAway {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("meeting_away"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(big_integer(c("member_id")))
                .col(timestamp_with_time_zone_null(c("read_at")))
                .col(text_null(c("opinion")))
                .col(timestamp_with_time_zone_null(c("opinion_at")))
                .foreign_key(&mut fk("meeting_away", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_away", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_away", &["meeting_id", "member_id"], true))
            .await
    }
}

/// The daily job's steps due or overdue (issue 14): `told_steps` keeps which warning rows were
/// told once to their cell's officers (the job tells each one once, however many days it stays
/// overdue), and a notice in chibo's list may go to an account rather than a member
/// (`notifications.user_id`, `member_id` left empty): the committees' daily digest reaches the
/// committee's and board's accounts, which need not be a member's.
pub(super) struct StepsTold;

impl MigrationName for StepsTold {
    fn name(&self) -> &str {
        "m20261210_000049_steps_told"
    }
}

/// `notifications` as it is after this migration, under `name`.
fn notifications_table(name: &str) -> TableCreateStatement {
    Table::create()
        .table(c(name))
        .col(big_pk_auto(c("id")))
        .col(big_integer_null(c("member_id")))
        .col(big_integer_null(c("user_id")))
        .col(string_len(c("kind"), 32))
        .col(string_len(c("title"), 255))
        .col(text(c("body")))
        .col(string_len(c("link"), 255))
        .col(big_integer_null(c("meeting_id")))
        .col(timestamp_with_time_zone(c("created_at")))
        .col(timestamp_with_time_zone_null(c("read_at")))
        .foreign_key(&mut fk("notifications", "member_id", "members"))
        .foreign_key(&mut fk("notifications", "user_id", "users"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for StepsTold {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("told_steps"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("kind"), 32))
                .col(big_integer(c("cell_id")))
                .col(date(c("on_day")))
                .col(big_integer(c("number")))
                .col(timestamp_with_time_zone(c("told_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "told_steps",
            &["kind", "cell_id", "on_day", "number"],
            true,
        ))
        .await?;
        let db = m.get_connection();
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            for statement in [
                "ALTER TABLE notifications ALTER COLUMN member_id DROP NOT NULL",
                "ALTER TABLE notifications ADD COLUMN user_id BIGINT NULL \
                   CONSTRAINT fk_notifications_user_id REFERENCES users (id)",
            ] {
                db.execute_unprepared(statement).await?;
            }
        } else {
            // SQLite cannot drop a NOT NULL: the table is written again under its name, in
            // one script on one connection (each statement apart may land on another
            // connection of the pool, which then does not see the table dropped yet).
            let mut script = vec![
                notifications_table("notifications_new").to_string(SqliteQueryBuilder),
                "INSERT INTO notifications_new (id, member_id, user_id, kind, title, body, link, \
                   meeting_id, created_at, read_at) \
                 SELECT id, member_id, NULL, kind, title, body, link, meeting_id, created_at, \
                   read_at FROM notifications"
                    .to_string(),
                "DROP TABLE notifications".to_string(),
                "ALTER TABLE notifications_new RENAME TO notifications".to_string(),
            ];
            for i in [
                index("notifications", &["member_id", "id"], false),
                index("notifications", &["member_id", "read_at"], false),
                index("notifications", &["meeting_id", "kind"], false),
            ] {
                script.push(i.to_string(SqliteQueryBuilder));
            }
            db.execute_unprepared(&format!("BEGIN; {}; COMMIT;", script.join("; ")))
                .await?;
        }
        m.create_index(index("notifications", &["user_id", "id"], false))
            .await
    }
}
