//! Issue 14, points 1, 2 and 5: a notice published writes, in its own transaction, a line in
//! each member's list and a message per member and channel in the outbox; the worker delivers
//! them to a real SMTP server and an HTTP SMS gateway on loopback, where they arrive character
//! for character in Vietnamese; a refused message is tried again with a growing pause, then
//! failed, and an administrator sends it again; two workers at once deliver each message once;
//! each scheduled job runs once per period. Runs on SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;

use chibo_app::meetings::schedule::{self, NewMeeting};
use chibo_app::reach::channels::{Channels, SmsConfig, SmtpConfig};
use chibo_app::reach::inbox::{self, ChoicesInput};
use chibo_app::reach::outbox as out;
use chibo_app::reach::reached;
use chibo_app::reach::worker::Worker;
use chibo_app::{App, Config, ReachConfig};
use chibo_domain::notify::{self, MAX_ATTEMPTS, NoticeKind};
use chibo_store::entities::{meeting_task, member, notification, outbox, outbox_attempt};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use chrono::{Days, NaiveDate, TimeZone, Utc};
use common::sinks;
use common::*;

const PUBLIC: &str = "https://chibo.example.vn";

/// The demo with email and SMS delivered.
async fn reaching_app(email: bool, sms: bool) -> App {
    let db = chibo_store::testing::fresh_db()
        .await
        .expect("test database");
    let config = Config {
        reach: ReachConfig {
            public_url: PUBLIC.into(),
            email,
            sms,
            ..ReachConfig::default()
        },
        ..Config::default()
    };
    let app = App::new(db, config);
    assert!(chibo_seed::demo::seed(&app).await.expect("demo seeds"));
    app
}

fn smtp(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "Chi bộ chibo <thongbao@chibo.example.vn>".into(),
    }
}

