//! Duty grids (责任网格): named groups of unit grids patrolled by their collectors (监督员). A
//! collector may cover several duty grids; a unit grid belongs to at most one.

use chrono::Utc;
use kernel::{Error, Result, Validator, ids::UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use tenancy::TenantOwned;
use tenancy::{Role, TenantScope};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::{duty_grid, duty_grid_collector, unit_grid};
use crate::grid_cache::version_key;
use crate::grids::{CollectorRef, DutyGridRef};

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DutyGridInput {
    /// Unique in the tenant, e.g. `DG-001`.
    #[schema(example = "DG-001")]
    pub code: String,
    #[schema(example = "东山街道第一责任网格")]
    pub name: String,
    /// The unit grids of this duty grid (replaces the previous set).
    #[serde(default)]
    pub grid_codes: Vec<String>,
    /// Users holding the `collector` role (replaces the previous set).
    #[serde(default)]
    pub collector_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyGrid {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub grid_codes: Vec<String>,
    pub collectors: Vec<CollectorRef>,
}

async fn collector_refs(db: &DatabaseConnection, scope: &TenantScope, ids: &[Uuid]) -> Result<Vec<CollectorRef>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let users = tenancy::entity::user::Entity::find_in(scope)
        .filter(tenancy::entity::user::Column::Id.is_in(ids.to_vec()))
        .order_by_asc(tenancy::entity::user::Column::Username)
        .all(db)
        .await
        .or_internal()?;
    Ok(users
        .into_iter()
        .map(|u| CollectorRef { id: u.id, username: u.username, display_name: u.display_name })
        .collect())
}

async fn view(db: &DatabaseConnection, scope: &TenantScope, m: duty_grid::Model) -> Result<DutyGrid> {
    let grid_codes = unit_grid::Entity::find_in(scope)
        .filter(unit_grid::Column::DutyGridId.eq(m.id))
        .order_by_asc(unit_grid::Column::Code)
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|g| g.code)
        .collect();
    let ids: Vec<Uuid> = crate::grids::collectors_of(db, scope, m.id).await?.into_iter().map(|c| c.user_id).collect();
    Ok(DutyGrid {
        id: m.id,
        code: m.code,
        name: m.name,
        grid_codes,
        collectors: collector_refs(db, scope, &ids).await?,
    })
}

/// The duty grid with its collectors, for a grid lookup.
pub async fn reference(db: &DatabaseConnection, scope: &TenantScope, id: Uuid) -> Result<Option<DutyGridRef>> {
    let Some(m) = crate::grids::find_duty_grid(db, scope, id).await? else { return Ok(None) };
    let ids: Vec<Uuid> = crate::grids::collectors_of(db, scope, id).await?.into_iter().map(|c| c.user_id).collect();
    Ok(Some(DutyGridRef { id: m.id, code: m.code, name: m.name, collectors: collector_refs(db, scope, &ids).await? }))
}

pub async fn list(db: &DatabaseConnection, scope: &TenantScope) -> Result<Vec<DutyGrid>> {
    let rows = duty_grid::Entity::find_in(scope).order_by_asc(duty_grid::Column::Code).all(db).await.or_internal()?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        out.push(view(db, scope, m).await?);
    }
    Ok(out)
}

pub async fn get(db: &DatabaseConnection, scope: &TenantScope, id: Uuid) -> Result<DutyGrid> {
    let m = crate::grids::find_duty_grid(db, scope, id).await?.ok_or_else(|| Error::not_found("duty grid"))?;
    view(db, scope, m).await
}

