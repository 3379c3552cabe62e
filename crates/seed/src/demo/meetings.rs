//! A year of demo meetings: notices, attendance, minutes, votes, tasks and scores, topics and
//! followers.

use chibo_app::access::auth;
use chibo_app::meetings::attendance;
use chibo_app::meetings::detail;
use chibo_app::meetings::schedule;
use chibo_app::{App, AppResult};
use chibo_domain::org::UnitKind;
use chibo_store::entities::unit;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::Datelike;

use crate::demo::names::{EXCUSES, FOLLOWER_TITLE, RESOLUTIONS, Rng, TASKS, THEMES};
use crate::demo::programmes::{seed_programmes, seed_schemes};
use crate::demo::workflows::{seed_candidates, seed_exemptions, seed_reviews};

/// Twelve months of meetings for every live cell, with the variety the reviews describe: rural
/// cells with unstable attendance (members working away), a cell that skips months, thematic
/// meetings each quarter; and next month's meetings already announced. Does nothing when there
/// are meetings. Kept apart from [`seed`] so tests that need only the organisation stay fast.
pub async fn seed_meetings(app: &App) -> AppResult<usize> {
    use chibo_store::entities::meeting;
    use chrono::Months;

    use attendance::AttendanceEntry;
    use schedule::NewMeeting;

    if meeting::Entity::find().count(&app.db).await? > 0 {
        return Ok(0);
    }
    let admin = auth::actor_by_username(app, "admin")
        .await?
        .ok_or(chibo_app::AppError::NotFound)?;
    let mut cells: Vec<unit::Model> = unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|u| {
            u.dissolved_on.is_none() && UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell())
        })
        .collect();
    cells.sort_by_key(|u| u.id);
    assign_followers(app, &mut cells).await?;
    // Admitted members join the roll before the year of meetings is written.
    seed_candidates(app, &admin).await?;
    let today = App::today();
    let first = today.with_day(1).expect("first of month");
    let mut rng = Rng(0x0d0c_2026_5eed_c41b);
    let mut made = 0;
    for cell in &cells {
        let kind = cell.cell_type.as_deref().unwrap_or("rural");
        // Attendance probability in percent, the cell's day of the month and its hour.
        let (presence, day, time, place) = match kind {
            "rural" => (80, 15, "19:30", "Nhà văn hóa thôn"),
            "urban" => (92, 20, "19:30", "Nhà văn hóa tổ dân phố"),
            "enterprise" => (88, 10, "16:00", "Hội trường công ty"),
            _ => (96, 5, "14:00", "Phòng họp cơ quan"),
        };
        seed_topics(app, cell, today.year(), &mut rng).await?;
        let skips: &[u32] = if cell.name.contains("Bản Nà") {
            &[3, 7]
        } else if kind == "enterprise" {
            &[5]
        } else {
            &[]
        };
        // From twelve months back to next month.
        for offset in -12i32..=1 {
            let month = if offset < 0 {
                first.checked_sub_months(Months::new(offset.unsigned_abs()))
            } else {
                first.checked_add_months(Months::new(offset as u32))
            };
            let Some(month) = month else { continue };
            let Some(date) = month.with_day(day) else {
                continue;
            };
            if offset < 0 && skips.contains(&offset.unsigned_abs()) || date < cell.established_on {
                continue;
            }
            let regular = NewMeeting {
                kind: "regular".into(),
                combined: false,
                topic: format!(
                    "Kiểm điểm việc thực hiện nghị quyết tháng {}/{}, phương hướng nhiệm vụ tháng tới",
                    month.month(),
                    month.year()
                ),
                meeting_date: Some(date.to_string()),
                start_time: Some(time.into()),
                place: place.into(),
                agenda: None,
                // The demo records a year of meetings already held.
                confirm: true,
            };
            let mut plan = vec![(date, regular)];
            if month.month() % 3 == 0 && matches!(kind, "rural" | "urban" | "school") {
                let thematic_date = month.with_day(25).expect("day 25");
                let theme = THEMES[(month.month() as usize / 3 + cell.id as usize) % THEMES.len()];
                plan.push((
                    thematic_date,
                    NewMeeting {
                        kind: "thematic".into(),
                        topic: theme.to_string(),
                        meeting_date: Some(thematic_date.to_string()),
                        ..plan[0].1.clone()
                    },
                ));
            }
            for (date, input) in plan {
                let m = schedule::schedule(app, &admin, cell.id, input).await?;
                made += 1;
                if date > today {
                    // Announced ahead: members see them on their home page.
                    schedule::publish(app, &admin, m.id).await?;
                    continue;
                }
                let sheet = detail::get(app, &admin, m.id).await?;
                let mut entries = Vec::new();
                // In Bản Nà one member stayed away without a word for three months running:
                // the removal trigger.
                let truant = (cell.name.contains("Bản Nà") && (-6..=-4).contains(&offset))
                    .then(|| sheet.sheet.iter().find(|r| r.standing == "working"))
                    .flatten()
                    .map(|r| r.member_id);
                for r in &sheet.sheet {
                    let roll = rng.below(100);
                    let (presence, reason) = if truant == Some(r.member_id) {
                        ("absent_unexcused", None)
                    } else if roll < presence {
                        ("present", None)
                    } else if roll < presence + (100 - presence) * 3 / 4 {
                        ("absent_excused", Some(rng.pick(EXCUSES).to_string()))
                    } else {
                        ("absent_unexcused", None)
                    };
                    entries.push(AttendanceEntry {
                        member_id: r.member_id,
                        presence: presence.into(),
                        reason,
                    });
                }
                for r in sheet.apart.iter().filter(|r| r.standing == "exempt") {
                    if rng.chance(20) {
                        entries.push(AttendanceEntry {
                            member_id: r.member_id,
                            presence: "present".into(),
                            reason: None,
                        });
                    }
                }
                // Announced a week ahead, as the notice rules ask.
                let model = meeting::Entity::find_by_id(m.id)
                    .one(&app.db)
                    .await?
                    .ok_or(chibo_app::AppError::NotFound)?;
                let announced = (date - chrono::Duration::days(7))
                    .and_hms_opt(8, 0, 0)
                    .expect("valid time")
                    .and_utc();
                let mut am = model.into_active_model();
                am.published_at = Set(Some(announced));
                let model = am.update(&app.db).await?;
                let tx = write_tx(&app.db).await?;
                attendance::write_attendance(&tx, &model, &entries).await?;
                let working: Vec<i64> = sheet
                    .sheet
                    .iter()
                    .filter(|r| r.standing == "working")
                    .map(|r| r.member_id)
                    .collect();
                record_demo_meeting(&tx, &model, cell, &entries, &working, &mut rng).await?;
                tx.commit().await?;
            }
        }
    }
    seed_exemptions(app, &admin).await?;
    seed_programmes(app).await?;
    seed_schemes(app).await?;
    seed_reviews(app, &admin).await?;
    crate::demo::dues::seed_dues(app, &admin).await?;
    // Most of a demo meeting is written row by row above: the figures are computed at the end.
    chibo_app::meetings::figures::reindex(app, &|_, _| {}).await?;
    Ok(made)
}

