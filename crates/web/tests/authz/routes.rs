//! The cases of the authorization walk: every route, what each route's path names (a unit, a
//! meeting, …), the path filled with rows of `rows.rs`, and a request as a page or an API
//! client sends it.

use axum::http::{Method, StatusCode};

use crate::common::*;
use crate::rows::Ids;

/// Every route: the pages' (`false`) and the API's endpoints (`true`), as method and path.
pub fn every_route() -> Vec<(Method, String, bool)> {
    let mut routes: Vec<(Method, String, bool)> = chibo_web::pages::routes()
        .into_iter()
        .map(|(r, _)| (r.method, r.path.to_string(), false))
        .collect();
    let doc = chibo_web::api::openapi();
    for (path, item) in doc.paths.paths.iter() {
        for (m, op) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ] {
            if op.is_some() {
                routes.push((m, path.clone(), true));
            }
        }
    }
    assert!(routes.len() > 50, "{} routes", routes.len());
    routes
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Case {
    /// Open to visitors.
    Public,
    /// Any signed-in user; what it shows is filtered by scope.
    Own,
    /// Administrators only: others get 404.
    Admin,
    /// One's own second factor: administrators and board officers; others get 403
    /// (`accounts_trust.rs` checks it).
    SecondFactor,
    /// The path's id is a unit.
    Unit,
    /// The path's id is a member.
    Member,
    /// The path's id is a member; administrators only (their accounts): others get 404.
    MemberAccount,
    /// The path's id is a position.
    Position,
    /// The unit is named in the body (`parent_id`, `unit_id`).
    BodyUnit,
    /// The path's id is a rule set.
    RuleSet,
    /// The path's id is a set of members' rules.
    MemberRuleSet,
    /// The path's id is a meeting.
    Meeting,
    /// The path's id is a task given at a meeting.
    Task,
    /// The path's id is a document attached to a meeting.
    File,
    /// The path's id is a guest recorded at a meeting.
    Guest,
    /// The path's id is a transfer of party activity.
    Transfer,
    /// The path's id is a public holiday (administrators change them).
    Holiday,
    /// The path's id is an exemption request.
    Exemption,
    /// The path's id is a breakthrough task, a course, an inspection or a recommendation.
    CadreTask,
    Course,
    Inspection,
    Recommendation,
    /// The path's id is a candidate for admission.
    Candidate,
    /// The path's id is a programme (đề án, kế hoạch) the cell issued.
    Programme,
    /// The path's id is the review report the cell wrote on its programme.
    ReviewReport,
    /// The path's id is an API token: only its owner may revoke it.
    Token,
    /// The path's id is a notice told to a member: only they open it.
    Notification,
    /// The path's id is a message of the outbox (administrators).
    Outbox,
}

