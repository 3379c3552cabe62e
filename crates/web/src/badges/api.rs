use axum::Json;
use axum::extract::State;
use chibo_app::membership::badges;
use chibo_app::membership::badges::{AwardInput, DisciplineInput, MemberBadges};
use chibo_app::membership::badges_due;
use chibo_app::membership::badges_due::DueList;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::state::AppState;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DueQuery {
    /// An award day (3/2, 19/5, 2/9, 7/11); the next one when empty.
    award_on: Option<String>,
    /// Rows on a page (100 by default).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    per_page: Option<chibo_domain::bounded::PageSize>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    after: Option<chibo_domain::cursor::Cursor>,
}

/// Members of the unit's subtree due for a Party badge at an award day.
#[utoipa::path(get, path = "/api/v1/units/{id}/badges", tag = "badges", params(("id" = i64, Path), DueQuery),
    responses((status = 200, body = DueList), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn due(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> Result<Json<DueList>, ApiError> {
    Ok(Json(
        badges_due::due(
            &s.app,
            &a,
            id,
            q.award_on.as_deref(),
            q.after.as_ref(),
            q.per_page.map_or(100, |p| p.get_u64()),
        )
        .await?,
    ))
}

/// A member's badges, disciplinary measures and next badge.
#[utoipa::path(get, path = "/api/v1/members/{id}/badges", tag = "badges", params(("id" = i64, Path)),
    responses((status = 200, body = MemberBadges), (status = 404, body = ErrorBody)))]
pub async fn for_member(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MemberBadges>, ApiError> {
    Ok(Json(badges::for_member(&s.app, &a, id).await?))
}

/// Records a badge awarded (the superior committee); each milestone once, on an award day,
/// not before the member is eligible.
#[utoipa::path(post, path = "/api/v1/members/{id}/badges", tag = "badges", params(("id" = i64, Path)), request_body = AwardInput,
    responses((status = 200, body = MemberBadges), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn award(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<AwardInput>,
) -> Result<Json<MemberBadges>, ApiError> {
    Ok(Json(badges::award(&s.app, &a, id, b).await?))
}

/// Records a disciplinary measure, which delays the member's next badge.
#[utoipa::path(post, path = "/api/v1/members/{id}/disciplines", tag = "badges", params(("id" = i64, Path)), request_body = DisciplineInput,
    responses((status = 200, body = MemberBadges), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn discipline(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<DisciplineInput>,
) -> Result<Json<MemberBadges>, ApiError> {
    Ok(Json(badges::discipline(&s.app, &a, id, b).await?))
}
