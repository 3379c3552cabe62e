//! Server-rendered pages in Vietnamese. Every page route is declared in [`routes`], which the
//! router is built from and the authorization test walks.

mod api_docs;
mod board;
mod home;
mod meeting_routes;
mod reach_routes;

use axum::Router;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use chibo_app::AppError;

use crate::accounts::admin_page as admin;
use crate::accounts::member_access;
use crate::accounts::member_page as member_account;
use crate::accounts::page as account;
use crate::accounts::second_factor;
use crate::admissions::page as admissions;
use crate::badges::page as badges;
use crate::dues::page as dues;
use crate::error::PageError;
use crate::exemptions::page as exemptions;
use crate::import::page as import;
use crate::members::page as members;
use crate::programmes::page as programmes;
use crate::reviews::page as reviews;
use crate::rules::member_page as member_rules;
use crate::rules::page as rules;
use crate::state::AppState;
use crate::transfers::page as transfers;
use crate::units::page as units;

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
    let r = route;
    use Method as M;
    let mut all = vec![
        r(M::GET, "/", false, get(home::start_page)),
        r(M::GET, "/login", true, get(account::login_form)),
        r(M::POST, "/login", true, post(account::login)),
        r(M::POST, "/logout", true, post(account::logout)),
        r(M::GET, "/login/code", true, get(second_factor::code_form)),
        r(
            M::POST,
            "/login/code",
            true,
            post(second_factor::confirm_code),
        ),
        r(
            M::GET,
            "/account/second-factor",
            false,
            get(second_factor::page),
        ),
        r(
            M::POST,
            "/account/second-factor",
            false,
            post(second_factor::enable),
        ),
        r(
            M::POST,
            "/account/second-factor/off",
            false,
            post(second_factor::disable),
        ),
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
        r(M::GET, "/static/{file}", true, get(home::static_file)),
        r(M::GET, "/units", false, get(units::tree)),
        r(M::GET, "/units/choices", false, get(units::unit_choices)),
        r(M::GET, "/units/{id}", false, get(units::show)),
        r(M::GET, "/units/{id}/tree", false, get(units::tree_level)),
        r(M::GET, "/units/{id}/history", false, get(units::history)),
        r(
            M::GET,
            "/units/{id}/founder-choices",
            false,
            get(units::founder_choices),
        ),
        r(
            M::GET,
            "/units/{id}/move-targets",
            false,
            get(units::move_choices),
        ),
        r(
            M::GET,
            "/units/{id}/merge-targets",
            false,
            get(units::merge_choices),
        ),
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
        r(M::POST, "/members/{id}/gaps", false, post(members::add_gap)),
        r(
            M::POST,
            "/members/{id}/account",
            false,
            post(member_account::create),
        ),
        r(
            M::POST,
            "/members/{id}/gaps/remove",
            false,
            post(members::remove_gap),
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
        r(
            M::GET,
            "/admin/members/{id}/access",
            false,
            get(member_access::page),
        ),
        r(
            M::GET,
            "/admin/members/{id}/dossier.json",
            false,
            get(member_access::dossier_file),
        ),
        r(
            M::POST,
            "/admin/users/{id}/second-factor/reset",
            false,
            post(second_factor::reset_page),
        ),
        r(M::GET, "/admin/audit", false, get(admin::audit)),
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
        r(M::GET, "/units/{id}/dues", false, get(dues::show)),
        r(M::POST, "/units/{id}/dues", false, post(dues::record)),
        r(
            M::POST,
            "/units/{id}/dues/import",
            false,
            post(dues::import).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        r(M::GET, "/dues/template.xlsx", false, get(dues::template)),
        r(M::POST, "/units/{id}/reviews", false, post(reviews::save)),
        r(M::POST, "/units/{id}/review", false, post(reviews::decide)),
        r(
            M::POST,
            "/units/{id}/reviews/member-level",
            false,
            post(reviews::set_member_level),
        ),
        r(M::GET, "/units/{id}/import", false, get(import::form)),
        r(
            M::GET,
            "/units/{id}/import-tree",
            false,
            get(import::tree_form),
        ),
        r(
            M::POST,
            "/units/{id}/import-tree",
            false,
            post(import::tree_upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        r(
            M::GET,
            "/import/tree-template.xlsx",
            false,
            get(import::tree_template),
        ),
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
            M::GET,
            "/units/{id}/officers",
            false,
            get(programmes::officer_choices),
        ),
        r(
            M::GET,
            "/units/{id}/cells-to-inspect",
            false,
            get(programmes::cell_choices),
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
            M::GET,
            "/courses/{id}",
            false,
            get(crate::programmes::course_page::course),
        ),
        r(
            M::POST,
            "/courses/{id}/participants",
            false,
            post(crate::programmes::course_page::participants),
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
            M::GET,
            "/members/{id}/transfer-destinations",
            false,
            get(transfers::destination_choices),
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
        r(
            M::POST,
            "/admin/holiday-years",
            false,
            post(transfers::confirm_holiday_year),
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
        r(M::GET, "/rule-sets/new", false, get(rules::new_form)),
        r(M::GET, "/rule-sets/{id}", false, get(rules::show)),
        r(M::GET, "/member-rule-sets", false, get(member_rules::list)),
        r(
            M::POST,
            "/member-rule-sets",
            false,
            post(member_rules::create),
        ),
        r(
            M::GET,
            "/member-rule-sets/{id}",
            false,
            get(member_rules::show),
        ),
        r(M::GET, "/api/v1/docs", true, get(api_docs::api_docs)),
        r(
            M::GET,
            "/api/v1/openapi.json",
            true,
            get(api_docs::openapi_json),
        ),
    ];
    all.extend(board::routes());
    all.extend(meeting_routes::routes());
    all.extend(reach_routes::calendar());
    all.extend(reach_routes::notices());
    all
}

fn route(method: Method, path: &'static str, public: bool, h: Handler) -> (PageRoute, Handler) {
    (
        PageRoute {
            method,
            path,
            public,
        },
        h,
    )
}

pub fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (route, handler)| {
            router.route(route.path, handler)
        })
        .fallback(not_found)
}

/// A method a path does not take: under `/api/` the API's JSON error (code
/// `method_not_allowed`), elsewhere the bare status.
pub(crate) async fn method_not_allowed(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    if !uri.path().starts_with("/api/") {
        return status.into_response();
    }
    let body = crate::error::ErrorBody {
        error: crate::error::ErrorDetail {
            code: "method_not_allowed".into(),
            message: "Đường dẫn này không nhận phương thức (GET, POST, …) đã dùng.".into(),
            fields: Vec::new(),
        },
    };
    (status, axum::Json(body)).into_response()
}

/// What no route answers: under `/api/` the API's JSON error (code `not_found`), elsewhere
/// the page.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        crate::error::ApiError(AppError::NotFound).into_response()
    } else {
        PageError(AppError::NotFound).into_response()
    }
}

/// The state for handlers that need only the app.
pub type St = State<AppState>;
