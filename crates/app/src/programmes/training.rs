//! Political training courses and who attended them, with the share of members trained.

use std::collections::HashMap;

use chibo_domain::cursor::Cursor;
use chibo_domain::text::percent_text;
use chibo_store::entities::{course, course_participant, member, position, unit};
use chibo_store::sea_orm::sea_query::{Expr, ExprTrait, Func, IntoIden, Query, SelectStatement};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};
use chibo_store::subtree::Subtree;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::paging::{Ranked, ranked_page};
use crate::programmes::{WALK_FOR_OFFICERS, readable_unit};
use crate::refs::{MemberRef, UnitRef};
use crate::reports::Period;
use crate::{App, AppResult};

// ---------------------------------------------------------------- training

/// A course as the training list shows it: what, when, by whom, and how many attended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseSummary {
    pub id: i64,
    pub unit: UnitRef,
    pub name: String,
    pub organiser: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub topics: String,
    /// Members on the course.
    pub participants: u32,
    /// Of them, those who completed it.
    pub completed: u32,
}

/// The programme target: secretaries, deputies and committee members of the subtree's cells
/// (holding the position at the end of the period) who completed a course ending in the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingShare {
    pub officers: u32,
    pub trained: u32,
    /// e.g. "75,0%".
    pub share_text: String,
    /// Officers not trained yet, the first hundred by name (`officers - trained` counts all).
    pub untrained: Vec<MemberRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingList {
    pub unit: UnitRef,
    pub period: Period,
    pub courses: Vec<CourseSummary>,
    /// Courses in the period (all pages).
    pub course_count: u32,
    /// Course places taken (one member in two courses counts twice).
    pub trainee_times: u32,
    pub share: TrainingShare,
    pub can_manage: bool,
    /// Pass as `after` for the next page of courses; absent on the last page.
    pub next: Option<String>,
}

/// Courses of a subtree ending in a period, the latest first, `per_page` of them after
/// `after`, with the trainee-times and the share of officers trained over the whole period.
pub async fn training(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<TrainingList> {
    let root = readable_unit(app, actor, unit_id).await?;
    // The page's counts do not depend on each other: run on their own connections at once,
    // the slowest (the officers of a province, some 30 ms) sets the page's time, not their sum.
    let (page, course_count, trainee_times, share) = tokio::try_join!(
        async {
            let page = ranked_page::<_, NaiveDate>(
                &app.db,
                courses_of(&root, &period),
                Ranked::by(course::Column::StartsOn),
                after,
                per_page,
            )
            .await?;
            let courses = course_summaries(app, page.rows).await?;
            AppResult::Ok((courses, page.next))
        },
        async { Ok(courses_of(&root, &period).count(&app.db).await?) },
        async {
            let places = course_participant::Entity::find().filter(
                course_participant::Column::CourseId.in_subquery(course_ids_of(&root, &period)),
            );
            Ok(places.count(&app.db).await?)
        },
        training_share(app, &root, &period),
    )?;
    let (courses, next) = page;
    Ok(TrainingList {
        can_manage: actor.oversees(&root),
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        share,
        period,
        courses,
        course_count: course_count as u32,
        trainee_times: trainee_times as u32,
        next,
    })
}

/// Courses of the subtree ending in the period.
fn courses_of(root: &Visible<unit::Model>, period: &Period) -> Select<course::Entity> {
    course::Entity::find()
        .filter(course::Column::UnitId.in_subquery(Subtree::of(root).units()))
        .filter(course::Column::EndsOn.between(period.from, period.to))
}

/// Whether the member named by `who` completed a course of the subtree ending in the period,
/// as a correlated `EXISTS` that looks up the member's own participations and joins their
/// courses and units by key: negated, an anti-join. `NOT IN (the trained)` is run again for
/// every officer by PostgreSQL once the trained outgrow `work_mem`, and SQLite ran the courses
/// subquery again for every officer when it stood inside the `EXISTS` (3 s at a province).
fn completed_a_course(
    root: &Visible<unit::Model>,
    period: &Period,
    who: (impl IntoIden, impl IntoIden),
) -> Condition {
    let participant = |c| Expr::col((course_participant::Entity, c));
    Condition::all().add(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(course_participant::Entity)
            .inner_join(
                course::Entity,
                Expr::col((course::Entity, course::Column::Id)).equals((
                    course_participant::Entity,
                    course_participant::Column::CourseId,
                )),
            )
            .inner_join(
                unit::Entity,
                Expr::col((unit::Entity, unit::Column::Id))
                    .equals((course::Entity, course::Column::UnitId)),
            )
            .and_where(participant(course_participant::Column::MemberId).equals(who))
            .and_where(participant(course_participant::Column::Completed).eq(true))
            .and_where(course::Column::EndsOn.between(period.from, period.to))
            .cond_where(Subtree::of(root).contains(unit::Column::Path))
            .to_owned(),
    ))
}

fn course_ids_of(root: &Visible<unit::Model>, period: &Period) -> SelectStatement {
    courses_of(root, period)
        .select_only()
        .column(course::Column::Id)
        .into_query()
}

/// Untrained officers named on the page; the count covers them all.
const UNTRAINED_SHOWN: u64 = 100;

