//! Group commit of new cases.
//!
//! Intake requests arrive many at a time and each needs the same few statements (number, case
//! row, first event, idempotency record, duplicate search). Instead of one transaction per
//! request, requests queue here and a writer lane takes everything waiting — up to
//! [`MAX_BATCH`] — and writes it in one transaction with multi-row inserts. Nobody waits for a
//! timer: a lane writes as soon as it is free, so under light load a batch is one request and
//! under heavy load the batch grows with the queue. Each request is answered only after its batch
//! committed, so an acknowledged case is a stored case.
//!
//! A batch that fails (say, a key raced by another replica) is retried one request at a time, so
//! one request's problem is never another's.

use kernel::{Error, Result};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::db::OrInternal;
use crate::duplicates::duplicates_of;
use crate::entity::{case, idempotency_key};
use crate::intake::{Created, Prepared, case_number, next_numbers, replayed, response};

/// The most requests written in one transaction.
pub const MAX_BATCH: usize = 64;
/// Writer lanes on PostgreSQL.
pub const LANES: u32 = 2;

/// One intake request waiting to be written.
#[derive(Debug)]
pub(crate) struct Job {
    pub prepared: Prepared,
    pub tenant_code: String,
    pub key: Option<String>,
    pub request_hash: String,
}

type Queued = (Job, oneshot::Sender<Result<Created>>);

/// The queue in front of the writer lanes.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Queued>,
}

impl Writer {
    /// Starts the lanes: [`LANES`] on PostgreSQL (a batch is written while the next gathers), one
    /// on SQLite (which has one writer anyway). `db` should be a pool of its own with a connection
    /// per lane, so each lane keeps its prepared statements.
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, rx) = mpsc::channel::<Queued>(4 * MAX_BATCH);
        let rx = Arc::new(Mutex::new(rx));
        let lanes = if db.get_database_backend() == sea_orm::DbBackend::Postgres { LANES } else { 1 };
        for _ in 0..lanes {
            tokio::spawn(lane(db.clone(), rx.clone()));
        }
        Self { queue }
    }

    /// Queues a request and waits until its batch is written.
    pub async fn submit(&self, job: Job) -> Result<Created> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((job, reply))
            .await
            .map_err(|_| Error::internal(anyhow::anyhow!("the case writer has stopped")))?;
        answer.await.map_err(|_| Error::internal(anyhow::anyhow!("the case writer dropped a request")))?
    }
}

async fn lane(db: DatabaseConnection, rx: Arc<Mutex<mpsc::Receiver<Queued>>>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(q) => batch.push(q),
                None => return,
            }
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(q) => batch.push(q),
                    Err(_) => break,
                }
            }
        }
        write(&db, batch).await;
    }
}

