//! What the service remembers between requests, and when it forgets it.
//!
//! Every request starts by finding who is asking (a session or token, the user, their grants)
//! and most meeting pages parse a rule set: at a province that is most of the work of the pages
//! every member opens. Two things are kept in memory:
//!
//! - **actors**, by the digest of their session secret or token, for at most
//!   [`Config::actor_memo_seconds`](crate::Config) and only until the next write: any
//!   state-changing request through this process calls [`Memo::forget_actors`] once it has
//!   been handled (the web layer does it for every non-GET request, so no use case has to
//!   remember to), and an entry read before a write is tagged with the generation it was read
//!   in and never served after it. What another process writes (a second server on the same
//!   PostgreSQL, the command line) is seen within that many seconds;
//! - **rule sets** by id, parsed once: a rule set row is never changed or removed (a new text
//!   is a new row with its own effective date), so what was read stays true.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chibo_domain::rules::RuleSet;

use crate::access::Actor;

/// Most actors kept at once: when full, expired ones are dropped, then all of them (a few
/// hundred bytes each, so a few megabytes at most).
const MAX_ACTORS: usize = 20_000;

pub struct Memo {
    generation: AtomicU64,
    actor_ttl: Duration,
    actors: Mutex<HashMap<String, Remembered>>,
    rule_sets: RwLock<HashMap<i64, Arc<(RuleSet, String)>>>,
}

struct Remembered {
    actor: Actor,
    generation: u64,
    until: Instant,
}

/// The generation an actor was read in: what [`Memo::remember_actor`] needs to know whether a
/// write happened while it was being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64);

impl Memo {
    /// Actors are kept `actor_ttl` at most; zero keeps none.
    pub fn new(actor_ttl: Duration) -> Self {
        Self {
            generation: AtomicU64::new(0),
            actor_ttl,
            actors: Mutex::new(HashMap::new()),
            rule_sets: RwLock::new(HashMap::new()),
        }
    }

    /// Something may have changed who may do what (a grant, a password, a logout, a move of
    /// units): no actor read before now is served again.
    pub fn forget_actors(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The current write generation: what was read in it stays true until the next write.
    pub fn generation(&self) -> Generation {
        Generation(self.generation.load(Ordering::SeqCst))
    }

    /// The actor remembered under `key`, if it was read after the last write and is still
    /// fresh.
    pub(crate) fn actor(&self, key: &str) -> Option<Actor> {
        let now = self.generation.load(Ordering::SeqCst);
        let actors = self.actors.lock().unwrap_or_else(PoisonError::into_inner);
        actors
            .get(key)
            .filter(|r| r.generation == now && r.until > Instant::now())
            .map(|r| r.actor.clone())
    }

    /// Keeps `actor`, read under `key` in generation `read_in`.
    pub(crate) fn remember_actor(&self, key: String, read_in: Generation, actor: &Actor) {
        if self.actor_ttl.is_zero() || read_in.0 != self.generation.load(Ordering::SeqCst) {
            return;
        }
        let now = Instant::now();
        let mut actors = self.actors.lock().unwrap_or_else(PoisonError::into_inner);
        if actors.len() >= MAX_ACTORS {
            let current = read_in.0;
            actors.retain(|_, r| r.until > now && r.generation == current);
            if actors.len() >= MAX_ACTORS {
                actors.clear();
            }
        }
        actors.insert(
            key,
            Remembered {
                actor: actor.clone(),
                generation: read_in.0,
                until: now + self.actor_ttl,
            },
        );
    }

    /// The parsed rule set `id`, with its name, if it was read before.
    pub(crate) fn rule_set(&self, id: i64) -> Option<Arc<(RuleSet, String)>> {
        let sets = self
            .rule_sets
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        sets.get(&id).cloned()
    }

    pub(crate) fn remember_rule_set(&self, id: i64, set: Arc<(RuleSet, String)>) {
        let mut sets = self
            .rule_sets
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        sets.insert(id, set);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::auth::test_actor;

    #[test]
    fn an_actor_read_before_a_write_is_not_served_after_it() {
        let memo = Memo::new(Duration::from_secs(60));
        let a = test_actor("a");
        let read_in = memo.generation();
        memo.remember_actor("k".into(), read_in, &a);
        assert_eq!(
            memo.actor("k").map(|a| a.username().to_string()),
            Some("a".into())
        );
        memo.forget_actors();
        assert!(memo.actor("k").is_none());
        // Read before the write, stored after it: not kept.
        memo.remember_actor("k".into(), read_in, &a);
        assert!(memo.actor("k").is_none());
        memo.remember_actor("k".into(), memo.generation(), &a);
        assert!(memo.actor("k").is_some());
    }

    #[test]
    fn a_zero_lifetime_keeps_nothing_and_entries_expire() {
        let memo = Memo::new(Duration::ZERO);
        memo.remember_actor("k".into(), memo.generation(), &test_actor("a"));
        assert!(memo.actor("k").is_none());
        let memo = Memo::new(Duration::from_millis(1));
        memo.remember_actor("k".into(), memo.generation(), &test_actor("a"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(memo.actor("k").is_none());
    }

    #[test]
    fn a_full_memo_makes_room() {
        let memo = Memo::new(Duration::from_secs(60));
        for i in 0..MAX_ACTORS + 10 {
            memo.remember_actor(format!("k{i}"), memo.generation(), &test_actor("a"));
        }
        let kept = memo.actors.lock().unwrap().len();
        assert!(kept <= MAX_ACTORS, "{kept}");
        assert!(memo.actor(&format!("k{}", MAX_ACTORS + 9)).is_some());
    }
}
