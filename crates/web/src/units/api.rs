use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::org::edit;
use chibo_app::org::edit::{NewUnit, RenameUnit};
use chibo_app::org::history;
use chibo_app::org::restructure;
use chibo_app::org::restructure::{DissolveUnit, MergeUnit, MoveUnit, SplitUnit};
use chibo_app::org::tree;
use chibo_app::org::unit_page;
use chibo_app::org::unit_page::UnitDetail;
use chibo_app::org::unit_targets::{self, Target};
use chibo_app::org::units;
use chibo_app::org::units::{UnitPage, UnitView};
use chibo_app::paging::PER_PAGE;
use chibo_app::refs::{MemberChoices, UnitChoices};
use chibo_domain::validate::parse_date;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, NameSearch, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    /// `YYYY-MM-DD`: the tree as it was on that date.
    pub date: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub after: Option<chibo_domain::cursor::Cursor>,
    /// Units on a page (1–500, default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<chibo_domain::bounded::PageSize>,
}

impl DateQuery {
    fn per_page(&self) -> u64 {
        self.per_page.map_or(PER_PAGE, |p| p.get_u64())
    }
}

pub(crate) fn as_of(q: &DateQuery) -> Result<Option<chrono::NaiveDate>, ApiError> {
    match q.date.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_date(s).map(Some).ok_or_else(|| {
            ApiError(chibo_app::AppError::invalid(
                "date",
                "Ngày không đúng định dạng (YYYY-MM-DD).",
            ))
        }),
    }
}

/// The organisation tree in your scope, each unit before the units under it, a page at a time;
/// as of a date when `date` is given. For a level in name order, see `/api/v1/tree`.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(DateQuery),
    responses((status = 200, body = UnitPage), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> Result<Json<UnitPage>, ApiError> {
    Ok(Json(
        units::tree(&s.app, &a, as_of(&q)?, q.after.as_ref(), q.per_page()).await?,
    ))
}

/// Live units of your scope whose name contains `q`, by name: to choose a unit in a form.
#[utoipa::path(get, path = "/api/v1/units/choices", tag = "units", params(NameSearch),
    responses((status = 200, body = UnitChoices), (status = 401, body = ErrorBody)))]
pub async fn choices(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<UnitChoices>, ApiError> {
    Ok(Json(
        units::choices(&s.app, &a, q.q.as_deref(), q.after.as_ref(), q.per_page()).await?,
    ))
}

/// Members on the roll below this unit whose name contains `q`, by name: whom a new unit under
/// it may be founded with (`founding_member_ids` of `POST /api/v1/units`).
#[utoipa::path(get, path = "/api/v1/units/{id}/founder-choices", tag = "units", params(("id" = i64, Path), NameSearch),
    responses((status = 200, body = MemberChoices), (status = 404, body = ErrorBody)))]
