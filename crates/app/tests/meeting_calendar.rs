//! A meeting's day (issue 13): a day already past or a second regular meeting in the month is
//! warned about and confirmed; a meeting not yet held is moved with the reason its members see;
//! a cancelled meeting frees its day; a resolution keeps the number it was given when held.

mod common;

use chibo_app::meetings::attendance::{self, AttendanceEntry, AttendanceInput};
use chibo_app::meetings::schedule::{self, CancelInput, NewMeeting, PostponeInput};
use chibo_app::meetings::{detail, documents, figures};
use chibo_app::{App, AppError};
use chibo_store::entities::meeting_stat;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use chrono::{Datelike, Days, NaiveDate};
use common::*;

fn messages(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Invalid(inv) => inv
            .errors
            .into_iter()
            .map(|f| (f.field, f.message))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn meeting(date: NaiveDate, confirm: bool) -> NewMeeting {
    NewMeeting {
        kind: "regular".into(),
        topic: "Kiểm điểm nghị quyết tháng".into(),
        meeting_date: Some(date.to_string()),
        start_time: Some("19:30".into()),
        place: "Nhà văn hóa thôn".into(),
        confirm,
        ..Default::default()
    }
}

/// The 10th of the month after next: in the future, and alone in its month.
fn ahead() -> NaiveDate {
    let next = App::today() + chrono::Months::new(2);
    NaiveDate::from_ymd_opt(next.year(), next.month(), 10).unwrap()
}

#[tokio::test]
async fn a_past_day_or_a_second_regular_meeting_is_confirmed_first() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let audits = audit_count(&app).await;

    let past = App::today() - Days::new(20);
    let e = messages(
        schedule::schedule(&app, &sec, cell.id, meeting(past, false))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "confirm");
    assert!(e[0].1.contains("đã qua"), "{e:?}");
    assert_eq!(audit_count(&app).await, audits, "nothing written");
    schedule::schedule(&app, &sec, cell.id, meeting(past, true))
        .await
        .unwrap();

    // A second regular meeting in a month warns; a thematic one that month does not.
    let day = ahead();
    schedule::schedule(&app, &sec, cell.id, meeting(day, false))
        .await
        .unwrap();
    let e = messages(
        schedule::schedule(&app, &sec, cell.id, meeting(day + Days::new(5), false))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].0 == "confirm" && e[0].1.contains("đã có buổi sinh hoạt thường kỳ"));
    let thematic = NewMeeting {
        kind: "thematic".into(),
        ..meeting(day + Days::new(5), false)
    };
    schedule::schedule(&app, &sec, cell.id, thematic)
        .await
        .unwrap();
    let second = schedule::schedule(&app, &sec, cell.id, meeting(day + Days::new(5), true))
        .await
        .unwrap();

    // A cancelled meeting frees its day and no longer counts in its month.
    schedule::cancel(
        &app,
        &sec,
        second.id,
        CancelInput {
            reason: "Trùng lịch".into(),
        },
    )
    .await
    .unwrap();
    let again = schedule::schedule(&app, &sec, cell.id, meeting(day + Days::new(5), false))
        .await
        .unwrap_err();
    assert_eq!(
        messages(again)[0].0,
        "confirm",
        "the first meeting still counts"
    );
    let first = detail::list(&app, &sec, cell.id, None, 50).await.unwrap();
    let first = first.items.iter().find(|m| m.meeting_date == day).unwrap();
    schedule::cancel(
        &app,
        &sec,
        first.id,
        CancelInput {
            reason: "Dời lịch".into(),
        },
    )
    .await
    .unwrap();
    schedule::schedule(&app, &sec, cell.id, meeting(day, false))
        .await
        .expect("the day of a cancelled meeting is free again");
}

fn postpone(date: NaiveDate, reason: &str, confirm: bool) -> PostponeInput {
    PostponeInput {
        meeting_date: Some(date.to_string()),
        start_time: Some("08:00".into()),
        reason: reason.into(),
        confirm,
    }
}

