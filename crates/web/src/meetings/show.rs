//! The meeting page: everything about one meeting as the reader may see it, with the forms of
//! the steps they may take, what a refused form had typed, and the confirmation of a change.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::meetings::detail;
use chibo_app::meetings::detail::MeetingDetail;
use chibo_app::meetings::lookup::SheetRow;
use chibo_app::{Actor, App};

use super::phases::Phase;
use crate::error::PageError;
use crate::extract::form::FormValues;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "meeting.html")]
struct ShowPage {
    nav: Nav,
    d: MeetingDetail,
    errors: Vec<String>,
    held_or_past: bool,
    /// Attendance can still be taken or corrected.
    editable: bool,
    /// Minutes approved: nothing recorded changes any more.
    locked: bool,
    /// File types accepted for upload (`.pdf, .docx, …`).
    accepted: String,
    max_mb: usize,
    /// What was typed in a form refused with errors, shown again instead of what is stored.
    kept: Kept,
    /// What the last change did ("Đã lưu biên bản."), after the redirect that followed it.
    saved: Option<&'static str>,
    /// The reader's member record, for the steps only they may take (signing the minutes).
    me: Option<i64>,
    /// The member the task form starts with (`?giao=`: a name on the line of members still
    /// without a task).
    assign_to: Option<i64>,
    /// The step of the page shown open: that of a refused form, of the section a save
    /// returned to, else where the meeting stands.
    phase: Phase,
}

/// The confirmation of a change on the meeting page, by the section it went back to.
fn saved_message(section: &str) -> &'static str {
    match section {
        "schedule" => "Đã lập lịch; khi sẵn sàng, bấm Phát hành thông báo để báo cho đảng viên.",
        "attendance-form" => "Đã lưu điểm danh.",
        "record" => "Đã lưu biên bản.",
        "tasks" => "Đã giao nhiệm vụ.",
        "score" => "Đã lưu điểm chất lượng.",
        "steps" => "Đã ghi các bước sinh hoạt.",
        "documents" => "Đã cập nhật tài liệu.",
        "guests" => "Đã cập nhật khách mời.",
        "notice" => "Đã cập nhật thông báo.",
        "preparation" => "Đã lưu phần chuẩn bị.",
        "sign-off" => "Đã thông qua biên bản.",
        "cancelled" => "Đã hủy buổi sinh hoạt; đảng viên thấy lý do hủy.",
        "postponed" => "Đã dời buổi sinh hoạt; đảng viên thấy ngày mới và lý do dời.",
        _ => "Đã lưu.",
    }
}

/// `/meetings/{id}?da-luu=<section>#<section>`: back to the section changed, with its
/// confirmation.
pub(super) fn back_to_section(id: i64, anchor: &str) -> String {
    let section = anchor.trim_start_matches('#');
    let code = if section.is_empty() { "1" } else { section };
    format!("/meetings/{id}?da-luu={code}{anchor}")
}

/// A refused form's input: which form (`attendance`, `record`, `cancel`, `postpone`) and its
/// values as typed.
#[derive(Default)]
pub(super) struct Kept {
    pub(super) form: &'static str,
    pub(super) values: FormValues,
    /// Refused with a warning the user confirms (`crate::render::asks_confirmation`).
    pub(super) warned: bool,
    /// Each refused field's message, shown beside it (`ShowPage::err`).
    pub(super) errors: HashMap<String, String>,
}

impl ShowPage {
    fn phase_open(&self, code: &str) -> bool {
        self.phase.code() == code
    }

    fn next_step(&self) -> Option<(String, &'static str)> {
        super::phases::next_step(&self.d, self.held_or_past)
    }

    /// Whether the reader holds a role of the record (chair, minute-taker) not signed yet, as
    /// `approval::approve` decides: only then is the sign-off offered.
    fn may_approve(&self) -> bool {
        let (Some(me), Some(h)) = (self.me, self.d.held.as_ref()) else {
            return false;
        };
        let mine = [
            ("chair", &h.record.chair),
            ("secretary", &h.record.secretary),
        ]
        .into_iter()
        .filter(|(_, p)| p.as_ref().is_some_and(|p| p.id == me))
        .map(|(role, _)| role);
        !h.locked
            && mine
                .into_iter()
                .any(|role| !h.approvals.iter().any(|ap| ap.role == role))
    }

    /// The message of `field` when `form` is the one refused ("" when none).
    fn err(&self, form: &str, field: &str) -> &str {
        match self.kept.errors.get(field) {
            Some(m) if self.kept.form == form => m,
            _ => "",
        }
    }

    /// Whether `field` of `form` was refused (its label is then marked).
    fn bad(&self, form: &str, field: &str) -> bool {
        !self.err(form, field).is_empty()
    }

