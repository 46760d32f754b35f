//! Bulk census imports as background jobs.
//!
//! The upload is first stored as a file; a job then reads it as a stream (CSV rows, or the
//! features of a GeoJSON FeatureCollection, parsed one at a time on a blocking thread and handed
//! over through a bounded channel), validates every record and writes valid ones in batches.
//! Memory stays flat in the size of the file: one batch, the tenant's grid index and the first
//! [`MAX_REPORTED_ERRORS`] errors are all it holds.
//!
//! Modes: `all_or_nothing` (default) validates the whole file first and writes only if no record
//! is bad; `partial` writes the good records and reports the bad ones; `dry_run` validates only.
//! Progress (rows read, valid, written, failed) is stored after every batch for the caller to
//! poll. A job belongs to the process that received the file; jobs cut off by a restart are
//! marked failed at the next start.

use chrono::Utc;
use kernel::{Error, FieldError, Result};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;
use tenancy::TenantScope;
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::fields::{Field, recognise};
use super::store::Author;
use super::validate::ValidComponent;
use super::validate::{Context, RawRecord, validate};
use crate::db::OrInternal;
use crate::entity::{community, import_job, street};
use crate::grid_cache::GridCache;

pub const MAX_REPORTED_ERRORS: usize = 1000;
/// Records per write (PostgreSQL's COPY path takes larger batches well).
const BATCH: usize = 1000;
const PG_BATCH: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ImportFormat)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Geojson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Write nothing if any record is bad.
    #[default]
    AllOrNothing,
    /// Write the good records, report the bad ones.
    Partial,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `csv` (default) or `geojson`.
    pub format: Option<Format>,
    /// `all_or_nothing` (default) or `partial`.
    pub mode: Option<Mode>,
    /// Validate only; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    /// Finished, but bad records stopped an all-or-nothing import, or the job broke off.
    Failed,
}

impl JobStatus {
    fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> JobStatus {
        match s {
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "failed" => JobStatus::Failed,
            _ => JobStatus::Queued,
        }
    }
}

/// One bad record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    /// The line of the CSV file (header = line 1), or the feature's position (from 0) in GeoJSON.
    pub line: u64,
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJob {
    pub id: Uuid,
    pub status: JobStatus,
    pub format: Format,
    pub mode: Mode,
    pub dry_run: bool,
    pub rows_read: i64,
    pub rows_valid: i64,
    /// Rows created or changed (unchanged rows are not rewritten).
    pub rows_written: i64,
    pub rows_failed: i64,
    /// The first 1,000 errors.
    pub errors: Vec<RowError>,
    pub message: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub started_at: Option<chrono::DateTime<Utc>>,
    pub finished_at: Option<chrono::DateTime<Utc>>,
}

fn view(m: import_job::Model) -> ImportJob {
    ImportJob {
        id: m.id,
        status: JobStatus::parse(&m.status),
        format: if m.format == "geojson" { Format::Geojson } else { Format::Csv },
        mode: if m.mode == "partial" { Mode::Partial } else { Mode::AllOrNothing },
        dry_run: m.dry_run,
        rows_read: m.rows_read,
        rows_valid: m.rows_valid,
        rows_written: m.rows_written,
        rows_failed: m.rows_failed,
        errors: serde_json::from_str(&m.errors).unwrap_or_default(),
        message: m.message,
        created_at: m.created_at,
        started_at: m.started_at,
        finished_at: m.finished_at,
    }
}

