//! The caller's notification centre (the console's bell): their notifications, the unread count
//! the console polls, and read marks. Every route answers for the caller only: nobody reads or
//! marks another user's notifications, whatever their roles. Notifications are written by the
//! changes that cause them (see the `notifications` crate), never through these routes.

use actix_web::{HttpResponse, get, post, web};
use notifications::{ListFilter, MarkRead, Marked, NotificationPage, Summary};

use crate::auth::{Authorized, TenantRead};
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::state::AppState;

/// The caller's notifications, newest first: tasks dispatched to their department, verification
/// and check tasks for their duty grid, deadlines turning yellow or red, 督办, approvals waiting,
/// imports finished. `unread=true` lists only the unread ones. In the caller's own tenant the list
/// holds all of theirs (a city department shared with the counties hears of the counties' cases);
/// in a county beneath it, only that county's. Each item carries its kind and parameters, not a
/// text: the console renders it in the reader's language.
#[utoipa::path(
    tag = "notifications",
    operation_id = "notifications.list",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ListFilter,
    ),
    responses(
        (status = 200, description = "One page of the caller's notifications", body = NotificationPage,
            example = json!({"items": [{
                "id": "019ae8a4-7c1e-7b52-9d3f-2a4b6c8d0e1f",
                "event_id": "019ae8a4-7c1d-7a10-8e2f-1b3c5d7e9f01",
                "kind": "task_dispatched",
                "case_id": "019ae8a1-0a2b-7c3d-8e4f-5a6b7c8d9e0f",
                "case_number": "320115-20261204-0042",
                "params": {"via": "dispatch", "state": "dispatched", "class_code": "06010", "deadline": "2026-12-08T09:00:00Z"},
                "created_at": "2026-12-04T08:15:00Z",
                "read_at": null
            }], "next_cursor": null})),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/notifications")]
pub async fn list(
    scope: Authorized<TenantRead>,
    state: web::Data<AppState>,
    filter: Query<ListFilter>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(notifications::list(&state.db, &scope, &filter.0).await?))
}

/// The caller's unread count and the id of their newest notification: cheap, for the console to
/// poll (a `latest_id` other than the last one seen means something new arrived).
#[utoipa::path(
    tag = "notifications",
    operation_id = "notifications.summary",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    responses(
        (status = 200, description = "The unread count and the newest id", body = Summary),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/notifications/summary")]
pub async fn summary(scope: Authorized<TenantRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(notifications::summary(&state.db, &scope).await?))
}

/// Marks the caller's notifications read: those listed in `ids` (at most 500), or all of them
/// with `all: true`. Idempotent: marking a read notification again changes nothing, and ids of
/// other users' notifications are ignored. Answers how many this call marked.
#[utoipa::path(
    tag = "notifications",
    operation_id = "notifications.mark_read",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    request_body(content = MarkRead, examples(
        ("some" = (summary = "Mark two read", value = json!({"ids": ["019ae8a4-7c1e-7b52-9d3f-2a4b6c8d0e1f", "019ae8a4-7c1e-7b52-9d3f-2a4b6c8d0e20"]}))),
        ("all" = (summary = "Mark all read", value = json!({"all": true}))),
    )),
    responses(
        (status = 200, description = "How many were marked now", body = Marked),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/notifications/read")]
pub async fn mark_read(
    scope: Authorized<TenantRead>,
    state: web::Data<AppState>,
    body: Json<MarkRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(notifications::mark_read(&state.db, &scope, &body.0).await?))
}
