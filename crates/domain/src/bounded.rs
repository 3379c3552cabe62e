//! Whole numbers that come from users in query strings (page, year, limit), bounded at the
//! edge: a value outside its range is refused while it is read, in Vietnamese, instead of
//! overflowing an offset or a date further in (`page=200000000000000000` once panicked).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// The start of every message of a refused value, so the reader of a query string can tell
/// these apart from a parser's own (English) messages.
pub const MESSAGE_PREFIX: &str = "phải là số nguyên từ ";

/// An integer known to lie in `MIN..=MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Bounded<const MIN: i64, const MAX: i64>(i64);

/// A page number of a list.
pub type PageNumber = Bounded<1, 1_000_000>;
/// Rows on a page.
pub type PageSize = Bounded<1, 500>;
/// A row's id given back as a keyset cursor (`before`).
pub type RowId = Bounded<1, 1_000_000_000_000>;
/// A calendar year chibo can hold records for.
pub type Year = Bounded<1900, 2200>;

impl<const MIN: i64, const MAX: i64> Bounded<MIN, MAX> {
    /// The value, or why not (the message follows the parameter's name).
    pub fn new(v: i64) -> Result<Self, String> {
        if (MIN..=MAX).contains(&v) {
            Ok(Self(v))
        } else {
            Err(Self::message())
        }
    }

    /// A value chosen in code, brought into range.
    pub const fn clamped(v: i64) -> Self {
        Self(if v < MIN {
            MIN
        } else if v > MAX {
            MAX
        } else {
            v
        })
    }

    fn message() -> String {
        format!("{MESSAGE_PREFIX}{MIN} đến {MAX}.")
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// As an unsigned count (the bounds are never negative where this is used).
    pub fn get_u64(self) -> u64 {
        u64::try_from(self.0).unwrap_or(0)
    }

    /// As a year or another `i32` quantity (every bound here fits one).
    pub fn get_i32(self) -> i32 {
        i32::try_from(self.0).unwrap_or(if self.0 < 0 { i32::MIN } else { i32::MAX })
    }
}

impl<const MIN: i64, const MAX: i64> fmt::Display for Bounded<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

struct BoundedVisitor<const MIN: i64, const MAX: i64>;

impl<'de, const MIN: i64, const MAX: i64> Visitor<'de> for BoundedVisitor<MIN, MAX> {
    type Value = Bounded<MIN, MAX>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{MESSAGE_PREFIX}{MIN} đến {MAX}")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Bounded::new(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        let v = i64::try_from(v).map_err(|_| E::custom(Bounded::<MIN, MAX>::message()))?;
        self.visit_i64(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let v: i64 = v
            .trim()
            .parse()
            .map_err(|_| E::custom(Bounded::<MIN, MAX>::message()))?;
        self.visit_i64(v)
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoundedVisitor::<MIN, MAX>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Deserialize)]
    struct Q {
        page: Option<PageNumber>,
    }

    #[test]
    fn strings_and_numbers_in_range_read() {
        let q: Q = serde_json::from_str(r#"{"page": 3}"#).unwrap();
        assert_eq!(q.page.map(Bounded::get), Some(3));
        let q: Q = serde_json::from_str(r#"{"page": "7"}"#).unwrap();
        assert_eq!(q.page.map(Bounded::get_u64), Some(7));
    }

    #[test]
    fn out_of_range_is_refused_in_vietnamese() {
        for raw in [
            r#"{"page": 0}"#,
            r#"{"page": "200000000000000000"}"#,
            r#"{"page": 18446744073709551615}"#,
            r#"{"page": "x"}"#,
            r#"{"page": -1}"#,
        ] {
            let e = serde_json::from_str::<Q>(raw).err().unwrap().to_string();
            assert!(
                e.contains("phải là số nguyên từ 1 đến 1000000"),
                "{raw}: {e}"
            );
        }
    }

    proptest! {
        #[test]
        fn accepted_exactly_within_bounds(v in any::<i64>()) {
            prop_assert_eq!(Year::new(v).is_ok(), (1900..=2200).contains(&v));
        }
    }
}
