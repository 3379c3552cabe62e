//! One training course: recording it, its participants a page at a time in name order, and
//! marking who attended and who completed it, in set-based statements whatever their number
//! (a provincial course can train thousands).

use std::collections::HashSet;

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::validate;
use chibo_store::entities::{course, course_participant, member, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};
use chibo_store::write_tx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::members::after_in_name_order;
use crate::programmes::readable_unit;
use crate::programmes::training::{CourseSummary, course_summaries};
use crate::refs::MemberRef;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CourseInput {
    pub name: String,
    pub organiser: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub topics: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    pub member: MemberRef,
    pub completed: bool,
}

/// A course with a page of its participants in Vietnamese name order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseDetail {
    pub course: CourseSummary,
    pub participants: Vec<ParticipantView>,
    /// Pass as `after` for the next page of participants; absent on the last page.
    pub next: Option<String>,
    /// The actor keeps the course's records (its unit's committee or above).
    pub can_manage: bool,
}

/// Changes to a course's participants. Those not named keep what they had, so a page of the
/// participants can be saved on its own.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ParticipantsInput {
    /// Members who attend (added if missing).
    pub member_ids: Vec<i64>,
    /// Participants (or members added now) who completed the course.
    pub completed_ids: Vec<i64>,
    /// Participants marked as not (yet) having completed it.
    pub not_completed_ids: Vec<i64>,
}

/// Participants shown on a course's page.
pub const PARTICIPANTS_PER_PAGE: u64 = 100;

/// Ids bound in one statement: far below either database's limit on parameters.
const CHUNK: usize = 1_000;

