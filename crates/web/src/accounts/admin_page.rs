use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chibo_app::access::users;
use chibo_app::access::users::{ActiveInput, NewUser, PasswordInput, RoleInput, UserView};
use chibo_app::audit::{self, AuditEntry};
use chibo_app::org::units;
use chibo_app::refs::{UnitChoices, UnitRef};
use chibo_app::{Actor, AppError, Role};
use chibo_domain::cursor::Cursor;
use chibo_domain::ids::UserId;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::{Form, FormValues};
use crate::extract::path::{PathIds, PathUserId};
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{FIRST_CHOICES, Nav, form_errors, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, Typed, refused};

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<UserView>,
    /// The next page's cursor, when there is one.
    next: Option<String>,
    /// Not the first page: link back to it.
    later: bool,
    roles: Vec<(&'static str, &'static str)>,
    units: UnitChoices,
    /// The new account's form, as typed when it was refused.
    form: Typed,
}

fn role_choices() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.code(), r.label())).collect()
}

async fn render_users(
    s: &AppState,
    a: &Actor,
    after: Option<&Cursor>,
    form: Typed,
) -> Result<Response, PageError> {
    let page = users::list(&s.app, &a.admin()?, after, 100).await?;
    let status = if form.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        status,
        &UsersPage {
            nav: Nav::of(a),
            users: page.items,
            next: page.next,
            later: after.is_some(),
            roles: role_choices(),
            units: units::choices(&s.app, a, None, None, FIRST_CHOICES).await?,
            form,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct UsersQ {
    pub after: Option<Cursor>,
}

pub async fn users(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<UsersQ>,
) -> Result<Response, PageError> {
    render_users(&s, &a, q.after.as_ref(), Typed::default()).await
}

pub async fn create_user(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Form { input, values }: Form<NewUser>,
) -> Result<Response, PageError> {
    let r = users::create(&s.app, &a.admin()?, input).await;
    // The password is never sent back in the page.
    match refused(r, &values, &["password"])? {
        Ok(u) => Ok(see_other(&format!("/admin/users/{}", u.id))),
        Err(form) => render_users(&s, &a, None, form).await,
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    nav: Nav,
    u: UserView,
    roles: Vec<(&'static str, &'static str)>,
    /// The first units offered, without the one chosen.
    units: UnitChoices,
    /// The unit a refused role had chosen, listed first (it may lie beyond the first choices).
    chosen_unit: Option<UnitRef>,
    /// The form refused (`role`, `password`, `active`, `remove-role`) as typed, never a
    /// password.
    refused: Refusal,
}

async fn render_user(
    s: &AppState,
    a: &Actor,
    id: UserId,
    refused: Refusal,
) -> Result<Response, PageError> {
    let u = users::get(&s.app, &a.admin()?, id).await?;
    let mut units = units::choices(&s.app, a, None, None, FIRST_CHOICES).await?;
    let chosen_unit = match refused.typed.get("unit_id").parse::<i64>() {
        Ok(u) if refused.open("role") => units::visible_ref(&s.app, a, u).await.ok(),
        _ => None,
    };
    if let Some(c) = &chosen_unit {
        units.items.retain(|u| u.id != c.id);
    }
    render_status(
        refused.status(),
        &UserPage {
            nav: Nav::of(a),
            u,
            roles: role_choices(),
            units,
            chosen_unit,
            refused,
        },
    )
}

pub async fn user(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathUserId(id): PathUserId,
) -> Result<Response, PageError> {
    render_user(&s, &a, id, Refusal::default()).await
}

/// Back to the account's page, or the page again with `form` as typed (never a password) and
/// its messages beside it.
async fn user_action<T>(
    s: &AppState,
    a: &Actor,
    id: UserId,
    r: Result<T, AppError>,
    (form, values): (&str, &FormValues),
) -> Result<Response, PageError> {
    match refused(r, values, &["new_password"])? {
        Ok(_) => Ok(see_other(&format!("/admin/users/{id}"))),
        Err(typed) => render_user(s, a, id, Refusal::of(form, typed)).await,
    }
}

pub async fn add_role(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathUserId(id): PathUserId,
    Form { input, values }: Form<RoleInput>,
) -> Result<Response, PageError> {
    let r = users::add_role(&s.app, &a.admin()?, id, input).await;
    user_action(&s, &a, id, r, ("role", &values)).await
}

pub async fn remove_role(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathIds(id, role_id): PathIds,
) -> Result<Response, PageError> {
    let id = UserId::new(id);
    let r = users::remove_role(&s.app, &a.admin()?, id, role_id).await;
    let form = format!("remove-role-{role_id}");
    user_action(&s, &a, id, r, (&form, &FormValues::default())).await
}

pub async fn set_password(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathUserId(id): PathUserId,
    Form { input, values }: Form<PasswordInput>,
) -> Result<Response, PageError> {
    // An administrator sets a password without knowing the old one (the use case asks for the
    // administrator's proof when the account is someone else's).
    let input = PasswordInput {
        current_password: None,
        ..input
    };
    let r = users::set_password(&s.app, &a, id, input).await;
    user_action(&s, &a, id, r, ("password", &values)).await
}

pub async fn set_active(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathUserId(id): PathUserId,
    Form { input, values }: Form<ActiveInput>,
) -> Result<Response, PageError> {
    let r = users::set_active(&s.app, &a.admin()?, id, input).await;
    user_action(&s, &a, id, r, ("active", &values)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQ {
    /// Entries older than this id (the link to the next page).
    pub before: Option<chibo_domain::bounded::RowId>,
    /// The unit (its id) whose entries, and those of the units below it, are shown.
    #[serde(rename = "don-vi")]
    pub don_vi: Option<String>,
    /// The account's username.
    pub nguoi: Option<String>,
    /// The kind of record (a code of `audit::ENTITIES`).
    pub loai: Option<String>,
    /// From and to these days.
    pub tu: Option<String>,
    pub den: Option<String>,
}

impl AuditQ {
    /// The filter as a query string to carry to the next page (`&nguoi=…`).
    fn carried(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("don-vi", &self.don_vi),
            ("nguoi", &self.nguoi),
            ("loai", &self.loai),
            ("tu", &self.tu),
            ("den", &self.den),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                out.append_pair(k, v);
            }
        }
        let q = out.finish();
        if q.is_empty() { q } else { format!("&{q}") }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    entries: Vec<AuditEntry>,
    /// Not the newest page: link back to it.
    older: bool,
    next: Option<i64>,
    /// The filter as typed, and as a query string for the page links.
    q: AuditQ,
    carried: String,
    kinds: &'static [(&'static str, &'static str)],
    /// The units to filter by, the one chosen first when it is not among them.
    units: UnitChoices,
    chosen_unit: Option<chibo_app::refs::UnitRef>,
    errors: Vec<String>,
}

impl AuditPage {
    /// Whether a unit of the list is the one chosen (listed first already).
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen_unit.as_ref().is_some_and(|c| c.id == *id)
    }
}

pub async fn audit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<AuditQ>,
) -> Result<Response, PageError> {
    // A unit that is not a number names no unit: the log says so, as for an unknown one.
    let unit_id = q
        .don_vi
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().parse::<i64>().unwrap_or(0));
    let filter = audit::AuditFilter {
        unit_id,
        username: q.nguoi.clone(),
        entity: q.loai.clone(),
        from: q.tu.clone(),
        to: q.den.clone(),
    };
    let r = audit::list(&s.app, &a.admin()?, 100, q.before.map(|b| b.get()), &filter).await;
    let (log, errors) = match form_errors(r)? {
        Ok(log) => (log, vec![]),
        Err(errors) => (
            audit::AuditLog {
                items: vec![],
                next: None,
            },
            errors,
        ),
    };
    let chosen_unit = match unit_id.filter(|_| errors.is_empty()) {
        Some(id) => Some(units::visible_ref(&s.app, &a, id).await?),
        None => None,
    };
    let status = crate::render::status_for(&errors);
    render_status(
        status,
        &AuditPage {
            nav: Nav::of(&a),
            entries: log.items,
            older: q.before.is_some(),
            next: log.next,
            carried: q.carried(),
            q,
            kinds: audit::ENTITIES,
            units: units::choices(&s.app, &a, None, None, FIRST_CHOICES).await?,
            chosen_unit,
            errors,
        },
    )
}
