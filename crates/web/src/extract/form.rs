//! Request bodies: JSON for the API and HTML forms for the pages, both read into the use case's
//! own `serde` input types, with a wrong field named in Vietnamese.
//!
//! A page form is read the way a browser sends it: a blank field is left out (so an optional
//! field is `None`, a text field empty and a required id missing, never 0), repeated keys fill a
//! list (multi-selects), a checkbox is `on`. The raw values are kept beside the typed input so a
//! form answered with errors is shown again as the user typed it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use chibo_app::AppError;
use chibo_domain::bounded::MESSAGE_PREFIX;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};

use crate::error::{ApiError, PageError};

/// A JSON body whose errors are answered in Vietnamese with the `invalid_input` code, naming the
/// field that is wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|_| {
                ApiError(AppError::invalid(
                    "body",
                    "Nội dung gửi lên không phải JSON hợp lệ (cần Content-Type: application/json).",
                ))
            })?;
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| ApiError(field_error(e)))
    }
}

/// The raw values of a submitted form, in order, for showing the form again.
#[derive(Debug, Clone, Default)]
pub struct FormValues(Vec<(String, String)>);

impl FormValues {
    /// A key sent once with a blank value is left out; a key sent several times keeps every
    /// value, so lists posted line by line (a text and its due date) stay aligned.
    pub(crate) fn parse(body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        // Counted once: a body of many distinct blank keys must not cost a scan per key.
        let mut times: HashMap<&str, usize> = HashMap::new();
        for (k, _) in &pairs {
            *times.entry(k.as_str()).or_default() += 1;
        }
        let kept = pairs
            .iter()
            .filter(|(k, v)| !v.trim().is_empty() || times[k.as_str()] > 1)
            .cloned()
            .collect();
        FormValues(kept)
    }

    /// The first value sent under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value as sent, for a form that shows them all again.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Where the form asks to go after success (`back`): a path on this site, never another
    /// host.
    pub fn back(&self) -> Option<&str> {
        self.get("back")
            .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
    }

    /// The unit whose page the form was posted from (`unit`), to show again on an error.
    pub fn from_unit(&self) -> Option<i64> {
        self.get("unit").and_then(|u| u.parse().ok())
    }

    /// The page of a list a row's form was posted from (`after`, the list's cursor), so a
    /// refused row is shown again on its own page, not on the first.
    pub fn from_page(&self) -> Option<chibo_domain::cursor::Cursor> {
        self.get("after")
            .and_then(|c| chibo_domain::cursor::Cursor::decode(c).ok())
    }
}

/// A sheet with one row per member (or criterion): each field of a row is posted as
/// `<field>_<key>`, because a row's radio buttons cannot share one name with other rows'.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Rows(BTreeMap<String, String>);

impl Rows {
    /// Every row that has `field`, as its key and value, in key order.
    pub fn with<'a>(&'a self, field: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let prefix = format!("{field}_");
        self.0
            .iter()
            .filter_map(move |(k, v)| Some((k.strip_prefix(&prefix)?, v.as_str())))
    }

    /// Like `with`, for rows keyed by an id; a key that is not one is a field error.
    pub fn with_ids<'a>(&'a self, field: &'a str) -> Result<Vec<(i64, &'a str)>, AppError> {
        self.with(field)
            .map(|(k, v)| match k.parse() {
                Ok(id) => Ok((id, v)),
                Err(_) => Err(AppError::invalid(
                    &format!("{field}_{k}"),
                    format!("Dòng \"{k}\" của biểu mẫu không hợp lệ."),
                )),
            })
            .collect()
    }

    /// The row's value of `field`, if it was filled in.
    pub fn value(&self, field: &str, key: impl std::fmt::Display) -> Option<String> {
        self.0.get(&format!("{field}_{key}")).cloned()
    }

    /// A row's number (`<field>_<key>`), or the field error `message` names the row by.
    pub fn number(
        field: &str,
        key: impl std::fmt::Display,
        raw: &str,
        message: impl Into<String>,
    ) -> Result<u32, AppError> {
        raw.trim()
            .parse()
            .map_err(|_| AppError::invalid(&format!("{field}_{key}"), message))
    }

    /// A field of the form that is not per row.
    pub fn single(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
}

