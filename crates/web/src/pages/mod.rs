//! Server-rendered pages in Vietnamese. Every page route is declared in [`routes`], which the
//! router is built from and the authorization test walks.

mod account;
mod admin;
mod admissions;
mod badges;
mod exemptions;
mod import;
mod meeting_prep;
mod meetings;
mod members;
mod programmes;
mod reviews;
mod rules;
mod transfers;
mod units;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use chibo_app::{Actor, AppError, Role};

use crate::AppState;
use crate::error::PageError;
use crate::fmt::VnDate;
use crate::session::PageUser;

/// One page route: what the authorization test needs to know about it.
#[derive(Debug, Clone)]
pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
    /// Reachable without logging in.
    pub public: bool,
}

type Handler = MethodRouter<AppState>;

/// Every page route, with its handler.
pub fn routes() -> Vec<(PageRoute, Handler)> {
    let r = |method: Method, path: &'static str, public: bool, h: Handler| {
        (
            PageRoute {
                method,
                path,
                public,
            },
            h,
        )
    };
    use Method as M;
    vec![
        r(M::GET, "/", false, get(home)),
        r(M::GET, "/login", true, get(account::login_form)),
        r(M::POST, "/login", true, post(account::login)),
        r(M::POST, "/logout", true, post(account::logout)),
        r(M::GET, "/account", false, get(account::page)),
        r(
            M::POST,
            "/account/password",
            false,
            post(account::change_password),
        ),
        r(
            M::POST,
            "/account/tokens/{id}/revoke",
            false,
            post(account::revoke_token),
        ),
        r(M::GET, "/me", false, get(account::me)),
        r(M::GET, "/static/{file}", true, get(static_file)),
        r(M::GET, "/units", false, get(units::tree)),
        r(M::GET, "/units/{id}", false, get(units::show)),
        r(M::GET, "/units/{id}/tree", false, get(units::tree_level)),
        r(
            M::POST,
            "/units/{id}/children",
            false,
            post(units::create_child),
        ),
        r(M::POST, "/units/{id}/rename", false, post(units::rename)),
        r(M::POST, "/units/{id}/move", false, post(units::move_unit)),
        r(M::POST, "/units/{id}/merge", false, post(units::merge)),
        r(M::POST, "/units/{id}/split", false, post(units::split)),
        r(
            M::POST,
            "/units/{id}/dissolve",
            false,
            post(units::dissolve),
        ),
        r(
            M::GET,
            "/units/{id}/members/new",
            false,
            get(members::new_form),
        ),
        r(M::POST, "/units/{id}/members", false, post(members::create)),
        r(M::GET, "/members", false, get(members::list)),
        r(M::GET, "/members/{id}", false, get(members::show)),
        r(M::GET, "/members/{id}/edit", false, get(members::edit_form)),
        r(M::POST, "/members/{id}/edit", false, post(members::update)),
        r(
            M::POST,
            "/members/{id}/events",
            false,
            post(members::add_event),
        ),
        r(
            M::POST,
            "/members/{id}/positions",
            false,
            post(members::add_position),
        ),
        r(
            M::POST,
            "/positions/{id}/end",
            false,
            post(members::end_position),
        ),
        r(M::GET, "/admin/users", false, get(admin::users)),
        r(M::POST, "/admin/users", false, post(admin::create_user)),
        r(M::GET, "/admin/users/{id}", false, get(admin::user)),
        r(
            M::POST,
            "/admin/users/{id}/roles",
            false,
            post(admin::add_role),
        ),
        r(
            M::POST,
            "/admin/users/{id}/roles/{role_id}/delete",
            false,
            post(admin::remove_role),
        ),
        r(
            M::POST,
            "/admin/users/{id}/password",
            false,
            post(admin::set_password),
        ),
        r(
            M::POST,
            "/admin/users/{id}/active",
            false,
            post(admin::set_active),
        ),
        r(M::GET, "/admin/audit", false, get(admin::audit)),
        r(M::GET, "/units/{id}/meetings", false, get(meetings::list)),
        r(
            M::POST,
            "/units/{id}/meetings",
            false,
            post(meetings::schedule),
        ),
        r(M::GET, "/meetings/{id}", false, get(meetings::show)),
        r(
            M::POST,
            "/meetings/{id}/publish",
            false,
            post(meetings::publish),
        ),
        r(
            M::POST,
            "/meetings/{id}/attendance",
            false,
            post(meetings::attendance),
        ),
        r(
            M::POST,
            "/meetings/{id}/record",
            false,
            post(meetings::record),
        ),
        r(
            M::POST,
            "/meetings/{id}/tasks",
            false,
            post(meetings::add_task),
        ),
        r(
            M::POST,
            "/meetings/{id}/score",
            false,
            post(meetings::score),
        ),
        r(M::GET, "/tasks", false, get(meetings::my_tasks)),
        r(M::GET, "/units/{id}/plan", false, get(meetings::plan)),
        r(
            M::POST,
            "/units/{id}/plan",
            false,
            post(meetings::add_topic),
        ),
        r(M::POST, "/meetings/{id}/steps", false, post(meetings::step)),
        r(
            M::POST,
            "/meetings/{id}/speeches",
            false,
            post(meetings::speech),
        ),
        r(
            M::POST,
            "/meetings/{id}/approve",
            false,
            post(meetings::approve),
        ),
        r(
            M::POST,
            "/meetings/{id}/amendments",
            false,
            post(meetings::amend),
        ),
        r(M::GET, "/meetings/{id}/print", false, get(meetings::print)),
        r(
            M::GET,
            "/meetings/{id}/minutes.docx",
            false,
            get(meetings::minutes_docx),
        ),
        r(
            M::GET,
            "/meetings/{id}/resolution.docx",
            false,
            get(meetings::resolution_docx),
        ),
        r(
            M::POST,
            "/tasks/{id}/progress",
            false,
            post(meetings::task_progress),
        ),
        r(
            M::POST,
            "/meetings/{id}/notice",
            false,
            post(meeting_prep::notice),
        ),
        r(
            M::POST,
            "/meetings/{id}/files",
            false,
            post(meeting_prep::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        r(M::GET, "/files/{id}", false, get(meeting_prep::download)),
        r(
            M::POST,
            "/files/{id}/delete",
            false,
            post(meeting_prep::delete_file),
        ),
        r(
            M::POST,
            "/meetings/{id}/preparation",
            false,
            post(meeting_prep::preparation),
        ),
        r(
            M::POST,
            "/meetings/{id}/guests",
            false,
            post(meeting_prep::add_guest),
        ),
        r(
            M::POST,
            "/guests/{id}/delete",
            false,
            post(meeting_prep::remove_guest),
        ),
        r(M::GET, "/meetings/{id}/qr", false, get(meeting_prep::qr)),
        r(
            M::GET,
            "/meetings/{id}/check-in",
            false,
            get(meeting_prep::check_in_form),
        ),
        r(
            M::POST,
            "/meetings/{id}/check-in",
            false,
            post(meeting_prep::check_in),
        ),
        r(
            M::POST,
            "/units/{id}/follower",
            false,
            post(meeting_prep::set_follower),
        ),
        r(
            M::GET,
            "/resolutions",
            false,
            get(meeting_prep::resolutions),
        ),
        r(M::GET, "/units/{id}/badges", false, get(badges::due)),
        r(M::GET, "/units/{id}/transfers", false, get(transfers::list)),
        r(
            M::GET,
            "/units/{id}/exemptions",
            false,
            get(exemptions::list),
        ),
        r(
            M::GET,
            "/units/{id}/candidates",
            false,
            get(admissions::list),
        ),
        r(
            M::POST,
            "/units/{id}/candidates",
            false,
            post(admissions::propose),
        ),
        r(
            M::POST,
            "/candidates/{id}/steps",
            false,
            post(admissions::step),
        ),
        r(M::GET, "/units/{id}/reviews", false, get(reviews::show)),
        r(M::POST, "/units/{id}/reviews", false, post(reviews::save)),
        r(M::POST, "/units/{id}/review", false, post(reviews::decide)),
        r(M::GET, "/units/{id}/import", false, get(import::form)),
        r(
            M::POST,
            "/units/{id}/import",
            false,
            post(import::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        r(
            M::GET,
            "/units/{id}/members.xlsx",
            false,
            get(import::export),
        ),
        r(
            M::GET,
            "/import/template.xlsx",
            false,
            get(import::template),
        ),
        r(
            M::GET,
            "/units/{id}/cadre-tasks",
            false,
            get(programmes::cadre_tasks),
        ),
        r(
            M::POST,
            "/units/{id}/cadre-tasks",
            false,
            post(programmes::give_cadre_task),
        ),
        r(
            M::POST,
            "/cadre-tasks/{id}",
            false,
            post(programmes::update_cadre_task),
        ),
        r(
            M::GET,
            "/units/{id}/training",
            false,
            get(programmes::training),
        ),
        r(
            M::POST,
            "/units/{id}/courses",
            false,
            post(programmes::add_course),
        ),
        r(
            M::POST,
            "/courses/{id}/participants",
            false,
            post(programmes::participants),
        ),
        r(
            M::GET,
            "/units/{id}/inspections",
            false,
            get(programmes::inspections),
        ),
        r(
            M::POST,
            "/units/{id}/inspections",
            false,
            post(programmes::plan_inspection),
        ),
        r(
            M::POST,
            "/inspections/{id}/result",
            false,
            post(programmes::record_inspection),
        ),
        r(
            M::POST,
            "/recommendations/{id}/follow-up",
            false,
            post(programmes::follow_up),
        ),
        r(
            M::POST,
            "/members/{id}/exemptions",
            false,
            post(exemptions::request),
        ),
        r(
            M::POST,
            "/exemptions/{id}/steps",
            false,
            post(exemptions::step),
        ),
        r(
            M::POST,
            "/members/{id}/transfers",
            false,
            post(transfers::start),
        ),
        r(
            M::POST,
            "/transfers/{id}/steps",
            false,
            post(transfers::step),
        ),
        r(M::GET, "/admin/holidays", false, get(transfers::holidays)),
        r(
            M::POST,
            "/admin/holidays",
            false,
            post(transfers::add_holiday),
        ),
        r(
            M::POST,
            "/admin/holidays/{id}/delete",
            false,
            post(transfers::remove_holiday),
        ),
        r(M::POST, "/members/{id}/badges", false, post(badges::award)),
        r(
            M::POST,
            "/members/{id}/disciplines",
            false,
            post(badges::discipline),
        ),
        r(M::GET, "/rule-sets", false, get(rules::list)),
        r(M::POST, "/rule-sets", false, post(rules::create)),
        r(M::GET, "/rule-sets/{id}", false, get(rules::show)),
        r(M::GET, "/api/v1/docs", true, get(api_docs)),
        r(M::GET, "/api/v1/openapi.json", true, get(openapi_json)),
    ]
}

pub use meeting_prep::check_in_path;

pub fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (route, handler)| {
            router.route(route.path, handler)
        })
        .fallback(not_found)
}

async fn not_found() -> PageError {
    PageError(AppError::NotFound)
}

/// What every page's frame needs: the user's name and which menu entries to show.
pub struct Nav {
    pub display_name: String,
    pub is_admin: bool,
    /// Reads part of the tree (not only a member's own record).
    pub browses: bool,
}

impl Nav {
    pub fn of(a: &Actor) -> Nav {
        Nav {
            display_name: a.display_name.clone(),
            is_admin: a.is_admin(),
            browses: a.is_admin() || a.grants.iter().any(|g| g.role != Role::Member),
        }
    }
}

pub fn render(t: &impl Template) -> Result<Response, PageError> {
    Ok(Html(t.render()?).into_response())
}

/// 200, or 422 when a form comes back with errors.
pub fn status_for(errors: &[String]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub fn render_status(status: StatusCode, t: &impl Template) -> Result<Response, PageError> {
    Ok((status, Html(t.render()?)).into_response())
}

/// After a successful form post: back to a page (303 so the browser GETs it).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A submitted form as ordered pairs, so repeated keys (multi-selects) are kept.
pub struct FormData(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map(|f| FormData(f.0))
            .map_err(|_| {
                PageError(AppError::invalid(
                    "form",
                    "Không đọc được dữ liệu biểu mẫu.",
                ))
            })
    }
}

impl FormData {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or("").to_string()
    }
    pub fn opt(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }
    pub fn id(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }
    pub fn ids(&self, key: &str) -> Vec<i64> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect()
    }
}

