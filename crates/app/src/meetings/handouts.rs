//! What a cell prints for members without a phone (issue 13): the notice inviting them to the
//! meeting (giấy mời) and the attendance sheet they sign at the door, both as Party documents
//! drawn from the meeting as its officers read it.

use chibo_export::{Document, Section};

use crate::AppResult;
use crate::access::Actor;
use crate::meetings::documents::{header, subtitle, time_words, whole};
use crate::{App, membership::members};

/// The name of the cell's secretary on the meeting's day, who signs for the cell.
async fn secretary_name(app: &App, cell_id: i64, on: chrono::NaiveDate) -> AppResult<String> {
    Ok(members::officers_on(&app.db, cell_id, on)
        .await?
        .into_iter()
        .find(|p| p.kind == "secretary")
        .map(|p| p.member_name)
        .unwrap_or_default())
}

fn section(heading: &str, paragraphs: Vec<String>) -> Section {
    Section {
        heading: heading.into(),
        paragraphs,
        table: Vec::new(),
    }
}

/// The notice of the meeting: when and where, its content and agenda, who is invited, and
/// the documents to read before it; dated the day it was published (or today, for a draft).
pub async fn notice(app: &App, actor: &Actor, id: i64) -> AppResult<Document> {
    let (d, _) = whole(app, actor, id).await?;
    let m = &d.meeting;
    let mut head = header(app, &d, None).await?;
    head.date = m
        .published_at
        .map(|t| App::local(t).date())
        .unwrap_or_else(App::today);
    let mut sections = vec![
        section(
            "Thời gian, địa điểm",
            vec![
                format!(
                    "Vào lúc {}, ngày {}.",
                    time_words(&m.start_time),
                    m.meeting_date.format("%d/%m/%Y")
                ),
                format!("Tại: {}.", m.place),
            ],
        ),
        section("Nội dung", vec![m.topic.clone()]),
        section(
            "Chương trình",
            d.notice
                .agenda
                .iter()
                .enumerate()
                .map(|(i, item)| format!("{}. {item}", i + 1))
                .collect(),
        ),
    ];
    let mut invited = vec![format!(
        "Toàn thể đảng viên {} ({} đồng chí).",
        m.unit.name,
        d.sheet.len()
    )];
    invited.extend(d.notice.guests.iter().map(|g| {
        if g.title.is_empty() {
            format!("Khách mời: đồng chí {}.", g.full_name)
        } else {
            format!("Khách mời: đồng chí {}, {}.", g.full_name, g.title)
        }
    }));
    sections.push(section("Thành phần", invited));
    if !d.notice.documents.is_empty() {
        sections.push(section(
            "Tài liệu nghiên cứu trước",
            d.notice
                .documents
                .iter()
                .map(|doc| doc.file_name.clone())
                .collect(),
        ));
    }
    if let Some(from) = m.postponed_from {
        sections.push(section(
            "Lưu ý",
            vec![format!(
                "Buổi sinh hoạt dời từ ngày {}{}.",
                from.format("%d/%m/%Y"),
                m.postponed_reason
                    .as_deref()
                    .map(|r| format!(", lý do: {r}"))
                    .unwrap_or_default()
            )],
        ));
    }
    sections.push(section(
        "",
        vec!["Đề nghị các đồng chí đảng viên dự đầy đủ, đúng giờ; vắng mặt phải báo cáo và nêu rõ lý do với bí thư chi bộ.".into()],
    ));
    Ok(Document {
        header: head,
        title: "Thông báo".into(),
        subtitle: format!("Về việc tổ chức {}", subtitle(&d).to_lowercase()),
        sections,
        signatures: vec![(
            "BÍ THƯ CHI BỘ".into(),
            secretary_name(app, m.unit.id, m.meeting_date).await?,
        )],
    })
}

/// The attendance sheet members sign at the door: every member of the sheet with their party
/// group, a column to sign and one for a note; the members who stand apart (exempt,
/// transferred out for a time) follow, marked as such.
pub async fn attendance_sheet(app: &App, actor: &Actor, id: i64) -> AppResult<Document> {
    let (d, _) = whole(app, actor, id).await?;
    let m = &d.meeting;
    let mut rows = vec![vec![
        "STT".to_string(),
        "Họ và tên".into(),
        "Tổ đảng".into(),
        "Ký tên".into(),
        "Ghi chú".into(),
    ]];
    for (i, r) in d.sheet.iter().chain(&d.apart).enumerate() {
        let note = if r.standing == "working" {
            String::new()
        } else {
            r.standing_label.clone()
        };
        rows.push(vec![
            (i + 1).to_string(),
            r.full_name.clone(),
            r.unit_name.clone(),
            String::new(),
            note,
        ]);
    }
    Ok(Document {
        header: header(app, &d, None).await?,
        title: "Danh sách đảng viên dự sinh hoạt".into(),
        subtitle: format!(
            "{}, {} ngày {}",
            subtitle(&d),
            m.start_time,
            m.meeting_date.format("%d/%m/%Y")
        ),
        sections: vec![Section {
            heading: String::new(),
            paragraphs: vec![format!(
                "Đảng viên phải dự: {} đồng chí. Có mặt: ...... đồng chí. Vắng: ...... đồng chí.",
                d.sheet.len()
            )],
            table: rows,
        }],
        signatures: vec![
            ("CHỦ TRÌ".into(), String::new()),
            ("THƯ KÝ".into(), String::new()),
        ],
    })
}
