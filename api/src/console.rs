//! The admin console at `/`: the files `build.rs` built from `admin-ui/` with Vite, embedded in
//! the binary so that nothing is fetched from elsewhere (government intranets are offline).
//!
//! Hashed assets (`/assets/<name>-<hash>.js`) are cached for a year; `index.html` is never
//! cached, so a new release is picked up on the next load. Every page carries a strict
//! Content-Security-Policy: scripts, styles, images and connections only from this origin
//! (Element Plus sets inline `style` attributes, hence `'unsafe-inline'` for styles only).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$OUT_DIR/console"]
struct Files;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Whether the binary carries the built console (not only the notice a build without Node
/// leaves).
pub fn built() -> bool {
    Files::get("assets").is_some() || Files::iter().any(|f| f.starts_with("assets/"))
}

/// Routes for `/` and the console's files. Registered after the API, so `/api` and `/docs`
/// never reach here.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for path in ["/", "/assets/{name}", "/{name:[^/]+\\.[a-z]+}"] {
        cfg.route(path, web::get().to(serve)).route(path, web::head().to(serve));
    }
}

async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    let name = if path.is_empty() { "index.html" } else { path };
    let Some(file) = Files::get(name) else {
        return crate::error::ApiError(kernel::Error::not_found("file")).error_response();
    };
    let mime = file.metadata.mimetype();
    let cache = if name.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::REFERRER_POLICY, HeaderValue::from_static("same-origin")));
    if mime.starts_with("text/html") {
        resp.insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
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
