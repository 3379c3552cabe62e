use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::refs::UnitChoices;
use chibo_app::rules::calendar;
use chibo_app::rules::calendar::{HolidayInput, HolidayView, HolidayYear, HolidayYearInput};
use chibo_app::workflows::transfer_steps;
use chibo_app::workflows::transfer_steps::{TransferInput, TransferStep};
use chibo_app::workflows::transfers;
use chibo_app::workflows::transfers::{TransferList, TransferView};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, NameSearch};
use crate::extract::session::ApiUser;
use crate::state::AppState;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// Only the overdue ones.
    overdue: bool,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    after: Option<chibo_domain::cursor::Cursor>,
    /// Transfers a page (1–500, default 100).
    #[param(value_type = Option<u32>)]
    per_page: Option<chibo_domain::bounded::PageSize>,
}

/// Transfers out of or into a subtree, open ones first, with their deadlines.
#[utoipa::path(get, path = "/api/v1/units/{id}/transfers", tag = "transfers", params(("id" = i64, Path), ListQuery),
    responses((status = 200, body = TransferList), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<TransferList>, ApiError> {
    let per_page = q.per_page.map_or(100, |p| p.get_u64());
    Ok(Json(
        transfers::list(&s.app, &a, id, q.overdue, q.after.as_ref(), per_page).await?,
    ))
}

/// A member's transfers, newest first.
#[utoipa::path(get, path = "/api/v1/members/{id}/transfers", tag = "transfers", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TransferView>), (status = 404, body = ErrorBody)))]
pub async fn of_member(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<Vec<TransferView>>, ApiError> {
    Ok(Json(transfers::of_member(&s.app, &a, id).await?))
}

/// Cells in chibo the member may be transferred to (their cell's siblings and the cells you
/// read), by name, searched with `q`.
#[utoipa::path(get, path = "/api/v1/members/{id}/transfer-destinations", tag = "transfers", params(("id" = i64, Path), NameSearch),
    responses((status = 200, body = UnitChoices), (status = 404, body = ErrorBody)))]
pub async fn destinations(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<UnitChoices>, ApiError> {
    Ok(Json(
        transfers::destinations(
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

/// Starts a temporary or permanent transfer of the member out of their cell.
#[utoipa::path(post, path = "/api/v1/members/{id}/transfers", tag = "transfers", params(("id" = i64, Path)), request_body = TransferInput,
    responses((status = 201, body = TransferView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<TransferInput>,
) -> Result<(StatusCode, Json<TransferView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(transfer_steps::start(&s.app, &a, id, b).await?),
    ))
}

/// Records the next step: applied, letter issued, received, returned or cancelled.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/steps", tag = "transfers", params(("id" = i64, Path)), request_body = TransferStep,
    responses((status = 200, body = TransferView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<TransferStep>,
) -> Result<Json<TransferView>, ApiError> {
    Ok(Json(transfer_steps::step(&s.app, &a, id, b).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct YearQuery {
    /// The year; this year when empty.
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2200)]
    year: Option<chibo_domain::bounded::Year>,
}

/// Public holidays of a year (working-day deadlines skip them): the statutory ones computed,
/// those entered, and whether this year's and next year's announced days are entered.
#[utoipa::path(get, path = "/api/v1/holidays", tag = "transfers", params(YearQuery),
    responses((status = 200, body = HolidayYear), (status = 401, body = ErrorBody)))]
pub async fn holidays(
    State(s): State<AppState>,
    ApiUser(_a): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<HolidayYear>, ApiError> {
    let year = q
        .year
        .map(|y| y.get_i32())
        .unwrap_or_else(|| chrono::Datelike::year(&chibo_app::App::today()));
    Ok(Json(calendar::list(&s.app, year).await?))
}

/// Records that a year's make-up and swapped days are all entered (administrators).
#[utoipa::path(post, path = "/api/v1/holiday-years", tag = "transfers", request_body = HolidayYearInput,
    responses((status = 200, body = HolidayYear), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn confirm_holiday_year(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<HolidayYearInput>,
) -> Result<Json<HolidayYear>, ApiError> {
    Ok(Json(calendar::confirm_year(&s.app, &a.admin()?, b).await?))
}

/// Adds a day off (`kind` `off`) or a weekend day made a working day (`working`), as the
/// government announces them (administrators).
#[utoipa::path(post, path = "/api/v1/holidays", tag = "transfers", request_body = HolidayInput,
    responses((status = 201, body = HolidayView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_holiday(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<HolidayInput>,
) -> Result<(StatusCode, Json<HolidayView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(calendar::add(&s.app, &a.admin()?, b).await?),
    ))
}

/// Removes a holiday (administrators).
#[utoipa::path(delete, path = "/api/v1/holidays/{id}", tag = "transfers", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove_holiday(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    calendar::remove(&s.app, &a.admin()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
