//! Spreadsheets in and out: the first sheet of an XLSX file or a CSV file as rows of text
//! (refusing formulas, files that are not UTF-8 and files larger than [`ReadLimits`] allow), and
//! an XLSX file written from rows.

pub use crate::sheet_read::{ReadLimits, for_each_row, read, read_with};

/// Why a file could not be read; the message is for the user, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError(pub String);

/// Column letters as a spreadsheet shows them (0 → A, 27 → AB).
pub fn column_name(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s
}

/// An `.xlsx` file with one sheet: a bold header row, then the rows as text, columns sized.
pub fn write_xlsx(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let _ = ws.set_name(sheet);
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, h) in header.iter().enumerate() {
        let _ = ws.write_string_with_format(0, c as u16, *h, &bold);
        let width = rows
            .iter()
            .map(|r| r.get(c).map(|s| s.chars().count()).unwrap_or(0))
            .chain([h.chars().count()])
            .max()
            .unwrap_or(10);
        let _ = ws.set_column_width(c as u16, (width as f64 + 2.0).min(60.0));
        // Text columns keep leading zeros (citizen IDs, phone numbers).
        let _ = ws.set_column_format(c as u16, &text);
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let _ = ws.write_string_with_format(r as u32 + 1, c as u16, v, &text);
        }
    }
    let _ = ws.set_freeze_panes(1, 0);
    book.save_to_buffer().unwrap_or_default()
}

/// A value of a report sheet: text, or a number a spreadsheet can add up.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Blank,
}

/// One sheet of a report workbook: a title line above a bold header row, then the rows.
#[derive(Debug, Clone)]
pub struct ReportSheet {
    /// The tab's name, cut to the 31 characters a spreadsheet allows.
    pub name: String,
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// A tab name a spreadsheet accepts: without `[]:*?/\`, at most 31 characters, not blank.
fn sheet_name(name: &str, n: usize) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c))
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        format!("Sheet{}", n + 1)
    } else {
        clean
    }
}

/// An `.xlsx` file with one sheet per [`ReportSheet`], numbers written as numbers (one decimal
/// shown) so that the figures can be added up again.
pub fn write_workbook(sheets: &[ReportSheet]) -> Result<Vec<u8>, TableError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let number = Format::new().set_num_format("#,##0.0");
    let whole = Format::new().set_num_format("#,##0");
    let mut used: Vec<String> = Vec::new();
    for (n, sheet) in sheets.iter().enumerate() {
        let ws = book.add_worksheet();
        let mut name = sheet_name(&sheet.name, n);
        if used.iter().any(|u| u.to_lowercase() == name.to_lowercase()) {
            name = format!("{} {}", name.chars().take(27).collect::<String>(), n + 1);
        }
        ws.set_name(&name).map_err(|_| write_failed())?;
        used.push(name);
        ws.write_string_with_format(0, 0, &sheet.title, &bold)
            .map_err(|_| write_failed())?;
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, h, &bold)
                .map_err(|_| write_failed())?;
            let width = sheet
                .rows
                .iter()
                .map(|r| match r.get(c) {
                    Some(Value::Text(t)) => t.chars().count(),
                    _ => 10,
                })
                .chain([h.chars().count()])
                .max()
                .unwrap_or(10);
            ws.set_column_width(c as u16, (width as f64 + 2.0).min(60.0))
                .map_err(|_| write_failed())?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let at = r as u32 + 3;
            for (c, v) in row.iter().enumerate() {
                let col = c as u16;
                match v {
                    Value::Text(t) => ws.write_string(at, col, t).map(|_| ()),
                    Value::Number(x) if x.fract() == 0.0 => {
                        ws.write_number_with_format(at, col, *x, &whole).map(|_| ())
                    }
                    Value::Number(x) => ws
                        .write_number_with_format(at, col, *x, &number)
                        .map(|_| ()),
                    Value::Blank => Ok(()),
                }
                .map_err(|_| write_failed())?;
            }
        }
        ws.set_freeze_panes(3, 0).map_err(|_| write_failed())?;
    }
    book.save_to_buffer().map_err(|_| write_failed())
}

/// An `.xlsx` file with one sheet written row by row in constant memory: rows go to a
/// temporary file as they are written, so an export as large as a province (240,000 rows) holds
/// one row at a time, then the finished file. Columns get the widths given (a stream cannot
/// size them to a content it has not seen).
pub struct XlsxStream {
    book: rust_xlsxwriter::Workbook,
    text: rust_xlsxwriter::Format,
    next_row: u32,
}

fn write_failed() -> TableError {
    TableError("Không ghi được tệp Excel.".into())
}

