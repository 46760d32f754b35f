//! Group commit of new cases.
//!
//! Intake requests arrive many at a time and each needs the same few statements (number, case
//! row, first event, idempotency record). Instead of one transaction per request, requests queue
//! here and a writer lane takes everything waiting — up to [`MAX_BATCH`] — and writes it at once.
//! A lane writes as soon as it is free, unless requests are on their way (being checked by an HTTP
//! worker; see [`Coming`]), or the other lane is writing and this one holds fewer than
//! [`MIN_BATCH`]: then it waits for more, at most [`COMING_WAIT`] (see [`keep_gathering`]). So under
//! light load a batch is one request written at once, and under heavy load the batch grows with
//! the queue.
//! Each request is answered only after its batch committed, so an acknowledged case is a stored
//! case.
//!
//! Likely duplicates come from the in-memory index of recent open cases ([`RecentCases`]), which
//! takes in each batch once it is committed. On PostgreSQL a batch is one statement (an insert of
//! every row, with rows bound as binary arrays per column — see [`commit_postgres`]); elsewhere it
//! is one transaction with multi-row inserts. A batch that fails (say, a key raced by another
//! replica, or a retry of a request already stored) is retried one request at a time, so one
//! request's problem is never another's.

use kernel::{Error, Result};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::db::OrInternal;
use crate::duplicates::Nearby;
use crate::entity::{case, case_event, idempotency_key};
use crate::intake::{Created, Prepared, case_number, next_numbers, replayed, response};
use crate::query::CaseView;
use crate::recent::RecentCases;
use workflow::chain::GENESIS;

/// The most requests written in one batch.
pub const MAX_BATCH: usize = 64;
/// The longest a lane, having gathered a batch, waits for more (requests still coming, or a
/// batch below [`MIN_BATCH`]); one that fails its checks is never queued, and under a steady
/// stream the batch would otherwise keep growing.
pub(crate) const COMING_WAIT: std::time::Duration = std::time::Duration::from_millis(1);
/// While another lane is writing, a lane waits for at least this many requests before writing
/// (within [`COMING_WAIT`]), as PostgreSQL's `commit_delay` does when other transactions are
/// active: a statement and its WAL flush cost about as much for one report as for sixteen, and
/// with the other lane busy a batch written at once would mostly wait anyway. Under load a quarter
/// of the batches held one to three reports without it.
pub(crate) const MIN_BATCH: usize = 16;
/// Writer lanes on PostgreSQL.
pub const LANES: u32 = 2;

/// One intake request waiting to be written: everything that does not depend on the batch (the
/// case row but its number, the first event, the response but its number and duplicates) is
/// built by the HTTP worker that took the request, so the lanes — one thread for all of them —
/// do only what must be done per batch.
#[derive(Debug)]
pub(crate) struct Job {
    pub prepared: Prepared,
    pub event: case_event::Model,
    pub view: CaseView,
    pub tenant_code: String,
    pub key: Option<String>,
    pub request_hash: String,
}

impl Job {
    pub fn new(prepared: Prepared, tenant_code: String, key: Option<String>, request_hash: String) -> Self {
        let row = &prepared.row;
        let event = crate::act::event_model(row.tenant_id, row.id, &prepared.first, GENESIS, &prepared.hash);
        let view = CaseView::with_projection(row, prepared.projection.clone()).with_clock(
            row,
            &prepared.rules.cal,
            &prepared.rules.limits,
            crate::now(),
        );
        Self { prepared, event, view, tenant_code, key, request_hash }
    }
}

/// A job is boxed: it is moved into the queue, out of it, into a batch and between batches, and
/// it holds a row, an event and a view (about 1.7 KB) — each move copied it whole.
type Queued = (Box<Job>, oneshot::Sender<Result<Created>>);

/// The queue in front of the writer lanes.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Queued>,
    /// Requests being prepared by the HTTP workers, soon to be queued (see [`Coming`]).
    coming: Arc<AtomicUsize>,
}

