//! Reaching members where they are, not only on chibo's pages (issue 14): the calendar feeds a
//! member or a cell subscribes to and a meeting's `.ics` (`calendar`); the notices written in
//! the transaction of each change (`notify`), chibo's own list and each member's choices
//! (`inbox`), the outbox the worker delivers by email and SMS (`outbox`, `channels`,
//! `worker`), and who of a meeting's members was reached (`reached`).

pub mod calendar;
pub mod channels;
pub mod inbox;
pub mod notify;
pub mod outbox;
pub mod reached;
pub mod worker;
