//! Spreadsheets users upload for an import (members, the organisation tree): reading the file
//! off the async workers, finding the header row and its columns by name in any order, and the
//! row errors every import reports ("Dòng 5, cột Ngày sinh: …").

use std::collections::HashMap;

use chibo_domain::text::search_key;
use chibo_export::table;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    /// The row in the spreadsheet (the header is row 1).
    pub row: usize,
    /// The column's header as in the template, or "" for the whole row.
    pub column: String,
    pub message: String,
}

/// "Dòng 5, cột Ngày sinh: …", as the pages, the API and the CLI print it.
impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, _) => f.write_str(&self.message),
            (r, true) => write!(f, "Dòng {r}: {}", self.message),
            (r, false) => write!(f, "Dòng {r}, cột {}: {}", self.column, self.message),
        }
    }
}

impl RowError {
    /// An error of the whole file (row 0).
    pub fn file(message: impl Into<String>) -> Self {
        Self {
            row: 0,
            column: String::new(),
            message: message.into(),
        }
    }
}

/// A header as compared: without diacritics, case, spaces or punctuation ("Chi bộ / tổ đảng"
/// matches "Chi bộ, tổ đảng").
pub(crate) fn header_key(s: &str) -> String {
    search_key(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A template's column: its header, the field it fills, whether it is required.
pub type Column = (&'static str, &'static str, bool);

/// The header of a field among a template's columns ("" when it has none).
pub(crate) fn header_in(columns: &[Column], field: &str) -> String {
    columns
        .iter()
        .find(|c| c.1 == field)
        .map(|c| c.0.to_string())
        .unwrap_or_default()
}

/// The data of a file under its header row: each row's number in the file and the cells of
/// the fields its header names.
pub(crate) struct Sheet {
    rows: Vec<Vec<String>>,
    header_at: usize,
    at: HashMap<&'static str, usize>,
    columns: &'static [Column],
}

impl Sheet {
    /// Reads the file (XLSX or CSV, by its name) off the async workers, and finds the header
    /// row: the first row naming the first column; the other columns by name in any order.
    pub(crate) async fn read(
        file_name: &str,
        bytes: &[u8],
        columns: &'static [Column],
    ) -> Result<Self, RowError> {
        // A fault in a spreadsheet library on a hostile file becomes a refusal of the file,
        // not a dropped connection.
        let (name, owned) = (file_name.to_string(), bytes.to_vec());
        let rows = match tokio::task::spawn_blocking(move || table::read(&name, &owned)).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(RowError::file(e.0)),
            Err(_) => return Err(unreadable()),
        };
        let Some(header_at) = rows.iter().position(|r| is_header(r, columns)) else {
            return Err(no_header(columns));
        };
        let at = header_columns(&rows[header_at], columns)?;
        let sheet = Self {
            rows,
            header_at,
            at,
            columns,
        };
        if sheet.data().next().is_none() {
            return Err(no_data());
        }
        Ok(sheet)
    }

    /// The rows under the header that have any text, with their numbers in the file.
    pub(crate) fn data(&self) -> impl Iterator<Item = (usize, &Vec<String>)> {
        self.rows
            .iter()
            .enumerate()
            .skip(self.header_at + 1)
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
            .map(|(i, r)| (i + 1, r))
    }

    /// A row's text in a field's column, trimmed; `None` when blank or not in the file.
    pub(crate) fn cell(&self, row: &[String], field: &str) -> Option<String> {
        cell_in(&self.at, row, field)
    }

    /// The header of a field as the template writes it.
    pub(crate) fn header_of(&self, field: &str) -> String {
        header_in(self.columns, field)
    }
}

/// The header row: the first row naming the template's first column.
fn is_header(row: &[String], columns: &[Column]) -> bool {
    let first = header_key(columns[0].0);
    row.iter().any(|c| header_key(c) == first)
}

fn no_header(columns: &[Column]) -> RowError {
    RowError::file(format!(
        "Không tìm thấy dòng tiêu đề (có cột \"{}\"). Hãy dùng tệp mẫu của chibo.",
        columns[0].0
    ))
}

fn no_data() -> RowError {
    RowError::file("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
}

/// Where each field's column is in the header row; every required column must be there.
fn header_columns(
    header: &[String],
    columns: &[Column],
) -> Result<HashMap<&'static str, usize>, RowError> {
    let mut at = HashMap::new();
    let mut missing = Vec::new();
    for (title, field, required) in columns {
        match header
            .iter()
            .position(|h| header_key(h) == header_key(title))
        {
            Some(i) => {
                at.insert(*field, i);
            }
            None if *required => missing.push(format!("\"{title}\"")),
            None => {}
        }
    }
    if missing.is_empty() {
        Ok(at)
    } else {
        Err(RowError::file(format!(
            "Thiếu cột {} ở dòng tiêu đề.",
            missing.join(", ")
        )))
    }
}

fn cell_in(at: &HashMap<&'static str, usize>, row: &[String], field: &str) -> Option<String> {
    at.get(field)
        .and_then(|i| row.get(*i))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn unreadable() -> RowError {
    RowError::file("Tệp bị hỏng, chibo không đọc được. Hãy lưu lại tệp theo mẫu rồi nhập lại.")
}

/// What the reading thread hands over.
enum Part {
    Rows(Vec<(usize, Vec<String>)>),
    Failed(RowError),
    End,
}

/// The data rows of a file handed over a chunk at a time while a thread reads the file, so an
/// import holds the text of one chunk, not of a province's file (see
/// `chibo_export::table::for_each_row`).
pub(crate) struct SheetStream {
    at: HashMap<&'static str, usize>,
    parts: tokio::sync::mpsc::Receiver<Part>,
    ended: bool,
}

impl SheetStream {
    /// Starts reading the file (XLSX or CSV, by its name) off the async workers, and waits
    /// for its header row and first data rows; `chunk` rows are handed over at a time.
    pub(crate) async fn open(
        file_name: &str,
        bytes: Vec<u8>,
        columns: &'static [Column],
        chunk: usize,
    ) -> Result<(Self, Vec<(usize, Vec<String>)>), RowError> {
        let (header_tx, header_rx) = tokio::sync::oneshot::channel();
        let (tx, parts) = tokio::sync::mpsc::channel(2);
        let name = file_name.to_string();
        tokio::task::spawn_blocking(move || {
            read_in_chunks(&name, &bytes, columns, chunk, header_tx, &tx)
        });
        let at = match header_rx.await {
            Ok(found) => found?,
            // The thread always answers about the header unless it panicked: a fault in the
            // spreadsheet library on a hostile file is a refusal, not a dropped connection.
            Err(_) => return Err(unreadable()),
        };
        let mut stream = Self {
            at,
            parts,
            ended: false,
        };
        match stream.next_rows().await? {
            Some(first) => Ok((stream, first)),
            None => Err(no_data()),
        }
    }

    /// The next chunk of data rows (with their numbers in the file), or `None` at the end.
    pub(crate) async fn next_rows(
        &mut self,
    ) -> Result<Option<Vec<(usize, Vec<String>)>>, RowError> {
        if self.ended {
            return Ok(None);
        }
        match self.parts.recv().await {
            Some(Part::Rows(rows)) => Ok(Some(rows)),
            Some(Part::End) => {
                self.ended = true;
                Ok(None)
            }
            Some(Part::Failed(e)) => Err(e),
            None => Err(unreadable()),
        }
    }

    /// A row's text in a field's column, trimmed; `None` when blank or not in the file.
    pub(crate) fn cell(&self, row: &[String], field: &str) -> Option<String> {
        cell_in(&self.at, row, field)
    }
}

/// The reading thread: finds the header, then hands the data rows on in chunks; stops when
/// the receiver is gone (the import was refused or abandoned).
fn read_in_chunks(
    name: &str,
    bytes: &[u8],
    columns: &'static [Column],
    chunk: usize,
    header_tx: tokio::sync::oneshot::Sender<Result<HashMap<&'static str, usize>, RowError>>,
    tx: &tokio::sync::mpsc::Sender<Part>,
) {
    let mut header_tx = Some(header_tx);
    let mut rows = Vec::with_capacity(chunk);
    let gone = || table::TableError(String::new());
    let read = table::for_each_row(name, bytes, &Default::default(), &mut |r, cells| {
        if let Some(h) = header_tx.take_if(|_| is_header(&cells, columns)) {
            let found = header_columns(&cells, columns);
            let failed = found.is_err();
            let _ = h.send(found);
            return if failed { Err(gone()) } else { Ok(()) };
        }
        if header_tx.is_some() || cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        rows.push((r as usize + 1, cells));
        if rows.len() >= chunk {
            let full = std::mem::replace(&mut rows, Vec::with_capacity(chunk));
            tx.blocking_send(Part::Rows(full)).map_err(|_| gone())?;
        }
        Ok(())
    });
    match (read, header_tx) {
        // Refused before the header was found, or no header at all.
        (Err(e), Some(h)) => {
            let _ = h.send(Err(RowError::file(e.0)));
        }
        (Ok(()), Some(h)) => {
            let _ = h.send(Err(no_header(columns)));
        }
        // Stopped by the header's own error or by a receiver that is gone: nothing to say.
        (Err(e), None) if e.0.is_empty() => {}
        (Err(e), None) => {
            let _ = tx.blocking_send(Part::Failed(RowError::file(e.0)));
        }
        (Ok(()), None) => {
            if !rows.is_empty() {
                let _ = tx.blocking_send(Part::Rows(rows));
            }
            let _ = tx.blocking_send(Part::End);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_loosely() {
        assert_eq!(
            header_key("Chi bộ / tổ đảng"),
            header_key("Chi bộ, tổ đảng")
        );
        assert_eq!(header_key(" HỌ VÀ TÊN "), header_key("Họ và tên"));
        assert_ne!(header_key("Ngày sinh"), header_key("Ngày vào Đảng"));
    }
}
