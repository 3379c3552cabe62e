//! Everything a handler reads from a request, checked as it is read: who is asking (`session`),
//! path ids (`path`), query strings (`query`), and bodies (`form`). A bad value is answered 422
//! (or 404 for an id) in Vietnamese, as JSON under /api and as a page elsewhere.

pub mod form;
pub mod path;
pub mod query;
pub mod session;
