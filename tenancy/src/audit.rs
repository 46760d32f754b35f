//! The audit trail (操作日志 / 登录日志): every security event and administrative change, one
//! append-only record each, with actor, tenant, time, source address, request id, target and a
//! before/after summary.
//!
//! * **One call** for every crate: [`record`] inside the transaction of the change it describes
//!   (so a change and its record commit together or not at all), or [`record_now`] in a
//!   transaction of its own where the change is not transactional (a failed login, an export).
//! * **Hash-chained per tenant**, like the case events (`workflow::chain`, the same canonical
//!   JSON and SHA-256 link): record `seq` n stores the hash of record n − 1 and its own hash over
//!   that and its content. [`verify`] recomputes the chain and names the first record that was
//!   changed, removed or reordered in the database.
//! * **Appended one at a time per tenant**: the next `seq` is taken by an upsert of the
//!   tenant's counter (`sync_versions` row `audit:<tenant id>`), which holds that row's lock (or,
//!   on SQLite, the write lock) until the transaction ends; the record before is therefore
//!   committed and visible when the next one links to it.
//! * **Kept** at least [`MIN_RETENTION_DAYS`] (网络安全法 第二十一条: six months; six calendar
//!   months can be 184 days), then purged from the oldest end by the upkeep job ([`purge`]); the
//!   oldest remaining record's `prev_hash` anchors the chain. No route edits or deletes records.

use crate::scoped::{InTenant, TenantOwned};
use chrono::{DateTime, Utc};
use kernel::{
    Error, Result, TenantCode,
    ids::{TenantId, UserId},
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::context::{Principal, TenantRef, TenantScope};
use crate::db::OrInternal;
use crate::entity::{audit_record, sync_version, user};
use crate::session::LoginOutcome;

/// The least retention the law allows, and the default.
pub const MIN_RETENTION_DAYS: i64 = 184;

/// Where a request came from: the client address and the request id (`X-Request-Id`).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub source: String,
    pub request_id: Option<String>,
}

/// Who acted: a user, or (failed logins) only the account name that was tried.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<UserId>,
    pub name: String,
}

impl Actor {
    pub fn of(p: &Principal) -> Self {
        Self { id: Some(p.user_id), name: format!("{}/{}", p.tenant_code, p.username) }
    }
}

/// What happened: a kind (`user.updated`, `auth.login_failed`, …), its target (`user:<id>`) and a
/// summary of the state before and after.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: String,
    pub target: String,
    pub before: Value,
    pub after: Value,
}

impl Entry {
    pub fn new(kind: impl Into<String>, target: impl Into<String>) -> Self {
        Self { kind: kind.into(), target: target.into(), before: Value::Null, after: Value::Null }
    }

    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).unwrap_or(Value::Null);
        self
    }

    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).unwrap_or(Value::Null);
        self
    }
}

/// One record as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditRecord {
    /// 1, 2, 3 … within the tenant (the hash chain's order).
    pub seq: i64,
    #[schema(example = "320115")]
    pub tenant_code: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    /// `tenant code/user name` of the actor (for a failed login: the account that was tried).
    #[schema(example = "320115/admin")]
    pub actor: String,
    #[schema(example = "user.updated")]
    pub kind: String,
    #[schema(example = "user:0193a0f2-7c4e-7000-8000-000000000000")]
    pub target: String,
    /// The client address.
    #[schema(example = "203.0.113.7")]
    pub source: String,
    pub request_id: Option<String>,
    /// The state before the change (`null` when there was none).
    pub before: Value,
    /// The state after the change (`null` when there is none).
    pub after: Value,
    pub hash: String,
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The hashed content of a record: every column but the hashes and the storage id.
fn content(m: &audit_record::Model) -> Value {
    json!({
        "tenant_id": m.tenant_id,
        "seq": m.seq,
        "at_us": m.at.timestamp_micros(),
        "actor_id": m.actor_id,
        "actor": m.actor,
        "kind": m.kind,
        "target": m.target,
        "source": m.source,
        "request_id": m.request_id,
        "summary": serde_json::from_str::<Value>(&m.summary).unwrap_or(Value::String(m.summary.clone())),
    })
}

