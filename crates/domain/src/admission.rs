//! The admission pipeline (kết nạp đảng viên): the steps in order, the age window, the cell's
//! two-thirds vote with escalation after repeated failures, and the deadlines in working days.

use chrono::{Datelike, NaiveDate};

use crate::calendar::Holidays;
use crate::member::add_months;
use crate::org::labelled_enum;
use crate::rules::Share;
use crate::workflow::Party;

labelled_enum!(
    /// Where a candidate is in the pipeline.
    Stage {
        Candidate = "candidate", "Quần chúng ưu tú";
        ClassDone = "class_done", "Đã học lớp nhận thức về Đảng";
        FileReady = "file_ready", "Hồ sơ đủ, chờ chi bộ xét";
        Voted = "voted", "Chi bộ đã biểu quyết, chờ quyết định";
        Escalated = "escalated", "Biểu quyết không đạt đủ số lần quy định, báo cáo cấp trên";
        Decided = "decided", "Có quyết định kết nạp, chờ lễ kết nạp";
        Probation = "probation", "Đảng viên dự bị";
        RecognitionVoted = "recognition_voted",
            "Chi bộ đề nghị công nhận chính thức, chờ cấp trên quyết định";
        RecognitionEscalated = "recognition_escalated",
            "Biểu quyết công nhận chính thức không đạt đủ số lần quy định, báo cáo cấp trên";
        Official = "official", "Đã công nhận chính thức";
        NotRecognised = "not_recognised", "Không công nhận chính thức";
    }
);

labelled_enum!(
    /// An action on a candidate's file, moving them to the next stage.
    AdmissionAction {
        Class = "class", "Hoàn thành lớp nhận thức về Đảng";
        File = "file", "Hoàn thiện hồ sơ";
        Vote = "vote", "Chi bộ biểu quyết";
        Decide = "decide", "Cấp ủy cấp trên quyết định kết nạp";
        Ceremony = "ceremony", "Tổ chức lễ kết nạp";
        RecognitionVote = "recognition_vote", "Chi bộ biểu quyết công nhận chính thức";
        ExtendRecognition = "extend_recognition", "Gia hạn thời gian xét công nhận chính thức";
        Recognise = "recognise", "Công nhận đảng viên chính thức";
        NotRecognise = "not_recognise", "Không công nhận đảng viên chính thức";
    }
);

impl Stage {
    /// The actions this stage offers, each with who takes it: the cell carries the file and
    /// votes twice (to admit, then to recognise), the superior committee decides both times
    /// (Điều lệ Đảng, Điều 5; Hướng dẫn 01-HD/TW 2021, 4.2).
    pub fn next_steps(self) -> &'static [(AdmissionAction, Party)] {
        use AdmissionAction::*;
        match self {
            Stage::Candidate => &[(Class, Party::Cell)],
            Stage::ClassDone => &[(File, Party::Cell)],
            Stage::FileReady => &[(Vote, Party::Cell)],
            Stage::Voted | Stage::Escalated => &[(Decide, Party::Superior)],
            Stage::Decided => &[(Ceremony, Party::Cell)],
            Stage::Probation => &[(RecognitionVote, Party::Cell)],
            Stage::RecognitionVoted | Stage::RecognitionEscalated => &[
                (ExtendRecognition, Party::Superior),
                (Recognise, Party::Superior),
                (NotRecognise, Party::Superior),
            ],
            Stage::Official | Stage::NotRecognised => &[],
        }
    }
}

/// The pipeline's parameters; the defaults are those of the Charter's current rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AdmissionRules {
    pub min_age: u32,
    pub max_age: u32,
    /// Months an introducer (an official member) must have worked, studied or lived with the
    /// candidate (Điều lệ Đảng, Điều 4; Hướng dẫn 01-HD/TW 2021, 3.3).
    pub introducer_known_months: u32,
    /// The cell's vote, to admit and to recognise: share of its official members.
    pub vote: Share,
    /// Failed votes after which the case goes to the superior committee (each vote apart).
    pub max_failed_votes: u32,
    pub decide_within_working_days: u32,
    pub ceremony_within_working_days: u32,
    pub probation_months: u32,
    pub review_within_working_days: u32,
    /// The superior committee decides the official membership within this many working days
    /// of the cell's vote, or of the third failed vote that sent the case up...
    pub recognise_within_working_days: u32,
    /// ...extendable once by this many when the file needs checking (Hướng dẫn 01-HD/TW
    /// 2021, 4.2.3: "không quá 30 ngày làm việc ... có thể kéo dài nhưng không quá 30 ngày").
    pub recognise_extension_working_days: u32,
}

