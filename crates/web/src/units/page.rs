use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::membership::members;
use chibo_app::membership::members::{MemberQuery, MemberSummary};
use chibo_app::org::edit;
use chibo_app::org::edit::{NewUnit, RenameUnit};
use chibo_app::org::history;
use chibo_app::org::restructure;
use chibo_app::org::restructure::{DissolveUnit, MergeUnit, MoveUnit, SplitPart, SplitUnit};
use chibo_app::org::tree;
use chibo_app::org::tree::TreeLevel;
use chibo_app::org::unit_page;
use chibo_app::org::unit_page::UnitDetail;
use chibo_app::org::unit_targets::{self, Target};
use chibo_app::org::units;
use chibo_app::paging::PER_PAGE;
use chibo_app::refs::{MemberChoices, MemberRef, UnitRef};
use chibo_app::{Actor, App, AppError};
use chibo_domain::cursor::Cursor;
use chibo_domain::org::{CellType, UnitKind};
use chibo_domain::validate::parse_date;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::{Form, FormValues};
use crate::extract::path::PathId;
use crate::extract::query::{ChoicesQuery, PageQuery, Paging};
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{FIRST_CHOICES, Nav, render, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, refused, row_fields};

#[derive(Debug, Default, Deserialize)]
pub struct DateQ {
    pub ngay: Option<String>,
    /// The rest of a level of the tree, from this cursor on.
    pub after: Option<Cursor>,
    /// The change just made, confirmed on the unit's page.
    #[serde(rename = "da-luu")]
    pub saved: Option<String>,
}

/// What the unit page confirms after each of its changes (`?da-luu=<change>`).
fn saved_message(change: &str) -> &'static str {
    match change {
        "found" => "Đã thành lập đơn vị.",
        "rename" => "Đã đổi tên đơn vị.",
        "move" => "Đã chuyển đơn vị sang trực thuộc đơn vị cấp trên mới.",
        "merge" => "Đã sáp nhập: đảng viên và đơn vị trực thuộc đã chuyển sang đơn vị này.",
        "split" => "Đã tách chi bộ: đây là chi bộ mới.",
        "dissolve" => "Đã giải thể đơn vị.",
        _ => "Đã lưu thay đổi.",
    }
}

fn as_of(q: &DateQ) -> Result<Option<chrono::NaiveDate>, PageError> {
    match q.ngay.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_date(s).map(Some).ok_or_else(|| {
            PageError(AppError::invalid(
                "ngay",
                "Ngày xem không đúng định dạng (dd/mm/yyyy).",
            ))
        }),
    }
}

#[derive(Template)]
#[template(path = "tree.html")]
struct TreePage {
    nav: Nav,
    level: TreeLevel,
    /// The children of the only top unit, shown open.
    open: Option<TreeLevel>,
    as_of: Option<chrono::NaiveDate>,
    date_value: String,
    /// "?ngay=…" for a past date, else empty: carried by every link of the tree.
    q: String,
}

fn date_query(as_of: Option<chrono::NaiveDate>) -> String {
    as_of.map(|d| format!("?ngay={d}")).unwrap_or_default()
}

/// The tree, one level at a time: the top units of the user's scope (the only one opened).
pub async fn tree(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<DateQ>,
) -> Result<Response, PageError> {
    let as_of = as_of(&q)?;
    let level = tree::level(&s.app, &a, None, as_of, None, PER_PAGE).await?;
    let open = match level.nodes.as_slice() {
        [only] if only.child_count > 0 => {
            Some(tree::level(&s.app, &a, Some(only.unit.id), as_of, None, PER_PAGE).await?)
        }
        _ => None,
    };
    render(&TreePage {
        nav: Nav::of(&a),
        date_value: as_of.unwrap_or_else(App::today).to_string(),
        q: date_query(as_of),
        as_of,
        level,
        open,
    })
}

#[derive(Template)]
#[template(path = "tree_level.html")]
struct TreeLevelPart {
    /// The unit whose children these are.
    id: i64,
    level: TreeLevel,
    q: String,
    /// The rest of a level: its items alone, to follow the ones shown.
    more: bool,
}

/// The units directly under one unit, as a list the tree page opens in place (htmx).
pub async fn tree_level(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<DateQ>,
) -> Result<Response, PageError> {
    let as_of = as_of(&q)?;
    render(&TreeLevelPart {
        id,
        level: tree::level(&s.app, &a, Some(id), as_of, q.after.as_ref(), PER_PAGE).await?,
        q: date_query(as_of),
        more: q.after.is_some(),
    })
}

#[derive(Template)]
#[template(path = "unit_history.html")]
struct HistoryView {
    nav: Nav,
    h: history::HistoryPage,
    /// Not the newest page: link back to it.
    later: bool,
}

