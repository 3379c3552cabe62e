//! A unit's history: its events and those of the units merged into it (so history follows a
//! merger), newest first, a page at a time. The unit page shows the first few; the history
//! page and `GET /api/v1/units/{id}/history` the rest.

use chibo_domain::cursor::Cursor;
use chibo_store::entities::{unit, unit_event};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::org::units::find;
use crate::refs::UnitRef;
use crate::{App, AppResult};

/// Events on the unit page; the history page shows more.
pub const ON_UNIT_PAGE: u64 = 10;
/// Events on a page of the history.
pub const PER_PAGE: u64 = 50;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub date: NaiveDate,
    pub kind: String,
    pub text: String,
    pub unit: UnitRef,
}

/// A page of a unit's history, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryPage {
    pub unit: UnitRef,
    pub items: Vec<HistoryEntry>,
    /// Pass as `after` for older events; absent on the last page.
    pub next: Option<String>,
}

/// The history of unit `unit_id`, `per_page` events after `after`.
pub async fn history(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<HistoryPage> {
    let u = actor.visible(find(&app.db, unit_id).await?)?;
    page_of(app, &u, after, per_page).await
}

/// The unit and the units merged into it, following mergers back (a chain of a few units).
async fn lineage(app: &App, u: &unit::Model) -> AppResult<Vec<i64>> {
    let mut lineage = vec![u.id];
    let mut frontier = vec![u.id];
    while !frontier.is_empty() {
        let preds: Vec<i64> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Id)
            .filter(unit::Column::SuccessorId.is_in(frontier.clone()))
            .into_tuple()
            .all(&app.db)
            .await?;
        frontier = preds.into_iter().filter(|p| !lineage.contains(p)).collect();
        lineage.extend(&frontier);
    }
    Ok(lineage)
}

pub(crate) async fn page_of(
    app: &App,
    u: &Visible<unit::Model>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<HistoryPage> {
    let per_page = per_page.clamp(1, 500);
    let lineage = lineage(app, u).await?;
    let mut q = unit_event::Entity::find().filter(
        Condition::any()
            .add(unit_event::Column::UnitId.is_in(lineage.clone()))
            .add(unit_event::Column::OtherUnitId.is_in(lineage)),
    );
    if let Some(c) = after {
        q = q.filter(crate::paging::older_than(
            c,
            unit_event::Column::EffectiveOn,
            unit_event::Column::Id,
        )?);
    }
    let mut events = q
        .order_by_desc(unit_event::Column::EffectiveOn)
        .order_by_desc(unit_event::Column::Id)
        .limit(per_page + 1)
        .all(&app.db)
        .await?;
    let next = crate::lookup::cut_page(&mut events, per_page, |e| {
        Cursor::new(e.effective_on.to_string(), e.id).encode()
    });
    let mut ids: Vec<i64> = events.iter().map(|e| e.unit_id).collect();
    ids.extend(events.iter().filter_map(|e| e.other_unit_id));
    let names = crate::lookup::unit_names(&app.db, &ids).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let items = events
        .into_iter()
        .map(|e| {
            let other = e.other_unit_id.map(name).unwrap_or_default();
            let note = e.note.clone().unwrap_or_default();
            let text = match e.kind.as_str() {
                "created" => format!("Thành lập {}", name(e.unit_id)),
                "renamed" => format!("Đổi tên: {note}"),
                "moved" => format!("Chuyển về trực thuộc {other}"),
                "merged" => format!("{} sáp nhập vào {other}", name(e.unit_id)),
                "split" => format!("Tách từ {} thành {other}", name(e.unit_id)),
                "dissolved" => format!("Giải thể {}: {note}", name(e.unit_id)),
                k => k.to_string(),
            };
            HistoryEntry {
                date: e.effective_on,
                kind: e.kind,
                text,
                unit: UnitRef {
                    id: e.unit_id,
                    name: name(e.unit_id),
                },
            }
        })
        .collect();
    Ok(HistoryPage {
        unit: UnitRef {
            id: u.id,
            name: u.name.clone(),
        },
        items,
        next,
    })
}
