//! The worker: delivers the outbox and runs the scheduled jobs. `chibo worker` runs one alone,
//! and `chibo serve` one beside the pages unless told not to. Several may run on several
//! servers against one PostgreSQL: the outbox's claims keep their messages apart, and each job
//! runs once per period, claimed by a row of `job_runs` in the job's own transaction (a second
//! worker's claim waits for it, then finds the period taken).
//!
//! The jobs: the evening reminder of tomorrow's meetings (from 17:00), the tasks due in three
//! days and the steps due or overdue with the committees' digest (`super::steps`, from
//! 07:00), the hourly purge of expired sessions and tokens, and the daily purge of
//! messages delivered half a year ago and notices read a year ago.

use std::collections::HashMap;
use std::time::Duration;

use chibo_domain::meeting::MeetingStatus;
use chibo_domain::notify::NoticeKind;
use chibo_store::entities::{meeting, meeting_task};
use chibo_store::sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use chibo_store::sql::Sql;
use chibo_store::write_tx;
use chrono::{DateTime, Timelike, Utc};

use super::channels::Channels;
use super::outbox;
use crate::access::auth;
use crate::meetings::lookup;
use crate::notify::{meeting_event, task_told};
use crate::{App, AppResult};

/// Messages claimed at a time.
pub const BATCH: u64 = 5;
/// Messages tried in one pass before the jobs get their turn.
const PER_PASS: usize = 200;
/// Tasks due soon read at a time (all are told, a page after another, in the job's
/// transaction).
const PAGE: u64 = 500;

/// A worker, named so that its claims and attempts say whose they are.
#[derive(Clone)]
pub struct Worker {
    app: App,
    channels: Channels,
    name: String,
}

impl Worker {
    pub fn new(app: App, channels: Channels, name: impl Into<String>) -> Worker {
        Worker {
            app,
            channels,
            name: name.into(),
        }
    }

    /// A name that tells servers and processes apart: the host, the process id and a random
    /// part (two containers may share both), within the 64 characters a claim keeps.
    pub fn default_name() -> String {
        let host: String = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "chibo".into())
            .chars()
            .take(40)
            .collect();
        format!(
            "{host}-{}-{:06x}",
            std::process::id(),
            rand::random::<u32>() & 0xFF_FFFF
        )
    }

    /// Delivers the messages due now, a batch at a time (at most a pass's worth, so that a
    /// backlog does not hold the jobs back); answers how many were tried.
    pub async fn deliver_due(&self) -> AppResult<usize> {
        let mut tried = 0;
        while tried < PER_PASS {
            let batch = outbox::claim(&self.app, &self.name, BATCH).await?;
            if batch.is_empty() {
                return Ok(tried);
            }
            for m in &batch {
                let outcome = self.channels.send(m).await;
                if let Err(e) = &outcome {
                    tracing::warn!(outbox = m.id, channel = %m.channel, error = %e, "delivery failed");
                }
                outbox::finish(&self.app, &self.name, m, outcome).await?;
                tried += 1;
            }
        }
        Ok(tried)
    }

    /// Runs the jobs whose time has come at `now` and that no worker ran for this period yet;
    /// answers the jobs it ran.
    pub async fn run_jobs(&self, now: DateTime<Utc>) -> AppResult<Vec<&'static str>> {
        let local = now + chrono::Duration::hours(7);
        let today = local.date_naive();
        let day = today.to_string();
        let mut ran = Vec::new();
        if local.hour() >= 17 {
            let job = async {
                let Some(tx) = self.claim_job("meeting_tomorrow", &day).await? else {
                    return Ok(false);
                };
                remind_tomorrow(&self.app, &tx, today.succ_opt().unwrap_or(today)).await?;
                tx.commit().await?;
                Ok(true)
            };
            note("meeting_tomorrow", job.await, &mut ran);
        }
        if local.hour() >= 7 {
            let job = async {
                let Some(tx) = self.claim_job("task_due", &day).await? else {
                    return Ok(false);
                };
                tasks_due(&self.app, &tx, today + chrono::Duration::days(3)).await?;
                tx.commit().await?;
                Ok(true)
            };
            note("task_due", job.await, &mut ran);
            // Claimed first, then run a page per transaction (`super::steps`): the claim
            // does not hold SQLite's write lock while the warnings are read.
            let job = async {
                let Some(tx) = self.claim_job("due_steps", &day).await? else {
                    return Ok(false);
                };
                tx.commit().await?;
                super::steps::run(&self.app, today).await?;
                Ok(true)
            };
            note("due_steps", job.await, &mut ran);
        }
        let hour = local.format("%Y-%m-%dT%H").to_string();
        let job = async {
            let Some(tx) = self.claim_job("purge_sessions", &hour).await? else {
                return Ok(false);
            };
            tx.commit().await?;
            auth::purge_expired(&self.app).await?;
            Ok(true)
        };
        note("purge_sessions", job.await, &mut ran);
        let job = async {
            let Some(tx) = self.claim_job("purge_messages", &day).await? else {
                return Ok(false);
            };
            tx.commit().await?;
            outbox::purge_sent(&self.app).await?;
            super::inbox::purge_read(&self.app).await?;
            Ok(true)
        };
        note("purge_messages", job.await, &mut ran);
        Ok(ran)
    }

    /// The job's transaction when this worker is the one to run it for `period`, with its
    /// claim written; `None` when another worker has.
    async fn claim_job(&self, job: &str, period: &str) -> AppResult<Option<chibo_store::WriteTx>> {
        let tx = write_tx(&self.app.db).await?;
        let backend = tx.get_database_backend();
        let mut sql = Sql::default();
        let text = format!(
            "INSERT INTO job_runs (job, period, worker, started_at) VALUES ({}, {}, {}, {}) \
             ON CONFLICT (job, period) DO NOTHING",
            sql.bind(job.to_string()),
            sql.bind(period.to_string()),
            sql.bind(self.name.clone()),
            sql.bind(Utc::now()),
        );
        let claimed = tx
            .execute_raw(sql.statement(backend, &text))
            .await?
            .rows_affected()
            == 1;
        if claimed {
            Ok(Some(tx))
        } else {
            tx.rollback().await?;
            Ok(None)
        }
    }

    /// Delivers and runs jobs until the process ends: the outbox every two seconds, the jobs
    /// every minute. A failure is logged and tried again, never the end of the loop.
    pub async fn run(self) {
        let mut last_jobs: Option<std::time::Instant> = None;
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "outbox: delivery pass failed");
            }
            if last_jobs.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                last_jobs = Some(std::time::Instant::now());
                if let Err(e) = self.run_jobs(Utc::now()).await {
                    tracing::warn!(error = %e, "scheduled jobs failed");
                }
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }
}

