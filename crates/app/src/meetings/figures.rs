//! The figures chibo keeps about each meeting (`meeting_stats`) so that the indicators over a
//! province sum one row a meeting instead of replaying every sheet: the sheet's size and who
//! was present, who was given a task, whether the attendance, the procedure, the duration and
//! the documents met the rule set, the level of the score. They are computed by the same code
//! as the meeting page (`sheet`, `held`), so a report and a meeting's own page agree.
//!
//! A write to a meeting opens its transaction with [`MeetingTx::begin`], which marks the
//! meeting's figures (and those of the cell's later meetings, whose score reads the earlier
//! ones) out of date in that same transaction; [`MeetingTx::commit`] commits and computes them
//! again (a check-in, which comes in bursts, leaves them to the background pass). A change to a member's status or roll marks the meetings it touches
//! (`chibo_store::meeting_stats::member_changed`, in its own transaction); `chibo serve`
//! computes whatever is marked in the background ([`refresh_stale`]), and `chibo reindex`
//! computes every meeting again ([`reindex`]). Storing a meeting's figures moves its sums in
//! the roll-ups (`chibo_store::rollups`) in the same transaction; [`build_rollups`] builds the
//! months not kept yet.

use std::collections::HashSet;
use std::ops::Deref;
use std::time::Duration;

use chibo_domain::meeting::MeetingStatus;
use chibo_store::WriteTx;
use chibo_store::entities::{meeting, meeting_guest, meeting_stat};
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ColumnTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use chrono::Utc;

use crate::access::{MeetingOf, Reads};
use crate::meetings::held::{self, Held};
use crate::meetings::lookup::{self, meeting_status, rule_set_of};
use crate::meetings::{checks, notice, sheet};
use crate::org::units;
use crate::{App, AppError, AppResult};

/// The write transaction of a change to a meeting: its figures are marked out of date inside
/// it, and computed again once it commits. Derefs to the transaction.
pub(crate) struct MeetingTx<'a> {
    tx: WriteTx,
    app: &'a App,
    cell_id: i64,
}

impl Deref for MeetingTx<'_> {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

