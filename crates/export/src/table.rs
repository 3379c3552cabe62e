//! Spreadsheets in and out: the first sheet of an XLSX file or a CSV file as rows of text
//! (refusing formulas and files that are not UTF-8), and an XLSX file written from rows.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Why a file could not be read; the message is for the user, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError(pub String);

/// A cell whose text starts with one of these is a formula in a spreadsheet program.
fn looks_like_formula(s: &str) -> bool {
    s.starts_with('=')
}

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

/// Reads rows from an `.xlsx` or `.csv` file (by its name). Row 1 is the first row of the file.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, TableError> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        read_xlsx(bytes)
    } else if lower.ends_with(".csv") {
        read_csv(bytes)
    } else {
        Err(TableError(
            "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv) theo mẫu.".into(),
        ))
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, TableError> {
    let broken = || TableError("Tệp Excel bị hỏng hoặc không phải định dạng .xlsx.".into());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| broken())?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(TableError("Tệp Excel không có trang tính nào.".into()));
    };
    let formulas = book.worksheet_formula(&sheet).map_err(|_| broken())?;
    if let Some((r, c, _)) = formulas.used_cells().find(|(_, _, f)| !f.trim().is_empty()) {
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        return Err(TableError(format!(
            "Dòng {}, cột {} có công thức. Hãy sao chép và dán giá trị (Paste Values) thay cho công thức rồi nhập lại.",
            r0 as usize + r + 1,
            column_name(c0 as usize + c)
        )));
    }
    let range = book.worksheet_range(&sheet).map_err(|_| broken())?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut out = vec![String::new(); c0 as usize];
        for cell in row {
            out.push(match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => d
                    .as_datetime()
                    .map(|x| x.date().format("%d/%m/%Y").to_string())
                    .unwrap_or_default(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            });
        }
        rows.push(out);
    }
    Ok(rows)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        TableError(format!(
            "Tệp CSV không phải mã UTF-8 (lỗi ở dòng {line}); có thể tệp được lưu theo Windows-1258 hoặc TCVN3. Trong Excel hãy chọn Lưu thành → \"CSV UTF-8\" rồi nhập lại."
        ))
    })?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec =
            rec.map_err(|_| TableError(format!("Dòng {} của tệp CSV không đọc được.", i + 1)))?;
        let row: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if let Some(c) = row.iter().position(|c| looks_like_formula(c)) {
            return Err(TableError(format!(
                "Dòng {}, cột {} có công thức (bắt đầu bằng \"=\"). Hãy nhập giá trị thay cho công thức.",
                i + 1,
                column_name(c)
            )));
        }
        rows.push(row);
    }
    Ok(rows)
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
    }

    #[test]
    fn refuses_bad_files() {
        // "Nguyễn" in Windows-1258 bytes is not UTF-8.
        let e = read("a.csv", b"H\xd3 t\xean\nNguy\xeaan\n").unwrap_err();
        assert!(e.0.contains("UTF-8"), "{e:?}");
        let e = read("a.csv", "Họ và tên,Tuổi\nA,=1+1\n".as_bytes()).unwrap_err();
        assert!(e.0.contains("Dòng 2, cột B"), "{e:?}");
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
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
    }
}
