//! Evaluation over storage (绩效评价, 源头治理, 市级监督).
//!
//! - [`load`]: the wide reads — cases touched in a period with their events, rosters, grid
//!   counts, directives, names.
//! - [`schemes`]: the scoring scheme in force for a tenant (its own, its city's, or the default).
//! - [`service`]: result tables, drill-down and trends for a county, or for a city over its counties.
//! - [`recurring`]: hotspots and repeat rates over storage.
//! - [`directives`]: source-governance recommendations and city supervision orders, with responses.
//! - [`export`]: CSV and XLSX with Chinese headers.

pub mod directives;
pub mod entity;
pub mod export;
pub mod generate;
pub mod load;
pub mod recurring;
pub mod schemes;
pub mod service;
mod sql;