impl Default for AdmissionRules {
    fn default() -> Self {
        Self {
            min_age: 18,
            max_age: 60,
            introducer_known_months: 12,
            vote: Share {
                numerator: 2,
                denominator: 3,
                strict: false,
            },
            max_failed_votes: 3,
            decide_within_working_days: 60,
            ceremony_within_working_days: 30,
            probation_months: 12,
            review_within_working_days: 30,
            recognise_within_working_days: 30,
            recognise_extension_working_days: 30,
        }
    }
}

/// Age in whole years on a day, counted as [`age_in_months`] counts (one born on 29 February
/// has a birthday on 28 February in other years).
pub fn age_on(born: NaiveDate, on: NaiveDate) -> u32 {
    age_in_months(born, on) / 12
}

/// Age in whole months on a day (18 years 0 months is 216).
pub fn age_in_months(born: NaiveDate, on: NaiveDate) -> u32 {
    let mut months = (on.year() - born.year()) * 12 + on.month() as i32 - born.month() as i32;
    if on.day() < born.day() && crate::member::add_months(born, months.max(0) as u32) > on {
        months -= 1;
    }
    months.max(0) as u32
}

impl AdmissionRules {
    /// Checks the candidate's age on the day the cell considers them, counted in months
    /// (Hướng dẫn 01-HD/TW 2021, 3.1: đủ 18 tuổi đến đủ 60 tuổi, tính theo tháng): from 18
    /// years 0 months to 60 years 0 months, so 60 years and 10 months is refused.
    pub fn check_age(&self, born: NaiveDate, on: NaiveDate) -> Result<(), String> {
        let months = age_in_months(born, on);
        if months < self.min_age * 12 || months > self.max_age * 12 {
            return Err(format!(
                "Người được xem xét kết nạp phải từ đủ {} tuổi đến {} tuổi 0 tháng (tính theo \
                 tháng); vào ngày {} là {} tuổi {} tháng.",
                self.min_age,
                self.max_age,
                on.format("%d/%m/%Y"),
                months / 12,
                months % 12
            ));
        }
        Ok(())
    }

    /// Whether a member official since `official_on` may be chosen as an introducer on `on`:
    /// an official member that day, however recently.
    pub fn may_introduce(&self, official_on: Option<NaiveDate>, on: NaiveDate) -> bool {
        official_on.is_some_and(|d| d <= on)
    }

    /// Checks an introducer on the day the file is made: an official member who has worked,
    /// studied or lived with the candidate since `known_since`, for at least the rule's
    /// months (not one who has been official that long).
    pub fn check_introducer(
        &self,
        official_on: Option<NaiveDate>,
        known_since: Option<NaiveDate>,
        on: NaiveDate,
    ) -> Result<(), String> {
        if !self.may_introduce(official_on, on) {
            return Err("Người giới thiệu phải là đảng viên chính thức.".into());
        }
        let Some(since) = known_since else {
            return Err(
                "Ghi ngày người giới thiệu bắt đầu cùng công tác, học tập hoặc sinh sống với \
                 người xin vào Đảng."
                    .into(),
            );
        };
        if add_months(since, self.introducer_known_months) > on {
            return Err(format!(
                "Người giới thiệu phải cùng công tác, học tập hoặc sinh sống với người xin vào \
                 Đảng ít nhất {} tháng; tính đến ngày {} mới được {} tháng.",
                self.introducer_known_months,
                on.format("%d/%m/%Y"),
                age_in_months(since, on)
            ));
        }
        Ok(())
    }

    /// The result of the cell's vote to admit: passed, or the stage it leaves the case in
    /// after `failed_before` earlier failures.
    pub fn vote(&self, votes_for: u32, official_members: u32, failed_before: u32) -> Stage {
        self.judge(
            votes_for,
            official_members,
            failed_before,
            [Stage::Voted, Stage::Escalated, Stage::FileReady],
        )
    }

    /// The result of the cell's vote to recognise a probationary member as official: the
    /// same share and the same escalation as the vote to admit (Điều lệ Đảng, Điều 5.3).
    pub fn recognition_vote(
        &self,
        votes_for: u32,
        official_members: u32,
        failed_before: u32,
    ) -> Stage {
        self.judge(
            votes_for,
            official_members,
            failed_before,
            [
                Stage::RecognitionVoted,
                Stage::RecognitionEscalated,
                Stage::Probation,
            ],
        )
    }

    /// Which of `[passed, escalated, vote again]` a vote leads to.
    fn judge(
        &self,
        votes_for: u32,
        official_members: u32,
        failed_before: u32,
        [passed, escalated, again]: [Stage; 3],
    ) -> Stage {
        if self.vote.met(votes_for, official_members) {
            passed
        } else if failed_before + 1 >= self.max_failed_votes {
            escalated
        } else {
            again
        }
    }

