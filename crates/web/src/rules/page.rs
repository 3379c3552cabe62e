use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::Actor;
use chibo_app::org::units;
use chibo_app::refs::{UnitChoices, UnitRef};
use chibo_app::rules::{self, NewRuleSet, RuleSetPage, RuleSetView};
use chibo_domain::cursor::Cursor;
use chibo_domain::rules::Frequency;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::{PageQuery, Paging};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{FIRST_CHOICES, Nav, render, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, Typed};

use super::form;

#[derive(Template)]
#[template(path = "rule_sets.html")]
struct ListPage {
    nav: Nav,
    list: RuleSetPage,
    /// Not the first page.
    later: bool,
    /// The first units offered, without the one chosen.
    units: UnitChoices,
    /// The unit a refused form had chosen, listed first (it may lie beyond the first choices).
    chosen_unit: Option<UnitRef>,
    /// The JSON form (`new`) as typed when it was refused.
    refused: Refusal,
    /// A starting point for a new set: the newest national set, pretty-printed, or the text
    /// typed.
    template: String,
}

impl ListPage {
    /// The messages about the rules themselves (not the heading's fields), shown under the
    /// JSON text.
    fn rules_errs(&self) -> Vec<&str> {
        let heading = ["code", "name", "unit_id", "effective_from"];
        let mut m: Vec<&str> = self
            .refused
            .typed
            .fields()
            .filter(|(f, _)| !heading.contains(f))
            .map(|(_, m)| m)
            .collect();
        m.sort_unstable();
        m
    }
}

/// The units a new set's scope offers, and the one a refused form had chosen (listed first,
/// so the others leave it out).
pub(super) async fn scope_choices(
    s: &AppState,
    a: &Actor,
    typed: &Typed,
) -> Result<(UnitChoices, Option<UnitRef>), PageError> {
    if !a.is_admin() {
        return Ok((UnitChoices::default(), None));
    }
    let mut units = units::choices(&s.app, a, None, None, FIRST_CHOICES).await?;
    let chosen = match typed.get("unit_id").parse::<i64>() {
        Ok(id) => units::visible_ref(&s.app, a, id).await.ok(),
        Err(_) => None,
    };
    if let Some(c) = &chosen {
        units.items.retain(|u| u.id != c.id);
    }
    Ok((units, chosen))
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    after: Option<&Cursor>,
    refused: Refusal,
) -> Result<Response, PageError> {
    let list = rules::list(&s.app, a, after, rules::PER_PAGE).await?;
    let template = if refused.open("new") {
        refused.typed.get("rules").to_string()
    } else {
        rules::newest_national(&s.app)
            .await?
            .and_then(|r| serde_json::to_string_pretty(&r.rules).ok())
            .unwrap_or_default()
    };
    let (units, chosen_unit) = scope_choices(s, a, &refused.typed).await?;
    render_status(
        refused.status(),
        &ListPage {
            nav: Nav::of(a),
            list,
            later: after.is_some(),
            units,
            chosen_unit,
            refused,
            template,
        },
    )
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<Paging>,
) -> Result<Response, PageError> {
    render_list(&s, &a, q.after.as_ref(), Refusal::default()).await
}

/// The rules arrive either field by field from the rule-set form (`mode=form`, read by
/// `super::form`) or as JSON text typed into the advanced form; the API takes them as a JSON
/// value.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RuleSetForm {
    code: String,
    name: String,
    unit_id: Option<i64>,
    effective_from: Option<String>,
    rules: String,
    mode: Option<String>,
}

