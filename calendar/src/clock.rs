//! The arithmetic behind deadlines: a work calendar turned into UTC intervals of working time, minus pauses.
//!
//! Why a single walker: `deadline`, `used` and `light` must agree to the nanosecond — a step is yellow at its
//! deadline and red from the first working moment after it — so all three enumerate the same ordered "active"
//! segments (working time, or all time for natural hours, with pauses cut out) and only differ in when they
//! stop. Durations are counted in `i128` nanoseconds so that sums never round.
//!
//! Why day by day: a working day contributes at most a handful of intervals, so a 30-working-day limit
//! costs ~40 calendar days of work, independent of how many minutes it spans. Non-working days are skipped
//! with a set lookup; a calendar whose whole week is weekend jumps straight from make-up day to make-up day.
//!
//! Time zones: a working period is wall-clock time ("08:30 local"). A wall-clock time is mapped to the
//! *first instant at which the clock shows that time or later*. That is the plain instant on ordinary days,
//! the earlier of the two on a day the clock falls back, and the transition instant itself when the clock
//! jumps over it (so a period 02:30–04:00 on a spring-forward night starts at 03:00 new time). The mapping
//! is monotonic, so the intervals of consecutive days never overlap or go backwards.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use chrono::{
    DateTime, Datelike, Days, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

use crate::Pause;

pub(crate) const NANOS_PER_HOUR: i128 = 3_600_000_000_000;

/// How far ahead a deadline is searched. A limit that does not fit (an absurd amount, or a calendar whose
/// working days have all passed) has no deadline rather than an endless loop.
const HORIZON: TimeDelta = TimeDelta::days(200 * 366);

/// Which time runs the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    /// Only working periods of working days.
    Working,
    /// All time.
    Natural,
}

/// The earliest and latest instants the arithmetic works with. Clamping inputs into this range keeps every
/// `DateTime + TimeDelta` far from chrono's limits (±262 000 years), where it would panic.
fn supported_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let min = NaiveDate::from_ymd_opt(1900, 1, 1).map(|d| d.and_time(NaiveTime::MIN).and_utc());
    let max = NaiveDate::from_ymd_opt(9999, 1, 1).map(|d| d.and_time(NaiveTime::MIN).and_utc());
    (min.unwrap_or(DateTime::<Utc>::MIN_UTC), max.unwrap_or(DateTime::<Utc>::MAX_UTC))
}

pub(crate) fn clamp(t: DateTime<Utc>) -> DateTime<Utc> {
    let (min, max) = supported_range();
    t.clamp(min, max)
}

/// A duration in nanoseconds, exact (an `i64` of nanoseconds would overflow after 292 years).
pub(crate) fn nanos(d: TimeDelta) -> i128 {
    i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos())
}

/// A working period as offsets from local midnight; an end of 00:00 means midnight at the end of the day.
pub(crate) fn span(period: &(NaiveTime, NaiveTime)) -> (TimeDelta, TimeDelta) {
    let start = period.0 - NaiveTime::MIN;
    let end = if period.1 == NaiveTime::MIN { TimeDelta::days(1) } else { period.1 - NaiveTime::MIN };
    (start, end)
}

