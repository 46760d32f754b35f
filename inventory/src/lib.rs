//! A county's spatial frame and inventory: unit grids and duty grids, the national catalogue with
//! local extensions, and the component census with its history and bulk imports.
//!
//! Domain rules and persistence live here, without HTTP. Every function that touches a tenant's
//! rows takes a [`tenancy::TenantScope`] and filters by it.

pub mod catalog;
pub mod entity;

pub(crate) mod db {
    pub use tenancy::db::OrInternal;
}
pub mod census;
pub mod demo;
pub mod divisions;
pub mod duty;
pub mod grid_cache;
pub mod grids;
