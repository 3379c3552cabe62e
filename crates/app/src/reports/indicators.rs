//! The indicators of domain.md §7 for a unit's subtree and a period, as the dashboard and the
//! API show them: each with its numerator, denominator, value and, when a programme sets one,
//! its target and whether it is met. Counted by `chibo_store::indicators` with the tree as it
//! was; the arithmetic is `chibo_domain::indicators`.

use std::collections::HashMap;

use chibo_domain::indicators::{Figure, Indicator, Measure, Target};
use chibo_domain::org::UnitKind;
use chibo_store::entities::unit;
use chibo_store::indicators::Grouping;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, Scheduled, Visible};
use crate::org::units;
use crate::refs::UnitRef;
use crate::reports::Period;
use crate::{App, AppError, AppResult};
use chibo_store::subtree::{ProvesSubtree, Subtree};

/// One indicator of a unit over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorLine {
    /// Stable code (domain.md §7), e.g. `attendance_rate`.
    pub code: String,
    pub label: String,
    /// What is counted, in words (left out of the lines by child and by month: it is the
    /// same for every child and every month).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub definition: String,
    /// `share` (numerator / denominator in %) or `count`.
    #[schema(value_type = String)]
    pub measure: Measure,
    pub numerator: u64,
    /// Null for a count.
    pub denominator: Option<u64>,
    /// A percentage with one decimal (rounded half up) for a share, the count otherwise; null
    /// for a share of nothing.
    pub value: Option<f64>,
    /// The value as written: "93,3%", "1.204", "—".
    pub text: String,
    /// The programme's target value (a percentage or a count), null when none applies.
    pub target: Option<f64>,
    /// The target as written: "≥ 90%".
    pub target_text: Option<String>,
    /// Null when no target applies or the share is of nothing.
    pub met: Option<bool>,
    /// How far from the target (positive: beyond it), in the value's unit.
    pub gap: Option<f64>,
    /// The gap as written: "-3,4".
    pub gap_text: Option<String>,
    /// The kind of warning that lists the rows this figure misses
    /// (`GET /api/v1/units/{id}/warnings?kind=…`), when there is one.
    pub evidence: Option<String>,
    /// The page that lists the rows this figure counts (the members, the units, the courses,
    /// the badges…), when there is one.
    pub rows: Option<String>,
}

impl IndicatorLine {
    pub fn new(indicator: Indicator, f: Figure, target: Option<Target>) -> IndicatorLine {
        IndicatorLine {
            code: indicator.code().into(),
            label: indicator.label().into(),
            definition: indicator.definition().into(),
            measure: indicator.measure(),
            numerator: f.numerator,
            denominator: f.denominator,
            value: f.value(),
            text: f.text(),
            target: target.map(|t| t.tenths as f64 / 10.0),
            target_text: target.map(|t| t.text()),
            met: target.and_then(|t| t.met(f)),
            gap: target
                .and_then(|t| t.gap_tenths(f))
                .map(|g| g as f64 / 10.0),
            gap_text: target
                .and_then(|t| t.gap_tenths(f))
                .map(chibo_domain::indicators::tenths_text),
            evidence: indicator.evidence().map(|w| w.code().to_string()),
            rows: None,
        }
    }
}

/// The page of unit `unit_id` that lists the rows indicator `i` counts, when there is one.
fn rows_page(i: Indicator, unit_id: i64) -> Option<String> {
    use Indicator::*;
    let page = match i {
        Members => return Some(format!("/members?unit_id={unit_id}")),
        GrassrootsOrgs | Cells | CellsWithGroups => "",
        CellsInspected => "/inspections",
        OfficersTrained | Courses | TraineeTimes => "/training",
        MembersAdmitted => "/candidates",
        BadgesAwarded => "/badges",
        CellsGoodOrBetter | MembersGoodOrBetter => "/reviews",
        CadresTasked | CadreTasksGiven | CadreTasksDone => "/cadre-tasks",
        _ => return None,
    };
    Some(format!("/units/{unit_id}{page}"))
}

/// `lines` with the pages of unit `unit_id` that list their rows.
fn with_rows(mut lines: Vec<IndicatorLine>, unit_id: i64) -> Vec<IndicatorLine> {
    for l in &mut lines {
        l.rows = Indicator::from_code(&l.code).and_then(|i| rows_page(i, unit_id));
    }
    lines
}

/// The indicators of a unit's subtree over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicators {
    pub unit_id: i64,
    pub unit: UnitRef,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub indicators: Vec<IndicatorLine>,
    /// Meetings whose figures are being computed again after a change (anywhere): the
    /// figures above do not include those changes yet.
    pub pending: u64,
}