/// A request on its way to the queue: counted from the moment its worker starts to prepare it
/// until it is queued (or refused). A lane that has gathered a batch waits for the requests still
/// coming rather than writing a batch of one or two and leaving them to the next statement: every
/// statement costs a round trip, a plan execution and a WAL flush, whatever its size.
#[derive(Debug)]
pub(crate) struct Coming(Arc<AtomicUsize>);

impl Drop for Coming {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Writer {
    /// Starts the lanes: [`LANES`] on PostgreSQL (a batch is written while the next gathers), one
    /// on SQLite (which has one writer anyway). `db` should be a pool of its own with a connection
    /// per lane, so each lane keeps its prepared statements.
    pub fn start(db: DatabaseConnection, recent: Arc<RecentCases>) -> Self {
        let (queue, rx) = mpsc::channel::<Queued>(4 * MAX_BATCH);
        let rx = Arc::new(Mutex::new(rx));
        let lanes = if db.get_database_backend() == sea_orm::DbBackend::Postgres { LANES } else { 1 };
        let numbers = Arc::new(Numbers::default());
        let coming = Arc::new(AtomicUsize::new(0));
        let writing = Arc::new(AtomicUsize::new(0));
        for _ in 0..lanes {
            let lane_of = Lane { db: db.clone(), numbers: numbers.clone(), recent: recent.clone() };
            tokio::spawn(lane(lane_of, rx.clone(), coming.clone(), writing.clone()));
        }
        Self { queue, coming }
    }

    /// Counts a request as coming until the guard is dropped or handed to [`Writer::submit`].
    pub fn expect(&self) -> Coming {
        self.coming.fetch_add(1, Ordering::AcqRel);
        Coming(self.coming.clone())
    }

    /// Queues a request and waits until its batch is written.
    pub async fn submit(&self, job: Job, coming: Coming) -> Result<Created> {
        let (reply, answer) = oneshot::channel();
        // No longer coming before it is queued: a lane must never wait for a request it holds.
        drop(coming);
        self.queue
            .send((Box::new(job), reply))
            .await
            .map_err(|_| Error::internal(anyhow::anyhow!("the case writer has stopped")))?;
        answer.await.map_err(|_| Error::internal(anyhow::anyhow!("the case writer dropped a request")))?
    }
}

/// What a lane writes with.
struct Lane {
    db: DatabaseConnection,
    numbers: Arc<Numbers>,
    recent: Arc<RecentCases>,
}

/// Whether a lane holding `batch` requests waits for more: some are still coming, or the batch is
/// small while `others_writing` lanes are writing. Never beyond [`MAX_BATCH`].
fn keep_gathering(batch: usize, coming: usize, others_writing: usize) -> bool {
    batch < MAX_BATCH && (coming > 0 || (others_writing > 0 && batch < MIN_BATCH))
}

/// A lane: gathers a batch from the queue, writes it, and again. `writing` counts the lanes
/// writing now.
async fn lane(lane: Lane, rx: Arc<Mutex<mpsc::Receiver<Queued>>>, coming: Arc<AtomicUsize>, writing: Arc<AtomicUsize>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(q) => batch.push(q),
                None => return,
            }
            let deadline = tokio::time::Instant::now() + COMING_WAIT;
            loop {
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(q) => batch.push(q),
                        Err(_) => break,
                    }
                }
                if !keep_gathering(batch.len(), coming.load(Ordering::Acquire), writing.load(Ordering::Acquire)) {
                    break;
                }
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(q)) => batch.push(q),
                    _ => break,
                }
            }
        }
        writing.fetch_add(1, Ordering::AcqRel);
        write(&lane, batch).await;
        writing.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Writes a batch and answers every request in it.
