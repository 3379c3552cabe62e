//! Meetings on the real database: scheduling rules, the notice, the attendance sheet from the
//! roll of the day, and attendance judged by the rule set in force.

mod common;

use chibo_app::AppError;
use chibo_app::meetings::attendance;
use chibo_app::meetings::attendance::{AttendanceEntry, AttendanceInput};
use chibo_app::meetings::detail;
use chibo_app::meetings::plans;
use chibo_app::meetings::schedule;
use chibo_app::meetings::schedule::NewMeeting;
use chibo_app::membership::members;
use common::*;

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(inv) => inv.errors.into_iter().map(|f| f.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn meeting(date: &str) -> NewMeeting {
    NewMeeting {
        kind: "regular".into(),
        combined: false,
        topic: "Kiểm điểm việc thu hoạch vụ mùa; phân công trực phòng chống bão".into(),
        meeting_date: Some(date.into()),
        start_time: Some("19:30".into()),
        place: "Nhà văn hóa thôn".into(),
        agenda: None,
        // These tests are about other rules; the warnings have tests of their own
        // (`meeting_calendar.rs`).
        confirm: true,
    }
}

#[tokio::test]
async fn scheduling_checks_the_rules_and_writes_nothing_on_error() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let audits = audit_count(&app).await;
    let bad = NewMeeting {
        start_time: Some("25:99".into()),
        topic: " ".into(),
        ..meeting("2026-10-15")
    };
    let f = fields(
        schedule::schedule(&app, &sec, cell.id, bad)
            .await
            .unwrap_err(),
    );
    assert!(
        f.contains(&"start_time".to_string()) && f.contains(&"topic".to_string()),
        "{f:?}"
    );
    assert_eq!(
        fields(
            schedule::schedule(
                &app,
                &sec,
                cell.id,
                NewMeeting {
                    kind: "hop-mat".into(),
                    ..meeting("2026-10-15")
                }
            )
            .await
            .unwrap_err()
        ),
        vec!["kind"]
    );
    assert_eq!(
        fields(
            schedule::schedule(&app, &sec, cell.id, meeting("1990-01-01"))
                .await
                .unwrap_err()
        ),
        vec!["meeting_date", "meeting_date"],
        "before the cell and before any rule set"
    );
    assert_eq!(
        fields(
            schedule::schedule(
                &app,
                &sec,
                cell.id,
                NewMeeting {
                    kind: "thematic".into(),
                    combined: true,
                    ..meeting("2026-10-15")
                }
            )
            .await
            .unwrap_err()
        ),
        vec!["combined"]
    );
    assert_eq!(audit_count(&app).await, audits);
    let group = unit_named(&app, "Tổ đảng số 1").await;
    assert!(
        matches!(
            schedule::schedule(&app, &sec, group.id, meeting("2026-10-15")).await,
            Err(AppError::Invalid(_))
        ),
        "cells hold meetings, not party groups"
    );
    let other = unit_named(&app, "Chi bộ thôn Bản Nà").await;
    assert!(matches!(
        schedule::schedule(&app, &sec, other.id, meeting("2026-10-15")).await,
        Err(AppError::NotFound)
    ));

    let m = schedule::schedule(&app, &sec, cell.id, meeting("2026-10-15"))
        .await
        .unwrap();
    assert!(
        m.rule_set.name.contains("cấp tỉnh"),
        "the province's sheet is in force in 2026: {}",
        m.rule_set.name
    );
    assert_eq!(
        fields(
            schedule::schedule(&app, &sec, cell.id, meeting("2026-10-15"))
                .await
                .unwrap_err()
        ),
        vec!["meeting_date"],
        "one regular meeting a day"
    );
    let old = schedule::schedule(&app, &sec, cell.id, meeting("2025-11-20"))
        .await
        .unwrap();
    assert!(old.rule_set.name.contains("Hướng dẫn 42"));
}

