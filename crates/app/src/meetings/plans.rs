//! A cell's year plan: the thematic topics it registers (each with the member who writes the
//! introductory paper) and the calendar of required meetings against what was held.

use chibo_domain::Invalid;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::org::UnitKind;
use chibo_domain::validate;
use chibo_store::entities::{meeting, member, thematic_topic};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::meetings::lookup;
use crate::org::units;
use crate::refs::{MemberRef, UnitRef};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicView {
    pub id: i64,
    pub quarter: i32,
    pub title: String,
    /// The member who writes the introductory paper (đề dẫn).
    pub writer: Option<MemberRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingRef {
    pub id: i64,
    pub date: NaiveDate,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthRow {
    pub month: u32,
    /// The regular meeting of the month, if scheduled.
    pub regular: Option<MeetingRef>,
    pub thematic: Vec<MeetingRef>,
    /// The month is over and no regular meeting was held.
    pub regular_missed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuarterRow {
    pub quarter: u32,
    pub thematic_held: u32,
    pub topics: Vec<TopicView>,
    /// The quarter is over without a thematic meeting.
    pub thematic_missed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearPlan {
    pub cell: UnitRef,
    pub year: i32,
    pub months: Vec<MonthRow>,
    pub quarters: Vec<QuarterRow>,
    pub can_manage: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TopicInput {
    pub year: i32,
    /// 1 to 4.
    pub quarter: i32,
    pub title: String,
    pub writer_member_id: Option<i64>,
}

pub async fn year_plan(app: &App, actor: &Actor, cell_id: i64, year: i32) -> AppResult<YearPlan> {
    let cell = lookup::visible_cell(app, actor, cell_id).await?;
    if !UnitKind::from_code(&cell.kind).is_some_and(|k| k.is_cell()) {
        return Err(AppError::NotFound);
    }
    let (from, to) = match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(f), Some(t)) => (f, t),
        _ => return Err(AppError::invalid("year", "Năm không hợp lệ.")),
    };
    let officer = actor.can_read_path(&cell.path);
    let held = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell.id))
        .filter(meeting::Column::MeetingDate.between(from, to))
        .order_by_asc(meeting::Column::MeetingDate)
        .all(&app.db)
        .await?;
    let visible: Vec<&meeting::Model> = held
        .iter()
        .filter(|m| officer || m.status != MeetingStatus::Planned.code())
        .collect();
    let topics = thematic_topic::Entity::find()
        .filter(thematic_topic::Column::UnitId.eq(cell.id))
        .filter(thematic_topic::Column::Year.eq(year))
        .order_by_asc(thematic_topic::Column::Quarter)
        .order_by_asc(thematic_topic::Column::Id)
        .all(&app.db)
        .await?;
    let writers = crate::lookup::member_names(
        &app.db,
        &topics
            .iter()
            .filter_map(|t| t.writer_member_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let today = App::today();
    let r = |m: &meeting::Model| MeetingRef {
        id: m.id,
        date: m.meeting_date,
        status: m.status.clone(),
    };
    let months = (1..=12u32)
        .map(|month| {
            let in_month: Vec<&&meeting::Model> = visible
                .iter()
                .filter(|m| m.meeting_date.month() == month)
                .collect();
            let regular = in_month.iter().find(|m| m.kind == "regular").map(|m| r(m));
            let month_end = NaiveDate::from_ymd_opt(year, month, 1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .map(|d| d.pred_opt().unwrap_or(d));
            let over = month_end.is_some_and(|e| e < today)
                && month_end.is_some_and(|e| e >= cell.established_on);
            MonthRow {
                month,
                regular_missed: over
                    && regular
                        .as_ref()
                        .is_none_or(|m| m.status != MeetingStatus::Held.code()),
                regular,
                thematic: in_month
                    .iter()
                    .filter(|m| m.kind == "thematic")
                    .map(|m| r(m))
                    .collect(),
            }
        })
        .collect();
    let quarters = (1..=4u32)
        .map(|q| {
            let held_count = visible
                .iter()
                .filter(|m| {
                    (m.kind == "thematic" || m.combined)
                        && m.status == MeetingStatus::Held.code()
                        && (m.meeting_date.month() - 1) / 3 + 1 == q
                })
                .count() as u32;
            let quarter_end = NaiveDate::from_ymd_opt(year, q * 3, 1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .map(|d| d.pred_opt().unwrap_or(d));
            QuarterRow {
                quarter: q,
                thematic_held: held_count,
                thematic_missed: quarter_end.is_some_and(|e| e < today && e >= cell.established_on)
                    && held_count == 0,
                topics: topics
                    .iter()
                    .filter(|t| t.quarter == q as i32)
                    .map(|t| TopicView {
                        id: t.id,
                        quarter: t.quarter,
                        title: t.title.clone(),
                        writer: t.writer_member_id.map(|id| MemberRef {
                            id,
                            name: writers.get(&id).cloned().unwrap_or_default(),
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(YearPlan {
        cell: UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        year,
        months,
        quarters,
        can_manage: officer && actor.can_manage_members(&cell),
    })
}

/// Registers a thematic topic for a quarter, with the member who writes the paper.
pub async fn add_topic(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    input: TopicInput,
) -> AppResult<YearPlan> {
    let cell = actor.visible(units::find(&app.db, cell_id).await?)?;
    actor.require(actor.can_manage_members(&cell))?;
    let mut e = Invalid::new();
    if !UnitKind::from_code(&cell.kind).is_some_and(|k| k.is_cell()) {
        e.push("unit_id", "Kế hoạch sinh hoạt chuyên đề là của chi bộ.");
    }
    let this_year = App::today().year();
    if input.year < cell.established_on.year() || input.year > this_year + 1 {
        e.push(
            "year",
            format!(
                "Năm kế hoạch phải từ {} đến {}.",
                cell.established_on.year().max(this_year - 1),
                this_year + 1
            ),
        );
    }
    if !(1..=4).contains(&input.quarter) {
        e.push("quarter", "Quý phải từ 1 đến 4.");
    }
    let title = validate::required_text(&mut e, "title", "tên chuyên đề", &input.title, 500);
    if let Some(w) = input.writer_member_id {
        let on_roll = member::Entity::find_by_id(w)
            .one(&app.db)
            .await?
            .is_some_and(|m| m.unit_path.starts_with(&cell.path));
        if !on_roll {
            e.push(
                "writer_member_id",
                "Người viết đề dẫn phải là đảng viên của chi bộ.",
            );
        }
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let t = thematic_topic::ActiveModel {
        unit_id: Set(cell.id),
        year: Set(input.year),
        quarter: Set(input.quarter),
        title: Set(title),
        writer_member_id: Set(input.writer_member_id),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "plan.topic",
        "unit",
        Some(cell.id),
        None::<&()>,
        Some(&t),
    )
    .await?;
    tx.commit().await?;
    year_plan(app, actor, cell.id, input.year).await
}
