//! Meeting rules as versioned data (domain.md §4, §5, §8): what a rule set holds, the built-in
//! sets, and the arithmetic that judges a meeting by them. No I/O.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::Invalid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    AsNeeded,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingKindRule {
    /// `regular`, `thematic`, `extraordinary`, `committee`.
    pub code: String,
    pub label: String,
    pub frequency: Frequency,
    /// How many are required per period (0 for "when needed").
    pub min_per_period: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub code: String,
    pub label: String,
}

/// A share: `numerator/denominator`, met when strictly above it (`strict`) or at least it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub numerator: u32,
    pub denominator: u32,
    pub strict: bool,
}

impl Share {
    /// Whether `part` out of `whole` meets the share, in exact integer arithmetic.
    pub fn met(self, part: u32, whole: u32) -> bool {
        if whole == 0 {
            return false;
        }
        let lhs = u64::from(part) * u64::from(self.denominator);
        let rhs = u64::from(self.numerator) * u64::from(whole);
        if self.strict { lhs > rhs } else { lhs >= rhs }
    }

    /// The smallest count out of `whole` that meets the share.
    pub fn needed(self, whole: u32) -> u32 {
        (0..=whole)
            .find(|p| self.met(*p, whole))
            .unwrap_or(whole + 1)
    }

