//! Writing census rows: batched upserts keyed by (tenant, component id), with a history row for
//! every change (who, when, which fields from what to what). Unchanged rows are left alone, so
//! re-importing the same file writes nothing new.
//!
//! A creation is recorded without a snapshot (`{}`): the current row and the `[old, new]` pairs
//! of every later update determine each earlier state, and [`super::query::history`] rebuilds
//! the created state when the history is read. This keeps the history of a million-row census
//! small (it would otherwise be larger than the census itself).

use chrono::Utc;
use kernel::Result;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use tenancy::{InTenant, TenantOwned};
use uuid::Uuid;

use super::validate::ValidComponent;
use crate::db::OrInternal;
use crate::entity::{component, component_history};

/// The comparable fields of a row, by API name.
fn pairs_valid(v: &ValidComponent) -> Vec<(&'static str, Value)> {
    vec![
        ("legacy_id", json!(v.legacy_id)),
        ("class_code", json!(v.class_code)),
        ("name", json!(v.name)),
        ("dept_code", json!(v.dept_code)),
        ("dept_name", json!(v.dept_name)),
        ("owner_code", json!(v.owner_code)),
        ("owner_name", json!(v.owner_name)),
        ("maint_code", json!(v.maint_code)),
        ("maint_name", json!(v.maint_name)),
        ("grid_code", json!(v.grid_code)),
        ("status", json!(v.status)),
        ("initial_date", json!(v.initial_date.to_string())),
        ("change_date", json!(v.change_date.map(|d| d.to_string()))),
        ("data_source", json!(v.data_source)),
        ("note", json!(v.note)),
        ("street_code", json!(v.street_code)),
        ("street_name", json!(v.street_name)),
        ("community_code", json!(v.community_code)),
        ("community_name", json!(v.community_name)),
        ("lon", json!(v.lon)),
        ("lat", json!(v.lat)),
        ("geometry", json!(v.geometry)),
        ("extra", json!(v.extra)),
    ]
}

/// The comparable fields of a stored row, by API name.
pub(crate) fn stored_pairs(m: &component::Model) -> Vec<(&'static str, Value)> {
    vec![
        ("legacy_id", json!(m.legacy_id)),
        ("class_code", json!(m.class_code)),
        ("name", json!(m.name)),
        ("dept_code", json!(m.dept_code)),
        ("dept_name", json!(m.dept_name)),
        ("owner_code", json!(m.owner_code)),
        ("owner_name", json!(m.owner_name)),
        ("maint_code", json!(m.maint_code)),
        ("maint_name", json!(m.maint_name)),
        ("grid_code", json!(m.grid_code)),
        ("status", json!(m.status)),
        ("initial_date", json!(m.initial_date.to_string())),
        ("change_date", json!(m.change_date.map(|d| d.to_string()))),
        ("data_source", json!(m.data_source)),
        ("note", json!(m.note)),
        ("street_code", json!(m.street_code)),
        ("street_name", json!(m.street_name)),
        ("community_code", json!(m.community_code)),
        ("community_name", json!(m.community_name)),
        ("lon", json!(m.lon)),
        ("lat", json!(m.lat)),
        ("geometry", json!(m.geometry)),
        ("extra", json!(m.extra)),
    ]
}

/// `{field: [old, new]}` for the fields that differ.
fn diff(old: Option<&component::Model>, new: &ValidComponent) -> Map<String, Value> {
    let before: HashMap<&str, Value> = old.map(stored_pairs).unwrap_or_default().into_iter().collect();
    let mut changes = Map::new();
    for (k, v) in pairs_valid(new) {
        let prev = before.get(k).cloned().unwrap_or(Value::Null);
        if prev != v && !(prev.is_null() && v.is_null()) {
            changes.insert(k.to_owned(), json!([prev, v]));
        }
    }
    changes
}

/// The batch with one row per component id: the last occurrence wins, as it would if the rows
/// were written one by one (and one statement may not upsert the same row twice).
pub(crate) fn last_per_id(batch: Vec<ValidComponent>) -> Vec<ValidComponent> {
    let mut by_id: HashMap<String, ValidComponent> = HashMap::with_capacity(batch.len());
    for v in batch {
        by_id.insert(v.component_id.clone(), v);
    }
    by_id.into_values().collect()
}

