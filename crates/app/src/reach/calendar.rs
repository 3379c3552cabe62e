//! Calendar feeds: a secret address a member (their own meetings and those of the cells they
//! follow) or a cell's officer (the cell's meetings) gives their calendar, which fetches it
//! again every few hours; and the `.ics` of one meeting.
//!
//! A feed reads as the account that made it, with that account's rights when it is read: an
//! account disabled, or an officer who no longer manages the cell, gets nothing. Only the
//! secret's hash is kept, so the address is shown once, when it is made; making another
//! replaces it (the old address stops working), and it can be turned off.

use std::collections::HashMap;

use chibo_domain::ids::MemberId;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::rules::RuleSet;
use chibo_export::calendar::CalendarEvent;
use chibo_store::entities::{calendar_feed, meeting, meeting_record};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use chibo_store::write_tx;
use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, auth};
use crate::meetings::detail::{cells_of_member, seen_by_attendees};
use crate::meetings::lookup::{self, meeting_status};
use crate::meetings::notice::agenda_of;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult, audit};

/// How far back a feed reaches: a year of meetings, and every one to come.
const FEED_DAYS_BACK: i64 = 366;
/// The most meetings a feed lists (a cell holds about twenty a year; an officer following
/// many cells more).
const FEED_LIMIT: u64 = 400;

/// A feed as its owner sees it: made when, and (just after it was made) its address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedState {
    /// The cell, for a cell's feed.
    pub cell: Option<UnitRef>,
    /// When the current address was made; `null`: no feed.
    pub created_at: Option<DateTime<Utc>>,
    /// The secret of the address, only in the answer that made it: `/lich/{secret}.ics`.
    pub secret: Option<String>,
}

/// The path of a feed's address on the server.
pub fn feed_path(secret: &str) -> String {
    format!("/lich/{secret}.ics")
}

/// What a calendar file holds: its name and its meetings.
#[derive(Debug, Clone)]
pub struct Feed {
    pub name: String,
    pub events: Vec<CalendarEvent>,
}

/// Whose feed: the actor's own meetings, or a cell's.
#[derive(Debug, Clone, Copy)]
pub enum FeedOf {
    Mine,
    Cell(i64),
}

impl FeedOf {
    fn unit_id(self) -> Option<i64> {
        match self {
            FeedOf::Mine => None,
            FeedOf::Cell(id) => Some(id),
        }
    }
}

/// Checks the actor may have this feed: their own needs a member record; a cell's, that they
/// manage the cell (answered).
async fn may_have(app: &App, actor: &Actor, of: FeedOf) -> AppResult<Option<UnitRef>> {
    match of {
        FeedOf::Mine if actor.member_id().is_none() => Err(AppError::invalid(
            "feed",
            "Tài khoản này không gắn với đảng viên nào nên không có lịch sinh hoạt riêng.",
        )),
        FeedOf::Mine => Ok(None),
        FeedOf::Cell(id) => {
            let cell = actor.manages(lookup::visible_cell(app, actor, id).await?)?;
            Ok(Some(UnitRef {
                id: cell.id,
                name: cell.name.clone(),
            }))
        }
    }
}

fn owned(actor: &Actor, of: FeedOf) -> chibo_store::sea_orm::Select<calendar_feed::Entity> {
    let q = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(actor.user_id().get()));
    match of.unit_id() {
        Some(id) => q.filter(calendar_feed::Column::UnitId.eq(id)),
        None => q.filter(calendar_feed::Column::UnitId.is_null()),
    }
}

/// The actor's feed `of`, if made (an account without a member record has none of its own,
/// and may not make one).
pub async fn state(app: &App, actor: &Actor, of: FeedOf) -> AppResult<FeedState> {
    let cell = match of {
        FeedOf::Mine => None,
        FeedOf::Cell(_) => may_have(app, actor, of).await?,
    };
    let row = owned(actor, of).one(&app.db).await?;
    Ok(FeedState {
        cell,
        created_at: row.map(|r| r.created_at),
        secret: None,
    })
}

