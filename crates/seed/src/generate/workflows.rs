//! The rest of a year's work over the tree, so every list has rows: badges awarded on award days
//! (with some members left due), exemption requests waiting for their cell, permanent transfers
//! under way, candidates for admission, last year's classification of members and cells, a
//! training course per committee, inspections of cells with their recommendations, and
//! breakthrough tasks for committee members. Each row is as its use case would first write it.

use std::collections::HashMap;

use chibo_app::App;
use chibo_domain::badges::BadgeRules;
use chibo_domain::member::add_months;
use chibo_domain::org::UnitKind;
use chibo_domain::programme::{InspectionStatus, RecommendationStatus, TaskStatus};
use chibo_domain::transfers::TransferStatus;
use chibo_store::entities::{
    cadre_task, candidate, candidate_vote, course, course_participant, exemption, inspection,
    inspection_recommendation, member_badge, member_review, transfer, unit_review,
};
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::Set;

use super::bulk::Batch;
use super::org::Unit;
use super::people::People;
use super::{Ctx, GenerateError, Progress};

/// Tables this module fills with explicit ids.
pub const TABLES: &[&str] = &["courses", "inspections", "candidates"];

fn level(score: i32) -> &'static str {
    match score {
        90.. => "excellent",
        70..=89 => "good",
        50..=69 => "completed",
        _ => "not_completed",
    }
}