/// Splits a use case's result: field errors go back to the form, other errors become pages.
pub fn form_errors<T>(r: Result<T, AppError>) -> Result<Result<T, Vec<String>>, PageError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid(inv)) => Ok(Err(inv.errors.into_iter().map(|e| e.message).collect())),
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'a str,
    pub detail: &'a str,
    pub status: u16,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    actor: Actor,
    role_lines: Vec<(String, Option<(i64, String)>)>,
    upcoming: Vec<chibo_app::meetings::lookup::MeetingView>,
    today: chrono::NaiveDate,
}

async fn home(State(s): State<AppState>, PageUser(a): PageUser) -> Result<Response, PageError> {
    let upcoming = chibo_app::meetings::detail::upcoming_for_me(&s.app, &a).await?;
    let role_lines = a
        .grants
        .iter()
        .map(|g| {
            (
                g.role.label().to_string(),
                g.unit_id.zip(g.unit_name.clone()),
            )
        })
        .collect();
    render(&HomePage {
        nav: Nav::of(&a),
        role_lines,
        upcoming,
        actor: a,
        today: chibo_app::App::today(),
    })
}

static APP_CSS: &str = include_str!("../../static/app.css");
static HTMX_JS: &str = include_str!("../../static/htmx.min.js");
static APP_JS: &str = include_str!("../../static/app.js");
static PRINT_CSS: &str = include_str!("../../static/print.css");

