//! A county's work calendar, time limits, duplicate rule, 自处置 rule and responsibility list:
//! configuration, not code (the national standards leave the numbers to each city).

use actix_web::{HttpResponse, get, put, web};
use calendar::WorkCalendar;
use cases::clock::{CALENDAR, CalendarView, LIMITS, TimeLimits};
use cases::duplicates::{DUPLICATES, DuplicateRule};
use cases::intake::{SELF_HANDLING, SelfHandling};
use kernel::{Error, FieldError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tenancy::{Access, Role, TenantScope};

use crate::auth::{Authorized, Origin, TenantRead, TenantWrite};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::state::AppState;

/// A county's settings are changed by its own administrators or, while the city sets the county
/// up (区县接入), by the administrators of its city: the direct parent, not a platform operator.
fn own(scope: &TenantScope, state: &AppState) -> Result<(), ApiError> {
    let parent_admin = scope.access() == Access::Descendant
        && scope.tenant().parent_id() == Some(scope.principal().tenant_id())
        && state.authz.roles(scope.principal()).contains(&Role::TenantAdmin);
    if scope.access() != Access::Own && !parent_admin {
        return Err(ApiError(Error::forbidden(
            "a tenant's settings are changed by its own administrators or its city's",
        )));
    }
    Ok(())
}

fn invalid(errors: Vec<(String, String)>) -> ApiError {
    ApiError(Error::validation(errors.into_iter().map(|(f, r)| FieldError::new(f, r)).collect()))
}

/// Replaces the named setting of the caller's own county with `body`, refused with every problem
/// by field unless it parses and `validate` passes; answers with what was stored.
async fn replace<T: Serialize + DeserializeOwned>(
    scope: &TenantScope,
    state: &AppState,
    body: &Value,
    name: &str,
    validate: impl FnOnce(&T) -> Result<(), Vec<(String, String)>>,
    origin: &Origin,
) -> ApiResult<T> {
    own(scope, state)?;
    let value: T = crate::extract::parse(body.to_string().as_bytes())?;
    validate(&value).map_err(invalid)?;
    cases::settings::put(&state.db, scope, name, &value).await?;
    crate::routes::audit::note(state, scope, origin, "settings.changed", format!("settings:{name}"), &value).await?;
    Ok(value)
}

/// The work calendar: time zone, working periods, weekend, public holidays and make-up working
/// days (调休). Defaults to Asia/Shanghai, 08:30–12:00 and 13:30–17:30, with the 2026 national
/// holidays.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.calendar.get",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The calendar, and the years it has no holidays for", body = CalendarView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/settings/work-calendar")]
pub async fn get_calendar(scope: Authorized<TenantRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let (cal, _) = cases::clock::load(&state.db, &*scope).await?;
    Ok(HttpResponse::Ok().json(CalendarView::of(cal, chrono::Utc::now())))
}

/// Replace the work calendar (every problem is reported by field).
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.calendar.put",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body(content = WorkCalendar, description = "The whole calendar; unknown fields are refused"),
    responses(
        (status = 200, description = "The stored calendar, and the years it has no holidays for", body = CalendarView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/settings/work-calendar")]
pub async fn put_calendar(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    body: Json<Value>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    let cal: WorkCalendar = replace(&scope, &state, &body.0, CALENDAR, WorkCalendar::validate, &origin).await?;
    Ok(HttpResponse::Ok().json(CalendarView::of(cal, chrono::Utc::now())))
}

/// The time limits: per stage, and per class the disposal limit by area class (A/B/C) with
/// 立案条件 and 结案条件.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.limits.get",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The limits", body = TimeLimits),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/settings/time-limits")]
pub async fn get_limits(scope: Authorized<TenantRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let (_, limits) = cases::clock::load(&state.db, &*scope).await?;
    Ok(HttpResponse::Ok().json(limits))
}

/// Replace the time limits. They apply to each case from its next step on.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.limits.put",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body(content = TimeLimits, description = "The whole set of limits; unknown fields are refused"),
    responses(
        (status = 200, description = "The stored limits", body = TimeLimits),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/settings/time-limits")]
pub async fn put_limits(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    body: Json<Value>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(replace(&scope, &state, &body.0, LIMITS, TimeLimits::validate, &origin).await?))
}

/// The duplicate rule: how close (metres) and how recent (hours) an open case of the same class
/// must be to be suggested as a likely duplicate of a new report. Defaults to 50 m and 72 hours.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.duplicates.get",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The rule", body = DuplicateRule),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/settings/duplicates")]
pub async fn get_duplicates(scope: Authorized<TenantRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let rule: DuplicateRule = cases::settings::get(&state.db, &*scope, DUPLICATES).await?.unwrap_or_default();
    Ok(HttpResponse::Ok().json(rule))
}

/// Replace the duplicate rule (radius 1–500 m, window 1–720 hours). It applies from the next
/// report on.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.duplicates.put",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body = DuplicateRule,
    responses(
        (status = 200, description = "The stored rule", body = DuplicateRule),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/settings/duplicates")]
pub async fn put_duplicates(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    body: Json<Value>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(replace(&scope, &state, &body.0, DUPLICATES, DuplicateRule::validate, &origin).await?))
}

/// The 自处置 rule: whether a collector's on-the-spot fix needs photos before (`photos`) and after
/// (`after_photos`) the fix. Defaults to required.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.self_handling.get",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The rule", body = SelfHandling),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/settings/self-handling")]
pub async fn get_self_handling(scope: Authorized<TenantRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let rule: SelfHandling = cases::settings::get(&state.db, &*scope, SELF_HANDLING).await?.unwrap_or_default();
    Ok(HttpResponse::Ok().json(rule))
}

/// Replace the 自处置 rule. It applies from the next report on.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.self_handling.put",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body = SelfHandling,
    responses(
        (status = 200, description = "The stored rule", body = SelfHandling),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/settings/self-handling")]
pub async fn put_self_handling(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    body: Json<Value>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(replace(&scope, &state, &body.0, SELF_HANDLING, SelfHandling::validate, &origin).await?))
}

/// The responsibility list (权责清单): class, optionally narrowed to a street, community or grid,
/// → department.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.responsibilities.get",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The list", body = Vec<cases::dispatch::Line>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/settings/responsibilities")]
pub async fn get_responsibilities(
    scope: Authorized<TenantRead>,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(cases::dispatch::list(&state.db, &scope).await?))
}

/// Replace the responsibility list.
#[utoipa::path(
    tag = "settings",
    operation_id = "settings.responsibilities.put",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body = Vec<cases::dispatch::Line>,
    responses(
        (status = 200, description = "The stored list", body = Vec<cases::dispatch::Line>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/settings/responsibilities")]
pub async fn put_responsibilities(
    scope: Authorized<TenantWrite>,
    state: web::Data<AppState>,
    body: Json<Vec<cases::dispatch::Line>>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    own(&scope, &state)?;
    let lines = cases::dispatch::replace(&state.db, &scope, body.0).await?;
    let target = "settings:responsibilities".to_owned();
    crate::routes::audit::note(&state, &scope, &origin, "settings.changed", target, &lines).await?;
    Ok(HttpResponse::Ok().json(lines))
}