pub async fn create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input: f, values }: Form<RuleSetForm>,
) -> Result<Response, PageError> {
    // Checked before the rules are read: the page does not exist for others.
    let admin = a.admin()?;
    // The rules as the API takes them: read from the form's fields, or from the JSON text.
    let in_form = f.mode.as_deref() == Some("form");
    let rules = if in_form {
        super::form::rules_of(&values)
            .map(|r| serde_json::to_value(&r).expect("a rule set is JSON"))
            .map_err(chibo_app::AppError::Invalid)
    } else {
        serde_json::from_str::<serde_json::Value>(&f.rules).map_err(|e| {
            chibo_app::AppError::invalid(
                "rules",
                format!(
                    "Nội dung quy định không phải JSON hợp lệ (dòng {}, cột {}).",
                    e.line(),
                    e.column()
                ),
            )
        })
    };
    let r = match rules {
        Ok(rules) => {
            let input = NewRuleSet {
                code: f.code,
                name: f.name,
                unit_id: f.unit_id,
                effective_from: f.effective_from,
                rules,
            };
            rules::create(&s.app, &admin, input).await
        }
        Err(e) => Err(e),
    };
    match (crate::typed::refused(r, &values, &[])?, in_form) {
        (Ok(r), _) => Ok(see_other(&format!("/rule-sets/{}", r.id))),
        (Err(typed), true) => render_form(&s, &a, typed).await,
        (Err(typed), false) => render_list(&s, &a, None, Refusal::of("new", typed)).await,
    }
}

#[derive(Template)]
#[template(path = "rule_set_form.html")]
struct FormPage {
    nav: Nav,
    units: UnitChoices,
    /// The unit chosen, listed first (it may lie beyond the first choices).
    chosen_unit: Option<chibo_app::refs::UnitRef>,
    /// The values offered (from the set it starts from) or as typed.
    f: Typed,
    /// The rows of each list, blank ones included.
    kind_rows: Vec<usize>,
    step_rows: Vec<usize>,
    criterion_rows: Vec<usize>,
    level_rows: Vec<usize>,
    frequencies: Vec<(String, &'static str)>,
    autos: Vec<(String, &'static str)>,
}

impl FormPage {
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen_unit.as_ref().is_some_and(|c| c.id == *id)
    }

    /// The value of a row's field (`kind_code` of row 2: `kind_code_2`).
    fn row(&self, field: &str, i: &usize) -> &str {
        self.f.get(&format!("{field}_{i}"))
    }

    fn row_err(&self, field: &str, i: &usize) -> &str {
        self.f.err(&format!("{field}_{i}"))
    }

    /// The message of a part of the rules (`rules.procedure`) or of one of its fields.
    fn rules_err(&self, field: &str) -> &str {
        match self.f.err(&format!("rules.{field}")) {
            "" => self.f.err(field),
            m => m,
        }
    }
}

/// Rows `0..` up to the last one the values hold, and [`form::BLANK_ROWS`] blank ones after.
fn row_numbers(f: &Typed, field: &str) -> Vec<usize> {
    let used = (0..500)
        .rev()
        .find(|i| !f.get(&format!("{field}_{i}")).is_empty())
        .map_or(0, |i| i + 1);
    (0..used + form::BLANK_ROWS).collect()
}

async fn render_form(s: &AppState, a: &Actor, f: Typed) -> Result<Response, PageError> {
    let status = if f.refused() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let chosen_unit = match f.get("unit_id").parse::<i64>() {
        Ok(id) => units::visible_ref(&s.app, a, id).await.ok(),
        Err(_) => None,
    };
    render_status(
        status,
        &FormPage {
            nav: Nav::of(a),
            units: units::choices(&s.app, a, None, None, FIRST_CHOICES).await?,
            chosen_unit,
            kind_rows: row_numbers(&f, "kind_code"),
            step_rows: row_numbers(&f, "step_code"),
            criterion_rows: row_numbers(&f, "criterion_code"),
            level_rows: row_numbers(&f, "level_code"),
            frequencies: form::FREQUENCIES
                .iter()
                .map(|x| (form::code_of(x), x.label()))
                .collect(),
            autos: form::AUTO_CHECKS
                .iter()
                .map(|x| (form::code_of(x), x.label()))
                .collect(),
            f,
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NewQ {
    /// The set the new one starts from (its id); the newest national set by default.
    tu: Option<i64>,
}

/// `GET /rule-sets/new`: a new rule set in a form, filled in from an existing one.
pub async fn new_form(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<NewQ>,
) -> Result<Response, PageError> {
    a.admin()?;
    let base = match q.tu {
        Some(id) => rules::get(&s.app, &a, id).await?,
        None => rules::newest_national(&s.app)
            .await?
            .ok_or(chibo_app::AppError::NotFound)?,
    };
    let mut values = form::values_of(&base.rules);
    values.push(("name".into(), format!("{} (sửa đổi)", base.name)));
    render_form(&s, &a, Typed::offered(values)).await
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
