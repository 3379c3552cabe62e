//! Cell meetings, from the plan of the year to the signed minutes. `lookup` finds a meeting and
//! its roll; `notice`, `sheet` and `held` (with `absences`) read what the page shows, `mine`
//! what a member sees of it; `detail` assembles the page and the lists. The write modules
//! (`schedule`, `preparation`, `uploads`, `attendance` with `check_in_batch`, `record`,
//! `approval`) import those reads and are never imported by them.

pub mod absences;
pub mod approval;
pub mod assign;
pub mod attendance;
pub mod away;
pub mod check_in_batch;
mod checks;
pub mod detail;
pub mod documents;
pub mod figures;
pub mod handouts;
pub mod held;
pub mod lines;
pub mod lookup;
pub mod mine;
pub mod notice;
pub mod plans;
pub mod preparation;
pub mod record;
pub mod schedule;
pub mod sheet;
pub mod signatures;
pub mod steps;
pub mod uploads;
