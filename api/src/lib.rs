//! The UrbanGrid HTTP service.
//!
//! Handlers here only translate: HTTP in, a call into a domain crate (`tenancy`, …), HTTP out.
//! [`startup::Application`] is the one way to start the server, used by `main` and by the
//! black-box tests alike.

pub mod auth;
pub mod config;
pub mod console;
pub mod error;
pub mod extract;
pub mod fallback;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
