//! UrbanGrid's schema, as forward migrations with a tested `down`.
//!
//! Run at start-up by the server (`Migrator::up`). One migration per file, named
//! `mYYYYMMDD_HHMMSS_name.rs` (sea-orm names a migration after its file).
//!
//! Every tenant-owned table carries `tenant_id`, so the schema can later be distributed by
//! tenant (Citus) without rewriting rows; no table holds a foreign key into another tenant.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261127_000001_tenancy;
mod m20261127_000002_inventory;
mod m20261128_000003_cases;
mod m20261128_000004_photos;
mod m20261128_000005_case_cells;
mod m20261128_000006_shared_departments;
mod m20261128_000007_evaluation;
mod m20261128_000008_recent_cases;
mod m20261128_000009_partial_indexes;
mod m20261128_000010_lz4_values;
mod m20261128_000011_due_cases;
mod m20261202_000012_census;
mod m20261202_000013_audit;
mod m20261202_000014_numbering;
mod m20261203_000015_user_contacts;
mod m20261203_000016_drop_login_failures;
mod m20261204_000017_notifications;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_tenancy::Migration),
            Box::new(m20261127_000002_inventory::Migration),
            Box::new(m20261128_000003_cases::Migration),
            Box::new(m20261128_000004_photos::Migration),
            Box::new(m20261128_000005_case_cells::Migration),
            Box::new(m20261128_000006_shared_departments::Migration),
            Box::new(m20261128_000007_evaluation::Migration),
            Box::new(m20261128_000008_recent_cases::Migration),
            Box::new(m20261128_000009_partial_indexes::Migration),
            Box::new(m20261128_000010_lz4_values::Migration),
            Box::new(m20261128_000011_due_cases::Migration),
            Box::new(m20261202_000012_census::Migration),
            Box::new(m20261202_000013_audit::Migration),
            Box::new(m20261202_000014_numbering::Migration),
            Box::new(m20261203_000015_user_contacts::Migration),
            Box::new(m20261203_000016_drop_login_failures::Migration),
            Box::new(m20261204_000017_notifications::Migration),
        ]
    }
}
