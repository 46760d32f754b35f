//! The component census: bulk imports as jobs, single-component writes, queries, exports,
//! history and statistics.

use actix_web::{HttpResponse, get, patch, post, web};
use futures_util::StreamExt;
use inventory::census::import::{self, ImportJob, ImportQuery};
use inventory::census::query::{self, CensusStats, Change, CityStats, Component, ComponentFilter, ExportFormat};
use inventory::census::write;
use kernel::{Page, PageRequest};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{Authorized, ComponentRead, ComponentWrite};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::extract::{Json, save_body};
use crate::state::AppState;

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Upload a census file (CSV or XLSX with columns named by API field, GB/T 47678.7 abbreviation
/// such as `GLBJBSM`, or Chinese name; or a GeoJSON FeatureCollection) and start an import job. Poll the
/// job for progress and per-row errors. Re-imported ids update their components.
#[utoipa::path(
    tag = "census",
    operation_id = "census.imports.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), ImportQuery),
    request_body(description = "The file: CSV (UTF-8 or GB18030/GBK, see `encoding`), the first sheet of an XLSX workbook, or a GeoJSON FeatureCollection",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "application/geo+json"))),
    responses(
        (status = 202, description = "The job, queued", body = ImportJob),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::TooLarge),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/census/imports")]
pub async fn start_import(
    scope: Authorized<ComponentWrite>,
    state: web::Data<AppState>,
    q: Query<ImportQuery>,
    req: actix_web::HttpRequest,
    body: web::Payload,
    origin: crate::auth::Origin,
) -> ApiResult<HttpResponse> {
    let xlsx = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(XLSX_TYPE));
    let id = Uuid::now_v7();
    let path = state.data_dir.join("imports").join(format!("{id}.upload"));
    save_body(body, &path, state.max_import_bytes).await?;
    let job = match import::create_job(&state.db, &scope, id, path.clone(), &q, xlsx).await {
        Ok(job) => job,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e.into());
        }
    };
    import::spawn(state.db.clone(), state.grids.clone(), (*scope).clone(), id);
    crate::routes::audit::note(&state, &scope, &origin, "import.census", format!("import:{id}"), &job).await?;
    Ok(HttpResponse::Accepted().json(job))
}

/// An import job: status, rows read/valid/written/failed, and the first 1,000 errors (line,
/// field, reason).
#[utoipa::path(
    tag = "census",
    operation_id = "census.imports.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("job_id" = Uuid, Path, description = "Import job id"),
    ),
    responses(
        (status = 200, description = "The job", body = ImportJob),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/census/imports/{job_id}")]
pub async fn get_import(
    scope: Authorized<ComponentRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(import::get_job(&state.db, &scope, path.1).await?))
}

/// Census statistics of a county: counts by class and status, by street and community.
#[utoipa::path(
    tag = "census",
    operation_id = "census.stats",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The statistics", body = CensusStats),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/census/stats")]
pub async fn stats(scope: Authorized<ComponentRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(query::stats(&state.db, &scope).await?))
}

/// The statistics of every county beneath a city (or of the county itself), and their sum.
#[utoipa::path(
    tag = "census",
    operation_id = "census.stats.by_county",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the city (or county)", example = "320100")),
    responses(
        (status = 200, description = "Per county and summed", body = CityStats),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/census/stats/by-county")]
pub async fn stats_by_county(scope: Authorized<ComponentRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(query::city_stats(&state.db, &scope).await?))
}

