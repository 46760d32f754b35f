//! Writes the OpenAPI document the code generates to `openapi/openapi.json`.
//!
//! Regenerate after changing routes: `cargo run -p openapi --bin gen-openapi`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    std::fs::write(&path, api::openapi::document_json())?;
    println!("wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The committed document must be exactly what the code generates.
    #[test]
    fn committed_document_matches_the_code() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = api::openapi::document_json();
        assert!(
            committed == generated,
            "openapi/openapi.json is out of date; regenerate it with `cargo run -p openapi --bin gen-openapi`"
        );
    }

    /// Every operation has an id, a summary, a tag, and a description for every response.
    #[test]
    fn every_operation_is_documented() {
        let doc: serde_json::Value = serde_json::from_str(&api::openapi::document_json()).unwrap_or_default();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        assert!(!paths.is_empty());
        for (path, item) in paths {
            for (method, op) in item.as_object().cloned().unwrap_or_default() {
                let here = format!("{method} {path}");
                assert!(op["operationId"].is_string(), "{here}: no operationId");
                assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{here}: no summary");
                assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{here}: no tag");
                for (status, resp) in op["responses"].as_object().cloned().unwrap_or_default() {
                    let described = resp["description"].is_string() || resp["$ref"].is_string();
                    assert!(described, "{here}: response {status} has no description");
                }
            }
        }
    }
}
