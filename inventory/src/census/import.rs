//! Bulk census imports as background jobs.
//!
//! The upload is first stored as a file; a job then reads it as a stream (CSV rows, or the
//! features of a GeoJSON FeatureCollection, parsed one at a time on a blocking thread and handed
//! over through a bounded channel), validates every record and writes valid ones in batches.
//! Memory stays flat in the size of the file: one batch, the tenant's grid index and the first
//! [`MAX_REPORTED_ERRORS`] errors are all it holds.
//!
//! Modes: `all_or_nothing` (default) writes the whole file in one transaction and commits it
//! only if no record is bad, so a bad record, a broken file or a database failure part-way leaves
//! the census exactly as it was; `partial` writes the good records batch by batch, committed in
//! file order, and says up to which line they are stored; `dry_run` validates only. An id
//! repeated within the file is an error on both lines (a later row never silently overwrites an
//! earlier one). Progress (rows read, valid, written, failed) only grows, and is stored a few
//! times a second for the caller to poll. A job belongs to the process that received the file; jobs cut off by a restart are
//! marked failed at the next start.

use chrono::Utc;
use kernel::{Error, FieldError, Result};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;
use tenancy::TenantOwned;
use tenancy::{TenantRef, TenantScope};
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::fields::{Field, recognise};
use super::sheet::{SheetItem, TextEncoding};
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
    /// The first sheet of an Excel workbook (header row first, like CSV).
    Xlsx,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Geojson => "geojson",
            Format::Xlsx => "xlsx",
        }
    }

    fn parse(s: &str) -> Format {
        match s {
            "geojson" => Format::Geojson,
            "xlsx" => Format::Xlsx,
            _ => Format::Csv,
        }
    }
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
    /// `csv`, `xlsx` or `geojson`. Without it, an upload that is a ZIP container (or sent as
    /// the XLSX content type) is read as XLSX, anything else as CSV.
    pub format: Option<Format>,
    /// The text encoding of a CSV upload: `utf-8` or `gb18030` (also accepted as `gbk` or
    /// `gb2312`: GB18030 is their superset, what Excel on Chinese Windows saves as "CSV").
    /// Without it the encoding is detected: UTF-8 if the file starts with a byte-order mark or
    /// is valid UTF-8, GB18030 otherwise.
    pub encoding: Option<TextEncoding>,
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
    /// The encoding a CSV upload was read in (given or detected); absent for XLSX and GeoJSON.
    pub encoding: Option<TextEncoding>,
    pub rows_read: i64,
    pub rows_valid: i64,
    /// Rows created or changed (unchanged rows are not rewritten).
    pub rows_written: i64,
    pub rows_failed: i64,
    /// Every valid record up to and including this line (CSV; the feature index in GeoJSON) is
    /// stored, and none after it: `partial` writes batch by batch in file order, so even a job
    /// that broke off says exactly which records it wrote. For `all_or_nothing`, set only once
    /// the whole file is committed.
    pub written_through_line: Option<i64>,
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
        format: Format::parse(&m.format),
        encoding: m.encoding.as_deref().and_then(TextEncoding::parse),
        mode: if m.mode == "partial" { Mode::Partial } else { Mode::AllOrNothing },
        dry_run: m.dry_run,
        rows_read: m.rows_read,
        rows_valid: m.rows_valid,
        rows_written: m.rows_written,
        rows_failed: m.rows_failed,
        written_through_line: m.written_through_line,
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
    xlsx_content_type: bool,
) -> Result<ImportJob> {
    // Sniffing reads the file's first bytes: off the async worker.
    let (format, encoding) = {
        let (file, q) = (file.clone(), q.clone());
        tokio::task::spawn_blocking(move || {
            let format = match q.format {
                Some(f) => f,
                None if xlsx_content_type || super::sheet::is_zip(&file) => Format::Xlsx,
                None => Format::Csv,
            };
            let encoding = match (format, q.encoding) {
                (Format::Csv, Some(e)) => Some(e),
                (Format::Csv, None) => Some(super::sheet::detect(&file).unwrap_or(TextEncoding::Utf8)),
                _ => None,
            };
            (format, encoding)
        })
        .await
        .map_err(Error::internal)?
    };
    let m = import_job::ActiveModel {
        id: Set(id),
        tenant_id: Set(scope.tenant_id().0),
        kind: Set("census".into()),
        format: Set(format.as_str().into()),
        encoding: Set(encoding.map(|e| e.as_str().to_owned())),
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
        written_through_line: Set(None),
        errors: Set("[]".into()),
        message: Set(None),
        created_by: Set(Some(scope.principal().user_id().0)),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
    };
    let m = import_job::Entity::insert(m).exec_with_returning(db).await.or_internal()?;
    Ok(view(m))
}