pub fn case(method: &Method, path: &str) -> Option<Case> {
    use Case::*;
    let p = path.trim_start_matches("/api/v1");
    Some(match (method.as_str(), p) {
        (_, "/login" | "/logout" | "/static/{file}" | "/docs" | "/openapi.json") => Public,
        // The code's form: its waiting session is the key (`accounts_trust.rs` checks it).
        (_, "/login/code") => Public,
        // A calendar feed: its secret is the key (`calendar.rs` checks it).
        ("GET", "/lich/{file}") => Public,
        ("POST", "/auth/token") if path.starts_with("/api/") => Public,
        ("DELETE", "/auth/token") => Own,
        (
            _,
            "/"
            | "/me"
            | "/account"
            | "/account/password"
            | "/account/calendar"
            | "/account/calendar/stop"
            | "/me/calendar",
        ) => Own,
        (
            _,
            "/account/second-factor"
            | "/account/second-factor/off"
            | "/me/second-factor"
            | "/me/second-factor/enrolment",
        ) => SecondFactor,
        (
            "GET",
            "/units"
            | "/tree"
            | "/members"
            | "/rule-sets"
            | "/member-rule-sets"
            | "/tasks"
            | "/me/tasks"
            | "/resolutions"
            | "/me/resolutions"
            | "/me/meetings"
            | "/me/tokens"
            | "/holidays"
            | "/units/choices"
            | "/import/template.xlsx"
            | "/import/tree-template.xlsx"
            | "/dues/template.xlsx",
        ) => Own,
        ("POST", "/holidays" | "/holiday-years") => Admin,
        (_, "/holidays/{id}" | "/admin/holidays/{id}/delete") => Holiday,
        ("POST", "/rule-sets" | "/member-rule-sets") | ("GET", "/rule-sets/new") => Admin,
        ("POST", "/units" | "/members") if path.starts_with("/api/") => BodyUnit,
        _ if p.starts_with("/admin/") || p.starts_with("/users") || p == "/audit" => Admin,
        _ if p.starts_with("/members/{id}/account") => MemberAccount,
        _ if p.starts_with("/units/{id}") => Unit,
        _ if p.starts_with("/members/{id}") => Member,
        _ if p.starts_with("/positions/{id}") => Position,
        _ if p.starts_with("/rule-sets/{id}") => RuleSet,
        _ if p.starts_with("/member-rule-sets/{id}") => MemberRuleSet,
        _ if p.starts_with("/meetings/{id}") => Meeting,
        _ if p.starts_with("/tasks/{id}") => Task,
        _ if p.starts_with("/files/{id}") => File,
        _ if p.starts_with("/guests/{id}") => Guest,
        _ if p.starts_with("/transfers/{id}") => Transfer,
        _ if p.starts_with("/exemptions/{id}") => Exemption,
        _ if p.starts_with("/cadre-tasks/{id}") => CadreTask,
        _ if p.starts_with("/courses/{id}") => Course,
        _ if p.starts_with("/inspections/{id}") => Inspection,
        _ if p.starts_with("/recommendations/{id}") => Recommendation,
        _ if p.starts_with("/candidates/{id}") => Candidate,
        _ if p.starts_with("/programmes/{id}") => Programme,
        _ if p.starts_with("/review-reports/{id}") => ReviewReport,
        _ if p.starts_with("/me/tokens/{id}") || p.starts_with("/account/tokens/{id}") => Token,
        (_, "/thong-bao/{id}" | "/me/notifications/{id}/read") => Notification,
        _ if p.starts_with("/admin/outbox/{id}") => Outbox,
        (
            _,
            "/thong-bao"
            | "/thong-bao/chua-doc"
            | "/thong-bao/doc-het"
            | "/account/notifications"
            | "/me/notifications"
            | "/me/notifications/read"
            | "/me/notification-choices",
        ) => Own,
        _ => return None,
    })
}

pub fn fill(path: &str, ids: &Ids, user_id: i64, role_id: i64, case: Case) -> String {
    let id = match case {
        Case::Unit => ids.unit,
        Case::Member | Case::MemberAccount => ids.member,
        Case::Position => ids.position,
        Case::RuleSet => ids.rule_set,
        Case::MemberRuleSet => ids.member_rule_set,
        Case::Meeting => ids.meeting,
        Case::Task => ids.task,
        Case::File => ids.file,
        Case::Guest => ids.guest,
        Case::Transfer => ids.transfer,
        Case::Holiday => ids.holiday,
        Case::Exemption => ids.exemption,
        Case::CadreTask => ids.cadre_task,
        Case::Course => ids.course,
        Case::Inspection => ids.inspection,
        Case::Recommendation => ids.recommendation,
        Case::Candidate => ids.candidate,
        Case::Programme => ids.programme,
        Case::ReviewReport => ids.review_report,
        Case::Token => ids.token,
        Case::Notification => ids.notification,
        Case::Outbox => ids.outbox,
        Case::Admin => user_id,
        _ => 0,
    };
    path.replace("{id}", &id.to_string())
        .replace("{role_id}", &role_id.to_string())
        .replace("{file}", "app.css")
        .replace("{kind}", "minutes")
}

/// Sends one request as a page or API client would.
/// `body_units`: the unit named in the body (`parent_id`, `unit_id`) and the target of a move
/// or merge (`new_parent_id`, `into_unit_id`).
pub async fn call(
    t: &TestApp,
    method: &Method,
    path: &str,
    api: bool,
    session: Option<&str>,
    body_units: (i64, i64),
) -> StatusCode {
    let auth = match session {
        None => Auth::None,
        Some(s) if api => Auth::Bearer(s),
        Some(s) => Auth::Cookie(s),
    };
    let body = match (method.as_str(), api) {
        ("GET", _) => None,
        (_, true) => Some((
            "application/json",
            serde_json::json!({"parent_id": body_units.0, "unit_id": body_units.0, "new_parent_id": body_units.1, "into_unit_id": body_units.1}).to_string(),
        )),
        (_, false) => Some(("application/x-www-form-urlencoded", format!("new_parent_id={}&into_unit_id={}", body_units.1, body_units.1))),
    };
    t.send(method.clone(), path, auth, body, Some(ORIGIN))
        .await
        .status
}
