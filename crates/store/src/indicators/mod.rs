//! The indicators of domain.md §7 over a subtree and a period, counted in SQL with the tree as
//! it was: a row (a meeting, a cell-month, a badge) belongs to the subtree when the unit it
//! belongs to stood under the subtree's root on the row's own date, read from `unit_versions`.
//! So a cell merged away in March counts under its old parent for January and February, and a
//! root that moved counts its subtree under each of its paths in turn.
//!
//! Meetings are summed from `meeting_stats` (one row a meeting, kept by the application), never
//! from the attendance rows. Each group of indicators is one to three statements (`queries`),
//! the yearly ones once per year of the period; none binds
//! the ids of the subtree. The same statements count either the whole subtree or each unit
//! directly under the root (`Grouping::ByChild`): a row is then keyed by the path of the child
//! it lay under on its date, which `by_child` turns into units. The arithmetic of a share
//! (rounding, a share of nothing) is the domain's (`chibo_domain::indicators::Figure`).

mod dated;
mod last_day;
mod month_ends;
mod queries;
mod rolled;
mod stayed;
pub mod told;
pub mod warnings;

use std::collections::BTreeMap;

use chibo_domain::indicators::{Figure, Indicator};
use chibo_domain::org::path_ids;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult};

pub(crate) use crate::sql::{Sql, valid_on};

use crate::subtree::Subtree;

/// The longest period the indicators are counted over, in months.
pub const MAX_MONTHS: u32 = 120;

/// One path of the root over a span of days (`to` excluded, `None`: still today).
#[derive(Debug, Clone, FromQueryResult)]
struct RootVersion {
    path: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

/// What the rows are added up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// The whole subtree, one line.
    Whole,
    /// One line per unit directly under the root (and one for what lies at the root itself).
    ByChild,
    /// One line per month (`YYYY-MM`) of the row's date; for [`monthly`] only.
    ByMonth,
}

/// The counts of one group, by slot (`queries::slot`).
type Slots = [u64; queries::SLOTS];

/// Counts by group key: `""` for the whole subtree, a child's path otherwise.
type Groups = BTreeMap<String, Slots>;

/// The subtree's root over the period, the period, and how rows are grouped.
#[derive(Clone)]
pub struct Scope<'a> {
    versions: Vec<RootVersion>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    backend: DbBackend,
    grouping: Grouping,
    subtree: Subtree<'a>,
    /// The months the roll-ups are kept for (`crate::rollups`).
    built: Vec<String>,
    /// The path tests (and the join of a meeting to its cell) are written so that no index
    /// serves them (`crate::name_order`): the warnings of a large subtree are then found by
    /// reading the period's rows, not every unit of the tree and each one's rows.
    walk: bool,
    /// The period ends inside a kept month whose cell-months can be read from the kept rows
    /// (see [`cut_month_kept`]).
    cut_kept: bool,
    /// The months whose month-end counts stand (`crate::rollups::ends`): a count taken on the
    /// last day of one of them (the period's end, a year's end) is read from them.
    ends: Vec<String>,
}

