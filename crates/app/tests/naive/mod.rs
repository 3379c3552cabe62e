//! Every indicator of domain.md §7 counted the naive way: every row the indicators read is
//! loaded into memory and counted in plain Rust loops, written from the definitions (domain.md
//! §7, `Indicator::definition`) and not from chibo's statements. A row lies in the subtree when
//! its unit's version on the row's own day lay under the root's path of that day.
//!
//! A meeting's own figures (present, sheet, tasked, level …) are its row of `meeting_stats`,
//! which `tests/indicators.rs` holds to what the meeting's pages compute; what is counted here
//! is everything above a meeting: which meetings, cells, members and years count, and where.

use std::collections::{BTreeMap, BTreeSet};

use chibo_domain::indicators::{Figure, Indicator};
use chibo_store::entities::*;
use chibo_store::sea_orm::{DatabaseConnection, EntityTrait};
use chrono::{Datelike, Months, NaiveDate};

/// The rows the indicators read.
pub struct Raw {
    units: Vec<unit::Model>,
    versions: Vec<unit_version::Model>,
    rolls: Vec<member_unit::Model>,
    positions: Vec<position::Model>,
    courses: Vec<course::Model>,
    places: Vec<course_participant::Model>,
    inspections: Vec<inspection::Model>,
    meetings: Vec<meeting_stat::Model>,
    candidates: Vec<candidate::Model>,
    badges: Vec<member_badge::Model>,
    topics: Vec<thematic_topic::Model>,
    cadre_tasks: Vec<cadre_task::Model>,
    unit_reviews: Vec<unit_review::Model>,
    member_reviews: Vec<member_review::Model>,
}

impl Raw {
    pub async fn load(db: &DatabaseConnection) -> Raw {
        Raw {
            units: unit::Entity::find().all(db).await.unwrap(),
            versions: unit_version::Entity::find().all(db).await.unwrap(),
            rolls: member_unit::Entity::find().all(db).await.unwrap(),
            positions: position::Entity::find().all(db).await.unwrap(),
            courses: course::Entity::find().all(db).await.unwrap(),
            places: course_participant::Entity::find().all(db).await.unwrap(),
            inspections: inspection::Entity::find().all(db).await.unwrap(),
            meetings: meeting_stat::Entity::find().all(db).await.unwrap(),
            candidates: candidate::Entity::find().all(db).await.unwrap(),
            badges: member_badge::Entity::find().all(db).await.unwrap(),
            topics: thematic_topic::Entity::find().all(db).await.unwrap(),
            cadre_tasks: cadre_task::Entity::find().all(db).await.unwrap(),
            unit_reviews: unit_review::Entity::find().all(db).await.unwrap(),
            member_reviews: member_review::Entity::find().all(db).await.unwrap(),
        }
    }

    /// The version of `unit` on `day`.
    fn version_on(&self, unit: i64, day: NaiveDate) -> Option<&unit_version::Model> {
        self.versions
            .iter()
            .find(|v| v.unit_id == unit && valid(v.valid_from, v.valid_to, day))
    }
}

fn valid(from: NaiveDate, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from <= day && to.is_none_or(|t| t > day)
}

fn is_cell(kind: &str) -> bool {
    kind == "cell" || kind == "base_cell"
}

/// How rows are grouped: the whole subtree, or by the unit directly under the root.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum By {
    Whole,
    Child,
}

/// Where rows land: the rows, the root, the grouping.
struct Ask<'r> {
    raw: &'r Raw,
    root: i64,
    by: By,
}

impl Ask<'_> {
    /// The group a unit's row lands in on `day`, when the unit lay under the root then: `""`
    /// for the whole; by child, the path of the unit directly under the root it lay under
    /// (the root's own path for a row at the root).
    fn group(&self, unit: i64, day: NaiveDate) -> Option<(String, &unit_version::Model)> {
        let root = self.raw.version_on(self.root, day)?;
        let v = self.raw.version_on(unit, day)?;
        let rest = v.path.strip_prefix(root.path.as_str())?;
        let key = match self.by {
            By::Whole => String::new(),
            By::Child => match rest.find('/') {
                Some(i) => format!("{}{}", root.path, &rest[..=i]),
                None => root.path.clone(),
            },
        };
        Some((key, v))
    }
}

