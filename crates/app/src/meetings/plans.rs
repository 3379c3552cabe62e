//! A cell's year plan: the thematic topics it registers (each with the member who writes the
//! introductory paper) and the calendar of the meetings its rule sets require, kind by kind,
//! against what was held.

use chibo_domain::Invalid;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::org::UnitKind;
use chibo_domain::rules::{Frequency, MeetingKindRule};
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
use crate::rules;
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
    /// The day it was first set for, when it was moved.
    pub postponed_from: Option<NaiveDate>,
    /// Why it was cancelled, when it was.
    pub cancelled_reason: Option<String>,
    /// Why it was moved, when it was.
    pub postponed_reason: Option<String>,
}

/// One month or quarter of a kind of meeting the rules require.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodRow {
    /// The month (1–12) or the quarter (1–4).
    pub number: u32,
    /// "Tháng 3", "Quý 1".
    pub label: String,
    /// The meetings of this kind scheduled or held in the period.
    pub meetings: Vec<MeetingRef>,
    /// How many were held.
    pub held: u32,
    /// How many the rule set in force on the period's first day requires (0: none).
    pub required: u32,
    /// The period is over with fewer held than required.
    pub missed: bool,
}

/// A kind of meeting of the rule sets in force in the year, period by period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindPlan {
    pub code: String,
    pub label: String,
    /// `monthly`, `quarterly` or `as_needed`.
    pub frequency: String,
    /// "hằng tháng", "hằng quý", "khi cần".
    pub frequency_label: String,
    /// Twelve months, four quarters, or (when needed) the twelve months.
    pub periods: Vec<PeriodRow>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuarterTopics {
    pub quarter: u32,
    pub topics: Vec<TopicView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearPlan {
    pub cell: UnitRef,
    /// The actor may open the cell's own page (a member may not: the breadcrumb is plain text).
    pub can_read_cell: bool,
    pub year: i32,
    /// The rule sets the year's periods are planned by (names), oldest first.
    pub rule_sets: Vec<String>,
    /// Each kind of meeting of those sets, with its calendar against what was held.
    pub kinds: Vec<KindPlan>,
    /// The thematic topics registered, by quarter.
    pub topics: Vec<QuarterTopics>,
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
    let sets = rules::LineageSets::read(&app.db, &cell, to).await?;
    let kinds = kind_plans(&sets, &cell, &visible, year, today);
    let mut rule_sets: Vec<String> = Vec::new();
    for month in 1..=12 {
        let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a month of a valid year");
        if let Some((r, _)) = sets.on(first)
            && !rule_sets.contains(&r.name)
        {
            rule_sets.push(r.name.clone());
        }
    }
    let topics = (1..=4u32)
        .map(|q| QuarterTopics {
            quarter: q,
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
        })
        .collect();
    Ok(YearPlan {
        cell: UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        can_read_cell: officer,
        year,
        rule_sets,
        kinds,
        topics,
        can_manage: officer && actor.can_manage_members(&cell),
    })
}

/// The year's calendar of each kind of meeting the rule sets name (issue 12, defect 12: their
/// kinds and frequencies, not fixed codes). A period requires what the set in force on its first
/// day requires; it is missed once over (and the cell existed) with fewer held. A regular
/// meeting held together with a thematic one (`combined`) counts for the thematic kind too.
fn kind_plans(
    sets: &rules::LineageSets,
    cell: &chibo_store::entities::unit::Model,
    meetings: &[&meeting::Model],
    year: i32,
    today: NaiveDate,
) -> Vec<KindPlan> {
    let month_start = |m: u32| NaiveDate::from_ymd_opt(year, m, 1).expect("valid month");
    let month_end = |m: u32| {
        month_start(m)
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .expect("valid month")
    };
    // Every kind of every set in force in some month, in the order the sets list them.
    let mut kinds: Vec<MeetingKindRule> = Vec::new();
    for m in 1..=12 {
        for k in sets
            .on(month_start(m))
            .map(|(_, r)| &r.meeting_kinds)
            .into_iter()
            .flatten()
        {
            if kinds.iter().all(|x| x.code != k.code) {
                kinds.push(k.clone());
            }
        }
    }
    kinds
        .into_iter()
        .map(|k| {
            let quarterly = k.frequency == Frequency::Quarterly;
            let periods = if quarterly { 1..=4u32 } else { 1..=12u32 };
            let periods = periods
                .map(|n| {
                    let (from, to) = if quarterly {
                        (month_start(n * 3 - 2), month_end(n * 3))
                    } else {
                        (month_start(n), month_end(n))
                    };
                    let of_kind: Vec<&&meeting::Model> = meetings
                        .iter()
                        .filter(|m| (from..=to).contains(&m.meeting_date))
                        .filter(|m| {
                            m.kind == k.code
                                || (k.code == "thematic" && m.kind == "regular" && m.combined)
                        })
                        .collect();
                    let held = of_kind
                        .iter()
                        .filter(|m| m.status == MeetingStatus::Held.code())
                        .count() as u32;
                    let required = match sets.on(from).and_then(|(_, r)| r.kind(&k.code)) {
                        Some(rule) if rule.frequency != Frequency::AsNeeded => rule.min_per_period,
                        _ => 0,
                    };
                    PeriodRow {
                        number: n,
                        label: if quarterly {
                            format!("Quý {n}")
                        } else {
                            format!("Tháng {n}")
                        },
                        meetings: of_kind
                            .iter()
                            .map(|m| MeetingRef {
                                id: m.id,
                                date: m.meeting_date,
                                status: m.status.clone(),
                                postponed_from: m.postponed_from,
                                cancelled_reason: m.cancelled_reason.clone(),
                                postponed_reason: m.postponed_reason.clone(),
                            })
                            .collect(),
                        held,
                        required,
                        missed: to < today && to >= cell.established_on && held < required,
                    }
                })
                .collect();
            KindPlan {
                frequency: match k.frequency {
                    Frequency::Monthly => "monthly",
                    Frequency::Quarterly => "quarterly",
                    Frequency::AsNeeded => "as_needed",
                }
                .into(),
                frequency_label: k.frequency.label().into(),
                code: k.code,
                label: k.label,
                periods,
            }
        })
        .collect()
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
