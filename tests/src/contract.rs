//! The OpenAPI document as a contract the black-box tests hold the server to: every response a
//! test receives through [`crate::TestApp::call`] is checked against the document the server
//! serves — the operation exists, the status is documented for it, the content type is one it
//! declares, and a JSON body validates against the declared schema. So a handler that returns a
//! field its schema lacks, a status nobody documented, or a schema that drifted from the code
//! fails the test that saw it, not a client in production.
//!
//! Requests outside the documented API (the docs UI, unknown paths answered 404 or 405) are not
//! checked: there is no operation to hold them to.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// The served document, parsed once per test process.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(&api::openapi::document_json()).unwrap_or_else(|e| panic!("the OpenAPI document: {e}"))
});

/// Compiled validators by (method, path template, status key, media type).
type Validators = HashMap<(String, String, String, String), Arc<jsonschema::Validator>>;
static VALIDATORS: LazyLock<Mutex<Validators>> = LazyLock::new(Default::default);

/// What a response violated, in words a test failure can show.
#[derive(Debug)]
pub struct Violation(pub String);

/// Checks one response. `path` is the request path with its query; `content_type` the response
/// header (if any); `text` the body as received.
pub fn check(method: &str, path: &str, status: u16, content_type: Option<&str>, text: &str) -> Result<(), Violation> {
    let path = path.split('?').next().unwrap_or(path);
    let Some((template, operation)) = operation(method, path) else {
        // An unknown route (or a known route with a method it lacks) has no contract.
        if matches!(status, 404 | 405) {
            return Ok(());
        }
        return Err(Violation(format!("{method} {path} answered {status}, but the document has no such operation")));
    };
    let responses = &operation["responses"];
    let status_key = status.to_string();
    let range_key = format!("{}XX", status / 100);
    let (key, response) = [status_key.as_str(), range_key.as_str(), "default"]
        .into_iter()
        .find_map(|k| responses.get(k).map(|r| (k.to_owned(), r)))
        .ok_or_else(|| Violation(format!("{method} {template} answered {status}, which its responses do not list")))?;
    let response = resolve(response);
    let media = content_type.and_then(|c| c.split(';').next()).map(|m| m.trim().to_ascii_lowercase());
    let declared = response.get("content").and_then(Value::as_object);
    let (media, entry) = match (media, declared) {
        (None, _) if text.is_empty() => return Ok(()),
        (_, None) if text.is_empty() => return Ok(()),
        (Some(m), Some(content)) => match content.get(&m) {
            Some(entry) => (m, entry),
            None => {
                return Err(Violation(format!(
                    "{method} {template} {status}: content type `{m}` is not declared (declared: {:?})",
                    content.keys().collect::<Vec<_>>()
                )));
            }
        },
        (m, _) => {
            return Err(Violation(format!(
                "{method} {template} {status}: a body of type {m:?} where the document declares no content"
            )));
        }
    };
    if !(media.ends_with("json")) {
        return Ok(());
    }
    let Some(schema) = entry.get("schema") else { return Ok(()) };
    let body: Value = serde_json::from_str(text)
        .map_err(|e| Violation(format!("{method} {template} {status}: the {media} body is not JSON: {e}")))?;
    let validator = validator((method.to_owned(), template.clone(), key, media.clone()), schema)?;
    let errors: Vec<String> =
        validator.iter_errors(&body).take(5).map(|e| format!("{} at `{}`", e, e.instance_path())).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        let shown: String = text.chars().take(600).collect();
        Err(Violation(format!(
            "{method} {template} {status}: the body contradicts the document:\n  {}\nbody: {shown}",
            errors.join("\n  ")
        )))
    }
}

/// The operation for a concrete path: literal segments must match; `{param}` matches any one
/// segment. Where several templates match (`/grids/locate` and `/grids/{code}`), the one with
/// the most literal segments wins.
fn operation(method: &str, path: &str) -> Option<(String, &'static Value)> {
    let method = method.to_ascii_lowercase();
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let paths = DOCUMENT["paths"].as_object()?;
    paths
        .iter()
        .filter_map(|(template, item)| {
            let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (p, s) in parts.iter().zip(&segments) {
                if p.starts_with('{') && p.ends_with('}') {
                    if s.is_empty() {
                        return None;
                    }
                } else if p == s {
                    literal += 1;
                } else {
                    return None;
                }
            }
            item.get(&method).map(|op| (literal, template.clone(), op))
        })
        .max_by_key(|(literal, _, _)| *literal)
        .map(|(_, template, op)| (template, op))
}

/// Follows a `$ref` to `#/components/responses/…`.
fn resolve(response: &'static Value) -> &'static Value {
    match response.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/")) {
        Some(pointer) => DOCUMENT.pointer(&format!("/{pointer}")).unwrap_or(response),
        None => response,
    }
}

fn validator(key: (String, String, String, String), schema: &Value) -> Result<Arc<jsonschema::Validator>, Violation> {
    let mut cache = VALIDATORS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(v) = cache.get(&key) {
        return Ok(v.clone());
    }
    // The schema's `$ref`s point into the document (`#/components/schemas/…`): validate against
    // a root that carries the document's components beside the schema itself.
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": DOCUMENT["components"].clone(),
        "allOf": [schema.clone()],
    });
    let compiled = jsonschema::draft202012::new(&root)
        .map_err(|e| Violation(format!("{} {}: the document's schema does not compile: {e}", key.0, key.1)))?;
    let compiled = Arc::new(compiled);
    cache.insert(key, compiled.clone());
    Ok(compiled)
}
