//! Building and running the server: the one constructor used by `main` and by the tests.

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use kernel::Error;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tenancy::session::AuthSettings;
use tenancy::token::TokenKeys;
use tenancy::{Authorizer, bootstrap};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::openapi::OpenApiJson;
use crate::state::AppState;

/// A server bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

/// Opens the database named by the settings (creating the embedded SQLite file) and migrates it.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    let url = settings.database_url();
    let mut opts = ConnectOptions::new(url);
    let wait = Duration::from_secs(settings.db_acquire_timeout_secs);
    opts.max_connections(settings.db_max_connections)
        .min_connections(1)
        .connect_timeout(wait)
        .acquire_timeout(wait)
        .sqlx_logging(false);
    // SQLite: write-ahead logging lets readers proceed during a write; writers wait their turn.
    opts.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
    });
    let db = Database::connect(opts).await?;
    use migrations::MigratorTrait;
    migrations::Migrator::up(&db, None).await?;
    Ok(db)
}

/// The case writer's pool: on PostgreSQL a connection per writer lane, each keeping many prepared
/// statements (batches of different sizes are different statements); on SQLite the main pool.
async fn connect_writer(settings: &Settings, db: &DatabaseConnection) -> anyhow::Result<DatabaseConnection> {
    if settings.is_embedded() {
        return Ok(db.clone());
    }
    let mut opts = ConnectOptions::new(settings.database_url());
    let wait = Duration::from_secs(settings.db_acquire_timeout_secs);
    opts.max_connections(cases::writer::LANES)
        .min_connections(cases::writer::LANES)
        .connect_timeout(wait)
        .acquire_timeout(wait)
        .sqlx_logging(false);
    opts.map_sqlx_postgres_opts(|o| o.statement_cache_capacity(1024));
    Ok(Database::connect(opts).await?)
}

fn token_keys(settings: &Settings) -> anyhow::Result<TokenKeys> {
    let secret = match &settings.jwt_secret {
        Some(s) => s.expose().as_bytes().to_vec(),
        None if settings.demo && settings.is_embedded() => {
            tracing::warn!(
                "no URBANGRID_JWT_SECRET: using a generated signing key (embedded demo only; tokens end with the process)"
            );
            let mut key = vec![0u8; 48];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
            key
        }
        None => anyhow::bail!(
            "URBANGRID_JWT_SECRET is required (at least 32 bytes); only `serve --demo` on the embedded database may run without it"
        ),
    };
    TokenKeys::hs256(&secret, settings.access_token_ttl_secs).map_err(anyhow::Error::msg)
}

