//! Check-ins written together (group commit). The members of a meeting check in within the
//! same few minutes, and many meetings meet on the same evening. Written one by one, each
//! check-in was a write transaction of six statements, and the writers' turns, not the work,
//! set the pace (docs/performance.md, "Check-ins under load"). Here a check-in that has passed
//! its checks joins a queue; the first of the waiting requests to get the writer's turn takes
//! every check-in queued and writes them in one transaction with multi-row statements, then
//! answers each after the commit. An answer of success therefore always means a committed line.
//!
//! The meetings' figures are only marked out of date here: the background pass (every two
//! seconds) computes them once for the burst, where computing them on each check-in's path
//! would do it thirty times for a cell of thirty. The meeting's own page computes what it shows,
//! so only the dashboards over the tree wait those seconds.
//!
//! A batch that fails as a whole is written again one check-in at a time, so that one bad line
//! (a meeting deleted meanwhile) does not refuse the others; a batch whose transaction cannot
//! even begin (no turn within its time) is refused whole, since each line would wait as long.
//! Minutes approved and meetings cancelled since the request's checks are checked again, once
//! for the batch, inside its transaction. A request given up by its client while it waits takes
//! its line out of the queue: a line is written only for a request still there, or within the
//! batch that has already taken it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chibo_domain::meeting::MeetingStatus;
use chibo_store::entities::{meeting, meeting_attendance};
use chibo_store::sea_orm::sea_query::OnConflict;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use chibo_store::{WriteTx, meeting_stats, write_tx};
use chrono::{SubsecRound, Utc};
use tokio::sync::oneshot;

use crate::meetings::attendance::{CheckedIn, mark_held};
use crate::meetings::signatures;
use crate::{App, AppError, AppResult, audit};

/// The most check-ins one transaction writes; more waiting are written in the next.
const BATCH: usize = 200;

/// How long a check-in waits for the batch before it to be written, as a writer waits for its
/// turn (`chibo_store::write`).
const WAIT: Duration = Duration::from_secs(30);

/// A check-in that passed every check of its request, ready to write.
pub(crate) struct Line {
    pub meeting: meeting::Model,
    /// The path of the meeting's cell, where the audit entry lies.
    pub cell_path: String,
    pub member_id: i64,
    pub user_id: i64,
}

struct Waiting {
    /// The request's own number, to find its line again.
    id: u64,
    line: Line,
    answer: oneshot::Sender<AppResult<CheckedIn>>,
}

/// The queue of check-ins waiting to be written, one per application (shared by its clones).
#[derive(Default)]
pub struct CheckInQueue {
    waiting: Mutex<Vec<Waiting>>,
    /// Held while a batch is written: whoever gets it next writes what queued meanwhile.
    writer: Arc<tokio::sync::Mutex<()>>,
    numbers: AtomicU64,
    /// When the last check-in was queued: the background figures pass gives way to a burst.
    last_queued: Mutex<Option<Instant>>,
}

/// A request's line in the queue, taken out if the request ends before a batch takes it (its
/// client gave up, or the wait was too long): nobody would read the answer, and a batch written
/// later would write it long after its checks were made.
struct Queued<'a> {
    queue: &'a CheckInQueue,
    id: u64,
}

impl Queued<'_> {
    /// Takes the line out of the queue; false when a batch already took it.
    fn withdraw(&self) -> bool {
        let mut waiting = lock(&self.queue.waiting);
        let before = waiting.len();
        waiting.retain(|w| w.id != self.id);
        waiting.len() < before
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.withdraw();
    }
}

