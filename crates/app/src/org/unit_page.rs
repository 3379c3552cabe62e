//! A unit's page: its version, counts, officers, rule set, children and latest history.

use std::collections::HashMap;

use chibo_domain::member::on_roll_codes;
use chibo_domain::org::{self, MIN_OFFICIAL_MEMBERS_PER_CELL, UnitKind};
use chibo_store::entities::{member, unit};
use chibo_store::sea_orm::PaginatorTrait;
use chibo_store::sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::members;
use crate::org::cancellations;
use crate::org::history::{self, HistoryEntry};
use crate::org::units::{UnitView, counts_on, current_counts, find, unit_view, version_on};
use crate::paging::PER_PAGE;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitDetail {
    pub unit: UnitView,
    pub ancestors: Vec<UnitRef>,
    /// The first page of the units directly under it, by name.
    pub children: Vec<UnitView>,
    /// May found units under it from a spreadsheet (`tree_import`).
    pub can_import_tree: bool,
    /// The cursor of the rest of `children` (`tree::level`), when there are more.
    pub children_next: Option<String>,
    pub officers: Vec<members::PositionView>,
    pub warnings: Vec<String>,
    pub predecessors: Vec<UnitRef>,
    pub successor: Option<UnitRef>,
    /// The newest events of the unit and of the units merged into it.
    pub history: Vec<HistoryEntry>,
    /// The cursor of the older events (`GET /api/v1/units/{id}/history`), when there are more.
    pub history_next: Option<String>,
    /// The meeting rule set in force for the unit on the date shown.
    pub rule_set: Option<UnitRef>,
    /// Members on the roll of the unit and its party groups.
    pub subtree_member_count: i64,
    /// Meetings from today not yet held, which dissolving or merging the unit today cancels.
    pub meetings_to_cancel: u64,
    pub can_restructure: bool,
    pub can_create_child: bool,
    /// The kinds of unit the actor may found under this one (codes, in the tree's order).
    pub creatable_kinds: Vec<String>,
    pub can_manage_members: bool,
}

