//! The answer to a request that no route took: 405 with `Allow` when the path is one the API
//! serves under other methods, 404 otherwise. The served OpenAPI document is the list of paths,
//! so a route added later is covered without a table to keep in step.

use actix_web::{HttpRequest, HttpResponse, ResponseError, http::header, web};
use kernel::{Error, ErrorCode};

use crate::error::ApiError;

/// Every path template of the document with the methods it takes.
#[derive(Debug, Clone, Default)]
pub struct KnownPaths(Vec<(Vec<Segment>, String)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`: any one non-empty segment.
    Parameter,
}

impl KnownPaths {
    pub fn from_document(doc: &serde_json::Value) -> Self {
        let mut out = Vec::new();
        for (template, item) in doc["paths"].as_object().into_iter().flatten() {
            let Some(item) = item.as_object() else { continue };
            let mut methods: Vec<String> = item
                .keys()
                .filter(|m| matches!(m.as_str(), "get" | "put" | "post" | "delete" | "patch" | "head" | "options"))
                .map(|m| m.to_uppercase())
                .collect();
            methods.sort();
            let segments = template
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Segment::Parameter
                    } else {
                        Segment::Literal(s.to_owned())
                    }
                })
                .collect();
            out.push((segments, methods.join(", ")));
        }
        Self(out)
    }

    /// The `Allow` value of the template `path` matches, if any. Where two templates match
    /// (`/cases/export` and `/cases/{case_id}`), a literal segment beats a parameter.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Parameter => !p.is_empty(),
                    })
            })
            .max_by_key(|(segments, _)| segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count())
            .map(|(_, allow)| allow.as_str())
    }
}

/// The default service.
pub async fn answer(req: HttpRequest, known: web::Data<KnownPaths>) -> HttpResponse {
    match known.allowed(req.path()) {
        Some(allow) => {
            let e =
                Error::new(ErrorCode::MethodNotAllowed, format!("{} takes {allow}, not {}", req.path(), req.method()));
            let mut resp = ApiError(e).error_response();
            if let Ok(value) = header::HeaderValue::from_str(allow) {
                resp.headers_mut().insert(header::ALLOW, value);
            }
            resp
        }
        None => ApiError(Error::not_found("route")).error_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_and_parameters_need_a_value() {
        let doc = serde_json::json!({"paths": {
            "/api/v1/tenants/{tenant_code}/cases/{case_id}": {"get": {}},
            "/api/v1/tenants/{tenant_code}/cases/export": {"get": {}, "post": {}},
            "/api/v1/tenants/{tenant_code}/cases": {"get": {}, "post": {}, "summary": "x"},
        }});
        let known = KnownPaths::from_document(&doc);
        assert_eq!(known.allowed("/api/v1/tenants/320115/cases/abc"), Some("GET"));
        assert_eq!(known.allowed("/api/v1/tenants/320115/cases/export"), Some("GET, POST"));
        assert_eq!(known.allowed("/api/v1/tenants/320115/cases"), Some("GET, POST"));
        assert_eq!(known.allowed("/api/v1/tenants//cases"), None);
        assert_eq!(known.allowed("/api/v1/nothing"), None);
    }
}
