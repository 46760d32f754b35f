//! The tenant tree: a tenant, its children, onboarding of a child with its first
//! administrator, and suspension by an ancestor.

use actix_web::{HttpResponse, get, patch, post, web};
use kernel::PageRequest;
use tenancy::tenant::{self, CreatedTenant, NewTenant, Tenant, TenantPatch, TenantStatus};

use crate::auth::{Authorized, Origin, TenantRead, TenantWrite, UserRead};
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// A tenant: the caller's own, or one beneath it.
#[utoipa::path(
    tag = "tenants",
    operation_id = "tenants.get",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    responses(
        (status = 200, description = "The tenant", body = Tenant),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}")]
pub async fn get(scope: Authorized<TenantRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tenant::get(&state.db, &scope).await?))
}

/// Rename a tenant or change its time zone.
#[utoipa::path(
    tag = "tenants",
    operation_id = "tenants.update",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    request_body = TenantPatch,
    responses(
        (status = 200, description = "The updated tenant", body = Tenant),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[patch("/api/v1/tenants/{tenant_code}")]
pub async fn update(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    origin: Origin,
    body: Json<TenantPatch>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tenant::update(&state.db, &scope, body.0, &origin).await?))
}

/// The tenants directly beneath this one (a city's counties; the platform's cities).
#[utoipa::path(
    tag = "tenants",
    operation_id = "tenants.children.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the parent tenant", example = "320100"), PageRequest),
    responses(
        (status = 200, description = "One page of child tenants, in creation order", body = kernel::Page<Tenant>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/children")]
pub async fn list_children(
    scope: Authorized<TenantRead>,
    state: web::Data<AppState>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tenant::list_children(&state.db, &scope, &page).await?))
}

/// Onboard a child tenant with its first administrator: the platform creates cities, a city
/// creates its counties. A county's code must begin with its city's first four digits.
#[utoipa::path(
    tag = "tenants",
    operation_id = "tenants.children.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the parent tenant", example = "320100")),
    request_body = NewTenant,
    responses(
        (status = 201, description = "The tenant and its administrator", body = CreatedTenant),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/children")]
pub async fn create_child(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    origin: Origin,
    body: Json<NewTenant>,
) -> ApiResult<HttpResponse> {
    let created = tenant::create_child(&state.db, &state.authz, &scope, body.0, &origin).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Suspend a tenant beneath the caller's: its users can no longer log in and their tokens stop
/// working at the next request.
#[utoipa::path(
    tag = "tenants",
    operation_id = "tenants.suspend",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    responses(
        (status = 200, description = "The suspended tenant", body = Tenant),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/suspend")]
pub async fn suspend(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tenant::set_status(&state.db, &scope, TenantStatus::Suspended, &origin).await?))
}

/// Re-activate a suspended tenant beneath the caller's.
#[utoipa::path(
    tag = "tenants",
    operation_id = "tenants.activate",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    responses(
        (status = 200, description = "The active tenant", body = Tenant),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/activate")]
pub async fn activate(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tenant::set_status(&state.db, &scope, TenantStatus::Active, &origin).await?))
}

/// The go-live checklist of a county (上线检查): departments with a valid 统一社会信用代码, active
/// users for each role of the loop, streets and communities, unit grids (every community has
/// some), duty grids (each with a collector, together covering every unit grid), the census, a
/// county-wide responsible department for every class of the catalogue, this year's holidays in
/// the work calendar, and time limits saved for the county. Each item has a stable `key`, `ok`,
/// its counts and a short `detail`. For those who read the county's users: its administrators
/// and auditor, and its city's administrators.
#[utoipa::path(
    tag = "tenants",
    operation_id = "tenants.readiness",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The checklist", body = cases::readiness::Readiness),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/readiness")]
pub async fn readiness(scope: Authorized<UserRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(cases::readiness::check(&state.db, &scope).await?))
}
