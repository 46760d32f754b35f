//! Idempotency records: the first answer to a request sent with an `Idempotency-Key`, kept so
//! that a retry (a phone that lost the connection, a user pressing twice) gets that answer
//! instead of a second case or a 409.
//!
//! A key is scoped to (county, user, key): it is the sender's own, and another user or another
//! county with the same key sends another request. One key names one request, whatever the
//! route (intake, actions): the request hash covers the route, its target and the body, so the
//! same key with anything else is refused (422 naming `Idempotency-Key`).
//!
//! Records expire after [`Keys::ttl`] (24 h unless configured): past it a key is new again, even
//! before the upkeep loop has purged the record ([`purge`]).

use chrono::{DateTime, TimeDelta, Utc};
use kernel::{Error, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::clock::Clock;
use crate::db::OrInternal;
use crate::entity::idempotency_key;

/// How long a record is kept by default: a day, as long as a client is expected to retry.
pub const DEFAULT_TTL_SECS: i64 = 24 * 3600;

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 128;

/// The records' lifetime and the clock it is measured with (the clock that stamps new cases, so
/// that a test shifting it sees keys expire).
#[derive(Debug, Clone)]
pub struct Keys {
    ttl: TimeDelta,
    clock: Clock,
}

impl Keys {
    /// Records kept `ttl_secs` seconds, measured with `clock`.
    pub fn new(ttl_secs: i64, clock: Clock) -> Self {
        Self { ttl: TimeDelta::seconds(ttl_secs.max(1)), clock }
    }

    /// How long a record counts.
    pub fn ttl(&self) -> TimeDelta {
        self.ttl
    }

    /// The clock the records (and new cases) are stamped with.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Records created before this instant have expired.
    pub fn cutoff(&self) -> DateTime<Utc> {
        self.clock.now() - self.ttl
    }
}

/// A key as sent: 1–128 characters (after trimming, which the routes do).
pub fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(Error::invalid("Idempotency-Key", format!("must be 1–{MAX_KEY_LEN} characters")));
    }
    Ok(())
}

/// A stored first answer.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub body: String,
}

/// The unexpired record of (tenant, user, key), if there is one.
pub(crate) async fn find<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    user: Uuid,
    key: &str,
    cutoff: DateTime<Utc>,
) -> Result<Option<idempotency_key::Model>> {
    // Allowed bare filter (tenancy/tests/sealed_scope.rs counts them): (tenant, user, key) is the record's key,
    // and the tenant comes from the request's scope by way of the group-commit job.
    idempotency_key::Entity::find()
        .filter(idempotency_key::Column::TenantId.eq(tenant))
        .filter(idempotency_key::Column::UserId.eq(user))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::CreatedAt.gte(cutoff))
        .one(db)
        .await
        .or_internal()
}

/// The stored first answer if `hash` is the same request; a 422 if the key named another one.
pub(crate) fn answer_of(prior: &idempotency_key::Model, hash: &str) -> Result<Stored> {
    if prior.request_hash != hash {
        return Err(Error::invalid("Idempotency-Key", "was already used for a different request"));
    }
    Ok(Stored { status: prior.status as u16, body: prior.response.clone() })
}

/// Removes the expired record of (tenant, user, key), if one is still there (the upkeep purges
/// only every few minutes), so that the key can be stored again. Returns whether one was removed.
pub(crate) async fn forget_expired<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    user: Uuid,
    key: &str,
    cutoff: DateTime<Utc>,
) -> Result<bool> {
    // Allowed bare filter (tenancy/tests/sealed_scope.rs counts them): part of the (tenant, user, key) record key.
    let r = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::TenantId.eq(tenant))
        .filter(idempotency_key::Column::UserId.eq(user))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await
        .or_internal()?;
    Ok(r.rows_affected > 0)
}

/// Stores the first answer to a request (inside the caller's transaction, with what it did).
pub(crate) async fn store<C: ConnectionTrait>(db: &C, record: idempotency_key::Model) -> Result<()> {
    idempotency_key::Entity::insert(idempotency_key::ActiveModel::from(record))
        .exec_without_returning(db)
        .await
        .or_internal()?;
    Ok(())
}

/// Deletes every expired record (the upkeep loop). Returns how many.
pub async fn purge<C: ConnectionTrait>(db: &C, keys: &Keys) -> Result<u64> {
    let r = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(keys.cutoff()))
        .exec(db)
        .await
        .or_internal()?;
    Ok(r.rows_affected)
}
