//! Queries of tenant-owned rows built from the [`TenantScope`], so that the tenant filter is not
//! a line each query has to remember: `case::Entity::find_in(&scope)` instead of
//! `case::Entity::find().filter(case::Column::TenantId.eq(..))`.
//!
//! An entity opts in with [`tenant_owned!`](crate::tenant_owned), naming its tenant column.

use sea_orm::{ColumnTrait, DeleteMany, EntityTrait, PrimaryKeyTrait, QueryFilter, Select};

use crate::context::TenantScope;

/// An entity whose rows each belong to one tenant.
pub trait TenantOwned: EntityTrait {
    /// The column holding the owning tenant's id.
    fn tenant_column() -> Self::Column;

    /// The scoped tenant's rows.
    fn find_in(scope: &TenantScope) -> Select<Self> {
        Self::find().filter(Self::tenant_column().eq(scope.tenant_id().0))
    }

    /// One row by primary key, if it is the scoped tenant's.
    fn find_by_id_in<T>(scope: &TenantScope, id: T) -> Select<Self>
    where
        T: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::find_by_id(id).filter(Self::tenant_column().eq(scope.tenant_id().0))
    }

    /// A delete limited to the scoped tenant's rows.
    fn delete_in(scope: &TenantScope) -> DeleteMany<Self> {
        Self::delete_many().filter(Self::tenant_column().eq(scope.tenant_id().0))
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
