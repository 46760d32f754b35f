//! The admin console at `/`: the files `build.rs` built from `admin-ui/` with Vite, embedded in
//! the binary so that nothing is fetched from elsewhere (government intranets are offline).
//!
//! Hashed assets (`/assets/<name>-<hash>.js`) are cached for a year; `index.html` is never
//! cached, so a new release is picked up on the next load. Every page carries a strict
//! Content-Security-Policy: scripts, styles, images and connections only from this origin
//! (Element Plus sets inline `style` attributes, hence `'unsafe-inline'` for styles only), and
//! tile images from the customer's basemap when the platform set one (`basemap_url`).
//!
//! Two more entries are built from the same sources, each with its own small bundle: the
//! collector's mobile web at `/m/` (an installable PWA: its manifest, and a service worker
//! scoped to `/m/` that keeps the app shell for patrols without signal) and the public page
//! (随手拍) at `/h5/<county code>`. Their deep links (`/m/tasks`, `/h5/320115/UG…`) answer with
//! the entry's `index.html`, so a reload or a shared link opens the page; the worker and the
//! manifest are never cached by HTTP (a new release must reach the phones).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, web};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$OUT_DIR/console"]
struct Files;

/// The policy without a basemap; with one, its origin is added to `img-src` (tiles are images).
fn content_security_policy(basemap_origin: Option<&str>) -> String {
    let tiles = basemap_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:{tiles}; font-src 'self' data:; connect-src 'self'; \
         worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The origin (`https://tiles.example.gov.cn:8443`) of an XYZ tile URL, or why it is not one.
pub fn basemap_origin(url: &str) -> Result<String, String> {
    let rest =
        url.strip_prefix("https://").map(|r| ("https", r)).or_else(|| url.strip_prefix("http://").map(|r| ("http", r)));
    let Some((scheme, rest)) = rest else {
        return Err("basemap_url must start with http:// or https://".into());
    };
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(['{', '}', ' ', '\'', ';']) {
        return Err("basemap_url must name a host (without placeholders) before its path".into());
    }
    for p in ["{z}", "{x}"] {
        if !url.contains(p) {
            return Err(format!("basemap_url must contain {p} (an XYZ tile URL)"));
        }
    }
    if !url.contains("{y}") && !url.contains("{-y}") {
        return Err("basemap_url must contain {y} or {-y} (an XYZ tile URL)".into());
    }
    Ok(format!("{scheme}://{host}"))
}

/// The console's start-up settings, fixed for the process.
#[derive(Debug)]
pub struct ConsoleSettings {
    pub basemap: Option<Basemap>,
    csp: String,
}

impl ConsoleSettings {
    pub fn new(url: Option<String>, attribution: Option<String>) -> Result<Self, String> {
        let origin = url.as_deref().map(basemap_origin).transpose()?;
        Ok(Self {
            csp: content_security_policy(origin.as_deref()),
            basemap: url.map(|url| Basemap { url, attribution }),
        })
    }
}

/// The customer's basemap, as the console's maps draw it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Basemap {
    /// An XYZ tile URL with `{z}`, `{x}`, `{y}` (or `{-y}`).
    #[schema(example = "https://tiles.example.gov.cn/vec/{z}/{x}/{y}.png")]
    pub url: String,
    /// Shown on the map (审图号, provider).
    pub attribution: Option<String>,
}

/// What the console needs to know about this installation.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ConsoleConfig {
    /// The customer's own basemap, if the platform set one; `null`: no basemap (nothing is
    /// fetched from elsewhere).
    pub basemap: Option<Basemap>,
}

/// The console's installation settings (the basemap its maps draw). Needs no login: the login
/// page is a console page too.
#[utoipa::path(
    tag = "meta",
    operation_id = "console.config",
    responses((status = 200, description = "The console's settings", body = ConsoleConfig))
)]
#[get("/api/v1/console/config")]
pub async fn config(state: web::Data<crate::state::AppState>) -> HttpResponse {
    HttpResponse::Ok().json(ConsoleConfig { basemap: state.console.basemap.clone() })
}

/// Whether the binary carries the built console (not only the notice a build without Node
/// leaves).
pub fn built() -> bool {
    Files::get("assets").is_some() || Files::iter().any(|f| f.starts_with("assets/"))
}

/// Routes for `/` and the console's files. Registered after the API, so `/api` and `/docs`
/// never reach here.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for path in ["/", "/assets/{name}", "/{name:[^/]+\\.[a-z]+}", "/m", "/m/{rest:.*}", "/h5", "/h5/{rest:.*}"] {
        cfg.route(path, web::get().to(serve)).route(path, web::head().to(serve));
    }
}

