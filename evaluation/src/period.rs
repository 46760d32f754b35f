//! Evaluation periods: a day, week (Monday first), month, quarter, year or any date range, in
//! the tenant's time zone, as a half-open range of instants.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Range,
}

/// A period: its first day and the day after its last, and the instants they begin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    pub kind: PeriodKind,
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    pub start: DateTime<Utc>,
    /// The instant after the period (exclusive).
    pub end: DateTime<Utc>,
}

fn first_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)
}

impl Period {
    /// The period of `kind` containing `date`, or the range `date`..=`to` for [`PeriodKind::Range`].
    pub fn new(kind: PeriodKind, date: NaiveDate, to: Option<NaiveDate>, tz: Tz) -> Result<Period, (String, String)> {
        let bad = |f: &str, r: &str| (f.to_owned(), r.to_owned());
        let (from, next) = match kind {
            PeriodKind::Day => (date, date + Duration::days(1)),
            PeriodKind::Week => {
                let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
                (monday, monday + Duration::days(7))
            }
            PeriodKind::Month => {
                let from = first_of_month(date.year(), date.month()).ok_or_else(|| bad("date", "out of range"))?;
                let next = if date.month() == 12 {
                    first_of_month(date.year() + 1, 1)
                } else {
                    first_of_month(date.year(), date.month() + 1)
                };
                (from, next.ok_or_else(|| bad("date", "out of range"))?)
            }
            PeriodKind::Quarter => {
                let q0 = (date.month0() / 3) * 3 + 1;
                let from = first_of_month(date.year(), q0).ok_or_else(|| bad("date", "out of range"))?;
                let next =
                    if q0 == 10 { first_of_month(date.year() + 1, 1) } else { first_of_month(date.year(), q0 + 3) };
                (from, next.ok_or_else(|| bad("date", "out of range"))?)
            }
            PeriodKind::Year => (
                first_of_month(date.year(), 1).ok_or_else(|| bad("date", "out of range"))?,
                first_of_month(date.year() + 1, 1).ok_or_else(|| bad("date", "out of range"))?,
            ),
            PeriodKind::Range => {
                let to = to.ok_or_else(|| bad("to", "is required for a date range"))?;
                if to < date {
                    return Err(bad("to", "must not be before `from`"));
                }
                if (to - date).num_days() > 3660 {
                    return Err(bad("to", "a range may span at most ten years"));
                }
                (date, to + Duration::days(1))
            }
        };
        let at = |d: NaiveDate| {
            let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
            tz.from_local_datetime(&midnight)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| midnight.and_utc())
        };
        Ok(Period { kind, from, to: next - Duration::days(1), start: at(from), end: at(next) })
    }

    /// The period just before this one, of the same length in days (for trends).
    pub fn previous(&self, tz: Tz) -> Period {
        let days = (self.to - self.from).num_days() + 1;
        let (from, to) = match self.kind {
            PeriodKind::Month | PeriodKind::Quarter | PeriodKind::Year => {
                let p = Period::new(self.kind, self.from - Duration::days(1), None, tz).ok();
                return p.unwrap_or_else(|| self.clone());
            }
            _ => (self.from - Duration::days(days), self.from - Duration::days(1)),
        };
        Period::new(PeriodKind::Range, from, Some(to), tz)
            .map(|p| Period { kind: self.kind, ..p })
            .unwrap_or_else(|_| self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_contain_the_date_and_start_at_local_midnight() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let m = Period::new(PeriodKind::Month, d("2026-02-14"), None, tz).unwrap();
        assert_eq!((m.from, m.to), (d("2026-02-01"), d("2026-02-28")));
        assert_eq!(m.start.to_rfc3339(), "2026-01-31T16:00:00+00:00");
        let w = Period::new(PeriodKind::Week, d("2026-11-28"), None, tz).unwrap();
        assert_eq!((w.from, w.to), (d("2026-11-23"), d("2026-11-29")));
        let q = Period::new(PeriodKind::Quarter, d("2026-11-28"), None, tz).unwrap();
        assert_eq!((q.from, q.to), (d("2026-10-01"), d("2026-12-31")));
        let y = Period::new(PeriodKind::Year, d("2026-11-28"), None, tz).unwrap();
        assert_eq!((y.from, y.to), (d("2026-01-01"), d("2026-12-31")));
        assert_eq!(q.previous(tz).from, d("2026-07-01"));
        assert_eq!(m.previous(tz).from, d("2026-01-01"));
        let r = Period::new(PeriodKind::Range, d("2026-03-01"), Some(d("2026-03-10")), tz).unwrap();
        assert_eq!(r.end - r.start, Duration::days(10));
        assert_eq!(r.previous(tz).to, d("2026-02-28"));
        assert!(Period::new(PeriodKind::Range, d("2026-03-10"), Some(d("2026-03-01")), tz).is_err());
        assert!(Period::new(PeriodKind::Range, d("2026-03-10"), None, tz).is_err());
    }
}
