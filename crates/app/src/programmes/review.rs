//! The review report of a programme (báo cáo sơ kết / tổng kết): a unit in the programme's
//! subtree reports over a period. Its heading and prose sections (situation, overall
//! assessment, weaknesses and causes, directions) are written by the unit's committee and
//! stored; its figures are never stored: they are counted, every time the report is shown or
//! exported, by the same use cases as the dashboard (`reports::indicators`,
//! `reports::warnings`), so the DOCX, the XLSX and the dashboard cannot disagree. The files
//! themselves are built by `review_files`.

use chibo_domain::Invalid;
use chibo_domain::org::UnitKind;
use chibo_domain::text::{clean, place_of};
use chibo_domain::validate;
use chibo_store::entities::{programme, programme_review, review_report, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use chibo_store::write_tx;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::programme::{ProgrammeRef, concerning, issuer, own_targets, programme_ref, targets_for};
use crate::access::{Actor, Visible};
use crate::org::units;
use crate::refs::UnitRef;
use crate::reports::Period;
use crate::reports::indicators::{self, ChildIndicators, IndicatorLine, check_period};
use crate::reports::warnings::{self, WarningCount};
use crate::{App, AppError, AppResult, audit};

/// The longest prose section, in characters.
const PROSE_MAX: usize = 20_000;
/// The most reports listed for one unit and programme (a unit writes a few: sơ kết, tổng kết).
const LIST_MAX: u64 = 100;

/// A review report as written or changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReportInput {
    /// The unit reporting, in the programme's subtree; on creation only (the issuer when
    /// absent).
    pub unit_id: Option<i64>,
    /// "Báo cáo sơ kết 3 năm thực hiện Đề án 11-ĐA/TU".
    pub title: String,
    /// "Số 120-BC/TU".
    pub number: String,
    /// "Hòa Sơn", for "Hòa Sơn, ngày … tháng … năm …".
    pub place: String,
    pub report_on: Option<String>,
    /// The period the figures are counted over.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The prose sections; a blank line separates paragraphs.
    pub situation: String,
    pub assessment: String,
    pub weaknesses: String,
    pub directions: String,
    /// "T/M BAN THƯỜNG VỤ", and who signs.
    pub signer_role: String,
    pub signer_name: String,
}

/// A child unit judged against the targets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verdict {
    pub unit: UnitRef,
    /// Targets met and missed (targets whose share is of nothing are neither).
    pub met: u32,
    pub missed: u32,
    /// The labels of the targets missed.
    pub missed_labels: Vec<String>,
}

/// The figures of a report, counted when it is read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportFigures {
    /// Every indicator of the unit's subtree over the period, with its target where the
    /// programme (or one implementing it) sets one.
    pub indicators: Vec<IndicatorLine>,
    /// The kinds of warning found in the period, with how many.
    pub weaknesses: Vec<WarningCount>,
    /// Each unit directly under the reporting one, with its figures.
    pub children: Vec<ChildIndicators>,
    /// Units below that met every target they could be judged on.
    pub praise: Vec<Verdict>,
    /// Units below that missed at least one target, those missing most first.
    pub correct: Vec<Verdict>,
}

/// A review report with its figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub programme: ProgrammeRef,
    pub unit: UnitRef,
    /// The committee above the reporting unit, for the document's heading (empty at the top).
    pub superior: String,
    pub title: String,
    pub number: String,
    pub place: String,
    pub report_on: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub situation: String,
    pub assessment: String,
    pub weaknesses: String,
    pub directions: String,
    pub signer_role: String,
    pub signer_name: String,
    pub updated_at: DateTime<Utc>,
    /// The actor may change it.
    pub can_edit: bool,
    pub figures: ReportFigures,
}

