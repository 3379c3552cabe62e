//! Documents users print: minutes and resolutions as DOCX in the Party document layout
//! (domain.md §10: issuing committee on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and
//! date in italics on the right, Times New Roman 14 pt), which LibreOffice and Word open.

pub mod archive;
pub mod calendar;
mod sheet_read;
pub mod table;

use std::io::Cursor;

use chrono::{Datelike, NaiveDate};
use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow};

/// The heading block of a Party document.
#[derive(Debug, Clone)]
pub struct Header {
    /// The committee above the issuer, e.g. "ĐẢNG BỘ XÃ PHÚ LÂM".
    pub superior: String,
    /// The issuer, e.g. "CHI BỘ THÔN ĐỒNG TÂM".
    pub issuer: String,
    /// The document number, e.g. "Số 05-NQ/CB"; `None` for minutes.
    pub number: Option<String>,
    /// Where it was made, for "Phú Lâm, ngày 15 tháng 11 năm 2026".
    pub place: String,
    pub date: NaiveDate,
}

/// A section with a heading, paragraphs and, after them, a table (its first row the header;
/// empty for none).
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub table: Vec<Vec<String>>,
}

/// A document: header, title, subtitle, sections and the signatures at the foot.
#[derive(Debug, Clone)]
pub struct Document {
    pub header: Header,
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
    /// (role, name) pairs signed at the end, e.g. ("CHỦ TRÌ", "Dương Minh Lan").
    pub signatures: Vec<(String, String)>,
}

const FONT: &str = "Times New Roman";
/// Half-points: 14 pt.
const SIZE: usize = 28;

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text))
        .align(AlignmentType::Both)
}

fn centered(r: Run) -> Paragraph {
    Paragraph::new().add_run(r).align(AlignmentType::Center)
}

/// "Phú Lâm, ngày 15 tháng 11 năm 2026".
pub fn place_and_date(place: &str, d: NaiveDate) -> String {
    format!(
        "{place}, ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

fn cell(paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new(), |c, p| c.add_paragraph(p))
        .clear_all_border()
}

/// A table with its borders, the first row in bold as its header.
fn bordered(rows: &[Vec<String>]) -> Table {
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells = r
                .iter()
                .map(|v| {
                    let text = if i == 0 { run(v).bold() } else { run(v) };
                    TableCell::new().add_paragraph(Paragraph::new().add_run(text))
                })
                .collect();
            TableRow::new(cells)
        })
        .collect();
    Table::new(rows)
}

/// Builds the DOCX bytes of a document.
pub fn docx(doc: &Document) -> Vec<u8> {
    let h = &doc.header;
    // A committee at the top of the tree has no committee above it to name.
    let mut left: Vec<Paragraph> = (!h.superior.is_empty())
        .then(|| centered(run(&h.superior.to_uppercase())))
        .into_iter()
        .collect();
    left.extend([
        centered(run(&h.issuer.to_uppercase()).bold()),
        centered(run("*")),
    ]);
    if let Some(n) = &h.number {
        left.push(centered(run(n)));
    }
    let right = vec![
        centered(run("ĐẢNG CỘNG SẢN VIỆT NAM").bold().underline("single")),
        centered(run("")),
        centered(run(&place_and_date(&h.place, h.date)).italic()),
    ];
    let heading = Table::new(vec![TableRow::new(vec![cell(left), cell(right)])]).clear_all_border();
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut d = Docx::new()
        .default_fonts(fonts)
        .default_size(SIZE)
        .add_table(heading)
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(run(&doc.title.to_uppercase()).bold()))
        .add_paragraph(centered(run(&doc.subtitle).bold()))
        .add_paragraph(Paragraph::new());
    for s in &doc.sections {
        d = d.add_paragraph(Paragraph::new().add_run(run(&s.heading).bold()));
        for p in &s.paragraphs {
            d = d.add_paragraph(para(p));
        }
        if !s.table.is_empty() {
            d = d
                .add_table(bordered(&s.table))
                .add_paragraph(Paragraph::new());
        }
    }
    if !doc.signatures.is_empty() {
        let cells = doc
            .signatures
            .iter()
            .map(|(role, name)| {
                cell(vec![
                    centered(run(role).bold()),
                    centered(run("(ký, ghi rõ họ tên)").italic()),
                    Paragraph::new(),
                    Paragraph::new(),
                    centered(run(name).bold()),
                ])
            })
            .collect();
        d = d
            .add_paragraph(Paragraph::new())
            .add_table(Table::new(vec![TableRow::new(cells)]).clear_all_border());
    }
    let mut out = Cursor::new(Vec::new());
    // Writing to memory cannot fail for lack of space; a failure here is a bug in the builder.
    d.build().pack(&mut out).expect("a DOCX packs into memory");
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        Document {
            header: Header {
                superior: "Đảng bộ xã Phú Lâm".into(),
                issuer: "Chi bộ thôn Đồng Tâm".into(),
                number: Some("Số 11-NQ/CB".into()),
                place: "Phú Lâm".into(),
                date: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            },
            title: "Nghị quyết".into(),
            subtitle: "Sinh hoạt chi bộ thường kỳ tháng 11/2026".into(),
            sections: vec![Section {
                heading: "I. Kết quả".into(),
                paragraphs: vec!["Thu hoạch xong vụ mùa.".into()],
                table: vec![
                    vec!["Chỉ tiêu".into(), "Kết quả".into()],
                    vec!["Tỷ lệ dự họp".into(), "93,3%".into()],
                ],
            }],
            signatures: vec![("T/M CHI BỘ".into(), "Dương Minh Lan".into())],
        }
    }

    #[test]
    fn place_and_date_reads_as_on_party_documents() {
        assert_eq!(
            place_and_date("Phú Lâm", NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            "Phú Lâm, ngày 05 tháng 03 năm 2026"
        );
    }

    #[test]
    fn the_docx_is_a_zip_with_the_text_in_times_new_roman() {
        let bytes = docx(&sample());
        assert_eq!(&bytes[..2], b"PK", "a DOCX is a zip archive");
        // The document part is compressed; unpack it with the zip crate docx-rs uses.
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("ĐẢNG CỘNG SẢN VIỆT NAM"));
        assert!(xml.contains("CHI BỘ THÔN ĐỒNG TÂM"));
        assert!(xml.contains("Phú Lâm, ngày 15 tháng 11 năm 2026"));
        assert!(xml.contains("Số 11-NQ/CB"));
        assert!(xml.contains("Thu hoạch xong vụ mùa."));
        assert!(xml.contains("Tỷ lệ dự họp") && xml.contains("93,3%"));
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains("Times New Roman"));
    }
}
