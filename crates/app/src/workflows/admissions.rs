//! The admission pipeline for a cell's candidates: awareness class, file with an introducer, the
//! cell's two-thirds vote (escalated after three failures), the superior committee's decision
//! (the member record is made then), the ceremony, probation and official recognition, each
//! with its deadline in working days; due and overdue lists for every committee.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::admission::{AdmissionAction, AdmissionRules, Stage, age_on};
use chibo_domain::calendar::{Holidays, last_overdue_start};
use chibo_domain::cursor::Cursor;
use chibo_domain::member::Sex;
use chibo_domain::org::UnitKind;
use chibo_domain::validate;
use chibo_store::entities::{candidate, candidate_vote, member, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use chibo_store::subtree::Subtree;
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::meetings::lookup;
use crate::org::units;
use crate::paging::{Ranked, ranked_page};
use crate::refs::{MemberRef, UnitRef};
use crate::rules::members::{MemberRuleBook, WorkingDays, deadlines_for};
use crate::workflows::acts_as;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateVoteView {
    pub held_on: NaiveDate,
    pub votes_for: u32,
    pub official_members: u32,
    pub passed: bool,
    /// `admission` (to admit the candidate) or `recognition` (to recognise them as official).
    pub purpose: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateView {
    pub id: i64,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub age: u32,
    pub unit: UnitRef,
    pub stage: String,
    pub stage_label: String,
    pub class_on: Option<NaiveDate>,
    pub class_certificate: String,
    pub applied_on: Option<NaiveDate>,
    pub introducer: Option<MemberRef>,
    /// Since when the introducer has worked, studied or lived with the candidate.
    pub introducer_known_since: Option<NaiveDate>,
    pub votes: Vec<CandidateVoteView>,
    pub decided_on: Option<NaiveDate>,
    pub decision: String,
    pub ceremony_on: Option<NaiveDate>,
    pub probation_ends: Option<NaiveDate>,
    pub member_id: Option<i64>,
    pub reviewed_on: Option<NaiveDate>,
    /// The deadline of the step awaited, and what it is.
    pub due_on: Option<NaiveDate>,
    pub due_what: Option<String>,
    /// The rule that sets the deadline, with its source ("60 ngày làm việc (Quy định …)").
    pub due_basis: Option<String>,
    pub overdue: bool,
    /// Steps the actor may take now: `class`, `file`, `vote`, `decide`, `ceremony`,
    /// `recognise`, `not_recognise`.
    pub next_steps: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateList {
    pub unit: UnitRef,
    pub candidates: Vec<CandidateView>,
    /// Overdue candidates in the whole list, not only this page.
    pub overdue: u32,
    /// Admission decisions this year in the subtree.
    pub admitted_this_year: u32,
    /// The pipeline as the rules in force for the unit today set it, with their sources.
    pub procedure: String,
    /// May propose candidates (the unit is a cell the actor manages).
    pub can_propose: bool,
    /// Official members of the cell who may introduce (for the file step).
    pub introducers: Vec<MemberRef>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CandidateInput {
    pub full_name: String,
    pub date_of_birth: Option<String>,
    /// `male` or `female`.
    pub sex: String,
    pub ethnicity: Option<String>,
    pub citizen_id: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CandidateStep {
    /// `class`, `file`, `vote`, `decide`, `ceremony`, `recognition_vote` (the cell),
    /// `extend_recognition`, `recognise` or `not_recognise` (the superior committee).
    pub step: String,
    pub on: Option<String>,
    /// `class`: the certificate's number; `decide`: the decision.
    pub number: String,
    /// `file`: the official member who introduces the candidate.
    pub introducer_member_id: Option<i64>,
    /// `file`: `YYYY-MM-DD`, since when the introducer has worked, studied or lived with the
    /// candidate (at least twelve months before the file).
    pub introducer_known_since: Option<String>,
    /// `file`: the application (đơn xin vào Đảng) is in the file.
    pub application: bool,
    /// `file`: the personal history (lý lịch người xin vào Đảng) is in the file, verified.
    pub history: bool,
    /// `vote` and `recognition_vote`: official members in favour.
    pub votes_for: Option<u32>,
}

pub(crate) async fn candidate_views(
    app: &App,
    actor: &Actor,
    rows: Vec<candidate::Model>,
) -> AppResult<Vec<CandidateView>> {
    let book = MemberRuleBook::read(&app.db).await?;
    let mut working = WorkingDays::read(app).await?;
    let today = App::today();
    let unit_ids: Vec<i64> = rows.iter().map(|c| c.unit_id).collect();
    let units: HashMap<i64, unit::Model> = crate::lookup::units_by_id(&app.db, &unit_ids).await?;
    let introducers: Vec<i64> = rows.iter().filter_map(|c| c.introducer_member_id).collect();
    let names: HashMap<i64, String> =
        crate::lookup::by_ids::<member::Entity, _>(&app.db, member::Column::Id, &introducers)
            .await?
            .into_iter()
            .map(|m| (m.id, m.full_name))
            .collect();
    let mut votes: HashMap<i64, Vec<CandidateVoteView>> = HashMap::new();
    let candidate_ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut all_votes = crate::lookup::by_ids::<candidate_vote::Entity, _>(
        &app.db,
        candidate_vote::Column::CandidateId,
        &candidate_ids,
    )
    .await?;
    all_votes.sort_by_key(|v| (v.held_on, v.id));
    for v in all_votes {
        votes
            .entry(v.candidate_id)
            .or_default()
            .push(CandidateVoteView {
                held_on: v.held_on,
                votes_for: v.votes_for.max(0) as u32,
                official_members: v.official_members.max(0) as u32,
                passed: v.passed,
                purpose: v.purpose,
            });
    }
    Ok(rows
        .into_iter()
        .map(|c| {
            let stage = Stage::from_code(&c.stage).unwrap_or(Stage::Candidate);
            let cell = units.get(&c.unit_id);
            let officer = cell.is_some_and(|u| actor.may_manage(u));
            let superior = cell.is_some_and(|u| actor.supervises(u));
            // Each clock runs by the rules in force for the cell on the day it started.
            let started = match stage {
                Stage::Voted => c.voted_on,
                Stage::Decided => c.decided_on,
                Stage::Probation => c.ceremony_on,
                Stage::RecognitionVoted | Stage::RecognitionEscalated => c.recognition_voted_on,
                _ => None,
            };
            let set = book.for_path(
                cell.map_or("", |u| u.path.as_str()),
                started.or(c.ceremony_on).unwrap_or(today),
            );
            let (all, rules) = (set.rules, &set.rules.admission);
            let h = working.of(&set);
            // Probation (and so the official date) runs by the set in force on the ceremony.
            let probation_ends = c.ceremony_on.map(|d| {
                book.for_path(cell.map_or("", |u| u.path.as_str()), d)
                    .rules
                    .admission
                    .probation_ends(d)
            });
            let (due_on, due_what, basis) = match (stage, started) {
                (Stage::Voted, Some(d)) => (
                    Some(rules.decide_by(d, h)),
                    Some("Quyết định kết nạp"),
                    all.basis("admission.decide_within_working_days"),
                ),
                (Stage::Decided, Some(d)) => (
                    Some(rules.ceremony_by(d, h)),
                    Some("Tổ chức lễ kết nạp"),
                    all.basis("admission.ceremony_within_working_days"),
                ),
                (Stage::Probation, Some(d)) => (
                    Some(rules.review_by(d, h)),
                    Some("Chi bộ xét, biểu quyết công nhận chính thức"),
                    all.basis("admission.review_within_working_days"),
                ),
                (Stage::RecognitionVoted | Stage::RecognitionEscalated, Some(d)) => (
                    Some(rules.recognise_by(d, c.recognition_extended, h)),
                    Some("Cấp ủy cấp trên quyết định công nhận chính thức"),
                    if c.recognition_extended {
                        format!(
                            "{}, kéo dài thêm {}",
                            all.basis("admission.recognise_within_working_days"),
                            all.basis("admission.recognise_extension_working_days")
                        )
                    } else {
                        all.basis("admission.recognise_within_working_days")
                    },
                ),
                _ => (None, None, String::new()),
            };
            CandidateView {
                id: c.id,
                age: age_on(c.date_of_birth, today),
                date_of_birth: c.date_of_birth,
                unit: UnitRef {
                    id: c.unit_id,
                    name: cell.map(|u| u.name.clone()).unwrap_or_default(),
                },
                stage: stage.code().to_string(),
                stage_label: stage.label().to_string(),
                class_on: c.class_on,
                class_certificate: c.class_certificate,
                applied_on: c.applied_on,
                introducer: c.introducer_member_id.map(|id| MemberRef {
                    id,
                    name: names.get(&id).cloned().unwrap_or_default(),
                }),
                introducer_known_since: c.introducer_known_since,
                votes: votes.remove(&c.id).unwrap_or_default(),
                decided_on: c.decided_on,
                decision: c.decision,
                ceremony_on: c.ceremony_on,
                probation_ends,
                member_id: c.member_id,
                reviewed_on: c.reviewed_on,
                overdue: due_on.is_some_and(|d| today > d),
                // Probation runs its twelve months before the review is due.
                due_on,
                due_what: due_what.map(str::to_string),
                due_basis: due_on.map(|_| basis),
                next_steps: stage
                    .next_steps()
                    .iter()
                    .filter(|(_, party)| acts_as(*party, officer, false, superior, false))
                    // The superior committee extends its deadline once, where the rules allow one.
                    .filter(|(action, _)| {
                        *action != AdmissionAction::ExtendRecognition
                            || (!c.recognition_extended
                                && rules.recognise_extension_working_days > 0)
                    })
                    .map(|(action, _)| action.code().to_string())
                    .collect(),
                full_name: c.full_name,
            }
        })
        .collect())
}

/// The last start day already overdue at each stage with a deadline, as `candidate_views`
/// judges them: a candidate is overdue when the day its stage began is on or before it.
pub(crate) struct OverdueStarts {
    pub voted: NaiveDate,
    pub decided: NaiveDate,
    pub probation: NaiveDate,
    /// The cell's recognition vote, before and after the superior committee's extension.
    pub recognition: NaiveDate,
    pub recognition_extended: NaiveDate,
}

pub(crate) fn overdue_starts(rules: &AdmissionRules, h: &Holidays) -> OverdueStarts {
    overdue_starts_on(rules, h, App::today())
}

/// [`overdue_starts`] as judged on day `today`.
pub(crate) fn overdue_starts_on(
    rules: &AdmissionRules,
    h: &Holidays,
    today: NaiveDate,
) -> OverdueStarts {
    OverdueStarts {
        voted: last_overdue_start(today, |d| rules.decide_by(d, h)),
        decided: last_overdue_start(today, |d| rules.ceremony_by(d, h)),
        probation: last_overdue_start(today, |d| rules.review_by(d, h)),
        recognition: last_overdue_start(today, |d| rules.recognise_by(d, false, h)),
        recognition_extended: last_overdue_start(today, |d| rules.recognise_by(d, true, h)),
    }
}

/// The candidates past the deadline of their stage, in SQL.
/// (A subtree's list is judged by the rules in force for its root today: a set attached below
/// it is not applied to its part of the list, and its rows show their own deadlines.)
fn overdue_condition(rules: &AdmissionRules, h: &Holidays) -> Condition {
    let starts = overdue_starts(rules, h);
    let late = |stage: Stage, column: candidate::Column, start: NaiveDate| {
        Condition::all()
            .add(candidate::Column::Stage.eq(stage.code()))
            .add(column.lte(start))
    };
    Condition::any()
        .add(late(Stage::Voted, candidate::Column::VotedOn, starts.voted))
        .add(late(
            Stage::Decided,
            candidate::Column::DecidedOn,
            starts.decided,
        ))
        .add(late(
            Stage::Probation,
            candidate::Column::CeremonyOn,
            starts.probation,
        ))
        .add(recognition_late(starts.recognition, false))
        .add(recognition_late(starts.recognition_extended, true))
}

/// Voted (or sent up) for recognition on or before `start`, with the extension or without.
fn recognition_late(start: NaiveDate, extended: bool) -> Condition {
    Condition::all()
        .add(candidate::Column::Stage.is_in([
            Stage::RecognitionVoted.code(),
            Stage::RecognitionEscalated.code(),
        ]))
        .add(candidate::Column::RecognitionExtended.eq(extended))
        .add(candidate::Column::RecognitionVotedOn.lte(start))
}

/// The admission pipeline in a sentence, with the figures of `r`.
fn procedure_text(r: &chibo_domain::rules::MemberRules) -> String {
    let a = &r.admission;
    let vote = format!(
        "{} đảng viên chính thức tán thành; {} lần không đạt thì báo cáo cấp trên",
        a.vote.text(),
        a.max_failed_votes
    );
    format!(
        "Học lớp nhận thức về Đảng → hồ sơ và người giới thiệu (đảng viên chính thức đã cùng công \
         tác, học tập hoặc sinh sống với người xin vào Đảng ít nhất {}) → chi bộ biểu quyết \
         ({vote}) → quyết định kết nạp (trong {}) → lễ kết nạp (trong {}) → dự bị {} → chi bộ \
         xét, biểu quyết công nhận chính thức (trong {} sau khi hết dự bị; {vote}) → cấp ủy cấp \
         trên quyết định (trong {}{}; chính thức từ ngày hết dự bị).",
        r.basis("admission.introducer_known_months"),
        r.basis("admission.decide_within_working_days"),
        r.basis("admission.ceremony_within_working_days"),
        r.basis("admission.probation_months"),
        r.basis("admission.review_within_working_days"),
        r.basis("admission.recognise_within_working_days"),
        if a.recognise_extension_working_days > 0 {
            format!(
                ", gia hạn được một lần {}",
                r.basis("admission.recognise_extension_working_days")
            )
        } else {
            String::new()
        },
    )
}

/// Candidates of a subtree: the overdue open ones first, then the other open ones, then the
/// closed, each newest first; `per_page` of them after `after`.
pub async fn list(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<CandidateList> {
    let root = actor.visible(units::find(&app.db, unit_id).await?)?;
    let under = || {
        candidate::Entity::find()
            .filter(candidate::Column::UnitId.in_subquery(Subtree::of(&root).units()))
    };
    let (rules, h) = deadlines_for(app, &root).await?;
    let overdue = overdue_condition(&rules.admission, &h);
    let open = Condition::all()
        .add(candidate::Column::Stage.is_in(Stage::codes_where(|s| !s.next_steps().is_empty())));
    let overdue_count = under().filter(overdue.clone()).count(&app.db).await?;
    let year = App::today().year();
    let admitted_this_year = under()
        .filter(candidate::Column::DecidedOn.between(
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ))
        .count(&app.db)
        .await?;
    let order = Ranked::first_met(vec![overdue, open], candidate::Column::Id);
    let page = ranked_page::<_, i64>(&app.db, under(), order, after, per_page).await?;
    let candidates = candidate_views(app, actor, page.rows).await?;
    let is_cell = UnitKind::from_code(&root.kind).is_some_and(|k| k.is_cell());
    let can_propose = is_cell && actor.can_manage_members(&root);
    let introducers = if can_propose {
        let rules = rules.admission;
        let today = App::today();
        lookup::roll(app, &root, today)
            .await?
            .into_iter()
            .filter(|r| !r.visiting && rules.may_introduce(r.member.official_date, today))
            .map(|r| MemberRef {
                id: r.member.id,
                name: r.member.full_name,
            })
            .collect()
    } else {
        vec![]
    };
    Ok(CandidateList {
        overdue: overdue_count as u32,
        admitted_this_year: admitted_this_year as u32,
        procedure: procedure_text(&rules),
        next: page.next,
        unit: UnitRef {
            id: root.id,
            name: root.name.clone(),
        },
        candidates,
        can_propose,
        introducers,
    })
}

/// A cell proposes a candidate (an outstanding non-member).
pub async fn propose(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: CandidateInput,
) -> AppResult<CandidateView> {
    let cell = actor.visible(units::find(&app.db, unit_id).await?)?;
    if !UnitKind::from_code(&cell.kind).is_some_and(|k| k.is_cell()) || cell.dissolved_on.is_some()
    {
        return Err(AppError::invalid(
            "unit_id",
            "Quần chúng ưu tú được giới thiệu qua một chi bộ đang hoạt động.",
        ));
    }
    actor.require(actor.can_manage_members(&cell))?;
    let mut e = Invalid::new();
    let full_name =
        validate::required_text(&mut e, "full_name", "họ và tên", &input.full_name, 255);
    let dob = validate::date_field(
        &mut e,
        "date_of_birth",
        "ngày sinh",
        input.date_of_birth.as_deref(),
        true,
    );
    let sex = Sex::from_code(input.sex.trim());
    if sex.is_none() {
        e.push("sex", "Vui lòng chọn giới tính.");
    }
    let ethnicity = validate::optional_text(
        &mut e,
        "ethnicity",
        "dân tộc",
        input.ethnicity.as_deref(),
        64,
    )
    .unwrap_or_else(|| "Kinh".into());
    let citizen_id = validate::check_citizen_id(&mut e, "citizen_id", input.citizen_id.as_deref());
    let phone = validate::check_phone(&mut e, "phone", input.phone.as_deref());
    if dob.is_some_and(|d| age_on(d, App::today()) < 16) {
        e.push(
            "date_of_birth",
            "Quần chúng được giới thiệu phải từ 16 tuổi trở lên.",
        );
    }
    if let Some(c) = &citizen_id {
        let taken = member::Entity::find()
            .filter(member::Column::CitizenId.eq(c.as_str()))
            .count(&app.db)
            .await?
            + candidate::Entity::find()
                .filter(candidate::Column::CitizenId.eq(c.as_str()))
                .count(&app.db)
                .await?;
        if taken > 0 {
            e.push(
                "citizen_id",
                "Số CCCD này đã có trong hồ sơ đảng viên hoặc quần chúng ưu tú.",
            );
        }
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let saved = candidate::ActiveModel {
        unit_id: Set(cell.id),
        full_name: Set(full_name),
        date_of_birth: Set(dob.expect("checked")),
        sex: Set(sex.expect("checked").code().to_string()),
        ethnicity: Set(ethnicity),
        citizen_id: Set(citizen_id),
        phone: Set(phone),
        stage: Set(Stage::Candidate.code().to_string()),
        class_on: Set(None),
        class_certificate: Set(String::new()),
        applied_on: Set(None),
        introducer_member_id: Set(None),
        introducer_known_since: Set(None),
        failed_votes: Set(0),
        voted_on: Set(None),
        decided_on: Set(None),
        decision: Set(String::new()),
        ceremony_on: Set(None),
        member_id: Set(None),
        reviewed_on: Set(None),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        recognition_failed_votes: Set(0),
        recognition_voted_on: Set(None),
        recognition_extended: Set(false),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "candidate.propose",
        "candidate",
        Some(saved.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(candidate_views(app, actor, vec![saved]).await?.remove(0))
}

/// The cell of a candidate the actor may see (for the way back to its list).
pub async fn unit_of(app: &App, actor: &Actor, id: i64) -> AppResult<i64> {
    let c = candidate::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(actor.visible(units::find(&app.db, c.unit_id).await?)?.id)
}
