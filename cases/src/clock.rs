//! Time limits as data and the clock of each case.
//!
//! A tenant keeps two settings: its work calendar (`work_calendar`, see the `calendar` crate)
//! and its time limits (`time_limits`): one limit per stage (受理, 核实, 立案, 派遣, 核查, 结案),
//! and per class the disposal limit for area classes A/B/C with the 立案条件 and 结案条件 text.
//! Sources agree that these numbers are local (standards.md §4.5), so they are configuration;
//! the defaults are a plausible set drawn from published city rules.

use calendar::{Light, Limit, Pause, Unit, WorkCalendar};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use workflow::State;

use crate::entity::case;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum AreaClass {
    A,
    B,
    C,
}

/// Limits of the steps before and after disposal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageLimits {
    /// 受理: from report to acceptance (or sending verification).
    pub accept: Limit,
    /// 核实: the collector's verification on site.
    pub verify: Limit,
    /// 立案: from acceptance to filing.
    pub file: Limit,
    /// 派遣: from filing to dispatch.
    pub dispatch: Limit,
    /// 核查: from the department's feedback to a passed check.
    pub check: Limit,
    /// 结案: from a passed check (or a self-handling report) to closure.
    pub close: Limit,
}

/// The disposal limit of a class by area class, with its conditions.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassLimit {
    pub class_code: String,
    pub a: Limit,
    pub b: Option<Limit>,
    pub c: Option<Limit>,
    /// 立案条件.
    pub filing_condition: Option<String>,
    /// 结案条件.
    pub closing_condition: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeLimits {
    pub stages: StageLimits,
    /// Disposal limit of classes not listed.
    pub default_disposal: Limit,
    #[serde(default)]
    pub classes: Vec<ClassLimit>,
    /// Area class of streets or communities (by code); everything else is A.
    #[serde(default)]
    pub area_classes: BTreeMap<String, AreaClass>,
}

fn wh(h: f64) -> Limit {
    Limit::new(h, Unit::WorkingHours)
}

impl Default for TimeLimits {
    /// A plausible set (standards.md §4.5 examples: Taiyuan, Jiyuan, eGova defaults).
    fn default() -> Self {
        let class = |code: &str, a: Limit, filing: &str, closing: &str| ClassLimit {
            class_code: code.into(),
            a,
            b: None,
            c: None,
            filing_condition: Some(filing.into()),
            closing_condition: Some(closing.into()),
        };
        TimeLimits {
            stages: StageLimits {
                accept: wh(0.5),
                verify: Limit::new(1.0, Unit::NaturalHours),
                file: wh(0.5),
                dispatch: wh(0.5),
                check: Limit::new(2.0, Unit::NaturalHours),
                close: wh(0.5),
            },
            default_disposal: Limit::new(2.0, Unit::WorkingDays),
            classes: vec![
                class("06010", wh(4.0), "暴露垃圾面积超过0.5平方米", "垃圾清除干净，无残留"),
                class("06011", Limit::new(4.0, Unit::WorkingDays), "积存垃圾渣土超过1立方米", "渣土清运完毕"),
                class("06012", wh(5.0), "道路有明显污迹或杂物", "路面干净"),
                class(
                    "06001",
                    Limit::new(15.0, Unit::WorkingDays),
                    "未经批准搭建建筑物或构筑物",
                    "违法建筑拆除或依法处置",
                ),
                class("09009", wh(2.0), "机动车在禁停区域停放", "车辆驶离或依法处置"),
                class("01001", Limit::new(2.0, Unit::NaturalHours), "井盖缺失、破损或移位", "井盖恢复完好"),
            ],
            area_classes: BTreeMap::new(),
        }
    }
}

