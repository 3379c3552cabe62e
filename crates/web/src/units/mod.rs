//! The organisation tree and a unit's page, with the changes to the tree. The pages (`page`) and the API (`api`) call the same use cases.

pub mod api;
pub mod page;
