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
///
/// The rules every JSON body of the API follows, in one place:
/// * not JSON, or bytes after the value: 400 `malformed_request`;
/// * a NUL character in any string (PostgreSQL cannot store one): 422 naming the field;
/// * a field the type does not have: 422 naming it (no silently ignored typos);
/// * a wrong type or value: 422 naming the field, with the expected date format for dates.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut unknown = Vec::new();
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let result = {
        let mut note = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
        let ignored = serde_ignored::Deserializer::new(&mut *de, &mut note);
        serde_path_to_error::deserialize(ignored)
    };
    let value: T = match result {
        Ok(v) => v,
        Err(e) => {
            // A body that is not one JSON value (trailing bytes, say) is malformed, whatever
            // its fields would have said; checked only on this error path.
            if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                return Err(Error::new(ErrorCode::MalformedRequest, format!("the body is not valid JSON: {syntax}")));
            }
            return Err(shape_error(bytes, e.path().to_string(), e.into_inner()));
        }
    };
    de.end().map_err(|e| Error::new(ErrorCode::MalformedRequest, format!("the body is not valid JSON: {e}")))?;
    if let Some(field) = nul_field(bytes) {
        return Err(Error::invalid(field, "must not contain a NUL character"));
    }
    if !unknown.is_empty() {
        return Err(Error::validation(
            unknown.into_iter().map(|f| FieldError::new(f, "is not a field of this request")).collect(),
        ));
    }
    Ok(value)
}

fn shape_error(bytes: &[u8], path: String, inner: serde_json::Error) -> Error {
    if inner.is_syntax() || inner.is_eof() {
        return Error::new(ErrorCode::MalformedRequest, format!("the body is not valid JSON: {inner}"));
    }
    // serde names the missing field in the message, not in the path.
    let msg = inner.to_string();
    let mut reason = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    let mut field = match (path.as_str(), missing_field(&reason)) {
        (".", Some(f)) => f,
        (p, Some(f)) => format!("{p}.{f}"),
        (".", None) => "body".to_owned(),
        (p, None) => p.to_owned(),
    };
    let tree: Option<serde_json::Value> = serde_json::from_slice(bytes).ok();
    // Tagged enums and flattened structs buffer their fields, so serde loses the path: find
    // the field whose value the message quotes.
    if field == "body"
        && let Some(serde_json::Value::Object(map)) = &tree
        && let Some(key) = map.keys().find(|k| reason.contains(&unexpected(&map[k.as_str()])))
    {
        field = key.clone();
    }
    if let Some(hint) = tree.as_ref().and_then(|t| value_at(t, &field)).and_then(date_hint) {
        reason = format!("{reason}; {hint}");
    }
    Error::validation(vec![FieldError::new(field, reason)])
}

/// How serde describes a JSON value in an `invalid type` / `invalid value` message.
fn unexpected(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => format!("string {s:?}"),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::Null => "null".to_owned(),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

/// The value at a serde_path_to_error path (`a.b[2].c`).
fn value_at<'a>(tree: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let mut at = tree;
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            at = at.get(name)?;
        }
        for index in rest.split('[').filter(|i| !i.is_empty()) {
            at = at.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(at)
}

/// The expected format, when a string was refused as a date or a date-time. The two parse
/// errors read the same, so the value tells which was meant: a valid date refused must have
/// been wanted as a date-time, and the other way round.
fn date_hint(value: &serde_json::Value) -> Option<&'static str> {
    const DATE_TIME: &str = "expected an RFC 3339 date-time such as 2026-12-02T09:30:00+08:00";
    const DATE: &str = "expected a date as YYYY-MM-DD";
    let s = value.as_str()?;
    let is_date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
    let is_date_time = chrono::DateTime::parse_from_rfc3339(s).is_ok();
    let looks_temporal = s.len() >= 4 && s.bytes().take(4).all(|b| b.is_ascii_digit()) && s.contains('-');
    match (is_date, is_date_time) {
        (true, _) => Some(DATE_TIME),
        (_, true) => Some(DATE),
        _ if looks_temporal => {
            Some("expected an RFC 3339 date-time (2026-12-02T09:30:00+08:00) or a date (YYYY-MM-DD)")
        }
        _ => None,
    }
}

/// The path of the first string (or key) holding a NUL character, if any. JSON can only carry
/// one escaped, so a body without `\u0000` is not parsed twice.
fn nul_field(bytes: &[u8]) -> Option<String> {
    if !bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return None;
    }
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        use serde_json::Value;
        match v {
            Value::String(s) if s.contains('\0') => {
                Some(if path.is_empty() { "body".to_owned() } else { path.to_owned() })
            }
            Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(k, x)| {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if k.contains('\0') { Some(p) } else { walk(x, &p) }
            }),
            _ => None,
        }
    }
    walk(&serde_json::from_slice(bytes).ok()?, "")
}

fn missing_field(reason: &str) -> Option<String> {
    let rest = reason.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

/// A query string. Unlike `actix_web::web::Query`, a wrong value names its parameter
/// (`state: unknown variant ...`), the same way as [`Json`] names body fields.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query).map_err(ApiError))
    }
}

