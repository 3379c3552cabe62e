//! Schema migrations, written once with sea-query so that SQLite and PostgreSQL get the same tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) mod ends;
pub(crate) mod indicators;
mod month;
mod reach;
mod rules;
mod scale;
mod security;
mod shape;
mod trust;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Init),
            Box::new(RuleSets),
            Box::new(Meetings),
            Box::new(MeetingRecords),
            Box::new(SignOff),
            Box::new(Proceedings),
            Box::new(YearPlans),
            Box::new(MeetingLogistics),
            Box::new(Badges),
            Box::new(Transfers),
            Box::new(Exemptions),
            Box::new(Programmes),
            Box::new(Reviews),
            Box::new(Admissions),
            Box::new(TemporaryExemptions),
            Box::new(security::LoginThrottles),
            Box::new(security::MeetingCancellation),
            Box::new(scale::PathPatternIndexes),
            Box::new(shape::RollKind),
            Box::new(scale::UnitSortKeys),
            Box::new(scale::FollowerIndex),
            Box::new(scale::MemberNameSearch),
            Box::new(indicators::MeetingStats),
            Box::new(indicators::Programmes),
            Box::new(indicators::ReviewReports),
            Box::new(indicators::Rollups),
            Box::new(indicators::MeetingChecks),
            Box::new(rules::IntroducerKnownSince),
            Box::new(rules::ChairReason),
            Box::new(rules::SpecialBadges),
            Box::new(rules::RecognitionVote),
            Box::new(rules::ReviewTaskResults),
            Box::new(rules::HolidayKinds),
            Box::new(rules::PartyAgeGaps),
            Box::new(rules::MemberRuleSets),
            Box::new(rules::PartyDues),
            Box::new(scale::SubtreeListIndexes),
            Box::new(scale::MemberNameOrderIndex),
            Box::new(indicators::WarningSums),
            Box::new(scale::CoveringIndexes),
            Box::new(month::MeetingPostponement),
            Box::new(month::ResolutionNumbers),
            Box::new(month::AuditFilters),
            Box::new(month::OneAccountPerMember),
            Box::new(month::AuditUnitPath),
            Box::new(reach::CalendarFeeds),
            Box::new(reach::Outbox),
            Box::new(reach::MeetingAway),
            Box::new(reach::StepsTold),
            Box::new(trust::SessionsAndSecondFactor),
            Box::new(trust::AuditChain),
            Box::new(trust::SignedMinutes),
            Box::new(shape::OneHomeRoll),
            Box::new(indicators::CellMonthStays),
            Box::new(ends::UnitEnds),
            Box::new(indicators::QuarterMissed),
            Box::new(indicators::CellMonthRuns),
        ]
    }
}

struct Init;

impl MigrationName for Init {
    fn name(&self) -> &str {
        "m20261123_000001_init"
    }
}

fn fk(from_table: &str, from_col: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{from_col}"))
        .from(Alias::new(from_table), Alias::new(from_col))
        .to(Alias::new(to_table), Alias::new("id"))
        .to_owned()
}

fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Init {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables: Vec<TableCreateStatement> = vec![
            Table::create()
                .table(c("units"))
                .col(big_pk_auto(c("id")))
                .col(big_integer_null(c("parent_id")))
                .col(string_len(c("path"), 512))
                .col(integer(c("depth")))
                .col(string_len(c("name"), 255))
                .col(string_len(c("search_key"), 255))
                .col(string_len(c("kind"), 32))
                .col(string_len_null(c("cell_type"), 32))
                .col(date(c("established_on")))
                .col(date_null(c("dissolved_on")))
                .col(big_integer_null(c("successor_id")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("units", "parent_id", "units"))
                .foreign_key(&mut fk("units", "successor_id", "units"))
                .to_owned(),
            Table::create()
                .table(c("unit_versions"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(big_integer_null(c("parent_id")))
                .col(string_len(c("path"), 512))
                .col(string_len(c("name"), 255))
                .col(string_len(c("kind"), 32))
                .col(string_len_null(c("cell_type"), 32))
                .col(date(c("valid_from")))
                .col(date_null(c("valid_to")))
                .foreign_key(&mut fk("unit_versions", "unit_id", "units"))
                .to_owned(),
            Table::create()
                .table(c("unit_events"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("kind"), 32))
                .col(date(c("effective_on")))
                .col(big_integer(c("unit_id")))
                .col(big_integer_null(c("other_unit_id")))
                .col(text_null(c("note")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("unit_events", "unit_id", "units"))
                .foreign_key(&mut fk("unit_events", "other_unit_id", "units"))
                .to_owned(),
            Table::create()
                .table(c("members"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("full_name"), 255))
                .col(string_len(c("search_key"), 255))
                .col(string_len(c("sort_key"), 512))
                .col(date(c("date_of_birth")))
                .col(string_len(c("sex"), 16))
                .col(string_len(c("ethnicity"), 64))
                .col(string_len_null(c("citizen_id"), 12))
                .col(string_len_null(c("phone"), 16))
                .col(date(c("admission_date")))
                .col(date_null(c("official_date")))
                .col(string_len_null(c("card_number"), 64))
                .col(string_len_null(c("history_number"), 64))
                .col(string_len_null(c("badge_number"), 64))
                .col(string_len(c("initial_status"), 32))
                .col(string_len(c("status"), 32))
                .col(big_integer(c("unit_id")))
                .col(string_len(c("unit_path"), 512))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("members", "unit_id", "units"))
                .to_owned(),
            Table::create()
                .table(c("member_units"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(big_integer(c("unit_id")))
                .col(date(c("valid_from")))
                .col(date_null(c("valid_to")))
                .col(string_len(c("reason"), 255))
                .foreign_key(&mut fk("member_units", "member_id", "members"))
                .foreign_key(&mut fk("member_units", "unit_id", "units"))
                .to_owned(),
            Table::create()
                .table(c("member_events"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("kind"), 32))
                .col(date(c("effective_on")))
                .col(date_null(c("until")))
                .col(text(c("reason")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("member_events", "member_id", "members"))
                .to_owned(),
            Table::create()
                .table(c("positions"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(big_integer(c("unit_id")))
                .col(string_len(c("kind"), 32))
                .col(date(c("term_from")))
                .col(date_null(c("term_to")))
                .foreign_key(&mut fk("positions", "member_id", "members"))
                .foreign_key(&mut fk("positions", "unit_id", "units"))
                .to_owned(),
            Table::create()
                .table(c("users"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("username"), 64))
                .col(string_len(c("display_name"), 255))
                .col(string_len(c("password_hash"), 255))
                .col(big_integer_null(c("member_id")))
                .col(boolean(c("is_active")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("users", "member_id", "members"))
                .to_owned(),
            Table::create()
                .table(c("user_roles"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("user_id")))
                .col(string_len(c("role"), 32))
                .col(big_integer_null(c("unit_id")))
                .foreign_key(&mut fk("user_roles", "user_id", "users"))
                .foreign_key(&mut fk("user_roles", "unit_id", "units"))
                .to_owned(),
            Table::create()
                .table(c("sessions"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("token_hash"), 64))
                .col(big_integer(c("user_id")))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("expires_at")))
                .col(string_len_null(c("ip"), 64))
                .foreign_key(&mut fk("sessions", "user_id", "users"))
                .to_owned(),
            Table::create()
                .table(c("api_tokens"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("token_hash"), 64))
                .col(big_integer(c("user_id")))
                .col(string_len(c("name"), 255))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("expires_at")))
                .foreign_key(&mut fk("api_tokens", "user_id", "users"))
                .to_owned(),
            Table::create()
                .table(c("login_attempts"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("username"), 64))
                .col(string_len(c("ip"), 64))
                .col(timestamp_with_time_zone(c("at")))
                .col(boolean(c("success")))
                .to_owned(),
            Table::create()
                .table(c("audit_log"))
                .col(big_pk_auto(c("id")))
                .col(timestamp_with_time_zone(c("at")))
                .col(big_integer_null(c("user_id")))
                .col(string_len(c("action"), 64))
                .col(string_len(c("entity"), 64))
                .col(big_integer_null(c("entity_id")))
                .col(text_null(c("before")))
                .col(text_null(c("after")))
                .to_owned(),
        ];
        for t in tables {
            m.create_table(t).await?;
        }
        let indexes = [
            index("units", &["path"], false),
            index("units", &["parent_id"], false),
            index("unit_versions", &["unit_id", "valid_from"], false),
            index("unit_versions", &["path"], false),
            index("unit_events", &["unit_id"], false),
            index("unit_events", &["other_unit_id"], false),
            index("members", &["unit_path", "sort_key"], false),
            index("members", &["unit_id"], false),
            index("members", &["search_key"], false),
            index("members", &["sort_key"], false),
            index("members", &["citizen_id"], true),
            index("members", &["card_number"], true),
            index("member_units", &["member_id", "valid_from"], false),
            index("member_units", &["unit_id", "valid_from"], false),
            index("member_events", &["member_id", "effective_on"], false),
            index("positions", &["unit_id", "term_from"], false),
            index("positions", &["member_id"], false),
            index("users", &["username"], true),
            index("users", &["member_id"], false),
            index("user_roles", &["user_id"], false),
            index("sessions", &["token_hash"], true),
            index("api_tokens", &["token_hash"], true),
            index("login_attempts", &["username", "at"], false),
            index("login_attempts", &["ip", "at"], false),
            index("audit_log", &["entity", "entity_id"], false),
            index("audit_log", &["at"], false),
        ];
        for i in indexes {
            m.create_index(i).await?;
        }
        Ok(())
    }
}

/// Meeting rule sets (issue 3): versioned data, national or attached to a unit.
struct RuleSets;

impl MigrationName for RuleSets {
    fn name(&self) -> &str {
        "m20261123_000002_rule_sets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for RuleSets {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("rule_sets"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("code"), 64))
                .col(string_len(c("name"), 255))
                .col(big_integer_null(c("unit_id")))
                .col(date(c("effective_from")))
                .col(text(c("body")))
                .col(boolean(c("builtin")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("rule_sets", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("rule_sets", &["code"], true)).await?;
        m.create_index(index("rule_sets", &["unit_id", "effective_from"], false))
            .await
    }
}

/// Meetings and their attendance (issue 3).
struct Meetings;

impl MigrationName for Meetings {
    fn name(&self) -> &str {
        "m20261123_000003_meetings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Meetings {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("meetings"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(string_len(c("kind"), 32))
                .col(boolean(c("combined")))
                .col(string_len(c("topic"), 500))
                .col(date(c("meeting_date")))
                .col(string_len(c("start_time"), 5))
                .col(string_len(c("place"), 255))
                .col(big_integer(c("rule_set_id")))
                .col(string_len(c("status"), 16))
                .col(timestamp_with_time_zone_null(c("published_at")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("meetings", "unit_id", "units"))
                .foreign_key(&mut fk("meetings", "rule_set_id", "rule_sets"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meetings", &["unit_id", "meeting_date"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_attendance"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("presence"), 24))
                .col(string_len_null(c("reason"), 500))
                .col(timestamp_with_time_zone(c("recorded_at")))
                .foreign_key(&mut fk("meeting_attendance", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_attendance", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "meeting_attendance",
            &["meeting_id", "member_id"],
            true,
        ))
        .await
    }
}

/// What was recorded at a meeting, the tasks it gave, and its quality score (issue 3).
struct MeetingRecords;

impl MigrationName for MeetingRecords {
    fn name(&self) -> &str {
        "m20261123_000004_meeting_records"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MeetingRecords {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("meeting_records"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(string_len_null(c("end_time"), 5))
                .col(big_integer_null(c("chair_member_id")))
                .col(big_integer_null(c("secretary_member_id")))
                .col(date_null(c("committee_prepared_on")))
                .col(date_null(c("documents_posted_on")))
                .col(text_null(c("draft_resolution")))
                .col(text_null(c("resolution_text")))
                .col(integer_null(c("votes_for")))
                .col(integer_null(c("votes_against")))
                .col(integer_null(c("votes_abstain")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("meeting_records", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_records", "chair_member_id", "members"))
                .foreign_key(&mut fk("meeting_records", "secretary_member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_records", &["meeting_id"], true))
            .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_tasks"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(big_integer(c("member_id")))
                .col(text(c("what")))
                .col(date(c("due_on")))
                .col(string_len(c("status"), 16))
                .col(text_null(c("progress")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("meeting_tasks", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_tasks", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_tasks", &["meeting_id"], false))
            .await?;
        m.create_index(index("meeting_tasks", &["member_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_scores"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(string_len(c("criterion"), 64))
                .col(integer(c("points")))
                .col(text_null(c("reason")))
                .col(big_integer_null(c("scored_by")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("meeting_scores", "meeting_id", "meetings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_scores", &["meeting_id", "criterion"], true))
            .await
    }
}

/// Sign-off of minutes by the chair and the minute-taker, and amendments after it (issue 3).
struct SignOff;

impl MigrationName for SignOff {
    fn name(&self) -> &str {
        "m20261123_000005_sign_off"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SignOff {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("meeting_approvals"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("role"), 16))
                .col(timestamp_with_time_zone(c("approved_at")))
                .foreign_key(&mut fk("meeting_approvals", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_approvals", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_approvals", &["meeting_id", "role"], true))
            .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_amendments"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(text(c("body")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("meeting_amendments", "meeting_id", "meetings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_amendments", &["meeting_id"], false))
            .await
    }
}

/// Procedure steps ticked with their times and named speakers (issue 3).
struct Proceedings;

impl MigrationName for Proceedings {
    fn name(&self) -> &str {
        "m20261123_000006_proceedings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Proceedings {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("meeting_steps"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(string_len(c("step"), 64))
                .col(string_len(c("done_at"), 5))
                .foreign_key(&mut fk("meeting_steps", "meeting_id", "meetings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_steps", &["meeting_id", "step"], true))
            .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_speeches"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(big_integer(c("member_id")))
                .col(text(c("summary")))
                .foreign_key(&mut fk("meeting_speeches", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_speeches", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_speeches", &["meeting_id"], false))
            .await
    }
}

/// The year plan's thematic topics (issue 3).
struct YearPlans;

impl MigrationName for YearPlans {
    fn name(&self) -> &str {
        "m20261123_000007_year_plans"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for YearPlans {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("thematic_topics"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(integer(c("year")))
                .col(integer(c("quarter")))
                .col(string_len(c("title"), 500))
                .col(big_integer_null(c("writer_member_id")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("thematic_topics", "unit_id", "units"))
                .foreign_key(&mut fk("thematic_topics", "writer_member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("thematic_topics", &["unit_id", "year"], false))
            .await
    }
}

/// Agenda, documents, guests, QR check-in, the committee's preparatory meeting and the superior
/// committee member who follows a cell (issue 3).
struct MeetingLogistics;

impl MigrationName for MeetingLogistics {
    fn name(&self) -> &str {
        "m20261124_000008_meeting_logistics"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MeetingLogistics {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("meetings"))
                .add_column(text_null(c("agenda")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(c("meetings"))
                .add_column(string_len_null(c("checkin_code"), 64))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(c("meeting_attendance"))
                .add_column(timestamp_with_time_zone_null(c("checked_in_at")))
                .to_owned(),
        )
        .await?;
        // A member of the superior committee; SQLite cannot add a foreign key to an existing
        // table, so the app checks it.
        m.alter_table(
            Table::alter()
                .table(c("units"))
                .add_column(big_integer_null(c("follower_member_id")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_documents"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(string_len(c("file_name"), 255))
                .col(string_len(c("content_type"), 128))
                .col(big_integer(c("size_bytes")))
                .col(string_len(c("sha256"), 64))
                .col(blob_null(c("data")))
                .col(string_len_null(c("stored_path"), 512))
                .col(big_integer_null(c("uploaded_by")))
                .col(timestamp_with_time_zone(c("uploaded_at")))
                .foreign_key(&mut fk("meeting_documents", "meeting_id", "meetings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_documents", &["meeting_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_guests"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(big_integer_null(c("member_id")))
                .col(string_len(c("full_name"), 255))
                .col(string_len(c("title"), 255))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("meeting_guests", "meeting_id", "meetings"))
                .foreign_key(&mut fk("meeting_guests", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_guests", &["meeting_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("meeting_preparations"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("meeting_id")))
                .col(date(c("held_on")))
                .col(text(c("attendee_ids")))
                .col(text(c("content")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("meeting_preparations", "meeting_id", "meetings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_preparations", &["meeting_id"], true))
            .await?;
        // The preparatory meeting used to be a date on the record; it becomes its own record.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO meeting_preparations (meeting_id, held_on, attendee_ids, content, updated_at) \
                 SELECT meeting_id, committee_prepared_on, '[]', '', updated_at FROM meeting_records \
                 WHERE committee_prepared_on IS NOT NULL",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table(c("meeting_records"))
                .drop_column(c("committee_prepared_on"))
                .to_owned(),
        )
        .await
    }
}

/// Party badges awarded and the disciplinary measures that delay them (issue 4).
struct Badges;

impl MigrationName for Badges {
    fn name(&self) -> &str {
        "m20261124_000009_badges"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Badges {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("member_badges"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(integer(c("years")))
                .col(date(c("awarded_on")))
                .col(string_len(c("early"), 32))
                .col(string_len(c("decision"), 255))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("member_badges", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("member_badges", &["member_id", "years"], true))
            .await?;
        m.create_table(
            Table::create()
                .table(c("member_disciplines"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("kind"), 32))
                .col(date(c("decided_on")))
                .col(string_len(c("decision"), 255))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("member_disciplines", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("member_disciplines", &["member_id"], false))
            .await
    }
}

/// Public holidays (for working-day deadlines) and transfers of party activity (issue 4).
struct Transfers;

impl MigrationName for Transfers {
    fn name(&self) -> &str {
        "m20261124_000010_transfers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Transfers {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("holidays"))
                .col(big_pk_auto(c("id")))
                .col(date(c("day")))
                .col(string_len(c("name"), 255))
                .to_owned(),
        )
        .await?;
        m.create_index(index("holidays", &["day"], true)).await?;
        let mut insert = Query::insert();
        insert
            .into_table(c("holidays"))
            .columns([c("day"), c("name")]);
        // The statutory days of the years chibo first shipped with; the migration
        // `HolidayKinds` removes them again once they are computed for every year.
        for (day, name) in (2024..=2028).flat_map(|y| {
            chibo_domain::calendar::statutory_holidays(y).expect("a year chibo computes")
        }) {
            insert.values_panic([day.into(), name.into()]);
        }
        m.exec_stmt(insert).await?;
        m.create_table(
            Table::create()
                .table(c("transfers"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("kind"), 16))
                .col(string_len(c("reason"), 16))
                .col(big_integer(c("from_unit_id")))
                .col(big_integer_null(c("to_unit_id")))
                .col(string_len(c("destination"), 500))
                .col(date(c("moved_on")))
                .col(date_null(c("ends_on")))
                .col(date_null(c("applied_on")))
                .col(date_null(c("letter_on")))
                .col(date_null(c("received_on")))
                .col(date_null(c("returned_on")))
                .col(string_len(c("status"), 16))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("transfers", "member_id", "members"))
                .foreign_key(&mut fk("transfers", "from_unit_id", "units"))
                .foreign_key(&mut fk("transfers", "to_unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("transfers", &["member_id"], false))
            .await?;
        m.create_index(index("transfers", &["status"], false)).await
    }
}

/// Exemptions from party work and activities as a workflow: request, the cell's decision at a
/// meeting, the report to the grassroots committee, revocation (issue 4).
struct Exemptions;

impl MigrationName for Exemptions {
    fn name(&self) -> &str {
        "m20261124_000011_exemptions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Exemptions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("exemptions"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(date(c("requested_on")))
                .col(text(c("reason")))
                .col(string_len(c("status"), 16))
                .col(big_integer_null(c("meeting_id")))
                .col(date_null(c("decided_on")))
                .col(date_null(c("reported_on")))
                .col(date_null(c("revoke_requested_on")))
                .col(big_integer_null(c("revoke_meeting_id")))
                .col(date_null(c("revoked_on")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("exemptions", "member_id", "members"))
                .foreign_key(&mut fk("exemptions", "meeting_id", "meetings"))
                .foreign_key(&mut fk("exemptions", "revoke_meeting_id", "meetings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("exemptions", &["member_id"], false))
            .await
    }
}

/// What the programmes measure: breakthrough tasks given to cadres, training courses and who
/// completed them, inspections of cells and the follow-up of their recommendations (issue 4).
struct Programmes;

impl MigrationName for Programmes {
    fn name(&self) -> &str {
        "m20261124_000012_programmes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Programmes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("cadre_tasks"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(big_integer(c("member_id")))
                .col(integer(c("year")))
                .col(text(c("task")))
                .col(date(c("due_on")))
                .col(string_len(c("status"), 16))
                .col(text(c("evidence")))
                .col(date_null(c("done_on")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("cadre_tasks", "unit_id", "units"))
                .foreign_key(&mut fk("cadre_tasks", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("cadre_tasks", &["unit_id", "year"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("courses"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(string_len(c("name"), 500))
                .col(string_len(c("organiser"), 255))
                .col(date(c("starts_on")))
                .col(date(c("ends_on")))
                .col(text(c("topics")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("courses", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("courses", &["unit_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("course_participants"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("course_id")))
                .col(big_integer(c("member_id")))
                .col(boolean(c("completed")))
                .foreign_key(&mut fk("course_participants", "course_id", "courses"))
                .foreign_key(&mut fk("course_participants", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "course_participants",
            &["course_id", "member_id"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(c("inspections"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(big_integer(c("cell_id")))
                .col(string_len(c("kind"), 16))
                .col(date(c("planned_on")))
                .col(text(c("content")))
                .col(string_len(c("status"), 16))
                .col(date_null(c("done_on")))
                .col(text(c("result")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("inspections", "unit_id", "units"))
                .foreign_key(&mut fk("inspections", "cell_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("inspections", &["unit_id"], false))
            .await?;
        m.create_index(index("inspections", &["cell_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("inspection_recommendations"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("inspection_id")))
                .col(text(c("text")))
                .col(date(c("due_on")))
                .col(string_len(c("status"), 16))
                .col(date_null(c("done_on")))
                .col(text(c("follow_up")))
                .foreign_key(&mut fk(
                    "inspection_recommendations",
                    "inspection_id",
                    "inspections",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "inspection_recommendations",
            &["inspection_id"],
            false,
        ))
        .await
    }
}

/// Annual review and classification of members and of cells (issue 4).
struct Reviews;

impl MigrationName for Reviews {
    fn name(&self) -> &str {
        "m20261124_000013_reviews"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Reviews {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("member_reviews"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(integer(c("year")))
                .col(big_integer(c("cell_id")))
                .col(big_integer(c("org_id")))
                .col(integer(c("score")))
                .col(string_len(c("level"), 16))
                .col(big_integer_null(c("updated_by")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("member_reviews", "member_id", "members"))
                .foreign_key(&mut fk("member_reviews", "cell_id", "units"))
                .foreign_key(&mut fk("member_reviews", "org_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("member_reviews", &["member_id", "year"], true))
            .await?;
        m.create_index(index("member_reviews", &["org_id", "year"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("unit_reviews"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(integer(c("year")))
                .col(integer(c("score")))
                .col(string_len(c("level"), 16))
                .col(string_len(c("decision"), 255))
                .col(date(c("decided_on")))
                .col(big_integer_null(c("updated_by")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("unit_reviews", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("unit_reviews", &["unit_id", "year"], true))
            .await
    }
}

/// The admission pipeline: candidates and the cell's votes on them (issue 4).
struct Admissions;

impl MigrationName for Admissions {
    fn name(&self) -> &str {
        "m20261124_000014_admissions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Admissions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("candidates"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("unit_id")))
                .col(string_len(c("full_name"), 255))
                .col(date(c("date_of_birth")))
                .col(string_len(c("sex"), 8))
                .col(string_len(c("ethnicity"), 64))
                .col(string_len_null(c("citizen_id"), 12))
                .col(string_len_null(c("phone"), 32))
                .col(string_len(c("stage"), 16))
                .col(date_null(c("class_on")))
                .col(string_len(c("class_certificate"), 64))
                .col(date_null(c("applied_on")))
                .col(big_integer_null(c("introducer_member_id")))
                .col(integer(c("failed_votes")))
                .col(date_null(c("voted_on")))
                .col(date_null(c("decided_on")))
                .col(string_len(c("decision"), 255))
                .col(date_null(c("ceremony_on")))
                .col(big_integer_null(c("member_id")))
                .col(date_null(c("reviewed_on")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("candidates", "unit_id", "units"))
                .foreign_key(&mut fk("candidates", "introducer_member_id", "members"))
                .foreign_key(&mut fk("candidates", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("candidates", &["unit_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("candidate_votes"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("candidate_id")))
                .col(date(c("held_on")))
                .col(integer(c("votes_for")))
                .col(integer(c("official_members")))
                .col(boolean(c("passed")))
                .foreign_key(&mut fk("candidate_votes", "candidate_id", "candidates"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("candidate_votes", &["candidate_id"], false))
            .await
    }
}

/// Temporary exemptions (members working away, for a period) end on a date (issue 4).
struct TemporaryExemptions;

impl MigrationName for TemporaryExemptions {
    fn name(&self) -> &str {
        "m20261124_000015_temporary_exemptions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for TemporaryExemptions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("exemptions"))
                .add_column(date_null(c("until")))
                .to_owned(),
        )
        .await
    }
}
