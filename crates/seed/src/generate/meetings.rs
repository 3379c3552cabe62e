//! Months of meetings for every cell: a regular meeting each month (some months skipped, more in
//! rural cells), a thematic one each quarter in most cells, announced a week ahead; past ones
//! held with their attendance sheet, record, vote and tasks, as `meetings::schedule`, `publish`,
//! `write_attendance` and the record use cases leave them. Meetings of the coming week (this
//! month's or the next's) are published.

use chibo_app::App;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::org::CellType;
use chibo_store::entities::{meeting, meeting_attendance, meeting_record, meeting_task, rule_set};
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

/// The national rule sets by the day they take effect, newest last.
async fn national_rule_sets(app: &App) -> Result<Vec<(NaiveDate, i64)>, GenerateError> {
    let mut sets: Vec<(NaiveDate, i64)> = rule_set::Entity::find()
        .filter(rule_set::Column::UnitId.is_null())
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| (r.effective_from, r.id))
        .collect();
    sets.sort();
    Ok(sets)
}

fn in_force(sets: &[(NaiveDate, i64)], on: NaiveDate) -> i64 {
    sets.iter()
        .rev()
        .find(|(from, _)| *from <= on)
        .or(sets.first())
        .map_or(1, |(_, id)| *id)
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
    let sets = national_rule_sets(app).await?;
    let cells: Vec<&Unit> = units.iter().filter(|u| u.kind.is_cell()).collect();
    progress.phase("Buổi sinh hoạt", cells.len() as u64);
    let mut next_id = 0i64;
    let mut attendance_rows = 0usize;
    let tx = chibo_store::write_tx(&app.db).await?;
    let mut meetings: Batch<meeting::ActiveModel> = Batch::new();
    let mut sheet: Batch<meeting_attendance::ActiveModel> = Batch::new();
    let mut records: Batch<meeting_record::ActiveModel> = Batch::new();
    let mut tasks: Batch<meeting_task::ActiveModel> = Batch::new();
    for (n, cell) in cells.iter().enumerate() {
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
                });
                if !held {
                    continue;
                }
                // The sheet: members on the roll that day; exempt members stand apart (some
                // come anyway); members working away are absent with their reason.
                let mut present = Vec::new();
                let mut working = Vec::new();
                for p in roll.iter().filter(|p| p.on_roll_from <= date) {
                    let since = p.status_from.is_some_and(|s| s <= date);
                    let (presence_code, reason) = match p.status {
                        "exempt" if since => {
                            if !ctx.rng.chance(15) {
                                continue;
                            }
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
                records.push(meeting_record::ActiveModel {
                    meeting_id: Set(next_id),
                    end_time: Set(Some(start_plus(time, minutes))),
                    chair_member_id: Set(Some(chair)),
                    secretary_member_id: Set(Some(minute_taker)),
                    documents_posted_on: Set(Some(
                        date - chrono::Duration::days(1 + ctx.rng.below(7) as i64),
                    )),
                    draft_resolution: Set(None),
                    resolution_text: Set(Some(resolution)),
                    votes_for: Set(Some(present.len() as i32)),
                    votes_against: Set(Some(0)),
                    votes_abstain: Set(Some(0)),
                    updated_at: Set(now),
                    ..Default::default()
                });
                if kind == "regular" {
                    for _ in 0..2.min(working.len()) {
                        let who = working[ctx.rng.below(working.len() as u64) as usize];
                        let due = date + chrono::Duration::days(30);
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
                }
            }
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
        }
    }
    meetings.flush(&tx).await?;
    sheet.flush(&tx).await?;
    records.flush(&tx).await?;
    tasks.flush(&tx).await?;
    tx.commit().await?;
    progress.advance(cells.len() as u64);
    Ok((next_id as usize, attendance_rows))
}
