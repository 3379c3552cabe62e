//! Crash safety (issue 15, point 3): the server is killed with SIGKILL in the middle of a
//! check-in load (every member of every cell of the demo checking in at once, each meeting
//! moved to now). After a restart, every check-in the server answered with success is there, the
//! database passes its integrity check, and the audit chain holds, on both backends.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chibo_store::entities::{api_token, meeting, meeting_attendance, member, user};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use sha2::Digest;

const CODE: &str = "KILLTEST";

fn serve(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("CHIBO_DATABASE_URL", url)
        .env("CHIBO_NO_WORKER", "true")
        .env("CHIBO_LOG", "warn")
        .stdout(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log_path())
                .unwrap(),
        )
        .stderr(Stdio::null())
        .spawn()
        .expect("chibo serve starts")
}

/// The servers' log (their errors), shown when the test fails.
fn log_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("chibo-checkin-killed-{}.log", std::process::id()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request; the status code, or `None` when the connection failed or was cut.
fn post(port: u16, path: &str, token: &str, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    answer.split_whitespace().nth(1)?.parse().ok()
}

fn wait_ready(port: u16) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_in_answered_survives_a_kill() {
    let url = chibo_store::testing::fresh_url().await.unwrap();
    let demo = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(["--database-url", &url, "demo"])
        .env("CHIBO_LOG", "warn")
        .output()
        .unwrap();
    assert!(demo.status.success());
    let db = chibo_store::connect(&url).await.unwrap();

    // Each cell's next announced meeting is moved to now, its QR code known.
    let now = chibo_app::App::now_local();
    let announced = meeting::Entity::find()
        .filter(meeting::Column::Status.eq("published"))
        .order_by_asc(meeting::Column::MeetingDate)
        .all(&db)
        .await
        .unwrap();
    let mut meetings: Vec<(i64, i64)> = Vec::new();
    for m in announced {
        if meetings.iter().any(|(_, cell)| *cell == m.unit_id) {
            continue;
        }
        meetings.push((m.id, m.unit_id));
        let mut am: meeting::ActiveModel = m.into();
        am.meeting_date = Set(now.date());
        am.start_time = Set(now.format("%H:%M").to_string());
        am.checkin_code = Set(Some(CODE.into()));
        am.update(&db).await.unwrap();
    }
    assert!(meetings.len() >= 3, "{meetings:?}");

    // Every member of those cells gets an account and a token, written as chibo would.
    let mut calls: Vec<(i64, i64, String)> = Vec::new();
    for (meeting_id, cell) in &meetings {
        let roll = member::Entity::find()
            .filter(member::Column::UnitId.eq(*cell))
            .filter(member::Column::Status.eq("active"))
            .all(&db)
            .await
            .unwrap();
        for m in roll {
            let account = match user::Entity::find()
                .filter(user::Column::MemberId.eq(m.id))
                .one(&db)
                .await
                .unwrap()
            {
                Some(u) => u.id,
                None => {
                    user::ActiveModel {
                        username: Set(format!("kiemthu.{}", m.id)),
                        display_name: Set(m.full_name.clone()),
                        password_hash: Set("-".into()),
                        member_id: Set(Some(m.id)),
                        is_active: Set(true),
                        created_at: Set(chrono::Utc::now()),
                        ..Default::default()
                    }
                    .insert(&db)
                    .await
                    .unwrap()
                    .id
                }
            };
            let secret = format!("token-of-{}-{}", m.id, meeting_id);
            api_token::ActiveModel {
                token_hash: Set(hex::encode(sha2::Sha256::digest(secret.as_bytes()))),
                user_id: Set(account),
                name: Set("kiểm thử".into()),
                created_at: Set(chrono::Utc::now()),
                expires_at: Set(chrono::Utc::now() + chrono::Duration::days(1)),
                ..Default::default()
            }
            .insert(&db)
            .await
            .unwrap();
            calls.push((*meeting_id, m.id, secret));
        }
    }
    assert!(calls.len() >= 50, "{} members", calls.len());
    db.close().await.unwrap();

    // The load: every member at once, from 16 threads; the server dies a third of the way.
    let port = free_port();
    let mut server = serve(&url, port);
    wait_ready(port);
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let total = calls.len();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(calls));
    let mut threads = Vec::new();
    for _ in 0..16 {
        let (queue, answered) = (queue.clone(), answered.clone());
        threads.push(std::thread::spawn(move || {
            loop {
                let Some((meeting_id, member_id, token)) = queue.lock().unwrap().pop() else {
                    return;
                };
                let status = post(
                    port,
                    &format!("/api/v1/meetings/{meeting_id}/check-in"),
                    &token,
                    &format!("{{\"code\": \"{CODE}\"}}"),
                );
                answered
                    .lock()
                    .unwrap()
                    .push((meeting_id, member_id, status));
            }
        }));
    }
    let started = Instant::now();
    while answered.lock().unwrap().len() < total / 3 {
        assert!(started.elapsed() < Duration::from_secs(120), "no load");
        std::thread::sleep(Duration::from_millis(2));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for t in threads {
        t.join().unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    let ok: Vec<(i64, i64)> = answered
        .iter()
        .filter(|(_, _, s)| *s == Some(200))
        .map(|(m, p, _)| (*m, *p))
        .collect();
    let cut = answered.iter().filter(|(_, _, s)| s.is_none()).count();
    assert!(
        !ok.is_empty(),
        "some check-ins were answered before the kill"
    );
    assert!(cut > 0, "the kill came in the middle of the load");
    assert!(
        answered
            .iter()
            .all(|(_, _, s)| matches!(s, None | Some(200))),
        "every answer was a success or none: {answered:?}\n{}",
        std::fs::read_to_string(log_path()).unwrap_or_default()
    );

    // Restarted: every check-in answered with success is there.
    let mut again = serve(&url, port);
    wait_ready(port);
    let db = chibo_store::connect(&url).await.unwrap();
    for (meeting_id, member_id) in &ok {
        let row = meeting_attendance::Entity::find()
            .filter(meeting_attendance::Column::MeetingId.eq(*meeting_id))
            .filter(meeting_attendance::Column::MemberId.eq(*member_id))
            .filter(meeting_attendance::Column::CheckedInAt.is_not_null())
            .count(&db)
            .await
            .unwrap();
        assert_eq!(
            row, 1,
            "meeting {meeting_id}, member {member_id} was answered 200"
        );
    }
    assert_eq!(
        chibo_store::backup::integrity_problem(&db).await.unwrap(),
        None
    );
    let recorded = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::CheckedInAt.is_not_null())
        .filter(
            meeting_attendance::Column::MeetingId
                .is_in(meetings.iter().map(|m| m.0).collect::<Vec<_>>()),
        )
        .count(&db)
        .await
        .unwrap();
    assert!(recorded as usize >= ok.len());
    let app = chibo_app::App::new(db, chibo_app::Config::default());
    let found = chibo_app::audit::integrity::verify(&app).await.unwrap();
    assert!(found.intact(), "{:?}", found.lines());
    again.kill().unwrap();
    again.wait().unwrap();
    let _ = std::fs::remove_file(log_path());
    eprintln!(
        "{} check-ins sent, {} answered 200 before the kill, {cut} cut off, {recorded} recorded",
        total,
        ok.len()
    );
}
