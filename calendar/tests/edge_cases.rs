//! Worked examples of the deadline arithmetic on the public API, one per edge case a case officer would meet.
//! Expected instants are written in local time of the calendar and checked to the nanosecond.

// Tests fail by panicking; clippy.toml's test allowance does not reach helpers outside `#[test]` functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use calendar::{Light, Limit, Pause, Unit, WorkCalendar, china_2026_holidays};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

fn at(zone: &str, local: &str) -> DateTime<Utc> {
    let tz: Tz = zone.parse().unwrap();
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
}

/// An instant in Shanghai local time.
fn sh(local: &str) -> DateTime<Utc> {
    at("Asia/Shanghai", local)
}

fn berlin(local: &str) -> DateTime<Utc> {
    at("Europe/Berlin", local)
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn wh(amount: f64) -> Limit {
    Limit::new(amount, Unit::WorkingHours)
}

fn wd(amount: f64) -> Limit {
    Limit::new(amount, Unit::WorkingDays)
}

fn nh(amount: f64) -> Limit {
    Limit::new(amount, Unit::NaturalHours)
}

fn china() -> WorkCalendar {
    WorkCalendar::china_default()
}

/// Berlin office hours 08:00–17:00, Saturday and Sunday off, no holidays.
fn berlin_office() -> WorkCalendar {
    WorkCalendar {
        time_zone: "Europe/Berlin".to_string(),
        periods: vec![(t("08:00"), t("17:00"))],
        weekend: vec![Weekday::Sat, Weekday::Sun],
        holidays: BTreeSet::new(),
        workdays: BTreeSet::new(),
    }
}

fn deadline(cal: &WorkCalendar, start: DateTime<Utc>, limit: Limit, pauses: &[Pause]) -> DateTime<Utc> {
    cal.deadline(start, limit, pauses).expect("a deadline")
}

// ---- the default calendar -------------------------------------------------------------------------------

#[test]
fn the_default_calendar_is_valid_and_has_seven_and_a_half_hours_a_day() {
    let cal = china();
    assert_eq!(cal.validate(), Ok(()));
    assert_eq!(cal.time_zone, "Asia/Shanghai");
    assert_eq!(cal.periods, vec![(t("08:30"), t("12:00")), (t("13:30"), t("17:30"))]);
    assert_eq!(cal.weekend, vec![Weekday::Sat, Weekday::Sun]);
    assert_eq!(cal.hours_per_day(), 7.5);
    let (holidays, workdays) = china_2026_holidays();
    assert_eq!(cal.holidays, holidays);
    assert_eq!(cal.workdays, workdays);
}

#[test]
fn working_days_follow_weekends_holidays_and_make_up_days() {
    let cal = china();
    assert!(cal.is_working_day(date("2026-05-06")), "an ordinary Wednesday");
    assert!(!cal.is_working_day(date("2026-05-16")), "an ordinary Saturday");
    assert!(!cal.is_working_day(date("2026-05-17")), "an ordinary Sunday");
    assert!(!cal.is_working_day(date("2026-10-01")), "National Day, a Thursday");
    assert!(!cal.is_working_day(date("2026-02-23")), "the last day of the Spring Festival, a Monday");
    assert!(cal.is_working_day(date("2026-02-24")), "back to work after the Spring Festival");
    assert!(cal.is_working_day(date("2026-02-14")), "make-up Saturday before the Spring Festival");
    assert!(cal.is_working_day(date("2026-02-28")), "make-up Saturday after the Spring Festival");
    assert!(cal.is_working_day(date("2026-01-04")), "make-up Sunday after New Year");
    assert!(cal.is_working_day(date("2026-10-10")), "make-up Saturday after National Day");
    assert!(!cal.is_working_day(date("2026-10-17")), "the Saturday after that is off again");
    // 2027's schedule is not published yet, so 2027-01-01 (a Friday) counts as a working day.
    assert!(cal.is_working_day(date("2027-01-01")));
}

#[test]
fn a_holiday_that_is_also_a_make_up_day_is_not_worked() {
    let cal = china().with_holidays([date("2026-02-14")], []);
    assert!(!cal.is_working_day(date("2026-02-14")));
    assert!(cal.validate().is_err());
}

#[test]
fn with_holidays_adds_to_what_is_there() {
    let cal = china().with_holidays([date("2027-01-01")], [date("2027-01-09")]);
    assert!(!cal.is_working_day(date("2027-01-01")));
    assert!(cal.is_working_day(date("2027-01-09")), "a Saturday made a working day");
    assert!(!cal.is_working_day(date("2026-10-01")), "the 2026 holidays are kept");
    assert_eq!(cal.holidays.len(), china().holidays.len() + 1);
    assert_eq!(cal.workdays.len(), china().workdays.len() + 1);
}

// ---- where counting starts ------------------------------------------------------------------------------

#[test]
fn inside_a_period_counting_starts_at_once() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-06 09:00"), wh(1.0), &[]), sh("2026-05-06 10:00"));
}