/// The link of a record after `prev`: SHA-256 of `prev`, a newline and the canonical JSON of its
/// content (the case events' rule, [`workflow::chain`]).
fn link(prev: &str, m: &audit_record::Model) -> String {
    let mut text = Vec::with_capacity(prev.len() + 512);
    text.extend_from_slice(prev.as_bytes());
    text.push(b'\n');
    text.extend_from_slice(workflow::chain::canonical(&content(m)).as_bytes());
    hex::encode(Sha256::digest(&text))
}

/// Takes the tenant's next sequence number; holds the counter's lock until the caller's
/// transaction ends.
async fn next_seq(txn: &DatabaseTransaction, tenant: TenantId) -> Result<i64> {
    let name = format!("audit:{}", tenant.0);
    let insert = Query::insert()
        .into_table(sync_version::Entity)
        .columns([sync_version::Column::Name, sync_version::Column::Version])
        .values_panic([name.into(), 1i64.into()])
        .on_conflict(
            OnConflict::column(sync_version::Column::Name)
                .value(
                    sync_version::Column::Version,
                    Expr::col((sync_version::Entity, sync_version::Column::Version)).add(1i64),
                )
                .to_owned(),
        )
        .returning_col(sync_version::Column::Version)
        .to_owned();
    let row = txn.query_one_raw(txn.get_database_backend().build(&insert)).await.or_internal()?;
    row.and_then(|r| r.try_get::<i64>("", "version").ok())
        .ok_or_else(|| Error::internal(anyhow::anyhow!("audit counter returned no row")))
}

/// Appends a record to `tenant`'s trail inside the caller's transaction.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    tenant: &impl InTenant,
    actor: &Actor,
    origin: &Origin,
    entry: Entry,
) -> Result<()> {
    let seq = next_seq(txn, tenant.in_tenant()).await?;
    let prev_hash = if seq <= 1 {
        workflow::chain::GENESIS.to_owned()
    } else {
        audit_record::Entity::find_in(tenant)
            .filter(audit_record::Column::Seq.eq(seq - 1))
            .one(txn)
            .await
            .or_internal()?
            // The previous record was purged (retention) long ago: start a fresh anchor.
            .map_or_else(|| workflow::chain::GENESIS.to_owned(), |m| m.hash)
    };
    // Microseconds: what PostgreSQL keeps, so the hashed time survives the round trip.
    let now = Utc::now();
    let at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let summary = json!({"before": entry.before, "after": entry.after}).to_string();
    let mut m = audit_record::Model {
        id: 0,
        tenant_id: tenant.in_tenant().0,
        seq,
        at,
        actor_id: actor.id.map(|u| u.0),
        actor: truncate(&actor.name, 100),
        kind: truncate(&entry.kind, 48),
        target: truncate(&entry.target, 160),
        source: truncate(&origin.source, 64),
        request_id: origin.request_id.as_deref().map(|r| truncate(r, 64)),
        summary,
        prev_hash,
        hash: String::new(),
    };
    m.hash = link(&m.prev_hash, &m);
    audit_record::ActiveModel {
        tenant_id: Set(m.tenant_id),
        seq: Set(m.seq),
        at: Set(m.at),
        actor_id: Set(m.actor_id),
        actor: Set(m.actor),
        kind: Set(m.kind),
        target: Set(m.target),
        source: Set(m.source),
        request_id: Set(m.request_id),
        summary: Set(m.summary),
        prev_hash: Set(m.prev_hash),
        hash: Set(m.hash),
        ..Default::default()
    }
    .insert(txn)
    .await
    .or_internal()?;
    Ok(())
}

/// [`record`] for the scope's tenant, by the scope's principal.
pub async fn record_scoped(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    origin: &Origin,
    entry: Entry,
) -> Result<()> {
    record(txn, scope, &Actor::of(scope.principal()), origin, entry).await
}