/// Checks that the period is one the indicators can be counted over.
pub(crate) fn check_period(p: &Period) -> AppResult<()> {
    let months =
        (p.to.year() - p.from.year()) * 12 + p.to.month0() as i32 - p.from.month0() as i32 + 1;
    if months > chibo_store::indicators::MAX_MONTHS as i32 {
        return Err(AppError::invalid(
            "from",
            "Kỳ báo cáo dài nhất 10 năm; hãy chọn kỳ ngắn hơn.",
        ));
    }
    Ok(())
}

/// Unit `unit_id` if the actor reads it and `period` is one the indicators can be counted over.
pub(crate) async fn reported_unit(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: &Period,
) -> AppResult<Visible<unit::Model>> {
    check_period(period)?;
    actor.visible(units::find(&app.db, unit_id).await?)
}

/// The counting scope of a unit's subtree over a period.
pub(crate) async fn scope_of<'a>(
    app: &App,
    unit: &'a Visible<unit::Model>,
    period: &Period,
    grouping: Grouping,
) -> AppResult<chibo_store::indicators::Scope<'a>> {
    scope_in(app, unit, period, grouping).await
}

/// The counting scope of a whole tree for the worker's scheduled jobs.
pub(crate) async fn scheduled_scope<'a>(
    app: &App,
    root: &'a Scheduled<unit::Model>,
    period: &Period,
    grouping: Grouping,
) -> AppResult<chibo_store::indicators::Scope<'a>> {
    scope_in(app, root, period, grouping).await
}

async fn scope_in<'a, P: ProvesSubtree>(
    app: &App,
    unit: &'a P,
    period: &Period,
    grouping: Grouping,
) -> AppResult<chibo_store::indicators::Scope<'a>> {
    Ok(chibo_store::indicators::scope(
        &app.db,
        Subtree::of(unit),
        period.from,
        period.to,
        App::today(),
        grouping,
    )
    .await?)
}

/// Every indicator of unit `unit_id`'s subtree over `period`, with `targets` where they
/// apply. The actor must read the unit.
pub async fn of_unit(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    targets: &[Target],
) -> AppResult<Indicators> {
    let unit = reported_unit(app, actor, unit_id, &period).await?;
    let scope = scope_of(app, &unit, &period, Grouping::Whole).await?;
    let figures = chibo_store::indicators::all(&app.db, &scope).await?;
    let pending = chibo_store::meeting_stats::stale_count(&app.db).await?;
    Ok(whole(&unit, &period, figures, targets, pending))
}

fn whole(
    unit: &unit::Model,
    period: &Period,
    figures: Vec<(Indicator, Figure)>,
    targets: &[Target],
    pending: u64,
) -> Indicators {
    Indicators {
        unit_id: unit.id,
        unit: UnitRef::of(unit),
        from: period.from,
        to: period.to,
        indicators: with_rows(lines(figures, targets), unit.id),
        pending,
    }
}

/// [`of_unit`] and [`by_child`] at once, for the dashboard and the review report: fewer
/// statements than both, the same figures.
pub async fn whole_and_by_child(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    targets: &[Target],
) -> AppResult<(Indicators, ByChild)> {
    let unit = reported_unit(app, actor, unit_id, &period).await?;
    let scope = scope_of(app, &unit, &period, Grouping::ByChild).await?;
    let (figures, children) = chibo_store::indicators::whole_and_by_child(&app.db, &scope).await?;
    let pending = chibo_store::meeting_stats::stale_count(&app.db).await?;
    let by_child = child_lines(app, &unit, &period, children, targets, pending).await?;
    Ok((whole(&unit, &period, figures, targets, pending), by_child))
}

fn lines(figures: Vec<(Indicator, Figure)>, targets: &[Target]) -> Vec<IndicatorLine> {
    figures
        .into_iter()
        .map(|(i, f)| {
            let target = targets.iter().find(|t| t.indicator == i).copied();
            IndicatorLine::new(i, f, target)
        })
        .collect()
}

/// [`lines`] without their definitions, for a line per child or per month.
fn short_lines(figures: Vec<(Indicator, Figure)>, targets: &[Target]) -> Vec<IndicatorLine> {
    let mut ls = lines(figures, targets);
    for l in &mut ls {
        l.definition.clear();
    }
    ls
}

