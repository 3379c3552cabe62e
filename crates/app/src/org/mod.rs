//! The organisation tree: units, their versions over time, and the changes to the tree. `units`
//! and `tree` are the reads other contexts use; `edit` founds and renames units (`founding` writes new units, a batch at a time); `restructure`
//! moves, merges, splits and dissolves them, taking members and meetings along; `places` finds
//! the units a spreadsheet names; `tree_import` founds a whole organisation from one; `history`
//! pages through a unit's events.

pub mod cancellations;
pub mod edit;
pub mod founding;
pub mod history;
pub mod places;
pub mod restructure;
pub mod tree;
pub mod tree_import;
pub mod unit_page;
pub mod unit_targets;
pub mod units;