    pub fn text(self) -> String {
        match (self.numerator, self.denominator, self.strict) {
            (n, 100, true) => format!("trên {n}%"),
            (n, 100, false) => format!("từ {n}% trở lên"),
            (1, 2, true) => "quá một nửa".to_string(),
            (2, 3, false) => "ít nhất hai phần ba".to_string(),
            (n, d, true) => format!("quá {n}/{d}"),
            (n, d, false) => format!("ít nhất {n}/{d}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteRules {
    /// Resolutions and conclusions: more than half of the members counted (domain.md §4).
    pub ordinary: Share,
    /// Admission and official recognition: two-thirds of official members.
    pub admission: Share,
}

/// What chibo can compute for a criterion from what was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoCheck {
    AttendanceAboveThreshold,
    NoUnexcusedAbsence,
    NoLongAbsenceRun,
    DurationMet,
    DocumentsInTime,
    CommitteePrepared,
    DraftResolutionPresent,
    MinutesComplete,
    TasksAssigned,
    LastTasksFollowedUp,
}

impl AutoCheck {
    pub fn label(self) -> &'static str {
        match self {
            AutoCheck::AttendanceAboveThreshold => "Tỷ lệ đảng viên dự họp đạt ngưỡng",
            AutoCheck::NoUnexcusedAbsence => "Không có đảng viên vắng không lý do",
            AutoCheck::NoLongAbsenceRun => {
                "Không có đảng viên vắng quá số lần liên tiếp cho phép trong năm"
            }
            AutoCheck::DurationMet => "Đủ thời lượng sinh hoạt",
            AutoCheck::DocumentsInTime => "Tài liệu gửi trước đúng hạn",
            AutoCheck::CommitteePrepared => "Chi ủy họp chuẩn bị trước",
            AutoCheck::DraftResolutionPresent => "Có dự thảo nghị quyết (kết luận)",
            AutoCheck::MinutesComplete => "Biên bản đầy đủ các mục",
            AutoCheck::TasksAssigned => "Mọi đảng viên đang công tác được phân công nhiệm vụ",
            AutoCheck::LastTasksFollowedUp => "Kiểm điểm việc thực hiện nhiệm vụ tháng trước",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub label: String,
    /// Points when fully met.
    pub points: u32,
    /// Filled in by chibo when set; entered by the cell otherwise.
    #[serde(default)]
    pub auto: Option<AutoCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub code: String,
    pub label: String,
    /// The lowest total that reaches this level.
    pub min_points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringSheet {
    pub name: String,
    pub criteria: Vec<Criterion>,
    /// Highest first.
    pub levels: Vec<Level>,
}

/// Everything a meeting is judged by, in force from `effective_from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    pub meeting_kinds: Vec<MeetingKindRule>,
    pub min_duration_minutes: u32,
    /// When a regular and a thematic meeting are held together (0: no such rule).
    pub combined_min_duration_minutes: u32,
    pub document_lead_days: u32,
    pub procedure: Vec<Step>,
    pub attendance_threshold: Share,
    /// "No member absent (even with reason) more than N times in a row in the year."
    pub max_consecutive_absences: u32,
    pub vote: VoteRules,
    pub scoring: ScoringSheet,
    /// When members may check themselves in with the meeting's QR code.
    #[serde(default)]
    pub check_in: CheckInRules,
}

/// The QR check-in window: from `opens_before_minutes` before the start to `open_for_minutes`
/// after it. Not fixed by any guide; a parameter of the rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInRules {
    pub opens_before_minutes: u32,
    pub open_for_minutes: u32,
}

impl Default for CheckInRules {
    fn default() -> Self {
        Self {
            opens_before_minutes: 30,
            open_for_minutes: 240,
        }
    }
}

/// The moments (local time) between which members may check in to a meeting.
pub fn check_in_window(
    rules: &CheckInRules,
    date: NaiveDate,
    start: NaiveTime,
) -> (NaiveDateTime, NaiveDateTime) {
    let at = date.and_time(start);
    (
        at - chrono::Duration::minutes(i64::from(rules.opens_before_minutes)),
        at + chrono::Duration::minutes(i64::from(rules.open_for_minutes)),
    )
}

/// Whether `now` (local time) falls in the check-in window, both ends included.
pub fn check_in_open(
    rules: &CheckInRules,
    date: NaiveDate,
    start: NaiveTime,
    now: NaiveDateTime,
) -> bool {
    let (from, to) = check_in_window(rules, date, start);
    from <= now && now <= to
}

impl RuleSet {
    /// Checks a rule set an administrator typed; every problem is named in Vietnamese.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut e = Invalid::new();
        if self.meeting_kinds.iter().all(|k| k.code != "regular") {
            e.push(
                "meeting_kinds",
                "Phải có loại sinh hoạt thường kỳ (mã \"regular\").",
            );
        }
        if !(30..=480).contains(&self.min_duration_minutes) {
            e.push(
                "min_duration_minutes",
                "Thời lượng tối thiểu phải từ 30 đến 480 phút.",
            );
        }
        if self.combined_min_duration_minutes != 0
            && self.combined_min_duration_minutes < self.min_duration_minutes
        {
            e.push(
                "combined_min_duration_minutes",
                "Thời lượng khi sinh hoạt kết hợp không được ít hơn thời lượng tối thiểu.",
            );
        }
        if self.document_lead_days > 30 {
            e.push(
                "document_lead_days",
                "Số ngày gửi tài liệu trước không quá 30.",
            );
        }
        if self.procedure.is_empty() {
            e.push("procedure", "Quy trình sinh hoạt phải có ít nhất một bước.");
        }
        let mut codes: Vec<&str> = self.procedure.iter().map(|s| s.code.as_str()).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            e.push(
                "procedure",
                "Mã các bước trong quy trình không được trùng nhau.",
            );
        }
        for (field, s) in [
            ("attendance_threshold", self.attendance_threshold),
            ("vote.ordinary", self.vote.ordinary),
            ("vote.admission", self.vote.admission),
        ] {
            if s.denominator == 0 || s.numerator > s.denominator {
                e.push(
                    field,
                    "Tỷ lệ phải có mẫu số khác 0 và tử số không lớn hơn mẫu số.",
                );
            }
        }
        if self.check_in.open_for_minutes == 0
            || self.check_in.open_for_minutes > 24 * 60
            || self.check_in.opens_before_minutes > 24 * 60
        {
            e.push(
                "check_in",
                "Thời gian mở điểm danh bằng mã QR phải từ 1 phút đến 24 giờ.",
            );
        }
        if self.max_consecutive_absences == 0 {
            e.push(
                "max_consecutive_absences",
                "Số lần vắng liên tiếp cho phép phải lớn hơn 0.",
            );
        }
        if self.scoring.criteria.is_empty() {
            e.push(
                "scoring.criteria",
                "Phiếu chấm điểm phải có ít nhất một tiêu chí.",
            );
        }
        if self.scoring.levels.is_empty() {
            e.push(
                "scoring.levels",
                "Phiếu chấm điểm phải có các mức xếp loại.",
            );
        }
        if self
            .scoring
            .levels
            .windows(2)
            .any(|w| w[0].min_points <= w[1].min_points)
        {
            e.push(
                "scoring.levels",
                "Các mức xếp loại phải xếp từ cao xuống thấp, điểm sàn giảm dần.",
            );
        }
        if self
            .scoring
            .levels
            .last()
            .is_some_and(|l| l.min_points != 0)
        {
            e.push("scoring.levels", "Mức thấp nhất phải có điểm sàn 0.");
        }
        let total = self.scoring.max_points();
        if self
            .scoring
            .levels
            .first()
            .is_some_and(|l| l.min_points > total)
        {
            e.push(
                "scoring.levels",
                format!("Điểm sàn mức cao nhất vượt tổng điểm tối đa ({total})."),
            );
        }
        e.into_result()
    }

