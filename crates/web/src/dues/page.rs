//! The dues page of a cell: a month's list with its totals and the members at the removal
//! trigger, the month's entry form (one row per member), and the import.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chibo_app::membership::dues::{self, DuesEntry, DuesInput, DuesList};
use chibo_app::membership::dues_import::{self, DuesImportReport};
use chibo_app::{Actor, AppError};
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::{Form, Rows};
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, all_rows, entries_named};
use crate::upload::XLSX;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MonthQuery {
    /// `YYYY-MM`.
    thang: Option<String>,
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "dues.html")]
struct DuesPage {
    nav: Nav,
    d: DuesList,
    /// The month's sheet as typed when it was refused, each row's error beside it.
    refused: Refusal,
    saved: bool,
    report: Option<DuesImportReport>,
    /// `YYYY-MM` of the month shown, the month before and after.
    month: String,
    previous: String,
    next: String,
}

impl DuesPage {
    /// The month shown is the one under way (there is no later month to show).
    fn is_current(&self) -> bool {
        self.d.month == chibo_domain::dues::month_of(chibo_app::App::today())
    }

    /// "50.000".
    fn money(&self, n: &i64) -> String {
        chibo_domain::text::thousands((*n).max(0) as u64)
    }

    fn stored_amount(&self, a: &Option<i64>) -> String {
        a.map(|a| a.to_string()).unwrap_or_default()
    }

    fn stored_day(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }

    /// A row's `field` (`amount`, `paid_on`, `reason`): as typed when the sheet was refused,
    /// else as recorded.
    fn typed_or(&self, field: &str, member_id: &i64, stored: String) -> String {
        self.refused
            .val("dues", &format!("{field}_{member_id}"), &stored)
            .to_string()
    }

    /// Whether a row's status is `code`: as chosen when the sheet was refused, else as recorded.
    fn status_is(&self, member_id: &i64, stored: &Option<String>, code: &str) -> bool {
        if self.refused.open("dues") {
            return self.refused.typed.get(&format!("status_{member_id}")) == code;
        }
        stored.as_deref() == Some(code)
    }

    /// The message beside a row when the sheet was refused ("" when none).
    fn row_err(&self, member_id: &i64) -> &str {
        ["row", "status", "amount", "paid_on", "reason"]
            .iter()
            .map(|f| self.refused.err("dues", &format!("{f}_{member_id}")))
            .find(|m| !m.is_empty())
            .unwrap_or("")
    }
}

async fn render_month(
    s: &AppState,
    a: &Actor,
    id: i64,
    month: Option<&str>,
    (refused, saved): (Refusal, bool),
    report: Option<DuesImportReport>,
) -> Result<Response, PageError> {
    let d = dues::list(&s.app, a, id, month).await?;
    let shift = |months: i32| {
        let m = if months < 0 {
            d.month - chrono::Months::new(1)
        } else {
            d.month + chrono::Months::new(1)
        };
        m.format("%Y-%m").to_string()
    };
    let failed = refused.refused() || report.as_ref().is_some_and(|r| !r.errors.is_empty());
    render_status(
        if failed {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::OK
        },
        &DuesPage {
            nav: Nav::of(a),
            month: d.month.format("%Y-%m").to_string(),
            previous: shift(-1),
            next: shift(1),
            d,
            refused,
            saved,
            report,
        },
    )
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<MonthQuery>,
) -> Result<Response, PageError> {
    let saved = (Refusal::default(), q.saved.is_some());
    render_month(&s, &a, id, q.thang.as_deref(), saved, None).await
}

/// Each member's row posts `status_<id>` (`paid`, `unpaid`, `excused`; none: left as it is)
/// and, as it needs, `amount_<id>`, `paid_on_<id>` and `reason_<id>`. A row whose status was
/// not chosen is not recorded, so saving a few payments marks nobody else unpaid.
pub async fn record(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form {
        input: rows,
        values,
    }: Form<Rows>,
) -> Result<Response, PageError> {
    let month = rows.single("month").unwrap_or_default().to_string();
    let statuses = rows.with_ids("status")?;
    // The use case names a refused row by its place in the list (`entries[3]`); the sheet
    // shows it beside the member's row (`row_<member>`).
    let row_ids: Vec<i64> = statuses.iter().map(|(m, _)| *m).collect();
    let entries = statuses
        .into_iter()
        .map(|(member_id, status)| {
            let reason = rows.value("reason", member_id).unwrap_or_default();
            match status {
                "unpaid" => {
                    return Ok(DuesEntry {
                        member_id,
                        ..Default::default()
                    });
                }
                "excused" if reason.trim().is_empty() => {
                    return Err(AppError::invalid(
                        &format!("reason_{member_id}"),
                        "Chưa nộp có lý do: ghi lý do.",
                    ));
                }
                "excused" => {
                    return Ok(DuesEntry {
                        member_id,
                        reason,
                        ..Default::default()
                    });
                }
                _ => {}
            }
            let amount = match rows.value("amount", member_id) {
                None => None,
                Some(t) => Some(chibo_domain::dues::parse_amount(&t).ok_or_else(|| {
                    AppError::invalid(
                        &format!("amount_{member_id}"),
                        format!("\"{t}\" không phải số tiền (ví dụ 50.000)."),
                    )
                })?),
            };
            // Paid: the amount and the day are required by the use case.
            Ok(DuesEntry {
                member_id,
                amount: amount.or(Some(0)),
                paid_on: rows.value("paid_on", member_id),
                reason: String::new(),
            })
        })
        .collect::<Vec<_>>();
    let entries = all_rows(entries);
    let r = match entries {
        Ok(entries) => {
            dues::record(
                &s.app,
                &a,
                id,
                DuesInput {
                    month: month.clone(),
                    entries,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match crate::typed::refused(entries_named(r, &row_ids), &values, &[])? {
        Ok(d) => Ok(see_other(&format!(
            "/units/{id}/dues?thang={}&da-luu=1",
            d.month.format("%Y-%m")
        ))),
        Err(typed) => {
            let refused = (Refusal::of("dues", typed), false);
            render_month(&s, &a, id, Some(&month), refused, None).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportQuery {
    #[serde(rename = "kiem-tra")]
    check: String,
    thang: Option<String>,
}

/// "Kiểm tra" posts with `?kiem-tra=1` (nothing written); "Nhập" without it.
pub async fn import(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ImportQuery>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let cell = dues::may_record(&s.app, &a, id).await?;
    let dry_run = !q.check.is_empty();
    let report = match crate::upload::read_file(form, dues_import::MAX_DUES_BYTES).await {
        Ok((name, bytes)) => dues_import::run(&s.app, &a, id, &name, &bytes, dry_run).await?,
        Err(AppError::Invalid(inv)) => DuesImportReport {
            cell,
            rows: 0,
            months: vec![],
            errors: inv
                .errors
                .into_iter()
                .map(|e| chibo_app::sheets::RowError::file(e.message))
                .collect(),
            written: false,
        },
        Err(e) => return Err(PageError(e)),
    };
    let nothing = (Refusal::default(), false);
    render_month(&s, &a, id, q.thang.as_deref(), nothing, Some(report)).await
}

pub async fn template(PageUser(_a): PageUser) -> Response {
    crate::upload::file_response(dues_import::template(), XLSX, "mau-dang-phi.xlsx")
}
