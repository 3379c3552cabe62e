//! The outbox: messages waiting to go by email or SMS, claimed by workers, and what became of
//! each attempt. A worker claims a batch by marking it `sending` under its name until a lease
//! runs out; on PostgreSQL the claim skips rows another worker holds (`FOR UPDATE SKIP
//! LOCKED`), so several servers share the outbox and no message is handed to two of them. A
//! worker that dies mid-delivery leaves its batch to be claimed again when the lease ends.
//! Administrators see the outbox and send a failed message again.

use chibo_domain::cursor::Cursor;
use chibo_domain::notify::{self, DeliveryStatus, MAX_ATTEMPTS};
use chibo_store::entities::{outbox, outbox_attempt};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use chibo_store::sql::Sql;
use chibo_store::write_tx;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Admin;
use crate::{App, AppError, AppResult, audit};

/// How long a claimed batch stays a worker's by default (`ReachConfig::lease_seconds`): longer
/// than delivering the whole batch may take (`super::worker::BATCH` messages, each cut off
/// after `super::channels::TIMEOUT`, twice over), short enough that a dead worker's batch goes
/// out soon.
pub const LEASE_SECONDS: i64 = 600;

/// A message claimed for delivery.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Claimed {
    pub id: i64,
    pub channel: String,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}

