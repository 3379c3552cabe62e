//! Reaching members where they are, not only on chibo's pages (issue 14): the calendar feeds a
//! member or a cell subscribes to and a meeting's `.ics` (`calendar`); chibo's own list of
//! notices and each member's choices (`inbox`), the outbox the worker delivers by email and SMS
//! (`outbox`, `channels`, `worker`, with the scheduled jobs, among them the daily steps due and
//! overdue, `steps`), and who of a meeting's members was
//! reached (`reached`). The notices themselves are written by `crate::notify`, in the
//! transaction of each change.

pub mod calendar;
pub mod channels;
pub mod inbox;
pub mod outbox;
pub mod reached;
pub mod steps;
pub mod worker;
