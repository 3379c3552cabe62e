//! Multi-row inserts in chunks that fit both backends' limits on bound parameters (SQLite 32,766,
//! PostgreSQL 65,535), with ids chosen by the generator so rows can name each other without a
//! round trip; the sequences are moved past them at the end.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Iterable, Statement,
};

/// Parameters one statement binds at most.
const MAX_PARAMS: usize = 30_000;

/// Rows of one table waiting to be written.
pub struct Batch<A: ActiveModelTrait> {
    rows: Vec<A>,
}

impl<A: ActiveModelTrait + Send> Batch<A> {
    pub fn new() -> Self {
        Self { rows: Vec::new() }
    }

    fn per_statement() -> usize {
        let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
        (MAX_PARAMS / columns).max(1)
    }

    /// Adds a row; nothing is written until [`Batch::flush`], so the caller decides the order
    /// in which tables reach the database (parents before the rows that name them).
    pub fn push(&mut self, row: A) {
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Writes what is waiting, in statements that stay within the parameter limit.
    pub async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let per = Self::per_statement();
        let mut rows = std::mem::take(&mut self.rows).into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<A> = rows.by_ref().take(per).collect();
            <A::Entity as EntityTrait>::insert_many(chunk)
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }
}

impl<A: ActiveModelTrait + Send> Default for Batch<A> {
    fn default() -> Self {
        Self::new()
    }
}

/// The transaction a bulk load writes in: on PostgreSQL its foreign-key checks keep their plans
/// (`chibo_store::bulk::reuse_key_check_plans`, as an import's do); planned again for every
/// row, they were 85 % of the time the province's load spent in PostgreSQL.
pub async fn load_tx(db: &chibo_store::Db) -> Result<chibo_store::WriteTx, DbErr> {
    let tx = chibo_store::write_tx(db).await?;
    chibo_store::bulk::reuse_key_check_plans(&tx).await?;
    Ok(tx)
}

/// After rows were written with explicit ids, moves PostgreSQL's sequence of each table past the
/// largest id (SQLite follows the largest rowid by itself).
pub async fn advance_sequences(db: &impl ConnectionTrait, tables: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for t in tables {
        db.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
            ),
        ))
        .await?;
    }
    Ok(())
}
