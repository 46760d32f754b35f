//! The public reporting channel: no account, rate-limited per client address.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use cases::public::{PublicCounty, PublicRating, PublicReport, PublicStatus, Receipt};
use kernel::Error;
use uuid::Uuid;

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

/// What the public page (随手拍) of a county shows: its name, the extent of its grids for the
/// map, and the everyday problems to choose from, each with the matter class to send.
#[utoipa::path(
    tag = "public",
    operation_id = "public.county",
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "The county as the public page shows it", body = PublicCounty,
            example = json!({"code": "320115", "name": "江宁区", "extent": [118.80, 31.90, 118.90, 31.96],
                "outline": [[118.80, 31.90, 118.86, 31.91], [118.81, 31.91, 118.90, 31.92]],
                "classes": [{"key": "garbage", "name": "垃圾堆积", "name_en": "Rubbish piling up", "class_code": "06010"}]})),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/public/{tenant_code}")]
pub async fn county(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .json(cases::public::county(&state.db, &state.grids, &path).await?))
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

/// The status of a public report, without personal data: its milestones, the reporter's and the
/// department's after-photos, and whether it may be rated now.
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

/// A photo of a public report — the reporter's own or the department's after-photos — for whoever
/// holds its tracking code; no other photo of the county.
#[utoipa::path(
    tag = "public",
    operation_id = "public.reports.photo",
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("tracking_code" = String, Path, description = "The code given when reporting", example = "UG7K3M9Q2XHD"),
        ("photo_id" = Uuid, Path, description = "A photo id from the report's status"),
    ),
    responses(
        (status = 200, description = "The image, in the type sniffed from its content at upload",
            content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/public/{tenant_code}/reports/{tracking_code}/photos/{photo_id}")]
pub async fn report_photo(
    state: web::Data<AppState>,
    path: web::Path<(String, String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (tenant_code, code, photo) = path.into_inner();
    let (content_type, bytes) = cases::public::photo(&state.db, &state.photos, &tenant_code, &code, photo).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "private, max-age=3600"))
        .body(bytes))
}

/// Rate the handling of a closed report (回访 by the reporter): satisfaction 1–5 and an optional
/// comment, once. Recorded as the case's callback, which the evaluation counts. Limited per
/// client address like every public write.
#[utoipa::path(
    tag = "public",
    operation_id = "public.reports.rate",
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("tracking_code" = String, Path, description = "The code given when reporting", example = "UG7K3M9Q2XHD"),
    ),
    request_body(content = PublicRating, example = json!({"satisfaction": 5, "comment": "处理很及时"})),
    responses(
        (status = 200, description = "Recorded; the report's status after it", body = PublicStatus),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
        (status = 429, response = crate::openapi::TooMany),
    )
)]
#[post("/api/v1/public/{tenant_code}/reports/{tracking_code}/rating")]
pub async fn rate(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<PublicRating>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req)?;
    let (tenant_code, code) = path.into_inner();
    Ok(HttpResponse::Ok()
        .json(cases::public::rate(&state.db, state.intake.recent(), &tenant_code, &code, body.0).await?))
}