/// Records a course run for the unit's programme (the committee of the unit or above).
pub async fn add_course(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: CourseInput,
) -> AppResult<CourseDetail> {
    let root = readable_unit(app, actor, unit_id).await?;
    actor.require(actor.oversees(&root))?;
    let mut e = Invalid::new();
    let name = validate::required_text(&mut e, "name", "tên lớp", &input.name, 500);
    let organiser =
        validate::required_text(&mut e, "organiser", "đơn vị tổ chức", &input.organiser, 255);
    let starts = validate::date_field(
        &mut e,
        "starts_on",
        "ngày khai giảng",
        input.starts_on.as_deref(),
        true,
    );
    let ends = validate::date_field(
        &mut e,
        "ends_on",
        "ngày bế giảng",
        input.ends_on.as_deref(),
        true,
    );
    if let (Some(s), Some(t)) = (starts, ends)
        && t < s
    {
        e.push("ends_on", "Ngày bế giảng phải từ ngày khai giảng trở đi.");
    }
    let topics = validate::optional_text(&mut e, "topics", "chuyên đề", Some(&input.topics), 5000)
        .unwrap_or_default();
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let saved = course::ActiveModel {
        unit_id: Set(root.id),
        name: Set(name),
        organiser: Set(organiser),
        starts_on: Set(starts.expect("checked")),
        ends_on: Set(ends.expect("checked")),
        topics: Set(topics),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "course.add",
        "course",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    course(app, actor, saved.id, None, PARTICIPANTS_PER_PAGE).await
}

/// A course the actor reads, with `per_page` of its participants after `after`.
pub async fn course(
    app: &App,
    actor: &Actor,
    id: i64,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<CourseDetail> {
    let (c, u) = readable_course(app, actor, id).await?;
    let per_page = per_page.clamp(1, 500);
    let on_course = course_participant::Entity::find()
        .select_only()
        .column(course_participant::Column::MemberId)
        .filter(course_participant::Column::CourseId.eq(c.id))
        .into_query();
    let mut query = member::Entity::find().filter(member::Column::Id.in_subquery(on_course));
    if let Some(a) = after {
        query = query.filter(after_in_name_order(a));
    }
    let mut rows = query
        .order_by_asc(member::Column::SortKey)
        .order_by_asc(member::Column::Id)
        .limit(per_page + 1)
        .all(&app.db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |m| {
        Cursor::new(m.sort_key.clone(), m.id).encode()
    });
    let completed: HashSet<i64> = course_participant::Entity::find()
        .select_only()
        .column(course_participant::Column::MemberId)
        .filter(course_participant::Column::CourseId.eq(c.id))
        .filter(course_participant::Column::Completed.eq(true))
        .filter(course_participant::Column::MemberId.is_in(rows.iter().map(|m| m.id)))
        .into_tuple()
        .all(&app.db)
        .await?
        .into_iter()
        .collect();
    Ok(CourseDetail {
        can_manage: actor.oversees(&u),
        course: course_summaries(app, vec![c]).await?.remove(0),
        participants: rows
            .into_iter()
            .map(|m| ParticipantView {
                completed: completed.contains(&m.id),
                member: MemberRef {
                    id: m.id,
                    name: m.full_name,
                },
            })
            .collect(),
        next,
    })
}

/// Adds participants and marks who completed the course and who did not, all at once: the
/// members are checked and written a thousand ids a statement.
pub async fn set_participants(
    app: &App,
    actor: &Actor,
    id: i64,
    input: ParticipantsInput,
) -> AppResult<CourseDetail> {
    let (c, root) = readable_course(app, actor, id).await?;
    actor.require(actor.oversees(&root))?;
    let added = distinct(&input.member_ids);
    let completed = distinct(&input.completed_ids);
    let not_completed = distinct(&input.not_completed_ids);
    let mut e = Invalid::new();
    // The ids are the form's, as many as a province's course has: looked up in chunks.
    let in_subtree: HashSet<i64> =
        crate::lookup::by_ids::<member::Entity, _>(&app.db, member::Column::Id, &added)
            .await?
            .into_iter()
            .filter(|m| m.unit_path.starts_with(&root.path))
            .map(|m| m.id)
            .collect();
    if added.iter().any(|id| !in_subtree.contains(id)) {
        e.push(
            "member_ids",
            format!("Học viên phải là đảng viên thuộc {}.", root.name),
        );
    }
    let marked: Vec<i64> = completed.iter().chain(&not_completed).copied().collect();
    let on_course = participants_among(&app.db, c.id, &marked).await?;
    if marked
        .iter()
        .any(|id| !on_course.contains(id) && !in_subtree.contains(id))
    {
        e.push(
            "completed_ids",
            "Chỉ đánh dấu hoàn thành cho học viên của lớp.",
        );
    }
    if completed.iter().any(|id| not_completed.contains(id)) {
        e.push(
            "completed_ids",
            "Một học viên không thể vừa hoàn thành vừa chưa hoàn thành.",
        );
    }
    if c.ends_on > App::today() && !completed.is_empty() {
        e.push("completed_ids", "Lớp chưa bế giảng, chưa ghi hoàn thành.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    for chunk in added.chunks(CHUNK) {
        course_participant::Entity::insert_many(chunk.iter().map(|mid| {
            course_participant::ActiveModel {
                course_id: Set(c.id),
                member_id: Set(*mid),
                completed: Set(false),
                ..Default::default()
            }
        }))
        // Members already on the course stay as they are.
        .on_conflict_do_nothing_on([
            course_participant::Column::CourseId,
            course_participant::Column::MemberId,
        ])
        .exec(&tx)
        .await?;
    }
    for (ids, done) in [(&completed, true), (&not_completed, false)] {
        for chunk in ids.chunks(CHUNK) {
            course_participant::Entity::update_many()
                .col_expr(
                    course_participant::Column::Completed,
                    chibo_store::sea_orm::sea_query::Expr::value(done),
                )
                .filter(course_participant::Column::CourseId.eq(c.id))
                .filter(course_participant::Column::MemberId.is_in(chunk.iter().copied()))
                .exec(&tx)
                .await?;
        }
    }
    audit::record(
        &tx,
        Some(actor),
        "course.participants",
        "course",
        Some(c.id),
        None::<&()>,
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    course(app, actor, id, None, PARTICIPANTS_PER_PAGE).await
}

/// The course and its unit, when the actor reads the unit.
async fn readable_course(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(course::Model, crate::access::Visible<unit::Model>)> {
    let c = course::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = readable_unit(app, actor, c.unit_id).await?;
    Ok((c, u))
}

/// Which of `ids` are already on the course (a thousand ids a query).
async fn participants_among(
    db: &impl ConnectionTrait,
    course_id: i64,
    ids: &[i64],
) -> AppResult<HashSet<i64>> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<i64> = course_participant::Entity::find()
            .select_only()
            .column(course_participant::Column::MemberId)
            .filter(course_participant::Column::CourseId.eq(course_id))
            .filter(course_participant::Column::MemberId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
