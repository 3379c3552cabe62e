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
use crate::render::{FIRST_CHOICES, Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, refused};

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
    /// This page's cursor ("" on the first page): a row's form posts it, so a refused row
    /// comes back on its own page.
    after: String,
    /// The link to the first page of this list (all or the overdue ones).
    first_page: String,
    /// A step's button that was refused (`transfer-<id>-<step>`), with its day as typed.
    refused: Refusal,
    today: String,
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    overdue_only: bool,
    after: Option<&Cursor>,
    refused: Refusal,
) -> Result<Response, PageError> {
    let list = transfers::list(&s.app, a, id, overdue_only, after, PER_PAGE).await?;
    render_status(
        refused.status(),
        &ListPage {
            nav: Nav::of(a),
            list,
            overdue_only,
            later: after.is_some(),
            after: after.map(|c| c.encode()).unwrap_or_default(),
            first_page: format!(
                "/units/{id}/transfers{}",
                if overdue_only { "?qua-han=1" } else { "" }
            ),
            refused,
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
    let overdue_only = !q.overdue.is_empty();
    render_list(
        &s,
        &a,
        id,
        overdue_only,
        q.after.as_ref(),
        Refusal::default(),
    )
    .await
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
    let form = format!("transfer-{id}-{}", input.step);
    let r = transfer_steps::step(&s.app, &a, id, input).await;
    let unit = values.from_unit();
    match (refused(r, &values, &[])?, unit) {
        (Ok(_), Some(u)) => Ok(see_other(&format!("/units/{u}/transfers"))),
        (Ok(t), None) => Ok(see_other(&format!("/members/{}#transfers", t.member.id))),
        (Err(typed), Some(u)) => {
            // The list it was posted from: the overdue ones or all, at its page.
            let overdue_only = values.get("qua-han").is_some();
            let page = values.from_page();
            let refused = Refusal::of(form, typed);
            render_list(&s, &a, u, overdue_only, page.as_ref(), refused).await
        }
        (Err(typed), None) => {
            let t = transfers::of_transfer_member(&s.app, &a, id).await?;
            let refused = Refusal::of(form, typed);
            crate::members::page::render_member_refused(&s, &a, t, refused).await
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
    /// The form refused (`holiday`, `year`) as typed.
    refused: Refusal,
}

async fn render_holidays(
    s: &AppState,
    a: &Actor,
    year: i32,
    refused: Refusal,
) -> Result<Response, PageError> {
    // Holidays are public; this page, which edits them, is the administrator's.
    a.admin()?;
    let h = calendar::list(&s.app, year).await?;
    render_status(
        refused.status(),
        &HolidaysPage {
            nav: Nav::of(a),
            h,
            refused,
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
    render_holidays(&s, &a, year, Refusal::default()).await
}

pub async fn add_holiday(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input, values }: Form<HolidayInput>,
) -> Result<Response, PageError> {
    // A refused day comes back on the year it was typed for, when it reads as a date.
    let typed_year = input
        .day
        .as_deref()
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok());
    let year = chrono::Datelike::year(&typed_year.unwrap_or_else(App::today));
    match refused(
        calendar::add(&s.app, &a.admin()?, input).await,
        &values,
        &[],
    )? {
        Ok(h) => Ok(see_other(&format!(
            "/admin/holidays?nam={}",
            chrono::Datelike::year(&h.day)
        ))),
        Err(typed) => render_holidays(&s, &a, year, Refusal::of("holiday", typed)).await,
    }
}

pub async fn confirm_holiday_year(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input, values }: Form<HolidayYearInput>,
) -> Result<Response, PageError> {
    let year = input.year;
    let r = calendar::confirm_year(&s.app, &a.admin()?, input).await;
    match refused(r, &values, &[])? {
        Ok(_) => Ok(see_other(&format!("/admin/holidays?nam={year}"))),
        // The year posted is the page's own (its button is on it).
        Err(typed) => render_holidays(&s, &a, year, Refusal::of("year", typed)).await,
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
