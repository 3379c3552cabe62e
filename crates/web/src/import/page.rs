//! The import pages: a secretary's member list and a committee's organisation tree (upload,
//! check, import), and the downloads (the templates, a unit's member list).

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chibo_app::membership::import;
use chibo_app::membership::import::ImportReport;
use chibo_app::org::tree_import;
use chibo_app::org::tree_import::TreeImportReport;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::render::{Nav, render, render_status};
use crate::state::AppState;
use crate::upload::XLSX;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: Nav,
    unit: chibo_app::refs::UnitRef,
    report: Option<ImportReport>,
    messages: Vec<String>,
    dry_run: bool,
}

pub async fn form(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let u = import::may_import(&s.app, &a, id).await?;
    render(&ImportPage {
        nav: Nav::of(&a),
        unit: u,
        report: None,
        messages: vec![],
        dry_run: true,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportQuery {
    #[serde(rename = "kiem-tra")]
    check: String,
}

/// "Kiểm tra" posts with `?kiem-tra=1` (nothing written); "Nhập" without it.
pub async fn upload(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ImportQuery>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let u = import::may_import(&s.app, &a, id).await?;
    let dry_run = !q.check.is_empty();
    let report = match crate::upload::read_file(form, import::MAX_IMPORT_BYTES).await {
        Ok((name, bytes)) => {
            import::run(&s.app, &a, id, &name, &bytes, dry_run, &|_, _| {}).await?
        }
        Err(chibo_app::AppError::Invalid(inv)) => ImportReport {
            unit: chibo_app::refs::UnitRef {
                id: u.id,
                name: u.name.clone(),
            },
            rows: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            errors: file_errors(inv),
            written: false,
        },
        Err(e) => return Err(PageError(e)),
    };
    let messages = report.errors.iter().map(ToString::to_string).collect();
    let status = if report.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &ImportPage {
            nav: Nav::of(&a),
            unit: report.unit.clone(),
            report: Some(report),
            messages,
            dry_run,
        },
    )
}

pub async fn template(PageUser(_a): PageUser) -> Response {
    crate::upload::file_response(import::template(), XLSX, "mau-danh-sach-dang-vien.xlsx")
}

pub async fn export(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (file, bytes) = import::export(&s.app, &a, id).await?;
    Ok(crate::upload::file_response(bytes, XLSX, &file))
}

#[derive(Template)]
#[template(path = "import_tree.html")]
struct TreeImportPage {
    nav: Nav,
    unit: chibo_app::refs::UnitRef,
    report: Option<TreeImportReport>,
    messages: Vec<String>,
    dry_run: bool,
}

/// The committee's page to found its organisation from a spreadsheet.
pub async fn tree_form(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let u = tree_import::may_import(&s.app, &a, id).await?;
    render(&TreeImportPage {
        nav: Nav::of(&a),
        unit: u,
        report: None,
        messages: vec![],
        dry_run: true,
    })
}

/// "Kiểm tra" posts with `?kiem-tra=1` (nothing written); "Nhập" without it.
pub async fn tree_upload(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ImportQuery>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let u = tree_import::may_import(&s.app, &a, id).await?;
    let dry_run = !q.check.is_empty();
    let report = match crate::upload::read_file(form, tree_import::MAX_TREE_BYTES).await {
        Ok((name, bytes)) => tree_import::run(&s.app, &a, id, &name, &bytes, dry_run).await?,
        Err(chibo_app::AppError::Invalid(inv)) => TreeImportReport {
            unit: u.clone(),
            rows: 0,
            created: 0,
            unchanged: 0,
            errors: file_errors(inv),
            written: false,
        },
        Err(e) => return Err(PageError(e)),
    };
    let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    render_status(
        crate::render::status_for(&messages),
        &TreeImportPage {
            nav: Nav::of(&a),
            unit: u,
            report: Some(report),
            messages,
            dry_run,
        },
    )
}

pub async fn tree_template(PageUser(_a): PageUser) -> Response {
    crate::upload::file_response(tree_import::template(), XLSX, "mau-cay-to-chuc.xlsx")
}

/// An upload refused before it is read, as the file's errors.
fn file_errors(inv: chibo_domain::Invalid) -> Vec<import::RowError> {
    inv.errors
        .into_iter()
        .map(|e| import::RowError::file(e.message))
        .collect()
}
