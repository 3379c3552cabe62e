//! The badges due in a subtree on a date: members whose Party age reaches a badge's threshold and
//! who have not received it, as the committee's list before each award ceremony.

use std::collections::HashMap;

use chibo_domain::badges::BadgeRules;
use chibo_domain::validate;
use chibo_store::entities::{member, unit};
use chibo_store::sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::badges::{
    Of, awards_of, disciplines_of, gaps_by_member, measures, next_badge,
};
use crate::org::units;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueRow {
    pub member_id: i64,
    pub full_name: String,
    pub unit_name: String,
    pub years: u32,
    pub reached_on: NaiveDate,
    pub eligible_from: NaiveDate,
    /// Could have been given at an earlier award day.
    pub overdue: bool,
    /// Delayed by a disciplinary measure.
    pub delayed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueList {
    pub unit: UnitRef,
    pub award_on: NaiveDate,
    pub rows: Vec<DueRow>,
    pub can_award: bool,
}

/// Members of a subtree due for a badge at `award_on` (the next award day when not given):
/// each member's highest milestone above the badges they hold, if it may be given by then.
pub async fn due(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    award_on: Option<&str>,
) -> AppResult<DueList> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    let rules = BadgeRules::default();
    let award_on = match award_on.map(str::trim).filter(|s| !s.is_empty()) {
        None => rules.award_day_from(App::today()),
        Some(s) => match validate::parse_date(s) {
            Some(d) if rules.is_award_day(d) => d,
            Some(_) => {
                return Err(AppError::invalid(
                    "award_on",
                    "Ngày trao Huy hiệu là 3/2, 19/5, 2/9 hoặc 7/11.",
                ));
            }
            None => {
                return Err(AppError::invalid(
                    "award_on",
                    "Ngày trao phải có dạng ngày/tháng/năm.",
                ));
            }
        },
    };
    let previous = rules.award_day_before(award_on);
    // Only members whose party age can reach the first milestone by the award day: gaps in
    // party age only push milestones later.
    let first = rules.milestones.iter().copied().min().unwrap_or(30);
    let admitted_by = award_on
        .checked_sub_months(chrono::Months::new(first * 12))
        .unwrap_or(award_on);
    let candidates = Condition::all()
        .add(member::Column::UnitPath.like(chibo_store::path_prefix(&root.path)))
        .add(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
        .add(member::Column::AdmissionDate.lte(admitted_by));
    let ms: Vec<member::Model> = member::Entity::find()
        .filter(candidates.clone())
        .order_by_asc(member::Column::SortKey)
        .all(&app.db)
        .await?;
    let of = Of::Where(candidates);
    let gaps = gaps_by_member(app, &ms, &of).await?;
    let awards = awards_of(app, &of).await?;
    let ds = disciplines_of(app, &of).await?;
    let unit_names: HashMap<i64, String> = unit::Entity::find()
        .filter(unit::Column::Path.like(chibo_store::path_prefix(&root.path)))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut rows = Vec::new();
    for m in &ms {
        let held: Vec<u32> = awards
            .get(&m.id)
            .map(|v| v.iter().map(|b| b.years.max(0) as u32).collect())
            .unwrap_or_default();
        let measures = ds.get(&m.id).map(|v| measures(v)).unwrap_or_default();
        let Some(n) = next_badge(
            &rules,
            m.admission_date,
            gaps.get(&m.id).map(Vec::as_slice).unwrap_or(&[]),
            &held,
            &measures,
            award_on,
        ) else {
            continue;
        };
        if n.eligible_from > award_on {
            continue;
        }
        rows.push(DueRow {
            member_id: m.id,
            full_name: m.full_name.clone(),
            unit_name: unit_names.get(&m.unit_id).cloned().unwrap_or_default(),
            years: n.years,
            reached_on: n.reached_on,
            eligible_from: n.eligible_from,
            overdue: n.eligible_from <= previous,
            delayed: n.eligible_from > n.reached_on,
        });
    }
    rows.sort_by(|a, b| (b.years, a.overdue).cmp(&(a.years, b.overdue)));
    Ok(DueList {
        can_award: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        award_on,
        rows,
    })
}
