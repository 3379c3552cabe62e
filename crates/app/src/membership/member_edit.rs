//! Adding and correcting a member's record, with the checks of domain.md §3.

use chibo_domain::member::{self as rules, RollKind, Sex, Status};
use chibo_domain::org::UnitKind;
use chibo_domain::{Invalid, text, validate};
use chibo_store::entities::{member, member_unit, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use chibo_store::{is_unique_violation, write_tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::members::{MemberDetail, detail, visible};
use crate::org::units;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult, audit};

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

pub(crate) async fn manageable(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(member::Model, unit::Model)> {
    let (m, u) = visible(app, actor, id).await?;
    actor.require(actor.can_manage_members(&u))?;
    Ok((m, u))
}

/// Checked and cleaned member fields.
#[derive(Clone)]
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

/// A citizen ID already on another member's record.
pub(crate) const CITIZEN_ID_TAKEN: &str = "Số CCCD này đã có trong hồ sơ của một đảng viên khác.";
/// A party card number already given to another member.
pub(crate) const CARD_TAKEN: &str = "Số thẻ đảng viên này đã được cấp cho một đảng viên khác.";

/// Checks a member's fields, and that no other member holds the citizen ID or card number.
pub(crate) async fn clean(
    db: &impl ConnectionTrait,
    input: &MemberInput,
    self_id: Option<i64>,
) -> AppResult<Clean> {
    let mut e = Invalid::new();
    let checked = check_fields(&mut e, input);
    if let Some(c) = checked.as_ref().and_then(|c| c.citizen_id.as_ref()) {
        let clash = member::Entity::find()
            .filter(member::Column::CitizenId.eq(c.as_str()))
            .filter(member::Column::Id.ne(self_id.unwrap_or(0)))
            .count(db)
            .await?;
        if clash > 0 {
            e.push("citizen_id", CITIZEN_ID_TAKEN);
        }
    }
    if let Some(c) = checked.as_ref().and_then(|c| c.card_number.as_ref()) {
        let clash = member::Entity::find()
            .filter(member::Column::CardNumber.eq(c.as_str()))
            .filter(member::Column::Id.ne(self_id.unwrap_or(0)))
            .count(db)
            .await?;
        if clash > 0 {
            e.push("card_number", CARD_TAKEN);
        }
    }
    e.into_result()?;
    Ok(checked.expect("no field error means every field was read"))
}

/// Checks a member's fields on their own (no database): the errors go to `e`, and the clean
/// fields come back when the required ones could be read.
pub(crate) fn check_fields(e: &mut Invalid, input: &MemberInput) -> Option<Clean> {
    let today = App::today();
    let full_name = validate::required_text(e, "full_name", "họ và tên", &input.full_name, 255);
    let dob = validate::date_field(
        e,
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
    let ethnicity =
        validate::optional_text(e, "ethnicity", "dân tộc", input.ethnicity.as_deref(), 64)
            .unwrap_or_else(|| "Kinh".to_string());
    let citizen_id = validate::check_citizen_id(e, "citizen_id", input.citizen_id.as_deref());
    let phone = validate::check_phone(e, "phone", input.phone.as_deref());
    let admission = validate::date_field(
        e,
        "admission_date",
        "ngày vào Đảng",
        input.admission_date.as_deref(),
        true,
    );
    let official = validate::date_field(
        e,
        "official_date",
        "ngày chính thức",
        input.official_date.as_deref(),
        false,
    );
    let card_number = validate::optional_text(
        e,
        "card_number",
        "số thẻ đảng viên",
        input.card_number.as_deref(),
        64,
    );
    let history_number = validate::optional_text(
        e,
        "history_number",
        "số lý lịch",
        input.history_number.as_deref(),
        64,
    );
    let badge_number = validate::optional_text(
        e,
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
    Some(Clean {
        full_name,
        date_of_birth: dob?,
        sex,
        ethnicity,
        citizen_id,
        phone,
        admission_date: admission?,
        official_date: official,
        card_number,
        history_number,
        badge_number,
    })
}

/// A unique key that slipped past the checks (two requests at once) is still a field error.
pub(crate) fn unique_to_invalid(err: chibo_store::sea_orm::DbErr) -> AppError {
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
    let u = actor.visible(units::find(&app.db, uid).await?)?;
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
    detail(app, actor, m, u.into_inner()).await
}

/// The cell or party group a new member may be added to: one whose members the actor manages.
pub async fn unit_for_new_member(app: &App, actor: &Actor, id: i64) -> AppResult<UnitRef> {
    let u = actor.visible(units::find(&app.db, id).await?)?;
    actor.require(actor.can_manage_members(&u))?;
    Ok(UnitRef {
        id: u.id,
        name: u.name.clone(),
    })
}

/// Writes a new member (checked fields) on the roll of unit `u` from today or their admission.
pub(crate) async fn insert_member(
    tx: &DatabaseTransaction,
    c: Clean,
    u: &unit::Model,
    initial: Status,
) -> AppResult<member::Model> {
    let m = new_member_row(c, u, initial)
        .insert(tx)
        .await
        .map_err(unique_to_invalid)?;
    let roll = new_roll_row(&m, u, initial).insert(tx).await?;
    // Sheets of meetings held since the member's place on the roll begins now include them.
    chibo_store::meeting_stats::member_changed(tx, m.id, roll.valid_from).await?;
    Ok(m)
}

/// The row of a new member (checked fields) of unit `u`.
pub(crate) fn new_member_row(c: Clean, u: &unit::Model, initial: Status) -> member::ActiveModel {
    let now = chrono::Utc::now();
    member::ActiveModel {
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
}

/// A new member's place on the roll of `u`: from today, or from their admission (or the unit's
/// founding) when that is earlier.
pub(crate) fn new_roll_row(
    m: &member::Model,
    u: &unit::Model,
    initial: Status,
) -> member_unit::ActiveModel {
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
        // A member who comes from outside chibo has no other cell here: this roll is their home.
        kind: Set(RollKind::Home.code().to_string()),
        ..Default::default()
    }
}

/// The member with the identity fields of `c`: what an edit or an import row writes.
pub(crate) fn overwritten(m: member::Model, c: Clean) -> member::Model {
    member::Model {
        search_key: text::search_key(&c.full_name),
        sort_key: text::person_sort_key(&c.full_name),
        full_name: c.full_name,
        date_of_birth: c.date_of_birth,
        sex: c.sex,
        ethnicity: c.ethnicity,
        citizen_id: c.citizen_id,
        phone: c.phone,
        admission_date: c.admission_date,
        official_date: c.official_date,
        card_number: c.card_number,
        history_number: c.history_number,
        badge_number: c.badge_number,
        updated_at: chrono::Utc::now(),
        ..m
    }
}

/// The columns [`overwritten`] changes.
pub(crate) const OVERWRITTEN: [member::Column; 14] = [
    member::Column::SearchKey,
    member::Column::SortKey,
    member::Column::FullName,
    member::Column::DateOfBirth,
    member::Column::Sex,
    member::Column::Ethnicity,
    member::Column::CitizenId,
    member::Column::Phone,
    member::Column::AdmissionDate,
    member::Column::OfficialDate,
    member::Column::CardNumber,
    member::Column::HistoryNumber,
    member::Column::BadgeNumber,
    member::Column::UpdatedAt,
];

/// Writes checked fields over a member's record; answers the record as written.
pub(crate) async fn overwrite_member(
    tx: &DatabaseTransaction,
    m: member::Model,
    c: Clean,
) -> AppResult<member::Model> {
    let after = overwritten(m, c);
    let written = chibo_store::bulk::update_columns::<member::Entity>(
        tx,
        std::slice::from_ref(&after),
        &OVERWRITTEN,
    )
    .await
    .map_err(unique_to_invalid)?;
    if written == 0 {
        return Err(AppError::NotFound);
    }
    Ok(after)
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
