//! Party badges: who is due at an award day in a committee's subtree, recording awards (once per
//! milestone, checked against the rules) and the disciplinary measures that delay them.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::badges::{BadgeRules, Discipline, Early};
use chibo_domain::member as member_rules;
use chibo_domain::rules::MemberRules;
use chibo_domain::validate;
use chibo_store::entities::{member, member_badge, member_discipline, member_event};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
};
use chibo_store::{is_unique_violation, write_tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::members;
use crate::membership::members::{domain_events, status_of};
use crate::membership::party_gaps;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadgeView {
    pub id: i64,
    pub years: u32,
    pub awarded_on: NaiveDate,
    pub early: String,
    pub early_label: String,
    pub decision: String,
    /// Given outside the occasions, in a special case the provincial standing committee decided.
    pub special: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisciplineView {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub decided_on: NaiveDate,
    pub decision: String,
}

/// The next badge a member can receive.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextBadge {
    pub years: u32,
    /// The day party age reaches the milestone (gaps deducted).
    pub reached_on: NaiveDate,
    /// The first day it may be given (discipline delays included).
    pub eligible_from: NaiveDate,
    /// The award day it falls on.
    pub award_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberBadges {
    pub member_id: i64,
    pub awards: Vec<BadgeView>,
    pub disciplines: Vec<DisciplineView>,
    pub next: Option<NextBadge>,
    /// May record awards (the superior committee).
    pub can_award: bool,
    /// May record disciplinary measures (the cell's officers and the committee above).
    pub can_discipline: bool,
    /// The rules these figures follow, each with its source.
    pub basis: Vec<String>,
    /// The milestones and the award days of those rules ("3/2 (Ngày thành lập Đảng), …").
    pub milestones: Vec<u32>,
    pub occasions: String,
}

/// The badge rules of a set as lines a reader checks the figures against, with their sources.
pub(crate) fn badge_basis(r: &MemberRules) -> Vec<String> {
    [
        ("Mốc tuổi đảng", "badges.milestones"),
        ("Ngày trao tặng", "badges.occasions"),
        ("Khiển trách lùi", "badges.delay_reprimand_months"),
        ("Cảnh cáo lùi", "badges.delay_warning_months"),
        ("Cách chức lùi", "badges.delay_dismissal_months"),
    ]
    .iter()
    .map(|(what, key)| format!("{what}: {}", r.basis(key)))
    .collect()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AwardInput {
    pub years: u32,
    /// One of the rule set's occasions (3/2, 19/5, 2/9, 7/11 by default), or any day for a
    /// special case.
    pub awarded_on: Option<String>,
    /// `none` (default), `seriously_ill` or `posthumous`.
    pub early: Option<String>,
    /// The awarding decision, e.g. "Quyết định số 125-QĐ/TU ngày 28/01/2027".
    pub decision: String,
    /// A special case the provincial standing committee decided: any day, not only the
    /// occasions of the rule set (the decision names it).
    pub special: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DisciplineInput {
    /// `reprimand`, `warning` or `dismissal`.
    pub kind: String,
    pub decided_on: Option<String>,
    pub decision: String,
}

fn badge_view(b: member_badge::Model) -> BadgeView {
    let early = Early::from_code(&b.early).unwrap_or(Early::No);
    BadgeView {
        id: b.id,
        years: b.years.max(0) as u32,
        awarded_on: b.awarded_on,
        early: b.early,
        early_label: early.label().to_string(),
        decision: b.decision,
        special: b.special,
    }
}

fn discipline_view(d: member_discipline::Model) -> DisciplineView {
    DisciplineView {
        id: d.id,
        kind_label: Discipline::from_code(&d.kind)
            .map(|k| k.label().to_string())
            .unwrap_or_default(),
        kind: d.kind,
        decided_on: d.decided_on,
        decision: d.decision,
    }
}

/// Which members a lookup is for.
pub(crate) enum Of {
    One(i64),
    /// The members of one batch of a paged list: as many ids as a page reads, never a
    /// subtree's.
    Batch(Vec<i64>),
}

impl Of {
    fn on(&self, column: impl ColumnTrait) -> Condition {
        match self {
            Of::One(id) => Condition::all().add(column.eq(*id)),
            Of::Batch(ids) => Condition::all().add(column.is_in(ids.clone())),
        }
    }
}

/// Party-age gaps of each member: from their status events and entered by hand, merged.
/// `of`: which members, as a condition on a `member_id` column (one id, or a page's batch).
pub(crate) async fn gaps_by_member(
    app: &App,
    ms: &[member::Model],
    of: &Of,
) -> AppResult<HashMap<i64, Vec<(NaiveDate, Option<NaiveDate>)>>> {
    let events = member_event::Entity::find()
        .filter(of.on(member_event::Column::MemberId))
        .order_by_asc(member_event::Column::EffectiveOn)
        .order_by_asc(member_event::Column::Id)
        .all(&app.db)
        .await?;
    let mut by: HashMap<i64, Vec<member_event::Model>> = HashMap::new();
    for e in events {
        by.entry(e.member_id).or_default().push(e);
    }
    let recorded = party_gaps::recorded_by_member(
        &app.db,
        of.on(chibo_store::entities::party_age_gap::Column::MemberId),
    )
    .await?;
    Ok(ms
        .iter()
        .map(|m| {
            let evs = by.get(&m.id).map(Vec::as_slice).unwrap_or(&[]);
            let from_events = member_rules::gaps(status_of(&m.initial_status), &domain_events(evs));
            let entered = recorded.get(&m.id).map(Vec::as_slice).unwrap_or(&[]);
            (m.id, party_gaps::deducted(from_events, entered))
        })
        .collect())
}

/// The badge a member is next up for: the highest milestone above the badges they hold that
/// their party age reaches by `by`, else the first one ahead; with the dates that decide it.
pub(crate) fn next_badge(
    rules: &BadgeRules,
    admission: NaiveDate,
    gaps: &[(NaiveDate, Option<NaiveDate>)],
    awarded: &[u32],
    disciplines: &[(Discipline, NaiveDate)],
    by: NaiveDate,
) -> Option<NextBadge> {
    let top = awarded.iter().copied().max().unwrap_or(0);
    let ahead: Vec<(u32, NaiveDate)> = rules
        .milestones
        .iter()
        .filter(|y| **y > top)
        .map(|&y| (y, member_rules::anniversary(admission, gaps, y)))
        .collect();
    let (years, reached_on) = ahead
        .iter()
        .rev()
        .find(|(_, reached)| *reached <= by)
        .or_else(|| ahead.first())
        .copied()?;
    let eligible_from = rules.eligible_from(reached_on, years, Early::No, disciplines);
    Some(NextBadge {
        years,
        reached_on,
        eligible_from,
        award_on: rules.award_day_from(eligible_from),
    })
}

pub(crate) async fn disciplines_of(
    app: &App,
    of: &Of,
) -> AppResult<HashMap<i64, Vec<member_discipline::Model>>> {
    let mut out: HashMap<i64, Vec<member_discipline::Model>> = HashMap::new();
    for d in member_discipline::Entity::find()
        .filter(of.on(member_discipline::Column::MemberId))
        .order_by_asc(member_discipline::Column::DecidedOn)
        .all(&app.db)
        .await?
    {
        out.entry(d.member_id).or_default().push(d);
    }
    Ok(out)
}

pub(crate) async fn awards_of(
    app: &App,
    of: &Of,
) -> AppResult<HashMap<i64, Vec<member_badge::Model>>> {
    let mut out: HashMap<i64, Vec<member_badge::Model>> = HashMap::new();
    for b in member_badge::Entity::find()
        .filter(of.on(member_badge::Column::MemberId))
        .order_by_asc(member_badge::Column::Years)
        .all(&app.db)
        .await?
    {
        out.entry(b.member_id).or_default().push(b);
    }
    Ok(out)
}

pub(crate) fn measures(ds: &[member_discipline::Model]) -> Vec<(Discipline, NaiveDate)> {
    ds.iter()
        .filter_map(|d| Discipline::from_code(&d.kind).map(|k| (k, d.decided_on)))
        .collect()
}

/// A member's badges, disciplinary measures and next badge.
pub async fn for_member(app: &App, actor: &Actor, member_id: i64) -> AppResult<MemberBadges> {
    let (m, u) = members::visible(app, actor, member_id).await?;
    let all = crate::rules::members::rules_for(&app.db, &u, App::today()).await?;
    let rules = &all.badges;
    let one = Of::One(m.id);
    let gaps = gaps_by_member(app, std::slice::from_ref(&m), &one).await?;
    let awards = awards_of(app, &one)
        .await?
        .remove(&m.id)
        .unwrap_or_default();
    let ds = disciplines_of(app, &one)
        .await?
        .remove(&m.id)
        .unwrap_or_default();
    let held: Vec<u32> = awards.iter().map(|b| b.years.max(0) as u32).collect();
    let on_roll = status_of(&m.status).on_roll();
    let next = on_roll
        .then(|| {
            next_badge(
                rules,
                m.admission_date,
                gaps.get(&m.id).map(Vec::as_slice).unwrap_or(&[]),
                &held,
                &measures(&ds),
                rules.award_day_from(App::today()),
            )
        })
        .flatten();
    Ok(MemberBadges {
        member_id: m.id,
        awards: awards.into_iter().map(badge_view).collect(),
        disciplines: ds.into_iter().map(discipline_view).collect(),
        next,
        can_award: actor.supervises(&u),
        can_discipline: actor.may_manage(&u),
        basis: badge_basis(&all),
        milestones: all.badges.milestones.clone(),
        occasions: all.badges.occasions_text(),
    })
}

/// Records a badge given to a member, checked against the rules; each milestone once.
pub async fn award(
    app: &App,
    actor: &Actor,
    member_id: i64,
    input: AwardInput,
) -> AppResult<MemberBadges> {
    let (m, u) = members::visible(app, actor, member_id).await?;
    if !actor.can_read_path(&m.unit_path) {
        return Err(AppError::NotFound);
    }
    actor.require(actor.supervises(&u))?;
    let mut e = Invalid::new();
    let awarded_on = validate::date_field(
        &mut e,
        "awarded_on",
        "ngày trao",
        input.awarded_on.as_deref(),
        true,
    );
    // Judged by the badge rules in force for the member's unit on the award day.
    let rules = crate::rules::members::rules_for(&app.db, &u, awarded_on.unwrap_or(App::today()))
        .await?
        .badges;
    let early = match input
        .early
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(Early::No),
        Some(code) => Early::from_code(code).or_else(|| {
            e.push("early", "Lý do xét tặng sớm không hợp lệ.");
            None
        }),
    };
    let decision =
        validate::required_text(&mut e, "decision", "quyết định tặng", &input.decision, 255);
    let status = status_of(&m.status);
    if early == Some(Early::Posthumous) && status != chibo_domain::member::Status::Deceased {
        e.push("early", "Chỉ truy tặng cho đảng viên đã từ trần.");
    }
    if early != Some(Early::Posthumous) && !status.on_roll() {
        e.push(
            "member_id",
            format!(
                "Đảng viên {} ({}).",
                status.label().to_lowercase(),
                m.full_name
            ),
        );
    }
    e.into_result()?;
    let (awarded_on, early) = (awarded_on.expect("checked"), early.expect("checked"));
    if awarded_on > App::today() + chrono::Duration::days(366) {
        return Err(AppError::invalid(
            "awarded_on",
            "Ngày trao quá xa trong tương lai.",
        ));
    }
    let gaps = gaps_by_member(app, std::slice::from_ref(&m), &Of::One(m.id)).await?;
    let reached = member_rules::anniversary(
        m.admission_date,
        gaps.get(&m.id).map(Vec::as_slice).unwrap_or(&[]),
        input.years,
    );
    let ds = disciplines_of(app, &Of::One(m.id))
        .await?
        .remove(&m.id)
        .unwrap_or_default();
    rules
        .check_award(
            input.years,
            awarded_on,
            reached,
            early,
            &measures(&ds),
            input.special,
        )
        .map_err(|msg| AppError::invalid("years", msg))?;
    let twice = || {
        AppError::invalid(
            "years",
            format!(
                "{} đã được ghi nhận Huy hiệu {} năm tuổi Đảng.",
                m.full_name, input.years
            ),
        )
    };
    let tx = write_tx(&app.db).await?;
    let saved = member_badge::ActiveModel {
        member_id: Set(m.id),
        years: Set(input.years as i32),
        awarded_on: Set(awarded_on),
        early: Set(early.code().to_string()),
        decision: Set(decision),
        special: Set(input.special),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            twice()
        } else {
            err.into()
        }
    })?;
    audit::record(
        &tx,
        Some(actor),
        "member.badge",
        "member",
        Some(m.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    for_member(app, actor, member_id).await
}

/// Records a disciplinary measure (it delays the member's next badge).
pub async fn discipline(
    app: &App,
    actor: &Actor,
    member_id: i64,
    input: DisciplineInput,
) -> AppResult<MemberBadges> {
    let (m, u) = members::visible(app, actor, member_id).await?;
    if !actor.can_read_path(&m.unit_path) {
        return Err(AppError::NotFound);
    }
    actor.require(actor.can_manage_members(&u))?;
    let mut e = Invalid::new();
    let kind = Discipline::from_code(input.kind.trim());
    if kind.is_none() {
        e.push(
            "kind",
            "Chọn hình thức kỷ luật: khiển trách, cảnh cáo hoặc cách chức.",
        );
    }
    let decided_on = validate::date_field(
        &mut e,
        "decided_on",
        "ngày quyết định",
        input.decided_on.as_deref(),
        true,
    );
    if decided_on.is_some_and(|d| d > App::today()) {
        e.push("decided_on", "Ngày quyết định kỷ luật chưa đến.");
    }
    if decided_on.is_some_and(|d| d < m.admission_date) {
        e.push("decided_on", "Ngày quyết định kỷ luật trước ngày vào Đảng.");
    }
    let decision = validate::required_text(
        &mut e,
        "decision",
        "quyết định kỷ luật",
        &input.decision,
        255,
    );
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let saved = member_discipline::ActiveModel {
        member_id: Set(m.id),
        kind: Set(kind.expect("checked").code().to_string()),
        decided_on: Set(decided_on.expect("checked")),
        decision: Set(decision),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "member.discipline",
        "member",
        Some(m.id),
        None::<&()>,
        Some(&saved),
    )
    .await?;
    tx.commit().await?;
    for_member(app, actor, member_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn next_badge_is_the_highest_reached_above_those_held() {
        let r = BadgeRules::default();
        let by = d(2027, 2, 3);
        // Admitted 1985: 40 years reached in 2025, 45 not yet.
        let n = next_badge(&r, d(1985, 3, 1), &[], &[], &[], by).unwrap();
        assert_eq!(
            (n.years, n.reached_on, n.award_on),
            (40, d(2025, 3, 1), d(2025, 5, 19))
        );
        let n = next_badge(&r, d(1985, 3, 1), &[], &[30, 40], &[], by).unwrap();
        assert_eq!((n.years, n.award_on), (45, d(2030, 5, 19)));
        // A year out of the Party pushes the anniversary back.
        let gaps = [(d(1990, 1, 1), Some(d(1991, 1, 1)))];
        let n = next_badge(&r, d(1985, 3, 1), &gaps, &[30], &[], by).unwrap();
        assert_eq!((n.years, n.reached_on), (40, d(2026, 3, 1)));
        // Discipline delays whatever is next: a warning six months (domain.md §3).
        let w = [(Discipline::Warning, d(2026, 12, 1))];
        let n = next_badge(&r, d(1985, 3, 1), &[], &[30], &w, by).unwrap();
        assert_eq!((n.years, n.eligible_from), (40, d(2027, 6, 1)));
        assert!(next_badge(&r, d(1930, 1, 1), &[], &[90], &[], by).is_none());
    }
}
