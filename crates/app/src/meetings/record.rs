//! Recording a held meeting: the minutes and the vote, the tasks it gave, and the score the
//! superior committee's rule set asks for.

use chibo_domain::Invalid;
use chibo_domain::ids::MemberId;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::rules as rules_domain;
use chibo_domain::validate;
use chibo_domain::validate::parse_time;
use chibo_store::entities::{meeting_record, meeting_score, meeting_task};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, MeetingAccess};
use crate::meetings::figures::MeetingTx;
use crate::meetings::held::{HeldDetail, TaskView, task_view, vote_rows};
use crate::meetings::lookup;
use crate::meetings::sheet;
use crate::meetings::signatures::ensure_open;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RecordInput {
    /// `HH:MM`.
    pub end_time: Option<String>,
    pub chair_member_id: Option<i64>,
    /// Why the chair is neither the cell's secretary nor its deputy (required then).
    pub chair_reason: Option<String>,
    pub secretary_member_id: Option<i64>,
    /// When documents reached members outside chibo (handed out on paper); uploads count too.
    pub documents_posted_on: Option<String>,
    pub resolution_text: Option<String>,
    pub votes_for: Option<u32>,
    pub votes_against: Option<u32>,
    pub votes_abstain: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TaskUpdate {
    /// `open` or `done`.
    pub status: String,
    pub progress: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ScoreEntry {
    pub criterion: String,
    pub points: u32,
    /// Required when the superior committee adjusts a score.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ScoreInput {
    pub entries: Vec<ScoreEntry>,
}

/// Saves the record of a held meeting (all fields at once; empty fields clear).
pub async fn save_record(
    app: &App,
    actor: &Actor,
    id: i64,
    input: RecordInput,
) -> AppResult<HeldDetail> {
    let h = lookup::manageable(app, actor, id).await?;
    let m = h.meeting.clone();
    ensure_open(app, m.id).await?;
    let (rules, _) = lookup::rule_set_of(app, &m).await?;
    let d = sheet::attendance_sheet(app, &h, &rules).await?;
    let mut e = Invalid::new();
    if m.meeting_date > App::today() {
        e.push("end_time", "Buổi sinh hoạt chưa diễn ra.");
    }
    let end = match input
        .end_time
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match (parse_time(s), parse_time(&m.start_time)) {
            (Some(end), Some(start)) if rules_domain::duration_minutes(start, end).is_some() => {
                Some(end.format("%H:%M").to_string())
            }
            (Some(_), _) => {
                e.push(
                    "end_time",
                    "Giờ kết thúc phải sau giờ bắt đầu (quá nửa đêm vẫn ghi được), buổi họp \
                     không quá 12 giờ.",
                );
                None
            }
            _ => {
                e.push(
                    "end_time",
                    "Giờ kết thúc phải có dạng giờ:phút, ví dụ 21:15.",
                );
                None
            }
        },
    };
    let present: std::collections::HashSet<i64> = d
        .everyone()
        .filter(|r| r.presence.as_deref() == Some("present"))
        .map(|r| r.member_id)
        .collect();
    for (field, who, label) in [
        ("chair_member_id", input.chair_member_id, "Người chủ trì"),
        ("secretary_member_id", input.secretary_member_id, "Thư ký"),
    ] {
        if let Some(w) = who
            && !present.contains(&w)
        {
            e.push(
                field,
                format!("{label} phải là đảng viên có mặt tại buổi sinh hoạt."),
            );
        }
    }
    // The secretary or the deputy chairs (domain.md §4); another member may, with a reason.
    let chair_reason = match input.chair_member_id {
        Some(chair) if !chairs_by_office(app, m.unit_id, chair, m.meeting_date).await? => {
            let reason = validate::optional_text(
                &mut e,
                "chair_reason",
                "lý do",
                input.chair_reason.as_deref(),
                500,
            );
            if reason.is_none() {
                e.push(
                    "chair_reason",
                    "Người chủ trì không phải bí thư hay phó bí thư chi bộ: ghi lý do đồng chí \
                     khác chủ trì.",
                );
            }
            reason
        }
        _ => None,
    };
    if input.chair_member_id.is_some() && input.chair_member_id == input.secretary_member_id {
        e.push(
            "secretary_member_id",
            "Chủ trì và thư ký phải là hai đồng chí khác nhau.",
        );
    }
    let posted = validate::date_field(
        &mut e,
        "documents_posted_on",
        "ngày gửi tài liệu",
        input.documents_posted_on.as_deref(),
        false,
    );
    if posted.is_some_and(|x| x > m.meeting_date) {
        e.push(
            "documents_posted_on",
            "Ngày gửi tài liệu phải trước hoặc trong ngày họp.",
        );
    }
    let resolution = validate::optional_lines(
        &mut e,
        "resolution_text",
        "nghị quyết",
        input.resolution_text.as_deref(),
        20_000,
    );
    let votes = (input.votes_for, input.votes_against, input.votes_abstain);
    match votes {
        (None, None, None) => {}
        (Some(f), Some(a), Some(x)) => {
            let rows = vote_rows(&d.everyone().cloned().collect::<Vec<_>>());
            if let Err(msg) = rules_domain::vote(&rows, f, a, x, rules.vote.ordinary) {
                e.push("votes_for", msg);
            }
            if resolution.is_none() {
                e.push(
                    "resolution_text",
                    "Ghi nội dung nghị quyết (kết luận) được biểu quyết.",
                );
            }
        }
        _ => e.push(
            "votes_for",
            "Ghi đủ số phiếu tán thành, không tán thành và không biểu quyết.",
        ),
    }
    e.into_result()?;
    let now = chrono::Utc::now();
    let existing = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.eq(m.id))
        .one(&app.db)
        .await?;
    let tx = MeetingTx::begin(app, &m).await?;
    let mut am = match existing.clone() {
        Some(r) => r.into_active_model(),
        None => meeting_record::ActiveModel {
            meeting_id: Set(m.id),
            ..Default::default()
        },
    };
    am.end_time = Set(end);
    am.chair_member_id = Set(input.chair_member_id);
    am.chair_reason = Set(chair_reason);
    am.secretary_member_id = Set(input.secretary_member_id);
    am.documents_posted_on = Set(posted);
    am.resolution_text = Set(resolution);
    am.votes_for = Set(votes.0.map(|v| v as i32));
    am.votes_against = Set(votes.1.map(|v| v as i32));
    am.votes_abstain = Set(votes.2.map(|v| v as i32));
    am.updated_at = Set(now);
    let saved = if existing.is_some() {
        am.update(&*tx).await?
    } else {
        am.insert(&*tx).await?
    };
    audit::record(
        &*tx,
        Some(actor),
        "meeting.record",
        "meeting",
        Some(m.id),
        existing.as_ref(),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    sheet::held_after_change(app, actor, &h).await
}

/// Gives a member a concrete task to carry out the resolution.
/// The member reports progress on their own task; the cell's officers may too.
pub async fn update_task(
    app: &App,
    actor: &Actor,
    task_id: i64,
    input: TaskUpdate,
) -> AppResult<TaskView> {
    let t = meeting_task::Entity::find_by_id(task_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = lookup::find(app, t.meeting_id).await?;
    let cell = lookup::visible_cell(app, actor, m.unit_id).await?;
    let own = actor.is_member(t.member_id);
    if !own && !actor.can_read_path(&cell.path) {
        return Err(AppError::NotFound);
    }
    actor.require(own || actor.can_manage_members(&cell))?;
    let mut e = Invalid::new();
    if !matches!(input.status.as_str(), "open" | "done") {
        e.push(
            "status",
            "Tình trạng chỉ có thể là đang thực hiện hoặc đã hoàn thành.",
        );
    }
    let progress = validate::optional_text(
        &mut e,
        "progress",
        "kết quả thực hiện",
        input.progress.as_deref(),
        2000,
    );
    e.into_result()?;
    let tx = MeetingTx::begin(app, &m).await?;
    let before = t.clone();
    let mut am = t.into_active_model();
    am.status = Set(input.status.clone());
    am.progress = Set(progress);
    am.updated_at = Set(chrono::Utc::now());
    let after = am.update(&*tx).await?;
    audit::record(
        &*tx,
        Some(actor),
        "task.update",
        "task",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    let n = crate::lookup::member_names(&app.db, &[after.member_id]).await?;
    Ok(task_view(&after, &n))
}

/// Tasks given to the actor's own member record, newest first (a member's phone).
pub async fn my_tasks(app: &App, actor: &Actor) -> AppResult<Vec<TaskView>> {
    let Some(mid) = actor.member_id().map(MemberId::get) else {
        return Ok(vec![]);
    };
    let rows = meeting_task::Entity::find()
        .filter(meeting_task::Column::MemberId.eq(mid))
        .order_by_desc(meeting_task::Column::DueOn)
        .all(&app.db)
        .await?;
    let n = crate::lookup::member_names(&app.db, &[mid]).await?;
    Ok(rows.iter().map(|t| task_view(t, &n)).collect())
}

/// Scores the criteria the cell judges; the superior committee may adjust any criterion,
/// with a reason.
pub async fn score(app: &App, actor: &Actor, id: i64, input: ScoreInput) -> AppResult<HeldDetail> {
    // Only those who read the cell score: no record is passed, so a chair or minute-taker who
    // is a plain member does not.
    let MeetingAccess::Whole(h) =
        actor.meeting_access(lookup::visible_meeting(app, actor, id).await?, None)
    else {
        return Err(AppError::NotFound);
    };
    let (m, cell) = (h.meeting.clone(), h.cell.clone());
    // The cell's own officers score what the cell judges; anyone above adjusts, with a reason.
    let officer = actor.is_officer_of(&cell);
    actor.require(officer || actor.adjusts_scores_of(&cell))?;
    let (rules, _) = lookup::rule_set_of(app, &m).await?;
    let mut e = Invalid::new();
    if lookup::meeting_status(&m) != MeetingStatus::Held {
        e.push(
            "entries",
            "Chỉ chấm điểm buổi sinh hoạt đã diễn ra và đã điểm danh.",
        );
    }
    if input.entries.is_empty() {
        e.push("entries", "Chưa có tiêu chí nào được chấm.");
    }
    // The superior committee sends the whole sheet back; only the criteria it changed are
    // adjustments (issue 13: a reason for each of them, not for all sixteen).
    let entries: Vec<&ScoreEntry> = if officer {
        input.entries.iter().collect()
    } else {
        let shown: std::collections::HashMap<String, Option<u32>> =
            sheet::held_after_change(app, actor, &h)
                .await?
                .quality
                .lines
                .into_iter()
                .map(|l| (l.code, l.points))
                .collect();
        let changed: Vec<&ScoreEntry> = input
            .entries
            .iter()
            .filter(|x| shown.get(&x.criterion) != Some(&Some(x.points)))
            .collect();
        if changed.is_empty() && !input.entries.is_empty() {
            e.push("entries", "Không có tiêu chí nào được điều chỉnh điểm.");
        }
        changed
    };
    for entry in entries.iter().copied() {
        // Each criterion's error names it, so that the sheet shows it on its line.
        let points = format!("entries.{}.points", entry.criterion);
        let reason_field = format!("entries.{}.reason", entry.criterion);
        match rules
            .scoring
            .criteria
            .iter()
            .find(|c| c.code == entry.criterion)
        {
            None => e.push(
                &points,
                format!(
                    "Tiêu chí \"{}\" không có trong phiếu chấm điểm.",
                    entry.criterion
                ),
            ),
            Some(c) => {
                if entry.points > c.points {
                    e.push(&points, format!("{}: tối đa {} điểm.", c.label, c.points));
                }
                let reason = entry
                    .reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty());
                if officer && c.auto.is_some() {
                    e.push(
                        &points,
                        format!(
                            "{}: tiêu chí này do chibo tự tính từ dữ liệu đã ghi.",
                            c.label
                        ),
                    );
                } else if !officer && reason.is_none() {
                    e.push(
                        &reason_field,
                        format!(
                            "{}: cấp ủy cấp trên điều chỉnh điểm phải ghi lý do.",
                            c.label
                        ),
                    );
                }
            }
        }
    }
    e.into_result()?;
    let now = chrono::Utc::now();
    let tx = MeetingTx::begin(app, &m).await?;
    for entry in entries.iter().copied() {
        meeting_score::Entity::delete_many()
            .filter(meeting_score::Column::MeetingId.eq(m.id))
            .filter(meeting_score::Column::Criterion.eq(entry.criterion.as_str()))
            .exec(&*tx)
            .await?;
        meeting_score::ActiveModel {
            meeting_id: Set(m.id),
            criterion: Set(entry.criterion.clone()),
            points: Set(entry.points as i32),
            reason: Set(entry
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)),
            scored_by: Set(Some(actor.user_id().get())),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
    }
    audit::record(
        &*tx,
        Some(actor),
        "meeting.score",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    sheet::held_after_change(app, actor, &h).await
}

/// Whether `member_id` was the secretary or the deputy secretary of cell `cell_id` on `day`.
async fn chairs_by_office(
    app: &App,
    cell_id: i64,
    member_id: i64,
    day: chrono::NaiveDate,
) -> AppResult<bool> {
    Ok(
        crate::membership::members::officers_on(&app.db, cell_id, day)
            .await?
            .iter()
            .any(|p| {
                p.member_id == member_id
                    && matches!(p.kind.as_str(), "secretary" | "deputy_secretary")
            }),
    )
}
