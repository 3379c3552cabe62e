//! Who of a meeting's members was reached by its notice: for each member on the roll, whether
//! they opened it in chibo, and what became of its email and SMS. The secretary prints an
//! invitation for each one not reached (the notice has to reach every member, Hướng dẫn 42).

use std::collections::HashMap;

use chibo_domain::notify::{Channel, DeliveryStatus, NoticeKind};
use chibo_store::entities::{notification, outbox};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::meetings::lookup::{self, MeetingView};
use crate::refs::MemberRef;
use crate::{App, AppResult};

/// One member and how the notice reached them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReachedRow {
    pub member: MemberRef,
    /// Told in chibo's list (the notice was published while they were on the roll).
    pub told: bool,
    /// Opened it in chibo.
    pub read: bool,
    /// What became of its email and SMS (`queued`, `sending`, `sent`, `failed`), and the
    /// words; `null`: none was sent by that channel.
    pub email: Option<String>,
    pub email_label: Option<String>,
    pub sms: Option<String>,
    pub sms_label: Option<String>,
    /// Read in chibo, or an email or SMS delivered.
    pub reached: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reached {
    pub meeting: MeetingView,
    pub rows: Vec<ReachedRow>,
    pub reached: u32,
    pub not_reached: u32,
}

/// The reach of meeting `id`'s notice, for those who manage its cell: the members on the roll
/// on its day (the attendance sheet's list), in its order.
pub async fn of_meeting(app: &App, actor: &Actor, id: i64) -> AppResult<Reached> {
    let m = lookup::find(app, id).await?;
    let cell = lookup::visible_cell(app, actor, m.unit_id).await?;
    let h = actor.manages_meeting(m, cell)?;
    let roll = lookup::roll(app, &h, h.meeting.meeting_date).await?;
    let kind = NoticeKind::MeetingPublished.code();
    let read: HashMap<i64, bool> = notification::Entity::find()
        .filter(notification::Column::MeetingId.eq(id))
        .filter(notification::Column::Kind.eq(kind))
        .all(&app.db)
        .await?
        .into_iter()
        .filter_map(|n| Some((n.member_id?, n.read_at.is_some())))
        .collect();
    let mut sent: HashMap<(i64, String), String> = HashMap::new();
    for o in outbox::Entity::find()
        .filter(outbox::Column::MeetingId.eq(id))
        .filter(outbox::Column::Kind.eq(kind))
        .all(&app.db)
        .await?
    {
        sent.insert((o.member_id, o.channel), o.status);
    }
    let label = |s: &Option<String>| {
        s.as_deref()
            .and_then(DeliveryStatus::from_code)
            .map(|d| d.label().to_string())
    };
    let delivered = DeliveryStatus::Sent.code();
    let rows: Vec<ReachedRow> = roll
        .into_iter()
        .map(|r| {
            let mid = r.member.id;
            let email = sent.get(&(mid, Channel::Email.code().into())).cloned();
            let sms = sent.get(&(mid, Channel::Sms.code().into())).cloned();
            let was_read = read.get(&mid).copied().unwrap_or(false);
            ReachedRow {
                member: MemberRef {
                    id: mid,
                    name: r.member.full_name.clone(),
                },
                told: read.contains_key(&mid),
                read: was_read,
                email_label: label(&email),
                sms_label: label(&sms),
                reached: was_read
                    || email.as_deref() == Some(delivered)
                    || sms.as_deref() == Some(delivered),
                email,
                sms,
            }
        })
        .collect();
    let reached = rows.iter().filter(|r| r.reached).count() as u32;
    Ok(Reached {
        meeting: lookup::meeting_view_after_change(app, &h.meeting).await?,
        not_reached: rows.len() as u32 - reached,
        reached,
        rows,
    })
}
