//! The indicators of domain.md §7: what the committees report over a subtree and a period
//! ("trên 90%", "100% chi bộ sinh hoạt 1 lần/tháng", "75% chi bộ được kiểm tra"). Each is
//! defined once here, with its numerator and denominator in words; the statements that count
//! them are `chibo_store::indicators`, the use cases `app::reports`. A share is kept as an exact pair of counts and shown as a
//! percentage with one decimal, rounded half up; a share of nothing is "—", never 0% or 100%.
//! A programme's target is an indicator, a comparison and a value, judged here in integers.

use serde::{Deserialize, Serialize};

use crate::org::labelled_enum;

labelled_enum!(
    /// Every indicator of domain.md §7, in the order a report lists them.
    Indicator {
        Members = "members", "Số đảng viên";
        GrassrootsOrgs = "grassroots_orgs", "Số tổ chức cơ sở đảng";
        Cells = "cells", "Số chi bộ";
        CellsWithGroups = "cells_with_groups", "Chi bộ có tổ đảng";
        CellMonthsMet = "cell_months_met", "Tỷ lệ lượt chi bộ sinh hoạt thường kỳ hằng tháng";
        CellsMeetingMonthly = "cells_meeting_monthly", "Chi bộ sinh hoạt thường kỳ đủ các tháng";
        CellsThematicQuarterly = "cells_thematic_quarterly", "Chi bộ sinh hoạt chuyên đề đủ các quý";
        AttendanceRate = "attendance_rate", "Tỷ lệ đảng viên dự sinh hoạt thường kỳ";
        MeetingsAttendanceOk = "meetings_attendance_ok", "Buổi sinh hoạt đạt tỷ lệ dự quy định";
        MeetingsFullProcedure = "meetings_full_procedure", "Buổi sinh hoạt đủ nội dung, quy trình";
        MeetingsMinDuration = "meetings_min_duration", "Buổi sinh hoạt đủ thời lượng";
        DocumentsOnTime = "documents_on_time", "Buổi sinh hoạt gửi tài liệu đúng hạn";
        MembersTasked = "members_tasked", "Đảng viên được phân công nhiệm vụ cụ thể";
        TasksFollowedUp = "tasks_followed_up", "Nhiệm vụ được kiểm tra ở kỳ sinh hoạt sau";
        LevelExcellent = "meeting_level_tot", "Buổi sinh hoạt xếp loại Tốt";
        LevelGood = "meeting_level_kha", "Buổi sinh hoạt xếp loại Khá";
        LevelAverage = "meeting_level_trung_binh", "Buổi sinh hoạt xếp loại Trung bình";
        LevelWeak = "meeting_level_kem", "Buổi sinh hoạt xếp loại Kém";
        SuperiorAttended = "superior_attended", "Buổi sinh hoạt có cấp ủy cấp trên dự";
        ThematicTopics = "thematic_topics", "Chuyên đề đăng ký trong kế hoạch";
        CellsInspected = "cells_inspected", "Chi bộ được kiểm tra, giám sát";
        OfficersTrained = "officers_trained", "Bí thư, phó bí thư, chi ủy viên được bồi dưỡng";
        Courses = "courses", "Lớp bồi dưỡng";
        TraineeTimes = "trainee_times", "Lượt học viên";
        MembersAdmitted = "members_admitted", "Đảng viên được kết nạp";
        BadgesAwarded = "badges_awarded", "Huy hiệu Đảng được trao";
        CellsGoodOrBetter = "cells_good_or_better", "Chi bộ xếp loại tốt trở lên";
        MembersGoodOrBetter = "members_good_or_better", "Đảng viên xếp loại tốt trở lên";
        CadresTasked = "cadres_tasked", "Cán bộ được giao nhiệm vụ đột phá";
        CadreTasksGiven = "cadre_tasks_given", "Nhiệm vụ đột phá được giao";
        CadreTasksDone = "cadre_tasks_done", "Nhiệm vụ đột phá hoàn thành";
    }
);