    pub fn kind(&self, code: &str) -> Option<&MeetingKindRule> {
        self.meeting_kinds.iter().find(|k| k.code == code)
    }
}

impl ScoringSheet {
    pub fn max_points(&self) -> u32 {
        self.criteria.iter().map(|c| c.points).sum()
    }

    /// Total and level for the points awarded per criterion (capped at each criterion's points).
    pub fn score(&self, awarded: &[(String, u32)]) -> (u32, &Level) {
        let total = self
            .criteria
            .iter()
            .map(|c| {
                awarded
                    .iter()
                    .find(|(k, _)| *k == c.code)
                    .map_or(0, |(_, p)| (*p).min(c.points))
            })
            .sum();
        (total, self.level_for(total))
    }

    pub fn level_for(&self, total: u32) -> &Level {
        self.levels
            .iter()
            .find(|l| total >= l.min_points)
            .or(self.levels.last())
            .expect("a checked sheet has levels")
    }
}

/// How a member stands at one meeting, for the attendance arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Present,
    AbsentExcused,
    AbsentUnexcused,
}

/// Who a member is at that meeting, for the denominators of domain.md §4–§5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Working,
    Exempt,
    TransferredOutTemp,
    Suspended,
    /// Under prosecution or detention.
    Detained,
    /// Armed-forces members on special duty.
    SpecialDuty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attendance {
    /// Members whose presence counts (the rate's denominator).
    pub expected: u32,
    /// Present among them, plus exempt members who came.
    pub present: u32,
    pub absent_excused: u32,
    pub absent_unexcused: u32,
    pub exempt_present: u32,
}

impl Attendance {
    pub fn met(&self, threshold: Share) -> bool {
        threshold.met(self.present, self.expected)
    }

    /// Rate in tenths of a percent, for display (853 = 85.3%).
    pub fn permille(&self) -> u32 {
        if self.expected == 0 {
            0
        } else {
            (u64::from(self.present) * 1000 / u64::from(self.expected)) as u32
        }
    }
}

