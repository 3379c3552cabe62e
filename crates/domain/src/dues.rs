//! Party dues (đảng phí) month by month (domain.md §3; Điều lệ Đảng, Điều 8): what a cell records
//! for each member and month, and the removal trigger on dues left unpaid without reason. The
//! amount is entered, not computed (the rates of Quy định 342-QĐ/TW depend on income chibo does
//! not hold).

use chrono::{Datelike, NaiveDate};

use crate::org::labelled_enum;

labelled_enum!(
    /// A member's dues for a month as the cell recorded them.
    DuesStatus {
        Paid = "paid", "Đã nộp";
        Unpaid = "unpaid", "Chưa nộp";
        Excused = "excused", "Chưa nộp, có lý do";
    }
);

/// The largest monthly amount accepted, in đồng (a typing error beyond it, not a payment).
pub const MAX_AMOUNT: i64 = 100_000_000;

/// The first day of `d`'s month: how a month is stored.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("every month has a first day")
}

/// A month typed as `YYYY-MM`, `MM/YYYY` or `M/YYYY` (or a whole date), as its first day.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let (y, m) = if let Some((a, b)) = s.split_once('/') {
        match b.split_once('/') {
            // dd/mm/yyyy
            Some((m, y)) => (y.trim().parse().ok()?, m.trim().parse().ok()?),
            None => (b.trim().parse().ok()?, a.trim().parse().ok()?),
        }
    } else {
        let mut parts = s.split('-');
        let y = parts.next()?.trim().parse().ok()?;
        let m = parts.next()?.trim().parse().ok()?;
        (y, m)
    };
    if !(1990..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// An amount in đồng typed as "50000", "50.000" or "50,000 đ".
pub fn parse_amount(text: &str) -> Option<i64> {
    let digits: String = text
        .trim()
        .trim_end_matches(['đ', 'Đ'])
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' '))
        .collect();
    digits.parse().ok()
}

/// "11/2026".
pub fn month_text(month: NaiveDate) -> String {
    format!("{:02}/{}", month.month(), month.year())
}

/// What one month's record of a member says, checked: a payment needs its amount and the day it
/// was paid (not in the future; up to a year ahead of the month, as members going away pay
/// ahead); without a payment, a reason makes the month excused. The error is the Vietnamese
/// message.
pub fn check_entry(
    month: NaiveDate,
    amount: Option<i64>,
    paid_on: Option<NaiveDate>,
    reason: &str,
    today: NaiveDate,
) -> Result<DuesStatus, &'static str> {
    match (amount, paid_on) {
        (Some(a), Some(on)) => {
            if !(1..=MAX_AMOUNT).contains(&a) {
                Err("số tiền phải từ 1 đồng đến 100.000.000 đồng")
            } else if on > today {
                Err("ngày nộp chưa đến")
            } else if on < month - chrono::Months::new(12) {
                Err("ngày nộp quá sớm so với tháng đảng phí")
            } else {
                Ok(DuesStatus::Paid)
            }
        }
        (Some(_), None) => Err("ghi ngày nộp"),
        (None, Some(_)) => Err("ghi số tiền đã nộp"),
        (None, None) if !reason.trim().is_empty() => Ok(DuesStatus::Excused),
        (None, None) => Ok(DuesStatus::Unpaid),
    }
}

