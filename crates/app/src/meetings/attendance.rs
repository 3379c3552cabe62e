//! Attendance: the secretary's sheet and the members' own QR check-in; taking attendance marks
//! the meeting held.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::ids::MemberId;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::rules::{self as rules_domain, Presence, Standing};
use chibo_domain::validate;
use chibo_store::entities::{meeting, meeting_attendance, unit};
use chibo_store::sea_orm::sea_query::{Expr, ExprTrait, LockType};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
};
use chibo_store::write_tx;
use chrono::{Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, MeetingOf};
use crate::meetings::check_in_batch;
use crate::meetings::figures::MeetingTx;
use crate::meetings::lookup;
use crate::meetings::lookup::{manageable, presence_of, roll};
use crate::meetings::sheet::{self, AttendanceSheet};
use crate::meetings::signatures;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AttendanceEntry {
    pub member_id: i64,
    /// `present`, `absent_excused` (a reason is required) or `absent_unexcused`.
    pub presence: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AttendanceInput {
    pub entries: Vec<AttendanceEntry>,
}

/// Replaces the attendance of the listed members and marks the meeting held (checked input).
/// A member's own check-in time stays while the secretary keeps them present.
pub async fn write_attendance(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    m: &meeting::Model,
    entries: &[AttendanceEntry],
) -> AppResult<()> {
    let now = chrono::Utc::now();
    let ids: Vec<i64> = entries.iter().map(|x| x.member_id).collect();
    let checked_in: HashMap<i64, chrono::DateTime<chrono::Utc>> =
        meeting_attendance::Entity::find()
            .filter(meeting_attendance::Column::MeetingId.eq(m.id))
            .filter(meeting_attendance::Column::MemberId.is_in(ids.clone()))
            .all(tx)
            .await?
            .into_iter()
            .filter_map(|a| Some((a.member_id, a.checked_in_at?)))
            .collect();
    meeting_attendance::Entity::delete_many()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id))
        .filter(meeting_attendance::Column::MemberId.is_in(ids))
        .exec(tx)
        .await?;
    for entry in entries {
        let presence = entry.presence.trim().to_string();
        meeting_attendance::ActiveModel {
            meeting_id: Set(m.id),
            member_id: Set(entry.member_id),
            checked_in_at: Set(checked_in
                .get(&entry.member_id)
                .copied()
                .filter(|_| presence == "present")),
            presence: Set(presence),
            reason: Set(entry
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)),
            recorded_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    mark_held(tx, m).await
}

