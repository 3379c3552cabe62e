//! Rules as versioned data (domain.md §3–§8): what a meeting rule set holds, the built-in sets
//! (`builtin`) and the arithmetic that judges a meeting by them (`judge`); the rules of
//! members' work (`members`) and their figures one by one (`figures`); and which set is in
//! force for a unit on a date. No I/O.

mod builtin;
pub mod figures;
mod judge;
mod members;

pub use builtin::*;
pub use judge::*;
pub use members::*;

use crate::Invalid;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    AsNeeded,
}

impl Frequency {
    pub fn label(&self) -> &'static str {
        match self {
            Frequency::Monthly => "hằng tháng",
            Frequency::Quarterly => "hằng quý",
            Frequency::AsNeeded => "khi cần",
        }
    }
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
    /// (The admission vote is a members' rule: `MemberRules::admission.vote`; sets stored
    /// with an `admission` share here read without it.)
    pub ordinary: Share,
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
        // Codes name rows everywhere (a meeting's kind, a ticked step, a score line): each must
        // be given and given once.
        for (field, what, codes) in [
            (
                "meeting_kinds",
                "các loại sinh hoạt",
                self.meeting_kinds
                    .iter()
                    .map(|k| k.code.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                "procedure",
                "các bước trong quy trình",
                self.procedure.iter().map(|s| s.code.as_str()).collect(),
            ),
            (
                "scoring.criteria",
                "các tiêu chí chấm điểm",
                self.scoring
                    .criteria
                    .iter()
                    .map(|c| c.code.as_str())
                    .collect(),
            ),
        ] {
            if codes.iter().any(|c| c.trim().is_empty()) {
                e.push(field, format!("Mã của {what} không được để trống."));
            }
            let mut seen = std::collections::HashSet::new();
            if let Some(twice) = codes
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .find(|c| !seen.insert(*c))
            {
                e.push(
                    field,
                    format!("Mã của {what} không được trùng nhau (mã \"{twice}\" có hai lần)."),
                );
            }
        }
        for (field, s) in [
            ("attendance_threshold", self.attendance_threshold),
            ("vote.ordinary", self.vote.ordinary),
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

/// One rule set as stored: where it applies and from when.
#[derive(Debug, Clone)]
pub struct Candidate<'a, T = RuleSet> {
    pub id: i64,
    /// `None`: everywhere. Otherwise the unit it was attached to.
    pub unit_id: Option<i64>,
    pub effective_from: NaiveDate,
    pub rules: &'a T,
}

/// The rule set in force on `date` for a unit whose ancestors (root first, the unit last) are
/// `lineage`: among the sets already in force, the one attached closest to the unit wins, then
/// the most recent. A province's own sheet thus overrides the national set until it is replaced.
pub fn in_force<'a, T>(
    candidates: &'a [Candidate<'a, T>],
    lineage: &[i64],
    date: NaiveDate,
) -> Option<&'a Candidate<'a, T>> {
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
mod tests;
