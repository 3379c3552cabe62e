use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chibo_app::access::member_accounts::{self, CELL_ROLES, MemberAccounts};
use chibo_app::membership::badges;
use chibo_app::membership::member_edit;
use chibo_app::membership::member_edit::MemberInput;
use chibo_app::membership::member_events;
use chibo_app::membership::member_events::StatusEventInput;
use chibo_app::membership::members;
use chibo_app::membership::members::{MemberDetail, MemberPage, MemberQuery};
use chibo_app::membership::party_gaps::{self, GapInput, GapsInput};
use chibo_app::membership::positions;
use chibo_app::membership::positions::{EndPositionInput, PositionInput};
use chibo_app::org::units;
use chibo_app::refs::UnitChoices;
use chibo_app::workflows::exemptions;
use chibo_app::workflows::transfers;
use chibo_app::{Actor, App, AppError};
use chibo_domain::member::{GapKind, PositionKind, StatusEventKind};
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::{Form, FormValues};
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, Typed};

#[derive(Debug, Default, Deserialize)]
pub struct ListQ {
    pub q: Option<String>,
    pub unit_id: Option<String>,
    pub all: Option<String>,
    pub page: Option<chibo_domain::bounded::PageNumber>,
    /// The `next` of the page before (keyset paging).
    pub after: Option<chibo_domain::cursor::Cursor>,
}

#[derive(Template)]
#[template(path = "members.html")]
struct ListPage {
    nav: Nav,
    q: String,
    unit_id: String,
    unit_name: Option<String>,
    all: bool,
    result: MemberPage,
    /// Not the first page: offer the way back to it.
    later: bool,
}

/// The result table alone, for htmx while the user types.
#[derive(Template)]
#[template(path = "members_results.html")]
struct ResultsPart {
    q: String,
    unit_id: String,
    all: bool,
    result: MemberPage,
    /// Not the first page: offer the way back to it.
    later: bool,
}

