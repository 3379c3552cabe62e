//! Telling members: every event someone should hear about writes, in the transaction of the
//! change it tells of (the write use cases call it; it imports none of them, and the worker
//! that delivers lives in `reach`), one row per recipient in chibo's own list (`notifications`) and one per
//! recipient and channel in the outbox (email and SMS, by each member's choices), which the
//! worker (`super::worker`) delivers. So a change that rolls back tells no one, and one that
//! commits is never lost. Each is three statements, whatever the size of the cell: the
//! recipients are chosen in SQL, never one by one.

use chibo_domain::member::on_roll_codes;
use chibo_domain::notify::{self, Channel, DeliveryStatus, MeetingFacts, Message, NoticeKind};
use chibo_store::entities::{meeting, meeting_task, notification, unit};
use chibo_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use chibo_store::sql::Sql;
use chrono::{Duration, Utc};

use crate::{App, AppError, AppResult};

/// Who hears of an event.
#[derive(Debug, Clone)]
pub enum Recipients {
    /// One member.
    Member(i64),
    /// The members on the roll of the cell `unit_id` (its party groups included) on day `on`,
    /// those visiting from another cell among them, and the committee member who follows it.
    /// On a past day, wherever they are now: those a restructuring moved elsewhere still hear
    /// of the meetings it cancelled.
    Roll {
        unit_id: i64,
        on: chrono::NaiveDate,
        follower: Option<i64>,
    },
}

/// The page a message links to, on this server.
pub(crate) fn link(app: &App, path: &str) -> String {
    format!(
        "{}{path}",
        app.config.reach.public_url.trim_end_matches('/')
    )
}

