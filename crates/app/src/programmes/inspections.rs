//! Inspections of cells: planned, recorded with recommendations, followed up.

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::org::UnitKind;
use chibo_domain::programme::{InspectionStatus, RecommendationStatus};
use chibo_domain::text::percent_text;
use chibo_domain::validate;
use chibo_store::entities::{inspection, inspection_recommendation, unit};
use chibo_store::sea_orm::sea_query::{Expr, Func};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QuerySelect, QueryTrait, Select, Set,
};
use chibo_store::subtree::Subtree;
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::org::units;
use crate::paging::{Ranked, ranked_page};
use crate::programmes::readable_unit;
use crate::refs::{UnitChoices, UnitRef};
use crate::reports::Period;
use crate::{App, AppError, AppResult, audit};

// ---------------------------------------------------------------- inspection

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationView {
    pub id: i64,
    pub text: String,
    pub due_on: NaiveDate,
    /// `open` or `done`.
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub follow_up: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionView {
    pub id: i64,
    pub unit: UnitRef,
    pub cell: UnitRef,
    /// `inspection` or `supervision`.
    pub kind: String,
    pub kind_label: String,
    pub planned_on: NaiveDate,
    pub content: String,
    /// `planned`, `done`, `cancelled`.
    pub status: String,
    pub status_label: String,
    pub done_on: Option<NaiveDate>,
    pub result: String,
    pub recommendations: Vec<RecommendationView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionList {
    pub unit: UnitRef,
    pub period: Period,
    pub inspections: Vec<InspectionView>,
    /// Live cells of the subtree.
    pub cells: u32,
    /// Of those, inspected or supervised (done) in the period.
    pub cells_inspected: u32,
    pub share_text: String,
    /// Open recommendations of the period's inspections, and those past their due date.
    pub open_recommendations: u32,
    pub overdue_recommendations: u32,
    pub can_manage: bool,
    /// Pass as `after` for the next page of inspections; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct InspectionInput {
    pub cell_id: Option<i64>,
    /// `inspection` (kiểm tra) or `supervision` (giám sát).
    pub kind: String,
    pub planned_on: Option<String>,
    pub content: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct InspectionResult {
    pub done_on: Option<String>,
    pub result: String,
    /// Recommendations, each with its due date.
    pub recommendations: Vec<RecommendationInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RecommendationInput {
    pub text: String,
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FollowUpInput {
    pub done_on: Option<String>,
    pub follow_up: String,
}

fn inspection_kind_label(k: &str) -> &'static str {
    if k == "supervision" {
        "Giám sát"
    } else {
        "Kiểm tra"
    }
}

/// Inspections of the subtree's cells planned or done in a period, the earliest planned first,
/// `per_page` of them after `after`, with the share of cells inspected and the recommendations
/// still open (over the whole period, counted by the database).
pub async fn inspections(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<InspectionList> {
    let root = readable_unit(app, actor, unit_id).await?;
    let cells_inspected = inspection::Entity::find()
        .select_only()
        .column(inspection::Column::CellId)
        .distinct()
        .filter(inspection::Column::Status.eq(InspectionStatus::Done.code()))
        .filter(inspection::Column::DoneOn.between(period.from, period.to))
        .filter(
            inspection::Column::CellId.in_subquery(
                live_cells(Subtree::of(&root))
                    .select_only()
                    .column(unit::Column::Id)
                    .into_query(),
            ),
        );
    let in_period = || {
        inspection::Entity::find()
            .filter(inspection::Column::CellId.in_subquery(Subtree::of(&root).units()))
            .filter(
                Condition::any()
                    .add(inspection::Column::PlannedOn.between(period.from, period.to))
                    .add(inspection::Column::DoneOn.between(period.from, period.to)),
            )
    };
    // Open recommendations and, of them, those past due, in one pass.
    let overdue = Expr::case(
        inspection_recommendation::Column::DueOn.lt(App::today()),
        Expr::val(1),
    )
    .finally(Expr::val(0));
    let open_recommendations = inspection_recommendation::Entity::find()
        .select_only()
        .column_as(Expr::expr(Func::count(Expr::val(1))), "open")
        .column_as(
            Expr::expr(Func::coalesce([
                Expr::from(Func::sum(overdue)),
                Expr::val(0),
            ])),
            "overdue",
        )
        .filter(
            inspection_recommendation::Column::InspectionId.in_subquery(
                in_period()
                    .select_only()
                    .column(inspection::Column::Id)
                    .into_query(),
            ),
        )
        .filter(inspection_recommendation::Column::Status.eq(RecommendationStatus::Open.code()));
    // Four statements that do not depend on each other, on their own connections at once.
    let (cells, cells_inspected, (open, overdue), (inspections, next)) = tokio::try_join!(
        async { Ok(live_cells(Subtree::of(&root)).count(&app.db).await?) },
        async { Ok(cells_inspected.count(&app.db).await?) },
        async {
            let counts: Option<(i64, i64)> = open_recommendations.into_tuple().one(&app.db).await?;
            AppResult::Ok(counts.unwrap_or_default())
        },
        async {
            let page = ranked_page::<_, NaiveDate>(
                &app.db,
                in_period(),
                Ranked::by(inspection::Column::PlannedOn).oldest_first(),
                after,
                per_page,
            )
            .await?;
            AppResult::Ok((inspection_views(app, page.rows).await?, page.next))
        },
    )?;
    Ok(InspectionList {
        cells: cells as u32,
        cells_inspected: cells_inspected as u32,
        share_text: percent_text(cells_inspected, cells),
        open_recommendations: open as u32,
        overdue_recommendations: overdue as u32,
        can_manage: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        period,
        inspections,
        next,
    })
}

/// The subtree's cells that still exist.
fn live_cells(subtree: Subtree<'_>) -> Select<unit::Entity> {
    unit::Entity::find()
        .filter(subtree.contains(unit::Column::Path))
        .filter(unit::Column::Kind.is_in(UnitKind::codes_where(UnitKind::is_cell)))
        .filter(unit::Column::DissolvedOn.is_null())
}

/// Live cells of the subtree the actor's committee may inspect, in Vietnamese name order,
/// those whose name contains `q` (diacritics ignored): the plan form's choices, searched since
/// a province board supervises ten thousand cells.
pub async fn cells_to_inspect(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    q: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UnitChoices> {
    let root = readable_unit(app, actor, unit_id).await?;
    let Some(supervised) = actor.supervised_paths(unit::Column::Path) else {
        return Ok(UnitChoices::default());
    };
    let select = live_cells(Subtree::of(&root)).filter(supervised);
    units::choices_in_name_order(&app.db, select, q, after, per_page).await
}

/// Inspections with their units' names and recommendations (one query each for a page).
async fn inspection_views(
    app: &App,
    rows: Vec<inspection::Model>,
) -> AppResult<Vec<InspectionView>> {
    let inspection_ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let mut recs = crate::lookup::by_ids::<inspection_recommendation::Entity, _>(
        &app.db,
        inspection_recommendation::Column::InspectionId,
        &inspection_ids,
    )
    .await?;
    recs.sort_by_key(|r| r.id);
    let names = crate::lookup::unit_names(
        &app.db,
        &rows
            .iter()
            .flat_map(|i| [i.unit_id, i.cell_id])
            .collect::<Vec<_>>(),
    )
    .await?;
    let name_of = |id: i64| UnitRef {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    };
    let today = App::today();
    Ok(rows
        .into_iter()
        .map(|i| InspectionView {
            id: i.id,
            unit: name_of(i.unit_id),
            cell: name_of(i.cell_id),
            kind_label: inspection_kind_label(&i.kind).to_string(),
            kind: i.kind,
            planned_on: i.planned_on,
            content: i.content,
            status_label: InspectionStatus::from_code(&i.status)
                .map(|s| s.label().to_string())
                .unwrap_or_default(),
            status: i.status,
            done_on: i.done_on,
            result: i.result,
            recommendations: recs
                .iter()
                .filter(|r| r.inspection_id == i.id)
                .map(|r| RecommendationView {
                    id: r.id,
                    text: r.text.clone(),
                    due_on: r.due_on,
                    overdue: r.status == RecommendationStatus::Open.code() && r.due_on < today,
                    status: r.status.clone(),
                    done_on: r.done_on,
                    follow_up: r.follow_up.clone(),
                })
                .collect(),
        })
        .collect())
}

/// Plans an inspection or supervision of a cell (the superior committee; the plan belongs to
/// the unit the actor's committee sits on or to `unit_id`).
pub async fn plan_inspection(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: InspectionInput,
) -> AppResult<InspectionView> {
    let root = readable_unit(app, actor, unit_id).await?;
    actor.require(actor.oversees(&root))?;
    let mut e = Invalid::new();
    let cell = match input.cell_id {
        Some(id) => units::find(&app.db, id).await?.filter(|c| {
            c.path.starts_with(&root.path)
                && UnitKind::from_code(&c.kind).is_some_and(|k| k.is_cell())
                && c.dissolved_on.is_none()
                && actor.supervises(c)
        }),
        None => None,
    };
    if cell.is_none() {
        e.push(
            "cell_id",
            format!(
                "Chọn một chi bộ trực thuộc {} để kiểm tra, giám sát.",
                root.name
            ),
        );
    }
    let kind = input.kind.trim();
    if !["inspection", "supervision"].contains(&kind) {
        e.push("kind", "Chọn kiểm tra hay giám sát.");
    }
    let planned = validate::date_field(
        &mut e,
        "planned_on",
        "thời gian dự kiến",
        input.planned_on.as_deref(),
        true,
    );
    let content = validate::required_text(
        &mut e,
        "content",
        "nội dung kiểm tra, giám sát",
        &input.content,
        5000,
    );
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let saved = inspection::ActiveModel {
        unit_id: Set(root.id),
        cell_id: Set(cell.expect("checked").id),
        kind: Set(kind.to_string()),
        planned_on: Set(planned.expect("checked")),
        content: Set(content),
        status: Set(InspectionStatus::Planned.code().into()),
        done_on: Set(None),
        result: Set(String::new()),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "inspection.plan",
        "inspection",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    inspection_view(app, actor, saved.id).await
}

async fn inspection_view(app: &App, actor: &Actor, id: i64) -> AppResult<InspectionView> {
    let i = inspection::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    readable_unit(app, actor, i.cell_id).await?;
    Ok(inspection_views(app, vec![i]).await?.remove(0))
}

async fn managed_inspection(app: &App, actor: &Actor, id: i64) -> AppResult<inspection::Model> {
    let i = inspection::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = readable_unit(app, actor, i.unit_id).await?;
    actor.require(actor.oversees(&u))?;
    Ok(i)
}

/// Records the result of an inspection and its recommendations, all at once.
pub async fn record_inspection(
    app: &App,
    actor: &Actor,
    id: i64,
    input: InspectionResult,
) -> AppResult<InspectionView> {
    let i = managed_inspection(app, actor, id).await?;
    if i.status != InspectionStatus::Planned.code() {
        return Err(AppError::invalid(
            "status",
            "Cuộc kiểm tra, giám sát này đã có kết quả.",
        ));
    }
    let mut e = Invalid::new();
    let done = validate::date_field(
        &mut e,
        "done_on",
        "ngày thực hiện",
        input.done_on.as_deref(),
        true,
    );
    if done.is_some_and(|d| d > App::today()) {
        e.push("done_on", "Ngày thực hiện chưa đến.");
    }
    let result =
        validate::required_text(&mut e, "result", "kết quả, kết luận", &input.result, 20_000);
    let mut recs = Vec::new();
    for (n, r) in input.recommendations.iter().enumerate() {
        let label = format!("kiến nghị {}", n + 1);
        let text = validate::required_text(&mut e, "recommendations", &label, &r.text, 2000);
        let due = validate::date_field(
            &mut e,
            "recommendations",
            &format!("thời hạn {label}"),
            r.due_on.as_deref(),
            true,
        );
        if let (Some(d), Some(dn)) = (due, done)
            && d < dn
        {
            e.push(
                "recommendations",
                format!("Thời hạn {label} phải sau ngày kiểm tra."),
            );
        }
        recs.push((text, due));
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = i.clone();
    let mut am = i.into_active_model();
    am.status = Set(RecommendationStatus::Done.code().into());
    am.done_on = Set(done);
    am.result = Set(result);
    am.update(&tx).await?;
    for (text, due) in recs {
        inspection_recommendation::ActiveModel {
            inspection_id: Set(id),
            text: Set(text),
            due_on: Set(due.expect("checked")),
            status: Set(RecommendationStatus::Open.code().into()),
            done_on: Set(None),
            follow_up: Set(String::new()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    audit::record(
        &tx,
        Some(actor),
        "inspection.result",
        "inspection",
        Some(id),
        Some(&before),
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    inspection_view(app, actor, id).await
}

/// Records that a recommendation was carried out (the inspected cell or the committee).
pub async fn follow_up(
    app: &App,
    actor: &Actor,
    rec_id: i64,
    input: FollowUpInput,
) -> AppResult<InspectionView> {
    let r = inspection_recommendation::Entity::find_by_id(rec_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let i = inspection::Entity::find_by_id(r.inspection_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let cell = readable_unit(app, actor, i.cell_id).await?;
    actor.require(actor.can_manage_members(&cell) || actor.oversees(&cell))?;
    let mut e = Invalid::new();
    let done = validate::date_field(
        &mut e,
        "done_on",
        "ngày khắc phục",
        input.done_on.as_deref(),
        true,
    );
    if done.is_some_and(|d| d > App::today() || i.done_on.is_some_and(|x| d < x)) {
        e.push(
            "done_on",
            "Ngày khắc phục phải từ ngày kiểm tra đến hôm nay.",
        );
    }
    let text = validate::required_text(
        &mut e,
        "follow_up",
        "kết quả khắc phục",
        &input.follow_up,
        5000,
    );
    if r.status == RecommendationStatus::Done.code() {
        e.push("follow_up", "Kiến nghị này đã được khắc phục.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = r.clone();
    let mut am = r.into_active_model();
    am.status = Set(RecommendationStatus::Done.code().into());
    am.done_on = Set(done);
    am.follow_up = Set(text);
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "inspection.follow_up",
        "inspection",
        Some(i.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    inspection_view(app, actor, i.id).await
}