labelled_enum!(
    /// An early warning a committee sees over its subtree, each with its evidence.
    Warning {
        MissedMonth = "missed_month", "Chi bộ không sinh hoạt thường kỳ trong tháng";
        MissedQuarter = "missed_quarter", "Chi bộ không sinh hoạt chuyên đề trong quý";
        LowAttendanceTwice = "low_attendance_twice", "Tỷ lệ đảng viên dự dưới quy định hai kỳ liền";
        TasksNotFollowedUp = "tasks_not_followed_up", "Nhiệm vụ không được kiểm tra ở kỳ sinh hoạt sau";
        DocumentsLate = "documents_late", "Tài liệu không gửi trước đủ thời gian quy định";
        TooShort = "too_short", "Buổi sinh hoạt không đủ thời lượng tối thiểu";
        IncompleteProcedure = "incomplete_procedure", "Buổi sinh hoạt không đủ, đúng trình tự các bước";
        MembersWithoutTask = "members_without_task", "Nghị quyết để đảng viên không được phân công nhiệm vụ";
        RepeatedAbsence = "repeated_absence", "Đảng viên vắng sinh hoạt không lý do đến mức phải xem xét xóa tên";
        UnpaidDues = "unpaid_dues", "Đảng viên không nộp đảng phí không lý do đến mức phải xem xét xóa tên";
        CopiedMinutes = "copied_minutes", "Biên bản gần như sao chép kỳ trước";
        AgencyPartyTime = "agency_party_time", "Chi bộ cơ quan dành quá ít thời gian cho công tác đảng, thời sự";
        OverdueAdmission = "overdue_admission", "Hồ sơ kết nạp, chuyển đảng chính thức quá hạn";
        OverdueTransfer = "overdue_transfer", "Chuyển sinh hoạt đảng quá hạn";
        BelowThreeOfficial = "below_three_official", "Chi bộ dưới ba đảng viên chính thức";
        NoSecretary = "no_secretary", "Chi bộ chưa có bí thư";
    }
);

/// How an indicator is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Numerator over denominator, in percent.
    Share,
    /// A count.
    Count,
}

impl Indicator {
    pub fn measure(self) -> Measure {
        use Indicator::*;
        match self {
            CellMonthsMet
            | CellsMeetingMonthly
            | CellsThematicQuarterly
            | AttendanceRate
            | MeetingsAttendanceOk
            | MeetingsFullProcedure
            | MeetingsMinDuration
            | DocumentsOnTime
            | MembersTasked
            | TasksFollowedUp
            | SuperiorAttended
            | CellsInspected
            | OfficersTrained
            | CellsGoodOrBetter
            | MembersGoodOrBetter => Measure::Share,
            _ => Measure::Count,
        }
    }

