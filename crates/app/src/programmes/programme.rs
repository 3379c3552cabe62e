//! Programmes as data: a committee's đề án, chỉ thị, kế hoạch or nghị quyết chuyên đề over its
//! subtree and a period, with its targets (an indicator of domain.md §7, a comparison, a value)
//! and its review dates. Programmes nest: a unit's programme may name the one it implements and
//! set stricter targets; the issuing committee sees which units below have issued theirs. The
//! figures they are held against are `reports::indicators`.

use chibo_domain::Invalid;
use chibo_domain::indicators::{self as ind, Comparison, Indicator, Target};
use chibo_domain::org::{UnitKind, path_ids};
use chibo_domain::programme::ProgrammeKind;
use chibo_domain::validate;
use chibo_store::entities::{programme, programme_review, programme_target, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::org::units;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult, audit};

pub(crate) use super::targets::own_targets;
pub use super::targets::targets_for;

/// One target as typed: "attendance_rate", "at_least", "90".
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TargetInput {
    /// An indicator code of domain.md §7.
    pub indicator: Option<String>,
    /// `at_least`, `more_than`, `at_most`, `less_than` or `equal`.
    pub comparison: Option<String>,
    /// "90", "92,5": a percentage for a share, a count otherwise.
    pub value: Option<String>,
}

/// One review date: "Sơ kết 3 năm" on 2024-12-06.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReviewInput {
    pub due_on: Option<String>,
    pub title: String,
}

/// A programme as recorded or changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ProgrammeInput {
    /// The programme this one implements (issued by a unit above).
    pub parent_id: Option<i64>,
    /// `de_an`, `chi_thi`, `ke_hoach` or `nghi_quyet`.
    pub kind: Option<String>,
    /// The number as written: "11-ĐA/TU".
    pub code: String,
    pub title: String,
    pub issued_on: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub targets: Vec<TargetInput>,
    pub reviews: Vec<ReviewInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub indicator: String,
    pub label: String,
    pub comparison: String,
    /// The value: a percentage for a share, a count otherwise.
    pub value: f64,
    /// "Tỷ lệ đảng viên dự sinh hoạt thường kỳ ≥ 90%".
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub due_on: NaiveDate,
    pub title: String,
}

/// A programme with its targets and reviews.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgrammeView {
    pub id: i64,
    /// The issuing unit; the programme applies to its subtree.
    pub unit: UnitRef,
    pub parent: Option<ProgrammeRef>,
    pub kind: String,
    pub kind_label: String,
    pub code: String,
    pub title: String,
    pub issued_on: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub targets: Vec<TargetView>,
    pub reviews: Vec<ReviewView>,
    /// The actor may change it.
    pub can_edit: bool,
}

/// A programme named in a list or as a parent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgrammeRef {
    pub id: i64,
    /// "Đề án 11-ĐA/TU".
    pub name: String,
    pub title: String,
}

pub(crate) fn programme_ref(p: &programme::Model) -> ProgrammeRef {
    let kind = ProgrammeKind::from_code(&p.kind).map_or("", |k| k.label());
    ProgrammeRef {
        id: p.id,
        name: format!("{kind} {}", p.code),
        title: p.title.clone(),
    }
}

