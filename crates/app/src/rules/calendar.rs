//! The public holidays working-day deadlines skip: the statutory ones are loaded by the
//! migration; administrators add the lunar-calendar and make-up days the government announces.

use chibo_domain::Invalid;
use chibo_domain::calendar::Holidays;
use chibo_domain::validate;
use chibo_store::entities::holiday;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use chibo_store::{is_unique_violation, write_tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Admin};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayView {
    pub id: i64,
    pub day: NaiveDate,
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct HolidayInput {
    pub day: Option<String>,
    pub name: String,
}

/// Every holiday on record, for deadline arithmetic.
pub async fn holidays(app: &App) -> AppResult<Holidays> {
    Ok(Holidays::new(
        holiday::Entity::find()
            .all(&app.db)
            .await?
            .into_iter()
            .map(|h| h.day),
    ))
}

/// Holidays of a year (any signed-in user may read them).
pub async fn list(app: &App, year: i32) -> AppResult<Vec<HolidayView>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::NotFound)?;
    Ok(holiday::Entity::find()
        .filter(holiday::Column::Day.between(from, to))
        .order_by_asc(holiday::Column::Day)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|h| HolidayView {
            id: h.id,
            day: h.day,
            name: h.name,
        })
        .collect())
}

pub async fn add(app: &App, admin: &Admin<'_>, input: HolidayInput) -> AppResult<HolidayView> {
    let actor: &Actor = admin;
    let mut e = Invalid::new();
    let day = validate::date_field(&mut e, "day", "ngày nghỉ", input.day.as_deref(), true);
    let name = validate::required_text(&mut e, "name", "tên ngày nghỉ", &input.name, 255);
    e.into_result()?;
    let day = day.expect("checked");
    let tx = write_tx(&app.db).await?;
    let saved = holiday::ActiveModel {
        day: Set(day),
        name: Set(name),
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
    Ok(HolidayView {
        id: saved.id,
        day: saved.day,
        name: saved.name,
    })
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
