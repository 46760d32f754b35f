//! Settings: built-in defaults, then an optional TOML file (`--config` or `URBANGRID_CONFIG`),
//! then environment variables `URBANGRID_<NAME>` (and `DATABASE_URL`), then command-line flags.
//! Every setting is listed, with its default, in the README.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// A secret that never appears in `Debug` output or logs.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address to listen on.
    pub bind: String,
    /// Holds the embedded SQLite file and (later) stored photos.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; unset means the embedded SQLite file in `data_dir`.
    pub database_url: Option<Secret>,
    /// Maximum database connections in the pool.
    pub db_max_connections: u32,
    /// Seconds a request waits for a database connection before it fails with 503
    /// `unavailable` (and the time allowed to open one). Short, so that a database that is down
    /// is reported at once instead of after a long queue.
    pub db_acquire_timeout_secs: u64,
    /// HS256 signing secret for access tokens, at least 32 bytes. Required unless running the
    /// embedded demo, which generates a throwaway key (tokens then die with the process).
    pub jwt_secret: Option<Secret>,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    pub session_ttl_secs: i64,
    pub login_max_failures_per_account: u64,
    pub login_max_failures_per_source: u64,
    pub login_failure_window_secs: i64,
    /// How long audit records are kept (at least 184 days: six months, 网络安全法).
    pub audit_retention_days: i64,
    /// How long the first answer to a request with an `Idempotency-Key` is kept for its retries
    /// (after it, the key is new again).
    pub idempotency_key_ttl_secs: i64,
    /// Password of the platform administrator created on an empty database (random if unset).
    pub admin_password: Option<Secret>,
    /// Seed the demo organisation on start-up.
    pub demo: bool,
    /// Password of every demo user (random if unset).
    pub demo_password: Option<Secret>,
    /// Size of the demo frame: `full` (thousands of grids, tens of thousands of components per
    /// county) or `small` (a few grids; what the tests use).
    pub demo_scale: String,
    /// Take the client address from `X-Forwarded-For` (set only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// `text` or `json`.
    pub log_format: String,
    /// Seconds to let in-flight requests finish on SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Largest census upload accepted, in bytes (grid GeoJSON: a quarter of it).
    pub max_import_bytes: u64,
    /// Public reports accepted per client address per minute (with a burst of the same size).
    pub public_reports_per_minute: u32,
    /// Largest photo accepted, in bytes.
    pub max_photo_bytes: u64,
    /// Keep photos in this bucket of an S3-compatible object store instead of `data_dir`.
    pub s3_bucket: Option<String>,
    /// The store's URL, e.g. `http://minio.internal:9000` (required with `s3_bucket`).
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key: Option<Secret>,
    pub s3_secret_key: Option<Secret>,
    /// Path-style object URLs (`endpoint/bucket/key`); `false` for virtual-host style.
    pub s3_path_style: bool,
    /// The customer's own basemap for the console's maps: an XYZ tile URL with `{z}`, `{x}` and
    /// `{y}` (e.g. a self-hosted or 天地图 service on the intranet). None: maps draw the county's
    /// own GeoJSON on a plain background, and nothing is fetched from elsewhere.
    pub basemap_url: Option<String>,
    /// The basemap's attribution (审图号 and provider), shown on the map.
    pub basemap_attribution: Option<String>,
    /// The clock new cases are stamped with: the system clock. Not a configuration key — tests
    /// shift it to see what a report at a given hour gets.
    #[serde(skip)]
    pub clock: cases::clock::Clock,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            db_max_connections: 16,
            db_acquire_timeout_secs: 5,
            jwt_secret: None,
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 7 * 24 * 3600,
            session_ttl_secs: 30 * 24 * 3600,
            login_max_failures_per_account: 5,
            login_max_failures_per_source: 50,
            login_failure_window_secs: 900,
            audit_retention_days: tenancy::audit::MIN_RETENTION_DAYS,
            idempotency_key_ttl_secs: cases::idempotency::DEFAULT_TTL_SECS,
            admin_password: None,
            demo: false,
            demo_password: None,
            demo_scale: "full".into(),
            trust_forwarded_for: false,
            log_format: "text".into(),
            shutdown_timeout_secs: 30,
            max_import_bytes: 2 << 30,
            public_reports_per_minute: 10,
            max_photo_bytes: 10 << 20,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key: None,
            s3_secret_key: None,
            s3_path_style: true,
            basemap_url: None,
            basemap_attribution: None,
            clock: cases::clock::Clock::system(),
        }
    }
}

