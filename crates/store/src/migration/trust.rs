//! Migrations of the trust work (issue 15): sessions that end when left idle, and the second
//! factor of administrators and board officers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{c, index};

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

/// The audit log's hash chain (`crate::audit_chain`): each entry's place in the chain, the hash
/// of the one before and its own, and the head in `audit_chain` (one row). Entries written before
/// are chained by the first seal, in id order.
pub(super) struct AuditChain;

impl MigrationName for AuditChain {
    fn name(&self) -> &str {
        "m20261211_000051_audit_chain"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AuditChain {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(c("audit_log"))
                .add_column(big_integer_null(c("chain_seq")))
                .to_owned(),
        )
        .await?;
        for column in ["prev_hash", "hash"] {
            m.alter_table(
                Table::alter()
                    .table(c("audit_log"))
                    .add_column(string_len_null(c(column), 64))
                    .to_owned(),
            )
            .await?;
        }
        // The walk in chain order, and the seal's search for entries not yet in the chain.
        m.create_index(index("audit_log", &["chain_seq"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(c("audit_chain"))
                .col(integer(c("id")).primary_key())
                .col(big_integer(c("last_seq")))
                .col(string_len(c("last_hash"), 64))
                .to_owned(),
        )
        .await?;
        let head = Query::insert()
            .into_table(c("audit_chain"))
            .columns([c("id"), c("last_seq"), c("last_hash")])
            .values_panic([1.into(), 0i64.into(), crate::audit_chain::GENESIS.into()])
            .to_owned();
        let db = m.get_connection();
        db.execute_raw(db.get_database_backend().build(&head))
            .await?;
        Ok(())
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
