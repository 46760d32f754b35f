//! The process's view of the `sync_versions` counters, so that hot paths can tell whether an
//! in-memory cache is current without asking the database.
//!
//! Every change to cached data (sessions, users, tenants, settings, catalogue extensions, grids)
//! bumps a named counter in the same transaction as the change ([`crate::db::bump_version`]).
//! A cache entry remembers the counter value it was loaded at and is used only while the
//! counter still has that value.
//!
//! How fresh the snapshot is:
//! * **Changes made by this process** are seen by every later request: the API runs each request
//!   inside [`track`], and when the request bumped a counter the snapshot is re-read after the
//!   handler (and so after its commit) and before the response leaves.
//! * **Changes made by other replicas** are seen within [`Versions::POLL_INTERVAL`]: a background
//!   task re-reads the table (one small query) that often.
//!
//! A cache may load data newer than the counter it records (a commit landed between the two
//! reads); it is then reloaded once more than necessary, never served stale past the next bump.

use kernel::Result;
use sea_orm::{ConnectionTrait, EntityTrait};
use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::db::OrInternal;
use crate::entity::sync_version;

/// Counter bumped by every change that affects authentication: sessions ended or revoked, users
/// changed, tenants suspended or re-activated.
pub const AUTH: &str = "auth";

tokio::task_local! {
    static BUMPED: Cell<bool>;
}

/// Runs `fut` noting whether it bumped a version counter (see [`crate::db::bump_version`]).
pub async fn track<F: Future>(fut: F) -> (F::Output, bool) {
    BUMPED
        .scope(Cell::new(false), async move {
            let out = fut.await;
            (out, BUMPED.with(Cell::get))
        })
        .await
}

/// Records that the current tracked task bumped a counter (no-op outside [`track`]).
pub(crate) fn note_bump() {
    let _ = BUMPED.try_with(|b| b.set(true));
}

/// A shared, cheaply cloned snapshot of all counters.
#[derive(Debug, Clone, Default)]
pub struct Versions {
    inner: Arc<RwLock<HashMap<String, i64>>>,
}

impl Versions {
    /// How often other replicas' changes are picked up.
    pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

    /// Loads the snapshot.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self> {
        let v = Self::default();
        v.refresh(db).await?;
        Ok(v)
    }

    /// Re-reads every counter.
    pub async fn refresh<C: ConnectionTrait>(&self, db: &C) -> Result<()> {
        let rows = sync_version::Entity::find().all(db).await.or_internal()?;
        let fresh: HashMap<String, i64> = rows.into_iter().map(|r| (r.name, r.version)).collect();
        match self.inner.write() {
            Ok(mut m) => *m = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    /// The counter's value in the snapshot (0 when it was never bumped).
    pub fn get(&self, name: &str) -> i64 {
        let read = match self.inner.read() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        read.get(name).copied().unwrap_or(0)
    }
}

/// A map of values each loaded at one version of one counter; a lookup misses when the counter
/// moved on. Bounded: it is emptied when it grows past `capacity` (entries are cheap to reload).
#[derive(Debug)]
pub struct Cached<K, V> {
    entries: RwLock<HashMap<K, (i64, V)>>,
    capacity: usize,
}

impl<K: std::hash::Hash + Eq, V: Clone> Cached<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self { entries: RwLock::new(HashMap::new()), capacity }
    }

    /// The value stored for `key` at `version`, if any.
    pub fn get(&self, key: &K, version: i64) -> Option<V> {
        let read = match self.entries.read() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        read.get(key).filter(|(v, _)| *v == version).map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: K, version: i64, value: V) {
        let mut write = match self.entries.write() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if write.len() >= self.capacity {
            write.clear();
        }
        write.insert(key, (version, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn track_reports_bumps_made_inside_only() {
        let ((), bumped) = track(async {}).await;
        assert!(!bumped);
        let ((), bumped) = track(async { note_bump() }).await;
        assert!(bumped);
        note_bump(); // outside: ignored, no panic
    }

    #[test]
    fn cached_values_expire_with_their_version() {
        let c: Cached<&str, u32> = Cached::new(2);
        c.put("a", 1, 10);
        assert_eq!(c.get(&"a", 1), Some(10));
        assert_eq!(c.get(&"a", 2), None);
        c.put("b", 1, 20);
        c.put("c", 1, 30); // over capacity: emptied first
        assert_eq!((c.get(&"a", 1), c.get(&"c", 1)), (None, Some(30)));
    }
}
