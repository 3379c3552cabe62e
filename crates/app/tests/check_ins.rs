//! Check-ins written together (`meetings::check_in_batch`): the members of three cells check in
//! at once, one of them twice, one already marked absent by the secretary and one marked present;
//! the third cell's minutes are already approved. Every check-in answered with success has its
//! line and its audit entry; the second of a pair, the member marked present and every member of
//! the third cell are refused; the absent member becomes present; the two open meetings are held
//! and numbered, and their figures are marked for the background pass. And while a batch waits
//! on the database, a request given up leaves the queue unwritten, and a meeting cancelled
//! before the next batch refuses the check-ins queued for it.
//! On SQLite and on PostgreSQL (`CHIBO_TEST_DATABASE_URL`).

mod common;

use std::collections::HashSet;

use chibo_app::App;
use chibo_app::meetings::attendance::{CheckInInput, CheckedIn, check_in};
use chibo_store::entities::{
    audit, meeting, meeting_approval, meeting_attendance, meeting_stat, member, member_unit, unit,
    user,
};
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, NotSet, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use common::{actor, demo_app};

const CODE: &str = "CUNGGHI1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_checking_in_at_once_are_written_together_and_each_answered() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let db = &app.db;

    let meetings = meetings_now(&app, 3).await;
    let signed = meetings[2].id;
    let mut calls = callers(&app, &meetings).await;
    assert!(calls.len() >= 8, "{} members", calls.len());

    // The secretary has marked one member absent and another present before they check in.
    let (absent, present) = (calls[0].clone(), calls[1].clone());
    for ((meeting_id, member_id, _), presence, reason) in [
        (&absent, "absent_excused", Some("Đi công tác".to_string())),
        (&present, "present", None),
    ] {
        meeting_attendance::ActiveModel {
            meeting_id: Set(*meeting_id),
            member_id: Set(*member_id),
            presence: Set(presence.into()),
            reason: Set(reason),
            recorded_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    // The third meeting's minutes are approved by its chair and its minute-taker.
    for (role, (_, member_id, _)) in ["chair", "secretary"]
        .into_iter()
        .zip(calls.iter().filter(|c| c.0 == signed))
    {
        meeting_approval::ActiveModel {
            meeting_id: Set(signed),
            member_id: Set(*member_id),
            role: Set(role.into()),
            approved_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    let closed = calls.iter().filter(|c| c.0 == signed).count();
    assert!(closed >= 2);
    // One member checks in twice at once (a double tap).
    let twice = calls[2].clone();
    calls.push(twice.clone());

    let audited_before = audit::Entity::find()
        .filter(audit::Column::Action.eq("meeting.check_in"))
        .count(db)
        .await
        .unwrap();
    let mut running = tokio::task::JoinSet::new();
    for (meeting_id, member_id, username) in calls.clone() {
        let app = app.clone();
        running.spawn(async move {
            let answer = check(&app, meeting_id, &username).await;
            (meeting_id, member_id, answer)
        });
    }
    let answers = running.join_all().await;

    let ok: Vec<_> = answers.iter().filter(|a| a.2.is_ok()).collect();
    let refused: Vec<_> = answers.iter().filter(|a| a.2.is_err()).collect();
    assert_eq!(ok.len(), calls.len() - 2 - closed, "{refused:?}");
    assert_eq!(refused.len(), 2 + closed, "{refused:?}");
    assert!(
        refused.iter().filter(|a| a.0 == signed).all(|a| a
            .2
            .as_ref()
            .unwrap_err()
            .contains("đã được chủ trì và thư ký thông qua")),
        "{refused:?}"
    );
    assert!(
        refused.iter().any(|a| (a.0, a.1) == (present.0, present.1)
            && a.2
                .as_ref()
                .unwrap_err()
                .contains("Thư ký đã ghi bạn có mặt")),
        "{refused:?}"
    );
    assert!(
        refused.iter().any(|a| (a.0, a.1) == (twice.0, twice.1)
            && a.2.as_ref().unwrap_err().contains("Bạn đã điểm danh lúc")),
        "{refused:?}"
    );
    // Written together: the check-ins of one transaction share its moment.
    let moments: HashSet<_> = ok
        .iter()
        .map(|a| a.2.as_ref().unwrap().checked_in_at)
        .collect();
    assert!(moments.len() < ok.len(), "{} batches", moments.len());

    // Each success is on its sheet, checked in and present; the absent member now present.
    for (meeting_id, member_id, answer) in &ok {
        let line = meeting_attendance::Entity::find()
            .filter(meeting_attendance::Column::MeetingId.eq(*meeting_id))
            .filter(meeting_attendance::Column::MemberId.eq(*member_id))
            .one(db)
            .await
            .unwrap()
            .expect("the line of a check-in answered");
        assert_eq!(line.presence, "present");
        assert_eq!(line.reason, None);
        assert_eq!(
            line.checked_in_at,
            Some(answer.as_ref().unwrap().checked_in_at)
        );
    }
    let checked = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::CheckedInAt.is_not_null())
        .filter(meeting_attendance::Column::MeetingId.is_in(meetings.iter().map(|m| m.id)))
        .count(db)
        .await
        .unwrap();
    assert_eq!(checked as usize, ok.len());
    let audited = audit::Entity::find()
        .filter(audit::Column::Action.eq("meeting.check_in"))
        .count(db)
        .await
        .unwrap();
    assert_eq!((audited - audited_before) as usize, ok.len());

    // The open meetings held and numbered; their figures marked for the background pass.
    for m in &meetings[..2] {
        let now = meeting::Entity::find_by_id(m.id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.status, "held");
        assert!(now.resolution_number.is_some());
        let stat = meeting_stat::Entity::find()
            .filter(meeting_stat::Column::MeetingId.eq(m.id))
            .one(db)
            .await
            .unwrap()
            .expect("the meeting's figures row");
        assert!(stat.stale);
    }
}

/// `n` cells' next announced meetings, moved to now with a known code.
async fn meetings_now(app: &App, n: usize) -> Vec<meeting::Model> {
    let now = App::now_local();
    let mut meetings: Vec<meeting::Model> = Vec::new();
    for m in meeting::Entity::find()
        .filter(meeting::Column::Status.eq("published"))
        .order_by_asc(meeting::Column::MeetingDate)
        .order_by_asc(meeting::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
    {
        if meetings.len() == n || meetings.iter().any(|x| x.unit_id == m.unit_id) {
            continue;
        }
        let mut am: meeting::ActiveModel = m.into();
        am.meeting_date = Set(now.date());
        am.start_time = Set(now.format("%H:%M").to_string());
        am.checkin_code = Set(Some(CODE.into()));
        meetings.push(am.update(&app.db).await.unwrap());
    }
    assert_eq!(meetings.len(), n);
    meetings
}

/// Every active member of the meetings' cells, with an account: (meeting, member, username).
async fn callers(app: &App, meetings: &[meeting::Model]) -> Vec<(i64, i64, String)> {
    let db = &app.db;
    let mut calls = Vec::new();
    for m in meetings {
        for person in member::Entity::find()
            .filter(member::Column::UnitId.eq(m.unit_id))
            .filter(member::Column::Status.eq("active"))
            .all(db)
            .await
            .unwrap()
        {
            let username = match user::Entity::find()
                .filter(user::Column::MemberId.eq(person.id))
                .one(db)
                .await
                .unwrap()
            {
                Some(u) => u.username,
                None => {
                    user::ActiveModel {
                        username: Set(format!("cunggui.{}", person.id)),
                        display_name: Set(person.full_name.clone()),
                        password_hash: Set("-".into()),
                        member_id: Set(Some(person.id)),
                        is_active: Set(true),
                        created_at: Set(chrono::Utc::now()),
                        ..Default::default()
                    }
                    .insert(db)
                    .await
                    .unwrap()
                    .username
                }
            };
            calls.push((m.id, person.id, username));
        }
    }
    calls
}

/// `username` checks in to `meeting_id` with the code; the refusal as text.
async fn check(app: &App, meeting_id: i64, username: &str) -> Result<CheckedIn, String> {
    let who = actor(app, username).await;
    let code = CODE.to_lowercase();
    check_in(app, &who, meeting_id, CheckInInput { code })
        .await
        .map_err(|e| format!("{e:?}"))
}

async fn line_of(app: &App, meeting_id: i64, member_id: i64) -> Option<meeting_attendance::Model> {
    meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(meeting_id))
        .filter(meeting_attendance::Column::MemberId.eq(member_id))
        .one(&app.db)
        .await
        .unwrap()
}

/// While a batch waits on the database (a writer holds it), a request whose client gives up
/// leaves the queue unwritten, and a meeting cancelled before the next batch is written
/// refuses the check-ins queued for it, whose requests found it announced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_given_up_is_not_written_and_a_meeting_cancelled_meanwhile_refuses() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let meetings = meetings_now(&app, 2).await;
    let (open, cancelled) = (meetings[0].id, meetings[1].id);
    let calls = callers(&app, &meetings).await;
    let of = |meeting: i64| calls.iter().filter(move |c| c.0 == meeting).cloned();
    let mut open_callers = of(open);
    let (first, gone, later) = (
        open_callers.next().unwrap(),
        open_callers.next().unwrap(),
        open_callers.next().unwrap(),
    );
    let stranded = of(cancelled).next().unwrap();

    // A writer holds the database: on SQLite the turn, on PostgreSQL the sheet's table.
    let blocker = chibo_store::write_tx(&app.db).await.unwrap();
    if blocker.get_database_backend() == DbBackend::Postgres {
        blocker
            .execute_unprepared("LOCK TABLE meeting_attendance IN EXCLUSIVE MODE")
            .await
            .unwrap();
    }
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(500));
    let spawn = |(meeting, _, username): (i64, i64, String)| {
        let app = app.clone();
        tokio::spawn(async move { check(&app, meeting, &username).await })
    };
    // The first check-in's batch waits on the writer; the next two queue behind it.
    let first_call = spawn(first.clone());
    pause().await;
    let stranded_call = spawn(stranded.clone());
    let gone_call = spawn(gone.clone());
    pause().await;
    gone_call.abort();
    assert!(gone_call.await.unwrap_err().is_cancelled());
    // The second meeting is cancelled by the writer holding the database.
    let mut am: meeting::ActiveModel = meeting::Entity::find_by_id(cancelled)
        .one(&*blocker)
        .await
        .unwrap()
        .unwrap()
        .into();
    am.status = Set("cancelled".into());
    am.update(&*blocker).await.unwrap();
    blocker.commit().await.unwrap();

    assert!(first_call.await.unwrap().is_ok());
    let refused = stranded_call.await.unwrap().unwrap_err();
    assert!(refused.contains("Buổi sinh hoạt đã bị hủy"), "{refused}");
    assert!(line_of(&app, cancelled, stranded.1).await.is_none());
    // Another check-in afterwards is written alone: the line given up was never queued again.
    assert!(check(&app, later.0, &later.2).await.is_ok());
    assert!(line_of(&app, open, later.1).await.is_some());
    assert!(line_of(&app, open, gone.1).await.is_none());
}

