//! Annual review and classification: the cell scores its members and records their task results
//! (exempt and suspended members are not classified; the level is the points' level lowered by
//! Quy định 366's task conditions), and the excellent quota holds within the grassroots
//! organisation. What the superior committee decides is in `superior`.

mod superior;

pub use superior::{MemberLevelInput, decide, set_member_level};

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::classification::{ClassificationRules, Level, TaskResults};
use chibo_domain::cursor::Cursor;
use chibo_domain::org::UnitKind;
use chibo_domain::rules::Standing;
use chibo_domain::text::percent_text;
use chibo_store::entities::{member_review, unit, unit_review};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use chibo_store::subtree::Subtree;
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Visible};
use crate::meetings::lookup;
use crate::org::units;
use crate::paging::{PER_PAGE, counts_by};
use crate::refs::{MemberRef, UnitRef};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewRow {
    pub member: MemberRef,
    pub unit_name: String,
    /// Exempt or suspended at the end of the year: not classified.
    pub excluded: Option<String>,
    pub score: Option<u32>,
    /// Tasks given in the year, done on time, exceeded; absent when not recorded.
    pub tasks_given: Option<u32>,
    pub tasks_on_time: Option<u32>,
    pub tasks_exceeded: Option<u32>,
    pub level: Option<String>,
    pub level_label: Option<String>,
    /// Why the level is below the points' level: the task results (Quy định 366), or the
    /// superior committee's reason when it set the level itself.
    pub level_reason: Option<String>,
    /// Whether the superior committee set this level (the cell's scoring keeps it).
    pub set_by_superior: bool,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct LevelCounts {
    pub excellent: u32,
    pub good: u32,
    pub completed: u32,
    pub not_completed: u32,
}

impl LevelCounts {
    fn add(&mut self, l: Level, n: u32) {
        match l {
            Level::Excellent => self.excellent += n,
            Level::Good => self.good += n,
            Level::Completed => self.completed += n,
            Level::NotCompleted => self.not_completed += n,
        }
    }
    fn total(&self) -> u32 {
        self.excellent + self.good + self.completed + self.not_completed
    }
    fn good_or_better(&self) -> u32 {
        self.excellent + self.good
    }
    /// The members the excellent quota is a share of, by the rule's base.
    fn quota_base(&self, rules: &ClassificationRules) -> u32 {
        rules.quota_base_count(self.good_or_better(), self.total())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellReview {
    pub score: u32,
    pub level: String,
    pub level_label: String,
    pub decision: String,
    pub decided_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewSheet {
    pub cell: UnitRef,
    pub year: i32,
    pub rows: Vec<ReviewRow>,
    pub counts: LevelCounts,
    /// The grassroots organisation the excellent quota is counted in.
    pub org: UnitRef,
    pub org_counts: LevelCounts,
    pub excellent_allowed: u32,
    pub cell_review: Option<CellReview>,
    /// Why the cell cannot be rated excellent now, if it cannot.
    pub cell_excellent_blocked: Option<String>,
    pub can_score: bool,
    pub can_decide: bool,
    /// The set of members' rules the year is classified by (in force for the cell on 31
    /// December of the year), and its figures with their sources.
    pub rule_set: String,
    pub basis: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewSummary {
    pub unit: UnitRef,
    pub year: i32,
    pub members: LevelCounts,
    /// e.g. "87,5%".
    pub members_good_share: String,
    pub cells: LevelCounts,
    pub cells_good_share: String,
    /// A page of the subtree's cells by name, with their level if decided.
    pub cell_levels: Vec<(UnitRef, Option<String>)>,
    /// Pass as `after` for the next page of cells; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ScoreEntry {
    pub member_id: i64,
    /// 0 to 100.
    pub score: u32,
    /// Tasks given to the member in the year (required, as Quy định 366 weighs them).
    pub tasks_given: Option<u32>,
    /// Of them, done on time.
    pub tasks_on_time: Option<u32>,
    /// Of those, done beyond what was asked.
    pub tasks_exceeded: Option<u32>,
}

impl ScoreEntry {
    fn tasks(&self) -> Option<TaskResults> {
        Some(TaskResults {
            given: self.tasks_given?,
            on_time: self.tasks_on_time?,
            exceeded: self.tasks_exceeded?,
        })
    }
}

/// A review's task results, when recorded.
fn recorded_tasks(r: &member_review::Model) -> Option<TaskResults> {
    let n = |x: Option<i32>| x.map(|v| v.max(0) as u32);
    Some(TaskResults {
        given: n(r.tasks_given)?,
        on_time: n(r.tasks_on_time)?,
        exceeded: n(r.tasks_exceeded)?,
    })
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReviewInput {
    pub year: i32,
    pub entries: Vec<ScoreEntry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CellReviewInput {
    pub year: i32,
    pub score: Option<u32>,
    pub decision: String,
    pub decided_on: Option<String>,
}

/// The grassroots organisation a cell counts in: its nearest commune or grassroots committee
/// above it, or the cell itself when it is a grassroots cell.
async fn org_of(app: &App, cell: &unit::Model) -> AppResult<unit::Model> {
    let mut u = cell.clone();
    loop {
        if let Some(UnitKind::BaseCell | UnitKind::Commune | UnitKind::Grassroots) =
            UnitKind::from_code(&u.kind)
        {
            return Ok(u);
        }
        match u.parent_id {
            Some(p) => u = units::find(&app.db, p).await?.ok_or(AppError::NotFound)?,
            None => return Ok(cell.clone()),
        }
    }
}

async fn cell(app: &App, actor: &Actor, id: i64) -> AppResult<Visible<unit::Model>> {
    let u = actor.visible(units::find(&app.db, id).await?)?;
    if !UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell()) {
        return Err(AppError::invalid(
            "unit_id",
            "Xếp loại đảng viên do chi bộ thực hiện; hãy chọn một chi bộ.",
        ));
    }
    Ok(u)
}

fn check_year(year: i32) -> AppResult<()> {
    let now = App::today().year();
    if !(now - 5..=now).contains(&year) {
        return Err(AppError::invalid(
            "year",
            format!("Năm đánh giá từ {} đến {now}.", now - 5),
        ));
    }
    Ok(())
}

/// Counts of the levels given in an organisation in a year, leaving out some members (the cell
/// being edited, at most its roll), counted by the database.
async fn org_counts(
    app: &App,
    org: &unit::Model,
    year: i32,
    except: &[i64],
) -> AppResult<LevelCounts> {
    Ok(level_counts(
        counts_by(
            &app.db,
            member_review::Entity::find()
                .filter(member_review::Column::OrgId.eq(org.id))
                .filter(member_review::Column::Year.eq(year))
                .filter(member_review::Column::MemberId.is_not_in(except.iter().copied())),
            member_review::Column::Level,
        )
        .await?,
    ))
}

/// Level counts from `COUNT(*) … GROUP BY level` rows.
fn level_counts(by: HashMap<String, u64>) -> LevelCounts {
    let mut counts = LevelCounts::default();
    for (code, n) in by {
        if let Some(l) = Level::from_code(&code) {
            counts.add(l, n as u32);
        }
    }
    counts
}

/// The cell's review sheet for a year: its members on the roll at the year's end (or today),
/// their scores and levels, the quota of the organisation, the cell's own level.
pub async fn sheet(app: &App, actor: &Actor, cell_id: i64, year: i32) -> AppResult<ReviewSheet> {
    let cell = cell(app, actor, cell_id).await?;
    check_year(year)?;
    let (rules, rule_set, basis) =
        crate::rules::members::year_classification(app, cell.id, year).await?;
    let on = NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("31 December")
        .min(App::today());
    let roll = lookup::roll(app, &cell, on).await?;
    // Read in chunks: a cell's roll has no upper bound.
    let roll_ids: Vec<i64> = roll.iter().map(|r| r.member.id).collect();
    let reviews: HashMap<i64, member_review::Model> =
        crate::lookup::by_ids_where::<member_review::Entity, _>(
            &app.db,
            member_review::Column::MemberId,
            &roll_ids,
            Condition::all().add(member_review::Column::Year.eq(year)),
        )
        .await?
        .into_iter()
        .map(|r| (r.member_id, r))
        .collect();
    let mut counts = LevelCounts::default();
    let mut rows = Vec::new();
    for r in roll.iter().filter(|r| !r.visiting) {
        let excluded = match r.standing {
            Standing::Exempt => Some("Miễn công tác và sinh hoạt: không xếp loại".to_string()),
            Standing::Suspended => Some("Đình chỉ sinh hoạt: không xếp loại".to_string()),
            _ => None,
        };
        let rev = reviews.get(&r.member.id).filter(|_| excluded.is_none());
        let level = rev.and_then(|x| Level::from_code(&x.level));
        if let Some(l) = level {
            counts.add(l, 1);
        }
        let tasks = rev.and_then(recorded_tasks);
        let level_reason = rev.and_then(|x| {
            x.superior_reason
                .clone()
                .or_else(|| rules.held_below(x.score.max(0) as u32, tasks?))
                .map(|why| format!("{why} Căn cứ: {rule_set}."))
        });
        rows.push(ReviewRow {
            member: MemberRef {
                id: r.member.id,
                name: r.member.full_name.clone(),
            },
            unit_name: r.unit_name.clone(),
            excluded,
            score: rev.map(|x| x.score.max(0) as u32),
            tasks_given: tasks.map(|t| t.given),
            tasks_on_time: tasks.map(|t| t.on_time),
            tasks_exceeded: tasks.map(|t| t.exceeded),
            level: level.map(|l| l.code().to_string()),
            level_label: level.map(|l| l.label().to_string()),
            level_reason,
            set_by_superior: rev.is_some_and(|x| x.superior_reason.is_some()),
        });
    }
    let org = org_of(app, &cell).await?;
    let oc = org_counts(app, &org, year, &[]).await?;
    let levels: Vec<Level> = rows
        .iter()
        .filter_map(|r| r.level.as_deref().and_then(Level::from_code))
        .collect();
    let cell_review = unit_review::Entity::find()
        .filter(unit_review::Column::UnitId.eq(cell.id))
        .filter(unit_review::Column::Year.eq(year))
        .one(&app.db)
        .await?
        .map(|r| {
            let l = Level::from_code(&r.level).unwrap_or(Level::NotCompleted);
            CellReview {
                score: r.score.max(0) as u32,
                level: l.code().to_string(),
                level_label: l.label().to_string(),
                decision: r.decision,
                decided_on: r.decided_on,
            }
        });
    Ok(ReviewSheet {
        can_score: actor.can_manage_members(&cell),
        can_decide: actor.supervises(&cell),
        rule_set,
        basis,
        cell_excellent_blocked: rules.check_cell_excellent(&levels).err(),
        excellent_allowed: rules.excellent_allowed(oc.quota_base(&rules)),
        org: UnitRef {
            id: org.id,
            name: org.name,
        },
        org_counts: oc,
        cell: UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        year,
        rows,
        counts,
        cell_review,
    })
}

/// Records the cell's scores for its members, all at once, within the organisation's quota.
pub async fn save(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    input: ReviewInput,
) -> AppResult<ReviewSheet> {
    let s = sheet(app, actor, cell_id, input.year).await?;
    if !s.can_score {
        return Err(AppError::Forbidden);
    }
    let (rules, _, _) =
        crate::rules::members::year_classification(app, cell_id, input.year).await?;
    let mut e = Invalid::new();
    if input.entries.is_empty() {
        e.push("entries", "Chưa nhập điểm cho đảng viên nào.");
    }
    let rows: HashMap<i64, &ReviewRow> = s.rows.iter().map(|r| (r.member.id, r)).collect();
    // Each refusal names its entry (`entries[3]`), so a form shows it on the member's row.
    for (i, x) in input.entries.iter().enumerate() {
        let entry = format!("entries[{i}]");
        match rows.get(&x.member_id) {
            None => e.push(
                &entry,
                "Có đảng viên không thuộc chi bộ trong năm đánh giá.",
            ),
            Some(r) if r.excluded.is_some() => e.push(
                &entry,
                format!(
                    "{}: {}.",
                    r.member.name,
                    r.excluded.as_deref().unwrap_or_default()
                ),
            ),
            Some(r) if x.score > 100 => {
                e.push(&entry, format!("{}: điểm từ 0 đến 100.", r.member.name))
            }
            Some(r) => match x.tasks() {
                // Under rules without task conditions (QĐ 124) the counts are not asked for.
                None if !rules.task_conditions => {}
                None => e.push(
                    &entry,
                    format!(
                        "{}: ghi số nhiệm vụ được giao, hoàn thành đúng hạn và vượt mức trong năm \
                         (quy định đang áp dụng xét cả kết quả thực hiện nhiệm vụ).",
                        r.member.name
                    ),
                ),
                Some(t) if t.given > 1000 => e.push(
                    &entry,
                    format!("{}: số nhiệm vụ được giao quá lớn.", r.member.name),
                ),
                Some(t) => {
                    if let Some(why) = t.inconsistency() {
                        e.push(&entry, format!("{}: {why}.", r.member.name));
                    }
                }
            },
        }
    }
    e.into_result()?;
    let org = units::find(&app.db, s.org.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut ids: Vec<i64> = input.entries.iter().map(|x| x.member_id).collect();
    // Each id is on the cell's roll (checked above); a request repeating one is still one.
    ids.sort_unstable();
    ids.dedup();
    let existing: HashMap<i64, member_review::Model> =
        crate::lookup::by_ids_where::<member_review::Entity, _>(
            &app.db,
            member_review::Column::MemberId,
            &ids,
            Condition::all().add(member_review::Column::Year.eq(input.year)),
        )
        .await?
        .into_iter()
        .map(|r| (r.member_id, r))
        .collect();
    // The level each entry leaves: the superior committee's where it set one, else the
    // points' level lowered by the task results.
    let level_of = |x: &ScoreEntry| match existing.get(&x.member_id) {
        Some(r) if r.superior_reason.is_some() => {
            Level::from_code(&r.level).unwrap_or(Level::NotCompleted)
        }
        _ => rules.member_level(x.score, x.tasks().unwrap_or_default()),
    };
    let mut after = org_counts(app, &org, input.year, &ids).await?;
    for x in &input.entries {
        after.add(level_of(x), 1);
    }
    rules
        .check_quota(after.excellent, after.quota_base(&rules), &org.name)
        .map_err(|msg| AppError::invalid("entries", msg))?;
    let now = chrono::Utc::now();
    let tx = write_tx(&app.db).await?;
    for x in &input.entries {
        let level = level_of(x).code().to_string();
        let tasks = x.tasks();
        let count = |n: Option<u32>| Set(n.map(|n| n as i32));
        // The member's row for the year, new or as stored, with what the cell scored written
        // over it (a superior committee's reason stays).
        let mut am = match existing.get(&x.member_id) {
            Some(r) => r.clone().into_active_model(),
            None => member_review::ActiveModel {
                member_id: Set(x.member_id),
                year: Set(input.year),
                superior_reason: Set(None),
                ..Default::default()
            },
        };
        am.score = Set(x.score as i32);
        am.tasks_given = count(tasks.map(|t| t.given));
        am.tasks_on_time = count(tasks.map(|t| t.on_time));
        am.tasks_exceeded = count(tasks.map(|t| t.exceeded));
        am.level = Set(level);
        am.cell_id = Set(s.cell.id);
        am.org_id = Set(org.id);
        am.updated_by = Set(Some(actor.user_id().get()));
        am.updated_at = Set(now);
        am.save(&tx).await?;
    }
    audit::record(
        &tx,
        Some(actor),
        "review.members",
        "unit",
        Some(s.cell.id),
        None::<&()>,
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    sheet(app, actor, cell_id, input.year).await
}

/// What the annual review shows for a unit: a cell's scoring sheet, or a committee's summary
/// over its subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Review {
    Sheet(ReviewSheet),
    Summary(ReviewSummary),
}

/// The review of a unit in a year: its sheet when it is a cell, the summary of its subtree
/// otherwise.
pub async fn review(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    year: i32,
    after: Option<&Cursor>,
) -> AppResult<Review> {
    let u = actor.visible(units::find(&app.db, unit_id).await?)?;
    if UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell()) {
        Ok(Review::Sheet(sheet(app, actor, u.id, year).await?))
    } else {
        Ok(Review::Summary(
            summary(app, actor, u.id, year, after, PER_PAGE).await?,
        ))
    }
}

/// Members and cells of a subtree by level in a year, counted by the database, and a page of
/// its cells (`per_page` after `after`, by name) with their level when decided.
pub async fn summary(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    year: i32,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<ReviewSummary> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    check_year(year)?;
    let members = level_counts(
        counts_by(
            &app.db,
            member_review::Entity::find()
                .filter(member_review::Column::CellId.in_subquery(Subtree::of(&root).cells()))
                .filter(member_review::Column::Year.eq(year)),
            member_review::Column::Level,
        )
        .await?,
    );
    let cells_count = level_counts(
        counts_by(
            &app.db,
            unit_review::Entity::find()
                .filter(unit_review::Column::UnitId.in_subquery(Subtree::of(&root).cells()))
                .filter(unit_review::Column::Year.eq(year)),
            unit_review::Column::Level,
        )
        .await?,
    );
    let (cells, next) = units::page_in_name_order(
        &app.db,
        unit::Entity::find()
            .filter(Subtree::of(&root).contains(unit::Column::Path))
            .filter(unit::Column::Kind.is_in(UnitKind::codes_where(UnitKind::is_cell))),
        after,
        per_page,
    )
    .await?;
    let decided: HashMap<i64, String> = unit_review::Entity::find()
        .filter(unit_review::Column::UnitId.is_in(cells.iter().map(|c| c.id)))
        .filter(unit_review::Column::Year.eq(year))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| (r.unit_id, r.level))
        .collect();
    let cell_levels = cells
        .into_iter()
        .map(|c| {
            let level = decided.get(&c.id).and_then(|x| Level::from_code(x));
            (
                UnitRef {
                    id: c.id,
                    name: c.name,
                },
                level.map(|l| l.label().to_string()),
            )
        })
        .collect();
    Ok(ReviewSummary {
        members_good_share: percent_text(members.good_or_better().into(), members.total().into()),
        cells_good_share: percent_text(
            cells_count.good_or_better().into(),
            cells_count.total().into(),
        ),
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        year,
        members,
        cells: cells_count,
        cell_levels,
        next,
    })
}