impl ReportView {
    /// The prose sections with their headings, in the document's order.
    pub fn prose_sections(&self) -> [(&'static str, &str); 4] {
        [
            ("Tình hình", &self.situation),
            ("Đánh giá chung", &self.assessment),
            ("Hạn chế, nguyên nhân", &self.weaknesses),
            ("Phương hướng, nhiệm vụ", &self.directions),
        ]
    }
}

/// A report named in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportRef {
    pub id: i64,
    pub title: String,
    pub number: String,
    pub report_on: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The reports of one unit on one programme, and what the actor may do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportList {
    pub programme: ProgrammeRef,
    pub unit: UnitRef,
    /// Newest first.
    pub items: Vec<ReportRef>,
    /// The actor may write a report of this unit.
    pub can_write: bool,
}

/// Paragraphs as typed: each line cleaned, runs of blank lines made one, `\n` between lines.
fn prose(e: &mut Invalid, field: &str, label: &str, value: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in value.lines().map(clean) {
        if line.is_empty() && lines.last().is_none_or(String::is_empty) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let text = lines.join("\n");
    if text.chars().count() > PROSE_MAX {
        e.push(
            field,
            format!("Phần {label} không được dài quá {PROSE_MAX} ký tự."),
        );
    }
    text
}

/// The checked fields of a report.
struct Checked {
    title: String,
    number: String,
    place: String,
    report_on: NaiveDate,
    period: Period,
    situation: String,
    assessment: String,
    weaknesses: String,
    directions: String,
    signer_role: String,
    signer_name: String,
}

fn check(p: &programme::Model, input: &ReportInput) -> AppResult<Checked> {
    let mut e = Invalid::new();
    let title = validate::required_text(&mut e, "title", "tên báo cáo", &input.title, 500);
    // Stored as "120-BC/TU": the document and the page write "Số" before it.
    let bare = input
        .number
        .trim()
        .trim_start_matches("Số ")
        .trim_start_matches("số ");
    let number = validate::required_text(&mut e, "number", "số báo cáo", bare, 64);
    let place = validate::required_text(&mut e, "place", "địa danh", &input.place, 255);
    let report_on = validate::date_field(
        &mut e,
        "report_on",
        "ngày báo cáo",
        input.report_on.as_deref(),
        true,
    );
    let from = validate::date_field(&mut e, "from", "từ ngày", input.from.as_deref(), true);
    let to = validate::date_field(&mut e, "to", "đến ngày", input.to.as_deref(), true);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            e.push("to", "Đến ngày phải sau từ ngày.");
        } else if f > p.ends_on || t < p.starts_on {
            e.push(
                "from",
                format!(
                    "Kỳ báo cáo phải nằm trong thời gian thực hiện văn bản ({} – {}).",
                    p.starts_on.format("%d/%m/%Y"),
                    p.ends_on.format("%d/%m/%Y")
                ),
            );
        }
    }
    let situation = prose(&mut e, "situation", "tình hình", &input.situation);
    let assessment = prose(&mut e, "assessment", "đánh giá chung", &input.assessment);
    let weaknesses = prose(
        &mut e,
        "weaknesses",
        "hạn chế, nguyên nhân",
        &input.weaknesses,
    );
    let directions = prose(&mut e, "directions", "phương hướng", &input.directions);
    let signer_role = validate::required_text(
        &mut e,
        "signer_role",
        "chức danh người ký",
        &input.signer_role,
        255,
    );
    let signer_name = validate::required_text(
        &mut e,
        "signer_name",
        "họ tên người ký",
        &input.signer_name,
        255,
    );
    e.into_result()?;
    let period = Period {
        from: from.expect("checked"),
        to: to.expect("checked"),
    };
    check_period(&period)?;
    Ok(Checked {
        title,
        number,
        place,
        report_on: report_on.expect("checked"),
        period,
        situation,
        assessment,
        weaknesses,
        directions,
        signer_role,
        signer_name,
    })
}

/// The unit `unit_id` (the programme's issuer when `None`) if it lies in the programme's
/// subtree and the actor may write its reports (its committee or one above).
async fn reporter(
    app: &App,
    actor: &Actor,
    p: &programme::Model,
    issued_by: &unit::Model,
    unit_id: Option<i64>,
) -> AppResult<Visible<unit::Model>> {
    let u = issuer(app, actor, unit_id.unwrap_or(issued_by.id)).await?;
    if !u.path.starts_with(&issued_by.path) {
        return Err(AppError::invalid(
            "unit_id",
            format!(
                "{} không thuộc phạm vi của {}.",
                u.name,
                programme_ref(p).name
            ),
        ));
    }
    Ok(u)
}

