//! Tenants, identities, tokens and authorization — everything that decides *who* is calling and
//! *which tenant* they may touch. Knows nothing of HTTP: the `api` crate turns requests into
//! calls here.
//!
//! The central type is [`TenantScope`]: proof that a principal was authorized for one action on
//! one tenant. Only [`authz::Authorizer::check`] creates it, and every tenant-scoped query takes
//! it, so a handler cannot reach a tenant's rows without having been authorized for them.

pub mod audit;
pub mod authz;
pub mod bootstrap;
pub mod contact;
pub mod context;
pub mod db;
pub mod demo;
pub mod department;
pub mod divisions;
pub mod entity;
pub mod password;
pub mod roles;
pub mod scoped;
pub mod session;
pub mod system;
pub mod tenant;
pub mod token;
pub mod uscc;
pub mod user;
pub mod user_import;
pub mod versions;

pub use authz::{Action, Authorizer, Resource};
pub use context::{Access, Principal, Target, TenantRef, TenantScope};
pub use roles::Role;
pub use scoped::{InTenant, TenantOwned};
pub use system::{Job, SystemScope};
pub use versions::Versions;
