//! Path parameters: numeric ids, read whole or refused. A route's handler names how many ids it
//! takes by the extractor it asks for, so no id is ever made up.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chibo_app::AppError;
use chibo_domain::ids::UserId;

use crate::error::{ApiError, PageError};

/// The numeric ids of the path, in order, when the route has exactly `N` of them; anything else
/// is simply not found (JSON under /api, a page elsewhere).
async fn path_ids<const N: usize>(parts: &mut Parts) -> Result<[i64; N], Response> {
    let api = parts.uri.path().starts_with("/api/");
    let not_found = || {
        if api {
            ApiError(AppError::NotFound).into_response()
        } else {
            PageError(AppError::NotFound).into_response()
        }
    };
    let raw = axum::extract::RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|_| not_found())?;
    let parsed: Option<Vec<i64>> = raw.iter().map(|(_, v)| v.parse::<i64>().ok()).collect();
    parsed
        .and_then(|ids| <[i64; N]>::try_from(ids).ok())
        .ok_or_else(not_found)
}

/// The one id of a route like `/meetings/{id}`.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        path_ids::<1>(parts).await.map(|[id]| PathId(id))
    }
}

/// The account of a route like `/admin/users/{id}`, typed so it cannot be passed where a
/// member is meant.
pub struct PathUserId(pub UserId);

impl<S: Send + Sync> FromRequestParts<S> for PathUserId {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        path_ids::<1>(parts)
            .await
            .map(|[id]| PathUserId(UserId::new(id)))
    }
}

/// The two ids of a route like `/users/{id}/roles/{role_id}`, in the order of the path.
pub struct PathIds(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        path_ids::<2>(parts).await.map(|[a, b]| PathIds(a, b))
    }
}

/// The raw `{file}` segment of a static file path.
pub struct RawFile(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RawFile {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError(AppError::NotFound).into_response())?;
        Ok(RawFile(
            raw.iter()
                .next()
                .map(|(_, v)| v.to_string())
                .unwrap_or_default(),
        ))
    }
}
