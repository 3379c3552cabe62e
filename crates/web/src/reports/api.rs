use axum::Json;
use axum::extract::State;
use chibo_app::reports::Period;
use chibo_app::reports::indicators::{self, Indicators};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::path::PathId;
use crate::extract::query::ApiQuery;
use crate::extract::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// `YYYY-MM-DD`, first day of the period (default: 1 January of this year).
    pub from: Option<String>,
    /// `YYYY-MM-DD`, last day of the period (default: 31 December of this year).
    pub to: Option<String>,
}

/// Every indicator of domain.md §7 for the unit's subtree over the period, with the tree as it
/// was on each day of it: numerator, denominator and value (a percentage with one decimal for a
/// share, null for a share of nothing; the count otherwise).
#[utoipa::path(get, path = "/api/v1/units/{id}/indicators", tag = "reports",
    params(("id" = i64, Path), IndicatorQuery),
    responses((status = 200, body = Indicators), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn indicators(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<Json<Indicators>, ApiError> {
    let period = Period::parse(q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(
        indicators::of_unit(&s.app, &a, id, period, &[]).await?,
    ))
}
