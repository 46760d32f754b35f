//! sea-orm models of the case tables (schema: `migrations/src/m20261128_000003_cases.rs`).

pub mod case;
pub mod case_event;
pub mod idempotency_key;
pub mod photo;
pub mod responsibility;
pub mod tenant_setting;

tenancy::tenant_owned!(
    case::Entity => case::Column::TenantId,
    case_event::Entity => case_event::Column::TenantId,
    idempotency_key::Entity => idempotency_key::Column::TenantId,
    photo::Entity => photo::Column::TenantId,
    responsibility::Entity => responsibility::Column::TenantId,
    tenant_setting::Entity => tenant_setting::Column::TenantId,
);
