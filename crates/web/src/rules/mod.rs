//! Rule sets: the meeting rules (`api`, `page`) and the members' rules (`member_api`,
//! `member_page`). The pages and the API call the same use cases.

pub mod api;
mod form;
pub mod member_api;
pub mod member_page;
pub mod page;
