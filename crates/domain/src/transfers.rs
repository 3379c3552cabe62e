//! Transfers of party activity (chuyển sinh hoạt đảng): how long a temporary transfer may last,
//! and the deadlines of a permanent one, counted in working days.

use chrono::NaiveDate;

use crate::calendar::Holidays;
use crate::member::add_months;
use crate::org::labelled_enum;
use crate::workflow::Party;

labelled_enum!(
    TransferKind {
        Temporary = "temporary", "Chuyển sinh hoạt tạm thời";
        Permanent = "permanent", "Chuyển sinh hoạt chính thức";
    }
);

labelled_enum!(
    TransferReason {
        Work = "work", "Thay đổi nơi làm việc";
        Residence = "residence", "Thay đổi nơi cư trú";
        Training = "training", "Đi học, đào tạo, bồi dưỡng";
    }
);

labelled_enum!(
    /// Where a transfer is.
    TransferStatus {
        Open = "open", "Đang thực hiện";
        Completed = "completed", "Đã hoàn tất";
        Cancelled = "cancelled", "Đã hủy";
    }
);

labelled_enum!(
    /// An action on a transfer.
    TransferAction {
        Apply = "apply", "Làm thủ tục chuyển sinh hoạt";
        Letter = "letter", "Cấp giấy giới thiệu sinh hoạt đảng";
        Receive = "receive", "Nơi đến tiếp nhận";
        Return = "return", "Trở về sinh hoạt ở chi bộ cũ";
        Cancel = "cancel", "Hủy việc chuyển sinh hoạt";
    }
);

/// What a transfer's record holds that decides its next actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferState {
    pub kind: TransferKind,
    pub status: TransferStatus,
    pub applied: bool,
    pub letter: bool,
    pub received: bool,
    /// The receiving cell is in chibo (otherwise the home cell records the receipt).
    pub destination_in_chibo: bool,
}

/// The actions the transfer offers now, each with who may take it. A permanent transfer is
/// applied for, given its letter, then received; a temporary one ends with the member's return;
/// either may be cancelled until it is received.
pub fn next_steps(s: TransferState) -> Vec<(TransferAction, Party)> {
    use TransferAction::*;
    let mut v = Vec::new();
    if s.status != TransferStatus::Open {
        return v;
    }
    match s.kind {
        TransferKind::Permanent => {
            if !s.applied {
                v.push((Apply, Party::Cell));
            } else if !s.letter {
                v.push((Letter, Party::Cell));
            } else if !s.received {
                let receiver = if s.destination_in_chibo {
                    Party::ReceivingCell
                } else {
                    Party::Cell
                };
                v.push((Receive, receiver));
            }
        }
        TransferKind::Temporary => v.push((Return, Party::Cell)),
    }
    if !s.received {
        v.push((Cancel, Party::Cell));
    }
    v
}

/// The limits; the defaults are those of the Party's current rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TransferRules {
    /// A temporary transfer lasts at least this many months…
    pub temp_min_months: u32,
    /// …and less than this many (work or residence)…
    pub temp_below_months: u32,
    /// …or at most this many for training.
    pub training_max_months: u32,
    /// A member who moves applies for a permanent transfer within this many working days.
    pub apply_within_working_days: u32,
    /// And presents the letter to the receiving organisation within this many.
    pub present_within_working_days: u32,
}

impl Default for TransferRules {
    fn default() -> Self {
        Self {
            temp_min_months: 3,
            temp_below_months: 12,
            training_max_months: 24,
            apply_within_working_days: 60,
            present_within_working_days: 30,
        }
    }
}

