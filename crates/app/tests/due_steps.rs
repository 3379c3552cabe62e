//! Issue 14, point 1: the daily job of steps due and overdue. Each cell's officers are told,
//! once, of every admission and transfer past its deadline, every member who reached the
//! removal trigger and every probation ending within a month; each committee's and board's
//! account (a member's or not) gets a digest of what is overdue below it, every day there is
//! something. Runs on SQLite and PostgreSQL.

mod common;

use chibo_app::reach::steps::{self, PROBATION_NOTICE_DAYS};
use chibo_app::reports::Period;
use chibo_app::reports::warnings;
use chibo_app::{App, Config, ReachConfig};
use chibo_domain::indicators::Warning;
use chibo_domain::notify::NoticeKind;
use chibo_store::entities::{candidate, notification, notify_pref, outbox, position};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use chrono::{Days, Months, NaiveDate, Utc};
use common::*;

const PUBLIC: &str = "https://chibo.example.vn";

/// The demo with its year of meetings, email delivered.
async fn demo() -> App {
    let db = chibo_store::testing::fresh_db()
        .await
        .expect("test database");
    let config = Config {
        reach: ReachConfig {
            public_url: PUBLIC.into(),
            email: true,
            sms: false,
            ..ReachConfig::default()
        },
        ..Config::default()
    };
    let app = App::new(db, config);
    assert!(chibo_seed::demo::seed(&app).await.expect("demo seeds"));
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    app
}

async fn run(app: &App, today: NaiveDate) -> steps::Told {
    steps::run(app, today).await.unwrap()
}

async fn notices(app: &App, kind: NoticeKind) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::Kind.eq(kind.code()))
        .all(&app.db)
        .await
        .unwrap()
}

/// The warnings of `kind` at the root as the dashboard counts them over the job's window.
async fn warned(app: &App, kind: Warning, today: NaiveDate) -> u64 {
    let board = actor(app, "bantochuc").await;
    let root = unit_named(app, "Đảng bộ tỉnh Hòa Sơn").await;
    let period = Period {
        from: today - Days::new(steps::RECENT_DAYS),
        to: today,
    };
    warnings::counts(app, &board, root.id, period)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.kind == kind.code())
        .unwrap()
        .count
}

