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