/// The periods of a day, sorted, with empty or inverted ones dropped and overlapping or touching ones merged.
/// `validate` reports such periods, but the arithmetic must stay sound on a calendar that was never validated.
pub(crate) fn normalize_periods(periods: &[(NaiveTime, NaiveTime)]) -> Vec<(TimeDelta, TimeDelta)> {
    let mut spans: Vec<(TimeDelta, TimeDelta)> = periods.iter().map(span).filter(|(s, e)| s < e).collect();
    spans.sort();
    let mut merged: Vec<(TimeDelta, TimeDelta)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Pauses sorted by start, empty or inverted ones dropped, overlapping or touching ones merged; an open
/// pause swallows every later one. The walker relies on this order to cut pauses with a single cursor.
pub(crate) fn merge_pauses(raw: &[Pause]) -> Vec<Pause> {
    let mut pauses: Vec<Pause> = raw.iter().copied().filter(|(from, to)| to.is_none_or(|to| to > *from)).collect();
    pauses.sort_by_key(|p| p.0);
    let mut merged: Vec<Pause> = Vec::with_capacity(pauses.len());
    for (from, to) in pauses {
        if let Some(last) = merged.last_mut() {
            match last.1 {
                None => break,
                Some(end) if from <= end => {
                    last.1 = to.map(|to| to.max(end));
                    continue;
                }
                Some(_) => {}
            }
        }
        merged.push((from, to));
    }
    merged
}

/// The first instant at which the wall clock of `tz` shows `local` or later (see the module docs).
pub(crate) fn first_instant_at(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Single(t) => t.with_timezone(&Utc),
        MappedLocalTime::Ambiguous(a, b) => a.with_timezone(&Utc).min(b.with_timezone(&Utc)),
        MappedLocalTime::None => gap_end(tz, local),
    }
}

/// `local` does not exist: the clock jumped over it at some transition instant T, which is the answer.
/// T lies between `local` read with the offset after the jump and `local` read with the offset before it, a
/// window of the jump's length; a binary search on whole seconds (transitions are whole seconds) finds it.
fn gap_end(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let naive = local.and_utc();
    let offset_at = |u: DateTime<Utc>| i64::from(tz.offset_from_utc_datetime(&u.naive_utc()).fix().local_minus_utc());
    let probes = [naive - TimeDelta::days(2), naive, naive + TimeDelta::days(2)].map(offset_at);
    let largest = probes.iter().copied().max().unwrap_or(0);
    let smallest = probes.iter().copied().min().unwrap_or(0);
    let wall = |secs: i64| DateTime::from_timestamp(secs, 0).map(|u| tz.from_utc_datetime(&u.naive_utc()));
    let reached = |secs: i64| wall(secs).is_none_or(|w| w.naive_local() >= local);
    // Invariant: the clock has not reached `local` at `lo`, and has at `hi`.
    let mut lo = naive.timestamp() - largest;
    let mut hi = naive.timestamp() - smallest + 1;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or(naive)
}

/// A calendar prepared for arithmetic: zone parsed, periods normalised, weekend as a mask.
pub(crate) struct Shape<'a> {
    tz: Tz,
    periods: Vec<(TimeDelta, TimeDelta)>,
    weekend: [bool; 7],
    holidays: &'a BTreeSet<NaiveDate>,
    workdays: &'a BTreeSet<NaiveDate>,
}