    /// The quality level of a meeting this indicator counts, by the level's code in the rule
    /// set's scoring sheet.
    pub fn level_code(self) -> Option<&'static str> {
        self.code().strip_prefix("meeting_level_")
    }

    /// The warning that lists the rows this indicator misses (the months without a meeting
    /// behind "cell-months met"), when there is one.
    pub fn evidence(self) -> Option<Warning> {
        use Indicator::*;
        match self {
            CellMonthsMet | CellsMeetingMonthly => Some(Warning::MissedMonth),
            CellsThematicQuarterly => Some(Warning::MissedQuarter),
            MeetingsMinDuration => Some(Warning::TooShort),
            DocumentsOnTime => Some(Warning::DocumentsLate),
            TasksFollowedUp => Some(Warning::TasksNotFollowedUp),
            MeetingsFullProcedure => Some(Warning::IncompleteProcedure),
            MembersTasked => Some(Warning::MembersWithoutTask),
            _ => None,
        }
    }

    /// What is counted, in words: the numerator and, for a share, the denominator.
    pub fn definition(self) -> &'static str {
        use Indicator::*;
        match self {
            Members => "Đảng viên trong danh sách của các đơn vị thuộc phạm vi, ngày cuối kỳ",
            GrassrootsOrgs => "Đảng bộ cơ sở và chi bộ cơ sở thuộc phạm vi, ngày cuối kỳ",
            Cells => "Chi bộ (chi bộ trực thuộc và chi bộ cơ sở) thuộc phạm vi, ngày cuối kỳ",
            CellsWithGroups => "Chi bộ có tổ đảng, ngày cuối kỳ",
            CellMonthsMet => {
                "Lượt (chi bộ, tháng) có buổi sinh hoạt thường kỳ đã tổ chức / lượt (chi bộ, tháng) phải sinh hoạt"
            }
            CellsMeetingMonthly => {
                "Chi bộ sinh hoạt thường kỳ đủ mọi tháng phải sinh hoạt / chi bộ phải sinh hoạt ít nhất một tháng"
            }
            CellsThematicQuarterly => {
                "Chi bộ sinh hoạt chuyên đề đủ các quý trọn trong kỳ / chi bộ có ít nhất một quý như vậy"
            }
            AttendanceRate => {
                "Tổng đảng viên có mặt / tổng đảng viên phải dự, qua các buổi sinh hoạt thường kỳ đã tổ chức"
            }
            MeetingsAttendanceOk => {
                "Buổi thường kỳ đạt tỷ lệ dự của quy định / buổi thường kỳ đã tổ chức"
            }
            MeetingsFullProcedure => {
                "Buổi đã tổ chức làm đủ các bước của quy trình, đúng thứ tự / buổi đã tổ chức"
            }
            MeetingsMinDuration => {
                "Buổi đủ thời lượng tối thiểu / buổi đã tổ chức có ghi giờ kết thúc"
            }
            DocumentsOnTime => "Buổi gửi tài liệu trước đủ số ngày quy định / buổi đã tổ chức",
            MembersTasked => {
                "Tổng đảng viên phải dự được giao nhiệm vụ tại buổi / tổng đảng viên phải dự, qua các buổi thường kỳ"
            }
            TasksFollowedUp => {
                "Nhiệm vụ đã hoàn thành hoặc có báo cáo kết quả / nhiệm vụ mà chi bộ đã họp kỳ thường kỳ kế tiếp"
            }
            LevelExcellent | LevelGood | LevelAverage | LevelWeak => {
                "Buổi đã tổ chức được xếp loại ở mức này theo phiếu chấm điểm"
            }
            SuperiorAttended => "Buổi có đồng chí cấp ủy cấp trên dự / buổi đã tổ chức",
            ThematicTopics => "Chuyên đề đăng ký trong kế hoạch năm của chi bộ, các năm của kỳ",
            CellsInspected => {
                "Chi bộ được kiểm tra, giám sát có kết quả trong kỳ / chi bộ ngày cuối kỳ"
            }
            OfficersTrained => {
                "Bí thư, phó bí thư, chi ủy viên đương nhiệm hoàn thành lớp bồi dưỡng trong kỳ / những đồng chí đó"
            }
            Courses => "Lớp bồi dưỡng kết thúc trong kỳ",
            TraineeTimes => "Lượt học viên của các lớp đó",
            MembersAdmitted => "Quyết định kết nạp đảng viên trong kỳ",
            BadgesAwarded => "Huy hiệu Đảng trao trong kỳ",
            CellsGoodOrBetter => {
                "Chi bộ xếp loại tốt, xuất sắc / chi bộ được xếp loại, các năm kết thúc trong kỳ"
            }
            MembersGoodOrBetter => {
                "Đảng viên xếp loại tốt, xuất sắc / đảng viên được xếp loại, các năm kết thúc trong kỳ"
            }
            CadresTasked => "Cán bộ được giao nhiệm vụ đột phá có năm trong kỳ",
            CadreTasksGiven => "Nhiệm vụ đột phá được giao có năm trong kỳ",
            CadreTasksDone => "Nhiệm vụ đột phá đã hoàn thành có năm trong kỳ",
        }
    }
}