/// The attendance of a meeting: exempt members and members on special duty are left out of the
/// denominator, but an exempt member who attends is counted (domain.md §5); members transferred
/// out temporarily belong to another cell for the time being.
pub fn attendance(rows: &[(Standing, Presence)]) -> Attendance {
    let mut a = Attendance {
        expected: 0,
        present: 0,
        absent_excused: 0,
        absent_unexcused: 0,
        exempt_present: 0,
    };
    for (standing, presence) in rows {
        match standing {
            Standing::Exempt | Standing::SpecialDuty => {
                if *presence == Presence::Present {
                    a.expected += 1;
                    a.present += 1;
                    a.exempt_present += 1;
                }
            }
            Standing::TransferredOutTemp => {}
            Standing::Working | Standing::Suspended | Standing::Detained => {
                a.expected += 1;
                match presence {
                    Presence::Present => a.present += 1,
                    Presence::AbsentExcused => a.absent_excused += 1,
                    Presence::AbsentUnexcused => a.absent_unexcused += 1,
                }
            }
        }
    }
    a
}

/// A recorded vote and its validity under a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VoteOutcome {
    /// Members counted in the denominator.
    pub counted: u32,
    /// Votes in favour needed.
    pub needed: u32,
    pub valid: bool,
}

/// Validity of a resolution (domain.md §4): the denominator leaves out members transferred out
/// temporarily, exempt members who are absent (an exempt member who attends counts), suspended
/// members, members under prosecution or detention, and members absent with an accepted reason.
/// Errors when the votes cast exceed the members present.
pub fn vote(
    rows: &[(Standing, Presence)],
    votes_for: u32,
    against: u32,
    abstain: u32,
    rule: Share,
) -> Result<VoteOutcome, &'static str> {
    let present = rows.iter().filter(|(_, p)| *p == Presence::Present).count() as u32;
    if votes_for + against + abstain > present {
        return Err("Tổng số phiếu vượt quá số đảng viên có mặt.");
    }
    let counted = rows
        .iter()
        .filter(|(s, p)| match s {
            Standing::TransferredOutTemp | Standing::Suspended | Standing::Detained => false,
            Standing::Exempt | Standing::SpecialDuty => *p == Presence::Present,
            Standing::Working => *p != Presence::AbsentExcused,
        })
        .count() as u32;
    Ok(VoteOutcome {
        counted,
        needed: rule.needed(counted),
        valid: rule.met(votes_for, counted),
    })
}

/// The longest run of consecutive absences (with or without reason) in meetings in date order.
pub fn longest_absence_run(presences: &[Presence]) -> u32 {
    let mut best = 0;
    let mut run = 0;
    for p in presences {
        if *p == Presence::Present {
            run = 0;
        } else {
            run += 1;
            best = best.max(run);
        }
    }
    best
}

/// Minutes between start and end; a meeting past midnight is refused by the caller.
pub fn duration_minutes(start: NaiveTime, end: NaiveTime) -> Option<u32> {
    (end > start).then(|| ((end - start).num_minutes()) as u32)
}

/// Whether a meeting lasted long enough: the combined minimum applies when a regular and a
/// thematic meeting are held together and the rule set has one.
pub fn duration_met(rules: &RuleSet, minutes: u32, combined: bool) -> bool {
    let min = if combined && rules.combined_min_duration_minutes > 0 {
        rules.combined_min_duration_minutes
    } else {
        rules.min_duration_minutes
    };
    minutes >= min
}

