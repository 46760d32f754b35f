//! The case closed loop (案件闭环) as a pure state machine.
//!
//! A case is the fold of its events. [`machine::decide`] takes the current projection, the
//! actor and a command, and either refuses (with a reason) or returns the event to append;
//! [`machine::apply`] folds an event into the projection. Every allowed transition, and who may
//! make it, is in [`machine::rule`] — one table. The event log is hash-chained ([`chain`]) so a
//! tampered history is detected. No HTTP, no storage: the `cases` crate persists events and
//! projections, the `api` crate speaks HTTP.

pub mod available;
pub mod chain;
pub mod machine;
pub mod model;
pub mod vocab;

pub use machine::{apply, decide};
pub use model::{Action, Actor, Case, Command, Event, Refusal, Source, State};
