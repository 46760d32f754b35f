//! Users of a tenant and their role assignments.

use actix_web::{HttpResponse, get, patch, post, put, web};
use kernel::{Page, PageRequest};
use serde::Serialize;
use tenancy::Role;
use tenancy::user::{self, NewUser, RoleSet, User, UserPatch};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Authorized, Origin, RoleRead, RoleWrite, UserRead, UserWrite};
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// The users of a tenant, in creation order.
#[utoipa::path(
    tag = "users",
    operation_id = "users.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"), PageRequest),
    responses(
        (status = 200, description = "One page of users", body = Page<User>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/users")]
pub async fn list(
    scope: Authorized<UserRead>,
    state: web::Data<AppState>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    let disclosure = user::Disclosure::for_caller(&state.authz, &scope)?;
    Ok(HttpResponse::Ok().json(user::list(&state.db, &scope, &page, disclosure).await?))
}

/// Create a user, optionally with roles (a user with role `department` needs `department_id`).
#[utoipa::path(
    tag = "users",
    operation_id = "users.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    request_body = NewUser,
    responses(
        (status = 201, description = "The new user", body = User),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/users")]
pub async fn create(
    scope: Authorized<UserWrite>,
    state: web::Data<AppState>,
    origin: Origin,
    body: Json<NewUser>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(user::create(&state.db, &state.authz, &scope, body.0, &origin).await?))
}

/// One user.
#[utoipa::path(
    tag = "users",
    operation_id = "users.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/users/{user_id}")]
pub async fn get(
    scope: Authorized<UserRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let disclosure = user::Disclosure::for_caller(&state.authz, &scope)?;
    Ok(HttpResponse::Ok().json(user::get(&state.db, &scope, path.1, disclosure).await?))
}

/// Change a user's name, department or status, or reset the password. Deactivating a user or
/// resetting the password ends all of the user's sessions; a reset also lifts a login lockout.
#[utoipa::path(
    tag = "users",
    operation_id = "users.update",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The updated user", body = User),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[patch("/api/v1/tenants/{tenant_code}/users/{user_id}")]
pub async fn update(
    scope: Authorized<UserWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
    body: Json<UserPatch>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(user::update(&state.db, &scope, path.1, body.0, &origin).await?))
}

#[derive(Serialize, ToSchema)]
pub struct UserRoles {
    pub user_id: Uuid,
    pub roles: Vec<Role>,
}

/// The roles a user holds in this tenant.
#[utoipa::path(
    tag = "users",
    operation_id = "users.roles.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    responses(
        (status = 200, description = "The user's roles", body = UserRoles),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/users/{user_id}/roles")]
pub async fn get_roles(
    scope: Authorized<RoleRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let u = user::get(&state.db, &scope, path.1, user::Disclosure::Masked).await?;
    Ok(HttpResponse::Ok().json(UserRoles { user_id: u.id, roles: u.roles }))
}

/// Replace the roles a user holds in this tenant. Takes effect at the user's next request.
/// The last active administrator cannot give up the role.
#[utoipa::path(
    tag = "users",
    operation_id = "users.roles.set",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    request_body = RoleSet,
    responses(
        (status = 200, description = "The user's roles now", body = UserRoles),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/users/{user_id}/roles")]
pub async fn set_roles(
    scope: Authorized<RoleWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
    body: Json<RoleSet>,
) -> ApiResult<HttpResponse> {
    let u = user::set_roles(&state.db, &state.authz, &scope, path.1, body.0, &origin).await?;
    Ok(HttpResponse::Ok().json(UserRoles { user_id: u.id, roles: u.roles }))
}

/// Lift a login lockout of the user (too many failed logins) before its window ends.
#[utoipa::path(
    tag = "users",
    operation_id = "users.unlock",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    responses(
        (status = 204, description = "The user can log in again"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/users/{user_id}/unlock")]
pub async fn unlock(
    scope: Authorized<UserWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    user::unlock(&state.db, &scope, path.1, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}
