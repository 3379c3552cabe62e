use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::meetings::approval;
use chibo_app::meetings::attendance;
use chibo_app::meetings::attendance::{AttendanceEntry, AttendanceInput};
use chibo_app::meetings::detail;
use chibo_app::meetings::detail::MeetingDetail;
use chibo_app::meetings::documents;
use chibo_app::meetings::held::TaskView;
use chibo_app::meetings::lookup::MeetingView;
use chibo_app::meetings::notice;
use chibo_app::meetings::plans;
use chibo_app::meetings::record;
use chibo_app::meetings::record::{RecordInput, ScoreEntry, ScoreInput, TaskInput, TaskUpdate};
use chibo_app::meetings::schedule;
use chibo_app::meetings::schedule::NewMeeting;
use chibo_app::membership::members;
use chibo_app::refs::MemberChoices;
use chibo_app::rules::RuleSetView;
use chibo_app::{Actor, App, AppError};
use chibo_domain::cursor::Cursor;

use crate::error::PageError;
use crate::extract::form::{Form, FormValues, Rows};
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, form_errors, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    nav: Nav,
    unit_id: i64,
    unit_name: String,
    meetings: Vec<MeetingView>,
    /// Older meetings, when there are more than a page.
    next: Option<String>,
    /// Not the newest page: link back to it.
    later: bool,
    can_manage: bool,
    rule_set: Option<RuleSetView>,
    errors: Vec<String>,
    form: FormValues,
    today: String,
    follower: notice::FollowerView,
    /// May name the follower (the superior committee).
    can_set_follower: bool,
    /// The first members of the superior organisation who may follow the cell.
    follower_choices: MemberChoices,
}

pub(super) async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    after: Option<&Cursor>,
    errors: Vec<String>,
    form: FormValues,
) -> Result<Response, PageError> {
    let page = detail::cell_meetings(&s.app, a, id, after).await?;
    let following = page.follower.follower.as_ref().map(|f| f.id);
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &ListPage {
            follower: page.follower,
            can_set_follower: page.can_set_follower,
            // The current follower is offered first, selected; not twice.
            follower_choices: MemberChoices {
                items: page
                    .follower_choices
                    .items
                    .into_iter()
                    .filter(|m| Some(m.id) != following)
                    .collect(),
                next: page.follower_choices.next,
            },
            nav: Nav::of(a),
            unit_id: page.unit.id,
            unit_name: page.unit.name,
            meetings: page.meetings.items,
            next: page.meetings.next,
            later: after.is_some(),
            can_manage: page.can_schedule,
            rule_set: page.rule_set,
            errors,
            form,
            today: App::today().to_string(),
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    after: Option<Cursor>,
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    render_list(&s, &a, id, q.after.as_ref(), vec![], FormValues::default()).await
}

pub async fn schedule(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<NewMeeting>,
) -> Result<Response, PageError> {
    match form_errors(schedule::schedule(&s.app, &a, id, input).await)? {
        Ok(m) => Ok(see_other(&format!("/meetings/{}", m.id))),
        Err(errors) => render_list(&s, &a, id, None, errors, values).await,
    }
}

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
}