/// The embedded file a request path names: a file itself, or, for a page of an entry (`/m/…`,
/// `/h5/…` without a file extension), the entry's `index.html`.
fn file_name(path: &str) -> String {
    let path = path.trim_start_matches('/');
    for entry in ["m", "h5"] {
        let Some(rest) = path.strip_prefix(entry) else { continue };
        if !(rest.is_empty() || rest.starts_with('/')) {
            continue;
        }
        let rest = rest.trim_start_matches('/');
        let last = rest.rsplit('/').next().unwrap_or_default();
        return if rest.is_empty() || !last.contains('.') {
            format!("{entry}/index.html")
        } else {
            format!("{entry}/{rest}")
        };
    }
    if path.is_empty() { "index.html".to_owned() } else { path.to_owned() }
}

/// The type of a file: by its extension, with the PWA's manifest named as browsers expect.
fn mime_of(name: &str, guessed: &str) -> String {
    if name.ends_with(".webmanifest") { "application/manifest+json".to_owned() } else { guessed.to_owned() }
}

async fn serve(req: HttpRequest, state: web::Data<crate::state::AppState>) -> HttpResponse {
    if req.path() == "/m" {
        // The service worker's scope is `/m/`: the app always runs under it.
        return HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/m/")).finish();
    }
    let name = file_name(req.path());
    let name = name.as_str();
    let Some(file) = Files::get(name) else {
        return crate::error::ApiError(kernel::Error::not_found("file")).error_response();
    };
    let mime = mime_of(name, file.metadata.mimetype());
    let mime = mime.as_str();
    let cache = if name.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::REFERRER_POLICY, HeaderValue::from_static("same-origin")));
    if name == "m/sw.js" {
        // The worker lives at /m/sw.js and controls /m/ only (its own folder: the header
        // states it so that the scope holds even if the file moves under /m/).
        resp.insert_header(("service-worker-allowed", "/m/"));
    }
    if mime.starts_with("text/html") {
        resp.insert_header((header::CONTENT_SECURITY_POLICY, state.console.csp.clone()))
            .insert_header((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    }
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..12]));
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish();
    }
    resp.insert_header((header::ETAG, etag)).body(file.data.into_owned())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_pages_and_their_deep_links_name_the_entrys_index() {
        assert_eq!(file_name("/"), "index.html");
        assert_eq!(file_name("/favicon.svg"), "favicon.svg");
        assert_eq!(file_name("/m"), "m/index.html");
        assert_eq!(file_name("/m/"), "m/index.html");
        assert_eq!(file_name("/m/tasks/verify"), "m/index.html");
        assert_eq!(file_name("/m/sw.js"), "m/sw.js");
        assert_eq!(file_name("/m/icons/icon-192.png"), "m/icons/icon-192.png");
        assert_eq!(file_name("/h5/320115"), "h5/index.html");
        assert_eq!(file_name("/h5/320115/UG23456789AB"), "h5/index.html");
        assert_eq!(file_name("/mx/a"), "mx/a");
        assert_eq!(mime_of("m/manifest.webmanifest", "application/octet-stream"), "application/manifest+json");
    }

    #[test]
    fn a_basemap_is_an_xyz_url_whose_origin_joins_the_policy() {
        assert_eq!(
            basemap_origin("https://tiles.gov.cn:8443/v/{z}/{x}/{y}.png"),
            Ok("https://tiles.gov.cn:8443".into())
        );
        assert_eq!(basemap_origin("http://10.1.2.3/t/{z}/{x}/{-y}.png"), Ok("http://10.1.2.3".into()));
        for bad in ["ftp://x/{z}/{x}/{y}", "https://x/{z}/{y}", "https://{s}.x/{z}/{x}/{y}", "https:///{z}/{x}/{y}"] {
            assert!(basemap_origin(bad).is_err(), "{bad}");
        }
        let with = ConsoleSettings::new(Some("https://tiles.gov.cn/{z}/{x}/{y}.png".into()), None).unwrap();
        assert!(with.csp.contains("img-src 'self' data: blob: https://tiles.gov.cn;"), "{}", with.csp);
        let without = ConsoleSettings::new(None, None).unwrap();
        assert!(without.csp.contains("img-src 'self' data: blob:;"), "{}", without.csp);
        assert!(!without.csp.contains("http"));
    }
}
