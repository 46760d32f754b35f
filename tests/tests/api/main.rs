//! Black-box tests: one binary, one harness (`tests::spawn_app`), a module per area.
//! Every test starts its own server on a fresh database (SQLite, or PostgreSQL when
//! `URBANGRID_TEST_DATABASE_URL` is set).

// Tests may panic on unexpected values: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod audit;
mod auth;
mod cases;
mod census;
mod departments;
mod docs;
mod entries;
mod evaluation;
mod grids;
mod intake;
mod isolation;
mod migrations;
mod mobile;
mod notifications;
mod public;
mod readiness;
mod resilience;
mod tenants;
mod users;
mod workbench;
