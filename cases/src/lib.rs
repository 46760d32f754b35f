//! Cases of the closed loop (案件闭环), persisted.
//!
//! A case is its event log (append-only, hash-chained) and a projection row kept in step with
//! it. Every change goes through [`workflow::decide`]: this crate loads the case, builds the
//! [`workflow::Actor`] from the caller's roles and department, appends the event with the next
//! sequence number (a unique index makes concurrent appends to one case fail instead of fork),
//! and updates the projection in the same transaction.

pub mod act;
pub mod actor;
pub mod clock;
pub mod dispatch;
pub mod duplicates;
pub mod entity;
pub mod export;
pub mod feed;
pub mod history;
pub mod idempotency;
pub mod intake;
pub mod notify;
pub mod numbering;
pub mod overdue;
pub mod photos;
pub mod public;
pub mod query;
pub mod readiness;
pub mod recent;
pub mod settings;
pub mod storage;
pub mod timeline;
pub mod vocab;
pub mod writer;

pub(crate) mod db {
    pub use tenancy::db::OrInternal;
}

/// The time of a new event, truncated to microseconds: PostgreSQL keeps no finer, and the hash
/// of an event must survive the round trip through storage.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// Maps a refusal of the state machine to the error vocabulary.
pub(crate) fn refusal(r: workflow::Refusal) -> kernel::Error {
    match r {
        workflow::Refusal::NotAllowed(why) => kernel::Error::forbidden(why),
        workflow::Refusal::WrongState(why) => kernel::Error::conflict(why),
        workflow::Refusal::Invalid(field, reason) => kernel::Error::invalid(field, reason),
    }
}
