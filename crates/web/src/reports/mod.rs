//! A unit's board: the indicators of domain.md §7 over its subtree and a period, held against
//! a programme's targets, and the programmes themselves. The pages (`page`, `programme_page`)
//! and the API (`api`) call the same use cases (`chibo_app::reports::indicators`,
//! `chibo_app::programmes::{programme, uptake}`); the review reports of a programme
//! (`review_api`, `review_page`) are written from the same figures.

pub mod api;
mod chart;
pub mod page;
pub mod programme_page;
pub mod review_api;
pub mod review_page;
