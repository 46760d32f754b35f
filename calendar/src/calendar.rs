//! A tenant's work calendar, its validation, and the public deadline arithmetic on it.
//!
//! The calendar is plain data that a tenant edits as JSON through the API, so every method must stay sound on
//! a calendar that was never validated: [`WorkCalendar::validate`] is there to tell city staff what is wrong,
//! not to protect the arithmetic (which normalises periods and reads an unknown zone as UTC).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, NANOS_PER_HOUR, Shape, span};
use crate::{Light, Limit, Pause, Unit};

/// A tenant's work calendar. Serialised as JSON like
///
/// ```json
/// {
///   "time_zone": "Asia/Shanghai",
///   "periods": [["08:30", "12:00"], ["13:30", "17:30"]],
///   "weekend": ["Sat", "Sun"],
///   "holidays": ["2026-10-01", "2026-10-02"],
///   "workdays": ["2026-10-10"]
/// }
/// ```
///
/// Times may be written `HH:MM` or `HH:MM:SS` (they are written back as `HH:MM:SS`); an end of `00:00` means
/// midnight at the end of the day, so `["00:00", "00:00"]` is a 24-hour day. Weekdays may be short or long
/// English names, in any case. `holidays` and `workdays` may be left out. Unknown fields are refused, so that a
/// misspelt `holiday` is reported instead of silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkCalendar {
    /// IANA time zone, e.g. `Asia/Shanghai`: working periods are wall-clock times there.
    pub time_zone: String,
    /// The working periods of a working day, e.g. 08:30–12:00 and 13:30–17:30: pairs of `HH:MM[:SS]`.
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30:00", "12:00:00"], ["13:30:00", "17:30:00"]]))]
    pub periods: Vec<(NaiveTime, NaiveTime)>,
    /// Days of the week that are not worked unless listed in `workdays`; usually Saturday and Sunday.
    #[schema(value_type = Vec<String>, example = json!(["Sat", "Sun"]))]
    pub weekend: Vec<Weekday>,
    /// Public holidays: not worked, even on a weekday.
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Make-up working days (调休): worked, even on a weekend.
    #[serde(default)]
    pub workdays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// Checks the calendar and returns every problem found as `(field, reason)`, with `field` named as in the
    /// JSON (`periods[1]`, `workdays`, ...) and `reason` a sentence for city staff. Refused: an empty or unknown
    /// time zone; no periods; a period that is empty or ends before it starts; overlapping periods; a weekday
    /// listed twice in the weekend or a weekend of all seven days; a date that is both a holiday and a make-up
    /// working day; a make-up working day that is not a weekend day (it would change nothing, so it is most
    /// likely a mistyped date).
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut add = |field: &str, reason: String| errors.push((field.to_string(), reason));

        if self.time_zone.trim().is_empty() {
            add("time_zone", "is required: an IANA time zone such as Asia/Shanghai".to_string());
        } else if self.time_zone.parse::<Tz>().is_err() {
            add(
                "time_zone",
                format!("\"{}\" is not a known IANA time zone; use a name such as Asia/Shanghai", self.time_zone),
            );
        }

        if self.periods.is_empty() {
            add("periods", "at least one working period is required, for example 08:30 to 12:00".to_string());
        }
        let mut valid: Vec<(TimeDelta, TimeDelta, usize)> = Vec::with_capacity(self.periods.len());
        for (i, period) in self.periods.iter().enumerate() {
            let (start, end) = span(period);
            if start < end {
                valid.push((start, end, i));
            } else if period.0 == period.1 {
                add(
                    &format!("periods[{i}]"),
                    format!("starts and ends at {}, so it has no working time", clock_time(period.0)),
                );
            } else {
                add(
                    &format!("periods[{i}]"),
                    format!(
                        "ends at {} before it starts at {}; periods cannot run past midnight (end at 00:00 for midnight)",
                        clock_time(period.1),
                        clock_time(period.0)
                    ),
                );
            }
        }
        valid.sort();
        // Compare each period with the one reaching furthest among those starting no later.
        let mut furthest: Option<(TimeDelta, usize)> = None;
        for &(start, end, i) in &valid {
            if let Some((reach, j)) = furthest {
                if start < reach {
                    let other = self.periods[j];
                    add(
                        &format!("periods[{i}]"),
                        format!("overlaps the period {} to {}", clock_time(other.0), clock_time(other.1)),
                    );
                }
                if end <= reach {
                    continue;
                }
            }
            furthest = Some((end, i));
        }

        let mut seen = [false; 7];
        for day in &self.weekend {
            let slot = &mut seen[day.num_days_from_monday() as usize];
            if *slot {
                add("weekend", format!("{} is listed more than once", weekday_name(*day)));
            }
            *slot = true;
        }
        if seen.iter().all(|s| *s) {
            add("weekend", "all seven days are weekend days, so no day would be a regular working day".to_string());
        }

        for day in &self.workdays {
            if self.holidays.contains(day) {
                add(
                    "workdays",
                    format!("{day} is also listed as a holiday; a date is either a holiday or a make-up working day"),
                );
            } else if !seen[day.weekday().num_days_from_monday() as usize] {
                add(
                    "workdays",
                    format!(
                        "{day} is a {}, a working day anyway; make-up working days fall on weekend days",
                        weekday_name(day.weekday())
                    ),
                );
            }
        }

        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// A plausible default for a city in mainland China: `Asia/Shanghai`, 08:30–12:00 and 13:30–17:30
    /// (7.5 working hours a day), Saturday and Sunday off, and the 2026 national holidays and make-up working
    /// days from the State Council notice (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04; see
    /// [`china_2026_holidays`](crate::china_2026_holidays) for the dates and the source URLs:
    /// <https://politics.gmw.cn/2025-11/04/content_38391083.htm>).
    ///
    /// No other year is included: each year's schedule is announced only the November before, and local
    /// (provincial) holidays differ, so tenants add their own with [`WorkCalendar::with_holidays`].
    pub fn china_default() -> WorkCalendar {
        let (holidays, workdays) = crate::china_2026_holidays();
        WorkCalendar {
            time_zone: "Asia/Shanghai".to_string(),
            periods: vec![(hm(8, 30), hm(12, 0)), (hm(13, 30), hm(17, 30))],
            weekend: vec![Weekday::Sat, Weekday::Sun],
            holidays,
            workdays,
        }
    }

    /// Adds holidays and make-up working days to those already in the calendar (e.g. next year's schedule
    /// or a provincial holiday on top of [`WorkCalendar::china_default`]). To replace them, assign the fields.
    pub fn with_holidays(
        mut self,
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> WorkCalendar {
        self.holidays.extend(holidays);
        self.workdays.extend(workdays);
        self
    }

    /// Those of `years` in which the calendar lists no public holiday. The State Council publishes
    /// each year's schedule in the autumn before; until a tenant adds it, such a year's deadlines
    /// count only weekends as days off, which the console should say rather than hide.
    pub fn years_without_holidays(&self, years: impl IntoIterator<Item = i32>) -> Vec<i32> {
        years.into_iter().filter(|y| !self.holidays.iter().any(|d| d.year() == *y)).collect()
    }

    /// Whether `date` is worked: holidays never are (even if also listed as a make-up day, which `validate`
    /// refuses), make-up days always are, other days unless they fall on the weekend.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.shape().is_working_day(date)
    }

    /// Working hours in one working day: the sum of the periods (overlaps counted once). This is the length of
    /// a working day as a unit, even on the rare day a daylight-saving change makes the real day shorter.
    pub fn hours_per_day(&self) -> f64 {
        self.shape().day_nanos() as f64 / NANOS_PER_HOUR as f64
    }

    /// The deadline: `start` plus `limit` on this calendar, with the clock stopped during `pauses`.
    ///
    /// - `WorkingHours` counts only time inside the working periods of working days; a start outside working
    ///   time starts counting at the next working moment. The deadline is the first instant at which the
    ///   limit is used up, so 3.5 working hours from 08:30 end at 12:00, not at 13:30.
    /// - `WorkingDays` is `amount × hours_per_day` working hours: one working day from 10:00 ends at 10:00 on
    ///   the next working day.
    /// - `NaturalHours` counts wall-clock time, minus pauses.
    ///
    /// `pauses` are UTC half-open intervals `[from, to)`, in any order, possibly overlapping; `to = None` is a
    /// pause still running. Returns `None` when the clock stops for good before the limit is used up (an open
    /// pause that began before the deadline), or when the deadline lies more than 200 years ahead (which
    /// includes a calendar without working time). An open pause that began after the limit was already used
    /// up does not hide the deadline that has passed. A limit of zero or less is due at `start`.
    pub fn deadline(&self, start: DateTime<Utc>, limit: Limit, pauses: &[Pause]) -> Option<DateTime<Utc>> {
        let shape = self.shape();
        let unit = unit_nanos(&shape, limit.unit);
        let amount = limit_nanos(limit.amount, unit);
        if unit == 0 && amount_counts(limit.amount) {
            // Working days on a calendar without working time: never due.
            return None;
        }
        shape.deadline(clock(limit.unit), start, amount, pauses)
    }

    /// Time used between `start` and `now` in the limit's unit, excluding pauses: hours for `WorkingHours` and
    /// `NaturalHours`, working days for `WorkingDays`. Zero when `now` is not after `start`. Never decreases
    /// as `now` grows, and `used(start, deadline(start, limit, pauses), ...)` is `limit.amount`.
    pub fn used(&self, start: DateTime<Utc>, now: DateTime<Utc>, unit: Unit, pauses: &[Pause]) -> f64 {
        let shape = self.shape();
        let per_unit = unit_nanos(&shape, unit);
        if per_unit == 0 {
            return 0.0;
        }
        shape.used_nanos(clock(unit), start, now, pauses) as f64 / per_unit as f64
    }

    /// The traffic light at `now`: green while at most 80 % of the limit is used, yellow up to 100 %, red
    /// beyond. Compared in exact nanoseconds, so it is yellow exactly at [`WorkCalendar::deadline`] and red at
    /// the first working moment after it. A zero limit is green until any time is used; an infinite one
    /// stays green.
    pub fn light(&self, start: DateTime<Utc>, now: DateTime<Utc>, limit: Limit, pauses: &[Pause]) -> Light {
        let shape = self.shape();
        let unit = unit_nanos(&shape, limit.unit);
        let allowed = limit_nanos(limit.amount, unit);
        let used = shape.used_nanos(clock(limit.unit), start, now, pauses);
        if used.saturating_mul(10) <= allowed.saturating_mul(8) {
            Light::Green
        } else if used <= allowed {
            Light::Yellow
        } else {
            Light::Red
        }
    }

    fn shape(&self) -> Shape<'_> {
        Shape::new(&self.time_zone, &self.periods, &self.weekend, &self.holidays, &self.workdays)
    }
}

