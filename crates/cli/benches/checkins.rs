//! Check-ins under load (issue 15, point 3): a generated city's members all checking in to
//! their cells' meetings at once, through the release server. The bench prints the throughput
//! and the latency percentiles of the check-ins answered 200. Beside them it prints the ceiling:
//! a plain loop of single-row inserts, each its own transaction written as chibo writes
//! (`write_tx`: flushed to disk at each commit), into the same database. Targets: at least 2,000 check-ins a second, p99 at most 50 ms.
//!
//! `cargo bench -p chibo --bench checkins` on SQLite; with
//! `CHIBO_TEST_DATABASE_URL=$(scripts/pg-start)` on PostgreSQL. `CHIBO_BENCH_CLIENTS` sets the
//! number of clients (32). The figures are also written to
//! `bench/results/checkins-<backend>.md`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chibo_store::entities::{api_token, meeting, member, user};
use chibo_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, Statement,
};
use sha2::Digest;

const CODE: &str = "BENCH1";

/// A client's connection to the server, kept open from one request to the next as a reverse
/// proxy keeps its connections to the application (a connection per check-in measured the
/// client's and the kernel's work on sockets as much as chibo's).
struct Client {
    port: u16,
    stream: Option<BufReader<TcpStream>>,
}

impl Client {
    fn new(port: u16) -> Client {
        Client { port, stream: None }
    }

    /// One POST; the status and the time it took (a new connection included, when the last
    /// one was closed).
    fn post(&mut self, path: &str, token: &str, body: &str) -> (Option<u16>, Duration) {
        self.send("POST", path, token, body)
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &str,
    ) -> (Option<u16>, Duration) {
        let started = Instant::now();
        let mut status = self.try_send(method, path, token, body);
        if status.is_none() {
            // The server closed the kept connection: once more on a new one.
            self.stream = None;
            status = self.try_send(method, path, token, body);
        }
        (status, started.elapsed())
    }

