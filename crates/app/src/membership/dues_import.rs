//! Party dues imported from a spreadsheet (issue 12, defect 14): one row per member and month,
//! the member found among those who pay in the cell that month by card number, citizen ID or
//! (when unique) name; every row checked as the month's form checks it, and the whole file
//! written in one transaction or, if any row has a problem, not at all.

use std::collections::{BTreeMap, HashMap};

use chibo_domain::dues as rules;
use chibo_domain::text::search_key;
use chibo_domain::validate;
use chibo_export::table;
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::meetings::lookup;
use crate::membership::dues::{CleanEntry, clean_entry, payers, write};
use crate::refs::UnitRef;
use crate::sheets::{Column, RowError, Sheet};
use crate::{App, AppResult};

/// The largest file accepted: a cell's dues for years fit in far less.
pub const MAX_DUES_BYTES: usize = 8 * 1024 * 1024;

const COLUMNS: &[Column] = &[
    ("Họ và tên", "name", true),
    ("Số thẻ đảng viên", "card", false),
    ("Số CCCD", "citizen_id", false),
    ("Tháng", "month", true),
    ("Số tiền (đồng)", "amount", false),
    ("Ngày nộp", "paid_on", false),
    ("Lý do chưa nộp", "reason", false),
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuesImportReport {
    pub cell: UnitRef,
    /// Rows read under the header.
    pub rows: usize,
    /// The months the file records ("10/2026").
    pub months: Vec<String>,
    pub errors: Vec<RowError>,
    pub written: bool,
}

/// The empty template, with one example row.
pub fn template() -> Vec<u8> {
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    let example = [
        "Nguyễn Văn An",
        "12345678",
        "",
        "10/2026",
        "50000",
        "05/10/2026",
        "",
    ]
    .map(str::to_string)
    .to_vec();
    table::write_xlsx("Đảng phí", &header, &[example])
}

/// A row as read, before its member is found.
struct Row {
    at: usize,
    name: String,
    card: Option<String>,
    citizen_id: Option<String>,
    amount: Option<i64>,
    paid_on: Option<NaiveDate>,
    reason: String,
}

/// A number as typed in a spreadsheet, without the spaces and dots people put in.
fn id_text(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect()
}

/// A citizen ID as a spreadsheet may have turned it into a number: the leading zeros it lost
/// put back (every CCCD has 12 digits).
fn citizen_id_text(s: &str) -> String {
    let digits = id_text(s);
    if !digits.is_empty() && digits.len() < 12 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("{digits:0>12}")
    } else {
        digits
    }
}

