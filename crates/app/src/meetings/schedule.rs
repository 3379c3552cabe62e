//! Scheduling a meeting, editing its notice and publishing it to the cell.

use chibo_domain::Invalid;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::org::UnitKind;
use chibo_domain::validate;
use chibo_store::entities::{meeting, meeting_preparation};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, MeetingOf};
use crate::meetings::lookup;
use crate::meetings::lookup::{MeetingView, manageable, meeting_view};
use crate::notify;
use crate::org::units;
use crate::{App, AppError, AppResult, audit, rules};
use chibo_domain::notify::NoticeKind;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewMeeting {
    pub kind: String,
    pub combined: bool,
    pub topic: String,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub meeting_date: Option<String>,
    /// `HH:MM`.
    pub start_time: Option<String>,
    pub place: String,
    /// One item per line; empty means the rule set's procedure.
    pub agenda: Option<String>,
    /// Set once the user has seen the warnings (a day already past, a second regular meeting
    /// in the month) and schedules anyway.
    pub confirm: bool,
}

/// Checks a start time (`HH:MM`), naming the problem in Vietnamese.
pub(crate) fn start_time_field(e: &mut Invalid, input: Option<&str>) -> Option<String> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.push("start_time", "Vui lòng nhập giờ bắt đầu.");
            None
        }
        Some(s) => validate::parse_time(s)
            .map(|t| t.format("%H:%M").to_string())
            .or_else(|| {
                e.push(
                    "start_time",
                    "Giờ bắt đầu phải có dạng giờ:phút, ví dụ 19:30.",
                );
                None
            }),
    }
}

pub async fn schedule(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: NewMeeting,
) -> AppResult<MeetingView> {
    let cell = actor.visible(units::find(&app.db, unit_id).await?)?;
    actor.require(actor.can_manage_members(&cell))?;
    let mut e = Invalid::new();
    if !UnitKind::from_code(&cell.kind).is_some_and(|k| k.is_cell()) || cell.dissolved_on.is_some()
    {
        return Err(AppError::invalid(
            "unit_id",
            "Chỉ chi bộ đang hoạt động mới lập lịch sinh hoạt.",
        ));
    }
    let date = validate::date_field(
        &mut e,
        "meeting_date",
        "ngày họp",
        input.meeting_date.as_deref(),
        true,
    );
    let start = start_time_field(&mut e, input.start_time.as_deref());
    let topic = validate::required_text(&mut e, "topic", "nội dung chính", &input.topic, 500);
    let place = validate::required_text(&mut e, "place", "địa điểm", &input.place, 255);
    let agenda = clean_agenda(&mut e, input.agenda.as_deref());
    let kind = input.kind.trim();
    let rule_set = match date {
        Some(d) => date_checks(app, &mut e, &cell, kind, d, None, input.confirm).await?,
        None => None,
    };
    if input.combined && kind != "regular" {
        e.push(
            "combined",
            "Chỉ sinh hoạt thường kỳ mới kết hợp với chuyên đề.",
        );
    }
    e.into_result()?;
    let r = rule_set.expect("checked");
    let tx = write_tx(&app.db).await?;
    let m = meeting::ActiveModel {
        unit_id: Set(cell.id),
        kind: Set(kind.to_string()),
        combined: Set(input.combined),
        topic: Set(topic),
        meeting_date: Set(date.expect("checked")),
        start_time: Set(start.expect("checked")),
        place: Set(place),
        rule_set_id: Set(r.id),
        status: Set(MeetingStatus::Planned.code().into()),
        published_at: Set(None),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        agenda: Set(agenda),
        checkin_code: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.schedule",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&m),
    )
    .await?;
    tx.commit().await?;
    meeting_view(app, &m, &r.rules, &r.name).await
}