pub async fn get_job(db: &DatabaseConnection, scope: &TenantScope, id: Uuid) -> Result<ImportJob> {
    import_job::Entity::find_by_id_in(scope, id)
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
    Ok(Context {
        tenant_code: scope.tenant().code().to_string(),
        classes: crate::catalog::visible_classes(db, scope, crate::catalog::Kind::Component).await?,
        legacy: crate::catalog::legacy_component_map(db).await?,
        grids: cache.get(db, scope.tenant()).await?,
        street_names: street::Entity::find_in(scope)
            .all(db)
            .await
            .or_internal()?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect(),
        community_names: community::Entity::find_in(scope)
            .all(db)
            .await
            .or_internal()?
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect(),
    })
}

/// A record's position and its validation outcome, or a problem with the file itself.
type Item = std::result::Result<(u64, Checked), String>;
type Checked = std::result::Result<ValidComponent, Vec<FieldError>>;

/// The reading end on the blocking thread: maps columns to fields, validates each record there
/// (validation is the CPU-heavy part of an import; it must not run on an HTTP worker), and hands
/// the outcome over.
struct Sink {
    tx: mpsc::Sender<Item>,
    ctx: Arc<Context>,
}

impl Sink {
    fn fail(&self, reason: String) {
        let _ = self.tx.blocking_send(Err(reason));
    }

    /// Validates and sends one record; false when the job stopped listening.
    fn send(&self, line: u64, raw: RawRecord) -> bool {
        let checked = validate(&raw, &self.ctx);
        self.tx.blocking_send(Ok((line, checked))).is_ok()
    }
}

/// The columns of a tabular file (CSV, XLSX), recognised once from its header row.
struct Columns(Vec<(Option<Field>, String)>);

impl Columns {
    fn new<'a>(names: impl Iterator<Item = &'a str>) -> std::result::Result<Columns, String> {
        let columns: Vec<(Option<Field>, String)> =
            names.map(|name| (recognise(name), name.trim_start_matches('\u{feff}').trim().to_owned())).collect();
        if !columns.iter().any(|(f, _)| *f == Some(Field::ComponentId)) {
            return Err("no component id column (component_id, GLBJBSM or 管理部件标识码)".into());
        }
        Ok(Columns(columns))
    }

    /// The record of one row; `None` for a row with nothing in it (spreadsheets and CSV files
    /// saved from them end with such rows).
    fn record<'a>(&self, values: impl Iterator<Item = &'a str>) -> Option<RawRecord> {
        let mut raw = RawRecord::default();
        let mut any = false;
        for ((field, name), value) in self.0.iter().zip(values) {
            if value.trim().is_empty() {
                continue;
            }
            any = true;
            match field {
                Some(f) => {
                    raw.fields.insert(*f, value.to_owned());
                }
                None => {
                    raw.extra.insert(name.clone(), Value::String(value.trim().to_owned()));
                }
            }
        }
        any.then_some(raw)
    }
}

/// Counts lines under a CSV reader. The csv crate's own line count is not the physical line: it
/// is taken before the LF of a CRLF is consumed (one too low for every record of a CRLF file),
/// and a record's start offset includes the blank lines skipped before it. So this wrapper notes
/// where each LF passes through; a record ends on the line after the LFs before its last byte,
/// and begins as many lines earlier as it has line breaks inside quoted fields.
struct Lines<R> {
    inner: R,
    offset: u64,
    /// Offsets of LFs read but not yet passed by a record (bounded by the csv buffer).
    pending: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u64>>>,
}

