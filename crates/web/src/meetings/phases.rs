//! The meeting page in three steps (before, during, after the meeting), each folded but the
//! one the secretary is at, and the next thing to do, shown on top (issue 13: a secretary not
//! used to software sees one short step and what to do next, not fourteen sections).

use chibo_app::meetings::detail::MeetingDetail;

/// A step of the meeting page, by its `details` element (`phase-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// The notice, documents, the committee's preparatory meeting, guests.
    Before,
    /// Check-in, the attendance sheet, the procedure's steps and the speeches.
    During,
    /// The record and resolution, tasks, the score, signing off.
    After,
}

impl Phase {
    pub(super) fn code(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::During => "during",
            Phase::After => "after",
        }
    }

    /// The step a section of the page lies in (the anchor a save returns to).
    pub(super) fn of_section(section: &str) -> Option<Phase> {
        Some(match section {
            "notice" | "documents" | "preparation" | "guests" | "postponed" | "cancelled" => {
                Phase::Before
            }
            "attendance-form" | "steps" | "check-in" => Phase::During,
            "record" | "tasks" | "score" | "sign-off" => Phase::After,
            _ => return None,
        })
    }

    /// The step a form of the page lies in (a refused form is shown open).
    pub(super) fn of_form(form: &str) -> Option<Phase> {
        Some(match form {
            "postpone" | "cancel" | "notice" | "preparation" | "guest" | "documents" | "guests" => {
                Phase::Before
            }
            "attendance" | "steps" | "speech" => Phase::During,
            "record" | "task" | "copy-tasks" | "score" | "amendment" | "sign-off" => Phase::After,
            _ => return None,
        })
    }

    /// Where the meeting stands: after once held, during from its day, before until then.
    pub(super) fn of_meeting(d: &MeetingDetail, held_or_past: bool) -> Phase {
        if d.held.is_some() {
            Phase::After
        } else if held_or_past && d.meeting.status != "cancelled" {
            Phase::During
        } else {
            Phase::Before
        }
    }
}

/// The next thing a secretary has to do on the meeting, and the anchor of its form; none for
/// those who only read it, or once it was cancelled.
pub(super) fn next_step(d: &MeetingDetail, held_or_past: bool) -> Option<(String, &'static str)> {
    if !d.can_manage {
        return None;
    }
    let step = |what: &str, anchor| Some((what.to_string(), anchor));
    match d.meeting.status.as_str() {
        "cancelled" => return None,
        "planned" => {
            return step(
                "Phát hành thông báo để đảng viên biết ngày, giờ và nội dung",
                "#publish",
            );
        }
        _ => {}
    }
    if let Some(h) = &d.held {
        return if h.locked {
            step(
                "Biên bản đã thông qua: tải biên bản, nghị quyết (DOCX hoặc bản in)",
                "#exports",
            )
        } else if h.record.end_time.is_none() || h.record.resolution_text.is_none() {
            step(
                "Ghi biên bản: giờ kết thúc, nghị quyết và biểu quyết",
                "#record",
            )
        } else if h.steps.iter().any(|s| s.done_at.is_none()) {
            step("Đánh dấu các bước sinh hoạt đã làm", "#steps")
        } else if !h.without_task.is_empty() {
            Some((
                format!(
                    "Giao nhiệm vụ cho {} đảng viên chưa có nhiệm vụ",
                    h.without_task.len()
                ),
                "#tasks",
            ))
        } else if h.quality.unscored > 0 {
            step("Chấm điểm chất lượng buổi sinh hoạt", "#score")
        } else {
            step("Chủ trì và thư ký thông qua biên bản", "#approvals")
        };
    }
    if held_or_past {
        step(
            "Điểm danh: mọi người đã được đánh dấu có mặt, chỉ cần chọn người vắng",
            "#attendance-form",
        )
    } else if d.notice.documents.is_empty() {
        Some((
            format!(
                "Tải tài liệu sinh hoạt lên (hạn gửi cho đảng viên: ngày {})",
                d.notice.documents_due.format("%d/%m/%Y")
            ),
            "#documents",
        ))
    } else if d.notice.preparation.is_none() {
        step(
            "Ghi cuộc họp chuẩn bị của chi ủy và dự thảo nghị quyết",
            "#preparation",
        )
    } else {
        step("Đã chuẩn bị xong; điểm danh mở vào ngày họp", "#check-in")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_a_save_returns_to_lies_in_a_step() {
        for section in [
            "notice",
            "documents",
            "preparation",
            "guests",
            "attendance-form",
            "steps",
            "record",
            "tasks",
            "score",
            "sign-off",
        ] {
            assert!(Phase::of_section(section).is_some(), "{section}");
        }
        for form in [
            "postpone",
            "cancel",
            "notice",
            "preparation",
            "guest",
            "attendance",
            "steps",
            "speech",
            "record",
            "task",
            "copy-tasks",
            "score",
            "amendment",
        ] {
            assert!(Phase::of_form(form).is_some(), "{form}");
        }
    }
}
