use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::meetings::approval;
use chibo_app::meetings::assign::{self, CopyTasksInput, TaskInput};
use chibo_app::meetings::attendance;
use chibo_app::meetings::attendance::AttendanceInput;
use chibo_app::meetings::detail;
use chibo_app::meetings::detail::MeetingDetail;
use chibo_app::meetings::detail::MeetingPage;
use chibo_app::meetings::documents;
use chibo_app::meetings::held::{AmendmentView, HeldDetail, SpeechView, StepView, TaskView};
use chibo_app::meetings::lookup::MeetingView;
use chibo_app::meetings::plans;
use chibo_app::meetings::record;
use chibo_app::meetings::record::{RecordInput, ScoreInput, TaskUpdate};
use chibo_app::meetings::schedule;
use chibo_app::meetings::schedule::NewMeeting;
use chibo_app::meetings::sheet::AttendanceSheet;
use chibo_app::meetings::signatures::SignOff;
use chibo_app::meetings::steps;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;

/// Meetings of a cell, newest first, a page at a time (members of the cell see announced ones).
#[utoipa::path(get, path = "/api/v1/units/{id}/meetings", tag = "meetings", params(("id" = i64, Path), Paging),
    responses((status = 200, body = MeetingPage), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<MeetingPage>, ApiError> {
    let per_page = q.per_page_or(50);
    Ok(Json(
        detail::list(&s.app, &a, id, q.after.as_ref(), per_page).await?,
    ))
}

/// Schedules a meeting of a cell; the rule set in force on its date will judge it. A day
/// already past, or a second regular meeting in the month, is refused with an error on the
/// `confirm` field until sent again with `"confirm": true`.
#[utoipa::path(post, path = "/api/v1/units/{id}/meetings", tag = "meetings", params(("id" = i64, Path)), request_body = NewMeeting,
    responses((status = 201, body = MeetingView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn schedule(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<NewMeeting>,
) -> Result<(StatusCode, Json<MeetingView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(schedule::schedule(&s.app, &a, id, b).await?),
    ))
}

/// A meeting with its attendance sheet and the attendance judged by its rule set.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(detail::get(&s.app, &a, id).await?))
}

/// Publishes the meeting notice to the cell's members and the superior committee.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/publish", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MeetingView>, ApiError> {
    Ok(Json(schedule::publish(&s.app, &a, id).await?))
}