#[tokio::test]
async fn notice_attendance_sheet_and_rate() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let member = actor(&app, "dangvien.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let m = schedule::schedule(&app, &sec, cell.id, meeting("2026-10-15"))
        .await
        .unwrap();
    // Not published yet: members do not see it.
    assert!(
        detail::list(&app, &member, cell.id, None, 50)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        detail::get(&app, &member, m.id).await,
        Err(AppError::NotFound)
    ));
    schedule::publish(&app, &sec, m.id).await.unwrap();
    assert!(matches!(
        schedule::publish(&app, &sec, m.id).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(
        detail::list(&app, &member, cell.id, None, 50)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let mine = detail::get(&app, &member, m.id).await.unwrap();
    assert!(
        mine.sheet.is_empty() && mine.apart.is_empty() && mine.summary.is_none(),
        "a member sees the meeting as it concerns them, not the sheet or its figures"
    );
    let part = mine.mine.expect("the member's part");
    assert_eq!(part.presence, None);
    assert!(part.resolution_text.is_none() && part.tasks.is_empty());

    let d = detail::get(&app, &sec, m.id).await.unwrap();
    assert!(
        d.sheet.len() >= 30,
        "members of all three party groups: {}",
        d.sheet.len()
    );
    assert!(
        d.apart.iter().any(|r| r.standing == "exempt"),
        "the exempt member is listed apart"
    );
    assert!(d.apart.iter().any(|r| r.standing == "transferred_out_temp"));
    let summary = d.summary.clone().expect("the secretary reads the figures");
    assert!(d.mine.is_none());
    assert_eq!(summary.not_recorded as usize, d.sheet.len());

    // Everyone present but one excused and one unexcused absence; the exempt member comes too.
    let exempt = d
        .apart
        .iter()
        .find(|r| r.standing == "exempt")
        .unwrap()
        .member_id;
    let mut entries: Vec<AttendanceEntry> = d
        .sheet
        .iter()
        .map(|r| AttendanceEntry {
            member_id: r.member_id,
            presence: "present".into(),
            reason: None,
        })
        .collect();
    entries[0].presence = "absent_excused".into();
    entries[1].presence = "absent_unexcused".into();
    let no_reason = AttendanceInput {
        entries: entries.clone(),
    };
    assert_eq!(
        fields(
            attendance::record_attendance(&app, &sec, m.id, no_reason)
                .await
                .unwrap_err()
        ),
        // The error names the row and its field, so that the sheet shows it on the row.
        vec![format!("entries.{}.reason", entries[0].member_id)]
    );
    entries[0].reason = Some("Đi viện".into());
    entries.push(AttendanceEntry {
        member_id: exempt,
        presence: "present".into(),
        reason: None,
    });
    let done = attendance::record_attendance(&app, &sec, m.id, AttendanceInput { entries })
        .await
        .unwrap();
    let n = d.sheet.len() as u32;
    // The write answers with the sheet; the meeting page shows it held.
    let page = detail::get(&app, &sec, m.id).await.unwrap();
    assert_eq!(page.meeting.status, "held");
    assert_eq!(page.summary.unwrap().present, done.summary.present);
    // The exempt member who came is noted, in neither part of the rate (domain.md §3).
    assert_eq!(done.summary.expected, n);
    assert_eq!(done.summary.present, n - 2);
    assert_eq!(done.summary.exempt_present, 1);
    assert_eq!(done.summary.unexcused_names.len(), 1);
    assert!(
        done.summary.threshold_met,
        "{} of {}",
        done.summary.present, done.summary.expected
    );
    assert_eq!(done.summary.not_recorded, 0);
    // The member now sees their own line, and still no figures.
    let me = member.member_id().unwrap().get();
    let expected = match d.sheet.iter().position(|r| r.member_id == me) {
        Some(0) => "absent_excused",
        Some(1) => "absent_unexcused",
        Some(_) => "present",
        None => panic!("the member is on the sheet"),
    };
    let seen = detail::get(&app, &member, m.id).await.unwrap();
    assert!(seen.summary.is_none() && seen.held.is_none());
    assert_eq!(seen.mine.unwrap().presence.as_deref(), Some(expected));

    // A member not on the roll, or a meeting still to come, is refused.
    let ban_na = unit_named(&app, "Chi bộ thôn Bản Nà").await;
    let admin = actor(&app, "admin").await;
    let outsider = members::list(
        &app,
        &admin,
        members::MemberQuery {
            unit_id: Some(ban_na.id),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items[0]
        .id;
    let stranger = AttendanceInput {
        entries: vec![AttendanceEntry {
            member_id: outsider,
            presence: "present".into(),
            reason: None,
        }],
    };
    assert_eq!(
        fields(
            attendance::record_attendance(&app, &sec, m.id, stranger)
                .await
                .unwrap_err()
        ),
        vec!["entries"]
    );
    let future = (chibo_app::App::today() + chrono::Duration::days(10)).to_string();
    let later = schedule::schedule(&app, &sec, cell.id, meeting(&future))
        .await
        .unwrap();
    let e = attendance::record_attendance(
        &app,
        &sec,
        later.id,
        AttendanceInput {
            entries: vec![AttendanceEntry {
                member_id: d.sheet[0].member_id,
                presence: "present".into(),
                reason: None,
            }],
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), vec!["entries"]);
}

#[tokio::test]
async fn the_demo_has_a_year_of_meetings_with_realistic_variation() {
    let app = demo_app().await;
    let made = chibo_seed::demo::seed_meetings(&app).await.unwrap();
    assert!(made > 150, "{made} meetings");
    assert_eq!(
        chibo_seed::demo::seed_meetings(&app).await.unwrap(),
        0,
        "seeding twice adds nothing"
    );
    let admin = actor(&app, "admin").await;
    let held = |name: &'static str| {
        let app = app.clone();
        let admin = admin.clone();
        async move {
            let cell = unit_named(&app, name).await;
            let list = detail::list(&app, &admin, cell.id, None, 50)
                .await
                .unwrap()
                .items;
            let mut rates = Vec::new();
            for m in list
                .iter()
                .filter(|m| m.status == "held" && m.kind == "regular")
            {
                let d = detail::get(&app, &admin, m.id)
                    .await
                    .unwrap()
                    .summary
                    .unwrap();
                rates.push(d.present as f64 / d.expected.max(1) as f64);
            }
            rates
        }
    };
    // A year of meetings pages by keyset, newest first, each once.
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let whole = detail::list(&app, &admin, cell.id, None, 500)
        .await
        .unwrap();
    assert!(whole.next.is_none() && whole.items.len() > 5);
    let mut paged = Vec::new();
    let mut after: Option<chibo_domain::cursor::Cursor> = None;
    loop {
        let page = detail::list(&app, &admin, cell.id, after.as_ref(), 4)
            .await
            .unwrap();
        assert!(page.items.len() <= 4);
        paged.extend(page.items.iter().map(|m| m.id));
        match page.next {
            Some(n) => after = Some(chibo_domain::cursor::Cursor::decode(&n).unwrap()),
            None => break,
        }
    }
    assert_eq!(paged, whole.items.iter().map(|m| m.id).collect::<Vec<_>>());
    let ban_na = held("Chi bộ thôn Bản Nà").await;
    let office = held("Chi bộ Văn phòng").await;
    let dong_tam = held("Chi bộ thôn Đồng Tâm").await;
    assert!(
        ban_na.len() < dong_tam.len(),
        "Bản Nà skips months: {} vs {}",
        ban_na.len(),
        dong_tam.len()
    );
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        avg(&dong_tam) < avg(&office),
        "rural attendance is lower: {} vs {}",
        avg(&dong_tam),
        avg(&office)
    );
    // Records differ: complete in the office, weak in Bản Nà (short, late documents, no tasks).
    let level_of = |name: &'static str| {
        let app = app.clone();
        let admin = admin.clone();
        async move {
            let cell = unit_named(&app, name).await;
            let list = detail::list(&app, &admin, cell.id, None, 50)
                .await
                .unwrap()
                .items;
            let m = list
                .iter()
                .find(|m| m.status == "held" && m.kind == "regular")
                .unwrap();
            detail::get(&app, &admin, m.id).await.unwrap().held.unwrap()
        }
    };
    let office_q = level_of("Chi bộ Văn phòng").await;
    let ban_na_q = level_of("Chi bộ thôn Bản Nà").await;
    assert!(
        office_q.quality.total > ban_na_q.quality.total,
        "{} vs {}",
        office_q.quality.total,
        ban_na_q.quality.total
    );
    assert!(ban_na_q.tasks.is_empty() && !ban_na_q.without_task.is_empty());
    let copied = level_of("Chi bộ thôn Tân Lập").await;
    assert_eq!(
        copied.similar_to_previous,
        Some(100),
        "Tân Lập repeats its resolution"
    );
    assert_eq!(office_q.similar_to_previous, None);
    assert!(
        copied.minutes_similar_to_previous.is_some(),
        "Tân Lập repeats its minutes"
    );
    assert_eq!(office_q.minutes_similar_to_previous, None);
    assert!(office_q.quality.level.is_some());
    // Next month's meeting is announced to the members.
    let member = actor(&app, "dangvien.dongtam").await;
    assert!(
        !detail::upcoming_for_me(&app, &member)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_year_plan_shows_topics_and_missed_meetings() {
    use plans::TopicInput;
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let sec = actor(&app, "bithu.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let year = chrono::Datelike::year(&chibo_app::App::today());
    let plan = plans::year_plan(&app, &sec, cell.id, year).await.unwrap();
    assert!(
        plan.topics.iter().all(|q| !q.topics.is_empty()),
        "a topic each quarter"
    );
    assert!(plan.topics[0].topics[0].writer.is_some());
    let audits = audit_count(&app).await;
    let bad = TopicInput {
        year,
        quarter: 5,
        title: " ".into(),
        writer_member_id: Some(1_000_000),
    };
    assert_eq!(
        fields(
            plans::add_topic(&app, &sec, cell.id, bad)
                .await
                .unwrap_err()
        ),
        vec!["quarter", "title", "writer_member_id"]
    );
    assert_eq!(audit_count(&app).await, audits);
    let writer = sec.member_id().unwrap().get();
    let plan = plans::add_topic(
        &app,
        &sec,
        cell.id,
        TopicInput {
            year,
            quarter: 4,
            title: "Chuyển đổi số ở thôn".into(),
            writer_member_id: Some(writer),
        },
    )
    .await
    .unwrap();
    assert!(
        plan.topics[3]
            .topics
            .iter()
            .any(|t| t.title == "Chuyển đổi số ở thôn")
    );
    // Bản Nà skipped months: the calendar shows them as missed to the commune committee.
    let commune = actor(&app, "xaphulam").await;
    let ban_na = unit_named(&app, "Chi bộ thôn Bản Nà").await;
    let missed = |cell_id: i64| {
        let app = app.clone();
        let commune = commune.clone();
        async move {
            let mut n = 0;
            for y in [year - 1, year] {
                let plan = plans::year_plan(&app, &commune, cell_id, y).await.unwrap();
                let regular = plan.kinds.iter().find(|k| k.code == "regular").unwrap();
                assert_eq!(regular.periods.len(), 12);
                n += regular.periods.iter().filter(|p| p.missed).count();
            }
            n
        }
    };
    // Both calendars start a year back; Bản Nà skipped two of those months.
    assert_eq!(missed(ban_na.id).await, missed(cell.id).await + 2);
    let other = unit_named(&app, "Chi bộ Tổ dân phố số 1").await;
    assert!(matches!(
        plans::year_plan(&app, &commune, other.id, year).await,
        Err(AppError::NotFound)
    ));
}

/// Domain.md §3: members under prosecution or detention and armed-forces members on special
/// duty are left out of attendance and of a vote's denominator. Before, no status led to either
/// standing: they are recorded as status changes with their dates and show on the sheet apart.
#[tokio::test]
async fn detained_and_special_duty_members_stand_apart_from_the_day_recorded() {
    use chibo_app::membership::member_events::{self, StatusEventInput};
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let today = chibo_app::App::today();
    let m = schedule::schedule(
        &app,
        &sec,
        cell.id,
        meeting(&(today - chrono::Duration::days(2)).to_string()),
    )
    .await
    .unwrap();
    schedule::publish(&app, &sec, m.id).await.unwrap();
    let before = detail::get(&app, &sec, m.id).await.unwrap();
    let working: Vec<i64> = before
        .sheet
        .iter()
        .filter(|r| r.standing == "working")
        .map(|r| r.member_id)
        .collect();
    let (detained, on_duty) = (working[working.len() - 1], working[working.len() - 2]);
    let since = (today - chrono::Duration::days(8)).to_string();
    for (id, kind) in [(detained, "detained"), (on_duty, "special_duty_started")] {
        member_events::add_event(
            &app,
            &sec,
            id,
            StatusEventInput {
                kind: kind.into(),
                effective_on: Some(since.clone()),
                until: None,
                reason: "Theo thông báo của cơ quan có thẩm quyền".into(),
            },
        )
        .await
        .unwrap();
    }
    let after = detail::get(&app, &sec, m.id).await.unwrap();
    let standing = |id: i64| {
        after
            .sheet
            .iter()
            .chain(after.apart.iter())
            .find(|r| r.member_id == id)
            .map(|r| r.standing.clone())
    };
    assert_eq!(standing(detained).as_deref(), Some("detained"));
    assert_eq!(standing(on_duty).as_deref(), Some("special_duty"));
    let working_now = after
        .sheet
        .iter()
        .filter(|r| r.standing == "working")
        .count();
    assert_eq!(
        working_now + 2,
        working.len(),
        "neither is expected any more"
    );
    // A detention ends: the member is working again from that day.
    member_events::add_event(
        &app,
        &sec,
        detained,
        StatusEventInput {
            kind: "detention_ended".into(),
            effective_on: Some((today - chrono::Duration::days(5)).to_string()),
            until: None,
            reason: "Được trả tự do, đình chỉ điều tra".into(),
        },
    )
    .await
    .unwrap();
    let again = detail::get(&app, &sec, m.id).await.unwrap();
    assert!(
        again
            .sheet
            .iter()
            .any(|r| r.member_id == detained && r.standing == "working")
    );
}
