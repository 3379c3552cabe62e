//! Transfers of party activity (a unit's list with what is overdue, a member's transfers and
//! the form to start one) and the public holidays their deadlines skip.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::rules::calendar;
use chibo_app::rules::calendar::{HolidayInput, HolidayYear, HolidayYearInput};
use chibo_app::workflows::transfer_steps;
use chibo_app::workflows::transfer_steps::{TransferInput, TransferStep};
use chibo_app::workflows::transfers;
use chibo_app::workflows::transfers::TransferList;
use chibo_app::{Actor, App};
use chibo_domain::bounded::Year;
use chibo_domain::cursor::Cursor;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::{ChoicesQuery, PageQuery};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{FIRST_CHOICES, Nav, form_errors, render_status, see_other};
use crate::state::AppState;

/// Transfers a page.
const PER_PAGE: u64 = 100;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    #[serde(rename = "qua-han")]
    overdue: String,
    after: Option<Cursor>,
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct ListPage {
    nav: Nav,
    list: TransferList,
    overdue_only: bool,
    /// Not the first page.
    later: bool,
    /// The link to the first page of this list (all or the overdue ones).
    first_page: String,
    errors: Vec<String>,
    today: String,
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    overdue_only: bool,
    after: Option<&Cursor>,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let list = transfers::list(&s.app, a, id, overdue_only, after, PER_PAGE).await?;
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &ListPage {
            nav: Nav::of(a),
            list,
            overdue_only,
            later: after.is_some(),
            first_page: format!(
                "/units/{id}/transfers{}",
                if overdue_only { "?qua-han=1" } else { "" }
            ),
            errors,
            today: App::today().to_string(),
        },
    )
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    render_list(&s, &a, id, !q.overdue.is_empty(), q.after.as_ref(), vec![]).await
}

/// Cells the member may be transferred to whose name contains what is typed, as the form's
/// options.
pub async fn destination_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    let page = transfers::destinations(&s.app, &a, id, Some(&q.q), None, FIRST_CHOICES).await?;
    crate::render::choices(page)
}

/// The form on a member's page.
pub async fn start(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<TransferInput>,
) -> Result<Response, PageError> {
    let r = transfer_steps::start(&s.app, &a, id, input).await;
    crate::members::page::after_member_form(&s, &a, id, r, "transfer", &values, |_| {
        format!("/members/{id}#transfers")
    })
    .await
}

/// A step from a unit's list (`unit` names it) or from a member's page.
pub async fn step(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<TransferStep>,
) -> Result<Response, PageError> {
    let r = transfer_steps::step(&s.app, &a, id, input).await;
    let unit = values.from_unit();
    match (form_errors(r)?, unit) {
        (Ok(_), Some(u)) => Ok(see_other(&format!("/units/{u}/transfers"))),
        (Ok(t), None) => Ok(see_other(&format!("/members/{}#transfers", t.member.id))),
        (Err(errors), Some(u)) => render_list(&s, &a, u, false, None, errors).await,
        (Err(errors), None) => {
            let t = transfers::of_transfer_member(&s.app, &a, id).await?;
            crate::members::page::render_member(&s, &a, t, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    nam: Option<Year>,
}

#[derive(Template)]
#[template(path = "holidays.html")]
struct HolidaysPage {
    nav: Nav,
    h: HolidayYear,
    errors: Vec<String>,
}

async fn render_holidays(
    s: &AppState,
    a: &Actor,
    year: i32,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    // Holidays are public; this page, which edits them, is the administrator's.
    a.admin()?;
    let h = calendar::list(&s.app, year).await?;
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &HolidaysPage {
            nav: Nav::of(a),
            h,
            errors,
        },
    )
}

pub async fn holidays(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<YearQuery>,
) -> Result<Response, PageError> {
    let year = q
        .nam
        .map(|y| y.get_i32())
        .unwrap_or_else(|| chrono::Datelike::year(&App::today()));
    render_holidays(&s, &a, year, vec![]).await
}

pub async fn add_holiday(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input, .. }: Form<HolidayInput>,
) -> Result<Response, PageError> {
    let year = chrono::Datelike::year(&App::today());
    match form_errors(calendar::add(&s.app, &a.admin()?, input).await)? {
        Ok(h) => Ok(see_other(&format!(
            "/admin/holidays?nam={}",
            chrono::Datelike::year(&h.day)
        ))),
        Err(errors) => render_holidays(&s, &a, year, errors).await,
    }
}

pub async fn confirm_holiday_year(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input, .. }: Form<HolidayYearInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    match form_errors(calendar::confirm_year(&s.app, &a.admin()?, input).await)? {
        Ok(_) => Ok(see_other(&format!("/admin/holidays?nam={year}"))),
        Err(errors) => render_holidays(&s, &a, year, errors).await,
    }
}

pub async fn remove_holiday(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    calendar::remove(&s.app, &a.admin()?, id).await?;
    Ok(see_other("/admin/holidays"))
}
