use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chibo_app::rules::{self, NewRuleSet, RuleSetPage, RuleSetView};

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, Paging};
use crate::extract::session::ApiUser;
use crate::state::AppState;
use crate::units::api::{DateQuery, as_of};

/// Meeting rule sets you can see: the national ones and those attached to your units or above;
/// oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/rule-sets", tag = "rules", params(Paging),
    responses((status = 200, body = RuleSetPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<RuleSetPage>, ApiError> {
    let per_page = q.per_page_or(rules::PER_PAGE);
    Ok(Json(
        rules::list(&s.app, &a, q.after.as_ref(), per_page).await?,
    ))
}

/// Adds a rule set without code (administrators): copy the `rules` of an existing set and change it.
#[utoipa::path(post, path = "/api/v1/rule-sets", tag = "rules", request_body = NewRuleSet,
    responses((status = 201, body = RuleSetView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<NewRuleSet>,
) -> Result<(StatusCode, Json<RuleSetView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(rules::create(&s.app, &a.admin()?, b).await?),
    ))
}

/// One rule set.
#[utoipa::path(get, path = "/api/v1/rule-sets/{id}", tag = "rules", params(("id" = i64, Path)),
    responses((status = 200, body = RuleSetView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<RuleSetView>, ApiError> {
    Ok(Json(rules::get(&s.app, &a, id).await?))
}

/// The rule set that judges the unit's meetings on a date (today by default).
#[utoipa::path(get, path = "/api/v1/units/{id}/rule-set", tag = "rules", params(("id" = i64, Path), DateQuery),
    responses((status = 200, body = RuleSetView), (status = 404, body = ErrorBody)))]
pub async fn in_force(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> Result<Json<RuleSetView>, ApiError> {
    let date = as_of(&q)?.unwrap_or_else(chibo_app::App::today);
    rules::in_force(&s.app, &a, id, date)
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError(chibo_app::AppError::invalid(
                "date",
                "Chưa có bộ quy định nào có hiệu lực vào ngày này.",
            ))
        })
}
