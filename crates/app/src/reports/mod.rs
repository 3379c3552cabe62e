//! Reports over a unit's subtree and a period: the figures the seed articles publish ("trên
//! 90%", "75% chi bộ được kiểm tra"). It owns the reporting period the programmes' lists share,
//! the indicators of domain.md §7 (`indicators`: whole, by child, by month) and the early
//! warnings (`warnings`), counted by `chibo_store::indicators` with the tree as it was and with
//! their arithmetic in `chibo_domain::indicators`. A report reads the tables (the meetings
//! through `meeting_stats`) and `org::units`, never another context's use cases, so any context
//! may use its period without an import cycle.

pub mod indicators;
pub mod period;
pub mod warnings;

pub use period::Period;