async fn write(lane: &Lane, batch: Vec<Queued>) {
    // A key repeated within the batch (a retry racing its original) waits for the original.
    let mut seen = HashSet::new();
    let (mut now, later): (Vec<Queued>, Vec<Queued>) = batch.into_iter().partition(|(job, _)| match &job.key {
        Some(k) => seen.insert((job.prepared.row.tenant_id, k.clone())),
        None => true,
    });
    let mut jobs: Vec<&mut Job> = now.iter_mut().map(|(j, _)| &mut **j).collect();
    let started = Instant::now();
    let result = commit(lane, &mut jobs).await;
    tracing::debug!(size = jobs.len(), ms = started.elapsed().as_secs_f64() * 1000.0, "case batch written");
    match result {
        Ok(answers) => {
            for ((_, reply), answer) in now.into_iter().zip(answers) {
                let _ = reply.send(answer);
            }
        }
        Err(e) if now.len() == 1 => {
            if let Some((job, reply)) = now.into_iter().next() {
                let _ = reply.send(alone_failed(&lane.db, &job, e).await);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, size = now.len(), "case batch failed; writing its requests one at a time");
            for q in now {
                Box::pin(write(lane, vec![q])).await;
            }
        }
    }
    for q in later {
        Box::pin(write(lane, vec![q])).await;
    }
}

/// A single request failed to write: if its key was stored meanwhile, that is its answer.
async fn alone_failed(db: &DatabaseConnection, job: &Job, e: Error) -> Result<Created> {
    if let Some(k) = &job.key
        && let Some(prior) = crate::intake::replay(db, job.prepared.row.tenant_id, k, &job.request_hash).await?
    {
        return Ok(prior);
    }
    Err(e)
}

/// What a batch adds to its jobs' rows: idempotency records and each request's response body.
struct Rows {
    keys: Vec<idempotency_key::Model>,
    bodies: Vec<String>,
}

/// Numbers the jobs' cases (`numbers` in their order), finds their likely duplicates and builds
/// their idempotency records and responses.
fn assemble(jobs: &mut [&mut Job], numbers: &[i64], recent: &RecentCases) -> Result<Rows> {
    for (job, &n) in jobs.iter_mut().zip(numbers) {
        let row = &mut job.prepared.row;
        row.number = case_number(row.created_at, n);
        row.replica = Some(recent.replica());
        job.view.number = row.number.clone();
    }
    let search: Vec<_> = jobs.iter().map(|job| (&job.prepared.row, job.prepared.rules.duplicates)).collect();
    let hints = recent.duplicates_of(&search);
    let mut rows = Rows { keys: Vec::new(), bodies: Vec::with_capacity(jobs.len()) };
    for (job, hints) in jobs.iter().zip(&hints) {
        let row = &job.prepared.row;
        let body = response(&job.view, hints)?;
        if let Some(k) = &job.key {
            rows.keys.push(idempotency_key::Model {
                tenant_id: row.tenant_id,
                key: k.clone(),
                user_id: row.reporter_id,
                request_hash: job.request_hash.clone(),
                status: 201,
                response: body.clone(),
                created_at: row.created_at,
            });
        }
        rows.bodies.push(body);
    }
    Ok(rows)
}

/// Writes the batch. Returns each request's answer in order.
async fn commit(lane: &Lane, jobs: &mut [&mut Job]) -> Result<Vec<Result<Created>>> {
    let answers = if lane.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        commit_postgres(lane, jobs).await?
    } else {
        commit_in_transaction(lane, jobs).await?
    };
    // Requests answered from an earlier key (SQLite) stored nothing: their rows are not numbered.
    let stored = jobs.iter().zip(&answers).filter(|(_, a)| a.as_ref().is_ok_and(|c| !c.replayed));
    lane.recent.record(stored.map(|(job, _)| Nearby::from(&job.prepared.row)));
    Ok(answers)
}

/// PostgreSQL: one round trip for the whole batch, a statement that inserts every row. The rows go
/// as one array per column, bound in binary, so the statement has one shape whatever the batch size
/// and each connection plans it once; a statement is atomic on its own, so no transaction is
/// opened. A request whose key is already stored makes the insert
/// fail on the key's unique index; the batch is then retried one request at a time, and that
/// request gets the stored answer (see [`alone_failed`]).
async fn commit_postgres(lane: &Lane, jobs: &mut [&mut Job]) -> Result<Vec<Result<Created>>> {
    let taken = lane.numbers.take(&lane.db, jobs.len()).await?;
    let rows = assemble(jobs, &taken, &lane.recent)?;
    insert_postgres(lane.db.get_postgres_connection_pool(), jobs, &rows.keys).await?;
    Ok(rows.bodies.into_iter().map(|body| Ok(Created { status: 201, body, replayed: false })).collect())
}

