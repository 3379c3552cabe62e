//! The longest run of absences over a cell's year of regular meetings, which the quality score
//! judges (`held`): read from the attendance of members absent at least once.

use std::collections::HashMap;

use chibo_domain::rules::{self as rules_domain, Presence};
use chibo_store::entities::{meeting, meeting_attendance};
use chibo_store::sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use chrono::{Datelike, NaiveDate};

use crate::meetings::held::is_working;
use crate::meetings::lookup::{SheetRow, presence_code, presence_of};
use crate::{App, AppResult};

/// The longest run of absences of any member on the sheet over the year's regular meetings
/// up to and including this one.
pub(crate) async fn longest_run_this_year(
    app: &App,
    m: &meeting::Model,
    sheet: &[SheetRow],
) -> AppResult<u32> {
    let jan1 = NaiveDate::from_ymd_opt(m.meeting_date.year(), 1, 1).expect("1 January");
    let year = || {
        meeting::Entity::find()
            .filter(meeting::Column::UnitId.eq(m.unit_id))
            .filter(meeting::Column::Kind.eq("regular"))
            .filter(meeting::Column::MeetingDate.gte(jan1))
            .filter(meeting::Column::MeetingDate.lte(m.meeting_date))
    };
    let held = year()
        .order_by_asc(meeting::Column::MeetingDate)
        .order_by_asc(meeting::Column::Id)
        .all(&app.db)
        .await?;
    let order: HashMap<i64, usize> = held.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
    let in_year = || {
        meeting_attendance::Column::MeetingId.in_subquery(
            year()
                .select_only()
                .column(meeting::Column::Id)
                .into_query(),
        )
    };
    // Only members absent at least once have a run: their rows alone are read, not the
    // whole year of the sheet.
    let absent_once = meeting_attendance::Entity::find()
        .select_only()
        .column(meeting_attendance::Column::MemberId)
        .filter(in_year())
        .filter(meeting_attendance::Column::Presence.ne(presence_code(Presence::Present)))
        .into_query();
    let rows = meeting_attendance::Entity::find()
        .filter(in_year())
        .filter(meeting_attendance::Column::MemberId.in_subquery(absent_once))
        .all(&app.db)
        .await?;
    let mut per_member: HashMap<i64, Vec<(usize, Presence)>> = HashMap::new();
    for r in rows {
        // A meeting moved into the year between the two reads has no place: left out.
        let Some(&place) = order.get(&r.meeting_id) else {
            continue;
        };
        let p = presence_of(&r.presence).unwrap_or(Presence::AbsentUnexcused);
        per_member.entry(r.member_id).or_default().push((place, p));
    }
    let mut worst = 0;
    for s in sheet.iter().filter(|s| is_working(s)) {
        if let Some(list) = per_member.get_mut(&s.member_id) {
            list.sort_by_key(|x| x.0);
            let ps: Vec<Presence> = list.iter().map(|x| x.1).collect();
            worst = worst.max(rules_domain::longest_absence_run(&ps));
        }
    }
    Ok(worst)
}