impl<R: std::io::Read> std::io::Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut pending = self.pending.borrow_mut();
        for (i, b) in buf.iter().take(n).enumerate() {
            if *b == b'\n' {
                pending.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The physical line of each record, asked in file order.
struct LineCounter {
    pending: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u64>>>,
    passed: u64,
}

impl LineCounter {
    fn wrap<R>(inner: R) -> (Lines<R>, LineCounter) {
        let pending = std::rc::Rc::new(std::cell::RefCell::new(std::collections::VecDeque::new()));
        (Lines { inner, offset: 0, pending: pending.clone() }, LineCounter { pending, passed: 0 })
    }

    /// The line on which a record begins, given the reader's offset just after it (its
    /// terminator, or part of a CRLF, consumed or not) and its line breaks inside fields.
    fn line_of(&mut self, end: u64, inner_breaks: u64) -> u64 {
        let last = end.saturating_sub(1);
        let mut pending = self.pending.borrow_mut();
        while pending.front().is_some_and(|lf| *lf < last) {
            pending.pop_front();
            self.passed += 1;
        }
        (self.passed + 1).saturating_sub(inner_breaks)
    }
}

/// Calls `row` with each record of a CSV text and its physical line (the header is line 1).
fn csv_rows<T>(
    input: impl std::io::Read,
    header: impl FnOnce(&csv::StringRecord) -> Option<T>,
    mut row: impl FnMut(&T, u64, &csv::StringRecord) -> bool,
) -> std::result::Result<(), String> {
    let (input, mut lines) = LineCounter::wrap(input);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::with_capacity(1 << 16, input));
    let columns = match reader.headers() {
        Ok(h) => match header(h) {
            Some(c) => c,
            None => return Ok(()),
        },
        Err(e) => return Err(format!("the header row cannot be read: {e}")),
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let breaks = record.iter().map(|f| f.bytes().filter(|b| *b == b'\n').count() as u64).sum();
                let line = lines.line_of(reader.position().byte(), breaks);
                if !row(&columns, line, &record) {
                    return Ok(());
                }
            }
            Err(e) => return Err(format!("the file cannot be read as CSV: {e}")),
        }
    }
}

/// Reads a CSV file on the calling (blocking) thread.
fn read_csv(path: PathBuf, encoding: TextEncoding, sink: Sink) {
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => return sink.fail(format!("cannot open the upload: {e}")),
    };
    // GB18030 is decoded to UTF-8 on the way in; line breaks are the same bytes in both, so the
    // physical line count below is unaffected.
    let input: Box<dyn std::io::Read> = match encoding {
        TextEncoding::Utf8 => Box::new(file),
        TextEncoding::Gb18030 => Box::new(super::sheet::Decoded::gb18030(file)),
    };
    let outcome = csv_rows(
        input,
        |h| Columns::new(h.iter()).map_err(|reason| sink.fail(reason)).ok(),
        |columns, line, record| match columns.record(record.iter()) {
            Some(raw) => sink.send(line, raw),
            None => true,
        },
    );
    if let Err(reason) = outcome {
        sink.fail(reason);
    }
}

