//! The API of the sets of members' rules: list, read, add (administrators), and the set in
//! force for a unit on a date.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::rules::members::{self, MemberRuleSetPage, MemberRuleSetView, NewMemberRuleSet};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;
use crate::units::api::{DateQuery, as_of};

/// Sets of members' rules you can see (admission, transfers, badges, classification, removal,
/// working days), each figure with its source: oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/member-rule-sets", tag = "rules", params(Paging),
    responses((status = 200, body = MemberRuleSetPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<MemberRuleSetPage>, ApiError> {
    let per_page = q.per_page_or(chibo_app::rules::PER_PAGE);
    Ok(Json(
        members::list(&s.app, &a, q.after.as_ref(), per_page).await?,
    ))
}

/// Adds a set (administrators): a copy of `base_id` with the `figures` and `sources` typed,
/// by key, as the form takes them ("60", "2/3", "30, 40", "3/2 Ngày thành lập Đảng; …",
/// "T7, CN").
#[utoipa::path(post, path = "/api/v1/member-rule-sets", tag = "rules", request_body = NewMemberRuleSet,
    responses((status = 201, body = MemberRuleSetView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<NewMemberRuleSet>,
) -> Result<(StatusCode, Json<MemberRuleSetView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(members::create(&s.app, &a.admin()?, b).await?),
    ))
}

/// One set of members' rules.
#[utoipa::path(get, path = "/api/v1/member-rule-sets/{id}", tag = "rules", params(("id" = i64, Path)),
    responses((status = 200, body = MemberRuleSetView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MemberRuleSetView>, ApiError> {
    Ok(Json(members::get(&s.app, &a, id).await?))
}

/// The set of members' rules in force for the unit on a date (today by default).
#[utoipa::path(get, path = "/api/v1/units/{id}/member-rules", tag = "rules", params(("id" = i64, Path), DateQuery),
    responses((status = 200, body = MemberRuleSetView), (status = 404, body = ErrorBody)))]
pub async fn in_force(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> Result<Json<MemberRuleSetView>, ApiError> {
    let date = as_of(&q)?.unwrap_or_else(chibo_app::App::today);
    Ok(Json(members::in_force(&s.app, &a, id, date).await?))
}