/// A figure: a count, or a share kept as its two counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    pub numerator: u64,
    /// `None` for a count.
    pub denominator: Option<u64>,
}

impl Figure {
    pub fn count(n: u64) -> Figure {
        Figure {
            numerator: n,
            denominator: None,
        }
    }

    pub fn share(numerator: u64, denominator: u64) -> Figure {
        Figure {
            numerator,
            denominator: Some(denominator),
        }
    }

    /// The value in tenths: a count times ten, a share in tenths of a percent rounded half up;
    /// `None` for a share of nothing.
    pub fn tenths(self) -> Option<i64> {
        match self.denominator {
            None => Some(self.numerator as i64 * 10),
            Some(d) => share_tenths(self.numerator, d).map(|t| t as i64),
        }
    }

    /// The value as the API gives it: a percentage with one decimal, or the count.
    pub fn value(self) -> Option<f64> {
        match self.denominator {
            None => Some(self.numerator as f64),
            Some(_) => self.tenths().map(|t| t as f64 / 10.0),
        }
    }

    /// "93,3%", "1.204" or "—".
    pub fn text(self) -> String {
        match (self.denominator, self.tenths()) {
            (None, _) => crate::text::thousands(self.numerator),
            (Some(_), None) => "—".into(),
            (Some(_), Some(t)) => format!("{},{}%", t / 10, t % 10),
        }
    }

    /// The figures of two parts added up (a unit's children into the unit).
    pub fn plus(self, other: Figure) -> Figure {
        Figure {
            numerator: self.numerator + other.numerator,
            denominator: match (self.denominator, other.denominator) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
            },
        }
    }
}

/// `numerator / denominator` in tenths of a percent, rounded half up; `None` when the
/// denominator is 0. Exact in integers: 2/3 is 66.7%, 1/8 is 12.5%, 1/16 is 6.3%.
pub fn share_tenths(numerator: u64, denominator: u64) -> Option<u64> {
    if denominator == 0 {
        return None;
    }
    let (n, d) = (numerator as u128, denominator as u128);
    Some(((n * 2000 + d) / (2 * d)) as u64)
}

labelled_enum!(
    /// How a target compares the figure with its value.
    Comparison {
        AtLeast = "at_least", "≥";
        MoreThan = "more_than", ">";
        AtMost = "at_most", "≤";
        LessThan = "less_than", "<";
        Equal = "equal", "=";
    }
);

impl Comparison {
    /// Whether `value` compared with `target` holds (both in tenths).
    pub fn holds(self, value: i64, target: i64) -> bool {
        match self {
            Comparison::AtLeast => value >= target,
            Comparison::MoreThan => value > target,
            Comparison::AtMost => value <= target,
            Comparison::LessThan => value < target,
            Comparison::Equal => value == target,
        }
    }
}

/// A programme's target: "attendance_rate ≥ 90".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: Indicator,
    pub comparison: Comparison,
    /// The value in tenths (a percentage for a share, a count otherwise): 90% is 900.
    pub tenths: i64,
}

impl Target {
    /// Whether the figure meets the target; `None` when the figure is a share of nothing.
    pub fn met(self, f: Figure) -> Option<bool> {
        f.tenths().map(|v| self.comparison.holds(v, self.tenths))
    }

    /// How far the figure is from the target, in tenths (positive: beyond it in the target's
    /// direction); `None` for a share of nothing.
    pub fn gap_tenths(self, f: Figure) -> Option<i64> {
        let v = f.tenths()?;
        Some(match self.comparison {
            Comparison::AtMost | Comparison::LessThan => self.tenths - v,
            _ => v - self.tenths,
        })
    }

