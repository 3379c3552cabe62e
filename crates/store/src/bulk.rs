//! Writes of many existing rows in one statement, for imports and other changes a list at a
//! time: `UPDATE … FROM (VALUES …)` sets the named columns of each row by its id, so a file
//! that changes 10,000 members costs 25 statements rather than 10,000.

use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn,
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
