//! The files of a review report: the DOCX in the Party document layout (heading, number, place
//! and date; situation, results per target, the figures of the period, the named weaknesses
//! with their counts, the units to praise and to correct, directions; the signature) and the
//! XLSX with a summary sheet, the warnings, and one sheet per indicator by child unit. Both are
//! written from a [`ReportView`], whose figures are the dashboard's.

use chibo_export::table::{ReportSheet, Value};
use chibo_export::{Document, Header, Section};

use super::review::{ReportView, Verdict};
use crate::reports::indicators::IndicatorLine;

/// Units named one by one in the document; the rest are counted (the XLSX lists them all).
const NAMED_UNITS: usize = 30;

/// Each line of a prose section a paragraph, as the report's page shows it.
fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn period_words(r: &ReportView) -> String {
    format!(
        "từ ngày {} đến ngày {}",
        r.from.format("%d/%m/%Y"),
        r.to.format("%d/%m/%Y")
    )
}

/// "đạt", "chưa đạt", or "—" when the share is of nothing.
fn verdict_word(l: &IndicatorLine) -> &'static str {
    match l.met {
        Some(true) => "Đạt",
        Some(false) => "Chưa đạt",
        None => "—",
    }
}

/// "93,3% (1.204/1.290)" or "1.204".
fn figure_words(l: &IndicatorLine) -> String {
    match l.denominator {
        Some(d) => format!(
            "{} ({}/{})",
            l.text,
            chibo_domain::text::thousands(l.numerator),
            chibo_domain::text::thousands(d)
        ),
        None => l.text.clone(),
    }
}

fn figure<'a>(r: &'a ReportView, code: &str) -> Option<&'a IndicatorLine> {
    r.figures.indicators.iter().find(|l| l.code == code)
}

fn units_paragraphs(list: &[Verdict], line: impl Fn(&Verdict) -> String) -> Vec<String> {
    let mut out: Vec<String> = list.iter().take(NAMED_UNITS).map(line).collect();
    if list.len() > NAMED_UNITS {
        out.push(format!(
            "… và {} đơn vị khác (xem tệp Excel kèm theo).",
            list.len() - NAMED_UNITS
        ));
    }
    out
}

/// The report as a Party document.
pub fn document(r: &ReportView) -> Document {
    let f = &r.figures;
    let mut situation = paragraphs(&r.situation);
    let count = |code: &str| figure(r, code).map_or_else(|| "0".into(), |l| l.text.clone());
    situation.push(format!(
        "Đến ngày {}, {} có {} tổ chức cơ sở đảng, {} chi bộ, {} đảng viên.",
        r.to.format("%d/%m/%Y"),
        r.unit.name,
        count("grassroots_orgs"),
        count("cells"),
        count("members")
    ));

    let targeted: Vec<&IndicatorLine> =
        f.indicators.iter().filter(|l| l.target.is_some()).collect();
    let mut results = paragraphs(&r.assessment);
    let mut targets_table = Vec::new();
    if targeted.is_empty() {
        results.push("Văn bản không đặt mục tiêu định lượng.".into());
    } else {
        let met = targeted.iter().filter(|l| l.met == Some(true)).count();
        results.push(format!(
            "Trong {} mục tiêu định lượng, {} mục tiêu đạt, {} mục tiêu chưa đạt.",
            targeted.len(),
            met,
            targeted.iter().filter(|l| l.met == Some(false)).count()
        ));
        targets_table.push(
            ["STT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đánh giá"]
                .map(String::from)
                .to_vec(),
        );
        for (i, l) in targeted.iter().enumerate() {
            targets_table.push(vec![
                (i + 1).to_string(),
                l.label.clone(),
                l.target_text.clone().unwrap_or_default(),
                figure_words(l),
                verdict_word(l).into(),
            ]);
        }
    }

    let mut figures_table = vec![["STT", "Chỉ số", "Kết quả"].map(String::from).to_vec()];
    for (i, l) in f
        .indicators
        .iter()
        .filter(|l| l.target.is_none())
        .enumerate()
    {
        figures_table.push(vec![(i + 1).to_string(), l.label.clone(), figure_words(l)]);
    }

    let mut weaknesses: Vec<String> = if f.weaknesses.is_empty() {
        vec!["Trong kỳ không có cảnh báo nào về sinh hoạt chi bộ.".into()]
    } else {
        f.weaknesses
            .iter()
            .map(|w| {
                format!(
                    "- {}: {} trường hợp.",
                    w.label,
                    chibo_domain::text::thousands(w.count)
                )
            })
            .collect()
    };
    weaknesses.extend(paragraphs(&r.weaknesses));

    let mut units = Vec::new();
    if f.praise.is_empty() {
        units.push("Chưa có đơn vị trực thuộc đạt tất cả các mục tiêu.".into());
    } else {
        units.push(format!(
            "Các đơn vị đạt tất cả các mục tiêu ({}):",
            f.praise.len()
        ));
        units.extend(units_paragraphs(&f.praise, |v| {
            format!("- {}.", v.unit.name)
        }));
    }
    if f.correct.is_empty() {
        units.push("Không có đơn vị trực thuộc chưa đạt mục tiêu.".into());
    } else {
        units.push(format!("Các đơn vị cần chấn chỉnh ({}):", f.correct.len()));
        units.extend(units_paragraphs(&f.correct, |v| {
            format!(
                "- {}: chưa đạt {} mục tiêu ({}).",
                v.unit.name,
                v.missed,
                v.missed_labels.join("; ")
            )
        }));
    }

    let section = |heading: &str, paragraphs: Vec<String>, table: Vec<Vec<String>>| Section {
        heading: heading.into(),
        paragraphs,
        table,
    };
    Document {
        header: Header {
            superior: r.superior.clone(),
            issuer: r.unit.name.clone(),
            number: Some(format!("Số {}", r.number)),
            place: r.place.clone(),
            date: r.report_on,
        },
        title: "Báo cáo".into(),
        subtitle: format!(
            "{} ({})",
            r.title.strip_prefix("Báo cáo ").unwrap_or(&r.title),
            period_words(r)
        ),
        sections: vec![
            section("I. TÌNH HÌNH", situation, vec![]),
            section("II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU", results, targets_table),
            section(
                "III. SỐ LIỆU VỀ SINH HOẠT CHI BỘ TRONG KỲ",
                vec![format!("Số liệu {} của {}.", period_words(r), r.unit.name)],
                figures_table,
            ),
            section("IV. HẠN CHẾ, YẾU KÉM VÀ NGUYÊN NHÂN", weaknesses, vec![]),
            section(
                "V. ĐƠN VỊ TIÊU BIỂU VÀ ĐƠN VỊ CẦN CHẤN CHỈNH",
                units,
                vec![],
            ),
            section(
                "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
                paragraphs(&r.directions),
                vec![],
            ),
        ],
        signatures: vec![(r.signer_role.clone(), r.signer_name.clone())],
    }
}

