//! Cell meetings: lists, the meeting page, preparation, attendance, the record and its documents. The pages (`page`, `prep_page`) and the API (`api`, `prep_api`) call the same use cases.

pub mod api;
pub mod page;
mod phases;
mod plan_page;
pub mod prep_api;
pub mod prep_page;
mod show;
mod tasks_page;
