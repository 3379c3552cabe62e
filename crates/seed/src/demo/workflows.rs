//! Demo badges, transfers, candidates, annual reviews and exemptions in every state.

use chibo_app::access::Actor;
use chibo_app::meetings::lookup;
use chibo_app::membership::classification;
use chibo_app::membership::member_events;
use chibo_app::membership::member_events::StatusEventInput;
use chibo_app::workflows::admission_steps;
use chibo_app::workflows::admissions;
use chibo_app::workflows::exemptions;
use chibo_app::workflows::transfer_steps;
use chibo_app::{App, AppResult};
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::org::UnitKind;
use chibo_store::entities::unit;
use chibo_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};

use crate::demo::names::Rng;

/// Badges already given for the milestones members passed, except a few left unrecorded (the
/// overdue list has something to show), and one warning that delays a badge.
pub(crate) async fn seed_badges(app: &App) -> AppResult<()> {
    use chibo_domain::badges::BadgeRules;
    use chibo_store::entities::{member, member_badge, member_discipline};
    let rules = BadgeRules::default();
    let last = rules.award_day_before(App::today());
    let ms = member::Entity::find()
        .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
        .all(&app.db)
        .await?;
    let tx = write_tx(&app.db).await?;
    let now = chrono::Utc::now();
    let mut warned = false;
    for m in &ms {
        let mut given = false;
        for &years in &rules.milestones {
            let reached = chibo_domain::member::add_months(m.admission_date, years * 12);
            let day = rules.award_day_from(reached);
            if !warned && day > last && day <= rules.award_day_from(App::today()) {
                // Reached in time for the next award day, but warned this year.
                member_discipline::ActiveModel {
                    member_id: Set(m.id),
                    kind: Set("warning".into()),
                    decided_on: Set(App::today() - chrono::Duration::days(60)),
                    decision: Set("Quyết định số 12-QĐ/ĐU của Đảng ủy".into()),
                    created_by: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&tx)
                .await?;
                warned = true;
            }
            if day > last || m.id % 9 == 0 && !given {
                break;
            }
            member_badge::ActiveModel {
                member_id: Set(m.id),
                years: Set(years as i32),
                awarded_on: Set(day),
                early: Set("none".into()),
                decision: Set(format!(
                    "Quyết định của Ban Thường vụ Tỉnh ủy ngày {}",
                    (day - chrono::Duration::days(10)).format("%d/%m/%Y")
                )),
                created_by: Set(None),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            given = true;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Transfers with something to show: a member of Đồng Tâm attending Bản Nà for a while, one back
/// from a course, one who moved away months ago and has not applied (overdue), one whose letter
/// to Bản Nà was not presented in time (overdue).
pub(crate) async fn seed_transfers(app: &App, admin: &Actor, keep: &[i64]) -> AppResult<()> {
    use chibo_store::entities::member;
    use chibo_store::sea_orm::QueryOrder;
    use transfer_steps::TransferInput;
    use transfer_steps::TransferStep;
    let cell = |name: &'static str| async move {
        unit::Entity::find()
            .filter(unit::Column::Name.eq(name))
            .one(&app.db)
            .await?
            .ok_or(chibo_app::AppError::NotFound)
    };
    let (dong_tam, ban_na) = (
        cell("Chi bộ thôn Đồng Tâm").await?,
        cell("Chi bộ thôn Bản Nà").await?,
    );
    let movers: Vec<i64> = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&dong_tam.path)))
        .filter(member::Column::Status.eq("active"))
        .order_by_desc(member::Column::SortKey)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .filter(|id| !keep.contains(id))
        .take(4)
        .collect();
    let today = App::today();
    let day = |offset: i64| Some((today + chrono::Duration::days(offset)).to_string());
    let start = |m: i64,
                 kind: &str,
                 reason: &str,
                 to: Option<i64>,
                 dest: &str,
                 from: i64,
                 to_day: Option<i64>| {
        transfer_steps::start(
            app,
            admin,
            m,
            TransferInput {
                kind: kind.into(),
                reason: reason.into(),
                to_unit_id: to,
                destination: dest.into(),
                moved_on: day(from),
                ends_on: to_day.and_then(day),
            },
        )
    };
    let step = |id: i64, what: &str, on: i64| {
        transfer_steps::step(
            app,
            admin,
            id,
            TransferStep {
                step: what.into(),
                on: day(on),
            },
        )
    };
    if let [a, b, c, d] = movers[..] {
        start(a, "temporary", "work", Some(ban_na.id), "", -40, Some(140)).await?;
        let back = start(
            b,
            "temporary",
            "training",
            None,
            "Trường Chính trị tỉnh Hòa Sơn",
            -200,
            Some(-20),
        )
        .await?;
        step(back.id, "return", -18).await?;
        start(
            c,
            "permanent",
            "residence",
            None,
            "Đảng bộ phường Bến Thành, TP Hồ Chí Minh",
            -95,
            None,
        )
        .await?;
        let late = start(d, "permanent", "work", Some(ban_na.id), "", -90, None).await?;
        step(late.id, "apply", -80).await?;
        step(late.id, "letter", -75).await?;
    }
    Ok(())
}