/// One column of rows.
fn col<'a, R, T>(rows: &'a [R], f: impl Fn(&'a R) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

/// The cases, their first events and the idempotency records in one statement.
async fn insert_postgres(
    pool: &sea_orm::sqlx::PgPool,
    jobs: &[&mut Job],
    keys: &[idempotency_key::Model],
) -> Result<()> {
    const SQL: &str = "WITH c AS (INSERT INTO cases (id, tenant_id, number, state, source, kind, class_code, description, \
            address, lon, lat, grid_code, community_code, street_code, duty_grid_id, component_id, reporter_id, \
            urgent, department_id, overdue, deadline, tracking_code, projection, last_hash, created_at, updated_at, \
            closed_at, timeline, replica) \
          SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
            $8::text[], $9::text[], $10::float8[], $11::float8[], $12::text[], $13::text[], $14::text[], \
            $15::uuid[], $16::text[], $17::uuid[], $18::bool[], $19::uuid[], $20::bool[], $21::timestamptz[], \
            $22::text[], $23::text[], $24::text[], $25::timestamptz[], $26::timestamptz[], $27::timestamptz[], \
            $28::bytea[], $29::uuid[])), \
        e AS (INSERT INTO case_events (tenant_id, case_id, seq, action, actor_id, role, at, payload, due, prev_hash, hash) \
          SELECT * FROM unnest($30::uuid[], $31::uuid[], $32::int4[], $33::text[], $34::text[], $35::text[], \
            $36::timestamptz[], $37::text[], $38::timestamptz[], $39::text[], $40::text[])) \
        INSERT INTO idempotency_keys (tenant_id, key, user_id, request_hash, status, response, created_at) \
          SELECT * FROM unnest($41::uuid[], $42::text[], $43::uuid[], $44::text[], $45::int4[], $46::text[], \
            $47::timestamptz[])";
    let c: Vec<&case::Model> = jobs.iter().map(|j| &j.prepared.row).collect();
    let e: Vec<&case_event::Model> = jobs.iter().map(|j| &j.event).collect();
    let (c, e, k) = (&c, &e, keys);
    sea_orm::sqlx::query(SQL)
        .bind(col(c, |r| r.id))
        .bind(col(c, |r| r.tenant_id))
        .bind(col(c, |r| r.number.as_str()))
        .bind(col(c, |r| r.state.as_str()))
        .bind(col(c, |r| r.source.as_str()))
        .bind(col(c, |r| r.kind.as_str()))
        .bind(col(c, |r| r.class_code.as_str()))
        .bind(col(c, |r| r.description.as_str()))
        .bind(col(c, |r| r.address.as_deref()))
        .bind(col(c, |r| r.lon))
        .bind(col(c, |r| r.lat))
        .bind(col(c, |r| r.grid_code.as_str()))
        .bind(col(c, |r| r.community_code.as_str()))
        .bind(col(c, |r| r.street_code.as_str()))
        .bind(col(c, |r| r.duty_grid_id))
        .bind(col(c, |r| r.component_id.as_deref()))
        .bind(col(c, |r| r.reporter_id))
        .bind(col(c, |r| r.urgent))
        .bind(col(c, |r| r.department_id))
        .bind(col(c, |r| r.overdue))
        .bind(col(c, |r| r.deadline))
        .bind(col(c, |r| r.tracking_code.as_deref()))
        .bind(col(c, |r| r.projection.as_str()))
        .bind(col(c, |r| r.last_hash.as_str()))
        .bind(col(c, |r| r.created_at))
        .bind(col(c, |r| r.updated_at))
        .bind(col(c, |r| r.closed_at))
        .bind(col(c, |r| r.timeline.as_deref()))
        .bind(col(c, |r| r.replica))
        .bind(col(e, |r| r.tenant_id))
        .bind(col(e, |r| r.case_id))
        .bind(col(e, |r| r.seq))
        .bind(col(e, |r| r.action.as_str()))
        .bind(col(e, |r| r.actor_id.as_deref()))
        .bind(col(e, |r| r.role.as_deref()))
        .bind(col(e, |r| r.at))
        .bind(col(e, |r| r.payload.as_str()))
        .bind(col(e, |r| r.due))
        .bind(col(e, |r| r.prev_hash.as_str()))
        .bind(col(e, |r| r.hash.as_str()))
        .bind(col(k, |r| r.tenant_id))
        .bind(col(k, |r| r.key.as_str()))
        .bind(col(k, |r| r.user_id))
        .bind(col(k, |r| r.request_hash.as_str()))
        .bind(col(k, |r| r.status))
        .bind(col(k, |r| r.response.as_str()))
        .bind(col(k, |r| r.created_at))
        .execute(pool)
        .await
        .map_err(Error::internal)?;
    Ok(())
}

