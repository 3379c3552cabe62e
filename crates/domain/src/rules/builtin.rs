//! The built-in rule sets chibo ships with: the national framework, its meeting procedure and
//! scoring sheet, and the base from which an administrator's own set starts.

use chrono::NaiveDate;

use crate::rules::{
    AutoCheck, CheckInRules, Criterion, Frequency, Level, MeetingKindRule, RuleSet, ScoringSheet,
    Share, Step, VoteRules,
};

fn step(code: &str, label: &str) -> Step {
    Step {
        code: code.into(),
        label: label.into(),
    }
}

fn kinds() -> Vec<MeetingKindRule> {
    let k = |code: &str, label: &str, frequency, min| MeetingKindRule {
        code: code.into(),
        label: label.into(),
        frequency,
        min_per_period: min,
    };
    vec![
        k("regular", "Sinh hoạt thường kỳ", Frequency::Monthly, 1),
        k("thematic", "Sinh hoạt chuyên đề", Frequency::Quarterly, 1),
        k(
            "extraordinary",
            "Sinh hoạt bất thường",
            Frequency::AsNeeded,
            0,
        ),
        k("committee", "Họp chi ủy", Frequency::Monthly, 1),
    ]
}

/// The ordered procedure of a regular meeting (domain.md §4).
pub(crate) fn procedure() -> Vec<Step> {
    vec![
        step("opening", "Nêu lý do, giới thiệu đại biểu"),
        step("secretary", "Cử thư ký ghi biên bản"),
        step("attendance", "Báo cáo tình hình đảng viên dự họp"),
        step("agenda", "Thông qua chương trình"),
        step(
            "current_affairs",
            "Thông tin thời sự, quán triệt văn bản cấp trên",
        ),
        step(
            "review",
            "Đánh giá tháng trước, kiểm điểm việc thực hiện nghị quyết",
        ),
        step("next_tasks", "Phương hướng, nhiệm vụ tháng tới"),
        step("discussion", "Thảo luận"),
        step(
            "conclusion",
            "Chủ trì kết luận, phân công nhiệm vụ cho đảng viên",
        ),
        step("vote", "Biểu quyết nghị quyết (kết luận)"),
        step(
            "membership",
            "Công tác đảng viên (kết nạp, chuyển chính thức, miễn sinh hoạt, chuyển sinh hoạt)",
        ),
        step("scoring", "Đánh giá chất lượng buổi sinh hoạt"),
        step("minutes", "Thông qua biên bản"),
        step("closing", "Bế mạc"),
    ]
}

pub(crate) fn criterion(
    code: &str,
    label: &str,
    points: u32,
    auto: Option<AutoCheck>,
) -> Criterion {
    Criterion {
        code: code.into(),
        label: label.into(),
        points,
        auto,
    }
}

pub(crate) fn levels(good: u32, fair: u32, average: u32) -> Vec<Level> {
    let l = |code: &str, label: &str, min| Level {
        code: code.into(),
        label: label.into(),
        min_points: min,
    };
    vec![
        l("tot", "Tốt", good),
        l("kha", "Khá", fair),
        l("trung_binh", "Trung bình", average),
        l("kem", "Kém", 0),
    ]
}