/// The member list and search; htmx asks for the results table only while the user types.
pub async fn list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    headers: HeaderMap,
    PageQuery(q): PageQuery<ListQ>,
) -> Result<Response, PageError> {
    let unit_id = q.unit_id.as_deref().and_then(|v| v.parse::<i64>().ok());
    let all = q.all.as_deref() == Some("1");
    let result = members::list(
        &s.app,
        &a,
        MemberQuery {
            q: q.q.clone(),
            unit_id,
            all: Some(all),
            page: q.page,
            after: q.after.clone(),
            per_page: Some(chibo_domain::bounded::PageSize::clamped(50)),
        },
    )
    .await?;
    let unit_name = match unit_id {
        Some(id) => Some(units::visible_ref(&s.app, &a, id).await?.name),
        None => None,
    };
    let later = q.after.is_some() || result.page > 1;
    if headers.contains_key("hx-request") {
        return render(&ResultsPart {
            q: q.q.unwrap_or_default(),
            unit_id: unit_id.map(|i| i.to_string()).unwrap_or_default(),
            all,
            result,
            later,
        });
    }
    render(&ListPage {
        nav: Nav::of(&a),
        q: q.q.unwrap_or_default(),
        unit_id: unit_id.map(|i| i.to_string()).unwrap_or_default(),
        unit_name,
        all,
        result,
        later,
    })
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPageT {
    nav: Nav,
    m: MemberDetail,
    badges: badges::MemberBadges,
    transfers: Vec<transfers::TransferView>,
    exemptions: Vec<exemptions::ExemptionView>,
    /// The signed-in user's own record.
    is_self: bool,
    destinations: UnitChoices,
    errors: Vec<String>,
    today: String,
    event_kinds: Vec<(&'static str, &'static str)>,
    gap_kinds: Vec<(&'static str, &'static str)>,
    position_kinds: Vec<(&'static str, &'static str)>,
    /// The member's login accounts, for an administrator.
    account: Option<MemberAccounts>,
    /// The form of this page that was refused, as typed: `account`, `event`, `position`, `gap`,
    /// `exemption`, `transfer`, `award`, `discipline`, `end-position-<position>`, or a step's
    /// button (`exemption-<id>-<step>`, `transfer-<id>-<step>`).
    refused: Refusal,
    /// What was just done, after a form of this page succeeded.
    saved: Option<&'static str>,
}

impl MemberPageT {
    /// The roles an account made from this page may take.
    fn account_roles(&self) -> Vec<(&'static str, &'static str)> {
        CELL_ROLES.iter().map(|r| (r.code(), r.label())).collect()
    }

    /// What `form` had when it was refused.
    fn typed(&self, form: &str) -> Option<&Typed> {
        self.refused.open(form).then_some(&self.refused.typed)
    }

    /// Whether `form` was refused (it is then shown open).
    fn open(&self, form: &str) -> bool {
        self.typed(form).is_some()
    }

    /// A field's value: as typed when its form was refused, else `default`.
    fn val<'a>(&'a self, form: &str, key: &str, default: &'a str) -> &'a str {
        self.typed(form).map_or(default, |t| t.get(key))
    }

    /// Whether a choice (`value` of `key`) is selected: as typed when its form was refused,
    /// else `default`.
    fn chose(&self, form: &str, key: &str, value: &str, default: bool) -> bool {
        self.typed(form).map_or(default, |t| t.get(key) == value)
    }

    /// A field's message when its form was refused ("" when none).
    fn err(&self, form: &str, field: &str) -> &str {
        self.typed(form).map_or("", |t| t.err(field))
    }

    fn bad(&self, form: &str, field: &str) -> bool {
        !self.err(form, field).is_empty()
    }

    /// The badge the award form offers: the member's next one.
    fn next_badge_years(&self) -> Option<u32> {
        self.badges.next.as_ref().map(|n| n.years)
    }

    /// The award day the award form offers: the next one's.
    fn next_award_on(&self) -> String {
        self.badges
            .next
            .as_ref()
            .map(|n| n.award_on.to_string())
            .unwrap_or_default()
    }
}

pub(crate) async fn render_member(
    s: &AppState,
    a: &Actor,
    id: i64,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    render_member_page(s, a, id, errors, Refusal::default(), None).await
}

/// The member's page again with a refused `form` of it as typed.
pub(crate) async fn render_member_refused(
    s: &AppState,
    a: &Actor,
    id: i64,
    refused: Refusal,
) -> Result<Response, PageError> {
    render_member_page(s, a, id, vec![], refused, None).await
}

/// After a form of a member's page: to `done` when it succeeded, else the page again with the
/// form (`form`) as typed (never a password) and each error beside its field.
pub(crate) async fn after_member_form<T>(
    s: &AppState,
    a: &Actor,
    id: i64,
    r: Result<T, AppError>,
    form: &str,
    values: &FormValues,
    done: impl FnOnce(T) -> String,
) -> Result<Response, PageError> {
    match crate::typed::refused(r, values, &["password"])? {
        Ok(v) => Ok(see_other(&done(v))),
        Err(typed) => render_member_refused(s, a, id, Refusal::of(form, typed)).await,
    }
}

async fn render_member_page(
    s: &AppState,
    a: &Actor,
    id: i64,
    errors: Vec<String>,
    refused: Refusal,
    saved: Option<&'static str>,
) -> Result<Response, PageError> {
    let m = members::get(&s.app, a, id).await?;
    let account = match a.admin() {
        Ok(admin) => Some(member_accounts::of_member(&s.app, &admin, id).await?),
        Err(_) => None,
    };
    let badges = badges::for_member(&s.app, a, id).await?;
    let transfers = transfers::of_member(&s.app, a, id).await?;
    let exemptions = exemptions::of_member(&s.app, a, id).await?;
    let destinations = if m.can_manage {
        transfers::destinations(&s.app, a, id, None, None, crate::render::FIRST_CHOICES).await?
    } else {
        UnitChoices::default()
    };
    let status = if refused.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        crate::render::status_for(&errors)
    };
    render_status(
        status,
        &MemberPageT {
            nav: Nav::of(a),
            m,
            badges,
            transfers,
            exemptions,
            is_self: a.is_member(id),
            destinations,
            errors,
            today: App::today().to_string(),
            event_kinds: StatusEventKind::ALL
                .iter()
                .filter(|k| **k != StatusEventKind::TempTransferIn)
                .map(|k| (k.code(), k.label()))
                .collect(),
            gap_kinds: GapKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            position_kinds: PositionKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            account,
            refused,
            saved,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQ {
    /// What a form of the page just did (`tai-khoan`: an account was made).
    #[serde(rename = "da-luu")]
    pub saved: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ShowQ>,
) -> Result<Response, PageError> {
    let saved = q.saved.map(|code| match code.as_str() {
        "tai-khoan" => {
            "Đã tạo tài khoản đăng nhập; hãy báo tên đăng nhập và mật khẩu ban đầu cho đảng viên."
        }
        _ => "Đã lưu.",
    });
    render_member_page(&s, &a, id, vec![], Refusal::default(), saved).await
}

/// The member form's values for an existing record.
fn typed_from_detail(m: &MemberDetail) -> Typed {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    Typed::offered([
        ("full_name", m.full_name.clone()),
        ("date_of_birth", m.date_of_birth.to_string()),
        ("sex", m.sex.clone()),
        ("ethnicity", m.ethnicity.clone()),
        ("citizen_id", opt(&m.citizen_id)),
        ("phone", opt(&m.phone)),
        ("admission_date", m.admission_date.to_string()),
        (
            "official_date",
            m.official_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("card_number", opt(&m.card_number)),
        ("history_number", opt(&m.history_number)),
        ("badge_number", opt(&m.badge_number)),
    ])
}

#[derive(Template)]
#[template(path = "member_form.html")]
struct MemberForm {
    nav: Nav,
    title: String,
    action: String,
    cancel: String,
    creating: bool,
    unit_name: String,
    f: Typed,
}

impl MemberForm {
    fn creating(a: &Actor, unit_id: i64, unit_name: String, f: Typed) -> Self {
        MemberForm {
            nav: Nav::of(a),
            title: format!("Thêm đảng viên vào {unit_name}"),
            action: format!("/units/{unit_id}/members"),
            cancel: format!("/units/{unit_id}"),
            creating: true,
            unit_name,
            f,
        }
    }

    fn editing(a: &Actor, m: &MemberDetail, f: Typed) -> Self {
        MemberForm {
            nav: Nav::of(a),
            title: format!("Sửa hồ sơ: {}", m.full_name),
            action: format!("/members/{}/edit", m.id),
            cancel: format!("/members/{}", m.id),
            creating: false,
            unit_name: m.unit.name.clone(),
            f,
        }
    }
}

pub async fn new_form(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let u = member_edit::unit_for_new_member(&s.app, &a, id).await?;
    let f = Typed::offered([("ethnicity", "Kinh")]);
    render(&MemberForm::creating(&a, u.id, u.name, f))
}

pub async fn create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values: f }: Form<MemberInput>,
) -> Result<Response, PageError> {
    let u = member_edit::unit_for_new_member(&s.app, &a, id).await?;
    let input = MemberInput {
        unit_id: Some(u.id),
        ..input
    };
    match member_edit::create(&s.app, &a, input).await {
        Ok(m) => Ok(see_other(&format!("/members/{}", m.id))),
        Err(AppError::Invalid(inv)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &MemberForm::creating(&a, u.id, u.name, Typed::sent(&f, &[]).with_errors(&inv)),
        ),
        Err(e) => Err(PageError(e)),
    }
}

pub async fn edit_form(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let m = members::get(&s.app, &a, id).await?;
    a.require(m.can_manage)?;
    render(&MemberForm::editing(&a, &m, typed_from_detail(&m)))
}

pub async fn update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values: f }: Form<MemberInput>,
) -> Result<Response, PageError> {
    // Moving a member between cells is a transfer, never an edit.
    let input = MemberInput {
        unit_id: None,
        initial_status: None,
        ..input
    };
    match member_edit::update(&s.app, &a, id, input).await {
        Ok(m) => Ok(see_other(&format!("/members/{}", m.id))),
        Err(AppError::Invalid(inv)) => {
            let m = members::get(&s.app, &a, id).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &MemberForm::editing(&a, &m, Typed::sent(&f, &[]).with_errors(&inv)),
            )
        }
        Err(e) => Err(PageError(e)),
    }
}