/// What the audit log calls a feed's change, and the record it is about.
fn audited(actor: &Actor, of: FeedOf, stop: bool) -> (&'static str, &'static str, i64) {
    match (of, stop) {
        (FeedOf::Mine, false) => ("user.calendar", "user", actor.user_id().get()),
        (FeedOf::Mine, true) => ("user.calendar_stop", "user", actor.user_id().get()),
        (FeedOf::Cell(id), false) => ("unit.calendar", "unit", id),
        (FeedOf::Cell(id), true) => ("unit.calendar_stop", "unit", id),
    }
}

/// Makes a new address for the feed, replacing the old one; answers its secret.
pub async fn make(app: &App, actor: &Actor, of: FeedOf) -> AppResult<FeedState> {
    let cell = may_have(app, actor, of).await?;
    let secret = auth::new_secret();
    let now = Utc::now();
    let tx = write_tx(&app.db).await?;
    let old = owned(actor, of).all(&tx).await?;
    for r in &old {
        calendar_feed::Entity::delete_by_id(r.id).exec(&tx).await?;
    }
    calendar_feed::ActiveModel {
        token_hash: Set(auth::digest(&secret)),
        user_id: Set(actor.user_id().get()),
        unit_id: Set(of.unit_id()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let (action, entity, id) = audited(actor, of, false);
    audit::record(
        &tx,
        Some(actor),
        action,
        entity,
        Some(id),
        None::<&()>,
        Some(&now),
    )
    .await?;
    tx.commit().await?;
    Ok(FeedState {
        cell,
        created_at: Some(now),
        secret: Some(secret),
    })
}

/// Turns the feed off: its address stops working.
pub async fn stop(app: &App, actor: &Actor, of: FeedOf) -> AppResult<FeedState> {
    let cell = may_have(app, actor, of).await?;
    let tx = write_tx(&app.db).await?;
    let old = owned(actor, of).all(&tx).await?;
    if old.is_empty() {
        return Err(AppError::invalid(
            "feed",
            "Chưa có địa chỉ lịch nào để tắt.",
        ));
    }
    for r in &old {
        calendar_feed::Entity::delete_by_id(r.id).exec(&tx).await?;
    }
    let (action, entity, id) = audited(actor, of, true);
    audit::record(
        &tx,
        Some(actor),
        action,
        entity,
        Some(id),
        Some(&old[0].created_at),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(FeedState {
        cell,
        created_at: None,
        secret: None,
    })
}

/// The feed at secret address `secret`, read with the rights its account has now; `NotFound`
/// for an unknown or turned-off address, or an account that may no longer read it. `base` is
/// the server's address, for the links back to each meeting.
pub async fn feed(app: &App, secret: &str, base: &str) -> AppResult<Feed> {
    let row = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(auth::digest(secret)))
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = auth::load_actor(app, row.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let since = App::today() - Duration::days(FEED_DAYS_BACK);
    let q = meeting::Entity::find().filter(meeting::Column::MeetingDate.gte(since));
    let (name, q) = match row.unit_id {
        None => {
            let mid = actor
                .member_id()
                .map(MemberId::get)
                .ok_or(AppError::NotFound)?;
            let name = format!("Lịch sinh hoạt của {}", actor.display_name());
            let q = q
                .filter(meeting::Column::UnitId.in_subquery(cells_of_member(mid)))
                .filter(seen_by_attendees());
            (name, q)
        }
        Some(id) => {
            // Its officer, still: a feed of what they manage.
            let cell = lookup::visible_cell(app, &actor, id).await?;
            let cell = actor.manages(cell).map_err(|_| AppError::NotFound)?;
            let name = format!("Lịch sinh hoạt {}", cell.name);
            let q = q
                .filter(meeting::Column::UnitId.eq(cell.id))
                .filter(seen_by_attendees());
            (name, q)
        }
    };
    let rows = q
        .order_by_desc(meeting::Column::MeetingDate)
        .order_by_desc(meeting::Column::Id)
        .limit(FEED_LIMIT)
        .all(&app.db)
        .await?;
    Ok(Feed {
        name,
        events: events(app, &rows, base).await?,
    })
}

/// One meeting the actor may see, as a calendar file.
pub async fn meeting_file(app: &App, actor: &Actor, id: i64, base: &str) -> AppResult<Feed> {
    let m = lookup::find(app, id).await?;
    let cell = lookup::visible_cell(app, actor, m.unit_id).await?;
    let seen = actor.sees_meeting(m, cell)?.into_inner();
    let events = events(app, std::slice::from_ref(&seen.meeting), base).await?;
    Ok(Feed {
        name: format!("Sinh hoạt {}", seen.cell.name),
        events,
    })
}

/// The calendar events of `rows`: their cells, rule sets and end times read once for all.
async fn events(app: &App, rows: &[meeting::Model], base: &str) -> AppResult<Vec<CalendarEvent>> {
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let cells =
        crate::lookup::unit_names(&app.db, &rows.iter().map(|m| m.unit_id).collect::<Vec<_>>())
            .await?;
    let sets =
        lookup::rule_sets(app, &rows.iter().map(|m| m.rule_set_id).collect::<Vec<_>>()).await?;
    let ends: HashMap<i64, String> = crate::lookup::by_ids::<meeting_record::Entity, _>(
        &app.db,
        meeting_record::Column::MeetingId,
        &ids,
    )
    .await?
    .into_iter()
    .filter_map(|r| r.end_time.map(|t| (r.meeting_id, t)))
    .collect();
    rows.iter()
        .map(|m| {
            let (rules, _) = &**sets.get(&m.rule_set_id).ok_or(AppError::NotFound)?;
            let cell = cells.get(&m.unit_id).ok_or(AppError::NotFound)?;
            Ok(event_of(
                m,
                cell,
                rules,
                ends.get(&m.id).map(String::as_str),
                base,
            ))
        })
        .collect()
}

/// A meeting as a calendar event: its start, its end as recorded (or the rule's shortest
/// length while it has none), what and where, why it moved or was cancelled, and its link.
fn event_of(
    m: &meeting::Model,
    cell: &str,
    rules: &RuleSet,
    end_time: Option<&str>,
    base: &str,
) -> CalendarEvent {
    let start = NaiveTime::parse_from_str(&m.start_time, "%H:%M").unwrap_or(NaiveTime::MIN);
    let starts = NaiveDateTime::new(m.meeting_date, start);
    let planned = if m.combined && rules.combined_min_duration_minutes > 0 {
        rules.combined_min_duration_minutes
    } else {
        rules.min_duration_minutes
    };
    let ends = end_time
        .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
        .map(|t| {
            let minutes = chibo_domain::rules::minutes_after(start, t);
            starts + Duration::minutes(i64::from(minutes.max(1)))
        })
        .unwrap_or(starts + Duration::minutes(i64::from(planned.max(30))));
    let kind = rules
        .kind(&m.kind)
        .map(|k| k.label.clone())
        .unwrap_or_else(|| m.kind.clone());
    let cancelled = meeting_status(m) == MeetingStatus::Cancelled;
    let url = format!("{}/meetings/{}", base.trim_end_matches('/'), m.id);
    let mut description = format!("Nội dung: {}", m.topic);
    let agenda = agenda_of(m, rules);
    if !agenda.is_empty() {
        description.push_str("\nChương trình:");
        for (i, line) in agenda.iter().enumerate() {
            description.push_str(&format!("\n{}. {line}", i + 1));
        }
    }
    if let (Some(from), Some(why)) = (m.postponed_from, &m.postponed_reason) {
        description.push_str(&format!(
            "\nĐã dời từ ngày {}. Lý do: {why}",
            from.format("%d/%m/%Y")
        ));
    }
    if cancelled {
        let why = m.cancelled_reason.as_deref().unwrap_or("không ghi");
        description.push_str(&format!("\nĐã hủy. Lý do: {why}"));
    }
    description.push_str(&format!("\nXem trên chibo: {url}"));
    let summary = format!("{}{kind} — {cell}", if cancelled { "ĐÃ HỦY: " } else { "" });
    CalendarEvent {
        uid: format!("meeting-{}@chibo", m.id),
        starts,
        ends,
        summary,
        location: m.place.clone(),
        description,
        url,
        cancelled,
    }
}
