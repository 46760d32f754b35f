//! What every handler shares: the database, the authorizer, the auth settings.

use inventory::grid_cache::GridCache;
use sea_orm::DatabaseConnection;
use std::path::PathBuf;
use std::sync::Arc;
use tenancy::Authorizer;
use tenancy::session::AuthSettings;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The process's snapshot of the version counters that keep the caches below current.
    pub versions: tenancy::Versions,
    /// Token → principal, and path → tenant, remembered until something they depend on changes.
    pub authn: Arc<tenancy::session::Authenticator>,
    /// Staff and collector intake (caches and the group-commit writer).
    pub intake: Arc<cases::intake::Service>,
    pub authz: Arc<Authorizer>,
    pub auth: Arc<AuthSettings>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Audit records older than this many days are purged.
    pub audit_retention_days: i64,
    /// Per-tenant point → grid indexes.
    pub grids: Arc<GridCache>,
    /// Where uploads are kept while their import runs.
    pub data_dir: PathBuf,
    /// Largest accepted census upload, in bytes.
    pub max_import_bytes: u64,
    /// Where photo bytes are kept (disk or S3-compatible store).
    pub photos: cases::storage::PhotoStore,
    /// Largest photo accepted, in bytes.
    pub max_photo_bytes: u64,
    /// Public reports per client address.
    pub public_limiter: Arc<governor::DefaultKeyedRateLimiter<String>>,
    /// Searches of the login page's tenant picker per client address
    /// ([`crate::routes::auth::TENANT_SEARCHES_PER_MINUTE`]).
    pub directory_limiter: Arc<governor::DefaultKeyedRateLimiter<String>>,
    /// What the console is told at start (its basemap) and the policy its pages carry.
    pub console: Arc<crate::console::ConsoleSettings>,
}