#[test]
fn a_start_before_the_first_period_counts_from_its_beginning() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-06 07:00"), wh(1.0), &[]), sh("2026-05-06 09:30"));
    assert_eq!(deadline(&cal, sh("2026-05-06 00:00"), wh(1.0), &[]), sh("2026-05-06 09:30"));
}

#[test]
fn a_start_in_the_lunch_break_counts_from_the_afternoon() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-06 12:30"), wh(1.0), &[]), sh("2026-05-06 14:30"));
    assert_eq!(deadline(&cal, sh("2026-05-06 12:00"), wh(1.0), &[]), sh("2026-05-06 14:30"));
}

#[test]
fn a_start_after_the_last_period_counts_from_the_next_working_day() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-06 18:00"), wh(1.0), &[]), sh("2026-05-07 09:30"));
    assert_eq!(deadline(&cal, sh("2026-05-06 17:30"), wh(1.0), &[]), sh("2026-05-07 09:30"));
    // Friday evening: next working moment is Monday morning.
    assert_eq!(deadline(&cal, sh("2026-05-15 20:00"), wh(1.0), &[]), sh("2026-05-18 09:30"));
}

#[test]
fn a_start_on_a_weekend_counts_from_monday() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-16 10:00"), wh(2.0), &[]), sh("2026-05-18 10:30"));
    assert_eq!(deadline(&cal, sh("2026-05-17 23:59"), wh(2.0), &[]), sh("2026-05-18 10:30"));
}

#[test]
fn a_start_on_a_holiday_counts_from_the_next_working_day() {
    let cal = china();
    // National Day, 1–7 October 2026; the 8th is a Thursday.
    assert_eq!(deadline(&cal, sh("2026-10-01 09:00"), wh(1.0), &[]), sh("2026-10-08 09:30"));
    // New Year's Saturday (a holiday) is followed by a make-up Sunday.
    assert_eq!(deadline(&cal, sh("2026-01-03 09:00"), wh(1.0), &[]), sh("2026-01-04 09:30"));
}

#[test]
fn the_deadline_is_the_first_instant_the_limit_is_used_up() {
    let cal = china();
    // 3.5 working hours from 08:30 end at noon, not when work resumes at 13:30.
    assert_eq!(deadline(&cal, sh("2026-05-06 08:30"), wh(3.5), &[]), sh("2026-05-06 12:00"));
    // 7.5 hours fill the day exactly.
    assert_eq!(deadline(&cal, sh("2026-05-06 08:30"), wh(7.5), &[]), sh("2026-05-06 17:30"));
    // Across lunch: one hour before, one after.
    assert_eq!(deadline(&cal, sh("2026-05-06 11:00"), wh(2.0), &[]), sh("2026-05-06 14:30"));
}

#[test]
fn fractional_limits_are_exact() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-06 09:00"), wh(0.25), &[]), sh("2026-05-06 09:15"));
    // Half a working day is 3.75 working hours: 3.5 in the morning, 15 minutes after lunch.
    assert_eq!(deadline(&cal, sh("2026-05-06 08:30"), wd(0.5), &[]), sh("2026-05-06 13:45"));
    let start = sh("2026-05-06 09:00");
    assert_eq!(deadline(&cal, start, wh(0.1), &[]), start + TimeDelta::minutes(6));
}

#[test]
fn a_zero_limit_is_due_at_the_start() {
    let cal = china();
    let start = sh("2026-05-16 10:00");
    assert_eq!(cal.deadline(start, wh(0.0), &[]), Some(start));
    assert_eq!(cal.light(start, start, wh(0.0), &[]), Light::Green);
    // Still green on the weekend, as no working time has passed; red once it has.
    assert_eq!(cal.light(start, sh("2026-05-17 10:00"), wh(0.0), &[]), Light::Green);
    assert_eq!(cal.light(start, sh("2026-05-18 08:31"), wh(0.0), &[]), Light::Red);
}

// ---- working days ---------------------------------------------------------------------------------------

#[test]
fn one_working_day_ends_at_the_same_time_next_working_day() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-06 10:00"), wd(1.0), &[]), sh("2026-05-07 10:00"));
    assert_eq!(deadline(&cal, sh("2026-05-15 15:00"), wd(1.0), &[]), sh("2026-05-18 15:00"));
    // From a non-working moment, a whole working day ends at the end of the next working day.
    assert_eq!(deadline(&cal, sh("2026-05-16 10:00"), wd(1.0), &[]), sh("2026-05-18 17:30"));
}