/// One unit directly under the one asked about (or that unit itself, for what lies at it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildIndicators {
    pub unit: UnitRef,
    pub kind_label: String,
    /// The unit asked about itself: what lies directly at it, not under a child.
    pub itself: bool,
    pub indicators: Vec<IndicatorLine>,
}

/// The indicators of each unit directly under a unit, over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ByChild {
    pub unit_id: i64,
    pub unit: UnitRef,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// In Vietnamese name order; a unit that was under it in the period and is not now
    /// (merged, moved away) is listed too, for the part of the period it was.
    pub children: Vec<ChildIndicators>,
    pub pending: u64,
}

/// Every indicator for each unit directly under unit `unit_id`, each over its own subtree with
/// the tree as it was, in a handful of statements whatever the number of children.
pub async fn by_child(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    targets: &[Target],
) -> AppResult<ByChild> {
    let unit = reported_unit(app, actor, unit_id, &period).await?;
    let scope = scope_of(app, &unit, &period, Grouping::ByChild).await?;
    let children = chibo_store::indicators::by_child(&app.db, &scope).await?;
    let pending = chibo_store::meeting_stats::stale_count(&app.db).await?;
    child_lines(app, &unit, &period, children, targets, pending).await
}

/// The lines of the units directly under `unit` from their counted figures.
async fn child_lines(
    app: &App,
    unit: &unit::Model,
    period: &Period,
    children: Vec<chibo_store::indicators::ChildFigures>,
    targets: &[Target],
    pending: u64,
) -> AppResult<ByChild> {
    let mut counted: HashMap<i64, Vec<(Indicator, Figure)>> = children
        .into_iter()
        .map(|c| (c.unit_id, c.figures))
        .collect();
    // Today's sub-units are listed even with nothing to count (a new cell), then whatever
    // else was counted; the sub-units of one unit are a level of the tree, never a subtree.
    let live: Vec<i64> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .filter(unit::Column::ParentId.eq(unit.id))
        .filter(unit::Column::DissolvedOn.is_null())
        .filter(unit::Column::Kind.ne(UnitKind::Group.code()))
        .into_tuple()
        .all(&app.db)
        .await?;
    let mut ids: Vec<i64> = live;
    ids.extend(counted.keys().copied().filter(|id| *id != unit.id));
    ids.sort_unstable();
    ids.dedup();
    let names = crate::lookup::units_by_id(&app.db, &ids).await?;
    let empty = chibo_store::indicators::empty;
    let mut children: Vec<ChildIndicators> = ids
        .iter()
        .filter_map(|id| names.get(id))
        .map(|u| ChildIndicators {
            unit: UnitRef::of(u),
            kind_label: UnitKind::from_code(&u.kind)
                .map_or("", |k| k.label())
                .into(),
            itself: false,
            indicators: short_lines(counted.remove(&u.id).unwrap_or_else(empty), targets),
        })
        .collect();
    children.sort_by_key(|c| (names.get(&c.unit.id).map(|u| u.sort_key.clone()), c.unit.id));
    if let Some(own) = counted.remove(&unit.id) {
        children.push(ChildIndicators {
            unit: UnitRef::of(unit),
            kind_label: "Trực tiếp tại đơn vị".into(),
            itself: true,
            indicators: short_lines(own, targets),
        });
    }
    Ok(ByChild {
        unit_id: unit.id,
        unit: UnitRef::of(unit),
        from: period.from,
        to: period.to,
        children,
        pending,
    })
}

/// One month of [`by_month`].
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthIndicators {
    /// `YYYY-MM`.
    pub month: String,
    /// The part of the month inside the period.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub indicators: Vec<IndicatorLine>,
}

/// The indicators of a unit month by month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ByMonth {
    pub unit_id: i64,
    pub unit: UnitRef,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub months: Vec<MonthIndicators>,
}

/// The longest series by month.
pub const MAX_SERIES_MONTHS: i32 = 36;

/// Every indicator of unit `unit_id`'s subtree for each month of the period (each month counted
/// over the part of it inside the period).
pub async fn by_month(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    targets: &[Target],
) -> AppResult<ByMonth> {
    check_series(&period)?;
    let mut months = Vec::new();
    let mut first = period.from.with_day(1).expect("the first of a month");
    let mut unit = None;
    while first <= period.to {
        let last = (first + Months::new(1)).pred_opt().expect("a day before");
        let span = Period {
            from: first.max(period.from),
            to: last.min(period.to),
        };
        let r = of_unit(app, actor, unit_id, span, targets).await?;
        unit.get_or_insert(r.unit);
        months.push(MonthIndicators {
            month: first.format("%Y-%m").to_string(),
            from: span.from,
            to: span.to,
            indicators: r
                .indicators
                .into_iter()
                .map(|mut l| {
                    l.definition.clear();
                    l
                })
                .collect(),
        });
        first = first + Months::new(1);
    }
    Ok(ByMonth {
        unit_id,
        unit: unit.ok_or(AppError::NotFound)?,
        from: period.from,
        to: period.to,
        months,
    })
}