impl Scope<'_> {
    /// The same scope counted from the raw rows alone, as if no month were kept: what the
    /// roll-ups are held to in the tests.
    pub fn without_rollups(mut self) -> Self {
        self.built.clear();
        self.cut_kept = false;
        self.ends.clear();
        self
    }

    /// The path the root had on `day`, if it stood then.
    fn path_on(&self, day: NaiveDate) -> Option<&str> {
        self.versions
            .iter()
            .find(|v| v.valid_from <= day && v.valid_to.is_none_or(|t| t > day))
            .map(|v| v.path.as_str())
    }

    /// The month whose last day is `day`, when its month-end counts stand.
    fn end_standing(&self, day: NaiveDate) -> Option<String> {
        crate::rollups::end_month(day, self.today, &self.ends)
    }

    /// The months of the period, when it is made of whole months that are over, whose
    /// month-end counts all stand, and the root kept one path all through it: the counts of
    /// what happened in it (the badges) are then the sums of those months' rows.
    fn ends_over_period(&self) -> Option<Vec<String>> {
        if self.grouping == Grouping::ByMonth {
            return None;
        }
        let [root] = self.versions.as_slice() else {
            return None;
        };
        if root.valid_from > self.from || root.valid_to.is_some_and(|t| t <= self.to) {
            return None;
        }
        let months: Option<Vec<String>> = queries::month_spans(self.from, self.to)
            .into_iter()
            .map(|(first, last, _)| {
                let month = crate::rollups::month_of(first);
                let whole = crate::rollups::month_days(&month) == Some((first, last));
                (whole && self.end_standing(last).is_some()).then_some(month)
            })
            .collect();
        months.filter(|m| !m.is_empty())
    }

    /// The cell of a meeting figure `ms` as its unit version `v` is joined on: written so that
    /// no index serves it when walking, so that SQLite reads the meetings first and looks each
    /// one's version up, rather than every version of the tree and then each one's meetings.
    fn meeting_cell(&self) -> &'static str {
        if self.walk {
            "ms.cell_id + 0"
        } else {
            "ms.cell_id"
        }
    }

    /// Each path the root had in the period, as the condition that `day` (an SQL expression)
    /// fell in that path's span.
    fn spans(&self, sql: &mut Sql, day: &str) -> Vec<(String, &RootVersion)> {
        self.versions
            .iter()
            .map(|v| {
                let mut when = format!("{day} >= {}", sql.bind(v.valid_from));
                if let Some(t) = v.valid_to {
                    when.push_str(&format!(" AND {day} < {}", sql.bind(t)));
                }
                (when, v)
            })
            .collect()
    }

    /// `path` (a column) lay under the root on `day` (an SQL expression): one alternative per
    /// path the root had in the period, usually one.
    fn under(&self, sql: &mut Sql, path: &str, day: &str) -> String {
        let alternatives: Vec<String> = self
            .spans(sql, day)
            .into_iter()
            .map(|(when, v)| {
                let path = if self.walk {
                    format!("({path} || '')")
                } else {
                    path.to_string()
                };
                format!(
                    "({path} LIKE {} AND {when})",
                    sql.bind(format!("{}%", v.path))
                )
            })
            .collect();
        if alternatives.is_empty() {
            "1 = 0".into()
        } else {
            format!("({})", alternatives.join(" OR "))
        }
    }

    /// The group key of a row whose unit path is `path` on `day`: `''` for the whole subtree;
    /// by child, the path of the unit directly under the root it lay under then (the root's
    /// own path for a row at the root).
    fn key(&self, sql: &mut Sql, path: &str, day: &str) -> String {
        match self.grouping {
            Grouping::Whole => return "''".into(),
            Grouping::ByMonth => return crate::rollups::month_expr(self.backend, day),
            Grouping::ByChild => {}
        }
        let find = crate::rollups::find_fn(self.backend);
        let cases: Vec<String> = self
            .spans(sql, day)
            .into_iter()
            .map(|(when, v)| {
                let len = v.path.len();
                format!(
                    "WHEN {when} THEN substr({path}, 1, {len} + {find}(substr({path}, {}), '/'))",
                    len + 1
                )
            })
            .collect();
        if cases.is_empty() {
            return "''".into();
        }
        format!("CASE {} ELSE '' END", cases.join(" "))
    }

    /// Runs a statement whose rows are `(key, v1, …, vn)` and adds `vi` to slot `slots[i]` of
    /// the row's group.
    async fn add(
        &self,
        db: &impl ConnectionTrait,
        groups: &mut Groups,
        sql: Sql,
        text: &str,
        slots: &[usize],
    ) -> Result<(), DbErr> {
        for row in db.query_all_raw(sql.statement(self.backend, text)).await? {
            let key: String = row
                .try_get_by_index::<Option<String>>(0)?
                .unwrap_or_default();
            let g = groups.entry(key).or_insert([0; queries::SLOTS]);
            for (i, slot) in slots.iter().enumerate() {
                let v = row.try_get_by_index::<Option<i64>>(i + 1)?.unwrap_or(0);
                g[*slot] += v.max(0) as u64;
            }
        }
        Ok(())
    }
}

