//! A meeting's life: scheduled (`Planned`), announced to the cell (`Published`), `Held` once its
//! attendance is taken, or `Cancelled` when its cell is dissolved or merged before it was held.
//! Which user may move a meeting on is the app's concern; which moves exist is decided here.

use crate::org::labelled_enum;

labelled_enum!(
    /// Where a meeting is in its life; stored as its code in `meetings.status`.
    MeetingStatus {
        Planned = "planned", "Dự kiến";
        Published = "published", "Đã thông báo";
        Held = "held", "Đã họp";
        Cancelled = "cancelled", "Đã hủy";
    }
);

impl MeetingStatus {
    /// The statuses a meeting in this one may move to. Attendance may be taken on a meeting
    /// that was never announced (the secretary recorded it afterwards), so `Planned` can become
    /// `Held` directly; nothing leaves `Held` or `Cancelled`.
    pub fn next_steps(self) -> &'static [MeetingStatus] {
        use MeetingStatus::*;
        match self {
            Planned => &[Published, Held, Cancelled],
            Published => &[Held, Cancelled],
            Held | Cancelled => &[],
        }
    }

    pub fn may_become(self, next: MeetingStatus) -> bool {
        self.next_steps().contains(&next)
    }

    /// Members of the cell and its follower see the meeting (officers see every meeting).
    pub fn announced(self) -> bool {
        self != MeetingStatus::Planned
    }

    /// The cell's members and its follower see a meeting in this status: once announced, or
    /// held (recorded afterwards); a cancelled one only if it had been announced
    /// (`was_published`), so cancelling a draft does not show it to them.
    pub fn seen_by_attendees(self, was_published: bool) -> bool {
        match self {
            MeetingStatus::Planned => false,
            MeetingStatus::Cancelled => was_published,
            MeetingStatus::Published | MeetingStatus::Held => true,
        }
    }

    /// Announced and not cancelled: members check in to it and see it among what is coming.
    pub fn takes_place(self) -> bool {
        matches!(self, MeetingStatus::Published | MeetingStatus::Held)
    }

    /// Not held yet and not cancelled: a dissolution cancels these.
    pub fn pending(self) -> bool {
        matches!(self, MeetingStatus::Planned | MeetingStatus::Published)
    }

    /// Codes of the pending statuses, for a query's `IN` list.
    pub fn pending_codes() -> Vec<&'static str> {
        Self::codes_where(Self::pending)
    }
}

#[cfg(test)]
mod tests {
    use super::MeetingStatus::{self, *};
    use proptest::prelude::*;

    fn status() -> impl Strategy<Value = MeetingStatus> {
        prop::sample::select(MeetingStatus::ALL)
    }

    proptest! {
        #[test]
        fn codes_round_trip(s in status()) {
            prop_assert_eq!(MeetingStatus::from_code(s.code()), Some(s));
        }

        #[test]
        fn attendees_see_what_was_announced(s in status(), published in any::<bool>()) {
            // An announced meeting stays seen; a cancelled draft never was announced to them.
            prop_assert_eq!(s.seen_by_attendees(true), s.announced());
            prop_assert!(!s.seen_by_attendees(published) || s.announced());
            prop_assert_eq!(s == Cancelled && !s.seen_by_attendees(false), s == Cancelled);
        }

        /// No status moves to itself, and a status with somewhere to go is pending.
        #[test]
        fn moves_lead_elsewhere(s in status()) {
            prop_assert!(!s.may_become(s));
            prop_assert_eq!(s.pending(), !s.next_steps().is_empty());
            prop_assert_eq!(s.takes_place(), s.announced() && s != Cancelled);
        }

        /// Any walk of allowed moves ends in `Held` or `Cancelled` within two moves, and
        /// once announced a meeting stays announced.
        #[test]
        fn walks_end_and_stay_announced(picks in prop::collection::vec(0usize..3, 0..6)) {
            let mut s = Planned;
            let mut moves = 0;
            for p in picks {
                let next = s.next_steps();
                if next.is_empty() {
                    break;
                }
                let t = next[p % next.len()];
                prop_assert!(!s.announced() || t.announced());
                s = t;
                moves += 1;
            }
            prop_assert!(moves <= 2);
            prop_assert!(s.pending() || matches!(s, Held | Cancelled));
        }
    }

    #[test]
    fn held_and_cancelled_are_final() {
        assert!(Held.next_steps().is_empty());
        assert!(Cancelled.next_steps().is_empty());
        assert_eq!(MeetingStatus::pending_codes(), vec!["planned", "published"]);
    }
}
