//! Issue 14, point 5: two `chibo worker` processes share one PostgreSQL outbox, and one is
//! killed (SIGKILL) while the SMTP relay holds its reply to a message (so the relay never took
//! it). The other delivers every message, the killed one's batch once its claim runs out, and
//! the relay accepts each message exactly once: no two workers send one message while both
//! live. (Had the relay taken the held message before the kill, it would arrive twice, with one
//! `Message-ID`: delivery is at least once.) On SQLite (one worker by design) the test has
//! nothing to show and says so.

#[allow(dead_code)]
#[path = "../../app/tests/common/sinks.rs"]
mod sinks;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use chibo_store::entities::{outbox, outbox_attempt};
use chibo_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use chrono::Utc;

/// Messages queued: several batches' worth.
const MESSAGES: usize = 12;

/// A worker process (named after its host and process id).
fn worker(url: &str, smtp_port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_chibo"))
        .arg("worker")
        .env("CHIBO_DATABASE_URL", url)
        .env("CHIBO_SMTP_HOST", "127.0.0.1")
        .env("CHIBO_SMTP_PORT", smtp_port.to_string())
        .env("CHIBO_SMTP_FROM", "chibo <thongbao@chibo.example.vn>")
        .env("CHIBO_PUBLIC_URL", "https://chibo.example.vn")
        .env("CHIBO_OUTBOX_LEASE_SECONDS", "3")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chibo worker starts")
}

/// Waits (at most a minute) until `done` holds.
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_worker_killed_mid_delivery_leaves_its_messages_to_the_other_delivered_once() {
    if chibo_store::testing::backend_name() != "postgres" {
        eprintln!("several workers share an outbox on PostgreSQL only: nothing to test on SQLite");
        return;
    }
    let url = chibo_store::testing::fresh_url().await.unwrap();
    let db = chibo_store::connect(&url).await.unwrap();
    chibo_store::migrate(&db).await.unwrap();
    let app = chibo_app::App::new(db.clone(), chibo_app::Config::default());
    assert!(chibo_seed::demo::seed(&app).await.unwrap());
    let member = chibo_store::entities::member::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..MESSAGES {
        let m = outbox::ActiveModel {
            member_id: Set(member.id),
            kind: Set("meeting_published".into()),
            channel: Set("email".into()),
            address: Set(format!("dangvien{i}@example.vn")),
            subject: Set(format!("Thử giao thư số {i}")),
            body: Set(format!("Thư số {i}: đồng chí nhận được đúng một lần.")),
            meeting_id: Set(None),
            status: Set("queued".into()),
            attempts: Set(0),
            next_attempt_at: Set(Utc::now() - chrono::Duration::seconds(1)),
            claimed_by: Set(None),
            claimed_until: Set(None),
            last_error: Set(None),
            created_at: Set(Utc::now()),
            sent_at: Set(None),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        ids.push(m.id);
    }

    let hold = sinks::Hold::default();
    let (port, kept) = sinks::smtp_server_holding(hold.clone());
    // The first worker alone, until the relay holds its first message.
    let mut a = worker(&url, port);
    until("the relay to hold a message", async || {
        hold.holding.load(SeqCst)
    })
    .await;
    let mut b = worker(&url, port);
    let b_pid = b.id();
    // Killed mid-delivery: its batch stays claimed under its name.
    a.kill().unwrap();
    a.wait().unwrap();
    hold.released.store(true, SeqCst);

    let mine = || {
        outbox::Entity::find()
            .filter(outbox::Column::Id.is_in(ids.clone()))
            .all(&db)
    };
    until("every message sent", async || {
        mine().await.unwrap().iter().all(|m| m.status == "sent")
    })
    .await;
    b.kill().unwrap();
    b.wait().unwrap();

    // Each accepted once, by its own Message-ID, and nothing else.
    let kept = kept.lock().unwrap().clone();
    let ours: Vec<&sinks::Mail> = kept
        .iter()
        .filter(|m| m.subject().starts_with("Thử giao thư số "))
        .collect();
    assert_eq!(ours.len(), MESSAGES, "each message once");
    let mut message_ids: Vec<String> = ours.iter().map(|m| m.header("Message-ID")).collect();
    message_ids.sort();
    message_ids.dedup();
    assert_eq!(message_ids.len(), MESSAGES);
    for id in &ids {
        assert!(
            message_ids
                .iter()
                .any(|m| m.starts_with(&format!("<chibo-outbox-{id}@"))),
            "message {id} arrived"
        );
    }
    // The killed worker's batch went out on a second attempt, by the other worker, each
    // with one attempt recorded (the killed worker recorded none).
    let rows = mine().await.unwrap();
    let retried: Vec<i64> = rows
        .iter()
        .filter(|m| m.attempts > 1)
        .map(|m| m.id)
        .collect();
    assert!(
        !retried.is_empty(),
        "the killed worker's batch was taken over"
    );
    let attempts = outbox_attempt::Entity::find()
        .filter(outbox_attempt::Column::OutboxId.is_in(retried.clone()))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(attempts.len(), retried.len());
    for t in &attempts {
        assert!(t.ok, "{t:?}");
        assert!(t.worker.contains(&format!("-{b_pid}-")), "{t:?}");
    }
}
