//! Writes of many rows in one statement, for imports and other changes a list at a time:
//! `UPDATE … FROM (VALUES …)` sets the named columns of each row by its id, so a file that
//! changes 10,000 members costs 25 statements rather than 10,000; new rows are written whole
//! with ids drawn beforehand, so the rows that refer to them need not wait to read them back.

use sea_orm::sea_query::ColumnType;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    FromQueryResult, IdenStatic, IntoActiveModel, Iterable, ModelTrait, PrimaryKeyToColumn,
    Statement,
};

use crate::sql::Sql;

/// Rows written per statement: parameters stay far under SQLite's 32,766 and PostgreSQL's
/// 65,535 for any table's columns.
const ROWS_PER_STATEMENT: usize = 400;

/// Sets `columns` of every row of `rows` (matched by primary key) to the values the models
/// carry. Answers the number of rows written. Nothing is written for an empty list.
pub async fn update_columns<E>(
    db: &impl ConnectionTrait,
    rows: &[E::Model],
    columns: &[E::Column],
) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::PrimaryKey: PrimaryKeyToColumn<Column = E::Column>,
{
    let id = E::PrimaryKey::iter()
        .next()
        .expect("an entity has a primary key")
        .into_column();
    let table = E::default().table_name().to_string();
    let name = |c: &E::Column| c.as_str().to_string();
    // `VALUES` names its columns column1, column2, … on both backends; the id is column1.
    let set = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = v.column{}", name(c), i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let mut written = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::default();
        let values = chunk
            .iter()
            .map(|m| {
                let cells = std::iter::once(&id)
                    .chain(columns)
                    .map(|c| sql.bind(ModelTrait::get(m, *c)))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("({cells})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            "UPDATE {table} SET {set} FROM (VALUES {values}) AS v WHERE {table}.{} = v.column1",
            name(&id)
        );
        written += db
            .execute_raw(sql.statement(db.get_database_backend(), &text))
            .await?
            .rows_affected();
    }
    Ok(written)
}

/// For the rest of write transaction `tx`, which inserts many rows into tables with foreign
/// keys (an import, a batch of check-ins) and filters no path with `LIKE`: PostgreSQL checks
/// each key with a prepared plan run once a row, and the connections force a fresh plan on
/// every run (see [`crate::connect`] for why), so each check planned itself again, which
/// doubled what a row of an import cost. Nothing on SQLite.
pub async fn reuse_key_check_plans(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL plan_cache_mode = auto")
            .await?;
    }
    Ok(())
}

/// Ids for `n` new rows of `E`'s table, drawn inside the write transaction `db` that will
/// insert them: PostgreSQL takes them from the id's sequence (other writers draw others);
/// SQLite, which lets one transaction write at a time, counts on from the largest id.
pub async fn fresh_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    n: usize,
) -> Result<Vec<i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let table = E::default().table_name().to_string();
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        let sql = format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id \
             FROM generate_series(1, $1) AS n"
        );
        let ids = Id::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            [(n as i64).into()],
        ))
        .all(db)
        .await?;
        return Ok(ids.into_iter().map(|r| r.id).collect());
    }
    // Past the largest id ever given too (`AUTOINCREMENT` never gives a deleted row's id again,
    // and the audit log may still name it).
    let sql = format!(
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
         COALESCE((SELECT MAX(id) FROM {table}), 0)) AS id"
    );
    let largest = Id::find_by_statement(Statement::from_string(backend, sql))
        .one(db)
        .await?
        .map_or(0, |r| r.id);
    Ok((largest + 1..=largest + n as i64).collect())
}

/// Inserts whole rows, ids included (from [`fresh_ids`]). PostgreSQL reads each column as one
/// array parameter (`unnest($1::int8[], $2::text[], …)`): binding and planning a parameter per
/// cell, or parsing a JSON object per row, was most of what a row of an import cost there.
/// SQLite takes multi-row `VALUES`, a few hundred rows a statement.
pub async fn insert_models<E>(db: &impl ConnectionTrait, rows: &[E::Model]) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::Model: serde::Serialize + IntoActiveModel<E::ActiveModel>,
{
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        return db.execute_raw(unnest_insert::<E>(rows)?).await.map(|_| ());
    }
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let models = chunk
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model);
        E::insert_many(models).exec_without_returning(db).await?;
    }
    Ok(())
}