impl<'a> MeetingTx<'a> {
    /// Opens the write transaction for a change to meeting `m`.
    pub(crate) async fn begin(app: &'a App, m: &meeting::Model) -> AppResult<MeetingTx<'a>> {
        let tx = chibo_store::write_tx(&app.db).await?;
        chibo_store::meeting_stats::meeting_changed(&tx, m.id, m.unit_id, m.meeting_date).await?;
        Ok(MeetingTx {
            tx,
            app,
            cell_id: m.unit_id,
        })
    }

    /// Commits, then computes the cell's figures again. The change is saved whatever happens
    /// next: a failure to compute leaves the figures marked, for the background pass.
    pub(crate) async fn commit(self) -> AppResult<()> {
        self.tx.commit().await?;
        if let Err(e) = refresh_cell(self.app, self.cell_id).await {
            tracing::warn!(cell = self.cell_id, error = %e, "meeting figures left for the background pass");
        }
        Ok(())
    }
}

/// The figures of one meeting, as computed now.
async fn figures_of(app: &App, m: meeting::Model) -> AppResult<meeting_stat::Model> {
    let mut row = meeting_stat::Model {
        id: 0,
        meeting_id: m.id,
        cell_id: m.unit_id,
        meeting_date: m.meeting_date,
        kind: m.kind.clone(),
        combined: m.combined,
        held: meeting_status(&m) == MeetingStatus::Held,
        stale: false,
        sheet_members: 0,
        present: 0,
        tasked: 0,
        attendance_ok: false,
        full_procedure: false,
        has_end_time: false,
        duration_ok: false,
        documents_on_time: false,
        superior_attended: false,
        level: None,
        tasks_given: 0,
        tasks_reviewed: 0,
        next_regular_on: None,
        minutes_similarity: None,
        party_time: None,
        updated_at: Utc::now(),
    };
    if !row.held {
        return Ok(row);
    }
    let cell = units::find(&app.db, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (rules, _) = rule_set_of(app, &m).await?;
    let h = Reads::for_figures(MeetingOf { meeting: m, cell });
    let m = &h.meeting;
    let attendance = sheet::attendance_sheet(app, &h, &rules).await?;
    let record = notice::record_of(app, m.id).await?;
    let lead = notice::lead_of(app, &h, record.as_ref()).await?;
    let everyone: Vec<_> = attendance.everyone().cloned().collect();
    let detail = held::held_detail(
        app,
        Held {
            m,
            rules: &rules,
            summary: &attendance.summary,
            sheet: &everyone,
            lead,
            record: record.as_ref(),
        },
    )
    .await?;
    let s = &attendance.summary;
    let with_task: HashSet<i64> = detail.tasks.iter().map(|t| t.member.id).collect();
    let steps_in_order = detail
        .steps
        .iter()
        .map(|s| s.done_at.as_deref())
        .collect::<Option<Vec<&str>>>()
        .is_some_and(|times| times.windows(2).all(|w| w[0] <= w[1]));
    let next_regular_on = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::MeetingDate)
        .filter(meeting::Column::UnitId.eq(m.unit_id))
        .filter(meeting::Column::Kind.eq("regular"))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held.code()))
        .filter(meeting::Column::MeetingDate.gt(m.meeting_date))
        .order_by_asc(meeting::Column::MeetingDate)
        .into_tuple::<chrono::NaiveDate>()
        .one(&app.db)
        .await?;
    // A task counts as reviewed once it is done or reported on, as the next meeting's page
    // judges it (tasks keep no date of their review, so "by the next meeting" cannot be told
    // apart from "since").
    let tasks_reviewed = match next_regular_on {
        Some(_) => detail
            .tasks
            .iter()
            .filter(|t| t.status == "done" || t.progress.is_some())
            .count() as i32,
        None => 0,
    };
    let superior_attended = meeting_guest::Entity::find()
        .filter(meeting_guest::Column::MeetingId.eq(m.id))
        .filter(meeting_guest::Column::MemberId.is_not_null())
        .count(&app.db)
        .await?
        > 0;
    let q = &detail.quality;
    row.sheet_members = s.expected as i32;
    row.present = s.present as i32;
    row.tasked = attendance
        .sheet
        .iter()
        .filter(|r| r.presence.is_some() && with_task.contains(&r.member_id))
        .count() as i32;
    row.attendance_ok = s.expected > 0 && s.threshold_met;
    row.full_procedure = steps_in_order;
    row.has_end_time = detail.record.end_time.is_some();
    row.duration_ok = detail.record.duration_met == Some(true);
    row.documents_on_time = detail.record.documents_in_time == Some(true);
    row.superior_attended = superior_attended;
    row.level = (q.unscored == 0).then(|| rules.scoring.level_for(q.total).code.clone());
    row.tasks_given = detail.tasks.len() as i32;
    row.tasks_reviewed = tasks_reviewed;
    row.next_regular_on = next_regular_on;
    row.party_time = checks::party_time(m, &detail.steps);
    row.minutes_similarity = checks::minutes_similarity(app, m).await?;
    Ok(row)
}

/// Marked rows computed together before they are stored in one transaction on SQLite: a page
/// of them costs the one writer one flush to disk, not one each, so the background pass holds
/// up the check-ins around it for a few milliseconds rather than a burst of turns.
const STORED_TOGETHER: usize = 50;

/// How many rows a transaction stores on this database. On PostgreSQL one: a transaction
/// holding a page's row locks deadlocked with a meeting's change that marks the cell's rows in
/// two statements (seen with six meetings of one cell held at once), and its writers do not
/// take turns, so a page would save only flushes.
fn stored_together(app: &App) -> usize {
    match app.db.get_database_backend() {
        DbBackend::Postgres => 1,
        _ => STORED_TOGETHER,
    }
}

/// Computes the figures of the stale rows `stale` and stores them, a page a transaction.
/// A row marked again meanwhile (its `updated_at` moved) stays marked for the next pass; a
/// meeting whose figures cannot be computed is left marked and named in the log, so one bad
/// meeting does not stop the others. Returns how many rows were stored.
async fn refresh_rows(app: &App, stale: Vec<meeting_stat::Model>) -> AppResult<usize> {
    let mut stored = 0;
    for page in stale.chunks(stored_together(app)) {
        let mut computed = Vec::with_capacity(page.len());
        for stat in page {
            match lookup::find(app, stat.meeting_id).await {
                Ok(m) => match figures_of(app, m).await {
                    Ok(f) => computed.push((stat, f)),
                    Err(e) => warn_left_marked(stat, &e),
                },
                Err(e) => warn_left_marked(stat, &e),
            }
        }
        stored += match store_page(app, &computed).await {
            Ok(n) => n,
            // A page that cannot be stored whole is stored a row at a time, so the row at
            // fault is the only one left marked.
            Err(e) => {
                tracing::warn!(error = %e, rows = computed.len(), "meeting figures stored again one by one");
                let mut n = 0;
                for one in computed.chunks(1) {
                    match store_page(app, one).await {
                        Ok(k) => n += k,
                        Err(e) => warn_left_marked(one[0].0, &e),
                    }
                }
                n
            }
        };
    }
    Ok(stored)
}

