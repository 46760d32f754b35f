//! Who is calling ([`Principal`]), which tenant they address ([`Target`]), and the proof that
//! they may ([`TenantScope`]). None of these can be built or changed outside this crate — their
//! fields are private, read through accessors: a principal comes from a verified token, a target
//! from the tenant tree, a scope from the authorizer.

use kernel::{
    DivisionLevel, TenantCode,
    ids::{DepartmentId, SessionId, TenantId, UserId},
};

/// An authenticated user, as established for the current request. (`non_exhaustive`: other
/// crates cannot build one; only token verification does.)
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Principal {
    pub(crate) user_id: UserId,
    pub(crate) username: String,
    pub(crate) tenant_id: TenantId,
    pub(crate) tenant_code: TenantCode,
    pub(crate) session_id: SessionId,
    /// The department the user belongs to, if any.
    pub(crate) department_id: Option<DepartmentId>,
}

impl Principal {
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub fn tenant_code(&self) -> TenantCode {
        self.tenant_code
    }

    pub fn session_id(&self) -> SessionId {
        self.session_id
    }

    pub fn department_id(&self) -> Option<DepartmentId> {
        self.department_id
    }

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
    pub(crate) id: TenantId,
    pub(crate) code: TenantCode,
    pub(crate) level: DivisionLevel,
    pub(crate) parent_id: Option<TenantId>,
    pub(crate) active: bool,
}

impl TenantRef {
    pub fn id(&self) -> TenantId {
        self.id
    }

    pub fn code(&self) -> TenantCode {
        self.code
    }

    pub fn level(&self) -> DivisionLevel {
        self.level
    }

    pub fn parent_id(&self) -> Option<TenantId> {
        self.parent_id
    }

    pub fn active(&self) -> bool {
        self.active
    }
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
    pub(crate) tenant: TenantRef,
    pub(crate) access: Access,
}

impl Target {
    pub fn tenant(&self) -> &TenantRef {
        &self.tenant
    }

    pub fn access(&self) -> Access {
        self.access
    }
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