/// `INSERT INTO t (columns) SELECT * FROM unnest(…)` with each column's values as one array
/// literal (`{"a",NULL,…}`), cast to the column's type.
fn unnest_insert<E>(rows: &[E::Model]) -> Result<Statement, DbErr>
where
    E: EntityTrait,
    E::Model: serde::Serialize,
{
    let objects = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let (mut names, mut casts, mut arrays) = (Vec::new(), Vec::new(), Vec::new());
    for (i, column) in E::Column::iter().enumerate() {
        let name = column.as_str();
        let pg_type = pg_type(column.def().get_column_type())
            .ok_or_else(|| DbErr::Custom(format!("no array type for column {name}")))?;
        let json = matches!(pg_type, "json" | "jsonb");
        let mut array = String::from("{");
        for (n, object) in objects.iter().enumerate() {
            if n > 0 {
                array.push(',');
            }
            let value = object
                .get(name)
                .ok_or_else(|| DbErr::Custom(format!("a row has no value for column {name}")))?;
            push_element(&mut array, value, json);
        }
        array.push('}');
        names.push(name.to_string());
        casts.push(format!("${}::{pg_type}[]", i + 1));
        arrays.push(array.into());
    }
    let sql = format!(
        "INSERT INTO {} ({}) SELECT * FROM unnest({})",
        E::default().table_name(),
        names.join(", "),
        casts.join(", ")
    );
    Ok(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        arrays,
    ))
}

/// The PostgreSQL type a column's array is cast to (the kinds of column chibo's tables have).
fn pg_type(t: &ColumnType) -> Option<&'static str> {
    Some(match t {
        ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => "text",
        ColumnType::SmallInteger => "int2",
        ColumnType::Integer => "int4",
        ColumnType::BigInteger => "int8",
        ColumnType::Float => "float4",
        ColumnType::Double => "float8",
        ColumnType::Boolean => "bool",
        ColumnType::Date => "date",
        ColumnType::DateTime | ColumnType::Timestamp => "timestamp",
        ColumnType::TimestampWithTimeZone => "timestamptz",
        ColumnType::Json => "json",
        ColumnType::JsonBinary => "jsonb",
        _ => return None,
    })
}

/// Appends a value as an element of an array literal: `NULL`, or quoted with `"` and `\`
/// escaped (dates and instants arrive as the strings PostgreSQL reads back; a JSON column's
/// value is written as JSON, a string with its quotes).
fn push_element(array: &mut String, value: &serde_json::Value, json: bool) {
    let text = match value {
        serde_json::Value::Null => return array.push_str("NULL"),
        serde_json::Value::String(s) if !json => s.clone(),
        other => other.to_string(),
    };
    array.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            array.push('\\');
        }
        array.push(c);
    }
    array.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::unit;
    use crate::{testing, write_tx};
    use chrono::{NaiveDate, TimeZone, Utc};
    use sea_orm::QueryOrder;

    fn unit_row(id: i64, parent_id: Option<i64>, name: &str) -> unit::Model {
        let day = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        unit::Model {
            id,
            parent_id,
            path: format!("/{id}/"),
            depth: 1,
            name: name.to_string(),
            search_key: name.to_lowercase(),
            kind: "cell".into(),
            cell_type: None,
            established_on: day,
            dissolved_on: parent_id.map(|_| day),
            successor_id: None,
            created_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            follower_member_id: None,
            sort_key: String::new(),
        }
    }

    #[tokio::test]
    async fn whole_rows_go_in_as_written_on_both_backends() {
        let db = testing::fresh_db().await.unwrap();
        let tx = write_tx(&db).await.unwrap();
        let ids = fresh_ids::<unit::Entity>(&tx, 3).await.unwrap();
        assert_eq!(ids.len(), 3);
        // Quotes, backslashes, commas, braces, the word NULL, an empty string, Vietnamese.
        let names = [r#"Chi bộ "A", {B} \ C"#, "NULL", ""];
        let rows: Vec<unit::Model> = ids
            .iter()
            .zip(names)
            .enumerate()
            .map(|(i, (id, name))| unit_row(*id, (i > 0).then_some(ids[0]), name))
            .collect();
        insert_models::<unit::Entity>(&tx, &rows).await.unwrap();
        let more = fresh_ids::<unit::Entity>(&tx, 2).await.unwrap();
        assert!(more.iter().all(|id| !ids.contains(id)), "{ids:?} {more:?}");
        tx.commit().await.unwrap();
        let back = unit::Entity::find()
            .order_by_asc(unit::Column::Id)
            .all(&db)
            .await
            .unwrap();
        assert_eq!(back, rows);
        // The id of a row deleted since is not given again.
        unit::Entity::delete_by_id(ids[2]).exec(&db).await.unwrap();
        let tx = write_tx(&db).await.unwrap();
        let next = fresh_ids::<unit::Entity>(&tx, 1).await.unwrap();
        assert!(next[0] > ids[2], "{next:?} after {ids:?}");
    }

    #[test]
    fn array_elements_are_quoted_and_escaped() {
        let mut a = String::new();
        push_element(&mut a, &serde_json::json!(r#"a"b\c"#), false);
        a.push(',');
        push_element(&mut a, &serde_json::Value::Null, false);
        a.push(',');
        push_element(&mut a, &serde_json::json!(42), false);
        a.push(',');
        push_element(&mut a, &serde_json::json!("x"), true);
        assert_eq!(a, r#""a\"b\\c",NULL,"42","\"x\"""#);
    }
}
