//! How a rule set judges a meeting: who counts towards attendance, whether the vote passed, the
//! longest run of absences, whether the meeting lasted long enough and the documents came in time.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::rules::{RuleSet, Share};

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
    /// Members whose presence counts (the rate's denominator): the working members.
    pub expected: u32,
    /// Present among them.
    pub present: u32,
    pub absent_excused: u32,
    pub absent_unexcused: u32,
    /// Exempt and special-duty members who came: noted, in neither part of the rate.
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

/// The attendance of a meeting (domain.md §3): only working members are expected; exempt and
/// special-duty members who attend are noted and counted in neither part; suspended and detained
/// members are not expected, and members transferred out temporarily belong to another cell for
/// the time being.
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
            // Noted when they come, counted in neither part (domain.md §3): a member who need
            // not come cannot lift a meeting over the threshold (17/20 stays 17/20).
            Standing::Exempt | Standing::SpecialDuty => {
                if *presence == Presence::Present {
                    a.exempt_present += 1;
                }
            }
            Standing::TransferredOutTemp | Standing::Suspended | Standing::Detained => {}
            Standing::Working => {
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
/// It is counted against the whole sheet (`None`: presence not recorded): a working member not
/// yet recorded could be one the denominator holds, so an incomplete sheet carries no vote.
/// Errors then, and when the votes cast exceed the members present.
pub fn vote(
    rows: &[(Standing, Option<Presence>)],
    votes_for: u32,
    against: u32,
    abstain: u32,
    rule: Share,
) -> Result<VoteOutcome, &'static str> {
    if rows
        .iter()
        .any(|(s, p)| *s == Standing::Working && p.is_none())
    {
        return Err(
            "Điểm danh chưa đủ: còn đảng viên chưa được ghi có mặt hay vắng mặt, chưa thể biểu quyết.",
        );
    }
    let present = rows
        .iter()
        .filter(|(_, p)| *p == Some(Presence::Present))
        .count() as u32;
    if votes_for + against + abstain > present {
        return Err("Tổng số phiếu vượt quá số đảng viên có mặt.");
    }
    let counted = rows
        .iter()
        .filter(|(s, p)| match s {
            Standing::TransferredOutTemp | Standing::Suspended | Standing::Detained => false,
            Standing::Exempt | Standing::SpecialDuty => *p == Some(Presence::Present),
            Standing::Working => *p != Some(Presence::AbsentExcused),
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

/// The longest a meeting can run: an end time further from the start is a typing slip.
pub const MAX_MEETING_MINUTES: u32 = 12 * 60;

/// Minutes from `start` to `t` on the clock, going past midnight when `t` is earlier (a
/// meeting that starts at 19:30 and ends at 00:15 ran 285 minutes).
pub fn minutes_after(start: NaiveTime, t: NaiveTime) -> u32 {
    ((t - start).num_minutes().rem_euclid(24 * 60)) as u32
}

/// Minutes between start and end, past midnight if need be; `None` when the end is the start
/// or more than [`MAX_MEETING_MINUTES`] after it.
pub fn duration_minutes(start: NaiveTime, end: NaiveTime) -> Option<u32> {
    let m = minutes_after(start, end);
    (m > 0 && m <= MAX_MEETING_MINUTES).then_some(m)
}

/// Whether the meeting that started at `start` ended on the next day.
pub fn ends_next_day(start: NaiveTime, end: NaiveTime) -> bool {
    end < start
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
