use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::programmes::programme::{self, UnitProgrammes};
use chibo_app::reports::Period;
use chibo_app::reports::indicators::{self, ByChild, ChildIndicators, IndicatorLine, Indicators};
use chibo_app::reports::warnings::{self, Warnings};
use chibo_domain::indicators::Indicator;
use chrono::Datelike;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::render::{Nav, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    tu: Option<String>,
    den: Option<String>,
    /// The programme whose targets the figures are held against.
    chuong_trinh: Option<i64>,
    /// The indicator the table of sub-units is sorted by, and whether highest first.
    xep: Option<String>,
    giam: Option<String>,
}

/// The columns of the sub-units' table besides the one it is sorted by: what a committee
/// looks at first (narrow enough for a phone held sideways).
const CHILD_COLUMNS: &[&str] = &[
    "members",
    "cell_months_met",
    "attendance_rate",
    "members_tasked",
    "meetings_full_procedure",
];

/// The sub-units' table: its columns (code, label) and rows (unit, its lines in column order).
struct ChildTable {
    columns: Vec<(String, String)>,
    rows: Vec<(ChildIndicators, Vec<IndicatorLine>)>,
    sort: String,
    descending: bool,
}

fn child_table(by: ByChild, sort: Option<&str>, descending: bool) -> ChildTable {
    let sort = sort
        .and_then(Indicator::from_code)
        .unwrap_or(Indicator::AttendanceRate)
        .code()
        .to_string();
    let mut codes: Vec<&str> = vec![sort.as_str()];
    codes.extend(CHILD_COLUMNS.iter().copied().filter(|c| *c != sort));
    let columns = codes
        .iter()
        .filter_map(|c| Indicator::from_code(c))
        .map(|i| (i.code().to_string(), i.label().to_string()))
        .collect();
    let mut rows: Vec<(ChildIndicators, Vec<IndicatorLine>)> = by
        .children
        .into_iter()
        .map(|c| {
            let picked = codes
                .iter()
                .filter_map(|code| c.indicators.iter().find(|l| l.code == *code).cloned())
                .collect();
            (c, picked)
        })
        .collect();
    // A unit with nothing to count ("—") goes last either way.
    let key = |r: &(ChildIndicators, Vec<IndicatorLine>)| r.1.first().and_then(|l| l.value);
    rows.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) if descending => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    ChildTable {
        columns,
        rows,
        sort,
        descending,
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Nav,
    r: Indicators,
    /// The programmes that apply to the unit, and the one chosen.
    programmes: UnitProgrammes,
    chosen: Option<i64>,
    children: ChildTable,
    /// The query string of this view without the sort, for the table's sort links.
    base: String,
    warnings: Warnings,
    w_total: u64,
    /// The trend of the meeting indicators month by month, as SVG (the last 36 months of a
    /// longer period).
    charts: Vec<(String, String)>,
}

/// The last [`indicators::MAX_SERIES_MONTHS`] months of `period`, or all of it.
fn trend_period(period: Period) -> Period {
    let months = indicators::MAX_SERIES_MONTHS as u32 - 1;
    let first = period
        .to
        .with_day(1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(months)))
        .unwrap_or(period.from);
    Period {
        from: period.from.max(first),
        to: period.to,
    }
}

/// A unit's board: every indicator of its subtree over the period.
pub async fn dashboard(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<PeriodQuery>,
) -> Result<Response, PageError> {
    let period = Period::parse(q.tu.as_deref(), q.den.as_deref())?;
    let targets = match q.chuong_trinh {
        Some(p) => programme::targets_for(&s.app, &a, p, id).await?.1,
        None => vec![],
    };
    // The figures, the warnings, the trend and the programmes do not depend on each other:
    // read at once, each on connections of its own.
    let ((whole, by_child), warnings, trend, programmes) = tokio::try_join!(
        indicators::whole_and_by_child(&s.app, &a, id, period, &targets),
        warnings::warnings(&s.app, &a, id, period, None, None, warnings::FIRST),
        indicators::trend(&s.app, &a, id, trend_period(period), &targets),
        programme::for_unit(&s.app, &a, id),
    )?;
    let descending = q.giam.as_deref() == Some("1");
    let charts = trend
        .series
        .iter()
        .map(|x| {
            let svg = super::chart::trend_svg(&format!("trend-{}", x.code), x, &trend.months);
            (x.caption(), svg)
        })
        .collect();
    render(&DashboardPage {
        charts,
        nav: Nav::of(&a),
        r: whole,
        programmes,
        base: format!(
            "tu={}&den={}{}",
            period.from,
            period.to,
            q.chuong_trinh
                .map(|p| format!("&chuong_trinh={p}"))
                .unwrap_or_default()
        ),
        chosen: q.chuong_trinh,
        children: child_table(by_child, q.xep.as_deref(), descending),
        w_total: warnings.kinds.iter().map(|k| k.count).sum(),
        warnings,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct WarningQuery {
    tu: Option<String>,
    den: Option<String>,
    loai: Option<String>,
    after: Option<chibo_domain::cursor::Cursor>,
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct WarningsPage {
    nav: Nav,
    w: Warnings,
    kind: String,
    later: bool,
}

/// One kind of warning of a unit's subtree, a page at a time.
pub async fn unit_warnings(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<WarningQuery>,
) -> Result<Response, PageError> {
    let period = Period::parse(q.tu.as_deref(), q.den.as_deref())?;
    // Without a kind, the newest few of every kind (as on the dashboard); an unknown kind is
    // refused once the unit is known to be readable.
    let kind = q
        .loai
        .as_deref()
        .filter(|k| !k.is_empty())
        .map(chibo_domain::indicators::Warning::from_code);
    let w = warnings::warnings(
        &s.app,
        &a,
        id,
        period,
        kind.flatten(),
        q.after.as_ref(),
        if kind.is_some() {
            warnings::PER_PAGE
        } else {
            warnings::FIRST
        },
    )
    .await?;
    if kind == Some(None) {
        return Err(PageError(chibo_app::AppError::invalid(
            "loai",
            "Loại cảnh báo không đúng.",
        )));
    }
    let kind = kind.flatten();
    render(&WarningsPage {
        nav: Nav::of(&a),
        w,
        kind: kind.map(|k| k.code().to_string()).unwrap_or_default(),
        later: q.after.is_some(),
    })
}