/// The `changes` of a creation (see the module docs).
pub const CREATED: &str = "{}";

/// Who made a change.
#[derive(Debug, Clone, Copy, Default)]
pub struct Author {
    pub actor: Option<Uuid>,
    pub job: Option<Uuid>,
}

/// Upserts a batch; returns how many rows were created or changed.
pub async fn upsert_batch<C: ConnectionTrait>(
    db: &C,
    tenant: &impl InTenant,
    batch: Vec<ValidComponent>,
    author: Author,
) -> Result<usize> {
    let tenant_id = tenant.in_tenant().0;
    let batch = last_per_id(batch);
    let ids: Vec<String> = batch.iter().map(|v| v.component_id.clone()).collect();
    let t0 = std::time::Instant::now();
    let existing: HashMap<String, component::Model> = component::Entity::find_in(tenant)
        .filter(component::Column::ComponentId.is_in(ids))
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|m| (m.component_id.clone(), m))
        .collect();
    let t_select = t0.elapsed();
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut history = Vec::new();
    for v in batch {
        let id = v.component_id.clone();
        let old = existing.get(&id);
        let changes = match old {
            Some(o) => diff(Some(o), &v),
            None => Map::new(),
        };
        if old.is_some() && changes.is_empty() {
            continue;
        }
        let version = old.map_or(1, |o| o.version + 1);
        history.push(component_history::ActiveModel {
            tenant_id: Set(tenant_id),
            component_id: Set(id.clone()),
            version: Set(version),
            action: Set(if old.is_some() { "updated" } else { "created" }.to_owned()),
            actor_id: Set(author.actor),
            job_id: Set(author.job),
            at: Set(now),
            changes: Set(Value::Object(changes).to_string()),
            ..Default::default()
        });
        rows.push(component::ActiveModel {
            id: Set(old.map_or_else(Uuid::now_v7, |o| o.id)),
            tenant_id: Set(tenant_id),
            component_id: Set(id),
            legacy_id: Set(v.legacy_id),
            class_code: Set(v.class_code),
            name: Set(v.name),
            dept_code: Set(v.dept_code),
            dept_name: Set(v.dept_name),
            owner_code: Set(v.owner_code),
            owner_name: Set(v.owner_name),
            maint_code: Set(v.maint_code),
            maint_name: Set(v.maint_name),
            grid_code: Set(v.grid_code),
            status: Set(v.status),
            initial_date: Set(v.initial_date),
            change_date: Set(v.change_date),
            data_source: Set(v.data_source),
            note: Set(v.note),
            street_code: Set(Some(v.street_code)),
            street_name: Set(v.street_name),
            community_code: Set(Some(v.community_code)),
            community_name: Set(v.community_name),
            lon: Set(v.lon),
            lat: Set(v.lat),
            geometry: Set(v.geometry),
            extra: Set(v.extra),
            version: Set(version),
            created_at: Set(old.map_or(now, |o| o.created_at)),
            updated_at: Set(now),
        });
    }
    let written = rows.len();
    if rows.is_empty() {
        return Ok(0);
    }
    use component::Column as C;
    for chunk in rows.chunks(1000) {
        component::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([C::TenantId, C::ComponentId])
                    .update_columns([
                        C::LegacyId,
                        C::ClassCode,
                        C::Name,
                        C::DeptCode,
                        C::DeptName,
                        C::OwnerCode,
                        C::OwnerName,
                        C::MaintCode,
                        C::MaintName,
                        C::GridCode,
                        C::Status,
                        C::InitialDate,
                        C::ChangeDate,
                        C::DataSource,
                        C::Note,
                        C::StreetCode,
                        C::StreetName,
                        C::CommunityCode,
                        C::CommunityName,
                        C::Lon,
                        C::Lat,
                        C::Geometry,
                        C::Extra,
                        C::Version,
                        C::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await
            .or_internal()?;
    }
    let t_upsert = t0.elapsed();
    for chunk in history.chunks(2000) {
        component_history::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await.or_internal()?;
    }
    tracing::debug!(
        rows = written,
        select_ms = t_select.as_millis() as u64,
        upsert_ms = (t_upsert - t_select).as_millis() as u64,
        history_ms = (t0.elapsed() - t_upsert).as_millis() as u64,
        "census batch written"
    );
    Ok(written)
}
