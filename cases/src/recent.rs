//! The open cases of the last [`MAX_WINDOW_HOURS`], held in memory for the duplicate search at
//! intake, so a report is checked against its neighbours without a query on the request's path.
//!
//! What this server writes goes in as soon as it is committed: new cases from the intake writer,
//! and every action taken through [`crate::act::act`] (a case closed, rejected, voided or merged
//! leaves at once; a case filed under another class moves). Each row carries the id of the server
//! that last wrote it (`cases.replica`). What other replicas write arrives with
//! [`RecentCases::catch_up`], which the server runs every [`CATCH_UP_EVERY`] and which reads the
//! rows another server wrote since its last read, less [`OVERLAP`] (a change is stamped before its
//! transaction commits, and replicas' clocks differ a little). So a case reported on another
//! replica is suggested here about a second later; a duplicate suggestion is advice to the
//! supervision centre, and merging checks the database.
//!
//! Each case is kept with its `updated_at`, and a change older than the one already known is
//! ignored: a catch-up that read a case just before this server closed it does not bring it back.
//! Closed cases leave a marker with that time until the catch-up's overlap has passed.
//!
//! Cases written by [`crate::history::write`] (demo data, generated histories) carry their
//! historical times and are picked up when a server starts.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use kernel::Result;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::db::OrInternal;
use crate::duplicates::{DuplicateHint, DuplicateRule, MAX_WINDOW_HOURS, Nearby, cells_near, nearest};
use crate::entity::case;

/// How often a server reads other replicas' changes.
pub const CATCH_UP_EVERY: Duration = Duration::from_secs(1);
/// How far before its last read a catch-up reads again.
pub const OVERLAP: Duration = Duration::from_secs(2);

/// A bucket of the index: county, a hash of the class code (so a search looks only at its own
/// class; two classes with one hash would share a bucket and still be told apart by their codes)
/// and location cell.
type Bucket = (Uuid, u64, i64);

fn class_hash(class_code: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    class_code.hash(&mut h);
    h.finish()
}

/// What the index knows of one case.
#[derive(Debug, Clone, Copy)]
struct Known {
    updated_at: DateTime<Utc>,
    /// The bucket that holds it; `None` once it is closed or too old.
    bucket: Option<Bucket>,
}

#[derive(Debug, Default)]
struct Index {
    known: HashMap<Uuid, Known>,
    buckets: HashMap<Bucket, Vec<Nearby>>,
}

impl Index {
    /// Takes in one version of a case, unless a later one is already known.
    fn put(&mut self, case: Nearby, oldest: DateTime<Utc>) {
        let previous = self.known.get(&case.id).copied();
        if let Some(p) = previous {
            // Older than known, or the version already held (a catch-up re-reads its overlap).
            if p.updated_at >= case.updated_at {
                return;
            }
            if let Some(bucket) = p.bucket {
                self.take_out(case.id, bucket);
            }
        }
        let keep = case.is_open() && case.created_at >= oldest;
        if !keep && previous.is_none() {
            return; // nothing to remember of a case never held
        }
        let bucket = keep.then(|| (case.tenant_id, class_hash(&case.class_code), case.cell()));
        self.known.insert(case.id, Known { updated_at: case.updated_at, bucket });
        if let Some(bucket) = bucket {
            self.buckets.entry(bucket).or_default().push(case);
        }
    }

    fn take_out(&mut self, id: Uuid, bucket: Bucket) {
        if let Some(cases) = self.buckets.get_mut(&bucket) {
            cases.retain(|c| c.id != id);
            if cases.is_empty() {
                self.buckets.remove(&bucket);
            }
        }
    }

    /// Drops cases reported before `oldest` and markers of closed cases changed before `settled`.
    fn prune(&mut self, oldest: DateTime<Utc>, settled: DateTime<Utc>) {
        let mut old = Vec::new();
        for cases in self.buckets.values_mut() {
            cases.retain(|c| {
                let keep = c.created_at >= oldest;
                if !keep {
                    old.push(c.id);
                }
                keep
            });
        }
        self.buckets.retain(|_, cases| !cases.is_empty());
        for id in old {
            if let Some(k) = self.known.get_mut(&id) {
                k.bucket = None;
            }
        }
        self.known.retain(|_, k| k.bucket.is_some() || k.updated_at >= settled);
    }
}

/// The open recent cases of every county, by location cell.
#[derive(Debug)]
pub struct RecentCases {
    index: RwLock<Index>,
    /// When the last catch-up started to read (this server's clock); the lock also keeps
    /// catch-ups one at a time.
    last_read: Mutex<DateTime<Utc>>,
    replica: Uuid,
}

fn oldest(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::hours(MAX_WINDOW_HOURS)
}

/// Every tenant's id: a query "by county" reads a range of a (tenant, …) index per county
/// instead of the whole table.
fn counties() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(tenancy::entity::tenant::Column::Id)
        .from(tenancy::entity::tenant::Entity)
        .to_owned()
}

fn overlap() -> chrono::Duration {
    chrono::Duration::from_std(OVERLAP).unwrap_or_default()
}