#[test]
fn a_limit_crossing_the_national_day_week_skips_it_and_uses_the_make_up_saturday() {
    let cal = china();
    // Wed 30 Sep 10:00 + 3 working days: Thu 8 Oct (1), Fri 9 Oct (2), make-up Sat 10 Oct (3).
    assert_eq!(deadline(&cal, sh("2026-09-30 10:00"), wd(3.0), &[]), sh("2026-10-10 10:00"));
    // One more working day skips Sunday 11 Oct.
    assert_eq!(deadline(&cal, sh("2026-09-30 10:00"), wd(4.0), &[]), sh("2026-10-12 10:00"));
    // The same limit in working hours: 22.5 hours.
    assert_eq!(deadline(&cal, sh("2026-09-30 10:00"), wh(22.5), &[]), sh("2026-10-10 10:00"));
    // Sunday 20 Sep is a make-up day before the holiday.
    assert_eq!(deadline(&cal, sh("2026-09-18 10:00"), wd(1.0), &[]), sh("2026-09-20 10:00"));
}

#[test]
fn a_make_up_saturday_counts_and_the_spring_festival_does_not() {
    let cal = china();
    // Friday 13 Feb + 1 working day = make-up Saturday 14 Feb.
    assert_eq!(deadline(&cal, sh("2026-02-13 10:00"), wd(1.0), &[]), sh("2026-02-14 10:00"));
    // + 2 working days: 15–23 Feb are holidays, so Tuesday 24 Feb.
    assert_eq!(deadline(&cal, sh("2026-02-13 10:00"), wd(2.0), &[]), sh("2026-02-24 10:00"));
    // Friday 27 Feb + 1 = make-up Saturday 28 Feb; + 2 = Monday 2 Mar.
    assert_eq!(deadline(&cal, sh("2026-02-27 10:00"), wd(1.0), &[]), sh("2026-02-28 10:00"));
    assert_eq!(deadline(&cal, sh("2026-02-27 10:00"), wd(2.0), &[]), sh("2026-03-02 10:00"));
    let used = cal.used(sh("2026-02-13 10:00"), sh("2026-02-24 10:00"), Unit::WorkingDays, &[]);
    assert_eq!(used, 2.0);
}

#[test]
fn thirty_working_days_over_the_dragon_boat_festival() {
    let cal = china();
    // From Mon 1 Jun: 20 working days in June (19 Jun is a holiday), then 1–14 July.
    assert_eq!(deadline(&cal, sh("2026-06-01 10:00"), wd(30.0), &[]), sh("2026-07-14 10:00"));
}

// ---- natural hours --------------------------------------------------------------------------------------

#[test]
fn natural_hours_run_through_nights_weekends_and_holidays() {
    let cal = china();
    assert_eq!(deadline(&cal, sh("2026-05-16 22:00"), nh(2.0), &[]), sh("2026-05-17 00:00"));
    assert_eq!(deadline(&cal, sh("2026-09-30 20:00"), nh(48.0), &[]), sh("2026-10-02 20:00"));
    let pause = [(sh("2026-05-16 22:30"), Some(sh("2026-05-16 23:00")))];
    assert_eq!(deadline(&cal, sh("2026-05-16 22:00"), nh(2.0), &pause), sh("2026-05-17 00:30"));
    assert_eq!(cal.used(sh("2026-05-16 22:00"), sh("2026-05-17 00:00"), Unit::NaturalHours, &pause), 1.5);
}

// ---- extensions -----------------------------------------------------------------------------------------

#[test]
fn an_extension_is_a_larger_limit() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let limit = wh(4.0);
    assert_eq!(limit.extended_by(2.0), wh(6.0));
    assert_eq!(deadline(&cal, start, limit, &[]), sh("2026-05-06 14:00"));
    assert_eq!(deadline(&cal, start, limit.extended_by(2.0), &[]), sh("2026-05-06 16:00"));
    // At 15:00, five working hours are used: red on the original limit, yellow (5/6) or green (5/8) extended.
    let now = sh("2026-05-06 15:00");
    assert_eq!(cal.light(start, now, limit, &[]), Light::Red);
    assert_eq!(cal.light(start, now, limit.extended_by(2.0), &[]), Light::Yellow);
    assert_eq!(cal.light(start, now, limit.extended_by(4.0), &[]), Light::Green);
}

// ---- pauses ---------------------------------------------------------------------------------------------

#[test]
fn a_pause_over_a_weekend_only_removes_the_working_time_inside_it() {
    let cal = china();
    let start = sh("2026-05-15 16:00"); // a Friday
    assert_eq!(deadline(&cal, start, wh(4.0), &[]), sh("2026-05-18 11:00"));
    // Paused from Friday evening to Monday morning: no working time lost.
    let weekend = [(sh("2026-05-15 18:00"), Some(sh("2026-05-18 08:00")))];
    assert_eq!(deadline(&cal, start, wh(4.0), &weekend), sh("2026-05-18 11:00"));
    // Paused from Friday 17:00 to Tuesday 09:00: half an hour on Friday and all of Monday are lost.
    let long = [(sh("2026-05-15 17:00"), Some(sh("2026-05-19 09:00")))];
    assert_eq!(deadline(&cal, start, wh(4.0), &long), sh("2026-05-19 12:00"));
    assert_eq!(cal.used(start, sh("2026-05-19 10:00"), Unit::WorkingHours, &long), 2.0);
    assert_eq!(cal.used(start, sh("2026-05-19 10:00"), Unit::WorkingHours, &[]), 1.5 + 7.5 + 1.5);
}

