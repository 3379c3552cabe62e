use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::Actor;
use chibo_app::org::units;
use chibo_app::refs::UnitChoices;
use chibo_app::rules::{self, NewRuleSet, RuleSetView};
use chibo_domain::rules::Frequency;

use crate::error::PageError;
use crate::extract::form::{Form, FormValues};
use crate::extract::path::PathId;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{FIRST_CHOICES, Nav, form_errors, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "rule_sets.html")]
struct ListPage {
    nav: Nav,
    sets: Vec<RuleSetView>,
    units: UnitChoices,
    errors: Vec<String>,
    form: FormValues,
    /// A starting point for a new set: the newest national set, pretty-printed.
    template: String,
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    errors: Vec<String>,
    form: FormValues,
) -> Result<Response, PageError> {
    let sets = rules::list(&s.app, a).await?;
    let template = form.get("rules").map(str::to_string).unwrap_or_else(|| {
        sets.iter()
            .rfind(|r| r.unit.is_none())
            .and_then(|r| serde_json::to_string_pretty(&r.rules).ok())
            .unwrap_or_default()
    });
    let units = if a.is_admin() {
        units::choices(&s.app, a, None, None, FIRST_CHOICES).await?
    } else {
        UnitChoices::default()
    };
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &ListPage {
            nav: Nav::of(a),
            sets,
            units,
            errors,
            form,
            template,
        },
    )
}

pub async fn list(State(s): State<AppState>, PageUser(a): PageUser) -> Result<Response, PageError> {
    render_list(&s, &a, vec![], FormValues::default()).await
}

/// The rules arrive as JSON text typed into the form; the API takes them as a JSON value.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RuleSetForm {
    code: String,
    name: String,
    unit_id: Option<i64>,
    effective_from: Option<String>,
    rules: String,
}

pub async fn create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input: f, values }: Form<RuleSetForm>,
) -> Result<Response, PageError> {
    // Checked before the JSON is read: the page does not exist for others.
    let admin = a.admin()?;
    let rules_json = match serde_json::from_str::<serde_json::Value>(&f.rules) {
        Ok(v) => v,
        Err(e) => {
            let msg = format!(
                "Nội dung quy định không phải JSON hợp lệ (dòng {}, cột {}).",
                e.line(),
                e.column()
            );
            return render_list(&s, &a, vec![msg], values).await;
        }
    };
    let input = NewRuleSet {
        code: f.code,
        name: f.name,
        unit_id: f.unit_id,
        effective_from: f.effective_from,
        rules: rules_json,
    };
    match form_errors(rules::create(&s.app, &admin, input).await)? {
        Ok(r) => Ok(see_other(&format!("/rule-sets/{}", r.id))),
        Err(errors) => render_list(&s, &a, errors, values).await,
    }
}

#[derive(Template)]
#[template(path = "rule_set.html")]
struct ShowPage {
    nav: Nav,
    r: RuleSetView,
    max_points: u32,
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = rules::get(&s.app, &a, id).await?;
    let max_points = r.rules.scoring.max_points();
    render(&ShowPage {
        nav: Nav::of(&a),
        r,
        max_points,
    })
}

impl ShowPage {
    fn frequency(&self, f: &Frequency) -> &'static str {
        f.label()
    }
}
