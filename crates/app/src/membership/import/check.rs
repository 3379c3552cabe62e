//! One row of a member import checked on its own: its unit found by name or place, a key to
//! match it by on a later import, no person twice in the file, and the member's fields as the
//! member form checks them.

use std::collections::HashMap;

use chibo_domain::member::Sex;
use chibo_domain::text::search_key;
use chibo_store::entities::unit;

use super::{COLUMNS, RowError};
use crate::membership::member_edit::{self, Clean, MemberInput};
use crate::org::places::{Found, Places};
use crate::sheets::header_in;

/// A row whose fields are right on their own, before it is compared with the records.
pub(crate) struct Checked<'a> {
    pub(super) row_no: usize,
    pub(super) clean: Clean,
    pub(super) target: Option<&'a unit::Model>,
}

/// What a row's unit is read against.
pub(super) struct Rows<'a> {
    pub(super) root: &'a unit::Model,
    /// The root holds members itself (a cell or a party group): a row may leave its unit blank.
    pub(super) root_holds: bool,
    /// The one unit under the root that holds members, if there is only one.
    pub(super) sole: Option<&'a unit::Model>,
    pub(super) places: &'a Places,
}

impl<'a> Rows<'a> {
    /// The row checked on its own (`cell` reads its fields); its errors are added to `errors`
    /// and `seen` keeps the keys of the rows before it.
    pub(super) fn check(
        &self,
        row_no: usize,
        cell: &dyn Fn(&str) -> Option<String>,
        seen: &mut HashMap<String, usize>,
        errors: &mut Vec<RowError>,
    ) -> Option<Checked<'a>> {
        let header_of = |field: &str| header_in(COLUMNS, field);
        let input = MemberInput {
            full_name: cell("full_name").unwrap_or_default(),
            date_of_birth: cell("date_of_birth"),
            sex: cell("sex").map(|s| sex_code(&s)).unwrap_or_default(),
            ethnicity: cell("ethnicity"),
            citizen_id: cell("citizen_id"),
            phone: cell("phone"),
            admission_date: cell("admission_date"),
            official_date: cell("official_date"),
            card_number: cell("card_number"),
            history_number: cell("history_number"),
            badge_number: cell("badge_number"),
            unit_id: None,
            initial_status: None,
        };
        let mut row_errors = Vec::new();
        let unit_error = |message: String| RowError {
            row: row_no,
            column: header_of("unit"),
            message,
        };
        let target: Option<&'a unit::Model> = match cell("unit") {
            None if self.root_holds => Some(self.root),
            None if self.sole.is_some() => self.sole,
            None => {
                row_errors.push(unit_error(
                    "Ghi tên chi bộ hoặc tổ đảng nơi đảng viên sinh hoạt.".into(),
                ));
                None
            }
            Some(name) => match self.places.find(&name) {
                Found::One(u) => Some(u),
                Found::Missing => {
                    row_errors.push(unit_error(format!(
                        "Không có chi bộ, tổ đảng \"{name}\" trong {}.",
                        self.root.name
                    )));
                    None
                }
                Found::Ambiguous(candidates) => {
                    row_errors.push(unit_error(ambiguous(&name, &self.root.name, &candidates)));
                    None
                }
            },
        };
        if input.card_number.is_none() && input.citizen_id.is_none() {
            row_errors.push(RowError {
                row: row_no,
                column: header_of("card_number"),
                message: "Cần số thẻ đảng viên hoặc số CCCD để nhận ra đảng viên khi nhập lại tệp."
                    .into(),
            });
        }
        // The same person twice in the file.
        for key in [input.card_number.clone(), input.citizen_id.clone()]
            .into_iter()
            .flatten()
        {
            if let Some(first) = seen.insert(search_key(&key), row_no) {
                row_errors.push(RowError {
                    row: row_no,
                    column: String::new(),
                    message: format!("Trùng số thẻ hoặc số CCCD với dòng {first}."),
                });
            }
        }
        let mut invalid = chibo_domain::Invalid::new();
        let clean = member_edit::check_fields(&mut invalid, &input);
        row_errors.extend(invalid.errors.into_iter().map(|f| RowError {
            row: row_no,
            column: header_of(&f.field),
            message: f.message,
        }));
        match clean {
            Some(clean) if row_errors.is_empty() => Some(Checked {
                row_no,
                clean,
                target,
            }),
            _ => {
                errors.extend(row_errors);
                None
            }
        }
    }
}

/// "Có 3 chi bộ, tổ đảng tên …": a unit name found in several places of the subtree.
fn ambiguous(name: &str, root: &str, candidates: &[&str]) -> String {
    let shown: Vec<String> = candidates
        .iter()
        .take(5)
        .map(|c| format!("\"{c}\""))
        .collect();
    let more = candidates.len().saturating_sub(shown.len());
    format!(
        "Có {} chi bộ, tổ đảng tên \"{name}\" trong {root}: {}{}. Hãy ghi kèm đơn vị cấp trên, ví dụ {}.",
        candidates.len(),
        shown.join(", "),
        if more > 0 {
            format!(" và {more} nơi khác")
        } else {
            String::new()
        },
        shown[0]
    )
}

fn sex_code(s: &str) -> String {
    match search_key(s).as_str() {
        "nam" | "male" => Sex::Male.code().to_string(),
        "nu" | "female" => Sex::Female.code().to_string(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_is_read_in_vietnamese_or_as_a_code() {
        assert_eq!(sex_code("nữ"), "female");
        assert_eq!(sex_code("Nam"), "male");
    }
}