impl CheckInQueue {
    /// Queues `line` and answers once it is written (or refused).
    pub(crate) async fn write(&self, app: &App, line: Line) -> AppResult<CheckedIn> {
        let (answer, mut answered) = oneshot::channel();
        let id = self.numbers.fetch_add(1, Ordering::Relaxed);
        *lock(&self.last_queued) = Some(Instant::now());
        lock(&self.waiting).push(Waiting { id, line, answer });
        let queued = Queued { queue: self, id };
        let Ok(turn) = tokio::time::timeout(WAIT, self.writer.clone().lock_owned()).await else {
            if queued.withdraw() {
                return Err(AppError::Internal(
                    "a check-in waited too long for the batches before it".into(),
                ));
            }
            // Taken by the batch being written: its answer comes.
            return answered.await.unwrap_or_else(|_| Err(lost()));
        };
        match answered.try_recv() {
            // Written in the batch of the request that had the turn before.
            Ok(done) => return done,
            Err(oneshot::error::TryRecvError::Closed) => return Err(lost()),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let batch = std::mem::take(&mut *lock(&self.waiting));
        drop(queued);
        let app = app.clone();
        // Spawned, so that a request given up by its client (its future dropped here) still
        // writes and answers the check-ins of the others it took; the turn goes with it.
        tokio::spawn(async move {
            write_and_answer(&app, batch).await;
            drop(turn);
        });
        answered.await.unwrap_or_else(|_| Err(lost()))
    }

    /// How long ago the last check-in was queued; `None` if none was since the server started.
    pub fn since_last_check_in(&self) -> Option<Duration> {
        lock(&self.last_queued).map(|at| at.elapsed())
    }
}

/// Locks one of the queue's own mutexes. A panic elsewhere cannot leave what they guard half
/// changed (a push, a retain, a take, an instant written whole), so a poisoned lock is used.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The refusal of a check-in to a cancelled meeting (at the request's checks, or in the batch).
pub(crate) fn cancelled_error() -> AppError {
    AppError::invalid("code", "Buổi sinh hoạt đã bị hủy.")
}

/// The answer of a check-in whose writer stopped without one (it panicked).
fn lost() -> AppError {
    AppError::Internal("a queued check-in was never answered".into())
}

async fn write_and_answer(app: &App, mut batch: Vec<Waiting>) {
    while !batch.is_empty() {
        let rest = batch.split_off(batch.len().min(BATCH));
        let chunk = std::mem::replace(&mut batch, rest);
        let lines: Vec<&Line> = chunk.iter().map(|w| &w.line).collect();
        let tx = match write_tx(&app.db).await {
            Ok(tx) => tx,
            Err(e) => {
                for w in chunk {
                    let _ = w.answer.send(Err(AppError::Db(e.clone())));
                }
                continue;
            }
        };
        match write_lines(tx, &lines).await {
            Ok(answers) => {
                for (w, a) in chunk.into_iter().zip(answers) {
                    let _ = w.answer.send(a);
                }
            }
            Err(e) if chunk.len() == 1 => {
                let _ = chunk.into_iter().next().map(|w| w.answer.send(Err(e)));
            }
            Err(e) => {
                tracing::warn!(error = %e, lines = chunk.len(), "check-ins written again one by one");
                for w in chunk {
                    let one = match write_tx(&app.db).await {
                        Ok(tx) => write_lines(tx, &[&w.line])
                            .await
                            .and_then(|mut a| a.pop().ok_or_else(lost)),
                        Err(e) => Err(e.into()),
                    };
                    let _ = w.answer.send(one.and_then(|a| a));
                }
            }
        }
    }
}

/// Writes `lines` in one transaction; the answer of each, in their order. An error is the
/// transaction's (nothing written); a line refused (already checked in) is its own answer.
async fn write_lines(tx: WriteTx, all: &[&Line]) -> AppResult<Vec<AppResult<CheckedIn>>> {
    // Every line checks two foreign keys, and every statement here finds its rows by key:
    // none needs PostgreSQL to plan it again at each run.
    chibo_store::bulk::reuse_key_check_plans(&tx).await?;
    // To the microsecond, as both databases keep it: the answer says what the sheet says.
    let at = Utc::now().trunc_subsecs(6);
    // Minutes approved or meetings cancelled since the request read the meeting take no more
    // check-ins; checked here, in the transaction, once for the batch.
    let ids = || all.iter().map(|l| l.meeting.id);
    let signed = signatures::signed_among(&*tx, ids()).await?;
    let cancelled: HashSet<i64> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::Id)
        .filter(meeting::Column::Id.is_in(ids()))
        .filter(meeting::Column::Status.eq(MeetingStatus::Cancelled.code()))
        .into_tuple()
        .all(&*tx)
        .await?
        .into_iter()
        .collect();
    let refusal = |l: &Line| {
        if cancelled.contains(&l.meeting.id) {
            Some(cancelled_error())
        } else if signed.contains(&l.meeting.id) {
            Some(signatures::signed_error())
        } else {
            None
        }
    };
    let open: Vec<&Line> = all
        .iter()
        .copied()
        .filter(|l| refusal(l).is_none())
        .collect();
    let lines = &open[..];
    let meetings: BTreeMap<i64, &meeting::Model> =
        lines.iter().map(|l| (l.meeting.id, &l.meeting)).collect();
    let changed: Vec<_> = meetings
        .values()
        .map(|m| (m.id, m.unit_id, m.meeting_date))
        .collect();
    meeting_stats::meetings_changed(&*tx, &changed).await?;
    // In the cells' order, so that two processes' batches lock the cells (PostgreSQL) in one
    // order. Only a meeting not yet held costs a statement.
    let mut by_cell: Vec<&meeting::Model> = meetings.values().copied().collect();
    by_cell.sort_by_key(|m| (m.unit_id, m.id));
    for m in by_cell {
        mark_held(&tx, m).await?;
    }

