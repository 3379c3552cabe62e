//! Listing the members of a large subtree in Vietnamese name order on SQLite.
//!
//! A member list tests the path (the subtree) and orders by `sort_key`. SQLite keeps no
//! statistics on how many members a path range holds, so it always reads the subtree through
//! the path index and sorts it: right for a commune's few thousand, but for a province it
//! sorted 240,000 members for each page of 50 (200 ms; 650 ms at row 10,000). Read in name
//! order instead, it walks the name index (`sort_key, id, unit_path, status`, migration
//! `MemberNameOrderIndex`), tests the path and status from the index itself and stops at the
//! page. [`name_order_for`] counts the subtree's members through the path index, up to a
//! threshold ([`LARGE`] unless the application's configuration says otherwise), and past it
//! answers [`NameOrder::Walk`]: the list then writes its tests so that
//! SQLite cannot serve them from another index (`(unit_path || '') LIKE …`,
//! `(members.id + 0) IN (…)`). PostgreSQL keeps statistics and chooses by itself.

use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

use crate::entities::member;
use crate::path_prefix;

/// Members of a subtree above which SQLite reads them in name order: a page among 10,000 is
/// found by sorting them in a few milliseconds, and past that share of a province the name
/// index reaches a page's rows after reading a few thousand entries.
pub const LARGE: u64 = 10_000;

/// How a list of members in name order is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    /// Find the rows through the indexes of their tests, then sort them.
    Sort,
    /// Walk the name index and test each row: the tests are written so that no other index
    /// serves them.
    Walk,
}

impl NameOrder {
    /// `column LIKE 'prefix%'`, or `(column || '') LIKE 'prefix%'` (the same rows) to walk.
    pub fn within(self, column: impl ColumnTrait, prefix: &str) -> SimpleExpr {
        match self {
            NameOrder::Sort => column.like(path_prefix(prefix)),
            // The same text, but no index serves an expression (on either backend). The names
            // are the entity's own, quoted.
            NameOrder::Walk => {
                let (table, column) = column.as_column_ref();
                Expr::cust(format!("(\"{table}\".\"{column}\" || '')")).like(path_prefix(prefix))
            }
        }
    }

    /// `members.id IN (ids)`, or `(members.id + 0) IN (ids)` (the same rows) to walk.
    pub fn member_in(self, ids: SelectStatement) -> SimpleExpr {
        let id = Expr::col((member::Entity, member::Column::Id));
        match self {
            NameOrder::Sort => id.in_subquery(ids),
            NameOrder::Walk => id.add(0).in_subquery(ids),
        }
    }
}

/// How to list the members `in_subtree` finds in name order: walking the name index on SQLite
/// when they number more than `large` ([`LARGE`] but in tests).
pub async fn name_order_for(
    db: &impl ConnectionTrait,
    in_subtree: Condition,
    large: u64,
) -> Result<NameOrder, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(NameOrder::Sort);
    }
    let counted = member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .filter(in_subtree)
        .limit(large + 1)
        .count(db)
        .await?;
    Ok(if counted > large {
        NameOrder::Walk
    } else {
        NameOrder::Sort
    })
}