fn warn_left_marked(stat: &meeting_stat::Model, e: &AppError) {
    tracing::warn!(meeting = stat.meeting_id, error = %e, "meeting figures not computed or stored");
}

/// Stores the figures `computed` from their stale rows in one transaction; the roll-ups take
/// each row's old sums out and its new ones in. Rows marked again since they were read are
/// skipped. Returns how many were stored.
async fn store_page(
    app: &App,
    computed: &[(&meeting_stat::Model, meeting_stat::Model)],
) -> AppResult<usize> {
    if computed.is_empty() {
        return Ok(0);
    }
    let tx = chibo_store::write_tx(&app.db).await?;
    let read: Vec<_> = computed
        .iter()
        .map(|(stat, _)| (stat.id, stat.updated_at))
        .collect();
    let current = chibo_store::rollups::stats_to_store(&tx, &read).await?;
    let mut stored = 0;
    for (stat, f) in computed {
        if !current.contains(&stat.id) {
            continue;
        }
        store_row(&tx, stat, f).await?;
        stored += 1;
    }
    tx.commit().await?;
    Ok(stored)
}

/// Writes the figures `f` over the stale row `stat` and moves the roll-ups' sums.
async fn store_row(
    tx: &DatabaseTransaction,
    stat: &meeting_stat::Model,
    f: &meeting_stat::Model,
) -> AppResult<()> {
    let cell_months = [
        (stat.cell_id, stat.meeting_date),
        (f.cell_id, f.meeting_date),
    ];
    chibo_store::rollups::stat_changing(tx, stat.id).await?;
    meeting_stat::Entity::update_many()
        .col_expr(meeting_stat::Column::CellId, Expr::val(f.cell_id))
        .col_expr(meeting_stat::Column::MeetingDate, Expr::val(f.meeting_date))
        .col_expr(meeting_stat::Column::Kind, Expr::val(f.kind.clone()))
        .col_expr(meeting_stat::Column::Combined, Expr::val(f.combined))
        .col_expr(meeting_stat::Column::Held, Expr::val(f.held))
        .col_expr(meeting_stat::Column::Stale, Expr::val(false))
        .col_expr(
            meeting_stat::Column::SheetMembers,
            Expr::val(f.sheet_members),
        )
        .col_expr(meeting_stat::Column::Present, Expr::val(f.present))
        .col_expr(meeting_stat::Column::Tasked, Expr::val(f.tasked))
        .col_expr(
            meeting_stat::Column::AttendanceOk,
            Expr::val(f.attendance_ok),
        )
        .col_expr(
            meeting_stat::Column::FullProcedure,
            Expr::val(f.full_procedure),
        )
        .col_expr(meeting_stat::Column::HasEndTime, Expr::val(f.has_end_time))
        .col_expr(meeting_stat::Column::DurationOk, Expr::val(f.duration_ok))
        .col_expr(
            meeting_stat::Column::DocumentsOnTime,
            Expr::val(f.documents_on_time),
        )
        .col_expr(
            meeting_stat::Column::SuperiorAttended,
            Expr::val(f.superior_attended),
        )
        .col_expr(meeting_stat::Column::Level, Expr::val(f.level.clone()))
        .col_expr(meeting_stat::Column::TasksGiven, Expr::val(f.tasks_given))
        .col_expr(
            meeting_stat::Column::TasksReviewed,
            Expr::val(f.tasks_reviewed),
        )
        .col_expr(
            meeting_stat::Column::NextRegularOn,
            Expr::val(f.next_regular_on),
        )
        .col_expr(
            meeting_stat::Column::MinutesSimilarity,
            Expr::val(f.minutes_similarity),
        )
        .col_expr(meeting_stat::Column::PartyTime, Expr::val(f.party_time))
        .col_expr(meeting_stat::Column::UpdatedAt, Expr::val(f.updated_at))
        .filter(meeting_stat::Column::Id.eq(stat.id))
        .exec(tx)
        .await?;
    chibo_store::rollups::stat_changed(tx, stat.id, &cell_months).await?;
    Ok(())
}

