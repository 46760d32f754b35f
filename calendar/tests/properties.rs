//! Properties of the deadline arithmetic over random calendars, starts, limits and pauses.
//!
//! Starts are drawn across 2025–2027, half of them near the 2026 Chinese holidays and the European clock
//! changes, where mistakes would hide. The calendars include a zone with daylight saving time, a night shift
//! across the clock changes, a 24-hour service and a period ending at midnight.
//!
//! The strongest property compares with a brute-force oracle that knows nothing of intervals: it steps through
//! 30-minute slots and asks, for each, whether the wall clock at its middle is in a working period of a
//! working day and not paused.

// Tests fail by panicking; clippy.toml's test allowance does not reach helpers outside `#[test]` functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use calendar::{Light, Limit, Pause, Unit, WorkCalendar};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn calendars() -> Vec<WorkCalendar> {
    let china = WorkCalendar::china_default();
    let berlin_office = WorkCalendar {
        time_zone: "Europe/Berlin".to_string(),
        periods: vec![(t("08:00"), t("12:00")), (t("12:30"), t("17:00"))],
        weekend: vec![Weekday::Sat, Weekday::Sun],
        holidays: ["2026-04-03", "2026-04-06", "2026-12-24", "2026-12-25", "2026-12-31"].map(d).into(),
        workdays: BTreeSet::new(),
    };
    // Works the night of every clock change, so periods straddle the skipped and the repeated hour.
    let night_shift = WorkCalendar {
        time_zone: "Europe/Berlin".to_string(),
        periods: vec![(t("01:00"), t("04:00")), (t("13:00"), t("17:00"))],
        weekend: vec![Weekday::Sat, Weekday::Sun],
        holidays: BTreeSet::new(),
        workdays: ["2025-03-30", "2025-10-26", "2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"].map(d).into(),
    };
    let round_the_clock = WorkCalendar {
        time_zone: "America/New_York".to_string(),
        periods: vec![(t("00:00"), t("00:00"))],
        weekend: vec![Weekday::Sun],
        holidays: ["2026-07-04", "2026-12-25"].map(d).into(),
        workdays: BTreeSet::new(),
    };
    let evenings = WorkCalendar {
        periods: vec![(t("07:00"), t("09:30")), (t("18:00"), t("19:00")), (t("20:00"), t("00:00"))],
        weekend: vec![Weekday::Sun],
        workdays: BTreeSet::new(),
        ..WorkCalendar::china_default()
    };
    vec![china, berlin_office, night_shift, round_the_clock, evenings]
}

fn calendar() -> impl Strategy<Value = WorkCalendar> {
    (0..calendars().len()).prop_map(|i| calendars().swap_remove(i))
}

fn instant(secs: i64, nanos: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, nanos).unwrap()
}