/// The framework sheet: the five criteria groups of Hướng dẫn 12 / Hướng dẫn 42, split into what
/// chibo computes and what the cell judges.
fn framework_sheet(name: &str) -> ScoringSheet {
    use AutoCheck::*;
    ScoringSheet {
        name: name.into(),
        criteria: vec![
            criterion(
                "attendance",
                AttendanceAboveThreshold.label(),
                10,
                Some(AttendanceAboveThreshold),
            ),
            criterion(
                "no_unexcused",
                NoUnexcusedAbsence.label(),
                5,
                Some(NoUnexcusedAbsence),
            ),
            criterion(
                "no_long_absence",
                NoLongAbsenceRun.label(),
                5,
                Some(NoLongAbsenceRun),
            ),
            criterion(
                "prepared",
                CommitteePrepared.label(),
                10,
                Some(CommitteePrepared),
            ),
            criterion(
                "documents",
                DocumentsInTime.label(),
                5,
                Some(DocumentsInTime),
            ),
            criterion(
                "draft",
                DraftResolutionPresent.label(),
                5,
                Some(DraftResolutionPresent),
            ),
            criterion("content", "Nội dung đúng, đầy đủ, trọng tâm", 15, None),
            criterion("duration", DurationMet.label(), 5, Some(DurationMet)),
            criterion("procedure_order", "Đúng thời gian, trình tự", 5, None),
            criterion(
                "speakers",
                "Nhiều đảng viên phát biểu; phê bình, biểu dương đúng mức",
                10,
                None,
            ),
            criterion("minutes", MinutesComplete.label(), 5, Some(MinutesComplete)),
            criterion(
                "principles",
                "Giữ nguyên tắc tổ chức sinh hoạt đảng",
                5,
                None,
            ),
            criterion("tasks", TasksAssigned.label(), 5, Some(TasksAssigned)),
            criterion(
                "follow_up",
                LastTasksFollowedUp.label(),
                10,
                Some(LastTasksFollowedUp),
            ),
        ],
        levels: levels(90, 70, 50),
    }
}

fn base(combined: u32, sheet: ScoringSheet) -> RuleSet {
    RuleSet {
        meeting_kinds: kinds(),
        min_duration_minutes: 90,
        combined_min_duration_minutes: combined,
        document_lead_days: 1,
        check_in: CheckInRules::default(),
        procedure: procedure(),
        attendance_threshold: Share {
            numerator: 85,
            denominator: 100,
            strict: true,
        },
        max_consecutive_absences: 3,
        vote: VoteRules {
            ordinary: Share {
                numerator: 1,
                denominator: 2,
                strict: true,
            },
        },
        scoring: sheet,
    }
}

/// A built-in rule set: its code, name, effective date and body.
pub struct Builtin {
    pub code: &'static str,
    pub name: &'static str,
    pub effective_from: NaiveDate,
    /// National sets apply everywhere; a provincial template is attached to a province.
    pub national: bool,
    pub rules: RuleSet,
}

/// The shipped rule sets: Hướng dẫn 12 (2018), Chỉ thị 50 with Hướng dẫn 42 (from 28 Oct 2025),
/// and a provincial points sheet modelled on the provinces' sheets (levels Tốt, Khá, Trung
/// bình, Kém), to be attached to a province.
pub fn builtins() -> Vec<Builtin> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
    let mut provincial = base(
        120,
        framework_sheet("Phiếu chấm điểm chất lượng sinh hoạt chi bộ thường kỳ (mẫu cấp tỉnh)"),
    );
    provincial.scoring.criteria.push(criterion(
        "current_affairs_time",
        "Dành thời gian thỏa đáng cho thông tin thời sự",
        5,
        None,
    ));
    provincial.scoring.criteria.push(criterion(
        "self_criticism",
        "Tự phê bình và phê bình thường xuyên, không chỉ cuối năm",
        5,
        None,
    ));
    provincial.scoring.levels = levels(95, 80, 60);
    vec![
        Builtin {
            code: "hd12-2018",
            name: "Hướng dẫn 12-HD/BTCTW ngày 06/7/2018",
            effective_from: d(2018, 7, 6),
            national: true,
            rules: base(
                0,
                framework_sheet("Tiêu chí đánh giá chất lượng sinh hoạt chi bộ (Hướng dẫn 12)"),
            ),
        },
        Builtin {
            code: "ct50-hd42-2025",
            name: "Chỉ thị 50-CT/TW và Hướng dẫn 42-HD/BTCTW ngày 28/10/2025",
            effective_from: d(2025, 10, 28),
            national: true,
            rules: base(
                120,
                framework_sheet("Tiêu chí đánh giá chất lượng sinh hoạt chi bộ (Hướng dẫn 42)"),
            ),
        },
        Builtin {
            code: "tinh-mau-2025",
            name: "Phiếu chấm điểm cấp tỉnh (mẫu, 4 mức Tốt/Khá/Trung bình/Kém)",
            effective_from: d(2025, 10, 28),
            national: false,
            rules: provincial,
        },
    ]
}