#[test]
fn overlapping_unsorted_and_inverted_pauses_are_cleaned_up() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let pauses = [
        (sh("2026-05-06 10:00"), Some(sh("2026-05-06 11:00"))),
        (sh("2026-05-06 09:00"), Some(sh("2026-05-06 10:30"))),
        (sh("2026-05-06 15:00"), Some(sh("2026-05-06 14:00"))), // inverted: ignored
        (sh("2026-05-06 09:30"), Some(sh("2026-05-06 09:30"))), // empty: ignored
    ];
    // Paused 09:00–11:00: 0.5 h before, 1 h until noon, 2.5 h after lunch.
    assert_eq!(deadline(&cal, start, wh(4.0), &pauses), sh("2026-05-06 16:00"));
    assert_eq!(cal.used(start, sh("2026-05-06 12:00"), Unit::WorkingHours, &pauses), 1.5);
}

#[test]
fn a_pause_before_the_start_changes_nothing() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let before = [(sh("2026-05-05 09:00"), Some(sh("2026-05-06 08:30")))];
    assert_eq!(deadline(&cal, start, wh(4.0), &before), sh("2026-05-06 14:00"));
}

#[test]
fn an_open_pause_stops_the_clock_for_good() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let open = [(sh("2026-05-06 09:30"), None)];
    assert_eq!(cal.deadline(start, wh(4.0), &open), None);
    assert_eq!(cal.deadline(start, wd(1.0), &open), None);
    assert_eq!(cal.deadline(start, nh(4.0), &open), None);
    // Used time stays at the hour before the pause, however long it lasts.
    assert_eq!(cal.used(start, sh("2026-05-06 09:30"), Unit::WorkingHours, &open), 1.0);
    assert_eq!(cal.used(start, utc("2036-01-01T00:00:00Z"), Unit::WorkingHours, &open), 1.0);
    assert_eq!(cal.light(start, utc("2036-01-01T00:00:00Z"), wh(4.0), &open), Light::Green);
    // Paused from before the start: the clock never runs.
    let from_before = [(sh("2026-05-01 00:00"), None)];
    assert_eq!(cal.deadline(start, wh(4.0), &from_before), None);
    assert_eq!(cal.used(start, sh("2026-06-01 00:00"), Unit::NaturalHours, &from_before), 0.0);
}

#[test]
fn an_open_pause_after_the_deadline_keeps_the_deadline_that_passed() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let open = [(sh("2026-05-06 15:00"), None)];
    assert_eq!(cal.deadline(start, wh(4.0), &open), Some(sh("2026-05-06 14:00")));
    // Overdue by an hour when suspended: red, and it stays red (but no worse).
    assert_eq!(cal.light(start, sh("2026-05-20 10:00"), wh(4.0), &open), Light::Red);
    assert_eq!(cal.used(start, sh("2026-05-20 10:00"), Unit::WorkingHours, &open), 5.0);
    // Paused exactly at the deadline: the limit was used up, so the deadline stands.
    let at_deadline = [(sh("2026-05-06 14:00"), None)];
    assert_eq!(cal.deadline(start, wh(4.0), &at_deadline), Some(sh("2026-05-06 14:00")));
}

#[test]
fn an_open_pause_ends_when_a_closed_one_is_recorded() {
    // The workflow closes a pause by giving it an end: the deadline moves by the working time paused.
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let closed = [(sh("2026-05-06 09:30"), Some(sh("2026-05-07 09:30")))];
    // Paused 09:30 Wed to 09:30 Thu = 7.5 working hours: the 14:00 Wednesday deadline moves to 14:00 Thursday.
    assert_eq!(deadline(&cal, start, wh(4.0), &closed), sh("2026-05-07 14:00"));
}

// ---- traffic light --------------------------------------------------------------------------------------

#[test]
fn the_light_turns_yellow_after_eighty_percent_and_red_after_the_limit() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let limit = wh(10.0);
    // 8 h used on Thursday 09:00, 10 h at 11:00.
    let eight = sh("2026-05-07 09:00");
    let ten = sh("2026-05-07 11:00");
    assert_eq!(cal.light(start, start, limit, &[]), Light::Green);
    assert_eq!(cal.light(start, eight, limit, &[]), Light::Green);
    assert_eq!(cal.light(start, eight + TimeDelta::seconds(1), limit, &[]), Light::Yellow);
    assert_eq!(cal.light(start, ten, limit, &[]), Light::Yellow);
    assert_eq!(cal.light(start, ten + TimeDelta::nanoseconds(1), limit, &[]), Light::Red);
    assert_eq!(deadline(&cal, start, limit, &[]), ten);
    assert_eq!(cal.used(start, eight, Unit::WorkingHours, &[]), 8.0);
}

