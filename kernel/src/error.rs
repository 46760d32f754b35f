//! The one error vocabulary of the product.
//!
//! Every error a client can see has a stable snake_case [`ErrorCode`]; [`ErrorCode::status`] is
//! the single table that maps codes to HTTP statuses. Internal causes travel in
//! [`Error::source`] so that they can be logged, and are never serialised.

use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! error_codes {
    ($( $variant:ident = ($code:literal, $status:literal, $title:literal) ),* $(,)?) => {
        /// Stable, machine-readable error codes. Adding one is an API change: document it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( $variant ),* }

        impl ErrorCode {
            /// Every code, in declaration order (used by tests and by the docs).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant ),* ];

            /// The snake_case code sent to clients.
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code ),* }
            }

            /// The HTTP status for this code: the one table.
            pub fn status(self) -> u16 {
                match self { $( ErrorCode::$variant => $status ),* }
            }

            /// A short human title (RFC 7807 `title`).
            pub fn title(self) -> &'static str {
                match self { $( ErrorCode::$variant => $title ),* }
            }
        }
    };
}

error_codes! {
    MalformedRequest   = ("malformed_request", 400, "The request could not be read"),
    ValidationFailed   = ("validation_failed", 422, "The request has invalid fields"),
    Unauthenticated    = ("unauthenticated", 401, "Authentication is required"),
    InvalidToken       = ("invalid_token", 401, "The token is invalid or has expired"),
    InvalidCredentials = ("invalid_credentials", 401, "Wrong tenant, user name or password"),
    Forbidden          = ("forbidden", 403, "You may not do this"),
    TenantSuspended    = ("tenant_suspended", 403, "The tenant is suspended"),
    AccountDisabled    = ("account_disabled", 403, "The account is deactivated"),
    NotFound           = ("not_found", 404, "Not found"),
    OutsideGrids       = ("outside_grids", 404, "The point lies outside every unit grid of the tenant"),
    MethodNotAllowed   = ("method_not_allowed", 405, "The path does not take this method"),
    AlreadyExists      = ("already_exists", 409, "It already exists"),
    Conflict           = ("conflict", 409, "The request conflicts with the current state"),
    PayloadTooLarge    = ("payload_too_large", 413, "The request body is too large"),
    UnsupportedMedia   = ("unsupported_media_type", 415, "Unsupported content type"),
    RateLimited        = ("rate_limited", 429, "Too many attempts; try again later"),
    Internal           = ("internal_error", 500, "Internal error"),
    Unavailable        = ("unavailable", 503, "The service is not ready"),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One offending field of a request: where it is and why it is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `admin.password` or `features[3].code`.
    pub field: String,
    /// Why the value is refused, in plain words.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { field: field.into(), reason: reason.into() }
    }
}

/// The error type of every UrbanGrid crate.
#[derive(Debug)]
pub struct Error {
    pub code: ErrorCode,
    /// A message for people; safe to show to the caller.
    pub message: String,
    /// Offending fields, for `validation_failed` (may be empty otherwise).
    pub fields: Vec<FieldError>,
    /// Seconds the caller should wait (for `rate_limited`).
    pub retry_after: Option<u64>,
    /// The internal cause: logged, never sent.
    pub source: Option<anyhow::Error>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new(), retry_after: None, source: None }
    }

    /// A validation error naming one field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, reason)])
    }

    /// A validation error naming every offending field.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => format!("{}: {}", one.field, one.reason),
            many => format!("{} fields are invalid", many.len()),
        };
        Self { fields, ..Self::new(ErrorCode::ValidationFailed, message) }
    }

    /// `what` was not found (or is not visible to the caller: the two are not distinguished).
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// A uniqueness conflict on `field`.
    pub fn already_exists(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let field = FieldError::new(field, reason);
        Self {
            message: format!("{}: {}", field.field, field.reason),
            fields: vec![field],
            ..Self::new(ErrorCode::AlreadyExists, "")
        }
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs),
            ..Self::new(ErrorCode::RateLimited, ErrorCode::RateLimited.title())
        }
    }

    /// An internal failure. The cause is kept for the log; the caller sees a generic message.
    #[track_caller]
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let location = std::panic::Location::caller();
        let cause = cause.into().context(format!("at {location}"));
        Self { source: Some(cause), ..Self::new(ErrorCode::Internal, ErrorCode::Internal.title()) }
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(source) = &self.source {
            write!(f, " ({source:#})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_map_to_error_statuses() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert!(code.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
            assert!((400..600).contains(&code.status()), "{code}");
        }
    }

    #[test]
    fn internal_errors_hide_their_cause_from_the_message() {
        let err = Error::internal(anyhow::anyhow!("password=hunter2 in connection string"));
        assert_eq!(err.code, ErrorCode::Internal);
        assert!(!err.message.contains("hunter2"));
        assert!(format!("{err}").contains("hunter2"), "the log line keeps the cause");
    }

    #[test]
    fn validation_message_names_the_single_field() {
        let err = Error::invalid("code", "must be 6 digits");
        assert_eq!(err.message, "code: must be 6 digits");
        assert_eq!(err.status(), 422);
    }
}