/// Records a new job for a stored upload.
pub async fn create_job(
    db: &DatabaseConnection,
    scope: &TenantScope,
    id: Uuid,
    file: PathBuf,
    q: &ImportQuery,
) -> Result<ImportJob> {
    let m = import_job::ActiveModel {
        id: Set(id),
        tenant_id: Set(scope.tenant_id().0),
        kind: Set("census".into()),
        format: Set(match q.format.unwrap_or(Format::Csv) {
            Format::Csv => "csv",
            Format::Geojson => "geojson",
        }
        .into()),
        mode: Set(match q.mode.unwrap_or_default() {
            Mode::AllOrNothing => "all_or_nothing",
            Mode::Partial => "partial",
        }
        .into()),
        dry_run: Set(q.dry_run),
        status: Set(JobStatus::Queued.as_str().into()),
        file_path: Set(file.to_string_lossy().into_owned()),
        rows_read: Set(0),
        rows_valid: Set(0),
        rows_written: Set(0),
        rows_failed: Set(0),
        errors: Set("[]".into()),
        message: Set(None),
        created_by: Set(Some(scope.principal().user_id.0)),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
    };
    let m = import_job::Entity::insert(m).exec_with_returning(db).await.or_internal()?;
    Ok(view(m))
}

pub async fn get_job(db: &DatabaseConnection, scope: &TenantScope, id: Uuid) -> Result<ImportJob> {
    import_job::Entity::find_by_id(id)
        .filter(import_job::Column::TenantId.eq(scope.tenant_id().0))
        .one(db)
        .await
        .or_internal()?
        .map(view)
        .ok_or_else(|| Error::not_found("import job"))
}

/// Marks jobs that were running when the process stopped as failed.
pub async fn fail_interrupted(db: &DatabaseConnection) -> Result<()> {
    import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, Expr::value(JobStatus::Failed.as_str()))
        .col_expr(
            import_job::Column::Message,
            Expr::value(Some("interrupted by a server restart; upload the file again")),
        )
        .col_expr(import_job::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .filter(import_job::Column::Status.is_in([JobStatus::Queued.as_str(), JobStatus::Running.as_str()]))
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

/// Builds the validation context of a tenant.
pub async fn context(db: &DatabaseConnection, cache: &GridCache, scope: &TenantScope) -> Result<Context> {
    let tenant = scope.tenant_id().0;
    Ok(Context {
        tenant_code: scope.tenant().code.to_string(),
        classes: crate::catalog::visible_classes(db, scope, crate::catalog::Kind::Component).await?,
        legacy: crate::catalog::legacy_component_map(db).await?,
        grids: cache.get(db, scope.tenant_id(), scope.tenant().code.as_str()).await?,
        street_names: street::Entity::find()
            .filter(street::Column::TenantId.eq(tenant))
            .all(db)
            .await
            .or_internal()?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect(),
        community_names: community::Entity::find()
            .filter(community::Column::TenantId.eq(tenant))
            .all(db)
            .await
            .or_internal()?
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect(),
    })
}

/// A record with its position, or a problem with the file itself.
type Item = std::result::Result<(u64, RawRecord), String>;

/// Reads a CSV file on the calling (blocking) thread, sending records into `tx`.
fn read_csv(path: PathBuf, tx: mpsc::Sender<Item>) {
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            let _ = tx.blocking_send(Err(format!("cannot open the upload: {e}")));
            return;
        }
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::with_capacity(1 << 16, file));
    let headers: Vec<(Option<Field>, String)> = match reader.headers() {
        Ok(h) => {
            h.iter().map(|name| (recognise(name), name.trim_start_matches('\u{feff}').trim().to_owned())).collect()
        }
        Err(e) => {
            let _ = tx.blocking_send(Err(format!("the header row cannot be read: {e}")));
            return;
        }
    };
    if !headers.iter().any(|(f, _)| *f == Some(Field::ComponentId)) {
        let _ = tx.blocking_send(Err("no component id column (component_id, GLBJBSM or 管理部件标识码)".into()));
        return;
    }
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                let mut raw = RawRecord::default();
                for ((field, name), value) in headers.iter().zip(record.iter()) {
                    match field {
                        Some(f) => {
                            raw.fields.insert(*f, value.to_owned());
                        }
                        None if !value.trim().is_empty() => {
                            raw.extra.insert(name.clone(), Value::String(value.trim().to_owned()));
                        }
                        None => {}
                    }
                }
                if tx.blocking_send(Ok((line, raw))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.blocking_send(Err(format!("the file cannot be read as CSV: {e}")));
                return;
            }
        }
    }
}

