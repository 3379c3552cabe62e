//! The pages and answers every member opens (their home page, a meeting's page, their coming
//! meetings), served again from memory until the next write.
//!
//! On a meeting day a cell's members open and reload the same few pages many times, and each
//! one is rebuilt from several statements (the notice, the roll, the sheet, the record). What
//! a page shows can change only by a write or by time passing, so a rendered page is kept,
//! under the user and the exact address it answered, with the write generation of
//! [`chibo_app::memo::Memo`]:
//!
//! - any state-changing request through this process ends that generation (the router does it
//!   for every non-GET request, the same hook that forgets actors), and a page rendered while
//!   a write was under way is not kept;
//! - a page is kept for [`Config::actor_memo_seconds`](chibo_app::Config) (5 s by default;
//!   zero keeps none), and a moment longer for the others while one request renders it again.
//!   That bounds what time alone changes (a check-in opening) and what another process writes
//!   (a second server on the same PostgreSQL, the command line);
//! - a page not kept yet is rendered by the first request that asks for it; the same user's
//!   requests for it that come while it renders (reloads, several tabs, a burst of retries on
//!   a bad connection) wait for it, a few milliseconds, instead of each rendering it too;
//! - only a whole 200 answer is kept; an error, a redirect or a refused form is never served
//!   again;
//! - the kept pages hold at most [`MAX_BYTES`]: when that is reached, the expired and stale
//!   ones are dropped, then all of them.
//!
//! The key is the user, never the session: two sessions of one user see the same page, and a
//! user sees only what was rendered for them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chibo_app::Actor;
use chibo_app::memo::Generation;
use tokio::sync::watch;

use crate::state::AppState;

/// Most bytes of rendered pages kept at once.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// A page's body larger than this is not kept (a cell's whole sheet is about 120 KiB).
const MAX_PAGE_BYTES: usize = 1024 * 1024;

type Key = (i64, String);

struct Entry {
    body: Bytes,
    content_type: HeaderValue,
    generation: Generation,
    until: Instant,
    /// Its time is up and one request is rendering it again.
    stale_served: bool,
}

/// Rendered pages by user and address.
pub struct KeptPages {
    ttl: Duration,
    inner: Mutex<Pages>,
}

#[derive(Default)]
struct Pages {
    entries: HashMap<Key, Entry>,
    bytes: usize,
    /// Pages being rendered with nothing to serve meanwhile (not kept, or kept too long
    /// ago); the others wait on the channel, which closes when the renderer is done (or gone).
    rendering: HashMap<Key, watch::Sender<()>>,
}

/// What a request does about a page.
enum Lookup<'a> {
    Kept(Response),
    /// Another request is rendering it: wait for the channel to close, then look again.
    Wait(watch::Receiver<()>),
    /// Render it; the guard lets the waiters go when dropped.
    Render(Rendering<'a>),
}

/// A request rendering a page; dropping it (done, failed or cancelled) wakes the requests
/// waiting for that page.
struct Rendering<'a> {
    pages: &'a KeptPages,
    key: Key,
    registered: bool,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        if self.registered {
            let mut pages = self
                .pages
                .inner
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            pages.rendering.remove(&self.key);
        }
    }
}