/// Computes again the marked figures of cell `cell_id` (after a write to one of its meetings).
pub(crate) async fn refresh_cell(app: &App, cell_id: i64) -> AppResult<()> {
    let stale = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::CellId.eq(cell_id))
        .filter(meeting_stat::Column::Stale.eq(true))
        .order_by_asc(meeting_stat::Column::MeetingDate)
        .all(&app.db)
        .await?;
    refresh_rows(app, stale).await?;
    Ok(())
}

/// How long without a check-in the background pass waits for before it computes figures.
pub const QUIET_BEFORE_FIGURES: Duration = Duration::from_secs(1);
/// The longest the background pass gives way to check-ins that keep coming; it then computes
/// until nothing is marked before it gives way again, so a dashboard is never further behind
/// than that plus the time to catch up.
pub const LONGEST_GIVE_WAY: Duration = Duration::from_secs(30);

/// Whether the background pass waits rather than computes now: a meeting's check-ins come in a
/// burst of a few seconds, and a pass computing a few hundred meetings' figures beside it would
/// take the two cores and the writer's turns from members waiting at the door. It waits while
/// the last check-in is more recent than [`QUIET_BEFORE_FIGURES`], for [`LONGEST_GIVE_WAY`] at
/// most (`waited`: how long it has waited so far).
pub fn gives_way_to_check_ins(since_last_check_in: Option<Duration>, waited: Duration) -> bool {
    since_last_check_in.is_some_and(|d| d < QUIET_BEFORE_FIGURES) && waited < LONGEST_GIVE_WAY
}

/// Computes again up to `limit` marked rows, oldest meetings first; returns how many it
/// stored. `chibo serve` calls it every few seconds, `chibo reindex` until it returns 0.
pub async fn refresh_stale(app: &App, limit: u64) -> AppResult<usize> {
    let stale = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::Stale.eq(true))
        .order_by_asc(meeting_stat::Column::MeetingDate)
        .order_by_asc(meeting_stat::Column::Id)
        .limit(limit)
        .all(&app.db)
        .await?;
    refresh_rows(app, stale).await
}

/// Computes every meeting's figures again from the raw rows (`chibo reindex`, and the demo
/// after seeding), then builds the roll-ups of every month again; `progress(done, total)` is
/// called as it goes. Returns the number of meetings computed.
pub async fn reindex(app: &App, progress: &dyn Fn(u64, u64)) -> AppResult<u64> {
    let tx = chibo_store::write_tx(&app.db).await?;
    chibo_store::rollups::forget_all(&tx).await?;
    tx.commit().await?;
    let total = chibo_store::meeting_stats::everything_changed(&app.db).await?;
    let mut done = 0u64;
    progress(done, total);
    loop {
        let n = refresh_stale(app, 500).await? as u64;
        if n == 0 {
            break;
        }
        done += n;
        progress(done.min(total), total);
    }
    build_rollups(app).await?;
    Ok(done)
}

/// Builds the roll-ups of every month from the first meeting's to this one that is not kept
/// yet, a month a transaction (`chibo serve` as a month begins, `chibo reindex`, the
/// generator), then the month-end counts of every such month that is over and not standing
/// (a change dated in it took it out). Returns the months built.
pub async fn build_rollups(app: &App) -> AppResult<usize> {
    let today = App::today();
    let months = chibo_store::rollups::months_to_keep(&app.db, today).await?;
    let to_build = chibo_store::rollups::months_to_build(&app.db, &months).await?;
    for m in &to_build {
        let tx = chibo_store::write_tx(&app.db).await?;
        chibo_store::rollups::build_month(&tx, m).await?;
        tx.commit().await?;
    }
    let ends = chibo_store::rollups::ends_to_build(&app.db, &months, today).await?;
    for m in &ends {
        let tx = chibo_store::write_tx(&app.db).await?;
        chibo_store::rollups::build_end(&tx, m).await?;
        tx.commit().await?;
    }
    Ok(to_build.len() + ends.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pass_waits_for_a_burst_of_check_ins_but_not_for_ever() {
        let ms = Duration::from_millis;
        // No check-in since the start, or the last one long ago: compute now.
        assert!(!gives_way_to_check_ins(None, Duration::ZERO));
        assert!(!gives_way_to_check_ins(Some(ms(1_000)), Duration::ZERO));
        // A check-in a moment ago: wait.
        assert!(gives_way_to_check_ins(Some(ms(999)), Duration::ZERO));
        assert!(gives_way_to_check_ins(Some(ms(5)), ms(29_999)));
        // Check-ins that do not stop do not hold the figures back longer than the cap.
        assert!(!gives_way_to_check_ins(Some(ms(5)), LONGEST_GIVE_WAY));
    }
}
