//! Every row that names one member, read from every table that has a column naming members
//! (`member_id`, `chair_member_id`, …), as JSON objects: what an administrator hands over when
//! a member asks for everything recorded about them. Secrets (password and token hashes, a
//! second factor's secret, a meeting's QR secret) and file contents stay out.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use crate::Db;
use crate::sql::Sql;

/// Columns never handed over, whatever their table.
const KEPT_BACK: &[&str] = &[
    "password_hash",
    "totp_secret",
    "token_hash",
    "checkin_code",
    "data",
    "prev_hash",
    "hash",
];

/// A table's columns, in order.
pub async fn columns(db: &Db, table: &str) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let mut sql = Sql::default();
    let name = sql.bind(table);
    let text = match backend {
        DbBackend::Sqlite => format!("SELECT name FROM pragma_table_info({name})"),
        _ => format!(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = {name} \
             ORDER BY ordinal_position"
        ),
    };
    db.query_all_raw(sql.statement(backend, &text))
        .await?
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect()
}

/// The rows of every table naming the member, table by table (tables without one left out),
/// each row a JSON object of its columns but the secrets. `members` gives the member's own row;
/// `audit_log` the entries about their record.
pub async fn rows_naming(
    db: &Db,
    member_id: i64,
) -> Result<Vec<(String, Vec<serde_json::Value>)>, DbErr> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for table in crate::backup::tables(db).await? {
        let cols = columns(db, &table).await?;
        let naming: Vec<String> = match table.as_str() {
            "members" => vec!["id".into()],
            "audit_log" => vec![],
            _ => cols
                .iter()
                .filter(|c| c.as_str() == "member_id" || c.ends_with("_member_id"))
                .cloned()
                .collect(),
        };
        let mut sql = Sql::default();
        let id = sql.bind(member_id);
        let condition = if table == "audit_log" {
            format!("entity = 'member' AND entity_id = {id}")
        } else if naming.is_empty() {
            continue;
        } else {
            naming
                .iter()
                .map(|c| format!("\"{c}\" = {id}"))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let pairs = cols
            .iter()
            .filter(|c| !KEPT_BACK.contains(&c.as_str()))
            .map(|c| format!("'{c}', \"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let object = match backend {
            DbBackend::Sqlite => format!("json_object({pairs})"),
            _ => format!("json_build_object({pairs})::text"),
        };
        let order = if cols.iter().any(|c| c == "id") {
            " ORDER BY \"id\""
        } else {
            ""
        };
        let text = format!("SELECT {object} FROM \"{table}\" WHERE {condition}{order}");
        let rows: Vec<serde_json::Value> = db
            .query_all_raw(sql.statement(backend, &text))
            .await?
            .into_iter()
            .map(|r| {
                let json: String = r.try_get_by_index(0)?;
                serde_json::from_str(&json).map_err(|e| DbErr::Custom(e.to_string()))
            })
            .collect::<Result<_, DbErr>>()?;
        if !rows.is_empty() {
            out.push((table, rows));
        }
    }
    Ok(out)
}
