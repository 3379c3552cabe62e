//! Migrations of the rules issue (issue 12): what the corrected rules need recorded.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{c, fk, index};

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

/// `meeting_records.chair_reason`: why a member other than the secretary or the deputy chaired
/// (issue 12: allowed with a reason, shown in the minutes and the score).
pub(super) struct ChairReason;

impl MigrationName for ChairReason {
    fn name(&self) -> &str {
        "m20261202_000029_chair_reason"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ChairReason {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("meeting_records"))
                .add_column(text_null(c("chair_reason")))
                .to_owned(),
        )
        .await
    }
}

/// `member_badges.special`: a badge given outside the rule set's occasions, in a special case
/// the provincial standing committee decided (issue 12).
pub(super) struct SpecialBadges;

impl MigrationName for SpecialBadges {
    fn name(&self) -> &str {
        "m20261202_000030_special_badges"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SpecialBadges {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("member_badges"))
                .add_column(boolean(c("special")).default(false))
                .to_owned(),
        )
        .await
    }
}

/// The cell's vote to recognise a probationary member as official (issue 12, defect 7):
/// its failed count, the day it passed (or sent the case up), whether the superior committee
/// extended its deadline, and which vote each `candidate_votes` row was.
pub(super) struct RecognitionVote;

impl MigrationName for RecognitionVote {
    fn name(&self) -> &str {
        "m20261202_000031_recognition_vote"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for RecognitionVote {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters a table one column at a time.
        for column in [
            integer(c("recognition_failed_votes")).default(0).to_owned(),
            date_null(c("recognition_voted_on")),
            boolean(c("recognition_extended")).default(false).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(c("candidates"))
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        // The new stages' codes are longer than the sixteen characters the column had.
        // SQLite does not enforce a length (nor can it alter a column); PostgreSQL does.
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            m.alter_table(
                Table::alter()
                    .table(c("candidates"))
                    .modify_column(ColumnDef::new(c("stage")).string_len(32).not_null())
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(c("candidate_votes"))
                .add_column(string(c("purpose")).default("admission").to_owned())
                .to_owned(),
        )
        .await
    }
}

/// What a member did with their tasks in the year, beside their points (Quy định 366-QĐ/TW:
/// the level also depends on tasks done on time and exceeded; issue 12, defect 11), and the
/// superior committee's own level for a member with its reason. Reviews written before this
/// have no task results (NULL).
pub(super) struct ReviewTaskResults;

impl MigrationName for ReviewTaskResults {
    fn name(&self) -> &str {
        "m20261202_000032_review_task_results"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ReviewTaskResults {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer_null(c("tasks_given")),
            integer_null(c("tasks_on_time")),
            integer_null(c("tasks_exceeded")),
            text_null(c("superior_reason")),
        ] {
            m.alter_table(
                Table::alter()
                    .table(c("member_reviews"))
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

/// Holidays for any year (issue 12): the statutory days are computed now
/// (`chibo_domain::calendar::statutory_holidays`), so the rows the first migration stored for
/// 2024–2028 go; what stays is what an administrator enters, each row a day off (`off`: a
/// make-up or swapped day off) or a weekend day made a working day (`working`).
/// `holiday_years` records the years whose announced days an administrator has entered, so a
/// year without them is reported.
pub(super) struct HolidayKinds;

impl MigrationName for HolidayKinds {
    fn name(&self) -> &str {
        "m20261202_000033_holiday_kinds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for HolidayKinds {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("holidays"))
                .add_column(string_len(c("kind"), 16).default("off").to_owned())
                .to_owned(),
        )
        .await?;
        for (day, name) in (2024..=2028)
            .flat_map(|y| chibo_domain::calendar::statutory_holidays(y).unwrap_or_default())
        {
            m.exec_stmt(
                Query::delete()
                    .from_table(c("holidays"))
                    .and_where(Expr::col(c("day")).eq(day))
                    .and_where(Expr::col(c("name")).eq(name))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(c("holiday_years"))
                .col(big_pk_auto(c("id")))
                .col(integer(c("year")))
                .col(big_integer_null(c("confirmed_by")))
                .col(timestamp_with_time_zone(c("confirmed_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(index("holiday_years", &["year"], true))
            .await
    }
}

/// `party_age_gaps` (issue 12, defect 9): periods that do not count towards a member's party
/// age and that no status event shows, entered by hand: a gap between leaving one cell and
/// joining the next, or an imported re-admitted member's old gap from before this cell.
/// `kind` is `removed`, `expelled`, `lost_contact` or `transfer`; [`from_on`, `to_on`).
pub(super) struct PartyAgeGaps;

impl MigrationName for PartyAgeGaps {
    fn name(&self) -> &str {
        "m20261203_000034_party_age_gaps"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PartyAgeGaps {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("party_age_gaps"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(string_len(c("kind"), 16))
                .col(date(c("from_on")))
                .col(date(c("to_on")))
                .col(string_len(c("note"), 255))
                .foreign_key(&mut fk("party_age_gaps", "member_id", "members"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("party_age_gaps", &["member_id", "from_on"], false))
            .await
    }
}

/// `member_rule_sets` (issue 12): the rules of members' work as versioned data, each figure with
/// its source (`chibo_domain::rules::MemberRules` as JSON in `body`), national (`unit_id` null)
/// or attached to a unit, chosen like the meeting rule sets. The built-in sets are inserted
/// here so that every database has them.
pub(super) struct MemberRuleSets;

impl MigrationName for MemberRuleSets {
    fn name(&self) -> &str {
        "m20261203_000035_member_rule_sets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MemberRuleSets {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("member_rule_sets"))
                .col(big_pk_auto(c("id")))
                .col(string_len(c("code"), 64))
                .col(string_len(c("name"), 255))
                .col(big_integer_null(c("unit_id")))
                .col(date(c("effective_from")))
                .col(text(c("body")))
                .col(boolean(c("builtin")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("member_rule_sets", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("member_rule_sets", &["code"], true))
            .await?;
        for b in chibo_domain::rules::member_builtins() {
            let body = serde_json::to_string(&b.rules).map_err(|e| DbErr::Custom(e.to_string()))?;
            m.exec_stmt(
                Query::insert()
                    .into_table(c("member_rule_sets"))
                    .columns([
                        c("code"),
                        c("name"),
                        c("effective_from"),
                        c("body"),
                        c("builtin"),
                        c("created_at"),
                    ])
                    .values_panic([
                        b.code.into(),
                        b.name.into(),
                        b.effective_from.into(),
                        body.into(),
                        true.into(),
                        chrono::Utc::now().into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

/// `party_dues` (issue 12, defect 14): a member's party dues for a month as their cell recorded
/// them (`month` is the month's first day): `paid` with the amount in đồng and the day, `unpaid`,
/// or `excused` with the reason. One row per member and month. `unit_id` is the cell that
/// recorded it, so a subtree's unpaid months are found through the cells' paths.
pub(super) struct PartyDues;

impl MigrationName for PartyDues {
    fn name(&self) -> &str {
        "m20261203_000036_party_dues"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PartyDues {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("party_dues"))
                .col(big_pk_auto(c("id")))
                .col(big_integer(c("member_id")))
                .col(big_integer(c("unit_id")))
                .col(date(c("month")))
                .col(string_len(c("status"), 16))
                .col(big_integer_null(c("amount")))
                .col(date_null(c("paid_on")))
                .col(string_len(c("reason"), 255))
                .col(big_integer_null(c("recorded_by")))
                .col(timestamp_with_time_zone(c("recorded_at")))
                .foreign_key(&mut fk("party_dues", "member_id", "members"))
                .foreign_key(&mut fk("party_dues", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("party_dues", &["member_id", "month"], true))
            .await?;
        // The unpaid months of a subtree's cells, by cell and month.
        m.create_index(index("party_dues", &["unit_id", "month"], false))
            .await
    }
}
