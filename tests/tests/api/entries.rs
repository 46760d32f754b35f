//! The console's two other entries: the collector's mobile web at `/m/` (a PWA: manifest and a
//! service worker scoped to `/m/`) and the public page at `/h5/<county>`. Deep links answer with
//! the entry's page, under the same strict policy as the console; the worker and the manifest
//! have their own types and are never cached by HTTP.

use reqwest::StatusCode;
use tests::spawn_app;

#[tokio::test]
async fn the_mobile_web_and_the_public_page_are_served_with_deep_links_and_the_worker_scoped() {
    let app = spawn_app().await;
    let get = |path: &str| {
        let url = format!("{}{path}", app.base);
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    // `/m` always runs under the worker's scope `/m/`.
    let r = app.client.get(format!("{}/m", app.base)).send().await.unwrap();
    assert_eq!(r.url().path(), "/m/", "redirected to the scope");
    if !api::console::built() {
        // A build without Node embeds only the notice at `/`.
        assert_eq!(get("/m/").await.status(), StatusCode::NOT_FOUND);
        return;
    }
    let page = get("/m/").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self';") && csp.contains("worker-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("manifest.webmanifest"), "the page names its manifest: {html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "no other origin: {html}");
    let console = get("/").await.text().await.unwrap();
    assert_ne!(html, console, "its own page, not the desktop console's");
    // Its own small bundle: the desktop console's entry script is not loaded.
    let script = |h: &str| {
        h.split("<script type=\"module\" crossorigin src=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_owned)
    };
    assert_ne!(script(&html), script(&console));
    for deep in ["/m/report", "/m/tasks/verify", "/m/cases/0193a0c2-0000-7000-8000-000000000000"] {
        let r = get(deep).await;
        assert_eq!(r.status(), StatusCode::OK, "{deep}");
        assert!(r.headers().contains_key("content-security-policy"));
        assert_eq!(r.text().await.unwrap(), html, "{deep} opens the mobile web");
    }

    let sw = get("/m/sw.js").await;
    assert_eq!(sw.status(), StatusCode::OK);
    assert!(sw.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(sw.headers()["service-worker-allowed"], "/m/");
    assert_eq!(sw.headers()["cache-control"], "no-cache");
    let manifest = get("/m/manifest.webmanifest").await;
    assert_eq!(manifest.status(), StatusCode::OK);
    assert_eq!(manifest.headers()["content-type"], "application/manifest+json");
    let m: serde_json::Value = manifest.json().await.unwrap();
    assert_eq!(
        (m["scope"].as_str(), m["start_url"].as_str(), m["display"].as_str()),
        (Some("/m/"), Some("/m/"), Some("standalone"))
    );
    for icon in m["icons"].as_array().unwrap() {
        let r = get(icon["src"].as_str().unwrap()).await;
        assert_eq!(r.status(), StatusCode::OK, "{icon}");
        assert_eq!(r.headers()["content-type"].to_str().unwrap(), icon["type"].as_str().unwrap());
    }
    assert_eq!(get("/m/missing.js").await.status(), StatusCode::NOT_FOUND, "a missing file is not the page");

    let h5 = get("/h5/320115").await;
    assert_eq!(h5.status(), StatusCode::OK);
    assert!(h5.headers().contains_key("content-security-policy"));
    let h5 = h5.text().await.unwrap();
    assert_ne!(h5, html);
    assert_eq!(get("/h5/320115/UG2345678923").await.text().await.unwrap(), h5, "a tracking link opens the page");
}