/// A report as the form first shows it: the next review's title, the unit's place, today, the
/// period from the programme's start to today (or its end), the signer's role.
pub async fn draft(
    app: &App,
    actor: &Actor,
    programme_id: i64,
    unit_id: Option<i64>,
) -> AppResult<ReportInput> {
    let (p, issued_by) = concerning(app, actor, programme_id).await?;
    let u = reporter(app, actor, &p, &issued_by, unit_id).await?;
    let today = App::today();
    let review = programme_review::Entity::find()
        .filter(programme_review::Column::ProgrammeId.eq(p.id))
        .filter(programme_review::Column::DueOn.gte(today - chrono::Days::new(90)))
        .order_by_asc(programme_review::Column::DueOn)
        .one(&app.db)
        .await?;
    let what = review.map_or_else(
        || "Báo cáo sơ kết".to_string(),
        |r| format!("Báo cáo {}", lower_first(&r.title)),
    );
    let name = programme_ref(&p).name;
    Ok(ReportInput {
        unit_id: Some(u.id),
        title: format!("{what} thực hiện {name}"),
        number: String::new(),
        place: place_of(&u.name),
        report_on: Some(today.to_string()),
        from: Some(p.starts_on.min(today).to_string()),
        to: Some(today.min(p.ends_on).max(p.starts_on).to_string()),
        situation: format!(
            "Thực hiện {name} về {}, {} đã quán triệt, xây dựng kế hoạch và tổ chức thực hiện trong toàn đảng bộ.",
            lower_first(&p.title),
            u.name
        ),
        signer_role: signer_role(&u).into(),
        ..Default::default()
    })
}