impl Application {
    /// Connects, migrates, bootstraps, and binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let keys = token_keys(&settings)?;
        let db = connect(&settings).await?;
        if let Some(pw) = bootstrap::ensure_platform(&db, settings.admin_password.as_ref().map(|s| s.0.clone()))
            .await
            .map_err(describe)?
        {
            // Printed once, on the first start of an empty database.
            println!("Platform administrator created: tenant 000000, user admin, password {pw}");
        }
        if settings.demo {
            let (pw, generated) = match &settings.demo_password {
                Some(p) => (p.0.clone(), false),
                None => (bootstrap::random_password(), true),
            };
            if tenancy::demo::seed(&db, &pw).await.map_err(describe)? && generated {
                println!("Demo organisation seeded; every demo user's password is {pw}");
            }
        }
        inventory::catalog::seed(&db).await.map_err(describe)?;
        inventory::census::import::fail_interrupted(&db).await.map_err(describe)?;
        // Cases stored before timelines existed get theirs before any request is served.
        let filled = cases::timeline::backfill(&db).await.map_err(describe)?;
        if filled > 0 {
            tracing::info!(cases = filled, "case timelines filled from the event log");
        }
        if settings.demo {
            let scale = if settings.demo_scale == "small" {
                inventory::demo::Scale::SMALL
            } else {
                inventory::demo::Scale::FULL
            };
            inventory::demo::seed(&db, scale).await.map_err(describe)?;
            cases::dispatch::seed_demo(&db, &tenancy::demo::COUNTIES).await.map_err(describe)?;
            // A history to evaluate: the full demo's counties get three months of cases.
            if settings.demo_scale == "full" {
                let n = oversight::generate::seed_demo(&db, &tenancy::demo::COUNTIES, 1500, 90, chrono::Utc::now())
                    .await
                    .map_err(describe)?;
                if n > 0 {
                    tracing::info!(cases = n, "demo history generated");
                }
            }
        }
        let authz = Arc::new(Authorizer::load(&db).await.map_err(describe)?);
        let auth = Arc::new(AuthSettings {
            keys,
            refresh_ttl_secs: settings.refresh_token_ttl_secs,
            session_ttl_secs: settings.session_ttl_secs,
            max_failures_per_account: settings.login_max_failures_per_account,
            max_failures_per_source: settings.login_max_failures_per_source,
            failure_window_secs: settings.login_failure_window_secs,
        });
        let versions = tenancy::Versions::load(&db).await.map_err(describe)?;
        let grids = Arc::new(inventory::grid_cache::GridCache::new(versions.clone()));
        let writer_db = connect_writer(&settings, &db).await?;
        let recent = Arc::new(cases::recent::RecentCases::load(&db).await.map_err(describe)?);
        let intake = Arc::new(cases::intake::Service::start(
            db.clone(),
            writer_db,
            versions.clone(),
            grids.clone(),
            recent,
            cases::idempotency::Keys::new(settings.idempotency_key_ttl_secs, settings.clock.clone()),
        ));
        let photos = match settings.s3() {
            Some(s3) => cases::storage::PhotoStore::s3(&s3).map_err(describe)?,
            None => cases::storage::PhotoStore::disk(&settings.data_dir),
        };
        photos.check().await.map_err(describe)?;
        let state = AppState {
            photos,
            authn: Arc::new(tenancy::session::Authenticator::new(versions.clone())),
            versions,
            intake,
            db,
            authz,
            auth,
            trust_forwarded_for: settings.trust_forwarded_for,
            audit_retention_days: settings.audit_retention_days,
            grids,
            data_dir: settings.data_dir.clone(),
            max_import_bytes: settings.max_import_bytes,
            max_photo_bytes: settings.max_photo_bytes,
            public_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                std::num::NonZeroU32::new(settings.public_reports_per_minute).unwrap_or(std::num::NonZeroU32::MIN),
            ))),
            directory_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                crate::routes::auth::TENANT_SEARCHES_PER_MINUTE,
            ))),
            console: Arc::new(
                crate::console::ConsoleSettings::new(
                    settings.basemap_url.clone(),
                    settings.basemap_attribution.clone(),
                )
                .map_err(anyhow::Error::msg)?,
            ),
        };

        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        let server = run(listener, state.clone(), settings.shutdown_timeout_secs)?;
        tracing::info!(port, database = if settings.is_embedded() { "sqlite" } else { "postgres" }, "listening");
        Ok(Self { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs until stopped (SIGTERM/SIGINT stop gracefully), with the background upkeep.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let upkeep = tokio::spawn(upkeep(self.state.clone()));
        let result = self.server.await;
        upkeep.abort();
        result
    }
}