async fn static_file(crate::api::RawFile(file): crate::api::RawFile) -> Response {
    let (body, ctype) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX_JS, "text/javascript; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "print.css" => (PRINT_CSS, "text/css; charset=utf-8"),
        _ => return PageError(AppError::NotFound).into_response(),
    };
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    endpoints: Vec<DocEndpoint>,
}

struct DocEndpoint {
    method: String,
    path: String,
    summary: String,
    description: String,
    tag: String,
    params: Vec<String>,
    body: Option<String>,
    responses: Vec<String>,
}

/// A readable page of the API, made from the OpenAPI document (no third-party viewer, so it
/// works without internet).
async fn api_docs() -> Result<Response, PageError> {
    let doc = crate::api::openapi();
    let mut endpoints = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let params = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    utoipa::openapi::RefOr::T(p) => Some(format!(
                        "{} ({})",
                        p.name,
                        serde_json::to_value(&p.parameter_in)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    )),
                    utoipa::openapi::RefOr::Ref(_) => None,
                })
                .collect();
            let body = op.request_body.as_ref().and_then(|b| {
                let utoipa::openapi::RefOr::T(b) = b else {
                    return None;
                };
                b.content
                    .values()
                    .next()
                    .and_then(|c| match c {
                        utoipa::openapi::RefOr::T(c) => c.schema.as_ref(),
                        utoipa::openapi::RefOr::Ref(_) => None,
                    })
                    .map(|s| match s {
                        utoipa::openapi::RefOr::Ref(r) => {
                            r.ref_location.rsplit('/').next().unwrap_or("").to_string()
                        }
                        _ => "JSON".to_string(),
                    })
            });
            let responses = op.responses.responses.keys().cloned().collect();
            endpoints.push(DocEndpoint {
                method: method.to_string(),
                path: path.clone(),
                summary: op.summary.clone().unwrap_or_default(),
                description: op.description.clone().unwrap_or_default(),
                tag: op
                    .tags
                    .as_ref()
                    .and_then(|t| t.first().cloned())
                    .unwrap_or_default(),
                params,
                body,
                responses,
            });
        }
    }
    endpoints.sort_by_key(|a| (a.tag.clone(), a.path.clone()));
    render(&ApiDocsPage { endpoints })
}

async fn openapi_json() -> Response {
    let mut res = axum::Json(crate::api::openapi()).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// The state for handlers that need only the app.
pub type St = State<AppState>;
