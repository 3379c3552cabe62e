//! The indicators of domain.md §7 for a unit's subtree and a period, as the dashboard and the
//! API show them: each with its numerator, denominator, value and, when a programme sets one,
//! its target and whether it is met. Counted by `chibo_store::indicators` with the tree as it
//! was; the arithmetic is `chibo_domain::indicators`.

use chibo_domain::indicators::{Figure, Indicator, Measure, Target};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::org::units;
use crate::refs::UnitRef;
use crate::reports::Period;
use crate::{App, AppError, AppResult};
use chibo_store::subtree::Subtree;

/// One indicator of a unit over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorLine {
    /// Stable code (domain.md §7), e.g. `attendance_rate`.
    pub code: String,
    pub label: String,
    /// What is counted, in words.
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
        }
    }
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

/// Every indicator of unit `unit_id`'s subtree over `period`, with `targets` where they
/// apply. The actor must read the unit.
pub async fn of_unit(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    targets: &[Target],
) -> AppResult<Indicators> {
    check_period(&period)?;
    let unit = actor.visible(units::find(&app.db, unit_id).await?)?;
    let scope =
        chibo_store::indicators::scope(&app.db, Subtree::of(&unit), period.from, period.to).await?;
    let figures = chibo_store::indicators::all(&app.db, &scope).await?;
    let pending = chibo_store::meeting_stats::stale_count(&app.db).await?;
    Ok(Indicators {
        unit_id: unit.id,
        unit: UnitRef {
            id: unit.id,
            name: unit.name.clone(),
        },
        from: period.from,
        to: period.to,
        indicators: figures
            .into_iter()
            .map(|(i, f)| {
                let target = targets.iter().find(|t| t.indicator == i).copied();
                IndicatorLine::new(i, f, target)
            })
            .collect(),
        pending,
    })
}