/// Candidates in Đồng Tâm at every stage: new, after the class, voted and waiting too long for
/// the decision (overdue), on probation, voted by the cell as official and waiting for the
/// superior committee, recognised.
pub(crate) async fn seed_candidates(app: &App, admin: &Actor) -> AppResult<()> {
    use admissions::CandidateInput;
    use admissions::CandidateStep;
    let Some(cell) = unit::Entity::find()
        .filter(unit::Column::Name.eq("Chi bộ thôn Đồng Tâm"))
        .one(&app.db)
        .await?
    else {
        return Ok(());
    };
    let cell = admin.visible(Some(cell))?;
    let rules = chibo_domain::admission::AdmissionRules::default();
    let today = App::today();
    let introducer = lookup::roll(app, &cell, today - chrono::Duration::days(800))
        .await?
        .into_iter()
        .find(|r| {
            !r.visiting
                && rules.may_introduce(r.member.official_date, today - chrono::Duration::days(800))
        })
        .map(|r| r.member.id);
    let day = |d: i64| Some((today + chrono::Duration::days(d)).to_string());
    let people = [
        ("Hoàng Thị Thu", "1999-04-12", "female", "001199004412", 0),
        ("Đinh Văn Khải", "1996-09-02", "male", "001096009902", 1),
        ("Lục Thị Yến", "2000-01-20", "female", "001200001120", 3),
        ("Vi Văn Thắng", "1994-06-15", "male", "001094006615", 5),
        ("Nông Văn Dũng", "1993-02-14", "male", "001093002214", 6),
        ("Mông Thị Lan", "1992-11-03", "female", "001192011103", 7),
    ];
    for (name, born, sex, cccd, reach) in people {
        let c = admissions::propose(
            app,
            admin,
            cell.id,
            CandidateInput {
                full_name: name.into(),
                date_of_birth: Some(born.into()),
                sex: sex.into(),
                ethnicity: Some("Tày".into()),
                citizen_id: Some(cccd.into()),
                phone: None,
            },
        )
        .await?;
        // (step, days ago, number, votes)
        let plan: [(&str, i64, &str, Option<u32>); 7] = [
            ("class", -460, "GCN-2025-014", None),
            ("file", -450, "", None),
            ("vote", -440, "", Some(30)),
            ("decide", -430, "QĐ 112-QĐ/ĐU", None),
            ("ceremony", -420, "", None),
            ("recognition_vote", -40, "", Some(30)),
            ("recognise", -30, "", None),
        ];
        let shift = if reach == 3 {
            300
        } else if reach == 5 {
            60
        } else {
            0
        };
        for (i, (what, ago, number, votes)) in plan.iter().enumerate().take(reach) {
            admission_steps::step(
                app,
                admin,
                c.id,
                CandidateStep {
                    step: (*what).into(),
                    on: day(ago + if i < 5 { shift } else { 0 }),
                    number: (*number).into(),
                    introducer_member_id: introducer,
                    // Neighbours in the village for years.
                    introducer_known_since: day(-2000),
                    application: true,
                    history: true,
                    votes_for: *votes,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Last year's review: every cell scored its members (a fifth of them at most excellent, a few
/// only completed) and the superior committee decided each cell's level.
pub(crate) async fn seed_reviews(app: &App, admin: &Actor) -> AppResult<()> {
    use classification::CellReviewInput;
    use classification::ReviewInput;
    use classification::ScoreEntry;
    let year = App::today().year() - 1;
    let mut rng = Rng(0x2025_0eda_1e55_c0de);
    let cells: Vec<unit::Model> = unit::Entity::find()
        .filter(unit::Column::DissolvedOn.is_null())
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|u| UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell()))
        .collect();
    for cell in cells {
        let sheet = classification::sheet(app, admin, cell.id, year).await?;
        let ids: Vec<i64> = sheet
            .rows
            .iter()
            .filter(|r| r.excluded.is_none())
            .map(|r| r.member.id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        // Scores first; then a fifth of those good or better become excellent (the quota).
        let mut scores: Vec<u32> = ids
            .iter()
            .map(|_| {
                if rng.chance(12) {
                    55 + rng.below(14) as u32
                } else {
                    72 + rng.below(17) as u32
                }
            })
            .collect();
        let good = scores.iter().filter(|s| **s >= 70).count();
        for s in scores.iter_mut().filter(|s| **s >= 70).take(good / 5) {
            *s = 90 + rng.below(8) as u32;
        }
        let entries = ids
            .iter()
            .zip(scores)
            .map(|(m, score)| ScoreEntry {
                member_id: *m,
                score,
                // Every task on time and a third exceeded, so the points decide the level.
                tasks_given: Some(6),
                tasks_on_time: Some(6),
                tasks_exceeded: Some(2),
            })
            .collect();
        let sheet =
            classification::save(app, admin, cell.id, ReviewInput { year, entries }).await?;
        let score = if sheet.cell_excellent_blocked.is_none() && rng.chance(30) {
            92
        } else {
            82
        };
        classification::decide(
            app,
            admin,
            cell.id,
            CellReviewInput {
                year,
                score: Some(score),
                decision: format!("Quyết định của cấp ủy cấp trên ngày 15/01/{}", year + 1),
                decided_on: Some(format!("{}-01-15", year + 1)),
            },
        )
        .await?;
    }
    Ok(())
}

/// Two exemption requests in Tân Lập: one the cell granted at its last meeting but has not
/// reported to the commune, one waiting for the next meeting.
pub(crate) async fn seed_exemptions(app: &App, admin: &Actor) -> AppResult<()> {
    use chibo_store::entities::{meeting, member};
    use chibo_store::sea_orm::QueryOrder;
    use exemptions::ExemptionRequest;
    use exemptions::ExemptionStep;
    let Some(cell) = unit::Entity::find()
        .filter(unit::Column::Name.eq("Chi bộ thôn Tân Lập"))
        .one(&app.db)
        .await?
    else {
        return Ok(());
    };
    let last = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell.id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held.code()))
        .order_by_desc(meeting::Column::MeetingDate)
        .one(&app.db)
        .await?;
    // The oldest members with no status change on record ask.
    let changed: Vec<i64> = chibo_store::entities::member_event::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|e| e.member_id)
        .collect();
    let old: Vec<member::Model> = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&cell.path)))
        .filter(member::Column::Status.eq("active"))
        .filter(member::Column::Id.is_not_in(changed))
        .order_by_asc(member::Column::DateOfBirth)
        .all(&app.db)
        .await?;
    if let (Some(last), [a, b, ..]) = (last, &old[..]) {
        let asked = |m: i64, on: NaiveDate, why: &str| {
            exemptions::request(
                app,
                admin,
                m,
                ExemptionRequest {
                    requested_on: Some(on.to_string()),
                    reason: why.into(),
                    until: None,
                },
            )
        };
        let x = asked(
            a.id,
            last.meeting_date - chrono::Duration::days(10),
            "Tuổi cao, sức khỏe yếu, đi lại khó khăn",
        )
        .await?;
        exemptions::step(
            app,
            admin,
            x.id,
            ExemptionStep {
                step: "grant".into(),
                meeting_id: Some(last.id),
                on: None,
            },
        )
        .await?;
        asked(
            b.id,
            App::today() - chrono::Duration::days(3),
            "Bệnh mãn tính, điều trị dài ngày",
        )
        .await?;
        // A member who went to work far away is exempted until the end of the season.
        if let Some(c) = old.get(2) {
            let away_on = last.meeting_date - chrono::Duration::days(20);
            member_events::add_event(
                app,
                admin,
                c.id,
                StatusEventInput {
                    kind: "working_away".into(),
                    effective_on: Some(away_on.to_string()),
                    until: Some((App::today() + chrono::Duration::days(90)).to_string()),
                    reason: "Đi làm công nhân tại khu công nghiệp tỉnh Bình Dương".into(),
                },
            )
            .await?;
            let x = exemptions::request(
                app,
                admin,
                c.id,
                ExemptionRequest {
                    requested_on: Some((away_on + chrono::Duration::days(2)).to_string()),
                    reason: "Đi làm ăn xa, không về sinh hoạt được".into(),
                    until: Some((App::today() + chrono::Duration::days(90)).to_string()),
                },
            )
            .await?;
            exemptions::step(
                app,
                admin,
                x.id,
                ExemptionStep {
                    step: "grant".into(),
                    meeting_id: Some(last.id),
                    on: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}
