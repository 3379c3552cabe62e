//! Reaching members where they are, not only on chibo's pages (issue 14): the calendar feeds a
//! member or a cell subscribes to, and a meeting's `.ics`.

pub mod calendar;
