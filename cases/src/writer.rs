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
//! takes in each batch once it is committed. Every backend writes a batch the same way: one
//! transaction that takes the batch's case numbers from the counters of its counties
//! ([`crate::numbering`]: numbers and cases commit together, so no gaps) and inserts every row —
//! on PostgreSQL in one statement with the rows bound as binary arrays per column (see
//! [`insert_postgres`]), elsewhere with multi-row inserts. A batch that fails (say, a key already
//! stored by an earlier request or another replica) rolls back with its numbers and is retried one
//! request at a time, so one request's problem is never another's; a request alone whose key is
//! stored gets the stored answer.

use kernel::{Error, Result};
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::db::OrInternal;
use crate::duplicates::Nearby;
use crate::entity::{case, case_event, idempotency_key};
use crate::intake::{Created, Prepared, response};
use crate::numbering::{self, Item};
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
    /// The user whose Idempotency-Key `key` is.
    pub user: uuid::Uuid,
    pub key: Option<String>,
    pub request_hash: String,
}

impl Job {
    pub fn new(prepared: Prepared, user: uuid::Uuid, key: Option<String>, request_hash: String) -> Self {
        let (event, view) = Self::derived(&prepared);
        Self { prepared, event, view, user, key, request_hash }
    }

    /// The event row and the view, from the prepared case.
    fn derived(p: &Prepared) -> (case_event::Model, CaseView) {
        let row = &p.row;
        let event = crate::act::event_model(row.tenant_id, row.id, &p.first, GENESIS, &p.hash);
        let view = CaseView::with_projection(row, p.projection.clone()).with_clock(
            row,
            &p.rules.cal,
            &p.rules.limits,
            row.created_at,
        );
        (event, view)
    }