/// The programme `id` if the actor is concerned by it (its unit is in their scope or above one
/// of their units: a province's đề án concerns every cell of the province).
pub(crate) async fn concerning(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(programme::Model, unit::Model)> {
    let p = programme::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::find(&app.db, p.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !actor.concerned_by(&u) {
        return Err(AppError::NotFound);
    }
    Ok((p, u))
}

/// May record or change the programmes of `u`: its committee or one above, or a cell's own
/// officers for the cell's plan.
fn may_issue(actor: &Actor, u: &unit::Model) -> bool {
    actor.oversees(u) || actor.is_officer_of(u)
}

pub(super) fn target_of(t: &programme_target::Model) -> Option<Target> {
    Some(Target {
        indicator: Indicator::from_code(&t.indicator)?,
        comparison: Comparison::from_code(&t.comparison)?,
        tenths: t.tenths,
    })
}

async fn view_of(
    app: &App,
    actor: &Actor,
    p: programme::Model,
    u: &unit::Model,
) -> AppResult<ProgrammeView> {
    let targets = programme_target::Entity::find()
        .filter(programme_target::Column::ProgrammeId.eq(p.id))
        .order_by_asc(programme_target::Column::Id)
        .all(&app.db)
        .await?
        .iter()
        .filter_map(target_of)
        .map(|t| TargetView {
            indicator: t.indicator.code().into(),
            label: t.indicator.label().into(),
            comparison: t.comparison.code().into(),
            value: t.tenths as f64 / 10.0,
            text: format!("{} {}", t.indicator.label(), t.text()),
        })
        .collect();
    let reviews = programme_review::Entity::find()
        .filter(programme_review::Column::ProgrammeId.eq(p.id))
        .order_by_asc(programme_review::Column::DueOn)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| ReviewView {
            due_on: r.due_on,
            title: r.title,
        })
        .collect();
    let parent = match p.parent_id {
        Some(id) => programme::Entity::find_by_id(id)
            .one(&app.db)
            .await?
            .map(|x| programme_ref(&x)),
        None => None,
    };
    Ok(ProgrammeView {
        id: p.id,
        unit: UnitRef::of(u),
        parent,
        kind_label: ProgrammeKind::from_code(&p.kind)
            .map_or("", |k| k.label())
            .into(),
        kind: p.kind,
        code: p.code,
        title: p.title,
        issued_on: p.issued_on,
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        targets,
        reviews,
        can_edit: may_issue(actor, u),
    })
}

/// One programme with its targets and reviews.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<ProgrammeView> {
    let (p, u) = concerning(app, actor, id).await?;
    view_of(app, actor, p, &u).await
}

/// The programmes of a unit's page: those that apply to it, and what the actor may do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitProgrammes {
    pub unit: UnitRef,
    /// Issued by the unit or by a unit above it, newest first.
    pub items: Vec<ProgrammeRef>,
    /// Those issued above it: what a programme of this unit may implement.
    pub above: Vec<ProgrammeRef>,
    /// The actor may record a programme of this unit.
    pub can_issue: bool,
}

/// The programmes that apply to unit `unit_id`: issued by it or by a unit above it, newest
/// first (a unit has a handful; the ids of its ancestors are at most the tree's depth).
pub async fn for_unit(app: &App, actor: &Actor, unit_id: i64) -> AppResult<UnitProgrammes> {
    let u = actor.visible(units::find(&app.db, unit_id).await?)?;
    let rows = programme::Entity::find()
        .filter(programme::Column::UnitId.is_in(path_ids(&u.path)))
        .order_by_desc(programme::Column::StartsOn)
        .order_by_desc(programme::Column::Id)
        .all(&app.db)
        .await?;
    Ok(UnitProgrammes {
        items: rows.iter().map(programme_ref).collect(),
        above: rows
            .iter()
            .filter(|p| p.unit_id != u.id)
            .map(programme_ref)
            .collect(),
        can_issue: UnitKind::from_code(&u.kind) != Some(UnitKind::Group) && may_issue(actor, &u),
        unit: UnitRef::of(&u),
    })
}

/// The checked fields of a programme, its targets and its reviews.
struct Checked {
    kind: ProgrammeKind,
    code: String,
    title: String,
    issued_on: NaiveDate,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    parent_id: Option<i64>,
    targets: Vec<Target>,
    reviews: Vec<(NaiveDate, String)>,
}

