//! Errors as RFC 7807 `application/problem+json`.
//!
//! The body carries the stable `code` of [`kernel::ErrorCode`] (whose `status()` is the one
//! code → status table), a human `detail`, and for validation the `errors` list of
//! `{field, reason}`. Internal causes are logged here and never sent.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use kernel::{Error, ErrorCode, FieldError};
use sea_orm::{DbErr, RuntimeErr};
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// The error body of every failed request.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type (`/problems/<code>`).
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation_failed")]
    pub type_: String,
    #[schema(example = "The request has invalid fields")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    /// Stable machine-readable code; see the table in the README.
    #[schema(example = "validation_failed")]
    pub code: String,
    #[schema(example = "code: `32011` is not a 6-digit administrative code")]
    pub detail: String,
    /// The offending fields, for `validation_failed` and `already_exists`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The HTTP face of [`kernel::Error`].
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

/// Seconds a client is asked to wait when the database is out of reach.
const DATABASE_RETRY_SECS: u64 = 5;

/// Whether an internal error was caused by the database being out of reach (no connection in
/// time, the connection refused or dropped). Such a request is answered 503 `unavailable` with
/// `Retry-After`: nothing is wrong with it, and the client may retry. Other internal errors stay
/// 500.
fn database_down(e: &Error) -> bool {
    e.code == ErrorCode::Internal
        && e.source.as_ref().is_some_and(|s| s.chain().any(|c| c.downcast_ref::<DbErr>().is_some_and(unreachable)))
}

/// Whether a storage error means "cannot reach the database" rather than "the statement failed".
fn unreachable(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => {
            matches!(**s, Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::Tls(_) | Sqlx::Protocol(_))
        }
        _ => false,
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        if database_down(&self.0) {
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if database_down(&self.0) {
            tracing::warn!(error = %self.0, "the database is out of reach");
            let mut e = Error::new(ErrorCode::Unavailable, "the database is out of reach; retry shortly");
            e.retry_after = Some(DATABASE_RETRY_SECS);
            return ApiError(e).error_response();
        }
        let e = &self.0;
        if e.code == ErrorCode::Internal || e.code == ErrorCode::Unavailable {
            tracing::error!(code = %e.code, error = %e, "request failed");
        } else {
            tracing::debug!(code = %e.code, detail = %e.message, "request refused");
        }
        let body = Problem {
            type_: format!("/problems/{}", e.code),
            title: e.code.title().to_owned(),
            status: e.status(),
            code: e.code.as_str().to_owned(),
            detail: e.message.clone(),
            errors: e.fields.clone(),
        };
        let mut resp = HttpResponse::build(self.status_code());
        resp.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(secs) = e.retry_after {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if e.code == ErrorCode::Unauthenticated || e.code == ErrorCode::InvalidToken {
            resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        resp.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn problem_shape_is_pinned() {
        let resp = ApiError(Error::invalid("code", "must be 6 digits")).error_response();
        assert_eq!(resp.status(), 422);
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        let bytes = resp.into_body().try_into_bytes().unwrap_or_default();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        assert_eq!(
            v,
            serde_json::json!({
                "type": "/problems/validation_failed",
                "title": "The request has invalid fields",
                "status": 422,
                "code": "validation_failed",
                "detail": "code: must be 6 digits",
                "errors": [{"field": "code", "reason": "must be 6 digits"}]
            })
        );
    }

    #[test]
    fn internal_cause_is_not_sent() {
        let resp = ApiError(Error::internal(anyhow::anyhow!("secret-db-host"))).error_response();
        let bytes = resp.into_body().try_into_bytes().unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains("secret-db-host"));
    }
}