impl TransferRules {
    /// Checks the period of a temporary transfer; the error is the Vietnamese message.
    pub fn check_temporary(
        &self,
        reason: TransferReason,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(), String> {
        if to <= from {
            return Err("Ngày kết thúc phải sau ngày bắt đầu.".into());
        }
        if to < add_months(from, self.temp_min_months) {
            return Err(format!(
                "Chuyển sinh hoạt tạm thời từ {} tháng trở lên; ngắn hơn thì đảng viên vẫn sinh hoạt ở chi bộ.",
                self.temp_min_months
            ));
        }
        match reason {
            TransferReason::Training if to > add_months(from, self.training_max_months) => {
                Err(format!(
                    "Đi học, đào tạo chuyển sinh hoạt tạm thời tối đa {} tháng.",
                    self.training_max_months
                ))
            }
            TransferReason::Work | TransferReason::Residence
                if to >= add_months(from, self.temp_below_months) =>
            {
                Err(format!(
                    "Thay đổi nơi làm việc, cư trú từ {} tháng trở lên thì chuyển sinh hoạt chính thức.",
                    self.temp_below_months
                ))
            }
            _ => Ok(()),
        }
    }

    /// The last day to apply for a permanent transfer after moving on `moved_on`.
    pub fn apply_by(&self, moved_on: NaiveDate, h: &Holidays) -> NaiveDate {
        h.add_working_days(moved_on, self.apply_within_working_days)
    }

    /// The last day to present the letter issued on `letter_on`.
    pub fn present_by(&self, letter_on: NaiveDate, h: &Holidays) -> NaiveDate {
        h.add_working_days(letter_on, self.present_within_working_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn state() -> impl Strategy<Value = TransferState> {
        (
            prop::sample::select(TransferKind::ALL),
            prop::sample::select(TransferStatus::ALL),
            any::<[bool; 4]>(),
        )
            .prop_map(
                |(kind, status, [applied, letter, received, dest])| TransferState {
                    kind,
                    status,
                    applied,
                    letter: applied && letter,
                    received: applied && letter && received,
                    destination_in_chibo: dest,
                },
            )
    }

    proptest! {
        /// Closed transfers offer nothing; each action comes in its order; the receiving
        /// cell acts only on the receipt, and only when it is in chibo.
        #[test]
        fn actions_follow_the_state(s in state()) {
            let steps = next_steps(s);
            if s.status != TransferStatus::Open {
                prop_assert!(steps.is_empty());
            }
            for (action, party) in &steps {
                prop_assert_eq!(
                    *party == Party::ReceivingCell,
                    *action == TransferAction::Receive && s.destination_in_chibo
                );
                match action {
                    TransferAction::Apply => prop_assert!(!s.applied),
                    TransferAction::Letter => prop_assert!(s.applied && !s.letter),
                    TransferAction::Receive => prop_assert!(s.letter && !s.received),
                    TransferAction::Return => prop_assert_eq!(s.kind, TransferKind::Temporary),
                    TransferAction::Cancel => prop_assert!(!s.received),
                }
                if *action != TransferAction::Cancel && *action != TransferAction::Return {
                    prop_assert_eq!(s.kind, TransferKind::Permanent);
                }
            }
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn temporary_periods() {
        let r = TransferRules::default();
        let w = TransferReason::Work;
        assert!(r.check_temporary(w, d(2026, 1, 1), d(2026, 4, 1)).is_ok());
        assert!(r.check_temporary(w, d(2026, 1, 1), d(2026, 12, 31)).is_ok());
        assert!(
            r.check_temporary(w, d(2026, 1, 1), d(2027, 1, 1))
                .unwrap_err()
                .contains("chính thức")
        );
        assert!(
            r.check_temporary(w, d(2026, 1, 1), d(2026, 3, 31))
                .unwrap_err()
                .contains("3 tháng")
        );
        let t = TransferReason::Training;
        assert!(r.check_temporary(t, d(2026, 1, 1), d(2028, 1, 1)).is_ok());
        assert!(r.check_temporary(t, d(2026, 1, 1), d(2028, 1, 2)).is_err());
        assert!(r.check_temporary(t, d(2026, 1, 1), d(2026, 1, 1)).is_err());
    }

    #[test]
    fn deadlines_in_working_days() {
        let r = TransferRules::default();
        let h = Holidays::statutory();
        assert_eq!(r.apply_by(d(2026, 10, 1), &h), d(2026, 12, 24));
        // 30 working days from 1 April 2026 skip the Hùng Kings' day and 30/4–1/5.
        assert_eq!(r.present_by(d(2026, 4, 1), &h), d(2026, 5, 15));
    }
}
