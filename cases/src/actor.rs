//! Who the caller is to the workflow: roles held in the case's tenant (or, acting from the city,
//! in the city), and the department they work for.

use tenancy::{Access, Authorizer, TenantScope};
use workflow::Actor;

/// The roles a city user's city roles still count as when the user reaches into a county.
/// Roles held in the city act in the city: city oversight reads and issues 督办, a department the
/// city shares with its counties works the cases dispatched to it, the city's administrator
/// reads. A city supervision or command centre, or a city collector, is nobody in a county's
/// workflow (whatever else the same person holds).
pub const FROM_CITY: [&str; 3] = ["city-oversight", "department", "tenant-admin"];

/// The caller as an actor. Roles come from the loaded authorization policy, the department from
/// the authenticated principal, so the workflow and the route checks see the same person.
pub fn of(authz: &Authorizer, scope: &TenantScope) -> Actor {
    let principal = scope.principal();
    let from_city = scope.access() == Access::Descendant;
    Actor {
        user: principal.user_id().to_string(),
        roles: authz
            .roles(principal)
            .iter()
            .map(|r| r.as_str())
            .filter(|r| !from_city || FROM_CITY.contains(r))
            .map(str::to_owned)
            .collect(),
        // From the city, a department acts on a county's case only when the case was dispatched
        // to it (a department the city shares): the workflow compares the two.
        department: principal.department_id().map(|d| d.to_string()),
        from_city,
        system: false,
    }
}

/// The system itself (timers).
pub fn system() -> Actor {
    Actor { user: "system".into(), roles: Vec::new(), department: None, from_city: false, system: true }
}
