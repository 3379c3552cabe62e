//! Founding an organisation from the spreadsheet its board already keeps: one row a unit, with
//! the unit above it (by name or place, blank for the unit imported into), its kind, its cell
//! type and its founding date. Units above come before the units under them; a unit already
//! there (same name under the same unit) is left as it is, so the same file imports twice
//! without change. All rows are checked first, then written in one transaction or not at all.
//! Cells are founded empty, to be filled by the member import that follows: they exist already
//! in the province's records, so the three founding members a new cell needs do not apply.

use std::collections::HashMap;

use chibo_domain::org::{CellType, UnitKind};
use chibo_domain::text::search_key;
use chibo_domain::validate::parse_date;
use chibo_store::entities::{unit, unit_event};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::org::edit;
use crate::org::founding::{Founding, insert_units};
use crate::org::places::{Found, Places, levels};
use crate::org::units;
use crate::refs::UnitRef;
use crate::sheets::{Column, RowError, Sheet};
use crate::{App, AppResult, audit};

/// The template's columns: (header, field, required).
pub const TREE_COLUMNS: &[Column] = &[
    ("Tên đơn vị", "name", true),
    // A name, or a place below the unit imported into: "Đảng bộ xã Tân Phú / Chi bộ thôn 1".
    ("Đơn vị cấp trên", "parent", false),
    ("Loại đơn vị", "kind", true),
    ("Loại hình chi bộ", "cell_type", false),
    ("Ngày thành lập", "established_on", true),
];

/// Largest tree file accepted (a province's tree is about 10,000 rows, well under 2 MB).
pub const MAX_TREE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TreeImportReport {
    pub unit: UnitRef,
    /// Data rows read.
    pub rows: usize,
    /// Units founded.
    pub created: usize,
    /// Units already there (same name under the same unit).
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    /// Written to the database (false for a dry run or when there are errors).
    pub written: bool,
}

/// The unit a row goes under: one already in the tree, or one an earlier row founds.
#[derive(Clone, Copy)]
enum Parent<'a> {
    Existing(&'a unit::Model),
    Row(usize),
}

/// A row that will found a unit.
struct NewUnit<'a> {
    row_no: usize,
    name: String,
    /// Search keys of the names from the root down to the unit, as later rows may name it.
    keys: Vec<String>,
    parent: Parent<'a>,
    kind: UnitKind,
    cell_type: Option<CellType>,
    established_on: NaiveDate,
}

/// The unit a tree is imported under: one whose committee (or a committee above) the actor
/// sits on, or any for an administrator.
async fn tree_root(app: &App, actor: &Actor, unit_id: i64) -> AppResult<Visible<unit::Model>> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    actor.require(actor.can_found_tree_under(&root))?;
    if root.dissolved_on.is_some() {
        return Err(crate::AppError::invalid(
            "unit",
            format!(
                "{} đã giải thể; không nhập được đơn vị trực thuộc.",
                root.name
            ),
        ));
    }
    Ok(root)
}

/// Whether the actor may import a tree under the unit (checked before a file is read).
pub async fn may_import(app: &App, actor: &Actor, unit_id: i64) -> AppResult<UnitRef> {
    let root = tree_root(app, actor, unit_id).await?;
    Ok(UnitRef {
        id: root.id,
        name: root.name.clone(),
    })
}