/// A unit's page: the unit (now, or as of a date), its place in the tree, children, officers,
/// warnings and history, with what the actor may do there.
pub async fn detail(
    app: &App,
    actor: &Actor,
    id: i64,
    as_of: Option<NaiveDate>,
) -> AppResult<UnitDetail> {
    let u = actor.visible(find(&app.db, id).await?)?;
    // Counting a province's 240,000 members on the roll is the page's one long statement
    // (60–100 ms on SQLite): it runs on its own connection while the rest is read.
    let count_members = async {
        let n = member::Entity::find()
            .filter(Subtree::of(&u).contains(member::Column::UnitPath))
            .filter(member::Column::Status.is_in(on_roll_codes()))
            .count(&app.db)
            .await?;
        AppResult::Ok(n as i64)
    };
    let (subtree_member_count, finish) = tokio::try_join!(count_members, async {
        let date = as_of.unwrap_or_else(App::today);
        let counts = if as_of.is_some() {
            counts_on(&app.db, &[u.id], date).await?
        } else {
            current_counts(
                &app.db,
                Condition::all().add(member::Column::UnitId.eq(u.id)),
            )
            .await?
        };
        // The unit as it was on the date, when a date is asked for.
        let shown = match as_of {
            Some(d) => match version_on(&app.db, u.id, d).await? {
                Some(v) => unit::Model {
                    parent_id: v.parent_id,
                    path: v.path,
                    name: v.name,
                    kind: v.kind,
                    cell_type: v.cell_type,
                    ..(*u).clone()
                },
                None => {
                    return Err(AppError::invalid(
                        "ngay",
                        format!("Đơn vị chưa tồn tại vào ngày {}.", d.format("%d/%m/%Y")),
                    ));
                }
            },
            None => (*u).clone(),
        };
        let shown_view = unit_view(&shown, &counts);

        let ancestor_ids: Vec<i64> = org::path_ids(&shown.path)
            .into_iter()
            .filter(|a| *a != u.id)
            .collect();
        let ancestors_map: HashMap<i64, unit::Model> =
            crate::lookup::units_by_id(&app.db, &ancestor_ids).await?;
        let ancestors = ancestor_ids
            .iter()
            .filter_map(|a| ancestors_map.get(a))
            .filter(|a| actor.can_read_path(&a.path))
            .map(|a| UnitRef {
                id: a.id,
                name: a.name.clone(),
            })
            .collect();

        // The first page of the units directly under it (the tree pages the rest).
        let level = crate::org::tree::level(app, actor, Some(u.id), as_of, None, PER_PAGE).await?;
        let children_next = level.next;
        let children = level.nodes.into_iter().map(|n| n.unit).collect();

        let officers = members::officers_on(&app.db, u.id, date).await?;
        let mut warnings = Vec::new();
        let kind = UnitKind::from_code(&u.kind);
        if as_of.is_none() && u.dissolved_on.is_none() && kind.is_some_and(|k| k.is_cell()) {
            let official = member::Entity::find()
                .filter(Subtree::of(&u).contains(member::Column::UnitPath))
                .filter(member::Column::Status.is_in(on_roll_codes()))
                .filter(member::Column::OfficialDate.lte(date))
                .count(&app.db)
                .await? as usize;
            if official < MIN_OFFICIAL_MEMBERS_PER_CELL {
                warnings.push(format!(
                "Chi bộ chỉ có {official} đảng viên chính thức, chưa đủ {MIN_OFFICIAL_MEMBERS_PER_CELL} theo Điều lệ Đảng: cần kiện toàn hoặc sáp nhập."
            ));
            }
            if !officers.iter().any(|o| o.kind == "secretary") {
                warnings.push("Chi bộ chưa có bí thư đương nhiệm.".to_string());
            }
        }
        if let Some(d) = u.dissolved_on {
            warnings.push(format!(
                "Đơn vị đã giải thể hoặc sáp nhập từ ngày {}.",
                d.format("%d/%m/%Y")
            ));
        }

        let predecessors = unit::Entity::find()
            .filter(unit::Column::SuccessorId.eq(u.id))
            .all(&app.db)
            .await?
            .into_iter()
            .map(|p| UnitRef {
                id: p.id,
                name: p.name,
            })
            .collect();
        let successor = match u.successor_id {
            Some(s) => find(&app.db, s)
                .await?
                .filter(|s| actor.can_read_path(&s.path))
                .map(|s| UnitRef {
                    id: s.id,
                    name: s.name,
                }),
            None => None,
        };
        let history = history::page_of(app, &u, None, history::ON_UNIT_PAGE).await?;
        let rule_set = crate::rules::in_force_for(&app.db, &u, date)
            .await?
            .map(|r| UnitRef {
                id: r.id,
                name: r.name,
            });
        let live = u.dissolved_on.is_none();
        let parent = match u.parent_id {
            Some(p) => find(&app.db, p).await?,
            None => None,
        };
        let creatable_kinds: Vec<String> = match kind {
            Some(k) if live => k
                .allowed_children()
                .iter()
                .filter(|c| actor.can_create_under(u.id, u.parent_id, **c))
                .map(|c| c.code().to_string())
                .collect(),
            _ => vec![],
        };
        let meetings_to_cancel =
            cancellations::meetings_to_cancel(&app.db, id, App::today()).await?;
        let can_restructure = live && actor.can_restructure(&u, parent.as_ref());
        let can_import_tree = live && actor.can_found_tree_under(&u);
        let can_manage_members =
            live && kind.is_some_and(|k| k.holds_members()) && actor.can_manage_members(&u);
        Ok(move |subtree_member_count| UnitDetail {
            can_restructure,
            can_create_child: !creatable_kinds.is_empty(),
            can_import_tree,
            creatable_kinds,
            can_manage_members,
            unit: shown_view,
            ancestors,
            children,
            children_next,
            officers,
            warnings,
            predecessors,
            successor,
            history: history.items,
            history_next: history.next,
            rule_set,
            subtree_member_count,
            meetings_to_cancel,
        })
    })?;
    Ok(finish(subtree_member_count))
}