/// Notes the outcome of `job`: run, not this worker's to run, or failed (logged: one job's
/// failure does not keep the others from running). A job whose claim rolled back with its
/// work is tried again the next minute; the daily steps, claimed first, the next day (what
/// they did not tell is still untold then).
fn note(job: &'static str, outcome: AppResult<bool>, ran: &mut Vec<&'static str>) {
    match outcome {
        Ok(true) => ran.push(job),
        Ok(false) => {}
        Err(e) => tracing::warn!(job, error = %e, "scheduled job failed"),
    }
}

/// Tells the members of every announced meeting on `day` that it is tomorrow.
async fn remind_tomorrow(
    app: &App,
    tx: &DatabaseTransaction,
    day: chrono::NaiveDate,
) -> AppResult<()> {
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::MeetingDate.eq(day))
        .filter(meeting::Column::Status.eq(MeetingStatus::Published.code()))
        .order_by_asc(meeting::Column::Id)
        .all(tx)
        .await?;
    for m in &meetings {
        let label = lookup::kind_label_of(app, m).await?;
        meeting_event(app, tx, m, NoticeKind::MeetingTomorrow, label).await?;
    }
    Ok(())
}

/// Tells each member of their open tasks due on `day`.
async fn tasks_due(app: &App, tx: &DatabaseTransaction, day: chrono::NaiveDate) -> AppResult<()> {
    let mut after = 0;
    loop {
        let page = meeting_task::Entity::find()
            .filter(meeting_task::Column::DueOn.eq(day))
            .filter(meeting_task::Column::Status.eq("open"))
            .filter(meeting_task::Column::Id.gt(after))
            .order_by_asc(meeting_task::Column::Id)
            .limit(PAGE)
            .all(tx)
            .await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.id;
        // The page's meetings and their cells' names, each read once.
        let meetings: HashMap<i64, i64> = crate::lookup::by_ids::<meeting::Entity, _>(
            tx,
            meeting::Column::Id,
            &page.iter().map(|t| t.meeting_id).collect::<Vec<_>>(),
        )
        .await?
        .into_iter()
        .map(|m| (m.id, m.unit_id))
        .collect();
        let cells =
            crate::lookup::unit_names(tx, &meetings.values().copied().collect::<Vec<_>>()).await?;
        for t in &page {
            let cell = meetings
                .get(&t.meeting_id)
                .and_then(|u| cells.get(u))
                .cloned()
                .unwrap_or_default();
            task_told(app, tx, t, &cell, true).await?;
        }
    }
}
