//! Builds the admin console (`admin-ui/`, Vue + Vite) into `$OUT_DIR/console`, which
//! `api::console` embeds in the binary — as Meilisearch embeds its dashboard. Needs Node.js and
//! npm on the build machine; without them (or with `URBANGRID_SKIP_CONSOLE_BUILD=1`) the binary
//! embeds a one-page notice instead, and everything else works as before.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if let Err(e) = embed_console() {
        eprintln!("api/build.rs: {e}");
        std::process::exit(1);
    }
}

fn embed_console() -> Result<(), String> {
    let var = |name: &str| std::env::var(name).map_err(|e| format!("{name}: {e}"));
    let manifest = PathBuf::from(var("CARGO_MANIFEST_DIR")?);
    let ui = manifest.join("../admin-ui");
    let out = PathBuf::from(var("OUT_DIR")?).join("console");
    println!("cargo:rerun-if-env-changed=URBANGRID_SKIP_CONSOLE_BUILD");
    for p in ["src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "public", "m", "h5"] {
        println!("cargo:rerun-if-changed={}", ui.join(p).display());
    }
    let fresh = |dir: &Path| -> Result<(), String> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))
    };
    fresh(&out)?;

    let skip = std::env::var("URBANGRID_SKIP_CONSOLE_BUILD").is_ok_and(|v| v == "1");
    let why = if skip { Some("URBANGRID_SKIP_CONSOLE_BUILD=1 was set".to_owned()) } else { build(&ui, &out).err() };
    if let Some(why) = why {
        println!("cargo:warning=admin console not built ({why}); the binary serves a notice at /");
        fresh(&out)?;
        std::fs::write(out.join("index.html"), notice(&why)).map_err(|e| format!("write the notice: {e}"))?;
    }
    Ok(())
}

fn build(ui: &Path, out: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let version = Command::new(npm).arg("--version").output().map_err(|e| format!("npm not found: {e}"))?;
    if !version.status.success() {
        return Err("npm does not run".into());
    }
    // `npm ci` only when the installed tree is missing or older than the lockfile.
    let lock = ui.join("package-lock.json");
    let installed = ui.join("node_modules/.package-lock.json");
    let stale = match (modified(&lock), modified(&installed)) {
        (Some(l), Some(i)) => l > i,
        _ => true,
    };
    if stale {
        run(Command::new(npm)
            .args(["ci", "--no-audit", "--no-fund"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .current_dir(ui))?;
    }
    let out = out.to_str().ok_or("OUT_DIR is not UTF-8")?;
    run(Command::new(npm).args(["run", "build", "--", "--outDir", out, "--emptyOutDir"]).current_dir(ui))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let output = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let tail: String = String::from_utf8_lossy(&output.stderr).lines().rev().take(15).collect::<Vec<_>>().join(" | ");
    Err(format!("{cmd:?} failed: {tail}"))
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn notice(why: &str) -> String {
    let why = why.replace('&', "&amp;").replace('<', "&lt;");
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>UrbanGrid</title>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\">\
         <h1>UrbanGrid</h1><p>The admin console was not built into this binary: {why}.</p>\
         <p>Install Node.js 20 and npm, then rebuild (<code>cargo build --release</code>). The API \
         and its documentation work without it: <a href=\"/docs/\">/docs/</a>.</p></body></html>"
    )
}