    /// The message of a sheet row's `field` (`presence`, `reason`) when the sheet was refused.
    fn row_err(&self, field: &str, member_id: &i64) -> &str {
        self.err("attendance", &format!("entries.{member_id}.{field}"))
    }

    /// The message of a criterion's line when the score sheet was refused: its points (not a
    /// number, over the maximum) or its reason.
    fn score_err(&self, code: &str) -> &str {
        [
            format!("score_{code}"),
            format!("entries.{code}.points"),
            format!("entries.{code}.reason"),
        ]
        .iter()
        .map(|f| self.err("score", f))
        .find(|m| !m.is_empty())
        .unwrap_or("")
    }

    /// A criterion's points as typed when the sheet came back, else as stored.
    fn score_value(&self, code: &str, stored: &Option<u32>) -> String {
        self.kept("score", &format!("score_{code}"))
            .map(str::to_string)
            .unwrap_or_else(|| stored.map(|p| p.to_string()).unwrap_or_default())
    }

    /// A field of `form`: as typed when it came back, else `stored`.
    fn kept_or(&self, form: &str, key: &str, stored: &str) -> String {
        self.kept(form, key).unwrap_or(stored).to_string()
    }

    /// Whether a member is ticked among the preparatory meeting's attendees: as typed when the
    /// form came back, else as recorded.
    fn prep_ticked(&self, member_id: &i64) -> bool {
        if self.kept.form == "preparation" {
            let id = member_id.to_string();
            return self
                .kept
                .values
                .pairs()
                .any(|(k, v)| k == "attendee_ids" && v == id);
        }
        self.d
            .notice
            .preparation
            .as_ref()
            .is_some_and(|p| p.attendees.iter().any(|x| x.id == *member_id))
    }

    /// The agenda as the notice form shows it: as typed, else one item a line.
    fn agenda_text(&self) -> String {
        self.kept("notice", "agenda")
            .map(str::to_string)
            .unwrap_or_else(|| {
                self.d
                    .notice
                    .agenda
                    .iter()
                    .map(|i| format!("{i}\n"))
                    .collect()
            })
    }

    /// The typed value of `key` when `form` is the one refused (a field left blank is "").
    fn kept(&self, form: &str, key: &str) -> Option<&str> {
        (self.kept.form == form).then(|| self.kept.values.get(key).unwrap_or(""))
    }

    /// Whether a member's box of the task form is ticked: as typed when the form came back,
    /// else the member a "without a task" link chose.
    fn task_ticked(&self, member_id: &i64) -> bool {
        if self.kept.form == "task" {
            let id = member_id.to_string();
            return self
                .kept
                .values
                .pairs()
                .any(|(k, v)| k == "member_ids" && v == id);
        }
        self.assign_to == Some(*member_id)
    }

    /// Whether a working member of the sheet has no task of this meeting yet.
    fn untasked(&self, member_id: &i64) -> bool {
        self.d
            .held
            .as_ref()
            .is_some_and(|h| h.without_task.iter().any(|m| m.id == *member_id))
    }

    /// Whether a step of the procedure is still to tick.
    fn steps_left(&self) -> bool {
        self.d
            .held
            .as_ref()
            .is_some_and(|h| h.steps.iter().any(|s| s.done_at.is_none()))
    }

    /// Whether a step's box was ticked when the steps form came back.
    fn step_ticked(&self, code: &str) -> bool {
        self.kept_ticked("steps", &format!("done_{code}"))
    }

    /// The message on a step's row when the steps form came back (its time, its order).
    fn step_err(&self, code: &str) -> &str {
        ["done_at", "step"]
            .iter()
            .map(|f| self.err("steps", &format!("steps.{code}.{f}")))
            .find(|m| !m.is_empty())
            .unwrap_or("")
    }

    /// A step's time as typed when the steps form came back.
    fn step_time(&self, code: &str) -> Option<&str> {
        self.kept("steps", &format!("time_{code}"))
            .filter(|t| !t.is_empty())
    }

    /// Whether a box of a refused form `form` was ticked.
    fn kept_ticked(&self, form: &str, key: &str) -> bool {
        self.kept(form, key).is_some_and(|v| !v.is_empty())
    }

    /// Whether the preparatory meeting recorded an attendee outside the cell committee: the
    /// other members are then shown open, so that the secretary sees who is ticked.
    fn others_prepared(&self) -> bool {
        let committee = &self.d.notice.committee_ids;
        if self.kept.form == "preparation" {
            return self
                .d
                .sheet
                .iter()
                .any(|r| !committee.contains(&r.member_id) && self.prep_ticked(&r.member_id));
        }
        self.d
            .notice
            .preparation
            .as_ref()
            .is_some_and(|p| p.attendees.iter().any(|a| !committee.contains(&a.id)))
    }

