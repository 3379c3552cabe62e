//! The pages of review reports: a unit's reports on a programme with the form that starts one
//! (filled from the draft), and one report with its figures, the form that changes its prose,
//! and its DOCX and XLSX.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::Actor;
use chibo_app::programmes::review::{self, ReportInput, ReportList, ReportView};
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other, status_for};
use crate::state::AppState;
use crate::typed::{Typed, messages_of};

#[derive(Debug, Default, Deserialize)]
pub struct ReportsQuery {
    /// The reporting unit (default: the programme's issuer).
    don_vi: Option<i64>,
}

#[derive(Template)]
#[template(path = "review_reports.html")]
struct ReportsPage {
    nav: Nav,
    list: ReportList,
    /// The form of a new report, for those who may write one.
    fill: Option<ReportInput>,
    /// The refused form's messages, each beside its field (the form keeps what was typed).
    errors: Typed,
}

async fn render_reports(
    s: &AppState,
    a: &Actor,
    id: i64,
    unit: Option<i64>,
    typed: Option<ReportInput>,
    errors: Typed,
) -> Result<Response, PageError> {
    let list = review::list(&s.app, a, id, unit).await?;
    let fill = match typed {
        Some(t) => Some(t),
        None if list.can_write => Some(review::draft(&s.app, a, id, Some(list.unit.id)).await?),
        None => None,
    };
    render_status(
        errors.status(),
        &ReportsPage {
            nav: Nav::of(a),
            list,
            fill,
            errors,
        },
    )
}

/// A unit's review reports on a programme, and the form to write one.
pub async fn reports(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ReportsQuery>,
) -> Result<Response, PageError> {
    render_reports(&s, &a, id, q.don_vi, None, Typed::default()).await
}

/// Writes a review report.
pub async fn create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<ReportInput>,
) -> Result<Response, PageError> {
    match messages_of(review::create(&s.app, &a, id, input.clone()).await)? {
        Ok(r) => Ok(see_other(&format!("/review-reports/{r}"))),
        Err(errors) => render_reports(&s, &a, id, input.unit_id, Some(input), errors).await,
    }
}

#[derive(Template)]
#[template(path = "review_report.html")]
struct ReportPage {
    nav: Nav,
    r: ReportView,
    fill: ReportInput,
    /// The refused form's messages, each beside its field (the form keeps what was typed).
    errors: Typed,
}

fn fill_of(r: &ReportView) -> ReportInput {
    ReportInput {
        unit_id: Some(r.unit.id),
        title: r.title.clone(),
        number: r.number.clone(),
        place: r.place.clone(),
        report_on: Some(r.report_on.to_string()),
        from: Some(r.from.to_string()),
        to: Some(r.to.to_string()),
        situation: r.situation.clone(),
        assessment: r.assessment.clone(),
        weaknesses: r.weaknesses.clone(),
        directions: r.directions.clone(),
        signer_role: r.signer_role.clone(),
        signer_name: r.signer_name.clone(),
    }
}

/// One review report: its figures, its prose, its files.
pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = review::get(&s.app, &a, id).await?;
    render_status(
        status_for(&[]),
        &ReportPage {
            nav: Nav::of(&a),
            fill: fill_of(&r),
            r,
            errors: Typed::default(),
        },
    )
}

/// Changes a review report's heading, period and prose.
pub async fn update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<ReportInput>,
) -> Result<Response, PageError> {
    match messages_of(review::update(&s.app, &a, id, input.clone()).await)? {
        Ok(r) => Ok(see_other(&format!("/review-reports/{r}"))),
        Err(errors) => {
            let r = review::get(&s.app, &a, id).await?;
            render_status(
                errors.status(),
                &ReportPage {
                    nav: Nav::of(&a),
                    r,
                    fill: input,
                    errors,
                },
            )
        }
    }
}

/// The report as DOCX.
pub async fn docx(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    Ok(super::review_api::docx_of(&s, &a, id).await?)
}

/// The report's tables as XLSX.
pub async fn xlsx(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    Ok(super::review_api::xlsx_of(&s, &a, id).await?)
}
