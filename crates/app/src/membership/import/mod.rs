//! Member lists in and out as spreadsheets, with the columns of the member list form
//! (Mẫu 7-HSĐV). An import is checked row by row first (a dry run reports every problem with its
//! row and column), then written all at once or not at all. A member already on record (same
//! party card number or citizen ID) is matched, so importing the same file twice changes nothing.

use std::collections::{HashMap, HashSet};

use chibo_domain::member::Sex;
use chibo_domain::org::UnitKind;
use chibo_domain::text::search_key;
use chibo_export::table;
use chibo_store::entities::{member, unit};
use chibo_store::sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use chibo_store::subtree::Subtree;
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::membership::member_edit;
use crate::membership::member_edit::Clean;
use crate::org::places;
use crate::org::places::Places;
use crate::org::units;
use crate::refs::UnitRef;
pub use crate::sheets::RowError;
use crate::sheets::{Column, SheetStream, header_in};
use crate::{App, AppError, AppResult, audit};

mod check;
mod records;
mod write;

use records::OnRecord;

/// Largest spreadsheet accepted for an import: a province's own export (about 240,000 members)
/// is about 19 MB, and the reader's limits (`chibo_export::table::ReadLimits`) bound what a file
/// may declare once unzipped.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The template's columns, in order: (header, the member field it fills, required).
pub const COLUMNS: &[Column] = &[
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

/// What a row writes (a row that changes nothing is only counted).
enum Plan {
    Create(Clean, unit::Model),
    Update(member::Model, Clean),
}

/// New members written at a time (their rows in one statement on PostgreSQL, whose cost a
/// statement is still a large part of at 500 rows; a few hundred rows a statement on SQLite).
const WRITE_BATCH: usize = 5_000;

/// Rows read, checked and compared with the records at a time: what an import holds of a
/// file's text.
const CHUNK_ROWS: usize = 2_000;

pub(super) use check::Checked;

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
/// is called as rows are read and checked (`total` 0: the file's length is not known until it
/// is read), then as they are written (`total` the rows to write).
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
    if bytes.len() > MAX_IMPORT_BYTES {
        return Ok(report(vec![RowError::file(format!(
            "Tệp lớn hơn {} MB; hãy chia thành nhiều tệp.",
            MAX_IMPORT_BYTES / (1024 * 1024)
        ))]));
    }
    let (mut sheet, mut chunk) =
        match SheetStream::open(file_name, bytes.to_vec(), COLUMNS, CHUNK_ROWS).await {
            Ok(s) => s,
            Err(e) => return Ok(report(vec![e])),
        };
    let root_holds = UnitKind::from_code(&root.kind).is_some_and(|k| k.holds_members());
    let sole = if root_holds {
        None
    } else {
        places::sole_holder(&app.db, &root).await?
    };
    let header_of = |field: &str| header_in(COLUMNS, field);
    // A chunk of rows at a time: each row checked on its own, then against the members on
    // record (found for the chunk in a few queries), then planned; only the plans that write
    // are kept, so an import holds the text of one chunk whatever the file's size.
    let mut places = Places::default();
    let mut looked_up: HashSet<String> = HashSet::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Members on record found by a row, with the first row that found them.
    let mut matched: HashMap<i64, usize> = HashMap::new();
    let mut plans = Vec::new();
    let (mut total, mut unchanged) = (0, 0);
    loop {
        total += chunk.len();
        progress(total, 0);
        // The unit names this chunk brings that earlier chunks did not, found in a few queries.
        let named: Vec<String> = chunk
            .iter()
            .filter_map(|(_, r)| sheet.cell(r, "unit"))
            .collect();
        let new_keys: Vec<String> = Places::name_keys(named.iter().map(String::as_str))
            .into_iter()
            .filter(|k| looked_up.insert(k.clone()))
            .collect();
        if !new_keys.is_empty() {
            let kinds = Some(places::holder_kinds());
            places.absorb(Places::load_keys(&app.db, &root, new_keys, kinds).await?);
        }
        let rows = check::Rows {
            root: &root,
            root_holds,
            sole: sole.as_ref(),
            places: &places,
        };
        let checked: Vec<Checked> = chunk
            .iter()
            .filter_map(|(row_no, row)| {
                let cell = |field: &str| sheet.cell(row, field);
                rows.check(*row_no, &cell, &mut seen, &mut errors)
            })
            .collect();
        drop(chunk);
        let on_record = OnRecord::load(&app.db, &checked).await?;
        for c in checked {
            let (existing, row_errors) = on_record.judge(actor, &c, &header_of);
            if !row_errors.is_empty() {
                errors.extend(row_errors);
                continue;
            }
            // Two rows may find the same member by different keys (one by card, the other by
            // citizen id): which of them should be written is not for the import to guess.
            if let Some(m) = existing {
                if let Some(first) = matched.get(&m.id) {
                    errors.push(RowError {
                        row: c.row_no,
                        column: String::new(),
                        message: format!(
                            "Dòng này và dòng {first} cùng là đảng viên {} (theo số thẻ hoặc số CCCD).",
                            m.full_name
                        ),
                    });
                    continue;
                }
                matched.insert(m.id, c.row_no);
            }
            match (existing, c.target) {
                (Some(m), _) if same(m, &c.clean) => unchanged += 1,
                (Some(m), _) => plans.push(Plan::Update(m.clone(), c.clean)),
                (None, Some(u)) => plans.push(Plan::Create(c.clean, u.clone())),
                (None, None) => unchanged += 1,
            }
        }
        chunk = match sheet.next_rows().await {
            Ok(Some(next)) => next,
            Ok(None) => break,
            Err(e) => return Ok(report(vec![e])),
        };
    }
    errors.sort_by_key(|e| e.row);
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
    out.unchanged = unchanged;
    if dry_run || !out.errors.is_empty() || out.created + out.updated == 0 {
        return Ok(out);
    }
    let to_write = plans.len();
    let tx = write_tx(&app.db).await?;
    chibo_store::bulk::reuse_key_check_plans(&tx).await?;
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for plan in plans {
        match plan {
            Plan::Create(c, u) => creates.push((c, u)),
            Plan::Update(m, c) => updates.push(member_edit::overwritten(m, c)),
        }
    }
    chibo_store::bulk::update_columns::<member::Entity>(&tx, &updates, &member_edit::OVERWRITTEN)
        .await
        .map_err(member_edit::unique_to_invalid)?;
    let updated_ids: Vec<i64> = updates.iter().map(|m| m.id).collect();
    progress(updated_ids.len(), to_write);
    let mut created_ids = Vec::with_capacity(creates.len());
    for batch in creates.chunks(WRITE_BATCH) {
        created_ids.extend(write::insert_members(&tx, batch).await?);
        progress(updated_ids.len() + created_ids.len(), to_write);
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

/// Units whose members the export reads at a time.
const EXPORT_UNITS: u64 = 300;

/// What the export writes of a member (only these columns are read).
#[derive(Debug, FromQueryResult)]
struct ExportMember {
    unit_id: i64,
    full_name: String,
    date_of_birth: NaiveDate,
    sex: String,
    ethnicity: String,
    citizen_id: Option<String>,
    phone: Option<String>,
    admission_date: NaiveDate,
    official_date: Option<NaiveDate>,
    card_number: Option<String>,
    history_number: Option<String>,
    badge_number: Option<String>,
}

/// The members on the roll of a subtree, in the template's columns (so the file imports back
/// unchanged): unit by unit in tree order (each unit before the units under it), each unit's
/// members in Vietnamese name order. Units are read a batch at a time by keyset on the path and
/// each batch's members straight off the (unit, name) index; a thread writes the sheet while
/// the next batch is read, so a province's export holds two batches and the finished file.
pub async fn export(app: &App, actor: &Actor, unit_id: i64) -> AppResult<(String, Vec<u8>)> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    // Written before the file is made: an export the log does not hold is never handed over.
    crate::audit::record_export(app, actor, "members", "unit", root.id, &()).await?;
    let mut labels = places::ExportLabels::load(&app.db, &root).await?;
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    let widths = [
        28.0, 12.0, 8.0, 10.0, 14.0, 13.0, 12.0, 12.0, 14.0, 12.0, 12.0, 40.0,
    ];
    let mut sheet = table::XlsxStream::new("Danh sách đảng viên", &header, &widths)
        .map_err(|e| AppError::Internal(e.0))?;
    let (batches, mut received) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(1);
    let writer = tokio::task::spawn_blocking(move || {
        while let Some(rows) = received.blocking_recv() {
            for r in &rows {
                sheet.push(r)?;
            }
        }
        sheet.finish()
    });
    let mut after_path = String::new();
    loop {
        let holders: Vec<unit::Model> = unit::Entity::find()
            .filter(Subtree::of(&root).contains(unit::Column::Path))
            .filter(unit::Column::Path.gt(after_path.as_str()))
            .filter(unit::Column::Kind.is_in(UnitKind::codes_where(UnitKind::holds_members)))
            .order_by_asc(unit::Column::Path)
            .limit(EXPORT_UNITS)
            .all(&app.db)
            .await?;
        let Some(last) = holders.last() else {
            break;
        };
        after_path = last.path.clone();
        let ids: Vec<i64> = holders.iter().map(|u| u.id).collect();
        labels.add(&app.db, &ids).await?;
        let members: Vec<ExportMember> = member::Entity::find()
            .select_only()
            .columns([
                member::Column::UnitId,
                member::Column::FullName,
                member::Column::DateOfBirth,
                member::Column::Sex,
                member::Column::Ethnicity,
                member::Column::CitizenId,
                member::Column::Phone,
                member::Column::AdmissionDate,
                member::Column::OfficialDate,
                member::Column::CardNumber,
                member::Column::HistoryNumber,
                member::Column::BadgeNumber,
            ])
            .filter(member::Column::UnitId.is_in(ids))
            .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
            .order_by_asc(member::Column::UnitPath)
            .order_by_asc(member::Column::SortKey)
            .order_by_asc(member::Column::Id)
            .into_model()
            .all(&app.db)
            .await?;
        let rows = members
            .into_iter()
            .map(|m| {
                let label = labels.get(m.unit_id).to_string();
                export_row(m, label)
            })
            .collect();
        if batches.send(rows).await.is_err() {
            // The writer stopped: its error is read below.
            break;
        }
        if (holders.len() as u64) < EXPORT_UNITS {
            break;
        }
    }
    drop(batches);
    let bytes = writer
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.0))?;
    let file = format!(
        "danh-sach-dang-vien-{}.xlsx",
        search_key(&root.name).replace(' ', "-")
    );
    Ok((file, bytes))
}

/// A member's row in the template's columns.
fn export_row(m: ExportMember, unit_label: String) -> Vec<String> {
    let d = |x: NaiveDate| x.format("%d/%m/%Y").to_string();
    vec![
        m.full_name,
        d(m.date_of_birth),
        Sex::from_code(&m.sex)
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
        m.ethnicity,
        m.citizen_id.unwrap_or_default(),
        m.phone.unwrap_or_default(),
        d(m.admission_date),
        m.official_date.map(d).unwrap_or_default(),
        m.card_number.unwrap_or_default(),
        m.history_number.unwrap_or_default(),
        m.badge_number.unwrap_or_default(),
        unit_label,
    ]
}
