//! The dashboard's figures and the open-case points of the map (county dashboard, city view,
//! big screen). The counting is the case crate's ([`cases::dashboard`]); these handlers only
//! authorize and answer. Both routes show a whole county's cases, so they need `dashboard:read`
//! (by default the roles that see every case: centres, administrators, auditors, the city's
//! oversight), not `case:read`, which departments and collectors hold for their own cases.

use actix_web::{HttpResponse, get, web};
use cases::dashboard::{Dashboard, DashboardQuery, Points};

use crate::auth::{Authorized, DashboardRead};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::AppState;

/// A county's figures — today's and this month's reported, accepted, filed, dispatched and
/// closed cases, open and overdue now, on-time closure rate and closure rate, each also by
/// source —, its open cases by state and the 30-day trend (reported, closed, marked overdue per
/// day). For a city the same summed over its counties, plus one row per county to compare them
/// side by side. Days are those of the tenant's time zone.
#[utoipa::path(
    tag = "dashboard",
    operation_id = "dashboard.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115"),
        DashboardQuery,
    ),
    responses(
        (status = 200, description = "The figures", body = Dashboard),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/dashboard")]
pub async fn get(
    scope: Authorized<DashboardRead>,
    state: web::Data<AppState>,
    query: Query<DashboardQuery>,
) -> ApiResult<HttpResponse> {
    let now = state.intake.clock().now();
    Ok(HttpResponse::Ok().json(cases::dashboard::dashboard(&state.db, &scope, &query.0, now).await?))
}

/// Every open case of the county (of every county, for a city) as a point for the map: id,
/// number, position, state, traffic light and class, as parallel arrays — one response for the
/// whole map (about 110 bytes per case: 3,000 cases are some 330 KB before compression).
#[utoipa::path(
    tag = "dashboard",
    operation_id = "dashboard.points",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115")),
    responses(
        (status = 200, description = "The open cases, column by column", body = Points),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases/points")]
pub async fn points(scope: Authorized<DashboardRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let now = state.intake.clock().now();
    Ok(HttpResponse::Ok().json(cases::dashboard::points(&state.db, &scope, now).await?))
}
