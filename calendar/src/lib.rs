//! Work calendars and time limits (工作时限) for the case workflow of UrbanGrid (数字城管).
//!
//! Every step of a case (受理, 核实, 立案, 派遣, 处置, 核查, 结案) must be done within a limit that a city
//! states in working hours (工作时), working days (工作日) or natural hours (emergencies such as
//! "1小时内到达现场"). Working time depends on the tenant's own calendar: its time zone, its daily working
//! periods, its weekend, the public holidays and the make-up working days (调休) that move work onto a
//! weekend. Suspension (挂账) stops the clock; an approved extension (延期) simply makes the limit larger.
//!
//! This crate is the one place that turns those rules into instants, so that the deadline shown to a
//! department, the time it is charged with and the traffic light (绿/黄/红) can never disagree: all three come
//! from one walk over the same active time (working time, or all time for natural hours, minus pauses).
//! It is pure Rust — no web framework, no database — so the API, the workflow and the tests all share it.
//!
//! Conventions:
//! - instants are UTC ([`chrono::DateTime<Utc>`]); business time is computed in the calendar's time zone;
//! - a pause is a half-open UTC interval `[from, to)`; `to = None` means "still paused";
//! - instants are clamped to the years 1900–9999 and a deadline is searched at most 200 years ahead, so
//!   every function is total (it never panics, whatever a tenant or a client sends).

mod calendar;
mod china;
mod clock;

pub use calendar::WorkCalendar;
pub use china::china_2026_holidays;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A suspension (挂账) as UTC instants: the half-open interval `[from, to)`, `to = None` while still suspended.
/// Pauses may be given in any order and may overlap; empty or inverted ones are ignored.
pub type Pause = (DateTime<Utc>, Option<DateTime<Utc>>);

/// The unit a time limit is stated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 工作时: only time inside the working periods of working days counts.
    WorkingHours,
    /// 工作日: `amount × hours_per_day` working hours, so one working day started at 10:00 ends at 10:00 on the
    /// next working day rather than at the end of a day.
    WorkingDays,
    /// 自然时: wall-clock hours, day and night, weekends and holidays included (only pauses stop the clock).
    NaturalHours,
}

/// A time limit: an amount in a unit. The amount may be fractional (0.5 working days, 0.25 hours).
///
/// An extension (延期) is not a separate concept: it is the same limit with a larger amount
/// (see [`Limit::extended_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Limit {
    pub amount: f64,
    pub unit: Unit,
}

impl Limit {
    pub fn new(amount: f64, unit: Unit) -> Limit {
        Limit { amount, unit }
    }

    /// The limit after an approved extension of `extra` in the same unit.
    pub fn extended_by(self, extra: f64) -> Limit {
        Limit { amount: self.amount + extra, unit: self.unit }
    }

    /// Checks that the amount is a positive, finite number, returning `(field, reason)` pairs like
    /// [`WorkCalendar::validate`]. The computations never fail on a bad amount (they treat a negative or
    /// NaN amount as 0 and an infinite one as "never due"), but a tenant should be told rather than surprised.
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        if self.amount.is_finite() && self.amount > 0.0 {
            Ok(())
        } else if self.amount.is_nan() || self.amount.is_infinite() {
            Err(vec![("amount".to_string(), "must be a finite number".to_string())])
        } else {
            Err(vec![("amount".to_string(), "must be greater than zero".to_string())])
        }
    }
}

/// The traffic light of a case step: green while at most 80 % of the limit is used, yellow up to 100 %,
/// red once the limit is exceeded. Ordered from best to worst, so the worst light of several steps is `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

kernel::vocabulary!(Unit {
    WorkingHours => "working_hours", "工作时", "Working hours";
    WorkingDays => "working_days", "工作日", "Working days";
    NaturalHours => "natural_hours", "自然时", "Natural hours";
});

#[cfg(test)]
mod vocabulary_tests {
    use super::Unit;
    use kernel::Vocabulary;

    #[test]
    fn unit_codes_are_the_serde_names() {
        kernel::vocab::check::<Unit>().unwrap();
        for u in Unit::ALL {
            assert_eq!(serde_json::to_value(u).unwrap(), serde_json::Value::from(u.code()));
        }
    }
}