#[test]
fn a_deadline_at_noon_stays_yellow_over_lunch_and_turns_red_when_work_resumes() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    let limit = wh(3.5);
    assert_eq!(deadline(&cal, start, limit, &[]), sh("2026-05-06 12:00"));
    assert_eq!(cal.light(start, sh("2026-05-06 13:00"), limit, &[]), Light::Yellow);
    assert_eq!(cal.light(start, sh("2026-05-06 13:30"), limit, &[]), Light::Yellow);
    assert_eq!(cal.light(start, sh("2026-05-06 13:30") + TimeDelta::nanoseconds(1), limit, &[]), Light::Red);
}

#[test]
fn lights_order_from_best_to_worst() {
    assert!(Light::Green < Light::Yellow && Light::Yellow < Light::Red);
    assert_eq!([Light::Yellow, Light::Red, Light::Green].into_iter().max(), Some(Light::Red));
}

// ---- used -----------------------------------------------------------------------------------------------

#[test]
fn used_is_zero_until_the_start_and_counts_only_working_time() {
    let cal = china();
    let start = sh("2026-05-06 08:30");
    assert_eq!(cal.used(start, start - TimeDelta::hours(5), Unit::WorkingHours, &[]), 0.0);
    assert_eq!(cal.used(start, start, Unit::WorkingHours, &[]), 0.0);
    assert_eq!(cal.used(start, sh("2026-05-06 13:00"), Unit::WorkingHours, &[]), 3.5);
    assert_eq!(cal.used(start, sh("2026-05-06 13:00"), Unit::NaturalHours, &[]), 4.5);
    // An ordinary week is five working days, 37.5 working hours, 168 natural hours.
    let (monday, next_monday) = (sh("2026-05-18 08:30"), sh("2026-05-25 08:30"));
    assert_eq!(cal.used(monday, next_monday, Unit::WorkingDays, &[]), 5.0);
    assert_eq!(cal.used(monday, next_monday, Unit::WorkingHours, &[]), 37.5);
    assert_eq!(cal.used(monday, next_monday, Unit::NaturalHours, &[]), 168.0);
    // The week after Labour Day has six: Saturday 9 May is a make-up working day.
    assert_eq!(cal.used(start, sh("2026-05-13 08:30"), Unit::WorkingDays, &[]), 6.0);
}

// ---- daylight saving time -------------------------------------------------------------------------------

#[test]
fn working_hours_across_the_march_change_in_berlin_use_the_new_offset() {
    let cal = berlin_office();
    // Friday 27 Mar 16:00 CET (UTC+1) + 2 working hours: 1 h on Friday, 1 h Monday 30 Mar from 08:00 CEST (UTC+2).
    assert_eq!(berlin("2026-03-27 16:00"), utc("2026-03-27T15:00:00Z"));
    assert_eq!(deadline(&cal, berlin("2026-03-27 16:00"), wh(2.0), &[]), utc("2026-03-30T07:00:00Z"));
    // One working day from Friday 10:00 CET ends Monday 10:00 CEST: 9 working hours, 71 real hours.
    let start = berlin("2026-03-27 10:00");
    let end = deadline(&cal, start, wd(1.0), &[]);
    assert_eq!(end, utc("2026-03-30T08:00:00Z"));
    assert_eq!(cal.used(start, end, Unit::NaturalHours, &[]), 71.0);
}

#[test]
fn natural_hours_across_the_march_change_in_berlin_are_real_hours() {
    let cal = berlin_office();
    // Saturday 12:00 CET + 24 hours = Sunday 13:00 CEST: the wall clock moved 25 hours.
    assert_eq!(deadline(&cal, berlin("2026-03-28 12:00"), nh(24.0), &[]), berlin("2026-03-29 13:00"));
}

#[test]
fn a_period_across_the_spring_forward_jump_is_an_hour_shorter() {
    // A night shift 01:00–05:00 worked on Sunday 29 Mar, when 02:00 CET jumps to 03:00 CEST.
    let cal = WorkCalendar { periods: vec![(t("01:00"), t("05:00"))], ..berlin_office() }
        .with_holidays([], [date("2026-03-29"), date("2026-10-25")]);
    assert_eq!(cal.hours_per_day(), 4.0);
    let day_start = utc("2026-03-28T23:00:00Z"); // midnight CET
    assert_eq!(cal.used(day_start, day_start + TimeDelta::days(1), Unit::WorkingHours, &[]), 3.0);
    assert_eq!(deadline(&cal, day_start, wh(3.0), &[]), utc("2026-03-29T03:00:00Z")); // 05:00 CEST
    assert_eq!(deadline(&cal, day_start, wh(1.5), &[]), utc("2026-03-29T01:30:00Z")); // 03:30 CEST
}

