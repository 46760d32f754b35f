//! The catalogue: national classes for everyone, a tenant's view with its local extensions.

use actix_web::{HttpResponse, get, post, web};
use inventory::catalog::{self, CatalogClass, ClassFilter, LegacyMapping, NewClass};

use crate::auth::{Authenticated, Authorized, CatalogRead, CatalogWrite};
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// The national catalogue of GB/T 47678.5-2026 (153 component and 250 matter classes), whole
/// and not paged: a fixed reference list that clients cache.
#[utoipa::path(
    tag = "catalog",
    operation_id = "catalog.classes.list",
    security(("bearer" = [])),
    params(ClassFilter),
    responses(
        (status = 200, description = "Classes in kind and code order", body = Vec<CatalogClass>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/catalog/classes")]
pub async fn national(
    _caller: Authenticated,
    state: web::Data<AppState>,
    q: Query<ClassFilter>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(catalog::list_national(&state.db, &q).await?))
}

/// How legacy CJ/T 214 4-digit component classes map to GB/T 47678.5 classes (used when
/// importing 16-digit legacy ids; unmapped classes are reported, never guessed).
#[utoipa::path(
    tag = "catalog",
    operation_id = "catalog.legacy.list",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The mapping", body = Vec<LegacyMapping>),
        (status = 401, response = crate::openapi::Unauthorized),
    )
)]
#[get("/api/v1/catalog/legacy-mappings")]
pub async fn legacy(_caller: Authenticated, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(catalog::legacy_mappings(&state.db).await?))
}

/// The classes a tenant uses: national ones, its city's extensions and its own. Whole and not
/// paged, like the national list (a few hundred classes; `kind` and `major` narrow it).
#[utoipa::path(
    tag = "catalog",
    operation_id = "catalog.tenant.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"), ClassFilter),
    responses(
        (status = 200, description = "Classes", body = Vec<CatalogClass>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/catalog/classes")]
pub async fn tenant_classes(
    scope: Authorized<CatalogRead>,
    state: web::Data<AppState>,
    q: Query<ClassFilter>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(catalog::list_for_tenant(&state.db, &scope, &q).await?))
}

/// Add a local extension class. A city's extensions are inherited by its counties.
#[utoipa::path(
    tag = "catalog",
    operation_id = "catalog.tenant.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    request_body = NewClass,
    responses(
        (status = 201, description = "The new class", body = CatalogClass),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/catalog/classes")]
pub async fn add_class(
    scope: Authorized<CatalogWrite>,
    state: web::Data<AppState>,
    body: Json<NewClass>,
    origin: crate::auth::Origin,
) -> ApiResult<HttpResponse> {
    let class = catalog::add_extension(&state.db, &scope, body.0).await?;
    crate::routes::audit::note(&state, &scope, &origin, "catalog.class_added", "catalog".into(), &class).await?;
    Ok(HttpResponse::Created().json(class))
}