impl TimeLimits {
    /// Every problem of the limits, as (field, reason).
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut check = |field: String, l: &Limit| {
            if let Err(e) = l.validate() {
                errors.extend(e.into_iter().map(|(f, r)| (format!("{field}.{f}"), r)));
            }
        };
        let s = &self.stages;
        for (name, l) in [
            ("accept", &s.accept),
            ("verify", &s.verify),
            ("file", &s.file),
            ("dispatch", &s.dispatch),
            ("check", &s.check),
            ("close", &s.close),
        ] {
            check(format!("stages.{name}"), l);
        }
        check("default_disposal".into(), &self.default_disposal);
        for (i, c) in self.classes.iter().enumerate() {
            check(format!("classes[{i}].a"), &c.a);
            for (n, l) in [("b", &c.b), ("c", &c.c)] {
                if let Some(l) = l {
                    check(format!("classes[{i}].{n}"), l);
                }
            }
        }
        for (i, c) in self.classes.iter().enumerate() {
            if c.class_code.len() != 5 || !c.class_code.bytes().all(|b| b.is_ascii_digit()) {
                errors.push((format!("classes[{i}].class_code"), "must be a 5-digit class code".into()));
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    fn disposal(&self, class_code: &str, street: &str, community: &str) -> Limit {
        let area =
            self.area_classes.get(community).or_else(|| self.area_classes.get(street)).copied().unwrap_or(AreaClass::A);
        match self.classes.iter().find(|c| c.class_code == class_code) {
            None => self.default_disposal,
            Some(c) => match area {
                AreaClass::A => c.a,
                AreaClass::B => c.b.unwrap_or(c.a),
                AreaClass::C => c.c.or(c.b).unwrap_or(c.a),
            },
        }
    }
}

/// The clock of a case's current stage: when it started, its limit, and the pauses.
#[derive(Debug, Clone)]
pub struct Stage {
    pub start: DateTime<Utc>,
    pub limit: Limit,
    pub pauses: Vec<Pause>,
}

/// The running stage of a case, if its clock runs (not while suspended or after the end).
pub fn stage(p: &workflow::Case, row: &case::Model, limits: &TimeLimits, cal: &WorkCalendar) -> Option<Stage> {
    let s = &limits.stages;
    let plain = |limit: Limit| Some(Stage { start: p.stage_started, limit, pauses: Vec::new() });
    match p.state {
        State::Reported => plain(s.accept),
        State::Verifying => plain(s.verify),
        State::Accepted => plain(s.file),
        State::Filed => plain(s.dispatch),
        State::Dispatched => {
            let base = limits.disposal(&row.class_code, &row.street_code, &row.community_code);
            // An approved extension is in hours; a limit in working days grows by that many hours' share.
            let extra = match base.unit {
                Unit::WorkingDays => p.extension_hours / cal.hours_per_day().max(f64::EPSILON),
                _ => p.extension_hours,
            };
            Some(Stage {
                start: p.dispatched_at.unwrap_or(p.stage_started),
                limit: base.extended_by(extra),
                pauses: p.pauses.clone(),
            })
        }
        State::Handled | State::Checking => plain(s.check),
        State::Checked | State::SelfHandled => plain(s.close),
        State::Suspended | State::Closed | State::Rejected | State::Voided => None,
    }
}

/// The deadline of the running stage.
pub fn deadline(stage: &Stage, cal: &WorkCalendar) -> Option<DateTime<Utc>> {
    cal.deadline(stage.start, stage.limit, &stage.pauses)
}

/// The traffic light of the running stage at `now`.
pub fn light(stage: &Stage, cal: &WorkCalendar, now: DateTime<Utc>) -> Light {
    cal.light(stage.start, now, stage.limit, &stage.pauses)
}

/// A tenant's calendar and limits (stored, or the defaults).
pub async fn load<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &impl tenancy::InTenant,
) -> kernel::Result<(WorkCalendar, TimeLimits)> {
    load_of(db, tenant.in_tenant().0).await
}

/// [`load`] by id, inside this crate: for an id taken from a scope (the intake's rules cache) or
/// from a row of that tenant (the case being changed: an action's case was found in the scope;
/// the overdue sweep's cases come from every tenant, each carrying its own).
pub(crate) async fn load_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: uuid::Uuid,
) -> kernel::Result<(WorkCalendar, TimeLimits)> {
    let cal = crate::settings::get_of(db, tenant, CALENDAR).await?.unwrap_or_else(WorkCalendar::china_default);
    let limits = crate::settings::get_of(db, tenant, LIMITS).await?.unwrap_or_default();
    Ok((cal, limits))
}

/// The work calendar as the API shows it: the calendar itself, and the years it has no holiday
/// data for among this year and the next (in the calendar's own time zone).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarView {
    /// What `PUT` takes.
    pub calendar: WorkCalendar,
    /// This year and/or the next when the calendar lists no public holiday in them; deadlines there count only weekends as days off
    /// until the year's schedule (国务院办公厅 节假日安排) is added.
    #[schema(example = json!([2027]))]
    pub missing_holiday_years: Vec<i32>,
}

impl CalendarView {
    pub fn of(calendar: WorkCalendar, now: DateTime<Utc>) -> Self {
        use chrono::Datelike;
        let year = now.with_timezone(&zone_of(&calendar)).year();
        let missing_holiday_years = calendar.years_without_holidays([year, year + 1]);
        Self { calendar, missing_holiday_years }
    }
}

pub const CALENDAR: &str = "work_calendar";
pub const LIMITS: &str = "time_limits";

/// The deadline a case row should carry after a change.
pub fn deadline_of(
    p: &workflow::Case,
    row: &case::Model,
    cal: &WorkCalendar,
    limits: &TimeLimits,
) -> Option<DateTime<Utc>> {
    stage(p, row, limits, cal).and_then(|s| deadline(&s, cal))
}

/// The clock new cases are stamped with: the system clock, or — for tests of what happens at a
/// given hour — the system clock shifted so that it reads a chosen instant now (and runs on from
/// there). Clones share the shift.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    shift_us: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that reads `at` now.
    pub fn starting_at(at: DateTime<Utc>) -> Self {
        let clock = Self::default();
        clock.set(at);
        clock
    }

    /// Shifts the clock (and its clones) so that it reads `at` now.
    pub fn set(&self, at: DateTime<Utc>) {
        let shift = (at - Utc::now()).num_microseconds().unwrap_or_default();
        self.shift_us.store(shift, std::sync::atomic::Ordering::Relaxed);
    }

    /// The time, truncated to microseconds: PostgreSQL keeps no finer, and the hash of an event
    /// must survive the round trip through storage.
    pub fn now(&self) -> DateTime<Utc> {
        let shift = self.shift_us.load(std::sync::atomic::Ordering::Relaxed);
        let now = crate::now();
        if shift == 0 { now } else { now + chrono::TimeDelta::microseconds(shift) }
    }
}

/// The time zone a county's calendar names (Asia/Shanghai when it names none the server knows):
/// the zone of its working hours, and of the dates in its case numbers.
pub fn zone_of(cal: &WorkCalendar) -> chrono_tz::Tz {
    cal.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}
