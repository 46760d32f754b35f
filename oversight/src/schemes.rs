//! The scheme in force for a tenant: its own, else its city's (counties inherit), else the default.

use evaluation::Scheme;
use kernel::Result;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use tenancy::TenantRef;
use utoipa::ToSchema;

pub const SETTING: &str = "evaluation_scheme";

/// A scheme and where it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InForce {
    pub scheme: Scheme,
    /// `own`, `city` (inherited from the city) or `default`.
    pub source: String,
}

pub async fn in_force<C: ConnectionTrait>(db: &C, tenant: &TenantRef) -> Result<InForce> {
    if let Some(s) = cases::settings::get::<_, Scheme>(db, tenant, SETTING).await? {
        return Ok(InForce { scheme: s, source: "own".into() });
    }
    if let Some(parent) = tenancy::tenant::parent_of(db, tenant).await?
        && let Some(s) = cases::settings::get::<_, Scheme>(db, &parent, SETTING).await?
    {
        return Ok(InForce { scheme: s, source: "city".into() });
    }
    Ok(InForce { scheme: Scheme::default(), source: "default".into() })
}
