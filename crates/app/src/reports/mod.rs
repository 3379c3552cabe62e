//! Reports over a unit's subtree and a period: the figures the seed articles publish ("trên
//! 90%", "75% chi bộ được kiểm tra"). Today it owns the reporting period that the programmes'
//! lists share; the indicators of domain.md §7 come here with the programmes issue, each a query
//! by path prefix with its arithmetic in the domain crate. A report reads the tables and
//! `org::units`, never another context's use cases, so any context may use its period without
//! an import cycle.

pub mod indicators;
pub mod period;
pub mod warnings;

pub use period::Period;