/// Writes the workflows' rows.
pub async fn write_workflows(
    app: &App,
    ctx: &mut Ctx,
    units: &[Unit],
    people: &People,
    progress: &dyn Progress,
) -> Result<(), GenerateError> {
    let today = App::today();
    let now = Utc::now();
    let year = today.year();
    let last_year = year - 1;
    let by_id: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    progress.phase("Công việc khác", people.members.len() as u64);
    let tx = super::bulk::load_tx(&app.db).await?;

    // Badges: every milestone reached by the last award day, on the award day after it; one
    // member in seven still waits for the latest one (the due list).
    let rules = BadgeRules::default();
    let last_award_day = rules.award_day_before(today);
    let mut badges: Batch<member_badge::ActiveModel> = Batch::new();
    let mut exemptions: Batch<exemption::ActiveModel> = Batch::new();
    let mut transfers: Batch<transfer::ActiveModel> = Batch::new();
    for (i, p) in people.members.iter().enumerate() {
        let reached: Vec<(u32, NaiveDate)> = rules
            .milestones
            .iter()
            .map(|y| (*y, add_months(p.admission, y * 12)))
            .filter(|(_, on)| rules.award_day_from(*on) <= last_award_day)
            .collect();
        let skip_last = ctx.rng.chance(14);
        for (k, (years, on)) in reached.iter().enumerate() {
            if skip_last && k + 1 == reached.len() {
                continue;
            }
            let awarded_on = rules.award_day_from(*on);
            badges.push(member_badge::ActiveModel {
                member_id: Set(p.id),
                years: Set(*years as i32),
                awarded_on: Set(awarded_on),
                early: Set("none".into()),
                decision: Set(format!(
                    "Quyết định của Ban Thường vụ Tỉnh ủy ngày {}",
                    (awarded_on - chrono::Duration::days(10)).format("%d/%m/%Y")
                )),
                created_by: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
        }
        // Elderly members asking to be exempted; members moving away for good.
        if p.status == "active" && p.born < 1962 && ctx.rng.chance(2) {
            exemptions.push(exemption::ActiveModel {
                member_id: Set(p.id),
                requested_on: Set(today - chrono::Duration::days(1 + ctx.rng.below(40) as i64)),
                reason: Set(
                    "Tuổi cao, sức yếu, đề nghị được miễn công tác và sinh hoạt đảng.".into(),
                ),
                status: Set("requested".into()),
                meeting_id: Set(None),
                decided_on: Set(None),
                reported_on: Set(None),
                revoke_requested_on: Set(None),
                revoke_meeting_id: Set(None),
                revoked_on: Set(None),
                created_by: Set(None),
                created_at: Set(now),
                until: Set(None),
                ..Default::default()
            });
        } else if p.status == "active" && p.status_from.is_none() && ctx.rng.below(1000) < 3 {
            let moved_on =
                (today - chrono::Duration::days(5 + ctx.rng.below(150) as i64)).max(p.on_roll_from);
            // One in four has not applied yet (some of them past the 60 working days), half of
            // those who applied have their letter (some not presented within 30 working days).
            let applied_on = ((today - moved_on).num_days() > 20 && !ctx.rng.chance(25))
                .then(|| moved_on + chrono::Duration::days(10));
            let letter_on = applied_on
                .filter(|_| ctx.rng.chance(50))
                .map(|a| a + chrono::Duration::days(3));
            transfers.push(transfer::ActiveModel {
                member_id: Set(p.id),
                kind: Set("permanent".into()),
                reason: Set(if ctx.rng.chance(50) {
                    "work"
                } else {
                    "residence"
                }
                .into()),
                from_unit_id: Set(p.cell),
                to_unit_id: Set(None),
                destination: Set("Đảng bộ phường nơi cư trú mới (tỉnh khác)".into()),
                moved_on: Set(moved_on),
                ends_on: Set(None),
                applied_on: Set(applied_on),
                letter_on: Set(letter_on),
                received_on: Set(None),
                returned_on: Set(None),
                status: Set(TransferStatus::Open.code().into()),
                created_by: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
        }
        if i % 20_000 == 0 {
            badges.flush(&tx).await?;
            progress.advance(i as u64);
        }
    }
    badges.flush(&tx).await?;
    exemptions.flush(&tx).await?;
    transfers.flush(&tx).await?;

    // Last year's classification: members scored, the excellent quota (a fifth of the good or
    // better) kept in each grassroots organisation; each cell judged by its superior committee.
    let org_of = |cell: &Unit| -> i64 {
        let mut u = cell;
        loop {
            if matches!(
                u.kind,
                UnitKind::BaseCell | UnitKind::Commune | UnitKind::Grassroots
            ) {
                return u.id;
            }
            match u.parent_id.and_then(|p| by_id.get(&p)) {
                Some(p) => u = p,
                None => return cell.id,
            }
        }
    };
    let dec31 = NaiveDate::from_ymd_opt(last_year, 12, 31).expect("date");
    let mut by_org: HashMap<i64, Vec<(i64, i64, i32)>> = HashMap::new();
    for p in &people.members {
        let exempt_then = p.status == "exempt" && p.status_from.is_some_and(|s| s <= dec31);
        if p.on_roll_from > dec31 || exempt_then {
            continue;
        }
        let roll = ctx.rng.below(100);
        let score = match roll {
            0..12 => 90 + ctx.rng.below(9) as i32,
            12..82 => 70 + ctx.rng.below(20) as i32,
            82..97 => 50 + ctx.rng.below(20) as i32,
            _ => 30 + ctx.rng.below(20) as i32,
        };
        let org = org_of(by_id[&p.cell]);
        by_org.entry(org).or_default().push((p.id, p.cell, score));
    }
    let mut reviews: Batch<member_review::ActiveModel> = Batch::new();
    let mut cell_scores: HashMap<i64, Vec<i32>> = HashMap::new();
    for (org, rows) in &mut by_org {
        let good_or_better = rows.iter().filter(|r| r.2 >= 70).count();
        let quota = good_or_better / 5;
        let mut excellent = 0;
        for r in rows.iter_mut() {
            if r.2 >= 90 {
                excellent += 1;
                if excellent > quota {
                    r.2 = 89;
                }
            }
        }
        for (member_id, cell, score) in rows.iter() {
            cell_scores.entry(*cell).or_default().push(*score);
            reviews.push(member_review::ActiveModel {
                member_id: Set(*member_id),
                year: Set(last_year),
                cell_id: Set(*cell),
                org_id: Set(*org),
                score: Set(*score),
                level: Set(level(*score).into()),
                updated_by: Set(None),
                updated_at: Set(now),
                // Every task on time, a third exceeded: the points decide the level.
                tasks_given: Set(Some(6)),
                tasks_on_time: Set(Some(6)),
                tasks_exceeded: Set(Some(2)),
                superior_reason: Set(None),
                ..Default::default()
            });
        }
    }
    let mut cell_reviews: Batch<unit_review::ActiveModel> = Batch::new();
    let decided_on = NaiveDate::from_ymd_opt(year, 1, 15).expect("date");
    for (cell, scores) in &cell_scores {
        let good = scores.iter().filter(|s| **s >= 70).count();
        let failing = scores.iter().any(|s| *s < 50);
        let mut score = (scores.iter().sum::<i32>() / scores.len().max(1) as i32 + 8).min(98);
        if score >= 90 && (failing || good * 5 < scores.len() * 4) {
            score = 89;
        }
        if decided_on > today {
            continue;
        }
        cell_reviews.push(unit_review::ActiveModel {
            unit_id: Set(*cell),
            year: Set(last_year),
            score: Set(score),
            level: Set(level(score).into()),
            decision: Set(format!(
                "Quyết định của cấp ủy cấp trên ngày {}",
                decided_on.format("%d/%m/%Y")
            )),
            decided_on: Set(decided_on),
            updated_by: Set(None),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    reviews.flush(&tx).await?;
    cell_reviews.flush(&tx).await?;

    // Per committee: a course for its cells' secretaries, inspections of a third of its cells,
    // and breakthrough tasks for the officers of its first cells.
    let mut courses: Batch<course::ActiveModel> = Batch::new();
    let mut participants: Batch<course_participant::ActiveModel> = Batch::new();
    let mut inspections: Batch<inspection::ActiveModel> = Batch::new();
    let mut recommendations: Batch<inspection_recommendation::ActiveModel> = Batch::new();
    let mut tasks: Batch<cadre_task::ActiveModel> = Batch::new();
    let mut candidates: Batch<candidate::ActiveModel> = Batch::new();
    let mut votes: Batch<candidate_vote::ActiveModel> = Batch::new();
    let mut cells_of: HashMap<i64, Vec<&Unit>> = HashMap::new();
    for u in units.iter().filter(|u| u.kind.is_cell()) {
        if let Some(p) = u.parent_id {
            cells_of.entry(p).or_default().push(u);
        }
    }
    let (mut course_id, mut inspection_id, mut candidate_id) = (0i64, 0i64, 0i64);
    let starts = NaiveDate::from_ymd_opt(year, 3, 10)
        .expect("date")
        .min(today);
    for committee in units.iter().filter(|u| {
        matches!(u.kind, UnitKind::Commune | UnitKind::Grassroots) && u.dissolved_on.is_none()
    }) {
        let cells = cells_of.get(&committee.id).cloned().unwrap_or_default();
        if cells.is_empty() {
            continue;
        }
        course_id += 1;
        let ends = (starts + chrono::Duration::days(2)).min(today);
        courses.push(course::ActiveModel {
            id: Set(course_id),
            unit_id: Set(committee.id),
            name: Set(format!(
                "Bồi dưỡng nghiệp vụ công tác đảng cho bí thư chi bộ năm {year}"
            )),
            organiser: Set("Trung tâm Chính trị".into()),
            starts_on: Set(starts.min(ends)),
            ends_on: Set(ends),
            topics: Set("Quy trình sinh hoạt chi bộ; ghi biên bản; phân công nhiệm vụ".into()),
            created_by: Set(None),
            created_at: Set(now),
        });
        for c in &cells {
            if let Some((secretary, _)) = people.officers.get(&c.id) {
                participants.push(course_participant::ActiveModel {
                    course_id: Set(course_id),
                    member_id: Set(*secretary),
                    completed: Set(ends <= today),
                    ..Default::default()
                });
            }
        }
        for c in cells.iter().filter(|c| c.dissolved_on.is_none()) {
            if !ctx.rng.chance(33) {
                continue;
            }
            inspection_id += 1;
            let planned = NaiveDate::from_ymd_opt(year, 1, 1).expect("date")
                + chrono::Duration::days(ctx.rng.below(today.ordinal() as u64) as i64);
            let done = planned + chrono::Duration::days(10) < today;
            inspections.push(inspection::ActiveModel {
                id: Set(inspection_id),
                unit_id: Set(committee.id),
                cell_id: Set(c.id),
                kind: Set(if ctx.rng.chance(50) {
                    "inspection"
                } else {
                    "supervision"
                }
                .into()),
                planned_on: Set(planned),
                content: Set("Việc chấp hành quy định về sinh hoạt chi bộ".into()),
                status: Set(if done {
                    InspectionStatus::Done
                } else {
                    InspectionStatus::Planned
                }
                .code()
                .into()),
                done_on: Set(done.then_some(planned)),
                result: Set(if done {
                    "Chi bộ duy trì sinh hoạt định kỳ; biên bản còn sơ sài.".into()
                } else {
                    String::new()
                }),
                created_by: Set(None),
                created_at: Set(now),
            });
            if done {
                let due = planned + chrono::Duration::days(60);
                let followed = due < today && ctx.rng.chance(60);
                recommendations.push(inspection_recommendation::ActiveModel {
                    inspection_id: Set(inspection_id),
                    text: Set(
                        "Ghi biên bản đầy đủ ý kiến phát biểu; phân công nhiệm vụ cụ thể.".into(),
                    ),
                    due_on: Set(due),
                    status: Set(if followed {
                        RecommendationStatus::Done
                    } else {
                        RecommendationStatus::Open
                    }
                    .code()
                    .into()),
                    done_on: Set(followed.then_some(due)),
                    follow_up: Set(if followed {
                        "Chi bộ đã khắc phục.".into()
                    } else {
                        String::new()
                    }),
                    ..Default::default()
                });
            }
        }
        for c in cells.iter().take(3) {
            let Some((secretary, _)) = people.officers.get(&c.id) else {
                continue;
            };
            let due = NaiveDate::from_ymd_opt(year, 9, 30).expect("date");
            let done = due < today && ctx.rng.chance(70);
            tasks.push(cadre_task::ActiveModel {
                unit_id: Set(committee.id),
                member_id: Set(*secretary),
                year: Set(year),
                task: Set("Chỉ đạo chi bộ nâng cao chất lượng sinh hoạt, không để bỏ tháng".into()),
                due_on: Set(due),
                status: Set(if done {
                    TaskStatus::Done
                } else {
                    TaskStatus::InProgress
                }
                .code()
                .into()),
                evidence: Set(if done {
                    "Báo cáo kết quả của chi bộ, xác nhận của Đảng ủy".into()
                } else {
                    String::new()
                }),
                done_on: Set(done.then_some(due)),
                created_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        // Candidates for admission in one cell of five: new, after the class, file ready, and
        // voted by the cell and waiting for the decision (some past its 60 working days).
        for c in cells.iter().filter(|c| c.id % 5 == 0) {
            let stage = ["candidate", "class_done", "file_ready", "voted"][(c.id / 5 % 4) as usize];
            candidate_id += 1;
            let class_on = (stage != "candidate").then(|| today - chrono::Duration::days(150));
            let applied_on = matches!(stage, "file_ready" | "voted")
                .then(|| today - chrono::Duration::days(130));
            let voted_on = (stage == "voted")
                .then(|| today - chrono::Duration::days(10 + (candidate_id * 17 % 110)));
            if let Some(held_on) = voted_on {
                let official = people.by_cell.get(&c.id).map_or(0, |r| {
                    people.members[r.clone()]
                        .iter()
                        .filter(|p| {
                            p.status == "active"
                                && p.admission <= held_on - chrono::Duration::days(366)
                        })
                        .count()
                }) as i32;
                votes.push(candidate_vote::ActiveModel {
                    candidate_id: Set(candidate_id),
                    held_on: Set(held_on),
                    votes_for: Set(official),
                    official_members: Set(official),
                    passed: Set(true),
                    purpose: Set("admission".into()),
                    ..Default::default()
                });
            }
            candidates.push(candidate::ActiveModel {
                id: Set(candidate_id),
                unit_id: Set(c.id),
                full_name: Set(format!("Quần chúng ưu tú số {candidate_id}")),
                date_of_birth: Set(
                    NaiveDate::from_ymd_opt(1995 + (candidate_id % 8) as i32, 5, 5).expect("date"),
                ),
                sex: Set(if candidate_id % 2 == 0 {
                    "male"
                } else {
                    "female"
                }
                .into()),
                ethnicity: Set("Kinh".into()),
                citizen_id: Set(Some(format!("099{candidate_id:09}"))),
                phone: Set(None),
                stage: Set(stage.into()),
                class_on: Set(class_on),
                class_certificate: Set(if class_on.is_some() {
                    format!("GCN-{candidate_id}")
                } else {
                    String::new()
                }),
                applied_on: Set(applied_on),
                introducer_member_id: Set(
                    applied_on.and_then(|_| people.officers.get(&c.id).map(|o| o.0))
                ),
                // The cell's officer has known the candidate two years when the file is made.
                introducer_known_since: Set(applied_on.map(|d| d - chrono::Duration::days(730))),
                failed_votes: Set(0),
                voted_on: Set(voted_on),
                decided_on: Set(None),
                decision: Set(String::new()),
                ceremony_on: Set(None),
                member_id: Set(None),
                reviewed_on: Set(None),
                created_by: Set(None),
                created_at: Set(now),
                recognition_failed_votes: Set(0),
                recognition_voted_on: Set(None),
                recognition_extended: Set(false),
            });
        }
    }
    courses.flush(&tx).await?;
    participants.flush(&tx).await?;
    inspections.flush(&tx).await?;
    recommendations.flush(&tx).await?;
    tasks.flush(&tx).await?;
    candidates.flush(&tx).await?;
    votes.flush(&tx).await?;
    tx.commit().await?;
    progress.advance(people.members.len() as u64);
    Ok(())
}