/// The checks of a meeting's day, for a new meeting or one moved (`moved`: its id): the cell
/// existed, within a year from today, a rule set in force that knows the kind, no other
/// meeting of the kind that day. Unless `confirmed`, a day already past and a second regular
/// meeting in the month are refused with a warning the user confirms by sending again with
/// `confirm` set. Returns the rule set in force on the day.
async fn date_checks(
    app: &App,
    e: &mut Invalid,
    cell: &chibo_store::entities::unit::Model,
    kind: &str,
    d: NaiveDate,
    moved: Option<i64>,
    confirmed: bool,
) -> AppResult<Option<rules::RuleSetView>> {
    if d < cell.established_on {
        e.push("meeting_date", "Ngày họp trước ngày thành lập chi bộ.");
    }
    if d > App::today() + chrono::Duration::days(366) {
        e.push("meeting_date", "Chỉ lập lịch trong vòng một năm tới.");
    }
    let rule_set = rules::in_force_for(&app.db, cell, d).await?;
    match &rule_set {
        None => e.push(
            "meeting_date",
            "Chưa có bộ quy định nào có hiệu lực vào ngày này.",
        ),
        Some(r) if r.rules.kind(kind).is_none() => e.push(
            "kind",
            "Loại sinh hoạt không có trong bộ quy định đang áp dụng.",
        ),
        Some(_) => {}
    }
    // The cell's other meetings still on (a cancelled one frees its day).
    let others = || {
        let mut q = meeting::Entity::find()
            .filter(meeting::Column::UnitId.eq(cell.id))
            .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled.code()));
        if let Some(id) = moved {
            q = q.filter(meeting::Column::Id.ne(id));
        }
        q
    };
    let clash = others()
        .filter(meeting::Column::MeetingDate.eq(d))
        .filter(meeting::Column::Kind.eq(kind))
        .count(&app.db)
        .await?;
    if clash > 0 {
        e.push(
            "meeting_date",
            "Chi bộ đã có buổi sinh hoạt cùng loại vào ngày này.",
        );
    }
    // Nothing to confirm when already refused for the day itself, or confirmed.
    if confirmed || e.errors.iter().any(|f| f.field == "meeting_date") {
        return Ok(rule_set);
    }
    if d < App::today() {
        e.push(
            "confirm",
            format!(
                "Ngày {} đã qua. Nếu đúng là ngày họp (ghi lại buổi đã họp), hãy đánh dấu ô \
                 xác nhận ở cuối mẫu rồi bấm lại.",
                d.format("%d/%m/%Y")
            ),
        );
    }
    if kind == "regular" {
        let first = d.with_day(1).expect("the first of the month");
        let last = (first + chrono::Months::new(1)).pred_opt().expect("a day");
        let same_month = others()
            .filter(meeting::Column::Kind.eq("regular"))
            .filter(meeting::Column::MeetingDate.between(first, last))
            .filter(meeting::Column::MeetingDate.ne(d))
            .count(&app.db)
            .await?;
        if same_month > 0 {
            e.push(
                "confirm",
                format!(
                    "Tháng {}/{} chi bộ đã có buổi sinh hoạt thường kỳ khác. Nếu vẫn muốn, \
                     hãy đánh dấu ô xác nhận ở cuối mẫu rồi bấm lại.",
                    d.month(),
                    d.year()
                ),
            );
        }
    }
    Ok(rule_set)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PostponeInput {
    /// The new day: `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub meeting_date: Option<String>,
    /// The new start time, `HH:MM`.
    pub start_time: Option<String>,
    /// Shown to the members on the meeting and in the year's plan.
    pub reason: String,
    /// As for scheduling: the user saw the warnings and moves it anyway.
    pub confirm: bool,
}

