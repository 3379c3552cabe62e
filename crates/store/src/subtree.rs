//! Reads over a subtree of the organisation. Every such read takes a [`Subtree`], and a
//! `Subtree` is made only from a proof that the caller may read it ([`ProvesSubtree`], which
//! the application's access module implements for its proofs of access): a query over a
//! subtree cannot be written from a bare path or unit, so it cannot be called without the
//! actor's scope having been checked.
//!
//! Each read filters in SQL on the materialized path (`/1/5/12/`): a prefix `LIKE` that the
//! path indexes serve, a subquery on it, or, for rows reached by another index, the path's
//! first characters compared with the root ([`Subtree::has_unit`]). None binds the subtree's
//! ids, however many there are (docs/performance.md lists the reads and their indexes).

use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityName, IdenStatic};

use crate::entities::{member, unit};
use crate::name_order::{NameOrder, name_order_for};
use crate::path_prefix;

/// A proof that the caller may read the subtree rooted at [`ProvesSubtree::proven_root`].
/// Implemented only by the application's proofs of access (each built from the actor's grants
/// after the check); `crates/app/tests/architecture.rs` fails if any other code implements it
/// or filters on a path by hand.
pub trait ProvesSubtree {
    /// The path of the subtree's root unit (`/1/5/`).
    fn proven_root(&self) -> &str;
}

/// The subtree under a unit the caller was proven to read.
#[derive(Debug, Clone, Copy)]
pub struct Subtree<'p> {
    root: &'p str,
}

impl<'p> Subtree<'p> {
    /// The subtree the proof is for.
    pub fn of(proof: &'p impl ProvesSubtree) -> Self {
        Subtree {
            root: proof.proven_root(),
        }
    }

    /// The path of the root unit.
    pub fn root(&self) -> &'p str {
        self.root
    }

    /// `column LIKE 'root%'`: the rows whose path column lies in the subtree.
    pub fn contains(&self, path_column: impl ColumnTrait) -> Condition {
        self.contains_with(path_column, NameOrder::Sort)
    }

    /// The same test as [`Self::contains`], written for a list read as `order` says.
    pub fn contains_with(&self, path_column: impl ColumnTrait, order: NameOrder) -> Condition {
        Condition::all().add(order.within(path_column, self.root))
    }

    /// How to list the subtree's members in name order: walking the name index on SQLite
    /// when they number more than `large` (`crate::name_order`).
    pub async fn name_order(
        &self,
        db: &impl ConnectionTrait,
        large: u64,
    ) -> Result<NameOrder, DbErr> {
        name_order_for(db, self.contains(member::Column::UnitPath), large).await
    }

    /// `column LIKE 'root%' AND column <> 'root'`: strictly below the root.
    pub fn strictly_below(&self, path_column: impl ColumnTrait + Copy) -> Condition {
        self.contains(path_column).add(path_column.ne(self.root))
    }

    /// `SELECT id FROM units WHERE path LIKE 'root%'`: the units of the subtree as a subquery.
    pub fn units(&self) -> SelectStatement {
        Query::select()
            .column(unit::Column::Id)
            .from(unit::Entity)
            .and_where(unit::Column::Path.like(path_prefix(self.root)))
            .to_owned()
    }

    /// The cells (base cells and cells under committees) of the subtree, as a subquery.
    pub fn cells(&self) -> SelectStatement {
        Query::select()
            .column(unit::Column::Id)
            .from(unit::Entity)
            .cond_where(self.has_cell())
            .to_owned()
    }

    /// `units` rows that are cells of the subtree, for a statement that joins `units`.
    pub fn has_cell(&self) -> Condition {
        Condition::all()
            .add(unit::Column::Path.like(path_prefix(self.root)))
            .add(unit::Column::Kind.is_in(["base_cell", "cell"]))
    }

    /// Rows whose `member_column` names a member of the subtree, as a correlated `EXISTS`: each
    /// row looks its member up by primary key, where `IN (members of the subtree)` would first
    /// collect every member id of the subtree (240,000 at a province) for a table whose rows
    /// are few (exemption requests).
    pub fn has_member(&self, member_column: impl IntoColumnRef) -> Condition {
        Condition::all().add(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(member::Entity)
                .and_where(Expr::col((member::Entity, member::Column::Id)).equals(member_column))
                .and_where(member::Column::UnitPath.like(path_prefix(self.root)))
                .to_owned(),
        ))
    }

    /// Rows whose `unit_column` names a unit of the subtree, as a correlated `EXISTS` that looks
    /// the unit up by primary key: for a statement that reaches its few rows by another index
    /// (one member's places on a roll). It compares the path's first characters with the root
    /// rather than `LIKE`: SQLite plans a statement whose `LIKE` pattern is bound again at each
    /// run (the pattern decides which index may serve it), a tenth of a check-in's database time.
    pub fn has_unit(&self, unit_column: impl IntoColumnRef) -> Condition {
        let (table, column) = (unit::Entity.table_name(), unit::Column::Path.as_str());
        // The length is written into the statement, not bound: PostgreSQL's `substr` takes an
        // integer where a bound number is a bigint. Paths are ASCII, so bytes are characters.
        let starts_with_root = Expr::cust(format!(
            "substr(\"{table}\".\"{column}\", 1, {})",
            self.root.len()
        ))
        .eq(self.root);
        Condition::all().add(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(unit::Entity)
                .and_where(Expr::col((unit::Entity, unit::Column::Id)).equals(unit_column))
                .and_where(starts_with_root)
                .to_owned(),
        ))
    }
}