/// Each cell is followed by a member of its superior organisation from another cell (the
/// first in name order), as the superior committee assigns its members.
async fn assign_followers(app: &App, cells: &mut [unit::Model]) -> AppResult<()> {
    use chibo_store::entities::member;
    use chibo_store::sea_orm::QueryOrder;
    let all: Vec<unit::Model> = unit::Entity::find().all(&app.db).await?;
    for cell in cells.iter_mut() {
        let Some(parent) = all.iter().find(|u| Some(u.id) == cell.parent_id) else {
            continue;
        };
        let pick = member::Entity::find()
            .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&parent.path)))
            .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
            .order_by_asc(member::Column::SortKey)
            .all(&app.db)
            .await?
            .into_iter()
            .find(|m| !m.unit_path.starts_with(&cell.path));
        if let Some(f) = pick {
            let mut am = cell.clone().into_active_model();
            am.follower_member_id = Set(Some(f.id));
            *cell = am.update(&app.db).await?;
        }
    }
    Ok(())
}

/// The outline and draft resolution sent to members before a demo meeting (a text file).
async fn attach_demo_document(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    meeting_id: i64,
    draft: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    use sha2::Digest;
    let body = format!(
        "ĐỀ CƯƠNG SINH HOẠT CHI BỘ\n\n1. Thông tin thời sự, quán triệt văn bản cấp trên.\n\
         2. Kiểm điểm việc thực hiện nghị quyết tháng trước.\n3. Phương hướng nhiệm vụ tháng tới.\n\n\
         DỰ THẢO NGHỊ QUYẾT\n{draft}\n"
    )
    .into_bytes();
    chibo_store::entities::meeting_document::ActiveModel {
        meeting_id: Set(meeting_id),
        file_name: Set("de-cuong-va-du-thao-nghi-quyet.txt".into()),
        content_type: Set("text/plain; charset=utf-8".into()),
        size_bytes: Set(body.len() as i64),
        sha256: Set(hex::encode(sha2::Sha256::digest(&body))),
        data: Set(Some(body)),
        stored_path: Set(None),
        uploaded_by: Set(None),
        uploaded_at: Set(at),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// The record of a demo meeting: complete in agency cells; short meetings, late documents and
/// no tasks in Bản Nà; the same resolution month after month in Tân Lập (vague minutes).
async fn record_demo_meeting(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    m: &chibo_store::entities::meeting::Model,
    cell: &unit::Model,
    entries: &[attendance::AttendanceEntry],
    working: &[i64],
    rng: &mut Rng,
) -> AppResult<()> {
    use chibo_store::entities::{meeting_record, meeting_score, meeting_task};
    let present: Vec<i64> = entries
        .iter()
        .filter(|e| e.presence == "present")
        .map(|e| e.member_id)
        .collect();
    if present.len() < 2 {
        return Ok(());
    }
    // The secretary or the deputy chairs when present (domain.md §4); otherwise the first
    // member present does, and the record says why.
    let officers: Vec<i64> = chibo_store::entities::position::Entity::find()
        .filter(chibo_store::entities::position::Column::UnitId.eq(cell.id))
        .filter(
            chibo_store::entities::position::Column::Kind.is_in(["secretary", "deputy_secretary"]),
        )
        .filter(chibo_store::entities::position::Column::TermFrom.lte(m.meeting_date))
        .order_by_asc(chibo_store::entities::position::Column::Kind)
        .all(tx)
        .await?
        .into_iter()
        .filter(|p| p.term_to.is_none_or(|t| t > m.meeting_date))
        .map(|p| p.member_id)
        .collect();
    let chair = officers
        .iter()
        .copied()
        .find(|o| present.contains(o))
        .unwrap_or(present[0]);
    let chair_reason = (!officers.contains(&chair))
        .then(|| "Bí thư, phó bí thư vắng mặt; chi bộ cử đồng chí đảng viên chủ trì.".to_string());
    let taker = *present.iter().find(|p| **p != chair).expect("two present");
    let others: Vec<i64> = present
        .iter()
        .copied()
        .filter(|p| *p != chair && *p != taker)
        .collect();
    let weak = cell.name.contains("Bản Nà");
    let copied = cell.name.contains("Tân Lập");
    let now = chrono::Utc::now();
    let end = if weak && rng.chance(50) {
        "20:50"
    } else if m.start_time == "14:00" {
        "16:00"
    } else {
        "21:30"
    };
    let end = if m.start_time == "16:00" {
        "18:00"
    } else {
        end
    };
    let resolution = if copied {
        RESOLUTIONS[0].to_string()
    } else {
        RESOLUTIONS[(m.meeting_date.month() as usize + cell.id as usize) % RESOLUTIONS.len()]
            .to_string()
    };
    let against = u32::from(rng.chance(20));
    let votes_for = present.len() as u32 - against;
    meeting_record::ActiveModel {
        meeting_id: Set(m.id),
        end_time: Set(Some(end.to_string())),
        chair_member_id: Set(Some(chair)),
        chair_reason: Set(chair_reason),
        secretary_member_id: Set(Some(taker)),
        documents_posted_on: Set(None),
        draft_resolution: Set((!weak).then(|| resolution.clone())),
        resolution_text: Set(Some(resolution.clone())),
        votes_for: Set(Some(votes_for as i32)),
        votes_against: Set(Some(against as i32)),
        votes_abstain: Set(Some(0)),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    // The committee met five days before (not always in the weak cell); documents reached
    // members two days ahead, on the day itself in the weak cell.
    if !weak || rng.chance(40) {
        chibo_store::entities::meeting_preparation::ActiveModel {
            meeting_id: Set(m.id),
            held_on: Set(m.meeting_date - chrono::Duration::days(5)),
            attendee_ids: Set(serde_json::to_string(&present[..2]).expect("ids")),
            content: Set(
                "Thống nhất nội dung, dự thảo nghị quyết; phân công đồng chí bí thư chủ trì, \
                 chuẩn bị báo cáo kết quả tháng trước."
                    .into(),
            ),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    let posted = (m.meeting_date - chrono::Duration::days(if weak { 0 } else { 2 }))
        .and_hms_opt(1, 0, 0)
        .expect("valid time")
        .and_utc();
    attach_demo_document(tx, m.id, &resolution, posted).await?;
    // The superior committee member who follows the cell came to about half the meetings.
    if let Some(f) = cell.follower_member_id
        && rng.chance(50)
    {
        let name = chibo_store::entities::member::Entity::find_by_id(f)
            .one(tx)
            .await?
            .map(|x| x.full_name)
            .unwrap_or_default();
        chibo_store::entities::meeting_guest::ActiveModel {
            meeting_id: Set(m.id),
            member_id: Set(Some(f)),
            full_name: Set(name),
            title: Set(FOLLOWER_TITLE.into()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    if !weak {
        // Members working away are left without a task: the gap the reviews name.
        let away: Vec<i64> = entries
            .iter()
            .filter(|e| e.reason.as_deref() == Some("Đi làm ăn xa"))
            .map(|e| e.member_id)
            .collect();
        for (i, member_id) in working
            .iter()
            .copied()
            .filter(|w| !away.contains(w))
            .enumerate()
        {
            // Tân Lập copies its resolution and never reports on what it gave: its tasks stay
            // open, unreviewed at the next meeting.
            let done = m.meeting_date + chrono::Duration::days(25) < App::today() && !copied;
            meeting_task::ActiveModel {
                meeting_id: Set(m.id),
                member_id: Set(member_id),
                what: Set(TASKS[(i + m.id as usize) % TASKS.len()].to_string()),
                due_on: Set(m.meeting_date + chrono::Duration::days(25)),
                status: Set(if done && rng.chance(85) {
                    "done"
                } else {
                    "open"
                }
                .to_string()),
                progress: Set(
                    done.then(|| "Đã thực hiện, báo cáo tại buổi sinh hoạt sau".to_string())
                ),
                // Reported on by its due day, before the next meeting reviews it.
                updated_at: Set(if done {
                    reported_on(m.meeting_date)
                } else {
                    now
                }),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    // Agency cells tick every step with its time; the land office spends its meetings on
    // its professional work, with five minutes of current affairs.
    if cell.cell_type.as_deref() == Some("agency") {
        let party_minutes = if cell.name.contains("Địa chính") {
            5
        } else {
            35
        };
        let minutes = [
            ("opening", 5),
            ("secretary", 2),
            ("attendance", 3),
            ("agenda", 2),
            ("current_affairs", party_minutes),
            ("review", 55 - party_minutes),
            ("next_tasks", 20),
            ("discussion", 15),
            ("conclusion", 5),
            ("vote", 2),
            ("membership", 5),
            ("scoring", 3),
            ("minutes", 2),
            ("closing", 1),
        ];
        let mut at = chrono::NaiveTime::parse_from_str(&m.start_time, "%H:%M")
            .unwrap_or(chrono::NaiveTime::MIN);
        for (step, took) in minutes {
            at += chrono::Duration::minutes(took);
            chibo_store::entities::meeting_step::ActiveModel {
                meeting_id: Set(m.id),
                step: Set(step.into()),
                done_at: Set(at.format("%H:%M").to_string()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    // Who spoke: several members in most cells, nobody recorded in the weak cell; Tân Lập
    // writes the same proceedings every month.
    if !weak {
        const SAID: &[&str] = &[
            "Đề nghị chi bộ phân công đảng viên trực tiếp xuống các hộ còn chậm.",
            "Báo cáo kết quả nhiệm vụ tháng trước, đề xuất tháng tới tập trung vệ sinh môi trường.",
            "Góp ý dự thảo: cần nêu rõ thời hạn và người chịu trách nhiệm.",
            "Đồng ý với dự thảo, đề nghị biểu dương các đảng viên hoàn thành tốt nhiệm vụ.",
            "Phản ánh ý kiến của bà con về tuyến đường liên thôn xuống cấp sau mưa lũ.",
            "Đề nghị tổ chức lớp hướng dẫn sử dụng dịch vụ công trực tuyến cho người cao tuổi.",
            "Nêu tình hình thu nộp đảng phí của tổ đảng, còn hai đồng chí nộp chậm.",
            "Đề xuất giao chi đoàn thanh niên phụ trách dọn vệ sinh kênh mương nội đồng.",
            "Báo cáo kết quả vận động các hộ ký cam kết không sử dụng pháo nổ.",
            "Kiến nghị cấp ủy cấp trên hỗ trợ giống cây trồng cho hộ bị thiệt hại.",
            "Tự phê bình chưa hoàn thành nhiệm vụ tháng trước vì đi công tác, xin khắc phục.",
            "Đề nghị bổ sung vào nghị quyết chỉ tiêu cụ thể về số hộ tham gia bảo hiểm y tế.",
        ];
        let n = if copied { 3 } else { 2 + rng.below(3) as usize };
        for (i, speaker) in others.iter().take(n).enumerate() {
            let said = if copied {
                SAID[i]
            } else {
                SAID[rng.below(SAID.len() as u64) as usize]
            };
            chibo_store::entities::meeting_speech::ActiveModel {
                meeting_id: Set(m.id),
                member_id: Set(*speaker),
                summary: Set(said.to_string()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    // Minutes older than three weeks were read back and signed by the chair and the minute-taker.
    if m.meeting_date + chrono::Duration::days(21) < App::today() {
        for (role, member_id) in [("chair", chair), ("secretary", taker)] {
            chibo_store::entities::meeting_approval::ActiveModel {
                meeting_id: Set(m.id),
                member_id: Set(member_id),
                role: Set(role.to_string()),
                approved_at: Set((m.meeting_date + chrono::Duration::days(1))
                    .and_hms_opt(9, 0, 0)
                    .expect("valid time")
                    .and_utc()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
        chibo_store::signed::seal(tx, m.id).await?;
    }
    let judged: &[(&str, u32)] = if weak {
        &[
            ("content", 9),
            ("procedure_order", 3),
            ("speakers", 5),
            ("principles", 5),
            ("current_affairs_time", 2),
            ("self_criticism", 2),
        ]
    } else {
        &[
            ("content", 14),
            ("procedure_order", 5),
            ("speakers", 8),
            ("principles", 5),
            ("current_affairs_time", 4),
            ("self_criticism", 4),
        ]
    };
    for (code, points) in judged {
        meeting_score::ActiveModel {
            meeting_id: Set(m.id),
            criterion: Set((*code).to_string()),
            points: Set(*points as i32),
            reason: Set(None),
            scored_by: Set(None),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// The year's thematic topics: every quarter in most cells, half the year in the weak cell.
async fn seed_topics(app: &App, cell: &unit::Model, year: i32, rng: &mut Rng) -> AppResult<()> {
    use chibo_store::entities::{member, thematic_topic};
    use chibo_store::sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let writers: Vec<i64> = member::Entity::find()
        .filter(member::Column::UnitPath.starts_with(cell.path.as_str()))
        .order_by_asc(member::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    if writers.is_empty() {
        return Ok(());
    }
    let quarters: &[i32] = if cell.name.contains("Bản Nà") {
        &[1, 2]
    } else {
        &[1, 2, 3, 4]
    };
    for q in quarters {
        thematic_topic::ActiveModel {
            unit_id: Set(cell.id),
            year: Set(year),
            quarter: Set(*q),
            title: Set(THEMES[(*q as usize + cell.id as usize) % THEMES.len()].to_string()),
            writer_member_id: Set(Some(writers[rng.below(writers.len() as u64) as usize])),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await?;
    }
    Ok(())
}

/// When a task of a meeting held on `held_on` was reported done: its due day, at noon.
fn reported_on(held_on: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    (held_on + chrono::Duration::days(25))
        .and_hms_opt(12, 0, 0)
        .expect("noon")
        .and_utc()
}