/// A unit's history, a page at a time.
pub async fn history(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<Paging>,
) -> Result<Response, PageError> {
    let per_page = q.per_page_or(history::PER_PAGE);
    render(&HistoryView {
        nav: Nav::of(&a),
        h: history::history(&s.app, &a, id, q.after.as_ref(), per_page).await?,
        later: q.after.is_some(),
    })
}

/// Live units of the user's scope whose name contains what is typed, as a form's options.
pub async fn unit_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    let page = units::choices(&s.app, &a, Some(&q.q), None, FIRST_CHOICES).await?;
    crate::render::choices(page)
}

#[derive(Template)]
#[template(path = "founder_choices.html")]
struct FounderChoices {
    items: Vec<chibo_app::refs::MemberRef>,
    more: bool,
}

/// Members a new unit under this one may be founded with whose name contains what is typed,
/// as ticks.
pub async fn founder_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    let page = edit::founder_choices(&s.app, &a, id, Some(&q.q), None, FIRST_CHOICES).await?;
    render(&FounderChoices {
        more: page.next.is_some(),
        items: page.items,
    })
}

/// Units the unit may be moved under whose name contains what is typed, as the form's options.
pub async fn move_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    target_choices(&s, &a, id, Target::Move, &q.q).await
}

/// Units the unit may be merged into whose name contains what is typed, as the form's options.
pub async fn merge_choices(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<ChoicesQuery>,
) -> Result<Response, PageError> {
    target_choices(&s, &a, id, Target::Merge, &q.q).await
}

async fn target_choices(
    s: &AppState,
    a: &Actor,
    id: i64,
    target: Target,
    q: &str,
) -> Result<Response, PageError> {
    let page = unit_targets::choices(&s.app, a, id, target, Some(q), None, FIRST_CHOICES).await?;
    crate::render::choices(page)
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    nav: Nav,
    d: UnitDetail,
    as_of: Option<chrono::NaiveDate>,
    /// "?ngay=…" for a past date, else empty (the tree's links carry it).
    q: String,
    /// The form that was refused, with what was typed in it.
    refused: Refusal,
    chosen: Chosen,
    /// The confirmation of the change just made.
    saved: Option<&'static str>,
    today: String,
    child_kinds: Vec<(&'static str, &'static str)>,
    cell_types: Vec<(&'static str, &'static str)>,
    targets: unit_targets::RestructureTargets,
    members: Vec<MemberSummary>,
    members_total: i64,
    /// The first members a new unit may be founded with (searched for the rest).
    founders: MemberChoices,
    is_cell: bool,
}

/// What a refused form of the unit page (`found`, `rename`, `move`, `merge`, `split`,
/// `dissolve`) had chosen beyond its first choices, shown chosen again.
#[derive(Default)]
struct Chosen {
    /// The members a refused founding had ticked.
    founders: Vec<MemberRef>,
    /// The unit a refused move or merge had chosen.
    target: Option<UnitRef>,
}

impl UnitPage {
    /// The unit a refused move or merge had chosen, when it is not among the first targets.
    fn target_beyond(&self, form: &str, first: &[UnitRef]) -> Option<&UnitRef> {
        self.chosen
            .target
            .as_ref()
            .filter(|t| self.refused.open(form) && first.iter().all(|f| f.id != t.id))
    }
}

async fn render_unit(
    s: &AppState,
    a: &Actor,
    id: i64,
    as_of: Option<chrono::NaiveDate>,
    (refused, chosen): (Refusal, Chosen),
    saved: Option<&'static str>,
) -> Result<Response, PageError> {
    let d = unit_page::detail(&s.app, a, id, as_of).await?;
    let child_kinds = d
        .creatable_kinds
        .iter()
        .filter_map(|c| UnitKind::from_code(c))
        .map(|k| (k.code(), k.label()))
        .collect();
    let cell_types = CellType::ALL
        .iter()
        .map(|c| (c.code(), c.label()))
        .collect();
    let targets = if d.can_restructure && as_of.is_none() {
        unit_targets::targets(&s.app, a, id).await?
    } else {
        Default::default()
    };
    // A cell's whole roll (its split form ticks members from it); a committee's first page,
    // the rest being the member list's.
    let is_cell = UnitKind::from_code(&d.unit.kind).is_some_and(|k| k.is_cell());
    let page = members::list_uncounted(
        &s.app,
        a,
        MemberQuery {
            unit_id: Some(id),
            per_page: Some(chibo_domain::bounded::PageSize::clamped(if is_cell {
                500
            } else {
                50
            })),
            ..Default::default()
        },
    )
    .await;
    let mut founders = if d.can_create_child && as_of.is_none() {
        edit::founder_choices(&s.app, a, id, None, None, FIRST_CHOICES).await?
    } else {
        MemberChoices::default()
    };
    // The founders a refused founding had ticked are shown ticked above the choices, once.
    founders
        .items
        .retain(|m| chosen.founders.iter().all(|f| f.id != m.id));
    // A unit shown as of a past date has no current member list to offer.
    let members = match page {
        Ok(p) if as_of.is_none() => p.items,
        _ => vec![],
    };
    let members_total = d.subtree_member_count;
    let status = refused.status();
    render_status(
        status,
        &UnitPage {
            nav: Nav::of(a),
            is_cell,
            d,
            as_of,
            q: date_query(as_of),
            refused,
            chosen,
            saved,
            today: App::today().to_string(),
            child_kinds,
            cell_types,
            targets,
            members,
            members_total,
            founders,
        },
    )
}

