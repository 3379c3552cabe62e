//! Transfers of party activity, and the holidays their deadlines skip. The pages (`page`) and the API (`api`) call the same use cases.

pub mod api;
pub mod page;