/// A period short enough for a series by month.
fn check_series(p: &Period) -> AppResult<()> {
    if months_in(p) > MAX_SERIES_MONTHS {
        return Err(AppError::invalid(
            "from",
            format!("Theo dõi theo tháng tối đa {MAX_SERIES_MONTHS} tháng; hãy chọn kỳ ngắn hơn."),
        ));
    }
    Ok(())
}

fn months_in(p: &Period) -> i32 {
    (p.to.year() - p.from.year()) * 12 + p.to.month0() as i32 - p.from.month0() as i32 + 1
}

/// The indicators a trend is drawn for: shares counted from the meetings and the cell-months
/// (not tasks followed up: whether a task was reviewed is judged at the period's end, not at
/// each month's).
const TRENDED: [Indicator; 8] = [
    Indicator::CellMonthsMet,
    Indicator::AttendanceRate,
    Indicator::MembersTasked,
    Indicator::MeetingsAttendanceOk,
    Indicator::MeetingsFullProcedure,
    Indicator::MeetingsMinDuration,
    Indicator::DocumentsOnTime,
    Indicator::SuperiorAttended,
];

/// Drawn when no programme sets a target on any of [`TRENDED`].
const TRENDED_BY_DEFAULT: usize = 3;

/// One indicator month by month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Series {
    pub code: String,
    pub label: String,
    /// The target value when a programme sets one.
    pub target: Option<f64>,
    pub target_text: Option<String>,
    /// One value a month, in the order of [`Trend::months`]; null for a share of nothing.
    pub values: Vec<Option<f64>>,
    /// Whether each month met the target (null without a target or a figure).
    pub met: Vec<Option<bool>>,
}

impl Series {
    /// "Tỷ lệ đảng viên dự sinh hoạt thường kỳ (mục tiêu ≥ 90%)".
    pub fn caption(&self) -> String {
        match &self.target_text {
            Some(t) => format!("{} (mục tiêu {t})", self.label),
            None => self.label.clone(),
        }
    }
}

/// A unit's meeting indicators month by month: those a programme targets, or the main three.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trend {
    /// `YYYY-MM`, every month of the period.
    pub months: Vec<String>,
    pub series: Vec<Series>,
}

/// The trend of unit `unit_id`'s meeting indicators over `period` (at most
/// [`MAX_SERIES_MONTHS`] months), counted in two statements whatever its length.
pub async fn trend(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    targets: &[Target],
) -> AppResult<Trend> {
    check_series(&period)?;
    let unit = reported_unit(app, actor, unit_id, &period).await?;
    let scope = scope_of(app, &unit, &period, Grouping::ByMonth).await?;
    let counted = chibo_store::indicators::monthly(&app.db, &scope).await?;
    let mut months = Vec::new();
    let mut first = period.from.with_day(1).expect("the first of a month");
    while first <= period.to {
        months.push(first.format("%Y-%m").to_string());
        first = first + Months::new(1);
    }
    let targeted: Vec<Indicator> = TRENDED
        .into_iter()
        .filter(|i| targets.iter().any(|t| t.indicator == *i))
        .collect();
    let drawn = if targeted.is_empty() {
        TRENDED[..TRENDED_BY_DEFAULT].to_vec()
    } else {
        targeted
    };
    let series = drawn
        .into_iter()
        .map(|i| {
            let target = targets.iter().find(|t| t.indicator == i);
            let figures: Vec<Option<Figure>> = months
                .iter()
                .map(|m| {
                    counted
                        .get(m)
                        .and_then(|fs| fs.iter().find(|(x, _)| *x == i))
                        .map(|(_, f)| *f)
                })
                .collect();
            Series {
                code: i.code().into(),
                label: i.label().into(),
                target: target.map(|t| t.tenths as f64 / 10.0),
                target_text: target.map(|t| t.text()),
                values: figures.iter().map(|f| f.and_then(|f| f.value())).collect(),
                met: figures
                    .iter()
                    .map(|f| target.zip(*f).and_then(|(t, f)| t.met(f)))
                    .collect(),
            }
        })
        .collect();
    Ok(Trend { months, series })
}
