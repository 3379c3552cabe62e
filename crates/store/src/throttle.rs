//! The login throttle's counter: one row a key, counted and read in a single statement so that
//! parallel attempts cannot all see the same count (the old count-then-insert let 40 parallel
//! wrong passwords through a limit of 5).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};

use crate::entities::login_throttle::{Column, Entity};

/// Counts one attempt against `key` and returns how many its window now holds. A window older
/// than `window_opens_after` starts again at this attempt.
pub async fn count_attempt(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
    window_opens_after: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let stale = Expr::col((Entity, Column::WindowStart)).lt(window_opens_after);
    let stmt = Query::insert()
        .into_table(Entity)
        .columns([Column::Key, Column::Attempts, Column::WindowStart])
        .values_panic([key.into(), 1.into(), now.into()])
        .on_conflict(
            OnConflict::column(Column::Key)
                .value(
                    Column::Attempts,
                    Expr::case(stale.clone(), 1)
                        .finally(Expr::col((Entity, Column::Attempts)).add(1)),
                )
                .value(
                    Column::WindowStart,
                    Expr::case(stale, now).finally(Expr::col((Entity, Column::WindowStart))),
                )
                .to_owned(),
        )
        .returning_col(Column::Attempts)
        .to_owned();
    let row = db
        .query_one(&stmt)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("login_throttles".into()))?;
    Ok(i64::from(row.try_get::<i32>("", "attempts")?))
}

/// Takes back one counted attempt of `key` (a correct password is not a failure).
pub async fn forgive_attempt(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(Entity)
        .value(Column::Attempts, Expr::col(Column::Attempts).sub(1))
        .and_where(Expr::col(Column::Key).eq(key))
        .and_where(Expr::col(Column::Attempts).gt(0))
        .to_owned();
    db.execute(&stmt).await?;
    Ok(())
}

/// Clears `key`'s window (after a successful login the account starts afresh).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    let stmt = Query::delete()
        .from_table(Entity)
        .and_where(Expr::col(Column::Key).eq(key))
        .to_owned();
    db.execute(&stmt).await?;
    Ok(())
}

/// Removes windows that opened before `before`.
pub async fn purge(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(), DbErr> {
    let stmt = Query::delete()
        .from_table(Entity)
        .and_where(Expr::col(Column::WindowStart).lt(before))
        .to_owned();
    db.execute(&stmt).await?;
    Ok(())
}