fn clock(unit: Unit) -> Clock {
    match unit {
        Unit::WorkingHours | Unit::WorkingDays => Clock::Working,
        Unit::NaturalHours => Clock::Natural,
    }
}

/// Nanoseconds of active time in one unit.
fn unit_nanos(shape: &Shape<'_>, unit: Unit) -> i128 {
    match unit {
        Unit::WorkingHours | Unit::NaturalHours => NANOS_PER_HOUR,
        Unit::WorkingDays => shape.day_nanos(),
    }
}

/// Whether an amount means any time at all: negative and NaN amounts count as zero.
fn amount_counts(amount: f64) -> bool {
    amount > 0.0
}

/// A limit in nanoseconds, rounded to the nearest one; an infinite amount saturates (and is never reached).
fn limit_nanos(amount: f64, unit: i128) -> i128 {
    if amount_counts(amount) { (amount * unit as f64).round() as i128 } else { 0 }
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

/// `08:30`, or `08:30:15` when there are seconds: how staff write times.
fn clock_time(t: NaiveTime) -> String {
    if t.second() == 0 && t.nanosecond() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_to_the_nearest_nanosecond_and_clamp_nonsense() {
        assert_eq!(limit_nanos(1.5, NANOS_PER_HOUR), 5_400_000_000_000);
        assert_eq!(limit_nanos(0.1, NANOS_PER_HOUR), 360_000_000_000);
        assert_eq!(limit_nanos(-3.0, NANOS_PER_HOUR), 0);
        assert_eq!(limit_nanos(f64::NAN, NANOS_PER_HOUR), 0);
        assert_eq!(limit_nanos(f64::INFINITY, NANOS_PER_HOUR), i128::MAX);
    }

    #[test]
    fn times_are_shown_as_staff_write_them() {
        assert_eq!(clock_time(hm(8, 30)), "08:30");
        assert_eq!(clock_time(NaiveTime::from_hms_opt(8, 30, 15).unwrap()), "08:30:15");
        assert_eq!(weekday_name(Weekday::Sat), "Saturday");
    }
}