/// [`record_scoped`] in a transaction of its own: for changes that are not transactional, or
/// whose service does not take part (called right after the change succeeded).
pub async fn record_now(db: &DatabaseConnection, scope: &TenantScope, origin: &Origin, entry: Entry) -> Result<()> {
    let txn = db.begin().await.or_internal()?;
    record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()
}

/// Records a login attempt (登录日志) in the tenant it named (unknown tenants: the platform's).
pub(crate) async fn login_attempt(
    txn: &DatabaseTransaction,
    tenant: Option<&crate::entity::tenant::Model>,
    code: TenantCode,
    username: &str,
    found: Option<&user::Model>,
    outcome: LoginOutcome,
    origin: &Origin,
) -> Result<()> {
    let tenant = match tenant {
        Some(t) => TenantRef::of(t),
        None => match crate::tenant::find_by_code(txn, TenantCode::PLATFORM.as_str()).await? {
            Some(p) => TenantRef::of(&p),
            None => return Ok(()),
        },
    };
    let kind = match outcome {
        LoginOutcome::Succeeded => "auth.login",
        LoginOutcome::Failed => "auth.login_failed",
        LoginOutcome::Throttled => "auth.login_throttled",
        LoginOutcome::Refused => "auth.login_refused",
    };
    let actor = Actor { id: found.map(|u| UserId(u.id)), name: format!("{code}/{username}") };
    let target = match found {
        Some(u) => format!("user:{}", u.id),
        None => format!("account:{code}/{username}"),
    };
    record(txn, &tenant, &actor, origin, Entry::new(kind, target)).await
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Records at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Records before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// The actor, as `tenant code/user name` (e.g. `320115/admin`).
    pub actor: Option<String>,
    /// A kind (`user.updated`), or a prefix ending in `.` for a family (`auth.`).
    pub kind: Option<String>,
    /// The target (`user:<id>`).
    pub target: Option<String>,
    /// How many records to return (1–500, default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of the trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn view(m: audit_record::Model, tenant_code: &str) -> AuditRecord {
    let summary: Value = serde_json::from_str(&m.summary).unwrap_or(Value::Null);
    AuditRecord {
        seq: m.seq,
        tenant_code: tenant_code.to_owned(),
        at: m.at,
        actor_id: m.actor_id,
        actor: m.actor,
        kind: m.kind,
        target: m.target,
        source: m.source,
        request_id: m.request_id,
        before: summary.get("before").cloned().unwrap_or(Value::Null),
        after: summary.get("after").cloned().unwrap_or(Value::Null),
        hash: m.hash,
    }
}

fn filtered(scope: &TenantScope, f: &AuditFilter) -> Result<sea_orm::Select<audit_record::Entity>> {
    let mut q = audit_record::Entity::find_in(scope);
    if let Some(from) = f.from {
        q = q.filter(audit_record::Column::At.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_record::Column::At.lt(to));
    }
    if let (Some(from), Some(to)) = (f.from, f.to)
        && to <= from
    {
        return Err(Error::invalid("to", "must be after `from`"));
    }
    if let Some(actor) = f.actor.as_deref().filter(|a| !a.is_empty()) {
        q = q.filter(audit_record::Column::Actor.eq(actor.trim().to_lowercase()));
    }
    if let Some(kind) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        q = match kind.strip_suffix('.') {
            Some(family) => q.filter(audit_record::Column::Kind.starts_with(format!("{family}."))),
            None => q.filter(audit_record::Column::Kind.eq(kind)),
        };
    }
    if let Some(target) = f.target.as_deref().filter(|t| !t.is_empty()) {
        q = q.filter(audit_record::Column::Target.eq(target));
    }
    Ok(q)
}