    // The common case in one statement: no line for the member yet. Lines already there (the
    // secretary's, or this member's own check-in a moment ago) are left as they are and read.
    // Inserted in key order, so that two transactions on PostgreSQL meet in one order.
    let mut order: Vec<&Line> = lines.to_vec();
    order.sort_by_key(|l| (l.meeting.id, l.member_id));
    let inserted = meeting_attendance::Entity::insert_many(order.iter().map(|l| {
        meeting_attendance::ActiveModel {
            meeting_id: Set(l.meeting.id),
            member_id: Set(l.member_id),
            presence: Set("present".into()),
            reason: Set(None),
            recorded_at: Set(at),
            checked_in_at: Set(Some(at)),
            ..Default::default()
        }
    }))
    .on_conflict(
        OnConflict::columns([
            meeting_attendance::Column::MeetingId,
            meeting_attendance::Column::MemberId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_with_returning(&*tx)
    .await?;
    let mut fresh: HashSet<(i64, i64)> = inserted
        .iter()
        .map(|r| (r.meeting_id, r.member_id))
        .collect();
    // Each new line answers the first check-in of its pair; a second in the same batch finds
    // it among the lines already there.
    let first: Vec<bool> = lines
        .iter()
        .map(|l| fresh.remove(&(l.meeting.id, l.member_id)))
        .collect();
    let mut existing = lines_already_there(&tx, lines, &first).await?;

    let mut answers = Vec::with_capacity(lines.len());
    let mut entries = Vec::new();
    for (l, new) in lines.iter().zip(first) {
        let answer = if new {
            Ok(())
        } else {
            let key = (l.meeting.id, l.member_id);
            mark_present(&tx, existing.get(&key).cloned(), at)
                .await?
                .map(|line| {
                    existing.insert(key, line);
                })
        };
        if answer.is_ok() {
            let done = audit::Done {
                user_id: Some(l.user_id),
                action: "meeting.check_in",
                entity: "meeting",
                entity_id: Some(l.meeting.id),
                unit_path: Some(l.cell_path.clone()),
            };
            let after = serde_json::json!({ "member_id": l.member_id });
            entries.push(done.entry(None::<&()>, Some(&after)));
        }
        answers.push(answer.map(|()| CheckedIn {
            meeting_id: l.meeting.id,
            member_id: l.member_id,
            checked_in_at: at,
        }));
    }
    audit::record_all(&*tx, entries).await?;
    tx.commit().await?;
    let mut written = answers.into_iter();
    Ok(all
        .iter()
        .map(|l| match refusal(l) {
            Some(refused) => Err(refused),
            None => written.next().expect("an answer for each line written"),
        })
        .collect())
}

/// The lines already on the sheets for the check-ins not inserted, by (meeting, member): one
/// statement over the batch's handful of meetings and members.
async fn lines_already_there(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    lines: &[&Line],
    inserted: &[bool],
) -> AppResult<HashMap<(i64, i64), meeting_attendance::Model>> {
    let wanted: HashSet<(i64, i64)> = lines
        .iter()
        .zip(inserted)
        .filter(|(_, new)| !**new)
        .map(|(l, _)| (l.meeting.id, l.member_id))
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let meetings: HashSet<i64> = wanted.iter().map(|&(m, _)| m).collect();
    let members: HashSet<i64> = wanted.iter().map(|&(_, m)| m).collect();
    Ok(meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.is_in(meetings))
        .filter(meeting_attendance::Column::MemberId.is_in(members))
        .all(tx)
        .await?
        .into_iter()
        .map(|r| ((r.meeting_id, r.member_id), r))
        .filter(|(k, _)| wanted.contains(k))
        .collect())
}

/// A check-in over a line already there: a member the secretary marked absent becomes present;
/// a member already checked in or marked present is told so. The line as it now stands, or
/// the refusal.
async fn mark_present(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    line: Option<meeting_attendance::Model>,
    at: chrono::DateTime<Utc>,
) -> AppResult<AppResult<meeting_attendance::Model>> {
    let Some(line) = line else {
        // Inserted by nobody and not there: cannot happen inside one transaction.
        return Ok(Err(AppError::invalid("code", "Bạn đã điểm danh rồi.")));
    };
    if let Some(checked) = line.checked_in_at {
        return Ok(Err(AppError::invalid(
            "code",
            format!(
                "Bạn đã điểm danh lúc {}.",
                App::local(checked).format("%H:%M")
            ),
        )));
    }
    if line.presence == "present" {
        return Ok(Err(AppError::invalid(
            "code",
            "Thư ký đã ghi bạn có mặt; không cần điểm danh lại.",
        )));
    }
    let mut am: meeting_attendance::ActiveModel = line.into();
    am.presence = Set("present".into());
    am.reason = Set(None);
    am.recorded_at = Set(at);
    am.checked_in_at = Set(Some(at));
    Ok(Ok(am.update(tx).await?))
}
