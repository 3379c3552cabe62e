//! The badges due in a subtree on a date: members whose Party age reaches a badge's threshold and
//! who have not received it, as the committee's list before each award ceremony.

use chibo_domain::badges::BadgeRules;
use chibo_domain::cursor::Cursor;
use chibo_domain::validate;
use chibo_store::entities::{member, member_badge};
use chibo_store::name_order::NameOrder;
use chibo_store::sea_orm::sea_query::{Expr, Query};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::badges::{
    Of, awards_of, disciplines_of, gaps_by_member, measures, next_badge,
};
use crate::membership::members::after_in_name_order;
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
    /// One page, in name order.
    pub rows: Vec<DueRow>,
    pub can_award: bool,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
    /// The rules the list follows (those in force for the unit today), with their sources.
    pub basis: Vec<String>,
    /// Their award days ("3/2 (Ngày thành lập Đảng), …").
    pub occasions: String,
}

/// Members read at a time while filling a page: who is due is decided in Rust (party-age gaps,
/// disciplinary delays), so a page may take more than its own size of candidates.
const BATCH: u64 = 400;

/// Members of a subtree due for a badge at `award_on` (the next award day when not given):
/// each member's highest milestone above the badges they hold, if it may be given by then.
/// A page of `per_page` rows in name order, after `after`.
pub async fn due(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    award_on: Option<&str>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<DueList> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    // The rules in force on the award day asked for (today's choose the next one).
    let asked = award_on.and_then(validate::parse_date);
    let all =
        crate::rules::members::rules_for(&app.db, &root, asked.unwrap_or(App::today())).await?;
    let rules = all.badges.clone();
    let award_on = award_day(&rules, award_on)?;
    let per_page = per_page.clamp(1, 500);
    let subtree = Subtree::of(&root);
    let mut rows = due_rows(
        app,
        subtree,
        &rules,
        award_on,
        Condition::all(),
        after,
        per_page + 1,
    )
    .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |(_, c, _)| c.encode());
    let names = crate::lookup::unit_names(
        &app.db,
        &rows.iter().map(|(_, _, u)| *u).collect::<Vec<_>>(),
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|(mut r, _, unit)| {
            r.unit_name = names.get(&unit).cloned().unwrap_or_default();
            r
        })
        .collect();
    Ok(DueList {
        can_award: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        award_on,
        rows,
        next,
        basis: super::badges::badge_basis(&all),
        occasions: all.badges.occasions_text(),
    })
}

