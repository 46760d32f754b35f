//! Who is calling ([`Principal`]), which tenant they address ([`Target`]), and the proof that
//! they may ([`TenantScope`]). None of these can be built outside this crate: a principal comes
//! from a verified token, a target from the tenant tree, a scope from the authorizer.

use kernel::{
    DivisionLevel, TenantCode,
    ids::{DepartmentId, SessionId, TenantId, UserId},
};

/// An authenticated user, as established for the current request. (`non_exhaustive`: other
/// crates cannot build one; only token verification does.)
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub tenant_id: TenantId,
    pub tenant_code: TenantCode,
    pub session_id: SessionId,
    /// The department the user belongs to, if any.
    pub department_id: Option<DepartmentId>,
}

impl Principal {
    /// The casbin subject of this user.
    pub fn subject(&self) -> String {
        subject(self.user_id)
    }
}

pub(crate) fn subject(user: UserId) -> String {
    format!("user:{user}")
}

/// The essentials of a tenant, as loaded for authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRef {
    pub id: TenantId,
    pub code: TenantCode,
    pub level: DivisionLevel,
    pub parent_id: Option<TenantId>,
    pub active: bool,
}

/// How the caller relates to the tenant a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The caller's own tenant.
    Own,
    /// A tenant beneath the caller's (a city's county; any tenant, for the platform).
    Descendant,
}

/// The tenant named in a request path, resolved against the caller's place in the tree.
/// (`non_exhaustive`: only [`crate::tenant::resolve_target`] builds one.)
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Target {
    pub tenant: TenantRef,
    pub access: Access,
}

/// Proof that `principal` may perform one action on `tenant`. Every tenant-scoped query takes
/// one and filters by [`TenantScope::tenant_id`].
#[derive(Debug, Clone)]
pub struct TenantScope {
    principal: Principal,
    tenant: TenantRef,
    access: Access,
}

impl TenantScope {
    pub(crate) fn new(principal: Principal, target: Target) -> Self {
        Self { principal, tenant: target.tenant, access: target.access }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant.id
    }

    pub fn tenant(&self) -> &TenantRef {
        &self.tenant
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The target this scope was granted on (to ask the authorizer about another action).
    pub fn target(&self) -> Target {
        Target { tenant: self.tenant.clone(), access: self.access }
    }

    pub fn access(&self) -> Access {
        self.access
    }
}