/// Parses a query string into `T`, naming the offending parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        let mut field = match (path.as_str(), missing_field(&msg)) {
            (_, Some(f)) => f,
            (".", None) => "query".to_owned(),
            (p, None) => p.to_owned(),
        };
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        // Flattened filters lose the path: the message quotes the refused value.
        if field == "query"
            && let Some((k, _)) = pairs.iter().find(|(_, v)| !v.is_empty() && msg.contains(&format!("`{v}`")))
        {
            field = k.clone();
        }
        let mut reason = msg;
        if let Some(hint) =
            pairs.iter().find(|(k, _)| *k == field).and_then(|(_, v)| date_hint(&serde_json::Value::String(v.clone())))
        {
            reason = format!("{reason}; {hint}");
        }
        Error::invalid(field, reason)
    })
}

/// Query-string errors name the parameter (for any remaining `web::Query`).
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let reason = err.to_string();
        ApiError(Error::validation(vec![FieldError::new("query", reason)])).into()
    })
}

/// Screens every request before routing: a NUL character in a query parameter is refused naming
/// the parameter (PostgreSQL cannot store or compare one), and a path that is NUL-bearing or
/// percent-encodes plain characters (`/api/v1/%74enants`) addresses nothing. The router decodes
/// such paths but the tenant check reads the raw path, so they must not get through.
pub async fn screen(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    use actix_web::ResponseError;
    let refusal = if !canonical_path(req.path()) {
        Some(Error::not_found("route"))
    } else {
        form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
            .map(|(k, _)| Error::invalid(k.replace('\0', "\\u0000"), "must not contain a NUL character"))
    };
    match refusal {
        Some(e) => Ok(req.into_response(ApiError(e).error_response()).map_into_right_body()),
        None => next.call(req).await.map(actix_web::dev::ServiceResponse::map_into_left_body),
    }
}

/// Whether a raw path uses percent-encoding only where it must: no NUL, no encoded letters,
/// digits or `-._~/`.
fn canonical_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while let Some(p) = bytes[i..].iter().position(|&b| b == b'%') {
        let at = i + p;
        let Some(hex) = path.get(at + 1..at + 3) else { return false };
        let Ok(byte) = u8::from_str_radix(hex, 16) else { return false };
        if byte == 0 || byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            return false;
        }
        i = at + 3;
    }
    true
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

    #[derive(Debug, serde::Deserialize)]
    #[serde(tag = "action", rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Tagged {
        Callback { satisfaction: u8 },
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Dated {
        due: chrono::DateTime<chrono::Utc>,
        day: Option<chrono::NaiveDate>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Colour {
        Red,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Filter {
        state: Option<Colour>,
    }

    #[test]
    fn trailing_bytes_are_malformed() {
        let err = parse::<Inner>(br#"{"password":"p"} x"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedRequest);
        // Also when the value itself would be refused (a missing field).
        let err = parse::<Inner>(br#"{} x"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedRequest);
    }

    #[test]
    fn unknown_fields_are_named() {
        let err = parse::<Outer>(br#"{"name":"x","admin":{"password":"p","pasword":1},"n":1}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed);
        assert_eq!(err.fields[0].field, "admin.pasword");
    }

    #[test]
    fn nul_characters_are_refused_naming_the_field() {
        let err = parse::<Outer>(br#"{"name":"x","admin":{"password":"a\u0000b"},"n":1}"#).unwrap_err();
        assert_eq!(err.fields[0].field, "admin.password");
        assert!(parse::<Inner>(br#"{"password":"a\\u0000b"}"#).is_ok(), "an escaped backslash is no NUL");
    }

    #[test]
    fn tagged_enum_type_errors_name_the_real_field() {
        let err = parse::<Tagged>(br#"{"action":"callback","satisfaction":"high"}"#).unwrap_err();
        assert_eq!(err.fields[0].field, "satisfaction");
    }

    #[test]
    fn bad_dates_say_the_expected_format() {
        let err = parse::<Dated>(br#"{"due":"2026-12-02"}"#).unwrap_err();
        assert_eq!(err.fields[0].field, "due");
        assert!(err.fields[0].reason.contains("RFC 3339"), "{}", err.fields[0].reason);
        let err = parse::<Dated>(br#"{"due":"2026-12-02T09:00:00Z","day":"2026-12-02T09:00:00Z"}"#).unwrap_err();
        assert!(err.fields[0].reason.contains("YYYY-MM-DD"), "{}", err.fields[0].reason);
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let err = parse_query::<Filter>("state=bogus").unwrap_err();
        assert_eq!(err.fields[0].field, "state");
        assert!(parse_query::<Filter>("state=red").is_ok());
    }

    #[test]
    fn only_canonical_paths_pass() {
        assert!(canonical_path("/api/v1/tenants/320115"));
        assert!(canonical_path("/api/v1/x/%E4%B8%AD"));
        assert!(!canonical_path("/api/v1/%74enants/320115"));
        assert!(!canonical_path("/api/v1/tenants/%00"));
        assert!(!canonical_path("/api/v1/tenants/%zz"));
    }
}