/// Writes a batch and answers every request in it.
async fn write(db: &DatabaseConnection, batch: Vec<Queued>) {
    // A key repeated within the batch (a retry racing its original) waits for the original.
    let mut seen = HashSet::new();
    let (now, later): (Vec<Queued>, Vec<Queued>) = batch.into_iter().partition(|(job, _)| match &job.key {
        Some(k) => seen.insert((job.prepared.row.tenant_id, k.clone())),
        None => true,
    });
    let jobs: Vec<&Job> = now.iter().map(|(j, _)| j).collect();
    let started = std::time::Instant::now();
    let result = commit(db, &jobs).await;
    tracing::debug!(size = jobs.len(), ms = started.elapsed().as_secs_f64() * 1000.0, "case batch written");
    match result {
        Ok(answers) => {
            for ((_, reply), answer) in now.into_iter().zip(answers) {
                let _ = reply.send(answer);
            }
        }
        Err(e) if now.len() == 1 => {
            if let Some((job, reply)) = now.into_iter().next() {
                let _ = reply.send(alone_failed(db, &job, e).await);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, size = now.len(), "case batch failed; writing its requests one at a time");
            for q in now {
                Box::pin(write(db, vec![q])).await;
            }
        }
    }
    for q in later {
        Box::pin(write(db, vec![q])).await;
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

/// One transaction for the batch. Returns each request's answer in order.
async fn commit(db: &DatabaseConnection, jobs: &[&Job]) -> Result<Vec<Result<Created>>> {
    // Requests whose key is already stored are replays: nothing to write for them.
    let mut prior: HashMap<(uuid::Uuid, String), idempotency_key::Model> = HashMap::new();
    let mut keyed = Condition::any();
    let mut any_key = false;
    for job in jobs {
        if let Some(k) = &job.key {
            keyed = keyed.add(
                Condition::all()
                    .add(idempotency_key::Column::TenantId.eq(job.prepared.row.tenant_id))
                    .add(idempotency_key::Column::Key.eq(k.as_str())),
            );
            any_key = true;
        }
    }
    // Everything on one connection, so a lane reuses its prepared statements.
    let txn = db.begin().await.or_internal()?;
    if any_key {
        for m in idempotency_key::Entity::find().filter(keyed).all(&txn).await.or_internal()? {
            prior.insert((m.tenant_id, m.key.clone()), m);
        }
    }
    let stored_before = |job: &Job| job.key.as_ref().and_then(|k| prior.get(&(job.prepared.row.tenant_id, k.clone())));
    let fresh: Vec<&Job> = jobs.iter().copied().filter(|j| stored_before(j).is_none()).collect();

    let mut rows: Vec<Prepared> = fresh.iter().map(|j| j.prepared.clone()).collect();
    let hints = {
        let search: Vec<_> = rows.iter().map(|p| (&p.row, p.rules.duplicates)).collect();
        duplicates_of(&txn, &search).await?
    };

    // Numbers, per county in batch order.
    let mut by_tenant: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, job) in fresh.iter().enumerate() {
        by_tenant.entry(job.tenant_code.as_str()).or_default().push(i);
    }
    for (code, positions) in &by_tenant {
        let numbers = next_numbers(&txn, code, positions.len()).await?;
        for (&i, n) in positions.iter().zip(numbers) {
            rows[i].row.number = case_number(rows[i].row.created_at, n);
        }
    }
    let mut bodies = Vec::with_capacity(rows.len());
    for (p, h) in rows.iter().zip(&hints) {
        bodies.push(response(p, h)?);
    }
    if !rows.is_empty() {
        case::Entity::insert_many(rows.iter().map(|p| case::ActiveModel::from(p.row.clone())))
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
        crate::entity::case_event::Entity::insert_many(
            rows.iter()
                .map(|p| crate::act::event_row(p.row.tenant_id, p.row.id, &p.first, workflow::chain::GENESIS, &p.hash)),
        )
        .exec_without_returning(&txn)
        .await
        .or_internal()?;
    }
    let keys: Vec<idempotency_key::ActiveModel> = fresh
        .iter()
        .zip(&bodies)
        .filter_map(|(job, body)| {
            let k = job.key.as_ref()?;
            Some(idempotency_key::ActiveModel {
                tenant_id: Set(job.prepared.row.tenant_id),
                key: Set(k.clone()),
                user_id: Set(job.prepared.row.reporter_id),
                request_hash: Set(job.request_hash.clone()),
                status: Set(201),
                response: Set(body.clone()),
                created_at: Set(job.prepared.row.created_at),
            })
        })
        .collect();
    if !keys.is_empty() {
        idempotency_key::Entity::insert_many(keys).exec_without_returning(&txn).await.or_internal()?;
    }
    txn.commit().await.or_internal()?;

    let mut bodies = bodies.into_iter();
    Ok(jobs
        .iter()
        .map(|job| match stored_before(job) {
            Some(m) => replayed(m, &job.request_hash),
            None => Ok(Created { status: 201, body: bodies.next().unwrap_or_default(), replayed: false }),
        })
        .collect())
}
