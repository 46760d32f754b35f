//! The per-tenant point → grid index, held in memory and rebuilt when the tenant's grid version
//! in the database changes.
//!
//! Every change to a tenant's grids or duty grids bumps `sync_versions["grids:<tenant code>"]`
//! in the same transaction. A lookup compares that version, as the process's
//! [`tenancy::Versions`] snapshot has it, with the cached frame's and rebuilds the index only when
//! they differ: at once after this process's own changes, within
//! [`tenancy::Versions::POLL_INTERVAL`] after another replica's.
//!
//! Rebuilds are single-flight: when the version moves, every request for that tenant arriving
//! meanwhile waits on the tenant's gate for the one rebuild instead of each reading every grid and
//! building its own R-tree (a burst of reports right after a grid import would otherwise build it
//! once per request). The decoding and the R-tree build run on the blocking pool.

use kernel::{Result, ids::TenantId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use spatial::index::GridIndex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::unit_grid;

/// What a lookup returns about a grid.
#[derive(Debug, Clone)]
pub struct GridEntry {
    pub code: String,
    pub name: Option<String>,
    pub street_code: String,
    pub community_code: String,
    pub duty_grid_id: Option<Uuid>,
}

/// The frame of one tenant at one version.
#[derive(Debug)]
pub struct TenantGrids {
    pub version: i64,
    pub index: GridIndex<GridEntry>,
}

/// The name of a tenant's grid version counter.
pub fn version_key(tenant_code: &str) -> String {
    format!("grids:{tenant_code}")
}

#[derive(Debug)]
pub struct GridCache {
    versions: tenancy::Versions,
    tenants: RwLock<HashMap<TenantId, Arc<TenantGrids>>>,
    /// One gate per tenant: held by the request rebuilding that tenant's frame.
    gates: Mutex<HashMap<TenantId, Arc<tokio::sync::Mutex<()>>>>,
    rebuilds: AtomicU64,
}

impl GridCache {
    pub fn new(versions: tenancy::Versions) -> Self {
        Self { versions, tenants: RwLock::default(), gates: Mutex::default(), rebuilds: AtomicU64::new(0) }
    }

    /// How many frames this cache has built (for tests and logs).
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    fn current(&self, tenant: TenantId, version: i64) -> Option<Arc<TenantGrids>> {
        let cached = self.tenants.read().ok().and_then(|m| m.get(&tenant).cloned())?;
        (cached.version == version).then_some(cached)
    }

    /// The current frame of a tenant, rebuilt if the stored version moved on.
    pub async fn get<C: ConnectionTrait>(&self, db: &C, tenant: &tenancy::TenantRef) -> Result<Arc<TenantGrids>> {
        self.get_of(db, tenant.id(), tenant.code().as_str()).await
    }

    /// [`GridCache::get`] by id and code (crate-private: for this module's tests, which have no
    /// tenant tree to load a `TenantRef` from).
    pub(crate) async fn get_of<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: TenantId,
        tenant_code: &str,
    ) -> Result<Arc<TenantGrids>> {
        let version = self.versions.get(&version_key(tenant_code));
        if let Some(c) = self.current(tenant, version) {
            return Ok(c);
        }
        let gate = match self.gates.lock() {
            Ok(mut g) => g.entry(tenant).or_default().clone(),
            Err(poisoned) => poisoned.into_inner().entry(tenant).or_default().clone(),
        };
        let _turn = gate.lock().await;
        // Whoever held the gate before us may have built this very version.
        let version = self.versions.get(&version_key(tenant_code));
        if let Some(c) = self.current(tenant, version) {
            return Ok(c);
        }
        // Allowed bare filter (tenancy/tests/sealed_scope.rs counts them): `get` took the id from a `TenantRef`.
        let rows =
            unit_grid::Entity::find().filter(unit_grid::Column::TenantId.eq(tenant.0)).all(db).await.or_internal()?;
        let started = std::time::Instant::now();
        let index = tokio::task::spawn_blocking(move || -> Result<GridIndex<GridEntry>> {
            let mut items = Vec::with_capacity(rows.len());
            for r in rows {
                let value: serde_json::Value = serde_json::from_str(&r.geometry).map_err(kernel::Error::internal)?;
                let geometry = spatial::geometry::from_geojson_value(&value)
                    .map_err(|e| kernel::Error::internal(anyhow::anyhow!("stored grid {}: {e}", r.code)))?;
                let entry = GridEntry {
                    code: r.code,
                    name: r.name,
                    street_code: r.street_code,
                    community_code: r.community_code,
                    duty_grid_id: r.duty_grid_id,
                };
                items.push((entry, geometry));
            }
            Ok(GridIndex::build(items))
        })
        .await
        .map_err(kernel::Error::internal)??;
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        let built = Arc::new(TenantGrids { version, index });
        tracing::info!(
            tenant = tenant_code,
            version,
            grids = built.index.len(),
            ms = started.elapsed().as_millis() as u64,
            "grid index built"
        );
        if let Ok(mut m) = self.tenants.write() {
            m.insert(tenant, built.clone());
        }
        Ok(built)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Database, Schema};

    /// Sixteen concurrent lookups of a tenant with no frame yet build it once; later lookups at
    /// the same version build nothing. Before the gate, each of the sixteen built its own.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_lookups_share_one_rebuild() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        let schema = Schema::new(db.get_database_backend());
        db.execute(&schema.create_table_from_entity(unit_grid::Entity)).await.unwrap();
        let cache = Arc::new(GridCache::new(tenancy::Versions::default()));
        let tenant = TenantId(Uuid::now_v7());
        let lookups: Vec<_> = (0..16)
            .map(|_| {
                let (cache, db) = (cache.clone(), db.clone());
                tokio::spawn(async move { cache.get_of(&db, tenant, "320111").await.map(|f| f.version) })
            })
            .collect();
        for l in lookups {
            assert_eq!(l.await.unwrap().unwrap(), 0);
        }
        assert_eq!(cache.rebuilds(), 1, "one rebuild for all concurrent lookups");
        cache.get_of(&db, tenant, "320111").await.unwrap();
        assert_eq!(cache.rebuilds(), 1, "a current frame is not rebuilt");
    }
}
