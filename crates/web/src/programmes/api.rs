use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::paging::PER_PAGE;
use chibo_app::programmes::cadre_tasks;
use chibo_app::programmes::cadre_tasks::{CadreTaskInput, CadreTaskList, CadreTaskUpdate};
use chibo_app::programmes::courses;
use chibo_app::programmes::courses::{CourseDetail, CourseInput, ParticipantsInput};
use chibo_app::programmes::inspections;
use chibo_app::programmes::inspections::{
    FollowUpInput, InspectionInput, InspectionList, InspectionResult, InspectionView,
};
use chibo_app::programmes::training;
use chibo_app::programmes::training::TrainingList;
use chibo_app::refs::{MemberChoices, UnitChoices};
use chibo_app::reports::Period;
use chibo_domain::bounded::PageSize;
use chibo_domain::cursor::Cursor;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, NameSearch, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct YearQuery {
    /// The year; this year when empty.
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2200)]
    year: Option<chibo_domain::bounded::Year>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    after: Option<Cursor>,
    /// Rows on a page (1–500, default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    per_page: Option<PageSize>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PeriodQuery {
    /// First day (`YYYY-MM-DD`); 1 January of this year when empty.
    from: Option<String>,
    /// Last day; 31 December of this year when empty.
    to: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    after: Option<Cursor>,
    /// Rows on a page (1–500, default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    per_page: Option<PageSize>,
}

fn per_page(p: Option<PageSize>) -> u64 {
    p.map_or(PER_PAGE, |p| p.get_u64())
}

fn period(q: &PeriodQuery) -> Result<Period, ApiError> {
    Ok(Period::parse(q.from.as_deref(), q.to.as_deref())?)
}

/// Breakthrough tasks given to cadres in a subtree in a year, with the counts.
#[utoipa::path(get, path = "/api/v1/units/{id}/cadre-tasks", tag = "programmes", params(("id" = i64, Path), YearQuery),
    responses((status = 200, body = CadreTaskList), (status = 404, body = ErrorBody)))]
pub async fn cadre_tasks(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<CadreTaskList>, ApiError> {
    Ok(Json(
        cadre_tasks::cadre_tasks(
            &s.app,
            &a,
            id,
            q.year.map(|y| y.get_i32()),
            q.after.as_ref(),
            per_page(q.per_page),
        )
        .await?,
    ))
}

/// Gives a cadre a breakthrough task (the committee of the unit or above).
#[utoipa::path(post, path = "/api/v1/units/{id}/cadre-tasks", tag = "programmes", params(("id" = i64, Path)), request_body = CadreTaskInput,
    responses((status = 201, body = CadreTaskList), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn give_cadre_task(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CadreTaskInput>,
) -> Result<(StatusCode, Json<CadreTaskList>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(cadre_tasks::give_cadre_task(&s.app, &a, id, b).await?),
    ))
}

/// Updates a breakthrough task's status and evidence.
#[utoipa::path(put, path = "/api/v1/cadre-tasks/{id}", tag = "programmes", params(("id" = i64, Path)), request_body = CadreTaskUpdate,
    responses((status = 200, body = CadreTaskList), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_cadre_task(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CadreTaskUpdate>,
) -> Result<Json<CadreTaskList>, ApiError> {
    Ok(Json(
        cadre_tasks::update_cadre_task(&s.app, &a, id, b).await?,
    ))
}

/// Training courses of a subtree in a period, trainee-times and the share of officers trained.
#[utoipa::path(get, path = "/api/v1/units/{id}/training", tag = "programmes", params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, body = TrainingList), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn training(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<TrainingList>, ApiError> {
    Ok(Json(
        training::training(
            &s.app,
            &a,
            id,
            period(&q)?,
            q.after.as_ref(),
            per_page(q.per_page),
        )
        .await?,
    ))
}

/// Records a training course.
#[utoipa::path(post, path = "/api/v1/units/{id}/courses", tag = "programmes", params(("id" = i64, Path)), request_body = CourseInput,
    responses((status = 201, body = CourseDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_course(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CourseInput>,
) -> Result<(StatusCode, Json<CourseDetail>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(courses::add_course(&s.app, &a, id, b).await?),
    ))
}