/// The meeting as messages tell it; `kind` is its kind's label in its rule set.
async fn facts(
    app: &App,
    db: &impl ConnectionTrait,
    m: &meeting::Model,
    kind: String,
) -> AppResult<(MeetingFacts, unit::Model)> {
    let cell = unit::Entity::find_by_id(m.unit_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let facts = MeetingFacts {
        cell: cell.name.clone(),
        kind,
        topic: m.topic.clone(),
        date: m.meeting_date,
        start_time: m.start_time.clone(),
        place: m.place.clone(),
        moved_from: m.postponed_from.zip(m.postponed_reason.clone()),
        cancelled_reason: m.cancelled_reason.clone(),
        link: link(app, &format!("/meetings/{}", m.id)),
    };
    Ok((facts, cell))
}

/// Tells the members of meeting `m`'s cell, and its follower, of `kind`, in `tx`; `kind_label`
/// is what its rule set calls the meeting's kind ("Sinh hoạt thường kỳ"). Documents posted one
/// after another tell once: not again within half an hour.
pub async fn meeting_event(
    app: &App,
    tx: &impl ConnectionTrait,
    m: &meeting::Model,
    kind: NoticeKind,
    kind_label: String,
) -> AppResult<()> {
    if kind == NoticeKind::DocumentsPosted {
        let recent = notification::Entity::find()
            .filter(notification::Column::MeetingId.eq(m.id))
            .filter(notification::Column::Kind.eq(kind.code()))
            .filter(notification::Column::CreatedAt.gt(Utc::now() - Duration::minutes(30)))
            .count(tx)
            .await?;
        if recent > 0 {
            return Ok(());
        }
    }
    let (facts, cell) = facts(app, tx, m, kind_label).await?;
    let to = Recipients::Roll {
        unit_id: cell.id,
        on: crate::App::today(),
        follower: cell.follower_member_id,
    };
    meeting_event_to(app, tx, m, kind, &facts, &to).await
}

/// Tells the members of the cell of meeting `m` on the day before `from` (and its follower)
/// that it was cancelled: a restructuring from `from` moved them elsewhere, or is about to.
pub async fn meeting_cancelled_from(
    app: &App,
    tx: &impl ConnectionTrait,
    m: &meeting::Model,
    from: chrono::NaiveDate,
    kind_label: String,
) -> AppResult<()> {
    let (facts, cell) = facts(app, tx, m, kind_label).await?;
    let to = Recipients::Roll {
        unit_id: cell.id,
        on: from.pred_opt().unwrap_or(from),
        follower: cell.follower_member_id,
    };
    meeting_event_to(app, tx, m, NoticeKind::MeetingCancelled, &facts, &to).await
}

/// Writes notice `kind` of meeting `m` (told as `facts`) for `to`.
async fn meeting_event_to(
    app: &App,
    tx: &impl ConnectionTrait,
    m: &meeting::Model,
    kind: NoticeKind,
    facts: &MeetingFacts,
    to: &Recipients,
) -> AppResult<()> {
    let message = notify::meeting_message(kind, facts);
    tell(
        app,
        tx,
        to,
        kind,
        &message,
        &format!("/meetings/{}", m.id),
        Some(m.id),
    )
    .await
}

/// Writes `message` for `to`: chibo's list, and the outbox by each one's channels.
pub async fn tell(
    app: &App,
    tx: &impl ConnectionTrait,
    to: &Recipients,
    kind: NoticeKind,
    message: &Message,
    path: &str,
    meeting_id: Option<i64>,
) -> AppResult<()> {
    let letter = Letter::new(app, 0, message, path);
    write(app, tx, kind, meeting_id, &[letter], |sql| Addressees {
        join: format!("JOIN members m ON {}", recipients(sql, to)),
        member: "m.id",
        account: NO_ID,
    })
    .await
}

/// One message of a batch, for its own recipients (`to`: a cell, or an account).
#[derive(Debug, Clone)]
pub struct Letter {
    to: i64,
    title: String,
    body: String,
    sms: String,
    path: String,
}

impl Letter {
    /// `message` for `to`, about page `path` of this server.
    pub fn new(app: &App, to: i64, message: &Message, path: &str) -> Letter {
        // A title is a column of 255 characters; a cell's name may nearly fill it alone.
        let message = Message {
            title: cut(&message.title, 255),
            body: message.body.clone(),
        };
        Letter {
            to,
            sms: notify::sms_text(&message, &link(app, path)),
            title: message.title,
            body: message.body,
            path: path.to_string(),
        }
    }
}

/// Tells the officers of each letter's cell on day `on` (its secretary, deputy and committee
/// members in office, still on the roll of the cell or one of its party groups) of it: three
/// statements a hundred letters.
pub async fn tell_officers(
    app: &App,
    tx: &impl ConnectionTrait,
    kind: NoticeKind,
    on: chrono::NaiveDate,
    letters: &[Letter],
) -> AppResult<()> {
    write(app, tx, kind, None, letters, |sql| {
        let on = sql.bind(on);
        Addressees {
            join: format!(
                "JOIN members m ON m.id IN (SELECT o.member_id FROM positions o \
                   WHERE o.unit_id = v.target AND o.term_from <= {on} \
                   AND (o.term_to IS NULL OR o.term_to > {on})) \
                 AND m.status IN ({statuses}) \
                 AND EXISTS (SELECT 1 FROM member_units r JOIN units g ON g.id = r.unit_id \
                   WHERE r.member_id = m.id AND (g.id = v.target OR g.parent_id = v.target) \
                   AND r.valid_from <= {on} AND (r.valid_to IS NULL OR r.valid_to > {on}))",
                statuses = on_roll(sql)
            ),
            member: "m.id",
            account: NO_ID,
        }
    })
    .await
}

/// Tells each letter's account (active ones): in chibo's list under the account, and by the
/// channels of its member record when it has one.
pub async fn tell_accounts(
    app: &App,
    tx: &impl ConnectionTrait,
    kind: NoticeKind,
    letters: &[Letter],
) -> AppResult<()> {
    write(app, tx, kind, None, letters, |_| Addressees {
        join: "JOIN users u ON u.id = v.target AND u.is_active \
               LEFT JOIN members m ON m.id = u.member_id"
            .into(),
        // The notice is the account's alone: other accounts of its member do not see it.
        member: NO_ID,
        account: "u.id",
    })
    .await
}

/// An empty id, typed for PostgreSQL.
const NO_ID: &str = "CAST(NULL AS BIGINT)";

/// Who a batch of letters goes to: the joins from the letters `v` (`target`, `title`, `body`,
/// `sms`, `path`) to the member `m` whose channels deliver them (each letter reaching a member
/// once), and the member and account a notice in chibo's list is kept under.
struct Addressees {
    join: String,
    member: &'static str,
    account: &'static str,
}

/// The three inserts of `letters` (chibo's list, email, SMS), a hundred letters a statement,
/// to the addressees `to` answers.
async fn write(
    app: &App,
    tx: &impl ConnectionTrait,
    kind: NoticeKind,
    meeting_id: Option<i64>,
    letters: &[Letter],
    to: impl Fn(&mut Sql) -> Addressees,
) -> AppResult<()> {
    let backend = tx.get_database_backend();
    let now = Utc::now();
    let muted = format!("%,{},%", kind.code());
    for chunk in letters.chunks(100) {
        // Each statement with its own binds: the letters, then what the statement adds.
        let start = |sql: &mut Sql| {
            let rows: Vec<String> = chunk
                .iter()
                .map(|l| {
                    format!(
                        "({}, {}, {}, {}, {})",
                        sql.bind(l.to),
                        sql.bind(l.title.clone()),
                        sql.bind(l.body.clone()),
                        sql.bind(l.sms.clone()),
                        sql.bind(l.path.clone())
                    )
                })
                .collect();
            let with = format!(
                "WITH v (target, title, body, sms, path) AS (VALUES {})",
                rows.join(", ")
            );
            (with, to(sql))
        };

        // Chibo's own list: everyone.
        let mut sql = Sql::default();
        let (with, to) = start(&mut sql);
        let text = format!(
            "{with} INSERT INTO notifications \
               (member_id, user_id, kind, title, body, link, meeting_id, created_at) \
             SELECT {member}, {account}, {kind}, v.title, v.body, v.path, {meeting}, {now} \
             FROM v {join}",
            member = to.member,
            account = to.account,
            join = to.join,
            kind = sql.bind(kind.code()),
            meeting = sql.bind(meeting_id),
            now = sql.bind(now),
        );
        tx.execute_raw(sql.statement(backend, &text)).await?;

        if app.config.reach.email {
            // Email: only those who gave an address and left email on.
            let mut sql = Sql::default();
            let (with, Addressees { join, .. }) = start(&mut sql);
            let text = format!(
                "{with} INSERT INTO outbox (member_id, kind, channel, address, subject, body, \
                   meeting_id, status, attempts, next_attempt_at, created_at) \
                 SELECT m.id, {kind}, {channel}, p.email, v.title, v.body, {meeting}, \
                   {queued}, 0, {now}, {now} \
                 FROM v {join} JOIN notify_prefs p ON p.member_id = m.id \
                 WHERE p.email_on AND p.email IS NOT NULL AND p.muted NOT LIKE {muted}",
                kind = sql.bind(kind.code()),
                channel = sql.bind(Channel::Email.code()),
                meeting = sql.bind(meeting_id),
                queued = sql.bind(DeliveryStatus::Queued.code()),
                now = sql.bind(now),
                muted = sql.bind(muted.clone()),
            );
            tx.execute_raw(sql.statement(backend, &text)).await?;
        }
        if app.config.reach.sms {
            // SMS: everyone with a phone, unless they turned it off (members without email
            // are reached this way).
            let mut sql = Sql::default();
            let (with, Addressees { join, .. }) = start(&mut sql);
            let text = format!(
                "{with} INSERT INTO outbox (member_id, kind, channel, address, subject, body, \
                   meeting_id, status, attempts, next_attempt_at, created_at) \
                 SELECT m.id, {kind}, {channel}, m.phone, v.title, v.sms, {meeting}, \
                   {queued}, 0, {now}, {now} \
                 FROM v {join} LEFT JOIN notify_prefs p ON p.member_id = m.id \
                 WHERE m.phone IS NOT NULL AND m.phone <> '' \
                   AND (p.id IS NULL OR (p.sms_on AND p.muted NOT LIKE {muted}))",
                kind = sql.bind(kind.code()),
                channel = sql.bind(Channel::Sms.code()),
                meeting = sql.bind(meeting_id),
                queued = sql.bind(DeliveryStatus::Queued.code()),
                now = sql.bind(now),
                muted = sql.bind(muted.clone()),
            );
            tx.execute_raw(sql.statement(backend, &text)).await?;
        }
    }
    Ok(())
}

/// `s`, at most `max` characters (an ellipsis marks a cut).
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// The statuses of a member on the roll, bound.
fn on_roll(sql: &mut Sql) -> String {
    let statuses: Vec<String> = on_roll_codes()
        .into_iter()
        .map(|c| sql.bind(c.to_string()))
        .collect();
    statuses.join(", ")
}

/// The condition on `members m` that picks `to`.
fn recipients(sql: &mut Sql, to: &Recipients) -> String {
    match to {
        Recipients::Member(id) => format!("m.id = {}", sql.bind(*id)),
        Recipients::Roll {
            unit_id,
            on,
            follower,
        } => {
            let (unit, on) = (sql.bind(*unit_id), sql.bind(*on));
            let roll = format!(
                "(m.id IN (SELECT r.member_id FROM member_units r JOIN units g ON g.id = r.unit_id \
                 WHERE (g.id = {unit} OR g.parent_id = {unit}) AND r.valid_from <= {on} \
                 AND (r.valid_to IS NULL OR r.valid_to > {on})) AND m.status IN ({}))",
                on_roll(sql)
            );
            match follower {
                Some(f) => format!("({roll} OR m.id = {})", sql.bind(*f)),
                None => roll,
            }
        }
    }
}

/// Tells task `t`'s member of it (given now, or `due_soon`).
pub(crate) async fn task_told(
    app: &App,
    tx: &impl ConnectionTrait,
    t: &meeting_task::Model,
    cell: &str,
    due_soon: bool,
) -> AppResult<()> {
    let path = "/tasks";
    let message = notify::task_message(&t.what, t.due_on, cell, &link(app, path), due_soon);
    let kind = if due_soon {
        NoticeKind::TaskDue
    } else {
        NoticeKind::TaskAssigned
    };
    tell(
        app,
        tx,
        &Recipients::Member(t.member_id),
        kind,
        &message,
        path,
        Some(t.meeting_id),
    )
    .await
}