    fn try_send(&mut self, method: &str, path: &str, token: &str, body: &str) -> Option<u16> {
        if self.stream.is_none() {
            let s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
            s.set_nodelay(true).ok()?;
            self.stream = Some(BufReader::new(s));
        }
        let reader = self.stream.as_mut()?;
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        reader.get_mut().write_all(req.as_bytes()).ok()?;
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let status = line.split_whitespace().nth(1)?.parse().ok()?;
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok()?;
            }
        }
        let mut answer = vec![0; length];
        reader.read_exact(&mut answer).ok()?;
        Some(status)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let url = chibo_store::testing::fresh_url().await.unwrap();
    let backend = if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    let clients: usize = std::env::var("CHIBO_BENCH_CLIENTS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(32);
    let chibo = env!("CARGO_BIN_EXE_chibo");
    eprintln!("generating a city on {backend}…");
    let generated = Command::new(chibo)
        .args([
            "--database-url",
            &url,
            "generate",
            "--scale",
            "city",
            "--months",
            "2",
        ])
        .env("CHIBO_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(generated.success());
    let db = chibo_store::connect(&url).await.unwrap();

    // One meeting a cell, today at this hour, each cell's members with an account and a token.
    let now = chibo_app::App::now_local();
    let cells: Vec<(i64, i64)> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::UnitId)
        .column_as(meeting::Column::RuleSetId.max(), "rule_set_id")
        .group_by(meeting::Column::UnitId)
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    for chunk in cells.chunks(500) {
        let rows = chunk.iter().map(|(cell, rules)| meeting::ActiveModel {
            unit_id: Set(*cell),
            kind: Set("regular".into()),
            combined: Set(false),
            topic: Set("Sinh hoạt thường kỳ (đo tải điểm danh)".into()),
            meeting_date: Set(now.date()),
            start_time: Set(now.format("%H:%M").to_string()),
            place: Set("Hội trường".into()),
            rule_set_id: Set(*rules),
            status: Set("published".into()),
            published_at: Set(Some(chrono::Utc::now())),
            created_at: Set(chrono::Utc::now()),
            checkin_code: Set(Some(CODE.into())),
            ..Default::default()
        });
        meeting::Entity::insert_many(rows).exec(&db).await.unwrap();
    }
    let today: Vec<(i64, i64)> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::Id)
        .column(meeting::Column::UnitId)
        .filter(meeting::Column::CheckinCode.eq(CODE))
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    let roll: Vec<(i64, i64)> = member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::UnitId)
        .filter(member::Column::Status.eq("active"))
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    let meeting_of: std::collections::HashMap<i64, i64> =
        today.iter().map(|(m, cell)| (*cell, *m)).collect();
    let taken: std::collections::HashSet<i64> = user::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|u| u.member_id)
        .collect();
    let mut calls = Vec::new();
    for chunk in roll.chunks(500) {
        let fresh: Vec<_> = chunk
            .iter()
            .filter(|(m, cell)| meeting_of.contains_key(cell) && !taken.contains(m))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        user::Entity::insert_many(fresh.iter().map(|(m, _)| user::ActiveModel {
            username: Set(format!("do.tai.{m}")),
            display_name: Set(format!("Đảng viên {m}")),
            password_hash: Set("-".into()),
            member_id: Set(Some(*m)),
            is_active: Set(true),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }))
        .exec(&db)
        .await
        .unwrap();
    }
    let accounts: Vec<(i64, Option<i64>)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::MemberId)
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    let cell_of: std::collections::HashMap<i64, i64> = roll.iter().copied().collect();
    let mut tokens = Vec::new();
    for (account, member) in accounts {
        let Some(member) = member else { continue };
        let Some(meeting) = cell_of.get(&member).and_then(|c| meeting_of.get(c)) else {
            continue;
        };
        let secret = format!("bench-{account}");
        tokens.push(api_token::ActiveModel {
            token_hash: Set(hex::encode(sha2::Sha256::digest(secret.as_bytes()))),
            user_id: Set(account),
            name: Set("đo tải".into()),
            created_at: Set(chrono::Utc::now()),
            expires_at: Set(chrono::Utc::now() + chrono::Duration::days(1)),
            ..Default::default()
        });
        calls.push((*meeting, secret));
    }
    for chunk in tokens.chunks(500) {
        api_token::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await
            .unwrap();
    }

    // The load.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(chibo)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("CHIBO_DATABASE_URL", &url)
        .env("CHIBO_NO_WORKER", "true")
        .env("CHIBO_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    // The server computes the new meetings' figures at start; the load waits for it.
    std::thread::sleep(Duration::from_secs(3));
    let total = calls.len();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(calls));
    // Each client first opens its connection and asks who it is (`GET /api/v1/me`, not timed),
    // as the members' phones have the page open before the secretary shows the code: the run
    // then measures check-ins, not the server's first connections and first statements.
    let ready = std::sync::Arc::new(std::sync::Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let (queue, ready) = (queue.clone(), ready.clone());
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut client = Client::new(port);
                // A token of its own: one of the members it may check in.
                let first = queue
                    .lock()
                    .unwrap()
                    .iter()
                    .rev()
                    .nth(i)
                    .map(|(_, token)| token.clone());
                if let Some(token) = first {
                    client.send("GET", "/api/v1/me", &token, "");
                }
                ready.wait();
                loop {
                    let Some((meeting, token)) = queue.lock().unwrap().pop() else {
                        return mine;
                    };
                    let sent = Instant::now();
                    let (status, took) = client.post(
                        &format!("/api/v1/meetings/{meeting}/check-in"),
                        &token,
                        &format!("{{\"code\": \"{CODE}\"}}"),
                    );
                    mine.push((status, took, sent));
                }
            })
        })
        .collect();
    // The run starts when every client is ready; each check-in's time of sending is kept as
    // an instant and read against the start once all are answered.
    ready.wait();
    let started = Instant::now();
    let answers: Vec<(Option<u16>, Duration, Duration)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .map(|(status, took, sent)| (status, took, sent.saturating_duration_since(started)))
        .collect();
    let elapsed = started.elapsed();
    server.kill().unwrap();
    server.wait().unwrap();
    let mut ok: Vec<Duration> = answers
        .iter()
        .filter(|(s, _, _)| *s == Some(200))
        .map(|(_, d, _)| *d)
        .collect();
    ok.sort();
    // When the slowest hundredth were sent: together (one stall) or spread (queueing).
    let mut slow: Vec<&(Option<u16>, Duration, Duration)> = answers.iter().collect();
    slow.sort_by_key(|a| std::cmp::Reverse(a.1));
    slow.truncate((answers.len() / 100).max(1));
    let mut sent: Vec<u128> = slow.iter().map(|a| a.2.as_millis()).collect();
    sent.sort();
    eprintln!(
        "the slowest {} were sent {:?} ms into the run ({} ms in all)",
        sent.len(),
        sent,
        elapsed.as_millis()
    );
    let failed = answers.len() - ok.len();

    // The ceiling: single-row inserts, one transaction each, one after another.
    let b = db.get_database_backend();
    db.execute_raw(Statement::from_string(
        b,
        "CREATE TABLE bench_ceiling (id BIGINT PRIMARY KEY, at TEXT NOT NULL)",
    ))
    .await
    .unwrap();
    let ceiling_started = Instant::now();
    let mut inserted = 0i64;
    while ceiling_started.elapsed() < Duration::from_secs(3) {
        inserted += 1;
        let mut sql = chibo_store::sql::Sql::default();
        let (id, at) = (
            sql.bind(inserted),
            sql.bind(chrono::Utc::now().to_rfc3339()),
        );
        // Through `write_tx`, as chibo writes: on SQLite the writers' connection, which
        // flushes each commit to disk.
        let tx = chibo_store::write_tx(&db).await.unwrap();
        tx.execute_raw(sql.statement(b, &format!("INSERT INTO bench_ceiling VALUES ({id}, {at})")))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let ceiling = inserted as f64 / ceiling_started.elapsed().as_secs_f64();

    let report = format!(
        "# Check-ins under load, {backend}\n\n\
         A generated city, {total} members checking in to {} meetings at once, {clients} \
         clients on loopback each keeping its connection, release build (`cargo bench -p chibo --bench checkins`).\n\n\
         | figure | value |\n| --- | --- |\n\
         | check-ins answered 200 | {} |\n| refused or failed | {failed} |\n\
         | throughput | {:.0} check-ins/s |\n| p50 | {:.1} ms |\n| p99 | {:.1} ms |\n\
         | max | {:.1} ms |\n\
         | ceiling: single-row inserts, one durable transaction each, one after another | {:.0} rows/s |\n\
         \nTargets: at least 2,000 check-ins/s, p99 at most 50 ms.\n",
        today.len(),
        ok.len(),
        ok.len() as f64 / elapsed.as_secs_f64(),
        percentile(&ok, 0.5),
        percentile(&ok, 0.99),
        percentile(&ok, 1.0),
        ceiling,
    );
    print!("{report}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../bench/results")
        .join(format!("checkins-{backend}.md"));
    std::fs::write(&out, &report).unwrap();
    eprintln!("written to {}", out.display());
}
