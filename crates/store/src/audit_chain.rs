//! The audit log's hash chain: each entry carries the hash of the entry before it and its own
//! hash over its fields and that one, so an entry changed, removed or slipped in behind
//! chibo's back breaks the chain from there on. The head (`audit_chain`, one row) holds the
//! last entry's id and hash: a writer locks it, so entries are chained one after another
//! whatever the number of servers, and a last entry removed shows as a head that points past
//! the end.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use sha2::{Digest, Sha256};

use crate::entities::audit;

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

/// The last entry's hash, the head locked until `conn`'s transaction ends (on PostgreSQL; a
/// SQLite writer holds the whole database already).
pub async fn lock_head<C: ConnectionTrait>(conn: &C) -> Result<String, DbErr> {
    let mut q = Query::select();
    q.column("last_hash")
        .from("audit_chain")
        .and_where(Expr::col("id").eq(1));
    if conn.get_database_backend() == DbBackend::Postgres {
        q.lock_exclusive();
    }
    let row = conn
        .query_one_raw(conn.get_database_backend().build(&q))
        .await?
        .ok_or_else(|| DbErr::Custom("audit_chain has no head".into()))?;
    row.try_get("", "last_hash")
}

/// Moves the head to the entry just written.
pub async fn set_head<C: ConnectionTrait>(conn: &C, id: i64, hash: &str) -> Result<(), DbErr> {
    let q = Query::update()
        .table("audit_chain")
        .value("last_id", id)
        .value("last_hash", hash)
        .and_where(Expr::col("id").eq(1))
        .to_owned();
    conn.execute_raw(conn.get_database_backend().build(&q))
        .await?;
    Ok(())
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first entry that does not hold (or, for a missing last entry, the head's).
    pub id: i64,
    pub reason: BreakReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakReason {
    /// Its fields do not give its hash: it was changed.
    Changed,
    /// It does not point back to the entry before it: one was removed or slipped in.
    Unlinked,
    /// The head names an entry that is not the last one: entries at the end were removed.
    HeadMismatch,
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    pub entries: u64,
    pub first_break: Option<Break>,
}

/// Walks the whole log in id order, a thousand entries at a time, and names the first entry
/// that breaks the chain.
pub async fn check<C: ConnectionTrait>(conn: &C) -> Result<ChainCheck, DbErr> {
    let mut prev = GENESIS.to_string();
    let mut after = 0i64;
    let mut entries = 0u64;
    let mut last_id = 0i64;
    loop {
        let page = audit::Entity::find()
            .filter(audit::Column::Id.gt(after))
            .order_by_asc(audit::Column::Id)
            .limit(1000)
            .all(conn)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in &page {
            entries += 1;
            let broken = |reason| {
                Ok(ChainCheck {
                    entries,
                    first_break: Some(Break { id: e.id, reason }),
                })
            };
            if e.prev_hash.as_deref() != Some(prev.as_str()) {
                return broken(BreakReason::Unlinked);
            }
            let hash = entry_hash(&prev, e);
            if e.hash.as_deref() != Some(hash.as_str()) {
                return broken(BreakReason::Changed);
            }
            prev = hash;
            last_id = e.id;
        }
    }
    let head = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT last_id, last_hash FROM audit_chain WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("audit_chain has no head".into()))?;
    let head_id: i64 = head.try_get("", "last_id")?;
    let head_hash: String = head.try_get("", "last_hash")?;
    let first_break = (head_id != last_id || head_hash != prev).then_some(Break {
        id: head_id,
        reason: BreakReason::HeadMismatch,
    });
    Ok(ChainCheck {
        entries,
        first_break,
    })
}