    /// Whether meeting this target also meets `other` (same indicator): a programme below may
    /// only tighten the target of the one it implements.
    pub fn at_least_as_strict_as(self, other: Target) -> bool {
        use Comparison::*;
        let up = |c: Comparison| matches!(c, AtLeast | MoreThan);
        let down = |c: Comparison| matches!(c, AtMost | LessThan);
        match (self.comparison, other.comparison) {
            (a, b) if up(a) && up(b) => {
                self.tenths > other.tenths
                    || (self.tenths == other.tenths && (a == b || a == MoreThan))
            }
            (a, b) if down(a) && down(b) => {
                self.tenths < other.tenths
                    || (self.tenths == other.tenths && (a == b || a == LessThan))
            }
            (Equal, b) => b.holds(self.tenths, other.tenths),
            _ => false,
        }
    }

    /// "≥ 90%", "≥ 900".
    pub fn text(self) -> String {
        let value = tenths_text(self.tenths);
        match self.indicator.measure() {
            Measure::Share => format!("{} {value}%", self.comparison.label()),
            Measure::Count => format!("{} {value}", self.comparison.label()),
        }
    }
}

/// "90", "92,5", "-3,4": a value in tenths as written in Vietnamese.
pub fn tenths_text(t: i64) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let t = t.unsigned_abs();
    if t.is_multiple_of(10) {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{},{}", t / 10, t % 10)
    }
}

