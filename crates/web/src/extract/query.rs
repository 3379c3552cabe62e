//! Query strings for pages and the API, read the same way: every value checked as it is read
//! (numbers within their bounds, see `chibo_domain::bounded`), a bad one answered 422 with the
//! parameter's name and a Vietnamese message, as JSON under /api and as a page elsewhere.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chibo_app::AppError;
use chibo_domain::bounded::MESSAGE_PREFIX;
use chibo_domain::cursor::CURSOR_MESSAGE;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, PageError};

/// Reads the query string into `T`, naming the parameter that is wrong.
fn parse<T: DeserializeOwned>(parts: &Parts) -> Result<T, AppError> {
    let raw = parts.uri.query().unwrap_or("");
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.inner().to_string();
        let message = if inner.starts_with(MESSAGE_PREFIX) || inner.starts_with(CURSOR_MESSAGE) {
            format!("Tham số \"{field}\" {inner}")
        } else {
            format!("Giá trị của tham số \"{field}\" không hợp lệ.")
        };
        AppError::invalid(&field, message)
    })
}

/// Query parameters of an API call; errors as the API's JSON error.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse(parts).map(ApiQuery).map_err(ApiError)
    }
}

/// Query parameters of a page; errors as a Vietnamese error page.
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse(parts).map(PageQuery).map_err(PageError)
    }
}

/// Where a keyset-paged list continues and how long its page is, for lists that take nothing
/// else in their query string.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Paging {
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub after: Option<chibo_domain::cursor::Cursor>,
    /// Rows on a page (1–500; each list has its default).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<chibo_domain::bounded::PageSize>,
}

impl Paging {
    /// The page length asked for, or the list's default.
    pub fn per_page_or(&self, default: u64) -> u64 {
        self.per_page.map_or(default, |p| p.get_u64())
    }
}

/// What a form's choice list asks while the user types: the name so far.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChoicesQuery {
    pub q: String,
}

/// A name search over a form's choices (units, cells, officers), a page at a time.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct NameSearch {
    /// Part of the name, diacritics optional.
    pub q: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub after: Option<chibo_domain::cursor::Cursor>,
    /// Rows on a page (1–500, default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<chibo_domain::bounded::PageSize>,
}

impl NameSearch {
    /// The page length asked for, or 100.
    pub fn per_page(&self) -> u64 {
        self.per_page.map_or(100, |p| p.get_u64())
    }
}