pub async fn founder_choices(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<MemberChoices>, ApiError> {
    Ok(Json(
        edit::founder_choices(
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

/// Units this unit may be moved under (the tree allows it there and you may create it there),
/// by name, searched with `q`. 403 when you may not restructure the unit.
#[utoipa::path(get, path = "/api/v1/units/{id}/move-targets", tag = "units", params(("id" = i64, Path), NameSearch),
    responses((status = 200, body = UnitChoices), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn move_targets(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<UnitChoices>, ApiError> {
    Ok(Json(targets(&s, &a, id, Target::Move, &q).await?))
}

/// Units this unit may be merged into (its siblings the tree allows, or a party group's own
/// cell), by name, searched with `q`. 403 when you may not restructure the unit.
#[utoipa::path(get, path = "/api/v1/units/{id}/merge-targets", tag = "units", params(("id" = i64, Path), NameSearch),
    responses((status = 200, body = UnitChoices), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn merge_targets(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<UnitChoices>, ApiError> {
    Ok(Json(targets(&s, &a, id, Target::Merge, &q).await?))
}

async fn targets(
    s: &AppState,
    a: &chibo_app::Actor,
    id: i64,
    target: Target,
    q: &NameSearch,
) -> Result<UnitChoices, ApiError> {
    Ok(unit_targets::choices(
        &s.app,
        a,
        id,
        target,
        q.q.as_deref(),
        q.after.as_ref(),
        q.per_page(),
    )
    .await?)
}

/// The top units of your scope, each with how many units lie directly under it: the first
/// level of the tree (then open a level with `/api/v1/units/{id}/children`).
#[utoipa::path(get, path = "/api/v1/tree", tag = "units", params(DateQuery),
    responses((status = 200, body = tree::TreeLevel), (status = 401, body = ErrorBody)))]
pub async fn top_level(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> Result<Json<tree::TreeLevel>, ApiError> {
    Ok(Json(
        tree::level(&s.app, &a, None, as_of(&q)?, q.after.as_ref(), q.per_page()).await?,
    ))
}

/// The units directly under a unit (now, or as of `date`), each with its own child count.
#[utoipa::path(get, path = "/api/v1/units/{id}/children", tag = "units", params(("id" = i64, Path), DateQuery),
    responses((status = 200, body = tree::TreeLevel), (status = 404, body = ErrorBody)))]
pub async fn children(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> Result<Json<tree::TreeLevel>, ApiError> {
    Ok(Json(
        tree::level(
            &s.app,
            &a,
            Some(id),
            as_of(&q)?,
            q.after.as_ref(),
            q.per_page(),
        )
        .await?,
    ))
}

/// Creates a unit. A cell needs at least three official founding members.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = NewUnit,
    responses((status = 201, body = UnitView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<NewUnit>,
) -> Result<(StatusCode, Json<UnitView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(edit::create(&s.app, &a, b).await?),
    ))
}

/// One unit with its children, officers, warnings and history.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path), DateQuery),
    responses((status = 200, body = UnitDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> Result<Json<UnitDetail>, ApiError> {
    Ok(Json(unit_page::detail(&s.app, &a, id, as_of(&q)?).await?))
}

/// A unit's history (its events and those of the units merged into it), newest first, a page
/// at a time (default 50).
#[utoipa::path(get, path = "/api/v1/units/{id}/history", tag = "units", params(("id" = i64, Path), Paging),
    responses((status = 200, body = history::HistoryPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<history::HistoryPage>, ApiError> {
    let per_page = q.per_page_or(history::PER_PAGE);
    Ok(Json(
        history::history(&s.app, &a, id, q.after.as_ref(), per_page).await?,
    ))
}

/// Renames a unit from an effective date.
#[utoipa::path(post, path = "/api/v1/units/{id}/rename", tag = "units", params(("id" = i64, Path)), request_body = RenameUnit,
    responses((status = 200, body = UnitView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rename(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<RenameUnit>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(edit::rename(&s.app, &a, id, b).await?))
}

/// Moves a unit (with everything below it) under another parent.
#[utoipa::path(post, path = "/api/v1/units/{id}/move", tag = "units", params(("id" = i64, Path)), request_body = MoveUnit,
    responses((status = 200, body = UnitView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn move_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<MoveUnit>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(restructure::move_unit(&s.app, &a, id, b).await?))
}

/// Merges this unit into another; members and sub-units go over, history follows.
#[utoipa::path(post, path = "/api/v1/units/{id}/merge", tag = "units", params(("id" = i64, Path)), request_body = MergeUnit,
    responses((status = 200, body = UnitView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn merge(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<MergeUnit>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(restructure::merge(&s.app, &a, id, b).await?))
}

/// Splits a cell into new cells with the listed members.
#[utoipa::path(post, path = "/api/v1/units/{id}/split", tag = "units", params(("id" = i64, Path)), request_body = SplitUnit,
    responses((status = 200, body = Vec<UnitView>), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn split(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<SplitUnit>,
) -> Result<Json<Vec<UnitView>>, ApiError> {
    Ok(Json(restructure::split(&s.app, &a, id, b).await?))
}

/// Dissolves a unit without members or live sub-units.
#[utoipa::path(post, path = "/api/v1/units/{id}/dissolve", tag = "units", params(("id" = i64, Path)), request_body = DissolveUnit,
    responses((status = 200, body = UnitView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dissolve(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<DissolveUnit>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(restructure::dissolve(&s.app, &a, id, b).await?))
}