impl<'a> Shape<'a> {
    /// An unknown zone (which `validate` rejects) is read as UTC, so that the arithmetic stays total.
    pub(crate) fn new(
        time_zone: &str,
        periods: &[(NaiveTime, NaiveTime)],
        weekend: &[Weekday],
        holidays: &'a BTreeSet<NaiveDate>,
        workdays: &'a BTreeSet<NaiveDate>,
    ) -> Shape<'a> {
        let mut mask = [false; 7];
        for day in weekend {
            mask[day.num_days_from_monday() as usize] = true;
        }
        Shape {
            tz: time_zone.parse().unwrap_or(Tz::UTC),
            periods: normalize_periods(periods),
            weekend: mask,
            holidays,
            workdays,
        }
    }

    /// A public holiday is never worked, even if also listed as a make-up day (`validate` rejects that);
    /// a make-up day is worked even on a weekend.
    pub(crate) fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.holidays.contains(&date) {
            return false;
        }
        self.workdays.contains(&date) || !self.weekend[date.weekday().num_days_from_monday() as usize]
    }

    /// Nominal working time of one working day (DST days may differ in reality; the unit does not).
    pub(crate) fn day_nanos(&self) -> i128 {
        self.periods.iter().map(|(s, e)| nanos(*e - *s)).sum()
    }

    /// The first working day on or after `date`, if there is one no later than `last`.
    fn next_working_day(&self, date: NaiveDate, last: NaiveDate) -> Option<NaiveDate> {
        if date > last {
            return None;
        }
        if self.weekend.iter().all(|w| *w) {
            // Only make-up days are worked: jump between them instead of walking every day.
            return self.workdays.range(date..=last).find(|d| !self.holidays.contains(d)).copied();
        }
        // At most a week plus the listed holidays: terminates.
        let mut day = date;
        while !self.is_working_day(day) {
            day = day.checked_add_days(Days::new(1))?;
        }
        (day <= last).then_some(day)
    }

    /// The working intervals of a working day, in UTC.
    fn day_intervals(&self, date: NaiveDate, out: &mut Vec<(DateTime<Utc>, DateTime<Utc>)>) {
        let midnight = date.and_time(NaiveTime::MIN);
        // Fast path: one UTC offset for the whole local day (every day of the year in most zones). The same
        // offset at both ends of the day is taken to mean no change in between; the slow path maps each end.
        let fixed = match self.tz.from_local_datetime(&midnight) {
            MappedLocalTime::Single(t) => {
                let offset = t.offset().fix();
                let next = self.tz.offset_from_utc_datetime(&(t.naive_utc() + TimeDelta::days(1))).fix();
                (offset == next).then(|| TimeDelta::seconds(i64::from(offset.local_minus_utc())))
            }
            _ => None,
        };
        for &(s, e) in &self.periods {
            let (from, to) = match fixed {
                Some(offset) => ((midnight + s - offset).and_utc(), (midnight + e - offset).and_utc()),
                None => (first_instant_at(self.tz, midnight + s), first_instant_at(self.tz, midnight + e)),
            };
            if from < to {
                out.push((from, to));
            }
        }
    }

    /// Calls `visit` with the active segments in `[start, until)`, in order, until it breaks.
    /// Returns `Break(())` if `visit` broke, `Continue(true)` if an open pause stopped the clock for good,
    /// `Continue(false)` if `until` was reached.
    fn walk(
        &self,
        clock: Clock,
        start: DateTime<Utc>,
        until: DateTime<Utc>,
        pauses: &[Pause],
        visit: &mut impl FnMut(DateTime<Utc>, DateTime<Utc>) -> ControlFlow<()>,
    ) -> ControlFlow<(), bool> {
        let mut cutter = Cutter { pauses, next: 0 };
        if start >= until {
            return ControlFlow::Continue(false);
        }
        if clock == Clock::Natural {
            return match cutter.cut(start, until, visit)? {
                Cut::Paused => ControlFlow::Continue(true),
                Cut::Done => ControlFlow::Continue(false),
            };
        }
        if self.periods.is_empty() {
            return ControlFlow::Continue(false);
        }
        // Days after `until`'s local date start after `until`, except where a zone falls back across midnight
        // and the next day begins before `until` once: one day of slack.
        let Some(last) = until.with_timezone(&self.tz).date_naive().checked_add_days(Days::new(1)) else {
            return ControlFlow::Continue(false);
        };
        let mut date = start.with_timezone(&self.tz).date_naive();
        let mut intervals = Vec::with_capacity(self.periods.len());
        loop {
            let Some(day) = self.next_working_day(date, last) else {
                return ControlFlow::Continue(false);
            };
            intervals.clear();
            self.day_intervals(day, &mut intervals);
            for &(from, to) in &intervals {
                if from >= until {
                    return ControlFlow::Continue(false);
                }
                let (from, to) = (from.max(start), to.min(until));
                if from < to && cutter.cut(from, to, visit)? == Cut::Paused {
                    return ControlFlow::Continue(true);
                }
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => date = next,
                None => return ControlFlow::Continue(false),
            }
        }
    }

    /// Active time in `[start, now)`, in nanoseconds.
    pub(crate) fn used_nanos(&self, clock: Clock, start: DateTime<Utc>, now: DateTime<Utc>, pauses: &[Pause]) -> i128 {
        let (start, now) = (clamp(start), clamp(now));
        let pauses = merge_pauses(pauses);
        let mut total = 0;
        let _ = self.walk(clock, start, now, &pauses, &mut |from, to| {
            total += nanos(to - from);
            ControlFlow::Continue(())
        });
        total
    }

    /// The first instant at which `limit` nanoseconds of active time have passed since `start`; `None` if the
    /// clock is stopped by an open pause before that, or if it is beyond the horizon.
    pub(crate) fn deadline(
        &self,
        clock: Clock,
        start: DateTime<Utc>,
        limit: i128,
        pauses: &[Pause],
    ) -> Option<DateTime<Utc>> {
        let start = clamp(start);
        if limit <= 0 {
            return Some(start);
        }
        // More active time than the horizon can hold: none, without walking 200 years to find out. A working
        // day holds at most its nominal length plus the hour (or two) a clock change can add.
        let most = match clock {
            Clock::Natural => nanos(HORIZON),
            Clock::Working => i128::from(HORIZON.num_days() + 2) * (self.day_nanos() + 2 * NANOS_PER_HOUR),
        };
        if limit > most {
            return None;
        }
        let until = clamp(start.checked_add_signed(HORIZON).unwrap_or(DateTime::<Utc>::MAX_UTC));
        let pauses = merge_pauses(pauses);
        let mut remaining = limit;
        let mut found = None;
        let _ = self.walk(clock, start, until, &pauses, &mut |from, to| {
            let length = nanos(to - from);
            if length >= remaining {
                // `remaining` ≤ `length`, the length of one segment inside a 200-year horizon: fits an i64.
                found = Some(from + TimeDelta::nanoseconds(i64::try_from(remaining).unwrap_or(i64::MAX)));
                ControlFlow::Break(())
            } else {
                remaining -= length;
                ControlFlow::Continue(())
            }
        });
        found
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// The interval was handled; go on.
    Done,
    /// An open pause began: the clock never runs again.
    Paused,
}

