//! Reading the spreadsheets users upload, within bounds checked before anything is held.
//!
//! An XLSX file is a zip of XML parts, and what it declares costs nothing to write: a 1.6 KB
//! workbook whose only cells are A1 and XFD1048576 asked the old dense reader for 512 GiB. So
//! the reader here (1) decompresses every part once into a sink, counting bytes and shared
//! strings, and refuses the file before a spreadsheet library holds any of it; (2) streams the
//! first sheet cell by cell, refusing a cell outside [`ReadLimits`] by its name ("ô XFD1048576");
//! (3) holds a row only up to its last filled cell. A CSV file is bounded the same way.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use crate::archive::{self, ArchiveError, ArchiveLimits};
use crate::table::{TableError, column_name};

/// What an uploaded sheet may declare and hold. The defaults take a province's own export (about
/// 240,000 members in 12 columns) with room to spare, and keep a hostile file's cost to a few
/// hundred megabytes of decompression and well under that of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Rows, counting from row 1 of the sheet (not only filled ones).
    pub max_rows: u32,
    /// Columns (A is 1).
    pub max_columns: u32,
    /// Cell slots held: each row up to its last filled cell.
    pub max_cells: usize,
    /// Bytes of all the zip's parts once decompressed.
    pub max_unzipped_bytes: u64,
    /// Bytes of any one part outside `xl/worksheets/` once decompressed (the shared strings,
    /// styles and workbook are held whole by the reader, so they get the smaller bound).
    pub max_part_bytes: u64,
    /// Shared strings (`<si>` entries) over all parts: each is held as a string.
    pub max_shared_strings: usize,
    /// Parts in the zip.
    pub max_parts: usize,
    /// Characters of one cell (a name, a date, a number: never more than a few hundred).
    pub max_cell_chars: usize,
    /// Bytes of text held in all (many cells may name one long shared string).
    pub max_text_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_rows: 300_000,
            max_columns: 64,
            max_cells: 4_000_000,
            max_unzipped_bytes: 256 * 1024 * 1024,
            max_part_bytes: 64 * 1024 * 1024,
            max_shared_strings: 2_000_000,
            max_parts: 1_000,
            max_cell_chars: 2_000,
            max_text_bytes: 128 * 1024 * 1024,
        }
    }
}

/// Reads rows from an `.xlsx` or `.csv` file (by its name) within the default limits. Row 1 is
/// the first row of the file.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, TableError> {
    read_with(file_name, bytes, &ReadLimits::default())
}

/// [`read`] with explicit limits.
pub fn read_with(
    file_name: &str,
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<Vec<Vec<String>>, TableError> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for_each_row(file_name, bytes, limits, &mut |r, cells| {
        let r = r as usize;
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        rows[r] = cells;
        Ok(())
    })?;
    Ok(rows)
}

/// Hands each row that has a filled cell to `sink` as soon as it is read, with its index (row 1
/// of the file is 0), in the order of the file, so that a caller need not hold the whole
/// sheet. The limits are those of [`read_with`], counted over the whole file; an error from
/// `sink` stops the reading and is returned.
pub fn for_each_row(
    file_name: &str,
    bytes: &[u8],
    limits: &ReadLimits,
    sink: &mut dyn FnMut(u32, Vec<String>) -> Result<(), TableError>,
) -> Result<(), TableError> {
    let lower = file_name.to_lowercase();
    let mut rows = Rows::new(limits, sink);
    if lower.ends_with(".xlsx") {
        read_xlsx(bytes, &mut rows)?;
    } else if lower.ends_with(".csv") {
        read_csv(bytes, &mut rows)?;
    } else {
        return Err(TableError(
            "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv) theo mẫu.".into(),
        ));
    }
    rows.finish()
}

fn broken() -> TableError {
    TableError("Tệp Excel bị hỏng hoặc không phải định dạng .xlsx.".into())
}

fn split_advice() -> &'static str {
    "Hãy xóa các ô thừa ngoài danh sách, hoặc chia danh sách thành nhiều tệp rồi nhập lần lượt."
}

/// The row being read, growing only where a filled cell lands, within the limits; each row is
/// handed on once the next one starts.
struct Rows<'a> {
    current: Option<(u32, Vec<String>)>,
    held: usize,
    text_bytes: usize,
    limits: &'a ReadLimits,
    sink: &'a mut dyn FnMut(u32, Vec<String>) -> Result<(), TableError>,
}

