//! What a held meeting's page shows: the record, the vote, tasks, the score, approvals and the
//! steps ticked during the meeting (the read side of the record modules).

use std::collections::HashMap;

use chibo_domain::rules::{self as rules_domain, AutoCheck, Presence, RuleSet, Standing};
use chibo_domain::validate::parse_time;
use chibo_store::entities::{
    meeting, meeting_amendment, meeting_record, meeting_score, meeting_speech, meeting_step,
    meeting_task,
};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::meetings::lookup::{AttendanceSummary, SheetRow, presence_of, standing_from_code};
use crate::meetings::signatures::{ApprovalView, approvals_of};
use crate::meetings::{absences, notice};
use crate::refs::MemberRef;
use crate::{App, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoteView {
    pub votes_for: u32,
    pub against: u32,
    pub abstain: u32,
    /// Members counted in the denominator.
    pub counted: u32,
    pub needed: u32,
    pub valid: bool,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RecordView {
    pub end_time: Option<String>,
    pub duration_minutes: Option<u32>,
    pub duration_required: u32,
    pub duration_met: Option<bool>,
    pub chair: Option<MemberRef>,
    /// Why the chair is neither the secretary nor the deputy, when so.
    pub chair_reason: Option<String>,
    pub secretary: Option<MemberRef>,
    pub committee_prepared_on: Option<NaiveDate>,
    pub documents_posted_on: Option<NaiveDate>,
    pub documents_in_time: Option<bool>,
    pub resolution_text: Option<String>,
    pub vote: Option<VoteView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub meeting_id: i64,
    pub member: MemberRef,
    pub what: String,
    pub due_on: NaiveDate,
    /// `open`, `done`.
    pub status: String,
    pub status_label: String,
    pub progress: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreLine {
    pub code: String,
    pub label: String,
    pub max_points: u32,
    /// `null` while a criterion the cell judges is not scored yet.
    pub points: Option<u32>,
    /// Computed by chibo from the record.
    pub auto: bool,
    /// Set by the superior committee, with its reason.
    pub adjusted_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityView {
    pub lines: Vec<ScoreLine>,
    pub total: u32,
    pub max_points: u32,
    /// The level once every criterion is scored.
    pub level: Option<String>,
    pub unscored: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentView {
    pub id: i64,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub code: String,
    pub label: String,
    /// `HH:MM` once done.
    pub done_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpeechView {
    pub id: i64,
    pub member: MemberRef,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeldDetail {
    /// The rule set's procedure, each step with the time it was done.
    pub steps: Vec<StepView>,
    /// Members who spoke, in order, with a summary each.
    pub speeches: Vec<SpeechView>,
    /// Approvals of the minutes by the chair and the minute-taker.
    pub approvals: Vec<ApprovalView>,
    /// Both approved: the minutes, resolution, attendance and tasks can no longer change.
    pub locked: bool,
    /// Corrections made after approval, oldest first.
    pub amendments: Vec<AmendmentView>,
    pub record: RecordView,
    pub tasks: Vec<TaskView>,
    /// Working members present or expected who have no task from this meeting.
    pub without_task: Vec<MemberRef>,
    /// Tasks of the previous regular meeting, reviewed at this one.
    pub previous_tasks: Vec<TaskView>,
    /// Sections of the minutes still missing.
    pub minutes_missing: Vec<String>,
    /// Sections of the minutes that are filled in, out of `minutes_sections`.
    pub minutes_filled: u32,
    pub minutes_sections: u32,
    /// `minutes_filled` as a whole percentage: the minutes' completeness score.
    pub minutes_percent: u32,
    /// Set when the resolution is nearly the same as the previous regular meeting's (percent).
    pub similar_to_previous: Option<u32>,
    /// Set when the minutes' proceedings (what each speaker said) are nearly the same as the
    /// previous regular meeting's (percent).
    pub minutes_similar_to_previous: Option<u32>,
    pub quality: QualityView,
    /// May adjust the score as the superior committee.
    pub can_review: bool,
    /// The cell's secretary on the meeting day: the chair the record form offers until one is
    /// recorded (issue 13: the secretary chairs most meetings).
    pub cell_secretary_id: Option<i64>,
}

pub(crate) fn is_working(r: &SheetRow) -> bool {
    r.standing == "working"
}

pub(crate) fn task_view(t: &meeting_task::Model, names: &HashMap<i64, String>) -> TaskView {
    TaskView {
        id: t.id,
        meeting_id: t.meeting_id,
        member: MemberRef {
            id: t.member_id,
            name: names.get(&t.member_id).cloned().unwrap_or_default(),
        },
        what: t.what.clone(),
        due_on: t.due_on,
        status: t.status.clone(),
        status_label: if t.status == "done" {
            "Đã hoàn thành"
        } else {
            "Đang thực hiện"
        }
        .to_string(),
        progress: t.progress.clone(),
        overdue: t.status != "done" && t.due_on < App::today(),
    }
}

/// The tasks given at meeting `meeting_id`, their members named from `sheet` where it can.
async fn tasks_of(app: &App, meeting_id: i64, sheet: &[SheetRow]) -> AppResult<Vec<TaskView>> {
    let rows = meeting_task::Entity::find()
        .filter(meeting_task::Column::MeetingId.eq(meeting_id))
        .order_by_asc(meeting_task::Column::Id)
        .all(&app.db)
        .await?;
    let n = names_of(app, sheet, rows.iter().map(|t| t.member_id).collect()).await?;
    Ok(rows.iter().map(|t| task_view(t, &n)).collect())
}

/// The regular meeting of the cell held before this one.
pub(crate) async fn previous_regular(
    app: &App,
    m: &meeting::Model,
) -> AppResult<Option<meeting::Model>> {
    // Held: a meeting cancelled or never held gave no tasks and adopted no resolution.
    Ok(meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(m.unit_id))
        .filter(meeting::Column::Kind.eq("regular"))
        .filter(meeting::Column::Status.eq(chibo_domain::meeting::MeetingStatus::Held.code()))
        .filter(meeting::Column::MeetingDate.lt(m.meeting_date))
        .order_by_desc(meeting::Column::MeetingDate)
        .one(&app.db)
        .await?)
}

/// What the minutes say happened: each speaker's summary, in order.
fn proceedings_of(speeches: &[meeting_speech::Model]) -> String {
    speeches
        .iter()
        .map(|s| s.summary.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a held meeting is judged from: the meeting, its cell and rules, the attendance
/// (summary and every row, apart ones included) and the dates of its preparation.
pub(crate) struct Held<'a> {
    pub m: &'a meeting::Model,
    pub rules: &'a RuleSet,
    pub summary: &'a AttendanceSummary,
    pub sheet: &'a [SheetRow],
    pub lead: notice::Lead,
    /// The record, as the page already read it.
    pub record: Option<&'a meeting_record::Model>,
}

/// Names of members `ids`: those on the sheet from it, any other (a guest speaker, a member
/// since moved) in one query.
async fn names_of(app: &App, sheet: &[SheetRow], ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    let on_sheet: HashMap<i64, &str> = sheet
        .iter()
        .map(|r| (r.member_id, r.full_name.as_str()))
        .collect();
    let mut names = HashMap::new();
    let mut missing = Vec::new();
    for id in ids {
        match on_sheet.get(&id) {
            Some(n) => {
                names.insert(id, n.to_string());
            }
            None => missing.push(id),
        }
    }
    if !missing.is_empty() {
        names.extend(crate::lookup::member_names(&app.db, &missing).await?);
    }
    Ok(names)
}

/// Everything recorded after attendance, with the warnings and the score; `can_review` and
/// `cell_secretary_id` are left for the caller that shows the page (`sheet::held_part`), so
/// computing the kept figures does not look them up.
pub(crate) async fn held_detail(app: &App, held: Held<'_>) -> AppResult<HeldDetail> {
    let Held {
        m,
        rules,
        summary,
        sheet,
        lead,
        record: rec,
    } = held;
    let people = names_of(
        app,
        sheet,
        rec.iter()
            .flat_map(|r| [r.chair_member_id, r.secretary_member_id])
            .flatten()
            .collect(),
    )
    .await?;
    let person = |id: Option<i64>| {
        id.map(|id| MemberRef {
            id,
            name: people.get(&id).cloned().unwrap_or_default(),
        })
    };
    let start = parse_time(&m.start_time);
    let end = rec
        .as_ref()
        .and_then(|r| r.end_time.as_deref())
        .and_then(parse_time);
    let duration = match (start, end) {
        (Some(s), Some(e)) => rules_domain::duration_minutes(s, e),
        _ => None,
    };
    let required = if m.combined && rules.combined_min_duration_minutes > 0 {
        rules.combined_min_duration_minutes
    } else {
        rules.min_duration_minutes
    };
    let mut record = RecordView {
        duration_required: required,
        committee_prepared_on: lead.prepared_on,
        documents_posted_on: lead.documents_on,
        documents_in_time: lead
            .documents_on
            .map(|p| rules_domain::documents_in_time(rules, p, m.meeting_date)),
        ..Default::default()
    };
    if let Some(r) = rec {
        record = RecordView {
            end_time: r.end_time.clone(),
            duration_minutes: duration,
            duration_required: required,
            duration_met: duration.map(|d| rules_domain::duration_met(rules, d, m.combined)),
            chair: person(r.chair_member_id),
            chair_reason: r.chair_reason.clone(),
            secretary: person(r.secretary_member_id),
            committee_prepared_on: lead.prepared_on,
            documents_posted_on: lead.documents_on,
            documents_in_time: lead
                .documents_on
                .map(|p| rules_domain::documents_in_time(rules, p, m.meeting_date)),
            resolution_text: r.resolution_text.clone(),
            vote: match (r.votes_for, r.votes_against, r.votes_abstain) {
                (Some(f), Some(a), Some(x)) => {
                    let rows = vote_rows(sheet);
                    let (f, a, x) = (f as u32, a as u32, x as u32);
                    rules_domain::vote(&rows, f, a, x, rules.vote.ordinary)
                        .ok()
                        .map(|v| VoteView {
                            votes_for: f,
                            against: a,
                            abstain: x,
                            counted: v.counted,
                            needed: v.needed,
                            valid: v.valid,
                        })
                }
                _ => None,
            },
        };
    }
    let tasks = tasks_of(app, m.id, sheet).await?;
    let with_task: std::collections::HashSet<i64> = tasks.iter().map(|t| t.member.id).collect();
    let without_task: Vec<MemberRef> = sheet
        .iter()
        .filter(|r| is_working(r) && !with_task.contains(&r.member_id))
        .map(|r| MemberRef {
            id: r.member_id,
            name: r.full_name.clone(),
        })
        .collect();
    let previous = previous_regular(app, m).await?;
    let previous_tasks = match &previous {
        Some(p) => tasks_of(app, p.id, sheet).await?,
        None => vec![],
    };
    let previous_text = match &previous {
        Some(p) => meeting_record::Entity::find()
            .filter(meeting_record::Column::MeetingId.eq(p.id))
            .one(&app.db)
            .await?
            .and_then(|r| r.resolution_text),
        None => None,
    };
    let nearly_same = |now: &str, before: &str| {
        Some(chibo_domain::text::similarity_percent(now, before))
            .filter(|p| *p >= chibo_domain::text::SIMILARITY_WARNING_PERCENT)
    };
    let similar_to_previous = match (record.resolution_text.as_deref(), previous_text.as_deref()) {
        (Some(now), Some(before)) => nearly_same(now, before),
        _ => None,
    };
    // The speeches are read once: listed, counted for the minutes, and compared with the
    // previous meeting's.
    let speech_rows = meeting_speech::Entity::find()
        .filter(meeting_speech::Column::MeetingId.eq(m.id))
        .order_by_asc(meeting_speech::Column::Id)
        .all(&app.db)
        .await?;
    let minutes_similar_to_previous = match &previous {
        Some(p) => {
            let (now, before) = (
                proceedings_of(&speech_rows),
                proceedings_of(
                    &meeting_speech::Entity::find()
                        .filter(meeting_speech::Column::MeetingId.eq(p.id))
                        .order_by_asc(meeting_speech::Column::Id)
                        .all(&app.db)
                        .await?,
                ),
            );
            if now.is_empty() || before.is_empty() {
                None
            } else {
                nearly_same(&now, &before)
            }
        }
        None => None,
    };
    let speech_count = speech_rows.len();
    let mut minutes_missing = Vec::new();
    let mut minutes_sections = 0u32;
    let recorded = summary.not_recorded == 0 && summary.expected > 0;
    for (ok, what) in [
        (
            recorded,
            "Điểm danh (có mặt, vắng có lý do, vắng không lý do)",
        ),
        (record.chair.is_some(), "Chủ trì"),
        (record.secretary.is_some(), "Thư ký ghi biên bản"),
        (record.end_time.is_some(), "Thời gian kết thúc"),
        (
            record
                .resolution_text
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty()),
            "Nội dung nghị quyết (kết luận)",
        ),
        (record.vote.is_some(), "Kết quả biểu quyết"),
        (speech_count > 0, "Diễn biến: người phát biểu và ý kiến"),
        (!tasks.is_empty(), "Phân công nhiệm vụ cho đảng viên"),
    ] {
        minutes_sections += 1;
        if !ok {
            minutes_missing.push(what.to_string());
        }
    }
    let minutes_filled = minutes_sections - minutes_missing.len() as u32;
    let run = if recorded {
        Some(absences::longest_run_this_year(app, m, sheet).await?)
    } else {
        None
    };
    let followed_up = previous_tasks
        .iter()
        .all(|t| t.status == "done" || t.progress.is_some());
    let auto = |check: AutoCheck| -> Option<bool> {
        match check {
            AutoCheck::AttendanceAboveThreshold => recorded.then_some(summary.threshold_met),
            AutoCheck::NoUnexcusedAbsence => recorded.then_some(summary.absent_unexcused == 0),
            AutoCheck::NoLongAbsenceRun => run.map(|r| r <= rules.max_consecutive_absences),
            AutoCheck::DurationMet => record.duration_met,
            AutoCheck::DocumentsInTime => Some(record.documents_in_time == Some(true)),
            AutoCheck::CommitteePrepared => Some(record.committee_prepared_on.is_some()),
            AutoCheck::DraftResolutionPresent => Some(lead.draft_present),
            AutoCheck::MinutesComplete => Some(minutes_missing.is_empty()),
            AutoCheck::TasksAssigned => Some(!tasks.is_empty() && without_task.is_empty()),
            AutoCheck::LastTasksFollowedUp => Some(followed_up),
        }
    };
    let scores: HashMap<String, meeting_score::Model> = meeting_score::Entity::find()
        .filter(meeting_score::Column::MeetingId.eq(m.id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|s| (s.criterion.clone(), s))
        .collect();
    let mut lines = Vec::new();
    for c in &rules.scoring.criteria {
        let stored = scores.get(&c.code);
        let adjusted = stored.and_then(|s| s.reason.clone());
        let points = match (c.auto, stored) {
            (None, Some(s)) => Some(s.points.max(0) as u32),
            (Some(_), Some(s)) if adjusted.is_some() => Some(s.points.max(0) as u32),
            (Some(check), _) => auto(check).map(|ok| if ok { c.points } else { 0 }),
            (None, None) => None,
        };
        lines.push(ScoreLine {
            code: c.code.clone(),
            label: c.label.clone(),
            max_points: c.points,
            points,
            auto: c.auto.is_some(),
            adjusted_reason: adjusted,
        });
    }
    let unscored = lines.iter().filter(|l| l.points.is_none()).count() as u32;
    let total: u32 = lines.iter().filter_map(|l| l.points).sum();
    let level = (unscored == 0).then(|| rules.scoring.level_for(total).label.clone());
    let (approvals, locked) = approvals_of(app, m.id).await?;
    let done = steps_done(app, m.id).await?;
    let steps = rules
        .procedure
        .iter()
        .map(|s| StepView {
            code: s.code.clone(),
            label: s.label.clone(),
            done_at: done.get(&s.code).cloned(),
        })
        .collect();
    let speakers = speech_rows.iter().map(|s| s.member_id).collect();
    let speaker_names = names_of(app, sheet, speakers).await?;
    let speeches = speech_rows
        .into_iter()
        .map(|s| SpeechView {
            id: s.id,
            member: MemberRef {
                id: s.member_id,
                name: speaker_names.get(&s.member_id).cloned().unwrap_or_default(),
            },
            summary: s.summary,
        })
        .collect();
    let amendments = meeting_amendment::Entity::find()
        .filter(meeting_amendment::Column::MeetingId.eq(m.id))
        .order_by_asc(meeting_amendment::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|a| AmendmentView {
            id: a.id,
            body: a.body,
            created_at: a.created_at,
        })
        .collect();
    Ok(HeldDetail {
        steps,
        speeches,
        approvals,
        locked,
        amendments,
        record,
        tasks,
        without_task,
        previous_tasks,
        minutes_missing,
        minutes_filled,
        minutes_sections,
        minutes_percent: minutes_filled * 100 / minutes_sections.max(1),
        similar_to_previous,
        minutes_similar_to_previous,
        quality: QualityView {
            lines,
            total,
            max_points: rules.scoring.max_points(),
            level,
            unscored,
        },
        can_review: false,
        cell_secretary_id: None,
    })
}

/// The standing and presence (`None`: not recorded yet) of each member of the sheet, for the
/// vote's denominator.
pub(crate) fn vote_rows(sheet: &[SheetRow]) -> Vec<(Standing, Option<Presence>)> {
    sheet
        .iter()
        .map(|r| {
            // A standing this version does not know counts as working: it must never leave
            // the denominator silently.
            let standing = standing_from_code(&r.standing).unwrap_or(Standing::Working);
            let presence = r
                .presence
                .as_deref()
                .map(|p| presence_of(p).unwrap_or(Presence::AbsentUnexcused));
            (standing, presence)
        })
        .collect()
}

/// The procedure steps done at a meeting, with their times.
pub(crate) async fn steps_done(app: &App, meeting_id: i64) -> AppResult<HashMap<String, String>> {
    Ok(meeting_step::Entity::find()
        .filter(meeting_step::Column::MeetingId.eq(meeting_id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|s| (s.step, s.done_at))
        .collect())
}
