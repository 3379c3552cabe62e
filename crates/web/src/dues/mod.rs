//! Party dues of a cell by month: the list, the month's entry and the import. The pages
//! (`page`) and the API (`api`) call the same use cases.

pub mod api;
pub mod page;