/// Who may check in is read from the roll that day, one member's line of it: a member whose
/// place is in a party group of the cell checks in; one whose place lies outside the cell (on
/// the unit above it, whose path the cell's begins with) is refused, though they see the meeting.
/// A member with two places on the roll is listed once, under the latest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_roll_that_day_decides_who_checks_in() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let meetings = meetings_now(&app, 1).await;
    let calls = callers(&app, &meetings).await;
    let (in_group, above) = (&calls[0], &calls[1]);
    let cell = unit::Entity::find_by_id(meetings[0].unit_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut group: unit::ActiveModel = unit::Entity::find_by_id(cell.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    group.id = NotSet;
    group.parent_id = Set(Some(cell.id));
    group.path = Set(format!("{}x/", cell.path));
    group.depth = Set(cell.depth + 1);
    group.kind = Set("group".into());
    group.name = Set("Tổ đảng thử".into());
    let group = group.insert(&app.db).await.unwrap();
    let mut group: unit::ActiveModel = group.into();
    group.path = Set(format!("{}{}/", cell.path, group.id.as_ref()));
    let group = group.update(&app.db).await.unwrap();
    let place_on = |member: i64, unit: i64| {
        member_unit::Entity::update_many()
            .col_expr(member_unit::Column::UnitId, Expr::value(unit))
            .filter(member_unit::Column::MemberId.eq(member))
            .filter(member_unit::Column::ValidTo.is_null())
            .exec(&app.db)
    };
    place_on(in_group.1, group.id).await.unwrap();
    place_on(above.1, cell.parent_id.unwrap()).await.unwrap();
    // A second, older place on the cell itself: the roll shows the member once, under the
    // latest place (the group).
    let group_place_from = member_unit::Entity::find()
        .filter(member_unit::Column::MemberId.eq(in_group.1))
        .filter(member_unit::Column::UnitId.eq(group.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .valid_from;
    member_unit::ActiveModel {
        member_id: Set(in_group.1),
        unit_id: Set(cell.id),
        valid_from: Set(group_place_from.pred_opt().unwrap()),
        valid_to: Set(None),
        reason: Set("Thử: một chỗ cũ hơn".into()),
        kind: Set("home".into()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let who = actor(&app, &in_group.2).await;
    let on_cell = who.attends(Some(cell.clone())).unwrap();
    let roll = chibo_app::meetings::lookup::roll(&app, &on_cell, meetings[0].meeting_date)
        .await
        .unwrap();
    let lines: Vec<_> = roll.iter().filter(|r| r.member.id == in_group.1).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].unit_name, "Tổ đảng thử");

    assert!(check(&app, in_group.0, &in_group.2).await.is_ok());
    assert!(line_of(&app, in_group.0, in_group.1).await.is_some());
    let refused = check(&app, above.0, &above.2).await.unwrap_err();
    assert!(
        refused.contains("không có tên trong danh sách"),
        "{refused}"
    );
    assert!(line_of(&app, above.0, above.1).await.is_none());
}
