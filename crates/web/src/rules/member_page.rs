//! The pages of the sets of members' rules: the list with the form that adds one (a copy of a
//! chosen set, every figure and its source in a field), and a set's page, each figure beside
//! its source.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::Actor;
use chibo_app::refs::{UnitChoices, UnitRef};
use chibo_app::rules::members::{self, MemberRuleSetPage, MemberRuleSetView, NewMemberRuleSet};
use chibo_domain::cursor::Cursor;
use chibo_domain::rules::figures::{FIGURES, Figure};
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render, render_status, see_other};
use crate::state::AppState;
use crate::typed::Refusal;

#[derive(Template)]
#[template(path = "member_rule_sets.html")]
struct ListPage {
    nav: Nav,
    list: MemberRuleSetPage,
    /// Not the first page.
    later: bool,
    /// The first units offered, without the one chosen.
    units: UnitChoices,
    /// The unit a refused form had chosen, listed first (it may lie beyond the first choices).
    chosen_unit: Option<UnitRef>,
    /// The form (`new`) as typed when it was refused.
    refused: Refusal,
    /// The set the form copies, and its figures with what was typed over them.
    base: Option<MemberRuleSetView>,
    figures: Vec<Figure>,
}

impl ListPage {
    /// The messages of a figure's row when the form was refused: its value's and its source's.
    fn figure_err(&self, key: &str) -> String {
        [format!("figures.{key}"), format!("sources.{key}")]
            .iter()
            .map(|f| self.refused.err("new", f))
            .filter(|m| !m.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BaseQuery {
    /// The set the form starts from (the newest national one by default).
    goc: Option<i64>,
    /// The `next` of the previous page of the list.
    after: Option<Cursor>,
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    base_id: Option<i64>,
    after: Option<&Cursor>,
    refused: Refusal,
) -> Result<Response, PageError> {
    let form = &refused.typed;
    let list = members::list(&s.app, a, after, chibo_app::rules::PER_PAGE).await?;
    // A set the actor may not read offers no figures, as one that does not exist.
    let base = match base_id {
        Some(id) => match members::get(&s.app, a, id).await {
            Ok(b) => Some(b),
            Err(chibo_app::AppError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => members::newest_national(&s.app).await?,
    };
    // Each field shows what was typed, else the base's figure and source.
    let figures = base
        .iter()
        .flat_map(|b| b.figures.iter().cloned())
        .map(|mut f| {
            if refused.open("new") {
                f.input = form.get(&format!("v.{}", f.key)).to_string();
                f.source = form.get(&format!("s.{}", f.key)).to_string();
            }
            f
        })
        .collect();
    let (units, chosen_unit) = super::page::scope_choices(s, a, form).await?;
    render_status(
        refused.status(),
        &ListPage {
            nav: Nav::of(a),
            list,
            later: after.is_some(),
            units,
            chosen_unit,
            refused,
            base,
            figures,
        },
    )
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<BaseQuery>,
) -> Result<Response, PageError> {
    render_list(&s, &a, q.goc, q.after.as_ref(), Refusal::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HeadingForm {
    code: String,
    name: String,
    unit_id: Option<i64>,
    effective_from: Option<String>,
    base_id: Option<i64>,
}

/// The figures arrive as `v.<key>` and their sources as `s.<key>`.
pub async fn create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input: f, values }: Form<HeadingForm>,
) -> Result<Response, PageError> {
    // Checked before anything is read: the form does not exist for others.
    let admin = a.admin()?;
    let typed = |prefix: &str| -> BTreeMap<String, String> {
        values
            .pairs()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .map(|k| (k.to_string(), v.to_string()))
            })
            .collect()
    };
    // The form has a field for every figure and source: one left blank is sent as nothing,
    // and must not silently keep the base set's (a blank source is refused, blank weekly days
    // off mean none).
    let complete = |mut typed: BTreeMap<String, String>| {
        for f in FIGURES {
            typed.entry(f.key.to_string()).or_default();
        }
        typed
    };
    let input = NewMemberRuleSet {
        code: f.code,
        name: f.name,
        unit_id: f.unit_id,
        effective_from: f.effective_from,
        base_id: f.base_id,
        figures: complete(typed("v.")),
        sources: complete(typed("s.")),
    };
    match crate::typed::refused(members::create(&s.app, &admin, input).await, &values, &[])? {
        Ok(r) => Ok(see_other(&format!("/member-rule-sets/{}", r.id))),
        Err(typed) => render_list(&s, &a, f.base_id, None, Refusal::of("new", typed)).await,
    }
}

#[derive(Template)]
#[template(path = "member_rule_set.html")]
struct ShowPage {
    nav: Nav,
    r: MemberRuleSetView,
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = members::get(&s.app, &a, id).await?;
    render(&ShowPage {
        nav: Nav::of(&a),
        r,
    })
}

impl ShowPage {
    /// Whether figure `i` opens a new group (the table shows a heading row then).
    fn new_group(&self, i: &usize) -> bool {
        *i == 0 || self.r.figures[*i - 1].group != self.r.figures[*i].group
    }
}

impl ListPage {
    fn new_group(&self, i: &usize) -> bool {
        *i == 0 || self.figures[*i - 1].group != self.figures[*i].group
    }
}
