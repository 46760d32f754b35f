//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use kernel::{Error, ErrorCode};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "health", operation_id = "health.live", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers, within a second (a probe must not hang on a pool that waits for a
/// server that is down).
#[utoipa::path(
    tag = "health",
    operation_id = "health.ready",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let answer = tokio::time::timeout(std::time::Duration::from_secs(1), state.db.execute_unprepared("SELECT 1")).await;
    match answer {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            return Err(ApiError(Error::new(ErrorCode::Unavailable, "the database does not answer")));
        }
        Err(_) => return Err(ApiError(Error::new(ErrorCode::Unavailable, "the database did not answer within 1 s"))),
    }
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}
