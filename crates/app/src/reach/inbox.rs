//! A member's own side of being told: chibo's list of what they were told (newest first, with
//! how many are unread), opening one marks it read; and their choices of channels and kinds.

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::ids::MemberId;
use chibo_domain::notify::NoticeKind;
use chibo_store::entities::{member, notification, notify_pref};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use chibo_store::write_tx;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `chibo_domain::notify::NoticeKind`'s code, and its label.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub body: String,
    /// The page it is about (`/meetings/7`).
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub next: Option<String>,
    /// How many of all the member's notices are unread.
    pub unread: u64,
}

/// The actor's member id, when the account has a member record.
fn member_of(actor: &Actor) -> Option<i64> {
    actor.member_id().map(MemberId::get)
}

/// The actor's notices: those to their member record and those to their account (a
/// committee's daily digest reaches accounts without a member record).
fn mine(actor: &Actor) -> Condition {
    let account = notification::Column::UserId.eq(actor.user_id().get());
    match member_of(actor) {
        Some(mid) => Condition::any()
            .add(notification::Column::MemberId.eq(mid))
            .add(account),
        None => Condition::all().add(account),
    }
}

/// How many notices the actor has not opened.
pub async fn unread(app: &App, actor: &Actor) -> AppResult<u64> {
    Ok(notification::Entity::find()
        .filter(mine(actor))
        .filter(notification::Column::ReadAt.is_null())
        .count(&app.db)
        .await?)
}

/// The actor's notices, newest first, `per_page` after `after`.
pub async fn list(
    app: &App,
    actor: &Actor,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<NotificationPage> {
    let per_page = per_page.clamp(1, 100);
    let mut q = notification::Entity::find().filter(mine(actor));
    if let Some(c) = after {
        q = q.filter(notification::Column::Id.lt(c.id));
    }
    let mut rows = q
        .order_by_desc(notification::Column::Id)
        .limit(per_page + 1)
        .all(&app.db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |n| {
        Cursor::new(String::new(), n.id).encode()
    });
    Ok(NotificationPage {
        items: rows.into_iter().map(view).collect(),
        next,
        unread: unread(app, actor).await?,
    })
}

fn view(n: notification::Model) -> NotificationView {
    NotificationView {
        kind_label: NoticeKind::from_code(&n.kind)
            .map(|k| k.label().to_string())
            .unwrap_or_else(|| n.kind.clone()),
        id: n.id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        link: n.link,
        created_at: n.created_at,
        read: n.read_at.is_some(),
    }
}

/// Opens notice `id` of the actor's: marked read; answers it (its link is where to go).
pub async fn open(app: &App, actor: &Actor, id: i64) -> AppResult<NotificationView> {
    let n = notification::Entity::find_by_id(id)
        .filter(mine(actor))
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let n = if n.read_at.is_none() {
        let mut am: notification::ActiveModel = n.into();
        am.read_at = Set(Some(Utc::now()));
        am.update(&app.db).await?
    } else {
        n
    };
    Ok(view(n))
}

/// Marks every notice of the actor's read; answers how many were unread.
pub async fn read_all(app: &App, actor: &Actor) -> AppResult<u64> {
    let r = notification::Entity::update_many()
        .filter(mine(actor))
        .filter(notification::Column::ReadAt.is_null())
        .col_expr(notification::Column::ReadAt, Some(Utc::now()).into())
        .exec(&app.db)
        .await?;
    Ok(r.rows_affected)
}

/// One kind of notice and whether the member gets it by email and SMS.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindChoice {
    pub code: String,
    pub label: String,
    pub on: bool,
}

/// A member's choices, and what the server can deliver.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Choices {
    /// The account has a member record: an account without one has no channels (its notices,
    /// a committee's digest, are in chibo's list only).
    pub member: bool,
    pub email: Option<String>,
    pub email_on: bool,
    pub sms_on: bool,
    /// The phone on the member's record, where SMS go (changed by the cell's officers).
    pub phone: Option<String>,
    pub kinds: Vec<KindChoice>,
    /// This server sends email; this server sends SMS.
    pub email_available: bool,
    pub sms_available: bool,
}

/// What a member chooses.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ChoicesInput {
    pub email: Option<String>,
    pub email_on: bool,
    pub sms_on: bool,
    /// The kinds to receive by email and SMS (codes); the others are turned off. chibo's own
    /// list always has every kind.
    pub kinds: Vec<String>,
}

