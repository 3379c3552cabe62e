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
            // The indicators' lookups: a cell's party groups on a day, an officer's courses.
            index("unit_versions", &["parent_id", "kind"], false),
            index("course_participants", &["member_id"], false),
        ] {
            m.create_index(i).await?;
        }
        Ok(())
    }
}

/// `programmes`, `programme_targets`, `programme_reviews`: a committee's đề án, chỉ thị, kế
/// hoạch or nghị quyết, over its subtree and a period, with its targets (an indicator, a
/// comparison, a value) and its review dates; `parent_id` names the programme it implements.
pub(super) struct Programmes;

impl MigrationName for Programmes {
    fn name(&self) -> &str {
        "m20261130_000024_programmes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Programmes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("programmes"))
                .col(pk_auto(c("id")).big_integer())
                .col(big_integer(c("unit_id")))
                .col(big_integer_null(c("parent_id")))
                .col(string_len(c("kind"), 16))
                .col(string_len(c("code"), 64))
                .col(string_len(c("title"), 500))
                .col(date(c("issued_on")))
                .col(date(c("starts_on")))
                .col(date(c("ends_on")))
                .col(big_integer_null(c("created_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .foreign_key(&mut fk("programmes", "unit_id", "units"))
                .foreign_key(&mut fk("programmes", "parent_id", "programmes"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(c("programme_targets"))
                .col(pk_auto(c("id")).big_integer())
                .col(big_integer(c("programme_id")))
                .col(string_len(c("indicator"), 48))
                .col(string_len(c("comparison"), 16))
                .col(big_integer(c("tenths")))
                .foreign_key(&mut fk("programme_targets", "programme_id", "programmes"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(c("programme_reviews"))
                .col(pk_auto(c("id")).big_integer())
                .col(big_integer(c("programme_id")))
                .col(date(c("due_on")))
                .col(string_len(c("title"), 255))
                .foreign_key(&mut fk("programme_reviews", "programme_id", "programmes"))
                .to_owned(),
        )
        .await?;
        for i in [
            index("programmes", &["unit_id", "starts_on"], false),
            index("programmes", &["parent_id", "unit_id"], false),
            index("programme_targets", &["programme_id", "indicator"], true),
            index("programme_reviews", &["programme_id", "due_on"], false),
        ] {
            m.create_index(i).await?;
        }
        Ok(())
    }
}

/// `review_reports`: a unit's báo cáo sơ kết / tổng kết of a programme over a period: its
/// heading (title, number, place, date, signer) and the prose sections a board officer writes;
/// the figures are never stored, they are counted when the report is shown or exported.
pub(super) struct ReviewReports;

impl MigrationName for ReviewReports {
    fn name(&self) -> &str {
        "m20261201_000025_review_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ReviewReports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("review_reports"))
                .col(pk_auto(c("id")).big_integer())
                .col(big_integer(c("programme_id")))
                .col(big_integer(c("unit_id")))
                .col(string_len(c("title"), 500))
                .col(string_len(c("number"), 64))
                .col(string_len(c("place"), 255))
                .col(date(c("report_on")))
                .col(date(c("period_from")))
                .col(date(c("period_to")))
                .col(text(c("situation")))
                .col(text(c("assessment")))
                .col(text(c("weaknesses")))
                .col(text(c("directions")))
                .col(string_len(c("signer_role"), 255))
                .col(string_len(c("signer_name"), 255))
                .col(big_integer_null(c("updated_by")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(&mut fk("review_reports", "programme_id", "programmes"))
                .foreign_key(&mut fk("review_reports", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "review_reports",
            &["programme_id", "unit_id", "report_on"],
            false,
        ))
        .await
    }
}

/// `unit_months`, `cell_months`, `rollup_months`: the roll-ups that let a dashboard over a
/// province read a dozen rows instead of every meeting (`chibo_store::rollups`).
/// - `unit_months`: per unit path (as it was on each meeting's date) and month (`YYYY-MM`), the
///   sums of `meeting_stats` over the held meetings of the cells below it, and the latest
///   meeting date summed (so a month cut short by the period can still be read when nothing
///   after the cut was held); `parent_path` finds a unit's children.
/// - `cell_months`: a row per cell and month in which the cell existed every day, with its path
///   at the month's end and whether a regular and a thematic meeting were held.
/// - `rollup_months`: the months both are kept for; the others are counted from the raw rows.
pub(super) struct Rollups;

impl MigrationName for Rollups {
    fn name(&self) -> &str {
        "m20261202_000026_rollups"
    }
}

/// The sums of `unit_months`, in the order `chibo_store::rollups::SUMS` names them.
pub(crate) const ROLLUP_SUMS: [&str; 17] = [
    "regular",
    "present",
    "sheet",
    "attendance_ok",
    "tasked",
    "held",
    "full_procedure",
    "ended",
    "long_enough",
    "documents_on_time",
    "superior",
    "level_tot",
    "level_kha",
    "level_trung_binh",
    "level_kem",
    "tasks_followed",
    "tasks_reviewed",
];

#[async_trait::async_trait]
impl MigrationTrait for Rollups {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(c("unit_months"))
            .col(pk_auto(c("id")).big_integer())
            .col(string_len(c("path"), 512))
            .col(string_len(c("parent_path"), 512))
            .col(string_len(c("month"), 7));
        for s in ROLLUP_SUMS {
            t.col(big_integer(c(s)).default(0));
        }
        t.col(date_null(c("latest")));
        m.create_table(t.to_owned()).await?;
        m.create_table(
            Table::create()
                .table(c("cell_months"))
                .col(pk_auto(c("id")).big_integer())
                .col(big_integer(c("cell_id")))
                .col(string_len(c("month"), 7))
                .col(string_len(c("path"), 512))
                .col(integer(c("regular")))
                .col(integer(c("thematic")))
                .foreign_key(&mut fk("cell_months", "cell_id", "units"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(c("rollup_months"))
                .col(string_len(c("month"), 7).primary_key())
                .col(timestamp_with_time_zone(c("built_at")))
                .to_owned(),
        )
        .await?;
        for i in [
            index("unit_months", &["path", "month"], true),
            index("unit_months", &["parent_path", "month"], false),
            index("cell_months", &["cell_id", "month"], true),
            index("cell_months", &["path", "month"], false),
            index("cell_months", &["month"], false),
            // The tasks of a period's meetings not yet followed by a regular meeting at its end.
            index("meeting_stats", &["next_regular_on"], false),
        ] {
            m.create_index(i).await?;
        }
        // A region's rows are `path LIKE 'prefix%'`: PostgreSQL needs the pattern class.
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            for table in ["unit_months", "cell_months"] {
                m.get_connection()
                    .execute_unprepared(&format!(
                        "CREATE INDEX ix_{table}_path_pattern ON {table} \
                         (path text_pattern_ops, month)"
                    ))
                    .await?;
            }
        }
        Ok(())
    }
}

/// Two more figures of a meeting for the early warnings (`chibo_domain::meeting_checks`): how
/// alike its minutes are to the previous regular meeting's and the share of its time given to
/// Party work, both per mille, null when they cannot be told; an index on the unexcused
/// absences, the only attendance rows the removal trigger reads; and every meeting's figures
/// marked out of date.
pub(super) struct MeetingChecks;

impl MigrationName for MeetingChecks {
    fn name(&self) -> &str {
        "m20261202_000027_meeting_checks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MeetingChecks {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["minutes_similarity", "party_time"] {
            m.alter_table(
                Table::alter()
                    .table(c("meeting_stats"))
                    .add_column(integer_null(c(column)))
                    .to_owned(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_meeting_attendance_unexcused ON meeting_attendance \
                 (meeting_id, member_id) WHERE presence = 'absent_unexcused'",
            )
            .await?;
        // Every meeting's figures are computed again (`chibo serve` does it in the background):
        // the two new ones, and the attendance rate, which no longer counts an exempt member
        // who came (issue 12).
        m.get_connection()
            .execute_unprepared("UPDATE meeting_stats SET stale = (1 = 1)")
            .await?;
        Ok(())
    }
}

/// Four more sums of `unit_months`, counts of held meetings that the early warnings list
/// (without a task for every member, copied minutes, an agency cell's short Party time, tasks
/// not followed up), so that a province's warnings are counted from a dozen roll-up rows. The
/// roll-ups are forgotten: `chibo serve` builds every month again in the background (seconds at
/// a province), and meanwhile the indicators count from the raw rows.
pub(super) struct WarningSums;

impl MigrationName for WarningSums {
    fn name(&self) -> &str {
        "m20261206_000039_warning_sums"
    }
}

/// The sums [`WarningSums`] adds, in the order `chibo_store::rollups::SUMS` names them.
pub(crate) const WARNING_SUMS: [&str; 4] = [
    "untasked_meetings",
    "copied_minutes",
    "agency_short",
    "unfollowed_meetings",
];

#[async_trait::async_trait]
impl MigrationTrait for WarningSums {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in WARNING_SUMS {
            if !m.has_column("unit_months", column).await? {
                m.alter_table(
                    Table::alter()
                        .table(c("unit_months"))
                        .add_column(big_integer(c(column)).default(0))
                        .to_owned(),
                )
                .await?;
            }
        }
        for table in ["unit_months", "cell_months", "rollup_months"] {
            m.get_connection()
                .execute_unprepared(&format!("DELETE FROM {table}"))
                .await?;
        }
        Ok(())
    }
}

/// Where a cell's stay under one path begins and ends among the kept cell-months, so that a
/// year of a province's cell-months is counted from the few rows that differ (a cell that came,
/// left, moved, or missed a meeting) instead of grouping every row by cell
/// (`chibo_store::rollups::stays`): `stay_starts` is 0 when the cell has a row the month
/// before with the same path, `stay_ends` when it has one the month after; 1, the default,
/// claims nothing, so a row not yet marked only costs time. Partial indexes find the marked
/// rows, the months missed and the thematic meetings.
pub(super) struct CellMonthStays;

impl MigrationName for CellMonthStays {
    fn name(&self) -> &str {
        "m20261213_000054_cell_month_stays"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CellMonthStays {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["stay_starts", "stay_ends"] {
            m.alter_table(
                Table::alter()
                    .table(c("cell_months"))
                    .add_column(integer(c(column)).default(1))
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        for (name, only) in [
            ("stay_starts", "stay_starts = 1"),
            ("stay_ends", "stay_ends = 1"),
            ("missed", "regular = 0"),
            ("thematic", "thematic = 1"),
        ] {
            db.execute_unprepared(&format!(
                "CREATE INDEX ix_cell_months_{name} ON cell_months (month) WHERE {only}"
            ))
            .await?;
        }
        let months = crate::rollups::built_months(db).await?;
        crate::rollups::mark_stays(db, &months, None).await?;
        Ok(())
    }
}

/// Whether a cell held no thematic meeting in a quarter, on its row of the quarter's last
/// month (`quarter_missed`, 0 on every other row), so that the cells that stayed under one
/// path through a period are counted from the few that missed a quarter
/// (`chibo_store::rollups::mark_quarters`) rather than from every thematic meeting.
pub(super) struct QuarterMissed;

impl MigrationName for QuarterMissed {
    fn name(&self) -> &str {
        "m20261215_000056_quarter_missed"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for QuarterMissed {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("cell_months"))
                .add_column(integer(c("quarter_missed")).default(0))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX ix_cell_months_quarter_missed ON cell_months (month) \
             WHERE quarter_missed = 1",
        )
        .await?;
        // The thematic meetings' own index served only the count this one replaces.
        db.execute_unprepared("DROP INDEX ix_cell_months_thematic")
            .await?;
        let months = crate::rollups::built_months(db).await?;
        crate::rollups::mark_quarters(db, &months, crate::rollups::Cells::All).await?;
        Ok(())
    }
}

/// The running counts of the months and quarters each cell missed along its kept cell-months
/// (`missed_run`, `quarters_run`: `chibo_store::rollups::mark_runs`), so that a cell that
/// stayed under one path through a period is counted from two of its rows, however many months
/// it missed; and, on PostgreSQL, statistics of a row's month and stay marks together.
pub(super) struct CellMonthRuns;

impl MigrationName for CellMonthRuns {
    fn name(&self) -> &str {
        "m20261216_000057_cell_month_runs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CellMonthRuns {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["missed_run", "quarters_run"] {
            m.alter_table(
                Table::alter()
                    .table(c("cell_months"))
                    .add_column(big_integer(c(column)).default(0))
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        crate::rollups::mark_runs(db, "", crate::rollups::Cells::All).await?;
        // The quarters missed are added up on every row now, no longer looked for.
        db.execute_unprepared("DROP INDEX ix_cell_months_quarter_missed")
            .await?;
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            // PostgreSQL takes a row's month and its stay's marks as independent: 1 in 13 rows
            // marked, 12 months asked for, so 200,000 marked rows expected at the nation where
            // there are none, and every cell-month read to join them. The statistics of the
            // three together know that the marks fall in a few months (an item per month and
            // marks; 500 hold ten years of months, and an analysis samples 150,000 rows).
            for text in [
                "CREATE STATISTICS cell_months_stays (mcv) \
                 ON month, stay_starts, stay_ends FROM cell_months",
                "ALTER STATISTICS cell_months_stays SET STATISTICS 500",
                "ANALYZE cell_months",
            ] {
                db.execute_unprepared(text).await?;
            }
        }
        Ok(())
    }
}
