//! Annual review and classification (Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW, 2025): a
//! 100-point score gives the level; the share of excellent members is capped within a
//! grassroots organisation; a cell is rated excellent only when its members' levels allow it.

use crate::org::labelled_enum;
use crate::rules::Share;

labelled_enum!(
    Level {
        Excellent = "excellent", "Hoàn thành xuất sắc nhiệm vụ";
        Good = "good", "Hoàn thành tốt nhiệm vụ";
        Completed = "completed", "Hoàn thành nhiệm vụ";
        NotCompleted = "not_completed", "Không hoàn thành nhiệm vụ";
    }
);

/// The thresholds; the quota is a parameter (20% under Hướng dẫn 21-2019, not restated since).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassificationRules {
    pub excellent_from: u32,
    pub good_from: u32,
    pub completed_from: u32,
    /// Excellent members at most this share of those rated good or better, within a
    /// grassroots organisation.
    pub excellent_quota: Share,
    /// A cell rated excellent needs at least this share of its classified members good or
    /// better (and none below completed).
    pub cell_excellent_good_share: Share,
}

impl Default for ClassificationRules {
    fn default() -> Self {
        Self {
            excellent_from: 90,
            good_from: 70,
            completed_from: 50,
            excellent_quota: Share {
                numerator: 20,
                denominator: 100,
                strict: false,
            },
            cell_excellent_good_share: Share {
                numerator: 80,
                denominator: 100,
                strict: false,
            },
        }
    }
}

impl ClassificationRules {
    pub fn level(&self, score: u32) -> Level {
        if score >= self.excellent_from {
            Level::Excellent
        } else if score >= self.good_from {
            Level::Good
        } else if score >= self.completed_from {
            Level::Completed
        } else {
            Level::NotCompleted
        }
    }

    /// The most members who may be rated excellent when `good_or_better` are rated good or
    /// excellent.
    pub fn excellent_allowed(&self, good_or_better: u32) -> u32 {
        let q = self.excellent_quota;
        (u64::from(good_or_better) * u64::from(q.numerator) / u64::from(q.denominator.max(1)))
            as u32
    }

    /// Checks the excellent quota of a grassroots organisation.
    pub fn check_quota(
        &self,
        excellent: u32,
        good_or_better: u32,
        org: &str,
    ) -> Result<(), String> {
        let allowed = self.excellent_allowed(good_or_better);
        if excellent > allowed {
            return Err(format!(
                "Vượt tỷ lệ: {org} có {good_or_better} đảng viên hoàn thành tốt nhiệm vụ trở lên nên tối đa {allowed} đảng viên hoàn thành xuất sắc (không quá {}%); đang xếp {excellent}.",
                self.excellent_quota.numerator * 100 / self.excellent_quota.denominator.max(1)
            ));
        }
        Ok(())
    }

    /// Checks that a cell whose members have these levels may be rated excellent.
    pub fn check_cell_excellent(&self, members: &[Level]) -> Result<(), String> {
        if members.is_empty() {
            return Err("Chưa xếp loại đảng viên nào của chi bộ.".into());
        }
        let below = members
            .iter()
            .filter(|l| **l == Level::NotCompleted)
            .count();
        if below > 0 {
            return Err(format!(
                "Chi bộ có {below} đảng viên không hoàn thành nhiệm vụ nên không thể hoàn thành xuất sắc nhiệm vụ."
            ));
        }
        let good = members
            .iter()
            .filter(|l| matches!(l, Level::Excellent | Level::Good))
            .count() as u32;
        let total = members.len() as u32;
        if !self.cell_excellent_good_share.met(good, total) {
            return Err(format!(
                "Chi bộ hoàn thành xuất sắc nhiệm vụ cần {} đảng viên hoàn thành tốt nhiệm vụ trở lên; hiện có {good}/{total}.",
                self.cell_excellent_good_share.text()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bands() {
        let r = ClassificationRules::default();
        assert_eq!(r.level(100), Level::Excellent);
        assert_eq!(r.level(90), Level::Excellent);
        assert_eq!(r.level(89), Level::Good);
        assert_eq!(r.level(70), Level::Good);
        assert_eq!(r.level(69), Level::Completed);
        assert_eq!(r.level(50), Level::Completed);
        assert_eq!(r.level(49), Level::NotCompleted);
        assert_eq!(r.level(0), Level::NotCompleted);
    }

    #[test]
    fn quota_and_cell_condition() {
        let r = ClassificationRules::default();
        assert_eq!(r.excellent_allowed(24), 4);
        assert!(r.check_quota(4, 24, "Đảng bộ xã").is_ok());
        let e = r.check_quota(5, 24, "Đảng bộ xã Phú Lâm").unwrap_err();
        assert!(e.contains("tối đa 4") && e.contains("Phú Lâm"), "{e}");
        use Level::*;
        assert!(
            r.check_cell_excellent(&[Excellent, Good, Good, Good, Completed])
                .is_ok()
        );
        let e = r
            .check_cell_excellent(&[Good, Good, Completed, Completed])
            .unwrap_err();
        assert!(e.contains("2/4"), "{e}");
        let e = r
            .check_cell_excellent(&[Good, Good, Good, Good, NotCompleted])
            .unwrap_err();
        assert!(e.contains("không hoàn thành"), "{e}");
        assert!(r.check_cell_excellent(&[]).is_err());
    }

    proptest! {
        #[test]
        fn levels_are_monotonic(a in 0u32..=100, b in 0u32..=100) {
            let r = ClassificationRules::default();
            let rank = |l: Level| Level::ALL.iter().position(|x| *x == l).unwrap();
            if a <= b { prop_assert!(rank(r.level(a)) >= rank(r.level(b))); }
        }

        #[test]
        fn quota_allows_exactly_the_share(good in 0u32..10_000) {
            let r = ClassificationRules::default();
            let allowed = r.excellent_allowed(good);
            prop_assert!(allowed * 5 <= good);
            prop_assert!((allowed + 1) * 5 > good);
            prop_assert!(r.check_quota(allowed, good, "x").is_ok());
            prop_assert!(r.check_quota(allowed + 1, good, "x").is_err());
        }
    }
}
