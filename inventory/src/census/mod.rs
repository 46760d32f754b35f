//! The component census (部件普查) of a county: every component with the 18 attributes of
//! GB/T 47678.5 表2, its location, local extension attributes, and the full history of changes.

pub mod fields;
pub mod import;
pub mod query;
pub mod sheet;
pub mod store;
pub mod store_pg;
pub mod validate;
pub mod write;