#[test]
fn a_period_across_the_autumn_fall_back_is_an_hour_longer() {
    // Sunday 25 Oct: 03:00 CEST falls back to 02:00 CET; 01:00–05:00 local is 23:00–04:00 UTC.
    let cal = WorkCalendar { periods: vec![(t("01:00"), t("05:00"))], ..berlin_office() }
        .with_holidays([], [date("2026-10-25")]);
    let day_start = utc("2026-10-24T22:00:00Z"); // midnight CEST
    assert_eq!(cal.used(day_start, day_start + TimeDelta::hours(25), Unit::WorkingHours, &[]), 5.0);
    assert_eq!(deadline(&cal, day_start, wh(5.0), &[]), utc("2026-10-25T04:00:00Z"));
    assert_eq!(deadline(&cal, day_start, wh(1.0), &[]), utc("2026-10-25T00:00:00Z"));
}

#[test]
fn a_period_starting_inside_the_skipped_hour_starts_at_the_jump() {
    // 02:30 does not exist on 29 Mar in Berlin: the period starts when the clock jumps to 03:00 CEST.
    let cal = WorkCalendar { periods: vec![(t("02:30"), t("04:00"))], ..berlin_office() }
        .with_holidays([], [date("2026-03-29")]);
    let day_start = utc("2026-03-28T23:00:00Z");
    assert_eq!(deadline(&cal, day_start, wh(0.5), &[]), utc("2026-03-29T01:30:00Z"));
    assert_eq!(cal.used(day_start, day_start + TimeDelta::days(1), Unit::WorkingHours, &[]), 1.0);
}

// ---- odd calendars --------------------------------------------------------------------------------------

#[test]
fn a_round_the_clock_calendar_counts_whole_days() {
    let cal = WorkCalendar {
        time_zone: "Asia/Shanghai".to_string(),
        periods: vec![(t("00:00"), t("00:00"))],
        weekend: vec![],
        holidays: BTreeSet::new(),
        workdays: BTreeSet::new(),
    };
    assert_eq!(cal.validate(), Ok(()));
    assert_eq!(cal.hours_per_day(), 24.0);
    let start = sh("2026-05-06 10:00");
    assert_eq!(deadline(&cal, start, wh(30.0), &[]), start + TimeDelta::hours(30));
    assert_eq!(deadline(&cal, start, wd(2.0), &[]), start + TimeDelta::days(2));
}

#[test]
fn a_period_ending_at_midnight_runs_to_the_end_of_the_day() {
    let cal = WorkCalendar { periods: vec![(t("20:00"), t("00:00"))], ..china() };
    assert_eq!(cal.validate(), Ok(()));
    assert_eq!(cal.hours_per_day(), 4.0);
    // Wednesday 23:00 + 2 working hours: 1 h until midnight, 1 h from Thursday 20:00.
    assert_eq!(deadline(&cal, sh("2026-05-06 23:00"), wh(2.0), &[]), sh("2026-05-07 21:00"));
}

#[test]
fn a_calendar_without_working_time_has_no_deadline_in_working_units() {
    let cal = WorkCalendar { periods: vec![], ..china() };
    let start = sh("2026-05-06 10:00");
    assert_eq!(cal.hours_per_day(), 0.0);
    assert_eq!(cal.deadline(start, wh(1.0), &[]), None);
    assert_eq!(cal.deadline(start, wd(1.0), &[]), None);
    assert_eq!(cal.used(start, start + TimeDelta::days(9), Unit::WorkingDays, &[]), 0.0);
    assert_eq!(cal.light(start, start + TimeDelta::days(9), wd(1.0), &[]), Light::Green);
    // Natural hours do not need working time.
    assert_eq!(cal.deadline(start, nh(1.0), &[]), Some(start + TimeDelta::hours(1)));
}

#[test]
fn a_week_of_weekends_works_only_the_make_up_days() {
    let cal = WorkCalendar {
        weekend: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun],
        holidays: BTreeSet::new(),
        workdays: [date("2026-05-09"), date("2026-09-20")].into(),
        ..china()
    };
    let start = sh("2026-05-01 00:00");
    assert_eq!(deadline(&cal, start, wd(1.0), &[]), sh("2026-05-09 17:30"));
    assert_eq!(deadline(&cal, start, wd(1.5), &[]), sh("2026-09-20 13:45"));
    assert_eq!(cal.deadline(start, wd(2.5), &[]), None, "no working time is left after 20 Sep");
}

#[test]
fn an_unknown_time_zone_is_read_as_utc() {
    let cal = WorkCalendar { time_zone: "Mars/Olympus_Mons".to_string(), ..china() };
    assert!(cal.validate().is_err());
    assert_eq!(deadline(&cal, utc("2026-05-06T08:30:00Z"), wh(1.0), &[]), utc("2026-05-06T09:30:00Z"));
}

