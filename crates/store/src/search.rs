//! Finding members by a part of their name, without diacritics, at the size of a province.
//!
//! A name search is an infix match on `members.search_key` ("van hung" anywhere in the name),
//! which no B-tree serves: over 240,000 members a `LIKE '%…%'` reads every row. Each backend
//! gets a trigram index (migration `MemberNameSearch`):
//! - SQLite: the FTS5 table `member_names` (trigram tokenizer, external content on `members`,
//!   kept by triggers), asked with a quoted phrase, which matches a substring;
//! - PostgreSQL: a `pg_trgm` GIN index on `members.search_key`, which serves the `LIKE` itself.
//!
//! A trigram index finds few matches fast but many slowly (a common family name matches a
//! tenth of a province), while reading the members in name order and testing each finds a page
//! of common ones at once: [`NameSearch::is_common`] tells which, by counting the term's
//! matches among all members through the index, up to a cap.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use crate::entities::member;

/// Matches among all members above which a term is common: a page of them is found sooner by
/// reading in name order (about one row in 50 matches) than through the index.
const COMMON: u64 = 5_000;

/// The FTS5 table of member names on SQLite.
pub const MEMBER_NAMES: &str = "member_names";

/// A search of member names by `term`, a search key (`chibo_domain::text::search_key`).
pub struct NameSearch {
    backend: DbBackend,
    term: String,
}

impl NameSearch {
    pub fn new(backend: DbBackend, term: &str) -> Self {
        Self {
            backend,
            term: term.to_string(),
        }
    }

    /// Members whose name contains the term, through the trigram index: what to use when the
    /// matches are few. A term under three characters has no trigram and is scanned.
    pub fn indexed(&self) -> SimpleExpr {
        if self.backend != DbBackend::Sqlite || self.term.chars().count() < 3 {
            return self.scanned();
        }
        // A quoted FTS5 string is matched as a substring by the trigram tokenizer; a quote
        // inside it is written twice.
        let phrase = format!("\"{}\"", self.term.replace('"', "\"\""));
        member::Column::Id.in_subquery(
            Query::select()
                .expr(Expr::col(Alias::new("rowid")))
                .from(Alias::new(MEMBER_NAMES))
                .and_where(Expr::col(Alias::new(MEMBER_NAMES)).binary(
                    sea_orm::sea_query::BinOper::Custom("MATCH"),
                    Expr::val(phrase),
                ))
                .to_owned(),
        )
    }

    /// Whether the term matches more than `cap` members in all (the index stops counting
    /// there): a common name is better found by [`Self::scanned`], a rare one by
    /// [`Self::indexed`]. Always false where there is no index to ask (PostgreSQL's planner
    /// chooses by itself, and a short term is scanned anyway).
    pub async fn is_common(&self, db: &impl ConnectionTrait, cap: u64) -> Result<bool, DbErr> {
        if self.backend != DbBackend::Sqlite || self.term.chars().count() < 3 {
            return Ok(false);
        }
        let matches = member::Entity::find()
            .select_only()
            .column(member::Column::Id)
            .filter(self.indexed())
            .limit(cap + 1)
            .count(db)
            .await?;
        Ok(matches > cap)
    }

    /// The condition to find the term's members by: through the index when they are few, row
    /// by row in name order when they are many.
    pub async fn condition(&self, db: &impl ConnectionTrait) -> Result<SimpleExpr, DbErr> {
        Ok(if self.is_common(db, COMMON).await? {
            self.scanned()
        } else {
            self.indexed()
        })
    }

    /// Members whose name contains the term, tested row by row: what to use for a page of a
    /// common name read in name order.
    pub fn scanned(&self) -> SimpleExpr {
        member::Column::SearchKey.like(crate::containing(&self.term))
    }
}