/// Who signs for a unit: a cell's committee, a grassroots committee, or a standing committee.
fn signer_role(u: &unit::Model) -> &'static str {
    match UnitKind::from_code(&u.kind) {
        Some(k) if k.is_cell() => "T/M CHI BỘ",
        Some(UnitKind::Commune | UnitKind::Grassroots | UnitKind::Other) => "T/M ĐẢNG ỦY",
        _ => "T/M BAN THƯỜNG VỤ",
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The figures of unit `u` over `period` against the targets it is held to under `p`.
async fn figures(
    app: &App,
    actor: &Actor,
    p: &programme::Model,
    u: &unit::Model,
    period: Period,
) -> AppResult<ReportFigures> {
    // A unit moved out of the programme's subtree since keeps its report, held to the
    // programme's own targets.
    let targets = match targets_for(app, actor, p.id, u.id).await {
        Ok((_, t)) => t,
        Err(AppError::Invalid(_)) => own_targets(app, p.id).await?,
        Err(e) => return Err(e),
    };
    let (of_unit, by_child) =
        indicators::whole_and_by_child(app, actor, u.id, period, &targets).await?;
    let weaknesses = warnings::counts(app, actor, u.id, period)
        .await?
        .into_iter()
        .filter(|w| w.count > 0)
        .collect();
    let mut praise = Vec::new();
    let mut correct = Vec::new();
    for c in by_child.children.iter().filter(|c| !c.itself) {
        let judged: Vec<&IndicatorLine> = c.indicators.iter().filter(|l| l.met.is_some()).collect();
        let missed: Vec<String> = judged
            .iter()
            .filter(|l| l.met == Some(false))
            .map(|l| l.label.clone())
            .collect();
        let v = Verdict {
            unit: c.unit.clone(),
            met: (judged.len() - missed.len()) as u32,
            missed: missed.len() as u32,
            missed_labels: missed,
        };
        if v.missed > 0 {
            correct.push(v);
        } else if v.met > 0 {
            praise.push(v);
        }
    }
    correct.sort_by_key(|v| std::cmp::Reverse(v.missed));
    Ok(ReportFigures {
        indicators: of_unit.indicators,
        weaknesses,
        children: by_child.children,
        praise,
        correct,
    })
}

async fn view_of(app: &App, actor: &Actor, r: review_report::Model) -> AppResult<ReportView> {
    let (p, issued_by) = concerning(app, actor, r.programme_id).await?;
    let u = actor.visible(units::find(&app.db, r.unit_id).await?)?;
    let period = Period {
        from: r.period_from,
        to: r.period_to,
    };
    let figures = figures(app, actor, &p, &u, period).await?;
    let superior = match u.parent_id {
        Some(id) => units::find(&app.db, id)
            .await?
            .map(|x| x.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let can_edit = reporter(app, actor, &p, &issued_by, Some(u.id))
        .await
        .is_ok();
    Ok(ReportView {
        id: r.id,
        programme: programme_ref(&p),
        unit: UnitRef::of(&u),
        superior,
        title: r.title,
        number: r.number,
        place: r.place,
        report_on: r.report_on,
        from: r.period_from,
        to: r.period_to,
        situation: r.situation,
        assessment: r.assessment,
        weaknesses: r.weaknesses,
        directions: r.directions,
        signer_role: r.signer_role,
        signer_name: r.signer_name,
        updated_at: r.updated_at,
        can_edit,
        figures,
    })
}

/// One report with its figures; the actor must read the reporting unit.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<ReportView> {
    let r = review_report::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    view_of(app, actor, r).await
}

/// The reports unit `unit_id` (the issuer when `None`) wrote on programme `programme_id`.
pub async fn list(
    app: &App,
    actor: &Actor,
    programme_id: i64,
    unit_id: Option<i64>,
) -> AppResult<ReportList> {
    let (p, issued_by) = concerning(app, actor, programme_id).await?;
    let u = actor.visible(units::find(&app.db, unit_id.unwrap_or(issued_by.id)).await?)?;
    let items = review_report::Entity::find()
        .filter(review_report::Column::ProgrammeId.eq(p.id))
        .filter(review_report::Column::UnitId.eq(u.id))
        .order_by_desc(review_report::Column::ReportOn)
        .order_by_desc(review_report::Column::Id)
        .limit(LIST_MAX)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| ReportRef {
            id: r.id,
            title: r.title,
            number: r.number,
            report_on: r.report_on,
            from: r.period_from,
            to: r.period_to,
        })
        .collect();
    let can_write = reporter(app, actor, &p, &issued_by, Some(u.id))
        .await
        .is_ok();
    Ok(ReportList {
        programme: programme_ref(&p),
        unit: UnitRef::of(&u),
        items,
        can_write,
    })
}

fn fill(am: &mut review_report::ActiveModel, c: &Checked, actor: &Actor) {
    am.title = Set(c.title.clone());
    am.number = Set(c.number.clone());
    am.place = Set(c.place.clone());
    am.report_on = Set(c.report_on);
    am.period_from = Set(c.period.from);
    am.period_to = Set(c.period.to);
    am.situation = Set(c.situation.clone());
    am.assessment = Set(c.assessment.clone());
    am.weaknesses = Set(c.weaknesses.clone());
    am.directions = Set(c.directions.clone());
    am.signer_role = Set(c.signer_role.clone());
    am.signer_name = Set(c.signer_name.clone());
    am.updated_by = Set(Some(actor.user_id().get()));
    am.updated_at = Set(Utc::now());
}

/// Writes a review report of programme `programme_id` for `input.unit_id` (the issuer when
/// absent); its id. Its figures are counted when it is read ([`get`]), not here: a page that
/// saves and shows it again would count them twice.
pub async fn create(
    app: &App,
    actor: &Actor,
    programme_id: i64,
    input: ReportInput,
) -> AppResult<i64> {
    let (p, issued_by) = concerning(app, actor, programme_id).await?;
    let u = reporter(app, actor, &p, &issued_by, input.unit_id).await?;
    let c = check(&p, &input)?;
    let tx = write_tx(&app.db).await?;
    let mut am = review_report::ActiveModel {
        programme_id: Set(p.id),
        unit_id: Set(u.id),
        ..Default::default()
    };
    fill(&mut am, &c, actor);
    let saved = am.insert(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "review_report.create",
        "review_report",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(saved.id)
}

/// Changes a review report's heading and prose (its unit and programme stay); its id.
pub async fn update(app: &App, actor: &Actor, id: i64, input: ReportInput) -> AppResult<i64> {
    let r = review_report::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (p, issued_by) = concerning(app, actor, r.programme_id).await?;
    actor.visible(units::find(&app.db, r.unit_id).await?)?;
    reporter(app, actor, &p, &issued_by, Some(r.unit_id)).await?;
    let c = check(&p, &input)?;
    let tx = write_tx(&app.db).await?;
    let before = r.clone();
    let mut am: review_report::ActiveModel = r.into();
    fill(&mut am, &c, actor);
    let saved = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "review_report.update",
        "review_report",
        Some(saved.id),
        Some(&before),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(saved.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_keeps_paragraphs_and_drops_extra_blank_lines() {
        let mut e = Invalid::new();
        let t = prose(&mut e, "f", "x", "\n  Một   hai \n\n\n Ba\r\n\n");
        assert_eq!(t, "Một hai\n\nBa");
        assert!(e.into_result().is_ok());
        let mut e = Invalid::new();
        prose(&mut e, "f", "x", &"a".repeat(PROSE_MAX + 1));
        assert!(e.into_result().is_err());
    }
}
