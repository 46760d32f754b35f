//! Request extractors whose failures speak the problem vocabulary and name the field.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use kernel::{Error, ErrorCode, FieldError};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body accepted by default (import endpoints use their own limits).
pub const MAX_JSON_BYTES: usize = 1 << 20;

/// A JSON body. Unlike `actix_web::web::Json`, a body of the wrong shape is refused with the
/// path of the offending field (`admin.password`, `roles[1]`), not only serde's message.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim();
                m.eq_ignore_ascii_case("application/json") || m.ends_with("+json")
            })
            .unwrap_or(false);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError(Error::new(ErrorCode::UnsupportedMedia, "send the body as application/json")));
            }
            let bytes = bytes.await.map_err(|e| {
                let too_large = e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
                if too_large {
                    ApiError(Error::new(ErrorCode::PayloadTooLarge, format!("the body exceeds {MAX_JSON_BYTES} bytes")))
                } else {
                    ApiError(Error::new(ErrorCode::MalformedRequest, "the body could not be read"))
                }
            })?;
            parse(&bytes).map(Json).map_err(ApiError)
        })
    }
}

/// Parses JSON, mapping shape errors to `validation_failed` with the field's path.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return Error::new(ErrorCode::MalformedRequest, format!("the body is not valid JSON: {inner}"));
        }
        // serde names the missing field in the message, not in the path.
        let msg = inner.to_string();
        let reason = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        let field = match (path.as_str(), missing_field(&reason)) {
            (".", Some(f)) => f,
            (p, Some(f)) => format!("{p}.{f}"),
            (".", None) => "body".to_owned(),
            (p, None) => p.to_owned(),
        };
        Error::validation(vec![FieldError::new(field, reason)])
    })
}

fn missing_field(reason: &str) -> Option<String> {
    let rest = reason.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

/// Query-string errors name the parameter.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let reason = err.to_string();
        ApiError(Error::validation(vec![FieldError::new("query", reason)])).into()
    })
}

/// A path that does not parse (e.g. a malformed id) addresses nothing.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, _req| ApiError(Error::not_found("resource")).into())
}

/// Reads a whole body of at most `limit` bytes (for grid imports, which are validated whole).
pub async fn read_body(mut payload: web::Payload, limit: u64) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiError(Error::new(ErrorCode::MalformedRequest, "the body could not be read")))?;
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(ApiError(Error::new(ErrorCode::PayloadTooLarge, format!("the body exceeds {limit} bytes"))));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Streams a body of at most `limit` bytes into a new file (for census imports, which may be
/// far larger than memory should hold). A failed upload leaves no file behind.
pub async fn save_body(mut payload: web::Payload, path: &std::path::Path, limit: u64) -> Result<u64, ApiError> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(|e| ApiError(Error::internal(e)))?;
    }
    let mut file = tokio::fs::File::create(path).await.map_err(|e| ApiError(Error::internal(e)))?;
    let mut written = 0u64;
    let result = async {
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|_| ApiError(Error::new(ErrorCode::MalformedRequest, "the upload was cut off")))?;
            written += chunk.len() as u64;
            if written > limit {
                return Err(ApiError(Error::new(
                    ErrorCode::PayloadTooLarge,
                    format!("the upload exceeds {limit} bytes"),
                )));
            }
            file.write_all(&chunk).await.map_err(|e| ApiError(Error::internal(e)))?;
        }
        file.flush().await.map_err(|e| ApiError(Error::internal(e)))?;
        Ok(written)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(path).await;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        password: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        admin: Inner,
        n: u8,
    }

    #[test]
    fn names_nested_missing_field() {
        let err = parse::<Outer>(br#"{"name":"x","admin":{},"n":1}"#).unwrap_err();
        assert_eq!(err.fields[0].field, "admin.password");
    }

    #[test]
    fn names_wrong_type_field() {
        let err = parse::<Outer>(br#"{"name":"x","admin":{"password":"p"},"n":"one"}"#).unwrap_err();
        assert_eq!(err.fields[0].field, "n");
        assert_eq!(err.code, ErrorCode::ValidationFailed);
    }

    #[test]
    fn syntax_error_is_malformed() {
        assert_eq!(parse::<Outer>(b"{").unwrap_err().code, ErrorCode::MalformedRequest);
    }
}
