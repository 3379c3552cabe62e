//! The audit log: who changed what, when, before and after, written in the change's transaction;
//! read back page by page, filtered by unit (with the units below it), account, kind of record
//! and days, in Vietnamese words (`labels`). Each entry is chained to the one before by its hash
//! (`chibo_store::audit_chain`, sealed by `integrity::keep_sealing`); `integrity` checks the
//! chain and the signed minutes.

mod access;
pub mod integrity;
mod labels;
mod place;

pub use access::{MemberDossier, about_member, member_dossier, record_export, record_read};

pub use labels::{ENTITIES, action_label, entity_label, known_action};

use chibo_store::audit_chain;
use chibo_store::entities::{audit, user};
use chibo_store::sea_orm::{
    ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, QueryOrder, QuerySelect,
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
    let unit_path = match entity_id {
        Some(id) => place::unit_path_of(conn, entity, id).await?,
        None => None,
    };
    let done = Done {
        user_id: actor.map(|a| a.user_id().get()),
        action,
        entity,
        entity_id,
        unit_path,
    };
    record_all(conn, vec![done.entry(before, after)]).await
}

/// What an entry says was done, by whom and where (`unit_path`, the path of the unit the record
/// lies in), for a writer that knows the place already and writes its entries together.
pub struct Done<'a> {
    pub user_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub unit_path: Option<String>,
}

impl Done<'_> {
    /// The entry to write, unsealed.
    pub fn entry<B: Serialize, A: Serialize>(
        self,
        before: Option<&B>,
        after: Option<&A>,
    ) -> audit::Model {
        audit::Model {
            id: 0,
            at: audit_chain::entry_time(chrono::Utc::now()),
            user_id: self.user_id,
            action: self.action.to_string(),
            entity: self.entity.to_string(),
            entity_id: self.entity_id,
            before: before.map(|b| serde_json::to_string(b).unwrap_or_default()),
            after: after.map(|a| serde_json::to_string(a).unwrap_or_default()),
            unit_path: self.unit_path,
            chain_seq: None,
            prev_hash: None,
            hash: None,
        }
    }
}

/// Writes `entries` on `conn` (the change's transaction) in one statement.
pub async fn record_all<C: ConnectionTrait>(conn: &C, entries: Vec<audit::Model>) -> AppResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    // Chained a moment later by `audit_chain::seal`, outside this transaction's locks.
    let rows = entries.into_iter().map(|e| {
        let mut row = e.into_active_model();
        row.id = NotSet;
        row
    });
    audit::Entity::insert_many(rows)
        .exec_without_returning(conn)
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
    /// The action in Vietnamese words ("Hủy buổi sinh hoạt").
    pub action_label: String,
    pub entity: String,
    /// The kind of record in Vietnamese words ("Buổi sinh hoạt").
    pub entity_label: String,
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

/// Which entries to list: by one account (its username), one kind of record (a code of
/// [`ENTITIES`]), and the days of Vietnam from `from` to `to` (`YYYY-MM-DD` or `DD/MM/YYYY`),
/// each optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The entries about a unit and every unit below it.
    pub unit_id: Option<i64>,
    pub username: Option<String>,
    pub entity: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The newest entries first, `limit` of them (at most 500) older than `before` when given, that
/// pass `filter`: a keyset page on the id (an account's and a kind's entries read by their
/// indexes), as cheap at the millionth entry as at the first. Administrators only.
pub async fn list(
    app: &crate::App,
    _admin: &Admin<'_>,
    limit: u64,
    before: Option<i64>,
    filter: &AuditFilter,
) -> AppResult<AuditLog> {
    use chibo_store::sea_orm::{ColumnTrait, QueryFilter};
    let limit = limit.clamp(1, 500);
    let mut e = chibo_domain::Invalid::new();
    let mut q = audit::Entity::find().order_by_desc(audit::Column::Id);
    if let Some(before) = before {
        q = q.filter(audit::Column::Id.lt(before));
    }
    if let Some(name) = filter
        .username
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match crate::lookup::user_id_by_username(&app.db, name).await? {
            Some(id) => q = q.filter(audit::Column::UserId.eq(id)),
            None => e.push("user", format!("Không có tài khoản «{name}».")),
        }
    }
    if let Some(unit_id) = filter.unit_id {
        match crate::org::units::find(&app.db, unit_id).await? {
            Some(u) => q = q.filter(audit::Column::UnitPath.starts_with(&u.path)),
            None => e.push("unit_id", "Không tìm thấy tổ chức đảng."),
        }
    }
    if let Some(kind) = filter.entity.as_deref().filter(|k| !k.is_empty()) {
        if ENTITIES.iter().any(|(c, _)| *c == kind) {
            q = q.filter(audit::Column::Entity.eq(kind));
        } else {
            e.push("entity", "Loại đối tượng không có trong danh sách.");
        }
    }
    let day = |e: &mut chibo_domain::Invalid, field: &str, label: &str, v: &Option<String>| {
        chibo_domain::validate::date_field(e, field, label, v.as_deref(), false)
    };
    let from = day(&mut e, "from", "từ ngày", &filter.from);
    let to = day(&mut e, "to", "đến ngày", &filter.to);
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        e.push("to", "Ngày kết thúc trước ngày bắt đầu.");
    }
    e.into_result()?;
    // The days are Vietnam's (UTC+7); the log keeps UTC.
    let start_of = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - chrono::Duration::hours(7)
    };
    if let Some(from) = from {
        q = q.filter(audit::Column::At.gte(start_of(from)));
    }
    if let Some(to) = to {
        q = q.filter(audit::Column::At.lt(start_of(to) + chrono::Duration::days(1)));
    }
    // One row more than the page says whether there is a next one.
    let mut rows = q.limit(limit + 1).all(&app.db).await?;
    let next = crate::lookup::cut_page(&mut rows, limit, |r| r.id);
    Ok(AuditLog {
        items: entries_of(app, rows).await?,
        next,
    })
}

/// Audit rows as shown: with their account's name and Vietnamese labels (the accounts of a page
/// read once).
async fn entries_of(app: &crate::App, rows: Vec<audit::Model>) -> AppResult<Vec<AuditEntry>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.user_id).collect();
    let users: std::collections::HashMap<i64, String> =
        crate::lookup::by_ids::<user::Entity, _>(&app.db, user::Column::Id, &ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect();
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            username: r.user_id.and_then(|id| users.get(&id).cloned()),
            user_id: r.user_id,
            action_label: action_label(&r.action, &r.entity),
            entity_label: entity_label(&r.entity).to_string(),
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: parse(r.before),
            after: parse(r.after),
        })
        .collect())
}