/// Cuts merged, sorted pauses out of increasing intervals with one forward-moving cursor.
struct Cutter<'p> {
    pauses: &'p [Pause],
    /// The first pause that may still matter: every earlier one ended before the current interval.
    next: usize,
}

impl Cutter<'_> {
    fn cut(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        visit: &mut impl FnMut(DateTime<Utc>, DateTime<Utc>) -> ControlFlow<()>,
    ) -> ControlFlow<(), Cut> {
        while let Some(&(_, Some(end))) = self.pauses.get(self.next) {
            if end > from {
                break;
            }
            self.next += 1;
        }
        let mut cursor = from;
        for &(pause_from, pause_to) in &self.pauses[self.next..] {
            if pause_from >= to {
                break;
            }
            if pause_from > cursor {
                visit(cursor, pause_from)?;
            }
            match pause_to {
                None => return ControlFlow::Continue(Cut::Paused),
                Some(end) => cursor = cursor.max(end),
            }
            if cursor >= to {
                return ControlFlow::Continue(Cut::Done);
            }
        }
        if cursor < to {
            visit(cursor, to)?;
        }
        ControlFlow::Continue(Cut::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    #[test]
    fn ordinary_wall_clock_times_map_to_their_instant() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        assert_eq!(first_instant_at(tz, local("2026-05-06 08:30")), utc("2026-05-06T00:30:00Z"));
    }

    #[test]
    fn a_skipped_wall_clock_time_maps_to_the_jump() {
        // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC; 02:00–02:59 never shows.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(first_instant_at(tz, local("2026-03-29 02:30")), utc("2026-03-29T01:00:00Z"));
        assert_eq!(first_instant_at(tz, local("2026-03-29 02:00")), utc("2026-03-29T01:00:00Z"));
        assert_eq!(first_instant_at(tz, local("2026-03-29 03:00")), utc("2026-03-29T01:00:00Z"));
        assert_eq!(first_instant_at(tz, local("2026-03-29 01:59")), utc("2026-03-29T00:59:00Z"));
    }

    #[test]
    fn a_repeated_wall_clock_time_maps_to_its_first_showing() {
        // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00 UTC; 02:30 shows twice.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(first_instant_at(tz, local("2026-10-25 02:30")), utc("2026-10-25T00:30:00Z"));
        assert_eq!(first_instant_at(tz, local("2026-10-25 03:00")), utc("2026-10-25T02:00:00Z"));
    }

    #[test]
    fn a_whole_skipped_day_maps_to_the_next_day() {
        // Samoa skipped 2011-12-30 entirely, moving from UTC−10 to UTC+14 at 10:00 UTC on the 30th.
        let tz: Tz = "Pacific/Apia".parse().unwrap();
        assert_eq!(first_instant_at(tz, local("2011-12-30 12:00")), utc("2011-12-30T10:00:00Z"));
    }

    #[test]
    fn periods_are_sorted_cleaned_and_merged() {
        let periods =
            [(t("13:30"), t("17:30")), (t("08:30"), t("12:00")), (t("11:00"), t("12:30")), (t("18:00"), t("17:00"))];
        let merged = normalize_periods(&periods);
        let hours: Vec<(i64, i64)> = merged.iter().map(|(s, e)| (s.num_minutes(), e.num_minutes())).collect();
        assert_eq!(hours, vec![(8 * 60 + 30, 12 * 60 + 30), (13 * 60 + 30, 17 * 60 + 30)]);
    }

    #[test]
    fn an_end_at_midnight_is_the_end_of_the_day() {
        assert_eq!(span(&(t("22:00"), t("00:00"))), (TimeDelta::hours(22), TimeDelta::hours(24)));
        assert_eq!(normalize_periods(&[(t("00:00"), t("00:00"))]), vec![(TimeDelta::zero(), TimeDelta::hours(24))]);
    }

    #[test]
    fn pauses_are_sorted_merged_and_cleaned() {
        let a = utc("2026-05-06T01:00:00Z");
        let b = utc("2026-05-06T02:00:00Z");
        let c = utc("2026-05-06T03:00:00Z");
        let d = utc("2026-05-06T04:00:00Z");
        // Inverted and empty pauses vanish; overlapping and touching ones merge.
        assert_eq!(
            merge_pauses(&[(c, Some(d)), (b, Some(b)), (d, Some(c)), (a, Some(b)), (b, Some(c))]),
            vec![(a, Some(d))]
        );
        // An open pause swallows everything after it.
        assert_eq!(merge_pauses(&[(c, Some(d)), (a, Some(b)), (b, None)]), vec![(a, None)]);
        assert_eq!(
            merge_pauses(&[(a, Some(b)), (c, None), (d, Some(d + TimeDelta::hours(1)))]),
            vec![(a, Some(b)), (c, None)]
        );
    }

    #[test]
    fn instants_are_clamped_to_the_supported_years() {
        assert_eq!(clamp(DateTime::<Utc>::MAX_UTC), utc("9999-01-01T00:00:00Z"));
        assert_eq!(clamp(DateTime::<Utc>::MIN_UTC), utc("1900-01-01T00:00:00Z"));
        assert_eq!(clamp(utc("2026-01-01T00:00:00Z")), utc("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn durations_are_exact_nanoseconds() {
        assert_eq!(nanos(TimeDelta::hours(1)), NANOS_PER_HOUR);
        assert_eq!(nanos(TimeDelta::days(300 * 366)), 300 * 366 * 24 * NANOS_PER_HOUR);
        assert_eq!(nanos(TimeDelta::nanoseconds(1_500_000_001)), 1_500_000_001);
    }
}
