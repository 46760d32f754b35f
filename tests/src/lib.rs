//! The harness of the black-box tests: [`spawn_app`] starts the real server (the same
//! [`api::Application`] the binary runs) on a random port against a fresh database, and returns
//! a client that speaks HTTP to it.
//!
//! The database is an embedded SQLite file in a temporary directory, or — when
//! `URBANGRID_TEST_DATABASE_URL` names a PostgreSQL server (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) — a new database `ug_test_p<pid>_<uuid>` created
//! on it for this one test. Each test removes its database and directory when it ends; a run
//! removes only the databases of runs that are no longer alive, so runs may share a server. Logs
//! are silent unless `TEST_LOG` is set.

pub mod contract;

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use std::sync::Once;
use tokio::sync::OnceCell;

/// The password of the platform administrator in tests.
pub const ADMIN_PASSWORD: &str = "Platform-Root-2026!";
/// The password of every demo user in tests.
pub const DEMO_PASSWORD: &str = "Demo-Users-2026!";
/// The JWT secret of test servers (tests use it to forge tokens).
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

/// The demo tenants.
pub const CITY: &str = "320100";
pub const COUNTY_A: &str = "320115";
pub const COUNTY_B: &str = "320102";

const PG_ENV: &str = "URBANGRID_TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running test server and an HTTP client for it.
#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// The settings the server was started with.
    pub settings: api::Settings,
    /// Removes the test's database and directory once this server and its replicas are gone.
    _scratch: std::sync::Arc<Scratch>,
}

/// A response: status, headers and the JSON body (`Value::Null` when there is none).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// The `code` of a problem response.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// The fields named by a validation problem.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            api::telemetry::init("text");
        }
    });
}

/// The PostgreSQL server URL, when the suite runs on PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())
}

/// Replaces the database name of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix_end = base.find("://").map_or(0, |i| i + 3);
    let cut = base[prefix_end..].find('/').map_or(base.len(), |i| prefix_end + i);
    let mut out = format!("{}/{}", &base[..cut], name);
    if let Some(q) = query {
        out = format!("{out}?{q}");
    }
    out
}

/// What a test made outside the server and removes when it ends: its temporary directory and,
/// on PostgreSQL, its database. Shared by a test server and its replicas; the last one to go
/// drops it, even when the test panicked.
#[derive(Debug)]
pub struct Scratch {
    dir: std::path::PathBuf,
    database: Option<(String, String)>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let Some((server, name)) = self.database.take() else { return };
        // Drop runs inside the test's runtime, which cannot block on itself: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                if let Ok(admin) = Database::connect(&server).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    admin.close().await.ok();
                }
            });
        });
        let _ = dropped.join();
    }
}

/// This test process's prefix for its PostgreSQL databases: `ug_test_p<pid>_`. Several test
/// runs (CI, developers, benchmarks) may share one server; each removes only its own.
fn run_prefix() -> String {
    format!("ug_test_p{}_", std::process::id())
}

/// A new, empty database: its URL (`None` for SQLite, which the server creates in its data dir),
/// and the [`Scratch`] that removes it and the data directory when dropped.
pub async fn fresh_database() -> (Backend, Option<String>, std::path::PathBuf, std::sync::Arc<Scratch>) {
    let dir = std::env::temp_dir().join(format!("urbangrid-test-{}", uuid::Uuid::new_v4().simple()));
    let Some(server) = postgres_url() else {
        let scratch = std::sync::Arc::new(Scratch { dir: dir.clone(), database: None });
        return (Backend::Sqlite, None, dir, scratch);
    };
    static CLEANED: OnceCell<()> = OnceCell::const_new();
    CLEANED.get_or_init(|| drop_abandoned_databases(server.clone())).await;
    let name = format!("{}{}", run_prefix(), uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&server).await.unwrap_or_else(|e| panic!("connect {server}: {e}"));
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("create database: {e}"));
    admin.close().await.ok();
    let scratch = std::sync::Arc::new(Scratch { dir: dir.clone(), database: Some((server.clone(), name.clone())) });
    (Backend::Postgres, Some(with_database(&server, &name)), dir, scratch)
}

/// Drops test databases left by runs that were killed before their tests could drop them: those
/// whose process no longer exists on this machine. Other live runs' databases are left alone.
async fn drop_abandoned_databases(server: String) {
    let Ok(admin) = Database::connect(&server).await else { return };
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'ug\\_test\\_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else { continue };
        if !abandoned(&name) {
            continue;
        }
        let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
    admin.close().await.ok();
}

/// Whether a test database belongs to no running process: `ug_test_p<pid>_…` whose pid is gone,
/// or a name from before run prefixes.
fn abandoned(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("ug_test_p") else { return true };
    let Some((pid, _)) = rest.split_once('_') else { return true };
    match pid.parse::<u32>() {
        Ok(pid) => pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => true,
    }
}

/// Starts a server with the demo organisation on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// Starts a server, letting the test adjust the settings first.
pub async fn spawn_with(adjust: impl FnOnce(&mut api::Settings)) -> TestApp {
    init_logs();
    let (backend, database_url, data_dir, scratch) = fresh_database().await;
    let mut settings = api::Settings {
        bind: "127.0.0.1:0".into(),
        data_dir,
        database_url: database_url.map(api::config::Secret),
        db_max_connections: 5,
        jwt_secret: Some(api::config::Secret(JWT_SECRET.into())),
        admin_password: Some(api::config::Secret(ADMIN_PASSWORD.into())),
        demo: true,
        demo_password: Some(api::config::Secret(DEMO_PASSWORD.into())),
        demo_scale: "small".into(),
        ..api::Settings::default()
    };
    adjust(&mut settings);
    let app = api::Application::build(settings.clone()).await.unwrap_or_else(|e| panic!("server did not start: {e:#}"));
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp { base, client: reqwest::Client::new(), backend, settings, _scratch: scratch }
}

