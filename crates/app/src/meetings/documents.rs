//! The minutes (biên bản) and the resolution (nghị quyết) of a meeting as Party documents,
//! built from what was recorded (domain.md §4 lists the sections of the minutes).

use chibo_domain::rules as rules_domain;
use chibo_domain::text::place_of;
use chibo_domain::validate;
use chibo_export::{Document, Header, Section, place_and_date};

use crate::access::Actor;
use crate::meetings::detail;
use crate::meetings::detail::MeetingDetail;
use crate::meetings::lookup::{self, AttendanceSummary};
use crate::org::units;
use crate::{App, AppError, AppResult};

pub(super) fn time_words(t: &str) -> String {
    match t.split_once(':') {
        Some((h, m)) => format!("{} giờ {} phút", h.trim_start_matches('0').max("0"), m),
        None => t.to_string(),
    }
}

pub(super) async fn header(
    app: &App,
    d: &MeetingDetail,
    number: Option<String>,
) -> AppResult<Header> {
    let cell = units::find(&app.db, d.meeting.unit.id).await?;
    let superior = match cell.and_then(|c| c.parent_id) {
        Some(p) => units::find(&app.db, p)
            .await?
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(Header {
        place: place_of(&superior),
        superior,
        issuer: d.meeting.unit.name.clone(),
        number,
        date: d.meeting.meeting_date,
    })
}

pub(super) fn subtitle(d: &MeetingDetail) -> String {
    let date = d.meeting.meeting_date;
    format!(
        "{} tháng {}/{}",
        d.meeting.kind_label,
        chrono::Datelike::month(&date),
        chrono::Datelike::year(&date)
    )
}

/// A text as typed, one paragraph per line (a resolution's numbered items stay apart in the
/// document; blank lines and a textarea's CR are dropped).
fn paragraphs_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The meeting as its officers and the superior committee read it, with the sheet's figures:
/// the minutes and the resolution are drawn from it. A member who only attends sees the
/// resolution on the meeting page instead.
pub(super) async fn whole(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(MeetingDetail, AttendanceSummary)> {
    let mut d = detail::get(app, actor, id).await?;
    let summary = d.summary.take().ok_or(AppError::NotFound)?;
    Ok((d, summary))
}

/// The minutes, with every section that was recorded and a blank where something is missing.
pub async fn minutes(app: &App, actor: &Actor, id: i64) -> AppResult<Document> {
    let (d, summary) = whole(app, actor, id).await?;
    crate::audit::record_export(app, actor, "minutes", "meeting", id, &()).await?;
    let m = &d.meeting;
    let everyone: Vec<_> = d.sheet.iter().chain(&d.apart).collect();
    let count = |f: &dyn Fn(&&lookup::SheetRow) -> bool| everyone.iter().filter(|r| f(r)).count();
    let names = |presence: &str| {
        d.sheet
            .iter()
            .filter(|r| r.presence.as_deref() == Some(presence))
            .map(|r| match &r.reason {
                Some(reason) => format!("{} ({reason})", r.full_name),
                None => r.full_name.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let held = d.held.as_ref();
    let rec = held.map(|h| &h.record);
    let blank = "……………………".to_string();
    let mut sections = vec![
        Section {
            heading: "I. Thời gian, địa điểm".into(),
            paragraphs: vec![format!(
                "Vào lúc {}, {}, tại {}, {} tổ chức {}.",
                time_words(&m.start_time),
                place_and_date("", m.meeting_date).trim_start_matches(", "),
                m.place,
                m.unit.name,
                m.kind_label.to_lowercase()
            )],
            table: Vec::new(),
        },
        Section {
            heading: "II. Thành phần".into(),
            paragraphs: vec![
                format!(
                    "Tổng số đảng viên của chi bộ: {}; chính thức: {}; dự bị: {}; miễn công tác và sinh hoạt: {}; chuyển sinh hoạt tạm thời đi: {}.",
                    everyone.len(),
                    count(&|r| r.official),
                    count(&|r| !r.official),
                    count(&|r| r.standing == "exempt"),
                    count(&|r| r.standing == "transferred_out_temp"),
                ),
                format!(
                    "Có mặt: {} đồng chí (tỷ lệ {}).",
                    summary.present, summary.rate_text
                ),
                format!(
                    "Vắng có lý do: {} đồng chí{}.",
                    summary.absent_excused,
                    Some(names("absent_excused"))
                        .filter(|s| !s.is_empty())
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                ),
                format!(
                    "Vắng không có lý do: {} đồng chí{}.",
                    summary.absent_unexcused,
                    Some(names("absent_unexcused"))
                        .filter(|s| !s.is_empty())
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                ),
                format!(
                    "Chủ trì: đồng chí {}{}. Thư ký: đồng chí {}.",
                    rec.and_then(|r| r.chair.as_ref())
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| blank.clone()),
                    rec.and_then(|r| r.chair_reason.as_deref())
                        .map(|why| format!(" (không phải bí thư, phó bí thư chi bộ; lý do: {why})"))
                        .unwrap_or_default(),
                    rec.and_then(|r| r.secretary.as_ref())
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| blank.clone())
                ),
            ],
            table: Vec::new(),
        },
        Section {
            heading: "III. Nội dung".into(),
            paragraphs: std::iter::once(m.topic.clone())
                .chain(std::iter::once("Chương trình:".to_string()))
                .chain(
                    d.notice
                        .agenda
                        .iter()
                        .enumerate()
                        .map(|(i, a)| format!("{}. {a}", i + 1)),
                )
                .collect(),
            table: Vec::new(),
        },
    ];
    if !d.notice.guests.is_empty() {
        sections[1].paragraphs.push(format!(
            "Khách mời: {}.",
            d.notice
                .guests
                .iter()
                .map(|g| format!("đồng chí {}, {}", g.full_name, g.title))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let mut proceedings: Vec<String> = held
        .map(|h| {
            h.steps
                .iter()
                .filter_map(|s| s.done_at.as_ref().map(|t| format!("{t} — {}.", s.label)))
                .collect()
        })
        .unwrap_or_default();
    if let Some(draft) = d.notice.draft_resolution.clone() {
        proceedings.push(format!("Chi ủy trình bày dự thảo nghị quyết: {draft}"));
    }
    if let Some(h) = held {
        proceedings.extend(
            h.speeches
                .iter()
                .map(|s| format!("Đồng chí {} phát biểu: {}", s.member.name, s.summary)),
        );
    }
    // Opinions sent in writing by members who could not come, apart from what was said (one
    // who came after all spoke for themselves).
    let came: Vec<i64> = d
        .sheet
        .iter()
        .filter(|r| r.presence.as_deref() == Some("present"))
        .map(|r| r.member_id)
        .collect();
    let absent: Vec<_> = d
        .away
        .iter()
        .filter(|p| !came.contains(&p.member.id))
        .cloned()
        .collect();
    let written = crate::meetings::away::minutes_lines(&absent);
    if !written.is_empty() {
        proceedings.push("Ý kiến bằng văn bản của đảng viên vắng mặt:".into());
        proceedings.extend(written);
    }
    if !proceedings.is_empty() {
        sections.push(Section {
            heading: "IV. Diễn biến".into(),
            paragraphs: proceedings,
            table: Vec::new(),
        });
    }
    sections.push(Section {
        heading: "V. Kết luận, nghị quyết".into(),
        paragraphs: rec
            .and_then(|r| r.resolution_text.as_deref())
            .map(paragraphs_of)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| vec![blank.clone()]),
        table: Vec::new(),
    });
    sections.push(Section {
        heading: "VI. Biểu quyết".into(),
        paragraphs: vec![match rec.and_then(|r| r.vote.as_ref()) {
            Some(v) => format!(
                "Tán thành: {}; không tán thành: {}; không biểu quyết: {} (trên {} đảng viên tính tỷ lệ, cần {}). {}",
                v.votes_for, v.against, v.abstain, v.counted, v.needed,
                if v.valid { "Nghị quyết được thông qua." } else { "Nghị quyết chưa đủ số tán thành." }
            ),
            None => blank.clone(),
        }],
     table: Vec::new(), });
    if let Some(h) = held.filter(|h| !h.tasks.is_empty()) {
        sections.push(Section {
            heading: "VII. Phân công nhiệm vụ".into(),
            paragraphs: h
                .tasks
                .iter()
                .map(|t| {
                    format!(
                        "Đồng chí {}: {} (hạn {}).",
                        t.member.name,
                        t.what,
                        t.due_on.format("%d/%m/%Y")
                    )
                })
                .collect(),
            table: Vec::new(),
        });
    }
    if let Some(h) = held.filter(|h| !h.amendments.is_empty()) {
        sections.push(Section {
            heading: "Đính chính (sau khi biên bản được thông qua)".into(),
            paragraphs: h
                .amendments
                .iter()
                .map(|a| {
                    format!(
                        "Ngày {}: {}",
                        (a.created_at + chrono::Duration::hours(7)).format("%d/%m/%Y"),
                        a.body
                    )
                })
                .collect(),
            table: Vec::new(),
        });
    }
    sections.push(Section {
        heading: "Kết thúc".into(),
        paragraphs: vec![format!(
            "Buổi sinh hoạt kết thúc lúc {} {}. Biên bản đã được đọc lại và thông qua.",
            rec.and_then(|r| r.end_time.as_deref())
                .map(time_words)
                .unwrap_or_else(|| blank.clone()),
            match (
                validate::parse_time(&m.start_time),
                rec.and_then(|r| r.end_time.as_deref())
                    .and_then(validate::parse_time),
            ) {
                (Some(s), Some(e)) if rules_domain::ends_next_day(s, e) => format!(
                    "ngày {}",
                    (m.meeting_date + chrono::Duration::days(1)).format("%d/%m/%Y")
                ),
                _ => "cùng ngày".into(),
            }
        )],
        table: Vec::new(),
    });
    Ok(Document {
        header: header(app, &d, None).await?,
        title: "Biên bản".into(),
        subtitle: subtitle(&d),
        sections,
        signatures: vec![
            (
                "CHỦ TRÌ".into(),
                rec.and_then(|r| r.chair.as_ref())
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
            ),
            (
                "THƯ KÝ".into(),
                rec.and_then(|r| r.secretary.as_ref())
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
            ),
        ],
    })
}

/// The resolution, numbered in its cell and year ("Số 11-NQ/CB").
pub async fn resolution(app: &App, actor: &Actor, id: i64) -> AppResult<Document> {
    let (d, _) = whole(app, actor, id).await?;
    crate::audit::record_export(app, actor, "resolution", "meeting", id, &()).await?;
    let rec = d.held.as_ref().map(|h| &h.record);
    // Given when the meeting was recorded as held; a draft before that has none yet, and a
    // cell committee's meeting is given none (its number is written by hand).
    let number = match (d.meeting.resolution_number, d.meeting.status.as_str()) {
        (Some(n), _) => format!("Số {n:02}-NQ/CB"),
        (None, "held") => "Số    -NQ/CB".to_string(),
        (None, _) => "Số    -NQ/CB (dự thảo)".to_string(),
    };
    let mut sections = vec![
        Section {
            heading: "Căn cứ".into(),
            paragraphs: vec![
                "Căn cứ Điều lệ Đảng và các quy định, hướng dẫn thi hành;".into(),
                format!(
                    "Căn cứ kết quả {} ngày {}.",
                    d.meeting.kind_label.to_lowercase(),
                    d.meeting.meeting_date.format("%d/%m/%Y")
                ),
            ],
            table: Vec::new(),
        },
        Section {
            heading: "Chi bộ quyết nghị".into(),
            paragraphs: rec
                .and_then(|r| r.resolution_text.as_deref())
                .map(paragraphs_of)
                .unwrap_or_default(),
            table: Vec::new(),
        },
    ];
    if let Some(h) = d.held.as_ref().filter(|h| !h.tasks.is_empty()) {
        sections.push(Section {
            heading: "Tổ chức thực hiện".into(),
            paragraphs: h
                .tasks
                .iter()
                .map(|t| {
                    format!(
                        "Đồng chí {}: {} (hạn {}).",
                        t.member.name,
                        t.what,
                        t.due_on.format("%d/%m/%Y")
                    )
                })
                .collect(),
            table: Vec::new(),
        });
    }
    Ok(Document {
        header: header(app, &d, Some(number)).await?,
        title: "Nghị quyết".into(),
        subtitle: subtitle(&d),
        sections,
        signatures: vec![(
            "T/M CHI BỘ".into(),
            rec.and_then(|r| r.chair.as_ref())
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_words() {
        assert_eq!(time_words("09:05"), "9 giờ 05 phút");
        assert_eq!(time_words("19:30"), "19 giờ 30 phút");
    }
}