/// Reads the first sheet of an XLSX file on the calling (blocking) thread; a record's line is
/// its row number in the sheet (the header is row 1), as Excel shows it.
fn read_xlsx(path: PathBuf, sink: Sink) {
    let mut columns: Option<Columns> = None;
    let id_field = Field::ComponentId.api_name();
    let outcome = super::sheet::read_xlsx(
        &path,
        |item| match (item, columns.as_ref()) {
            (SheetItem::Row(_, header), None) => match Columns::new(header.iter().map(String::as_str)) {
                Ok(c) => {
                    columns = Some(c);
                    true
                }
                Err(reason) => {
                    sink.fail(reason);
                    false
                }
            },
            (SheetItem::Row(line, row), Some(c)) => match c.record(row.iter().map(String::as_str)) {
                Some(raw) => sink.send(line, raw),
                None => true,
            },
            (SheetItem::LostDigits(line, _), _) => {
                sink.tx.blocking_send(Ok((line, Err(vec![super::sheet::lost_digits(id_field)])))).is_ok()
            }
        },
        |header| header.iter().position(|name| recognise(name) == Some(Field::ComponentId)),
    );
    if let Err(reason) = outcome {
        sink.fail(reason);
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
fn read_geojson(path: PathBuf, sink: Sink) {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    #[derive(Deserialize)]
    struct Feature {
        #[serde(default)]
        properties: Option<Map<String, Value>>,
        #[serde(default)]
        geometry: Option<Value>,
    }
    struct Features<'a>(&'a Sink);
    impl<'de> Visitor<'de> for Features<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of features")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            let mut index = 0u64;
            while let Some(feature) = seq.next_element::<Feature>()? {
                let raw = feature_record(feature.properties.unwrap_or_default(), feature.geometry);
                if !self.0.send(index, raw) {
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
    struct Collection<'a>(&'a Sink);
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
        Err(e) => return sink.fail(format!("cannot open the upload: {e}")),
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
    match de.deserialize_map(Collection(&sink)) {
        Ok(true) => {}
        Ok(false) => sink.fail("the document has no `features` array".into()),
        Err(e) => sink.fail(format!("the file is not a GeoJSON FeatureCollection: {e}")),
    }
}

/// Reads and validates the upload on a blocking thread; the outcomes arrive in file order.
fn reader(format: Format, encoding: TextEncoding, path: PathBuf, ctx: Arc<Context>) -> mpsc::Receiver<Item> {
    let (tx, rx) = mpsc::channel(2 * BATCH);
    let sink = Sink { tx, ctx };
    tokio::task::spawn_blocking(move || match format {
        Format::Csv => read_csv(path, encoding, sink),
        Format::Xlsx => read_xlsx(path, sink),
        Format::Geojson => read_geojson(path, sink),
    });
    rx
}

#[derive(Default)]
struct Progress {
    read: i64,
    valid: i64,
    written: i64,
    failed: i64,
    /// Every valid record up to this line (or feature index) is stored, none after it.
    through: Option<i64>,
    errors: Vec<RowError>,
}

impl Progress {
    fn fail(&mut self, line: u64, errors: Vec<FieldError>) {
        self.failed += 1;
        self.report(line, errors);
    }

    fn report(&mut self, line: u64, errors: Vec<FieldError>) {
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
        .col_expr(import_job::Column::WrittenThroughLine, Expr::value(p.through))
        .col_expr(import_job::Column::Errors, Expr::value(serde_json::to_string(&p.errors).unwrap_or_default()))
        .filter(import_job::Column::Id.eq(id))
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

/// Ends a job, and tells the user who started it (`import_finished`) in the same transaction.
async fn finish(db: &DatabaseConnection, id: Uuid, status: JobStatus, message: Option<String>) -> Result<()> {
    use sea_orm::TransactionTrait;
    let job = import_job::Entity::find_by_id(id).one(db).await.or_internal()?;
    let now = Utc::now();
    let txn = db.begin().await.or_internal()?;
    import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, Expr::value(status.as_str()))
        .col_expr(import_job::Column::Message, Expr::value(message.clone()))
        .col_expr(import_job::Column::FinishedAt, Expr::value(Some(now)))
        .filter(import_job::Column::Id.eq(id))
        .exec(&txn)
        .await
        .or_internal()?;
    if let Some(job) = job {
        let notice = notifications::Notice::new(
            notifications::Kind::ImportFinished,
            None,
            serde_json::json!({
                "job_id": job.id,
                "import": job.kind,
                "status": status.as_str(),
                "dry_run": job.dry_run,
                "message": message,
            }),
        );
        let recipients: Vec<Uuid> = job.created_by.into_iter().collect();
        notifications::record(&txn, kernel::ids::TenantId(job.tenant_id), &notice, &recipients, now).await?;
    }
    txn.commit().await.or_internal()?;
    Ok(())
}

/// An open write transaction: sea-orm's (SQLite) or sqlx's (PostgreSQL, for COPY).
enum Tx {
    Orm(sea_orm::DatabaseTransaction),
    Pg(sea_orm::sqlx::Transaction<'static, sea_orm::sqlx::Postgres>),
}

impl Tx {
    async fn begin(db: &DatabaseConnection) -> Result<Tx> {
        Ok(match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => Tx::Pg(super::store_pg::begin(db).await?),
            // IMMEDIATE takes SQLite's write lock at BEGIN. A deferred transaction reads first
            // (the upsert looks up existing rows) and fails at once with SQLITE_BUSY when it then
            // writes after another connection (the progress update) committed in between: the
            // busy timeout does not cover that upgrade. Waiting at BEGIN does.
            _ => Tx::Orm(
                db.begin_with_options(sea_orm::TransactionOptions {
                    sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await
                .or_internal()?,
            ),
        })
    }

    /// Writes a batch: through COPY on PostgreSQL (straight inserts while the county's census
    /// was empty at the start, staged upserts otherwise), through batched upserts elsewhere.
    async fn write(
        &mut self,
        tenant: &TenantRef,
        rows: Vec<ValidComponent>,
        author: Author,
        fresh: bool,
    ) -> Result<usize> {
        match self {
            Tx::Pg(tx) if fresh => super::store_pg::insert_new_in(tx, tenant.id().0, &rows, author).await,
            Tx::Pg(tx) => super::store_pg::upsert_in(tx, tenant.id().0, &rows, author).await,
            Tx::Orm(tx) => super::store::upsert_batch(tx, tenant, rows, author).await,
        }
    }

    async fn commit(self) -> Result<()> {
        match self {
            Tx::Pg(tx) => tx.commit().await.map_err(Error::internal),
            Tx::Orm(tx) => tx.commit().await.or_internal(),
        }
    }
}

/// Valid records in file order, with the last line they cover.
struct Batch {
    seq: u64,
    rows: Vec<ValidComponent>,
    last_line: u64,
}

/// What the writers have made durable.
#[derive(Debug, Clone, Copy, Default)]
struct Committed {
    /// Batches committed (they commit in order, so these are batches 1..=n).
    batches: u64,
    /// The last line of the last committed batch.
    through: Option<u64>,
    rows: i64,
    /// A writer failed: stop reading.
    failed: bool,
    /// The first batch that failed: later batches must not be committed without it.
    failed_batch: Option<u64>,
}

/// How the writers use transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atomicity {
    /// One transaction for the whole file, committed only if every record was valid
    /// (`all_or_nothing`): a failure part-way leaves the census exactly as it was.
    Whole,
    /// A transaction per batch, committed in file order (`partial`): whatever happens, the
    /// stored records are exactly the valid ones up to a line.
    PerBatch,
}

/// The writer tasks. Batches are cut in file order and dealt round-robin to the lanes; with
/// several lanes (PostgreSQL) the lanes write concurrently but commit strictly in batch order,
/// so a failure never leaves a later batch stored without an earlier one. Repeated ids never
/// reach the writers (they are refused before), so batches are independent.
struct Writers {
    size: usize,
    buffer: Vec<ValidComponent>,
    last_line: u64,
    next_seq: u64,
    queues: Vec<mpsc::Sender<Batch>>,
    tasks: Vec<tokio::task::JoinHandle<Result<()>>>,
    committed: Arc<tokio::sync::watch::Sender<Committed>>,
    /// `Whole`: set when the file turned out bad, so the transaction is rolled back.
    abandon: Arc<std::sync::atomic::AtomicBool>,
}

impl Writers {
    fn new(db: &DatabaseConnection, tenant: &TenantRef, author: Author, fresh: bool, atomicity: Atomicity) -> Self {
        let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
        let (count, size) = match (postgres, atomicity) {
            (true, Atomicity::PerBatch) => (2, PG_BATCH),
            (true, Atomicity::Whole) => (1, PG_BATCH),
            (false, _) => (1, BATCH),
        };
        let committed = Arc::new(tokio::sync::watch::Sender::new(Committed::default()));
        let abandon = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut queues = Vec::with_capacity(count);
        let mut tasks = Vec::with_capacity(count);
        for _ in 0..count {
            let (tx, rx) = mpsc::channel::<Batch>(2);
            let (db, committed, abandon, tenant) = (db.clone(), committed.clone(), abandon.clone(), tenant.clone());
            tasks.push(tokio::spawn(async move {
                let outcome = match atomicity {
                    Atomicity::Whole => write_whole(&db, rx, &tenant, author, fresh, &committed, &abandon).await,
                    Atomicity::PerBatch => write_batches(&db, rx, &tenant, author, fresh, &committed).await,
                };
                if outcome.is_err() {
                    // Wakes the other lanes, which roll back what they hold.
                    committed.send_modify(|c| c.failed = true);
                }
                outcome
            }));
            queues.push(tx);
        }
        Self { size, buffer: Vec::with_capacity(size), last_line: 0, next_seq: 1, queues, tasks, committed, abandon }
    }

    fn committed(&self) -> Committed {
        *self.committed.borrow()
    }

    /// Adds a row; hands a full batch to the next lane (waiting while that lane is behind).
    /// False once a writer failed.
    async fn push(&mut self, line: u64, v: ValidComponent) -> bool {
        self.buffer.push(v);
        self.last_line = line;
        if self.buffer.len() >= self.size {
            return self.flush().await;
        }
        !self.committed().failed
    }

    async fn flush(&mut self) -> bool {
        if self.buffer.is_empty() {
            return !self.committed().failed;
        }
        let rows = std::mem::replace(&mut self.buffer, Vec::with_capacity(self.size));
        let seq = self.next_seq;
        self.next_seq += 1;
        let lane = (seq as usize - 1) % self.queues.len();
        let Some(queue) = self.queues.get(lane) else { return false };
        // A closed queue means its writer stopped on an error; `finish` reports it.
        queue.send(Batch { seq, rows, last_line: self.last_line }).await.is_ok() && !self.committed().failed
    }

    /// Writes what is left (or, with `abandon`, rolls everything uncommitted back), waits for
    /// every writer, and returns what was committed and the first error.
    async fn finish(mut self, abandon: bool) -> (Committed, Option<Error>) {
        if abandon {
            self.abandon.store(true, std::sync::atomic::Ordering::SeqCst);
        } else {
            self.flush().await;
        }
        self.queues.clear();
        let mut error = None;
        for t in std::mem::take(&mut self.tasks) {
            let outcome = t.await.map_err(Error::internal).and_then(|r| r);
            if let Err(e) = outcome
                && error.is_none()
            {
                error = Some(e);
            }
        }
        (self.committed(), error)
    }
}

/// `all_or_nothing`: every batch in one transaction, committed when the queue closes unless
/// the file was abandoned.
async fn write_whole(
    db: &DatabaseConnection,
    mut rx: mpsc::Receiver<Batch>,
    tenant: &TenantRef,
    author: Author,
    fresh: bool,
    committed: &tokio::sync::watch::Sender<Committed>,
    abandon: &std::sync::atomic::AtomicBool,
) -> Result<()> {
    let mut tx = None;
    let mut rows = 0i64;
    let mut last = (0u64, None);
    while let Some(batch) = rx.recv().await {
        if abandon.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        let t = match tx.as_mut() {
            Some(t) => t,
            None => tx.insert(Tx::begin(db).await?),
        };
        rows += t.write(tenant, batch.rows, author, fresh).await? as i64;
        last = (batch.seq, Some(batch.last_line));
    }
    if abandon.load(std::sync::atomic::Ordering::SeqCst) {
        // Dropping the transaction rolls it back.
        return Ok(());
    }
    if let Some(t) = tx {
        t.commit().await?;
        committed.send_modify(|c| {
            c.batches = last.0;
            c.through = last.1;
            c.rows = rows;
        });
    }
    Ok(())
}

/// `partial`: a transaction per batch, committed after every earlier batch (on any lane).
async fn write_batches(
    db: &DatabaseConnection,
    mut rx: mpsc::Receiver<Batch>,
    tenant: &TenantRef,
    author: Author,
    fresh: bool,
    committed: &tokio::sync::watch::Sender<Committed>,
) -> Result<()> {
    let mut turn = committed.subscribe();
    while let Some(batch) = rx.recv().await {
        let seq = batch.seq;
        let fail = |e: Error| {
            committed.send_modify(|c| c.failed_batch = Some(c.failed_batch.map_or(seq, |f| f.min(seq))));
            e
        };
        let mut tx = Tx::begin(db).await.map_err(fail)?;
        let n = tx.write(tenant, batch.rows, author, fresh).await.map_err(fail)?;
        let earlier_failed = |c: &Committed| c.failed_batch.is_some_and(|f| f < seq);
        let state = *turn.wait_for(|c| earlier_failed(c) || c.batches + 1 == seq).await.map_err(Error::internal)?;
        if earlier_failed(&state) {
            // An earlier batch failed: this one must not be stored without it.
            return Ok(());
        }
        tx.commit().await.map_err(fail)?;
        committed.send_modify(|c| {
            c.batches = batch.seq;
            c.through = Some(batch.last_line);
            c.rows += n as i64;
        });
    }
    Ok(())
}

/// The 17-digit id as a number (a compact key for finding repeats in files of millions).
fn id_key(id: &str) -> Option<u64> {
    id.parse().ok()
}

/// One pass over the file: validates every record (on the reader's blocking thread), refuses
/// ids repeated within the file, and hands the valid records to the writers. With `count`
/// false (the writing pass after a validating one) the counters are left as they are.
/// Returns why the file broke off, if it did.
async fn pass(
    db: &DatabaseConnection,
    job: &import_job::Model,
    ctx: Arc<Context>,
    mut writers: Option<&mut (Writers, bool)>,
    p: &mut Progress,
    count: bool,
) -> Result<Option<String>> {
    let format = Format::parse(&job.format);
    let encoding = job.encoding.as_deref().and_then(TextEncoding::parse).unwrap_or(TextEncoding::Utf8);
    let partial = job.mode == "partial";
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    // Where each id was first seen (line), and whether that line was already reported.
    let mut seen: HashMap<u64, (u64, bool)> = HashMap::new();
    let mut rx = reader(format, encoding, PathBuf::from(&job.file_path), ctx);
    let mut next_analyze = 10_000i64;
    let mut last_saved = std::time::Instant::now();
    let mut rows = 0u64;
    while let Some(item) = rx.recv().await {
        let (line, checked) = match item {
            Ok(r) => r,
            Err(reason) => return Ok(Some(reason)),
        };
        rows += 1;
        if count {
            p.read += 1;
        }
        match checked {
            Ok(v) => match id_key(&v.component_id).map(|k| (k, seen.get(&k).copied())) {
                Some((key, Some((first, reported)))) => {
                    let id = v.component_id.clone();
                    let mut later = format!("component id {id} already appears on line {first}");
                    if partial {
                        later.push_str(&format!("; only line {first} was written"));
                    }
                    if !reported {
                        let earlier = if partial {
                            format!(
                                "component id {id} appears again on line {line}; this row was written, the later ones were not"
                            )
                        } else {
                            // The first occurrence fails the file as well: neither row is right alone.
                            p.valid -= 1;
                            p.failed += 1;
                            format!("component id {id} appears again on line {line}")
                        };
                        p.report(first, vec![FieldError::new(Field::ComponentId.api_name(), earlier)]);
                        seen.insert(key, (first, true));
                    }
                    p.fail(line, vec![FieldError::new(Field::ComponentId.api_name(), later)]);
                }
                found => {
                    if let Some((key, _)) = found {
                        seen.insert(key, (line, false));
                    }
                    if count {
                        p.valid += 1;
                    }
                    // An all-or-nothing file with a bad record is rolled back anyway: stop writing.
                    let writing = partial || p.failed == 0;
                    if let Some((w, _)) = writers.as_deref_mut().filter(|_| writing)
                        && !w.push(line, v).await
                    {
                        return Ok(Some("writing to the database failed".into()));
                    }
                }
            },
            Err(errors) => p.fail(line, errors),
        }
        // Progress is stored a few times a second: often enough to poll, cheap on the hot path.
        if count && rows.is_multiple_of(500) && last_saved.elapsed() >= std::time::Duration::from_millis(250) {
            last_saved = std::time::Instant::now();
            if let Some((w, fresh)) = writers.as_deref() {
                let c = w.committed();
                p.written = c.rows;
                p.through = c.through.map(|l| l as i64);
                // Bulk upserts change the tables faster than autovacuum notices.
                if postgres && !fresh && p.written >= next_analyze {
                    super::store_pg::analyze(db).await?;
                    next_analyze *= 4;
                }
            }
            save_progress(db, job.id, p).await?;
        }
    }
    Ok(None)
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
    let ctx = Arc::new(context(&db, &cache, &scope).await?);
    let partial = job.mode == "partial";
    let started = std::time::Instant::now();
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let new_writers = || async {
        let fresh = crate::entity::component::Entity::find_in(&scope).one(&db).await.or_internal()?.is_none();
        let author = Author { actor: job.created_by, job: Some(job.id) };
        let atomicity = if partial { Atomicity::PerBatch } else { Atomicity::Whole };
        Ok::<_, Error>((Writers::new(&db, scope.tenant(), author, fresh, atomicity), fresh))
    };
    let mut p = Progress::default();
    // SQLite has one writer for the whole database: an all-or-nothing import holds it only for
    // a second, writing pass, after a first pass found the file good. PostgreSQL validates and
    // writes in one pass (its transaction blocks nobody).
    let validate_first = !partial && !job.dry_run && !postgres;
    let mut writers = if job.dry_run || validate_first { None } else { Some(new_writers().await?) };
    let mut broke_off = pass(&db, &job, ctx.clone(), writers.as_mut(), &mut p, true).await?;
    if validate_first && broke_off.is_none() && p.failed == 0 {
        save_progress(&db, job.id, &p).await?;
        let mut w = new_writers().await?;
        broke_off = pass(&db, &job, ctx, Some(&mut w), &mut p, false).await?;
        writers = Some(w);
    }
    let bad_file = !partial && p.failed > 0;
    let mut write_error = None;
    if let Some((w, _)) = writers.take() {
        // An all-or-nothing import that broke off or found bad records is rolled back whole.
        let (c, error) = w.finish(!partial && (broke_off.is_some() || bad_file)).await;
        p.written = c.rows;
        p.through = c.through.map(|l| l as i64);
        write_error = error;
    }
    save_progress(&db, job.id, &p).await?;
    let stored = match p.through {
        Some(line) if partial => format!("every valid record up to line {line} is stored, none after it"),
        _ if partial => "nothing was stored".to_owned(),
        _ => "nothing was written".to_owned(),
    };
    if let Some(e) = write_error {
        tracing::error!(job = %id, error = %e, "census import failed while writing");
        let message = format!("internal error while writing (see the server log); {stored}");
        return finish(&db, id, JobStatus::Failed, Some(message)).await;
    }
    if let Some(reason) = broke_off {
        return finish(&db, id, JobStatus::Failed, Some(format!("{reason}; {stored}"))).await;
    }
    let outcome = if job.dry_run {
        (JobStatus::Succeeded, format!("dry run: {} of {} records valid; nothing written", p.valid, p.read))
    } else if partial {
        (JobStatus::Succeeded, format!("{} records written, {} skipped", p.written, p.failed))
    } else if bad_file {
        (JobStatus::Failed, format!("{} of {} records are invalid; nothing was written", p.failed, p.read))
    } else {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        csv_rows(
            text.as_bytes(),
            |_| Some(()),
            |_, line, r| {
                out.push((line, r.get(0).unwrap_or_default().trim().to_owned()));
                true
            },
        )
        .unwrap();
        out
    }

    #[test]
    fn physical_lines_for_lf_crlf_blank_lines_and_quoted_line_breaks() {
        for eol in ["\n", "\r\n"] {
            let text = ["h,x", "a,1", "\"b", "b\",2", "", "c,3", "", "", "d,4"].join(eol) + eol;
            let got = lines_of(&text);
            let b = format!("b{eol}b");
            let want = [(2, "a"), (3, b.as_str()), (6, "c"), (9, "d")];
            assert_eq!(got.iter().map(|(l, s)| (*l, s.as_str())).collect::<Vec<_>>(), want, "{eol:?}");
            // No line break after the last record.
            let text = ["h", "a", "", "b"].join(eol);
            assert_eq!(lines_of(&text), [(2, "a".to_owned()), (4, "b".to_owned())], "{eol:?}");
        }
    }
}