/// Counts by group, each by the name of what it counts.
type Tally = BTreeMap<String, BTreeMap<&'static str, u64>>;

fn add(t: &mut Tally, key: &str, what: &'static str, n: u64) {
    *t.entry(key.to_string())
        .or_default()
        .entry(what)
        .or_default() += n;
}

/// A cell's months in one quarter: how many, how many met, whether every one met, whether a
/// thematic meeting was held.
type Quarter = (u64, u64, bool, bool);

/// Each month of `from`–`to` cut to the period, once it is over, with its quarter.
fn months(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Vec<(NaiveDate, NaiveDate, i32)> {
    let mut out = Vec::new();
    let mut first = from.with_day(1).unwrap();
    while first <= to {
        let next = first + Months::new(1);
        let last = next.pred_opt().unwrap().min(to);
        if last < today {
            let q = first.year() * 10 + (first.month0() / 3 + 1) as i32;
            out.push((first.max(from), last, q));
        }
        first = next;
    }
    out
}

/// Every indicator of `root`'s subtree over `from`–`to` as of `today`, by group (`""` alone
/// for the whole), in the order of [`Indicator::ALL`].
pub fn indicators(
    raw: &Raw,
    root: i64,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    by: By,
) -> BTreeMap<String, Vec<(Indicator, Figure)>> {
    // What has not happened yet is not counted.
    let to = to.min(today);
    let a = Ask { raw, root, by };
    let mut t = Tally::new();
    let in_period = |d: NaiveDate| from <= d && d <= to;

    // On the last day: members on a roll (each once a group), units, officers.
    let mut members: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for r in raw
        .rolls
        .iter()
        .filter(|r| valid(r.valid_from, r.valid_to, to))
    {
        if let Some((k, _)) = a.group(r.unit_id, to) {
            members.entry(k).or_default().insert(r.member_id);
        }
    }
    for (k, m) in &members {
        add(&mut t, k, "members", m.len() as u64);
    }
    for u in &raw.units {
        let Some((k, v)) = a.group(u.id, to) else {
            continue;
        };
        if v.kind == "grassroots" || v.kind == "base_cell" {
            add(&mut t, &k, "grassroots", 1);
        }
        if is_cell(&v.kind) {
            add(&mut t, &k, "cells", 1);
            let groups = raw.versions.iter().any(|g| {
                g.parent_id == Some(u.id)
                    && g.kind == "group"
                    && valid(g.valid_from, g.valid_to, to)
            });
            add(&mut t, &k, "cells_with_groups", groups as u64);
            let inspected = raw.inspections.iter().any(|i| {
                i.cell_id == u.id && i.status == "done" && i.done_on.is_some_and(in_period)
            });
            add(&mut t, &k, "cells_inspected", inspected as u64);
        }
    }
    let mut officers: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for p in raw
        .positions
        .iter()
        .filter(|p| valid(p.term_from, p.term_to, to))
    {
        if let Some((k, v)) = a.group(p.unit_id, to)
            && is_cell(&v.kind)
        {
            officers.entry(k).or_default().insert(p.member_id);
        }
    }
    for (k, o) in &officers {
        add(&mut t, k, "officers", o.len() as u64);
        let trained = o.iter().filter(|m| {
            raw.places.iter().any(|cp| {
                cp.member_id == **m
                    && cp.completed
                    && raw
                        .courses
                        .iter()
                        .any(|c| c.id == cp.course_id && in_period(c.ends_on))
            })
        });
        add(&mut t, k, "officers_trained", trained.count() as u64);
    }

    // Cell-months: each cell that stood under the root at a month's end and existed every
    // day of it; then by cell and quarter.
    let held = |cell: i64, a: NaiveDate, b: NaiveDate, thematic: bool| {
        raw.meetings.iter().any(|m| {
            m.cell_id == cell
                && m.held
                && a <= m.meeting_date
                && m.meeting_date <= b
                && if thematic {
                    m.kind == "thematic" || m.combined
                } else {
                    m.kind == "regular"
                }
        })
    };
    let mut cells: BTreeMap<(String, i64), BTreeMap<i32, Quarter>> = BTreeMap::new();
    for (first, last, q) in months(from, to, today) {
        for u in &raw.units {
            if u.established_on > first || u.dissolved_on.is_some_and(|d| d <= last) {
                continue;
            }
            let Some((k, v)) = a.group(u.id, last) else {
                continue;
            };
            if !is_cell(&v.kind) {
                continue;
            }
            let regular = held(u.id, first, last, false);
            let e = cells
                .entry((k, u.id))
                .or_default()
                .entry(q)
                .or_insert((0, 0, true, false));
            e.0 += 1;
            e.1 += regular as u64;
            e.2 &= regular;
            e.3 |= held(u.id, first, last, true);
        }
    }
    for ((k, _), quarters) in &cells {
        let months: u64 = quarters.values().map(|q| q.0).sum();
        add(&mut t, k, "cell_months", months);
        add(
            &mut t,
            k,
            "cell_months_met",
            quarters.values().map(|q| q.1).sum(),
        );
        add(&mut t, k, "cells_expected", 1);
        add(
            &mut t,
            k,
            "cells_every_month",
            quarters.values().all(|q| q.2) as u64,
        );
        let whole: Vec<bool> = quarters
            .values()
            .filter(|q| q.0 == 3)
            .map(|q| q.3)
            .collect();
        if !whole.is_empty() {
            add(&mut t, k, "cells_with_quarter", 1);
            add(
                &mut t,
                k,
                "cells_every_quarter",
                whole.iter().all(|h| *h) as u64,
            );
        }
    }

    // Held meetings, each under its cell's place on its day.
    for m in raw
        .meetings
        .iter()
        .filter(|m| m.held && in_period(m.meeting_date))
    {
        let Some((k, _)) = a.group(m.cell_id, m.meeting_date) else {
            continue;
        };
        let mut count = |what, yes: bool| add(&mut t, &k, what, yes as u64);
        let regular = m.kind == "regular";
        count("held", true);
        count("regular", regular);
        count("attendance_ok", regular && m.attendance_ok);
        count("full_procedure", m.full_procedure);
        count("ended", m.has_end_time);
        count("long_enough", m.has_end_time && m.duration_ok);
        count("documents_on_time", m.documents_on_time);
        count("superior", m.superior_attended);
        for (level, what) in [
            ("tot", "level_tot"),
            ("kha", "level_kha"),
            ("trung_binh", "level_trung_binh"),
            ("kem", "level_kem"),
        ] {
            count(what, m.level.as_deref() == Some(level));
        }
        if regular {
            add(&mut t, &k, "present", m.present as u64);
            add(&mut t, &k, "sheet", m.sheet_members as u64);
            add(&mut t, &k, "tasked", m.tasked as u64);
        }
        // A task is due its follow-up once the cell met again by the period's end.
        if m.next_regular_on.is_some_and(|d| d <= to) {
            add(&mut t, &k, "tasks_due_review", m.tasks_given as u64);
            add(&mut t, &k, "tasks_reviewed", m.tasks_reviewed as u64);
        }
    }

    // Dated rows, each under its unit on its day.
    for c in raw.courses.iter().filter(|c| in_period(c.ends_on)) {
        if let Some((k, _)) = a.group(c.unit_id, c.ends_on) {
            add(&mut t, &k, "courses", 1);
            let places = raw.places.iter().filter(|p| p.course_id == c.id).count();
            add(&mut t, &k, "trainee_times", places as u64);
        }
    }
    for c in &raw.candidates {
        if let Some(day) = c.decided_on.filter(|d| in_period(*d))
            && let Some((k, _)) = a.group(c.unit_id, day)
        {
            add(&mut t, &k, "admitted", 1);
        }
    }
    // A badge counts under the member's home cell on the day it was awarded.
    for b in raw.badges.iter().filter(|b| in_period(b.awarded_on)) {
        for r in raw.rolls.iter().filter(|r| {
            r.member_id == b.member_id
                && r.kind == "home"
                && valid(r.valid_from, r.valid_to, b.awarded_on)
        }) {
            if let Some((k, _)) = a.group(r.unit_id, b.awarded_on) {
                add(&mut t, &k, "badges", 1);
            }
        }
    }

    // Yearly rows, each under its unit at its year's end (or the period's).
    for y in from.year()..=to.year() {
        let end = NaiveDate::from_ymd_opt(y, 12, 31).unwrap();
        let day = end.min(to);
        for x in raw.topics.iter().filter(|x| x.year == y) {
            if let Some((k, _)) = a.group(x.unit_id, day) {
                add(&mut t, &k, "topics", 1);
            }
        }
        let mut cadres: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        for x in raw.cadre_tasks.iter().filter(|x| x.year == y) {
            if let Some((k, _)) = a.group(x.unit_id, day) {
                add(&mut t, &k, "cadre_tasks", 1);
                add(&mut t, &k, "cadre_tasks_done", (x.status == "done") as u64);
                cadres.entry(k).or_default().insert(x.member_id);
            }
        }
        for (k, c) in &cadres {
            add(&mut t, k, "cadres", c.len() as u64);
        }
        // Classification: the years that end inside the period.
        if end < from || end > to {
            continue;
        }
        let good = |level: &str| level == "excellent" || level == "good";
        for r in raw.unit_reviews.iter().filter(|r| r.year == y) {
            if let Some((k, v)) = a.group(r.unit_id, end)
                && is_cell(&v.kind)
            {
                add(&mut t, &k, "cells_rated", 1);
                add(&mut t, &k, "cells_good", good(&r.level) as u64);
            }
        }
        for r in raw.member_reviews.iter().filter(|r| r.year == y) {
            if let Some((k, _)) = a.group(r.cell_id, end) {
                add(&mut t, &k, "members_rated", 1);
                add(&mut t, &k, "members_good", good(&r.level) as u64);
            }
        }
    }

    t.into_iter().map(|(k, c)| (k, figures(&c))).collect()
}

/// The indicators of one group's counts.
fn figures(c: &BTreeMap<&'static str, u64>) -> Vec<(Indicator, Figure)> {
    use Indicator::*;
    let n = |what: &str| c.get(what).copied().unwrap_or(0);
    let count = |what: &str| Figure::count(n(what));
    let share = |num: &str, den: &str| Figure::share(n(num), n(den));
    Indicator::ALL
        .iter()
        .map(|i| {
            let f = match i {
                Members => count("members"),
                GrassrootsOrgs => count("grassroots"),
                Cells => count("cells"),
                CellsWithGroups => count("cells_with_groups"),
                CellMonthsMet => share("cell_months_met", "cell_months"),
                CellsMeetingMonthly => share("cells_every_month", "cells_expected"),
                CellsThematicQuarterly => share("cells_every_quarter", "cells_with_quarter"),
                AttendanceRate => share("present", "sheet"),
                MeetingsAttendanceOk => share("attendance_ok", "regular"),
                MeetingsFullProcedure => share("full_procedure", "held"),
                MeetingsMinDuration => share("long_enough", "ended"),
                DocumentsOnTime => share("documents_on_time", "held"),
                MembersTasked => share("tasked", "sheet"),
                TasksFollowedUp => share("tasks_reviewed", "tasks_due_review"),
                LevelExcellent => count("level_tot"),
                LevelGood => count("level_kha"),
                LevelAverage => count("level_trung_binh"),
                LevelWeak => count("level_kem"),
                SuperiorAttended => share("superior", "held"),
                ThematicTopics => count("topics"),
                CellsInspected => share("cells_inspected", "cells"),
                OfficersTrained => share("officers_trained", "officers"),
                Courses => count("courses"),
                TraineeTimes => count("trainee_times"),
                MembersAdmitted => count("admitted"),
                BadgesAwarded => count("badges"),
                CellsGoodOrBetter => share("cells_good", "cells_rated"),
                MembersGoodOrBetter => share("members_good", "members_rated"),
                CadresTasked => count("cadres"),
                CadreTasksGiven => count("cadre_tasks"),
                CadreTasksDone => count("cadre_tasks_done"),
            };
            (*i, f)
        })
        .collect()
}

/// The figures of a group with nothing counted.
pub fn nothing() -> Vec<(Indicator, Figure)> {
    figures(&BTreeMap::new())
}
