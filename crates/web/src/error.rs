//! Errors as users see them: a Vietnamese page, or a JSON body with a stable code.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chibo_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Server faults are logged with their detail and shown without it.
fn public_message(e: &AppError) -> String {
    match e {
        AppError::Db(_) | AppError::Internal(_) => {
            tracing::error!(error = ?e, "request failed");
            "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau.".to_string()
        }
        AppError::Invalid(_) => "Dữ liệu nhập chưa hợp lệ, vui lòng kiểm tra lại.".to_string(),
        other => other.to_string(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable: `not_found`, `unauthenticated`, `forbidden`, `bad_credentials`,
    /// `too_many_attempts`, `invalid_input`, `csrf`, `method_not_allowed`, `internal`.
    pub code: String,
    /// Vietnamese, for people.
    pub message: String,
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// An error from an API handler.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields = match &self.0 {
            AppError::Invalid(inv) => inv
                .errors
                .iter()
                .map(|f| FieldErrorBody {
                    field: f.field.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().to_string(),
                message: public_message(&self.0),
                fields,
            },
        };
        (status_of(&self.0), Json(body)).into_response()
    }
}

/// An error from a page handler: a page in Vietnamese, or the login page for a visitor.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError(AppError::Internal(e.to_string()))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        let status = status_of(&self.0);
        let (title, detail) = match &self.0 {
            AppError::NotFound => (
                "Không tìm thấy",
                "Trang hoặc nội dung bạn tìm không tồn tại, hoặc nằm ngoài phạm vi bạn được xem."
                    .to_string(),
            ),
            AppError::Forbidden => ("Không có quyền", self.0.to_string()),
            AppError::Invalid(inv) => (
                "Dữ liệu chưa hợp lệ",
                inv.errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => ("Có lỗi", public_message(&self.0)),
        };
        let page = ErrorPage {
            title,
            detail: &detail,
            status: status.as_u16(),
        };
        match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, detail).into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'a str,
    pub detail: &'a str,
    pub status: u16,
}
