//! The served store's live state, read once and answered from while the store has not
//! changed: every catalog request needs it, and reading it again (the whole catalog out of
//! `SQLite`, every definition parsed, the customers counted) cost a catalog's size per request.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use crate::backend::local::LocalStore;
use crate::backend::{ApplyProgress, ApplyReport, Backend, BackendError, Capabilities};
use crate::diff::Plan;
use crate::live::LiveState;
use crate::store::{ChangeStamp, Store};

/// The store's catalog as a billing system, whose fetch is kept while nothing was written to
/// the store since (by this connection, the ledger's, or another process: [`ChangeStamp`])
/// and no prepaid credits it counted as held have expired since (the one part of a fetch
/// that depends on the time: [`LocalStore::fetch_until`]).
pub struct LiveCache {
    store: LocalStore,
    kept: Option<Kept>,
}

/// A fetch, and when it stops being the answer.
struct Kept {
    /// Read before the fetch, so a write during it moves the next stamp.
    stamp: ChangeStamp,
    /// From when the fetch is no longer the answer, if ever.
    until: Option<SystemTime>,
    live: Arc<Live>,
}

/// A live state, with its fingerprint (what a plan of it records) worked out once, when first
/// asked for: writing and hashing the whole catalog for every diff of the same state was a
/// good part of each preview.
#[derive(Debug)]
pub struct Live {
    state: LiveState,
    fingerprint: OnceLock<String>,
}

impl Live {
    pub fn new(state: LiveState) -> Live {
        Live {
            state,
            fingerprint: OnceLock::new(),
        }
    }

    /// [`LiveState::catalog_fingerprint`].
    pub fn fingerprint(&self) -> &str {
        self.fingerprint
            .get_or_init(|| self.state.catalog_fingerprint())
    }
}

impl Deref for Live {
    type Target = LiveState;

    fn deref(&self) -> &LiveState {
        &self.state
    }
}

impl LiveCache {
    pub fn new(store: LocalStore) -> LiveCache {
        LiveCache { store, kept: None }
    }

    /// The store, for reads beyond the live state.
    pub fn store(&self) -> &Store {
        self.store.store()
    }

    /// The live state now: kept, or read again when the store changed or time moved past
    /// what it counted.
    pub fn live(&mut self) -> Result<Arc<Live>, BackendError> {
        let stamp = self.store.store().change_stamp()?;
        if let Some(live) = self.kept_at(stamp) {
            return Ok(live);
        }
        self.kept = None;
        let (live, until) = self.store.fetch_until()?;
        let live = Arc::new(Live::new(live));
        self.kept = Some(Kept {
            stamp,
            until,
            live: Arc::clone(&live),
        });
        Ok(live)
    }

    /// The catalog's currency (empty before the first apply): the kept live state's, else
    /// read alone, without the rest of a fetch.
    pub fn currency(&mut self) -> Result<String, BackendError> {
        let stamp = self.store.store().change_stamp()?;
        match self.kept_at(stamp) {
            Some(live) => Ok(live.catalog.currency.clone()),
            None => Ok(self.store.store().currency()?),
        }
    }

    /// What is kept, if it is still the answer at `stamp`.
    fn kept_at(&self, stamp: ChangeStamp) -> Option<Arc<Live>> {
        self.kept
            .as_ref()
            .filter(|kept| {
                kept.stamp == stamp && kept.until.is_none_or(|until| SystemTime::now() < until)
            })
            .map(|kept| Arc::clone(&kept.live))
    }
}

impl Backend for LiveCache {
    fn describe(&self) -> String {
        self.store.describe()
    }

    fn capabilities(&self) -> Capabilities {
        self.store.capabilities()
    }

    fn fetch(&mut self) -> Result<LiveState, BackendError> {
        self.live().map(|live| live.state.clone())
    }

    /// The apply's writes move the stamp: the next fetch reads again.
    fn apply(&mut self, plan: &Plan, progress: &mut dyn ApplyProgress) -> ApplyReport {
        self.store.apply(plan, progress)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::*;

    /// A kept state over a store holding the openai-credits example (credit system
    /// `credits`).
    fn cache(path: &std::path::Path) -> LiveCache {
        LiveCache::new(crate::serve::example_store(path))
    }

    fn held_by(live: &LiveState) -> u64 {
        live.held_credits.as_ref().expect("held credits")["credits"].customers
    }

    #[test]
    fn prepaid_credits_stop_being_held_when_they_expire_with_no_write_in_between() {
        let directory = tempfile::tempdir().expect("a directory");
        let path = directory.path().join("local.db");
        let mut cache = cache(&path);
        let expiry = SystemTime::now() + Duration::from_millis(500);
        let expires_at = i64::try_from(
            expiry
                .duration_since(UNIX_EPOCH)
                .expect("after 1970")
                .as_millis(),
        )
        .expect("fits");
        let other = rusqlite::Connection::open(&path).expect("another connection");
        other
            .execute_batch(&format!(
                "INSERT INTO customers (id, created_at) VALUES ('acme', 0);
                 INSERT INTO lots (customer_id, balance_key, source, granted, remaining, starts_at, expires_at)
                 VALUES ('acme', 'credits', 'purchased', '50', '50', 0, {expires_at});"
            ))
            .expect("a purchased lot");
        assert_eq!(held_by(&cache.live().expect("live")), 1);
        assert_eq!(held_by(&cache.live().expect("live")), 1, "kept");
        let stamp = cache.store().change_stamp().expect("a stamp");
        while SystemTime::now() < expiry + Duration::from_millis(1) {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(
            cache.store().change_stamp().expect("a stamp"),
            stamp,
            "no write"
        );
        assert_eq!(held_by(&cache.live().expect("live")), 0, "expired");
    }

    #[test]
    fn the_kept_state_is_the_one_a_fresh_fetch_reads() {
        let directory = tempfile::tempdir().expect("a directory");
        let path = directory.path().join("local.db");
        let mut cache = cache(&path);
        let kept = cache.live().expect("live");
        let mut fresh = LocalStore::open(&path).expect("the store again");
        assert_eq!(kept.state, fresh.fetch().expect("a fetch"));
        assert_eq!(kept.fingerprint(), kept.state.catalog_fingerprint());
        assert!(
            Arc::ptr_eq(&kept, &cache.live().expect("live")),
            "kept, not read"
        );
        assert_eq!(cache.fetch().expect("a fetch"), kept.state);
    }
}
