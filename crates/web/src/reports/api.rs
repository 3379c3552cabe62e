use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::AppError;
use chibo_app::programmes::programme::{self, ProgrammeInput, ProgrammeView, UnitProgrammes};
use chibo_app::programmes::uptake::{self, Uptake};
use chibo_app::reports::Period;
use chibo_app::reports::indicators::{self, ByChild, ByMonth, Indicators};
use chibo_app::reports::warnings::{self, Warnings};
use chibo_domain::indicators::Warning;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// `YYYY-MM-DD`, first day of the period (default: 1 January of this year).
    pub from: Option<String>,
    /// `YYYY-MM-DD`, last day of the period (default: 31 December of this year).
    pub to: Option<String>,
    /// A programme whose targets the figures are held against (with the stricter targets of
    /// the programmes implementing it on the way down to this unit).
    pub programme: Option<i64>,
    /// `child`: the same for each unit directly under this one; `month`: a series, one entry
    /// per month of the period (at most 36).
    pub by: Option<String>,
}

/// The indicators of the unit, of each unit under it (`by=child`), or of each month
/// (`by=month`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum IndicatorsAnswer {
    Whole(Indicators),
    ByChild(ByChild),
    ByMonth(ByMonth),
}

/// Every indicator of domain.md §7 for the unit's subtree over the period, with the tree as it
/// was on each day of it: numerator, denominator and value (a percentage with one decimal for a
/// share, null for a share of nothing; the count otherwise), and, with `programme`, the target
/// and whether it is met.
#[utoipa::path(get, path = "/api/v1/units/{id}/indicators", tag = "reports",
    params(("id" = i64, Path), IndicatorQuery),
    responses((status = 200, body = IndicatorsAnswer), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn indicators(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<Json<IndicatorsAnswer>, ApiError> {
    let period = Period::parse(q.from.as_deref(), q.to.as_deref())?;
    let targets = match q.programme {
        Some(p) => programme::targets_for(&s.app, &a, p, id).await?.1,
        None => vec![],
    };
    let (app, t) = (&s.app, &targets);
    Ok(Json(match q.by.as_deref() {
        None | Some("") => {
            IndicatorsAnswer::Whole(indicators::of_unit(app, &a, id, period, t).await?)
        }
        Some("child") => {
            IndicatorsAnswer::ByChild(indicators::by_child(app, &a, id, period, t).await?)
        }
        Some("month") => {
            IndicatorsAnswer::ByMonth(indicators::by_month(app, &a, id, period, t).await?)
        }
        Some(_) => {
            return Err(AppError::invalid("by", "Tham số by chỉ nhận child hoặc month.").into());
        }
    }))
}

/// The programmes that apply to the unit (issued by it or above it), newest first.
#[utoipa::path(get, path = "/api/v1/units/{id}/programmes", tag = "reports",
    params(("id" = i64, Path)),
    responses((status = 200, body = UnitProgrammes), (status = 404, body = ErrorBody)))]
pub async fn unit_programmes(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<UnitProgrammes>, ApiError> {
    Ok(Json(programme::for_unit(&s.app, &a, id).await?))
}

/// Records a programme issued by the unit, with its targets and review dates.
#[utoipa::path(post, path = "/api/v1/units/{id}/programmes", tag = "reports",
    params(("id" = i64, Path)), request_body = ProgrammeInput,
    responses((status = 201, body = ProgrammeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_programme(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ProgrammeInput>,
) -> Result<(StatusCode, Json<ProgrammeView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(programme::create(&s.app, &a, id, b).await?),
    ))
}

/// One programme with its targets and review dates.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "reports",
    params(("id" = i64, Path)),
    responses((status = 200, body = ProgrammeView), (status = 404, body = ErrorBody)))]
pub async fn get_programme(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<ProgrammeView>, ApiError> {
    Ok(Json(programme::get(&s.app, &a, id).await?))
}

/// Changes a programme; its targets and review dates are replaced by those sent.
#[utoipa::path(put, path = "/api/v1/programmes/{id}", tag = "reports",
    params(("id" = i64, Path)), request_body = ProgrammeInput,
    responses((status = 200, body = ProgrammeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_programme(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ProgrammeInput>,
) -> Result<Json<ProgrammeView>, ApiError> {
    Ok(Json(programme::update(&s.app, &a, id, b).await?))
}

/// The issuer's sub-units, a page at a time (default 50), each with the programme it issued
/// implementing this one, or null; with the counts over the whole subtree.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/uptake", tag = "reports",
    params(("id" = i64, Path), Paging),
    responses((status = 200, body = Uptake), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn programme_uptake(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<Uptake>, ApiError> {
    let per_page = q.per_page_or(uptake::PER_PAGE);
    Ok(Json(
        uptake::uptake(&s.app, &a, id, q.after.as_ref(), per_page).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningQuery {
    /// `YYYY-MM-DD`, first day of the period (default: 1 January of this year).
    pub from: Option<String>,
    /// `YYYY-MM-DD`, last day of the period (default: 31 December of this year).
    pub to: Option<String>,
    /// One kind, a page at a time: `missed_month`, `missed_quarter`, `low_attendance_twice`,
    /// `tasks_not_followed_up`, `documents_late`, `too_short`, `incomplete_procedure`,
    /// `members_without_task`, `repeated_absence`, `copied_minutes`, `agency_party_time`,
    /// `overdue_admission`, `overdue_transfer`, `below_three_official`, `no_secretary`.
    pub kind: Option<String>,
    /// The `next` of the previous page (with `kind`).
    #[param(value_type = Option<String>)]
    pub after: Option<chibo_domain::cursor::Cursor>,
    /// Warnings on a page (1–500, default 50).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<chibo_domain::bounded::PageSize>,
}

/// Early warnings of the unit's subtree over the period: every kind counted and the newest few
/// of each, or with `kind` a page of that kind, newest first; each with its reason and the page
/// of its evidence.
#[utoipa::path(get, path = "/api/v1/units/{id}/warnings", tag = "reports",
    params(("id" = i64, Path), WarningQuery),
    responses((status = 200, body = Warnings), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unit_warnings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<WarningQuery>,
) -> Result<Json<Warnings>, ApiError> {
    let period = Period::parse(q.from.as_deref(), q.to.as_deref())?;
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(
            Warning::from_code(k)
                .ok_or_else(|| AppError::invalid("kind", "Loại cảnh báo không đúng."))?,
        ),
    };
    let per_page = q.per_page.map_or(warnings::PER_PAGE, |p| p.get_u64());
    Ok(Json(
        warnings::warnings(&s.app, &a, id, period, kind, q.after.as_ref(), per_page).await?,
    ))
}
