//! A unit's board: the indicators of domain.md §7 over its subtree and a period. The page
//! (`page`) and the API (`api`) call the same use case, `chibo_app::reports::indicators`.

pub mod api;
pub mod page;