impl KeptPages {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            inner: Mutex::new(Pages::default()),
        }
    }

    /// The page kept under `key` in generation `now`, or who renders it. Once its time is up,
    /// the first request to ask renders it again while the others are still served the kept
    /// one; a page not kept is rendered by the first request while the others wait. A page
    /// from before a write is never served.
    fn lookup(&self, key: &Key, now: Generation) -> Lookup<'_> {
        let mut pages = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let render = |registered| {
            Lookup::Render(Rendering {
                pages: self,
                key: key.clone(),
                registered,
            })
        };
        if let Some(e) = pages.entries.get_mut(key).filter(|e| e.generation == now) {
            let expired = e.until <= Instant::now();
            if expired && !e.stale_served {
                e.stale_served = true;
                return render(false);
            }
            // Someone is rendering it again: this one gets the kept page, unless the renderer
            // has taken far too long (it failed, or the page stopped being a 200).
            if !expired || e.until + self.ttl > Instant::now() {
                let mut res = Response::new(Body::from(e.body.clone()));
                res.headers_mut()
                    .insert(header::CONTENT_TYPE, e.content_type.clone());
                return Lookup::Kept(res);
            }
        }
        if let Some(renderer) = pages.rendering.get(key) {
            return Lookup::Wait(renderer.subscribe());
        }
        pages.rendering.insert(key.clone(), watch::channel(()).0);
        render(true)
    }

    /// The page kept under `key` in generation `now`, if this request is served it (a lookup:
    /// it may also make this request the renderer).
    #[cfg(test)]
    fn get(&self, key: &Key, now: Generation) -> Option<Response> {
        match self.lookup(key, now) {
            Lookup::Kept(res) => Some(res),
            _ => None,
        }
    }

    fn keep(&self, key: Key, entry: Entry) {
        let mut pages = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let p = &mut *pages;
        if p.bytes + entry.body.len() > MAX_BYTES {
            let now = Instant::now();
            p.entries
                .retain(|_, e| e.until > now && e.generation == entry.generation);
            p.bytes = p.entries.values().map(|e| e.body.len()).sum();
            if p.bytes + entry.body.len() > MAX_BYTES {
                p.entries.clear();
                p.bytes = 0;
            }
        }
        p.bytes += entry.body.len();
        if let Some(old) = p.entries.insert(key, entry) {
            p.bytes -= old.body.len();
        }
    }
}

/// The write generation a request began in, taken before the user and their grants are read:
/// a handler that keeps its page takes this before `PageUser` or `ApiUser`, so a page rendered
/// with grants read before a write is never kept after it.
pub struct Began(Generation);

impl axum::extract::FromRequestParts<AppState> for Began {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        _parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Began(state.app.memo.generation()))
    }
}

