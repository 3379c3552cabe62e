//! Programme pages of a unit: breakthrough tasks given to cadres, training courses and the share
//! of officers trained, inspections of cells with their recommendations.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::membership::members;
use chibo_app::org::units;
use chibo_app::paging::PER_PAGE;
use chibo_app::programmes::Record;
use chibo_app::programmes::cadre_tasks;
use chibo_app::programmes::cadre_tasks::{CadreTaskInput, CadreTaskList, CadreTaskUpdate};
use chibo_app::programmes::courses;
use chibo_app::programmes::courses::CourseInput;
use chibo_app::programmes::inspections;
use chibo_app::programmes::inspections::{
    FollowUpInput, InspectionInput, InspectionList, InspectionResult, RecommendationInput,
};
use chibo_app::programmes::training;
use chibo_app::programmes::training::TrainingList;
use chibo_app::refs::{MemberChoices, MemberRef, UnitChoices, UnitRef};
use chibo_app::reports::Period;
use chibo_app::{Actor, App, AppError};
use chibo_domain::bounded::Year;
use chibo_domain::cursor::Cursor;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::{Form, FormValues};
use crate::extract::path::PathId;
use crate::extract::query::{ChoicesQuery, PageQuery};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{FIRST_CHOICES, Nav, choices, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, refused};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PeriodQuery {
    tu: String,
    den: String,
    nam: Option<Year>,
    after: Option<Cursor>,
    /// A change was just saved.
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

impl PeriodQuery {
    fn period(&self) -> Result<Period, AppError> {
        Period::parse(Some(&self.tu), Some(&self.den))
    }
}

#[derive(Template)]
#[template(path = "cadre_tasks.html")]
struct CadreTasksPage {
    nav: Nav,
    list: CadreTaskList,
    officers: MemberChoices,
    /// Not the first page.
    later: bool,
    /// A refused form: `give`, or `update-<task>`.
    refused: Refusal,
    /// The officer a refused `give` had chosen, shown chosen even beyond the first choices.
    picked: Option<MemberRef>,
    saved: bool,
    today: String,
}

impl CadreTasksPage {
    /// The name of a task's update form, as `refused` names it.
    fn update_form(&self, task: &i64) -> String {
        format!("update-{task}")
    }

    /// A day as a date field holds it ("" when none).
    fn day_text(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }

    /// The picked officer, when the first choices do not hold them.
    fn picked_beyond(&self) -> Option<&MemberRef> {
        self.picked
            .as_ref()
            .filter(|p| self.officers.items.iter().all(|o| o.id != p.id))
    }
}

/// The first officers to choose from, when the actor may choose.
pub(super) async fn first_officers(
    s: &AppState,
    a: &Actor,
    id: i64,
    may: bool,
) -> Result<MemberChoices, PageError> {
    Ok(if may {
        chibo_app::programmes::officers(&s.app, a, id, None, None, FIRST_CHOICES).await?
    } else {
        MemberChoices::default()
    })
}

async fn render_cadre_tasks(
    s: &AppState,
    a: &Actor,
    id: i64,
    year: Option<i32>,
    after: Option<&Cursor>,
    (refused, saved): (Refusal, bool),
) -> Result<Response, PageError> {
    let list = cadre_tasks::cadre_tasks(&s.app, a, id, year, after, PER_PAGE).await?;
    let officers = first_officers(s, a, id, list.can_give).await?;
    let picked = match refused.typed.get("member_id").parse() {
        Ok(m) if refused.open("give") => members::visible_ref(&s.app, a, m).await.ok(),
        _ => None,
    };
    render_status(
        refused.status(),
        &CadreTasksPage {
            nav: Nav::of(a),
            list,
            officers,
            later: after.is_some(),
            refused,
            picked,
            saved,
            today: App::today().to_string(),
        },
    )
}

pub async fn cadre_tasks(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<PeriodQuery>,
) -> Result<Response, PageError> {
    render_cadre_tasks(
        &s,
        &a,
        id,
        q.nam.map(|y| y.get_i32()),
        q.after.as_ref(),
        (Refusal::default(), q.saved.is_some()),
    )
    .await
}

pub async fn give_cadre_task(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<CadreTaskInput>,
) -> Result<Response, PageError> {
    let r = cadre_tasks::give_cadre_task(&s.app, &a, id, input).await;
    match refused(r, &values, &[])? {
        Ok(l) => Ok(see_other(&format!(
            "/units/{id}/cadre-tasks?nam={}&da-luu=1",
            l.year
        ))),
        Err(typed) => {
            render_cadre_tasks(&s, &a, id, None, None, (Refusal::of("give", typed), false)).await
        }
    }
}

pub async fn update_cadre_task(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<CadreTaskUpdate>,
) -> Result<Response, PageError> {
    let back = chibo_app::programmes::unit_of(&s.app, &a, Record::CadreTask(id)).await?;
    let r = cadre_tasks::update_cadre_task(&s.app, &a, id, input).await;
    // The list the form was on (its year), where a refused update shows again.
    let year = values.get("nam").and_then(|y| y.parse().ok());
    match refused(r, &values, &[])? {
        Ok(l) => Ok(see_other(&format!(
            "/units/{back}/cadre-tasks?nam={}&da-luu=1#cadre-task-{id}",
            l.year
        ))),
        Err(typed) => {
            let refused = Refusal::of(format!("update-{id}"), typed);
            render_cadre_tasks(&s, &a, back, year, None, (refused, false)).await
        }
    }
}

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    nav: Nav,
    list: TrainingList,
    /// Not the first page.
    later: bool,
    /// A period that could not be read (the list shows this year's instead).
    errors: Vec<String>,
    /// The course form, when it was refused, as typed.
    refused: Refusal,
    /// A course was just recorded.
    saved: bool,
}

