//! Meetings as iCalendar (RFC 5545): the feeds members subscribe to and the `.ics` of one
//! meeting. Times are written in UTC: Việt Nam keeps UTC+7 all year, and a calendar that has
//! no definition of `Asia/Ho_Chi_Minh` then still shows the right hour.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

/// Việt Nam's offset from UTC, in seconds (no daylight saving).
const VIETNAM_OFFSET: i32 = 7 * 3600;

/// One meeting as a calendar shows it.
#[derive(Debug, Clone)]
pub struct CalendarEvent {
    /// Stable across feeds and downloads, so a calendar updates the event instead of adding
    /// another: `meeting-<id>@chibo` (not the server's address, which may change).
    pub uid: String,
    /// Local time in Việt Nam.
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub summary: String,
    pub location: String,
    pub description: String,
    /// The meeting's page.
    pub url: String,
    pub cancelled: bool,
}

/// The UTC instant of a local time in Việt Nam.
pub fn vietnam_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let offset = FixedOffset::east_opt(VIETNAM_OFFSET).expect("a valid offset");
    offset
        .from_local_datetime(&local)
        .single()
        .expect("a fixed offset has one local time")
        .with_timezone(&Utc)
}

/// A calendar named `name` with `events`, as the text of an `.ics` file (CRLF lines, folded
/// at 75 octets, as RFC 5545 asks), made at `stamped_at`.
pub fn ics(name: &str, events: &[CalendarEvent], stamped_at: DateTime<Utc>) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    // Feeds are fetched again by the calendar; every few hours is enough for meetings.
    cal.ttl(&Duration::hours(4));
    for e in events {
        let mut ev = Event::new();
        ev.uid(&e.uid)
            .summary(&e.summary)
            .location(&e.location)
            .description(&e.description)
            .url(&e.url)
            .starts(vietnam_to_utc(e.starts))
            .ends(vietnam_to_utc(e.ends))
            .timestamp(stamped_at)
            .status(if e.cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        cal.push(ev.done());
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn event(cancelled: bool) -> CalendarEvent {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        CalendarEvent {
            uid: "meeting-7@chibo.example.vn".into(),
            starts: day.and_hms_opt(19, 30, 0).unwrap(),
            ends: day.and_hms_opt(21, 30, 0).unwrap(),
            summary: "Sinh hoạt chi bộ thường kỳ tháng 12/2026 — Chi bộ thôn Đồng Tâm".into(),
            location: "Nhà văn hóa thôn Đồng Tâm, xã Phú Lâm".into(),
            description: "Nội dung chính: Đánh giá kết quả thực hiện nghị quyết tháng 11; \
                          triển khai nhiệm vụ tháng 12.\nChương trình:\n1. Khai mạc"
                .into(),
            url: "https://chibo.example.vn/meetings/7".into(),
            cancelled,
        }
    }

    fn stamp() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
    }

    /// Reads the text back with another implementation of RFC 5545 (the `ical` crate).
    fn parsed(text: &str) -> ical::parser::ical::component::IcalCalendar {
        let mut reader = ical::IcalParser::new(text.as_bytes());
        let cal = reader
            .next()
            .expect("one calendar")
            .expect("valid iCalendar");
        assert!(reader.next().is_none(), "one calendar only");
        cal
    }

    fn prop<'a>(e: &'a ical::parser::ical::component::IcalEvent, name: &str) -> &'a str {
        e.properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.as_deref())
            .unwrap_or_else(|| panic!("no {name}"))
    }

    #[test]
    fn a_meeting_reads_back_in_vietnamese_at_its_utc_hour() {
        let text = ics(
            "Lịch sinh hoạt — Chi bộ thôn Đồng Tâm",
            &[event(false)],
            stamp(),
        );
        assert!(text.lines().all(|l| l.len() <= 76), "lines folded");
        assert!(text.contains("\r\n"));
        let cal = parsed(&text);
        assert_eq!(cal.events.len(), 1);
        let e = &cal.events[0];
        assert_eq!(prop(e, "UID"), "meeting-7@chibo.example.vn");
        // 19:30 in Hà Nội is 12:30 UTC.
        assert_eq!(prop(e, "DTSTART"), "20261205T123000Z");
        assert_eq!(prop(e, "DTEND"), "20261205T143000Z");
        assert_eq!(prop(e, "STATUS"), "CONFIRMED");
        assert_eq!(prop(e, "DTSTAMP"), "20261128T020000Z");
        assert_eq!(
            prop(e, "SUMMARY"),
            "Sinh hoạt chi bộ thường kỳ tháng 12/2026 — Chi bộ thôn Đồng Tâm"
        );
        // Commas and semicolons are escaped in the text and come back as typed.
        assert!(prop(e, "LOCATION").contains("Đồng Tâm\\, xã Phú Lâm"));
        assert!(prop(e, "DESCRIPTION").contains("tháng 11\\; triển khai"));
    }

    #[test]
    fn a_cancelled_meeting_is_a_cancelled_event() {
        let cal = parsed(&ics("Lịch", &[event(false), event(true)], stamp()));
        assert_eq!(prop(&cal.events[1], "STATUS"), "CANCELLED");
    }

    #[test]
    fn the_offset_of_vietnam_has_no_summer_time() {
        let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let jul = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        for d in [jan, jul] {
            let local = d.and_hms_opt(7, 0, 0).unwrap();
            assert_eq!(
                vietnam_to_utc(local).naive_utc(),
                d.and_hms_opt(0, 0, 0).unwrap()
            );
        }
    }
}