/// Any backend (SQLite): one transaction with multi-row inserts; requests whose key is already
/// stored are answered from it.
async fn commit_in_transaction(lane: &Lane, jobs: &mut [&mut Job]) -> Result<Vec<Result<Created>>> {
    let mut keyed = Condition::any();
    let mut any_key = false;
    for job in jobs.iter() {
        if let Some(k) = &job.key {
            keyed = keyed.add(
                Condition::all()
                    .add(idempotency_key::Column::TenantId.eq(job.prepared.row.tenant_id))
                    .add(idempotency_key::Column::Key.eq(k.as_str())),
            );
            any_key = true;
        }
    }
    let txn = lane.db.begin().await.or_internal()?;
    let mut prior: HashMap<(uuid::Uuid, String), idempotency_key::Model> = HashMap::new();
    if any_key {
        for m in idempotency_key::Entity::find().filter(keyed).all(&txn).await.or_internal()? {
            prior.insert((m.tenant_id, m.key.clone()), m);
        }
    }
    // Each request's stored first answer, if its key was used before.
    let stored_before: Vec<Option<idempotency_key::Model>> = jobs
        .iter()
        .map(|job| job.key.as_ref().and_then(|k| prior.remove(&(job.prepared.row.tenant_id, k.clone()))))
        .collect();
    let mut fresh: Vec<&mut Job> =
        jobs.iter_mut().zip(&stored_before).filter(|(_, s)| s.is_none()).map(|(j, _)| &mut **j).collect();

    // Numbers, per county in batch order.
    let mut numbers = vec![0; fresh.len()];
    let mut by_tenant: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, job) in fresh.iter().enumerate() {
        by_tenant.entry(job.tenant_code.clone()).or_default().push(i);
    }
    for (code, positions) in &by_tenant {
        for (&i, n) in positions.iter().zip(next_numbers(&txn, code, positions.len()).await?) {
            numbers[i] = n;
        }
    }
    let rows = assemble(&mut fresh, &numbers, &lane.recent)?;
    if !fresh.is_empty() {
        case::Entity::insert_many(fresh.iter().map(|j| case::ActiveModel::from(j.prepared.row.clone())))
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
        case_event::Entity::insert_many(fresh.iter().map(|j| crate::act::insertable(j.event.clone())))
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
    }
    if !rows.keys.is_empty() {
        idempotency_key::Entity::insert_many(rows.keys.into_iter().map(idempotency_key::ActiveModel::from))
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
    }
    txn.commit().await.or_internal()?;

    let mut bodies = rows.bodies.into_iter();
    let answers = jobs
        .iter()
        .zip(&stored_before)
        .map(|(job, stored)| match stored {
            Some(m) => replayed(m, &job.request_hash),
            None => Ok(Created { status: 201, body: bodies.next().unwrap_or_default(), replayed: false }),
        })
        .collect();
    Ok(answers)
}

