//! Member lists in and out as spreadsheets, with the columns of the member list form
//! (Mẫu 7-HSĐV). An import is checked row by row first (a dry run reports every problem with its
//! row and column), then written all at once or not at all. A member already on record (same
//! party card number or citizen ID) is matched, so importing the same file twice changes nothing.

use std::collections::HashMap;

use chibo_domain::member::{Sex, Status};
use chibo_domain::org::UnitKind;
use chibo_domain::text::search_key;
use chibo_export::table;
use chibo_store::entities::{member, unit};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use chibo_store::write_tx;
use places::{Found, Places};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::membership::member_edit;
use crate::membership::member_edit::{Clean, MemberInput};
use crate::org::units;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult, audit};

mod places;

/// Largest spreadsheet accepted for an import.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// Most rows in one import.
pub const MAX_IMPORT_ROWS: usize = 50_000;

/// The template's columns, in order: (header, the member field it fills, required).
pub const COLUMNS: &[(&str, &str, bool)] = &[
    ("Họ và tên", "full_name", true),
    ("Ngày sinh", "date_of_birth", true),
    ("Giới tính", "sex", true),
    ("Dân tộc", "ethnicity", false),
    ("Số CCCD", "citizen_id", false),
    ("Số điện thoại", "phone", false),
    ("Ngày vào Đảng", "admission_date", true),
    ("Ngày chính thức", "official_date", false),
    ("Số thẻ đảng viên", "card_number", false),
    ("Số lý lịch", "history_number", false),
    ("Số huy hiệu", "badge_number", false),
    // A name, or a place in the tree: "Đảng bộ xã Tân Phú / Chi bộ thôn 1".
    ("Chi bộ, tổ đảng", "unit", false),
];

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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub unit: UnitRef,
    /// Data rows read (blank rows skipped).
    pub rows: usize,
    /// New members.
    pub created: usize,
    /// Members on record whose details the file changes.
    pub updated: usize,
    /// Members on record exactly as in the file.
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    /// Written to the database (false for a dry run or when there are errors).
    pub written: bool,
}

enum Plan {
    Create(Clean, unit::Model),
    Update(member::Model, Clean),
    Same,
}

fn same(m: &member::Model, c: &Clean) -> bool {
    m.full_name == c.full_name
        && m.date_of_birth == c.date_of_birth
        && m.sex == c.sex
        && m.ethnicity == c.ethnicity
        && m.citizen_id == c.citizen_id
        && m.phone == c.phone
        && m.admission_date == c.admission_date
        && m.official_date == c.official_date
        && m.card_number == c.card_number
        && m.history_number == c.history_number
        && m.badge_number == c.badge_number
}

