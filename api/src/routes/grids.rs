//! Unit grids, streets, communities and duty grids of a county, and the point lookup.

use actix_web::{HttpResponse, get, post, put, web};
use futures_util::StreamExt;
use inventory::duty::{self, DutyGrid, DutyGridInput};
use inventory::grids::{
    self, Community, Grid, GridFilter, GridImportReport, GridSummary, ImportOptions, LocateQuery, Location, Street,
};
use kernel::{Page, PageRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{Authorized, GridRead, GridWrite};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::extract::{Json, read_body};
use crate::state::AppState;

/// Import unit grids from a GeoJSON FeatureCollection (Polygon/MultiPolygon features whose
/// properties carry `code` — 15 digits, or legacy 14 — and optionally `name`, `street_name`,
/// `community_name`). Re-importing a code replaces its geometry. Every bad feature is reported
/// with its index, code and reason; nothing is written when any is bad unless `partial=true`.
/// Overlaps above the tolerance are reported. Limits: at most 50,000 features per file (422 on
/// `features`) and 100,000 positions per ring (that feature is refused as `features[i]`).
#[utoipa::path(
    tag = "grids",
    operation_id = "grids.import",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), ImportOptions),
    request_body(content = Object, description = "A GeoJSON FeatureCollection (WGS84)", content_type = "application/geo+json"),
    responses(
        (status = 200, description = "What was imported, skipped and found overlapping", body = GridImportReport),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::TooLarge),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/grids/import")]
pub async fn import(
    scope: Authorized<GridWrite>,
    state: web::Data<AppState>,
    opts: Query<ImportOptions>,
    body: web::Payload,
    origin: crate::auth::Origin,
) -> ApiResult<HttpResponse> {
    let bytes = read_body(body, state.max_import_bytes / 4).await?;
    let summary = serde_json::json!({"bytes": bytes.len()});
    let report = grids::import(&state.db, &scope, bytes, &opts).await?;
    crate::routes::audit::note(&state, &scope, &origin, "import.grids", "grids".into(), summary).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The unit grids of a county (without geometry), in creation order.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), GridFilter, PageRequest),
    responses(
        (status = 200, description = "One page of grids", body = Page<GridSummary>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/grids")]
pub async fn list(
    scope: Authorized<GridRead>,
    state: web::Data<AppState>,
    filter: Query<GridFilter>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(grids::list(&state.db, &scope, &filter, &page).await?))
}

/// The unit grid, community, street and duty grid (with its collectors) at a point. Points from
/// consumer map apps may be given in GCJ-02 (WeChat, AMap, Tencent) or BD-09 (Baidu).
#[utoipa::path(
    tag = "grids",
    operation_id = "grids.locate",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), LocateQuery),
    responses(
        (status = 200, description = "Where the point lies", body = Location),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/grids/locate")]
pub async fn locate(
    scope: Authorized<GridRead>,
    state: web::Data<AppState>,
    q: Query<LocateQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(grids::locate(&state.db, &state.grids, &scope, &q).await?))
}

/// Every unit grid as a GeoJSON FeatureCollection, streamed.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids.export",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/grids/export")]
pub async fn export(scope: Authorized<GridRead>, state: web::Data<AppState>) -> HttpResponse {
    let stream =
        grids::export(state.db.clone(), (*scope).clone()).map(|chunk| chunk.map(web::Bytes::from).map_err(ApiError));
    HttpResponse::Ok().content_type("application/geo+json").streaming(stream)
}

/// One unit grid with its geometry.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("grid_code" = String, Path, description = "15-digit unit grid code", example = "320115001001001"),
    ),
    responses(
        (status = 200, description = "The grid", body = Grid),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/grids/{grid_code}")]
pub async fn get(
    scope: Authorized<GridRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(grids::get(&state.db, &scope, &path.1).await?))
}

/// The streets/towns of a county, whole and not paged: reference data that pickers load at once,
/// and small (the 2023 list's largest county has 52 streets).
#[utoipa::path(
    tag = "grids",
    operation_id = "streets.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "Streets in code order", body = Vec<Street>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/streets")]
pub async fn streets(scope: Authorized<GridRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(grids::streets(&state.db, &scope).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommunityFilter {
    /// Only the communities of this 9-digit street.
    pub street: Option<String>,
}

/// The communities/villages of a county, whole and not paged (reference data for pickers, at
/// most some hundreds per county; `street` narrows it to one street's).
#[utoipa::path(
    tag = "grids",
    operation_id = "communities.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), CommunityFilter),
    responses(
        (status = 200, description = "Communities in code order", body = Vec<Community>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/communities")]
pub async fn communities(
    scope: Authorized<GridRead>,
    state: web::Data<AppState>,
    q: Query<CommunityFilter>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(grids::communities(&state.db, &scope, q.street.as_deref()).await?))
}

/// The duty grids (责任网格) of a county with their unit grids and collectors, whole and not
/// paged: a county has one per collector or team, tens to a few hundred.
#[utoipa::path(
    tag = "grids",
    operation_id = "duty_grids.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "Duty grids in code order", body = Vec<DutyGrid>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/duty-grids")]
pub async fn duty_list(scope: Authorized<GridRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(duty::list(&state.db, &scope).await?))
}

/// Create a duty grid: its unit grids (each in at most one duty grid) and collectors.
#[utoipa::path(
    tag = "grids",
    operation_id = "duty_grids.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body = DutyGridInput,
    responses(
        (status = 201, description = "The duty grid", body = DutyGrid),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/duty-grids")]
pub async fn duty_create(
    scope: Authorized<GridWrite>,
    state: web::Data<AppState>,
    body: Json<DutyGridInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(duty::create(&state.db, &scope, body.0).await?))
}

/// One duty grid.
#[utoipa::path(
    tag = "grids",
    operation_id = "duty_grids.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("duty_grid_id" = Uuid, Path, description = "Duty grid id"),
    ),
    responses(
        (status = 200, description = "The duty grid", body = DutyGrid),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/duty-grids/{duty_grid_id}")]
pub async fn duty_get(
    scope: Authorized<GridRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(duty::get(&state.db, &scope, path.1).await?))
}

/// Replace a duty grid's name, unit grids and collectors.
#[utoipa::path(
    tag = "grids",
    operation_id = "duty_grids.update",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("duty_grid_id" = Uuid, Path, description = "Duty grid id"),
    ),
    request_body = DutyGridInput,
    responses(
        (status = 200, description = "The duty grid", body = DutyGrid),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/duty-grids/{duty_grid_id}")]
pub async fn duty_update(
    scope: Authorized<GridWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    body: Json<DutyGridInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(duty::update(&state.db, &scope, path.1, body.0).await?))
}
