//! The attendance sheet of a meeting for those who read it whole (its officers and the superior
//! committee), and the held part of the page (record, tasks, score, signatures) computed from
//! it. The page reads both once; a write that changes them answers with them.

use std::collections::HashMap;

use chibo_domain::member::Status;
use chibo_domain::rules::{self as rules_domain, Presence, RuleSet, Standing};
use chibo_store::entities::{meeting_attendance, meeting_record};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, CellProof, MeetingOf, SheetProof};
use crate::meetings::held::{self, HeldDetail};
use crate::meetings::lookup::{
    AttendanceSummary, RollEntry, SheetRow, presence_of, roll, rule_set_of, standing_code,
    standing_label,
};
use crate::meetings::notice::{self, Lead};
use crate::{App, AppResult};

/// Who was expected, who came, and the figures the attendance rule judges.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceSheet {
    /// Members expected at the meeting (working, suspended…), in Vietnamese order.
    pub sheet: Vec<SheetRow>,
    /// Exempt members and those transferred out for the time being, listed apart.
    pub apart: Vec<SheetRow>,
    pub summary: AttendanceSummary,
}

impl AttendanceSheet {
    /// Every line, the ones listed apart too.
    pub fn everyone(&self) -> impl Iterator<Item = &SheetRow> {
        self.sheet.iter().chain(&self.apart)
    }
}

/// The whole sheet of the meeting `h`, judged by `rules`.
pub(crate) async fn attendance_sheet(
    app: &App,
    h: &impl SheetProof,
    rules: &RuleSet,
) -> AppResult<AttendanceSheet> {
    let m = &h.meeting;
    let recorded: HashMap<i64, meeting_attendance::Model> = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|a| (a.member_id, a))
        .collect();
    let mut sheet = Vec::new();
    let mut apart = Vec::new();
    let mut counted: Vec<(Standing, Presence)> = Vec::new();
    let mut not_recorded = 0;
    let mut unexcused_names = Vec::new();
    for RollEntry {
        member: mem,
        standing,
        unit_name,
        visiting,
    } in roll(app, h, m.meeting_date).await?
    {
        let rec = recorded.get(&mem.id);
        let presence = rec.and_then(|r| presence_of(&r.presence));
        match presence {
            Some(p) => counted.push((standing, p)),
            None if matches!(
                standing,
                Standing::Working | Standing::Suspended | Standing::Detained
            ) =>
            {
                not_recorded += 1
            }
            None => {}
        }
        if presence == Some(Presence::AbsentUnexcused) {
            unexcused_names.push(mem.full_name.clone());
        }
        let row = SheetRow {
            member_id: mem.id,
            full_name: mem.full_name.clone(),
            unit_name,
            standing: standing_code(standing).to_string(),
            standing_label: standing_label(standing).to_string(),
            transferred_in: mem.initial_status == Status::TransferredInTemp.code() || visiting,
            official: mem.official_date.is_some_and(|d| d <= m.meeting_date),
            presence: rec.map(|r| r.presence.clone()),
            reason: rec.and_then(|r| r.reason.clone()),
            checked_in: rec.is_some_and(|r| r.checked_in_at.is_some()),
        };
        if matches!(
            standing,
            Standing::Exempt | Standing::TransferredOutTemp | Standing::SpecialDuty
        ) {
            apart.push(row);
        } else {
            sheet.push(row);
        }
    }
    let a = rules_domain::attendance(&counted);
    let summary = AttendanceSummary {
        expected: a.expected,
        present: a.present,
        absent_excused: a.absent_excused,
        absent_unexcused: a.absent_unexcused,
        exempt_present: a.exempt_present,
        not_recorded,
        rate_text: chibo_domain::text::percent_text(a.present.into(), a.expected.into()),
        threshold_text: rules.attendance_threshold.text(),
        threshold_met: a.expected > 0 && a.met(rules.attendance_threshold),
        unexcused_names,
    };
    Ok(AttendanceSheet {
        sheet,
        apart,
        summary,
    })
}

/// The held part of the page, computed from the sheet and the lead already read.
pub(crate) async fn held_part<P>(
    app: &App,
    actor: &Actor,
    h: &P,
    rules: &RuleSet,
    attendance: &AttendanceSheet,
    (lead, record): (Lead, Option<&meeting_record::Model>),
) -> AppResult<HeldDetail>
where
    P: CellProof + std::ops::Deref<Target = MeetingOf>,
{
    let everyone: Vec<SheetRow> = attendance.everyone().cloned().collect();
    let mut detail = held::held_detail(
        app,
        held::Held {
            m: &h.meeting,
            rules,
            summary: &attendance.summary,
            sheet: &everyone,
            lead,
            record,
        },
    )
    .await?;
    detail.can_review = actor.adjusts_scores_of(&h.cell);
    if detail.record.chair.is_none() {
        detail.cell_secretary_id = crate::membership::members::officers_on(
            &app.db,
            h.meeting.unit_id,
            h.meeting.meeting_date,
        )
        .await?
        .into_iter()
        .find(|p| p.kind == "secretary")
        .map(|p| p.member_id);
    }
    Ok(detail)
}

/// The held part after a change to the record, the tasks or the score: the whole sheet and the
/// lead read again, without the rest of the page. Callers are the cell's officers, the
/// superior committee, or the chair and minute-taker checking the minutes they sign.
pub(crate) async fn held_after_change(
    app: &App,
    actor: &Actor,
    h: &impl SheetProof,
) -> AppResult<HeldDetail> {
    let (rules, _) = rule_set_of(app, &h.meeting).await?;
    let attendance = attendance_sheet(app, h, &rules).await?;
    let record = notice::record_of(app, h.meeting.id).await?;
    let lead = notice::lead_of(app, h, record.as_ref()).await?;
    held_part(app, actor, h, &rules, &attendance, (lead, record.as_ref())).await
}
