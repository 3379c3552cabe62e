//! What members are told, and how often a failed delivery is tried again (issue 14): the kinds
//! of notice a member may choose to receive, the channels, the words of each message, and the
//! backoff between attempts. Pure: the application writes and delivers them.

use chrono::NaiveDate;

use crate::org::labelled_enum;

labelled_enum!(
    /// What a notice is about; a member may turn each kind off for email and SMS (the list in
    /// chibo itself always has them).
    NoticeKind {
        MeetingPublished = "meeting_published", "Thông báo buổi sinh hoạt mới";
        MeetingChanged = "meeting_changed", "Thông báo được sửa (nội dung, giờ, địa điểm)";
        MeetingPostponed = "meeting_postponed", "Buổi sinh hoạt dời ngày";
        MeetingCancelled = "meeting_cancelled", "Buổi sinh hoạt bị hủy";
        DocumentsPosted = "documents_posted", "Tài liệu sinh hoạt mới";
        MeetingTomorrow = "meeting_tomorrow", "Nhắc lịch tối hôm trước buổi sinh hoạt";
        TaskAssigned = "task_assigned", "Được giao nhiệm vụ";
        TaskDue = "task_due", "Nhiệm vụ sắp đến hạn (còn 3 ngày)";
        StepDue = "step_due", "Hồ sơ kết nạp, chuyển chính thức, chuyển sinh hoạt sắp đến hạn";
        StepOverdue = "step_overdue", "Hồ sơ kết nạp, chuyển chính thức, chuyển sinh hoạt quá hạn";
        ProbationDue = "probation_due", "Đảng viên dự bị sắp đến hạn xét chuyển chính thức";
        BadgeDue = "badge_due", "Đảng viên đến hạn xét tặng Huy hiệu Đảng";
        RemovalTrigger = "removal_trigger", "Đảng viên đến mức phải xem xét xóa tên";
        OverdueDigest = "overdue_digest", "Tổng hợp hằng ngày việc quá hạn (cấp ủy, ban tổ chức)";
    }
);

labelled_enum!(
    /// How a message travels beyond chibo's own list.
    Channel {
        Email = "email", "Thư điện tử";
        Sms = "sms", "Tin nhắn SMS";
    }
);

labelled_enum!(
    /// Where a message is in its delivery.
    DeliveryStatus {
        Queued = "queued", "Đang chờ gửi";
        Sending = "sending", "Đang gửi";
        Sent = "sent", "Đã gửi";
        Failed = "failed", "Gửi không được";
    }
);

/// Attempts before a message is given up as failed (an administrator may retry it).
pub const MAX_ATTEMPTS: i32 = 6;

/// Seconds to wait before attempt `attempts + 1`, after `attempts` failed ones: one minute,
/// doubling, at most six hours (six attempts are spread over about half an hour).
pub fn backoff_seconds(attempts: i32) -> i64 {
    let doublings = attempts.clamp(1, 30) - 1;
    (60_i64 << doublings.min(9)).min(6 * 3600)
}

/// A meeting as a message tells it.
#[derive(Debug, Clone)]
pub struct MeetingFacts {
    pub cell: String,
    /// "Sinh hoạt thường kỳ".
    pub kind: String,
    pub topic: String,
    pub date: NaiveDate,
    /// `HH:MM`.
    pub start_time: String,
    pub place: String,
    /// The day it was first set for and why it moved, when it moved.
    pub moved_from: Option<(NaiveDate, String)>,
    pub cancelled_reason: Option<String>,
    /// Its page, as a full address.
    pub link: String,
}

/// The words of one message: a title (an email's subject, the list's heading) and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
}

/// "19:30 thứ bảy, 05/12/2026" (the weekday's name as the rules' figures write it, within a
/// sentence).
pub fn when(date: NaiveDate, start_time: &str) -> String {
    use chrono::{Datelike, Weekday};
    let day = crate::rules::figures::weekday_name(date.weekday());
    let day = if date.weekday() == Weekday::Sun {
        day.to_string()
    } else {
        day.to_lowercase()
    };
    format!("{start_time} {day}, {}", date.format("%d/%m/%Y"))
}

/// The message about meeting `m` for notice `kind` (a meeting's kinds only; the others have
/// their own builders).
pub fn meeting_message(kind: NoticeKind, m: &MeetingFacts) -> Message {
    let at = when(m.date, &m.start_time);
    let (title, opening) = match kind {
        NoticeKind::MeetingChanged => (
            format!("Thông báo sinh hoạt được sửa: {}", m.cell),
            "Thông báo buổi sinh hoạt đã được sửa.".to_string(),
        ),
        NoticeKind::MeetingPostponed => (
            format!("Dời buổi sinh hoạt: {}", m.cell),
            match &m.moved_from {
                Some((from, why)) => format!(
                    "Buổi sinh hoạt ngày {} được dời sang {at}. Lý do: {why}",
                    from.format("%d/%m/%Y")
                ),
                None => format!("Buổi sinh hoạt được chuyển về {at}."),
            },
        ),
        NoticeKind::MeetingCancelled => (
            format!("Hủy buổi sinh hoạt: {}", m.cell),
            format!(
                "Buổi sinh hoạt {at} đã bị hủy. Lý do: {}",
                m.cancelled_reason.as_deref().unwrap_or("không ghi")
            ),
        ),
        NoticeKind::DocumentsPosted => (
            format!("Tài liệu sinh hoạt: {}", m.cell),
            "Chi bộ đã gửi tài liệu cho buổi sinh hoạt; đồng chí hãy đọc trước khi họp."
                .to_string(),
        ),
        NoticeKind::MeetingTomorrow => (
            format!("Nhắc lịch sinh hoạt ngày mai: {}", m.cell),
            "Nhắc đồng chí: ngày mai chi bộ sinh hoạt.".to_string(),
        ),
        _ => (
            format!("Thông báo sinh hoạt: {}", m.cell),
            format!("{} thông báo buổi sinh hoạt.", m.cell),
        ),
    };
    let body = format!(
        "{opening}\n{}: {}\nThời gian: {at}\nĐịa điểm: {}\nNội dung: {}\nXem chi tiết: {}",
        m.kind, m.cell, m.place, m.topic, m.link
    );
    Message { title, body }
}

