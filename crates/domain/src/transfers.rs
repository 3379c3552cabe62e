//! Transfers of party activity (chuyển sinh hoạt đảng): how long a temporary transfer may last,
//! and the deadlines of a permanent one, counted in working days.

use chrono::NaiveDate;

use crate::calendar::Holidays;
use crate::member::add_months;
use crate::org::labelled_enum;

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

/// The limits; the defaults are those of the Party's current rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        let h = Holidays::new(crate::calendar::builtin_holidays().into_iter().map(|x| x.0));
        assert_eq!(r.apply_by(d(2026, 10, 1), &h), d(2026, 12, 24));
        // 30 working days from 1 April 2026 skip the Hùng Kings' day and 30/4–1/5.
        assert_eq!(r.present_by(d(2026, 4, 1), &h), d(2026, 5, 15));
    }
}
