//! Pages around a meeting: the notice and agenda, documents, the committee's preparation,
//! guests, the follower of a cell, QR check-in and a member's past resolutions.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chibo_app::meetings::attendance;
use chibo_app::meetings::attendance::CheckInInput;
use chibo_app::meetings::away;
use chibo_app::meetings::detail;
use chibo_app::meetings::detail::{MeetingDetail, PastResolution};
use chibo_app::meetings::preparation;
use chibo_app::meetings::preparation::{FollowerInput, GuestInput, PreparationInput};
use chibo_app::meetings::schedule;
use chibo_app::meetings::schedule::NoticeInput;
use chibo_app::meetings::uploads;
use chibo_app::{Actor, AppError};
use serde::Deserialize;

use super::page::{on_meeting, on_meeting_kept};
use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::{ChoicesQuery, PageQuery};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, check_in_path, choices, form_errors, render, render_status, see_other};
use crate::state::AppState;

pub async fn notice(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<NoticeInput>,
) -> Result<Response, PageError> {
    let r = schedule::update_notice(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "notice", values, "#notice").await
}

pub async fn upload(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    uploads::may_upload(&s.app, &a, id).await?;
    let r = match crate::upload::read_file(form, s.app.config.upload_max_bytes).await {
        Ok((name, bytes)) => uploads::upload_document(&s.app, &a, id, &name, &bytes).await,
        Err(e) => Err(e),
    };
    on_meeting(&s, &a, id, r, "#documents").await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DownloadQuery {
    /// `1`: save the file rather than open it.
    tai: Option<String>,
}

pub async fn download(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    crate::extract::query::PageQuery(q): crate::extract::query::PageQuery<DownloadQuery>,
) -> Result<Response, PageError> {
    let (d, bytes) = uploads::document_file(&s.app, &a, id).await?;
    Ok(crate::upload::document_response(
        bytes,
        &d.content_type,
        &d.file_name,
        q.tai.is_some(),
    ))
}

/// Back to the meeting a removed document or guest belonged to; a refusal is an error page.
fn back_to(meeting_id: Result<i64, AppError>, anchor: &str) -> Result<Response, PageError> {
    Ok(see_other(&super::page::back_to_section(
        meeting_id?,
        anchor,
    )))
}

pub async fn delete_file(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = uploads::delete_document(&s.app, &a, id).await;
    back_to(r.map(|d| d.meeting_id), "#documents")
}

pub async fn preparation(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<PreparationInput>,
) -> Result<Response, PageError> {
    let r = preparation::save_preparation(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "preparation", values, "#preparation").await
}

pub async fn add_guest(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<GuestInput>,
) -> Result<Response, PageError> {
    let r = preparation::add_guest(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "guest", values, "#guests").await
}

pub async fn remove_guest(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = preparation::remove_guest(&s.app, &a, id).await;
    back_to(r.map(|g| g.meeting_id), "#guests")
}

pub async fn set_follower(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<FollowerInput>,
) -> Result<Response, PageError> {
    let r = preparation::set_follower(&s.app, &a, id, input).await;
    match crate::typed::refused(r, &values, &[])? {
        Ok(_) => Ok(see_other(&format!("/units/{}/meetings#follower", id))),
        Err(typed) => {
            let refused = (crate::typed::Refusal::of("follower", typed), false);
            super::page::render_list(&s, &a, id, None, refused).await
        }
    }
}

/// Members who may follow the cell whose name contains what is typed, as the form's options.
pub async fn follower_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    let page = chibo_app::meetings::notice::follower_choices(
        &s.app,
        &a,
        id,
        Some(&q.q),
        None,
        detail::FIRST_FOLLOWER_CHOICES,
    )
    .await?;
    choices(page)
}

#[derive(Template)]
#[template(path = "qr.html")]
struct QrPage {
    nav: Nav,
    d: MeetingDetail,
    code: String,
    url: String,
    svg: String,
}

/// The QR code officers show at the meeting (projected or printed).
pub async fn qr(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let code = attendance::check_in_code(&s.app, &a, id).await?;
    let d = detail::get(&s.app, &a, id).await?;
    let url = format!("{}{}", s.public_base(&headers), check_in_path(id, &code));
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(320, 320)
        .build();
    render(&QrPage {
        nav: Nav::of(&a),
        d,
        code: format!("{}-{}", &code[..4], &code[4..]),
        url,
        svg,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    ma: String,
}

#[derive(Template)]
#[template(path = "check_in.html")]
struct CheckInPage {
    nav: Nav,
    d: MeetingDetail,
    code: String,
    errors: Vec<String>,
}

async fn render_check_in(
    s: &AppState,
    a: &Actor,
    id: i64,
    code: String,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let d = detail::get(&s.app, a, id).await?;
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &CheckInPage {
            nav: Nav::of(a),
            d,
            code,
            errors,
        },
    )
}

/// Where the QR code leads: the meeting, and a button to check in (a GET never changes data).
pub async fn check_in_form(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<CodeQuery>,
) -> Result<Response, PageError> {
    let code = q.ma;
    render_check_in(&s, &a, id, code, vec![]).await
}

pub async fn check_in(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, .. }: Form<CheckInInput>,
) -> Result<Response, PageError> {
    let code = input.code.clone();
    let r = attendance::check_in(&s.app, &a, id, input).await;
    match form_errors(r)? {
        Ok(_) => Ok(see_other(&format!("/meetings/{}/check-in", id))),
        Err(errors) => render_check_in(&s, &a, id, code, errors).await,
    }
}

#[derive(Template)]
#[template(path = "resolutions.html")]
struct ResolutionsPage {
    nav: Nav,
    items: Vec<PastResolution>,
}

/// A member's view of their cell's resolutions of the last twelve months.
pub async fn resolutions(
    State(s): State<AppState>,
    PageUser(a): PageUser,
) -> Result<Response, PageError> {
    let items = detail::resolutions_for_me(&s.app, &a).await?;
    render(&ResolutionsPage {
        nav: Nav::of(&a),
        items,
    })
}

/// A member who cannot come confirms having read the documents.
pub async fn away_read(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = away::confirm_read(&s.app, &a, id).await;
    on_meeting(&s, &a, id, r, "#away").await
}

/// A member who cannot come sends a written opinion on the draft resolution.
pub async fn away_opinion(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<away::OpinionInput>,
) -> Result<Response, PageError> {
    let r = away::send_opinion(&s.app, &a, id, input).await;
    on_meeting_kept(&s, &a, id, r, "opinion", values, "#away").await
}
