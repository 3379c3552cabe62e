use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::programmes::programme::{self, UnitProgrammes};
use chibo_app::reports::Period;
use chibo_app::reports::indicators::{self, Indicators};
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    tu: Option<String>,
    den: Option<String>,
    /// The programme whose targets the figures are held against.
    chuong_trinh: Option<i64>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Nav,
    r: Indicators,
    /// The programmes that apply to the unit, and the one chosen.
    programmes: UnitProgrammes,
    chosen: Option<i64>,
}

/// A unit's board: every indicator of its subtree over the period.
pub async fn dashboard(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<PeriodQuery>,
) -> Result<Response, PageError> {
    let period = Period::parse(q.tu.as_deref(), q.den.as_deref())?;
    let targets = match q.chuong_trinh {
        Some(p) => programme::targets_for(&s.app, &a, p, id).await?.1,
        None => vec![],
    };
    render(&DashboardPage {
        nav: Nav::of(&a),
        r: indicators::of_unit(&s.app, &a, id, period, &targets).await?,
        programmes: programme::for_unit(&s.app, &a, id).await?,
        chosen: q.chuong_trinh,
    })
}
