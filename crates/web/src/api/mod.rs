//! The JSON API under `/api/v1`. Every handler carries its OpenAPI annotation and is mounted
//! through [`router`], so the document at `/api/v1/openapi.json` lists every endpoint.

mod contract;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::accounts::api as accounts;
use crate::accounts::member_access;
use crate::accounts::member_page as member_accounts;
use crate::accounts::second_factor;
use crate::admissions::api as admissions;
use crate::badges::api as badges;
use crate::calendar::api as calendar;
use crate::dues::api as dues;
use crate::exemptions::api as exemptions;
use crate::import::api as import;
use crate::meetings::api as meetings;
use crate::meetings::prep_api as meeting_prep;
use crate::members::api as members;
use crate::notices::api as notices;
use crate::programmes::api as programmes;
use crate::reports::api as reports;
use crate::reports::review_api as review;
use crate::reviews::api as reviews;
use crate::rules::api as rule_sets;
use crate::rules::member_api as member_rule_sets;
use crate::state::AppState;
use crate::transfers::api as transfers;
use crate::units::api as units;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chibo API",
        version = "1",
        description = "Quản lý sinh hoạt chi bộ: tổ chức, đảng viên, tài khoản. Xác thực bằng Bearer token (POST /api/v1/auth/token) hoặc cookie phiên đăng nhập. Lỗi trả về dạng {\"error\": {\"code\", \"message\", \"fields\"}}."
    ),
    modifiers(&Security),
    security(("bearer" = []), ("cookie" = [])),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "auth", description = "Đăng nhập, token"),
        (name = "units", description = "Cây tổ chức"),
        (name = "members", description = "Đảng viên"),
        (name = "rules", description = "Bộ quy định sinh hoạt chi bộ theo thời gian"),
        (name = "meetings", description = "Buổi sinh hoạt chi bộ: lịch, thông báo, điểm danh"),
        (name = "reports", description = "Chỉ tiêu, bảng theo dõi, báo cáo theo cây tổ chức"),
        (name = "users", description = "Tài khoản và vai trò (quản trị)"),
        (name = "audit", description = "Nhật ký thay đổi (quản trị)")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::extract::session::SESSION_COOKIE,
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::create_token, accounts::revoke_token))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::my_tokens))
        .routes(routes!(accounts::revoke_my_token))
        .routes(routes!(second_factor::enrolment))
        .routes(routes!(
            second_factor::enable_api,
            second_factor::disable_api
        ))
        .routes(routes!(second_factor::reset_api))
        .routes(routes!(member_access::access_log))
        .routes(routes!(member_access::dossier))
        .routes(routes!(units::list, units::create))
        .routes(routes!(units::choices))
        .routes(routes!(units::founder_choices))
        .routes(routes!(units::move_targets))
        .routes(routes!(units::merge_targets))
        .routes(routes!(units::get))
        .routes(routes!(units::top_level))
        .routes(routes!(units::children))
        .routes(routes!(units::history))
        .routes(routes!(reports::indicators))
        .routes(routes!(reports::unit_programmes, reports::create_programme))
        .routes(routes!(reports::get_programme, reports::update_programme))
        .routes(routes!(reports::programme_uptake))
        .routes(routes!(reports::unit_warnings))
        .routes(routes!(review::reports, review::create))
        .routes(routes!(review::draft))
        .routes(routes!(review::get, review::update))
        .routes(routes!(review::docx))
        .routes(routes!(review::xlsx))
        .routes(routes!(units::rename))
        .routes(routes!(units::move_unit))
        .routes(routes!(units::merge))
        .routes(routes!(units::split))
        .routes(routes!(units::dissolve))
        .routes(routes!(members::list, members::create))
        .routes(routes!(members::get, members::update))
        .routes(routes!(members::add_event))
        .routes(routes!(members::set_gaps))
        .routes(routes!(members::add_position))
        .routes(routes!(members::end_position))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::get_user))
        .routes(routes!(
            member_accounts::accounts_of_member,
            member_accounts::create_for_member
        ))
        .routes(routes!(accounts::add_role))
        .routes(routes!(accounts::remove_role))
        .routes(routes!(accounts::set_password))
        .routes(routes!(accounts::set_active))
        .routes(routes!(accounts::audit))
        .routes(routes!(rule_sets::list, rule_sets::create))
        .routes(routes!(rule_sets::get))
        .routes(routes!(rule_sets::in_force))
        .routes(routes!(member_rule_sets::list, member_rule_sets::create))
        .routes(routes!(member_rule_sets::get))
        .routes(routes!(member_rule_sets::in_force))
        .routes(routes!(meetings::list, meetings::schedule))
        .routes(routes!(meetings::get))
        .routes(routes!(meetings::publish))
        .routes(routes!(meetings::cancel))
        .routes(routes!(meetings::postpone))
        .routes(routes!(meetings::attendance))
        .routes(routes!(meetings::record))
        .routes(routes!(meetings::add_task))
        .routes(routes!(meetings::add_tasks))
        .routes(routes!(meetings::copy_tasks))
        .routes(routes!(meetings::task_progress))
        .routes(routes!(meetings::my_tasks))
        .routes(routes!(meetings::score))
        .routes(routes!(meetings::document))
        .routes(routes!(meetings::approve))
        .routes(routes!(meetings::amend))
        .routes(routes!(meetings::step))
        .routes(routes!(meetings::steps_many))
        .routes(routes!(meetings::speech))
        .routes(routes!(meetings::plan))
        .routes(routes!(meetings::add_topic))
        .routes(routes!(meeting_prep::notice))
        .routes(routes!(meeting_prep::upload).layer(axum::extract::DefaultBodyLimit::disable()))
        .routes(routes!(meeting_prep::download, meeting_prep::delete_file))
        .routes(routes!(meeting_prep::preparation))
        .routes(routes!(meeting_prep::add_guest))
        .routes(routes!(meeting_prep::remove_guest))
        .routes(routes!(meeting_prep::check_in_code))
        .routes(routes!(meeting_prep::check_in))
        .routes(routes!(meeting_prep::confirm_read))
        .routes(routes!(meeting_prep::send_opinion))
        .routes(routes!(meeting_prep::follower, meeting_prep::set_follower))
        .routes(routes!(meeting_prep::follower_choices))
        .routes(routes!(meeting_prep::my_resolutions))
        .routes(routes!(meeting_prep::my_meetings))
        .routes(routes!(
            calendar::my_feed,
            calendar::make_my_feed,
            calendar::stop_my_feed
        ))
        .routes(routes!(
            calendar::cell_feed,
            calendar::make_cell_feed,
            calendar::stop_cell_feed
        ))
        .routes(routes!(calendar::meeting_ics))
        .routes(routes!(notices::my_notifications))
        .routes(routes!(notices::read_all))
        .routes(routes!(notices::read_one))
        .routes(routes!(notices::my_choices, notices::save_choices))
        .routes(routes!(notices::meeting_reached))
        .routes(routes!(notices::admin_outbox))
        .routes(routes!(notices::retry))
        .routes(routes!(badges::due))
        .routes(routes!(badges::for_member, badges::award))
        .routes(routes!(badges::discipline))
        .routes(routes!(transfers::list))
        .routes(routes!(transfers::of_member, transfers::start))
        .routes(routes!(transfers::destinations))
        .routes(routes!(transfers::step))
        .routes(routes!(transfers::holidays, transfers::add_holiday))
        .routes(routes!(transfers::remove_holiday))
        .routes(routes!(transfers::confirm_holiday_year))
        .routes(routes!(exemptions::list))
        .routes(routes!(exemptions::of_member, exemptions::request))
        .routes(routes!(exemptions::step))
        .routes(routes!(
            programmes::cadre_tasks,
            programmes::give_cadre_task
        ))
        .routes(routes!(programmes::update_cadre_task))
        .routes(routes!(programmes::training))
        .routes(routes!(programmes::officers))
        .routes(routes!(programmes::cells_to_inspect))
        .routes(routes!(programmes::add_course))
        .routes(routes!(programmes::course))
        .routes(routes!(programmes::participants))
        .routes(routes!(
            programmes::inspections,
            programmes::plan_inspection
        ))
        .routes(routes!(programmes::record_inspection))
        .routes(routes!(programmes::follow_up))
        .routes(routes!(import::import_members).layer(axum::extract::DefaultBodyLimit::disable()))
        .routes(routes!(import::export_members))
        .routes(routes!(import::template))
        .routes(routes!(import::import_tree).layer(axum::extract::DefaultBodyLimit::disable()))
        .routes(routes!(import::tree_template))
        .routes(routes!(dues::list, dues::record))
        .routes(routes!(dues::import).layer(axum::extract::DefaultBodyLimit::disable()))
        .routes(routes!(dues::template))
        .routes(routes!(reviews::sheet, reviews::save))
        .routes(routes!(reviews::decide))
        .routes(routes!(reviews::set_member_level))
        .routes(routes!(reviews::summary))
        .routes(routes!(admissions::list, admissions::propose))
        .routes(routes!(admissions::step))
}

/// The OpenAPI document, built once.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = router().split_for_parts().1;
        contract::complete(&mut doc);
        doc
    })
}
