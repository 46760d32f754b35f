//! The one way to act in a tenant without a caller: a [`SystemScope`], which names the
//! background [`Job`] that acts. Jobs that legitimately work across tenants (the demo seed, the
//! evaluation benchmark's history) get their tenants from here, by code or by listing them — not
//! from a bare id — so every place that bypasses the authorizer is found by `grep SystemScope`,
//! and a request handler has no reason (and no id-taking constructor) to build one.

use kernel::Result;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

use crate::context::TenantRef;
use crate::db::OrInternal;
use crate::entity::tenant;

/// The background jobs allowed to act in a tenant without an authorized caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Job {
    /// `serve --demo`: the demo organisation's frame, census and history.
    DemoSeed,
    /// `generate-history`: the evaluation benchmark's data.
    BenchmarkHistory,
    /// The recipients of a notice, looked up in the tenant of the case event that causes it
    /// (the event's writer may be the overdue sweep, which has no caller).
    Notifications,
}

impl Job {
    pub fn as_str(self) -> &'static str {
        match self {
            Job::DemoSeed => "demo-seed",
            Job::BenchmarkHistory => "benchmark-history",
            Job::Notifications => "notifications",
        }
    }
}

/// A background job acting in one tenant. Built only by [`SystemScope::by_code`] and
/// [`SystemScope::each`], which load the tenant themselves.
#[derive(Debug, Clone)]
pub struct SystemScope {
    tenant: TenantRef,
    job: Job,
}

impl SystemScope {
    /// The job acting in the tenant with this code, if there is one.
    pub async fn by_code<C: ConnectionTrait>(db: &C, job: Job, code: &str) -> Result<Option<Self>> {
        let found = crate::tenant::find_by_code(db, code).await?;
        Ok(found.map(|m| Self { tenant: TenantRef::of(&m), job }))
    }

    /// The job acting in every tenant, in code order.
    pub async fn each<C: ConnectionTrait>(db: &C, job: Job) -> Result<Vec<Self>> {
        let all = tenant::Entity::find().order_by_asc(tenant::Column::Code).all(db).await.or_internal()?;
        Ok(all.iter().map(|m| Self { tenant: TenantRef::of(m), job }).collect())
    }

    pub fn tenant(&self) -> &TenantRef {
        &self.tenant
    }

    pub fn job(&self) -> Job {
        self.job
    }
}