async fn check(app: &App, u: &unit::Model, input: &ProgrammeInput) -> AppResult<Checked> {
    let mut e = Invalid::new();
    let kind = input.kind.as_deref().and_then(ProgrammeKind::from_code);
    if kind.is_none() {
        e.push(
            "kind",
            "Chọn loại văn bản (đề án, chỉ thị, kế hoạch, nghị quyết).",
        );
    }
    let code = validate::required_text(&mut e, "code", "số hiệu văn bản", &input.code, 64);
    let title = validate::required_text(&mut e, "title", "tên văn bản", &input.title, 500);
    let date = |e: &mut Invalid, f: &str, l: &str, v: &Option<String>| {
        validate::date_field(e, f, l, v.as_deref(), true)
    };
    let issued_on = date(&mut e, "issued_on", "ngày ban hành", &input.issued_on);
    let starts_on = date(&mut e, "starts_on", "ngày bắt đầu", &input.starts_on);
    let ends_on = date(&mut e, "ends_on", "ngày kết thúc", &input.ends_on);
    if let (Some(s), Some(t)) = (starts_on, ends_on)
        && t < s
    {
        e.push("ends_on", "Ngày kết thúc phải sau ngày bắt đầu.");
    }
    if let Some(parent_id) = input.parent_id {
        let above = path_ids(&u.path);
        let parent = programme::Entity::find_by_id(parent_id)
            .one(&app.db)
            .await?;
        // The programme implemented is one a unit strictly above this one issued.
        if !parent.is_some_and(|p| p.unit_id != u.id && above.contains(&p.unit_id)) {
            e.push(
                "parent_id",
                "Chỉ chọn văn bản của cấp trên mà đơn vị này thực hiện.",
            );
        }
    }
    let mut targets: Vec<Target> = Vec::new();
    // The line of the input each kept target came from, so a later message names its line.
    let mut lines: Vec<usize> = Vec::new();
    for (i, t) in input.targets.iter().enumerate() {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&t.indicator) && blank(&t.value) {
            continue;
        }
        let field = |f: &str| format!("targets[{i}].{f}");
        let indicator = t.indicator.as_deref().and_then(Indicator::from_code);
        let comparison = t
            .comparison
            .as_deref()
            .and_then(Comparison::from_code)
            .or((t.comparison.is_none()).then_some(Comparison::AtLeast));
        let Some(indicator) = indicator else {
            e.push(&field("indicator"), "Chọn chỉ tiêu.");
            continue;
        };
        let Some(comparison) = comparison else {
            e.push(&field("comparison"), "Chọn cách so sánh (≥, >, ≤, <, =).");
            continue;
        };
        let Some(tenths) = t
            .value
            .as_deref()
            .and_then(|v| ind::parse_tenths(v, indicator.measure()))
        else {
            e.push(
                &field("value"),
                match indicator.measure() {
                    ind::Measure::Share => "Nhập tỷ lệ từ 0 đến 100, tối đa một chữ số thập phân.",
                    ind::Measure::Count => "Nhập một số nguyên không âm.",
                },
            );
            continue;
        };
        if targets.iter().any(|x| x.indicator == indicator) {
            e.push(&field("indicator"), "Mỗi chỉ tiêu chỉ đặt một mục tiêu.");
            continue;
        }
        targets.push(Target {
            indicator,
            comparison,
            tenths,
        });
        lines.push(i);
    }
    if let Some(parent_id) = input.parent_id {
        let above = own_targets(app, parent_id).await?;
        for (i, t) in lines.iter().zip(&targets) {
            if let Some(a) = above.iter().find(|a| a.indicator == t.indicator)
                && !t.at_least_as_strict_as(*a)
            {
                e.push(
                    &format!("targets[{i}].value"),
                    format!(
                        "Mục tiêu không được thấp hơn của văn bản cấp trên ({}).",
                        a.text()
                    ),
                );
            }
        }
    }
    let mut reviews = Vec::new();
    for (i, r) in input.reviews.iter().enumerate() {
        if r.title.trim().is_empty() && r.due_on.as_deref().is_none_or(|d| d.trim().is_empty()) {
            continue;
        }
        let due = validate::date_field(
            &mut e,
            &format!("reviews[{i}].due_on"),
            "ngày sơ kết, tổng kết",
            r.due_on.as_deref(),
            true,
        );
        let title = validate::required_text(
            &mut e,
            &format!("reviews[{i}].title"),
            "tên đợt sơ kết, tổng kết",
            &r.title,
            255,
        );
        if let Some(d) = due {
            reviews.push((d, title));
        }
    }
    e.into_result()?;
    Ok(Checked {
        kind: kind.expect("checked"),
        code,
        title,
        issued_on: issued_on.expect("checked"),
        starts_on: starts_on.expect("checked"),
        ends_on: ends_on.expect("checked"),
        parent_id: input.parent_id,
        targets,
        reviews,
    })
}

