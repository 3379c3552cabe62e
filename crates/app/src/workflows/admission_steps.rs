//! Moving a candidate through the admission pipeline one step at a time, each step taken by the
//! officer whose turn it is and refused out of turn.

use chibo_domain::Invalid;
use chibo_domain::admission::AdmissionAction;
use chibo_domain::admission::Stage;
use chibo_domain::member::{Status, StatusEventKind};
use chibo_domain::validate;
use chibo_store::entities::{candidate, candidate_vote, member};
use chibo_store::sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use chibo_store::write_tx;

use crate::access::Actor;
use crate::meetings::lookup;
use crate::membership::member_edit;
use crate::membership::member_edit::MemberInput;
use crate::membership::member_events;
use crate::org::units;
use crate::workflows::admissions::{CandidateStep, CandidateView, candidate_views};
use crate::{App, AppError, AppResult, audit};

/// Takes the next step of a candidate's admission, checked for order, dates and who may take it.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    input: CandidateStep,
) -> AppResult<CandidateView> {
    let c = candidate::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let cell = actor.visible(units::find(&app.db, c.unit_id).await?)?;
    let current = candidate_views(app, actor, vec![c.clone()])
        .await?
        .remove(0);
    let what = crate::workflows::require_step(
        &current.next_steps,
        &input.step,
        AdmissionAction::from_code,
    )?;
    let today = App::today();
    let mut e = Invalid::new();
    let on = validate::date_field(&mut e, "on", "ngày", input.on.as_deref(), true);
    // Judged by the members' rules in force for the cell on the step's day.
    let rules = crate::rules::members::rules_for(&app.db, &cell, on.unwrap_or(today))
        .await?
        .admission;
    let after = match what {
        AdmissionAction::Class => None,
        AdmissionAction::File => c.class_on,
        AdmissionAction::Vote => c.applied_on,
        AdmissionAction::Decide => c.voted_on,
        AdmissionAction::Ceremony => c.decided_on,
        AdmissionAction::RecognitionVote => current.probation_ends,
        AdmissionAction::ExtendRecognition
        | AdmissionAction::Recognise
        | AdmissionAction::NotRecognise => c.recognition_voted_on,
    };
    if let (Some(d), Some(a)) = (on, after)
        && d < a
    {
        e.push(
            "on",
            format!("Ngày này phải từ ngày {} trở đi.", a.format("%d/%m/%Y")),
        );
    }
    if on.is_some_and(|d| d > today) {
        e.push("on", "Ngày này chưa đến.");
    }
    let number = input.number.trim().to_string();
    if matches!(what, AdmissionAction::Class | AdmissionAction::Decide) && number.is_empty() {
        e.push(
            "number",
            if what == AdmissionAction::Class {
                "Ghi số giấy chứng nhận học lớp nhận thức về Đảng."
            } else {
                "Ghi số quyết định kết nạp."
            },
        );
    }
    let mut vote = None;
    match what {
        AdmissionAction::File => {
            let missing: Vec<&str> = [
                (input.application, "đơn xin vào Đảng"),
                (input.history, "lý lịch người xin vào Đảng (đã thẩm tra)"),
            ]
            .into_iter()
            .filter(|(present, _)| !present)
            .map(|(_, what)| what)
            .collect();
            if !missing.is_empty() {
                e.push("file", format!("Hồ sơ còn thiếu: {}.", missing.join(", ")));
            }
            let day = on.unwrap_or(today);
            let introducer = match input.introducer_member_id {
                Some(mid) => lookup::roll(app, &cell, day)
                    .await?
                    .into_iter()
                    .find(|r| r.member.id == mid && !r.visiting),
                None => None,
            };
            let known_since = validate::date_field(
                &mut e,
                "introducer_known_since",
                "ngày bắt đầu cùng công tác, học tập hoặc sinh sống",
                input.introducer_known_since.as_deref(),
                false,
            );
            match introducer {
                None => e.push(
                    "introducer_member_id",
                    "Chọn người giới thiệu: một đảng viên chính thức của chi bộ.",
                ),
                Some(r) => {
                    if let Err(msg) =
                        rules.check_introducer(r.member.official_date, known_since, day)
                    {
                        let field = if rules.may_introduce(r.member.official_date, day) {
                            "introducer_known_since"
                        } else {
                            "introducer_member_id"
                        };
                        e.push(field, msg);
                    }
                }
            }
        }
        AdmissionAction::Vote | AdmissionAction::RecognitionVote => {
            if what == AdmissionAction::Vote
                && let Some(d) = on
                && let Err(msg) = rules.check_age(c.date_of_birth, d)
            {
                e.push("on", msg);
            }
            // The probationary member is not official, so never counts in their own vote.
            let official = lookup::roll(app, &cell, on.unwrap_or(today))
                .await?
                .into_iter()
                .filter(|r| {
                    !r.visiting
                        && r.member
                            .official_date
                            .is_some_and(|o| o <= on.unwrap_or(today))
                })
                .count() as u32;
            match input.votes_for {
                None => e.push("votes_for", "Ghi số đảng viên chính thức tán thành."),
                Some(v) if v > official => e.push(
                    "votes_for",
                    format!(
                        "Số tán thành ({v}) vượt số đảng viên chính thức của chi bộ ({official})."
                    ),
                ),
                Some(v) => vote = Some((v, official)),
            }
        }
        _ => {}
    }
    e.into_result()?;
    let on = on.expect("checked");
    let tx = write_tx(&app.db).await?;
    let before = c.clone();
    let mut am = c.clone().into_active_model();
    match what {
        AdmissionAction::Class => {
            am.class_on = Set(Some(on));
            am.class_certificate = Set(number);
            am.stage = Set(Stage::ClassDone.code().into());
        }
        AdmissionAction::File => {
            am.applied_on = Set(Some(on));
            am.introducer_member_id = Set(input.introducer_member_id);
            am.introducer_known_since = Set(input
                .introducer_known_since
                .as_deref()
                .and_then(validate::parse_date));
            am.stage = Set(Stage::FileReady.code().into());
        }
        AdmissionAction::Vote | AdmissionAction::RecognitionVote => {
            let (v, official) = vote.expect("checked");
            let admission = what == AdmissionAction::Vote;
            let (result, passed) = if admission {
                let result = rules.vote(v, official, c.failed_votes.max(0) as u32);
                (result, result == Stage::Voted)
            } else {
                let failed = c.recognition_failed_votes.max(0) as u32;
                let result = rules.recognition_vote(v, official, failed);
                (result, result == Stage::RecognitionVoted)
            };
            candidate_vote::ActiveModel {
                candidate_id: Set(c.id),
                held_on: Set(on),
                votes_for: Set(v as i32),
                official_members: Set(official as i32),
                passed: Set(passed),
                purpose: Set(if admission {
                    "admission"
                } else {
                    "recognition"
                }
                .into()),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            match (admission, passed) {
                (true, true) => am.voted_on = Set(Some(on)),
                (true, false) => am.failed_votes = Set(c.failed_votes + 1),
                (false, passed) => {
                    if !passed {
                        am.recognition_failed_votes = Set(c.recognition_failed_votes + 1);
                    }
                    // The superior committee's thirty working days run from here, whether the
                    // vote passed or its third failure sent the case up.
                    if result != Stage::Probation {
                        am.recognition_voted_on = Set(Some(on));
                    }
                }
            }
            am.stage = Set(result.code().into());
        }
        AdmissionAction::ExtendRecognition => {
            am.recognition_extended = Set(true);
        }
        AdmissionAction::Decide => {
            let input = MemberInput {
                full_name: c.full_name.clone(),
                date_of_birth: Some(c.date_of_birth.to_string()),
                sex: c.sex.clone(),
                ethnicity: Some(c.ethnicity.clone()),
                citizen_id: c.citizen_id.clone(),
                phone: c.phone.clone(),
                admission_date: Some(on.to_string()),
                ..Default::default()
            };
            let clean = member_edit::clean(&tx, &input, None).await?;
            let m = member_edit::insert_member(&tx, clean, &cell, Status::Active).await?;
            am.member_id = Set(Some(m.id));
            am.decided_on = Set(Some(on));
            am.decision = Set(number);
            am.stage = Set(Stage::Decided.code().into());
        }
        AdmissionAction::Ceremony => {
            am.ceremony_on = Set(Some(on));
            am.stage = Set(Stage::Probation.code().into());
        }
        AdmissionAction::Recognise => {
            let m = member::Entity::find_by_id(c.member_id.unwrap_or(0))
                .one(&tx)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut mm = m.into_active_model();
            // Official from the end of probation, even when the review comes later.
            mm.official_date = Set(current.probation_ends);
            mm.updated_at = Set(chrono::Utc::now());
            mm.update(&tx).await?;
            am.reviewed_on = Set(Some(on));
            am.stage = Set(Stage::Official.code().into());
        }
        AdmissionAction::NotRecognise => {
            let m = member::Entity::find_by_id(c.member_id.unwrap_or(0))
                .one(&tx)
                .await?
                .ok_or(AppError::NotFound)?;
            member_events::apply_event(
                &tx,
                actor,
                m,
                StatusEventKind::Removed,
                on,
                None,
                "Không đủ điều kiện công nhận đảng viên chính thức",
            )
            .await?;
            am.reviewed_on = Set(Some(on));
            am.stage = Set(Stage::NotRecognised.code().into());
        }
    }
    let saved = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        &format!("candidate.{}", what.code()),
        "candidate",
        Some(id),
        Some(&before),
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(candidate_views(app, actor, vec![saved]).await?.remove(0))
}