/// A target's value as typed ("90", "92,5", "92.5", "75%"), in tenths; `None` when it is
/// not a number with at most one decimal, or is negative, or is above 100 for a share.
pub fn parse_tenths(text: &str, measure: Measure) -> Option<i64> {
    let t = text.trim().trim_end_matches('%').trim().replace(',', ".");
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), "0"),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() != 1
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 12
    {
        return None;
    }
    let v = whole.parse::<i64>().ok()? * 10 + frac.parse::<i64>().ok()?;
    match measure {
        Measure::Share if v > 1000 => None,
        Measure::Count if v % 10 != 0 => None,
        _ => Some(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shares_round_half_up_to_one_decimal() {
        assert_eq!(share_tenths(2, 3), Some(667));
        assert_eq!(share_tenths(1, 3), Some(333));
        assert_eq!(share_tenths(1, 8), Some(125));
        assert_eq!(share_tenths(1, 16), Some(63));
        assert_eq!(share_tenths(17, 20), Some(850));
        assert_eq!(share_tenths(0, 5), Some(0));
        assert_eq!(share_tenths(5, 5), Some(1000));
        assert_eq!(share_tenths(3, 0), None);
    }

    #[test]
    fn a_share_of_nothing_is_a_dash_never_a_percentage() {
        assert_eq!(Figure::share(0, 0).text(), "—");
        assert_eq!(Figure::share(0, 0).value(), None);
        assert_eq!(Figure::share(9, 10).text(), "90,0%");
        assert_eq!(Figure::share(2, 3).value(), Some(66.7));
        assert_eq!(Figure::count(1204).text(), "1.204");
        assert_eq!(Figure::count(1204).value(), Some(1204.0));
        let target = Target {
            indicator: Indicator::AttendanceRate,
            comparison: Comparison::AtLeast,
            tenths: 900,
        };
        assert_eq!(target.met(Figure::share(0, 0)), None);
        assert_eq!(target.met(Figure::share(9, 10)), Some(true));
        assert_eq!(target.met(Figure::share(899, 1000)), Some(false));
        assert_eq!(target.gap_tenths(Figure::share(17, 20)), Some(-50));
        assert_eq!(target.text(), "≥ 90%");
    }

    #[test]
    fn every_indicator_has_a_code_a_definition_and_the_levels_name_their_code() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::from_code(i.code()), Some(*i));
            assert!(!i.definition().is_empty());
        }
        assert_eq!(Indicator::LevelExcellent.level_code(), Some("tot"));
        assert_eq!(Indicator::AttendanceRate.level_code(), None);
        assert_eq!(Indicator::AttendanceRate.measure(), Measure::Share);
        assert_eq!(Indicator::TraineeTimes.measure(), Measure::Count);
    }

    #[test]
    fn target_values_are_read_as_typed_in_vietnamese() {
        assert_eq!(parse_tenths("90", Measure::Share), Some(900));
        assert_eq!(parse_tenths(" 92,5 % ", Measure::Share), Some(925));
        assert_eq!(parse_tenths("92.5", Measure::Share), Some(925));
        assert_eq!(parse_tenths("100", Measure::Share), Some(1000));
        assert_eq!(parse_tenths("100,1", Measure::Share), None);
        assert_eq!(parse_tenths("92,55", Measure::Share), None);
        assert_eq!(parse_tenths("-3", Measure::Share), None);
        assert_eq!(parse_tenths("chín mươi", Measure::Share), None);
        assert_eq!(parse_tenths("900", Measure::Count), Some(9000));
        assert_eq!(parse_tenths("900,5", Measure::Count), None);
        assert_eq!(tenths_text(925), "92,5");
        assert_eq!(tenths_text(900), "90");
        assert_eq!(tenths_text(-34), "-3,4");
    }

    proptest! {
        /// The rounded share is within half a tenth of the exact one, and ties go up.
        #[test]
        fn the_share_is_the_exact_ratio_rounded_half_up(n in 0u64..1_000_000, d in 1u64..1_000_000) {
            let t = share_tenths(n, d).unwrap() as f64;
            let exact = n as f64 * 1000.0 / d as f64;
            prop_assert!((t - exact).abs() <= 0.5 + 1e-6);
            // Half up: 2·n·1000 = (2t − 1)·d is a tie that rounds to t.
            let (n, d, t) = (n as u128, d as u128, t as u128);
            prop_assert!(2 * n * 1000 >= (2 * t).saturating_sub(1) * d);
            prop_assert!(2 * n * 1000 < (2 * t + 1) * d);
        }

        /// Adding parts adds numerators and denominators, never averages the percentages.
        #[test]
        fn parts_add_up_by_their_counts(a in 0u64..1000, b in 1u64..1000, c in 0u64..1000, d in 1u64..1000) {
            let sum = Figure::share(a, b).plus(Figure::share(c, d));
            prop_assert_eq!(sum, Figure::share(a + c, b + d));
            prop_assert_eq!(Figure::count(a).plus(Figure::count(c)), Figure::count(a + c));
        }

        /// A target met is never also missed by its opposite comparison.
        #[test]
        fn at_least_and_less_than_are_opposites(v in 0i64..2000, t in 0i64..2000) {
            prop_assert_ne!(Comparison::AtLeast.holds(v, t), Comparison::LessThan.holds(v, t));
            prop_assert_ne!(Comparison::AtMost.holds(v, t), Comparison::MoreThan.holds(v, t));
        }

        /// A stricter target's every value meets the looser one.
        #[test]
        fn a_stricter_target_implies_the_looser(a in 0i64..1000, b in 0i64..1000, v in 0i64..1000, ca in 0usize..5, cb in 0usize..5) {
            let t = |tenths, c: usize| Target { indicator: Indicator::AttendanceRate, comparison: Comparison::ALL[c], tenths };
            let (strict, loose) = (t(a, ca), t(b, cb));
            if strict.at_least_as_strict_as(loose) && strict.comparison.holds(v, a) {
                prop_assert!(loose.comparison.holds(v, b));
            }
        }

        /// What `tenths_text` writes, `parse_tenths` reads back.
        #[test]
        fn target_values_round_trip(v in 0i64..=1000) {
            prop_assert_eq!(parse_tenths(&tenths_text(v), Measure::Share), Some(v));
        }
    }
}
