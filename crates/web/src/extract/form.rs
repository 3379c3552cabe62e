//! Request bodies: JSON for the API and HTML forms for the pages, with their errors answered in
//! Vietnamese.

use axum::Json;
use axum::extract::{FromRequest, Request};
use chibo_app::AppError;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, PageError};

/// A JSON body whose errors are answered in Vietnamese with the `invalid_input` code.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError(AppError::invalid(
                "body",
                format!("Nội dung JSON không hợp lệ: {}", e.body_text()),
            ))),
        }
    }
}

/// A submitted form as ordered pairs, so repeated keys (multi-selects) are kept.
pub struct FormData(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map(|f| FormData(f.0))
            .map_err(|_| {
                PageError(AppError::invalid(
                    "form",
                    "Không đọc được dữ liệu biểu mẫu.",
                ))
            })
    }
}

impl FormData {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or("").to_string()
    }
    pub fn opt(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }
    pub fn id(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }
    pub fn ids(&self, key: &str) -> Vec<i64> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect()
    }
}
