//! Breakthrough tasks, training and inspections. The pages (`page`) and the API (`api`) call the same use cases.

pub mod api;
pub mod course_page;
pub mod page;
