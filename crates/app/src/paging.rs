//! Keyset pages of lists in a date order, and of work lists whose order is first a state: what
//! needs doing first (overdue, open), then the newest (or the earliest due). The state is a
//! `CASE` the database computes (a rank, 0 first), so the order, the cursor and the page all
//! come from one query, however large the subtree: the database sorts and cuts, Rust reads one
//! page of ids and then their rows. `counts_by` gives a list's summary over all its pages.

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

use chibo_domain::cursor::{CURSOR_MESSAGE, Cursor};
use chibo_store::sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, IntoCondition, SimpleExpr};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, ModelTrait, PrimaryKeyToColumn,
    QueryFilter, QueryOrder, QuerySelect, Select, TryGetable, Value,
};

use crate::{AppError, AppResult};

/// Rows on a page when the caller does not say.
pub const PER_PAGE: u64 = 100;

/// The rows after cursor `c` in a list newest first by a day (`day`) and then the id (`id`):
/// older days, or the same day and a lower id. The cursor's key is the day of the last row
/// shown (`YYYY-MM-DD`).
pub(crate) fn older_than(
    c: &Cursor,
    day: impl ColumnTrait,
    id: impl ColumnTrait,
) -> AppResult<Condition> {
    let on = day_of(c)?;
    Ok(Condition::any()
        .add(day.lt(on))
        .add(Condition::all().add(day.eq(on)).add(id.lt(c.id))))
}

/// The rows after cursor `c` in a list oldest first by a day and then the id: later days, or
/// the same day and a higher id. The cursor's key is the day of the last row shown.
pub(crate) fn later_than(
    c: &Cursor,
    day: impl ColumnTrait,
    id: impl ColumnTrait,
) -> AppResult<Condition> {
    let on = day_of(c)?;
    Ok(Condition::any()
        .add(day.gt(on))
        .add(Condition::all().add(day.eq(on)).add(id.gt(c.id))))
}

/// The day a cursor of a list in a date order is keyed by.
fn day_of(c: &Cursor) -> AppResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&c.key, "%Y-%m-%d")
        .map_err(|_| AppError::invalid("after", format!("Tham số \"after\" {CURSOR_MESSAGE}")))
}

/// The order of a work list: `rank` ascending (a `CASE` over the row's state), then `then` (a
/// date, or the id itself) and the id, both newest first unless `oldest_first`.
pub struct Ranked<C> {
    pub rank: SimpleExpr,
    pub then: C,
    pub newest_first: bool,
}

impl<C: ColumnTrait> Ranked<C> {
    /// One rank for all: the list is in `then` order.
    pub fn by(then: C) -> Self {
        Self::first_met(vec![], then)
    }

    /// Ranks by the first condition a row meets (its position), the rest last.
    pub fn first_met(conditions: Vec<Condition>, then: C) -> Self {
        // Literal ranks, not parameters: PostgreSQL would type a CASE of parameters as text.
        let literal = |i: usize| Expr::cust(i.to_string());
        let last = literal(conditions.len());
        let mut rank: Option<CaseStatement> = None;
        for (i, c) in conditions.into_iter().enumerate() {
            rank = Some(match rank {
                None => Expr::case(c.into_condition(), literal(i)),
                Some(r) => r.case(c.into_condition(), literal(i)),
            });
        }
        Self {
            rank: match rank {
                Some(r) => r.finally(last).into(),
                None => last,
            },
            then,
            newest_first: true,
        }
    }

    /// Within a rank, the earliest `then` first (a deadline, a plan).
    pub fn oldest_first(self) -> Self {
        Self {
            newest_first: false,
            ..self
        }
    }
}

/// One page of rows in a ranked order, and the cursor of the next page.
pub struct RankedPage<M> {
    pub rows: Vec<M>,
    pub next: Option<String>,
}

/// The `per_page` rows of `select` after `after` in the `order`. `T` is the type of
/// `order.then`; the cursor keeps the last row's rank and `then` as `rank|then`.
pub async fn ranked_page<E, T>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    order: Ranked<E::Column>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<RankedPage<E::Model>>
where
    E: EntityTrait,
    E::PrimaryKey: PrimaryKeyToColumn<Column = E::Column>,
    T: TryGetable + Into<Value> + Display + FromStr + Clone,
{
    let id = E::PrimaryKey::iter()
        .next()
        .expect("an entity has a primary key")
        .into_column();
    let per_page = per_page.clamp(1, 500);
    let mut q = select;
    if let Some(c) = after {
        let (rank, then) = read_key::<T>(&c.key)?;
        let past = |col: E::Column, v: Value| {
            if order.newest_first {
                col.lt(v)
            } else {
                col.gt(v)
            }
        };
        q = q.filter(
            Condition::any()
                .add(Expr::expr(order.rank.clone()).gt(rank))
                .add(
                    Condition::all()
                        .add(Expr::expr(order.rank.clone()).eq(rank))
                        .add(
                            Condition::any()
                                .add(past(order.then, then.clone().into()))
                                .add(
                                    Condition::all()
                                        .add(order.then.eq(then))
                                        .add(past(id, c.id.into())),
                                ),
                        ),
                ),
        );
    }
    let direction = if order.newest_first {
        chibo_store::sea_orm::Order::Desc
    } else {
        chibo_store::sea_orm::Order::Asc
    };
    let mut q = q
        .select_only()
        .column_as(order.rank.clone(), "rank")
        .column_as(order.then, "then")
        .column_as(id, "row_id");
    // A lone literal rank is left out of the order: `ORDER BY 0` would name a column.
    if matches!(order.rank, Expr::Case(_)) {
        q = q.order_by(order.rank, chibo_store::sea_orm::Order::Asc);
    }
    let mut keys: Vec<(i32, T, i64)> = q
        .order_by(order.then, direction.clone())
        .order_by(id, direction)
        .limit(per_page + 1)
        .into_tuple()
        .all(db)
        .await?;
    let next = crate::lookup::cut_page(&mut keys, per_page, |(rank, then, id)| {
        Cursor::new(format!("{rank}|{then}"), *id).encode()
    });
    let ids: Vec<i64> = keys.iter().map(|k| k.2).collect();
    let mut rows = crate::lookup::by_ids::<E, _>(db, id, &ids).await?;
    // The rows come back in id order; the page's order is the keys'.
    let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(p, i)| (*i, p)).collect();
    rows.sort_by_key(|m| match m.get(id) {
        Value::BigInt(Some(i)) => position.get(&i).copied(),
        _ => None,
    });
    Ok(RankedPage { rows, next })
}

fn read_key<T: FromStr>(key: &str) -> AppResult<(i32, T)> {
    let bad = || AppError::invalid("after", format!("Tham số \"after\" {CURSOR_MESSAGE}"));
    let (rank, then) = key.split_once('|').ok_or_else(bad)?;
    Ok((
        rank.parse().map_err(|_| bad())?,
        then.parse().map_err(|_| bad())?,
    ))
}

/// How many rows of `select` have each value of `column` (a status), counted by the database:
/// a list's summary covers all its pages.
pub async fn counts_by<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    column: E::Column,
) -> AppResult<HashMap<String, u64>> {
    let rows: Vec<(String, i64)> = select
        .select_only()
        .column(column)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(k, n)| (k, u64::try_from(n).unwrap_or(0)))
        .collect())
}
