//! Annual review and classification: the cell scores its members (exempt and suspended members
//! are not classified), the excellent quota holds within the grassroots organisation, and the
//! superior committee decides the cell's own level, excellent only when its members allow it.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::classification::{ClassificationRules, Level};
use chibo_domain::cursor::Cursor;
use chibo_domain::org::UnitKind;
use chibo_domain::rules::Standing;
use chibo_domain::text::percent_text;
use chibo_domain::validate;
use chibo_store::entities::{member_review, unit, unit_review};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
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
    pub level: Option<String>,
    pub level_label: Option<String>,
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
    let rules = ClassificationRules::default();
    let on = NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("31 December")
        .min(App::today());
    let roll = lookup::roll(app, &cell, on).await?;
    let reviews: HashMap<i64, member_review::Model> = member_review::Entity::find()
        .filter(
            member_review::Column::MemberId
                .is_in(roll.iter().map(|r| r.member.id).collect::<Vec<_>>()),
        )
        .filter(member_review::Column::Year.eq(year))
        .all(&app.db)
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
        rows.push(ReviewRow {
            member: MemberRef {
                id: r.member.id,
                name: r.member.full_name.clone(),
            },
            unit_name: r.unit_name.clone(),
            excluded,
            score: rev.map(|x| x.score.max(0) as u32),
            level: level.map(|l| l.code().to_string()),
            level_label: level.map(|l| l.label().to_string()),
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
        cell_excellent_blocked: rules.check_cell_excellent(&levels).err(),
        excellent_allowed: rules.excellent_allowed(oc.good_or_better()),
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
    let rules = ClassificationRules::default();
    let mut e = Invalid::new();
    if input.entries.is_empty() {
        e.push("entries", "Chưa nhập điểm cho đảng viên nào.");
    }
    let rows: HashMap<i64, &ReviewRow> = s.rows.iter().map(|r| (r.member.id, r)).collect();
    for x in &input.entries {
        match rows.get(&x.member_id) {
            None => e.push(
                "entries",
                "Có đảng viên không thuộc chi bộ trong năm đánh giá.",
            ),
            Some(r) if r.excluded.is_some() => e.push(
                "entries",
                format!(
                    "{}: {}.",
                    r.member.name,
                    r.excluded.as_deref().unwrap_or_default()
                ),
            ),
            Some(r) if x.score > 100 => {
                e.push("entries", format!("{}: điểm từ 0 đến 100.", r.member.name))
            }
            Some(_) => {}
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
    let mut after = org_counts(app, &org, input.year, &ids).await?;
    for x in &input.entries {
        after.add(rules.level(x.score), 1);
    }
    rules
        .check_quota(after.excellent, after.good_or_better(), &org.name)
        .map_err(|msg| AppError::invalid("entries", msg))?;
    let existing: HashMap<i64, member_review::Model> = member_review::Entity::find()
        .filter(member_review::Column::MemberId.is_in(ids))
        .filter(member_review::Column::Year.eq(input.year))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| (r.member_id, r))
        .collect();
    let now = chrono::Utc::now();
    let tx = write_tx(&app.db).await?;
    for x in &input.entries {
        let level = rules.level(x.score).code().to_string();
        match existing.get(&x.member_id) {
            Some(r) => {
                let mut am = r.clone().into_active_model();
                am.score = Set(x.score as i32);
                am.level = Set(level);
                am.cell_id = Set(s.cell.id);
                am.org_id = Set(org.id);
                am.updated_by = Set(Some(actor.user_id().get()));
                am.updated_at = Set(now);
                am.update(&tx).await?;
            }
            None => {
                member_review::ActiveModel {
                    member_id: Set(x.member_id),
                    year: Set(input.year),
                    cell_id: Set(s.cell.id),
                    org_id: Set(org.id),
                    score: Set(x.score as i32),
                    level: Set(level),
                    updated_by: Set(Some(actor.user_id().get())),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&tx)
                .await?;
            }
        }
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

/// The superior committee decides the cell's level (excellent only when its members allow it).
pub async fn decide(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    input: CellReviewInput,
) -> AppResult<ReviewSheet> {
    let s = sheet(app, actor, cell_id, input.year).await?;
    if !s.can_decide {
        return Err(AppError::Forbidden);
    }
    let rules = ClassificationRules::default();
    let mut e = Invalid::new();
    let score = match input.score {
        None => {
            e.push("score", "Vui lòng nhập điểm tự đánh giá của chi bộ.");
            0
        }
        Some(x) if x > 100 => {
            e.push("score", "Điểm từ 0 đến 100.");
            x
        }
        Some(x) => x,
    };
    let decision = validate::required_text(
        &mut e,
        "decision",
        "quyết định của cấp ủy cấp trên",
        &input.decision,
        255,
    );
    let on = validate::date_field(
        &mut e,
        "decided_on",
        "ngày quyết định",
        input.decided_on.as_deref(),
        true,
    );
    if on.is_some_and(|d| d > App::today()) {
        e.push("decided_on", "Ngày quyết định chưa đến.");
    }
    if on.is_some_and(|d| d.year() < input.year) {
        e.push(
            "decided_on",
            "Quyết định xếp loại phải trong hoặc sau năm đánh giá.",
        );
    }
    let level = rules.level(score);
    if level == Level::Excellent
        && let Some(why) = &s.cell_excellent_blocked
    {
        e.push("score", why.clone());
    }
    e.into_result()?;
    let existing = unit_review::Entity::find()
        .filter(unit_review::Column::UnitId.eq(s.cell.id))
        .filter(unit_review::Column::Year.eq(input.year))
        .one(&app.db)
        .await?;
    let now = chrono::Utc::now();
    let tx = write_tx(&app.db).await?;
    let mut am = match existing.clone() {
        Some(r) => r.into_active_model(),
        None => unit_review::ActiveModel {
            unit_id: Set(s.cell.id),
            year: Set(input.year),
            ..Default::default()
        },
    };
    am.score = Set(score as i32);
    am.level = Set(level.code().to_string());
    am.decision = Set(decision);
    am.decided_on = Set(on.expect("checked"));
    am.updated_by = Set(Some(actor.user_id().get()));
    am.updated_at = Set(now);
    let saved = if existing.is_some() {
        am.update(&tx).await?
    } else {
        am.insert(&tx).await?
    };
    audit::record(
        &tx,
        Some(actor),
        "review.cell",
        "unit",
        Some(s.cell.id),
        existing.as_ref(),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    sheet(app, actor, cell_id, input.year).await
}

/// Members and cells of a subtree by level in a year, with the shares rated good or better.
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
