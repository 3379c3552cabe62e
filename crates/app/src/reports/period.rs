//! The period a report covers: both ends included, the current year when not given.

use chibo_domain::Invalid;
use chibo_domain::validate;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{App, AppResult};

/// A period of dates, both ends included; the current year when not given.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn parse(from: Option<&str>, to: Option<&str>) -> AppResult<Period> {
        let year = App::today().year();
        let mut e = Invalid::new();
        let from = validate::date_field(&mut e, "from", "từ ngày", from, false)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January"));
        let to = validate::date_field(&mut e, "to", "đến ngày", to, false)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December"));
        if to < from {
            e.push("to", "Đến ngày phải sau từ ngày.");
        }
        e.into_result()?;
        Ok(Period { from, to })
    }

    /// Whether `d` falls in the period.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;

    #[test]
    fn without_dates_the_period_is_this_year() {
        let p = Period::parse(None, None).unwrap();
        let year = App::today().year();
        assert_eq!(p.from, NaiveDate::from_ymd_opt(year, 1, 1).unwrap());
        assert_eq!(p.to, NaiveDate::from_ymd_opt(year, 12, 31).unwrap());
        assert!(p.contains(App::today()));
    }

    #[test]
    fn both_ends_are_included_and_a_reversed_period_is_refused() {
        let p = Period::parse(Some("2026-03-01"), Some("31/03/2026")).unwrap();
        assert!(p.contains(p.from) && p.contains(p.to));
        assert!(!p.contains(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()));
        let Err(AppError::Invalid(inv)) = Period::parse(Some("2026-03-01"), Some("2026-02-01"))
        else {
            panic!("a period that ends before it starts")
        };
        assert_eq!(inv.errors[0].field, "to");
    }
}
