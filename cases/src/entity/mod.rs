//! sea-orm models of the case tables (schema: `migrations/src/m20261128_000003_cases.rs`).

pub mod case;
pub mod case_event;
pub mod idempotency_key;
pub mod photo;
pub mod responsibility;
pub mod tenant_setting;
