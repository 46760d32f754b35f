//! Departments (专业部门) of a tenant: the units that handle dispatched cases. Each is
//! identified by its 统一社会信用代码 and may sit under a parent department.

use chrono::Utc;
use kernel::{Error, Page, PageRequest, Result, Validator};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::TenantScope;
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
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub uscc: Option<String>,
    /// `null` makes it a top-level department.
    #[serde(default, deserialize_with = "kernel::patch::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
}

fn view(m: department::Model, scope: &TenantScope) -> Department {
    Department {
        id: m.id,
        tenant_code: scope.tenant().code.to_string(),
        name: m.name,
        uscc: m.uscc,
        parent_id: m.parent_id,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// A department of the scoped tenant; another tenant's id is simply not found.
async fn find<C: ConnectionTrait>(db: &C, scope: &TenantScope, id: Uuid) -> Result<Option<department::Model>> {
    department::Entity::find_by_id(id)
        .filter(department::Column::TenantId.eq(scope.tenant_id().0))
        .one(db)
        .await
        .or_internal()
}

fn uscc_field(v: &mut Validator, raw: &str) -> String {
    let code = raw.trim().to_uppercase();
    if let Err(reason) = crate::uscc::validate(&code) {
        v.add("uscc", reason);
    }
    code
}

pub async fn create(db: &DatabaseConnection, scope: &TenantScope, input: NewDepartment) -> Result<Department> {
    let mut v = Validator::new();
    let name = v.text("name", &input.name, 100);
    let uscc = uscc_field(&mut v, &input.uscc);
    v.finish()?;
    if let Some(p) = input.parent_id
        && find(db, scope, p).await?.is_none()
    {
        return Err(Error::invalid("parent_id", "no such department in this tenant"));
    }
    let now = Utc::now();
    let m = department::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(scope.tenant_id().0),
        name: Set(name),
        uscc: Set(uscc),
        parent_id: Set(input.parent_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| unique_or_internal(e, "uscc", "a department with this code already exists in the tenant"))?;
    Ok(view(m, scope))
}

pub async fn list(db: &DatabaseConnection, scope: &TenantScope, page: &PageRequest) -> Result<Page<Department>> {
    let limit = page.limit()?;
    let mut q = department::Entity::find()
        .filter(department::Column::TenantId.eq(scope.tenant_id().0))
        .order_by_asc(department::Column::Id)
        .limit(limit + 1);
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
) -> Result<Department> {
    let current = find(db, scope, id).await?.ok_or_else(|| Error::not_found("department"))?;
    let mut v = Validator::new();
    let name = patch.name.as_deref().map(|n| v.text("name", n, 100));
    let uscc = patch.uscc.as_deref().map(|u| uscc_field(&mut v, u));
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
    am.updated_at = Set(Utc::now());
    let m = am
        .update(db)
        .await
        .map_err(|e| unique_or_internal(e, "uscc", "a department with this code already exists in the tenant"))?;
    Ok(view(m, scope))
}

/// Deletes a department that has no sub-departments and no users.
pub async fn delete(db: &DatabaseConnection, scope: &TenantScope, id: Uuid) -> Result<()> {
    let current = find(db, scope, id).await?.ok_or_else(|| Error::not_found("department"))?;
    let child = department::Entity::find()
        .filter(department::Column::TenantId.eq(scope.tenant_id().0))
        .filter(department::Column::ParentId.eq(id))
        .one(db)
        .await
        .or_internal()?;
    if child.is_some() {
        return Err(Error::conflict("the department has sub-departments; move or delete them first"));
    }
    let member = user::Entity::find()
        .filter(user::Column::TenantId.eq(scope.tenant_id().0))
        .filter(user::Column::DepartmentId.eq(id))
        .one(db)
        .await
        .or_internal()?;
    if member.is_some() {
        return Err(Error::conflict("the department still has users; move them first"));
    }
    department::Entity::delete_by_id(current.id).exec(db).await.or_internal()?;
    Ok(())
}

/// Inserts a department directly (demo seeding; no authorization).
pub(crate) async fn insert_raw<C: ConnectionTrait>(
    db: &C,
    tenant: kernel::ids::TenantId,
    name: &str,
    uscc: &str,
) -> Result<Uuid> {
    let now = Utc::now();
    let m = department::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        name: Set(name.to_owned()),
        uscc: Set(uscc.to_owned()),
        parent_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .or_internal()?;
    Ok(m.id)
}
