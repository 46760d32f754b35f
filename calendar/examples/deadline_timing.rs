//! Times the deadline arithmetic on the default calendar (Asia/Shanghai, 2026 holidays).
//!
//! Run in release: `cargo run --release -p calendar --example deadline_timing`.
//! An example rather than a criterion bench, so the crate needs no extra dependency.

use std::hint::black_box;
use std::time::Instant;

use calendar::{Limit, Unit, WorkCalendar};
use chrono::{DateTime, TimeDelta, Utc};

fn time(label: &str, runs: u32, mut f: impl FnMut(u32)) {
    // Warm up, then take the best of five batches: the least disturbed by the rest of the machine.
    for i in 0..runs / 10 {
        f(i);
    }
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let began = Instant::now();
        for i in 0..runs {
            f(i);
        }
        best = best.min(began.elapsed().as_secs_f64() / f64::from(runs));
    }
    println!("{label:<58} {:>8.2} µs", best * 1e6);
}

fn main() {
    let cal = WorkCalendar::china_default();
    // Starts spread over 2026, one every 7 hours and 13 minutes, so holidays and weekends are all met.
    let base = DateTime::parse_from_rfc3339("2026-01-01T00:00:00+08:00").map(|t| t.with_timezone(&Utc));
    let Ok(base) = base else {
        return;
    };
    let start = |i: u32| base + TimeDelta::minutes(i64::from(i % 1200) * 433);
    let pauses = |i: u32| {
        let s = start(i);
        vec![
            (s + TimeDelta::hours(30), Some(s + TimeDelta::hours(100))),
            (s + TimeDelta::hours(200), Some(s + TimeDelta::hours(260))),
        ]
    };

    let days30 = Limit::new(30.0, Unit::WorkingDays);
    time("deadline, 30 working days", 20_000, |i| {
        black_box(cal.deadline(black_box(start(i)), days30, &[]));
    });
    time("deadline, 30 working days, 2 pauses", 20_000, |i| {
        let p = pauses(i);
        black_box(cal.deadline(black_box(start(i)), days30, &p));
    });
    time("deadline, 4 working hours", 20_000, |i| {
        black_box(cal.deadline(black_box(start(i)), Limit::new(4.0, Unit::WorkingHours), &[]));
    });
    time("light, 30 working days, now = start + 40 days", 20_000, |i| {
        black_box(cal.light(black_box(start(i)), start(i) + TimeDelta::days(40), days30, &[]));
    });

    let mut berlin = WorkCalendar::china_default();
    berlin.time_zone = "Europe/Berlin".to_string();
    time("deadline, 30 working days, Europe/Berlin (DST)", 20_000, |i| {
        black_box(berlin.deadline(black_box(start(i)), days30, &[]));
    });
}
