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
            Err(_) => {
                return Err(RowError::file(
                    "Tệp bị hỏng, chibo không đọc được. Hãy lưu lại tệp theo mẫu rồi nhập lại.",
                ));
            }
        };
        let first = columns[0].0;
        let Some(header_at) = rows
            .iter()
            .position(|r| r.iter().any(|c| header_key(c) == header_key(first)))
        else {
            return Err(RowError::file(format!(
                "Không tìm thấy dòng tiêu đề (có cột \"{first}\"). Hãy dùng tệp mẫu của chibo."
            )));
        };
        let header = &rows[header_at];
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
        if !missing.is_empty() {
            return Err(RowError::file(format!(
                "Thiếu cột {} ở dòng tiêu đề.",
                missing.join(", ")
            )));
        }
        let sheet = Self {
            rows,
            header_at,
            at,
            columns,
        };
        if sheet.data().next().is_none() {
            return Err(RowError::file(
                "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.",
            ));
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
        self.at
            .get(field)
            .and_then(|i| row.get(*i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// The header of a field as the template writes it.
    pub(crate) fn header_of(&self, field: &str) -> String {
        header_in(self.columns, field)
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