/// Checks the input against the tenant's grids and users; returns the grid ids.
async fn check(
    db: &DatabaseConnection,
    scope: &TenantScope,
    input: &DutyGridInput,
    this: Option<Uuid>,
) -> Result<Vec<Uuid>> {
    let mut v = Validator::new();
    v.text("code", &input.code, 32);
    v.text("name", &input.name, 100);
    v.finish()?;
    let grids = unit_grid::Entity::find_in(scope)
        .filter(unit_grid::Column::Code.is_in(input.grid_codes.clone()))
        .all(db)
        .await
        .or_internal()?;
    let mut v = Validator::new();
    for (i, code) in input.grid_codes.iter().enumerate() {
        match grids.iter().find(|g| &g.code == code) {
            None => v.add(format!("grid_codes[{i}]"), format!("no unit grid {code} in this tenant")),
            Some(g) if g.duty_grid_id.is_some() && g.duty_grid_id != this => {
                v.add(format!("grid_codes[{i}]"), format!("unit grid {code} already belongs to another duty grid"))
            }
            Some(_) => {}
        }
    }
    for (i, id) in input.collector_ids.iter().enumerate() {
        let roles = tenancy::authz::roles_of(db, UserId(*id), scope.tenant().code()).await?;
        let exists = !collector_refs(db, scope, &[*id]).await?.is_empty();
        if !exists {
            v.add(format!("collector_ids[{i}]"), "no such user in this tenant");
        } else if !roles.contains(&Role::Collector) {
            v.add(format!("collector_ids[{i}]"), "the user does not hold the `collector` role");
        }
    }
    v.finish()?;
    Ok(grids.into_iter().map(|g| g.id).collect())
}

async fn save(
    db: &DatabaseConnection,
    scope: &TenantScope,
    id: Uuid,
    input: &DutyGridInput,
    grid_ids: Vec<Uuid>,
    new: bool,
) -> Result<()> {
    let tenant = scope.tenant_id().0;
    let now = Utc::now();
    let txn = db.begin().await.or_internal()?;
    let row = duty_grid::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant),
        code: Set(input.code.trim().to_owned()),
        name: Set(input.name.trim().to_owned()),
        created_at: if new { Set(now) } else { Default::default() },
        updated_at: Set(now),
    };
    let saved = if new {
        duty_grid::Entity::insert(row).exec_without_returning(&txn).await.map(|_| ())
    } else {
        duty_grid::Entity::update(row).exec(&txn).await.map(|_| ())
    };
    saved.map_err(|e| tenancy::db::unique_or_internal(e, "code", "a duty grid with this code exists"))?;
    unit_grid::Entity::update_many_in(scope)
        .col_expr(unit_grid::Column::DutyGridId, Expr::value(Option::<Uuid>::None))
        .filter(unit_grid::Column::DutyGridId.eq(id))
        .exec(&txn)
        .await
        .or_internal()?;
    if !grid_ids.is_empty() {
        unit_grid::Entity::update_many_in(scope)
            .col_expr(unit_grid::Column::DutyGridId, Expr::value(Some(id)))
            .filter(unit_grid::Column::Id.is_in(grid_ids))
            .exec(&txn)
            .await
            .or_internal()?;
    }
    duty_grid_collector::Entity::delete_many()
        .filter(duty_grid_collector::Column::DutyGridId.eq(id))
        .exec(&txn)
        .await
        .or_internal()?;
    let mut collectors = input.collector_ids.clone();
    collectors.sort();
    collectors.dedup();
    if !collectors.is_empty() {
        let rows: Vec<_> = collectors
            .into_iter()
            .map(|user| duty_grid_collector::ActiveModel {
                duty_grid_id: Set(id),
                user_id: Set(user),
                tenant_id: Set(tenant),
            })
            .collect();
        duty_grid_collector::Entity::insert_many(rows).exec_without_returning(&txn).await.or_internal()?;
    }
    tenancy::db::bump_version(&txn, &version_key(scope.tenant().code().as_str())).await?;
    txn.commit().await.or_internal()
}

pub async fn create(db: &DatabaseConnection, scope: &TenantScope, input: DutyGridInput) -> Result<DutyGrid> {
    let grid_ids = check(db, scope, &input, None).await?;
    let id = Uuid::now_v7();
    save(db, scope, id, &input, grid_ids, true).await?;
    get(db, scope, id).await
}

pub async fn update(db: &DatabaseConnection, scope: &TenantScope, id: Uuid, input: DutyGridInput) -> Result<DutyGrid> {
    crate::grids::find_duty_grid(db, scope, id).await?.ok_or_else(|| Error::not_found("duty grid"))?;
    let grid_ids = check(db, scope, &input, Some(id)).await?;
    save(db, scope, id, &input, grid_ids, false).await?;
    get(db, scope, id).await
}
