//! Working days: Monday to Friday, less the public holidays. Deadlines in the Party's rules
//! ("within 60 working days") count these. The holidays are data (the government sets the
//! lunar-calendar days and the make-up days each year); [`builtin_holidays`] gives the statutory
//! ones for the years chibo ships with, and administrators add the rest.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

/// Public holidays, by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(BTreeSet<NaiveDate>);

impl Holidays {
    pub fn new(days: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self(days.into_iter().collect())
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.0.contains(&d)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.contains(d)
    }

    /// The day `n` working days after `start` (the deadline of "within n working days" from
    /// `start`); `start` itself does not count.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap_or(NaiveDate::MAX);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not later).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().unwrap_or(NaiveDate::MAX);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// The first day of the lunar new year (mùng 1 Tết) and the Hùng Kings' day (10/3 lunar).
/// (year, (month, day) of Tết, (month, day) of the Hùng Kings' day).
type LunarDays = (i32, (u32, u32), (u32, u32));

const LUNAR: &[LunarDays] = &[
    (2024, (2, 10), (4, 18)),
    (2025, (1, 29), (4, 7)),
    (2026, (2, 17), (4, 26)),
    (2027, (2, 6), (4, 16)),
    (2028, (1, 26), (4, 4)),
];

/// The statutory public holidays (Labour Code 2019, art. 112) for 2024–2028, with a name each:
/// 1 January; Tết, five days from the last day of the old year; the Hùng Kings' day; 30 April and
/// 1 May; 2 September and the day before. Make-up days the government announces are added by an
/// administrator.
pub fn builtin_holidays() -> Vec<(NaiveDate, &'static str)> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid holiday");
    let mut out = Vec::new();
    for &(y, (tm, td), (hm, hd)) in LUNAR {
        out.push((d(y, 1, 1), "Tết Dương lịch"));
        let tet = d(y, tm, td);
        for i in -1..4 {
            out.push((tet + chrono::Duration::days(i), "Tết Nguyên đán"));
        }
        out.push((d(y, hm, hd), "Giỗ Tổ Hùng Vương"));
        out.push((d(y, 4, 30), "Ngày Giải phóng miền Nam"));
        out.push((d(y, 5, 1), "Ngày Quốc tế Lao động"));
        out.push((d(y, 9, 1), "Quốc khánh (ngày liền kề)"));
        out.push((d(y, 9, 2), "Quốc khánh"));
    }
    out.sort();
    out
}

/// The last start day whose deadline has passed by `today` (`today > deadline(start)`), for a
/// deadline that never moves earlier when its start moves later: a start is overdue exactly
/// when it is on or before this day, which a database can test on an indexed date column
/// where it cannot count working days. Starts more than ten years back count as overdue.
pub fn last_overdue_start(
    today: NaiveDate,
    deadline: impl Fn(NaiveDate) -> NaiveDate,
) -> NaiveDate {
    let days = |n: i64| today - chrono::Duration::days(n);
    // Binary search on how many days before today the start is: `lo` is not overdue (or is
    // today), `hi` is.
    let (mut lo, mut hi) = (0i64, 3653i64);
    if today <= deadline(days(hi)) {
        return days(hi + 1);
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if today > deadline(days(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    days(hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekends_and_holidays_do_not_count() {
        let h = Holidays::new(builtin_holidays().into_iter().map(|x| x.0));
        // Friday 24 April 2026 + 1 working day = Monday 27 April.
        assert_eq!(h.add_working_days(d(2026, 4, 24), 1), d(2026, 4, 27));
        // Over 30 April – 1 May (Thursday, Friday) and the weekend.
        assert_eq!(h.add_working_days(d(2026, 4, 29), 1), d(2026, 5, 4));
        // Tết 2026: 16–20 February.
        assert_eq!(h.add_working_days(d(2026, 2, 13), 1), d(2026, 2, 23));
        assert_eq!(h.working_days_between(d(2026, 2, 13), d(2026, 2, 23)), 1);
        assert!(!h.is_working_day(d(2026, 9, 2)));
        assert!(h.is_working_day(d(2026, 9, 3)));
        // 60 working days from 1 October 2026 (no holiday on the way): twelve weeks.
        assert_eq!(h.add_working_days(d(2026, 10, 1), 60), d(2026, 12, 24));
    }

    #[test]
    fn builtins_are_dated_and_named() {
        let b = builtin_holidays();
        assert_eq!(b.len(), 5 * 11);
        assert!(b.contains(&(d(2025, 1, 28), "Tết Nguyên đán")));
    }

    proptest! {
        #[test]
        fn adding_then_counting_gives_back_n(days in 0i64..4000, n in 0u32..300) {
            let h = Holidays::new(builtin_holidays().into_iter().map(|x| x.0));
            let start = d(2024, 1, 1) + chrono::Duration::days(days);
            let end = h.add_working_days(start, n);
            prop_assert_eq!(h.working_days_between(start, end), n);
            prop_assert!(n == 0 || h.is_working_day(end));
            prop_assert!(end >= start);
        }
    }

    proptest! {
        /// Whatever the start, it is overdue exactly when it is on or before the threshold.
        #[test]
        fn overdue_starts_are_those_up_to_the_threshold(
            today_days in 0i64..1500, back in 0i64..500, n in 0u32..120,
        ) {
            let h = Holidays::new(builtin_holidays().into_iter().map(|x| x.0));
            let today = d(2024, 3, 1) + chrono::Duration::days(today_days);
            let start = today - chrono::Duration::days(back);
            let deadline = |s: NaiveDate| h.add_working_days(s, n);
            let threshold = last_overdue_start(today, deadline);
            prop_assert_eq!(start <= threshold, today > deadline(start));
        }
    }
}
