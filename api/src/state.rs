//! What every handler shares: the database, the authorizer, the auth settings.

use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tenancy::Authorizer;
use tenancy::session::AuthSettings;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub authz: Arc<Authorizer>,
    pub auth: Arc<AuthSettings>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}
