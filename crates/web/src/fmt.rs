//! Formatting for pages: dates as Vietnamese users write them.

use chrono::NaiveDate;

pub trait VnDate {
    /// `dd/mm/yyyy`, or an empty string.
    fn vn(&self) -> String;
}

impl VnDate for NaiveDate {
    fn vn(&self) -> String {
        self.format("%d/%m/%Y").to_string()
    }
}

impl VnDate for Option<NaiveDate> {
    fn vn(&self) -> String {
        self.map(|d| d.vn()).unwrap_or_default()
    }
}

impl VnDate for chrono::DateTime<chrono::Utc> {
    fn vn(&self) -> String {
        (*self + chrono::Duration::hours(7))
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
}
