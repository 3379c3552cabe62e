//! Party badges (Huy hiệu Đảng): the milestones of party age, the four award days of the year,
//! early award for seriously ill and deceased members, and the delays discipline brings.

use chrono::{Datelike, NaiveDate};

use crate::member::add_months;
use crate::org::labelled_enum;

labelled_enum!(
    /// A disciplinary measure that delays a badge.
    Discipline {
        Reprimand = "reprimand", "Khiển trách";
        Warning = "warning", "Cảnh cáo";
        Dismissal = "dismissal", "Cách chức";
    }
);

labelled_enum!(
    /// Why a badge is awarded before the member's party age reaches the milestone.
    Early {
        No = "none", "Đúng niên hạn";
        SeriouslyIll = "seriously_ill", "Ốm nặng (xét tặng sớm)";
        Posthumous = "posthumous", "Đã từ trần (truy tặng)";
    }
);

/// The badge rules; the defaults are those of the current regulation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BadgeRules {
    /// Years of party age that earn a badge.
    pub milestones: Vec<u32>,
    /// The occasions badges are awarded on, in calendar order (Hướng dẫn 01-HD/TW 2021, §18:
    /// the great anniversaries; a province may add its own). Outside them only a special case
    /// decided by the provincial standing committee.
    pub occasions: Vec<Occasion>,
    /// How many months early a seriously ill member may receive a badge of up to this many
    /// years (`ill_early_short`) or more (`ill_early_long`).
    pub ill_short_upto_years: u32,
    pub ill_early_short_months: u32,
    pub ill_early_long_months: u32,
    pub posthumous_early_months: u32,
    pub delay_reprimand_months: u32,
    pub delay_warning_months: u32,
    pub delay_dismissal_months: u32,
}

impl Default for BadgeRules {
    fn default() -> Self {
        Self {
            milestones: vec![30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90],
            occasions: vec![
                Occasion::new(2, 3, "Ngày thành lập Đảng"),
                Occasion::new(5, 19, "Ngày sinh Chủ tịch Hồ Chí Minh"),
                Occasion::new(9, 2, "Quốc khánh"),
                Occasion::new(11, 7, "Ngày Cách mạng Tháng Mười Nga"),
            ],
            ill_short_upto_years: 65,
            ill_early_short_months: 12,
            ill_early_long_months: 24,
            posthumous_early_months: 12,
            // Domain.md §3 as corrected (the Charter guidance quoted in provincial handbooks,
            // citing QĐ 24 and HD 01; an older local guide said 3/6/12): no delay after a
            // reprimand, 6 months after a warning, 12 after dismissal.
            delay_reprimand_months: 0,
            delay_warning_months: 6,
            delay_dismissal_months: 12,
        }
    }
}

/// A day of the year badges are awarded on, and what it celebrates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Occasion {
    pub month: u32,
    pub day: u32,
    pub label: String,
}

impl Occasion {
    pub fn new(month: u32, day: u32, label: &str) -> Occasion {
        Occasion {
            month,
            day,
            label: label.into(),
        }
    }

