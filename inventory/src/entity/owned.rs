//! Which inventory tables are tenant-owned (queried through [`tenancy::TenantOwned`]). The
//! catalogue is not: its national classes belong to no tenant.

use super::*;

tenancy::tenant_owned!(
    community::Entity => community::Column::TenantId,
    component::Entity => component::Column::TenantId,
    component_history::Entity => component_history::Column::TenantId,
    duty_grid::Entity => duty_grid::Column::TenantId,
    duty_grid_collector::Entity => duty_grid_collector::Column::TenantId,
    import_job::Entity => import_job::Column::TenantId,
    street::Entity => street::Column::TenantId,
    unit_grid::Entity => unit_grid::Column::TenantId,
);