/// Claims up to `n` messages due now for `worker`.
pub async fn claim(app: &App, worker: &str, n: u64) -> AppResult<Vec<Claimed>> {
    let backend = app.db.get_database_backend();
    let now = Utc::now();
    let mut sql = Sql::default();
    let skip = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let text = format!(
        "UPDATE outbox SET status = {sending}, claimed_by = {worker}, claimed_until = {until}, \
           attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox \
           WHERE (status = {queued} AND next_attempt_at <= {now}) \
              OR (status = {sending} AND claimed_until < {now}) \
           ORDER BY id LIMIT {n} {skip}) \
         RETURNING id, channel, address, subject, body, attempts",
        sending = sql.bind(DeliveryStatus::Sending.code()),
        worker = sql.bind(worker.to_string()),
        until = sql.bind(now + Duration::seconds(app.config.reach.lease_seconds.max(1))),
        queued = sql.bind(DeliveryStatus::Queued.code()),
        now = sql.bind(now),
        n = n.clamp(1, 500),
    );
    let tx = write_tx(&app.db).await?;
    let rows = Claimed::find_by_statement(sql.statement(backend, &text))
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

/// Records the outcome of delivering `m` (`Err` with the reason when it failed): sent, tried
/// again later with a growing pause, or failed after [`MAX_ATTEMPTS`]. Only while `worker`
/// still holds it: a message whose lease ran out and went to another worker is theirs.
pub async fn finish(
    app: &App,
    worker: &str,
    m: &Claimed,
    outcome: Result<(), String>,
) -> AppResult<()> {
    let now = Utc::now();
    let tx = write_tx(&app.db).await?;
    let mut update = outbox::Entity::update_many()
        .filter(outbox::Column::Id.eq(m.id))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .filter(outbox::Column::Status.eq(DeliveryStatus::Sending.code()))
        .col_expr(outbox::Column::ClaimedBy, Option::<String>::None.into())
        .col_expr(
            outbox::Column::ClaimedUntil,
            Option::<DateTime<Utc>>::None.into(),
        );
    update = match &outcome {
        Ok(()) => update
            .col_expr(outbox::Column::Status, DeliveryStatus::Sent.code().into())
            .col_expr(outbox::Column::SentAt, Some(now).into())
            .col_expr(outbox::Column::LastError, Option::<String>::None.into()),
        Err(e) => {
            let (status, next) = if m.attempts >= MAX_ATTEMPTS {
                (DeliveryStatus::Failed, now)
            } else {
                (
                    DeliveryStatus::Queued,
                    now + Duration::seconds(notify::backoff_seconds(m.attempts)),
                )
            };
            update
                .col_expr(outbox::Column::Status, status.code().into())
                .col_expr(outbox::Column::NextAttemptAt, next.into())
                .col_expr(outbox::Column::LastError, Some(e.clone()).into())
        }
    };
    let held = update.exec(&tx).await?.rows_affected == 1;
    if !held {
        // Its lease ran out and another worker took it: theirs to record.
        tracing::warn!(
            outbox = m.id,
            worker,
            "a message's lease ran out before its outcome"
        );
    }
    outbox_attempt::ActiveModel {
        outbox_id: Set(m.id),
        at: Set(now),
        worker: Set(worker.chars().take(64).collect()),
        ok: Set(outcome.is_ok() && held),
        error: Set(match (outcome, held) {
            (Err(e), _) => Some(e),
            (Ok(()), false) => {
                Some("gửi được nhưng đã quá hạn giữ tin (tin đã chuyển cho bộ gửi khác)".into())
            }
            (Ok(()), true) => None,
        }),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A message as the administrator's list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    /// `chibo_domain::notify::NoticeKind`'s code, and its label.
    pub kind: String,
    pub kind_label: String,
    /// `email` or `sms`.
    pub channel: String,
    pub address: String,
    pub subject: String,
    /// `queued`, `sending`, `sent`, `failed`; and its label.
    pub status: String,
    pub status_label: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
}

/// A page of the outbox, newest first, and how many messages are in each state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxView>,
    pub next: Option<String>,
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
}

/// The outbox, newest first, `per_page` after `after`, of status `status` when given.
pub async fn list(
    app: &App,
    _admin: &Admin<'_>,
    status: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<OutboxPage> {
    let per_page = per_page.clamp(1, 200);
    let mut q = outbox::Entity::find();
    if let Some(s) = status {
        let s = DeliveryStatus::from_code(s).ok_or_else(|| {
            AppError::invalid(
                "status",
                "Trạng thái phải là: đang chờ gửi, đang gửi, đã gửi hoặc gửi không được.",
            )
        })?;
        q = q.filter(outbox::Column::Status.eq(s.code()));
    }
    if let Some(c) = after {
        q = q.filter(outbox::Column::Id.lt(c.id));
    }
    let mut rows = q
        .order_by_desc(outbox::Column::Id)
        .limit(per_page + 1)
        .all(&app.db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |m| {
        Cursor::new(String::new(), m.id).encode()
    });
    let ids: Vec<i64> = rows.iter().map(|m| m.member_id).collect();
    let names = crate::lookup::member_names(&app.db, &ids).await?;
    // Every state counted in one pass.
    let counts: std::collections::HashMap<String, i64> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Status)
        .column_as(outbox::Column::Id.count(), "n")
        .group_by(outbox::Column::Status)
        .into_tuple::<(String, i64)>()
        .all(&app.db)
        .await?
        .into_iter()
        .collect();
    let count = |s: DeliveryStatus| counts.get(s.code()).copied().unwrap_or(0).max(0) as u64;
    Ok(OutboxPage {
        items: rows
            .into_iter()
            .map(|m| OutboxView {
                member_name: names.get(&m.member_id).cloned().unwrap_or_default(),
                kind_label: notify::NoticeKind::from_code(&m.kind)
                    .map(|k| k.label().to_string())
                    .unwrap_or_else(|| m.kind.clone()),
                status_label: DeliveryStatus::from_code(&m.status)
                    .map(|k| k.label().to_string())
                    .unwrap_or_else(|| m.status.clone()),
                id: m.id,
                member_id: m.member_id,
                kind: m.kind,
                channel: m.channel,
                address: m.address,
                subject: m.subject,
                status: m.status,
                attempts: m.attempts,
                last_error: m.last_error,
                created_at: m.created_at,
                sent_at: m.sent_at,
                next_attempt_at: m.next_attempt_at,
            })
            .collect(),
        next,
        queued: count(DeliveryStatus::Queued),
        sent: count(DeliveryStatus::Sent),
        failed: count(DeliveryStatus::Failed),
    })
}

/// Sends a failed message again: queued now, with its attempts counted afresh (those made
/// stay in its log).
pub async fn retry(app: &App, admin: &Admin<'_>, id: i64) -> AppResult<()> {
    let tx = write_tx(&app.db).await?;
    let m = outbox::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.status != DeliveryStatus::Failed.code() {
        return Err(AppError::invalid(
            "status",
            "Chỉ gửi lại được tin đã gửi không được.",
        ));
    }
    let before = m.clone();
    let mut am: outbox::ActiveModel = m.into();
    am.status = Set(DeliveryStatus::Queued.code().into());
    am.attempts = Set(0);
    am.next_attempt_at = Set(Utc::now());
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(&**admin),
        "outbox.retry",
        "outbox",
        Some(id),
        Some(&before.status),
        Some(&after.status),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How long delivered messages and their attempts are kept.
pub const KEEP_SENT_DAYS: i64 = 180;

/// Forgets the messages delivered more than [`KEEP_SENT_DAYS`] ago, with their attempts (the
/// failed ones stay until an administrator sends them again); answers how many.
pub async fn purge_sent(app: &App) -> AppResult<u64> {
    let cutoff = Utc::now() - Duration::days(KEEP_SENT_DAYS);
    let backend = app.db.get_database_backend();
    let tx = write_tx(&app.db).await?;
    let mut sql = Sql::default();
    let old = format!(
        "SELECT id FROM outbox WHERE status = {} AND sent_at < {}",
        sql.bind(DeliveryStatus::Sent.code()),
        sql.bind(cutoff)
    );
    let text = format!("DELETE FROM outbox_attempts WHERE outbox_id IN ({old})");
    tx.execute_raw(sql.statement(backend, &text)).await?;
    let gone = outbox::Entity::delete_many()
        .filter(outbox::Column::Status.eq(DeliveryStatus::Sent.code()))
        .filter(outbox::Column::SentAt.lt(cutoff))
        .exec(&tx)
        .await?
        .rows_affected;
    tx.commit().await?;
    Ok(gone)
}