impl RecentCases {
    /// Reads the open cases of the last [`MAX_WINDOW_HOURS`] from the database.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self> {
        let now = Utc::now();
        let rows = case::Entity::find()
            .select_only()
            .columns(Nearby::COLUMNS)
            .filter(case::Column::TenantId.in_subquery(counties()))
            .filter(case::Column::CreatedAt.gte(oldest(now)))
            .filter(case::Column::State.is_not_in(["closed", "rejected", "voided"]))
            .into_model::<Nearby>()
            .all(db)
            .await
            .or_internal()?;
        let recent = Self { index: RwLock::new(Index::default()), last_read: Mutex::new(now), replica: Uuid::now_v7() };
        recent.record(rows);
        Ok(recent)
    }

    /// Takes in cases as they now are (this server's writes, once committed).
    pub(crate) fn record(&self, cases: impl IntoIterator<Item = Nearby>) {
        let oldest = oldest(Utc::now());
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        for case in cases {
            index.put(case, oldest);
        }
    }

    /// The likely duplicates of each new case: open cases of its county and class within its rule's
    /// radius and window, held here or earlier in `new` (a batch written together).
    pub(crate) fn duplicates_of(&self, new: &[(&case::Model, DuplicateRule)]) -> Vec<Vec<DuplicateHint>> {
        let batch: Vec<Nearby> = new.iter().map(|(c, _)| Nearby::from(*c)).collect();
        let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
        batch
            .iter()
            .zip(new)
            .enumerate()
            .map(|(i, (c, (_, rule)))| {
                let class = class_hash(&c.class_code);
                let held = cells_near(c.lon, c.lat, rule.radius_m)
                    .into_iter()
                    .filter_map(|cell| index.buckets.get(&(c.tenant_id, class, cell)))
                    .flatten();
                nearest(c, rule, held.chain(&batch[..i]))
            })
            .collect()
    }

    /// This server's id, stamped on every case row it writes (`cases.replica`).
    pub fn replica(&self) -> Uuid {
        self.replica
    }

    /// Reads the cases other servers changed since the last read (less [`OVERLAP`]), and forgets
    /// what has grown too old. Returns how many rows it read.
    pub async fn catch_up<C: ConnectionTrait>(&self, db: &C) -> Result<usize> {
        let started = std::time::Instant::now();
        let mut last_read = self.last_read.lock().await;
        let since = *last_read - overlap();
        let now = Utc::now();
        let rows = case::Entity::find()
            .select_only()
            .columns(Nearby::COLUMNS)
            .filter(case::Column::TenantId.in_subquery(counties()))
            .filter(case::Column::UpdatedAt.gte(since))
            .filter(Condition::any().add(case::Column::Replica.is_null()).add(case::Column::Replica.ne(self.replica)))
            .into_model::<Nearby>()
            .all(db)
            .await
            .or_internal()?;
        let read = rows.len();
        *last_read = (*last_read).max(now);
        self.record(rows);
        let settled = since - overlap();
        self.index.write().unwrap_or_else(PoisonError::into_inner).prune(oldest(now), settled);
        tracing::debug!(
            read,
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "caught up with other servers' case changes"
        );
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: u128, state: &str, lon: f64, updated: i64) -> Nearby {
        let at = DateTime::from_timestamp(1_790_000_000 + updated, 0).unwrap();
        Nearby {
            id: Uuid::from_u128(id),
            tenant_id: Uuid::from_u128(7),
            number: format!("N{id}"),
            state: state.to_owned(),
            class_code: "06010".to_owned(),
            lon,
            lat: 31.98,
            created_at: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            updated_at: at,
        }
    }

    fn held(index: &Index) -> Vec<(u128, f64)> {
        let mut v: Vec<_> = index.buckets.values().flatten().map(|c| (c.id.as_u128(), c.lon)).collect();
        v.sort_by_key(|c| c.0);
        v
    }

    fn long_ago() -> DateTime<Utc> {
        DateTime::from_timestamp(0, 0).unwrap()
    }

    #[test]
    fn a_closed_case_leaves_and_an_older_version_does_not_bring_it_back() {
        let mut index = Index::default();
        index.put(case(1, "dispatched", 118.79, 0), long_ago());
        index.put(case(2, "filed", 118.79, 0), long_ago());
        assert_eq!(held(&index), [(1, 118.79), (2, 118.79)]);
        index.put(case(1, "closed", 118.79, 10), long_ago());
        assert_eq!(held(&index), [(2, 118.79)]);
        // A catch-up that read case 1 before it was closed.
        index.put(case(1, "dispatched", 118.79, 5), long_ago());
        assert_eq!(held(&index), [(2, 118.79)]);
        // A closed case never held is not remembered at all.
        index.put(case(3, "voided", 118.79, 0), long_ago());
        assert!(!index.known.contains_key(&Uuid::from_u128(3)));
    }

    #[test]
    fn a_case_that_changes_moves_between_buckets_and_old_markers_go() {
        let mut index = Index::default();
        index.put(case(1, "reported", 118.79, 0), long_ago());
        index.put(case(1, "filed", 118.80, 1), long_ago());
        assert_eq!(held(&index), [(1, 118.80)]);
        assert_eq!(index.buckets.len(), 1, "the old bucket is dropped when empty");
        index.put(case(1, "closed", 118.80, 2), long_ago());
        let t = |s: i64| DateTime::from_timestamp(1_790_000_000 + s, 0).unwrap();
        index.prune(long_ago(), t(2));
        assert!(index.known.contains_key(&Uuid::from_u128(1)), "the marker lasts until settled");
        index.prune(long_ago(), t(3));
        assert!(index.known.is_empty() && index.buckets.is_empty());
    }

    #[test]
    fn cases_older_than_the_longest_window_are_dropped() {
        let mut index = Index::default();
        index.put(case(1, "dispatched", 118.79, 0), long_ago());
        let after = DateTime::from_timestamp(1_790_000_001, 0).unwrap();
        index.put(case(2, "dispatched", 118.79, 0), after);
        assert_eq!(held(&index), [(1, 118.79)], "reported before the oldest kept");
        index.prune(after, long_ago());
        assert!(held(&index).is_empty());
    }
}