fn describe(e: Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Periodic work: pick up other replicas' changes (version counters, policies, cases for the
/// duplicate search), mark overdue cases, purge expired login data, idempotency records (at
/// start and every ten minutes) and old audit records.
async fn upkeep(state: AppState) {
    let mut ticks: u64 = 0;
    let mut interval = tokio::time::interval(tenancy::Versions::POLL_INTERVAL);
    let per_second = (1000 / tenancy::Versions::POLL_INTERVAL.as_millis()).max(1) as u64;
    let policy_every = Authorizer::POLL_INTERVAL.as_secs().max(1) * per_second;
    let catch_up_every =
        (cases::recent::CATCH_UP_EVERY.as_millis() / tenancy::Versions::POLL_INTERVAL.as_millis()).max(1) as u64;
    loop {
        interval.tick().await;
        ticks += 1;
        if let Err(e) = state.versions.refresh(&state.db).await {
            tracing::warn!(error = %e, "reading version counters failed");
        }
        if ticks.is_multiple_of(policy_every)
            && let Err(e) = state.authz.reload_if_changed(&state.db).await
        {
            tracing::warn!(error = %e, "policy reload failed");
        }
        if ticks.is_multiple_of(catch_up_every)
            && let Err(e) = state.intake.recent().catch_up(&state.db).await
        {
            tracing::warn!(error = %e, "reading other replicas' case changes failed");
        }
        if ticks.is_multiple_of(30 * per_second)
            && let Err(e) =
                cases::overdue::sweep(&state.db, Some(state.intake.recent().replica()), chrono::Utc::now()).await
        {
            tracing::warn!(error = %e, "overdue sweep failed");
        }
        if ticks.is_multiple_of(30 * per_second)
            && let Err(e) = cases::overdue::warn(&state.db, chrono::Utc::now()).await
        {
            tracing::warn!(error = %e, "yellow deadline pass failed");
        }
        if ticks.is_multiple_of(600 * per_second)
            && let Err(e) = tenancy::session::purge_expired(&state.db, &state.auth).await
        {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
        if ticks == 1 || ticks.is_multiple_of(600 * per_second) {
            match cases::idempotency::purge(&state.db, state.intake.keys()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(records = n, "expired idempotency records purged"),
                Err(e) => tracing::warn!(error = %e, "purging expired idempotency records failed"),
            }
        }
        if ticks.is_multiple_of(600 * per_second) {
            match tenancy::audit::purge(&state.db, state.audit_retention_days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(records = n, "audit records past their retention purged"),
                Err(e) => tracing::warn!(error = %e, "purging old audit records failed"),
            }
        }
    }
}

fn run(listener: TcpListener, state: AppState, shutdown_timeout: u64) -> std::io::Result<Server> {
    let doc = OpenApiJson(crate::openapi::document_json());
    let spec: utoipa::openapi::OpenApi = crate::openapi::document();
    let known = web::Data::new(crate::fallback::KnownPaths::from_document(
        &serde_json::to_value(&spec).map_err(std::io::Error::other)?,
    ));
    let server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .app_data(web::Data::new(state.clone()))
            .app_data(web::Data::new(doc.clone()))
            .app_data(crate::extract::query_config())
            .app_data(crate::extract::path_config())
            .app_data(web::PayloadConfig::new(crate::extract::MAX_JSON_BYTES))
            .configure(crate::routes::configure)
            .service(crate::openapi::openapi_json)
            .split_for_parts();
        app.wrap(from_fn(crate::auth::authenticate))
            .wrap(from_fn(crate::extract::screen))
            .wrap(from_fn(crate::telemetry::trace_request))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", spec.clone()))
            .service(web::redirect("/docs", "/docs/"))
            .configure(crate::console::configure)
            .app_data(known.clone())
            .default_service(web::to(crate::fallback::answer))
    })
    .listen(listener)?
    .shutdown_timeout(shutdown_timeout)
    .run();
    Ok(server)
}

/// The evaluation benchmark's data: the demo city with `counties` counties (a frame of 480 unit
/// grids each, no census) and `cases` generated histories over the `days` before now, written
/// county by county.
pub async fn generate_history(settings: &Settings, counties: usize, cases: usize, days: i64) -> anyhow::Result<usize> {
    let db = connect(settings).await?;
    bootstrap::ensure_platform(&db, None).await.map_err(describe)?;
    let all: Vec<(&'static str, &'static str)> = tenancy::demo::COUNTIES
        .iter()
        .chain(tenancy::demo::MORE_COUNTIES.iter())
        .copied()
        .take(counties.clamp(1, 10))
        .collect();
    let password = settings.demo_password.as_ref().map(|p| p.0.clone()).unwrap_or_else(bootstrap::random_password);
    if tenancy::demo::seed_with(&db, &password, &all).await.map_err(describe)? {
        println!("demo users' password: {password}");
    }
    inventory::catalog::seed(&db).await.map_err(describe)?;
    let scale =
        inventory::demo::Scale { streets: 6, communities_per_street: 8, grids_per_community: 10, components: 0 };
    inventory::demo::seed_counties(&db, scale, &all).await.map_err(describe)?;
    let per_county = cases / all.len();
    let until = chrono::Utc::now();
    let mut written = 0;
    for (i, &(code, _)) in all.iter().enumerate() {
        // The benchmark's history is written without a caller: its own named system scope.
        let Some(system) =
            tenancy::SystemScope::by_code(&db, tenancy::Job::BenchmarkHistory, code).await.map_err(describe)?
        else {
            continue;
        };
        let tenant = system.tenant();
        let started = std::time::Instant::now();
        let from = until - chrono::Duration::days(days);
        let n = oversight::generate::seed_county(&db, tenant, 7 + i as u64, from, until, per_county)
            .await
            .map_err(describe)?;
        tracing::info!(county = code, cases = n, secs = started.elapsed().as_secs(), "history written");
        written += n;
    }
    Ok(written)
}