/// Cancels a meeting not yet held, with the reason its members see.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings", params(("id" = i64, Path)), request_body = schedule::CancelInput,
    responses((status = 200, body = MeetingView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cancel(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<schedule::CancelInput>,
) -> Result<Json<MeetingView>, ApiError> {
    Ok(Json(schedule::cancel(&s.app, &a, id, b).await?))
}

/// Moves a meeting not yet held to another day and time, with the reason its members see.
/// A day already past, or a second regular meeting in the month, is refused with an error on
/// the `confirm` field until sent again with `"confirm": true`.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/postpone", tag = "meetings", params(("id" = i64, Path)), request_body = schedule::PostponeInput,
    responses((status = 200, body = MeetingView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn postpone(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<schedule::PostponeInput>,
) -> Result<Json<MeetingView>, ApiError> {
    Ok(Json(schedule::postpone(&s.app, &a, id, b).await?))
}

/// Records attendance (all entries or none).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance", tag = "meetings", params(("id" = i64, Path)), request_body = AttendanceInput,
    responses((status = 200, body = AttendanceSheet), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn attendance(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<AttendanceInput>,
) -> Result<Json<AttendanceSheet>, ApiError> {
    Ok(Json(
        attendance::record_attendance(&s.app, &a, id, b).await?,
    ))
}

/// Saves the record of a held meeting: end time, chair and minute-taker, preparation,
/// documents date, draft and adopted resolution, vote.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/record", tag = "meetings", params(("id" = i64, Path)), request_body = RecordInput,
    responses((status = 200, body = HeldDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<RecordInput>,
) -> Result<Json<HeldDetail>, ApiError> {
    Ok(Json(record::save_record(&s.app, &a, id, b).await?))
}

/// Gives a member a concrete task under the meeting's resolution.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/tasks", tag = "meetings", params(("id" = i64, Path)), request_body = TaskInput,
    responses((status = 200, body = TaskView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_task(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<TaskInput>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(assign::add_task(&s.app, &a, id, b).await?))
}

/// Gives the same task to several members at once (`member_ids`), all or none.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/tasks/many", tag = "meetings", params(("id" = i64, Path)), request_body = TaskInput,
    responses((status = 200, body = Vec<TaskView>), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_tasks(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<TaskInput>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(assign::add_tasks(&s.app, &a, id, b).await?))
}

/// Carries the previous regular meeting's unfinished tasks over, with a new due date.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/tasks/copy", tag = "meetings", params(("id" = i64, Path)), request_body = CopyTasksInput,
    responses((status = 200, body = Vec<TaskView>), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn copy_tasks(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CopyTasksInput>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(assign::copy_previous(&s.app, &a, id, b).await?))
}

/// Reports progress on a task (the member it was given to, or the cell's officers).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/progress", tag = "meetings", params(("id" = i64, Path)), request_body = TaskUpdate,
    responses((status = 200, body = TaskView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn task_progress(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<TaskUpdate>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(record::update_task(&s.app, &a, id, b).await?))
}

/// Your own tasks, newest first.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "meetings",
    responses((status = 200, body = Vec<TaskView>), (status = 401, body = ErrorBody)))]
pub async fn my_tasks(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(record::my_tasks(&s.app, &a).await?))
}

/// Scores the criteria the cell judges; the superior committee may adjust any, with a reason.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/score", tag = "meetings", params(("id" = i64, Path)), request_body = ScoreInput,
    responses((status = 200, body = HeldDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn score(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ScoreInput>,
) -> Result<Json<HeldDetail>, ApiError> {
    Ok(Json(record::score(&s.app, &a, id, b).await?))
}

/// A document as a download.
pub(crate) fn docx_response(doc: &chibo_export::Document, file: &str) -> axum::response::Response {
    crate::upload::file_response(chibo_export::docx(doc), crate::upload::DOCX, file)
}

/// The minutes or the resolution as a DOCX in the Party document layout.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/documents/{kind}", tag = "meetings",
    params(("id" = i64, Path), ("kind" = String, Path, description = "`minutes` or `resolution`")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn document(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    raw: axum::extract::RawPathParams,
) -> Result<axum::response::Response, ApiError> {
    let mut parts = raw.iter().map(|(_, v)| v.to_string());
    let id: i64 = parts
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or(ApiError(chibo_app::AppError::NotFound))?;
    let kind = parts.next().unwrap_or_default();
    let doc = match kind.as_str() {
        "minutes" => documents::minutes(&s.app, &a, id).await?,
        "resolution" => documents::resolution(&s.app, &a, id).await?,
        _ => return Err(ApiError(chibo_app::AppError::NotFound)),
    };
    Ok(docx_response(&doc, &format!("{kind}-{id}.docx")))
}

/// The chair or the minute-taker approves the minutes; when both have, they are immutable.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/approve", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = SignOff), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<SignOff>, ApiError> {
    Ok(Json(approval::approve(&s.app, &a, id).await?))
}

/// A correction to approved minutes, kept apart and linked, never an edit.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/amendments", tag = "meetings", params(("id" = i64, Path)), request_body = approval::AmendmentInput,
    responses((status = 200, body = AmendmentView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn amend(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<approval::AmendmentInput>,
) -> Result<Json<AmendmentView>, ApiError> {
    Ok(Json(approval::amend(&s.app, &a, id, b).await?))
}

/// Ticks a procedure step with its time (in the rule set's order).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/steps", tag = "meetings", params(("id" = i64, Path)), request_body = steps::StepInput,
    responses((status = 200, body = StepView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<steps::StepInput>,
) -> Result<Json<StepView>, ApiError> {
    Ok(Json(steps::tick_step(&s.app, &a, id, b).await?))
}

/// Ticks several procedure steps at once, in order, each with its time: all or none.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/steps/many", tag = "meetings", params(("id" = i64, Path)), request_body = steps::StepsInput,
    responses((status = 200, body = Vec<StepView>), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn steps_many(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<steps::StepsInput>,
) -> Result<Json<Vec<StepView>>, ApiError> {
    Ok(Json(steps::tick_steps(&s.app, &a, id, b).await?))
}

/// Records a speaker and a summary of what they said.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/speeches", tag = "meetings", params(("id" = i64, Path)), request_body = approval::SpeechInput,
    responses((status = 200, body = SpeechView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn speech(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<approval::SpeechInput>,
) -> Result<Json<SpeechView>, ApiError> {
    Ok(Json(approval::add_speech(&s.app, &a, id, b).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The plan's year; this year by default.
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2200)]
    pub year: Option<chibo_domain::bounded::Year>,
}

/// A cell's year plan: thematic topics by quarter, and the calendar of required meetings.
#[utoipa::path(get, path = "/api/v1/units/{id}/plan", tag = "meetings", params(("id" = i64, Path), YearQuery),
    responses((status = 200, body = plans::YearPlan), (status = 404, body = ErrorBody)))]
pub async fn plan(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    crate::extract::query::ApiQuery(q): crate::extract::query::ApiQuery<YearQuery>,
) -> Result<Json<plans::YearPlan>, ApiError> {
    let year = q
        .year
        .map(|y| y.get_i32())
        .unwrap_or_else(|| chrono::Datelike::year(&chibo_app::App::today()));
    Ok(Json(plans::year_plan(&s.app, &a, id, year).await?))
}

/// Registers a thematic topic with the member who writes the introductory paper.
#[utoipa::path(post, path = "/api/v1/units/{id}/plan/topics", tag = "meetings", params(("id" = i64, Path)), request_body = plans::TopicInput,
    responses((status = 200, body = plans::YearPlan), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_topic(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<plans::TopicInput>,
) -> Result<Json<plans::YearPlan>, ApiError> {
    Ok(Json(plans::add_topic(&s.app, &a, id, b).await?))
}