    fn on(&self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

impl BadgeRules {
    /// The occasions as a reader names them: "3/2 (Ngày thành lập Đảng), 19/5 (…)".
    pub fn occasions_text(&self) -> String {
        self.occasions
            .iter()
            .map(|o| format!("{}/{} ({})", o.day, o.month, o.label))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn is_milestone(&self, years: u32) -> bool {
        self.milestones.contains(&years)
    }

    pub fn is_award_day(&self, d: NaiveDate) -> bool {
        self.occasions
            .iter()
            .any(|o| (o.month, o.day) == (d.month(), d.day()))
    }

    /// The first award day on or after `d`.
    pub fn award_day_from(&self, d: NaiveDate) -> NaiveDate {
        for year in [d.year(), d.year() + 1] {
            for o in &self.occasions {
                if let Some(x) = o.on(year)
                    && x >= d
                {
                    return x;
                }
            }
        }
        NaiveDate::MAX
    }

    /// The award day before `d` (strictly).
    pub fn award_day_before(&self, d: NaiveDate) -> NaiveDate {
        let mut best = NaiveDate::MIN;
        for year in [d.year() - 1, d.year()] {
            for o in &self.occasions {
                if let Some(x) = o.on(year)
                    && x < d
                    && x > best
                {
                    best = x;
                }
            }
        }
        best
    }

    fn early_months(&self, years: u32, early: Early) -> u32 {
        match early {
            Early::No => 0,
            Early::SeriouslyIll if years <= self.ill_short_upto_years => {
                self.ill_early_short_months
            }
            Early::SeriouslyIll => self.ill_early_long_months,
            Early::Posthumous => self.posthumous_early_months,
        }
    }

    fn delay_months(&self, d: Discipline) -> u32 {
        match d {
            Discipline::Reprimand => self.delay_reprimand_months,
            Discipline::Warning => self.delay_warning_months,
            Discipline::Dismissal => self.delay_dismissal_months,
        }
    }

    /// The first day a badge of `years` may be given: the day party age reaches it (less the
    /// early allowance), but not before each discipline's delay has run out.
    pub fn eligible_from(
        &self,
        reached: NaiveDate,
        years: u32,
        early: Early,
        disciplines: &[(Discipline, NaiveDate)],
    ) -> NaiveDate {
        let early_months = self.early_months(years, early);
        let earliest = reached
            .checked_sub_months(chrono::Months::new(early_months))
            .unwrap_or(reached);
        // A discipline without a delay (a reprimand, domain.md §3) holds nothing back.
        disciplines
            .iter()
            .filter(|(d, _)| self.delay_months(*d) > 0)
            .map(|(d, on)| add_months(*on, self.delay_months(*d)))
            .fold(earliest, NaiveDate::max)
    }

    /// Checks an award before it is recorded; the error is the Vietnamese message.
    pub fn check_award(
        &self,
        years: u32,
        awarded_on: NaiveDate,
        reached: NaiveDate,
        early: Early,
        disciplines: &[(Discipline, NaiveDate)],
        special: bool,
    ) -> Result<(), String> {
        if !self.is_milestone(years) {
            let list: Vec<String> = self.milestones.iter().map(u32::to_string).collect();
            return Err(format!(
                "Huy hiệu {years} năm tuổi Đảng không có; các mốc là {} năm.",
                list.join(", ")
            ));
        }
        if !special && !self.is_award_day(awarded_on) {
            return Err(format!(
                "Huy hiệu được trao vào các dịp {}; ngoài các dịp đó chỉ trao trong trường hợp \
                 đặc biệt do Ban Thường vụ tỉnh ủy quyết định.",
                self.occasions_text()
            ));
        }
        let from = self.eligible_from(reached, years, early, disciplines);
        if awarded_on < from {
            let why = if from > reached {
                " (do thời hạn kỷ luật)"
            } else if early == Early::No {
                "; nếu đảng viên ốm nặng hoặc đã từ trần, chọn lý do xét tặng sớm"
            } else {
                ""
            };
            return Err(format!(
                "Chưa đủ điều kiện nhận Huy hiệu {years} năm tuổi Đảng vào ngày {}: sớm nhất từ ngày {}{why}.",
                awarded_on.format("%d/%m/%Y"),
                from.format("%d/%m/%Y")
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn award_days() {
        let r = BadgeRules::default();
        assert_eq!(r.award_day_from(d(2026, 11, 23)), d(2027, 2, 3));
        assert_eq!(r.award_day_from(d(2026, 9, 2)), d(2026, 9, 2));
        assert_eq!(r.award_day_from(d(2026, 5, 20)), d(2026, 9, 2));
        assert_eq!(r.award_day_before(d(2027, 2, 3)), d(2026, 11, 7));
        assert_eq!(r.award_day_before(d(2026, 11, 8)), d(2026, 11, 7));
    }

    #[test]
    fn early_award_and_discipline() {
        let r = BadgeRules::default();
        let reached = d(2027, 6, 1);
        assert_eq!(r.eligible_from(reached, 30, Early::No, &[]), reached);
        assert_eq!(
            r.eligible_from(reached, 60, Early::SeriouslyIll, &[]),
            d(2026, 6, 1)
        );
        assert_eq!(
            r.eligible_from(reached, 70, Early::SeriouslyIll, &[]),
            d(2025, 6, 1)
        );
        assert_eq!(
            r.eligible_from(reached, 70, Early::Posthumous, &[]),
            d(2026, 6, 1)
        );
        // A warning on 1 Mar 2027 delays it six months, to 1 Sep 2027 (domain.md §3).
        assert_eq!(
            r.eligible_from(
                reached,
                30,
                Early::No,
                &[(Discipline::Warning, d(2027, 3, 1))]
            ),
            d(2027, 9, 1)
        );
        // A reprimand delays nothing, given the month before or the month after (domain.md
        // §3: the Charter guidance; an older local guide gave three months).
        for on in [d(2027, 5, 1), d(2027, 7, 1)] {
            assert_eq!(
                r.eligible_from(reached, 30, Early::No, &[(Discipline::Reprimand, on)]),
                reached
            );
        }
        // Dismissal on 1 Mar 2027: twelve months.
        assert_eq!(
            r.eligible_from(
                reached,
                30,
                Early::No,
                &[(Discipline::Dismissal, d(2027, 3, 1))]
            ),
            d(2028, 3, 1)
        );
    }

    #[test]
    fn awards_are_checked() {
        let r = BadgeRules::default();
        let reached = d(2026, 8, 15);
        assert!(
            r.check_award(30, d(2026, 9, 2), reached, Early::No, &[], false)
                .is_ok()
        );
        let e = r
            .check_award(35, d(2026, 9, 2), reached, Early::No, &[], false)
            .unwrap_err();
        assert!(e.contains("các mốc"), "{e}");
        let e = r
            .check_award(30, d(2026, 9, 1), reached, Early::No, &[], false)
            .unwrap_err();
        assert!(e.contains("3/2 (Ngày thành lập Đảng), 19/5"), "{e}");
        // Hướng dẫn 01-HD/TW 2021, §18: a special case decided by the provincial standing
        // committee may fall on another day; the rest of the rules still hold.
        assert!(
            r.check_award(30, d(2026, 9, 1), reached, Early::No, &[], true)
                .is_ok()
        );
        assert!(
            r.check_award(30, d(2026, 8, 1), reached, Early::No, &[], true)
                .is_err()
        );
        let e = r
            .check_award(30, d(2026, 5, 19), reached, Early::No, &[], false)
            .unwrap_err();
        assert!(e.contains("15/08/2026") && e.contains("ốm nặng"), "{e}");
        assert!(
            r.check_award(30, d(2026, 5, 19), reached, Early::SeriouslyIll, &[], false)
                .is_ok()
        );
        let e = r
            .check_award(
                30,
                d(2026, 9, 2),
                reached,
                Early::No,
                &[(Discipline::Dismissal, d(2026, 1, 10))],
                false,
            )
            .unwrap_err();
        assert!(e.contains("kỷ luật") && e.contains("10/01/2027"), "{e}");
    }

    proptest! {
        #[test]
        fn award_day_from_is_the_next_award_day(days in 0i64..20_000) {
            let r = BadgeRules::default();
            let x = d(1990, 1, 1) + chrono::Duration::days(days);
            let a = r.award_day_from(x);
            prop_assert!(r.is_award_day(a));
            prop_assert!(a >= x);
            prop_assert!((a - x).num_days() < 120);
            prop_assert!(r.award_day_before(a) < x || r.award_day_before(a) == r.award_day_before(x));
        }

        #[test]
        fn eligibility_never_precedes_the_early_limit(days in 0i64..20_000, early in 0u8..3, years_i in 0usize..12, disc in proptest::option::of((0u8..3, 0i64..20_000))) {
            let r = BadgeRules::default();
            let reached = d(1990, 1, 1) + chrono::Duration::days(days);
            let early = [Early::No, Early::SeriouslyIll, Early::Posthumous][early as usize];
            let years = r.milestones[years_i];
            let ds: Vec<(Discipline, NaiveDate)> = disc
                .map(|(k, off)| ([Discipline::Reprimand, Discipline::Warning, Discipline::Dismissal][k as usize], d(1990, 1, 1) + chrono::Duration::days(off)))
                .into_iter()
                .collect();
            let from = r.eligible_from(reached, years, early, &ds);
            prop_assert!(from >= add_months(reached, 0).checked_sub_months(chrono::Months::new(24)).unwrap());
            if early == Early::No { prop_assert!(from >= reached); }
            let day = r.award_day_from(from);
            prop_assert!(r.check_award(years, day, reached, early, &ds, false).is_ok());
            let before = r.award_day_before(day);
            if before >= from { prop_assert!(false, "an earlier award day was possible"); }
            prop_assert!(r.check_award(years, before, reached, early, &ds, false).is_err());
        }
    }
}