/// A page form read into `T`; a value that does not fit its field is answered with an error
/// page naming the field.
pub struct Form<T> {
    pub input: T,
    pub values: FormValues,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let unreadable = || {
            PageError(AppError::invalid(
                "form",
                "Không đọc được dữ liệu biểu mẫu.",
            ))
        };
        // A page form is always urlencoded; anything else was not sent by our pages.
        let urlencoded = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !urlencoded {
            return Err(unreadable());
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| unreadable())?;
        let values = FormValues::parse(&body);
        let input = typed(&values).map_err(PageError)?;
        Ok(Form { input, values })
    }
}

/// Reads the non-blank values into `T`.
fn typed<T: DeserializeOwned>(values: &FormValues) -> Result<T, AppError> {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(values.0.iter())
        .finish();
    let de = serde_html_form::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(field_error)
}

/// The Vietnamese error for a field that could not be read, named by its label where the
/// forms have one.
fn field_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> AppError {
    let inner = e.inner().to_string();
    let path = e.path().to_string();
    // A missing required field is reported at the struct, with serde's wording naming it.
    let field = match inner.strip_prefix("missing field `") {
        Some(rest) => rest.trim_end_matches('`').to_string(),
        None => path,
    };
    let label = label_of(&field);
    let message = if inner.starts_with("missing field") {
        format!("Chưa nhập {label}.")
    } else if inner.starts_with(MESSAGE_PREFIX) {
        format!("{} {inner}", capitalised(&label))
    } else {
        format!("Giá trị của {label} không hợp lệ.")
    };
    AppError::invalid(&field, message)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What a field is called on the forms, for the fields whose value must be a number or an id.
fn label_of(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let known = match last {
        "member_id" => "đảng viên",
        "writer_member_id" => "người viết chuyên đề",
        "chair_member_id" => "người chủ trì",
        "secretary_member_id" => "thư ký",
        "unit_id" | "parent_id" => "đơn vị",
        "new_parent_id" => "đơn vị cấp trên mới",
        "into_unit_id" => "đơn vị nhận sáp nhập",
        "to_unit_id" => "đơn vị chuyển đến",
        "votes_for" => "số phiếu tán thành",
        "votes_against" => "số phiếu không tán thành",
        "votes_abstain" => "số phiếu không biểu quyết",
        "year" => "năm",
        "quarter" => "quý",
        "years" => "số năm tuổi Đảng",
        "score" | "points" => "điểm",
        "member_ids" | "attendee_ids" | "founding_member_ids" | "completed_ids" => {
            "danh sách đảng viên"
        }
        _ => "",
    };
    if known.is_empty() {
        format!("trường \"{field}\"")
    } else {
        known.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Default, PartialEq)]
    #[serde(default)]
    struct Sample {
        member_id: Option<i64>,
        what: String,
        due_on: Option<String>,
        ids: Vec<i64>,
        combined: bool,
        votes_for: Option<u32>,
    }

    fn read(body: &str) -> Result<Sample, AppError> {
        typed(&FormValues::parse(body.as_bytes()))
    }

    #[test]
    fn blank_fields_are_absent_and_repeated_keys_fill_a_list() {
        let s = read("member_id=&what=Vi%E1%BB%87c&due_on=+&ids=3&ids=5&combined=on").unwrap();
        assert_eq!(
            s,
            Sample {
                member_id: None,
                what: "Việc".into(),
                due_on: None,
                ids: vec![3, 5],
                combined: true,
                votes_for: None,
            }
        );
    }

    #[test]
    fn lines_posted_twice_keep_their_blanks_aligned() {
        let v = FormValues::parse(b"text=a&due=&text=b&due=2026-01-02&note=");
        assert_eq!(
            v.0,
            [
                ("text", "a"),
                ("due", ""),
                ("text", "b"),
                ("due", "2026-01-02")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn a_bad_number_is_named_in_vietnamese() {
        let AppError::Invalid(inv) = read("votes_for=mười").unwrap_err() else {
            panic!("expected a field error")
        };
        assert_eq!(inv.errors[0].field, "votes_for");
        assert_eq!(
            inv.errors[0].message,
            "Giá trị của số phiếu tán thành không hợp lệ."
        );
    }
}
