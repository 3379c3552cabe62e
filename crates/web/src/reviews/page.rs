//! Annual review pages: a cell's sheet (scores, levels, quota, the cell's level) or, for a unit
//! above cells, the summary by level.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::membership::classification;
use chibo_app::membership::classification::{
    CellReviewInput, MemberLevelInput, Review, ReviewInput, ReviewSheet, ReviewSummary, ScoreEntry,
};
use chibo_app::{Actor, App, AppError};
use chibo_domain::bounded::Year;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::{Form, Rows};
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
    after: Option<chibo_domain::cursor::Cursor>,
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
    /// Not the first page of cells.
    later: bool,
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
    let summary = match classification::review(&s.app, &a, id, year, q.after.as_ref()).await? {
        Review::Sheet(_) => return render_sheet(&s, &a, id, year, vec![]).await,
        Review::Summary(summary) => summary,
    };
    render_status(
        axum::http::StatusCode::OK,
        &SummaryPage {
            nav: Nav::of(&a),
            s: summary,
            later: q.after.is_some(),
        },
    )
}

/// The sheet posts `score_<member>` for every member scored.
pub async fn save(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input: rows, .. }: Form<Rows>,
) -> Result<Response, PageError> {
    let year = rows
        .single("year")
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(this_year);
    let entries = rows
        .with_ids("score")?
        .into_iter()
        .map(|(member_id, score)| {
            // A task count left empty is missing, which the use case names per member.
            let count = |field: &str| {
                rows.value(field, member_id)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| {
                        Rows::number(
                            field,
                            member_id,
                            &v,
                            "Số nhiệm vụ là số tự nhiên (0, 1, 2, …).",
                        )
                    })
                    .transpose()
            };
            Ok(ScoreEntry {
                member_id,
                score: Rows::number(
                    "score",
                    member_id,
                    score,
                    "Điểm là số tự nhiên từ 0 đến 100.",
                )?,
                tasks_given: count("given")?,
                tasks_on_time: count("on_time")?,
                tasks_exceeded: count("exceeded")?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let r = classification::save(&s.app, &a, id, ReviewInput { year, entries }).await;
    match form_errors(r)? {
        Ok(_) => Ok(see_other(&format!("/units/{}/reviews?nam={year}", id))),
        Err(errors) => render_sheet(&s, &a, id, year, errors).await,
    }
}

pub async fn set_member_level(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<MemberLevelInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    match form_errors(classification::set_member_level(&s.app, &a, id, input).await)? {
        Ok(_) => Ok(see_other(&format!("/units/{}/reviews?nam={year}", id))),
        Err(errors) => render_sheet(&s, &a, id, year, errors).await,
    }
}

pub async fn decide(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<CellReviewInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    match form_errors(classification::decide(&s.app, &a, id, input).await)? {
        Ok(_) => Ok(see_other(&format!("/units/{}/reviews?nam={year}", id))),
        Err(errors) => render_sheet(&s, &a, id, year, errors).await,
    }
}
