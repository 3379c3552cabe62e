//! The audit log: who changed what, when, before and after, written in the change's transaction.

use chibo_store::entities::{audit, user};
use chibo_store::sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::access::Admin;
use crate::{Actor, AppResult};

/// Writes one audit row on `conn`, which must be the transaction that makes the change.
pub async fn record<C: ConnectionTrait, B: Serialize, A: Serialize>(
    conn: &C,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    audit::ActiveModel {
        at: Set(chrono::Utc::now()),
        user_id: Set(actor.map(|a| a.user_id().get())),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        before: Set(before.map(|b| serde_json::to_string(b).unwrap_or_default())),
        after: Set(after.map(|a| serde_json::to_string(a).unwrap_or_default())),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditLog {
    pub items: Vec<AuditEntry>,
    /// Pass as `before` for the older entries; absent on the last page.
    pub next: Option<i64>,
}

/// The newest entries first, `limit` of them (at most 500) older than `before` when given:
/// a keyset page on the id, as cheap at the millionth entry as at the first. Administrators
/// only.
pub async fn list(
    app: &crate::App,
    _admin: &Admin<'_>,
    limit: u64,
    before: Option<i64>,
) -> AppResult<AuditLog> {
    use chibo_store::sea_orm::{ColumnTrait, QueryFilter};
    let limit = limit.clamp(1, 500);
    let mut q = audit::Entity::find().order_by_desc(audit::Column::Id);
    if let Some(before) = before {
        q = q.filter(audit::Column::Id.lt(before));
    }
    // One row more than the page says whether there is a next one.
    let mut rows = q.limit(limit + 1).all(&app.db).await?;
    let next = crate::lookup::cut_page(&mut rows, limit, |r| r.id);
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.user_id).collect();
    let users: std::collections::HashMap<i64, String> =
        crate::lookup::by_ids::<user::Entity, _>(&app.db, user::Column::Id, &ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect();
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            username: r.user_id.and_then(|id| users.get(&id).cloned()),
            user_id: r.user_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: parse(r.before),
            after: parse(r.after),
        })
        .collect();
    Ok(AuditLog { items, next })
}