/// Checks a file and, unless `dry_run`, writes it in one transaction.
pub async fn run(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<DuesImportReport> {
    let cell = actor.manages(crate::membership::dues::dues_cell(app, actor, cell_id).await?)?;
    let mut report = DuesImportReport {
        cell: UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        rows: 0,
        months: vec![],
        errors: vec![],
        written: false,
    };
    if bytes.len() > MAX_DUES_BYTES {
        report.errors.push(RowError::file(format!(
            "Tệp lớn hơn {} MB; hãy chia thành nhiều tệp.",
            MAX_DUES_BYTES / (1024 * 1024)
        )));
        return Ok(report);
    }
    let sheet = match Sheet::read(file_name, bytes, COLUMNS).await {
        Ok(s) => s,
        Err(e) => {
            report.errors.push(e);
            return Ok(report);
        }
    };
    let err = |at: usize, field: &str, message: String| RowError {
        row: at,
        column: sheet.header_of(field),
        message,
    };
    let mut by_month: BTreeMap<NaiveDate, Vec<Row>> = BTreeMap::new();
    for (at, r) in sheet.data() {
        report.rows += 1;
        let text = |f: &str| sheet.cell(r, f);
        let Some(name) = text("name") else {
            report
                .errors
                .push(err(at, "name", "Thiếu họ và tên.".into()));
            continue;
        };
        let mut e = chibo_domain::Invalid::new();
        let month = crate::membership::dues::month_field(
            &mut e,
            "month",
            &text("month").unwrap_or_default(),
        );
        let amount = match text("amount") {
            None => None,
            Some(a) => match rules::parse_amount(&a) {
                Some(n) => Some(n),
                None => {
                    report
                        .errors
                        .push(err(at, "amount", format!("\"{a}\" không phải số tiền.")));
                    continue;
                }
            },
        };
        let paid_on = text("paid_on").map(|d| (validate::parse_date(&d), d));
        if let Some((None, d)) = &paid_on {
            report.errors.push(err(
                at,
                "paid_on",
                format!("\"{d}\" không phải ngày (dd/mm/yyyy)."),
            ));
            continue;
        }
        let Some(month) = month else {
            let msg = e
                .errors
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default();
            report.errors.push(err(at, "month", msg));
            continue;
        };
        by_month.entry(month).or_default().push(Row {
            at,
            name,
            card: text("card"),
            citizen_id: text("citizen_id"),
            amount,
            paid_on: paid_on.and_then(|p| p.0),
            reason: text("reason").unwrap_or_default(),
        });
    }
    let away_excused = |month| {
        let cell = &cell;
        async move {
            AppResult::Ok(
                crate::rules::members::rules_for(&app.db, cell, month)
                    .await?
                    .removal
                    .working_away_dues_excused,
            )
        }
    };
    let mut clean: Vec<CleanEntry> = Vec::new();
    for (month, rows) in &by_month {
        report.months.push(rules::month_text(*month));
        let payers = payers(app, &cell, *month).await?;
        let excused = away_excused(*month).await?;
        let mut taken: HashMap<i64, usize> = HashMap::new();
        for row in rows {
            // By card number, else citizen ID, else name; the name must agree whichever found
            // the member, so a mistyped number never records someone else's dues.
            let same_name =
                |p: &lookup::RollEntry| search_key(&p.member.full_name) == search_key(&row.name);
            let by =
                |test: &dyn Fn(&lookup::RollEntry) -> bool| -> Vec<&(lookup::RollEntry, bool)> {
                    payers
                        .iter()
                        .filter(|(p, _)| test(p) && same_name(p))
                        .collect()
                };
            let card = row.card.as_deref().map(id_text);
            let cccd = row.citizen_id.as_deref().map(citizen_id_text);
            let mut found = Vec::new();
            if let Some(card) = &card {
                found =
                    by(&|p| p.member.card_number.as_deref().map(id_text).as_ref() == Some(card));
            }
            if found.is_empty()
                && let Some(id) = &cccd
            {
                found = by(&|p| p.member.citizen_id.as_deref() == Some(id.as_str()));
            }
            if found.is_empty() && card.is_none() && cccd.is_none() {
                found = by(&|_| true);
            }
            let (p, away) =
                match found.as_slice() {
                    [one] => *one,
                    [] => {
                        report.errors.push(err(
                            row.at,
                            "name",
                            format!(
                                "{} (với số thẻ hoặc số CCCD đã ghi) không có trong danh sách nộp \
                                 đảng phí của chi bộ tháng {}.",
                                row.name,
                                rules::month_text(*month)
                            ),
                        ));
                        continue;
                    }
                    _ => {
                        report.errors.push(err(row.at, "name", format!(
                        "Chi bộ có nhiều đảng viên tên {}; ghi số thẻ đảng viên hoặc số CCCD.",
                        row.name
                    )));
                        continue;
                    }
                };
            if let Some(first) = taken.insert(p.member.id, row.at) {
                report.errors.push(err(
                    row.at,
                    "month",
                    format!(
                        "{} đã có ở dòng {first} cho tháng {}.",
                        p.member.full_name,
                        rules::month_text(*month)
                    ),
                ));
                continue;
            }
            match clean_entry(
                p.member.id,
                *month,
                row.amount,
                row.paid_on,
                &row.reason,
                *away,
                excused,
            ) {
                Ok(c) => clean.push(c),
                Err(msg) => {
                    report
                        .errors
                        .push(err(row.at, "", format!("{}: {msg}.", p.member.full_name)))
                }
            }
        }
    }
    report.errors.sort_by_key(|e| e.row);
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    let tx = write_tx(&app.db).await?;
    write(&tx, actor, &cell, &clean).await?;
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_spreadsheets_keep_them() {
        assert_eq!(id_text("12 345.678"), "12345678");
        assert_eq!(citizen_id_text("1093002214"), "001093002214");
        assert_eq!(citizen_id_text("001 093 002 214"), "001093002214");
    }
}