/// Moves a meeting not yet held to another day and time, with the reason the members see; the
/// day it was first set for is kept (a second move keeps the first day). The figures of both
/// months are dated.
pub async fn postpone(
    app: &App,
    actor: &Actor,
    id: i64,
    input: PostponeInput,
) -> AppResult<MeetingView> {
    let MeetingOf { meeting: m, cell } = manageable(app, actor, id).await?.into_inner();
    let mut e = Invalid::new();
    let reason = validate::required_text(&mut e, "reason", "lý do dời", &input.reason, 500);
    let start = start_time_field(&mut e, input.start_time.as_deref());
    let date = validate::date_field(
        &mut e,
        "meeting_date",
        "ngày họp mới",
        input.meeting_date.as_deref(),
        true,
    );
    let status = lookup::meeting_status(&m);
    if matches!(status, MeetingStatus::Held | MeetingStatus::Cancelled) {
        return Err(AppError::invalid(
            "status",
            "Chỉ dời được buổi sinh hoạt chưa họp và chưa hủy.",
        ));
    }
    let mut rule_set = None;
    if let Some(d) = date {
        if d == m.meeting_date {
            e.push(
                "meeting_date",
                "Ngày mới trùng ngày họp hiện tại; chỉ đổi giờ thì sửa ở mục Sửa thông báo.",
            );
        }
        if preparation_after(app, m.id, d).await? {
            e.push(
                "meeting_date",
                "Chi ủy đã họp chuẩn bị sau ngày này; hãy chọn ngày họp từ ngày chuẩn bị trở đi.",
            );
        }
        rule_set = date_checks(app, &mut e, &cell, &m.kind, d, Some(m.id), input.confirm).await?;
    }
    e.into_result()?;
    let (d, r) = (date.expect("checked"), rule_set.expect("checked"));
    // The day first set is kept over several moves; moved back to it, the meeting is no
    // longer postponed.
    let first_day = m.postponed_from.unwrap_or(m.meeting_date);
    let (from, why) = if d == first_day {
        (None, None)
    } else {
        (Some(first_day), Some(reason))
    };
    let moved = move |am: &mut meeting::ActiveModel| {
        am.meeting_date = Set(d);
        am.start_time = Set(start.expect("checked"));
        am.rule_set_id = Set(r.id);
        am.postponed_from = Set(from);
        am.postponed_reason = Set(why);
    };
    let from = m.meeting_date.min(d);
    // Members hear of a move only when they had been told of the meeting.
    let told = m.published_at.map(|_| NoticeKind::MeetingPostponed);
    write_status(app, actor, "meeting.postpone", m, moved, Some(from), told).await
}

/// Whether the cell committee's preparatory meeting was recorded after `day`: the meeting
/// cannot move before it.
async fn preparation_after(app: &App, meeting_id: i64, day: NaiveDate) -> AppResult<bool> {
    Ok(meeting_preparation::Entity::find()
        .filter(meeting_preparation::Column::MeetingId.eq(meeting_id))
        .filter(meeting_preparation::Column::HeldOn.gt(day))
        .count(&app.db)
        .await?
        > 0)
}

/// Publishes the notice: members of the cell and the superior committee see the meeting.
pub async fn publish(app: &App, actor: &Actor, id: i64) -> AppResult<MeetingView> {
    let MeetingOf {
        meeting: m,
        cell: _,
    } = manageable(app, actor, id).await?.into_inner();
    if !lookup::meeting_status(&m).may_become(MeetingStatus::Published) {
        return Err(AppError::invalid(
            "status",
            "Thông báo buổi sinh hoạt này đã được phát hành.",
        ));
    }
    let published = |am: &mut meeting::ActiveModel| {
        am.status = Set(MeetingStatus::Published.code().into());
        am.published_at = Set(Some(chrono::Utc::now()));
    };
    let told = Some(NoticeKind::MeetingPublished);
    write_status(app, actor, "meeting.publish", m, published, None, told).await
}