    pub fn decide_by(&self, voted_on: NaiveDate, h: &Holidays) -> NaiveDate {
        h.add_working_days(voted_on, self.decide_within_working_days)
    }

    pub fn ceremony_by(&self, decided_on: NaiveDate, h: &Holidays) -> NaiveDate {
        h.add_working_days(decided_on, self.ceremony_within_working_days)
    }

    /// The day probation ends and, if recognised, official membership starts.
    pub fn probation_ends(&self, ceremony_on: NaiveDate) -> NaiveDate {
        add_months(ceremony_on, self.probation_months)
    }

    pub fn review_by(&self, ceremony_on: NaiveDate, h: &Holidays) -> NaiveDate {
        h.add_working_days(
            self.probation_ends(ceremony_on),
            self.review_within_working_days,
        )
    }

    /// The superior committee's deadline for the official membership, counted from the cell's
    /// vote (or the failed vote that sent the case up), with the extension once granted.
    pub fn recognise_by(&self, voted_on: NaiveDate, extended: bool, h: &Holidays) -> NaiveDate {
        let extra = if extended {
            self.recognise_extension_working_days
        } else {
            0
        };
        h.add_working_days(voted_on, self.recognise_within_working_days + extra)
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
    fn ages() {
        assert_eq!(age_on(d(2000, 5, 20), d(2018, 5, 19)), 17);
        assert_eq!(age_on(d(2000, 5, 20), d(2018, 5, 20)), 18);
        let r = AdmissionRules::default();
        assert!(
            r.check_age(d(2008, 12, 1), d(2026, 11, 23))
                .unwrap_err()
                .contains("17 tuổi 11 tháng")
        );
        assert!(r.check_age(d(2008, 11, 23), d(2026, 11, 23)).is_ok());
        assert!(r.check_age(d(1966, 1, 1), d(2026, 11, 23)).is_err());
        assert!(r.check_age(d(1965, 1, 1), d(2026, 11, 23)).is_err());
    }

    /// Domain.md §6 as corrected: the age at the cell's consideration is counted in months,
    /// 18 years 0 months to 60 years 0 months. 60 years and 10 months passed when whole years
    /// were counted; it is refused.
    #[test]
    fn sixty_years_and_ten_months_is_too_old() {
        let r = AdmissionRules::default();
        let on = d(2026, 11, 23);
        let e = r.check_age(d(1966, 1, 10), on).unwrap_err();
        assert!(e.contains("60 tuổi 10 tháng"), "{e}");
        // 60 years and some days, not yet a month past: still 60 years 0 months.
        assert!(r.check_age(d(1966, 11, 1), on).is_ok());
        assert!(r.check_age(d(1966, 10, 22), on).is_err());
        // A month from the 31st ends on the month's last day, as party age counts it.
        assert_eq!(age_in_months(d(2000, 1, 31), d(2000, 2, 28)), 0);
        assert_eq!(age_in_months(d(2000, 1, 31), d(2000, 2, 29)), 1);
        assert_eq!(age_in_months(d(2000, 2, 29), d(2001, 2, 28)), 12);
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 2, 28)), 18);
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 2, 27)), 17);
    }

    /// Điều lệ Đảng, Điều 4 (domain.md §6): an introducer is an official member who has
    /// worked, studied or lived with the candidate for at least twelve months. A member
    /// official for years who met the candidate six months ago may not introduce them; one
    /// official last month who has worked beside them for two years may.
    #[test]
    fn an_introducer_has_known_the_candidate_a_year() {
        let r = AdmissionRules::default();
        let on = d(2026, 11, 23);
        let e = r
            .check_introducer(Some(d(2001, 3, 1)), Some(d(2026, 5, 23)), on)
            .unwrap_err();
        assert!(
            e.contains("12 tháng") && e.contains("mới được 6 tháng"),
            "{e}"
        );
        assert!(
            r.check_introducer(Some(d(2026, 10, 1)), Some(d(2024, 9, 1)), on)
                .is_ok()
        );
        assert!(
            r.check_introducer(Some(d(2026, 10, 1)), Some(d(2025, 11, 23)), on)
                .is_ok()
        );
        assert!(
            r.check_introducer(None, Some(d(2020, 1, 1)), on)
                .unwrap_err()
                .contains("chính thức")
        );
        assert!(
            r.check_introducer(Some(d(2026, 12, 1)), Some(d(2020, 1, 1)), on)
                .is_err()
        );
        assert!(r.check_introducer(Some(d(2001, 3, 1)), None, on).is_err());
    }

    #[test]
    fn votes_and_escalation() {
        let r = AdmissionRules::default();
        assert_eq!(r.vote(20, 30, 0), Stage::Voted);
        assert_eq!(r.vote(19, 30, 0), Stage::FileReady);
        assert_eq!(r.vote(19, 30, 1), Stage::FileReady);
        assert_eq!(r.vote(19, 30, 2), Stage::Escalated);
        assert_eq!(r.vote(0, 0, 0), Stage::FileReady);
    }

    /// Điều lệ Đảng, Điều 5.3 and Hướng dẫn 01-HD/TW 2021, 4.2 (domain.md §3, issue 12
    /// defect 7): before the superior committee recognises a probationary member, the cell
    /// votes with two-thirds of its official members; after three failures the case goes up.
    /// Until then the superior committee has nothing to decide.
    #[test]
    fn recognition_needs_the_cells_vote() {
        let r = AdmissionRules::default();
        assert_eq!(
            Stage::Probation.next_steps(),
            &[(AdmissionAction::RecognitionVote, Party::Cell)]
        );
        assert_eq!(r.recognition_vote(20, 30, 0), Stage::RecognitionVoted);
        assert_eq!(r.recognition_vote(19, 30, 0), Stage::Probation);
        assert_eq!(r.recognition_vote(19, 30, 1), Stage::Probation);
        assert_eq!(r.recognition_vote(19, 30, 2), Stage::RecognitionEscalated);
        for s in [Stage::RecognitionVoted, Stage::RecognitionEscalated] {
            assert!(
                s.next_steps()
                    .iter()
                    .all(|(_, party)| *party == Party::Superior)
            );
        }
        // Thirty working days from the vote, thirty more once extended.
        let h = Holidays::statutory();
        let voted = d(2026, 3, 2);
        let by = r.recognise_by(voted, false, &h);
        assert_eq!(h.working_days_between(voted, by), 30);
        let later = r.recognise_by(voted, true, &h);
        assert_eq!(h.working_days_between(by, later), 30);
    }

    #[test]
    fn introducers_and_deadlines() {
        let r = AdmissionRules::default();
        // Any official member may be chosen; how long they have known the candidate is
        // what `check_introducer` weighs.
        assert!(r.may_introduce(Some(d(2026, 11, 23)), d(2026, 11, 23)));
        assert!(!r.may_introduce(Some(d(2026, 11, 24)), d(2026, 11, 23)));
        assert!(!r.may_introduce(None, d(2026, 11, 23)));
        let h = Holidays::statutory();
        assert_eq!(r.decide_by(d(2026, 10, 1), &h), d(2026, 12, 24));
        assert_eq!(r.probation_ends(d(2026, 2, 3)), d(2027, 2, 3));
        assert!(r.review_by(d(2026, 2, 3), &h) > d(2027, 3, 1));
    }

    proptest! {
        #[test]
        fn months_of_age_agree_with_years(born in 0i64..30_000, later in 0i64..30_000) {
            let born = d(1930, 1, 1) + chrono::Duration::days(born);
            let on = born + chrono::Duration::days(later);
            let m = age_in_months(born, on);
            prop_assert!(crate::member::add_months(born, m) <= on);
            prop_assert!(crate::member::add_months(born, m + 1) > on);
        }

        /// Every action is offered at one stage at most (the decision at two: after the vote
        /// and after an escalation), the superior committee takes exactly the decisions, and
        /// the end stages offer nothing.
        #[test]
        fn each_action_has_its_stage(a in prop::sample::select(AdmissionAction::ALL)) {
            let at: Vec<Stage> = Stage::ALL
                .iter()
                .copied()
                .filter(|s| s.next_steps().iter().any(|(x, _)| *x == a))
                .collect();
            let expected = if matches!(
                a,
                AdmissionAction::Decide
                    | AdmissionAction::ExtendRecognition
                    | AdmissionAction::Recognise
                    | AdmissionAction::NotRecognise
            ) {
                2
            } else {
                1
            };
            prop_assert_eq!(at.len(), expected);
            for s in &at {
                let party = s.next_steps().iter().find(|(x, _)| *x == a).unwrap().1;
                let superior = matches!(
                    a,
                    AdmissionAction::Decide
                        | AdmissionAction::ExtendRecognition
                        | AdmissionAction::Recognise
                        | AdmissionAction::NotRecognise
                );
                prop_assert_eq!(party == Party::Superior, superior);
            }
            prop_assert!(Stage::Official.next_steps().is_empty());
            prop_assert!(Stage::NotRecognised.next_steps().is_empty());
        }
    }

    proptest! {
        #[test]
        fn a_vote_passes_with_two_thirds(official in 1u32..200, votes in 0u32..200) {
            prop_assume!(votes <= official);
            let r = AdmissionRules::default();
            let passed = r.vote(votes, official, 0) == Stage::Voted;
            prop_assert_eq!(passed, votes * 3 >= official * 2);
        }
    }
}
