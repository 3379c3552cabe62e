//! What a cell's list of meetings shows of each held one beside its notice (issue 13): the
//! attendance, the score's level and whether the minutes are signed off, so a secretary or the
//! superior committee sees the month at a glance. Two statements for a page, whatever its
//! length, binding no list of ids.

use std::collections::HashMap;

use chibo_domain::indicators::Figure;
use chibo_domain::meeting::MeetingStatus;
use chibo_store::entities::{meeting, meeting_approval, meeting_stat};
use chibo_store::sea_orm::sea_query::Query;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::meetings::lookup::rule_sets;
use crate::meetings::signatures::SIGNERS;
use crate::{App, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingLine {
    pub meeting_id: i64,
    /// Members present and members the rate divides by.
    pub present: i32,
    pub sheet_members: i32,
    /// "93,3%", or "—" for a sheet of nobody.
    pub attendance_text: String,
    /// The level of the score ("Tốt"), once every criterion is scored.
    pub level_label: Option<String>,
    /// The chair and the minute-taker have both signed the minutes off.
    pub signed: bool,
}

/// The lines of the held meetings among `rows` (one page of a cell's list).
pub(crate) async fn lines_of(app: &App, rows: &[meeting::Model]) -> AppResult<Vec<MeetingLine>> {
    let held: Vec<&meeting::Model> = rows
        .iter()
        .filter(|m| m.status == MeetingStatus::Held.code())
        .collect();
    if held.is_empty() {
        return Ok(vec![]);
    }
    // The page's held meetings as a subquery (the cell, the page's first and last day), so
    // no list of ids is bound; rows of the span outside the page are simply not looked up.
    let cell = held[0].unit_id;
    let first = held.iter().map(|m| m.meeting_date).min().expect("one held");
    let last = held.iter().map(|m| m.meeting_date).max().expect("one held");
    let page = || {
        Query::select()
            .column(meeting::Column::Id)
            .from(meeting::Entity)
            .and_where(meeting::Column::UnitId.eq(cell))
            .and_where(meeting::Column::Status.eq(MeetingStatus::Held.code()))
            .and_where(meeting::Column::MeetingDate.between(first, last))
            .to_owned()
    };
    let stats: HashMap<i64, meeting_stat::Model> = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::MeetingId.in_subquery(page()))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|s| (s.meeting_id, s))
        .collect();
    let mut roles: HashMap<i64, Vec<String>> = HashMap::new();
    for a in meeting_approval::Entity::find()
        .filter(meeting_approval::Column::MeetingId.in_subquery(page()))
        .all(&app.db)
        .await?
    {
        roles.entry(a.meeting_id).or_default().push(a.role);
    }
    let sets = rule_sets(app, &held.iter().map(|m| m.rule_set_id).collect::<Vec<_>>()).await?;
    Ok(held
        .into_iter()
        .filter_map(|m| {
            let s = stats.get(&m.id)?;
            let level_label = s.level.as_deref().and_then(|code| {
                let (rules, _) = &**sets.get(&m.rule_set_id)?;
                rules
                    .scoring
                    .levels
                    .iter()
                    .find(|l| l.code == code)
                    .map(|l| l.label.clone())
            });
            let signed_by = roles.get(&m.id).cloned().unwrap_or_default();
            Some(MeetingLine {
                meeting_id: m.id,
                present: s.present,
                sheet_members: s.sheet_members,
                attendance_text: Figure::share(
                    s.present.max(0) as u64,
                    s.sheet_members.max(0) as u64,
                )
                .text(),
                level_label,
                signed: SIGNERS.iter().all(|r| signed_by.iter().any(|x| x == r)),
            })
        })
        .collect())
}
