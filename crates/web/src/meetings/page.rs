use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::meetings::approval;
use chibo_app::meetings::assign::{self, CopyTasksInput, TaskInput};
use chibo_app::meetings::attendance;
use chibo_app::meetings::attendance::{AttendanceEntry, AttendanceInput};
use chibo_app::meetings::detail;
use chibo_app::meetings::documents;
use chibo_app::meetings::handouts;
use chibo_app::meetings::lines::MeetingLine;
use chibo_app::meetings::lookup::MeetingView;
use chibo_app::meetings::notice;
use chibo_app::meetings::record;
use chibo_app::meetings::record::{RecordInput, ScoreEntry, ScoreInput};
use chibo_app::meetings::schedule;
use chibo_app::meetings::schedule::NewMeeting;
use chibo_app::meetings::steps::{self, StepInput, StepsInput};
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
use crate::render::{Nav, asks_confirmation, form_errors, render_status, see_other};
use crate::state::AppState;
use crate::typed::Refusal;

pub use super::plan_page::{add_topic, plan};
pub use super::show::show;
pub(super) use super::show::{Kept, back_to_section, render_meeting_kept};
pub use super::tasks_page::{my_tasks, task_progress};

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    nav: Nav,
    unit_id: i64,
    unit_name: String,
    can_read_cell: bool,
    meetings: Vec<MeetingView>,
    /// The held meetings' attendance, score and sign-off (for those who read the cell).
    lines: Vec<MeetingLine>,
    /// Older meetings, when there are more than a page.
    next: Option<String>,
    /// Not the newest page: link back to it.
    later: bool,
    can_manage: bool,
    rule_set: Option<RuleSetView>,
    /// The form of the list refused (`schedule`, `follower`), as typed with its messages.
    refused: Refusal,
    /// Refused only until the user confirms a warning (`crate::render::asks_confirmation`).
    warned: bool,
    today: String,
    follower: notice::FollowerView,
    /// May name the follower (the superior committee).
    can_set_follower: bool,
    /// The first members of the superior organisation who may follow the cell.
    follower_choices: MemberChoices,
}

impl ListPage {
    /// Whether a box of the schedule form was ticked when it was refused.
    fn ticked(&self, key: &str) -> bool {
        self.refused.open("schedule") && !self.refused.typed.get(key).is_empty()
    }

    /// The line of held meeting `id`, when the reader may see it.
    fn line(&self, id: &i64) -> Option<&MeetingLine> {
        self.lines.iter().find(|l| l.meeting_id == *id)
    }
}