/// The message about a task given to the member, or due in a few days (`due_soon`).
pub fn task_message(
    what: &str,
    due_on: NaiveDate,
    cell: &str,
    link: &str,
    due_soon: bool,
) -> Message {
    let due = due_on.format("%d/%m/%Y");
    if due_soon {
        Message {
            title: format!("Nhiệm vụ sắp đến hạn ({due})"),
            body: format!(
                "Nhiệm vụ chi bộ giao cho đồng chí sắp đến hạn ngày {due}: {what}\nChi bộ: {cell}\nXem và báo cáo tiến độ: {link}"
            ),
        }
    } else {
        Message {
            title: format!("Nhiệm vụ mới từ {cell}"),
            body: format!(
                "Chi bộ giao cho đồng chí nhiệm vụ: {what}\nHạn hoàn thành: {due}\nXem và báo cáo tiến độ: {link}"
            ),
        }
    }
}

/// An SMS holds the title and the link only: a text message is short and costs by length.
pub fn sms_text(m: &Message, link: &str) -> String {
    format!("chibo: {}. {link}", m.title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts() -> MeetingFacts {
        MeetingFacts {
            cell: "Chi bộ thôn Đồng Tâm".into(),
            kind: "Sinh hoạt thường kỳ".into(),
            topic: "Kiểm điểm tháng 11, nhiệm vụ tháng 12".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            start_time: "19:30".into(),
            place: "Nhà văn hóa thôn".into(),
            moved_from: None,
            cancelled_reason: None,
            link: "https://chibo.example.vn/meetings/7".into(),
        }
    }

    #[test]
    fn a_published_meeting_says_when_where_and_what() {
        let m = meeting_message(NoticeKind::MeetingPublished, &facts());
        assert_eq!(m.title, "Thông báo sinh hoạt: Chi bộ thôn Đồng Tâm");
        assert_eq!(
            m.body,
            "Chi bộ thôn Đồng Tâm thông báo buổi sinh hoạt.\n\
             Sinh hoạt thường kỳ: Chi bộ thôn Đồng Tâm\n\
             Thời gian: 19:30 thứ bảy, 05/12/2026\n\
             Địa điểm: Nhà văn hóa thôn\n\
             Nội dung: Kiểm điểm tháng 11, nhiệm vụ tháng 12\n\
             Xem chi tiết: https://chibo.example.vn/meetings/7"
        );
    }

    #[test]
    fn a_moved_or_cancelled_meeting_says_why() {
        let mut f = facts();
        f.moved_from = Some((
            NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            "Trùng lịch tiếp xúc cử tri".into(),
        ));
        let m = meeting_message(NoticeKind::MeetingPostponed, &f);
        assert!(m.body.starts_with(
            "Buổi sinh hoạt ngày 03/12/2026 được dời sang 19:30 thứ bảy, 05/12/2026. Lý do: Trùng lịch tiếp xúc cử tri\n"
        ));
        f.cancelled_reason = Some("Mưa bão".into());
        let m = meeting_message(NoticeKind::MeetingCancelled, &f);
        assert_eq!(m.title, "Hủy buổi sinh hoạt: Chi bộ thôn Đồng Tâm");
        assert!(m.body.contains("đã bị hủy. Lý do: Mưa bão"));
    }

    #[test]
    fn an_sms_is_the_title_and_the_link() {
        let m = meeting_message(NoticeKind::MeetingTomorrow, &facts());
        assert_eq!(
            sms_text(&m, "https://chibo.example.vn/meetings/7"),
            "chibo: Nhắc lịch sinh hoạt ngày mai: Chi bộ thôn Đồng Tâm. https://chibo.example.vn/meetings/7"
        );
    }

    proptest! {
        #[test]
        fn backoff_grows_and_stays_within_six_hours(a in 0i32..1000) {
            let s = backoff_seconds(a);
            prop_assert!((60..=6 * 3600).contains(&s));
            prop_assert!(backoff_seconds(a + 1) >= s);
        }
    }

    #[test]
    fn backoff_starts_at_a_minute_and_doubles() {
        let first: Vec<i64> = (1..=6).map(backoff_seconds).collect();
        assert_eq!(first, vec![60, 120, 240, 480, 960, 1920]);
    }
}
