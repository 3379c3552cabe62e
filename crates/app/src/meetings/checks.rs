//! The two figures of a meeting the early warnings read beyond its rule set
//! (`chibo_domain::meeting_checks`): how alike its minutes are to the previous regular
//! meeting's, and the share of its time given to Party work.

use chibo_domain::meeting::MeetingStatus;
use chibo_domain::meeting_checks::{party_time_permille, similarity_permille};
use chibo_store::entities::{meeting, meeting_speech};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use chrono::NaiveTime;

use crate::meetings::held::StepView;
use crate::meetings::notice;
use crate::{App, AppResult};

/// What the minutes record of a meeting in words: its resolution (conclusion) and the
/// summaries of the speeches, in the order they were given.
async fn minutes_text(app: &App, meeting_id: i64) -> AppResult<String> {
    let record = notice::record_of(app, meeting_id).await?;
    let mut text = record.and_then(|r| r.resolution_text).unwrap_or_default();
    let speeches = meeting_speech::Entity::find()
        .filter(meeting_speech::Column::MeetingId.eq(meeting_id))
        .order_by_asc(meeting_speech::Column::Id)
        .all(&app.db)
        .await?;
    for s in speeches {
        text.push('\n');
        text.push_str(&s.summary);
    }
    Ok(text)
}

/// How alike (per mille) the minutes of regular meeting `m` are to those of the cell's
/// previous held regular meeting; `None` for another kind, a first meeting, or minutes with
/// no words.
pub(crate) async fn minutes_similarity(app: &App, m: &meeting::Model) -> AppResult<Option<i32>> {
    if m.kind != "regular" {
        return Ok(None);
    }
    let previous = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(m.unit_id))
        .filter(meeting::Column::Kind.eq("regular"))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held.code()))
        .filter(meeting::Column::MeetingDate.lt(m.meeting_date))
        .order_by_desc(meeting::Column::MeetingDate)
        .order_by_desc(meeting::Column::Id)
        .one(&app.db)
        .await?;
    let Some(previous) = previous else {
        return Ok(None);
    };
    let (this, last) = (
        minutes_text(app, m.id).await?,
        minutes_text(app, previous.id).await?,
    );
    Ok(similarity_permille(&this, &last).map(|s| s as i32))
}

/// The share (per mille) of meeting `m`'s time given to Party work, from the times its steps
/// were ticked; `None` when no step carries a time.
pub(crate) fn party_time(m: &meeting::Model, steps: &[StepView]) -> Option<i32> {
    let start = NaiveTime::parse_from_str(&m.start_time, "%H:%M").ok()?;
    let mut timed: Vec<(&str, NaiveTime)> = steps
        .iter()
        .filter_map(|s| {
            let at = NaiveTime::parse_from_str(s.done_at.as_deref()?, "%H:%M").ok()?;
            Some((s.code.as_str(), at))
        })
        .collect();
    timed.sort_by_key(|(_, at)| chibo_domain::rules::minutes_after(start, *at));
    party_time_permille(start, &timed).map(|p| p as i32)
}
