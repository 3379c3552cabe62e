//! Members: records, status changes, positions, party age, search and lists.

use std::collections::HashMap;

use chibo_domain::bounded::{PageNumber, PageSize};
use chibo_domain::member::{
    self as rules, PartyAge, PositionKind, Sex, Standing, Status, StatusEvent, StatusEventKind,
};
use chibo_domain::org::UnitKind;
use chibo_domain::{Invalid, text, validate};
use chibo_store::entities::{member, member_event, member_unit, position, unit};
use chibo_store::sea_orm::sea_query::{Expr, LikeExpr};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use chibo_store::{is_unique_violation, like_escape, write_tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::scope::Actor;
use crate::units::{self, UnitRef};
use crate::{App, AppError, AppResult, audit};

/// Status codes of members still on their cell's roll.
pub fn on_roll_codes() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| s.on_roll())
        .map(|s| s.code())
        .collect()
}

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
    pub can_manage: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MemberInput {
    pub full_name: String,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub date_of_birth: Option<String>,
    /// `male` or `female`.
    pub sex: String,
    pub ethnicity: Option<String>,
    /// 12 digits.
    pub citizen_id: Option<String>,
    pub phone: Option<String>,
    pub admission_date: Option<String>,
    pub official_date: Option<String>,
    pub card_number: Option<String>,
    pub history_number: Option<String>,
    pub badge_number: Option<String>,
    /// On creation only: the cell or party group.
    pub unit_id: Option<i64>,
    /// On creation only: `active` (default) or `transferred_in_temp`.
    pub initial_status: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct StatusEventInput {
    pub kind: String,
    pub effective_on: Option<String>,
    /// Expected end, for temporary transfers and working away.
    pub until: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PositionInput {
    pub kind: String,
    pub term_from: Option<String>,
    pub term_to: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct EndPositionInput {
    pub term_to: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct MemberQuery {
    /// Name, without diacritics if you like ("nguyen van duc").
    pub q: Option<String>,
    /// Only members of this unit and the units below it.
    pub unit_id: Option<i64>,
    /// Also list members who left the roll (transferred, removed, deceased…).
    pub all: Option<bool>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<PageNumber>,
    /// Rows on a page (50 by default).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<PageSize>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberSummary>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
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

async fn unit_names(db: &impl ConnectionTrait, ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    Ok(unit::Entity::find()
        .filter(unit::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// Members in the actor's scope, searched by name without diacritics, in Vietnamese order.
pub async fn list(app: &App, actor: &Actor, q: MemberQuery) -> AppResult<MemberPage> {
    let per_page = q.per_page.map_or(50, PageSize::get_u64);
    let page = q.page.map_or(1, PageNumber::get_u64);
    let mut cond = Condition::all();
    match actor.read_paths() {
        None => {}
        Some(paths) => {
            let mut any = Condition::any().add(Expr::cust("1 = 0"));
            for p in paths {
                any = any.add(member::Column::UnitPath.like(chibo_store::path_prefix(&p)));
            }
            if let Some(own) = actor.member_id {
                any = any.add(member::Column::Id.eq(own));
            }
            cond = cond.add(any);
        }
    }
    if let Some(uid) = q.unit_id {
        let u = actor.readable(units::find(&app.db, uid).await?)?.0;
        cond = cond.add(member::Column::UnitPath.like(chibo_store::path_prefix(&u.path)));
    }
    if let Some(term) =
        q.q.as_deref()
            .map(text::search_key)
            .filter(|t| !t.is_empty())
    {
        cond = cond.add(
            member::Column::SearchKey
                .like(LikeExpr::new(format!("%{}%", like_escape(&term))).escape('\\')),
        );
    }
    if !q.all.unwrap_or(false) {
        cond = cond.add(member::Column::Status.is_in(on_roll_codes()));
    }
    let query = member::Entity::find().filter(cond);
    let total = query.clone().count(&app.db).await?;
    let rows = query
        .order_by_asc(member::Column::SortKey)
        .order_by_asc(member::Column::Id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .all(&app.db)
        .await?;
    let names = unit_names(&app.db, rows.iter().map(|m| m.unit_id).collect()).await?;
    let today = App::today();
    Ok(MemberPage {
        items: rows.iter().map(|m| summary(m, &names, today)).collect(),
        total,
        page,
        per_page,
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
    if !(actor.can_read_path(&m.unit_path) || actor.member_id == Some(m.id)) {
        return Err(AppError::NotFound);
    }
    let u = units::find(&app.db, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((m, u))
}

async fn manageable(app: &App, actor: &Actor, id: i64) -> AppResult<(member::Model, unit::Model)> {
    let (m, u) = visible(app, actor, id).await?;
    actor.require(actor.can_manage_members(&u))?;
    Ok((m, u))
}

async fn events_of(
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

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<MemberDetail> {
    let (m, u) = visible(app, actor, id).await?;
    detail(app, actor, m, u).await
}

async fn detail(
    app: &App,
    actor: &Actor,
    m: member::Model,
    u: unit::Model,
) -> AppResult<MemberDetail> {
    let today = App::today();
    let events = events_of(&app.db, m.id).await?;
    let initial = status_of(&m.initial_status);
    let gaps = rules::gaps(initial, &domain_events(&events));
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
    let names = unit_names(&app.db, memberships.iter().map(|x| x.unit_id).collect()).await?;
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
        can_manage: actor.can_manage_members(&u) && status_of(&m.status) != Status::Deceased,
    })
}

/// Checked and cleaned member fields.
pub(crate) struct Clean {
    pub(crate) full_name: String,
    pub(crate) date_of_birth: NaiveDate,
    pub(crate) sex: String,
    pub(crate) ethnicity: String,
    pub(crate) citizen_id: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) admission_date: NaiveDate,
    pub(crate) official_date: Option<NaiveDate>,
    pub(crate) card_number: Option<String>,
    pub(crate) history_number: Option<String>,
    pub(crate) badge_number: Option<String>,
}

/// The minimum age at admission (Party Charter, article 1).
const MIN_AGE_AT_ADMISSION: u32 = 18;

pub(crate) async fn clean(
    db: &impl ConnectionTrait,
    input: &MemberInput,
    self_id: Option<i64>,
) -> AppResult<Clean> {
    let mut e = Invalid::new();
    let today = App::today();
    let full_name =
        validate::required_text(&mut e, "full_name", "họ và tên", &input.full_name, 255);
    let dob = validate::date_field(
        &mut e,
        "date_of_birth",
        "ngày sinh",
        input.date_of_birth.as_deref(),
        true,
    );
    let sex = match Sex::from_code(input.sex.trim()) {
        Some(s) => s.code().to_string(),
        None => {
            e.push("sex", "Vui lòng chọn giới tính.");
            String::new()
        }
    };
    let ethnicity = validate::optional_text(
        &mut e,
        "ethnicity",
        "dân tộc",
        input.ethnicity.as_deref(),
        64,
    )
    .unwrap_or_else(|| "Kinh".to_string());
    let citizen_id = validate::check_citizen_id(&mut e, "citizen_id", input.citizen_id.as_deref());
    let phone = validate::check_phone(&mut e, "phone", input.phone.as_deref());
    let admission = validate::date_field(
        &mut e,
        "admission_date",
        "ngày vào Đảng",
        input.admission_date.as_deref(),
        true,
    );
    let official = validate::date_field(
        &mut e,
        "official_date",
        "ngày chính thức",
        input.official_date.as_deref(),
        false,
    );
    let card_number = validate::optional_text(
        &mut e,
        "card_number",
        "số thẻ đảng viên",
        input.card_number.as_deref(),
        64,
    );
    let history_number = validate::optional_text(
        &mut e,
        "history_number",
        "số lý lịch",
        input.history_number.as_deref(),
        64,
    );
    let badge_number = validate::optional_text(
        &mut e,
        "badge_number",
        "số huy hiệu",
        input.badge_number.as_deref(),
        64,
    );
    if let Some(d) = dob
        && d > today
    {
        e.push("date_of_birth", "Ngày sinh không được sau ngày hôm nay.");
    }
    if let (Some(d), Some(a)) = (dob, admission) {
        if d >= a {
            e.push("date_of_birth", "Ngày sinh phải trước ngày vào Đảng.");
        } else if rules::add_months(d, MIN_AGE_AT_ADMISSION * 12) > a {
            e.push(
                "admission_date",
                format!("Đảng viên phải đủ {MIN_AGE_AT_ADMISSION} tuổi khi được kết nạp."),
            );
        }
    }
    if let Some(a) = admission {
        if a > today {
            e.push(
                "admission_date",
                "Ngày vào Đảng không được sau ngày hôm nay.",
            );
        }
        if let Some(o) = official
            && o < a
        {
            e.push(
                "official_date",
                "Ngày chính thức không được trước ngày vào Đảng.",
            );
        }
    }
    if let Some(c) = &citizen_id {
        let clash = member::Entity::find()
            .filter(member::Column::CitizenId.eq(c.as_str()))
            .filter(member::Column::Id.ne(self_id.unwrap_or(0)))
            .count(db)
            .await?;
        if clash > 0 {
            e.push(
                "citizen_id",
                "Số CCCD này đã có trong hồ sơ của một đảng viên khác.",
            );
        }
    }
    if let Some(c) = &card_number {
        let clash = member::Entity::find()
            .filter(member::Column::CardNumber.eq(c.as_str()))
            .filter(member::Column::Id.ne(self_id.unwrap_or(0)))
            .count(db)
            .await?;
        if clash > 0 {
            e.push(
                "card_number",
                "Số thẻ đảng viên này đã được cấp cho một đảng viên khác.",
            );
        }
    }
    e.into_result()?;
    Ok(Clean {
        full_name,
        date_of_birth: dob.expect("checked"),
        sex,
        ethnicity,
        citizen_id,
        phone,
        admission_date: admission.expect("checked"),
        official_date: official,
        card_number,
        history_number,
        badge_number,
    })
}

/// A unique key that slipped past the checks (two requests at once) is still a field error.
fn unique_to_invalid(err: chibo_store::sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err) {
        AppError::invalid("card_number", "Số thẻ đảng viên hoặc số CCCD đã tồn tại.")
    } else {
        err.into()
    }
}

pub async fn create(app: &App, actor: &Actor, input: MemberInput) -> AppResult<MemberDetail> {
    let uid = input
        .unit_id
        .ok_or_else(|| AppError::invalid("unit_id", "Vui lòng chọn chi bộ."))?;
    let u = actor.readable(units::find(&app.db, uid).await?)?.0;
    actor.require(actor.can_manage_members(&u))?;
    let mut e = Invalid::new();
    if !UnitKind::from_code(&u.kind).is_some_and(|k| k.holds_members()) {
        e.push("unit_id", "Đảng viên chỉ sinh hoạt ở chi bộ hoặc tổ đảng.");
    }
    if u.dissolved_on.is_some() {
        e.push("unit_id", "Chi bộ đã giải thể.");
    }
    let initial = match input
        .initial_status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None | Some("active") => Status::Active,
        Some("transferred_in_temp") => Status::TransferredInTemp,
        Some(_) => {
            e.push(
                "initial_status",
                "Tình trạng ban đầu chỉ có thể là đang sinh hoạt hoặc sinh hoạt tạm thời.",
            );
            Status::Active
        }
    };
    let c = match clean(&app.db, &input, None).await {
        Ok(c) => Some(c),
        Err(AppError::Invalid(mut inv)) => {
            inv.errors.extend(e.errors);
            return Err(AppError::Invalid(inv));
        }
        Err(other) => return Err(other),
    };
    e.into_result()?;
    let c = c.expect("validated");
    let tx = write_tx(&app.db).await?;
    let m = insert_member(&tx, c, &u, initial).await?;
    audit::record(
        &tx,
        Some(actor),
        "member.create",
        "member",
        Some(m.id),
        None::<&()>,
        Some(&m),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, m, u).await
}

/// Writes a new member (checked fields) on the roll of unit `u` from today or their admission.
pub(crate) async fn insert_member(
    tx: &DatabaseTransaction,
    c: Clean,
    u: &unit::Model,
    initial: Status,
) -> AppResult<member::Model> {
    let now = chrono::Utc::now();
    let m = member::ActiveModel {
        search_key: Set(text::search_key(&c.full_name)),
        sort_key: Set(text::person_sort_key(&c.full_name)),
        full_name: Set(c.full_name),
        date_of_birth: Set(c.date_of_birth),
        sex: Set(c.sex),
        ethnicity: Set(c.ethnicity),
        citizen_id: Set(c.citizen_id),
        phone: Set(c.phone),
        admission_date: Set(c.admission_date),
        official_date: Set(c.official_date),
        card_number: Set(c.card_number),
        history_number: Set(c.history_number),
        badge_number: Set(c.badge_number),
        initial_status: Set(initial.code().to_string()),
        status: Set(initial.code().to_string()),
        unit_id: Set(u.id),
        unit_path: Set(u.path.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
    .map_err(unique_to_invalid)?;
    let reason = if initial == Status::TransferredInTemp {
        "Chuyển sinh hoạt tạm thời đến"
    } else {
        "Ghi nhận vào danh sách chi bộ"
    };
    member_unit::ActiveModel {
        member_id: Set(m.id),
        unit_id: Set(u.id),
        valid_from: Set(App::today().min(m.admission_date.max(u.established_on))),
        valid_to: Set(None),
        reason: Set(reason.to_string()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(m)
}

/// Writes checked fields over a member's record.
pub(crate) async fn overwrite_member(
    tx: &DatabaseTransaction,
    m: member::Model,
    c: Clean,
) -> AppResult<member::Model> {
    let mut am = m.into_active_model();
    am.search_key = Set(text::search_key(&c.full_name));
    am.sort_key = Set(text::person_sort_key(&c.full_name));
    am.full_name = Set(c.full_name);
    am.date_of_birth = Set(c.date_of_birth);
    am.sex = Set(c.sex);
    am.ethnicity = Set(c.ethnicity);
    am.citizen_id = Set(c.citizen_id);
    am.phone = Set(c.phone);
    am.admission_date = Set(c.admission_date);
    am.official_date = Set(c.official_date);
    am.card_number = Set(c.card_number);
    am.history_number = Set(c.history_number);
    am.badge_number = Set(c.badge_number);
    am.updated_at = Set(chrono::Utc::now());
    am.update(tx).await.map_err(unique_to_invalid)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: MemberInput,
) -> AppResult<MemberDetail> {
    let (m, u) = manageable(app, actor, id).await?;
    let c = clean(&app.db, &input, Some(m.id)).await?;
    let tx = write_tx(&app.db).await?;
    let before = m.clone();
    let after = overwrite_member(&tx, m, c).await?;
    audit::record(
        &tx,
        Some(actor),
        "member.update",
        "member",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, after, u).await
}

/// Records a status change (exemption, transfer, working away, suspension, removal…).
pub async fn add_event(
    app: &App,
    actor: &Actor,
    id: i64,
    input: StatusEventInput,
) -> AppResult<MemberDetail> {
    let (m, u) = manageable(app, actor, id).await?;
    let mut e = Invalid::new();
    let kind = StatusEventKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.push("kind", "Vui lòng chọn loại thay đổi.");
    }
    let on = validate::date_field(
        &mut e,
        "effective_on",
        "ngày hiệu lực",
        input.effective_on.as_deref(),
        true,
    );
    let until = validate::date_field(
        &mut e,
        "until",
        "ngày dự kiến kết thúc",
        input.until.as_deref(),
        false,
    );
    let reason = validate::required_text(&mut e, "reason", "lý do", &input.reason, 2000);
    let events = events_of(&app.db, m.id).await?;
    let current = status_of(&m.status);
    let next = kind.map(|k| rules::apply(current, k));
    if let Some(Err(msg)) = &next {
        e.push("kind", *msg);
    }
    if let Some(on) = on {
        if on > App::today() {
            e.push("effective_on", "Ngày hiệu lực không được sau ngày hôm nay.");
        }
        if on < m.admission_date {
            e.push(
                "effective_on",
                "Ngày hiệu lực không được trước ngày vào Đảng.",
            );
        }
        let since = member_unit::Entity::find()
            .filter(member_unit::Column::MemberId.eq(m.id))
            .order_by_desc(member_unit::Column::ValidFrom)
            .one(&app.db)
            .await?
            .map(|x| x.valid_from);
        if let Some(since) = since.filter(|s| on < *s) {
            e.push("effective_on", format!(
                "Ngày hiệu lực không được trước ngày bắt đầu sinh hoạt tại chi bộ hiện tại ({}).",
                since.format("%d/%m/%Y")
            ));
        }
        if let Some(last) = events.last()
            && on < last.effective_on
        {
            e.push(
                "effective_on",
                format!(
                    "Ngày hiệu lực phải từ ngày {} (thay đổi gần nhất) trở đi.",
                    last.effective_on.format("%d/%m/%Y")
                ),
            );
        }
        if let Some(u) = until
            && u <= on
        {
            e.push("until", "Ngày dự kiến kết thúc phải sau ngày hiệu lực.");
        }
    }
    e.into_result()?;
    let (kind, on, next) = (
        kind.expect("checked"),
        on.expect("checked"),
        next.expect("checked").expect("checked"),
    );

    let tx = write_tx(&app.db).await?;
    let after = write_event(&tx, actor, m, kind, on, until, &reason, current, next).await?;
    tx.commit().await?;
    detail(app, actor, after, u).await
}

/// Records a status change the member's current status allows (else a field error), in `tx`.
pub(crate) async fn apply_event(
    tx: &DatabaseTransaction,
    actor: &Actor,
    m: member::Model,
    kind: StatusEventKind,
    on: NaiveDate,
    until: Option<NaiveDate>,
    reason: &str,
) -> AppResult<member::Model> {
    let status = status_of(&m.status);
    let next = rules::apply(status, kind).map_err(|msg| AppError::invalid("kind", msg))?;
    write_event(tx, actor, m, kind, on, until, reason, status, next).await
}

/// Writes a checked status change: the event, the roll (leaving it closes the membership,
/// re-admission opens it again in the same cell), the member's status and the audit line.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_event(
    tx: &DatabaseTransaction,
    actor: &Actor,
    m: member::Model,
    kind: StatusEventKind,
    on: NaiveDate,
    until: Option<NaiveDate>,
    reason: &str,
    current: Status,
    next: Status,
) -> AppResult<member::Model> {
    let ev = member_event::ActiveModel {
        member_id: Set(m.id),
        kind: Set(kind.code().to_string()),
        effective_on: Set(on),
        until: Set(until),
        reason: Set(reason.to_string()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    if current.on_roll() && !next.on_roll() {
        close_membership(tx, m.id, on).await?;
        end_member_positions(tx, m.id, on).await?;
    } else if !current.on_roll() && next.on_roll() {
        member_unit::ActiveModel {
            member_id: Set(m.id),
            unit_id: Set(m.unit_id),
            valid_from: Set(on),
            valid_to: Set(None),
            reason: Set(kind.label().to_string()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    let before = m.clone();
    let mut am = m.into_active_model();
    am.status = Set(next.code().to_string());
    am.updated_at = Set(chrono::Utc::now());
    let after = am.update(tx).await?;
    audit::record(
        tx,
        Some(actor),
        "member.status",
        "member",
        Some(after.id),
        Some(&before),
        Some(&ev),
    )
    .await?;
    Ok(after)
}

async fn close_membership(
    tx: &DatabaseTransaction,
    member_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    let open = member_unit::Entity::find()
        .filter(member_unit::Column::MemberId.eq(member_id))
        .filter(member_unit::Column::ValidTo.is_null())
        .all(tx)
        .await?;
    for row in open {
        if row.valid_from >= on {
            member_unit::Entity::delete_by_id(row.id).exec(tx).await?;
        } else {
            let mut am = row.into_active_model();
            am.valid_to = Set(Some(on));
            am.update(tx).await?;
        }
    }
    Ok(())
}

/// Moves a member to another unit on `date`, keeping the membership history.
pub(crate) async fn move_member(
    tx: &DatabaseTransaction,
    m: member::Model,
    to: &unit::Model,
    date: NaiveDate,
    reason: &str,
) -> AppResult<member::Model> {
    close_membership(tx, m.id, date).await?;
    member_unit::ActiveModel {
        member_id: Set(m.id),
        unit_id: Set(to.id),
        valid_from: Set(date),
        valid_to: Set(None),
        reason: Set(reason.to_string()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    end_member_positions(tx, m.id, date).await?;
    let mut am = m.into_active_model();
    am.unit_id = Set(to.id);
    am.unit_path = Set(to.path.clone());
    am.updated_at = Set(chrono::Utc::now());
    Ok(am.update(tx).await?)
}

async fn end_open_positions(
    tx: &DatabaseTransaction,
    cond: Condition,
    on: NaiveDate,
) -> AppResult<()> {
    let open = position::Entity::find()
        .filter(cond)
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(on)),
        )
        .all(tx)
        .await?;
    for p in open {
        let mut am = p.into_active_model();
        am.term_to = Set(Some(on));
        am.update(tx).await?;
    }
    Ok(())
}

/// Ends every open position in a unit (it is merged or dissolved).
pub(crate) async fn end_positions(
    tx: &DatabaseTransaction,
    unit_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    end_open_positions(
        tx,
        Condition::all().add(position::Column::UnitId.eq(unit_id)),
        on,
    )
    .await
}

async fn end_member_positions(
    tx: &DatabaseTransaction,
    member_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    end_open_positions(
        tx,
        Condition::all().add(position::Column::MemberId.eq(member_id)),
        on,
    )
    .await
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

pub async fn add_position(
    app: &App,
    actor: &Actor,
    id: i64,
    input: PositionInput,
) -> AppResult<MemberDetail> {
    let (m, u) = manageable(app, actor, id).await?;
    let cell = cell_of(&app.db, &u).await?;
    let mut e = Invalid::new();
    let kind = PositionKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.push("kind", "Vui lòng chọn chức vụ.");
    }
    let from = validate::date_field(
        &mut e,
        "term_from",
        "ngày bắt đầu nhiệm kỳ",
        input.term_from.as_deref(),
        true,
    );
    let to = validate::date_field(
        &mut e,
        "term_to",
        "ngày kết thúc nhiệm kỳ",
        input.term_to.as_deref(),
        false,
    );
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        e.push("term_to", "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.");
    }
    if let Some(f) = from
        && f < m.admission_date
    {
        e.push(
            "term_from",
            "Nhiệm kỳ không thể bắt đầu trước ngày vào Đảng.",
        );
    }
    if status_of(&m.status) != Status::Active {
        e.push(
            "kind",
            "Chỉ đảng viên đang sinh hoạt mới được giữ chức vụ trong chi ủy.",
        );
    }
    if kind == Some(PositionKind::Secretary) {
        let existing = position::Entity::find()
            .filter(position::Column::UnitId.eq(cell.id))
            .filter(position::Column::Kind.eq("secretary"))
            .filter(
                Condition::any()
                    .add(position::Column::TermTo.is_null())
                    .add(position::Column::TermTo.gt(App::today())),
            )
            .count(&app.db)
            .await?;
        if existing > 0 {
            e.push(
                "kind",
                "Chi bộ đã có bí thư đương nhiệm: hãy kết thúc nhiệm kỳ của bí thư cũ trước.",
            );
        }
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let p = position::ActiveModel {
        member_id: Set(m.id),
        unit_id: Set(cell.id),
        kind: Set(kind.expect("checked").code().to_string()),
        term_from: Set(from.expect("checked")),
        term_to: Set(to),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "position.create",
        "position",
        Some(p.id),
        None::<&()>,
        Some(&p),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, m, u).await
}

pub async fn end_position(
    app: &App,
    actor: &Actor,
    position_id: i64,
    input: EndPositionInput,
) -> AppResult<MemberDetail> {
    let p = position::Entity::find_by_id(position_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (m, u) = manageable(app, actor, p.member_id).await?;
    let mut e = Invalid::new();
    let to = validate::date_field(
        &mut e,
        "term_to",
        "ngày kết thúc nhiệm kỳ",
        input.term_to.as_deref(),
        false,
    )
    .unwrap_or_else(App::today);
    if to <= p.term_from {
        e.push("term_to", "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.");
    }
    if p.term_to.is_some_and(|t| t <= App::today()) {
        e.push("term_to", "Nhiệm kỳ này đã kết thúc.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = p.clone();
    let mut am = p.into_active_model();
    am.term_to = Set(Some(to));
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "position.end",
        "position",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, m, u).await
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
    let names: HashMap<i64, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.full_name))
        .collect();
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