impl<'a> Rows<'a> {
    fn new(
        limits: &'a ReadLimits,
        sink: &'a mut dyn FnMut(u32, Vec<String>) -> Result<(), TableError>,
    ) -> Self {
        Self {
            current: None,
            held: 0,
            text_bytes: 0,
            limits,
            sink,
        }
    }

    /// The row `row` to put cells in: the current one, or a new one once the current one is
    /// handed on. Rows come in the order of the file; a sheet whose rows go back is broken.
    fn row(&mut self, row: u32) -> Result<&mut Vec<String>, TableError> {
        match &self.current {
            Some((r, _)) if *r == row => {}
            Some((r, _)) if *r > row => return Err(broken()),
            _ => {
                if let Some((r, cells)) = self.current.take() {
                    (self.sink)(r, cells)?;
                }
                self.current = Some((row, Vec::new()));
            }
        }
        Ok(&mut self.current.as_mut().expect("just set").1)
    }

    /// Hands on the last row.
    fn finish(mut self) -> Result<(), TableError> {
        match self.current.take() {
            Some((r, cells)) => (self.sink)(r, cells),
            None => Ok(()),
        }
    }

    /// Refuses a position outside the sheet's bounds, naming the cell as a spreadsheet does.
    fn check_position(&self, row: u32, col: u32) -> Result<(), TableError> {
        if row < self.limits.max_rows && col < self.limits.max_columns {
            return Ok(());
        }
        Err(TableError(format!(
            "Tệp có dữ liệu ở ô {}{}, ngoài giới hạn {} dòng và {} cột mà chibo đọc. {}",
            column_name(col as usize),
            u64::from(row) + 1,
            self.limits.max_rows,
            self.limits.max_columns,
            split_advice()
        )))
    }

    fn put(&mut self, row: u32, col: u32, text: String) -> Result<(), TableError> {
        self.check_position(row, col)?;
        if text.chars().count() > self.limits.max_cell_chars {
            return Err(TableError(format!(
                "Ô {}{} dài hơn {} ký tự; tệp không phải danh sách đảng viên theo mẫu.",
                column_name(col as usize),
                u64::from(row) + 1,
                self.limits.max_cell_chars
            )));
        }
        self.text_bytes += text.len();
        if self.text_bytes > self.limits.max_text_bytes {
            return Err(TableError(format!(
                "Tệp có quá nhiều chữ (hơn {} MB). {}",
                self.limits.max_text_bytes / (1024 * 1024),
                split_advice()
            )));
        }
        let c = col as usize;
        let (max_cells, limit) = (self.limits.max_cells, self.held);
        let cells = self.row(row)?;
        let added = (c + 1).saturating_sub(cells.len());
        if limit + added > max_cells {
            return Err(TableError(format!(
                "Tệp có quá nhiều ô (hơn {max_cells}). {}",
                split_advice()
            )));
        }
        if added > 0 {
            cells.resize(c + 1, String::new());
        }
        cells[c] = text;
        self.held += added;
        Ok(())
    }
}

/// Counts `<si>` elements (with or without a namespace prefix) in a stream of XML bytes.
#[derive(Default)]
struct SharedStringCounter {
    /// The last three bytes seen.
    window: [u8; 3],
    count: usize,
}

impl SharedStringCounter {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let [a, s, i] = self.window;
            if (a == b'<' || a == b':')
                && s == b's'
                && i == b'i'
                && matches!(b, b'>' | b' ' | b'/' | b'\t' | b'\n' | b'\r')
            {
                self.count += 1;
            }
            self.window = [s, i, b];
        }
    }
}

