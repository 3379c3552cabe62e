//! What a form shows again when it was refused: each value as the user typed it and each
//! field's message beside it, so that nothing typed is lost and every error says where it is.
//! A form that has not been sent yet shows the values offered (`Typed::offered`).

use std::collections::HashMap;

use chibo_app::AppError;
use chibo_domain::Invalid;

use crate::error::PageError;
use crate::extract::form::FormValues;

/// A form's values and its fields' messages (every message of a field, one after the other).
#[derive(Debug, Default)]
pub struct Typed {
    values: HashMap<String, String>,
    /// Every value sent, for fields sent more than once (the boxes ticked in a list).
    all: Vec<(String, String)>,
    errors: HashMap<String, String>,
}

impl Typed {
    /// The values offered before the user types (a form's defaults).
    pub fn offered<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Typed {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            all: Vec::new(),
            errors: HashMap::new(),
        }
    }

    /// The values as sent (a key sent twice keeps its first value); `secret` keys (a password)
    /// are never sent back.
    pub fn sent(f: &FormValues, secret: &[&str]) -> Self {
        let mut values = HashMap::new();
        let mut all = Vec::new();
        for (k, v) in f.pairs().filter(|(k, _)| !secret.contains(k)) {
            values.entry(k.to_string()).or_insert_with(|| v.to_string());
            all.push((k.to_string(), v.to_string()));
        }
        Typed {
            values,
            all,
            errors: HashMap::new(),
        }
    }

    pub fn with_errors(mut self, inv: &Invalid) -> Self {
        self.errors = by_field(inv);
        self
    }

    /// With the fields' messages of a use case's refusal, if it refused.
    pub fn with_errors_of<T>(mut self, r: &Result<T, AppError>) -> Self {
        self.errors = messages(r);
        self
    }

    /// The value of a field ("" when none).
    pub fn get(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or("")
    }

    /// Whether `v` was among the values sent for `k` (a box ticked in a list).
    pub fn has(&self, k: &str, v: &str) -> bool {
        self.all.iter().any(|(key, value)| key == k && value == v)
    }

    /// The `n`-th value sent for `k` (from 0; "" when fewer were sent): one of a form's
    /// repeated lines.
    pub fn nth(&self, k: &str, n: usize) -> &str {
        self.all
            .iter()
            .filter(|(key, _)| key == k)
            .nth(n)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The values sent for `k` that are ids (the boxes ticked in a list).
    pub fn ids(&self, k: &str) -> Vec<i64> {
        self.all
            .iter()
            .filter(|(key, _)| key == k)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    }

    /// A field's message ("" when none).
    pub fn err(&self, k: &str) -> &str {
        self.errors.get(k).map(String::as_str).unwrap_or("")
    }

    /// Each refused field with its message.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.errors.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// The first message (in field order) of the fields under `prefix` (`targets[2].`): one
    /// line of a form's repeated lines.
    pub fn err_under(&self, prefix: &str) -> &str {
        let mut under: Vec<(&String, &String)> = self
            .errors
            .iter()
            .filter(|(f, _)| f.starts_with(prefix))
            .collect();
        under.sort_unstable();
        under.first().map_or("", |(_, m)| m.as_str())
    }

    /// 422 when the form was refused, else 200.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.refused() {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::OK
        }
    }

    pub fn has_err(&self, k: &str) -> bool {
        self.errors.contains_key(k)
    }

    /// Every field's message, for the list above the form.
    pub fn messages(&self) -> Vec<&str> {
        let mut m: Vec<&str> = self.errors.values().map(String::as_str).collect();
        m.sort_unstable();
        m
    }

    /// Whether the form was refused.
    pub fn refused(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// A page's refused form: which of its forms, and what was typed in it. A page with several
/// forms reads each field through it, so the refused form shows what was typed with its
/// messages while the others show what they offer.
#[derive(Debug, Default)]
pub struct Refusal {
    pub form: String,
    pub typed: Typed,
}

impl Refusal {
    pub fn of(form: impl Into<String>, typed: Typed) -> Self {
        Refusal {
            form: form.into(),
            typed,
        }
    }

    /// Whether `form` is the one refused (it opens, its fields marked).
    pub fn open(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form == form
    }

    /// A field of `form`: as typed when it was refused, else `offered`.
    pub fn val<'a>(&'a self, form: &str, key: &str, offered: &'a str) -> &'a str {
        if self.open(form) {
            self.typed.get(key)
        } else {
            offered
        }
    }

    /// Line `n` (from 0) of a repeated field of `form`: as typed when it was refused, else "".
    pub fn nth(&self, form: &str, key: &str, n: &usize) -> &str {
        if self.open(form) {
            self.typed.nth(key, *n)
        } else {
            ""
        }
    }

    /// The message beside a field of `form` ("" when none).
    pub fn err(&self, form: &str, key: &str) -> &str {
        if self.open(form) {
            self.typed.err(key)
        } else {
            ""
        }
    }

    pub fn bad(&self, form: &str, key: &str) -> bool {
        !self.err(form, key).is_empty()
    }

    /// Every message of `form` when it was refused: a small form (a step's button with its
    /// day) shows them beside itself.
    pub fn errs(&self, form: &str) -> Vec<&str> {
        if self.open(form) {
            self.typed.messages()
        } else {
            Vec::new()
        }
    }

    /// Whether option or box `v` of field `key` was chosen in the refused `form`.
    pub fn chose(&self, form: &str, key: &str, v: &str) -> bool {
        self.open(form) && self.typed.has(key, v)
    }

    /// Every message, for the list above the page's forms.
    pub fn messages(&self) -> Vec<&str> {
        self.typed.messages()
    }

    pub fn refused(&self) -> bool {
        self.typed.refused()
    }

    /// 422 when a form was refused, else 200.
    pub fn status(&self) -> axum::http::StatusCode {
        self.typed.status()
    }
}

/// A use case's result with the errors of one row of a list (`prefix`, e.g. `gaps[3].`) named
/// by the form's own fields: a page form that sends one row of what the API takes as a list.
pub fn row_fields<T>(r: Result<T, AppError>, prefix: &str) -> Result<T, AppError> {
    r.map_err(|e| e.rename_fields(|f| f.strip_prefix(prefix).map(str::to_string)))
}

/// Every row of a sheet read, or the refusal naming every bad row (not only the first), so the
/// sheet shows each row's message at once.
pub fn all_rows<T>(
    rows: impl IntoIterator<Item = Result<T, AppError>>,
) -> Result<Vec<T>, AppError> {
    let mut read = Vec::new();
    let mut bad = Invalid::new();
    for r in rows {
        match r {
            Ok(v) => read.push(v),
            Err(AppError::Invalid(inv)) => bad.errors.extend(inv.errors),
            Err(e) => return Err(e),
        }
    }
    bad.into_result()?;
    Ok(read)
}

/// A use case's result with the errors of its list's entries (`entries[i]`) named by the rows of
/// the form they came from (`row_<id>`, `row_ids[i]` the row of entry `i`): a sheet of one row
/// per member shows each entry's refusal on its row.
pub fn entries_named<T>(r: Result<T, AppError>, row_ids: &[i64]) -> Result<T, AppError> {
    r.map_err(|e| {
        e.rename_fields(|f| {
            let index = f.strip_prefix("entries[")?.strip_suffix(']')?;
            let id = row_ids.get(index.parse::<usize>().ok()?)?;
            Some(format!("row_{id}"))
        })
    })
}

/// Each field's messages, one after the other when it has several.
pub fn by_field(inv: &Invalid) -> HashMap<String, String> {
    let mut errors: HashMap<String, String> = HashMap::new();
    for e in &inv.errors {
        let m = errors.entry(e.field.clone()).or_default();
        if !m.contains(&e.message) {
            if !m.is_empty() {
                m.push(' ');
            }
            m.push_str(&e.message);
        }
    }
    errors
}

/// Each field's messages, when a use case refused its input.
pub fn messages<T>(r: &Result<T, AppError>) -> HashMap<String, String> {
    match r {
        Err(AppError::Invalid(inv)) => by_field(inv),
        _ => HashMap::new(),
    }
}

/// Splits a use case's result: a refusal becomes its fields' messages (for a page that keeps
/// what was typed its own way), other errors become pages.
pub fn messages_of<T>(r: Result<T, AppError>) -> Result<Result<T, Typed>, PageError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid(inv)) => Ok(Err(Typed::default().with_errors(&inv))),
        Err(e) => Err(PageError(e)),
    }
}

/// Splits a use case's result: a refusal goes back to the form with what was typed, other
/// errors become pages.
pub fn refused<T>(
    r: Result<T, AppError>,
    sent: &FormValues,
    secret: &[&str],
) -> Result<Result<T, Typed>, PageError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid(inv)) => Ok(Err(Typed::sent(sent, secret).with_errors(&inv))),
        Err(e) => Err(PageError(e)),
    }
}
