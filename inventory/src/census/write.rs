//! Single-component writes through the API: the same validation and history as imports.

use kernel::{Error, FieldError, Result};
use sea_orm::DatabaseConnection;
use serde_json::{Map, Value};
use tenancy::TenantScope;

use super::import::{context, feature_record};
use super::query::{Component, find, view};
use super::store::{Author, upsert_batch};
use super::validate::validate;
use crate::grid_cache::GridCache;

fn invalid(errors: Vec<FieldError>) -> Error {
    Error::validation(errors)
}

/// Creates a component from a JSON object with the API field names (`location` a GeoJSON
/// geometry, or `lon`/`lat`/`crs`; unknown keys become extension attributes).
pub async fn create(
    db: &DatabaseConnection,
    cache: &GridCache,
    scope: &TenantScope,
    body: Map<String, Value>,
) -> Result<Component> {
    let id = body.get("component_id").and_then(Value::as_str).unwrap_or_default().to_owned();
    if !id.is_empty() && find(db, scope, &id).await?.is_some() {
        return Err(Error::already_exists("component_id", "this component exists; change it with PATCH"));
    }
    save(db, cache, scope, body).await
}

/// Changes the given fields of a component (others keep their values).
pub async fn update(
    db: &DatabaseConnection,
    cache: &GridCache,
    scope: &TenantScope,
    id: &str,
    patch: Map<String, Value>,
) -> Result<Component> {
    let current = find(db, scope, id).await?.ok_or_else(|| Error::not_found("component"))?;
    if patch.get("component_id").and_then(Value::as_str).is_some_and(|p| p != id) {
        return Err(Error::invalid("component_id", "cannot be changed"));
    }
    let mut merged = match serde_json::to_value(view(current)) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let extra = merged.remove("extra");
    for k in ["version", "created_at", "updated_at", "legacy_id"] {
        merged.remove(k);
    }
    if let Some(Value::Object(extra)) = extra {
        for (k, v) in extra {
            merged.insert(k, v);
        }
    }
    // A new location replaces the stored one entirely (and the grid derived from it).
    if patch.contains_key("location") || patch.contains_key("lon") {
        for k in ["location", "grid_code", "street_code", "community_code", "street_name", "community_name"] {
            merged.remove(k);
        }
    }
    for (k, v) in patch {
        merged.insert(k, v);
    }
    save(db, cache, scope, merged).await
}

async fn save(
    db: &DatabaseConnection,
    cache: &GridCache,
    scope: &TenantScope,
    mut body: Map<String, Value>,
) -> Result<Component> {
    let geometry = body.remove("location");
    let raw = feature_record(body, geometry);
    let ctx = context(db, cache, scope).await?;
    let valid = validate(&raw, &ctx).map_err(invalid)?;
    let id = valid.component_id.clone();
    let author = Author { actor: Some(scope.principal().user_id().0), job: None };
    upsert_batch(db, scope, vec![valid], author).await?;
    find(db, scope, &id).await?.map(view).ok_or_else(|| Error::not_found("component"))
}
