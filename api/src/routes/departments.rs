//! Departments (专业部门) of a tenant.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use kernel::{Page, PageRequest};
use tenancy::department::{self, Department, DepartmentPatch, NewDepartment};
use uuid::Uuid;

use crate::auth::{Authorized, DepartmentRead, DepartmentWrite, Origin};
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// The departments of a tenant, in creation order.
#[utoipa::path(
    tag = "departments",
    operation_id = "departments.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"), PageRequest),
    responses(
        (status = 200, description = "One page of departments", body = Page<Department>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/departments")]
pub async fn list(
    scope: Authorized<DepartmentRead>,
    state: web::Data<AppState>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(department::list(&state.db, &scope, &page).await?))
}

/// Where the county may dispatch cases: its own departments, then those its city shares (their
/// `tenant_code` is the city's).
#[utoipa::path(
    tag = "departments",
    operation_id = "departments.dispatch_targets",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The departments a case may be dispatched to", body = Vec<Department>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/dispatch-targets")]
pub async fn dispatch_targets(
    scope: Authorized<DepartmentRead>,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(department::dispatch_targets(&state.db, &scope).await?))
}

/// Create a department. Its 统一社会信用代码 must be valid (check character) and unique in the
/// tenant.
#[utoipa::path(
    tag = "departments",
    operation_id = "departments.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    request_body = NewDepartment,
    responses(
        (status = 201, description = "The new department", body = Department),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/departments")]
pub async fn create(
    scope: Authorized<DepartmentWrite>,
    state: web::Data<AppState>,
    origin: Origin,
    body: Json<NewDepartment>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(department::create(&state.db, &scope, body.0, &origin).await?))
}

/// One department.
#[utoipa::path(
    tag = "departments",
    operation_id = "departments.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("department_id" = Uuid, Path, description = "Department id"),
    ),
    responses(
        (status = 200, description = "The department", body = Department),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/departments/{department_id}")]
pub async fn get(
    scope: Authorized<DepartmentRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(department::get(&state.db, &scope, path.1).await?))
}

/// Change a department's name, code or parent.
#[utoipa::path(
    tag = "departments",
    operation_id = "departments.update",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("department_id" = Uuid, Path, description = "Department id"),
    ),
    request_body = DepartmentPatch,
    responses(
        (status = 200, description = "The updated department", body = Department),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[patch("/api/v1/tenants/{tenant_code}/departments/{department_id}")]
pub async fn update(
    scope: Authorized<DepartmentWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
    body: Json<DepartmentPatch>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(department::update(&state.db, &scope, path.1, body.0, &origin).await?))
}

/// Delete a department without sub-departments or users.
#[utoipa::path(
    tag = "departments",
    operation_id = "departments.delete",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("department_id" = Uuid, Path, description = "Department id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[delete("/api/v1/tenants/{tenant_code}/departments/{department_id}")]
pub async fn delete(
    scope: Authorized<DepartmentWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    department::delete(&state.db, &scope, path.1, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}