async fn render_training(
    s: &AppState,
    a: &Actor,
    id: i64,
    (period, after): (Period, Option<&Cursor>),
    errors: Vec<String>,
    (refused, saved): (Refusal, bool),
) -> Result<Response, PageError> {
    let list = training::training(&s.app, a, id, period, after, PER_PAGE).await?;
    let status = if errors.is_empty() {
        refused.status()
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &TrainingPage {
            nav: Nav::of(a),
            list,
            later: after.is_some(),
            errors,
            refused,
            saved,
        },
    )
}

pub async fn training(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<PeriodQuery>,
) -> Result<Response, PageError> {
    let saved = (Refusal::default(), q.saved.is_some());
    match q.period() {
        Ok(p) => render_training(&s, &a, id, (p, q.after.as_ref()), vec![], saved).await,
        Err(AppError::Invalid(inv)) => {
            let errors = inv.errors.into_iter().map(|e| e.message).collect();
            let this_year = (Period::parse(None, None)?, None);
            render_training(&s, &a, id, this_year, errors, saved).await
        }
        Err(e) => Err(PageError(e)),
    }
}

pub async fn add_course(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<CourseInput>,
) -> Result<Response, PageError> {
    let r = courses::add_course(&s.app, &a, id, input).await;
    match refused(r, &values, &[])? {
        Ok(_) => Ok(see_other(&format!("/units/{id}/training?da-luu=1"))),
        Err(typed) => {
            let this_year = (Period::parse(None, None)?, None);
            let refused = (Refusal::of("course", typed), false);
            render_training(&s, &a, id, this_year, vec![], refused).await
        }
    }
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct InspectionsPage {
    nav: Nav,
    list: InspectionList,
    /// The first cells the plan form offers.
    cells: UnitChoices,
    /// Not the first page.
    later: bool,
    /// This page's cursor ("" on the first page): each form posts it with the period, so a
    /// refused one comes back on the page it was sent from.
    after: String,
    /// A filter's errors (the period).
    errors: Vec<String>,
    /// A refused form (`plan`, `result-<inspection>`, `follow-up-<recommendation>`) as typed.
    refused: Refusal,
    /// The cell a refused plan had chosen, shown chosen even beyond the first choices.
    picked: Option<UnitRef>,
    saved: bool,
    today: String,
}

impl InspectionsPage {
    /// The first cells offered without the one shown as picked.
    fn other_cells(&self) -> Vec<&UnitRef> {
        let picked = self.picked.as_ref().map(|u| u.id);
        self.cells
            .items
            .iter()
            .filter(|c| Some(c.id) != picked)
            .collect()
    }
}

async fn render_inspections(
    s: &AppState,
    a: &Actor,
    id: i64,
    period: Period,
    after: Option<&Cursor>,
    (errors, refused): (Vec<String>, Refusal),
    saved: bool,
) -> Result<Response, PageError> {
    let list = inspections::inspections(&s.app, a, id, period, after, PER_PAGE).await?;
    let cells = if list.can_manage {
        inspections::cells_to_inspect(&s.app, a, id, None, None, FIRST_CHOICES).await?
    } else {
        UnitChoices::default()
    };
    let picked = match refused.typed.get("cell_id").parse() {
        Ok(c) if refused.open("plan") => units::visible_ref(&s.app, a, c).await.ok(),
        _ => None,
    };
    let status = if errors.is_empty() {
        refused.status()
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &InspectionsPage {
            nav: Nav::of(a),
            list,
            cells,
            later: after.is_some(),
            after: after.map(|c| c.encode()).unwrap_or_default(),
            errors,
            refused,
            picked,
            saved,
            today: App::today().to_string(),
        },
    )
}

pub async fn inspections(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<PeriodQuery>,
) -> Result<Response, PageError> {
    match q.period() {
        Ok(p) => {
            let nothing = (vec![], Refusal::default());
            let saved = q.saved.is_some();
            render_inspections(&s, &a, id, p, q.after.as_ref(), nothing, saved).await
        }
        Err(AppError::Invalid(inv)) => {
            let errors = inv.errors.into_iter().map(|e| e.message).collect();
            let this_year = Period::parse(None, None)?;
            let errors = (errors, Refusal::default());
            render_inspections(&s, &a, id, this_year, None, errors, false).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Back to a unit's inspection page, confirmed, or the page again with `form` as typed.
async fn on_inspections<T>(
    s: &AppState,
    a: &Actor,
    unit: i64,
    r: Result<T, AppError>,
    (form, values): (String, &FormValues),
) -> Result<Response, PageError> {
    match refused(r, values, &[])? {
        Ok(_) => Ok(see_other(&format!("/units/{unit}/inspections?da-luu=1"))),
        Err(typed) => {
            // The period and page the form was on (`tu`, `den`, `after`), where it shows again.
            let period = Period::parse(values.get("tu"), values.get("den"))
                .or_else(|_| Period::parse(None, None))?;
            let page = values.from_page();
            let refused = (vec![], Refusal::of(form, typed));
            render_inspections(s, a, unit, period, page.as_ref(), refused, false).await
        }
    }
}

pub async fn plan_inspection(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<InspectionInput>,
) -> Result<Response, PageError> {
    let r = inspections::plan_inspection(&s.app, &a, id, input).await;
    on_inspections(&s, &a, id, r, ("plan".into(), &values)).await
}

/// The result form posts `recommendation` / `rec_due_on` pairs, one per line of the form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct InspectionResultForm {
    done_on: Option<String>,
    result: String,
    recommendation: Vec<String>,
    rec_due_on: Vec<String>,
}

pub async fn record_inspection(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input: f, values }: Form<InspectionResultForm>,
) -> Result<Response, PageError> {
    let dues = f
        .rec_due_on
        .into_iter()
        .chain(std::iter::repeat(String::new()));
    let recommendations = f
        .recommendation
        .into_iter()
        .zip(dues)
        .filter(|(t, _)| !t.trim().is_empty())
        .map(|(text, due)| RecommendationInput {
            text,
            due_on: Some(due).filter(|d| !d.trim().is_empty()),
        })
        .collect();
    let input = InspectionResult {
        done_on: f.done_on,
        result: f.result,
        recommendations,
    };
    let back = match values.from_unit() {
        Some(u) => u,
        None => chibo_app::programmes::unit_of(&s.app, &a, Record::Inspection(id)).await?,
    };
    let r = inspections::record_inspection(&s.app, &a, id, input).await;
    on_inspections(&s, &a, back, r, (format!("result-{id}"), &values)).await
}

pub async fn follow_up(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<FollowUpInput>,
) -> Result<Response, PageError> {
    let back = match values.from_unit() {
        Some(u) => u,
        None => chibo_app::programmes::unit_of(&s.app, &a, Record::Recommendation(id)).await?,
    };
    let r = inspections::follow_up(&s.app, &a, id, input).await;
    on_inspections(&s, &a, back, r, (format!("follow-up-{id}"), &values)).await
}

/// Officers of the subtree whose name contains what is typed, as a form's options.
pub async fn officer_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    let page =
        chibo_app::programmes::officers(&s.app, &a, id, Some(&q.q), None, FIRST_CHOICES).await?;
    choices(page)
}

/// Cells the committee may inspect whose name contains what is typed, as a form's options.
pub async fn cell_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    let page =
        inspections::cells_to_inspect(&s.app, &a, id, Some(&q.q), None, FIRST_CHOICES).await?;
    choices(page)
}