/// Writes a change of meeting `m`'s status (`change`) in a transaction of its own, audited as
/// `action`, dating the cell's figures from `figures_from` when they change, and telling the
/// members of `told` (`crate::notify`); answers the meeting as the lists show it.
async fn write_status(
    app: &App,
    actor: &Actor,
    action: &str,
    m: meeting::Model,
    change: impl FnOnce(&mut meeting::ActiveModel),
    figures_from: Option<NaiveDate>,
    told: Option<NoticeKind>,
) -> AppResult<MeetingView> {
    let tx = write_tx(&app.db).await?;
    let before = m.clone();
    let mut am = m.into_active_model();
    change(&mut am);
    // Only from the status it was read in: attendance taken or a check-in since then (which
    // holds the meeting) is not overwritten.
    let written = meeting::Entity::update_many()
        .set(am)
        .filter(meeting::Column::Id.eq(before.id))
        .filter(meeting::Column::Status.eq(before.status.as_str()))
        .exec(&tx)
        .await?;
    if written.rows_affected == 0 {
        return Err(AppError::invalid(
            "status",
            "Buổi sinh hoạt vừa thay đổi (đã điểm danh hoặc đã được cập nhật); hãy tải lại trang.",
        ));
    }
    let after = meeting::Entity::find_by_id(before.id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(from) = figures_from {
        chibo_store::meeting_stats::meeting_changed(&tx, after.id, after.unit_id, from).await?;
    }
    audit::record(
        &tx,
        Some(actor),
        action,
        "meeting",
        Some(after.id),
        Some(&before),
        Some(&after),
    )
    .await?;
    if let Some(kind) = told {
        let label = lookup::kind_label_of(app, &after).await?;
        notify::meeting_event(app, &tx, &after, kind, label).await?;
    }
    tx.commit().await?;
    lookup::meeting_view_after_change(app, &after).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CancelInput {
    /// Shown to the members on the meeting and in the year's plan.
    pub reason: String,
}

/// Cancels a meeting not yet held, with the reason the members see on it; its figures are
/// dated (a cell's month counts the meetings held, and this one no longer will be).
pub async fn cancel(
    app: &App,
    actor: &Actor,
    id: i64,
    input: CancelInput,
) -> AppResult<MeetingView> {
    let MeetingOf { meeting: m, .. } = manageable(app, actor, id).await?.into_inner();
    let mut e = Invalid::new();
    let reason = validate::required_text(&mut e, "reason", "lý do hủy", &input.reason, 500);
    if !lookup::meeting_status(&m).may_become(MeetingStatus::Cancelled) {
        e.push(
            "status",
            "Buổi sinh hoạt đã diễn ra nên không hủy được; nếu cần sửa, hãy lập văn bản đính chính.",
        );
    }
    e.into_result()?;
    let cancelled = |am: &mut meeting::ActiveModel| {
        am.status = Set(MeetingStatus::Cancelled.code().into());
        am.cancelled_reason = Set(Some(reason));
    };
    let from = m.meeting_date;
    let told = m.published_at.map(|_| NoticeKind::MeetingCancelled);
    write_status(app, actor, "meeting.cancel", m, cancelled, Some(from), told).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NoticeInput {
    pub topic: String,
    pub place: String,
    /// `HH:MM`.
    pub start_time: Option<String>,
    /// One agenda item per line; empty restores the rule set's procedure.
    pub agenda: Option<String>,
}

/// Checks a typed agenda: at most 40 items of at most 500 characters. `None` when empty.
pub(crate) fn clean_agenda(e: &mut Invalid, agenda: Option<&str>) -> Option<String> {
    let lines: Vec<String> = agenda
        .unwrap_or("")
        .lines()
        .map(|l| chibo_domain::text::clean(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > 40 {
        e.push("agenda", "Chương trình họp tối đa 40 mục.");
    }
    if lines.iter().any(|l| l.chars().count() > 500) {
        e.push("agenda", "Mỗi mục của chương trình tối đa 500 ký tự.");
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Changes the notice (topic, place, time, agenda) until the meeting is held.
pub async fn update_notice(
    app: &App,
    actor: &Actor,
    id: i64,
    input: NoticeInput,
) -> AppResult<MeetingView> {
    let MeetingOf {
        meeting: m,
        cell: _,
    } = lookup::manageable(app, actor, id).await?.into_inner();
    if lookup::meeting_status(&m) == MeetingStatus::Held {
        return Err(AppError::invalid(
            "status",
            "Buổi sinh hoạt đã diễn ra; không sửa thông báo nữa.",
        ));
    }
    let mut e = Invalid::new();
    let topic = validate::required_text(&mut e, "topic", "nội dung chính", &input.topic, 500);
    let place = validate::required_text(&mut e, "place", "địa điểm", &input.place, 255);
    let start = start_time_field(&mut e, input.start_time.as_deref());
    let agenda = clean_agenda(&mut e, input.agenda.as_deref());
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let before = m.clone();
    let mut am = m.into_active_model();
    am.topic = Set(topic);
    am.place = Set(place);
    am.start_time = Set(start.expect("checked"));
    am.agenda = Set(agenda);
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "meeting.notice",
        "meeting",
        Some(id),
        Some(&before),
        Some(&after),
    )
    .await?;
    // The members told of the meeting hear that its notice changed (when it did).
    let changed = (
        &before.topic,
        &before.place,
        &before.start_time,
        &before.agenda,
    ) != (&after.topic, &after.place, &after.start_time, &after.agenda);
    if changed && lookup::meeting_status(&after) == MeetingStatus::Published {
        let label = lookup::kind_label_of(app, &after).await?;
        notify::meeting_event(app, &tx, &after, NoticeKind::MeetingChanged, label).await?;
    }
    tx.commit().await?;
    lookup::meeting_view_after_change(app, &after).await
}
