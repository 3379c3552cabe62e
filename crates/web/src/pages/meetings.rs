use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::meetings::{
    self, AttendanceEntry, AttendanceInput, MeetingDetail, MeetingView, NewMeeting,
};
use chibo_app::rules::{self, RuleSetView};
use chibo_app::{Actor, App, AppError, units};

use super::{FormData, Nav, form_errors, render_status, see_other};
use crate::AppState;
use crate::api::Ids;
use crate::error::PageError;
use crate::fmt::VnDate;
use crate::session::PageUser;

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    nav: Nav,
    unit_id: i64,
    unit_name: String,
    meetings: Vec<MeetingView>,
    can_manage: bool,
    rule_set: Option<RuleSetView>,
    errors: Vec<String>,
    form: FormData,
    today: String,
}

async fn render_list(
    s: &AppState,
    a: &Actor,
    id: i64,
    errors: Vec<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let list = meetings::list(&s.app, a, id).await?;
    let u = units::find(&s.app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_manage = a.can_read_path(&u.path) && a.can_manage_members(&u);
    let rule_set = if can_manage {
        rules::in_force(&s.app, a, id, App::today()).await?
    } else {
        None
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &ListPage {
            nav: Nav::of(a),
            unit_id: u.id,
            unit_name: u.name,
            meetings: list,
            can_manage,
            rule_set,
            errors,
            form,
            today: App::today().to_string(),
        },
    )
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    id: Ids,
) -> Result<Response, PageError> {
    render_list(&s, &a, id.one(), vec![], FormData(vec![])).await
}

pub async fn schedule(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    id: Ids,
    f: FormData,
) -> Result<Response, PageError> {
    let input = NewMeeting {
        kind: f.text("kind"),
        combined: f.get("combined") == Some("1"),
        topic: f.text("topic"),
        meeting_date: f.opt("meeting_date"),
        start_time: f.opt("start_time"),
        place: f.text("place"),
    };
    match form_errors(meetings::schedule(&s.app, &a, id.one(), input).await)? {
        Ok(m) => Ok(see_other(&format!("/meetings/{}", m.id))),
        Err(errors) => render_list(&s, &a, id.one(), errors, f).await,
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct ShowPage {
    nav: Nav,
    d: MeetingDetail,
    errors: Vec<String>,
    held_or_past: bool,
}

async fn render_meeting(
    s: &AppState,
    a: &Actor,
    id: i64,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let d = meetings::get(&s.app, a, id).await?;
    let held_or_past = d.meeting.meeting_date <= App::today();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &ShowPage {
            nav: Nav::of(a),
            d,
            errors,
            held_or_past,
        },
    )
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    id: Ids,
) -> Result<Response, PageError> {
    render_meeting(&s, &a, id.one(), vec![]).await
}

pub async fn publish(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    id: Ids,
) -> Result<Response, PageError> {
    match form_errors(meetings::publish(&s.app, &a, id.one()).await)? {
        Ok(_) => Ok(see_other(&format!("/meetings/{}", id.one()))),
        Err(errors) => render_meeting(&s, &a, id.one(), errors).await,
    }
}

/// The sheet posts `presence_<member>` and `reason_<member>` for every row.
pub async fn attendance(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    id: Ids,
    f: FormData,
) -> Result<Response, PageError> {
    let entries =
        f.0.iter()
            .filter_map(|(k, v)| {
                let member_id = k.strip_prefix("presence_")?.parse().ok()?;
                Some(AttendanceEntry {
                    member_id,
                    presence: v.clone(),
                    reason: f.opt(&format!("reason_{member_id}")),
                })
            })
            .filter(|e| !e.presence.is_empty())
            .collect();
    match form_errors(
        meetings::record_attendance(&s.app, &a, id.one(), AttendanceInput { entries }).await,
    )? {
        Ok(_) => Ok(see_other(&format!("/meetings/{}", id.one()))),
        Err(errors) => render_meeting(&s, &a, id.one(), errors).await,
    }
}
