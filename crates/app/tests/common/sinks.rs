//! Real peers on loopback for the outbox's tests: an SMTP server (the protocol is `mailin`'s
//! session, an SMTP implementation of its own; here only the socket is read and written) that
//! keeps every message it accepts, refusing the recipients it is told to (or holding its reply
//! to the first, `Hold`); and an HTTP SMS gateway that keeps every request. Each message is
//! decoded as a mail reader would: the subject's encoded words and the base64 parts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mailin::response::{NO_MAILBOX, OK};
use mailin::{Action, Handler, Response, SessionBuilder};

/// One message as received: its recipients and its raw text.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub raw: String,
}

impl Mail {
    /// A header's value, its folded lines joined.
    pub fn header(&self, name: &str) -> String {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let mut out = String::new();
        let mut on = false;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                // Unfolding takes out the line break only (RFC 5322 §2.2.3).
                if on {
                    out.push_str(line);
                }
                continue;
            }
            on = line
                .split_once(':')
                .is_some_and(|(k, _)| k.eq_ignore_ascii_case(name));
            if on {
                out = line.split_once(':').unwrap().1.trim().to_string();
            }
        }
        out
    }

    /// The subject, its RFC 2047 encoded words decoded (the space between two encoded words
    /// is not part of the text; any other is).
    pub fn subject(&self) -> String {
        let raw = self.header("Subject");
        let mut out = String::new();
        let mut rest = raw.as_str();
        let mut after_word = false;
        while !rest.is_empty() {
            let lower = rest.to_ascii_lowercase();
            match lower.find("=?utf-8?b?") {
                Some(at) => {
                    let between = &rest[..at];
                    if !(after_word && between.trim().is_empty()) {
                        out.push_str(between);
                    }
                    let word = &rest[at + 10..];
                    let end = word.find("?=").expect("an encoded word ends");
                    let bytes = STANDARD.decode(&word[..end]).unwrap();
                    out.push_str(&String::from_utf8(bytes).unwrap());
                    rest = &word[end + 2..];
                    after_word = true;
                }
                None => {
                    out.push_str(rest);
                    rest = "";
                }
            }
        }
        out
    }

    /// The decoded text of the part of content type `kind` (`text/plain`, `text/html`).
    pub fn part(&self, kind: &str) -> String {
        for chunk in self.raw.split("\r\n--") {
            let (head, body) = chunk.split_once("\r\n\r\n").unwrap_or(("", ""));
            let head_l = head.to_ascii_lowercase();
            if head_l.contains(&format!("content-type: {kind}")) {
                assert!(
                    head_l.contains("content-transfer-encoding: base64"),
                    "{head}"
                );
                let b64: String = body.split_whitespace().collect();
                return String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap();
            }
        }
        panic!("no {kind} part in {}", self.raw)
    }
}

#[derive(Clone)]
struct Sink {
    kept: Arc<Mutex<Vec<Mail>>>,
    refuse: Arc<Vec<String>>,
    hold: Option<Hold>,
    to: Vec<String>,
    data: Vec<u8>,
}

/// A sink that holds its reply to the first message it receives whole, as a slow relay does,
/// until told to let go: the sender cannot know whether it was taken. Let go, it answers a
/// temporary failure and keeps nothing (its sender, killed meanwhile, never hears it).
#[derive(Clone, Default)]
pub struct Hold {
    /// The first message arrived and its reply is held.
    pub holding: Arc<std::sync::atomic::AtomicBool>,
    /// Told to let go.
    pub released: Arc<std::sync::atomic::AtomicBool>,
    taken: Arc<std::sync::atomic::AtomicBool>,
}

impl Handler for Sink {
    fn rcpt(&mut self, to: &str) -> Response {
        if self.refuse.iter().any(|r| to.contains(r.as_str())) {
            return NO_MAILBOX;
        }
        self.to.push(to.to_string());
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        use std::sync::atomic::Ordering::SeqCst;
        if let Some(h) = &self.hold
            && !h.taken.swap(true, SeqCst)
        {
            h.holding.store(true, SeqCst);
            while !h.released.load(SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            self.to.clear();
            self.data.clear();
            return mailin::response::INTERNAL_ERROR;
        }
        self.kept.lock().unwrap().push(Mail {
            to: std::mem::take(&mut self.to),
            raw: String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned(),
        });
        OK
    }
}

/// Starts an SMTP server on loopback that refuses the recipients containing any of `refuse`;
/// its port and what it received.
pub fn smtp_server(refuse: &[&str]) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    serve(refuse, None)
}

/// Starts an SMTP server on loopback that holds its reply to the first message (`hold`); its
/// port and what it received (accepted).
pub fn smtp_server_holding(hold: Hold) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    serve(&[], Some(hold))
}

fn serve(refuse: &[&str], hold: Option<Hold>) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let kept = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink {
        kept: kept.clone(),
        refuse: Arc::new(refuse.iter().map(|s| s.to_string()).collect()),
        hold,
        to: vec![],
        data: vec![],
    };
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let sink = sink.clone();
            std::thread::spawn(move || serve_smtp(stream, sink));
        }
    });
    (port, kept)
}

/// One SMTP conversation: each line to the session, each reply back.
fn serve_smtp(stream: std::net::TcpStream, sink: Sink) {
    let peer = stream.peer_addr().map(|a| a.ip()).unwrap();
    // Each reply at once: with Nagle's delay every exchange waited for the client's ACK.
    stream.set_nodelay(true).unwrap();
    let mut out = stream.try_clone().unwrap();
    let mut session = SessionBuilder::new("sink.test").build(peer, sink);
    session.greeting().write_to(&mut out).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            return;
        }
        let r = session.process(&line);
        match r.action {
            Action::NoReply => {}
            Action::Close => {
                let _ = r.write_to(&mut out);
                return;
            }
            _ => {
                if r.write_to(&mut out).is_err() {
                    return;
                }
            }
        }
    }
}

/// One request the SMS gateway received: its request line and body.
#[derive(Debug, Clone)]
pub struct Hit {
    pub line: String,
    pub body: String,
}

/// Starts an HTTP SMS gateway on loopback answering 200 to every request; its port and what
/// it received.
pub fn sms_gateway() -> (u16, Arc<Mutex<Vec<Hit>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(Mutex::new(Vec::new()));
    let kept = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then as much body as it announces.
            let (head, mut body) = loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break (String::from_utf8_lossy(&buf).into_owned(), Vec::new());
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break (
                        String::from_utf8_lossy(&buf[..at]).into_owned(),
                        buf[at + 4..].to_vec(),
                    );
                }
            };
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            while body.len() < length {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            kept.lock().unwrap().push(Hit {
                line: head.lines().next().unwrap_or("").to_string(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nOK");
        }
    });
    (port, hits)
}