/// Writes the targets and reviews of programme `id` (after removing the old ones).
async fn write_parts(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    id: i64,
    c: &Checked,
) -> AppResult<()> {
    programme_target::Entity::delete_many()
        .filter(programme_target::Column::ProgrammeId.eq(id))
        .exec(tx)
        .await?;
    programme_review::Entity::delete_many()
        .filter(programme_review::Column::ProgrammeId.eq(id))
        .exec(tx)
        .await?;
    for t in &c.targets {
        programme_target::ActiveModel {
            programme_id: Set(id),
            indicator: Set(t.indicator.code().into()),
            comparison: Set(t.comparison.code().into()),
            tenths: Set(t.tenths),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    for (due_on, title) in &c.reviews {
        programme_review::ActiveModel {
            programme_id: Set(id),
            due_on: Set(*due_on),
            title: Set(title.clone()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Records a programme issued by unit `unit_id` (its committee, or a cell's officers).
pub async fn create(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: ProgrammeInput,
) -> AppResult<ProgrammeView> {
    let u = issuer(app, actor, unit_id).await?;
    let c = check(app, &u, &input).await?;
    let tx = write_tx(&app.db).await?;
    let saved = programme::ActiveModel {
        unit_id: Set(u.id),
        parent_id: Set(c.parent_id),
        kind: Set(c.kind.code().into()),
        code: Set(c.code.clone()),
        title: Set(c.title.clone()),
        issued_on: Set(c.issued_on),
        starts_on: Set(c.starts_on),
        ends_on: Set(c.ends_on),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    write_parts(&tx, saved.id, &c).await?;
    audit::record(
        &tx,
        Some(actor),
        "programme.create",
        "programme",
        Some(saved.id),
        None::<&()>,
        Some(&(&saved, &input.targets)),
    )
    .await?;
    tx.commit().await?;
    view_of(app, actor, saved, &u).await
}

/// Changes a programme: its fields, and its targets and reviews replaced by those given.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: ProgrammeInput,
) -> AppResult<ProgrammeView> {
    let (p, _) = concerning(app, actor, id).await?;
    let u = issuer(app, actor, p.unit_id).await?;
    let c = check(app, &u, &input).await?;
    let tx = write_tx(&app.db).await?;
    let before = p.clone();
    let mut am: programme::ActiveModel = p.into();
    am.parent_id = Set(c.parent_id);
    am.kind = Set(c.kind.code().into());
    am.code = Set(c.code.clone());
    am.title = Set(c.title.clone());
    am.issued_on = Set(c.issued_on);
    am.starts_on = Set(c.starts_on);
    am.ends_on = Set(c.ends_on);
    let saved = am.update(&tx).await?;
    write_parts(&tx, saved.id, &c).await?;
    audit::record(
        &tx,
        Some(actor),
        "programme.update",
        "programme",
        Some(saved.id),
        Some(&before),
        Some(&(&saved, &input.targets)),
    )
    .await?;
    tx.commit().await?;
    view_of(app, actor, saved, &u).await
}

/// The unit a programme is issued by, if the actor may issue one there; a party group issues
/// none.
pub(crate) async fn issuer(
    app: &App,
    actor: &Actor,
    unit_id: i64,
) -> AppResult<Visible<unit::Model>> {
    let u = actor.visible(units::find(&app.db, unit_id).await?)?;
    if UnitKind::from_code(&u.kind) == Some(UnitKind::Group) {
        return Err(AppError::invalid(
            "unit_id",
            "Tổ đảng không ban hành chương trình, đề án riêng.",
        ));
    }
    actor.require(may_issue(actor, &u))?;
    Ok(u)
}
