//! Working days: Monday to Friday, less the public holidays, plus the weekend days the
//! government makes working days. Deadlines in the Party's rules ("within 60 working days")
//! count these. [`statutory_holidays`] computes the Labour Code's holidays for any year of
//! [`HOLIDAY_YEARS`], the lunar ones with a lunar calendar; the make-up and swapped days the
//! government announces each year are data administrators enter.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

/// Public holidays, by date, and weekend days made working days (làm bù).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    off: BTreeSet<NaiveDate>,
    working: BTreeSet<NaiveDate>,
    /// The weekly days off; `None`: Saturday and Sunday.
    weekly_off: Option<Vec<Weekday>>,
}

impl Holidays {
    pub fn new(days: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            off: days.into_iter().collect(),
            working: BTreeSet::new(),
            weekly_off: None,
        }
    }

    /// The statutory holidays of every year of [`HOLIDAY_YEARS`].
    pub fn statutory() -> Self {
        Self::new(
            HOLIDAY_YEARS
                .flat_map(|y| statutory_holidays(y).unwrap_or_default())
                .map(|(d, _)| d),
        )
    }

    /// These holidays with more days off and weekend days made working days.
    pub fn with(
        mut self,
        off: impl IntoIterator<Item = NaiveDate>,
        working: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        self.off.extend(off);
        self.working.extend(working);
        self
    }

    /// These holidays with other weekly days off than Saturday and Sunday (a rule set's
    /// working-day rule).
    pub fn with_weekly_days_off(mut self, days: impl IntoIterator<Item = Weekday>) -> Self {
        self.weekly_off = Some(days.into_iter().collect());
        self
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.off.contains(&d)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.working.contains(&d) {
            return true;
        }
        let weekly_off = match &self.weekly_off {
            Some(days) => days.contains(&d.weekday()),
            None => matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        };
        !weekly_off && !self.contains(d)
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

/// The years whose statutory holidays chibo computes. Outside them a year has no holiday data,
/// which [`statutory_holidays`] says rather than answering with none.
pub const HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// The solar date of a lunar day in Vietnam's calendar (new moons reckoned at UTC+7, which is
/// why some years' Tết differs from China's), computed by `amlich-core` (Hồ Ngọc Đức's
/// astronomical method).
fn lunar_day(lunar_year: i32, month: i32, day: i32) -> Option<NaiveDate> {
    let (d, m, y) = amlich_core::lunar::convert_lunar_to_solar(day, month, lunar_year, false, 7.0);
    NaiveDate::from_ymd_opt(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

/// The statutory public holidays of `year`, each with its name, or `None` for a year outside
/// [`HOLIDAY_YEARS`]. As the Labour Code set them in each period:
/// - 1 January; 30 April; 1 May; 2 September;
/// - Tết: the last day of the old lunar year and the first three days of the new (Bộ luật Lao
///   động 1994, art. 73), the first four from 2013 (Bộ luật Lao động 2012, art. 115);
/// - the Hùng Kings' day, 10th of the 3rd lunar month, from 2007 (Luật sửa đổi Bộ luật Lao
///   động 2007);
/// - a day beside 2 September from 2021 (Bộ luật Lao động 2019, art. 112), taken here as
///   1 September; the government names it each year, so an administrator corrects it.
///
/// Make-up and swapped days, which the government announces every year, are data an
/// administrator enters.
pub fn statutory_holidays(year: i32) -> Option<Vec<(NaiveDate, &'static str)>> {
    if !HOLIDAY_YEARS.contains(&year) {
        return None;
    }
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day);
    let mut out = vec![
        (d(1, 1)?, "Tết Dương lịch"),
        (d(4, 30)?, "Ngày Giải phóng miền Nam"),
        (d(5, 1)?, "Ngày Quốc tế Lao động"),
        (d(9, 2)?, "Quốc khánh"),
    ];
    // Tết falls between 21 January and 20 February, so its eve is in the same solar year.
    let tet = lunar_day(year, 1, 1)?;
    let first_days = if year >= 2013 { 4 } else { 3 };
    for i in -1..first_days {
        out.push((tet + chrono::Duration::days(i), "Tết Nguyên đán"));
    }
    if year >= 2007 {
        out.push((lunar_day(year, 3, 10)?, "Giỗ Tổ Hùng Vương"));
    }
    if year >= 2021 {
        out.push((d(9, 1)?, "Quốc khánh (ngày liền kề)"));
    }
    out.sort();
    Some(out)
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
        let h = Holidays::statutory();
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

    /// The lunar holidays computed agree with those the government published for 2024–2028
    /// (the table chibo shipped with before), and with Vietnam's Tết where it differs from
    /// China's because the new moon is reckoned at UTC+7 (17 February 2007, China 18 February).
    #[test]
    fn lunar_holidays_agree_with_the_published_ones() {
        let tet = |y| {
            statutory_holidays(y)
                .unwrap()
                .into_iter()
                .filter(|(_, name)| *name == "Tết Nguyên đán")
                .map(|(day, _)| day)
                .nth(1)
                .unwrap()
        };
        let hung = |y| {
            statutory_holidays(y)
                .unwrap()
                .into_iter()
                .find(|(_, name)| *name == "Giỗ Tổ Hùng Vương")
                .map(|(day, _)| day)
        };
        for (y, t, h) in [
            (2024, d(2024, 2, 10), d(2024, 4, 18)),
            (2025, d(2025, 1, 29), d(2025, 4, 7)),
            (2026, d(2026, 2, 17), d(2026, 4, 26)),
            (2027, d(2027, 2, 6), d(2027, 4, 16)),
            (2028, d(2028, 1, 26), d(2028, 4, 4)),
        ] {
            assert_eq!(tet(y), t, "Tết {y}");
            assert_eq!(hung(y), Some(h), "Giỗ Tổ {y}");
        }
        assert_eq!(tet(2007), d(2007, 2, 17));
        assert_eq!(tet(1990), d(1990, 1, 27));
        assert_eq!(tet(2030), d(2030, 2, 2));
        // Before 2007 there was no Hùng Kings' holiday; before 2021 no second National Day.
        assert_eq!(hung(2006), None);
        assert_eq!(statutory_holidays(2020).unwrap().len(), 10);
        assert_eq!(statutory_holidays(2026).unwrap().len(), 11);
        assert_eq!(statutory_holidays(2005).unwrap().len(), 8);
        assert!(
            statutory_holidays(2026)
                .unwrap()
                .contains(&(d(2026, 2, 16), "Tết Nguyên đán"))
        );
        // A year without data says so.
        assert_eq!(statutory_holidays(1989), None);
        assert_eq!(statutory_holidays(2101), None);
    }

    /// A weekend day the government makes a working day counts; a weekday off does not.
    #[test]
    fn make_up_days_count() {
        let h = Holidays::statutory().with([d(2026, 3, 3)], [d(2026, 3, 7)]);
        assert!(
            h.is_working_day(d(2026, 3, 7)),
            "Saturday made a working day"
        );
        assert!(!h.is_working_day(d(2026, 3, 3)));
        assert_eq!(h.add_working_days(d(2026, 3, 6), 1), d(2026, 3, 7));
    }

    proptest! {
        /// Every year chibo computes has its Tết between 21 January and 20 February, and its
        /// holidays in that year, without repeats.
        #[test]
        fn every_year_has_its_holidays(y in 1990i32..=2100) {
            let days = statutory_holidays(y).unwrap();
            let tet = days.iter().filter(|(_, n)| *n == "Tết Nguyên đán").nth(1).unwrap().0;
            prop_assert!(tet >= d(y, 1, 21) && tet <= d(y, 2, 20), "{}", tet);
            prop_assert!(days.iter().all(|(day, _)| day.year() == y));
            let distinct: BTreeSet<_> = days.iter().map(|(day, _)| *day).collect();
            prop_assert_eq!(distinct.len(), days.len());
        }
    }

    proptest! {
        #[test]
        fn adding_then_counting_gives_back_n(days in 0i64..4000, n in 0u32..300) {
            let h = Holidays::statutory();
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
            let h = Holidays::statutory();
            let today = d(2024, 3, 1) + chrono::Duration::days(today_days);
            let start = today - chrono::Duration::days(back);
            let deadline = |s: NaiveDate| h.add_working_days(s, n);
            let threshold = last_overdue_start(today, deadline);
            prop_assert_eq!(start <= threshold, today > deadline(start));
        }
    }
}
