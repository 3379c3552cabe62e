//! Signing in, one's own account and tokens, and the administrator's accounts page. The pages (`page`, `admin_page`) and the API (`api`) call the same use cases.

pub mod admin_page;
pub mod api;
pub mod member_access;
pub mod member_page;
pub mod page;
pub mod second_factor;