#[tokio::test]
async fn a_meeting_not_yet_held_is_moved_with_its_reason() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let member = actor(&app, "dangvien.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let day = ahead();
    let m = schedule::schedule(&app, &sec, cell.id, meeting(day, false))
        .await
        .unwrap();
    schedule::publish(&app, &sec, m.id).await.unwrap();

    // Nothing is moved on a refusal: a reason is required, and the day must be another.
    let audits = audit_count(&app).await;
    let e = messages(
        schedule::postpone(&app, &sec, m.id, postpone(day + Days::new(3), " ", false))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        e.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["reason"]
    );
    let same = PostponeInput {
        start_time: Some("19:30".into()),
        ..postpone(day, "Không đổi", false)
    };
    let e = messages(
        schedule::postpone(&app, &sec, m.id, same)
            .await
            .unwrap_err(),
    );
    assert_eq!(e[0].0, "meeting_date");
    assert!(matches!(
        schedule::postpone(
            &app,
            &member,
            m.id,
            postpone(day + Days::new(3), "Mưa bão", false)
        )
        .await,
        Err(AppError::Forbidden | AppError::NotFound)
    ));
    assert_eq!(audit_count(&app).await, audits);

    // Moved twice: the first day is kept, the last reason shown.
    let moved = schedule::postpone(
        &app,
        &sec,
        m.id,
        postpone(day + Days::new(3), "Mưa bão", false),
    )
    .await
    .unwrap();
    assert_eq!(moved.meeting_date, day + Days::new(3));
    assert_eq!(moved.start_time, "08:00");
    assert_eq!(moved.postponed_from, Some(day));
    let moved = schedule::postpone(
        &app,
        &sec,
        m.id,
        postpone(day + Days::new(6), "Trùng lịch xã", false),
    )
    .await
    .unwrap();
    assert_eq!(moved.postponed_from, Some(day));
    assert_eq!(moved.postponed_reason.as_deref(), Some("Trùng lịch xã"));
    assert_eq!(audit_count(&app).await, audits + 2, "each move audited");
    let seen = detail::get(&app, &member, m.id).await.unwrap();
    assert_eq!(seen.meeting.meeting_date, day + Days::new(6));
    assert_eq!(
        seen.meeting.postponed_reason.as_deref(),
        Some("Trùng lịch xã")
    );
    // The figures follow it to its new day once computed again.
    while figures::refresh_stale(&app, 500).await.unwrap() > 0 {}
    let stat = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::MeetingId.eq(m.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the meeting's figures");
    assert_eq!(stat.meeting_date, day + Days::new(6));

    // Into the past only once confirmed; a held or cancelled meeting is not moved.
    let past = App::today() - Days::new(2);
    let e = messages(
        schedule::postpone(&app, &sec, m.id, postpone(past, "Họp sớm", false))
            .await
            .unwrap_err(),
    );
    assert_eq!(e[0].0, "confirm");
    schedule::postpone(&app, &sec, m.id, postpone(past, "Họp sớm", true))
        .await
        .unwrap();
    hold(&app, "bithu.dongtam", m.id).await;
    let e = messages(
        schedule::postpone(&app, &sec, m.id, postpone(day, "Muộn", false))
            .await
            .unwrap_err(),
    );
    assert_eq!(e[0].0, "status");
}

/// Records one line of the sheet as `username`: the meeting is held.
async fn hold(app: &App, username: &str, id: i64) {
    let sec = actor(app, username).await;
    let d = detail::get(app, &sec, id).await.unwrap();
    let entries = vec![AttendanceEntry {
        member_id: d.sheet[0].member_id,
        presence: "present".into(),
        reason: None,
    }];
    attendance::record_attendance(app, &sec, id, AttendanceInput { entries })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_resolution_keeps_the_number_it_was_given() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let year = App::today().year() - 1;
    let on = |month, day| NaiveDate::from_ymd_opt(year, month, day).unwrap();
    let mut ids = Vec::new();
    for date in [on(3, 10), on(5, 10), on(4, 10)] {
        let m = schedule::schedule(&app, &sec, cell.id, meeting(date, true))
            .await
            .unwrap();
        ids.push(m.id);
    }
    // Last year: March and May are recorded first; April's record comes late and takes the next
    // number: May's resolution, already issued, keeps its own.
    for id in &ids {
        hold(&app, "bithu.dongtam", *id).await;
    }
    let number = |id| {
        let app = &app;
        let sec = &sec;
        async move {
            detail::get(app, sec, id)
                .await
                .unwrap()
                .meeting
                .resolution_number
        }
    };
    assert_eq!(number(ids[0]).await, Some(1));
    assert_eq!(number(ids[1]).await, Some(2));
    assert_eq!(number(ids[2]).await, Some(3));
    let doc = documents::resolution(&app, &sec, ids[1]).await.unwrap();
    assert_eq!(doc.header.number.as_deref(), Some("Số 02-NQ/CB"));
    // Another cell counts from one.
    let other = unit_named(&app, "Chi bộ thôn Bản Nà").await;
    let bn = actor(&app, "admin").await;
    let m = schedule::schedule(&app, &bn, other.id, meeting(on(3, 12), true))
        .await
        .unwrap();
    hold(&app, "admin", m.id).await;
    let d = detail::get(&app, &bn, m.id).await.unwrap();
    assert_eq!(d.meeting.resolution_number, Some(1));
}

/// Several meetings of one cell held at the same moment (on PostgreSQL each transaction would
/// read the same last number): each resolution still takes its own number, none refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_held_at_once_take_distinct_numbers() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let year = App::today().year() - 1;
    let mut ids = Vec::new();
    for month in 6..=11 {
        let date = NaiveDate::from_ymd_opt(year, month, 12).unwrap();
        let m = schedule::schedule(&app, &sec, cell.id, meeting(date, true))
            .await
            .unwrap();
        ids.push(m.id);
    }
    let held: Vec<_> = ids
        .iter()
        .map(|id| {
            let (app, id) = (app.clone(), *id);
            tokio::spawn(async move { hold(&app, "bithu.dongtam", id).await })
        })
        .collect();
    for h in held {
        h.await.unwrap();
    }
    let mut numbers = Vec::new();
    for id in &ids {
        numbers.push(
            detail::get(&app, &sec, *id)
                .await
                .unwrap()
                .meeting
                .resolution_number,
        );
    }
    numbers.sort();
    assert_eq!(numbers, (1..=6).map(Some).collect::<Vec<_>>());
}
