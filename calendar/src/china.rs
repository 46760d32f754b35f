//! The 2026 public holidays and make-up working days (调休) of mainland China.
//!
//! Source: 国务院办公厅关于2026年部分节假日安排的通知, dated 2025-11-04 and published by Xinhua (新华社北京11月4日电).
//! Read from its republications at <https://politics.gmw.cn/2025-11/04/content_38391083.htm> (光明网, from 新华网)
//! and <https://www.hrbtv.net/folder963/2025-11-04/1096647.html> (哈尔滨广播电视台, from 新华网), which agree:
//!
//! | 节日 | 放假 | 上班 (调休) |
//! |---|---|---|
//! | 元旦 | 1月1日(周四)至3日(周六), 3天 | 1月4日(周日) |
//! | 春节 | 2月15日(周日)至23日(周一), 9天 | 2月14日(周六), 2月28日(周六) |
//! | 清明节 | 4月4日(周六)至6日(周一), 3天 | — |
//! | 劳动节 | 5月1日(周五)至5日(周二), 5天 | 5月9日(周六) |
//! | 端午节 | 6月19日(周五)至21日(周日), 3天 | — |
//! | 中秋节 | 9月25日(周五)至27日(周日), 3天 | — |
//! | 国庆节 | 10月1日(周四)至7日(周三), 7天 | 9月20日(周日), 10月10日(周六) |
//!
//! Every day of each 放假 range is listed as a holiday, including those that fall on a weekend anyway: that is
//! how the notice states them and it costs nothing. Other years are not shipped: the State Council publishes
//! each year's schedule only in the preceding November, so tenants add them as they come out.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};

/// Holiday ranges of 2026 as (month, first day, number of days).
const HOLIDAYS_2026: [(u32, u32, u64); 7] =
    [(1, 1, 3), (2, 15, 9), (4, 4, 3), (5, 1, 5), (6, 19, 3), (9, 25, 3), (10, 1, 7)];

/// Make-up working days of 2026 as (month, day).
const WORKDAYS_2026: [(u32, u32); 6] = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];

/// `(holidays, workdays)` of mainland China in 2026, per the State Council notice cited in this module's docs.
/// Meant for [`WorkCalendar::with_holidays`](crate::WorkCalendar::with_holidays) and used by
/// [`WorkCalendar::china_default`](crate::WorkCalendar::china_default).
pub fn china_2026_holidays() -> (BTreeSet<NaiveDate>, BTreeSet<NaiveDate>) {
    let holidays = HOLIDAYS_2026
        .iter()
        .filter_map(|&(month, day, count)| {
            let first = NaiveDate::from_ymd_opt(2026, month, day)?;
            Some((0..count).filter_map(move |i| first.checked_add_days(Days::new(i))))
        })
        .flatten()
        .collect();
    let workdays = WORKDAYS_2026.iter().filter_map(|&(month, day)| NaiveDate::from_ymd_opt(2026, month, day)).collect();
    (holidays, workdays)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Weekday};

    fn d(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).unwrap()
    }

    #[test]
    fn every_day_of_the_notice_is_there_and_no_other() {
        let (holidays, workdays) = china_2026_holidays();
        assert_eq!(holidays.len(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert_eq!(workdays.len(), 6);
        for (first, last) in
            [(d(1, 1), d(1, 3)), (d(2, 15), d(2, 23)), (d(4, 4), d(4, 6)), (d(5, 1), d(5, 5)), (d(6, 19), d(6, 21))]
                .into_iter()
                .chain([(d(9, 25), d(9, 27)), (d(10, 1), d(10, 7))])
        {
            for day in first.iter_days().take_while(|day| *day <= last) {
                assert!(holidays.contains(&day), "{day} should be a holiday");
            }
        }
        assert!(!holidays.contains(&d(2, 14)) && !holidays.contains(&d(2, 24)));
        assert!(holidays.is_disjoint(&workdays));
    }

    #[test]
    fn the_weekdays_match_those_printed_in_the_notice() {
        // A transcription error would most likely show as a wrong weekday.
        let printed = [
            (d(1, 1), Weekday::Thu),
            (d(1, 3), Weekday::Sat),
            (d(1, 4), Weekday::Sun),
            (d(2, 15), Weekday::Sun),
            (d(2, 23), Weekday::Mon),
            (d(2, 14), Weekday::Sat),
            (d(2, 28), Weekday::Sat),
            (d(4, 4), Weekday::Sat),
            (d(4, 6), Weekday::Mon),
            (d(5, 1), Weekday::Fri),
            (d(5, 5), Weekday::Tue),
            (d(5, 9), Weekday::Sat),
            (d(6, 19), Weekday::Fri),
            (d(6, 21), Weekday::Sun),
            (d(9, 25), Weekday::Fri),
            (d(9, 27), Weekday::Sun),
            (d(10, 1), Weekday::Thu),
            (d(10, 7), Weekday::Wed),
            (d(9, 20), Weekday::Sun),
            (d(10, 10), Weekday::Sat),
        ];
        for (day, weekday) in printed {
            assert_eq!(day.weekday(), weekday, "{day}");
        }
    }

    #[test]
    fn every_make_up_day_is_a_weekend_day() {
        let (_, workdays) = china_2026_holidays();
        for day in workdays {
            assert!(matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{day}");
        }
    }
}