/// Case numbers on PostgreSQL, taken from the sequence a block at a time and handed out in the
/// order batches form, so within a server they increase with time. A block is [`MAX_BATCH`]
/// numbers, or a quarter of what the last second used when that is more (at thousands of
/// reports a second, a round trip for numbers every few batches would hold both lanes up).
/// Numbers left in the block when the server stops are never used, and with several replicas each
/// hands out its own block, so numbers from different replicas interleave out of time order by up
/// to a block.
#[derive(Debug, Default)]
pub(crate) struct Numbers {
    state: Mutex<NumberState>,
}

#[derive(Debug, Default)]
struct NumberState {
    free: VecDeque<i64>,
    /// Numbers handed out in the second that began at `since`, and in the second before it.
    since: Option<Instant>,
    this_second: usize,
    last_second: usize,
}

/// The largest block of numbers taken at once.
const MAX_BLOCK: usize = 4096;

impl NumberState {
    /// Counts `count` numbers handed out at `now`.
    fn note(&mut self, now: Instant, count: usize) {
        match self.since.map(|since| now.duration_since(since).as_secs()) {
            Some(0) => {}
            Some(1) => {
                self.last_second = std::mem::take(&mut self.this_second);
                self.since = Some(now);
            }
            _ => (self.last_second, self.this_second, self.since) = (0, 0, Some(now)),
        }
        self.this_second += count;
    }

    /// How many numbers to take from the sequence when `count` are wanted now.
    fn block(&self, count: usize) -> usize {
        let missing = count.saturating_sub(self.free.len());
        if missing == 0 { 0 } else { missing.max(MAX_BATCH).max((self.last_second / 4).min(MAX_BLOCK)) }
    }
}

impl Numbers {
    async fn take<C: sea_orm::ConnectionTrait>(&self, db: &C, count: usize) -> Result<Vec<i64>> {
        let mut state = self.state.lock().await;
        state.note(Instant::now(), count);
        let block = state.block(count);
        if block > 0 {
            let more = next_numbers(db, "", block).await?;
            state.free.extend(more);
        }
        Ok(state.free.drain(..count).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_lane_waits_for_requests_coming_and_for_a_worthwhile_batch_while_the_other_writes() {
        assert!(!keep_gathering(1, 0, 0), "light load: one request is written at once");
        assert!(keep_gathering(1, 2, 0), "two more are being checked");
        assert!(keep_gathering(3, 0, 1), "the other lane is writing: a small batch waits");
        assert!(!keep_gathering(MIN_BATCH, 0, 1), "but not one worth a statement");
        assert!(!keep_gathering(MAX_BATCH, 5, 1), "never beyond the largest batch");
    }

    #[test]
    fn the_block_of_numbers_grows_with_the_rate_and_shrinks_when_it_falls() {
        let start = Instant::now();
        let mut s = NumberState::default();
        s.note(start, 10);
        assert_eq!(s.block(10), MAX_BATCH, "no history: the smallest block");
        assert_eq!(s.block(100), 100, "never less than asked for");
        // A busy second: 8,000 numbers.
        for i in 0..800 {
            s.note(start + Duration::from_micros(i * 1000), 10);
        }
        s.note(start + Duration::from_millis(1001), 10);
        assert_eq!(s.block(10), 2002, "a quarter of the last second");
        s.free.extend(0..10);
        assert_eq!(s.block(10), 0, "enough left: no round trip");
        s.free.clear();
        // Quiet: a second with a handful, then a long pause.
        s.note(start + Duration::from_millis(2002), 5);
        assert_eq!(s.block(10), MAX_BATCH);
        s.note(start + Duration::from_secs(60), 1);
        assert_eq!(s.block(10), MAX_BATCH);
        // A rate beyond reason is capped.
        let later = start + Duration::from_secs(61);
        s.note(later, 100_000);
        s.note(later + Duration::from_millis(1000), 1);
        assert_eq!(s.block(10), MAX_BLOCK);
    }
}
