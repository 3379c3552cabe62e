//! Migrations of the trust work (issue 15): sessions that end when left idle, and the second
//! factor of administrators and board officers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::c;

/// `sessions.idle_until`: a session ends when left unused this long, however long it may last
/// at most (`expires_at`); each use moves it on. `sessions.needs_code`: the password was right
/// and the account's second factor is still to be given; such a session reaches nothing but the
/// code's form. `users.totp_secret`: the shared secret of the account's authenticator app
/// (base32), when it has one; `users.totp_last_step`: the last 30-second step whose code was
/// accepted, so a code is taken once.
pub(super) struct SessionsAndSecondFactor;

impl MigrationName for SessionsAndSecondFactor {
    fn name(&self) -> &str {
        "m20261211_000050_sessions_second_factor"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SessionsAndSecondFactor {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column a statement.
        let add = |table: &str, column: ColumnDef| {
            Table::alter().table(c(table)).add_column(column).to_owned()
        };
        m.alter_table(add(
            "sessions",
            timestamp_with_time_zone_null(c("idle_until")).to_owned(),
        ))
        .await?;
        m.alter_table(add(
            "sessions",
            boolean(c("needs_code")).default(false).to_owned(),
        ))
        .await?;
        m.alter_table(add(
            "users",
            string_len_null(c("totp_secret"), 64).to_owned(),
        ))
        .await?;
        m.alter_table(add(
            "users",
            big_integer_null(c("totp_last_step")).to_owned(),
        ))
        .await?;
        // Sessions open when this runs may stay unused until they would have ended anyway.
        m.get_connection()
            .execute_unprepared("UPDATE sessions SET idle_until = expires_at")
            .await?;
        Ok(())
    }
}

/// The audit log's hash chain (`crate::audit_chain`): each entry's `prev_hash` and `hash`, and
/// the head in `audit_chain` (one row). Entries written before are chained here, in id order.
pub(super) struct AuditChain;

impl MigrationName for AuditChain {
    fn name(&self) -> &str {
        "m20261211_000051_audit_chain"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AuditChain {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use sea_orm::{
            ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
        };

        use crate::audit_chain::{GENESIS, entry_hash, set_head};
        use crate::entities::audit;
        for column in ["prev_hash", "hash"] {
            m.alter_table(
                Table::alter()
                    .table(c("audit_log"))
                    .add_column(string_len_null(c(column), 64))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(c("audit_chain"))
                .col(integer(c("id")).primary_key())
                .col(big_integer(c("last_id")))
                .col(string_len(c("last_hash"), 64))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let head = Query::insert()
            .into_table(c("audit_chain"))
            .columns([c("id"), c("last_id"), c("last_hash")])
            .values_panic([1.into(), 0i64.into(), GENESIS.into()])
            .to_owned();
        db.execute_raw(db.get_database_backend().build(&head))
            .await?;
        let (mut prev, mut after, mut last) = (GENESIS.to_string(), 0i64, 0i64);
        loop {
            let page = audit::Entity::find()
                .filter(audit::Column::Id.gt(after))
                .order_by_asc(audit::Column::Id)
                .limit(1000)
                .all(db)
                .await?;
            let Some(end) = page.last() else { break };
            after = end.id;
            for e in page {
                let hash = entry_hash(&prev, &e);
                last = e.id;
                let mut row: audit::ActiveModel = e.into();
                row.prev_hash = Set(Some(prev.clone()));
                row.hash = Set(Some(hash.clone()));
                row.update(db).await?;
                prev = hash;
            }
        }
        set_head(db, last, &prev).await
    }
}

/// `meeting_records.signed_hash`: the hash of minutes both signed (`crate::signed`); the minutes
/// signed before are sealed here as they stand.
pub(super) struct SignedMinutes;

impl MigrationName for SignedMinutes {
    fn name(&self) -> &str {
        "m20261211_000052_signed_minutes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SignedMinutes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("meeting_records"))
                .add_column(string_len_null(c("signed_hash"), 64))
                .to_owned(),
        )
        .await?;
        crate::signed::seal_signed_before(m.get_connection()).await
    }
}
