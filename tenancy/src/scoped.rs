//! Queries of tenant-owned rows built from a proof of the tenant ([`InTenant`]: the authorizer's
//! [`TenantScope`], a [`SystemScope`] of a named background job, …), so that the tenant filter is
//! not a line each query has to remember: `case::Entity::find_in(&scope)` instead of
//! `case::Entity::find().filter(case::Column::TenantId.eq(..))`.
//!
//! An entity opts in with [`tenant_owned!`](crate::tenant_owned), naming its tenant column.

use kernel::ids::TenantId;
use sea_orm::{ColumnTrait, DeleteMany, EntityTrait, PrimaryKeyTrait, QueryFilter, Select, UpdateMany};

use crate::context::{Principal, TenantRef, TenantScope};
use crate::system::SystemScope;

mod sealed {
    pub trait Sealed {}
}

/// Which tenant a query is in, as established by this crate — never a bare id a caller chose.
/// Sealed: only the types below implement it, and none of them can be built outside `tenancy`
/// from an id:
/// - [`TenantScope`]: the authorizer granted a principal one action on the tenant;
/// - [`Principal`]: a verified token's user, in their own tenant (their account, their password);
/// - [`TenantRef`]: a tenant as loaded from the tenant tree — the scope's
///   ([`TenantScope::tenant`]), the public channel's county ([`crate::tenant::public_county`]),
///   or a system job's ([`SystemScope::tenant`]);
/// - [`SystemScope`]: a named background job acting in a tenant without a caller.
pub trait InTenant: sealed::Sealed {
    /// The tenant's id.
    fn in_tenant(&self) -> TenantId;
}

impl sealed::Sealed for TenantScope {}
impl InTenant for TenantScope {
    fn in_tenant(&self) -> TenantId {
        self.tenant_id()
    }
}

impl sealed::Sealed for Principal {}
impl InTenant for Principal {
    fn in_tenant(&self) -> TenantId {
        self.tenant_id()
    }
}

impl sealed::Sealed for TenantRef {}
impl InTenant for TenantRef {
    fn in_tenant(&self) -> TenantId {
        self.id()
    }
}

impl sealed::Sealed for SystemScope {}
impl InTenant for SystemScope {
    fn in_tenant(&self) -> TenantId {
        self.tenant().id()
    }
}

impl<T: InTenant + ?Sized> sealed::Sealed for &T {}
impl<T: InTenant + ?Sized> InTenant for &T {
    fn in_tenant(&self) -> TenantId {
        (**self).in_tenant()
    }
}

/// An entity whose rows each belong to one tenant.
pub trait TenantOwned: EntityTrait {
    /// The column holding the owning tenant's id.
    fn tenant_column() -> Self::Column;

    /// The scoped tenant's rows.
    fn find_in(scope: &impl InTenant) -> Select<Self> {
        Self::find().filter(Self::tenant_column().eq(scope.in_tenant().0))
    }

    /// One row by primary key, if it is the scoped tenant's.
    fn find_by_id_in<T>(scope: &impl InTenant, id: T) -> Select<Self>
    where
        T: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::find_by_id(id).filter(Self::tenant_column().eq(scope.in_tenant().0))
    }

    /// `query` (of this entity's rows, built elsewhere) limited to the scoped tenant's rows.
    fn filter_in<Q: QueryFilter>(query: Q, scope: &impl InTenant) -> Q {
        query.filter(Self::tenant_column().eq(scope.in_tenant().0))
    }

    /// An update limited to the scoped tenant's rows.
    fn update_many_in(scope: &impl InTenant) -> UpdateMany<Self> {
        Self::update_many().filter(Self::tenant_column().eq(scope.in_tenant().0))
    }

    /// A delete limited to the scoped tenant's rows.
    fn delete_in(scope: &impl InTenant) -> DeleteMany<Self> {
        Self::delete_many().filter(Self::tenant_column().eq(scope.in_tenant().0))
    }
}

/// Declares entities tenant-owned: `tenant_owned!(case::Entity => case::Column::TenantId, …)`.
#[macro_export]
macro_rules! tenant_owned {
    ($($entity:ty => $column:expr),+ $(,)?) => {
        $(impl $crate::scoped::TenantOwned for $entity {
            fn tenant_column() -> <Self as sea_orm::EntityTrait>::Column {
                $column
            }
        })+
    };
}
