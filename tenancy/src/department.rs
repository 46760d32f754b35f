//! Departments (专业部门) of a tenant: the units that handle dispatched cases. Each is
//! identified by its 统一社会信用代码 and may sit under a parent department.
//!
//! A city may *share* a department with its counties (a city-level utility, say): the counties
//! then dispatch cases to it like to their own departments, and its members handle those cases
//! from the city.

use crate::scoped::TenantOwned;
use chrono::Utc;
use kernel::{Error, Page, PageRequest, Result, Validator};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Entry, Origin};
use crate::context::{TenantRef, TenantScope};
use crate::db::{OrInternal, unique_or_internal};
use crate::entity::{department, user};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Department {
    pub id: Uuid,
    #[schema(example = "320115")]
    pub tenant_code: String,
    #[schema(example = "江宁区城市管理局")]
    pub name: String,
    /// 统一社会信用代码 (18 characters, with a valid check character).
    #[schema(example = "11320115MB0000017X")]
    pub uscc: String,
    pub parent_id: Option<Uuid>,
    /// A city department its counties may dispatch cases to.
    pub shared: bool,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewDepartment {
    #[schema(example = "江宁区城市管理局")]
    pub name: String,
    #[schema(example = "11320115MB0000017X")]
    pub uscc: String,
    pub parent_id: Option<Uuid>,
    /// Share with the city's counties as a dispatch target (city departments only).
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub uscc: Option<String>,
    /// `null` makes it a top-level department.
    #[serde(default, deserialize_with = "kernel::patch::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    /// Share with (or withdraw from) the city's counties. Cases already dispatched stay with it.
    pub shared: Option<bool>,
}

fn view(m: department::Model, scope: &TenantScope) -> Department {
    view_in(m, scope.tenant().code.to_string())
}

fn view_in(m: department::Model, tenant_code: String) -> Department {
    Department {
        id: m.id,
        tenant_code,
        name: m.name,
        uscc: m.uscc,
        parent_id: m.parent_id,
        shared: m.shared,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn check_shared(v: &mut Validator, scope: &TenantScope, shared: bool) {
    if shared && scope.tenant().level != kernel::DivisionLevel::City {
        v.add("shared", "only a city's departments can be shared with its counties");
    }
}

/// Where a county may dispatch: its own departments and those its city shares.
pub async fn dispatch_targets(db: &DatabaseConnection, scope: &TenantScope) -> Result<Vec<Department>> {
    let own = department::Entity::find_in(scope).order_by_asc(department::Column::Id).all(db).await.or_internal()?;
    let mut out: Vec<Department> = own.into_iter().map(|m| view(m, scope)).collect();
    if let Some(parent) = scope.tenant().parent_id
        && let Some(city) = crate::tenant::find_by_id(db, parent).await?
        && city.level == kernel::DivisionLevel::City.as_str()
    {
        let shared = department::Entity::find_in(&TenantRef::of(&city))
            .filter(department::Column::Shared.eq(true))
            .order_by_asc(department::Column::Id)
            .all(db)
            .await
            .or_internal()?;
        out.extend(shared.into_iter().map(|m| view_in(m, city.code.clone())));
    }
    Ok(out)
}

/// Whether a county may dispatch to the department: one of its own, or one its city shares.
pub async fn is_dispatch_target<C: ConnectionTrait>(db: &C, county: &crate::TenantRef, id: Uuid) -> Result<bool> {
    let Some(d) = department::Entity::find_by_id(id).one(db).await.or_internal()? else {
        return Ok(false);
    };
    Ok(d.tenant_id == county.id.0 || (d.shared && county.parent_id.map(|p| p.0) == Some(d.tenant_id)))
}

/// A department of the scoped tenant; another tenant's id is simply not found.
async fn find<C: ConnectionTrait>(db: &C, scope: &TenantScope, id: Uuid) -> Result<Option<department::Model>> {
    department::Entity::find_by_id_in(scope, id).one(db).await.or_internal()
}

fn uscc_field(v: &mut Validator, raw: &str) -> String {
    let code = raw.trim().to_uppercase();
    if let Err(reason) = crate::uscc::validate(&code) {
        v.add("uscc", reason);
    }
    code
}

pub async fn create(
    db: &DatabaseConnection,
    scope: &TenantScope,
    input: NewDepartment,
    origin: &Origin,
) -> Result<Department> {
    let mut v = Validator::new();
    let name = v.text("name", &input.name, 100);
    let uscc = uscc_field(&mut v, &input.uscc);
    check_shared(&mut v, scope, input.shared);
    v.finish()?;
    if let Some(p) = input.parent_id
        && find(db, scope, p).await?.is_none()
    {
        return Err(Error::invalid("parent_id", "no such department in this tenant"));
    }
    let now = Utc::now();
    let txn = db.begin().await.or_internal()?;
    let m = department::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(scope.tenant_id().0),
        name: Set(name),
        uscc: Set(uscc),
        parent_id: Set(input.parent_id),
        shared: Set(input.shared),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_or_internal(e, "uscc", "a department with this code already exists in the tenant"))?;
    let created = view(m, scope);
    let entry = Entry::new("department.created", format!("department:{}", created.id)).after(&created);
    audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()?;
    Ok(created)
}

pub async fn list(db: &DatabaseConnection, scope: &TenantScope, page: &PageRequest) -> Result<Page<Department>> {
    let limit = page.limit()?;
    let mut q = department::Entity::find_in(scope).order_by_asc(department::Column::Id).limit(limit + 1);
    if let Some(after) = page.after()? {
        q = q.filter(department::Column::Id.gt(after));
    }
    let rows = q.all(db).await.or_internal()?;
    Ok(Page::from_rows(rows, limit, |m| m.id).map(|m| view(m, scope)))
}

pub async fn get(db: &DatabaseConnection, scope: &TenantScope, id: Uuid) -> Result<Department> {
    find(db, scope, id).await?.map(|m| view(m, scope)).ok_or_else(|| Error::not_found("department"))
}

pub async fn update(
    db: &DatabaseConnection,
    scope: &TenantScope,
    id: Uuid,
    patch: DepartmentPatch,
    origin: &Origin,
) -> Result<Department> {
    let current = find(db, scope, id).await?.ok_or_else(|| Error::not_found("department"))?;
    let mut v = Validator::new();
    let name = patch.name.as_deref().map(|n| v.text("name", n, 100));
    let uscc = patch.uscc.as_deref().map(|u| uscc_field(&mut v, u));
    check_shared(&mut v, scope, patch.shared == Some(true));
    v.finish()?;
    if let Some(Some(parent)) = patch.parent_id {
        // Walk up from the new parent: reaching this department would make a cycle.
        let mut cursor = Some(parent);
        let mut depth = 0;
        while let Some(p) = cursor {
            if p == id {
                return Err(Error::invalid("parent_id", "would make the department its own ancestor"));
            }
            let Some(m) = find(db, scope, p).await? else {
                return Err(Error::invalid("parent_id", "no such department in this tenant"));
            };
            cursor = m.parent_id;
            depth += 1;
            if depth > 64 {
                return Err(Error::invalid("parent_id", "department hierarchy is too deep"));
            }
        }
    }
    let before = view(current.clone(), scope);
    let mut am: department::ActiveModel = current.into();
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(u) = uscc {
        am.uscc = Set(u);
    }
    if let Some(p) = patch.parent_id {
        am.parent_id = Set(p);
    }
    if let Some(shared) = patch.shared {
        am.shared = Set(shared);
    }
    am.updated_at = Set(Utc::now());
    let txn = db.begin().await.or_internal()?;
    let m = am
        .update(&txn)
        .await
        .map_err(|e| unique_or_internal(e, "uscc", "a department with this code already exists in the tenant"))?;
    let updated = view(m, scope);
    let entry = Entry::new("department.updated", format!("department:{id}")).before(&before).after(&updated);
    audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()?;
    Ok(updated)
}

/// Deletes a department that has no sub-departments and no users.
pub async fn delete(db: &DatabaseConnection, scope: &TenantScope, id: Uuid, origin: &Origin) -> Result<()> {
    let current = find(db, scope, id).await?.ok_or_else(|| Error::not_found("department"))?;
    let child =
        department::Entity::find_in(scope).filter(department::Column::ParentId.eq(id)).one(db).await.or_internal()?;
    if child.is_some() {
        return Err(Error::conflict("the department has sub-departments; move or delete them first"));
    }
    let member = user::Entity::find_in(scope).filter(user::Column::DepartmentId.eq(id)).one(db).await.or_internal()?;
    if member.is_some() {
        return Err(Error::conflict("the department still has users; move them first"));
    }
    let txn = db.begin().await.or_internal()?;
    department::Entity::delete_by_id(current.id).exec(&txn).await.or_internal()?;
    let entry = Entry::new("department.deleted", format!("department:{id}")).before(view(current, scope));
    audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()
}

/// Inserts a department directly (demo seeding; no authorization).
pub(crate) async fn insert_raw<C: ConnectionTrait>(
    db: &C,
    tenant: kernel::ids::TenantId,
    name: &str,
    uscc: &str,
    shared: bool,
) -> Result<Uuid> {
    let now = Utc::now();
    let m = department::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        name: Set(name.to_owned()),
        uscc: Set(uscc.to_owned()),
        parent_id: Set(None),
        shared: Set(shared),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .or_internal()?;
    Ok(m.id)
}

/// The scoped tenant's departments, and how many of them carry a valid 统一社会信用代码 (the
/// go-live checklist).
pub async fn uscc_counts(db: &DatabaseConnection, scope: &TenantScope) -> Result<(u64, u64)> {
    let rows = department::Entity::find_in(scope).all(db).await.or_internal()?;
    let valid = rows.iter().filter(|d| crate::uscc::validate(&d.uscc).is_ok()).count() as u64;
    Ok((rows.len() as u64, valid))
}
