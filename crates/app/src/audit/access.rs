//! Who saw and who took away what. Opening a member's record and every export are written to
//! the log like changes, in a transaction of their own before the data is handed over (no
//! entry, no data); an administrator lists who saw or exported one member's data, and exports
//! everything recorded about them.

use chibo_store::entities::{audit, member};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use chibo_store::write_tx;
use serde::Serialize;

use super::{AuditLog, entries_of, record};
use crate::access::Admin;
use crate::{Actor, App, AppError, AppResult};

/// Writes that `actor` opened the record `entity` `id` (`member.read`).
pub async fn record_read(app: &App, actor: &Actor, entity: &str, id: i64) -> AppResult<()> {
    let tx = write_tx(&app.db).await?;
    record(
        &tx,
        Some(actor),
        &format!("{entity}.read"),
        entity,
        Some(id),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes that `actor` exported `what` (`export.members`, `export.minutes`, …) of the record
/// `entity` `id`, with what the file held.
pub async fn record_export<D: Serialize>(
    app: &App,
    actor: &Actor,
    what: &str,
    entity: &str,
    id: i64,
    detail: &D,
) -> AppResult<()> {
    let tx = write_tx(&app.db).await?;
    record(
        &tx,
        Some(actor),
        &format!("export.{what}"),
        entity,
        Some(id),
        None::<&()>,
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The paths of a unit and every unit above it (`/1/5/23/` → `/1/`, `/1/5/`, `/1/5/23/`).
fn ancestor_paths(path: &str) -> Vec<String> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    (1..=parts.len())
        .map(|n| format!("/{}/", parts[..n].join("/")))
        .collect()
}

/// Who opened, exported or changed the member's record, and every export of a unit the member
/// belongs to now (or of one above it): newest first, `limit` (at most 500) older than
/// `before`. Administrators only.
pub async fn about_member(
    app: &App,
    _admin: &Admin<'_>,
    member_id: i64,
    before: Option<i64>,
    limit: u64,
) -> AppResult<AuditLog> {
    let m = member::Entity::find_by_id(member_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let limit = limit.clamp(1, 500);
    let own = Condition::all()
        .add(audit::Column::Entity.eq("member"))
        .add(audit::Column::EntityId.eq(member_id));
    let exports = Condition::all()
        .add(audit::Column::Action.starts_with("export."))
        .add(audit::Column::UnitPath.is_in(ancestor_paths(&m.unit_path)));
    let mut q = audit::Entity::find()
        .filter(Condition::any().add(own).add(exports))
        .order_by_desc(audit::Column::Id);
    if let Some(before) = before {
        q = q.filter(audit::Column::Id.lt(before));
    }
    let mut rows = q.limit(limit + 1).all(&app.db).await?;
    let next = crate::lookup::cut_page(&mut rows, limit, |r| r.id);
    Ok(AuditLog {
        items: entries_of(app, rows).await?,
        next,
    })
}

/// Everything recorded about one member: each table's rows naming them (secrets kept back).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberDossier {
    pub member_id: i64,
    pub full_name: String,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    /// Table name → its rows naming the member, each an object of its columns.
    #[schema(value_type = Object)]
    pub tables: serde_json::Map<String, serde_json::Value>,
}

/// Everything recorded about the member, for an administrator answering the member's request;
/// the export is written to the log first (`member.export`). Administrators only.
pub async fn member_dossier(
    app: &App,
    admin: &Admin<'_>,
    member_id: i64,
) -> AppResult<MemberDossier> {
    let m = member::Entity::find_by_id(member_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let tables = chibo_store::dossier::rows_naming(&app.db, member_id).await?;
    let rows: usize = tables.iter().map(|(_, r)| r.len()).sum();
    let actor: &Actor = admin;
    let tx = write_tx(&app.db).await?;
    record(
        &tx,
        Some(actor),
        "member.export",
        "member",
        Some(member_id),
        None::<&()>,
        Some(&serde_json::json!({ "tables": tables.len(), "rows": rows })),
    )
    .await?;
    tx.commit().await?;
    Ok(MemberDossier {
        member_id,
        full_name: m.full_name,
        exported_at: chrono::Utc::now(),
        tables: tables
            .into_iter()
            .map(|(t, rows)| (t, serde_json::Value::Array(rows)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_unit_and_those_above_it() {
        assert_eq!(
            super::ancestor_paths("/1/5/23/"),
            ["/1/", "/1/5/", "/1/5/23/"]
        );
        assert!(super::ancestor_paths("/").is_empty());
    }
}