/// Positions of secretaries, deputies and committee members held at the period's end, in any
/// unit: the caller keeps those in its subtree's cells. Every position is one of those
/// (`PositionKind`, checked when written), so the kind is not tested: the test read each
/// position's row beside the index that answers the rest (a third of the statement).
fn officer_positions(period: &Period) -> Select<position::Entity> {
    position::Entity::find()
        .filter(position::Column::TermFrom.lte(period.to))
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(period.to)),
        )
}

/// Officers of the subtree's cells at the period's end, and those who completed a course of
/// the subtree ending in the period, counted by the database; the three statements run at once.
async fn training_share(
    app: &App,
    root: &Visible<unit::Model>,
    period: &Period,
) -> AppResult<TrainingShare> {
    let cells = Subtree::of(root).cells();
    let officers =
        || officer_positions(period).filter(position::Column::UnitId.in_subquery(cells.clone()));
    // Each member once, whatever the positions they hold.
    let count_members = |column: Expr| Expr::expr(Func::count_distinct(column));
    let total = async {
        let n: Option<i64> = officers()
            .select_only()
            .column_as(count_members(Expr::col(position::Column::MemberId)), "n")
            .into_tuple()
            .one(&app.db)
            .await?;
        AppResult::Ok(n.unwrap_or_default())
    };
    // From the course places (a third of the officers at a province), each asking whether its
    // member holds an office in a cell of the subtree, joined by key: a third of the time of
    // asking every officer whether they were trained.
    let trained = async {
        let holds_office = officer_positions(period)
            .select_only()
            .expr(Expr::val(1))
            .filter(
                Expr::col((position::Entity, position::Column::MemberId)).equals((
                    course_participant::Entity,
                    course_participant::Column::MemberId,
                )),
            )
            .into_query()
            .inner_join(
                unit::Entity,
                Expr::col((unit::Entity, unit::Column::Id))
                    .equals((position::Entity, position::Column::UnitId)),
            )
            .cond_where(Subtree::of(root).has_cell())
            .to_owned();
        let n: Option<i64> = course_participant::Entity::find()
            .select_only()
            .column_as(
                count_members(Expr::col((
                    course_participant::Entity,
                    course_participant::Column::MemberId,
                ))),
                "n",
            )
            .filter(course_participant::Column::Completed.eq(true))
            .filter(course_participant::Column::CourseId.in_subquery(course_ids_of(root, period)))
            .filter(Expr::exists(holds_office))
            .into_tuple()
            .one(&app.db)
            .await?;
        AppResult::Ok(n.unwrap_or_default())
    };
    let untrained = async {
        // A province's untrained officers are found sooner by walking all members in name
        // order than by sorting its 30,000 officers (SQLite: 34 ms against 138); a smaller
        // subtree's officers are few enough to sort.
        let walk_above = app
            .config
            .walk_members_above
            .saturating_mul(WALK_FOR_OFFICERS);
        let order = Subtree::of(root).name_order(&app.db, walk_above).await?;
        let officer_ids = officers()
            .select_only()
            .column(position::Column::MemberId)
            .into_query();
        let rows = member::Entity::find()
            .filter(order.member_in(officer_ids))
            .filter(completed_a_course(root, period, (member::Entity, member::Column::Id)).not())
            .order_by_asc(member::Column::SortKey)
            .order_by_asc(member::Column::Id)
            .limit(UNTRAINED_SHOWN)
            .all(&app.db)
            .await?;
        AppResult::Ok(rows)
    };
    let (total, done, untrained) = tokio::try_join!(total, trained, untrained)?;
    Ok(TrainingShare {
        officers: total as u32,
        trained: done as u32,
        share_text: percent_text(done as u64, total as u64),
        untrained: untrained
            .into_iter()
            .map(|m| MemberRef {
                id: m.id,
                name: m.full_name,
            })
            .collect(),
    })
}

/// Courses with their number of participants and of those who completed, counted by the
/// database for the page's courses at once.
pub(crate) async fn course_summaries(
    app: &App,
    rows: Vec<course::Model>,
) -> AppResult<Vec<CourseSummary>> {
    let course_ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let units =
        crate::lookup::unit_names(&app.db, &rows.iter().map(|c| c.unit_id).collect::<Vec<_>>())
            .await?;
    let mut counts: HashMap<i64, (u32, u32)> = HashMap::new();
    if !course_ids.is_empty() {
        let rows: Vec<(i64, bool, i64)> = course_participant::Entity::find()
            .select_only()
            .column(course_participant::Column::CourseId)
            .column(course_participant::Column::Completed)
            .column_as(course_participant::Column::Id.count(), "n")
            .filter(course_participant::Column::CourseId.is_in(course_ids))
            .group_by(course_participant::Column::CourseId)
            .group_by(course_participant::Column::Completed)
            .into_tuple()
            .all(&app.db)
            .await?;
        for (course_id, completed, n) in rows {
            let c = counts.entry(course_id).or_default();
            c.0 += n as u32;
            if completed {
                c.1 += n as u32;
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|c| {
            let (participants, completed) = counts.get(&c.id).copied().unwrap_or_default();
            CourseSummary {
                id: c.id,
                unit: UnitRef {
                    id: c.unit_id,
                    name: units.get(&c.unit_id).cloned().unwrap_or_default(),
                },
                name: c.name,
                organiser: c.organiser,
                starts_on: c.starts_on,
                ends_on: c.ends_on,
                topics: c.topics,
                participants,
                completed,
            }
        })
        .collect())
}
