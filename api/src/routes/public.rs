//! The public reporting channel: no account, rate-limited per client address.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use cases::public::{PublicReport, PublicStatus, Receipt};
use kernel::Error;

use crate::auth::client_address;
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::state::AppState;

/// Every public write counts against its client address's limit (reports and photos alike, so
/// probing and spamming are limited too).
fn limit(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let source = client_address(req, state.trust_forwarded_for);
    state.public_limiter.check_key(&source).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        ApiError(Error::rate_limited(wait.as_secs().max(1)))
    })
}

/// Report a problem without an account (web, WeChat). The report is verified on site before it
/// is accepted; keep the tracking code to follow it. Limited per client address.
#[utoipa::path(
    tag = "public",
    operation_id = "public.reports.create",
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body = PublicReport,
    responses(
        (status = 201, description = "Received", body = Receipt),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
        (status = 429, response = crate::openapi::TooMany),
    )
)]
#[post("/api/v1/public/{tenant_code}/reports")]
pub async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<PublicReport>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req)?;
    let receipt =
        cases::public::report(&state.db, &state.grids, state.intake.recent(), state.intake.clock(), &path, body.0)
            .await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// The status of a public report, without personal data.
#[utoipa::path(
    tag = "public",
    operation_id = "public.reports.get",
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("tracking_code" = String, Path, description = "The code given when reporting", example = "UG7K3M9Q2XHD"),
    ),
    responses(
        (status = 200, description = "Where the report stands", body = PublicStatus),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/public/{tenant_code}/reports/{tracking_code}")]
pub async fn status(state: web::Data<AppState>, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(cases::public::status(&state.db, &path.0, &path.1).await?))
}

/// Upload a photo for a public report (JPEG, PNG or WebP); counts against the same per-address
/// limit as reports.
#[utoipa::path(
    tag = "public",
    operation_id = "public.photos.upload",
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body(content = Vec<u8>, description = "The image bytes", content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Stored", body = cases::photos::Photo),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::TooLarge),
        (status = 415, response = crate::openapi::Unsupported),
        (status = 429, response = crate::openapi::TooMany),
    )
)]
#[post("/api/v1/public/{tenant_code}/photos")]
pub async fn upload_photo(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    limit(&state, &req)?;
    let tenant = tenancy::tenant::public_county(&state.db, &path).await?;
    let bytes = crate::extract::read_body(body, state.max_photo_bytes).await?;
    Ok(HttpResponse::Created().json(cases::photos::store(&state.db, &state.photos, &tenant, None, &bytes).await?))
}