/// Decompresses every part into a sink, refusing the file once it declares more than the limits
/// allow. Nothing of the file is held but a 64 KB buffer.
fn check_zip(bytes: &[u8], limits: &ReadLimits) -> Result<(), TableError> {
    let bounds = ArchiveLimits {
        max_parts: limits.max_parts,
        max_unzipped_bytes: limits.max_unzipped_bytes,
    };
    // Only sheets are streamed; the parts held whole (shared strings, styles, the workbook) get
    // the smaller bound wherever the package places them.
    let cap_of = |name: &str| {
        let name = name.to_lowercase();
        let held_whole = ["sharedstrings.xml", "styles.xml", "workbook.xml"]
            .iter()
            .any(|n| name.ends_with(n));
        if name.starts_with("xl/worksheets/") && !held_whole {
            limits.max_unzipped_bytes
        } else {
            limits.max_part_bytes
        }
    };
    let mut strings = SharedStringCounter::default();
    let mut count = |chunk: &[u8]| {
        strings.feed(chunk);
        if strings.count > limits.max_shared_strings {
            return Err(format!(
                "Tệp Excel có quá nhiều ô chữ (hơn {}). {}",
                limits.max_shared_strings,
                split_advice()
            ));
        }
        Ok(())
    };
    match archive::decompress_each(bytes, &bounds, &cap_of, &mut count) {
        Ok(_) => Ok(()),
        Err(ArchiveError::TooBig { max_bytes }) => Err(TableError(format!(
            "Tệp Excel quá lớn khi giải nén (hơn {} MB). {}",
            max_bytes / (1024 * 1024),
            split_advice()
        ))),
        Err(ArchiveError::Refused(message)) => Err(TableError(message)),
        Err(_) => Err(broken()),
    }
}

fn text_of(value: DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => d
            .as_datetime()
            .map(|x| x.date().format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s,
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

fn read_xlsx(bytes: &[u8], rows: &mut Rows<'_>) -> Result<(), TableError> {
    check_zip(bytes, rows.limits)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| broken())?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(TableError("Tệp Excel không có trang tính nào.".into()));
    };
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(|_| broken())?;
    while let Some(cell) = cells.next_cell_with_formula().map_err(|_| broken())? {
        let (r, c) = cell.pos;
        if cell.formula.is_some_and(|f| !f.trim().is_empty()) {
            rows.check_position(r, c)?;
            return Err(TableError(format!(
                "Dòng {}, cột {} có công thức. Hãy sao chép và dán giá trị (Paste Values) thay cho công thức rồi nhập lại.",
                r as usize + 1,
                column_name(c as usize)
            )));
        }
        let text = text_of(cell.value);
        if !text.is_empty() {
            rows.put(r, c, text)?;
        }
    }
    Ok(())
}

/// Whether a CSV field would be run as a formula by a spreadsheet program that opens the file
/// (or a copy of what chibo stored): it starts with `=`, or with `+`, `-`, `@`, a tab or a
/// carriage return and is not a plain number. So `+84 912 345 678` and `-5` are data, and
/// `+cmd|'/C calc'!A0`, `-2+3+cmd|…` and `@SUM(…)` are refused like `=1+1`.
pub(crate) fn looks_like_formula(field: &str) -> bool {
    let lead = field.trim_start_matches(' ');
    let mut chars = lead.chars();
    match chars.next() {
        Some('=') => true,
        // A dash alone stands for "nothing" in many sheets.
        Some('+' | '-') => {
            !(chars.as_str().trim().is_empty() || is_plain_number(chars.as_str().trim_start()))
        }
        Some('@') => true,
        Some('\t' | '\r') => !lead.trim().is_empty(),
        _ => false,
    }
}

/// Digits, with spaces, dots and commas between them (a phone number, an amount).
fn is_plain_number(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
        && s.trim_end()
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ','))
}

fn read_csv(bytes: &[u8], rows: &mut Rows<'_>) -> Result<(), TableError> {
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
    let mut record = csv::StringRecord::new();
    let mut r = 0u32;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => {
                return Err(TableError(format!(
                    "Dòng {} của tệp CSV không đọc được.",
                    u64::from(r) + 1
                )));
            }
        }
        // A row of empty cells still counts as a row, so row numbers stay those of the file.
        rows.check_position(r, 0)?;
        for (c, field) in record.iter().enumerate() {
            let value = field.trim();
            if looks_like_formula(field) {
                return Err(TableError(format!(
                    "Dòng {}, cột {} có công thức (bắt đầu bằng \"=\", \"+\", \"-\", \"@\" hoặc dấu tab, mà không phải là số). Hãy nhập giá trị thay cho công thức.",
                    u64::from(r) + 1,
                    column_name(c)
                )));
            }
            // Empty fields are not held (spreadsheet programs pad rows with them).
            if !value.is_empty() {
                rows.put(r, u32::try_from(c).unwrap_or(u32::MAX), value.to_string())?;
            }
        }
        r = r.saturating_add(1);
    }
    Ok(())
}