/// A header as compared: without diacritics, case, spaces or punctuation ("Chi bộ / tổ đảng"
/// matches "Chi bộ, tổ đảng").
fn header_key(s: &str) -> String {
    search_key(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn sex_code(s: &str) -> String {
    match search_key(s).as_str() {
        "nam" | "male" => Sex::Male.code().to_string(),
        "nu" | "female" => Sex::Female.code().to_string(),
        _ => s.to_string(),
    }
}

/// Whether the actor may import into the unit (checked before a file is read).
pub async fn may_import(app: &App, actor: &Actor, unit_id: i64) -> AppResult<UnitRef> {
    let root = import_root(app, actor, unit_id).await?;
    Ok(UnitRef {
        id: root.id,
        name: root.name.clone(),
    })
}

/// The unit imported into: one whose members the actor manages, or that they oversee.
async fn import_root(app: &App, actor: &Actor, unit_id: i64) -> AppResult<Visible<unit::Model>> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    actor.require(actor.can_manage_members(&root) || actor.oversees(&root))?;
    Ok(root)
}

/// Checks a file and, unless `dry_run`, writes it in one transaction. `progress(done, total)`
/// is called as rows are checked and written.
pub async fn run(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> AppResult<ImportReport> {
    let root = import_root(app, actor, unit_id).await?;
    let report = |errors: Vec<RowError>| ImportReport {
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        rows: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        errors,
        written: false,
    };
    let file_error = |message: String| {
        Ok(report(vec![RowError {
            row: 0,
            column: String::new(),
            message,
        }]))
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return file_error(format!(
            "Tệp lớn hơn {} MB; hãy chia thành nhiều tệp.",
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    // Reading is CPU work off the async workers; a fault in a spreadsheet library on a hostile
    // file becomes a refusal of the file, not a dropped connection.
    let (name, owned) = (file_name.to_string(), bytes.to_vec());
    let read = tokio::task::spawn_blocking(move || table::read(&name, &owned)).await;
    let rows = match read {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return file_error(e.0),
        Err(_) => {
            return file_error(
                "Tệp bị hỏng, chibo không đọc được. Hãy lưu lại tệp theo mẫu rồi nhập lại.".into(),
            );
        }
    };
    // The header row: the first row naming "Họ và tên"; columns matched by name in any order.
    let Some(header_at) = rows
        .iter()
        .position(|r| r.iter().any(|c| header_key(c) == header_key(COLUMNS[0].0)))
    else {
        return file_error(
            "Không tìm thấy dòng tiêu đề (có cột \"Họ và tên\"). Hãy dùng tệp mẫu của chibo."
                .into(),
        );
    };
    let header = &rows[header_at];
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut missing = Vec::new();
    for (title, field, required) in COLUMNS {
        match header
            .iter()
            .position(|h| header_key(h) == header_key(title))
        {
            Some(i) => {
                at.insert(field, i);
            }
            None if *required => missing.push(format!("\"{title}\"")),
            None => {}
        }
    }
    if !missing.is_empty() {
        return file_error(format!("Thiếu cột {} ở dòng tiêu đề.", missing.join(", ")));
    }
    let data: Vec<(usize, &Vec<String>)> = rows
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| (i + 1, r))
        .collect();
    if data.is_empty() {
        return file_error("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.".into());
    }
    if data.len() > MAX_IMPORT_ROWS {
        return file_error(format!(
            "Tệp có {} dòng, nhiều hơn {MAX_IMPORT_ROWS}; hãy chia thành nhiều tệp.",
            data.len()
        ));
    }
    // Units the rows name, found by name or place in a few queries.
    let named: Vec<String> = at
        .get("unit")
        .map(|i| {
            data.iter()
                .filter_map(|(_, r)| r.get(*i))
                .filter(|t| !t.trim().is_empty())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let places = Places::load(&app.db, &root, named.iter().map(String::as_str)).await?;
    let root_holds = UnitKind::from_code(&root.kind).is_some_and(|k| k.holds_members());
    let sole = if root_holds {
        None
    } else {
        places::sole_holder(&app.db, &root).await?
    };
    let header_of = |field: &str| {
        COLUMNS
            .iter()
            .find(|c| c.1 == field)
            .map(|c| c.0.to_string())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let mut plans = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let total = data.len();
    for (n, (row_no, row)) in data.iter().enumerate() {
        progress(n, total);
        let cell = |field: &str| {
            at.get(field)
                .and_then(|i| row.get(*i))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
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
            row: *row_no,
            column: header_of("unit"),
            message,
        };
        let target: Option<&unit::Model> = match cell("unit") {
            None if root_holds => Some(&root),
            None if sole.is_some() => sole.as_ref(),
            None => {
                row_errors.push(unit_error(
                    "Ghi tên chi bộ hoặc tổ đảng nơi đảng viên sinh hoạt.".into(),
                ));
                None
            }
            Some(name) => match places.find(&name) {
                Found::One(u) => Some(u),
                Found::Missing => {
                    row_errors.push(unit_error(format!(
                        "Không có chi bộ, tổ đảng \"{name}\" trong {}.",
                        root.name
                    )));
                    None
                }
                Found::Ambiguous(candidates) => {
                    let shown: Vec<String> = candidates
                        .iter()
                        .take(5)
                        .map(|c| format!("\"{c}\""))
                        .collect();
                    let more = candidates.len().saturating_sub(shown.len());
                    row_errors.push(unit_error(format!(
                        "Có {} chi bộ, tổ đảng tên \"{name}\" trong {}: {}{}. Hãy ghi kèm đơn vị cấp trên, ví dụ {}.",
                        candidates.len(),
                        root.name,
                        shown.join(", "),
                        if more > 0 { format!(" và {more} nơi khác") } else { String::new() },
                        shown[0]
                    )));
                    None
                }
            },
        };
        if input.card_number.is_none() && input.citizen_id.is_none() {
            row_errors.push(RowError {
                row: *row_no,
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
            if let Some(first) = seen.insert(search_key(&key), *row_no) {
                row_errors.push(RowError {
                    row: *row_no,
                    column: String::new(),
                    message: format!("Trùng số thẻ hoặc số CCCD với dòng {first}."),
                });
            }
        }
        // A member already on record: by card number, else by citizen ID.
        let existing = match (&input.card_number, &input.citizen_id) {
            (Some(card), _) => {
                member::Entity::find()
                    .filter(member::Column::CardNumber.eq(card.as_str()))
                    .one(&app.db)
                    .await?
            }
            (None, _) => None,
        };
        let existing = match (existing, &input.citizen_id) {
            (Some(m), _) => Some(m),
            (None, Some(cid)) => {
                member::Entity::find()
                    .filter(member::Column::CitizenId.eq(cid.trim()))
                    .one(&app.db)
                    .await?
            }
            (None, None) => None,
        };
        if let Some(m) = &existing
            && !actor.can_read_path(&m.unit_path)
        {
            row_errors.push(RowError {
                row: *row_no,
                column: String::new(),
                message: "Số thẻ hoặc số CCCD này thuộc một đảng viên ngoài phạm vi của bạn."
                    .into(),
            });
        }
        match member_edit::clean(&app.db, &input, existing.as_ref().map(|m| m.id)).await {
            Ok(c) if row_errors.is_empty() => plans.push(match (existing, target) {
                (Some(m), _) if same(&m, &c) => Plan::Same,
                (Some(m), _) => Plan::Update(m, c),
                (None, Some(u)) => Plan::Create(c, u.clone()),
                (None, None) => Plan::Same,
            }),
            Ok(_) => {}
            Err(AppError::Invalid(inv)) => {
                row_errors.extend(inv.errors.into_iter().map(|f| RowError {
                    row: *row_no,
                    column: header_of(&f.field),
                    message: f.message,
                }))
            }
            Err(other) => return Err(other),
        }
        errors.extend(row_errors);
    }
    let mut out = report(errors);
    out.rows = total;
    out.created = plans
        .iter()
        .filter(|p| matches!(p, Plan::Create(..)))
        .count();
    out.updated = plans
        .iter()
        .filter(|p| matches!(p, Plan::Update(..)))
        .count();
    out.unchanged = plans.iter().filter(|p| matches!(p, Plan::Same)).count();
    if dry_run || !out.errors.is_empty() || out.created + out.updated == 0 {
        progress(total, total);
        return Ok(out);
    }
    let tx = write_tx(&app.db).await?;
    let mut created_ids = Vec::new();
    let mut updated_ids = Vec::new();
    for (n, plan) in plans.into_iter().enumerate() {
        progress(n, total);
        match plan {
            Plan::Create(c, u) => created_ids.push(
                member_edit::insert_member(&tx, c, &u, Status::Active)
                    .await?
                    .id,
            ),
            Plan::Update(m, c) => {
                updated_ids.push(member_edit::overwrite_member(&tx, m, c).await?.id)
            }
            Plan::Same => {}
        }
    }
    audit::record(
        &tx,
        Some(actor),
        "member.import",
        "unit",
        Some(root.id),
        None::<&()>,
        Some(&serde_json::json!({
            "file": file_name,
            "rows": total,
            "created": created_ids,
            "updated": updated_ids,
        })),
    )
    .await?;
    tx.commit().await?;
    progress(total, total);
    out.written = true;
    Ok(out)
}

/// The empty template, with one example row.
pub fn template() -> Vec<u8> {
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    let example = vec![
        "Nguyễn Văn An",
        "15/03/1975",
        "Nam",
        "Kinh",
        "001075012345",
        "0912345678",
        "19/05/2000",
        "19/05/2001",
        "12345678",
        "LL-0001",
        "",
        "Tổ đảng số 1",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    table::write_xlsx("Danh sách đảng viên", &header, &[example])
}

/// The members on the roll of a subtree, in the template's columns (so the file imports back
/// unchanged), in Vietnamese name order.
pub async fn export(app: &App, actor: &Actor, unit_id: i64) -> AppResult<(String, Vec<u8>)> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    let units = unit::Entity::find()
        .filter(unit::Column::Path.like(chibo_store::path_prefix(&root.path)))
        .filter(unit::Column::DissolvedOn.is_null())
        .all(&app.db)
        .await?;
    let names = places::export_labels(&root, &units);
    let ms = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&root.path)))
        .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
        .order_by_asc(member::Column::SortKey)
        .all(&app.db)
        .await?;
    let d = |x: chrono::NaiveDate| x.format("%d/%m/%Y").to_string();
    let rows: Vec<Vec<String>> = ms
        .iter()
        .map(|m| {
            vec![
                m.full_name.clone(),
                d(m.date_of_birth),
                Sex::from_code(&m.sex)
                    .map(|s| s.label().to_string())
                    .unwrap_or_default(),
                m.ethnicity.clone(),
                m.citizen_id.clone().unwrap_or_default(),
                m.phone.clone().unwrap_or_default(),
                d(m.admission_date),
                m.official_date.map(d).unwrap_or_default(),
                m.card_number.clone().unwrap_or_default(),
                m.history_number.clone().unwrap_or_default(),
                m.badge_number.clone().unwrap_or_default(),
                names.get(&m.unit_id).cloned().unwrap_or_default(),
            ]
        })
        .collect();
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    let file = format!(
        "danh-sach-dang-vien-{}.xlsx",
        search_key(&root.name).replace(' ', "-")
    );
    Ok((
        file,
        table::write_xlsx("Danh sách đảng viên", &header, &rows),
    ))
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
        assert_eq!(sex_code("nữ"), "female");
        assert_eq!(sex_code("Nam"), "male");
    }
}
