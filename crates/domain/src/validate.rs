//! Field checks shared by the pages and the API. Messages are Vietnamese and name the field.

use chrono::NaiveDate;

use crate::Invalid;

/// A citizen ID (CCCD) is exactly 12 digits; an empty optional field is not an error.
pub fn check_citizen_id(errors: &mut Invalid, field: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|s| !s.is_empty())?;
    let s: String = value.split_whitespace().collect();
    if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
        Some(s)
    } else {
        errors.push(field, "Số CCCD phải gồm đúng 12 chữ số.");
        None
    }
}

/// Vietnamese phone numbers: 10 digits starting with 0, or +84 followed by 9 digits.
pub fn check_phone(errors: &mut Invalid, field: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|s| !s.is_empty())?;
    let digits: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = if let Some(rest) = digits.strip_prefix("+84") {
        format!("0{rest}")
    } else {
        digits
    };
    if national.len() == 10
        && national.starts_with('0')
        && national.chars().all(|c| c.is_ascii_digit())
    {
        Some(national)
    } else {
        errors.push(
            field,
            "Số điện thoại phải có 10 chữ số, bắt đầu bằng 0 (hoặc +84).",
        );
        None
    }
}

/// An id the user must choose from a list (a member, a unit). Without it nothing else about
/// the choice can be checked, so a missing one is answered at once.
pub fn chosen(field: &str, label: &str, value: Option<i64>) -> Result<i64, Invalid> {
    value.ok_or_else(|| {
        let mut e = Invalid::new();
        e.push(field, format!("Vui lòng chọn {label}."));
        e
    })
}

pub fn required_text(
    errors: &mut Invalid,
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let cleaned = crate::text::clean(value);
    if cleaned.is_empty() {
        errors.push(field, format!("Vui lòng nhập {label}."));
    } else if cleaned.chars().count() > max {
        errors.push(
            field,
            format!(
                "{label} không được dài quá {max} ký tự.",
                label = capitalise(label)
            ),
        );
    }
    cleaned
}

pub fn optional_text(
    errors: &mut Invalid,
    field: &str,
    label: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    checked_length(
        errors,
        field,
        label,
        crate::text::clean(value.unwrap_or("")),
        max,
    )
}

/// [`optional_text`] for a text typed in lines (a resolution, a draft): the line breaks stay.
pub fn optional_lines(
    errors: &mut Invalid,
    field: &str,
    label: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let cleaned = crate::text::clean_multiline(value.unwrap_or(""));
    checked_length(errors, field, label, cleaned, max)
}

/// A cleaned text, `None` when empty; longer than `max` characters is an error of `field`.
fn checked_length(
    errors: &mut Invalid,
    field: &str,
    label: &str,
    cleaned: String,
    max: usize,
) -> Option<String> {
    if cleaned.is_empty() {
        return None;
    }
    if cleaned.chars().count() > max {
        errors.push(
            field,
            format!("{} không được dài quá {max} ký tự.", capitalise(label)),
        );
    }
    Some(cleaned)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Parses a time of day written `HH:MM` (what HTML time inputs send).
pub fn parse_time(s: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

/// Parses `YYYY-MM-DD` (what HTML date inputs send) or `DD/MM/YYYY` (what people type).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

pub fn date_field(
    errors: &mut Invalid,
    field: &str,
    label: &str,
    value: Option<&str>,
    required: bool,
) -> Option<NaiveDate> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if required {
                errors.push(field, format!("Vui lòng nhập {label}."));
            }
            None
        }
        Some(s) => match parse_date(s) {
            Some(d) => Some(d),
            None => {
                errors.push(
                    field,
                    format!(
                        "{} không đúng định dạng ngày (dd/mm/yyyy).",
                        capitalise(label)
                    ),
                );
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_id_must_be_twelve_digits() {
        let mut e = Invalid::new();
        assert_eq!(
            check_citizen_id(&mut e, "cccd", Some("001085012345")),
            Some("001085012345".into())
        );
        assert!(e.is_empty());
        assert_eq!(check_citizen_id(&mut e, "cccd", Some("12345")), None);
        assert_eq!(check_citizen_id(&mut e, "cccd", Some("00108501234a")), None);
        assert_eq!(e.errors.len(), 2);
        assert_eq!(check_citizen_id(&mut e, "cccd", Some("  ")), None);
        assert_eq!(e.errors.len(), 2, "an empty optional field is not an error");
    }

    #[test]
    fn phone_numbers() {
        let mut e = Invalid::new();
        assert_eq!(
            check_phone(&mut e, "p", Some("0912 345 678")),
            Some("0912345678".into())
        );
        assert_eq!(
            check_phone(&mut e, "p", Some("+84912345678")),
            Some("0912345678".into())
        );
        assert!(e.is_empty());
        check_phone(&mut e, "p", Some("12345"));
        assert_eq!(e.errors.len(), 1);
    }

    #[test]
    fn dates_in_both_formats() {
        assert_eq!(
            parse_date("2024-05-19"),
            NaiveDate::from_ymd_opt(2024, 5, 19)
        );
        assert_eq!(
            parse_date("19/05/2024"),
            NaiveDate::from_ymd_opt(2024, 5, 19)
        );
        assert_eq!(parse_date("31/02/2024"), None);
    }
}
