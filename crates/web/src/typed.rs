//! What a form shows again when it was refused: each value as the user typed it and each
//! field's message beside it, so that nothing typed is lost and every error says where it is.
//! A form that has not been sent yet shows the values offered (`Typed::offered`).

use std::collections::HashMap;

use chibo_app::AppError;
use chibo_domain::Invalid;

use crate::error::PageError;
use crate::extract::form::FormValues;

/// A form's values and its fields' messages (the first message of each field).
#[derive(Debug, Default)]
pub struct Typed {
    values: HashMap<String, String>,
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
            errors: HashMap::new(),
        }
    }

    /// The values as sent (a key sent twice keeps its first value); `secret` keys (a password)
    /// are never sent back.
    pub fn sent(f: &FormValues, secret: &[&str]) -> Self {
        let mut values = HashMap::new();
        for (k, v) in f.pairs().filter(|(k, _)| !secret.contains(k)) {
            values.entry(k.to_string()).or_insert_with(|| v.to_string());
        }
        Typed {
            values,
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

    /// A field's message ("" when none).
    pub fn err(&self, k: &str) -> &str {
        self.errors.get(k).map(String::as_str).unwrap_or("")
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

/// Each field's first message.
pub fn by_field(inv: &Invalid) -> HashMap<String, String> {
    let mut errors = HashMap::new();
    for e in &inv.errors {
        errors
            .entry(e.field.clone())
            .or_insert_with(|| e.message.clone());
    }
    errors
}

/// Each field's first message, when a use case refused its input.
pub fn messages<T>(r: &Result<T, AppError>) -> HashMap<String, String> {
    match r {
        Err(AppError::Invalid(inv)) => by_field(inv),
        _ => HashMap::new(),
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