/// Components of a county, filtered, in creation order.
#[utoipa::path(
    tag = "census",
    operation_id = "components.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), ComponentFilter, PageRequest),
    responses(
        (status = 200, description = "One page of components", body = Page<Component>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/components")]
pub async fn list(
    scope: Authorized<ComponentRead>,
    state: web::Data<AppState>,
    filter: Query<ComponentFilter>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(query::list(&state.db, &scope, &filter, &page).await?))
}

/// Add one component (fields as in the list; `location` is a GeoJSON geometry or give
/// `lon`/`lat` with an optional `crs`; other keys become extension attributes).
#[utoipa::path(
    tag = "census",
    operation_id = "components.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body(content = Object, description = "The component"),
    responses(
        (status = 201, description = "The component", body = Component),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/components")]
pub async fn create(
    scope: Authorized<ComponentWrite>,
    state: web::Data<AppState>,
    body: Json<Map<String, Value>>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(write::create(&state.db, &state.grids, &scope, body.0).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `geojson` (default), `csv` (UTF-8 with a byte-order mark) or `xlsx`.
    pub format: Option<ExportFormat>,
}

/// The filtered census as GeoJSON or CSV (standard column abbreviations), streamed, or as an XLSX
/// workbook with the CSV columns (at most 1,048,575 rows). Spreadsheet cells that would start a
/// formula are written as text. The response names a file (`Content-Disposition`).
#[utoipa::path(
    tag = "census",
    operation_id = "components.export",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), ExportQuery, ComponentFilter),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection, CSV or XLSX",
            content((Object = "application/geo+json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/components/export")]
pub async fn export(
    scope: Authorized<ComponentRead>,
    state: web::Data<AppState>,
    q: Query<ExportQuery>,
    filter: Query<ComponentFilter>,
    origin: crate::auth::Origin,
) -> ApiResult<HttpResponse> {
    let format = q.format.unwrap_or(ExportFormat::Geojson);
    query::check_filter(&filter)?;
    // The census names owners and maintainers: its export is recorded before it starts.
    let summary = serde_json::json!({"format": format!("{format:?}").to_lowercase()});
    crate::routes::audit::note(&state, &scope, &origin, "export.components", "components".into(), summary).await?;
    let (content_type, extension) = match format {
        ExportFormat::Geojson => ("application/geo+json", "geojson"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => (XLSX_TYPE, "xlsx"),
    };
    // A file name, so browsers save the download as what it is.
    let name = format!("components-{}-{}.{extension}", scope.tenant().code(), chrono::Utc::now().format("%Y%m%d"));
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type)
        .insert_header((actix_web::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")));
    if format == ExportFormat::Xlsx {
        return Ok(response.body(query::export_xlsx(&state.db, &scope, &filter).await?));
    }
    let stream = query::export(state.db.clone(), (*scope).clone(), filter.into_inner(), format)
        .map(|chunk| chunk.map(web::Bytes::from).map_err(ApiError));
    Ok(response.streaming(stream))
}

/// One component.
#[utoipa::path(
    tag = "census",
    operation_id = "components.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("component_id" = String, Path, description = "17-digit component id", example = "32011501001000001"),
    ),
    responses(
        (status = 200, description = "The component", body = Component),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/components/{component_id}")]
pub async fn get(
    scope: Authorized<ComponentRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(query::get(&state.db, &scope, &path.1).await?))
}

/// Change some fields of a component (status, departments, location …); recorded in its history.
#[utoipa::path(
    tag = "census",
    operation_id = "components.update",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("component_id" = String, Path, description = "17-digit component id", example = "32011501001000001"),
    ),
    request_body(content = Object, description = "The fields to change"),
    responses(
        (status = 200, description = "The component", body = Component),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[patch("/api/v1/tenants/{tenant_code}/components/{component_id}")]
pub async fn update(
    scope: Authorized<ComponentWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Json<Map<String, Value>>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(write::update(&state.db, &state.grids, &scope, &path.1, body.0).await?))
}

/// Every change of a component: who, when, which fields from what to what.
#[utoipa::path(
    tag = "census",
    operation_id = "components.history",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("component_id" = String, Path, description = "17-digit component id", example = "32011501001000001"),
    ),
    responses(
        (status = 200, description = "Changes, oldest first", body = Vec<Change>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/components/{component_id}/history")]
pub async fn history(
    scope: Authorized<ComponentRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(query::history(&state.db, &scope, &path.1).await?))
}