impl XlsxStream {
    /// A sheet with a bold header row, frozen, and text columns of the given widths.
    pub fn new(sheet: &str, header: &[&str], widths: &[f64]) -> Result<Self, TableError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let text = Format::new().set_num_format("@");
        let ws = book
            .add_worksheet_with_constant_memory()
            .map_err(|_| write_failed())?;
        ws.set_name(sheet).map_err(|_| write_failed())?;
        for (c, h) in header.iter().enumerate() {
            let col = c as u16;
            ws.set_column_width(col, widths.get(c).copied().unwrap_or(15.0))
                .map_err(|_| write_failed())?;
            // Text columns keep leading zeros (citizen IDs, phone numbers).
            ws.set_column_format(col, &text)
                .map_err(|_| write_failed())?;
            ws.write_string_with_format(0, col, *h, &bold)
                .map_err(|_| write_failed())?;
        }
        ws.set_freeze_panes(1, 0).map_err(|_| write_failed())?;
        Ok(Self {
            book,
            text,
            next_row: 1,
        })
    }

    /// Writes the next row.
    pub fn push(&mut self, row: &[String]) -> Result<(), TableError> {
        let ws = self
            .book
            .worksheet_from_index(0)
            .map_err(|_| write_failed())?;
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(self.next_row, c as u16, v, &self.text)
                .map_err(|_| write_failed())?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, TableError> {
        self.book.save_to_buffer().map_err(|_| write_failed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_round_trip_keeps_text() {
        let rows = vec![
            vec!["Nguyễn Văn Đức".to_string(), "001085012345".to_string()],
            vec!["Lê Thị Hoa".to_string(), String::new()],
        ];
        let bytes = write_xlsx("Danh sách", &["Họ và tên", "Số CCCD"], &rows);
        let back = read("ds.xlsx", &bytes).unwrap();
        assert_eq!(back[0], vec!["Họ và tên", "Số CCCD"]);
        assert_eq!(back[1], rows[0]);
        assert_eq!(back[2][0], "Lê Thị Hoa");
    }

    #[test]
    fn a_streamed_sheet_reads_back_row_by_row() {
        let mut sheet =
            XlsxStream::new("Danh sách", &["Họ và tên", "Số CCCD"], &[30.0, 14.0]).unwrap();
        let rows: Vec<Vec<String>> = (0..3000)
            .map(|i| vec![format!("Nguyễn Văn {i}"), format!("{i:012}")])
            .collect();
        for r in &rows {
            sheet.push(r).unwrap();
        }
        let back = read("ds.xlsx", &sheet.finish().unwrap()).unwrap();
        assert_eq!(back[0], vec!["Họ và tên", "Số CCCD"]);
        assert_eq!(back.len(), rows.len() + 1);
        assert_eq!(&back[1..], &rows[..]);
    }

    #[test]
    fn csv_in_utf8_with_either_delimiter() {
        let rows = read(
            "a.csv",
            "\u{feff}Họ và tên;Ngày sinh\nTrần Văn Ba;01/02/1970\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows[1], vec!["Trần Văn Ba", "01/02/1970"]);
        let rows = read(
            "a.csv",
            "Họ và tên,Số điện thoại\n\"Ngô, Thị\",+84912345678\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows[1], vec!["Ngô, Thị", "+84912345678"]);
        // Numbers with a sign, and a dash for "nothing", are data.
        let rows = read(
            "a.csv",
            "Họ và tên,Điện thoại,Số tiền,Ghi chú\nA,+84 912 345 678,-15.000,-\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows[1], vec!["A", "+84 912 345 678", "-15.000", "-"]);
    }

    #[test]
    fn refuses_bad_files() {
        // "Nguyễn" in Windows-1258 bytes is not UTF-8.
        let e = read("a.csv", b"H\xd3 t\xean\nNguy\xeaan\n").unwrap_err();
        assert!(e.0.contains("UTF-8"), "{e:?}");
        let e = read("a.csv", "Họ và tên,Tuổi\nA,=1+1\n".as_bytes()).unwrap_err();
        assert!(e.0.contains("Dòng 2, cột B"), "{e:?}");
        // What a spreadsheet program would run as a formula, however it begins.
        for cell in [
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\"\t=1+1\"",
            "\"\tHYPERLINK(\"\"http://x\"\")\"",
            " =1+1",
        ] {
            let e = read("a.csv", format!("Họ và tên,Ghi chú\nA,{cell}\n").as_bytes()).unwrap_err();
            assert!(e.0.contains("Dòng 2, cột B có công thức"), "{cell}: {e:?}");
        }
        assert!(
            read("a.xlsx", b"not a zip")
                .unwrap_err()
                .0
                .contains("bị hỏng")
        );
        assert!(read("a.xls", b"x").unwrap_err().0.contains(".xlsx"));
    }

    #[test]
    fn xlsx_formulas_are_refused() {
        use rust_xlsxwriter::{Formula, Workbook};
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "Họ và tên").unwrap();
        ws.write_formula(2, 1, Formula::new("=1+1")).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let e = read("f.xlsx", &bytes).unwrap_err();
        assert!(e.0.contains("Dòng 3, cột B"), "{e:?}");
    }

    #[test]
    fn a_workbook_has_a_sheet_each_with_numbers_as_numbers() {
        let sheet = |name: &str| ReportSheet {
            name: name.into(),
            title: format!("Bảng {name}"),
            header: vec!["Đơn vị".into(), "Kết quả".into()],
            rows: vec![vec![Value::Text("Xã Phú Lâm".into()), Value::Number(93.3)]],
        };
        let bytes =
            write_workbook(&[sheet("a/b:c"), sheet("a/b:c"), sheet(&"x".repeat(40))]).unwrap();
        use calamine::{Data, Reader, Xlsx};
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        assert_eq!(names.len(), 3);
        assert_eq!(names[0], "abc");
        assert_ne!(names[0], names[1], "names stay distinct");
        assert_eq!(names[2].chars().count(), 31);
        let range = book.worksheet_range("abc").unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("Bảng a/b:c".into()))
        );
        assert_eq!(range.get_value((3, 1)), Some(&Data::Float(93.3)));
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
    }
}
