//! The audit log's hash chain: each entry carries the hash of the entry before it in the chain
//! and its own hash over its fields and that one, so an entry changed, removed or slipped in
//! behind chibo's back breaks the chain from there on.
//!
//! Entries are written without their hashes, in the change's transaction, and [`seal`] chains
//! them a moment later in the order it finds them committed (`chain_seq`), under the head's
//! lock (`audit_chain`, one row: the last sealed entry's place and hash). Chaining at write time
//! would have every audited transaction wait for the head while holding its own row locks, and
//! on PostgreSQL two check-ins to one meeting then deadlocked on the meeting's figures. `serve`
//! and `worker` seal every two seconds, and `chibo verify` seals before it checks; an entry is
//! open to a quiet change only until then.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use sha2::{Digest, Sha256};

use crate::entities::audit;
use crate::sql::Sql;

/// The hash the first entry points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The instant an entry is written at, to the microsecond both databases keep.
pub fn entry_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// The hash of an entry (all its fields but its id and hash) chained to `prev_hash`. Each field
/// is written with its length, so no two entries' fields run together the same way.
pub fn entry_hash(prev_hash: &str, e: &audit::Model) -> String {
    let mut h = Sha256::new();
    let mut field = |s: Option<&str>| match s {
        None => h.update(b"-;"),
        Some(s) => {
            h.update(format!("{}:", s.len()).as_bytes());
            h.update(s.as_bytes());
            h.update(b";");
        }
    };
    let at = entry_time(e.at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let user = e.user_id.map(|u| u.to_string());
    let entity_id = e.entity_id.map(|u| u.to_string());
    field(Some("chibo-audit-1"));
    field(Some(prev_hash));
    field(Some(&at));
    field(user.as_deref());
    field(Some(&e.action));
    field(Some(&e.entity));
    field(entity_id.as_deref());
    field(e.before.as_deref());
    field(e.after.as_deref());
    field(e.unit_path.as_deref());
    hex::encode(h.finalize())
}

/// Chains the entries not yet sealed, five hundred at a time in id order, each after the last
/// sealed one; answers how many. Each batch is read and hashed before the writer's turn is
/// taken, so the turn is held only for its writes (check-ins queued behind a seal wait
/// milliseconds, not the time to read five hundred entries); the head read again under its
/// lock says whether another sealer (the worker, `chibo verify`) moved it meanwhile, and then
/// the batch is read again.
pub async fn seal(db: &crate::Db) -> Result<u64, DbErr> {
    let mut sealed = 0u64;
    loop {
        let (seq, prev) = head(db, false).await?;
        let batch = audit::Entity::find()
            .filter(audit::Column::ChainSeq.is_null())
            .order_by_asc(audit::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(sealed);
        }
        let (mut last_seq, mut last_hash) = (seq, prev);
        let mut chained = Vec::with_capacity(batch.len());
        for e in &batch {
            last_seq += 1;
            let hash = entry_hash(&last_hash, e);
            chained.push((
                e.id,
                last_seq,
                std::mem::replace(&mut last_hash, hash.clone()),
                hash,
            ));
        }
        let tx = crate::write_tx(db).await?;
        if head(&*tx, true).await?.0 != seq {
            // Moved by another sealer since it was read: what was read may be sealed already.
            tx.rollback().await?;
            continue;
        }
        // A statement per 250 entries, not one per entry: the batch holds SQLite's one writer
        // (and check-ins wait behind it) for milliseconds rather than a tenth of a second.
        for rows in chained.chunks(250) {
            let mut sql = Sql::default();
            let values: Vec<String> = rows
                .iter()
                .map(|(id, seq, prev, hash)| {
                    format!(
                        "({}, {}, {}, {})",
                        sql.bind(*id),
                        sql.bind(*seq),
                        sql.bind(prev.clone()),
                        sql.bind(hash.clone())
                    )
                })
                .collect();
            let text = format!(
                "WITH v (id, seq, prev, hash) AS (VALUES {}) \
                 UPDATE audit_log SET chain_seq = v.seq, prev_hash = v.prev, hash = v.hash \
                 FROM v WHERE audit_log.id = v.id",
                values.join(", ")
            );
            tx.execute_raw(sql.statement(tx.get_database_backend(), &text))
                .await?;
        }
        let q = Query::update()
            .table("audit_chain")
            .value("last_seq", last_seq)
            .value("last_hash", last_hash)
            .and_where(Expr::col("id").eq(1))
            .to_owned();
        tx.execute_raw(tx.get_database_backend().build(&q)).await?;
        tx.commit().await?;
        sealed += chained.len() as u64;
    }
}

/// The chain's head: the last sealed entry's place and hash. `locked`: inside a write
/// transaction, held until it ends (PostgreSQL; SQLite's writer is alone already).
async fn head(db: &impl ConnectionTrait, locked: bool) -> Result<(i64, String), DbErr> {
    let mut q = Query::select();
    q.columns(["last_seq", "last_hash"])
        .from("audit_chain")
        .and_where(Expr::col("id").eq(1));
    if locked && db.get_database_backend() == DbBackend::Postgres {
        q.lock_exclusive();
    }
    let row = db
        .query_one_raw(db.get_database_backend().build(&q))
        .await?
        .ok_or_else(|| DbErr::Custom("audit_chain has no head".into()))?;
    Ok((row.try_get("", "last_seq")?, row.try_get("", "last_hash")?))
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first entry that does not hold; for entries cut off at the end, the last one left.
    pub id: i64,
    pub reason: BreakReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakReason {
    /// Its fields do not give its hash: it was changed.
    Changed,
    /// It does not point back to the entry before it: one was removed or slipped in.
    Unlinked,
    /// The head names a later place than the last entry: entries at the end were removed.
    HeadMismatch,
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    /// Entries sealed in the chain.
    pub entries: u64,
    pub first_break: Option<Break>,
}

/// Walks the sealed entries in chain order, a thousand at a time, and names the first entry that
/// breaks the chain.
pub async fn check<C: ConnectionTrait>(conn: &C) -> Result<ChainCheck, DbErr> {
    let mut prev = GENESIS.to_string();
    let mut seq = 0i64;
    let mut entries = 0u64;
    let mut last_id = 0i64;
    loop {
        let page = audit::Entity::find()
            .filter(audit::Column::ChainSeq.gt(seq))
            .order_by_asc(audit::Column::ChainSeq)
            .limit(500)
            .all(conn)
            .await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            entries += 1;
            let broken = |reason| {
                Ok(ChainCheck {
                    entries,
                    first_break: Some(Break { id: e.id, reason }),
                })
            };
            // A place skipped, or a link to another hash: an entry before it was removed or
            // slipped in.
            if e.chain_seq != Some(seq + 1) || e.prev_hash.as_deref() != Some(prev.as_str()) {
                return broken(BreakReason::Unlinked);
            }
            let hash = entry_hash(&prev, e);
            if e.hash.as_deref() != Some(hash.as_str()) {
                return broken(BreakReason::Changed);
            }
            prev = hash;
            seq += 1;
            last_id = e.id;
        }
    }
    let head = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT last_seq, last_hash FROM audit_chain WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("audit_chain has no head".into()))?;
    let head_seq: i64 = head.try_get("", "last_seq")?;
    let head_hash: String = head.try_get("", "last_hash")?;
    let first_break = (head_seq != seq || head_hash != prev).then_some(Break {
        id: last_id,
        reason: BreakReason::HeadMismatch,
    });
    Ok(ChainCheck {
        entries,
        first_break,
    })
}
