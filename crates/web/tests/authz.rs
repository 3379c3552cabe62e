//! Walks every route of the router (every page route and every endpoint of the OpenAPI
//! document) and checks each role from inside and from outside its scope. A new route without
//! a case here fails the suite; a route that forgets its scope check answers 200 where 404 is due.

mod common;

use axum::http::{Method, StatusCode};
use chibo_app::access::auth;
use chibo_store::entities::{member, position, user, user_role};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use common::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Case {
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

fn case(method: &Method, path: &str) -> Option<Case> {
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

#[derive(Clone, Copy)]
struct Ids {
    unit: i64,
    member: i64,
    position: i64,
    rule_set: i64,
    member_rule_set: i64,
    meeting: i64,
    task: i64,
    file: i64,
    guest: i64,
    transfer: i64,
    holiday: i64,
    exemption: i64,
    cadre_task: i64,
    course: i64,
    inspection: i64,
    recommendation: i64,
    candidate: i64,
    programme: i64,
    review_report: i64,
    token: i64,
    notification: i64,
    outbox: i64,
}

fn fill(path: &str, ids: &Ids, user_id: i64, role_id: i64, case: Case) -> String {
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

/// A fresh API token of `username` (each revocation gets one of its own).
async fn new_token(t: &TestApp, username: &str) -> i64 {
    t.token(username).await;
    chibo_store::entities::api_token::Entity::find()
        .filter(
            chibo_store::entities::api_token::Column::UserId.eq(user::Entity::find()
                .filter(user::Column::Username.eq(username))
                .one(&t.app.db)
                .await
                .unwrap()
                .unwrap()
                .id),
        )
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|tk| tk.id)
        .max()
        .unwrap()
}

/// A notice told to member `member_id`.
async fn new_notification(t: &TestApp, member_id: i64) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, Set};
    chibo_store::entities::notification::ActiveModel {
        member_id: Set(Some(member_id)),
        kind: Set("meeting_published".into()),
        title: Set("Thông báo sinh hoạt".into()),
        body: Set(String::new()),
        link: Set("/".into()),
        meeting_id: Set(None),
        created_at: Set(chrono::Utc::now()),
        read_at: Set(None),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}

/// `token_owner`: whose API token the `{id}` of a token route is.
async fn ids_in(t: &TestApp, cell_name: &str, token_owner: &str) -> Ids {
    let unit = t.unit_id(cell_name).await;
    let m = member::Entity::find()
        .filter(member::Column::UnitId.eq(unit))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let p = position::Entity::find()
        .filter(position::Column::UnitId.eq(unit))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    // A rule set attached to the cell: visible inside the scope only.
    let rule_set = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::rule_set::ActiveModel {
            code: Set(format!("test-{unit}")),
            name: Set("Quy định thử".into()),
            unit_id: Set(Some(unit)),
            effective_from: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            body: Set(serde_json::to_string(&chibo_domain::rules::builtins()[1].rules).unwrap()),
            builtin: Set(false),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    // A set of members' rules attached to the cell: visible inside the scope only.
    let member_rule_set = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::member_rule_set::ActiveModel {
            code: Set(format!("test-{unit}")),
            name: Set("Quy định đảng viên thử".into()),
            unit_id: Set(Some(unit)),
            effective_from: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            body: Set(serde_json::to_string(&chibo_domain::rules::MemberRules::default()).unwrap()),
            builtin: Set(false),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    // A published meeting of the cell, already held.
    let meeting = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::meeting::ActiveModel {
            unit_id: Set(unit),
            kind: Set("regular".into()),
            combined: Set(false),
            topic: Set("Sinh hoạt thường kỳ".into()),
            meeting_date: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 15).unwrap()),
            start_time: Set("19:30".into()),
            place: Set("Nhà văn hóa".into()),
            rule_set_id: Set(rule_set),
            status: Set("published".into()),
            published_at: Set(Some(chrono::Utc::now())),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    let task = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::meeting_task::ActiveModel {
            meeting_id: Set(meeting),
            member_id: Set(m.id),
            what: Set("Vận động hội viên".into()),
            due_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()),
            status: Set("open".into()),
            progress: Set(None),
            updated_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    let inspection = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::inspection::ActiveModel {
            unit_id: Set(unit),
            cell_id: Set(unit),
            kind: Set("inspection".into()),
            planned_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
            content: Set("Kiểm tra".into()),
            status: Set("planned".into()),
            done_on: Set(None),
            result: Set(String::new()),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    Ids {
        unit,
        member: m.id,
        position: p.id,
        rule_set,
        member_rule_set,
        meeting,
        task,
        file: new_file(t, meeting).await,
        guest: new_guest(t, meeting).await,
        transfer: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::transfer::ActiveModel {
                member_id: Set(m.id),
                kind: Set("permanent".into()),
                reason: Set("work".into()),
                from_unit_id: Set(m.unit_id),
                to_unit_id: Set(None),
                destination: Set("Ngoài hệ thống".into()),
                moved_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
                ends_on: Set(None),
                applied_on: Set(None),
                letter_on: Set(None),
                received_on: Set(None),
                returned_on: Set(None),
                status: Set("open".into()),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        holiday: new_holiday(t).await,
        programme: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::programme::ActiveModel {
                unit_id: Set(unit),
                parent_id: Set(None),
                kind: Set("ke_hoach".into()),
                code: Set("01-KH/CB".into()),
                title: Set("Kế hoạch nâng cao chất lượng sinh hoạt".into()),
                issued_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
                starts_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
                ends_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        review_report: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            let programme = chibo_store::entities::programme::Entity::find()
                .filter(chibo_store::entities::programme::Column::UnitId.eq(unit))
                .one(&t.app.db)
                .await
                .unwrap()
                .unwrap();
            let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
            chibo_store::entities::review_report::ActiveModel {
                programme_id: Set(programme.id),
                unit_id: Set(unit),
                title: Set("Báo cáo sơ kết".into()),
                number: Set("01-BC/CB".into()),
                place: Set("Phú Lâm".into()),
                report_on: Set(day(11, 30)),
                period_from: Set(day(1, 5)),
                period_to: Set(day(10, 31)),
                situation: Set(String::new()),
                assessment: Set(String::new()),
                weaknesses: Set(String::new()),
                directions: Set(String::new()),
                signer_role: Set("T/M CHI BỘ".into()),
                signer_name: Set("Bí thư".into()),
                updated_by: Set(None),
                updated_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        token: new_token(t, token_owner).await,
        notification: new_notification(t, m.id).await,
        outbox: failed_message(t, m.id).await.id,
        cadre_task: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::cadre_task::ActiveModel {
                unit_id: Set(unit),
                member_id: Set(m.id),
                year: Set(2026),
                task: Set("Nhiệm vụ đột phá".into()),
                due_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                status: Set("assigned".into()),
                evidence: Set(String::new()),
                done_on: Set(None),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                updated_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        course: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::course::ActiveModel {
                unit_id: Set(unit),
                name: Set("Lớp bồi dưỡng".into()),
                organiser: Set("Trung tâm".into()),
                starts_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
                ends_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()),
                topics: Set(String::new()),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        inspection,
        recommendation: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::inspection_recommendation::ActiveModel {
                inspection_id: Set(inspection),
                text: Set("Kiến nghị".into()),
                due_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                status: Set("open".into()),
                done_on: Set(None),
                follow_up: Set(String::new()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        candidate: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::candidate::ActiveModel {
                unit_id: Set(unit),
                full_name: Set("Quần chúng ưu tú".into()),
                date_of_birth: Set(chrono::NaiveDate::from_ymd_opt(1995, 5, 5).unwrap()),
                sex: Set("male".into()),
                ethnicity: Set("Kinh".into()),
                citizen_id: Set(None),
                phone: Set(None),
                stage: Set("candidate".into()),
                class_on: Set(None),
                class_certificate: Set(String::new()),
                applied_on: Set(None),
                introducer_member_id: Set(None),
                failed_votes: Set(0),
                voted_on: Set(None),
                decided_on: Set(None),
                decision: Set(String::new()),
                ceremony_on: Set(None),
                member_id: Set(None),
                reviewed_on: Set(None),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        exemption: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::exemption::ActiveModel {
                member_id: Set(m.id),
                requested_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
                reason: Set("Tuổi cao".into()),
                status: Set("requested".into()),
                meeting_id: Set(None),
                decided_on: Set(None),
                reported_on: Set(None),
                revoke_requested_on: Set(None),
                revoke_meeting_id: Set(None),
                revoked_on: Set(None),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
    }
}

/// A holiday on a day no other has (each removal gets one of its own).
async fn new_holiday(t: &TestApp) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, PaginatorTrait, Set};
    let n = chibo_store::entities::holiday::Entity::find()
        .count(&t.app.db)
        .await
        .unwrap();
    chibo_store::entities::holiday::ActiveModel {
        day: Set(
            chrono::NaiveDate::from_ymd_opt(2040, 1, 1).unwrap() + chrono::Duration::days(n as i64)
        ),
        name: Set("Nghỉ bù".into()),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}

/// A document attached to the meeting (each removal gets one of its own).
async fn new_file(t: &TestApp, meeting: i64) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, Set};
    chibo_store::entities::meeting_document::ActiveModel {
        meeting_id: Set(meeting),
        file_name: Set("tai-lieu.txt".into()),
        content_type: Set("text/plain; charset=utf-8".into()),
        size_bytes: Set(2),
        sha256: Set(String::new()),
        data: Set(Some(b"ok".to_vec())),
        stored_path: Set(None),
        uploaded_by: Set(None),
        uploaded_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}

async fn new_guest(t: &TestApp, meeting: i64) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, Set};
    chibo_store::entities::meeting_guest::ActiveModel {
        meeting_id: Set(meeting),
        member_id: Set(None),
        full_name: Set("Nguyễn Văn Khách".into()),
        title: Set("Bí thư Đoàn xã".into()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}

/// Sends one request as a page or API client would.
/// `body_units`: the unit named in the body (`parent_id`, `unit_id`) and the target of a move
/// or merge (`new_parent_id`, `into_unit_id`).
async fn call(
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

#[tokio::test]
async fn every_route_checks_scope_for_every_role() {
    let t = TestApp::new().await;
    // The commune committee of Phú Lâm: Bản Nà is inside its scope, the ward's cell is not.
    let inside = ids_in(&t, "Chi bộ thôn Bản Nà", "xaphulam").await;
    let outside = ids_in(&t, "Chi bộ Tổ dân phố số 1", "bantochuc").await;
    let target_user = user::Entity::find()
        .filter(user::Column::Username.eq("bantochuc"))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let role = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(target_user.id))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();

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
    let missing: Vec<String> = routes
        .iter()
        .filter(|(m, p, _)| case(m, p).is_none())
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization case: {missing:?}"
    );

    let admin_cookie = t.login("admin").await;
    let admin_token = t.token("admin").await;
    let commune_cookie = t.login("xaphulam").await;
    let commune_token = t.token("xaphulam").await;
    let member_cookie = t.login("dangvien.dongtam").await;
    let member_token = t.token("dangvien.dongtam").await;
    let member_actor = auth::actor_by_username(&t.app, "dangvien.dongtam")
        .await
        .unwrap()
        .unwrap();
    let own_member = member_actor.member_id().unwrap().get();
    let mate = member::Entity::find()
        .filter(member::Column::Id.ne(own_member))
        .filter(
            member::Column::UnitId.eq(member::Entity::find_by_id(own_member)
                .one(&t.app.db)
                .await
                .unwrap()
                .unwrap()
                .unit_id),
        )
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();

    let mut failures = Vec::new();
    let mut check = |what: String, got: StatusCode, ok: bool| {
        if !ok {
            failures.push(format!("{what}: got {got}"));
        }
    };

    // 1. Visitors: nothing but the public routes.
    for (m, p, api) in &routes {
        let c = case(m, p).unwrap();
        if c == Case::Public {
            continue;
        }
        let url = fill(p, &outside, target_user.id, role.id, c);
        let got = call(&t, m, &url, *api, None, (0, 0)).await;
        let expected = if *api {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        check(format!("visitor {m} {url}"), got, got == expected);
    }

    // 2. Out of scope: the commune committee and a plain member get 404, never more.
    for (m, p, api) in &routes {
        let c = case(m, p).unwrap();
        if matches!(c, Case::Public | Case::Own | Case::SecondFactor) {
            continue;
        }
        let url = fill(p, &outside, target_user.id, role.id, c);
        for (who, cookie, token) in [
            ("xaphulam", &commune_cookie, &commune_token),
            ("dangvien", &member_cookie, &member_token),
        ] {
            let s = if *api {
                token.as_str()
            } else {
                cookie.as_str()
            };
            let got = call(&t, m, &url, *api, Some(s), (outside.unit, outside.unit)).await;
            check(
                format!("{who} {m} {url} (outside)"),
                got,
                got == StatusCode::NOT_FOUND,
            );
        }
        // A member sees their own record, not their cell-mates'.
        if c == Case::Member {
            let url = p.replace("{id}", &mate.id.to_string());
            let s = if *api {
                member_token.as_str()
            } else {
                member_cookie.as_str()
            };
            let got = call(&t, m, &url, *api, Some(s), (0, 0)).await;
            check(
                format!("dangvien {m} {url} (cell-mate)"),
                got,
                got == StatusCode::NOT_FOUND,
            );
        }
    }

    // 3. Inside the scope: reads succeed, changes get past the scope check. Revoking the token
    // goes last, and each role removal gets a role of its own to remove.
    routes.sort_by_key(|(m, p, _)| *m == Method::DELETE && p.ends_with("/auth/token"));
    let phu_lam = t.unit_id("Đảng bộ xã Phú Lâm").await;
    for (m, p, api) in &routes {
        let c = case(m, p).unwrap();
        if c == Case::Public {
            continue;
        }
        let (cookie, token) = if matches!(
            c,
            Case::Admin | Case::Holiday | Case::MemberAccount | Case::Outbox | Case::SecondFactor
        ) {
            (&admin_cookie, &admin_token)
        } else {
            (&commune_cookie, &commune_token)
        };
        let fresh_role = if p.contains("{role_id}") {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            user_role::ActiveModel {
                user_id: Set(target_user.id),
                role: Set("org_board".into()),
                unit_id: Set(Some(phu_lam)),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        } else {
            role.id
        };
        // Removing a document or a guest uses one made for the purpose.
        let removes = *m == Method::DELETE || p.ends_with("/delete");
        let mut ids = Ids { ..inside };
        if removes && c == Case::File {
            ids.file = new_file(&t, inside.meeting).await;
        }
        if removes && c == Case::Guest {
            ids.guest = new_guest(&t, inside.meeting).await;
        }
        if c == Case::Holiday {
            ids.holiday = new_holiday(&t).await;
        }
        if c == Case::Token {
            ids.token = new_token(&t, "xaphulam").await;
        }
        // A notice is opened by the member it was told to (the committee has no member record).
        let (cookie, token) = if c == Case::Notification {
            ids.notification = new_notification(&t, own_member).await;
            (&member_cookie, &member_token)
        } else {
            (cookie, token)
        };
        let url = fill(p, &ids, target_user.id, fresh_role, c);
        let s = if *api {
            token.as_str()
        } else {
            cookie.as_str()
        };
        let got = call(&t, m, &url, *api, Some(s), (inside.unit, phu_lam)).await;
        let ok = if *m == Method::GET {
            got == StatusCode::OK || (got == StatusCode::SEE_OTHER && !*api)
        } else {
            !matches!(
                got,
                StatusCode::NOT_FOUND
                    | StatusCode::UNAUTHORIZED
                    | StatusCode::FORBIDDEN
                    | StatusCode::INTERNAL_SERVER_ERROR
            )
        };
        check(format!("inside {m} {url}"), got, ok);
    }
    // The member's own record.
    let got = call(
        &t,
        &Method::GET,
        &format!("/api/v1/members/{own_member}"),
        true,
        Some(&member_token),
        (0, 0),
    )
    .await;
    check("own record".into(), got, got == StatusCode::OK);

    assert!(
        failures.is_empty(),
        "authorization failures:\n{}",
        failures.join("\n")
    );
}
