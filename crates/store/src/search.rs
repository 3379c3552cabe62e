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
//! of common ones at once: [`NameSearch`] gives both forms and the caller picks by the count.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, DbBackend};

use crate::entities::member;

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

    /// Members whose name contains the term, tested row by row: what to use for a page of a
    /// common name read in name order.
    pub fn scanned(&self) -> SimpleExpr {
        member::Column::SearchKey.like(crate::containing(&self.term))
    }
}
