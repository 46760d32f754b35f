//! The pure spatial domain of UrbanGrid (数字城管): everything about places that needs neither a web server
//! nor a database, so it can be tested in isolation and reused by the API, importers and benchmarks.
//!
//! - [`crs`]: coordinate systems in use in China (WGS84, CGCS2000, GCJ-02, BD-09) and conversion to WGS84.
//! - [`codes`]: unit grid codes and component ids as defined by the national standards.
//! - [`geometry`]: GeoJSON grid boundaries: parsing, validation, area, overlaps.
//! - [`index`]: the in-memory point → grid lookup.
//! - [`synth`]: deterministic synthetic frames and components for the demo and benchmarks.

pub mod codes;
pub mod crs;
pub mod geometry;
pub mod index;
pub mod outline;
pub mod synth;