pub(super) async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    after: Option<&Cursor>,
    (refused, warned): (Refusal, bool),
) -> Result<Response, PageError> {
    let page = detail::cell_meetings(&s.app, a, id, after).await?;
    let following = page.follower.follower.as_ref().map(|f| f.id);
    render_status(
        refused.status(),
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
            can_read_cell: page.can_read_cell,
            meetings: page.meetings.items,
            lines: page.meetings.lines,
            next: page.meetings.next,
            later: after.is_some(),
            can_manage: page.can_schedule,
            rule_set: page.rule_set,
            refused,
            warned,
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
    render_list(&s, &a, id, q.after.as_ref(), Default::default()).await
}

pub async fn schedule(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<NewMeeting>,
) -> Result<Response, PageError> {
    let r = schedule::schedule(&s.app, &a, id, input).await;
    let warned = asks_confirmation(&r);
    match crate::typed::refused(r, &values, &[])? {
        Ok(m) => Ok(see_other(&format!("/meetings/{}?da-luu=schedule", m.id))),
        Err(typed) => {
            let refused = (Refusal::of("schedule", typed), warned);
            render_list(&s, &a, id, None, refused).await
        }
    }
}

pub async fn publish(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = schedule::publish(&s.app, &a, id).await;
    on_meeting(&s, &a, id, r, "").await
}

pub async fn cancel(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<schedule::CancelInput>,
) -> Result<Response, PageError> {
    let r = schedule::cancel(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "cancel", values, "#cancelled").await
}

pub async fn postpone(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<schedule::PostponeInput>,
) -> Result<Response, PageError> {
    let r = schedule::postpone(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "postpone", values, "#postponed").await
}

/// After a change on the meeting page that keeps no input (a file, a button): back to it (at
/// `anchor`), or the page again with the errors, open at the step of `anchor`.
pub(super) async fn on_meeting<T>(
    s: &AppState,
    a: &Actor,
    id: i64,
    r: Result<T, AppError>,
    anchor: &'static str,
) -> Result<Response, PageError> {
    on_meeting_kept(
        s,
        a,
        id,
        r,
        anchor.trim_start_matches('#'),
        FormValues::default(),
        anchor,
    )
    .await
}

/// After a form of the meeting page that keeps its input: back to the meeting (at `anchor`),
/// or the page again with the errors and the form (`form`) as it was typed.
pub(super) async fn on_meeting_kept<T>(
    s: &AppState,
    a: &Actor,
    id: i64,
    r: Result<T, AppError>,
    form: &'static str,
    values: FormValues,
    anchor: &str,
) -> Result<Response, PageError> {
    let warned = asks_confirmation(&r);
    let fields = crate::typed::messages(&r);
    match form_errors(r)? {
        Ok(_) => Ok(see_other(&back_to_section(id, anchor))),
        Err(errors) => {
            let kept = Kept {
                form,
                values,
                warned,
                errors: fields,
            };
            render_meeting_kept(s, a, id, errors, kept, None, None).await
        }
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
    let r = attendance::record_attendance(&s.app, &a, id, AttendanceInput { entries }).await;
    // A refused sheet is shown again as it was ticked (issue 13: no lost input).
    on_meeting_kept(&s, &a, id, r, "attendance", values, "#attendance-form").await
}

pub async fn record(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<RecordInput>,
) -> Result<Response, PageError> {
    let r = record::save_record(&s.app, &a, id, input).await;
    // A refused record is shown again as typed, the resolution text included.
    on_meeting_kept(&s, &a, id, r, "record", values, "#record").await
}

pub async fn add_task(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<TaskInput>,
) -> Result<Response, PageError> {
    // The form ticks members (`member_ids`): the same task to each, all or none.
    let r = assign::add_tasks(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "task", values, "#tasks").await
}

pub async fn copy_tasks(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<CopyTasksInput>,
) -> Result<Response, PageError> {
    let r = assign::copy_previous(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "copy-tasks", values, "#tasks").await
}

/// The form posts `score_<criterion>` (and `reason_<criterion>` for adjustments); a refused
/// sheet comes back as typed, each criterion's error on its line.
pub async fn score(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form {
        input: rows,
        values,
    }: Form<Rows>,
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
        .collect::<Result<_, AppError>>();
    let r = match entries {
        Ok(entries) => record::score(&s.app, &a, id, ScoreInput { entries }).await,
        Err(e) => Err(e),
    };
    on_meeting_kept(&s, &a, id, r, "score", values, "#score").await
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

/// A meeting's document laid out for printing from the browser: the minutes, or by `loai` the
/// resolution (`nghi-quyet`), the notice (`giay-moi`) or the attendance sheet (`diem-danh`).
pub async fn print(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let doc = match q.get("loai").map(String::as_str) {
        Some("nghi-quyet") => documents::resolution(&s.app, &a, id).await?,
        Some("giay-moi") => handouts::notice(&s.app, &a, id).await?,
        Some("diem-danh") => handouts::attendance_sheet(&s.app, &a, id).await?,
        _ => documents::minutes(&s.app, &a, id).await?,
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
    Form { input, values }: Form<approval::AmendmentInput>,
) -> Result<Response, PageError> {
    let r = approval::amend(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "amendment", values, "#record").await
}

pub async fn step(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form {
        input: rows,
        values,
    }: Form<Rows>,
) -> Result<Response, PageError> {
    // One list: `done_<step>` ticked, `time_<step>` its time (put in order by the app).
    let steps = rows
        .with("done")
        .map(|(code, _)| StepInput {
            step: code.to_string(),
            done_at: rows.value("time", code),
        })
        .collect();
    let r = steps::tick_steps(&s.app, &a, id, StepsInput { steps }).await;
    on_meeting_kept(&s, &a, id, r, "steps", values, "#steps").await
}

pub async fn speech(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<approval::SpeechInput>,
) -> Result<Response, PageError> {
    let r = approval::add_speech(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "speech", values, "#steps").await
}