/// The page at `uri` for `actor`: the one kept since the last write, or the one `render` makes
/// (kept when it is a whole 200 answer and no write ended the generation the request `began`
/// in).
pub async fn page_for<E, F, Fut>(
    s: &AppState,
    Began(read_in): Began,
    actor: &Actor,
    uri: &Uri,
    render: F,
) -> Result<Response, E>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Response, E>>,
{
    let pages = &s.kept;
    if pages.ttl.is_zero() {
        return render().await;
    }
    let key = (actor.user_id().get(), uri.to_string());
    let mut rendering = None;
    for waited in 0..3 {
        match pages.lookup(&key, read_in) {
            Lookup::Kept(res) => return Ok(res),
            Lookup::Render(r) => {
                rendering = Some(r);
                break;
            }
            Lookup::Wait(mut done) if waited < 2 => {
                let _ = tokio::time::timeout(pages.ttl, done.changed()).await;
            }
            // Two renders waited on kept nothing (a write, or a page not kept): render it
            // alongside rather than queue again.
            Lookup::Wait(_) => break,
        }
    }
    let res = render().await?;
    if res.status() != StatusCode::OK {
        return Ok(res);
    }
    let (parts, body) = res.into_parts();
    // Only a body known to be small is kept: a larger one is sent as it streams.
    let small = HttpBody::size_hint(&body)
        .upper()
        .is_some_and(|n| n <= MAX_PAGE_BYTES as u64);
    if !small {
        return Ok(Response::from_parts(parts, body));
    }
    let Ok(body) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        // An in-memory body of a known small size cannot fail to be read.
        return Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let unchanged = read_in == s.app.memo.generation();
    if let Some(content_type) = parts
        .headers
        .get(header::CONTENT_TYPE)
        .filter(|_| unchanged)
    {
        pages.keep(
            key,
            Entry {
                body: body.clone(),
                content_type: content_type.clone(),
                generation: read_in,
                until: Instant::now() + pages.ttl,
                stale_served: false,
            },
        );
    }
    drop(rendering);
    Ok(Response::from_parts(parts, Body::from(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chibo_app::memo::Memo;

    fn page(body: &str, generation: Generation, ttl: Duration) -> Entry {
        Entry {
            body: Bytes::from(body.to_string()),
            content_type: HeaderValue::from_static("text/html; charset=utf-8"),
            generation,
            until: Instant::now() + ttl,
            stale_served: false,
        }
    }

    fn key(user: i64) -> Key {
        (user, "/meetings/1".into())
    }

    #[test]
    fn a_page_is_served_until_the_next_write_and_only_to_its_user() {
        let memo = Memo::new(Duration::from_secs(60));
        let pages = KeptPages::new(Duration::from_secs(60));
        let read_in = memo.generation();
        pages.keep(key(1), page("a", read_in, pages.ttl));
        assert!(pages.get(&key(1), memo.generation()).is_some());
        assert!(pages.get(&key(2), memo.generation()).is_none());
        memo.forget_actors();
        assert!(pages.get(&key(1), memo.generation()).is_none());
    }

    #[test]
    fn once_its_time_is_up_one_request_renders_it_again_and_the_others_are_served() {
        let memo = Memo::new(Duration::from_secs(60));
        let pages = KeptPages::new(Duration::from_secs(60));
        let now = memo.generation();
        pages.keep(key(1), page("a", now, Duration::ZERO));
        assert!(pages.get(&key(1), now).is_none(), "the first renders it");
        assert!(pages.get(&key(1), now).is_some(), "the others wait on it");
        pages.keep(key(1), page("b", now, pages.ttl));
        assert!(pages.get(&key(1), now).is_some());
        // A renderer that never came back: after a second lifetime nobody is served the old one.
        let stuck = Entry {
            until: Instant::now() - pages.ttl,
            stale_served: true,
            ..page("c", now, Duration::ZERO)
        };
        pages.keep(key(1), stuck);
        assert!(pages.get(&key(1), now).is_none());
    }

    #[test]
    fn a_page_not_kept_is_rendered_by_the_first_request_while_the_others_wait() {
        let memo = Memo::new(Duration::from_secs(60));
        let pages = KeptPages::new(Duration::from_secs(60));
        let now = memo.generation();
        let Lookup::Render(first) = pages.lookup(&key(1), now) else {
            panic!("the first renders it");
        };
        let Lookup::Wait(done) = pages.lookup(&key(1), now) else {
            panic!("the second waits");
        };
        assert!(
            matches!(pages.lookup(&key(2), now), Lookup::Render(_)),
            "another user's page is not waited on"
        );
        assert!(done.has_changed().is_ok(), "still rendering");
        pages.keep(key(1), page("a", now, pages.ttl));
        drop(first);
        assert!(done.has_changed().is_err(), "the waiters are let go");
        assert!(pages.get(&key(1), now).is_some());
        // A renderer that fails keeps nothing: the next request renders it in its turn.
        let Lookup::Render(failed) = pages.lookup(&key(3), now) else {
            panic!("renders");
        };
        drop(failed);
        assert!(matches!(pages.lookup(&key(3), now), Lookup::Render(_)));
    }

    #[test]
    fn the_pages_kept_stay_within_their_byte_budget() {
        let memo = Memo::new(Duration::from_secs(60));
        let pages = KeptPages::new(Duration::from_secs(60));
        let body = "x".repeat(MAX_PAGE_BYTES / 2);
        for user in 0..(2 * MAX_BYTES / body.len()) as i64 {
            pages.keep(key(user), page(&body, memo.generation(), pages.ttl));
            let held = pages.inner.lock().unwrap().bytes;
            assert!(held <= MAX_BYTES, "{held} bytes kept");
        }
        assert!(!pages.inner.lock().unwrap().entries.is_empty());
        let counted: usize = pages
            .inner
            .lock()
            .unwrap()
            .entries
            .values()
            .map(|e| e.body.len())
            .sum();
        assert_eq!(counted, pages.inner.lock().unwrap().bytes);
    }
}