impl Settings {
    /// Loads defaults ← file ← environment.
    pub fn load(config_file: Option<&Path>) -> Result<Self, String> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        let file =
            config_file.map(Path::to_path_buf).or_else(|| std::env::var_os("URBANGRID_CONFIG").map(PathBuf::from));
        if let Some(file) = file {
            if !file.exists() {
                return Err(format!("config file {} does not exist", file.display()));
            }
            fig = fig.merge(Toml::file(file));
        }
        fig = fig
            .merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database_url".into()))
            .merge(Env::prefixed("URBANGRID_").ignore(&["CONFIG"]));
        let settings: Settings = fig.extract().map_err(|e| format!("invalid settings: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks values that would otherwise fail later and less clearly.
    pub fn validate(&self) -> Result<(), String> {
        if self.db_acquire_timeout_secs == 0 || self.db_acquire_timeout_secs > 300 {
            return Err("db_acquire_timeout_secs must be between 1 and 300".into());
        }
        if self.access_token_ttl_secs < 30 || self.access_token_ttl_secs > 24 * 3600 {
            return Err("access_token_ttl_secs must be between 30 and 86400".into());
        }
        if self.refresh_token_ttl_secs < 60 || self.session_ttl_secs < self.refresh_token_ttl_secs {
            return Err("refresh_token_ttl_secs must be ≥ 60 and ≤ session_ttl_secs".into());
        }
        if self.audit_retention_days < tenancy::audit::MIN_RETENTION_DAYS {
            return Err(format!(
                "audit_retention_days must be at least {} (six months)",
                tenancy::audit::MIN_RETENTION_DAYS
            ));
        }
        if self.idempotency_key_ttl_secs < 60 || self.idempotency_key_ttl_secs > 30 * 24 * 3600 {
            return Err("idempotency_key_ttl_secs must be between 60 and 2592000 (30 days)".into());
        }
        if self.public_reports_per_minute == 0 {
            return Err("public_reports_per_minute must be at least 1".into());
        }
        if !matches!(self.demo_scale.as_str(), "full" | "small") {
            return Err("demo_scale must be `full` or `small`".into());
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err("log_format must be `text` or `json`".into());
        }
        if let Some(s) = &self.jwt_secret
            && s.0.len() < tenancy::token::MIN_SECRET_BYTES
        {
            return Err(format!("jwt_secret must be at least {} bytes", tenancy::token::MIN_SECRET_BYTES));
        }
        let s3_given = [self.s3_bucket.is_some(), self.s3_endpoint.is_some()];
        if s3_given.contains(&true) && self.s3().is_none() {
            return Err("s3_bucket, s3_endpoint, s3_access_key and s3_secret_key go together".into());
        }
        if let Some(e) = &self.s3_endpoint
            && !(e.starts_with("http://") || e.starts_with("https://"))
        {
            return Err("s3_endpoint must start with http:// or https://".into());
        }
        if let Some(url) = &self.basemap_url {
            crate::console::basemap_origin(url)?;
        }
        if let Some(url) = &self.database_url
            && !["postgres://", "postgresql://", "sqlite:"].iter().any(|p| url.0.starts_with(p))
        {
            return Err("database_url must start with postgres:// (or sqlite: for a specific file)".into());
        }
        Ok(())
    }

    /// The S3 settings, when photos go to an object store.
    pub fn s3(&self) -> Option<cases::storage::S3Settings> {
        Some(cases::storage::S3Settings {
            bucket: self.s3_bucket.clone()?,
            endpoint: self.s3_endpoint.clone()?,
            region: self.s3_region.clone(),
            access_key: self.s3_access_key.as_ref()?.0.clone(),
            secret_key: self.s3_secret_key.as_ref()?.0.clone(),
            path_style: self.s3_path_style,
        })
    }

    /// Whether the database is the embedded SQLite file.
    pub fn is_embedded(&self) -> bool {
        self.database_url.as_ref().is_none_or(|u| u.0.starts_with("sqlite:"))
    }

    /// The connection URL actually used.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.0.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("urbangrid.sqlite").display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        assert_eq!(Settings::default().validate(), Ok(()));
        assert!(Settings::default().is_embedded());
    }

    #[test]
    fn idempotency_keys_live_a_day_by_default_and_between_a_minute_and_thirty_days() {
        assert_eq!(Settings::default().idempotency_key_ttl_secs, 24 * 3600);
        for bad in [0, 59, 30 * 24 * 3600 + 1] {
            let s = Settings { idempotency_key_ttl_secs: bad, ..Settings::default() };
            assert!(s.validate().unwrap_err().contains("idempotency_key_ttl_secs"), "{bad}");
        }
        let s = Settings { idempotency_key_ttl_secs: 60, ..Settings::default() };
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn short_secret_is_refused() {
        let s = Settings { jwt_secret: Some(Secret("short".into())), ..Settings::default() };
        assert!(s.validate().unwrap_err().contains("jwt_secret"));
    }

    #[test]
    fn object_store_settings_go_together() {
        let half = Settings { s3_bucket: Some("photos".into()), ..Settings::default() };
        assert!(half.validate().unwrap_err().contains("s3_bucket"));
        let whole = Settings {
            s3_bucket: Some("photos".into()),
            s3_endpoint: Some("http://127.0.0.1:9000".into()),
            s3_access_key: Some(Secret("k".into())),
            s3_secret_key: Some(Secret("s".into())),
            ..Settings::default()
        };
        assert_eq!(whole.validate(), Ok(()));
        assert!(whole.s3().is_some());
    }

    #[test]
    fn secrets_are_not_printed() {
        let s = Settings { jwt_secret: Some(Secret("x".repeat(40))), ..Settings::default() };
        assert!(!format!("{s:?}").contains("xxxx"));
    }
}
