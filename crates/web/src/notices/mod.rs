//! Notices: a member's list of what they were told and their choices of channels and kinds; who
//! of a meeting's members its notice reached, with invitations to print for the others; the
//! administrator's outbox. The pages (`page`) and the API (`api`) call the same use cases
//! (`chibo_app::reach`).

pub mod api;
pub mod page;