fn secs(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

/// Dates where holidays, make-up days or clock changes sit.
const HOT_SPOTS: [&str; 12] = [
    "2026-01-01T00:00:00Z",
    "2026-02-14T00:00:00Z",
    "2026-02-28T00:00:00Z",
    "2026-04-04T00:00:00Z",
    "2026-05-01T00:00:00Z",
    "2026-06-19T00:00:00Z",
    "2026-09-25T00:00:00Z",
    "2026-10-01T00:00:00Z",
    "2025-03-30T00:00:00Z",
    "2026-03-29T00:00:00Z",
    "2026-10-25T00:00:00Z",
    "2027-10-31T00:00:00Z",
];

/// Seconds since the epoch: anywhere in 2025–2027, or within ten days of a hot spot.
fn start_secs() -> impl Strategy<Value = i64> {
    prop_oneof![
        secs("2025-01-01T00:00:00Z")..secs("2028-01-01T00:00:00Z"),
        (0..HOT_SPOTS.len(), -10 * 86_400i64..10 * 86_400).prop_map(|(i, offset)| secs(HOT_SPOTS[i]) + offset),
    ]
}

fn start() -> impl Strategy<Value = DateTime<Utc>> {
    (start_secs(), prop_oneof![Just(0u32), 0u32..1_000_000_000]).prop_map(|(s, n)| instant(s, n))
}

fn unit() -> impl Strategy<Value = Unit> {
    prop_oneof![Just(Unit::WorkingHours), Just(Unit::WorkingDays), Just(Unit::NaturalHours)]
}

fn limit() -> impl Strategy<Value = Limit> {
    let amount = prop_oneof![(0u32..=80).prop_map(|h| f64::from(h) * 0.5), 0.0f64..40.0, 0.01f64..1.0];
    (amount, unit()).prop_map(|(amount, unit)| Limit::new(amount, unit))
}

/// Up to four pauses around the start, in any order, possibly overlapping, inverted or empty; one in ten open.
fn pauses(start: DateTime<Utc>) -> impl Strategy<Value = Vec<Pause>> {
    let one = (-3_000i64..30_000, prop::option::weighted(0.9, -60i64..8_000)).prop_map(move |(offset, length)| {
        let from = start + TimeDelta::minutes(offset);
        (from, length.map(|l| from + TimeDelta::minutes(l)))
    });
    prop::collection::vec(one, 0..4)
}

fn closed_pauses(start: DateTime<Utc>) -> impl Strategy<Value = Vec<Pause>> {
    pauses(start).prop_map(|ps| ps.into_iter().filter(|p| p.1.is_some()).collect())
}

/// A case: calendar, start, limit, pauses.
fn case() -> impl Strategy<Value = (WorkCalendar, DateTime<Utc>, Limit, Vec<Pause>)> {
    (calendar(), start(), limit())
        .prop_flat_map(|(cal, start, limit)| (Just(cal), Just(start), Just(limit), pauses(start)))
}

/// One unit of `unit` in hours on `cal`.
fn hours_per(cal: &WorkCalendar, unit: Unit) -> f64 {
    if unit == Unit::WorkingDays { cal.hours_per_day() } else { 1.0 }
}

/// `a` and `b` differ by at most a microsecond.
fn close(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    (a - b).abs() <= TimeDelta::microseconds(1)
}

// ---- the oracle -----------------------------------------------------------------------------------------

const SLOT: TimeDelta = TimeDelta::minutes(30);

fn working_at(cal: &WorkCalendar, instant: DateTime<Utc>) -> bool {
    let tz: Tz = cal.time_zone.parse().unwrap();
    let local = instant.with_timezone(&tz).naive_local();
    let time = local.time();
    cal.is_working_day(local.date()) && cal.periods.iter().any(|&(s, e)| time >= s && (e == NaiveTime::MIN || time < e))
}

fn paused_at(pauses: &[Pause], instant: DateTime<Utc>) -> bool {
    pauses.iter().any(|&(from, to)| instant >= from && to.is_none_or(|to| instant < to))
}

fn stopped_for_good(pauses: &[Pause], instant: DateTime<Utc>) -> bool {
    pauses.iter().any(|&(from, to)| to.is_none() && from <= instant)
}

/// Whether the 30-minute slot starting at `slot` is active, judged at its middle.
fn active(cal: &WorkCalendar, natural: bool, pauses: &[Pause], slot: DateTime<Utc>) -> bool {
    let middle = slot + SLOT / 2;
    (natural || working_at(cal, middle)) && !paused_at(pauses, middle)
}

fn oracle_deadline(
    cal: &WorkCalendar,
    natural: bool,
    start: DateTime<Utc>,
    slots: u32,
    ps: &[Pause],
) -> Option<DateTime<Utc>> {
    let mut slot = start;
    let mut count = 0;
    for _ in 0..(120 * 48) {
        if stopped_for_good(ps, slot) {
            return None;
        }
        if active(cal, natural, ps, slot) {
            count += 1;
            if count == slots {
                return Some(slot + SLOT);
            }
        }
        slot += SLOT;
    }
    panic!("the oracle found no deadline within 120 days");
}

fn oracle_used_hours(cal: &WorkCalendar, natural: bool, start: DateTime<Utc>, now: DateTime<Utc>, ps: &[Pause]) -> f64 {
    let mut slot = start;
    let mut count = 0u32;
    while slot < now {
        if active(cal, natural, ps, slot) {
            count += 1;
        }
        slot += SLOT;
    }
    f64::from(count) * 0.5
}

/// Times on the 30-minute grid, which every zone used here keeps in local time too (whole-hour offsets).
fn on_grid(secs: i64) -> DateTime<Utc> {
    instant(secs - secs.rem_euclid(1800), 0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The time used up to the deadline is the limit, and the light there is yellow.
    #[test]
    fn used_at_the_deadline_is_the_limit((cal, start, limit, pauses) in case()) {
        match cal.deadline(start, limit, &pauses) {
            Some(deadline) => {
                prop_assert!(deadline >= start);
                let used = cal.used(start, deadline, limit.unit, &pauses);
                let one_second = 1.0 / 3600.0 / hours_per(&cal, limit.unit);
                prop_assert!((used - limit.amount).abs() <= one_second, "used {used}, limit {}", limit.amount);
                if limit.amount > 0.0 {
                    prop_assert_eq!(cal.light(start, deadline, limit, &pauses), Light::Yellow);
                }
            }
            // Every calendar here has working time within reach, so only an open pause can stop the clock.
            None => prop_assert!(pauses.iter().any(|p| p.1.is_none())),
        }
    }

    /// Used time never decreases, never is negative, and working time never exceeds real time.
    #[test]
    fn used_is_monotonic(
        (cal, start, limit, pauses) in case(),
        a in -200_000i64..6_000_000,
        b in -200_000i64..6_000_000,
    ) {
        let (early, late) = (start + TimeDelta::seconds(a.min(b)), start + TimeDelta::seconds(a.max(b)));
        let (used_early, used_late) =
            (cal.used(start, early, limit.unit, &pauses), cal.used(start, late, limit.unit, &pauses));
        prop_assert!(0.0 <= used_early && used_early <= used_late, "{used_early} then {used_late}");
        let working_hours = cal.used(start, late, Unit::WorkingHours, &pauses);
        let natural_hours = cal.used(start, late, Unit::NaturalHours, &pauses);
        prop_assert!(working_hours <= natural_hours + 1e-9);
    }

    /// Red exactly when past the deadline with time used beyond it; never red before the deadline.
    #[test]
    fn the_light_agrees_with_the_deadline((cal, start, limit, pauses) in case(), offset in -100_000i64..5_000_000) {
        let now = start + TimeDelta::seconds(offset);
        let light = cal.light(start, now, limit, &pauses);
        match cal.deadline(start, limit, &pauses) {
            Some(deadline) if now <= deadline => prop_assert_ne!(light, Light::Red),
            Some(_) => {}
            None => prop_assert_ne!(light, Light::Red),
        }
        let used = cal.used(start, now, limit.unit, &pauses);
        let expected = if used <= 0.8 * limit.amount { Light::Green } else if used <= limit.amount { Light::Yellow } else { Light::Red };
        // Away from the thresholds, where floating point could tip either way, the ratio decides.
        let near = |x: f64| (used - x).abs() <= 1e-9 * (1.0 + x.abs());
        if !near(0.8 * limit.amount) && !near(limit.amount) {
            prop_assert_eq!(light, expected);
        }
    }

    /// An open pause hides the deadline only if it starts before the limit is used up.
    #[test]
    fn an_open_pause_hides_only_a_deadline_not_yet_reached(
        (cal, start, limit, pauses) in (calendar(), start(), limit())
            .prop_flat_map(|(c, s, l)| (Just(c), Just(s), Just(l), closed_pauses(s))),
        open_at in -100_000i64..3_000_000,
    ) {
        // A zero limit is due at the start even if an open pause began before it.
        let limit = Limit::new(limit.amount.max(0.01), limit.unit);
        let open = start + TimeDelta::seconds(open_at);
        let without = cal.deadline(start, limit, &pauses);
        let mut with = pauses.clone();
        with.push((open, None));
        prop_assert_eq!(cal.deadline(start, limit, &with), without.filter(|d| *d <= open));
    }

    /// An extension continues from the old deadline: deadline(a + b) = deadline(b) counted from deadline(a).
    #[test]
    fn extensions_add_up(
        (cal, start, limit, pauses) in case(),
        extra in prop_oneof![(0u32..=20).prop_map(|h| f64::from(h) * 0.5), 0.0f64..10.0],
    ) {
        let first = cal.deadline(start, limit, &pauses);
        let whole = cal.deadline(start, limit.extended_by(extra), &pauses);
        if let (Some(first), Some(whole)) = (first, whole) {
            prop_assert!(whole >= first);
            let rest = cal.deadline(first, Limit::new(extra, limit.unit), &pauses).unwrap();
            prop_assert!(close(whole, rest), "{whole} vs {rest}");
        } else {
            // If the extended limit is reachable, so is the shorter one.
            prop_assert!(whole.is_none());
        }
    }

    /// Pauses can only delay a deadline and reduce used time.
    #[test]
    fn pauses_only_delay((cal, start, limit, pauses) in case(), offset in 0i64..5_000_000) {
        let free = cal.deadline(start, limit, &[]).unwrap();
        if let Some(paused) = cal.deadline(start, limit, &pauses) {
            prop_assert!(paused >= free);
        }
        let now = start + TimeDelta::seconds(offset);
        prop_assert!(cal.used(start, now, limit.unit, &pauses) <= cal.used(start, now, limit.unit, &[]));
    }

    /// A working day is `hours_per_day` working hours.
    #[test]
    fn working_days_are_days_of_working_hours((cal, start, limit, pauses) in case()) {
        let days = cal.deadline(start, Limit::new(limit.amount, Unit::WorkingDays), &pauses);
        let hours = cal.deadline(start, Limit::new(limit.amount * cal.hours_per_day(), Unit::WorkingHours), &pauses);
        match (days, hours) {
            (Some(days), Some(hours)) => prop_assert!(close(days, hours), "{days} vs {hours}"),
            (days, hours) => prop_assert_eq!(days, hours),
        }
    }

    /// A deadline in working units is reached in working time: the moment before it is worked and not paused.
    #[test]
    fn working_deadlines_fall_in_working_time((cal, start, limit, pauses) in case()) {
        let unit = if limit.unit == Unit::NaturalHours { Unit::WorkingHours } else { limit.unit };
        // A limit that rounds to no time at all is due at the start, worked or not.
        let limit = Limit::new(limit.amount.max(1e-6), unit);
        if let Some(deadline) = cal.deadline(start, limit, &pauses) {
            let before = deadline - TimeDelta::nanoseconds(1);
            prop_assert!(working_at(&cal, before), "{before} is not working time");
            prop_assert!(!paused_at(&pauses, before), "{before} is paused");
            prop_assert!(before >= start);
        }
    }

    /// Natural hours without pauses are plain addition.
    #[test]
    fn natural_hours_are_plain_addition(cal in calendar(), start in start(), amount in 0.0f64..10_000.0) {
        let deadline = cal.deadline(start, Limit::new(amount, Unit::NaturalHours), &[]).unwrap();
        let expected = start + TimeDelta::nanoseconds((amount * 3.6e12).round() as i64);
        prop_assert_eq!(deadline, expected);
    }

    /// On the 30-minute grid the walker agrees exactly with the slot-by-slot oracle.
    #[test]
    fn agrees_with_a_brute_force_oracle(
        cal in calendar(),
        natural in prop::bool::weighted(0.2),
        start in start_secs().prop_map(on_grid),
        slots in 1u32..=40,
        raw_pauses in prop::collection::vec((-100i64..700, prop::option::weighted(0.9, -4i64..250)), 0..4),
        now_slots in -10i64..2_000,
    ) {
        let pauses: Vec<Pause> = raw_pauses
            .into_iter()
            .map(|(offset, length)| {
                let from = start + SLOT * i32::try_from(offset).unwrap();
                (from, length.map(|l| from + SLOT * i32::try_from(l).unwrap()))
            })
            .collect();
        let unit = if natural { Unit::NaturalHours } else { Unit::WorkingHours };
        let limit = Limit::new(f64::from(slots) * 0.5, unit);
        prop_assert_eq!(cal.deadline(start, limit, &pauses), oracle_deadline(&cal, natural, start, slots, &pauses));
        let now = start + SLOT * i32::try_from(now_slots).unwrap();
        prop_assert_eq!(cal.used(start, now, unit, &pauses), oracle_used_hours(&cal, natural, start, now, &pauses));
    }

    /// Calendars survive a JSON round trip unchanged.
    #[test]
    fn calendars_round_trip_through_json(cal in calendar(), extra in prop::collection::btree_set(0i64..2_000, 0..20)) {
        let base = d("2025-01-01");
        let cal = cal.with_holidays(extra.iter().map(|&n| base + TimeDelta::days(n)), []);
        let json = serde_json::to_string(&cal).unwrap();
        prop_assert_eq!(serde_json::from_str::<WorkCalendar>(&json).unwrap(), cal);
    }
}