impl TestApp {
    /// A second server on the same database, as another replica behind a load balancer.
    pub async fn replica(&self) -> TestApp {
        let app = api::Application::build(self.settings.clone())
            .await
            .unwrap_or_else(|e| panic!("replica did not start: {e:#}"));
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: reqwest::Client::new(),
            backend: self.backend,
            settings: self.settings.clone(),
            _scratch: self._scratch.clone(),
        }
    }

    /// Sends a request; `token` becomes the bearer token, `body` the JSON body.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        let mut req = self.client.request(method.clone(), format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        if let Err(contract::Violation(v)) =
            contract::check(method.as_str(), path, status.as_u16(), content_type, &text)
        {
            // Strict (a failed test) when URBANGRID_CONTRACT=strict, as scripts/test runs it;
            // otherwise reported on stderr so a test being written still shows its own failure.
            if std::env::var("URBANGRID_CONTRACT").as_deref() == Ok("strict") {
                panic!("the response breaks the OpenAPI document: {v}");
            }
            eprintln!("CONTRACT VIOLATION: {v}");
        }
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }

    /// A GET answered as it comes — streams, downloads, headers — without the JSON reading and
    /// contract check of [`TestApp::get`].
    pub async fn get_raw(&self, path: &str, token: &str) -> reqwest::Response {
        let url = format!("{}{path}", self.base);
        self.client.get(&url).bearer_auth(token).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Logs in and returns the whole token response.
    pub async fn login_raw(&self, tenant: &str, username: &str, password: &str) -> Resp {
        let body = json!({"tenant_code": tenant, "username": username, "password": password});
        self.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await
    }

    /// Logs in (panicking on failure) and returns the access token.
    pub async fn login(&self, tenant: &str, username: &str, password: &str) -> String {
        let r = self.login_raw(tenant, username, password).await;
        assert_eq!(r.status, StatusCode::OK, "login {tenant}/{username}: {}", r.text);
        r.body["access_token"].as_str().unwrap_or_default().to_owned()
    }

    /// Logs in as a demo user.
    pub async fn demo(&self, tenant: &str, username: &str) -> String {
        self.login(tenant, username, DEMO_PASSWORD).await
    }

    /// The department of the user holding `token` (from `/api/v1/me`).
    pub async fn department_of(&self, token: &str) -> String {
        let me = self.get("/api/v1/me", token).await;
        me.body["user"]["department_id"].as_str().unwrap_or_else(|| panic!("no department: {}", me.text)).to_owned()
    }

    /// Uploads photo bytes to `county` as `token` (`POST …/photos`); returns the photo's id.
    pub async fn upload_photo(&self, county: &str, token: &str, bytes: Vec<u8>) -> String {
        let path = format!("/api/v1/tenants/{county}/photos");
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .body(bytes)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        body["id"].as_str().unwrap_or_else(|| panic!("no photo id: {text}")).to_owned()
    }

    /// Logs in as the platform administrator.
    pub async fn platform_admin(&self) -> String {
        self.login("000000", "admin", ADMIN_PASSWORD).await
    }

    /// Onboards a city under the platform with its administrator `admin`; returns the admin's token.
    pub async fn onboard_city(&self, code: &str, name: &str, admin_password: &str) -> String {
        let root = self.platform_admin().await;
        let r = self
            .post(
                "/api/v1/tenants/000000/children",
                &root,
                json!({"code": code, "name": name, "admin": {"username": "admin", "display_name": "管理员", "password": admin_password}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        self.login(code, "admin", admin_password).await
    }

    /// The id of a user of a tenant, by user name (as seen by `token`).
    pub async fn user_id(&self, tenant: &str, username: &str, token: &str) -> String {
        let r = self.get(&format!("/api/v1/tenants/{tenant}/users?limit=500"), token).await;
        r.body["items"]
            .as_array()
            .and_then(|a| a.iter().find(|u| u["username"] == username))
            .and_then(|u| u["id"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no user {username} in {tenant}: {}", r.text))
    }
}

impl TestApp {
    /// A direct connection to the server's database (for checks no API offers, e.g. tampering).
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        let url = match &self.settings.database_url {
            Some(u) => u.0.clone(),
            None => format!("sqlite://{}?mode=rw", self.settings.data_dir.join("urbangrid.sqlite").display()),
        };
        Database::connect(&url).await.unwrap_or_else(|e| panic!("connect {url}: {e}"))
    }
}

/// A valid 统一社会信用代码 for tests: the demo generator with a distinct serial.
pub fn uscc(tenant: &str, n: usize) -> String {
    tenancy::demo::demo_uscc(tenant, 9000 + n)
}

/// Panics if any object in the JSON `text` names a member twice. (`serde_json::Value` keeps the
/// last of duplicates silently; a typed client refuses the whole document.)
pub fn assert_unique_keys(text: &str) {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    struct Unique;
    impl<'de> Deserialize<'de> for Unique {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Unique)
        }
    }
    impl<'de> Visitor<'de> for Unique {
        type Value = Unique;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(A::Error::custom(format!("member `{key}` appears twice")));
                }
                map.next_value::<Unique>()?;
            }
            Ok(Unique)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
            while seq.next_element::<Unique>()?.is_some() {}
            Ok(Unique)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_unit<E>(self) -> Result<Unique, E> {
            Ok(Unique)
        }
    }
    if let Err(e) = serde_json::from_str::<Unique>(text) {
        panic!("{e} in {text}");
    }
}