/// A published regular meeting of the Đồng Tâm cell on `day`.
async fn publish(app: &App, day: NaiveDate) -> i64 {
    let sec = actor(app, "bithu.dongtam").await;
    let cell = unit_named(app, "Chi bộ thôn Đồng Tâm").await;
    let m = schedule::schedule(
        app,
        &sec,
        cell.id,
        NewMeeting {
            kind: "regular".into(),
            topic: "Kiểm điểm tháng, nhiệm vụ tháng tới".into(),
            meeting_date: Some(day.to_string()),
            start_time: Some("19:30".into()),
            place: "Nhà văn hóa thôn Đồng Tâm".into(),
            confirm: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    schedule::publish(app, &sec, m.id).await.unwrap();
    m.id
}

/// Member `username` takes email at `address`, SMS as `sms`, every kind.
async fn choose_email(app: &App, username: &str, address: &str, sms: bool) {
    let a = actor(app, username).await;
    inbox::save_choices(
        app,
        &a,
        ChoicesInput {
            email: Some(address.into()),
            email_on: true,
            sms_on: sms,
            kinds: NoticeKind::ALL
                .iter()
                .map(|k| k.code().to_string())
                .collect(),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_published_notice_arrives_by_email_and_sms_in_vietnamese() {
    let app = reaching_app(true, true).await;
    let (smtp_port, mails) = sinks::smtp_server(&[]);
    let (sms_port, hits) = sinks::sms_gateway();
    choose_email(
        &app,
        "dangvien.dongtam",
        "dangvien.dongtam@example.vn",
        true,
    )
    .await;
    let member = actor(&app, "dangvien.dongtam").await;
    let member_id = member.member_id().unwrap().get();
    let phone = member::Entity::find_by_id(member_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .phone
        .expect("the demo member has a phone");

    let day = App::today() + Days::new(10);
    let id = publish(&app, day).await;
    let rows = outbox::Entity::find()
        .filter(outbox::Column::MeetingId.eq(id))
        .all(&app.db)
        .await
        .unwrap();
    let emails = rows.iter().filter(|r| r.channel == "email").count();
    let texts = rows.iter().filter(|r| r.channel == "sms").count();
    assert_eq!(emails, 1, "only the member who gave an address gets email");
    assert!(texts > 1, "every member with a phone gets an SMS: {texts}");

    let channels = Channels::new(
        Some(smtp(smtp_port)),
        Some(SmsConfig {
            url: format!("http://127.0.0.1:{sms_port}/send?to={{phone}}&ref={{id}}"),
            body: Some("{\"text\": \"{text}\"}".into()),
            content_type: "application/json".into(),
        }),
    )
    .unwrap();
    let worker = Worker::new(app.clone(), channels, "test-worker");
    assert_eq!(worker.deliver_due().await.unwrap(), rows.len());
    assert_eq!(worker.deliver_due().await.unwrap(), 0, "nothing left");

    // The email, as a mail reader shows it.
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["dangvien.dongtam@example.vn".to_string()]);
    assert_eq!(mail.subject(), "Thông báo sinh hoạt: Chi bộ thôn Đồng Tâm");
    let email_row = rows.iter().find(|r| r.channel == "email").unwrap();
    assert_eq!(
        mail.header("Message-ID"),
        format!("<chibo-outbox-{}@chibo.example.vn>", email_row.id)
    );
    let expected = format!(
        "Chi bộ thôn Đồng Tâm thông báo buổi sinh hoạt.\n\
         Sinh hoạt thường kỳ: Chi bộ thôn Đồng Tâm\n\
         Thời gian: {}\n\
         Địa điểm: Nhà văn hóa thôn Đồng Tâm\n\
         Nội dung: Kiểm điểm tháng, nhiệm vụ tháng tới\n\
         Xem chi tiết: {PUBLIC}/meetings/{id}",
        notify::when(day, "19:30")
    );
    // Text travels in canonical form: each line ends in CRLF.
    assert_eq!(mail.part("text/plain"), expected.replace('\n', "\r\n"));
    let html = mail.part("text/html");
    assert!(
        html.contains("<p>Địa điểm: Nhà văn hóa thôn Đồng Tâm</p>"),
        "{html}"
    );
    assert!(
        html.contains(&format!("<a href=\"{PUBLIC}/meetings/{id}\">")),
        "{html}"
    );

    // The SMS, as the gateway received it: its phone and id in the URL, its text in JSON.
    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), texts);
    let sms_row = rows
        .iter()
        .find(|r| r.channel == "sms" && r.member_id == member_id)
        .unwrap();
    let hit = hits
        .iter()
        .find(|h| h.line.contains(&format!("ref={}", sms_row.id)))
        .expect("the member's SMS");
    assert!(hit.line.starts_with("POST /send?to="), "{}", hit.line);
    assert!(hit.line.contains(&format!("to={phone}&")), "{}", hit.line);
    let body: serde_json::Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(
        body["text"],
        format!("chibo: Thông báo sinh hoạt: Chi bộ thôn Đồng Tâm. {PUBLIC}/meetings/{id}")
    );

    // Every message sent, each attempt logged; the member's list has it, unread.
    let sent = outbox::Entity::find()
        .filter(outbox::Column::MeetingId.eq(id))
        .filter(outbox::Column::Status.eq("sent"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(sent as usize, rows.len());
    assert_eq!(
        outbox_attempt::Entity::find().count(&app.db).await.unwrap() as usize,
        rows.len()
    );
    let list = inbox::list(&app, &member, None, 20).await.unwrap();
    assert_eq!(list.unread, 1);
    assert_eq!(
        list.items[0].title,
        "Thông báo sinh hoạt: Chi bộ thôn Đồng Tâm"
    );
    assert_eq!(list.items[0].link, format!("/meetings/{id}"));

    // The secretary sees who was reached: the member by email, and everyone with a phone.
    let sec = actor(&app, "bithu.dongtam").await;
    let r = reached::of_meeting(&app, &sec, id).await.unwrap();
    let row = r.rows.iter().find(|x| x.member.id == member_id).unwrap();
    assert!(row.reached && row.told && !row.read);
    assert_eq!(row.email.as_deref(), Some("sent"));
    assert_eq!(r.reached as usize + r.not_reached as usize, r.rows.len());
    // A member reads it: still reached, and read.
    inbox::open(&app, &member, list.items[0].id).await.unwrap();
    assert_eq!(inbox::unread(&app, &member).await.unwrap(), 0);
    // The member may not see the report.
    assert!(reached::of_meeting(&app, &member, id).await.is_err());
}

#[tokio::test]
async fn a_refused_message_is_tried_again_then_failed_and_sent_again_by_an_administrator() {
    let app = reaching_app(true, false).await;
    let (smtp_port, mails) = sinks::smtp_server(&["hong@"]);
    choose_email(&app, "dangvien.dongtam", "hong@example.vn", false).await;
    let id = publish(&app, App::today() + Days::new(8)).await;
    let row = outbox::Entity::find()
        .filter(outbox::Column::MeetingId.eq(id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("one email");
    let worker = Worker::new(
        app.clone(),
        Channels::new(Some(smtp(smtp_port)), None).unwrap(),
        "test-worker",
    );

    assert_eq!(worker.deliver_due().await.unwrap(), 1);
    let after = outbox::Entity::find_by_id(row.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((after.status.as_str(), after.attempts), ("queued", 1));
    let wait = (after.next_attempt_at - Utc::now()).num_seconds();
    assert!((50..=60).contains(&wait), "a minute's pause: {wait}");
    assert!(
        after.last_error.as_deref().unwrap().contains("từ chối"),
        "{after:?}"
    );
    assert_eq!(worker.deliver_due().await.unwrap(), 0, "not due yet");

    // Due again each time: after the last attempt it is failed.
    for _ in 1..MAX_ATTEMPTS {
        let mut am: outbox::ActiveModel = outbox::Entity::find_by_id(row.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        am.next_attempt_at = Set(Utc::now() - chrono::Duration::seconds(1));
        am.update(&app.db).await.unwrap();
        assert_eq!(worker.deliver_due().await.unwrap(), 1);
    }
    let failed = outbox::Entity::find_by_id(row.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (failed.status.as_str(), failed.attempts),
        ("failed", MAX_ATTEMPTS)
    );
    let attempts = outbox_attempt::Entity::find()
        .filter(outbox_attempt::Column::OutboxId.eq(row.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(attempts.len() as i32, MAX_ATTEMPTS);
    assert!(attempts.iter().all(|a| !a.ok && a.worker == "test-worker"));
    assert!(mails.lock().unwrap().is_empty());

    // The administrator's list shows it failed with its error, and sends it again.
    let admin_actor = actor(&app, "admin").await;
    let admin = admin_actor.admin().unwrap();
    let page = out::list(&app, &admin, Some("failed"), None, 50)
        .await
        .unwrap();
    assert_eq!(page.failed, 1);
    assert_eq!(page.items[0].id, row.id);
    assert!(page.items[0].last_error.is_some());
    assert!(
        out::list(&app, &admin, Some("lost"), None, 50)
            .await
            .is_err()
    );
    out::retry(&app, &admin, row.id).await.unwrap();
    let again = outbox::Entity::find_by_id(row.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.status.as_str(), again.attempts), ("queued", 0));
    assert!(
        out::retry(&app, &admin, row.id).await.is_err(),
        "only a failed one"
    );
    // Only administrators hold the proof the outbox asks for.
    assert!(actor(&app, "bithu.dongtam").await.admin().is_err());
}

#[tokio::test]
async fn two_workers_at_once_deliver_each_message_once() {
    let app = reaching_app(true, false).await;
    let (smtp_port, mails) = sinks::smtp_server(&[]);
    // Every member of the cell gives an address (their record, set directly).
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let members = member::Entity::find()
        .filter(member::Column::UnitPath.starts_with(cell.path.as_str()))
        .all(&app.db)
        .await
        .unwrap();
    for m in &members {
        chibo_store::entities::notify_pref::ActiveModel {
            member_id: Set(m.id),
            email: Set(Some(format!("dv{}@example.vn", m.id))),
            email_on: Set(true),
            sms_on: Set(false),
            muted: Set(String::new()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    for k in 0..3 {
        publish(&app, App::today() + Days::new(12 + 7 * k)).await;
    }
    let total = outbox::Entity::find().count(&app.db).await.unwrap() as usize;
    assert!(total >= 3 * 3, "{total}");

    let channels = Channels::new(Some(smtp(smtp_port)), None).unwrap();
    let a = Worker::new(app.clone(), channels.clone(), "server-a");
    let b = Worker::new(app.clone(), channels, "server-b");
    let (na, nb) = tokio::join!(a.deliver_due(), b.deliver_due());
    assert_eq!(na.unwrap() + nb.unwrap(), total, "each message tried once");

    let mails = mails.lock().unwrap().clone();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        *by_id.entry(m.header("Message-ID")).or_default() += 1;
    }
    assert_eq!(mails.len(), total);
    assert!(
        by_id.values().all(|n| *n == 1),
        "each delivered once: {by_id:?}"
    );
    let sent = outbox::Entity::find()
        .filter(outbox::Column::Status.eq("sent"))
        .count(&app.db)
        .await
        .unwrap() as usize;
    assert_eq!(sent, total);
}

#[tokio::test]
async fn each_job_runs_once_per_period() {
    let app = reaching_app(false, false).await;
    let tomorrow = App::today() + Days::new(1);
    let id = publish(&app, tomorrow).await;
    // A task due in three days, on that meeting.
    let member = actor(&app, "dangvien.dongtam").await;
    let member_id = member.member_id().unwrap().get();
    meeting_task::ActiveModel {
        meeting_id: Set(id),
        member_id: Set(member_id),
        what: Set("Vận động hộ gia đình đóng góp làm đường liên thôn".into()),
        due_on: Set(App::today() + Days::new(3)),
        status: Set("open".into()),
        progress: Set(None),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    // 18:00 in Việt Nam today.
    let today = App::today();
    let evening = Utc.from_utc_datetime(&today.and_hms_opt(11, 0, 0).unwrap());
    let a = Worker::new(app.clone(), Channels::default(), "server-a");
    let b = Worker::new(app.clone(), Channels::default(), "server-b");
    let ran = a.run_jobs(evening).await.unwrap();
    assert_eq!(
        ran,
        vec![
            "meeting_tomorrow",
            "task_due",
            "due_steps",
            "purge_sessions",
            "purge_messages"
        ]
    );
    assert!(b.run_jobs(evening).await.unwrap().is_empty(), "taken by a");
    assert!(
        a.run_jobs(evening).await.unwrap().is_empty(),
        "once a period"
    );
    // At 06:00 the next morning: only the purges are due. A message delivered half a year ago
    // goes with its attempts; one that failed stays for the administrator.
    let old = |status: &'static str| outbox::ActiveModel {
        member_id: Set(member_id),
        kind: Set("meeting_published".into()),
        channel: Set("email".into()),
        address: Set("dv@example.vn".into()),
        subject: Set("Thông báo".into()),
        body: Set(String::new()),
        meeting_id: Set(Some(id)),
        status: Set(status.into()),
        attempts: Set(1),
        next_attempt_at: Set(Utc::now()),
        claimed_by: Set(None),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(Utc::now() - chrono::Duration::days(200)),
        sent_at: Set(Some(Utc::now() - chrono::Duration::days(200))),
        ..Default::default()
    };
    let sent = old("sent").insert(&app.db).await.unwrap();
    let failed = old("failed").insert(&app.db).await.unwrap();
    outbox_attempt::ActiveModel {
        outbox_id: Set(sent.id),
        at: Set(Utc::now() - chrono::Duration::days(200)),
        worker: Set("server-a".into()),
        ok: Set(true),
        error: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let morning = evening + chrono::Duration::hours(12);
    assert_eq!(
        b.run_jobs(morning).await.unwrap(),
        vec!["purge_sessions", "purge_messages"]
    );
    assert!(
        outbox::Entity::find_by_id(sent.id)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        outbox::Entity::find_by_id(failed.id)
            .one(&app.db)
            .await
            .unwrap()
            .is_some()
    );

    let told = |kind: &'static str| {
        let db = app.db.clone();
        async move {
            notification::Entity::find()
                .filter(notification::Column::Kind.eq(kind))
                .filter(notification::Column::MemberId.eq(member_id))
                .all(&db)
                .await
                .unwrap()
        }
    };
    let reminders = told("meeting_tomorrow").await;
    assert_eq!(reminders.len(), 1);
    assert_eq!(
        reminders[0].title,
        "Nhắc lịch sinh hoạt ngày mai: Chi bộ thôn Đồng Tâm"
    );
    let due = told("task_due").await;
    assert_eq!(due.len(), 1);
    assert!(
        due[0]
            .body
            .contains("Vận động hộ gia đình đóng góp làm đường liên thôn")
    );
    assert_eq!(due[0].link, "/tasks");
}