/// The report as DOCX bytes.
/// The report `id` as DOCX for `actor`, the export written to the log first.
pub async fn docx_for(
    app: &crate::App,
    actor: &crate::Actor,
    id: i64,
) -> crate::AppResult<Vec<u8>> {
    let r = super::review::get(app, actor, id).await?;
    crate::audit::record_export(app, actor, "review_report", "review_report", id, &"docx").await?;
    Ok(docx(&r))
}

/// The report `id` as XLSX for `actor`, the export written to the log first.
pub async fn xlsx_for(
    app: &crate::App,
    actor: &crate::Actor,
    id: i64,
) -> crate::AppResult<Vec<u8>> {
    let r = super::review::get(app, actor, id).await?;
    crate::audit::record_export(app, actor, "review_report", "review_report", id, &"xlsx").await?;
    xlsx(&r)
}

pub fn docx(r: &ReportView) -> Vec<u8> {
    chibo_export::docx(&document(r))
}

fn number_or_dash(l: &IndicatorLine) -> Value {
    match l.value {
        Some(v) => Value::Number(v),
        None => Value::Text("—".into()),
    }
}

/// Numerator, denominator (blank for a count), value, target and verdict of a line.
fn figure_cells(l: &IndicatorLine) -> Vec<Value> {
    vec![
        Value::Number(l.numerator as f64),
        l.denominator
            .map_or(Value::Blank, |d| Value::Number(d as f64)),
        number_or_dash(l),
        l.target_text.clone().map_or(Value::Blank, Value::Text),
        if l.target.is_some() {
            Value::Text(verdict_word(l).into())
        } else {
            Value::Blank
        },
    ]
}

const FIGURE_HEADER: [&str; 5] = ["Tử số", "Mẫu số", "Kết quả", "Mục tiêu", "Đánh giá"];

/// The report's tables as sheets: the summary, the warnings, then one sheet per indicator with
/// a line per unit directly under the reporting one and the whole at the foot.
pub fn sheets(r: &ReportView) -> Vec<ReportSheet> {
    let f = &r.figures;
    let heading = format!("{} — {} ({})", r.unit.name, r.title, period_words(r));
    let mut header = vec!["STT".to_string(), "Chỉ số".into()];
    header.extend(FIGURE_HEADER.map(String::from));
    let mut out = vec![ReportSheet {
        name: "Tổng hợp".into(),
        title: heading.clone(),
        header,
        rows: f
            .indicators
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut row = vec![Value::Number((i + 1) as f64), Value::Text(l.label.clone())];
                row.extend(figure_cells(l));
                row
            })
            .collect(),
    }];
    out.push(ReportSheet {
        name: "Cảnh báo".into(),
        title: format!("Cảnh báo trong kỳ — {heading}"),
        header: vec!["Loại cảnh báo".into(), "Số trường hợp".into()],
        rows: f
            .weaknesses
            .iter()
            .map(|w| vec![Value::Text(w.label.clone()), Value::Number(w.count as f64)])
            .collect(),
    });
    for (i, total) in f.indicators.iter().enumerate() {
        let mut header = vec!["Đơn vị".to_string(), "Cấp".into()];
        header.extend(FIGURE_HEADER.map(String::from));
        let mut rows: Vec<Vec<Value>> = f
            .children
            .iter()
            .filter_map(|c| {
                let l = c.indicators.get(i)?;
                let mut row = vec![
                    Value::Text(c.unit.name.clone()),
                    Value::Text(c.kind_label.clone()),
                ];
                row.extend(figure_cells(l));
                Some(row)
            })
            .collect();
        let mut whole = vec![Value::Text(format!("Toàn {}", r.unit.name)), Value::Blank];
        whole.extend(figure_cells(total));
        rows.push(whole);
        out.push(ReportSheet {
            // Numbered so that labels cut to 31 characters stay apart.
            name: format!("{:02} {}", i + 1, total.label),
            title: format!("{} — {}", total.label, heading),
            header,
            rows,
        });
    }
    out
}

/// The report's tables as XLSX bytes.
pub fn xlsx(r: &ReportView) -> crate::AppResult<Vec<u8>> {
    chibo_export::table::write_workbook(&sheets(r)).map_err(|e| crate::AppError::Internal(e.0))
}
