//! The organisation tree: units, their versions over time, and the changes to the tree. `units`
//! and `tree` are the reads other contexts use; `edit` founds and renames units; `restructure`
//! moves, merges, splits and dissolves them, taking members and meetings along.

pub mod cancellations;
pub mod edit;
pub mod restructure;
pub mod tree;
pub mod unit_page;
pub mod unit_targets;
pub mod units;