/// The root's versions that overlap the period: the paths to count under.
/// The scope of `subtree` over `from`–`to` as of `today`: what has not happened yet is not
/// counted (the period ends today at the latest, and a month counts as expected only once it
/// is over).
pub async fn scope<'a>(
    db: &impl ConnectionTrait,
    subtree: Subtree<'a>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    grouping: Grouping,
) -> Result<Scope<'a>, DbErr> {
    let to = to.min(today);
    let backend = db.get_database_backend();
    let mut sql = Sql::default();
    let text = format!(
        "SELECT path, valid_from, valid_to FROM unit_versions \
         WHERE unit_id = (SELECT id FROM units WHERE path = {}) \
         AND valid_from <= {} AND (valid_to IS NULL OR valid_to > {}) ORDER BY valid_from",
        sql.bind(subtree.root()),
        sql.bind(to),
        sql.bind(from)
    );
    let versions = RootVersion::find_by_statement(sql.statement(backend, &text))
        .all(db)
        .await?;
    let built = crate::rollups::built_months(db).await?;
    let cut_kept = cut_month_kept(db, from, to, today, &built).await?;
    let ends = match grouping {
        Grouping::ByMonth => Vec::new(),
        _ => crate::rollups::ends_standing(db).await?,
    };
    Ok(Scope {
        versions,
        from,
        to,
        today,
        backend,
        grouping,
        subtree,
        built,
        walk: false,
        cut_kept,
        ends,
    })
}

/// Whether the month that the period's end `to` cuts short can have its cell-months read from
/// the kept rows of the whole month: it is kept, the period holds its first day, and no unit
/// changed place, kind or existence after `to` in it, so a cell stands then where it stood on
/// `to`. (The meetings held after `to` in it are taken out cell by cell where the rows are
/// read.) Otherwise every cell of the subtree is looked for in the raw rows, the longest part
/// of a period that ends yesterday.
async fn cut_month_kept(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    built: &[String],
) -> Result<bool, DbErr> {
    let month = crate::rollups::month_of(to);
    let Some((first, last)) = crate::rollups::month_days(&month) else {
        return Ok(false);
    };
    if to >= last || to >= today || from > first || !built.contains(&month) {
        return Ok(false);
    }
    let mut sql = Sql::default();
    let (after, end) = (sql.bind(to), sql.bind(last));
    let text = format!(
        "SELECT 1 FROM unit_versions WHERE (valid_from > {after} AND valid_from <= {end}) \
           OR (valid_to > {after} AND valid_to <= {end}) \
         UNION ALL SELECT 1 FROM units WHERE dissolved_on > {after} AND dissolved_on <= {end}"
    );
    let changed = db
        .query_one_raw(sql.statement(db.get_database_backend(), &text))
        .await?;
    Ok(changed.is_none())
}

/// Every indicator of the subtree over the period, in the order of [`Indicator::ALL`] (for
/// [`Grouping::Whole`]).
pub async fn all(
    db: &impl ConnectionTrait,
    scope: &Scope<'_>,
) -> Result<Vec<(Indicator, Figure)>, DbErr> {
    Ok(queries::figures(&sum(&queries::count(db, scope).await?)))
}

/// The figures of a subtree with nothing to count.
pub fn empty() -> Vec<(Indicator, Figure)> {
    queries::figures(&[0; queries::SLOTS])
}

