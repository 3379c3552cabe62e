//! The pages of programmes: a unit's programmes with the form that records one, and one
//! programme with its targets held against the figures, the units below that issued theirs,
//! and the form that changes it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::programmes::programme::{
    self, ProgrammeInput, ProgrammeView, ReviewInput, TargetInput, UnitProgrammes,
};
use chibo_app::programmes::uptake::{self, Uptake};
use chibo_app::reports::Period;
use chibo_app::reports::indicators::{self, IndicatorLine};
use chibo_app::{Actor, App, AppError};
use chibo_domain::cursor::Cursor;
use chibo_domain::indicators::{Comparison, Indicator};
use chibo_domain::programme::ProgrammeKind;
use chrono::Months;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Typed, messages_of};

/// The programme form as posted: one line per target and per review, each field repeated (the
/// form always sends several lines, so blank fields keep the lines aligned).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProgrammeForm {
    parent_id: Option<i64>,
    kind: Option<String>,
    code: String,
    title: String,
    issued_on: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    indicator: Vec<String>,
    comparison: Vec<String>,
    value: Vec<String>,
    review_due_on: Vec<String>,
    review_title: Vec<String>,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl ProgrammeForm {
    fn input(&self) -> ProgrammeInput {
        let at = |v: &Vec<String>, i: usize| v.get(i).map(String::as_str).and_then(some);
        ProgrammeInput {
            parent_id: self.parent_id,
            kind: self.kind.clone(),
            code: self.code.clone(),
            title: self.title.clone(),
            issued_on: self.issued_on.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            targets: (0..self.indicator.len().max(self.value.len()))
                .map(|i| TargetInput {
                    indicator: at(&self.indicator, i),
                    comparison: at(&self.comparison, i),
                    value: at(&self.value, i),
                })
                .collect(),
            reviews: (0..self.review_due_on.len().max(self.review_title.len()))
                .map(|i| ReviewInput {
                    due_on: at(&self.review_due_on, i),
                    title: at(&self.review_title, i).unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// What the form shows: a programme's values, as saved or as typed, with blank lines to add.
pub struct FormFill {
    parent_id: Option<i64>,
    kind: String,
    code: String,
    title: String,
    issued_on: String,
    starts_on: String,
    ends_on: String,
    /// (indicator, comparison, value)
    targets: Vec<(String, String, String)>,
    /// (due on, title)
    reviews: Vec<(String, String)>,
}

impl FormFill {
    fn of_input(i: &ProgrammeInput) -> FormFill {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut targets: Vec<_> = i
            .targets
            .iter()
            .map(|t| (o(&t.indicator), o(&t.comparison), o(&t.value)))
            .collect();
        targets.extend(std::iter::repeat_n(Default::default(), 3));
        let mut reviews: Vec<_> = i
            .reviews
            .iter()
            .map(|r| (o(&r.due_on), r.title.clone()))
            .collect();
        reviews.extend(std::iter::repeat_n(Default::default(), 2));
        FormFill {
            parent_id: i.parent_id,
            kind: o(&i.kind),
            code: i.code.clone(),
            title: i.title.clone(),
            issued_on: o(&i.issued_on),
            starts_on: o(&i.starts_on),
            ends_on: o(&i.ends_on),
            targets,
            reviews,
        }
    }

    fn of_view(p: &ProgrammeView) -> FormFill {
        FormFill::of_input(&ProgrammeInput {
            parent_id: p.parent.as_ref().map(|x| x.id),
            kind: Some(p.kind.clone()),
            code: p.code.clone(),
            title: p.title.clone(),
            issued_on: Some(p.issued_on.to_string()),
            starts_on: Some(p.starts_on.to_string()),
            ends_on: Some(p.ends_on.to_string()),
            targets: p
                .targets
                .iter()
                .map(|t| TargetInput {
                    indicator: Some(t.indicator.clone()),
                    comparison: Some(t.comparison.clone()),
                    value: Some(chibo_domain::indicators::tenths_text(
                        (t.value * 10.0).round() as i64,
                    )),
                })
                .collect(),
            reviews: p
                .reviews
                .iter()
                .map(|r| ReviewInput {
                    due_on: Some(r.due_on.to_string()),
                    title: r.title.clone(),
                })
                .collect(),
        })
    }
}

/// The choices of the form's lists: (code, label).
struct Choices {
    kinds: Vec<(&'static str, &'static str)>,
    indicators: Vec<(&'static str, &'static str)>,
    comparisons: Vec<(&'static str, &'static str)>,
}

fn choices() -> Choices {
    Choices {
        kinds: ProgrammeKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        indicators: Indicator::ALL
            .iter()
            .map(|i| (i.code(), i.label()))
            .collect(),
        comparisons: Comparison::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ProgrammesPage {
    nav: Nav,
    list: UnitProgrammes,
    fill: FormFill,
    c: Choices,
    /// The refused form's messages, each beside its field (the form keeps what was typed).
    errors: Typed,
}

async fn render_programmes(
    s: &AppState,
    a: &Actor,
    id: i64,
    fill: FormFill,
    errors: Typed,
) -> Result<Response, PageError> {
    render_status(
        errors.status(),
        &ProgrammesPage {
            nav: Nav::of(a),
            list: programme::for_unit(&s.app, a, id).await?,
            fill,
            c: choices(),
            errors,
        },
    )
}

/// A unit's programmes, and the form to record one.
pub async fn unit_programmes(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let fill = FormFill::of_input(&ProgrammeInput::default());
    render_programmes(&s, &a, id, fill, Typed::default()).await
}

/// Records a programme of the unit.
pub async fn create_programme(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<ProgrammeForm>,
) -> Result<Response, PageError> {
    let input = input.input();
    match messages_of(programme::create(&s.app, &a, id, input.clone()).await)? {
        Ok(p) => Ok(see_other(&format!("/programmes/{}", p.id))),
        Err(errors) => render_programmes(&s, &a, id, FormFill::of_input(&input), errors).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ProgrammeQuery {
    tu: Option<String>,
    den: Option<String>,
    after: Option<Cursor>,
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    nav: Nav,
    p: ProgrammeView,
    period: Period,
    /// The targeted indicators of the issuer's subtree over the period, and the units below
    /// that issued theirs: for those who read the issuer (a cell's secretary reads the
    /// province's đề án, not the province).
    progress: Option<Vec<IndicatorLine>>,
    uptake: Option<Uptake>,
    later: bool,
    fill: FormFill,
    above: Vec<programme::ProgrammeRef>,
    c: Choices,
    /// The refused form's messages, each beside its field (the form keeps what was typed).
    errors: Typed,
}

/// A read of the issuer's subtree, or none for a reader below it.
fn readable<T>(r: Result<T, AppError>) -> Result<Option<T>, PageError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(PageError(e)),
    }
}

/// The period a programme is followed over by default: the last twelve months it ran.
fn default_period(p: &ProgrammeView) -> Period {
    let to = App::today().min(p.ends_on);
    let from = (to - Months::new(12))
        .succ_opt()
        .unwrap_or(to)
        .max(p.starts_on);
    Period { from, to }
}

async fn render_programme(
    s: &AppState,
    a: &Actor,
    id: i64,
    q: &ProgrammeQuery,
    fill: Option<FormFill>,
    errors: Typed,
) -> Result<Response, PageError> {
    let p = programme::get(&s.app, a, id).await?;
    let period = match (&q.tu, &q.den) {
        (None, None) => default_period(&p),
        (from, to) => Period::parse(from.as_deref(), to.as_deref())?,
    };
    let targets = readable(programme::targets_for(&s.app, a, id, p.unit.id).await)?
        .map(|(_, t)| t)
        .unwrap_or_default();
    let progress = readable(indicators::of_unit(&s.app, a, p.unit.id, period, &targets).await)?
        .map(|r| {
            r.indicators
                .into_iter()
                .filter(|l| l.target.is_some())
                .collect()
        });
    let uptake = readable(uptake::uptake(&s.app, a, id, q.after.as_ref(), uptake::PER_PAGE).await)?;
    let above = if p.can_edit {
        programme::for_unit(&s.app, a, p.unit.id).await?.above
    } else {
        vec![]
    };
    render_status(
        errors.status(),
        &ProgrammePage {
            nav: Nav::of(a),
            fill: fill.unwrap_or_else(|| FormFill::of_view(&p)),
            p,
            period,
            progress,
            uptake,
            later: q.after.is_some(),
            above,
            c: choices(),
            errors,
        },
    )
}

/// One programme: its targets against the figures, the units below, the form to change it.
pub async fn show_programme(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ProgrammeQuery>,
) -> Result<Response, PageError> {
    render_programme(&s, &a, id, &q, None, Typed::default()).await
}

/// Changes a programme.
pub async fn update_programme(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<ProgrammeForm>,
) -> Result<Response, PageError> {
    let input = input.input();
    match messages_of(programme::update(&s.app, &a, id, input.clone()).await)? {
        Ok(p) => Ok(see_other(&format!("/programmes/{}", p.id))),
        Err(errors) => {
            let q = ProgrammeQuery::default();
            render_programme(&s, &a, id, &q, Some(FormFill::of_input(&input)), errors).await
        }
    }
}