/// A training course with a page of its participants in Vietnamese name order.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "programmes", params(("id" = i64, Path), Paging),
    responses((status = 200, body = CourseDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn course(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<CourseDetail>, ApiError> {
    let per_page = q.per_page_or(courses::PARTICIPANTS_PER_PAGE);
    Ok(Json(
        courses::course(&s.app, &a, id, q.after.as_ref(), per_page).await?,
    ))
}

/// Adds participants to a course and marks who completed it and who did not; participants not
/// named keep their mark.
#[utoipa::path(put, path = "/api/v1/courses/{id}/participants", tag = "programmes", params(("id" = i64, Path)), request_body = ParticipantsInput,
    responses((status = 200, body = CourseDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn participants(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ParticipantsInput>,
) -> Result<Json<CourseDetail>, ApiError> {
    Ok(Json(courses::set_participants(&s.app, &a, id, b).await?))
}

/// Inspections and supervisions of a subtree's cells in a period, the share of cells inspected,
/// open recommendations.
#[utoipa::path(get, path = "/api/v1/units/{id}/inspections", tag = "programmes", params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, body = InspectionList), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn inspections(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<InspectionList>, ApiError> {
    Ok(Json(
        inspections::inspections(
            &s.app,
            &a,
            id,
            period(&q)?,
            q.after.as_ref(),
            per_page(q.per_page),
        )
        .await?,
    ))
}

/// Plans an inspection or supervision of a cell.
#[utoipa::path(post, path = "/api/v1/units/{id}/inspections", tag = "programmes", params(("id" = i64, Path)), request_body = InspectionInput,
    responses((status = 201, body = InspectionView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn plan_inspection(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<InspectionInput>,
) -> Result<(StatusCode, Json<InspectionView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(inspections::plan_inspection(&s.app, &a, id, b).await?),
    ))
}

/// Records the result of an inspection with its recommendations.
#[utoipa::path(put, path = "/api/v1/inspections/{id}/result", tag = "programmes", params(("id" = i64, Path)), request_body = InspectionResult,
    responses((status = 200, body = InspectionView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn record_inspection(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<InspectionResult>,
) -> Result<Json<InspectionView>, ApiError> {
    Ok(Json(
        inspections::record_inspection(&s.app, &a, id, b).await?,
    ))
}

/// Records that a recommendation was carried out.
#[utoipa::path(post, path = "/api/v1/recommendations/{id}/follow-up", tag = "programmes", params(("id" = i64, Path)), request_body = FollowUpInput,
    responses((status = 200, body = InspectionView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn follow_up(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<FollowUpInput>,
) -> Result<Json<InspectionView>, ApiError> {
    Ok(Json(inspections::follow_up(&s.app, &a, id, b).await?))
}

/// Officers (secretaries, deputies, committee members) of the subtree's cells today, by name,
/// for choosing whom to give a task or a course.
#[utoipa::path(get, path = "/api/v1/units/{id}/officers", tag = "programmes", params(("id" = i64, Path), NameSearch),
    responses((status = 200, body = MemberChoices), (status = 404, body = ErrorBody)))]
pub async fn officers(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<MemberChoices>, ApiError> {
    Ok(Json(
        chibo_app::programmes::officers(
            &s.app,
            &a,
            id,
            q.q.as_deref(),
            q.after.as_ref(),
            q.per_page(),
        )
        .await?,
    ))
}

/// Live cells of the subtree the actor's committee may inspect or supervise, by name.
#[utoipa::path(get, path = "/api/v1/units/{id}/cells-to-inspect", tag = "programmes", params(("id" = i64, Path), NameSearch),
    responses((status = 200, body = UnitChoices), (status = 404, body = ErrorBody)))]
pub async fn cells_to_inspect(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<UnitChoices>, ApiError> {
    Ok(Json(
        inspections::cells_to_inspect(
            &s.app,
            &a,
            id,
            q.q.as_deref(),
            q.after.as_ref(),
            q.per_page(),
        )
        .await?,
    ))
}