    /// Whether a member of the sheet is one of the cell's officers on the meeting's day: the
    /// preparatory meeting lists them first.
    fn in_committee(&self, member_id: &i64) -> bool {
        self.d.notice.committee_ids.contains(member_id)
    }

    /// Whether a sheet row's `value` is the one ticked: as typed, else as stored.
    fn ticked(&self, member_id: &i64, stored: &Option<String>, value: &str) -> bool {
        match self.kept("attendance", &format!("presence_{member_id}")) {
            Some(v) => v == value,
            None => stored.as_deref() == Some(value),
        }
    }

    /// A sheet row's choice: as typed, else as stored, else present for a working member
    /// (issue 13: most come, so the secretary marks only the exceptions; a suspended or
    /// detained member is not taken to have come).
    fn ticked_or_present(&self, r: &SheetRow, value: &str) -> bool {
        let kept = self.kept("attendance", &format!("presence_{}", r.member_id));
        match (kept, &r.presence) {
            (Some(v), _) => v == value,
            (None, Some(s)) => s == value,
            (None, None) => r.standing == "working" && value == "present",
        }
    }

    /// A sheet row's reason: as typed, else as stored.
    fn reason_of(&self, member_id: &i64, stored: &Option<String>) -> String {
        self.kept("attendance", &format!("reason_{member_id}"))
            .map(str::to_string)
            .unwrap_or_else(|| stored.clone().unwrap_or_default())
    }

    /// A record field: as typed, else as stored.
    fn record_value<T: std::fmt::Display>(&self, key: &str, stored: &Option<T>) -> String {
        self.kept("record", key)
            .map(str::to_string)
            .unwrap_or_else(|| stored.as_ref().map(|x| x.to_string()).unwrap_or_default())
    }

    /// A vote count of the record (`votes_for`, `votes_against`, `votes_abstain`): as typed,
    /// else as stored.
    fn vote_value(&self, key: &str, vote: &Option<chibo_app::meetings::held::VoteView>) -> String {
        let stored = vote.as_ref().map(|v| match key {
            "votes_for" => v.votes_for,
            "votes_against" => v.against,
            _ => v.abstain,
        });
        self.record_value(key, &stored)
    }

    /// Whether `member_id` is the chair chosen in the record form: as typed, else as stored,
    /// else the cell's secretary.
    fn chair_chose(&self, member_id: &i64, h: &chibo_app::meetings::held::HeldDetail) -> bool {
        match (self.kept("record", "chair_member_id"), &h.record.chair) {
            (Some(v), _) => v == member_id.to_string(),
            (None, Some(p)) => p.id == *member_id,
            (None, None) => h.cell_secretary_id == Some(*member_id),
        }
    }

    /// Whether `member_id` is the one chosen in a record select: as typed, else as stored.
    fn record_chose(
        &self,
        key: &str,
        member_id: &i64,
        stored: &Option<chibo_app::refs::MemberRef>,
    ) -> bool {
        match self.kept("record", key) {
            Some(v) => v == member_id.to_string(),
            None => stored.as_ref().is_some_and(|p| p.id == *member_id),
        }
    }
}

pub(super) async fn render_meeting_kept(
    s: &AppState,
    a: &Actor,
    id: i64,
    errors: Vec<String>,
    kept: Kept,
    section: Option<&str>,
    assign_to: Option<i64>,
) -> Result<Response, PageError> {
    let d = detail::get(&s.app, a, id).await?;
    let held_or_past = d.meeting.meeting_date <= App::today();
    let saved = section.map(saved_message);
    let phase = Phase::of_form(kept.form)
        .or_else(|| section.and_then(Phase::of_section))
        .or(assign_to.map(|_| Phase::After))
        .unwrap_or_else(|| Phase::of_meeting(&d, held_or_past));
    let locked = d.held.as_ref().is_some_and(|h| h.locked);
    let editable = d.can_manage && held_or_past && !locked;
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &ShowPage {
            nav: Nav::of(a),
            d,
            errors,
            held_or_past,
            editable,
            locked,
            accepted: chibo_domain::files::accepted_extensions(),
            max_mb: s.app.config.upload_max_bytes / (1024 * 1024),
            kept,
            saved,
            me: a.member_id().map(|m| m.get()),
            assign_to,
            phase,
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    #[serde(rename = "da-luu")]
    saved: Option<String>,
    giao: Option<i64>,
}

pub async fn show(
    State(s): State<AppState>,
    began: crate::kept::Began,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ShowQuery>,
    uri: axum::http::Uri,
) -> Result<Response, PageError> {
    crate::kept::page_for(&s, began, &a, &uri, || {
        render_meeting_kept(
            &s,
            &a,
            id,
            vec![],
            Kept::default(),
            q.saved.as_deref(),
            q.giao,
        )
    })
    .await
}