/// One line of [`by_child`]: a unit directly under the root (or the root itself, for what lies
/// at it), with its figures.
#[derive(Debug, Clone)]
pub struct ChildFigures {
    pub unit_id: i64,
    pub figures: Vec<(Indicator, Figure)>,
}

/// Every indicator for each unit directly under the root, each counted with the tree as it
/// was (for [`Grouping::ByChild`]); a child seen under several paths in the period (it moved
/// inside the root) adds them up. Units with nothing to count are left out.
pub async fn by_child(
    db: &impl ConnectionTrait,
    scope: &Scope<'_>,
) -> Result<Vec<ChildFigures>, DbErr> {
    Ok(children(&queries::count(db, scope).await?))
}

/// The figures of the whole subtree and of each unit directly under the root, as [`all`] and
/// [`by_child`] count them (for a scope of [`Grouping::ByChild`]), with fewer statements than
/// both: the whole adds up its children's lines, and only the counts of distinct members,
/// officers, cells and cadres are counted again for it.
pub async fn whole_and_by_child(
    db: &impl ConnectionTrait,
    scope: &Scope<'_>,
) -> Result<(Vec<(Indicator, Figure)>, Vec<ChildFigures>), DbErr> {
    debug_assert_eq!(scope.grouping, Grouping::ByChild);
    let whole_scope = Scope {
        grouping: Grouping::Whole,
        ..scope.clone()
    };
    // Both at once (five lanes, see `queries::count`).
    let (groups, recounted) = tokio::try_join!(
        queries::count(db, scope),
        queries::count_distinct(db, &whole_scope)
    )?;
    let mut whole = sum(&groups);
    let recounted = sum(&recounted);
    for slot in queries::RECOUNTED {
        whole[slot] = recounted[slot];
    }
    Ok((queries::figures(&whole), children(&groups)))
}

/// Adds the counts of `more` to those of the same groups in `groups`.
fn merge(groups: &mut Groups, more: Groups) {
    for (key, slots) in more {
        let g = groups.entry(key).or_insert([0; queries::SLOTS]);
        for (a, v) in g.iter_mut().zip(slots) {
            *a += v;
        }
    }
}

/// Every group's counts added up.
fn sum(groups: &Groups) -> Slots {
    groups.values().fold([0; queries::SLOTS], |mut acc, g| {
        for (a, v) in acc.iter_mut().zip(g) {
            *a += v;
        }
        acc
    })
}

/// The lines by child of groups keyed by the children's paths.
fn children(groups: &Groups) -> Vec<ChildFigures> {
    // A path names its unit by its last id; a child seen under several paths adds them up.
    let mut by_unit: BTreeMap<i64, Slots> = BTreeMap::new();
    for (path, g) in groups {
        let Some(unit_id) = path_ids(path).last().copied() else {
            continue;
        };
        let acc = by_unit.entry(unit_id).or_insert([0; queries::SLOTS]);
        for (a, v) in acc.iter_mut().zip(g) {
            *a += v;
        }
    }
    by_unit
        .into_iter()
        .map(|(unit_id, slots)| ChildFigures {
            unit_id,
            figures: queries::figures(&slots),
        })
        .collect()
}

/// The indicators counted from the meetings and the cell-months of the period, month by
/// month (`YYYY-MM`, for [`Grouping::ByMonth`]): two statements for a trend over any number of
/// months, where [`all`] per month would run every statement each month. The other indicators
/// (members, yearly counts) are not part of a trend and come out as zero.
pub async fn monthly(
    db: &impl ConnectionTrait,
    scope: &Scope<'_>,
) -> Result<BTreeMap<String, Vec<(Indicator, Figure)>>, DbErr> {
    debug_assert_eq!(scope.grouping, Grouping::ByMonth);
    let groups = queries::count_meetings(db, scope).await?;
    Ok(groups
        .into_iter()
        .map(|(month, slots)| (month, queries::figures(&slots)))
        .collect())
}