pub(super) async fn member_action(
    s: &AppState,
    a: &Actor,
    id: i64,
    r: Result<MemberDetail, AppError>,
) -> Result<Response, PageError> {
    match crate::render::form_errors(r)? {
        Ok(m) => Ok(see_other(&format!("/members/{}", m.id))),
        Err(errors) => render_member(s, a, id, errors).await,
    }
}

pub async fn add_event(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<StatusEventInput>,
) -> Result<Response, PageError> {
    let r = member_events::add_event(&s.app, &a, id, input).await;
    after_member_form(&s, &a, id, r, "event", &values, |m| {
        format!("/members/{}", m.id)
    })
    .await
}

/// The periods a member's page shows, as the list `set_gaps` replaces.
fn gap_inputs(m: &MemberDetail) -> Vec<GapInput> {
    m.recorded_gaps
        .iter()
        .map(|g| GapInput {
            kind: g.kind.clone(),
            from: Some(g.from.to_string()),
            to: Some(g.to.to_string()),
            note: g.note.clone(),
        })
        .collect()
}

/// Adds one period not counted towards party age to those already entered.
pub async fn add_gap(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<GapInput>,
) -> Result<Response, PageError> {
    let mut gaps = gap_inputs(&members::get(&s.app, &a, id).await?);
    gaps.push(input);
    // The row added is the last one: its errors (`gaps[N].from`) belong to the form's fields.
    let added = format!("gaps[{}].", gaps.len() - 1);
    let r = crate::typed::row_fields(
        party_gaps::set_gaps(&s.app, &a, id, GapsInput { gaps }).await,
        &added,
    );
    after_member_form(&s, &a, id, r, "gap", &values, |m| {
        format!("/members/{}#party-age-gaps", m.id)
    })
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RemoveGapForm {
    index: usize,
}

/// Removes one of the periods entered (by its place in the list).
pub async fn remove_gap(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input: f, .. }: Form<RemoveGapForm>,
) -> Result<Response, PageError> {
    let mut gaps = gap_inputs(&members::get(&s.app, &a, id).await?);
    if f.index < gaps.len() {
        gaps.remove(f.index);
    }
    let r = party_gaps::set_gaps(&s.app, &a, id, GapsInput { gaps }).await;
    member_action(&s, &a, id, r).await
}

pub async fn add_position(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<PositionInput>,
) -> Result<Response, PageError> {
    let r = positions::add_position(&s.app, &a, id, input).await;
    after_member_form(&s, &a, id, r, "position", &values, |m| {
        format!("/members/{}", m.id)
    })
    .await
}

pub async fn end_position(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input: f, values }: Form<EndPositionForm>,
) -> Result<Response, PageError> {
    let input = EndPositionInput { term_to: f.term_to };
    let r = positions::end_position(&s.app, &a, id, input).await;
    match (r, f.member_id) {
        (Ok(m), _) => Ok(see_other(&format!("/members/{}", m.id))),
        (Err(e), Some(member)) => {
            let form = format!("end-position-{id}");
            after_member_form(&s, &a, member, Err::<(), _>(e), &form, &values, |_| {
                String::new()
            })
            .await
        }
        (Err(e), None) => Err(PageError(e)),
    }
}

/// Ending a position, posted from the member's page (`member_id`, to show it again on an
/// error).
#[derive(serde::Deserialize)]
pub struct EndPositionForm {
    member_id: Option<i64>,
    term_to: Option<String>,
}
