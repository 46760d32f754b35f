//! Performance evaluation (绩效评价, standards.md §5) computed only from the case event log.
//!
//! - [`input`]: what evaluation reads — each case's location and its events (action, actor, time,
//!   and the deadline each event set under the rules in force then), plus directives.
//! - [`indicator`]: the indicators of each subject, with their Chinese names.
//! - [`engine`]: walks each case's events up to the period's end and counts what settled in the
//!   period; the same walk lists the cases and events behind any number (drill-down).
//! - [`scheme`]: weights, step ladders, grades, region classes and the named options where the
//!   sources disagree; [`score`] turns indicators into scores and grades.
//! - [`period`]: day, week, month, quarter, year or a date range, in the tenant's time zone.
//! - [`timeline`]: the packed form of a case's events kept on its row (one read per case).
//! - [`recurring`]: hotspots (the same class again and again in one place) and the repeat rate.
//!
//! Results for a closed period are reproducible: the walk ignores every event at or after the
//! period's end, and events are append-only.

pub mod engine;
pub mod indicator;
pub mod input;
pub mod period;
#[cfg(test)]
mod properties;
pub mod recurring;
pub mod scheme;
pub mod score;
pub mod timeline;

pub use engine::{Contribution, Evaluation, Row, evaluate};
pub use indicator::{Indicator, SubjectKind};
pub use input::{CaseRecord, Directive, DirectiveKind, EventRecord, Roster};
pub use period::Period;
pub use scheme::Scheme;