#[tokio::test]
async fn officers_are_told_once_and_committees_every_day() {
    let app = demo().await;
    // The job runs on the day of the newest removal trigger of the demo's year, so that the
    // month it looks back over has one.
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    let year = Period {
        from: App::today() - Months::new(12),
        to: App::today(),
    };
    let trigger = warnings::warnings(
        &app,
        &board,
        root.id,
        year,
        Some(Warning::RepeatedAbsence),
        None,
        1,
    )
    .await
    .unwrap()
    .items
    .pop()
    .expect("the demo has a member at the removal trigger");
    let today = App::today();
    assert!(
        trigger.on >= today - Days::new(steps::RECENT_DAYS),
        "{}",
        trigger.on
    );
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let secretary = actor(&app, "bithu.dongtam").await;
    let secretary_id = secretary.member_id().unwrap().get();
    // The secretary reads email; a probationary member of the cell ends their probation in ten
    // days.
    notify_pref::ActiveModel {
        member_id: Set(secretary_id),
        email: Set(Some("bithu.dongtam@example.vn".into())),
        email_on: Set(true),
        sms_on: Set(false),
        muted: Set(",".into()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let rules = chibo_domain::admission::AdmissionRules::default();
    let ceremony = today + Days::new(10) - Months::new(rules.probation_months);
    let probationer = candidate::Entity::find()
        .filter(candidate::Column::UnitId.eq(cell.id))
        .filter(candidate::Column::Stage.eq("probation"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the demo has a probationary member in Đồng Tâm");
    let name = probationer.full_name.clone();
    let mut am: candidate::ActiveModel = probationer.into();
    am.ceremony_on = Set(Some(ceremony));
    am.update(&app.db).await.unwrap();

    let expected = warned(&app, Warning::OverdueAdmission, today).await
        + warned(&app, Warning::OverdueTransfer, today).await;
    let removal = warned(&app, Warning::RepeatedAbsence, today).await
        + warned(&app, Warning::UnpaidDues, today).await;
    assert!(expected > 0, "the demo has overdue steps");
    assert!(removal > 0);

    let first = run(&app, today).await;
    assert_eq!(first.cells as u64, expected + removal + 1);
    let overdue = notices(&app, NoticeKind::StepOverdue).await;
    assert!(!overdue.is_empty());
    // Every letter reached officers in office only, none a plain member.
    for n in &overdue {
        let m = n.member_id.expect("a member told");
        let posts = position::Entity::find()
            .filter(position::Column::MemberId.eq(m))
            .filter(position::Column::TermTo.is_null())
            .count(&app.db)
            .await
            .unwrap();
        assert!(posts > 0, "member {m} holds no office");
        assert_eq!(n.user_id, None);
    }
    // Đồng Tâm's secretary: the overdue admission, with its reason and the list to act on.
    let mine: Vec<_> = overdue
        .iter()
        .filter(|n| n.member_id == Some(secretary_id))
        .collect();
    let admission = mine
        .iter()
        .find(|n| n.link == format!("/units/{}/candidates", cell.id))
        .expect("the overdue admission told to Đồng Tâm's secretary");
    assert!(
        admission
            .title
            .starts_with("Hồ sơ kết nạp, chuyển đảng chính thức quá hạn: "),
        "{}",
        admission.title
    );
    assert!(
        admission.title.ends_with(", Chi bộ thôn Đồng Tâm"),
        "{}",
        admission.title
    );
    assert!(admission.body.contains("đã quá hạn"), "{}", admission.body);
    assert!(
        admission.body.contains("\nĐồng chí: "),
        "{}",
        admission.body
    );
    assert!(
        admission
            .body
            .ends_with(&format!("{PUBLIC}/units/{}/candidates", cell.id))
    );
    // The probation ending in ten days.
    let probation = notices(&app, NoticeKind::ProbationDue).await;
    let told: Vec<_> = probation
        .iter()
        .filter(|n| n.member_id == Some(secretary_id))
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].title, format!("Sắp hết thời gian dự bị: {name}"));
    let ends = (today + Days::new(10)).format("%d/%m/%Y").to_string();
    assert!(
        told[0]
            .body
            .contains(&format!("hết thời gian dự bị ngày {ends}")),
        "{}",
        told[0].body
    );
    const { assert!(PROBATION_NOTICE_DAYS >= 10) };
    // By email too, as the secretary chose.
    let mails = outbox::Entity::find()
        .filter(outbox::Column::MemberId.eq(secretary_id))
        .filter(outbox::Column::Kind.eq(NoticeKind::StepOverdue.code()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(mails as usize, mine.len());

    // The digests: the commune's committee account has no member record and is told under its
    // account; the board's counts are the dashboard's.
    let digests = notices(&app, NoticeKind::OverdueDigest).await;
    assert_eq!(first.digests, digests.len());
    let commune = actor(&app, "xaphulam").await;
    assert!(commune.member_id().is_none());
    let of = |user: i64| -> Vec<&notification::Model> {
        digests.iter().filter(|n| n.user_id == Some(user)).collect()
    };
    assert_eq!(of(commune.user_id().get()).len(), 1);
    let board_digest = of(board.user_id().get());
    assert_eq!(board_digest.len(), 1);
    let transfers = warned(&app, Warning::OverdueTransfer, today).await;
    assert!(
        board_digest[0].body.contains(&format!(
            "- {}: {transfers}",
            Warning::OverdueTransfer.label()
        )),
        "{}",
        board_digest[0].body
    );
    // In the accounts' own list, unread.
    let page = chibo_app::reach::inbox::list(&app, &commune, None, 20)
        .await
        .unwrap();
    assert_eq!(page.unread, 1);
    assert_eq!(page.items[0].kind, NoticeKind::OverdueDigest.code());
    assert!(page.items[0].title.starts_with("Việc quá hạn ngày "));
    assert!(
        page.items[0].title.ends_with(": Đảng bộ xã Phú Lâm"),
        "the unit it is about: {}",
        page.items[0].title
    );

    // The member at the removal trigger, told to their cell's officers.
    let removal_told = notices(&app, NoticeKind::RemovalTrigger).await;
    let evidence = trigger.evidence.clone();
    let about: Vec<_> = removal_told.iter().filter(|n| n.link == evidence).collect();
    assert!(!about.is_empty(), "{evidence} told");
    assert!(
        about[0]
            .title
            .starts_with("Đảng viên đến mức phải xem xét xóa tên: ")
    );
    assert!(about[0].body.contains("vắng sinh hoạt không có lý do"));

    // The same day again, and the next: nothing told twice, the digest again.
    let again = run(&app, today).await;
    assert_eq!(again.cells + again.due, 0, "each step is told once");
    assert_eq!(again.digests, first.digests);
    let next = run(&app, today + Days::new(1)).await;
    assert_eq!(next.digests, first.digests);
    // No letter of the first day is sent again. A step can fall overdue on the next day (its
    // deadline counted in working days, when the next day is a weekend's), and is told then.
    let after = notices(&app, NoticeKind::StepOverdue).await;
    let key = |n: &notification::Model| (n.link.clone(), n.member_id, n.title.clone());
    for n in &overdue {
        assert_eq!(
            after.iter().filter(|a| key(a) == key(n)).count(),
            overdue.iter().filter(|o| key(o) == key(n)).count(),
            "told twice: {:?}",
            key(n)
        );
    }
    assert_eq!(
        notices(&app, NoticeKind::RemovalTrigger).await.len(),
        removal_told.len()
    );
    assert_eq!(
        chibo_app::reach::inbox::unread(&app, &commune)
            .await
            .unwrap(),
        3
    );
    // A member without office hears none of it.
    let member = actor(&app, "dangvien.dongtam").await;
    let theirs = chibo_app::reach::inbox::list(&app, &member, None, 100)
        .await
        .unwrap();
    assert!(theirs.items.iter().all(|n| {
        ![
            NoticeKind::StepOverdue,
            NoticeKind::ProbationDue,
            NoticeKind::OverdueDigest,
        ]
        .iter()
        .any(|k| k.code() == n.kind)
    }));
}

#[tokio::test]
async fn officers_hear_of_each_badge_due_before_the_award_day() {
    let app = demo_app().await;
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    // Twenty days before the next award day.
    let first = chibo_app::membership::badges_due::due(&app, &board, root.id, None, None, 500)
        .await
        .unwrap();
    let award_on = first.award_on;
    let today = award_on - Days::new(20);
    assert!(
        (award_on - today).num_days() <= steps::BADGE_NOTICE_DAYS,
        "inside the notice"
    );
    let mut due = first.rows.clone();
    let mut next = first.next.clone();
    while let Some(after) = next {
        let cursor = chibo_domain::cursor::Cursor::decode(&after).unwrap();
        let page = chibo_app::membership::badges_due::due(
            &app,
            &board,
            root.id,
            Some(&award_on.to_string()),
            Some(&cursor),
            500,
        )
        .await
        .unwrap();
        due.extend(page.rows);
        next = page.next;
    }
    assert!(!due.is_empty(), "the demo has badges due");

    let run1 = run(&app, today).await;
    assert_eq!(run1.badges, due.len());
    let told = notices(&app, NoticeKind::BadgeDue).await;
    for r in &due {
        let title = format!("Đến hạn xét tặng Huy hiệu Đảng: {}", r.full_name);
        let about: Vec<_> = told.iter().filter(|n| n.title == title).collect();
        assert!(!about.is_empty(), "{title}");
        let day = award_on.format("%d/%m/%Y").to_string();
        assert!(
            about[0].body.contains(&format!(
                "đủ {} năm tuổi Đảng, đến hạn xét tặng Huy hiệu {} năm tuổi Đảng dịp {day}",
                r.years, r.years
            )),
            "{}",
            about[0].body
        );
        assert!(about[0].link.ends_with(&format!("/badges?ngay={award_on}")));
    }
    // Told once: a second run adds none.
    assert_eq!(run(&app, today).await.badges, 0);
    assert_eq!(notices(&app, NoticeKind::BadgeDue).await.len(), told.len());
    // Long before the award day, nothing.
    let app = demo_app().await;
    run(&app, award_on - Days::new(60)).await;
    assert!(notices(&app, NoticeKind::BadgeDue).await.is_empty());
}

#[tokio::test]
async fn officers_hear_of_a_step_before_it_is_late_then_once_it_is() {
    let app = demo_app().await;
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    // A transfer already late today: the day before its deadline, it was due.
    let list = chibo_app::workflows::transfers::list(&app, &board, root.id, true, None, 100)
        .await
        .unwrap();
    let today = App::today();
    let (late, deadline) = list
        .transfers
        .iter()
        .filter_map(|t| {
            [t.apply_by, t.present_by]
                .into_iter()
                .flatten()
                .filter(|d| *d < today)
                .min()
                .map(|d| (t, d))
        })
        .min_by_key(|(_, d)| *d)
        .expect("the demo has a transfer past a deadline");
    let name = late.member.name.clone();
    let title = format!("Sắp đến hạn: một bước chuyển sinh hoạt đảng của {name}");

    run(&app, deadline - Days::new(1)).await;
    let due = notices(&app, NoticeKind::StepDue).await;
    let about: Vec<_> = due.iter().filter(|n| n.title == title).collect();
    assert!(!about.is_empty(), "{title} in {due:?}");
    assert!(
        about[0].body.contains(&format!(
            "sẽ quá hạn trong {} ngày tới",
            steps::DUE_NOTICE_DAYS
        )),
        "{}",
        about[0].body
    );
    let overdue_title = format!("{}: {name}, ", Warning::OverdueTransfer.label());
    assert!(
        !notices(&app, NoticeKind::StepOverdue)
            .await
            .iter()
            .any(|n| n.title.starts_with(&overdue_title) && n.link == about[0].link),
        "not late yet"
    );
    // The day after the deadline: late, told as such; not told as due again.
    run(&app, deadline + Days::new(1)).await;
    assert!(
        notices(&app, NoticeKind::StepOverdue)
            .await
            .iter()
            .any(|n| n.title.starts_with(&overdue_title)),
        "told late"
    );
    let again = notices(&app, NoticeKind::StepDue).await;
    assert_eq!(
        again.iter().filter(|n| n.title == title).count(),
        about.len(),
        "told due once"
    );
}
