//! Structured logs: one span per request carrying its id, method, path, and — once
//! authenticated — the user and tenant; the response echoes the id in `X-Request-Id`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID: &str = "x-request-id";

/// Installs the global subscriber (`RUST_LOG` filters; default `info`).
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}

/// The id of the current request, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// The request-span middleware.
pub async fn trace_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    // The audit trail records it (see `crate::auth::origin`).
    actix_web::HttpMessage::extensions_mut(&req).insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        user = tracing::field::Empty,
        tenant = tracing::field::Empty,
        target = tracing::field::Empty,
    );
    let started = Instant::now();
    // (The request must not be cloned here: routing, which runs later, needs it unshared. So
    // inner middleware turns its errors into responses itself, and those carry the id too.)
    let result = next.call(req).instrument(span.clone()).await;
    let _enter = span.enter();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut resp) => {
            if let Ok(v) = HeaderValue::from_str(&id) {
                resp.headers_mut().insert(HeaderName::from_static(REQUEST_ID), v);
            }
            tracing::info!(status = resp.status().as_u16(), elapsed_ms, "request finished");
            Ok(resp)
        }
        Err(e) => {
            tracing::info!(status = e.as_response_error().status_code().as_u16(), elapsed_ms, "request failed");
            Err(e)
        }
    }
}