/// The confirmation of a change on the meeting page, by the section it went back to.
fn saved_message(section: &str) -> &'static str {
    match section {
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

/// A refused form's input: which form (`attendance`, `record`) and its values as typed.
#[derive(Default)]
struct Kept {
    form: &'static str,
    values: FormValues,
}

impl ShowPage {
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

    /// The typed value of `key` when `form` is the one refused (a field left blank is "").
    fn kept(&self, form: &str, key: &str) -> Option<&str> {
        (self.kept.form == form).then(|| self.kept.values.get(key).unwrap_or(""))
    }

    /// Whether a sheet row's `value` is the one ticked: as typed, else as stored.
    fn ticked(&self, member_id: &i64, stored: &Option<String>, value: &str) -> bool {
        match self.kept("attendance", &format!("presence_{member_id}")) {
            Some(v) => v == value,
            None => stored.as_deref() == Some(value),
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

async fn render_meeting(
    s: &AppState,
    a: &Actor,
    id: i64,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    render_meeting_kept(s, a, id, errors, Kept::default(), None).await
}

async fn render_meeting_kept(
    s: &AppState,
    a: &Actor,
    id: i64,
    errors: Vec<String>,
    kept: Kept,
    saved: Option<&'static str>,
) -> Result<Response, PageError> {
    let d = detail::get(&s.app, a, id).await?;
    let held_or_past = d.meeting.meeting_date <= App::today();
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
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ShowQuery>,
) -> Result<Response, PageError> {
    let saved = q.saved.as_deref().map(saved_message);
    render_meeting_kept(&s, &a, id, vec![], Kept::default(), saved).await
}

pub async fn publish(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = schedule::publish(&s.app, &a, id).await;
    on_meeting(&s, &a, id, r, "").await
}

/// After a change on the meeting page: back to it (at `anchor`), or the page again with the
/// field errors.
pub(super) async fn on_meeting<T>(
    s: &AppState,
    a: &Actor,
    id: i64,
    r: Result<T, AppError>,
    anchor: &str,
) -> Result<Response, PageError> {
    match form_errors(r)? {
        Ok(_) => Ok(see_other(&back_to_section(id, anchor))),
        Err(errors) => render_meeting(s, a, id, errors).await,
    }
}

/// The sheet posts `presence_<member>` and `reason_<member>` for every row.
pub async fn attendance(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form {
        input: rows,
        values,
    }: Form<Rows>,
) -> Result<Response, PageError> {
    let entries = rows
        .with_ids("presence")?
        .into_iter()
        .map(|(member_id, presence)| AttendanceEntry {
            member_id,
            presence: presence.to_string(),
            reason: rows.value("reason", member_id),
        })
        .collect();
    match form_errors(
        attendance::record_attendance(&s.app, &a, id, AttendanceInput { entries }).await,
    )? {
        Ok(_) => Ok(see_other(&back_to_section(id, "#attendance-form"))),
        // The sheet is shown again as it was ticked (issue 13: no lost input).
        Err(errors) => {
            let kept = Kept {
                form: "attendance",
                values,
            };
            render_meeting_kept(&s, &a, id, errors, kept, None).await
        }
    }
}

pub async fn record(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<RecordInput>,
) -> Result<Response, PageError> {
    match form_errors(record::save_record(&s.app, &a, id, input).await)? {
        Ok(_) => Ok(see_other(&back_to_section(id, "#record"))),
        // The record is shown again as typed, the resolution text included.
        Err(errors) => {
            let kept = Kept {
                form: "record",
                values,
            };
            render_meeting_kept(&s, &a, id, errors, kept, None).await
        }
    }
}

pub async fn add_task(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<TaskInput>,
) -> Result<Response, PageError> {
    let r = record::add_task(&s.app, &a, id, input).await;
    on_meeting(&s, &a, id, r, "#tasks").await
}

/// The form posts `score_<criterion>` (and `reason_<criterion>` for adjustments).
pub async fn score(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input: rows, .. }: Form<Rows>,
) -> Result<Response, PageError> {
    let entries = rows
        .with("score")
        .map(|(code, points)| {
            Ok(ScoreEntry {
                criterion: code.to_string(),
                points: Rows::number(
                    "score",
                    code,
                    points,
                    format!("Điểm của tiêu chí {code} phải là số tự nhiên."),
                )?,
                reason: rows.value("reason", code),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let r = record::score(&s.app, &a, id, ScoreInput { entries }).await;
    on_meeting(&s, &a, id, r, "#score").await
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    nav: Nav,
    tasks: Vec<TaskView>,
    errors: Vec<String>,
}

impl TasksPage {
    /// Tasks already done: listed apart, without a form (issue 13: a short page on a phone).
    fn done(&self) -> usize {
        self.tasks.iter().filter(|t| t.status == "done").count()
    }
}

pub async fn my_tasks(
    State(s): State<AppState>,
    PageUser(a): PageUser,
) -> Result<Response, PageError> {
    let tasks = record::my_tasks(&s.app, &a).await?;
    render_status(
        axum::http::StatusCode::OK,
        &TasksPage {
            nav: Nav::of(&a),
            tasks,
            errors: vec![],
        },
    )
}

/// A member reports on a task from "my tasks"; officers from the meeting page (`back`).
pub async fn task_progress(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<TaskUpdate>,
) -> Result<Response, PageError> {
    let back = values.back().unwrap_or("/tasks").to_string();
    match form_errors(record::update_task(&s.app, &a, id, input).await)? {
        Ok(_) => Ok(see_other(&back)),
        Err(errors) => {
            let tasks = record::my_tasks(&s.app, &a).await?;
            render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &TasksPage {
                    nav: Nav::of(&a),
                    tasks,
                    errors,
                },
            )
        }
    }
}

pub async fn minutes_docx(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let doc = documents::minutes(&s.app, &a, id).await?;
    Ok(crate::meetings::api::docx_response(
        &doc,
        &format!("bien-ban-{}.docx", id),
    ))
}

pub async fn resolution_docx(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let doc = documents::resolution(&s.app, &a, id).await?;
    Ok(crate::meetings::api::docx_response(
        &doc,
        &format!("nghi-quyet-{}.docx", id),
    ))
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    doc: chibo_export::Document,
    place_date: String,
    back: String,
}

/// The minutes or the resolution laid out for printing from the browser.
pub async fn print(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let doc = if q.get("loai").map(String::as_str) == Some("nghi-quyet") {
        documents::resolution(&s.app, &a, id).await?
    } else {
        documents::minutes(&s.app, &a, id).await?
    };
    let place_date = chibo_export::place_and_date(&doc.header.place, doc.header.date);
    let back = format!("/meetings/{}", id);
    render_status(
        axum::http::StatusCode::OK,
        &PrintPage {
            doc,
            place_date,
            back,
        },
    )
}

pub async fn approve(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = approval::approve(&s.app, &a, id).await;
    on_meeting(&s, &a, id, r, "#sign-off").await
}

pub async fn amend(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<approval::AmendmentInput>,
) -> Result<Response, PageError> {
    let r = approval::amend(&s.app, &a, id, input).await;
    on_meeting(&s, &a, id, r, "#record").await
}

pub async fn step(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<approval::StepInput>,
) -> Result<Response, PageError> {
    let r = approval::tick_step(&s.app, &a, id, input).await;
    on_meeting(&s, &a, id, r, "#steps").await
}

pub async fn speech(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<approval::SpeechInput>,
) -> Result<Response, PageError> {
    let r = approval::add_speech(&s.app, &a, id, input).await;
    on_meeting(&s, &a, id, r, "#steps").await
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    nav: Nav,
    plan: plans::YearPlan,
    members: Vec<members::MemberSummary>,
    errors: Vec<String>,
}

async fn render_plan(
    s: &AppState,
    a: &Actor,
    id: i64,
    year: i32,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let plan = plans::year_plan(&s.app, a, id, year).await?;
    let members = if plan.can_manage {
        members::list(
            &s.app,
            a,
            members::MemberQuery {
                unit_id: Some(id),
                per_page: Some(chibo_domain::bounded::PageSize::clamped(500)),
                ..Default::default()
            },
        )
        .await?
        .items
    } else {
        vec![]
    };
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &PlanPage {
            nav: Nav::of(a),
            plan,
            members,
            errors,
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct YearQ {
    nam: Option<chibo_domain::bounded::Year>,
}

pub async fn plan(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<YearQ>,
) -> Result<Response, PageError> {
    let year = q
        .nam
        .map(|y| y.get_i32())
        .unwrap_or_else(|| chrono::Datelike::year(&App::today()));
    render_plan(&s, &a, id, year, vec![]).await
}

pub async fn add_topic(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<plans::TopicInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    match form_errors(plans::add_topic(&s.app, &a, id, input).await)? {
        Ok(_) => Ok(see_other(&format!("/units/{}/plan?nam={year}", id))),
        Err(errors) => render_plan(&s, &a, id, chrono::Datelike::year(&App::today()), errors).await,
    }
}
