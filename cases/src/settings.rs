//! Named JSON settings of a tenant (work calendar, time limits, duplicate rule): stored as data,
//! changed through the API, with defaults in code.

use chrono::Utc;
use kernel::{Error, Result};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use tenancy::InTenant;

use crate::db::OrInternal;
use crate::entity::tenant_setting;

/// The stored value of a setting, if any.
pub async fn get<C: ConnectionTrait, T: DeserializeOwned>(
    db: &C,
    tenant: &impl InTenant,
    name: &str,
) -> Result<Option<T>> {
    get_of(db, tenant.in_tenant().0, name).await
}

/// [`get`] by id, inside this crate: for an id taken from a scope (the intake's rules cache) or
/// from a row of that tenant (a case being changed).
pub(crate) async fn get_of<C: ConnectionTrait, T: DeserializeOwned>(
    db: &C,
    tenant: Uuid,
    name: &str,
) -> Result<Option<T>> {
    // The key is (tenant, name): the tenant is part of the primary key.
    let row = tenant_setting::Entity::find_by_id((tenant, name.to_owned())).one(db).await.or_internal()?;
    row.map(|r| serde_json::from_str(&r.value).map_err(Error::internal)).transpose()
}

/// Stores a setting (replacing the previous value) and bumps the tenant's settings version.
pub async fn put<T: Serialize>(db: &DatabaseConnection, tenant: &impl InTenant, name: &str, value: &T) -> Result<()> {
    let row = tenant_setting::ActiveModel {
        tenant_id: Set(tenant.in_tenant().0),
        name: Set(name.to_owned()),
        value: Set(serde_json::to_string(value).map_err(Error::internal)?),
        updated_at: Set(Utc::now()),
    };
    let txn = db.begin().await.or_internal()?;
    tenant_setting::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([tenant_setting::Column::TenantId, tenant_setting::Column::Name])
                .update_columns([tenant_setting::Column::Value, tenant_setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .or_internal()?;
    tenancy::db::bump_version(&txn, &version_key(tenant)).await?;
    txn.commit().await.or_internal()
}

/// The version counter of a tenant's settings.
pub fn version_key(tenant: &impl InTenant) -> String {
    version_key_of(tenant.in_tenant().0)
}

pub(crate) fn version_key_of(tenant: Uuid) -> String {
    format!("settings:{tenant}")
}
