//! Party members: their records, status over time, positions, badges and discipline, the
//! annual classification, and imports and exports of member lists. `members` is the read other
//! contexts use.

pub mod badges;
pub mod badges_due;
pub mod classification;
pub mod dues;
pub mod dues_import;
pub mod import;
pub mod member_edit;
pub mod member_events;
pub mod members;
pub mod party_gaps;
pub mod positions;
