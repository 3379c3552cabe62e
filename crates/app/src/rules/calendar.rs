//! The public holidays working-day deadlines skip: the statutory ones are computed for any year
//! (`chibo_domain::calendar::statutory_holidays`, the lunar ones with a lunar calendar);
//! administrators enter the make-up and swapped days the government announces each year, and
//! mark a year done, so a year without them is reported instead of silently having none.

use chibo_domain::Invalid;
use std::sync::OnceLock;

use chibo_domain::calendar::{HOLIDAY_YEARS, Holidays, statutory_holidays};
use chibo_domain::validate;
use chibo_store::entities::{holiday, holiday_year};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use chibo_store::{is_unique_violation, write_tx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Admin};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayView {
    pub id: i64,
    pub day: NaiveDate,
    pub name: String,
    /// `off` (a day off) or `working` (a weekend day made a working day).
    pub kind: String,
}

/// A statutory holiday, computed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatutoryDay {
    pub day: NaiveDate,
    pub name: String,
}

/// A year's holidays: the statutory ones, those an administrator entered, and whether the
/// year's announced days have been entered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayYear {
    pub year: i32,
    /// Empty for a year outside those chibo computes (`computed` is then false).
    pub statutory: Vec<StatutoryDay>,
    pub computed: bool,
    pub entered: Vec<HolidayView>,
    /// An administrator has entered this year's make-up and swapped days.
    pub confirmed: bool,
    /// This year and next, when their announced days are not entered yet: deadlines in them
    /// may be off by the days missing.
    pub missing_years: Vec<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct HolidayInput {
    pub day: Option<String>,
    pub name: String,
    /// `off` (default) or `working`.
    pub kind: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct HolidayYearInput {
    pub year: i32,
}

/// The error for a year outside those chibo computes holidays for.
fn years_computed() -> String {
    format!(
        "Năm từ {} đến {}.",
        HOLIDAY_YEARS.start(),
        HOLIDAY_YEARS.end()
    )
}

/// The statutory holidays of every year chibo computes, computed once.
fn statutory() -> &'static Holidays {
    static ALL: OnceLock<Holidays> = OnceLock::new();
    ALL.get_or_init(Holidays::statutory)
}

/// Every holiday, for deadline arithmetic: the statutory ones and those entered.
pub async fn holidays(app: &App) -> AppResult<Holidays> {
    let (working, off): (Vec<_>, Vec<_>) = holiday::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .partition(|h| h.kind == "working");
    let days = |rows: Vec<holiday::Model>| rows.into_iter().map(|h| h.day);
    Ok(statutory().clone().with(days(off), days(working)))
}

/// This year and next when an administrator has not entered their announced days yet.
pub async fn missing_years(app: &App) -> AppResult<Vec<i32>> {
    let this = App::today().year();
    let done: Vec<i32> = holiday_year::Entity::find()
        .filter(holiday_year::Column::Year.between(this, this + 1))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|y| y.year)
        .collect();
    Ok([this, this + 1]
        .into_iter()
        .filter(|y| !done.contains(y))
        .collect())
}

/// Holidays of a year (any signed-in user may read them).
pub async fn list(app: &App, year: i32) -> AppResult<HolidayYear> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::NotFound)?;
    let entered = holiday::Entity::find()
        .filter(holiday::Column::Day.between(from, to))
        .order_by_asc(holiday::Column::Day)
        .all(&app.db)
        .await?
        .into_iter()
        .map(view)
        .collect();
    let confirmed = holiday_year::Entity::find()
        .filter(holiday_year::Column::Year.eq(year))
        .one(&app.db)
        .await?
        .is_some();
    let statutory = statutory_holidays(year);
    Ok(HolidayYear {
        year,
        computed: statutory.is_some(),
        statutory: statutory
            .unwrap_or_default()
            .into_iter()
            .map(|(day, name)| StatutoryDay {
                day,
                name: name.to_string(),
            })
            .collect(),
        entered,
        confirmed,
        missing_years: missing_years(app).await?,
    })
}

fn view(h: holiday::Model) -> HolidayView {
    HolidayView {
        id: h.id,
        day: h.day,
        name: h.name,
        kind: h.kind,
    }
}

/// Records that a year's make-up and swapped days are all entered (administrators).
pub async fn confirm_year(
    app: &App,
    admin: &Admin<'_>,
    input: HolidayYearInput,
) -> AppResult<HolidayYear> {
    let actor: &Actor = admin;
    if !HOLIDAY_YEARS.contains(&input.year) {
        return Err(AppError::invalid("year", years_computed()));
    }
    let tx = write_tx(&app.db).await?;
    let saved = holiday_year::ActiveModel {
        year: Set(input.year),
        confirmed_by: Set(Some(actor.user_id().get())),
        confirmed_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            AppError::invalid("year", format!("Năm {} đã được xác nhận.", input.year))
        } else {
            err.into()
        }
    })?;
    audit::record(
        &tx,
        Some(actor),
        "holiday.confirm_year",
        "holiday_year",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    list(app, input.year).await
}

pub async fn add(app: &App, admin: &Admin<'_>, input: HolidayInput) -> AppResult<HolidayView> {
    let actor: &Actor = admin;
    let mut e = Invalid::new();
    let day = validate::date_field(&mut e, "day", "ngày nghỉ", input.day.as_deref(), true);
    let name = validate::required_text(&mut e, "name", "tên ngày nghỉ", &input.name, 255);
    let kind = match input.kind.trim() {
        "" | "off" => "off",
        "working" => "working",
        _ => {
            e.push("kind", "Chọn ngày nghỉ hoặc ngày làm bù.");
            "off"
        }
    };
    if let Some(d) = day {
        // A make-up working day is a weekly day off of the national rules in force that day.
        let book = crate::rules::members::MemberRuleBook::read(&app.db).await?;
        let days_off = &book.for_path("", d).rules.working_days.weekly_days_off;
        if kind == "working" && !days_off.contains(&d.weekday()) {
            e.push(
                "day",
                "Ngày làm bù phải là ngày nghỉ hằng tuần (thứ Bảy hoặc Chủ nhật).",
            );
        }
        if kind == "off" && statutory().contains(d) {
            e.push(
                "day",
                format!(
                    "Ngày {} đã là ngày nghỉ lễ theo Bộ luật Lao động.",
                    d.format("%d/%m/%Y")
                ),
            );
        }
        if !HOLIDAY_YEARS.contains(&d.year()) {
            e.push("day", years_computed());
        }
    }
    e.into_result()?;
    let day = day.expect("checked");
    let tx = write_tx(&app.db).await?;
    let saved = holiday::ActiveModel {
        day: Set(day),
        name: Set(name),
        kind: Set(kind.to_string()),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            AppError::invalid(
                "day",
                format!("Ngày {} đã là ngày nghỉ.", day.format("%d/%m/%Y")),
            )
        } else {
            err.into()
        }
    })?;
    audit::record(
        &tx,
        Some(actor),
        "holiday.add",
        "holiday",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(view(saved))
}

pub async fn remove(app: &App, admin: &Admin<'_>, id: i64) -> AppResult<()> {
    let actor: &Actor = admin;
    let h = holiday::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let tx = write_tx(&app.db).await?;
    holiday::Entity::delete_by_id(id).exec(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "holiday.remove",
        "holiday",
        Some(id),
        Some(&h),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
