//! Cases: intake, the work list, detail with timeline, actions, chain verification, and the
//! city's supervision orders.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use cases::intake::NewCase;
use cases::query::{CaseDetail, CaseFilter, CaseView, ChainReport, WorkList};
use chrono::{DateTime, Utc};
use kernel::PageRequest;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use workflow::Command;

use crate::auth::{Authorized, CaseRead, CaseSupervise, CaseWrite};
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// Report a problem (collector: patrol report or 自处置; supervision centre: register a public,
/// hotline, third-party or video report). With an `Idempotency-Key` header a retried request
/// returns the first response and creates nothing.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.create",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (1–128 characters) per intended case; the sender's own (per county and user), kept 24 h by default"),
    ),
    request_body = NewCase,
    responses(
        (status = 201, description = "The new case", body = CaseView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/cases")]
pub async fn create(
    scope: Authorized<CaseWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<NewCase>,
) -> ApiResult<HttpResponse> {
    let key = idempotency_key(&req);
    let created = state.intake.open(&state.authz, &scope, body.0, key).await?;
    let status = actix_web::http::StatusCode::from_u16(created.status).unwrap_or(actix_web::http::StatusCode::CREATED);
    let mut resp = HttpResponse::build(status);
    if created.replayed {
        resp.insert_header(("idempotent-replayed", "true"));
    }
    Ok(resp.content_type("application/json").body(created.body))
}

/// The caller's work list: cases they may see (a department its own and claimable ones; a
/// collector the verification and check tasks of its duty grids and its own reports; the
/// centres everything), filtered, with counts by state.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), CaseFilter, PageRequest),
    responses(
        (status = 200, description = "One page of cases and the counts by state", body = WorkList),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases")]
pub async fn list(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    filter: Query<CaseFilter>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    Ok(HttpResponse::Ok().json(cases::query::list(&state.db, &scope, &actor, &filter, &page).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseExportQuery {
    /// `csv` (default; UTF-8 with a byte-order mark) or `xlsx`.
    pub format: Option<cases::export::CaseExportFormat>,
}

/// The work list as a file: every case the filter matches that the caller may see (not only one
/// page), with Chinese column names and labels, times in the county's time zone. Spreadsheet
/// cells that would start a formula are written as text. The response names a file
/// (`Content-Disposition`); the export is recorded in the audit trail.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.export",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"), CaseExportQuery, CaseFilter),
    responses(
        (status = 200, description = "CSV or XLSX",
            content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases/export")]
pub async fn export(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    q: Query<CaseExportQuery>,
    filter: Query<CaseFilter>,
    origin: crate::auth::Origin,
) -> ApiResult<HttpResponse> {
    use cases::export::CaseExportFormat;
    let format = q.format.unwrap_or(CaseExportFormat::Csv);
    filter.check()?;
    let (content_type, extension) = match format {
        CaseExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        CaseExportFormat::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    };
    // Cases name reporters' places and departments: the export is recorded before it is built.
    let summary = serde_json::json!({"format": extension});
    crate::routes::audit::note(&state, &scope, &origin, "export.cases", "cases".into(), summary).await?;
    let actor = cases::actor::of(&state.authz, &scope);
    let body = cases::export::export(&state.db, &scope, &actor, &filter, format).await?;
    let name = format!("cases-{}-{}.{extension}", scope.tenant().code(), chrono::Utc::now().format("%Y%m%d"));
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((actix_web::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .body(body))
}

/// The likely duplicates of a case: open cases of the same class near it within the county's
/// duplicate rule (radius and window), nearest first, with their places — what the supervision
/// centre compares before merging one into the other (`merge`). Only cases the caller may see.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.duplicates",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("case_id" = Uuid, Path, description = "Case id"),
    ),
    responses(
        (status = 200, description = "The likely duplicates (none for a closed case)", body = Vec<cases::duplicates::DuplicateHint>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases/{case_id}/duplicates")]
pub async fn duplicates(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    Ok(HttpResponse::Ok()
        .json(cases::duplicates::of_case(&state.db, state.intake.recent(), &scope, &actor, path.1).await?))
}

/// A case with its full timeline.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("case_id" = Uuid, Path, description = "Case id"),
    ),
    responses(
        (status = 200, description = "The case and its events", body = CaseDetail),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases/{case_id}")]
pub async fn get(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    Ok(HttpResponse::Ok().json(cases::query::detail(&state.db, &scope, &actor, path.1).await?))
}

/// Take an action on a case: `{"action": "dispatch", "department": "…"}` and so on. Who may take
/// which action in which state is the workflow's table; a refusal says why (403 role or
/// department, 409 state, 422 data). With an `Idempotency-Key` header a retried action (same key,
/// case and body) returns the first response (`idempotent-replayed: true`) instead of a 409; the
/// same key with another case or body is 422.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.act",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("case_id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (1–128 characters) per intended action; the sender's own (per county and user), kept 24 h by default"),
    ),
    request_body = Command,
    responses(
        (status = 200, description = "The case after the action", body = CaseView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/cases/{case_id}/actions")]
pub async fn act(
    scope: Authorized<CaseWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, Uuid)>,
    body: Json<Command>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    let recent = state.intake.recent();
    let Some(key) = idempotency_key(&req) else {
        return Ok(HttpResponse::Ok().json(cases::act::act(&state.db, recent, &scope, path.1, &actor, body.0).await?));
    };
    let keys = state.intake.keys();
    let answer = cases::act::act_keyed(&state.db, recent, keys, &scope, path.1, &actor, body.0, key).await?;
    let status = actix_web::http::StatusCode::from_u16(answer.status).unwrap_or(actix_web::http::StatusCode::OK);
    let mut resp = HttpResponse::build(status);
    if answer.replayed {
        resp.insert_header(("idempotent-replayed", "true"));
    }
    Ok(resp.content_type("application/json").body(answer.body))
}

/// The request's `Idempotency-Key`, trimmed (a value that is not text reads as an empty key,
/// which is refused).
fn idempotency_key(req: &HttpRequest) -> Option<&str> {
    req.headers().get("idempotency-key").map(|v| v.to_str().unwrap_or_default().trim())
}

/// Recompute the case's hash chain: is the stored history exactly what was written?
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.chain",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("case_id" = Uuid, Path, description = "Case id"),
    ),
    responses(
        (status = 200, description = "Whether the chain holds, and where it breaks", body = ChainReport),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases/{case_id}/chain")]
pub async fn chain(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    Ok(HttpResponse::Ok().json(cases::query::verify(&state.db, &scope, &actor, path.1).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SupervisionOrder {
    #[schema(example = "请于检查前处理完毕")]
    pub note: String,
    pub due: DateTime<Utc>,
}

/// Issue a supervision order (督办) on a case: the command centre in its county, or city
/// oversight from the city.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.supervise",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("case_id" = Uuid, Path, description = "Case id"),
    ),
    request_body = SupervisionOrder,
    responses(
        (status = 200, description = "The case after the order", body = CaseView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/cases/{case_id}/supervision-orders")]
pub async fn supervise(
    scope: Authorized<CaseSupervise>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    body: Json<SupervisionOrder>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    let command = Command::Supervise { note: body.0.note, due: body.0.due };
    Ok(HttpResponse::Ok()
        .json(cases::act::act(&state.db, state.intake.recent(), &scope, path.1, &actor, command).await?))
}

/// The department the responsibility list (or the component's owner) suggests for a case.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.dispatch_suggestion",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("case_id" = Uuid, Path, description = "Case id"),
    ),
    responses(
        (status = 200, description = "The suggestion, or null when nothing matches", body = Option<cases::dispatch::Suggestion>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases/{case_id}/dispatch-suggestion")]
pub async fn suggestion(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    Ok(HttpResponse::Ok().json(cases::dispatch::suggest(&state.db, &scope, &actor, path.1).await?))
}

/// Upload a photo (JPEG, PNG or WebP, recognised from the content) to reference in a report or
/// a feedback. Identical content is stored once.
#[utoipa::path(
    tag = "cases",
    operation_id = "photos.upload",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body(content = Vec<u8>, description = "The image bytes", content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Stored", body = cases::photos::Photo),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::TooLarge),
        (status = 415, response = crate::openapi::Unsupported),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/photos")]
pub async fn upload_photo(
    scope: Authorized<CaseWrite>,
    state: web::Data<AppState>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let bytes = crate::extract::read_body(body, state.max_photo_bytes).await?;
    let stored =
        cases::photos::store(&state.db, &state.photos, scope.tenant(), Some(scope.principal().user_id().0), &bytes)
            .await?;
    Ok(HttpResponse::Created().json(stored))
}

/// A photo of a case, for users who may see the case.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.photo",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("case_id" = Uuid, Path, description = "Case id"),
        ("photo_id" = Uuid, Path, description = "Photo id"),
    ),
    responses(
        (status = 200, description = "The image, in the type sniffed from its content at upload",
            content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"))),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/cases/{case_id}/photos/{photo_id}")]
pub async fn photo(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let actor = cases::actor::of(&state.authz, &scope);
    let (content_type, bytes) = cases::photos::read(&state.db, &state.photos, &scope, &actor, path.1, path.2).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "private, max-age=3600"))
        .body(bytes))
}

/// How often a live stream re-checks its session.
const SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// Resolves when the bearer token of a stream stops being accepted: checked every
/// [`SESSION_RECHECK`] the way every request is (the cached principal, reloaded when its tenant's
/// or the tree's version moves), and at the token's expiry at the latest.
async fn session_ended(state: web::Data<AppState>, token: String) {
    let Ok(claims) = state.auth.keys.verify(&token) else { return };
    let expires =
        std::time::Duration::from_secs(u64::try_from(claims.exp - chrono::Utc::now().timestamp()).unwrap_or(0));
    let expiry = tokio::time::sleep(expires);
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            () = &mut expiry => return,
            () = tokio::time::sleep(SESSION_RECHECK) => {
                if state.authn.principal_of(&state.db, &claims).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Live case events of the county as server-sent events (`event: case`, JSON data with the case,
/// action and new state). Each user receives only events of cases they may see. Reconnect with
/// `Last-Event-ID` to resume. The stream ends (with `event: end`) within seconds of the session
/// ending: a logout, the user's deactivation, the tenant's suspension, or the access token's
/// expiry — reconnect with a fresh token.
#[utoipa::path(
    tag = "cases",
    operation_id = "cases.feed",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("Last-Event-ID" = Option<i64>, Header, description = "The last `id` received, to resume"),
    ),
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = cases::feed::FeedEvent),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/case-events")]
pub async fn feed(
    scope: Authorized<CaseRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    use futures_util::StreamExt;
    let last =
        req.headers().get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let actor = cases::actor::of(&state.authz, &scope);
    let stream =
        cases::feed::stream(state.db.clone(), (*scope).clone(), actor, last, std::time::Duration::from_millis(500))
            .await?
            .map(|chunk| chunk.map(web::Bytes::from).map_err(crate::error::ApiError));
    // A stream outlives the request's one authentication: it ends when the session would no
    // longer be accepted (logout, deactivation, suspension, expiry of the access token).
    let token = crate::auth::bearer_of(&req).unwrap_or_default();
    let ended = session_ended(state.clone(), token);
    let stream = stream.take_until(ended).chain(futures_util::stream::once(async {
        Ok::<_, crate::error::ApiError>(web::Bytes::from_static(b"event: end\ndata: {\"reason\":\"session\"}\n\n"))
    }));
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(stream))
}