    /// Moves the case's creation to `at` (a case created after it was numbered first).
    fn restamp(&mut self, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        crate::intake::stamp(&mut self.prepared, at)?;
        (self.event, self.view) = Self::derived(&self.prepared);
        Ok(())
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
    pub fn start(db: DatabaseConnection, recent: Arc<RecentCases>, keys: crate::idempotency::Keys) -> Self {
        let (queue, rx) = mpsc::channel::<Queued>(4 * MAX_BATCH);
        let rx = Arc::new(Mutex::new(rx));
        let lanes = if db.get_database_backend() == sea_orm::DbBackend::Postgres { LANES } else { 1 };
        let coming = Arc::new(AtomicUsize::new(0));
        let writing = Arc::new(AtomicUsize::new(0));
        for _ in 0..lanes {
            let lane_of = Lane { db: db.clone(), recent: recent.clone(), keys: keys.clone() };
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
    recent: Arc<RecentCases>,
    keys: crate::idempotency::Keys,
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
        Some(k) => seen.insert((job.prepared.row.tenant_id, job.user, k.clone())),
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
            if let Some((mut job, reply)) = now.into_iter().next() {
                let _ = reply.send(alone_failed(lane, &mut job, e).await);
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

/// A single request failed to write: if its key was stored meanwhile, that is its answer. If
/// the key's record has expired but is still there (the upkeep purges every few minutes), the
/// record no longer counts: it is removed and the request written once more, as a new one.
async fn alone_failed(lane: &Lane, job: &mut Job, e: Error) -> Result<Created> {
    let Some(k) = job.key.clone() else { return Err(e) };
    let (tenant, user) = (job.prepared.row.tenant_id, job.user);
    let cutoff = lane.keys.cutoff();
    if let Some(prior) = crate::intake::replay(&lane.db, tenant, user, &k, &job.request_hash, cutoff).await? {
        return Ok(prior);
    }
    if !crate::idempotency::forget_expired(&lane.db, tenant, user, &k, cutoff).await? {
        return Err(e);
    }
    match commit(lane, &mut [job]).await {
        Ok(answers) => answers.into_iter().next().unwrap_or(Err(e)),
        // Another request with the key may have been stored meanwhile.
        Err(again) => match crate::intake::replay(&lane.db, tenant, user, &k, &job.request_hash, cutoff).await? {
            Some(prior) => Ok(prior),
            None => Err(again),
        },
    }
}

/// What a batch adds to its jobs' rows: idempotency records and each request's response body.
struct Rows {
    keys: Vec<idempotency_key::Model>,
    bodies: Vec<String>,
}

/// The jobs' numbering: one item per job, and the county-days they fall in.
fn plan(jobs: &[&mut Job]) -> (Vec<Item>, Vec<numbering::Group>) {
    let items: Vec<Item> = jobs
        .iter()
        .map(|j| Item {
            tenant: j.prepared.row.tenant_id,
            zone: j.prepared.rules.zone,
            created_at: j.prepared.row.created_at,
        })
        .collect();
    let groups = numbering::plan(&items);
    (items, groups)
}

/// Gives the jobs their numbers (re-stamping those created before a case numbered earlier) and
/// builds their idempotency records and responses, with the likely duplicates found before.
fn assemble(
    jobs: &mut [&mut Job],
    numbered: Vec<numbering::Numbered>,
    hints: &[Vec<crate::duplicates::DuplicateHint>],
    replica: uuid::Uuid,
) -> Result<Rows> {
    for (job, n) in jobs.iter_mut().zip(numbered) {
        if n.at != job.prepared.row.created_at {
            job.restamp(n.at)?;
        }
        let row = &mut job.prepared.row;
        row.number = n.number;
        row.replica = Some(replica);
        job.view.number = row.number.clone();
    }
    let mut rows = Rows { keys: Vec::new(), bodies: Vec::with_capacity(jobs.len()) };
    for (job, hints) in jobs.iter().zip(hints) {
        let row = &job.prepared.row;
        let body = response(&job.view, hints)?;
        if let Some(k) = &job.key {
            rows.keys.push(idempotency_key::Model {
                tenant_id: row.tenant_id,
                user_id: job.user,
                key: k.clone(),
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

/// Writes the batch in one transaction: the numbers from the counters of its county-days (locked
/// in one order by every writer), then every row. Returns each request's answer in order.
async fn commit(lane: &Lane, jobs: &mut [&mut Job]) -> Result<Vec<Result<Created>>> {
    // Likely duplicates do not depend on the numbers: found before the counters are locked.
    let search: Vec<_> = jobs.iter().map(|job| (&job.prepared.row, job.prepared.rules.duplicates)).collect();
    let hints = lane.recent.duplicates_of(&search);
    let (items, groups) = plan(jobs);
    let replica = lane.recent.replica();
    let rows = if lane.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let mut tx = lane.db.get_postgres_connection_pool().begin().await.map_err(Error::internal)?;
        let mut reserved = Vec::with_capacity(groups.len());
        for g in &groups {
            reserved.push(numbering::reserve_pg(&mut tx, g).await?);
        }
        let rows = assemble(jobs, numbering::assign(&items, &groups, &reserved, true)?, &hints, replica)?;
        insert_postgres(&mut tx, jobs, &rows.keys).await?;
        tx.commit().await.map_err(Error::internal)?;
        rows
    } else {
        let txn = lane.db.begin().await.or_internal()?;
        let mut reserved = Vec::with_capacity(groups.len());
        for g in &groups {
            reserved.push(numbering::reserve(&txn, g).await?);
        }
        let rows = assemble(jobs, numbering::assign(&items, &groups, &reserved, true)?, &hints, replica)?;
        insert_many(&txn, jobs, rows.keys.clone()).await?;
        txn.commit().await.or_internal()?;
        rows
    };
    lane.recent.record(jobs.iter().map(|job| Nearby::from(&job.prepared.row)));
    Ok(rows.bodies.into_iter().map(|body| Ok(Created { status: 201, body, replayed: false })).collect())
}

/// One column of rows.
fn col<'a, R, T>(rows: &'a [R], f: impl Fn(&'a R) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

/// PostgreSQL: the cases, their first events and the idempotency records in one statement. The
/// rows go as one array per column, bound in binary, so the statement has one shape whatever the
/// batch size and each connection plans it once.
async fn insert_postgres(
    conn: &mut sea_orm::sqlx::PgConnection,
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
        INSERT INTO idempotency_records (tenant_id, user_id, key, request_hash, status, response, created_at) \
          SELECT * FROM unnest($41::uuid[], $42::uuid[], $43::text[], $44::text[], $45::int4[], $46::text[], \
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
        .bind(col(k, |r| r.user_id))
        .bind(col(k, |r| r.key.as_str()))
        .bind(col(k, |r| r.request_hash.as_str()))
        .bind(col(k, |r| r.status))
        .bind(col(k, |r| r.response.as_str()))
        .bind(col(k, |r| r.created_at))
        .execute(conn)
        .await
        .map_err(Error::internal)?;
    Ok(())
}

/// Any other backend (SQLite): multi-row inserts in the caller's transaction.
async fn insert_many(
    txn: &sea_orm::DatabaseTransaction,
    jobs: &[&mut Job],
    keys: Vec<idempotency_key::Model>,
) -> Result<()> {
    if !jobs.is_empty() {
        case::Entity::insert_many(jobs.iter().map(|j| case::ActiveModel::from(j.prepared.row.clone())))
            .exec_without_returning(txn)
            .await
            .or_internal()?;
        case_event::Entity::insert_many(jobs.iter().map(|j| crate::act::insertable(j.event.clone())))
            .exec_without_returning(txn)
            .await
            .or_internal()?;
    }
    if !keys.is_empty() {
        idempotency_key::Entity::insert_many(keys.into_iter().map(idempotency_key::ActiveModel::from))
            .exec_without_returning(txn)
            .await
            .or_internal()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_waits_for_requests_coming_and_for_a_worthwhile_batch_while_the_other_writes() {
        assert!(!keep_gathering(1, 0, 0), "light load: one request is written at once");
        assert!(keep_gathering(1, 2, 0), "two more are being checked");
        assert!(keep_gathering(3, 0, 1), "the other lane is writing: a small batch waits");
        assert!(!keep_gathering(MIN_BATCH, 0, 1), "but not one worth a statement");
        assert!(!keep_gathering(MAX_BATCH, 5, 1), "never beyond the largest batch");
    }
}
