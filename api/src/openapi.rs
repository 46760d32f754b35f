//! The OpenAPI document. Paths are collected from the handlers registered in
//! [`crate::routes::configure`]; this module adds the description, the security scheme and the
//! reusable error responses. `openapi/openapi.json` is this document, committed; the `openapi`
//! crate's test fails when the two differ.

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};
use utoipa_actix_web::AppExt;

use crate::error::Problem;

macro_rules! problem_responses {
    ($($name:ident = $desc:literal;)*) => {$(
        #[derive(ToResponse)]
        #[response(description = $desc, content_type = "application/problem+json")]
        #[allow(dead_code)]
        pub struct $name(Problem);
    )*};
}

problem_responses! {
    Unauthorized = "No valid bearer token (`unauthenticated`, `invalid_token`, `invalid_credentials`)";
    Forbidden = "The caller's roles do not allow this, or the tenant or account is suspended";
    NotFound = "No such resource visible to the caller (another tenant's resources are not found)";
    Conflict = "Conflicts with existing data (`already_exists`, `conflict`)";
    Invalid = "Invalid fields; `errors` lists each field and the reason";
    TooMany = "Too many attempts; see `Retry-After`";
    TooLarge = "The body exceeds the size limit";
    Unsupported = "The content type is not accepted (e.g. not a JPEG, PNG or WebP image)";
    Malformed = "The body could not be read: not JSON, trailing bytes after the value (`malformed_request`)";
    Unavailable = "The database is out of reach; retry after `Retry-After` seconds";
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "UrbanGrid API",
        description = "Multi-tenant digital urban management (数字城管) for city–county platforms.\n\n\
Tenant-scoped resources live under `/api/v1/tenants/{tenant_code}/…`, where `tenant_code` is the \
GB/T 2260 code of a city or county. Authenticate with `POST /api/v1/auth/login` and send \
`Authorization: Bearer <access_token>`. Errors are RFC 7807 `application/problem+json` with a \
stable `code`. Lists take `limit` and `cursor` and return `next_cursor`.",
        license(name = "Apache-2.0"),
    ),
    components(
        responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid, TooMany, TooLarge, Unsupported, Malformed, Unavailable),
        // Referenced from the responses above and from query parameters, which utoipa does not
        // collect by itself.
        schemas(
            Problem,
            kernel::FieldError,
            inventory::census::query::ExportFormat,
            cases::export::CaseExportFormat,
            cases::query::CaseOrder,
            crate::routes::evaluation::Format,
            crate::routes::vocabulary::DivisionLevelFilter,
            crate::routes::users::TemplateFormat
        ),
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Login, tokens, the caller"),
        (name = "tenants", description = "The tenant tree: platform → city → county"),
        (name = "departments", description = "Departments (专业部门) of a tenant"),
        (name = "users", description = "Users and their roles"),
        (name = "audit", description = "The audit trail (操作日志 / 登录日志): read, export, verify"),
        (name = "catalog", description = "The GB/T 47678.5 catalogue and local extensions"),
        (name = "grids", description = "Unit grids, streets, communities, duty grids, point lookup"),
        (name = "census", description = "The component census: imports, queries, exports, statistics"),
        (name = "cases", description = "The closed loop: intake, work lists, actions, timeline, chain verification"),
        (name = "settings", description = "A county's work calendar, time limits, duplicate rule and responsibility list"),
        (name = "evaluation", description = "Performance evaluation of regions, departments and positions from the event log; scoring schemes; recurring problems; directives (源头治理, 市级督办)"),
        (name = "notifications", description = "The caller's notification centre (the bell): list, unread count, read marks"),
        (name = "dashboard", description = "A county's or city's live figures, trends and open-case points"),
        (name = "public", description = "Reports from the public, without an account"),
        (name = "vocabulary", description = "Every code the API uses, with Chinese and English labels"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some("Access token from `POST /api/v1/auth/login`".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

/// The whole document, as the running server serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .service(openapi_json)
        .split_for_parts();
    let mut api = api;
    declare_unavailable(&mut api);
    declare_json_body_refusals(&mut api);
    api
}

/// Every operation that reads a JSON body answers 400 when it is not JSON, 413 when it is over
/// the size limit and 415 when it is sent as another content type (`crate::extract::Json`);
/// declared once here rather than on each handler.
fn declare_json_body_refusals(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for item in api.paths.paths.values_mut() {
        let operations = [&mut item.put, &mut item.post, &mut item.patch, &mut item.delete];
        for op in operations.into_iter().flatten() {
            let json = op
                .request_body
                .as_ref()
                .is_some_and(|b| matches!(b, RefOr::T(body) if body.content.contains_key("application/json")));
            if !json {
                continue;
            }
            for (status, name) in [("400", "Malformed"), ("413", "TooLarge"), ("415", "Unsupported")] {
                op.responses
                    .responses
                    .entry(status.into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            }
        }
    }
}

/// Every operation that reads or writes the database may answer 503 `unavailable` when the
/// database is out of reach (see `crate::error`); declared once here rather than on each
/// handler. Operations that never touch the database (this document, the vocabulary,
/// liveness) are left as they are.
fn declare_unavailable(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            let untouched = op.tags.iter().flatten().any(|t| t == "meta" || t == "vocabulary")
                || op.operation_id.as_deref() == Some("health.live");
            if !untouched {
                op.responses
                    .responses
                    .entry("503".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Unavailable")));
            }
        }
    }
}

/// The document as pretty JSON with a trailing newline (the committed file's form).
pub fn document_json() -> String {
    let mut s = document().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// The serialised document, computed once at start-up.
#[derive(Debug, Clone)]
pub struct OpenApiJson(pub String);

/// This OpenAPI document.
#[utoipa::path(tag = "meta", operation_id = "meta.openapi", responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
#[get("/api/v1/openapi.json")]
pub async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}
