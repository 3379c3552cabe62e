//! Reading members: the searchable paged list, a member's page, the officers of a unit on a day
//! and the roll codes. Other contexts read members through here.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::bounded::{PageNumber, PageSize};
use chibo_domain::cursor::Cursor;
use chibo_domain::ids::MemberId;
use chibo_domain::member::{
    self as rules, PartyAge, PositionKind, Sex, Standing, Status, StatusEvent, StatusEventKind,
};
use chibo_domain::org::UnitKind;
use chibo_domain::text;
use chibo_store::entities::{member, member_event, member_unit, party_age_gap, position, unit};
use chibo_store::name_order::{NameOrder, name_order_for};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use chibo_store::search::NameSearch;
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::Actor;
use crate::org::units;
use crate::refs::{MemberChoices, MemberRef, UnitRef};
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PositionView {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub unit_id: i64,
    /// `secretary`, `deputy_secretary`, `committee_member`.
    pub kind: String,
    pub kind_label: String,
    pub term_from: NaiveDate,
    pub term_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub effective_on: NaiveDate,
    pub until: Option<NaiveDate>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MembershipView {
    pub unit: UnitRef,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyAgeView {
    pub years: u32,
    pub months: u32,
    pub days: u32,
    /// Days deducted for periods out of the Party.
    pub gap_days: i64,
    pub text: String,
}

impl From<PartyAge> for PartyAgeView {
    fn from(a: PartyAge) -> Self {
        Self {
            years: a.years,
            months: a.months,
            days: a.days,
            gap_days: a.gap_days,
            text: a.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberSummary {
    pub id: i64,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub sex_label: String,
    pub standing: String,
    pub standing_label: String,
    pub status: String,
    pub status_label: String,
    pub admission_date: NaiveDate,
    pub card_number: Option<String>,
    pub unit: UnitRef,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberDetail {
    pub id: i64,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub sex_label: String,
    pub ethnicity: String,
    pub citizen_id: Option<String>,
    pub phone: Option<String>,
    pub admission_date: NaiveDate,
    pub official_date: Option<NaiveDate>,
    pub standing: String,
    pub standing_label: String,
    pub card_number: Option<String>,
    pub history_number: Option<String>,
    pub badge_number: Option<String>,
    pub status: String,
    pub status_label: String,
    pub unit: UnitRef,
    pub party_age: PartyAgeView,
    pub positions: Vec<PositionView>,
    pub events: Vec<EventView>,
    pub memberships: Vec<MembershipView>,
    /// Periods entered by hand that do not count towards party age (their days are in
    /// `party_age.gap_days`, with those of the status events).
    pub recorded_gaps: Vec<crate::membership::party_gaps::GapView>,
    pub can_manage: bool,
    /// May open the unit's page (a member reading their own record may not: they get the
    /// meetings of `cell`, the cell their unit belongs to).
    pub can_read_unit: bool,
    pub cell: UnitRef,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Name, without diacritics if you like ("nguyen van duc").
    pub q: Option<String>,
    /// Only members of this unit and the units below it.
    pub unit_id: Option<i64>,
    /// Also list members who left the roll (transferred, removed, deceased…).
    pub all: Option<bool>,
    /// A page by number, within the first 10,000 rows; go further with `after`.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<PageNumber>,
    /// Start after this row: the `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub after: Option<Cursor>,
    /// Rows on a page (50 by default).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<PageSize>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberSummary>,
    /// Members listed in all, on the first page (absent on a page asked by `after`); for a
    /// name search at most `SEARCH_COUNT_CAP`.
    pub total: Option<u64>,
    /// The search matched more than `total` members.
    pub total_capped: bool,
    /// The page number asked for (1 when the page was asked by `after`).
    pub page: u64,
    pub per_page: u64,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

pub(crate) fn status_of(code: &str) -> Status {
    Status::from_code(code).unwrap_or(Status::Active)
}

fn summary(
    m: &member::Model,
    unit_names: &HashMap<i64, String>,
    today: NaiveDate,
) -> MemberSummary {
    let sex = Sex::from_code(&m.sex);
    let standing = Standing::on(m.official_date, today);
    let status = status_of(&m.status);
    MemberSummary {
        id: m.id,
        full_name: m.full_name.clone(),
        date_of_birth: m.date_of_birth,
        sex: m.sex.clone(),
        sex_label: sex.map(|s| s.label().to_string()).unwrap_or_default(),
        standing: format!("{standing:?}").to_lowercase(),
        standing_label: standing.label().to_string(),
        status: m.status.clone(),
        status_label: status.label().to_string(),
        admission_date: m.admission_date,
        card_number: m.card_number.clone(),
        unit: UnitRef {
            id: m.unit_id,
            name: unit_names.get(&m.unit_id).cloned().unwrap_or_default(),
        },
    }
}

/// Members after `c` in Vietnamese name order (`sort_key`, then the id): the keyset every
/// member list pages by, on the `members(sort_key)` index.
pub(crate) fn after_in_name_order(c: &Cursor) -> Condition {
    Condition::any()
        .add(member::Column::SortKey.gt(c.key.as_str()))
        .add(
            Condition::all()
                .add(member::Column::SortKey.eq(c.key.as_str()))
                .add(member::Column::Id.gt(c.id)),
        )
}

/// A page of the members `select` finds whose name contains `q` (diacritics ignored), in
/// Vietnamese name order after `after`: what a form offers to choose a member from, when the
/// members to choose among are too many for one list.
pub(crate) async fn choices_in_name_order(
    db: &impl ConnectionTrait,
    mut select: Select<member::Entity>,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<MemberChoices> {
    let per_page = per_page.clamp(1, 500);
    if let Some(term) = q.map(text::search_key).filter(|t| !t.is_empty()) {
        select = select.filter(NameSearch::new(db.get_database_backend(), &term).scanned());
    }
    if let Some(c) = after {
        select = select.filter(after_in_name_order(c));
    }
    let mut rows = select
        .order_by_asc(member::Column::SortKey)
        .order_by_asc(member::Column::Id)
        .limit(per_page + 1)
        .all(db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |m| {
        Cursor::new(m.sort_key.clone(), m.id).encode()
    });
    Ok(MemberChoices {
        items: rows.into_iter().map(|m| MemberRef::of(&m)).collect(),
        next,
    })
}

/// Deepest row a page number may start at: further on, `after` pages at the cost of the first
/// page while an offset reads every row before it.
pub const MAX_OFFSET: u64 = 10_000;

/// How many matches of a name search are counted: beyond it the page says "more than".
pub const SEARCH_COUNT_CAP: u64 = 1_000;

/// Members in the actor's scope, searched by name without diacritics, in Vietnamese order.
pub async fn list(app: &App, actor: &Actor, q: MemberQuery) -> AppResult<MemberPage> {
    list_page(app, actor, q, true).await
}

/// The same page without counting the list (for a page that shows the count it already has).
pub async fn list_uncounted(app: &App, actor: &Actor, q: MemberQuery) -> AppResult<MemberPage> {
    list_page(app, actor, q, false).await
}

async fn list_page(app: &App, actor: &Actor, q: MemberQuery, count: bool) -> AppResult<MemberPage> {
    let per_page = q.per_page.map_or(50, PageSize::get_u64);
    let page = q.page.map_or(1, PageNumber::get_u64);
    if q.after.is_none() && (page - 1) * per_page > MAX_OFFSET {
        return Err(Invalid::one(
            "page",
            format!(
                "Chỉ mở được theo số trang trong {MAX_OFFSET} dòng đầu; đi tiếp bằng liên kết \
                 “Trang sau” (tham số after)."
            ),
        )
        .into());
    }
    let unit = match q.unit_id {
        Some(uid) => Some(actor.visible(units::find(&app.db, uid).await?)?),
        None => None,
    };
    let scope = actor.scope();
    // A unit the actor reads whole (it lies in a subtree they read) needs no test of the
    // actor's scope beside its own: SQLite would test the second path on every row (a
    // province's count, 60 ms against 44).
    let read_whole = unit.as_ref().is_some_and(|u| actor.can_read_path(&u.path));
    // The subtrees the actor reads (and their own record wherever it is), within the unit asked.
    let in_subtree = |order| {
        let mut cond = Condition::all();
        if !scope.is_everything() && !read_whole {
            let mut any =
                Condition::any().add(scope.condition_with(member::Column::UnitPath, order));
            if let Some(own) = actor.member_id().map(MemberId::get) {
                any = any.add(member::Column::Id.eq(own));
            }
            cond = cond.add(any);
        }
        if let Some(u) = &unit {
            cond = cond.add(Subtree::of(u).contains_with(member::Column::UnitPath, order));
        }
        cond
    };
    // Counted through the path index; listed as `name_order` says.
    let in_scope = in_subtree(NameOrder::Sort);
    let order = if scope.is_everything() && unit.is_none() {
        NameOrder::Sort // no path to test
    } else {
        name_order_for(&app.db, in_scope.clone(), app.config.walk_members_above).await?
    };
    let mut filters = Condition::all();
    if !q.all.unwrap_or(false) {
        filters = filters.add(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()));
    }
    let term =
        q.q.as_deref()
            .map(text::search_key)
            .filter(|t| !t.is_empty());
    let searching = term.is_some();
    if let Some(term) = term {
        let search = NameSearch::new(app.db.get_database_backend(), &term);
        filters = filters.add(search.condition(&app.db).await?);
    }
    let cond = in_scope.add(filters.clone());
    // The total is counted on the first page only (a later page is asked by `after`); a name
    // search counts its matches up to a cap. A province's count reads 240,000 index entries:
    // it runs on its own connection while the page is read.
    let counting = async {
        AppResult::Ok(if q.after.is_some() || !count {
            (None, false)
        } else if searching {
            let counted = member::Entity::find()
                .filter(cond.clone())
                .select_only()
                .column(member::Column::Id)
                .limit(SEARCH_COUNT_CAP + 1)
                .count(&app.db)
                .await?;
            (
                Some(counted.min(SEARCH_COUNT_CAP)),
                counted > SEARCH_COUNT_CAP,
            )
        } else {
            let counted = member::Entity::find()
                .filter(cond.clone())
                .count(&app.db)
                .await?;
            (Some(counted), false)
        })
    };
    let query = member::Entity::find().filter(in_subtree(order).add(filters));
    let (query, page) = match &q.after {
        // Keyset: on the (sort_key, id) order, as deep pages cost what the first does.
        Some(c) => (query.filter(after_in_name_order(c)), 1),
        None => (query.offset((page - 1) * per_page), page),
    };
    let listing = async {
        let mut rows = query
            .order_by_asc(member::Column::SortKey)
            .order_by_asc(member::Column::Id)
            .limit(per_page + 1)
            .all(&app.db)
            .await?;
        let next = crate::lookup::cut_page(&mut rows, per_page, |m| {
            Cursor::new(m.sort_key.clone(), m.id).encode()
        });
        let units: Vec<i64> = rows.iter().map(|m| m.unit_id).collect();
        let names = crate::lookup::unit_names(&app.db, &units).await?;
        AppResult::Ok((rows, next, names))
    };
    let ((total, total_capped), (rows, next, names)) = tokio::try_join!(counting, listing)?;
    let today = App::today();
    Ok(MemberPage {
        items: rows.iter().map(|m| summary(m, &names, today)).collect(),
        total,
        total_capped,
        page,
        per_page,
        next,
    })
}

/// A member the actor may see: in their read scope, or themselves. Otherwise `NotFound`.
pub(crate) async fn visible(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(member::Model, unit::Model)> {
    let m = member::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !(actor.can_read_path(&m.unit_path) || actor.is_member(m.id)) {
        return Err(AppError::NotFound);
    }
    let u = units::find(&app.db, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((m, u))
}

pub(crate) async fn events_of(
    db: &impl ConnectionTrait,
    member_id: i64,
) -> AppResult<Vec<member_event::Model>> {
    Ok(member_event::Entity::find()
        .filter(member_event::Column::MemberId.eq(member_id))
        .order_by_asc(member_event::Column::EffectiveOn)
        .order_by_asc(member_event::Column::Id)
        .all(db)
        .await?)
}

pub(crate) fn domain_events(rows: &[member_event::Model]) -> Vec<StatusEvent> {
    rows.iter()
        .filter_map(|e| {
            StatusEventKind::from_code(&e.kind).map(|kind| StatusEvent {
                kind,
                on: e.effective_on,
            })
        })
        .collect()
}

fn position_view(p: &position::Model, member_name: &str) -> PositionView {
    PositionView {
        id: p.id,
        member_id: p.member_id,
        member_name: member_name.to_string(),
        unit_id: p.unit_id,
        kind: p.kind.clone(),
        kind_label: PositionKind::from_code(&p.kind)
            .map(|k| k.label().to_string())
            .unwrap_or_default(),
        term_from: p.term_from,
        term_to: p.term_to,
    }
}

/// A member the actor may read, by id and name only (a form's choice shown again).
pub async fn visible_ref(app: &App, actor: &Actor, id: i64) -> AppResult<MemberRef> {
    let (m, _) = visible(app, actor, id).await?;
    Ok(MemberRef::of(&m))
}

/// A member's whole record; opening it is written to the audit log (`member.read`) first.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<MemberDetail> {
    let (m, u) = visible(app, actor, id).await?;
    crate::audit::record_read(app, actor, "member", id).await?;
    detail(app, actor, m, u).await
}

pub(crate) async fn detail(
    app: &App,
    actor: &Actor,
    m: member::Model,
    u: unit::Model,
) -> AppResult<MemberDetail> {
    let today = App::today();
    let events = events_of(&app.db, m.id).await?;
    let initial = status_of(&m.initial_status);
    let recorded = crate::membership::party_gaps::recorded_by_member(
        &app.db,
        Condition::all().add(party_age_gap::Column::MemberId.eq(m.id)),
    )
    .await?
    .remove(&m.id)
    .unwrap_or_default();
    let gaps = crate::membership::party_gaps::deducted(
        rules::gaps(initial, &domain_events(&events)),
        &recorded,
    );
    let positions = position::Entity::find()
        .filter(position::Column::MemberId.eq(m.id))
        .order_by_desc(position::Column::TermFrom)
        .all(&app.db)
        .await?;
    let memberships = member_unit::Entity::find()
        .filter(member_unit::Column::MemberId.eq(m.id))
        .order_by_asc(member_unit::Column::ValidFrom)
        .order_by_asc(member_unit::Column::Id)
        .all(&app.db)
        .await?;
    let names = crate::lookup::unit_names(
        &app.db,
        &memberships.iter().map(|x| x.unit_id).collect::<Vec<_>>(),
    )
    .await?;
    let sex = Sex::from_code(&m.sex);
    let standing = Standing::on(m.official_date, today);
    Ok(MemberDetail {
        id: m.id,
        full_name: m.full_name.clone(),
        date_of_birth: m.date_of_birth,
        sex: m.sex.clone(),
        sex_label: sex.map(|s| s.label().to_string()).unwrap_or_default(),
        ethnicity: m.ethnicity.clone(),
        citizen_id: m.citizen_id.clone(),
        phone: m.phone.clone(),
        admission_date: m.admission_date,
        official_date: m.official_date,
        standing: format!("{standing:?}").to_lowercase(),
        standing_label: standing.label().to_string(),
        card_number: m.card_number.clone(),
        history_number: m.history_number.clone(),
        badge_number: m.badge_number.clone(),
        status: m.status.clone(),
        status_label: status_of(&m.status).label().to_string(),
        unit: UnitRef {
            id: u.id,
            name: u.name.clone(),
        },
        party_age: rules::party_age(m.admission_date, &gaps, today).into(),
        positions: positions
            .iter()
            .map(|p| position_view(p, &m.full_name))
            .collect(),
        events: events
            .iter()
            .rev()
            .map(|e| EventView {
                id: e.id,
                kind: e.kind.clone(),
                kind_label: StatusEventKind::from_code(&e.kind)
                    .map(|k| k.label().to_string())
                    .unwrap_or_default(),
                effective_on: e.effective_on,
                until: e.until,
                reason: e.reason.clone(),
            })
            .collect(),
        memberships: memberships
            .iter()
            .map(|x| MembershipView {
                unit: UnitRef {
                    id: x.unit_id,
                    name: names.get(&x.unit_id).cloned().unwrap_or_default(),
                },
                valid_from: x.valid_from,
                valid_to: x.valid_to,
                reason: x.reason.clone(),
            })
            .collect(),
        recorded_gaps: recorded
            .iter()
            .map(crate::membership::party_gaps::view)
            .collect(),
        can_manage: actor.can_manage_members(&u) && status_of(&m.status) != Status::Deceased,
        can_read_unit: actor.can_read_path(&u.path),
        cell: {
            let c = cell_of(&app.db, &u).await?;
            UnitRef {
                id: c.id,
                name: c.name,
            }
        },
    })
}

/// The cell a member's unit belongs to: the unit itself, or the cell of its party group.
pub(crate) async fn cell_of(db: &impl ConnectionTrait, u: &unit::Model) -> AppResult<unit::Model> {
    if UnitKind::from_code(&u.kind) == Some(UnitKind::Group)
        && let Some(p) = u.parent_id
    {
        return units::find(db, p).await?.ok_or(AppError::NotFound);
    }
    Ok(u.clone())
}

/// Officers of a cell whose term covers `date`.
pub async fn officers_on(
    db: &impl ConnectionTrait,
    unit_id: i64,
    date: NaiveDate,
) -> AppResult<Vec<PositionView>> {
    let rows = position::Entity::find()
        .filter(position::Column::UnitId.eq(unit_id))
        .filter(position::Column::TermFrom.lte(date))
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(date)),
        )
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.member_id).collect();
    let names = crate::lookup::member_names(db, &ids).await?;
    let order = |k: &str| {
        PositionKind::ALL
            .iter()
            .position(|p| p.code() == k)
            .unwrap_or(9)
    };
    let mut out: Vec<PositionView> = rows
        .iter()
        .map(|p| position_view(p, names.get(&p.member_id).map(String::as_str).unwrap_or("")))
        .collect();
    out.sort_by_key(|p| (order(&p.kind), text::person_sort_key(&p.member_name)));
    Ok(out)
}