#[test]
fn absurd_limits_and_instants_do_not_panic() {
    let cal = china();
    let start = sh("2026-05-06 10:00");
    assert_eq!(cal.deadline(start, wh(f64::INFINITY), &[]), None);
    assert_eq!(cal.deadline(start, wd(1e12), &[]), None, "beyond the 200-year horizon");
    assert_eq!(cal.deadline(start, wh(-3.0), &[]), Some(start));
    assert_eq!(cal.deadline(start, wh(f64::NAN), &[]), Some(start));
    assert_eq!(cal.light(start, start + TimeDelta::days(400), wh(f64::INFINITY), &[]), Light::Green);
    assert_eq!(cal.used(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MIN_UTC, Unit::WorkingHours, &[]), 0.0);
    let far = DateTime::<Utc>::MAX_UTC;
    assert_eq!(cal.deadline(far, nh(1.0), &[]), None);
    assert_eq!(cal.used(far - TimeDelta::days(1), far, Unit::NaturalHours, &[]), 0.0);
}

#[test]
fn sub_second_instants_are_kept() {
    let cal = china();
    let start = sh("2026-05-06 09:00") + TimeDelta::nanoseconds(123_456_789);
    assert_eq!(deadline(&cal, start, wh(1.0), &[]), sh("2026-05-06 10:00") + TimeDelta::nanoseconds(123_456_789));
}

// ---- validation -----------------------------------------------------------------------------------------

fn problems(cal: &WorkCalendar) -> Vec<(String, String)> {
    cal.validate().expect_err("the calendar should be refused")
}

fn fields(cal: &WorkCalendar) -> Vec<String> {
    problems(cal).into_iter().map(|(field, _)| field).collect()
}

#[test]
fn an_unknown_or_missing_time_zone_is_refused() {
    let unknown = WorkCalendar { time_zone: "Asia/Beijing".to_string(), ..china() };
    assert_eq!(
        problems(&unknown),
        vec![(
            "time_zone".to_string(),
            "\"Asia/Beijing\" is not a known IANA time zone; use a name such as Asia/Shanghai".to_string()
        )]
    );
    let missing = WorkCalendar { time_zone: " ".to_string(), ..china() };
    assert_eq!(fields(&missing), vec!["time_zone"]);
}

