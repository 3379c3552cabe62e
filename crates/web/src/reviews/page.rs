//! Annual review pages: a cell's sheet (scores, levels, quota, the cell's level) or, for a unit
//! above cells, the summary by level.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::membership::classification;
use chibo_app::membership::classification::{
    CellReviewInput, Review, ReviewInput, ReviewSheet, ReviewSummary, ScoreEntry,
};
use chibo_app::{Actor, App};
use chibo_domain::bounded::Year;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::FormData;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, form_errors, render_status, see_other};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    nam: Option<Year>,
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct SheetPage {
    nav: Nav,
    s: ReviewSheet,
    errors: Vec<String>,
    today: String,
}

#[derive(Template)]
#[template(path = "reviews_summary.html")]
struct SummaryPage {
    nav: Nav,
    s: ReviewSummary,
}

fn this_year() -> i32 {
    chrono::Datelike::year(&App::today())
}

async fn render_sheet(
    s: &AppState,
    a: &Actor,
    id: i64,
    year: i32,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let sheet = classification::sheet(&s.app, a, id, year).await?;
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &SheetPage {
            nav: Nav::of(a),
            s: sheet,
            errors,
            today: App::today().to_string(),
        },
    )
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<YearQuery>,
) -> Result<Response, PageError> {
    let year = q.nam.map(|y| y.get_i32()).unwrap_or_else(this_year);
    let summary = match classification::review(&s.app, &a, id, year).await? {
        Review::Sheet(_) => return render_sheet(&s, &a, id, year, vec![]).await,
        Review::Summary(summary) => summary,
    };
    render_status(
        axum::http::StatusCode::OK,
        &SummaryPage {
            nav: Nav::of(&a),
            s: summary,
        },
    )
}

/// The sheet posts `score_<member>` for every member scored.
pub async fn save(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    f: FormData,
) -> Result<Response, PageError> {
    let year = f
        .get("year")
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(this_year);
    let entries =
        f.0.iter()
            .filter_map(|(k, v)| {
                let member_id = k.strip_prefix("score_")?.parse().ok()?;
                let score = v.trim();
                (!score.is_empty()).then(|| ScoreEntry {
                    member_id,
                    score: score.parse().unwrap_or(u32::MAX),
                })
            })
            .collect();
    let r = classification::save(&s.app, &a, id, ReviewInput { year, entries }).await;
    match form_errors(r)? {
        Ok(_) => Ok(see_other(&format!("/units/{}/reviews?nam={year}", id))),
        Err(errors) => render_sheet(&s, &a, id, year, errors).await,
    }
}

pub async fn decide(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    f: FormData,
) -> Result<Response, PageError> {
    let year = f
        .get("year")
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(this_year);
    let input = CellReviewInput {
        year,
        score: f
            .get("score")
            .and_then(|x| x.trim().parse().ok())
            .unwrap_or(u32::MAX),
        decision: f.text("decision"),
        decided_on: f.opt("decided_on"),
    };
    match form_errors(classification::decide(&s.app, &a, id, input).await)? {
        Ok(_) => Ok(see_other(&format!("/units/{}/reviews?nam={year}", id))),
        Err(errors) => render_sheet(&s, &a, id, year, errors).await,
    }
}
