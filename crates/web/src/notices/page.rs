//! The notices' pages: `/thong-bao` (the list, opening one, all read, the unread count the
//! frame shows), `/account/notifications` (choices), a meeting's reach and its invitations,
//! and `/admin/outbox`.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chibo_app::Actor;
use chibo_app::reach::inbox::{self, Choices, ChoicesInput, NotificationView};
use chibo_app::reach::outbox::{self, OutboxView};
use chibo_app::reach::reached::{self, Reached};
use chibo_domain::cursor::Cursor;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Typed, refused};

#[derive(Debug, Default, Deserialize)]
pub struct AfterQ {
    pub after: Option<Cursor>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    nav: Nav,
    items: Vec<NotificationView>,
    unread: u64,
    next: Option<String>,
    later: bool,
    /// The account has a member record (else its notices are in chibo's list only).
    member: bool,
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<AfterQ>,
) -> Result<Response, PageError> {
    let page = inbox::list(&s.app, &a, q.after.as_ref(), 30).await?;
    render(&ListPage {
        nav: Nav::of(&a),
        items: page.items,
        unread: page.unread,
        next: page.next,
        later: q.after.is_some(),
        member: a.member_id().is_some(),
    })
}

/// Opens a notice: marked read, then its page.
pub async fn open(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let n = inbox::open(&s.app, &a, id).await?;
    Ok(see_other(&n.link))
}

pub async fn read_all(
    State(s): State<AppState>,
    PageUser(a): PageUser,
) -> Result<Response, PageError> {
    inbox::read_all(&s.app, &a).await?;
    Ok(see_other("/thong-bao"))
}

/// The frame's count of unread notices (fetched by the menu after the page loads).
pub async fn unread(
    State(s): State<AppState>,
    PageUser(a): PageUser,
) -> Result<Response, PageError> {
    let n = inbox::unread(&s.app, &a).await?;
    let html = if n == 0 {
        String::from("<span id=\"unread\"></span>")
    } else {
        format!(
            "<span id=\"unread\" class=\"badge\" aria-label=\"{n} thông báo chưa đọc\">{n}</span>"
        )
    };
    Ok(Html(html).into_response())
}

#[derive(Template)]
#[template(path = "notify_choices.html")]
struct ChoicesPage {
    nav: Nav,
    c: Choices,
    form: Typed,
}

async fn render_choices(s: &AppState, a: &Actor, form: Typed) -> Result<Response, PageError> {
    let c = inbox::choices(&s.app, a).await?;
    let form = if form.refused() {
        form
    } else {
        let mut pairs: Vec<(String, String)> =
            vec![("email".into(), c.email.clone().unwrap_or_default())];
        if c.email_on {
            pairs.push(("email_on".into(), "on".into()));
        }
        if c.sms_on {
            pairs.push(("sms_on".into(), "on".into()));
        }
        Typed::offered(pairs)
    };
    render_status(
        form.status(),
        &ChoicesPage {
            nav: Nav::of(a),
            c,
            form,
        },
    )
}

pub async fn choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
) -> Result<Response, PageError> {
    render_choices(&s, &a, Typed::default()).await
}

/// The choices form: boxes ticked are sent, the others are not.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChoicesForm {
    email: String,
    email_on: Option<String>,
    sms_on: Option<String>,
    kinds: Vec<String>,
}

pub async fn save_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input, values }: Form<ChoicesForm>,
) -> Result<Response, PageError> {
    let input = ChoicesInput {
        email: Some(input.email),
        email_on: input.email_on.is_some(),
        sms_on: input.sms_on.is_some(),
        kinds: input.kinds,
    };
    match refused(inbox::save_choices(&s.app, &a, input).await, &values, &[])? {
        Ok(_) => Ok(see_other("/account/notifications")),
        Err(form) => render_choices(&s, &a, form).await,
    }
}

#[derive(Template)]
#[template(path = "reached.html")]
struct ReachedPage {
    nav: Nav,
    r: Reached,
}

pub async fn meeting_reached(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = reached::of_meeting(&s.app, &a, id).await?;
    render(&ReachedPage {
        nav: Nav::of(&a),
        r,
    })
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    r: Reached,
}

/// An invitation to print for each member the notice did not reach.
pub async fn invitations(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = reached::of_meeting(&s.app, &a, id).await?;
    render(&InvitationsPage { r })
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    nav: Nav,
    items: Vec<OutboxView>,
    queued: u64,
    sent: u64,
    failed: u64,
    /// The state shown (`""`: all).
    status: String,
    next: Option<String>,
    later: bool,
    /// Where the list's first page is (with its filter).
    first: String,
    errors: Typed,
}

#[derive(Debug, Default, Deserialize)]
pub struct OutboxQ {
    #[serde(rename = "trang-thai")]
    pub status: Option<String>,
    pub after: Option<Cursor>,
}

async fn render_outbox(
    s: &AppState,
    a: &Actor,
    q: &OutboxQ,
    errors: Typed,
) -> Result<Response, PageError> {
    let status = q.status.clone().filter(|v| !v.is_empty());
    let page = outbox::list(&s.app, &a.admin()?, status.as_deref(), q.after.as_ref(), 50).await?;
    let first = match &status {
        Some(v) => format!("/admin/outbox?trang-thai={v}"),
        None => "/admin/outbox".into(),
    };
    render_status(
        errors.status(),
        &OutboxPage {
            nav: Nav::of(a),
            items: page.items,
            queued: page.queued,
            sent: page.sent,
            failed: page.failed,
            status: status.unwrap_or_default(),
            next: page.next,
            later: q.after.is_some(),
            first,
            errors,
        },
    )
}

pub async fn admin_outbox(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<OutboxQ>,
) -> Result<Response, PageError> {
    render_outbox(&s, &a, &q, Typed::default()).await
}

pub async fn retry(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let r = outbox::retry(&s.app, &a.admin()?, id).await;
    match crate::typed::messages_of(r)? {
        Ok(()) => Ok(see_other("/admin/outbox?trang-thai=failed")),
        Err(errors) => render_outbox(&s, &a, &OutboxQ::default(), errors).await,
    }
}
