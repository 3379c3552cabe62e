use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::membership::member_edit;
use chibo_app::membership::member_edit::MemberInput;
use chibo_app::membership::member_events;
use chibo_app::membership::member_events::StatusEventInput;
use chibo_app::membership::members;
use chibo_app::membership::members::{MemberDetail, MemberPage, MemberQuery};
use chibo_app::membership::party_gaps::{self, GapsInput};
use chibo_app::membership::positions;
use chibo_app::membership::positions::{EndPositionInput, PositionInput};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::state::AppState;

/// Members in your scope; `q` matches names without diacritics; Vietnamese order.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(MemberQuery),
    responses((status = 200, body = MemberPage), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> Result<Json<MemberPage>, ApiError> {
    Ok(Json(members::list(&s.app, &a, q).await?))
}

/// Adds a member to a cell or party group.
#[utoipa::path(post, path = "/api/v1/members", tag = "members", request_body = MemberInput,
    responses((status = 201, body = MemberDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<MemberInput>,
) -> Result<(StatusCode, Json<MemberDetail>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(member_edit::create(&s.app, &a, b).await?),
    ))
}

/// A member's record with party age, positions, status history and cells.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)),
    responses((status = 200, body = MemberDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MemberDetail>, ApiError> {
    Ok(Json(members::get(&s.app, &a, id).await?))
}

/// Updates a member's record (not the cell or status: those have their own endpoints).
#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)), request_body = MemberInput,
    responses((status = 200, body = MemberDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<MemberInput>,
) -> Result<Json<MemberDetail>, ApiError> {
    Ok(Json(member_edit::update(&s.app, &a, id, b).await?))
}

/// Records a status change: exemption, transfer, working away, suspension, removal, death…
#[utoipa::path(post, path = "/api/v1/members/{id}/events", tag = "members", params(("id" = i64, Path)), request_body = StatusEventInput,
    responses((status = 200, body = MemberDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_event(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<StatusEventInput>,
) -> Result<Json<MemberDetail>, ApiError> {
    Ok(Json(member_events::add_event(&s.app, &a, id, b).await?))
}

/// Replaces the periods entered by hand that do not count towards the member's party age
/// (removal, expulsion, lost contact, a gap in a transfer), e.g. those from before they joined
/// this cell; the status events' own periods are counted without being entered here.
#[utoipa::path(put, path = "/api/v1/members/{id}/gaps", tag = "members", params(("id" = i64, Path)), request_body = GapsInput,
    responses((status = 200, body = MemberDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_gaps(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<GapsInput>,
) -> Result<Json<MemberDetail>, ApiError> {
    Ok(Json(party_gaps::set_gaps(&s.app, &a, id, b).await?))
}

/// Appoints the member to a position in their cell for a term.
#[utoipa::path(post, path = "/api/v1/members/{id}/positions", tag = "members", params(("id" = i64, Path)), request_body = PositionInput,
    responses((status = 200, body = MemberDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_position(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<PositionInput>,
) -> Result<Json<MemberDetail>, ApiError> {
    Ok(Json(positions::add_position(&s.app, &a, id, b).await?))
}

/// Ends a position's term.
#[utoipa::path(post, path = "/api/v1/positions/{id}/end", tag = "members", params(("id" = i64, Path)), request_body = EndPositionInput,
    responses((status = 200, body = MemberDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_position(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<EndPositionInput>,
) -> Result<Json<MemberDetail>, ApiError> {
    Ok(Json(positions::end_position(&s.app, &a, id, b).await?))
}