/// The months in which a member's unpaid months (without reason) of one year reach `n`: the
/// removal trigger fires on the `n`-th of each year (domain.md §3: "không đóng đảng phí ba
/// tháng trong năm mà không có lý do chính đáng").
pub fn trigger_months(unpaid: &[NaiveDate], n: u32) -> Vec<NaiveDate> {
    let mut months: Vec<NaiveDate> = unpaid.iter().map(|d| month_of(*d)).collect();
    months.sort_unstable();
    months.dedup();
    let n = n.max(1) as usize;
    let mut out = Vec::new();
    for year in months
        .iter()
        .map(|m| m.year())
        .collect::<std::collections::BTreeSet<_>>()
    {
        if let Some(m) = months.iter().filter(|m| m.year() == year).nth(n - 1) {
            out.push(*m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_are_read_as_typed() {
        assert_eq!(parse_month("2026-11"), Some(d(2026, 11, 1)));
        assert_eq!(parse_month("11/2026"), Some(d(2026, 11, 1)));
        assert_eq!(parse_month("3/2026"), Some(d(2026, 3, 1)));
        assert_eq!(parse_month("15/03/2026"), Some(d(2026, 3, 1)));
        assert_eq!(parse_month("2026-11-20"), Some(d(2026, 11, 1)));
        assert_eq!(parse_month("13/2026"), None);
        assert_eq!(parse_month("11/26"), None);
        assert_eq!(parse_month("tháng 11"), None);
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_amount("50000"), Some(50_000));
        assert_eq!(parse_amount("50.000"), Some(50_000));
        assert_eq!(parse_amount("50,000 đ"), Some(50_000));
        assert_eq!(parse_amount("năm mươi"), None);
        assert_eq!(
            parse_amount("-5"),
            Some(-5),
            "refused by check_entry, not here"
        );
    }

    #[test]
    fn an_entry_is_paid_unpaid_or_excused() {
        let (m, today) = (d(2026, 10, 1), d(2026, 11, 20));
        assert_eq!(
            check_entry(m, Some(50_000), Some(d(2026, 10, 5)), "", today),
            Ok(DuesStatus::Paid)
        );
        assert_eq!(
            check_entry(m, None, None, "", today),
            Ok(DuesStatus::Unpaid)
        );
        assert_eq!(
            check_entry(m, None, None, "Ốm nằm viện", today),
            Ok(DuesStatus::Excused)
        );
        assert!(check_entry(m, Some(0), Some(d(2026, 10, 5)), "", today).is_err());
        assert!(check_entry(m, Some(50_000), None, "", today).is_err());
        assert!(check_entry(m, None, Some(d(2026, 10, 5)), "", today).is_err());
        assert!(check_entry(m, Some(50_000), Some(d(2026, 12, 1)), "", today).is_err());
        // Paid a year ahead is a payment; two years ahead is a typing error.
        assert!(check_entry(m, Some(50_000), Some(d(2025, 10, 1)), "", today).is_ok());
        assert!(check_entry(m, Some(50_000), Some(d(2024, 10, 1)), "", today).is_err());
    }

    /// Điều lệ Đảng, Điều 8: three months unpaid without reason in one year; months of another
    /// year do not add up.
    #[test]
    fn the_trigger_fires_on_the_third_month_of_a_year() {
        let unpaid = [
            d(2025, 11, 1),
            d(2025, 12, 1),
            d(2026, 1, 1),
            d(2026, 3, 1),
            d(2026, 7, 1),
        ];
        assert_eq!(trigger_months(&unpaid, 3), vec![d(2026, 7, 1)]);
        assert_eq!(
            trigger_months(&unpaid, 2),
            vec![d(2025, 12, 1), d(2026, 3, 1)]
        );
    }

    proptest! {
        #[test]
        fn at_most_one_trigger_a_year_and_only_with_enough_months(
            months in proptest::collection::vec((2024i32..2027, 1u32..13), 0..30), n in 1u32..6
        ) {
            let unpaid: Vec<NaiveDate> = months.iter().map(|(y, m)| d(*y, *m, 1)).collect();
            let fired = trigger_months(&unpaid, n);
            for f in &fired {
                let in_year = unpaid.iter().filter(|u| u.year() == f.year() && **u <= *f)
                    .collect::<std::collections::BTreeSet<_>>().len();
                prop_assert_eq!(in_year as u32, n);
            }
            let years: std::collections::BTreeSet<i32> = fired.iter().map(|f| f.year()).collect();
            prop_assert_eq!(years.len(), fired.len());
        }
    }
}