/// Whether documents posted on `posted` were in time for a meeting on `meeting`.
pub fn documents_in_time(rules: &RuleSet, posted: NaiveDate, meeting: NaiveDate) -> bool {
    (meeting - posted).num_days() >= i64::from(rules.document_lead_days)
}

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
fn procedure() -> Vec<Step> {
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

fn criterion(code: &str, label: &str, points: u32, auto: Option<AutoCheck>) -> Criterion {
    Criterion {
        code: code.into(),
        label: label.into(),
        points,
        auto,
    }
}

fn levels(good: u32, fair: u32, average: u32) -> Vec<Level> {
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
            admission: Share {
                numerator: 2,
                denominator: 3,
                strict: false,
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

/// One rule set as stored: where it applies and from when.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub id: i64,
    /// `None`: everywhere. Otherwise the unit it was attached to.
    pub unit_id: Option<i64>,
    pub effective_from: NaiveDate,
    pub rules: &'a RuleSet,
}

/// The rule set in force on `date` for a unit whose ancestors (root first, the unit last) are
/// `lineage`: among the sets already in force, the one attached closest to the unit wins, then
/// the most recent. A province's own sheet thus overrides the national set until it is replaced.
pub fn in_force<'a>(
    candidates: &'a [Candidate<'a>],
    lineage: &[i64],
    date: NaiveDate,
) -> Option<&'a Candidate<'a>> {
    candidates
        .iter()
        .filter(|c| c.effective_from <= date)
        .filter_map(|c| {
            let depth = match c.unit_id {
                None => Some(0),
                Some(u) => lineage.iter().position(|x| *x == u).map(|p| p + 1),
            }?;
            Some((depth, c.effective_from, c.id, c))
        })
        .max_by_key(|(depth, from, id, _)| (*depth, *from, *id))
        .map(|(_, _, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builtins_are_valid() {
        for b in builtins() {
            b.rules
                .check()
                .unwrap_or_else(|e| panic!("{}: {e:?}", b.code));
            assert_eq!(
                b.rules.scoring.max_points(),
                if b.national { 100 } else { 110 },
                "{}",
                b.code
            );
        }
    }

    #[test]
    fn more_than_half_and_two_thirds() {
        let half = Share {
            numerator: 1,
            denominator: 2,
            strict: true,
        };
        assert!(!half.met(5, 10));
        assert!(half.met(6, 10));
        assert_eq!(half.needed(10), 6);
        assert_eq!(half.needed(9), 5);
        let two_thirds = Share {
            numerator: 2,
            denominator: 3,
            strict: false,
        };
        assert!(two_thirds.met(6, 9));
        assert!(!two_thirds.met(5, 9));
        assert_eq!(two_thirds.needed(10), 7);
    }

    #[test]
    fn shares_read_as_people_say_them() {
        assert_eq!(
            Share {
                numerator: 85,
                denominator: 100,
                strict: true
            }
            .text(),
            "trên 85%"
        );
        assert_eq!(
            Share {
                numerator: 90,
                denominator: 100,
                strict: false
            }
            .text(),
            "từ 90% trở lên"
        );
        assert_eq!(
            Share {
                numerator: 1,
                denominator: 2,
                strict: true
            }
            .text(),
            "quá một nửa"
        );
        assert_eq!(
            Share {
                numerator: 2,
                denominator: 3,
                strict: false
            }
            .text(),
            "ít nhất hai phần ba"
        );
    }

    #[test]
    fn attendance_leaves_out_exempt_members_unless_they_come() {
        use Presence::*;
        use Standing::*;
        let rows = [
            (Working, Present),
            (Working, Present),
            (Working, AbsentExcused),
            (Working, AbsentUnexcused),
            (Exempt, AbsentExcused),
            (Exempt, Present),
            (TransferredOutTemp, AbsentExcused),
            (SpecialDuty, AbsentExcused),
        ];
        let a = attendance(&rows);
        assert_eq!(
            (
                a.expected,
                a.present,
                a.absent_excused,
                a.absent_unexcused,
                a.exempt_present
            ),
            (5, 3, 1, 1, 1)
        );
        assert_eq!(a.permille(), 600);
        assert!(!a.met(Share {
            numerator: 85,
            denominator: 100,
            strict: true
        }));
    }

    #[test]
    fn vote_denominator_follows_the_rules() {
        use Presence::*;
        use Standing::*;
        let rows = [
            (Working, Present),
            (Working, Present),
            (Working, Present),
            (Working, AbsentExcused),
            (Working, AbsentUnexcused),
            (Exempt, AbsentExcused),
            (Exempt, Present),
            (Suspended, AbsentExcused),
            (TransferredOutTemp, AbsentExcused),
        ];
        let half = Share {
            numerator: 1,
            denominator: 2,
            strict: true,
        };
        let v = vote(&rows, 3, 1, 0, half).unwrap();
        assert_eq!(
            v.counted, 5,
            "3 present working + 1 unexcused absent + the exempt member who came"
        );
        assert_eq!(v.needed, 3);
        assert!(v.valid);
        assert!(!vote(&rows, 2, 2, 0, half).unwrap().valid);
        assert!(
            vote(&rows, 4, 1, 0, half).is_err(),
            "more votes than members present"
        );
    }

    #[test]
    fn absence_runs_and_durations() {
        use Presence::*;
        assert_eq!(
            longest_absence_run(&[
                Present,
                AbsentExcused,
                AbsentUnexcused,
                AbsentExcused,
                Present,
                AbsentExcused
            ]),
            3
        );
        let r = &builtins()[1].rules;
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(duration_minutes(t(8, 0), t(9, 30)), Some(90));
        assert_eq!(duration_minutes(t(9, 0), t(8, 0)), None);
        assert!(duration_met(r, 90, false));
        assert!(
            !duration_met(r, 100, true),
            "120 minutes when combined under Hướng dẫn 42"
        );
        assert!(
            duration_met(&builtins()[0].rules, 100, true),
            "no combined rule in Hướng dẫn 12"
        );
        let d = |day| NaiveDate::from_ymd_opt(2025, 11, day).unwrap();
        assert!(documents_in_time(r, d(10), d(11)));
        assert!(!documents_in_time(r, d(11), d(11)));
    }

    #[test]
    fn scoring_caps_points_and_picks_the_level() {
        let sheet = &builtins()[1].rules.scoring;
        let all: Vec<(String, u32)> = sheet
            .criteria
            .iter()
            .map(|c| (c.code.clone(), c.points + 5))
            .collect();
        let (total, level) = sheet.score(&all);
        assert_eq!(total, 100);
        assert_eq!(level.label, "Tốt");
        assert_eq!(sheet.level_for(89).label, "Khá");
        assert_eq!(sheet.level_for(50).label, "Trung bình");
        assert_eq!(sheet.level_for(49).label, "Kém");
    }

    #[test]
    fn checks_name_the_problems() {
        let mut r = builtins()[1].rules.clone();
        r.min_duration_minutes = 10;
        r.scoring.levels.reverse();
        r.vote.ordinary.denominator = 0;
        let e = r.check().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert!(
            fields.contains(&"min_duration_minutes")
                && fields.contains(&"scoring.levels")
                && fields.contains(&"vote.ordinary")
        );
    }

    #[test]
    fn the_closest_rule_set_in_force_wins() {
        let b = builtins();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let c = vec![
            Candidate {
                id: 1,
                unit_id: None,
                effective_from: b[0].effective_from,
                rules: &b[0].rules,
            },
            Candidate {
                id: 2,
                unit_id: None,
                effective_from: b[1].effective_from,
                rules: &b[1].rules,
            },
            Candidate {
                id: 3,
                unit_id: Some(10),
                effective_from: d(2026, 1, 1),
                rules: &b[2].rules,
            },
            Candidate {
                id: 4,
                unit_id: Some(99),
                effective_from: d(2020, 1, 1),
                rules: &b[2].rules,
            },
        ];
        let lineage = [10, 11, 12];
        assert_eq!(in_force(&c, &lineage, d(2025, 6, 1)).unwrap().id, 1);
        assert_eq!(in_force(&c, &lineage, d(2025, 11, 1)).unwrap().id, 2);
        assert_eq!(
            in_force(&c, &lineage, d(2026, 2, 1)).unwrap().id,
            3,
            "the province's sheet overrides"
        );
        assert_eq!(
            in_force(&c, &[50], d(2026, 2, 1)).unwrap().id,
            2,
            "another province keeps the national set"
        );
        assert!(in_force(&c, &lineage, d(2017, 1, 1)).is_none());
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn check_in_window_spans_the_start() {
        let r = CheckInRules::default();
        let day = d(2026, 3, 10);
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(!check_in_open(&r, day, t(19, 30), day.and_time(t(18, 59))));
        assert!(check_in_open(&r, day, t(19, 30), day.and_time(t(19, 0))));
        assert!(check_in_open(&r, day, t(19, 30), day.and_time(t(23, 30))));
        assert!(!check_in_open(&r, day, t(19, 30), day.and_time(t(23, 31))));
        // A late meeting's window runs past midnight.
        assert!(check_in_open(
            &r,
            day,
            t(22, 0),
            d(2026, 3, 11).and_time(t(1, 0))
        ));
        assert!(!check_in_open(
            &r,
            day,
            t(8, 0),
            d(2026, 3, 9).and_time(t(8, 0))
        ));
    }

    proptest! {
        #[test]
        fn check_in_window_has_its_length(before in 0u32..600, open in 1u32..1440, h in 0u32..24, m in 0u32..60, off in -2000i64..2000) {
            let r = CheckInRules { opens_before_minutes: before, open_for_minutes: open };
            let day = d(2026, 5, 1);
            let start = day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap());
            let (from, to) = check_in_window(&r, day, start.time());
            prop_assert_eq!((to - from).num_minutes(), i64::from(before + open));
            let now = start + chrono::Duration::minutes(off);
            prop_assert_eq!(check_in_open(&r, day, start.time(), now), -i64::from(before) <= off && off <= i64::from(open));
        }

        #[test]
        fn needed_is_the_threshold(n in 1u32..50, d in 1u32..50, strict: bool, whole in 0u32..500) {
            prop_assume!(n <= d);
            let s = Share { numerator: n, denominator: d, strict };
            let need = s.needed(whole);
            if need <= whole {
                prop_assert!(s.met(need, whole));
                if need > 0 { prop_assert!(!s.met(need - 1, whole)); }
            }
        }

        #[test]
        fn attendance_counts_add_up(rows in proptest::collection::vec((0u8..6, 0u8..3), 0..80)) {
            let standing = |s| [Standing::Working, Standing::Exempt, Standing::TransferredOutTemp, Standing::Suspended, Standing::Detained, Standing::SpecialDuty][s as usize];
            let presence = |p| [Presence::Present, Presence::AbsentExcused, Presence::AbsentUnexcused][p as usize];
            let rows: Vec<_> = rows.into_iter().map(|(s, p)| (standing(s), presence(p))).collect();
            let a = attendance(&rows);
            prop_assert!(a.present <= a.expected);
            prop_assert!(a.permille() <= 1000);
            let working = rows.iter().filter(|(s, _)| matches!(s, Standing::Working | Standing::Suspended | Standing::Detained)).count() as u32;
            prop_assert_eq!(a.expected, working + a.exempt_present);
            prop_assert_eq!(a.present + a.absent_excused + a.absent_unexcused, a.expected);
            let present = rows.iter().filter(|(_, p)| *p == Presence::Present).count() as u32;
            let v = vote(&rows, present, 0, 0, Share { numerator: 1, denominator: 2, strict: true }).unwrap();
            let present_working = rows.iter().filter(|(s, p)| *s == Standing::Working && *p == Presence::Present).count() as u32;
            prop_assert!(v.counted >= present_working && v.counted <= rows.len() as u32);
            prop_assert_eq!(v.valid, v.counted > 0 && present * 2 > v.counted);
        }

        #[test]
        fn absence_run_is_bounded(ps in proptest::collection::vec(0u8..3, 0..40)) {
            let ps: Vec<Presence> = ps.into_iter().map(|p| [Presence::Present, Presence::AbsentExcused, Presence::AbsentUnexcused][p as usize]).collect();
            let run = longest_absence_run(&ps);
            prop_assert!(run as usize <= ps.len());
            prop_assert_eq!(run == 0, ps.iter().all(|p| *p == Presence::Present));
        }
    }
}
