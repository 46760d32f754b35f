//! Health, the served OpenAPI document, the offline docs UI, and the problem shape of
//! unknown routes.

use reqwest::{Method, StatusCode};
use tests::spawn_app;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("ready")));
    assert!(r.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn the_served_document_is_the_committed_one_and_docs_render_offline() {
    let app = spawn_app().await;
    let served = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(served.status, StatusCode::OK);
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).unwrap();
    assert_eq!(served.text, committed);

    // The docs page and its script come from the binary, not a CDN.
    let page = app.client.get(format!("{}/docs/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("cdn.") && !html.contains("unpkg") && !html.contains("jsdelivr"));
    let init = app.client.get(format!("{}/docs/swagger-initializer.js", app.base)).send().await.unwrap();
    assert!(init.text().await.unwrap().contains("/api/v1/openapi.json"));
    let bundle = app.client.get(format!("{}/docs/swagger-ui-bundle.js", app.base)).send().await.unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(bundle.bytes().await.unwrap().len() > 100_000);
}

#[tokio::test]
async fn unknown_routes_are_problem_documents() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/nowhere", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(r.code(), "not_found");
}

#[tokio::test]
async fn a_known_path_under_another_method_is_405_with_allow() {
    let app = spawn_app().await;
    let token = app.demo(tests::COUNTY_A, "admin").await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/tenants/320115/cases", "GET, POST"),
        (Method::DELETE, "/api/v1/tenants/320115/departments", "GET, POST"),
        (Method::PATCH, "/api/v1/me", "GET"),
    ] {
        let r = app.call(method.clone(), path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}: {}", r.text);
        assert_eq!(r.headers["allow"], allow, "{method} {path}");
        assert_eq!(r.code(), "method_not_allowed");
        assert!(r.text.contains(allow), "{}", r.text);
    }
    // An unknown path stays 404, whatever the method.
    let r = app.call(Method::PUT, "/api/v1/tenants/320115/nothing", Some(&token), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}

#[tokio::test]
async fn the_vocabulary_labels_every_code_the_document_declares() {
    let app = spawn_app().await;
    let v = app.call(Method::GET, "/api/v1/vocabulary", None, None).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text);
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.body;
    // Each list names exactly the members of the enum schema it labels.
    for (list, schema) in [("case_states", "State"), ("actions", "Action"), ("sources", "Source"), ("roles", "Role")] {
        let mut codes: Vec<&str> =
            v.body[list].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
        let mut declared: Vec<&str> = doc["components"]["schemas"][schema]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        codes.sort_unstable();
        declared.sort_unstable();
        assert_eq!(codes, declared, "{list} against the {schema} schema");
        for t in v.body[list].as_array().unwrap() {
            assert!(!t["zh"].as_str().unwrap().is_empty() && !t["en"].as_str().unwrap().is_empty(), "{t}");
        }
    }
    let dispatched = v.body["case_states"].as_array().unwrap().iter().find(|t| t["code"] == "dispatched").unwrap();
    assert_eq!((dispatched["zh"].as_str(), dispatched["en"].as_str()), (Some("已派遣"), Some("Dispatched")));
    assert_eq!(v.body["time_units"].as_array().unwrap().len(), 3);
}

/// Every `$ref` in the served document names something the document defines: a dangling one
/// makes clients (and schemathesis) skip the parameter it types.
#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    fn walk<'a>(v: &'a serde_json::Value, refs: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    refs.push(r);
                }
                m.values().for_each(|v| walk(v, refs));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, refs)),
            _ => {}
        }
    }
    let app = spawn_app().await;
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.body;
    let mut refs = Vec::new();
    walk(&doc, &mut refs);
    assert!(!refs.is_empty());
    let dangling: Vec<&str> = refs
        .into_iter()
        .filter(|r| {
            let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("not a local reference: {r}"));
            doc.pointer(pointer).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "dangling references: {dangling:?}");
}

#[tokio::test]
async fn every_operation_with_a_json_body_declares_400_413_and_415_and_answers_them() {
    let app = spawn_app().await;
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.body;
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["requestBody"]["content"].get("application/json").is_none() {
                continue;
            }
            seen += 1;
            for status in ["400", "413", "415"] {
                assert!(op["responses"].get(status).is_some(), "{method} {path} does not declare {status}");
            }
        }
    }
    assert!(seen >= 20, "too few JSON operations: {seen}");
    // And the server answers as declared.
    let token = app.demo(tests::COUNTY_A, "admin").await;
    let departments = format!("{}/api/v1/tenants/{}/departments", app.base, tests::COUNTY_A);
    for (content_type, body, status, code) in [
        ("application/json", "{\"name\": \"x\"} trailing", StatusCode::BAD_REQUEST, "malformed_request"),
        ("text/plain", "{}", StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    ] {
        let r = app
            .client
            .post(&departments)
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{content_type} {body}");
        let problem: serde_json::Value = r.json().await.unwrap();
        assert_eq!(problem["code"], code);
    }
}

/// The console at `/`: embedded (no request leaves the server), `index.html` never cached and
/// under a strict policy, hashed assets cached; the customer's basemap, when set, is announced
/// to the console and allowed as an image source, and nothing else is.
#[tokio::test]
async fn the_console_is_served_with_its_policy_and_the_platforms_basemap() {
    let app = spawn_app().await;
    let page = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self';") && csp.contains("img-src 'self' data: blob:;"), "{csp}");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let html = page.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "the page names no other origin: {html}");
    if api::console::built() {
        let asset = html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).expect("a script in index.html");
        let r = app.client.get(format!("{}{asset}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
        assert!(r.headers()["content-type"].to_str().unwrap().contains("javascript"));
    }
    let r = app.call(Method::GET, "/api/v1/console/config", None, None).await;
    assert_eq!((r.status, &r.body["basemap"]), (StatusCode::OK, &serde_json::Value::Null));

    let url = "https://tiles.example.gov.cn:8443/vec/{z}/{x}/{y}.png";
    let app = tests::spawn_with(|s| {
        s.basemap_url = Some(url.into());
        s.basemap_attribution = Some("审图号：苏S(2026)001号".into());
    })
    .await;
    let r = app.call(Method::GET, "/api/v1/console/config", None, None).await;
    assert_eq!(r.body["basemap"]["url"], url);
    assert_eq!(r.body["basemap"]["attribution"], "审图号：苏S(2026)001号");
    let page = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("img-src 'self' data: blob: https://tiles.example.gov.cn:8443;"), "{csp}");
    assert!(csp.contains("connect-src 'self';"), "tiles are images, nothing else is allowed out: {csp}");

    let bad =
        api::Settings { basemap_url: Some("https://tiles.example.gov.cn/{z}/{y}.png".into()), ..Default::default() };
    assert!(bad.validate().unwrap_err().contains("{x}"));
}