/// A page of the scope's trail, oldest first, filtered.
pub async fn list(db: &DatabaseConnection, scope: &TenantScope, f: &AuditFilter) -> Result<AuditPage> {
    let limit = kernel::PageRequest { limit: f.limit, cursor: None }.limit()?;
    let mut q = filtered(scope, f)?.order_by_asc(audit_record::Column::Seq).limit(limit + 1);
    if let Some(c) = f.cursor.as_deref().filter(|c| !c.is_empty()) {
        let after: i64 = c.parse().map_err(|_| Error::invalid("cursor", "is not a cursor returned by this list"))?;
        q = q.filter(audit_record::Column::Seq.gt(after));
    }
    let mut rows = q.all(db).await.or_internal()?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| r.seq.to_string()) } else { None };
    let code = scope.tenant().code.to_string();
    Ok(AuditPage { items: rows.into_iter().map(|m| view(m, &code)).collect(), next_cursor })
}

/// Every record of the filter, oldest first, in batches (for exports).
pub async fn all(db: &DatabaseConnection, scope: &TenantScope, f: &AuditFilter, max: u64) -> Result<Vec<AuditRecord>> {
    let rows = filtered(scope, f)?.order_by_asc(audit_record::Column::Seq).limit(max).all(db).await.or_internal()?;
    let code = scope.tenant().code.to_string();
    Ok(rows.into_iter().map(|m| view(m, &code)).collect())
}

/// The result of recomputing a tenant's chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainCheck {
    /// Whether every record is as it was written.
    pub valid: bool,
    /// Records found intact (before the first broken one).
    pub records: u64,
    /// The `seq` of the first record that does not match, if any.
    pub broken_at: Option<i64>,
    /// Why it does not match.
    pub reason: Option<String>,
}

/// Recomputes the scope's chain from its oldest kept record.
pub async fn verify(db: &DatabaseConnection, scope: &TenantScope) -> Result<ChainCheck> {
    const BATCH: u64 = 2000;
    let mut checked = 0u64;
    let mut expected: Option<(i64, String)> = None;
    let mut after = i64::MIN;
    loop {
        let rows = audit_record::Entity::find_in(scope)
            .filter(audit_record::Column::Seq.gt(after))
            .order_by_asc(audit_record::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await
            .or_internal()?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        let full = rows.len() as u64 == BATCH;
        for m in rows {
            let broken = |reason: &str| ChainCheck {
                records: checked,
                valid: false,
                broken_at: Some(m.seq),
                reason: Some(reason.to_owned()),
            };
            if let Some((seq, hash)) = &expected {
                if m.seq != seq + 1 {
                    return Ok(broken("records before it are missing"));
                }
                if &m.prev_hash != hash {
                    return Ok(broken("its link to the previous record does not match"));
                }
            }
            if link(&m.prev_hash, &m) != m.hash {
                return Ok(broken("its content does not match its hash (changed after it was written)"));
            }
            checked += 1;
            expected = Some((m.seq, m.hash));
        }
        if !full {
            break;
        }
    }
    // Records removed from the newest end leave no broken link; the counter still knows.
    let taken = crate::db::read_version(db, &format!("audit:{}", scope.tenant_id().0)).await?;
    let last = expected.map_or(0, |(seq, _)| seq);
    if taken > last {
        return Ok(ChainCheck {
            records: checked,
            valid: false,
            broken_at: Some(last + 1),
            reason: Some(format!("records {} to {taken} are missing", last + 1)),
        });
    }
    Ok(ChainCheck { records: checked, valid: true, broken_at: None, reason: None })
}

/// Deletes records older than `retention_days` (at least [`MIN_RETENTION_DAYS`]).
pub async fn purge(db: &DatabaseConnection, retention_days: i64) -> Result<u64> {
    let cutoff = Utc::now() - chrono::Duration::days(Ord::max(retention_days, MIN_RETENTION_DAYS));
    let r =
        audit_record::Entity::delete_many().filter(audit_record::Column::At.lt(cutoff)).exec(db).await.or_internal()?;
    Ok(r.rows_affected)
}