/// A GeoJSON feature's properties and geometry as a raw record.
pub fn feature_record(properties: Map<String, Value>, geometry: Option<Value>) -> RawRecord {
    let mut raw = RawRecord { geometry, ..RawRecord::default() };
    for (k, v) in properties {
        let text = match &v {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        match recognise(&k) {
            Some(f) => {
                raw.fields.insert(f, text);
            }
            None => {
                raw.extra.insert(k, v);
            }
        }
    }
    raw
}

/// Streams the features of a FeatureCollection one at a time (the collection is never held whole).
fn read_geojson(path: PathBuf, tx: mpsc::Sender<Item>) {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    #[derive(Deserialize)]
    struct Feature {
        #[serde(default)]
        properties: Option<Map<String, Value>>,
        #[serde(default)]
        geometry: Option<Value>,
    }
    struct Features<'a>(&'a mpsc::Sender<Item>);
    impl<'de> Visitor<'de> for Features<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of features")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            let mut index = 0u64;
            while let Some(feature) = seq.next_element::<Feature>()? {
                let raw = feature_record(feature.properties.unwrap_or_default(), feature.geometry);
                if self.0.blocking_send(Ok((index, raw))).is_err() {
                    return Ok(());
                }
                index += 1;
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Features<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    struct Collection<'a>(&'a mpsc::Sender<Item>);
    impl<'de> Visitor<'de> for Collection<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a GeoJSON FeatureCollection")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<bool, A::Error> {
            let mut found = false;
            while let Some(key) = map.next_key::<String>()? {
                if key == "features" {
                    map.next_value_seed(Features(self.0))?;
                    found = true;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            let _ = tx.blocking_send(Err(format!("cannot open the upload: {e}")));
            return;
        }
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
    match de.deserialize_map(Collection(&tx)) {
        Ok(true) => {}
        Ok(false) => {
            let _ = tx.blocking_send(Err("the document has no `features` array".into()));
        }
        Err(e) => {
            let _ = tx.blocking_send(Err(format!("the file is not a GeoJSON FeatureCollection: {e}")));
        }
    }
}

fn reader(format: Format, path: PathBuf) -> mpsc::Receiver<Item> {
    let (tx, rx) = mpsc::channel(2 * BATCH);
    tokio::task::spawn_blocking(move || match format {
        Format::Csv => read_csv(path, tx),
        Format::Geojson => read_geojson(path, tx),
    });
    rx
}

#[derive(Default)]
struct Progress {
    read: i64,
    valid: i64,
    written: i64,
    failed: i64,
    errors: Vec<RowError>,
}

impl Progress {
    fn fail(&mut self, line: u64, errors: Vec<FieldError>) {
        self.failed += 1;
        for e in errors {
            if self.errors.len() < MAX_REPORTED_ERRORS {
                self.errors.push(RowError { line, field: e.field, reason: e.reason });
            }
        }
    }
}

async fn save_progress(db: &DatabaseConnection, id: Uuid, p: &Progress) -> Result<()> {
    import_job::Entity::update_many()
        .col_expr(import_job::Column::RowsRead, Expr::value(p.read))
        .col_expr(import_job::Column::RowsValid, Expr::value(p.valid))
        .col_expr(import_job::Column::RowsWritten, Expr::value(p.written))
        .col_expr(import_job::Column::RowsFailed, Expr::value(p.failed))
        .col_expr(import_job::Column::Errors, Expr::value(serde_json::to_string(&p.errors).unwrap_or_default()))
        .filter(import_job::Column::Id.eq(id))
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

async fn finish(db: &DatabaseConnection, id: Uuid, status: JobStatus, message: Option<String>) -> Result<()> {
    import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, Expr::value(status.as_str()))
        .col_expr(import_job::Column::Message, Expr::value(message))
        .col_expr(import_job::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .filter(import_job::Column::Id.eq(id))
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

/// Writes a batch: through COPY on PostgreSQL (straight inserts while the county's census was
/// empty at the start, staged upserts otherwise), through batched upserts elsewhere.
async fn write_batch(
    db: &DatabaseConnection,
    tenant: Uuid,
    batch: Vec<ValidComponent>,
    author: Author,
    fresh: bool,
) -> Result<usize> {
    match (db.get_database_backend(), fresh) {
        (sea_orm::DbBackend::Postgres, true) => super::store_pg::insert_new_batch(db, tenant, batch, author).await,
        (sea_orm::DbBackend::Postgres, false) => super::store_pg::upsert_batch(db, tenant, batch, author).await,
        _ => super::store::upsert_batch(db, tenant, batch, author).await,
    }
}

/// Parallel writers. A component always goes to the same lane (by a hash of its id); each lane
/// is one writer task that takes batches from a short queue and writes them in order, so
/// repeated ids end as their last row, while validation goes on and the lanes use several
/// database connections (and cores) at once.
struct Lanes {
    size: usize,
    buffers: Vec<Vec<ValidComponent>>,
    queues: Vec<mpsc::Sender<Vec<ValidComponent>>>,
    writers: Vec<tokio::task::JoinHandle<Result<()>>>,
    /// Rows written so far, by every lane.
    written: Arc<std::sync::atomic::AtomicI64>,
}

impl Lanes {
    fn new(count: usize, size: usize, db: &DatabaseConnection, tenant: Uuid, author: Author, fresh: bool) -> Self {
        let written = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let mut queues = Vec::with_capacity(count);
        let mut writers = Vec::with_capacity(count);
        for _ in 0..count {
            let (tx, mut rx) = mpsc::channel::<Vec<ValidComponent>>(2);
            let (db, written) = (db.clone(), written.clone());
            writers.push(tokio::spawn(async move {
                while let Some(rows) = rx.recv().await {
                    let n = write_batch(&db, tenant, rows, author, fresh).await?;
                    written.fetch_add(n as i64, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(())
            }));
            queues.push(tx);
        }
        Self { size, buffers: (0..count).map(|_| Vec::with_capacity(size)).collect(), queues, writers, written }
    }

    fn written(&self) -> i64 {
        self.written.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Adds a row; hands a full batch to its lane (waiting while that lane is two batches behind).
    async fn push(&mut self, v: ValidComponent) -> Result<()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        v.component_id.hash(&mut h);
        let lane = (h.finish() as usize) % self.buffers.len();
        let Some(buffer) = self.buffers.get_mut(lane) else { return Ok(()) };
        buffer.push(v);
        if buffer.len() >= self.size {
            let rows = std::mem::replace(buffer, Vec::with_capacity(self.size));
            self.send(lane, rows).await?;
        }
        Ok(())
    }

    async fn send(&mut self, lane: usize, rows: Vec<ValidComponent>) -> Result<()> {
        let Some(queue) = self.queues.get(lane) else { return Ok(()) };
        if queue.send(rows).await.is_err() {
            // The writer stopped on an error; `finish` reports it.
            return Ok(());
        }
        Ok(())
    }

    /// Writes what is left, waits for every writer, and returns the rows written.
    async fn finish(mut self) -> Result<i64> {
        let leftovers: Vec<(usize, Vec<ValidComponent>)> = self
            .buffers
            .iter_mut()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .map(|(i, b)| (i, std::mem::take(b)))
            .collect();
        for (lane, rows) in leftovers {
            self.send(lane, rows).await?;
        }
        self.queues.clear();
        for w in std::mem::take(&mut self.writers) {
            w.await.map_err(Error::internal)??;
        }
        Ok(self.written())
    }
}

/// One pass over the file: validates every record and, when `write`, stores the valid ones.
async fn pass(
    db: &DatabaseConnection,
    ctx: &Context,
    job: &import_job::Model,
    format: Format,
    write: bool,
    p: &mut Progress,
) -> Result<std::result::Result<(), String>> {
    let mut rx = reader(format, PathBuf::from(&job.file_path));
    let author = Author { actor: job.created_by, job: Some(job.id) };
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let fresh = write
        && crate::entity::component::Entity::find()
            .filter(crate::entity::component::Column::TenantId.eq(job.tenant_id))
            .one(db)
            .await
            .or_internal()?
            .is_none();
    let (count, size) = if postgres { (2, PG_BATCH) } else { (1, BATCH) };
    let mut lanes = Lanes::new(count, size, db, job.tenant_id, author, fresh);
    let mut next_analyze = 10_000i64;
    let mut last_saved = std::time::Instant::now();
    while let Some(item) = rx.recv().await {
        let (line, raw) = match item {
            Ok(r) => r,
            Err(reason) => {
                p.written = lanes.finish().await?;
                return Ok(Err(reason));
            }
        };
        p.read += 1;
        match validate(&raw, ctx) {
            Ok(v) => {
                p.valid += 1;
                if write {
                    lanes.push(v).await?;
                }
            }
            Err(errors) => p.fail(line, errors),
        }
        // Progress is stored at most once a second: often enough to poll, cheap on the hot path.
        if p.read % BATCH as i64 == 0 && last_saved.elapsed() >= std::time::Duration::from_secs(1) {
            last_saved = std::time::Instant::now();
            p.written = lanes.written();
            // Bulk upserts change the tables faster than autovacuum notices.
            if postgres && !fresh && p.written >= next_analyze {
                super::store_pg::analyze(db).await?;
                next_analyze *= 4;
            }
            save_progress(db, job.id, p).await?;
        }
    }
    p.written = lanes.finish().await?;
    save_progress(db, job.id, p).await?;
    Ok(Ok(()))
}

async fn run(db: DatabaseConnection, cache: Arc<GridCache>, scope: TenantScope, id: Uuid) -> Result<()> {
    let job = import_job::Entity::find_by_id(id)
        .one(&db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("import job"))?;
    import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, Expr::value(JobStatus::Running.as_str()))
        .col_expr(import_job::Column::StartedAt, Expr::value(Some(Utc::now())))
        .filter(import_job::Column::Id.eq(id))
        .exec(&db)
        .await
        .or_internal()?;
    let ctx = context(&db, &cache, &scope).await?;
    let format = if job.format == "geojson" { Format::Geojson } else { Format::Csv };
    let partial = job.mode == "partial";
    let started = std::time::Instant::now();
    let mut p = Progress::default();
    // Validate everything first unless bad records may be skipped.
    let first_pass_writes = partial && !job.dry_run;
    if let Err(reason) = pass(&db, &ctx, &job, format, first_pass_writes, &mut p).await? {
        return finish(&db, id, JobStatus::Failed, Some(reason)).await;
    }
    let outcome = if job.dry_run {
        (JobStatus::Succeeded, format!("dry run: {} of {} records valid; nothing written", p.valid, p.read))
    } else if partial {
        (JobStatus::Succeeded, format!("{} records written, {} skipped", p.written, p.failed))
    } else if p.failed > 0 {
        (JobStatus::Failed, format!("{} of {} records are invalid; nothing was written", p.failed, p.read))
    } else {
        let mut second = Progress { errors: p.errors.clone(), ..Progress::default() };
        if let Err(reason) = pass(&db, &ctx, &job, format, true, &mut second).await? {
            return finish(&db, id, JobStatus::Failed, Some(reason)).await;
        }
        p = second;
        (JobStatus::Succeeded, format!("{} records read, {} created or changed", p.read, p.written))
    };
    tracing::info!(job = %id, rows = p.read, written = p.written, failed = p.failed, secs = started.elapsed().as_secs_f64(), "census import finished");
    finish(&db, id, outcome.0, Some(outcome.1)).await?;
    if let Err(e) = std::fs::remove_file(&job.file_path) {
        tracing::warn!(job = %id, error = %e, "could not remove the upload");
    }
    Ok(())
}

/// Runs a job in the background.
pub fn spawn(db: DatabaseConnection, cache: Arc<GridCache>, scope: TenantScope, id: Uuid) {
    tokio::spawn(async move {
        if let Err(e) = run(db.clone(), cache, scope, id).await {
            tracing::error!(job = %id, error = %e, "census import failed");
            let _ = finish(&db, id, JobStatus::Failed, Some("internal error; see the server log".into())).await;
        }
    });
}