/// Up to `limit` members of `subtree` due for a badge at `award_on` and meeting `extra`, in
/// name order after `after`: each with its place in the list and the member's unit. Read a
/// batch at a time, since who is due is decided here (party-age gaps, disciplinary delays).
pub(crate) async fn due_rows(
    app: &App,
    subtree: Subtree<'_>,
    rules: &BadgeRules,
    award_on: NaiveDate,
    extra: Condition,
    after: Option<&Cursor>,
    limit: u64,
) -> AppResult<Vec<(DueRow, Cursor, i64)>> {
    let previous = rules.award_day_before(award_on);
    let order = subtree
        .name_order(&app.db, app.config.walk_members_above)
        .await?;
    let candidates = candidates(subtree, order, rules, award_on).add(extra);
    let mut rows: Vec<(DueRow, Cursor, i64)> = Vec::new();
    let mut position = after.cloned();
    while (rows.len() as u64) < limit {
        let mut q = member::Entity::find().filter(candidates.clone());
        if let Some(c) = &position {
            q = q.filter(after_in_name_order(c));
        }
        let ms: Vec<member::Model> = q
            .order_by_asc(member::Column::SortKey)
            .order_by_asc(member::Column::Id)
            .limit(BATCH)
            .all(&app.db)
            .await?;
        let Some(last) = ms.last() else {
            break;
        };
        position = Some(Cursor::new(last.sort_key.clone(), last.id));
        let of = Of::Batch(ms.iter().map(|m| m.id).collect());
        let gaps = gaps_by_member(app, &ms, &of).await?;
        let awards = awards_of(app, &of).await?;
        let ds = disciplines_of(app, &of).await?;
        for m in &ms {
            let held: Vec<u32> = awards
                .get(&m.id)
                .map(|v| v.iter().map(|b| b.years.max(0) as u32).collect())
                .unwrap_or_default();
            let measures = ds.get(&m.id).map(|v| measures(v)).unwrap_or_default();
            let Some(n) = next_badge(
                rules,
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
            let row = DueRow {
                member_id: m.id,
                full_name: m.full_name.clone(),
                unit_name: String::new(),
                years: n.years,
                reached_on: n.reached_on,
                eligible_from: n.eligible_from,
                overdue: n.eligible_from <= previous,
                delayed: n.eligible_from > n.reached_on,
            };
            rows.push((row, Cursor::new(m.sort_key.clone(), m.id), m.unit_id));
            if rows.len() as u64 >= limit {
                break;
            }
        }
        if (ms.len() as u64) < BATCH {
            break;
        }
    }
    Ok(rows)
}

/// The award day asked for, or the next one.
fn award_day(rules: &BadgeRules, award_on: Option<&str>) -> AppResult<NaiveDate> {
    match award_on.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(rules.award_day_from(App::today())),
        Some(s) => match validate::parse_date(s) {
            Some(d) if rules.is_award_day(d) => Ok(d),
            Some(_) => Err(AppError::invalid(
                "award_on",
                format!(
                    "Đợt trao Huy hiệu là một trong các dịp {}.",
                    rules.occasions_text()
                ),
            )),
            None => Err(AppError::invalid(
                "award_on",
                "Ngày trao phải có dạng ngày/tháng/năm.",
            )),
        },
    }
}

/// Members of the subtree on the roll who may be due, in SQL: admitted at least the lowest
/// milestone's years before the award day, and holding no badge of the highest milestone their
/// admission reaches or above (which is the same as "for some milestone reached, no badge of it
/// or above"). One correlated `NOT EXISTS`, which PostgreSQL runs as an anti-join on the badge
/// index; one per milestone under an OR made it hash every badge once a milestone (200 ms at a
/// province), and `NOT IN` ran the badges again for every member once they outgrew `work_mem`
/// (minutes for the nation). Gaps in party age and disciplinary delays only push a badge
/// later, so this holds every member due and few others; Rust decides the rest.
fn candidates(
    subtree: Subtree<'_>,
    order: NameOrder,
    rules: &BadgeRules,
    award_on: NaiveDate,
) -> Condition {
    // Here only: its `max` would shadow `Ord::max` on numbers elsewhere in the file.
    use chibo_store::sea_orm::sea_query::{CaseStatement, ExprTrait};
    let mut cutoffs: Vec<(u32, NaiveDate)> = rules
        .milestones
        .iter()
        .filter_map(|&y| Some((y, award_on.checked_sub_months(chrono::Months::new(y * 12))?)))
        .collect();
    cutoffs.sort_by_key(|(y, _)| std::cmp::Reverse(*y));
    let Some(&(_, lowest_by)) = cutoffs.last() else {
        return crate::access::nothing();
    };
    // The highest milestone the member's admission date reaches.
    let highest = cutoffs
        .iter()
        .fold(CaseStatement::new(), |case, &(years, admitted_by)| {
            case.case(
                member::Column::AdmissionDate.lte(admitted_by),
                Expr::val(years as i32),
            )
        });
    let holds_it = Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(member_badge::Entity)
            .and_where(
                Expr::col((member_badge::Entity, member_badge::Column::MemberId))
                    .equals((member::Entity, member::Column::Id)),
            )
            .and_where(Expr::col(member_badge::Column::Years).gte(highest))
            .to_owned(),
    );
    Condition::all()
        .add(subtree.contains_with(member::Column::UnitPath, order))
        .add(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
        .add(member::Column::AdmissionDate.lte(lowest_by))
        .add(Condition::all().add(holds_it).not())
}