#[test]
fn missing_empty_and_inverted_periods_are_refused() {
    let none = WorkCalendar { periods: vec![], ..china() };
    assert_eq!(fields(&none), vec!["periods"]);
    let bad = WorkCalendar {
        periods: vec![(t("08:30"), t("12:00")), (t("14:00"), t("14:00")), (t("18:00"), t("13:30"))],
        ..china()
    };
    assert_eq!(
        problems(&bad),
        vec![
            ("periods[1]".to_string(), "starts and ends at 14:00, so it has no working time".to_string()),
            (
                "periods[2]".to_string(),
                "ends at 13:30 before it starts at 18:00; periods cannot run past midnight (end at 00:00 for midnight)"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn overlapping_periods_are_refused_but_touching_ones_are_not() {
    let overlapping = WorkCalendar {
        periods: vec![(t("13:30"), t("17:30")), (t("08:30"), t("14:00")), (t("09:00"), t("10:00"))],
        ..china()
    };
    assert_eq!(
        problems(&overlapping),
        vec![
            ("periods[2]".to_string(), "overlaps the period 08:30 to 14:00".to_string()),
            ("periods[0]".to_string(), "overlaps the period 08:30 to 14:00".to_string()),
        ]
    );
    let touching = WorkCalendar { periods: vec![(t("08:30"), t("12:00")), (t("12:00"), t("13:00"))], ..china() };
    assert_eq!(touching.validate(), Ok(()));
    // Overlaps are counted once in the length of the day.
    assert_eq!(overlapping.hours_per_day(), 9.0);
}

#[test]
fn a_repeated_or_total_weekend_is_refused() {
    let twice = WorkCalendar { weekend: vec![Weekday::Sat, Weekday::Sun, Weekday::Sat], ..china() };
    assert_eq!(problems(&twice), vec![("weekend".to_string(), "Saturday is listed more than once".to_string())]);
    let all = WorkCalendar {
        weekend: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun],
        ..china()
    };
    assert_eq!(fields(&all), vec!["weekend"]);
}

#[test]
fn a_date_both_holiday_and_make_up_day_or_a_make_up_weekday_is_refused() {
    let cal = china().with_holidays([date("2026-02-14")], [date("2026-02-16"), date("2026-05-09")]);
    assert_eq!(
        problems(&cal),
        vec![
            (
                "workdays".to_string(),
                "2026-02-14 is also listed as a holiday; a date is either a holiday or a make-up working day"
                    .to_string()
            ),
            // 2026-02-16 is a holiday as well (Spring Festival) and reported as such.
            (
                "workdays".to_string(),
                "2026-02-16 is also listed as a holiday; a date is either a holiday or a make-up working day"
                    .to_string()
            ),
        ]
    );
    let weekday = china().with_holidays([], [date("2026-05-13")]);
    assert_eq!(
        problems(&weekday),
        vec![(
            "workdays".to_string(),
            "2026-05-13 is a Wednesday, a working day anyway; make-up working days fall on weekend days".to_string()
        )]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let cal = WorkCalendar {
        time_zone: "nowhere".to_string(),
        periods: vec![(t("12:00"), t("08:00"))],
        weekend: vec![Weekday::Sun, Weekday::Sun],
        holidays: [date("2026-05-09")].into(),
        workdays: [date("2026-05-09")].into(),
    };
    assert_eq!(fields(&cal), vec!["time_zone", "periods[0]", "weekend", "workdays"]);
}

#[test]
fn limits_are_validated() {
    assert_eq!(wh(4.0).validate(), Ok(()));
    assert_eq!(wd(0.5).validate(), Ok(()));
    assert_eq!(wh(0.0).validate(), Err(vec![("amount".to_string(), "must be greater than zero".to_string())]));
    assert_eq!(wh(-1.0).validate(), Err(vec![("amount".to_string(), "must be greater than zero".to_string())]));
    assert_eq!(nh(f64::NAN).validate(), Err(vec![("amount".to_string(), "must be a finite number".to_string())]));
    assert_eq!(nh(f64::INFINITY).validate(), Err(vec![("amount".to_string(), "must be a finite number".to_string())]));
}

// ---- JSON -----------------------------------------------------------------------------------------------

#[test]
fn a_calendar_reads_from_the_json_a_tenant_writes() {
    let json = r#"{
        "time_zone": "Asia/Shanghai",
        "periods": [["08:30", "12:00"], ["13:30", "17:30:00"]],
        "weekend": ["Sat", "sunday"],
        "holidays": ["2026-10-01"],
        "workdays": ["2026-10-10"]
    }"#;
    let cal: WorkCalendar = serde_json::from_str(json).unwrap();
    assert_eq!(cal.periods, china().periods);
    assert_eq!(cal.weekend, vec![Weekday::Sat, Weekday::Sun]);
    assert_eq!(cal.holidays, [date("2026-10-01")].into());
    assert_eq!(cal.workdays, [date("2026-10-10")].into());
    // Holidays and make-up days may be left out.
    let bare: WorkCalendar =
        serde_json::from_str(r#"{"time_zone": "UTC", "periods": [["09:00", "17:00"]], "weekend": []}"#).unwrap();
    assert!(bare.holidays.is_empty() && bare.workdays.is_empty());
}

#[test]
fn a_calendar_round_trips_through_json() {
    let cal = china();
    let json = serde_json::to_value(&cal).unwrap();
    assert_eq!(json["periods"][0], serde_json::json!(["08:30:00", "12:00:00"]));
    assert_eq!(json["weekend"], serde_json::json!(["Sat", "Sun"]));
    assert_eq!(json["holidays"][0], "2026-01-01");
    let back: WorkCalendar = serde_json::from_value(json).unwrap();
    assert_eq!(back, cal);
}

#[test]
fn misspelt_or_malformed_calendar_json_is_refused() {
    let misspelt = r#"{"time_zone": "UTC", "periods": [], "weekend": [], "holiday": ["2026-10-01"]}"#;
    assert!(serde_json::from_str::<WorkCalendar>(misspelt).is_err());
    let bad_time = r#"{"time_zone": "UTC", "periods": [["8h30", "12:00"]], "weekend": []}"#;
    assert!(serde_json::from_str::<WorkCalendar>(bad_time).is_err());
    let bad_day = r#"{"time_zone": "UTC", "periods": [], "weekend": ["Samedi"]}"#;
    assert!(serde_json::from_str::<WorkCalendar>(bad_day).is_err());
}

#[test]
fn units_limits_and_lights_use_snake_case() {
    assert_eq!(serde_json::to_value(Unit::WorkingHours).unwrap(), "working_hours");
    assert_eq!(serde_json::to_value(Unit::WorkingDays).unwrap(), "working_days");
    assert_eq!(serde_json::to_value(Unit::NaturalHours).unwrap(), "natural_hours");
    assert_eq!(serde_json::to_value(Light::Green).unwrap(), "green");
    assert_eq!(serde_json::to_value(Light::Yellow).unwrap(), "yellow");
    assert_eq!(serde_json::to_value(Light::Red).unwrap(), "red");
    let limit: Limit = serde_json::from_str(r#"{"amount": 0.5, "unit": "working_days"}"#).unwrap();
    assert_eq!(limit, wd(0.5));
    assert_eq!(serde_json::to_value(wh(4.0)).unwrap(), serde_json::json!({"amount": 4.0, "unit": "working_hours"}));
    assert!(serde_json::from_str::<Limit>(r#"{"amount": 1, "unit": "WorkingHours"}"#).is_err());
}
