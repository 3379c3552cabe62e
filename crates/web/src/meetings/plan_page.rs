//! A cell's year plan: its thematic topics by quarter and the meetings the rules ask for.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::meetings::plans;
use chibo_app::membership::members;
use chibo_app::{Actor, App};

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, refused};

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    nav: Nav,
    plan: plans::YearPlan,
    members: Vec<members::MemberSummary>,
    /// The topic form, when it was refused, as typed.
    refused: Refusal,
    /// A topic was just added.
    saved: bool,
}

async fn render_plan(
    s: &AppState,
    a: &Actor,
    id: i64,
    year: i32,
    (refused, saved): (Refusal, bool),
) -> Result<Response, PageError> {
    let plan = plans::year_plan(&s.app, a, id, year).await?;
    let members = if plan.can_manage {
        members::list(
            &s.app,
            a,
            members::MemberQuery {
                unit_id: Some(id),
                per_page: Some(chibo_domain::bounded::PageSize::clamped(500)),
                ..Default::default()
            },
        )
        .await?
        .items
    } else {
        vec![]
    };
    render_status(
        refused.status(),
        &PlanPage {
            nav: Nav::of(a),
            plan,
            members,
            refused,
            saved,
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct YearQ {
    nam: Option<chibo_domain::bounded::Year>,
    /// A topic was just added.
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

pub async fn plan(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<YearQ>,
) -> Result<Response, PageError> {
    let year = q
        .nam
        .map(|y| y.get_i32())
        .unwrap_or_else(|| chrono::Datelike::year(&App::today()));
    render_plan(&s, &a, id, year, (Refusal::default(), q.saved.is_some())).await
}

pub async fn add_topic(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<plans::TopicInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    let r = plans::add_topic(&s.app, &a, id, input).await;
    match refused(r, &values, &[])? {
        Ok(_) => Ok(see_other(&format!("/units/{id}/plan?nam={year}&da-luu=1"))),
        // The plan of the year the form was for, the topic as typed.
        Err(typed) => {
            let refused = (Refusal::of("topic", typed), false);
            render_plan(&s, &a, id, year, refused).await
        }
    }
}