pub async fn show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<DateQ>,
) -> Result<Response, PageError> {
    let as_of = as_of(&q)?;
    let saved = q.saved.as_deref().map(saved_message);
    render_unit(&s, &a, id, as_of, Default::default(), saved).await
}

/// Runs a change; on success goes to the page of the unit `to(result)` names, which confirms
/// `form`'s change (a key of `saved_message`); when refused, shows the unit page again with
/// `form` open, as typed, its fields marked.
async fn act<T>(
    s: &AppState,
    a: &Actor,
    id: i64,
    r: Result<T, AppError>,
    (form, sent): (&'static str, FormValues),
    to: impl FnOnce(&T) -> i64,
) -> Result<Response, PageError> {
    let typed = match refused(r, &sent, &[])? {
        Ok(v) => return Ok(see_other(&format!("/units/{}?da-luu={form}", to(&v)))),
        Err(typed) => typed,
    };
    let founders = match form {
        "found" => edit::on_roll_named(&s.app, a, id, &typed.ids("founding_member_ids")).await?,
        _ => vec![],
    };
    let target = match typed.get(if form == "move" {
        "new_parent_id"
    } else {
        "into_unit_id"
    }) {
        chosen if matches!(form, "move" | "merge") && !chosen.is_empty() => match chosen.parse() {
            Ok(t) => units::visible_ref(&s.app, a, t).await.ok(),
            Err(_) => None,
        },
        _ => None,
    };
    let chosen = Chosen { founders, target };
    render_unit(s, a, id, None, (Refusal::of(form, typed), chosen), None).await
}

pub async fn create_child(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<NewUnit>,
) -> Result<Response, PageError> {
    let input = NewUnit {
        parent_id: Some(id),
        ..input
    };
    let r = edit::create(&s.app, &a, input).await;
    act(&s, &a, id, r, ("found", values), |u| u.id).await
}

pub async fn rename(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<RenameUnit>,
) -> Result<Response, PageError> {
    let r = edit::rename(&s.app, &a, id, input).await;
    act(&s, &a, id, r, ("rename", values), |u| u.id).await
}

pub async fn move_unit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<MoveUnit>,
) -> Result<Response, PageError> {
    let r = restructure::move_unit(&s.app, &a, id, input).await;
    act(&s, &a, id, r, ("move", values), |u| u.id).await
}

pub async fn merge(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<MergeUnit>,
) -> Result<Response, PageError> {
    let r = restructure::merge(&s.app, &a, id, input).await;
    act(&s, &a, id, r, ("merge", values), |u| {
        u.successor_id.unwrap_or(u.id)
    })
    .await
}

/// The page splits off one new cell at a time (the API takes several parts).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SplitForm {
    name: String,
    cell_type: Option<String>,
    member_ids: Vec<i64>,
    effective_on: Option<String>,
}

pub async fn split(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input: f, values }: Form<SplitForm>,
) -> Result<Response, PageError> {
    let input = SplitUnit {
        parts: vec![SplitPart {
            name: f.name,
            cell_type: f.cell_type,
            member_ids: f.member_ids,
        }],
        effective_on: f.effective_on,
    };
    // The page sends one part: its errors (`parts[0].name`) are the form's fields.
    let r = row_fields(restructure::split(&s.app, &a, id, input).await, "parts[0].");
    // The page splits off one new cell, whose page it shows.
    act(&s, &a, id, r, ("split", values), |parts| {
        parts.first().map_or(id, |p| p.id)
    })
    .await
}

pub async fn dissolve(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<DissolveUnit>,
) -> Result<Response, PageError> {
    let r = restructure::dissolve(&s.app, &a, id, input).await;
    act(&s, &a, id, r, ("dissolve", values), |u| u.id).await
}
