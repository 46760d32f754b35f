//! sea-orm models of the inventory tables (schema: `migrations/src/m20261127_000002_inventory.rs`).
//! Reached only through the inventory modules, which filter by the caller's tenant scope.

pub mod catalog_class;
pub mod community;
pub mod component;
pub mod component_history;
pub mod duty_grid;
pub mod duty_grid_collector;
pub mod import_job;
pub mod legacy_class_map;
mod owned;
pub mod street;
pub mod unit_grid;
