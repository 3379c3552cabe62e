//! Months of meetings for every cell: a regular meeting each month (some months skipped, more in
//! rural cells), a thematic one each quarter in most cells, announced a week ahead; past ones
//! held with their attendance sheet, record, vote and tasks, as `meetings::schedule`, `publish`,
//! `write_attendance` and the record use cases leave them, and with the figures
//! `meetings::figures` keeps about each (`crates/seed/tests/generate.rs` computes them again
//! and compares). Meetings of the coming week (this month's or the next's) are published.

use chibo_app::App;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::meeting_checks::similarity_permille;
use chibo_domain::org::CellType;
use std::collections::HashMap;

use chibo_domain::rules::{Presence, RuleSet, Standing};
use chibo_store::entities::{
    meeting, meeting_attendance, meeting_record, meeting_stat, meeting_task, rule_set,
};
use chrono::{Datelike, Months, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::bulk::Batch;
use super::org::Unit;
use super::people::People;
use super::{Ctx, GenerateError, Progress};
use crate::demo::names::{EXCUSES, RESOLUTIONS, TASKS, THEMES};

/// Tables this module fills with explicit ids.
pub const TABLES: &[&str] = &["meetings"];

/// Attendance in percent, day of the month, start time and place, by cell type.
fn habits(t: CellType) -> (u64, u32, &'static str, &'static str) {
    match t {
        CellType::Rural => (80, 15, "19:30", "Nhà văn hóa thôn"),
        CellType::Urban => (90, 20, "19:30", "Nhà văn hóa tổ dân phố"),
        CellType::Enterprise => (86, 10, "16:00", "Hội trường công ty"),
        CellType::Army | CellType::Police => (97, 5, "14:00", "Hội trường đơn vị"),
        _ => (95, 5, "14:00", "Phòng họp cơ quan"),
    }
}

/// The national rule sets by the day they take effect, newest last, and each one's rules.
async fn national_rule_sets(
    app: &App,
) -> Result<(Vec<(NaiveDate, i64)>, HashMap<i64, RuleSet>), GenerateError> {
    let rows = rule_set::Entity::find()
        .filter(rule_set::Column::UnitId.is_null())
        .all(&app.db)
        .await?;
    let mut sets: Vec<(NaiveDate, i64)> = rows.iter().map(|r| (r.effective_from, r.id)).collect();
    sets.sort();
    let rules = rows
        .iter()
        .map(|r| {
            serde_json::from_str(&r.body)
                .map(|rules| (r.id, rules))
                .map_err(|e| GenerateError::App(chibo_app::AppError::Internal(e.to_string())))
        })
        .collect::<Result<_, _>>()?;
    Ok((sets, rules))
}

/// What `meetings::figures` computes for a held meeting, known here as it is written: the sheet
/// (exempt members count when they come, as `rules::attendance` counts them), the record, the
/// tasks. No steps, guests or judged scores are written, so no meeting has a full procedure, a
/// superior guest or a level.
struct Held {
    id: i64,
    date: NaiveDate,
    kind: &'static str,
    rules: i64,
    counted: Vec<(Standing, Presence)>,
    tasked: usize,
    /// Whether each task given was done.
    tasks: Vec<bool>,
    /// Minutes and the day documents were posted, when a record was written.
    record: Option<(u32, NaiveDate)>,
    /// The resolution the record holds (the generator writes no speeches).
    text: Option<String>,
}

/// The `meeting_stats` rows of one cell's meetings; `planned` are those not held yet.
fn figures_of(
    cell: i64,
    held: &[Held],
    planned: &[(i64, NaiveDate, &'static str)],
    rules: &HashMap<i64, RuleSet>,
    now: chrono::DateTime<Utc>,
) -> Vec<meeting_stat::ActiveModel> {
    let row = |id: i64, date: NaiveDate, kind: &str| meeting_stat::ActiveModel {
        meeting_id: Set(id),
        cell_id: Set(cell),
        meeting_date: Set(date),
        kind: Set(kind.into()),
        combined: Set(false),
        held: Set(false),
        stale: Set(false),
        sheet_members: Set(0),
        present: Set(0),
        tasked: Set(0),
        attendance_ok: Set(false),
        full_procedure: Set(false),
        has_end_time: Set(false),
        duration_ok: Set(false),
        documents_on_time: Set(false),
        superior_attended: Set(false),
        level: Set(None),
        tasks_given: Set(0),
        tasks_reviewed: Set(0),
        next_regular_on: Set(None),
        minutes_similarity: Set(None),
        party_time: Set(None),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut out: Vec<meeting_stat::ActiveModel> = planned
        .iter()
        .map(|(id, date, kind)| row(*id, *date, kind))
        .collect();
    for h in held {
        let r = &rules[&h.rules];
        let a = chibo_domain::rules::attendance(&h.counted);
        let next = held
            .iter()
            .filter(|x| x.kind == "regular" && x.date > h.date)
            .map(|x| x.date)
            .min();
        let mut f = row(h.id, h.date, h.kind);
        f.held = Set(true);
        f.sheet_members = Set(a.expected as i32);
        f.present = Set(a.present as i32);
        f.tasked = Set(h.tasked as i32);
        f.attendance_ok = Set(a.expected > 0 && a.met(r.attendance_threshold));
        if let Some((minutes, posted)) = h.record {
            f.has_end_time = Set(true);
            f.duration_ok = Set(chibo_domain::rules::duration_met(r, minutes, false));
            f.documents_on_time = Set(chibo_domain::rules::documents_in_time(r, posted, h.date));
        }
        f.tasks_given = Set(h.tasks.len() as i32);
        // Reviewed: done, as the next meeting's page judges it.
        f.tasks_reviewed = Set(match next {
            Some(_) => h.tasks.iter().filter(|done| **done).count() as i32,
            None => 0,
        });
        f.next_regular_on = Set(next);
        // Against the previous regular meeting held, as `meetings::figures` compares them.
        let previous = held
            .iter()
            .filter(|x| x.kind == "regular" && x.date < h.date)
            .max_by_key(|x| (x.date, x.id));
        if let (true, Some(p)) = (h.kind == "regular", previous) {
            f.minutes_similarity = Set(similarity_permille(
                h.text.as_deref().unwrap_or(""),
                p.text.as_deref().unwrap_or(""),
            )
            .map(|s| s as i32));
        }
        out.push(f);
    }
    out
}

fn in_force(sets: &[(NaiveDate, i64)], on: NaiveDate) -> i64 {
    sets.iter()
        .rev()
        .find(|(from, _)| *from <= on)
        .or(sets.first())
        .map_or(1, |(_, id)| *id)
}

fn presence_of(code: &str) -> Presence {
    match code {
        "present" => Presence::Present,
        "absent_excused" => Presence::AbsentExcused,
        _ => Presence::AbsentUnexcused,
    }
}

fn start_plus(start: &str, minutes: i64) -> String {
    let t = chrono::NaiveTime::parse_from_str(start, "%H:%M").unwrap_or_default()
        + chrono::Duration::minutes(minutes);
    t.format("%H:%M").to_string()
}

/// Writes `months` months of meetings for every cell; returns (meetings, attendance rows).
pub async fn write_meetings(
    app: &App,
    ctx: &mut Ctx,
    units: &[Unit],
    people: &People,
    months: u32,
    progress: &dyn Progress,
) -> Result<(usize, usize), GenerateError> {
    let today = App::today();
    let now = Utc::now();
    let first = today.with_day(1).expect("first of month");
    let announced_until = today + chrono::Duration::days(7);
    let (sets, rules) = national_rule_sets(app).await?;
    let cells: Vec<&Unit> = units.iter().filter(|u| u.kind.is_cell()).collect();
    progress.phase("Buổi sinh hoạt", cells.len() as u64);
    let mut next_id = 0i64;
    let mut attendance_rows = 0usize;
    let tx = super::bulk::load_tx(&app.db).await?;
    let mut meetings: Batch<meeting::ActiveModel> = Batch::new();
    let mut sheet: Batch<meeting_attendance::ActiveModel> = Batch::new();
    let mut records: Batch<meeting_record::ActiveModel> = Batch::new();
    let mut tasks: Batch<meeting_task::ActiveModel> = Batch::new();
    let mut stats: Batch<meeting_stat::ActiveModel> = Batch::new();
    for (n, cell) in cells.iter().enumerate() {
        let mut held_here: Vec<Held> = Vec::new();
        let mut planned_here: Vec<(i64, NaiveDate, &'static str)> = Vec::new();
        // The cell's resolutions numbered in each year, in the order they are held.
        let mut resolutions: std::collections::BTreeMap<i32, i32> = Default::default();
        let t = cell.cell_type.unwrap_or(CellType::Rural);
        let (presence, day, time, place) = habits(t);
        let roll = &people.members[people.by_cell.get(&cell.id).cloned().unwrap_or(0..0)];
        // Some cells miss months (rural ones more); a few copy their resolution every month.
        let skip_percent = match t {
            CellType::Rural => 8,
            CellType::Urban => 4,
            _ => 2,
        } + if cell.id % 97 == 0 { 30 } else { 0 };
        let copies = cell.id % 31 == 0;
        let thematic = cell.id % 4 != 0;
        // The past months, and the next one: its meetings within a week are already announced.
        let ahead = first.checked_add_months(Months::new(1));
        let past = (0..months)
            .rev()
            .filter_map(|back| first.checked_sub_months(Months::new(back)));
        for month in past.chain(ahead) {
            let mut plan = vec![("regular", month.with_day(day).expect("day"))];
            if thematic && month.month() % 3 == 0 {
                plan.push(("thematic", month.with_day(25).expect("day 25")));
            }
            for (kind, date) in plan {
                if date < cell.established_on
                    || date > announced_until
                    || ctx.rng.chance(skip_percent) && date < today
                {
                    continue;
                }
                next_id += 1;
                let held = date < today;
                let resolution = held.then(|| {
                    let n = resolutions.entry(date.year()).or_default();
                    *n += 1;
                    (date.year(), *n)
                });
                let topic = if kind == "thematic" {
                    THEMES[(month.month() as usize / 3 + cell.id as usize) % THEMES.len()]
                        .to_string()
                } else {
                    format!(
                        "Kiểm điểm việc thực hiện nghị quyết tháng {}/{}, phương hướng nhiệm vụ tháng tới",
                        month.month(),
                        month.year()
                    )
                };
                // Announced a week ahead (never later than now, as `publish` stamps it).
                let announced = (date - chrono::Duration::days(7))
                    .and_hms_opt(1, 0, 0)
                    .expect("time")
                    .and_utc()
                    .min(now);
                meetings.push(meeting::ActiveModel {
                    id: Set(next_id),
                    unit_id: Set(cell.id),
                    kind: Set(kind.into()),
                    combined: Set(false),
                    topic: Set(topic),
                    meeting_date: Set(date),
                    start_time: Set(time.into()),
                    place: Set(place.into()),
                    rule_set_id: Set(in_force(&sets, date)),
                    status: Set(if held {
                        MeetingStatus::Held
                    } else {
                        MeetingStatus::Published
                    }
                    .code()
                    .into()),
                    published_at: Set(Some(announced)),
                    created_by: Set(None),
                    created_at: Set(announced),
                    agenda: Set(None),
                    checkin_code: Set(None),
                    cancelled_reason: Set(None),
                    postponed_from: Set(None),
                    postponed_reason: Set(None),
                    resolution_year: Set(resolution.map(|r| r.0)),
                    resolution_number: Set(resolution.map(|r| r.1)),
                });
                if !held {
                    planned_here.push((next_id, date, kind));
                    continue;
                }
                let mut fig = Held {
                    id: next_id,
                    date,
                    kind,
                    rules: in_force(&sets, date),
                    counted: Vec::new(),
                    tasked: 0,
                    tasks: Vec::new(),
                    record: None,
                    text: None,
                };
                // The sheet: members on the roll that day; exempt members stand apart (some
                // come anyway); members working away are absent with their reason.
                let mut present = Vec::new();
                let mut working = Vec::new();
                for p in roll.iter().filter(|p| p.on_roll_from <= date) {
                    let since = p.status_from.is_some_and(|s| s <= date);
                    let mut standing = Standing::Working;
                    let (presence_code, reason) = match p.status {
                        "exempt" if since => {
                            if !ctx.rng.chance(15) {
                                continue;
                            }
                            standing = Standing::Exempt;
                            ("present", None)
                        }
                        "working_away" if since => {
                            ("absent_excused", Some("Đi làm ăn xa".to_string()))
                        }
                        _ => {
                            working.push(p.id);
                            let r = ctx.rng.below(100);
                            if r < presence {
                                ("present", None)
                            } else if r < presence + (100 - presence) * 3 / 4 {
                                ("absent_excused", Some(ctx.rng.pick(EXCUSES).to_string()))
                            } else {
                                ("absent_unexcused", None)
                            }
                        }
                    };
                    if presence_code == "present" {
                        present.push(p.id);
                    }
                    fig.counted.push((standing, presence_of(presence_code)));
                    attendance_rows += 1;
                    sheet.push(meeting_attendance::ActiveModel {
                        meeting_id: Set(next_id),
                        member_id: Set(p.id),
                        presence: Set(presence_code.into()),
                        reason: Set(reason),
                        recorded_at: Set(now),
                        checked_in_at: Set(None),
                        ..Default::default()
                    });
                }
                // The record, chaired and minuted by two members present (a meeting with
                // fewer than two present has no record).
                let [chair, minute_taker, ..] = present[..] else {
                    held_here.push(fig);
                    continue;
                };
                let resolution = if copies {
                    RESOLUTIONS[0].to_string()
                } else {
                    format!(
                        "{} (tháng {}/{})",
                        RESOLUTIONS[(next_id as usize) % RESOLUTIONS.len()],
                        month.month(),
                        month.year()
                    )
                };
                let minutes = 75 + ctx.rng.below(90) as i64;
                let posted = date - chrono::Duration::days(1 + ctx.rng.below(7) as i64);
                fig.record = Some((minutes as u32, posted));
                fig.text = Some(resolution.clone());
                records.push(meeting_record::ActiveModel {
                    meeting_id: Set(next_id),
                    end_time: Set(Some(start_plus(time, minutes))),
                    chair_member_id: Set(Some(chair)),
                    secretary_member_id: Set(Some(minute_taker)),
                    documents_posted_on: Set(Some(posted)),
                    draft_resolution: Set(None),
                    resolution_text: Set(Some(resolution)),
                    votes_for: Set(Some(present.len() as i32)),
                    votes_against: Set(Some(0)),
                    votes_abstain: Set(Some(0)),
                    updated_at: Set(now),
                    ..Default::default()
                });
                if kind == "regular" {
                    let mut given = std::collections::HashSet::new();
                    for _ in 0..2.min(working.len()) {
                        let who = working[ctx.rng.below(working.len() as u64) as usize];
                        given.insert(who);
                        let due = date + chrono::Duration::days(30);
                        fig.tasks.push(due < today);
                        tasks.push(meeting_task::ActiveModel {
                            meeting_id: Set(next_id),
                            member_id: Set(who),
                            what: Set(ctx.rng.pick(TASKS).to_string()),
                            due_on: Set(due),
                            status: Set(if due < today { "done" } else { "open" }.into()),
                            progress: Set(None),
                            // Done by its due day, reviewed at the next meeting.
                            updated_at: Set(if due < today {
                                due.and_hms_opt(12, 0, 0).expect("noon").and_utc()
                            } else {
                                now
                            }),
                            ..Default::default()
                        });
                    }
                    fig.tasked = given.len();
                }
                held_here.push(fig);
            }
        }
        for f in figures_of(cell.id, &held_here, &planned_here, &rules, now) {
            stats.push(f);
        }
        if n % 100 == 0 {
            progress.advance(n as u64);
        }
        // Meetings before the rows that name them, some tens of thousands of rows at a time.
        if sheet.len() >= 100_000 {
            meetings.flush(&tx).await?;
            sheet.flush(&tx).await?;
            records.flush(&tx).await?;
            tasks.flush(&tx).await?;
            stats.flush(&tx).await?;
        }
    }
    meetings.flush(&tx).await?;
    sheet.flush(&tx).await?;
    records.flush(&tx).await?;
    tasks.flush(&tx).await?;
    stats.flush(&tx).await?;
    tx.commit().await?;
    progress.advance(cells.len() as u64);
    Ok((next_id as usize, attendance_rows))
}
