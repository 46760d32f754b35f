//! sea-orm models of the tenancy tables (schema: `migrations/src/m20261127_000001_tenancy.rs`).
//!
//! These are storage rows. Handlers never query them directly: the functions of the tenancy
//! modules take a [`crate::TenantScope`] and filter by its tenant.

pub mod audit_record;
pub mod casbin_rule;
pub mod department;
pub mod login_attempt;
pub mod refresh_token;
pub mod session;
pub mod sync_version;
pub mod tenant;
pub mod user;

crate::tenant_owned!(
    audit_record::Entity => audit_record::Column::TenantId,
    department::Entity => department::Column::TenantId,
    user::Entity => user::Column::TenantId,
);