/// Attendance has been taken: the meeting is held, and its resolution (a cell committee's
/// meeting issues none) takes the next number of its cell and year, kept from then on. Both
/// are written only from the row as it stands now, not from `m` as read before the
/// transaction: of two check-ins at the door, the second finds the meeting held and numbered
/// and changes nothing; a meeting cancelled meanwhile is not held.
pub(crate) async fn mark_held(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    m: &meeting::Model,
) -> AppResult<()> {
    if !lookup::meeting_status(m).may_become(MeetingStatus::Held) {
        return Ok(());
    }
    let pending: Vec<&str> = MeetingStatus::ALL
        .iter()
        .filter(|s| s.may_become(MeetingStatus::Held))
        .map(|s| s.code())
        .collect();
    let held = meeting::Entity::update_many()
        .col_expr(
            meeting::Column::Status,
            Expr::value(MeetingStatus::Held.code()),
        )
        .col_expr(
            meeting::Column::PublishedAt,
            Expr::col(meeting::Column::PublishedAt).if_null(Utc::now()),
        )
        .filter(meeting::Column::Id.eq(m.id))
        .filter(meeting::Column::Status.is_in(pending))
        .exec(tx)
        .await?;
    if held.rows_affected == 0 || m.kind == "committee" {
        return Ok(());
    }
    let year = m.meeting_date.year();
    // Two meetings of one cell held at once would both read the same last number on
    // PostgreSQL: the cell's row, locked until this transaction ends, makes them take turns
    // (SQLite's write transaction already does; the lock is no statement there). `FOR NO KEY
    // UPDATE`, not `FOR UPDATE`: both transactions already hold the row's key-share lock of
    // the rows they wrote that refer to the cell, and `FOR UPDATE` would deadlock with it.
    unit::Entity::find_by_id(m.unit_id)
        .lock(LockType::NoKeyUpdate)
        .one(tx)
        .await?;
    let next = last_resolution_number(tx, m.unit_id, year).await? + 1;
    meeting::Entity::update_many()
        .col_expr(meeting::Column::ResolutionYear, Expr::value(year))
        .col_expr(meeting::Column::ResolutionNumber, Expr::value(next))
        .filter(meeting::Column::Id.eq(m.id))
        .filter(meeting::Column::ResolutionNumber.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// The highest resolution number the cell has given in `year` (0 for none).
async fn last_resolution_number(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    cell_id: i64,
    year: i32,
) -> AppResult<i32> {
    let last: Option<Option<i32>> = meeting::Entity::find()
        .select_only()
        .column_as(meeting::Column::ResolutionNumber.max(), "n")
        .filter(meeting::Column::UnitId.eq(cell_id))
        .filter(meeting::Column::ResolutionYear.eq(year))
        .into_tuple()
        .one(tx)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}

/// Records attendance for some or all members of the sheet, all at once or not at all.
pub async fn record_attendance(
    app: &App,
    actor: &Actor,
    id: i64,
    input: AttendanceInput,
) -> AppResult<AttendanceSheet> {
    let h = manageable(app, actor, id).await?;
    let m = h.meeting.clone();
    signatures::ensure_open(app, m.id).await?;
    let mut e = Invalid::new();
    if m.meeting_date > App::today() {
        e.push("entries", "Chưa đến ngày họp, chưa thể điểm danh.");
    }
    if input.entries.is_empty() {
        e.push("entries", "Chưa có đảng viên nào được điểm danh.");
    }
    let on_roll: HashMap<i64, String> = roll(app, &h, m.meeting_date)
        .await?
        .into_iter()
        .map(|r| (r.member.id, r.member.full_name))
        .collect();
    // A member sent twice is refused: the ids written are then within the cell's roll, however
    // long the request.
    let mut seen = std::collections::HashSet::new();
    for entry in &input.entries {
        let Some(name) = on_roll.get(&entry.member_id) else {
            e.push(
                "entries",
                "Có đảng viên không thuộc danh sách chi bộ vào ngày họp.",
            );
            continue;
        };
        if !seen.insert(entry.member_id) {
            e.push(
                &format!("entries.{}.presence", entry.member_id),
                format!("{name}: được điểm danh hai lần trong cùng một lần gửi."),
            );
            continue;
        }
        // Each row's error names its member and its field, so that the sheet shows it on the
        // row (`entries.<member>.presence`, `entries.<member>.reason`).
        let field = |f: &str| format!("entries.{}.{f}", entry.member_id);
        match presence_of(entry.presence.trim()) {
            None => e.push(
                &field("presence"),
                format!("{name}: chưa chọn có mặt hay vắng mặt."),
            ),
            Some(Presence::AbsentExcused)
                if entry.reason.as_deref().is_none_or(|r| r.trim().is_empty()) =>
            {
                e.push(
                    &field("reason"),
                    format!("{name}: vắng có lý do cần ghi lý do."),
                )
            }
            Some(_) => {}
        }
    }
    e.into_result()?;
    let tx = MeetingTx::begin(app, &m).await?;
    write_attendance(&tx, &m, &input.entries).await?;
    audit::record(
        &*tx,
        Some(actor),
        "meeting.attendance",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&input),
    )
    .await?;
    tx.commit().await?;
    let (rules, _) = lookup::rule_set_of(app, &m).await?;
    sheet::attendance_sheet(app, &h, &rules).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CheckInInput {
    /// The code in the meeting's QR code (also shown under it to type in).
    pub code: String,
}

/// A member's own check-in, as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckedIn {
    pub meeting_id: i64,
    pub member_id: i64,
    pub checked_in_at: chrono::DateTime<Utc>,
}

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// The meeting's check-in code, made on first use (officers show it as a QR code).
pub async fn check_in_code(app: &App, actor: &Actor, id: i64) -> AppResult<String> {
    let MeetingOf {
        meeting: m,
        cell: _,
    } = lookup::manageable(app, actor, id).await?.into_inner();
    if let Some(c) = m.checkin_code {
        return Ok(c);
    }
    if lookup::meeting_status(&m) == MeetingStatus::Planned {
        return Err(AppError::invalid(
            "status",
            "Phát hành thông báo trước khi mở điểm danh bằng mã QR.",
        ));
    }
    let code: String = {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..8)
            .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
            .collect()
    };
    let tx = write_tx(&app.db).await?;
    let mut am = m.into_active_model();
    am.checkin_code = Set(Some(code.clone()));
    am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.check_in_code",
        "meeting",
        Some(id),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// Normalises a typed code: upper case, without spaces or dashes.
fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A member checks themselves in with the meeting's code, once, inside the window.
pub async fn check_in(
    app: &App,
    actor: &Actor,
    id: i64,
    input: CheckInInput,
) -> AppResult<CheckedIn> {
    let h = lookup::visible_meeting(app, actor, id).await?;
    let m = h.meeting.clone();
    if lookup::meeting_status(&m) == MeetingStatus::Planned {
        return Err(AppError::invalid(
            "code",
            "Buổi sinh hoạt chưa được thông báo; chưa mở điểm danh.",
        ));
    }
    if lookup::meeting_status(&m) == MeetingStatus::Cancelled {
        return Err(check_in_batch::cancelled_error());
    }
    // Whether the minutes are approved is checked where the line is written, in the batch.
    let wrong = || AppError::invalid("code", "Mã điểm danh không đúng với buổi sinh hoạt này.");
    let Some(code) = &m.checkin_code else {
        return Err(wrong());
    };
    if normalise_code(&input.code) != *code {
        return Err(wrong());
    }
    let Some(mid) = actor.member_id().map(MemberId::get) else {
        return Err(AppError::invalid(
            "code",
            "Tài khoản này không gắn với đảng viên nào nên không tự điểm danh được.",
        ));
    };
    let (rules, _) = lookup::rule_set_of(app, &m).await?;
    let start = validate::parse_time(&m.start_time).unwrap_or_default();
    let now = App::now_local();
    if !rules_domain::check_in_open(&rules.check_in, m.meeting_date, start, now) {
        let (from, to) = rules_domain::check_in_window(&rules.check_in, m.meeting_date, start);
        return Err(AppError::invalid(
            "code",
            format!(
                "Chỉ điểm danh được trong thời gian họp: từ {} đến {}.",
                from.format("%H:%M ngày %d/%m/%Y"),
                to.format("%H:%M ngày %d/%m/%Y")
            ),
        ));
    }
    let standing = lookup::standing_on_roll(app, &h, m.meeting_date, mid).await?;
    if !matches!(standing, Some(Standing::Working | Standing::Exempt)) {
        return Err(AppError::invalid(
            "code",
            "Bạn không có tên trong danh sách sinh hoạt của chi bộ vào ngày họp.",
        ));
    }
    let line = check_in_batch::Line {
        cell_path: h.cell.path.clone(),
        meeting: m,
        member_id: mid,
        user_id: actor.user_id().get(),
    };
    app.check_ins.write(app, line).await
}