fn no_member() -> AppError {
    AppError::invalid(
        "member",
        "Tài khoản này không gắn với đảng viên nào nên không nhận thông báo.",
    )
}

/// The actor's choices (before any are saved: SMS on, no email, every kind).
pub async fn choices(app: &App, actor: &Actor) -> AppResult<Choices> {
    let mid = member_of(actor).unwrap_or(0);
    let phone = member::Entity::find_by_id(mid)
        .one(&app.db)
        .await?
        .and_then(|m| m.phone)
        .filter(|p| !p.trim().is_empty());
    let p = notify_pref::Entity::find()
        .filter(notify_pref::Column::MemberId.eq(mid))
        .one(&app.db)
        .await?;
    let muted = p.as_ref().map(|p| p.muted.clone()).unwrap_or_default();
    Ok(Choices {
        member: member_of(actor).is_some(),
        email: p.as_ref().and_then(|p| p.email.clone()),
        email_on: p.as_ref().is_some_and(|p| p.email_on),
        sms_on: p.as_ref().is_none_or(|p| p.sms_on),
        phone,
        kinds: NoticeKind::ALL
            .iter()
            .map(|k| KindChoice {
                code: k.code().into(),
                label: k.label().into(),
                on: !muted.contains(&format!(",{},", k.code())),
            })
            .collect(),
        email_available: app.config.reach.email,
        sms_available: app.config.reach.sms,
    })
}

/// Saves the actor's choices; an email address is checked, and email asked for needs one.
pub async fn save_choices(app: &App, actor: &Actor, input: ChoicesInput) -> AppResult<Choices> {
    let mid = member_of(actor).ok_or_else(no_member)?;
    let mut e = Invalid::new();
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(a) = &email {
        if a.len() > 254 || a.parse::<lettre::Address>().is_err() {
            e.push(
                "email",
                "Địa chỉ thư không hợp lệ; hãy gõ dạng ten@vidu.vn.",
            );
        }
    } else if input.email_on {
        e.push("email", "Hãy nhập địa chỉ thư để nhận thông báo qua thư.");
    }
    let unknown: Vec<&String> = input
        .kinds
        .iter()
        .filter(|k| NoticeKind::from_code(k).is_none())
        .collect();
    if !unknown.is_empty() {
        e.push("kinds", "Có loại thông báo không có trong danh sách.");
    }
    e.into_result()?;
    let muted: String = NoticeKind::ALL
        .iter()
        .filter(|k| !input.kinds.iter().any(|c| c == k.code()))
        .map(|k| format!(",{}", k.code()))
        .collect::<String>();
    let muted = if muted.is_empty() {
        String::new()
    } else {
        format!("{muted},")
    };
    let tx = write_tx(&app.db).await?;
    let before = notify_pref::Entity::find()
        .filter(notify_pref::Column::MemberId.eq(mid))
        .one(&tx)
        .await?;
    let after = match before.clone() {
        Some(p) => {
            let mut am: notify_pref::ActiveModel = p.into();
            am.email = Set(email);
            am.email_on = Set(input.email_on);
            am.sms_on = Set(input.sms_on);
            am.muted = Set(muted);
            am.updated_at = Set(Utc::now());
            am.update(&tx).await?
        }
        None => {
            notify_pref::ActiveModel {
                member_id: Set(mid),
                email: Set(email),
                email_on: Set(input.email_on),
                sms_on: Set(input.sms_on),
                muted: Set(muted),
                updated_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx)
            .await?
        }
    };
    audit::record(
        &tx,
        Some(actor),
        "member.notify_choices",
        "member",
        Some(mid),
        before.as_ref(),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    choices(app, actor).await
}

/// How long a notice read stays in a member's list.
pub const KEEP_READ_DAYS: i64 = 365;

/// Forgets the notices read more than [`KEEP_READ_DAYS`] ago; answers how many.
pub async fn purge_read(app: &App) -> AppResult<u64> {
    let cutoff = Utc::now() - chrono::Duration::days(KEEP_READ_DAYS);
    Ok(notification::Entity::delete_many()
        .filter(notification::Column::ReadAt.lt(cutoff))
        .exec(&app.db)
        .await?
        .rows_affected)
}