/// Checks a tree file and, unless `dry_run`, founds its units in one transaction.
pub async fn run(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<TreeImportReport> {
    let root = tree_root(app, actor, unit_id).await?;
    let mut report = TreeImportReport {
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        rows: 0,
        created: 0,
        unchanged: 0,
        errors: vec![],
        written: false,
    };
    if bytes.len() > MAX_TREE_BYTES {
        report.errors.push(RowError::file(format!(
            "Tệp lớn hơn {} MB; hãy chia thành nhiều tệp.",
            MAX_TREE_BYTES / (1024 * 1024)
        )));
        return Ok(report);
    }
    let sheet = match Sheet::read(file_name, bytes, TREE_COLUMNS).await {
        Ok(s) => s,
        Err(e) => {
            report.errors.push(e);
            return Ok(report);
        }
    };
    let data: Vec<(usize, &Vec<String>)> = sheet.data().collect();
    report.rows = data.len();
    // The units above that the rows name and that are already in the tree, in a few queries.
    let named: Vec<String> = data
        .iter()
        .filter_map(|(_, r)| sheet.cell(r, "parent"))
        .collect();
    let places = Places::load_kinds(&app.db, &root, named.iter().map(String::as_str), None).await?;
    let mut founded: Vec<NewUnit> = Vec::new();
    // Earlier rows by their name, and the rows with errors (their units go unfounded).
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut refused: HashMap<String, usize> = HashMap::new();
    for (row_no, row) in &data {
        let error = |field: &str, message: String| RowError {
            row: *row_no,
            column: sheet.header_of(field),
            message,
        };
        let mut errors = Vec::new();
        let name = sheet.cell(row, "name").unwrap_or_default();
        if name.chars().count() > 255 {
            errors.push(error("name", "Tên đơn vị dài quá 255 ký tự.".into()));
        }
        let kind = match sheet.cell(row, "kind") {
            None => {
                errors.push(error("kind", "Ghi loại đơn vị (ví dụ: Đảng bộ xã, Chi bộ).".into()));
                None
            }
            Some(k) => UnitKind::from_text(&k).or_else(|| {
                errors.push(error(
                    "kind",
                    format!("Không rõ loại đơn vị \"{k}\" (ví dụ: Đảng bộ xã, Đảng bộ cơ sở, Chi bộ cơ sở, Chi bộ, Tổ đảng)."),
                ));
                None
            }),
        };
        let cell_type = match (kind, sheet.cell(row, "cell_type")) {
            (Some(k), None) if k.is_cell() => {
                errors.push(error(
                    "cell_type",
                    "Chi bộ cần ghi loại hình (thôn, bản; tổ dân phố; cơ quan; doanh nghiệp…)."
                        .into(),
                ));
                None
            }
            (_, None) => None,
            (_, Some(t)) => CellType::from_text(&t).or_else(|| {
                errors.push(error(
                    "cell_type",
                    format!("Không rõ loại hình chi bộ \"{t}\"."),
                ));
                None
            }),
        };
        let established_on = match sheet.cell(row, "established_on") {
            None => {
                errors.push(error(
                    "established_on",
                    "Ghi ngày thành lập (ngày/tháng/năm).".into(),
                ));
                None
            }
            Some(d) => parse_date(&d).or_else(|| {
                errors.push(error(
                    "established_on",
                    format!("Ngày thành lập \"{d}\" không đúng dạng ngày/tháng/năm."),
                ));
                None
            }),
        };
        if established_on.is_some_and(|d| d > App::today()) {
            errors.push(error("established_on", "Ngày thành lập chưa đến.".into()));
        }
        // The unit above: an earlier row's unit, else one already in the tree, else the root.
        let parent = match sheet.cell(row, "parent") {
            None => Some(Parent::Existing(&root)),
            Some(text) => {
                // An earlier row whose place ends with the text's levels, else a unit already
                // in the tree.
                let whole = vec![search_key(&text)];
                let wanted = match by_name.get(&whole[0]) {
                    // A name with a slash in it is matched whole before the slash is a level.
                    Some(_) if text.contains('/') => whole,
                    _ => levels(&text),
                };
                let earlier: Vec<usize> = wanted
                    .last()
                    .and_then(|last| by_name.get(last))
                    .map(|rows| {
                        rows.iter()
                            .copied()
                            .filter(|i| founded[*i].keys.ends_with(&wanted))
                            .collect()
                    })
                    .unwrap_or_default();
                let found = match earlier.as_slice() {
                    [one] => Ok(Parent::Row(*one)),
                    [] => match places.find(&text) {
                        Found::One(u) => Ok(Parent::Existing(u)),
                        Found::Missing
                            if wanted.last().is_some_and(|k| refused.contains_key(k)) =>
                        {
                            Err(format!(
                                "Đơn vị cấp trên \"{text}\" ở dòng {} có lỗi; sửa dòng đó trước.",
                                refused[wanted.last().expect("checked")]
                            ))
                        }
                        Found::Missing => Err(format!(
                            "Không có đơn vị \"{text}\" trong {} hay ở các dòng trước (đơn vị cấp trên phải đứng trước các đơn vị trực thuộc).",
                            root.name
                        )),
                        Found::Ambiguous(c) => Err(ambiguous(&text, c.len(), c[0])),
                    },
                    many => Err(ambiguous(&text, many.len(), &founded[many[0]].name)),
                };
                match found {
                    Ok(p) => Some(p),
                    Err(message) => {
                        errors.push(error("parent", message));
                        None
                    }
                }
            }
        };
        if let (Some(k), Some(p)) = (kind, parent) {
            let (parent_kind, parent_from) = match p {
                Parent::Existing(u) => (
                    UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Other),
                    Some(u.established_on),
                ),
                Parent::Row(i) => (founded[i].kind, Some(founded[i].established_on)),
            };
            if !parent_kind.allowed_children().contains(&k) {
                errors.push(error(
                    "kind",
                    format!(
                        "{} không thể trực thuộc {}.",
                        k.label(),
                        parent_kind.label()
                    ),
                ));
            }
            if let (Some(d), Some(from)) = (established_on, parent_from)
                && d < from
            {
                errors.push(error(
                    "established_on",
                    format!(
                        "Ngày thành lập trước ngày thành lập của đơn vị cấp trên ({}).",
                        from.format("%d/%m/%Y")
                    ),
                ));
            }
        }
        if name.is_empty() {
            errors.push(error("name", "Ghi tên đơn vị.".into()));
        }
        if !errors.is_empty() {
            refused.insert(search_key(&name), *row_no);
            report.errors.extend(errors);
            continue;
        }
        let (Some(kind), Some(parent), Some(established_on)) = (kind, parent, established_on)
        else {
            continue;
        };
        let mut keys = match parent {
            Parent::Existing(u) if u.id == root.id => vec![search_key(&root.name)],
            Parent::Existing(u) => places
                .keys_of(u.id)
                .unwrap_or_else(|| vec![search_key(&u.name)]),
            Parent::Row(i) => founded[i].keys.clone(),
        };
        keys.push(search_key(&name));
        by_name
            .entry(search_key(&name))
            .or_default()
            .push(founded.len());
        founded.push(NewUnit {
            row_no: *row_no,
            name,
            keys,
            parent,
            kind,
            cell_type,
            established_on,
        });
    }
    // Two rows founding the same unit.
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for u in &founded {
        let parent_key = match u.parent {
            Parent::Existing(p) => format!("u{}", p.id),
            Parent::Row(r) => format!("r{r}"),
        };
        if let Some(first) = seen.insert((parent_key, search_key(&u.name)), u.row_no) {
            report.errors.push(RowError {
                row: u.row_no,
                column: sheet.header_of("name"),
                message: format!("Trùng đơn vị với dòng {first} (cùng tên, cùng đơn vị cấp trên)."),
            });
        }
    }
    let already = already_there(app, &founded).await?;
    // A unit already there must be the one the row describes: the rows under it were checked
    // against the row's kind and date.
    for (u, there) in founded.iter().zip(&already) {
        let Some(there) = there else { continue };
        let error = |field: &str, message: String| RowError {
            row: u.row_no,
            column: sheet.header_of(field),
            message,
        };
        if there.kind != u.kind.code() {
            let was = UnitKind::from_code(&there.kind).map_or(there.kind.as_str(), |k| k.label());
            report.errors.push(error(
                "kind",
                format!("Đơn vị \"{}\" đã có với loại {was}.", u.name),
            ));
        } else if there.cell_type.as_deref() != u.cell_type.map(|c| c.code()) {
            report.errors.push(error(
                "cell_type",
                format!("Đơn vị \"{}\" đã có với loại hình khác.", u.name),
            ));
        }
        if there.established_on != u.established_on {
            report.errors.push(error(
                "established_on",
                format!(
                    "Đơn vị \"{}\" đã có, thành lập ngày {}.",
                    u.name,
                    there.established_on.format("%d/%m/%Y")
                ),
            ));
        }
    }
    report.errors.sort_by_key(|e| e.row);
    report.unchanged = already.iter().flatten().count();
    report.created = founded.len() - report.unchanged;
    if dry_run || !report.errors.is_empty() || report.created == 0 {
        return Ok(report);
    }
    let tx = chibo_store::rollups::restructure_tx(&app.db).await?;
    // Each row's unit: the one already there, or the one founded now. Rows are founded a
    // level of the file at a time, a level's units in one batch: a row's unit above is
    // already there or founded by a row of an earlier level.
    let mut unit_of: Vec<Option<unit::Model>> = already;
    let mut level = vec![0usize; founded.len()];
    for (i, u) in founded.iter().enumerate() {
        if unit_of[i].is_none() {
            level[i] = 1 + match u.parent {
                Parent::Row(r) => level[r],
                Parent::Existing(_) => 0,
            };
        }
    }
    let mut created_ids = Vec::new();
    for depth in 1..=level.iter().copied().max().unwrap_or(0) {
        let rows: Vec<usize> = (0..founded.len()).filter(|&i| level[i] == depth).collect();
        let units = {
            let parent = |i: usize| match founded[i].parent {
                Parent::Existing(p) => p,
                Parent::Row(r) => unit_of[r].as_ref().expect("an earlier level is founded"),
            };
            let batch: Vec<Founding> = rows
                .iter()
                .map(|&i| Founding {
                    parent: parent(i),
                    name: &founded[i].name,
                    kind: founded[i].kind.code(),
                    cell_type: founded[i].cell_type.map(|c| c.code().to_string()),
                    date: founded[i].established_on,
                })
                .collect();
            insert_units(&tx, &batch).await?
        };
        let events = units.iter().map(|u| {
            edit::event_row(
                Some(actor),
                "created",
                u.id,
                u.parent_id,
                Some("Nhập cây tổ chức từ tệp".into()),
                u.established_on,
            )
        });
        unit_event::Entity::insert_many(events).exec(&tx).await?;
        for (i, u) in rows.into_iter().zip(units) {
            created_ids.push(u.id);
            unit_of[i] = Some(u);
        }
    }
    if let Some(first) = founded.iter().map(|u| u.established_on).min() {
        chibo_store::rollups::tree_changed(&tx, &root.path, first).await?;
    }
    audit::record(
        &tx,
        Some(actor),
        "unit.import",
        "unit",
        Some(root.id),
        None::<&()>,
        Some(&serde_json::json!({
            "file": file_name,
            "rows": report.rows,
            "created": created_ids,
        })),
    )
    .await?;
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

/// For each row, the live unit already there with its name under its unit above (which may
/// itself be a row already there), level by level: one query for each level of the file.
async fn already_there(app: &App, rows: &[NewUnit<'_>]) -> AppResult<Vec<Option<unit::Model>>> {
    let mut there: Vec<Option<unit::Model>> = vec![None; rows.len()];
    let mut decided = vec![false; rows.len()];
    loop {
        // Rows whose unit above is known: in the tree, or a decided row.
        let ready: Vec<(usize, Option<i64>)> = rows
            .iter()
            .enumerate()
            .filter(|(i, _)| !decided[*i])
            .filter_map(|(i, u)| match u.parent {
                Parent::Existing(p) => Some((i, Some(p.id))),
                Parent::Row(r) if decided[r] => Some((i, there[r].as_ref().map(|p| p.id))),
                Parent::Row(_) => None,
            })
            .collect();
        if ready.is_empty() {
            return Ok(there);
        }
        let mut parents: Vec<i64> = ready.iter().filter_map(|(_, p)| *p).collect();
        parents.sort_unstable();
        parents.dedup();
        let mut children: HashMap<(i64, String), unit::Model> = HashMap::new();
        for chunk in parents.chunks(1_000) {
            for u in unit::Entity::find()
                .filter(unit::Column::ParentId.is_in(chunk.to_vec()))
                .filter(unit::Column::DissolvedOn.is_null())
                .all(&app.db)
                .await?
            {
                if let Some(p) = u.parent_id {
                    children.insert((p, search_key(&u.name)), u);
                }
            }
        }
        for (i, parent) in ready {
            decided[i] = true;
            there[i] = parent.and_then(|p| children.remove(&(p, search_key(&rows[i].name))));
        }
    }
}

/// "Có 2 đơn vị tên …": a unit above named in several places.
fn ambiguous(text: &str, n: usize, example: &str) -> String {
    format!(
        "Có {n} đơn vị tên \"{text}\". Hãy ghi kèm đơn vị cấp trên, ví dụ \"{example}\" viết thành \"Tên đơn vị cấp trên / {text}\"."
    )
}

/// The empty template, with example rows: a commune, a village cell and a party group in it.
pub fn template() -> Vec<u8> {
    let header: Vec<&str> = TREE_COLUMNS.iter().map(|c| c.0).collect();
    let rows = [
        ["Đảng bộ xã Tân Phú", "", "Đảng bộ xã", "", "01/07/2025"],
        [
            "Chi bộ thôn 1",
            "Đảng bộ xã Tân Phú",
            "Chi bộ",
            "Thôn, bản",
            "01/07/2025",
        ],
        [
            "Tổ đảng số 1",
            "Đảng bộ xã Tân Phú / Chi bộ thôn 1",
            "Tổ đảng",
            "",
            "01/07/2025",
        ],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect::<Vec<Vec<String>>>();
    chibo_export::table::write_xlsx("Cây tổ chức", &header, &rows)
}
