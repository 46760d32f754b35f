//! Who the caller is to the workflow: roles held in the case's tenant (or, acting from the city,
//! in the city), and the department they work for.

use kernel::Result;
use sea_orm::{DatabaseConnection, EntityTrait};
use tenancy::{Access, TenantScope};
use workflow::Actor;

use crate::db::OrInternal;

pub async fn of(db: &DatabaseConnection, scope: &TenantScope) -> Result<Actor> {
    let principal = scope.principal();
    let roles = tenancy::authz::roles_of(db, principal.user_id, principal.tenant_code).await?;
    let user = tenancy::entity::user::Entity::find_by_id(principal.user_id.0).one(db).await.or_internal()?;
    let from_city = scope.access() == Access::Descendant;
    Ok(Actor {
        user: principal.user_id.to_string(),
        roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
        // A department acts only in its own tenant.
        department: if from_city { None } else { user.and_then(|u| u.department_id).map(|d| d.to_string()) },
        from_city,
        system: false,
    })
}

/// The system itself (timers).
pub fn system() -> Actor {
    Actor { user: "system".into(), roles: Vec::new(), department: None, from_city: false, system: true }
}
