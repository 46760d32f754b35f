//! The per-tenant point → grid index, held in memory and rebuilt when the tenant's grid version
//! in the database changes.
//!
//! Every change to a tenant's grids or duty grids bumps `sync_versions["grids:<tenant code>"]`
//! in the same transaction. A lookup compares that version, as the process's
//! [`tenancy::Versions`] snapshot has it, with the cached frame's and rebuilds the index only when
//! they differ: at once after this process's own changes, within
//! [`tenancy::Versions::POLL_INTERVAL`] after another replica's.

use kernel::{Result, ids::TenantId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use spatial::index::GridIndex;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
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
}

impl GridCache {
    pub fn new(versions: tenancy::Versions) -> Self {
        Self { versions, tenants: RwLock::default() }
    }

    /// The current frame of a tenant, rebuilt if the stored version moved on.
    pub async fn get<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: TenantId,
        tenant_code: &str,
    ) -> Result<Arc<TenantGrids>> {
        let version = self.versions.get(&version_key(tenant_code));
        let cached = self.tenants.read().ok().and_then(|m| m.get(&tenant).cloned());
        if let Some(c) = cached
            && c.version == version
        {
            return Ok(c);
        }
        let rows =
            unit_grid::Entity::find().filter(unit_grid::Column::TenantId.eq(tenant.0)).all(db).await.or_internal()?;
        let started = std::time::Instant::now();
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
        let built = Arc::new(TenantGrids { version, index: GridIndex::build(items) });
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
