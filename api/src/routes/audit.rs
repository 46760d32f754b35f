//! The audit trail (操作日志 / 登录日志): read, filter, export and verify. There is no route that
//! writes, edits or deletes records: they are appended by the changes they describe.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use kernel::Error;
use oversight::export::{Cell, Sheet};
use tenancy::Role;
use tenancy::audit::{self, AuditFilter, AuditPage, AuditRecord, ChainCheck, Entry};

use crate::auth::{AuditRead, Authorized, Origin};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::routes::evaluation::{Format, FormatQuery};
use crate::state::AppState;

/// The most records one export holds (narrow the time range for more).
const MAX_EXPORT: u64 = 100_000;

/// The trail is the auditor's (三员分立): an administrator who may read everything else of a
/// tenant still may not read the record of their own actions.
fn require_auditor(state: &AppState, scope: &tenancy::TenantScope) -> Result<(), ApiError> {
    if state.authz.roles(scope.principal()).contains(&Role::Auditor) {
        Ok(())
    } else {
        Err(ApiError(Error::forbidden("the audit trail is read by the tenant's `auditor`")))
    }
}

fn sheet(records: &[AuditRecord], title: String) -> Sheet {
    let header = [
        "序号",
        "时间",
        "操作人",
        "操作人ID",
        "操作类型",
        "操作对象",
        "来源地址",
        "请求ID",
        "变更前",
        "变更后",
        "哈希",
    ];
    let text = |s: String| Cell::Text(s);
    Sheet {
        title,
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows: records
            .iter()
            .map(|r| {
                vec![
                    Cell::Number(r.seq as f64),
                    text(r.at.to_rfc3339()),
                    text(r.actor.clone()),
                    text(r.actor_id.map(|a| a.to_string()).unwrap_or_default()),
                    text(r.kind.clone()),
                    text(r.target.clone()),
                    text(r.source.clone()),
                    text(r.request_id.clone().unwrap_or_default()),
                    if r.before.is_null() { Cell::Empty } else { text(r.before.to_string()) },
                    if r.after.is_null() { Cell::Empty } else { text(r.after.to_string()) },
                    text(r.hash.clone()),
                ]
            })
            .collect(),
    }
}

/// The tenant's audit trail, oldest first: logins (and failures, with the source address),
/// logouts, password changes and resets, changes of users, roles, departments, tenants,
/// settings, schemes, the catalogue and policies, imports and exports. Filter by time, actor,
/// kind (or a family such as `auth.`) and target. `format=csv|xlsx` exports every matching
/// record (up to 100,000; the export is itself recorded). Readable by the tenant's `auditor`,
/// and a city's `auditor` reads its counties'.
#[utoipa::path(
    tag = "audit",
    operation_id = "audit.list",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        AuditFilter,
        FormatQuery,
    ),
    responses(
        (status = 200, description = "One page of records (or the CSV/XLSX file)", body = AuditPage,
            content(
                (AuditPage = "application/json"),
                (String = "text/csv"),
                (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/audit")]
pub async fn list(
    scope: Authorized<AuditRead>,
    state: web::Data<AppState>,
    filter: Query<AuditFilter>,
    format: Query<FormatQuery>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    require_auditor(&state, &scope)?;
    let format = format.format.unwrap_or_default();
    if let Format::Json = format {
        return Ok(HttpResponse::Ok().json(audit::list(&state.db, &scope, &filter).await?));
    }
    let records = audit::all(&state.db, &scope, &filter, MAX_EXPORT).await?;
    let name = format!("audit-{}-{}", scope.tenant().code(), chrono::Utc::now().format("%Y%m%dT%H%M%SZ"));
    let sheet = sheet(&records, format!("操作日志 {}", scope.tenant().code()));
    let (bytes, content_type, ext) = match format {
        Format::Xlsx => (
            oversight::export::xlsx_off_worker(sheet).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => (oversight::export::csv(&sheet)?, "text/csv; charset=utf-8", "csv"),
    };
    // The trail holds personal data (names, addresses): its export is recorded too.
    let entry = Entry::new("export.audit", format!("tenant:{}", scope.tenant().code()))
        .after(serde_json::json!({"format": ext, "records": records.len()}));
    audit::record_now(&state.db, &scope, &origin, entry).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\"")))
        .body(bytes))
}

/// Recomputes the tenant's hash chain and reports the first record that was changed, removed
/// or reordered after it was written.
#[utoipa::path(
    tag = "audit",
    operation_id = "audit.verify",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    responses(
        (status = 200, description = "The result of the check", body = ChainCheck),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/audit/verify")]
pub async fn verify(scope: Authorized<AuditRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    require_auditor(&state, &scope)?;
    Ok(HttpResponse::Ok().json(audit::verify(&state.db, &scope).await?))
}

/// Records a change made through a route whose service keeps no trail of its own, right after
/// the change succeeded (one line in the handler).
pub async fn note(
    state: &AppState,
    scope: &tenancy::TenantScope,
    origin: &Origin,
    kind: &str,
    target: String,
    after: impl serde::Serialize,
) -> Result<(), ApiError> {
    audit::record_now(&state.db, scope, origin, Entry::new(kind, target).after(after)).await.map_err(ApiError)
}
