//! Annual review pages: a cell's sheet (scores, levels, quota, the cell's level) or, for a unit
//! above cells, the summary by level.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::membership::classification;
use chibo_app::membership::classification::{
    CellReviewInput, MemberLevelInput, Review, ReviewInput, ReviewSheet, ReviewSummary, ScoreEntry,
};
use chibo_app::{Actor, App};
use chibo_domain::bounded::Year;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::{Form, Rows};
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, all_rows, entries_named, refused};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    nam: Option<Year>,
    after: Option<chibo_domain::cursor::Cursor>,
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct SheetPage {
    nav: Nav,
    s: ReviewSheet,
    /// A refused form (`scores`, `member-level`, `cell-review`) as typed.
    refused: Refusal,
    saved: bool,
    today: String,
}

impl SheetPage {
    /// A member's number `field` (`score`, `given`, `on_time`, `exceeded`): as typed when the
    /// sheet was refused, else as recorded.
    fn typed_or(&self, field: &str, member_id: &i64, stored: &Option<u32>) -> String {
        let stored = stored.map(|v| v.to_string()).unwrap_or_default();
        self.refused
            .val("scores", &format!("{field}_{member_id}"), &stored)
            .to_string()
    }

    /// The levels a superior committee may give, as code and label.
    fn levels(&self) -> Vec<(&'static str, &'static str)> {
        chibo_domain::classification::Level::ALL
            .iter()
            .map(|l| (l.code(), l.label()))
            .collect()
    }

    /// The message beside a member's row when the sheet was refused ("" when none).
    fn row_err(&self, member_id: &i64) -> &str {
        ["row", "score", "given", "on_time", "exceeded"]
            .iter()
            .map(|f| self.refused.err("scores", &format!("{f}_{member_id}")))
            .find(|m| !m.is_empty())
            .unwrap_or("")
    }
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
    (refused, saved): (Refusal, bool),
) -> Result<Response, PageError> {
    let sheet = classification::sheet(&s.app, a, id, year).await?;
    render_status(
        refused.status(),
        &SheetPage {
            nav: Nav::of(a),
            s: sheet,
            refused,
            saved,
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
        Review::Sheet(_) => {
            let saved = (Refusal::default(), q.saved.is_some());
            return render_sheet(&s, &a, id, year, saved).await;
        }
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
    Form {
        input: rows,
        values,
    }: Form<Rows>,
) -> Result<Response, PageError> {
    let year = rows
        .single("year")
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(this_year);
    let scores = rows.with_ids("score")?;
    let row_ids: Vec<i64> = scores.iter().map(|(m, _)| *m).collect();
    let entries = scores
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
        .collect::<Vec<_>>();
    let entries = all_rows(entries);
    let r = match entries {
        Ok(entries) => classification::save(&s.app, &a, id, ReviewInput { year, entries }).await,
        Err(e) => Err(e),
    };
    let r = refused(entries_named(r, &row_ids), &values, &[])?;
    on_sheet(&s, &a, id, year, "scores", r).await
}

/// Back to the year's sheet, confirmed, or the sheet again with `form` as typed.
async fn on_sheet<T>(
    s: &AppState,
    a: &Actor,
    id: i64,
    year: i32,
    form: &str,
    r: Result<T, crate::typed::Typed>,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(see_other(&format!(
            "/units/{id}/reviews?nam={year}&da-luu=1"
        ))),
        Err(typed) => render_sheet(s, a, id, year, (Refusal::of(form, typed), false)).await,
    }
}

pub async fn set_member_level(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<MemberLevelInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    let r = classification::set_member_level(&s.app, &a, id, input).await;
    let r = refused(r, &values, &[])?;
    on_sheet(&s, &a, id, year, "member-level", r).await
}

pub async fn decide(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<CellReviewInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    let r = classification::decide(&s.app, &a, id, input).await;
    let r = refused(r, &values, &[])?;
    on_sheet(&s, &a, id, year, "cell-review", r).await
}
