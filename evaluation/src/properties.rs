//! Property test of the engine: for random histories (a small fixed-seed generator, so a failure
//! is reproducible and nothing is added to the build), the day, week and month sums of every count
//! that settles at an instant agree with each other and with one period holding everything, and
//! each disposal and each closure settles exactly once.
//!
//! Counts "as known at the period's end" are left out on purpose, because a longer period knows
//! more: 处置数/超期处置数/超期待处置数 individually (a disposal late on the 10th and handled on the
//! 12th is 超期待处置 on the 10th and 超期处置 in the month — their sum is checked), 结案数,
//! 积存/超期未结 (stocks), 有效上报数, 作废数, 错误派遣数 and a department's 立案数.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use workflow::{Action, Source};

use crate::engine::{Context, Contribution, Evaluation, evaluate, walk};
use crate::indicator::{Indicator, SubjectKind};
use crate::input::{CaseRecord, EventRecord, GridCounts, Roster};
use crate::period::{Period, PeriodKind};
use crate::scheme::Options;

/// SplitMix64: tiny, fast and good enough to explore histories.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n.max(1) as u64) as i64
    }

    fn chance(&mut self, percent: i64) -> bool {
        self.below(100) < percent
    }
}

fn base() -> DateTime<Utc> {
    "2026-10-01T00:00:00Z".parse().unwrap_or_default()
}

/// A disposal task of a generated history: the event that began it, and whether it was handled.
struct Task {
    start_seq: u32,
    handled: bool,
}

/// Builds one case's events; times are minutes after [`base`].
struct Builder<'r> {
    rng: &'r mut Rng,
    now: i64,
    events: Vec<EventRecord>,
}

impl Builder<'_> {
    fn push(&mut self, action: Action, due: Option<i64>) -> u32 {
        let seq = self.events.len() as u32 + 1;
        let actor = ["u1", "u2", "u3"][self.rng.below(3) as usize];
        self.events.push(EventRecord {
            seq,
            action,
            actor: Some(actor.to_owned()),
            at: base() + Duration::minutes(self.now),
            due: due.map(|m| base() + Duration::minutes(m)),
            department: None,
            flag: None,
            class_code: None,
            hours: None,
        });
        // Sometimes minutes, sometimes more than a day: deadlines pass now and then.
        self.now += if self.rng.chance(70) { 1 + self.rng.below(300) } else { 300 + self.rng.below(2500) };
        seq
    }

    fn last(&mut self) -> &mut EventRecord {
        let n = self.events.len();
        &mut self.events[n - 1]
    }
}

/// A random history following the loop's transitions (as the workflow allows them), with the
/// deadlines the clock would record: same-stage events repeat the deadline, extensions and
/// resumptions move it, a rework inherits it.
fn history(rng: &mut Rng, index: usize) -> (CaseRecord, Vec<Task>) {
    let source = if rng.chance(30) { Source::Public } else { Source::Patrol };
    let start = rng.below(20 * 1440);
    let mut b = Builder { rng, now: start, events: Vec::new() };
    let mut tasks = Vec::new();
    'case: {
        if source == Source::Patrol && b.rng.chance(10) {
            let due = b.now + 120;
            b.push(Action::SelfHandle, Some(due));
            if b.rng.chance(70) {
                b.push(Action::Close, None);
            }
            break 'case;
        }
        let due = b.now + 30 + b.rng.below(60);
        b.push(Action::Report, Some(due));
        if source == Source::Public {
            let due = b.now + 60;
            b.push(Action::SendVerification, Some(due));
            let found = b.rng.chance(80);
            b.push(Action::Verify, if found { Some(b.now + 60) } else { None });
            b.last().flag = Some(found);
            if !found {
                break 'case;
            }
        } else if b.rng.chance(10) {
            b.push(Action::Reject, None);
            break 'case;
        } else {
            let due = b.now + 60;
            b.push(Action::Accept, Some(due));
        }
        let due = b.now + 60;
        b.push(Action::File, Some(due));
        b.last().class_code = Some("06010".into());
        if b.rng.chance(8) {
            b.push(Action::RequestVoid, Some(due));
            b.push(Action::ApproveVoid, None);
            break 'case;
        }
        for _round in 0..4 {
            let claim = b.rng.chance(20);
            let mut disposal = b.now + 10 + b.rng.below(3000);
            let seq = b.push(if claim { Action::Claim } else { Action::Dispatch }, Some(disposal));
            b.last().department = Some(["d1", "d2"][b.rng.below(2) as usize].to_owned());
            tasks.push(Task { start_seq: seq, handled: false });
            loop {
                let r = b.rng.below(100);
                if r < 12 {
                    b.push(Action::RequestExtension, Some(disposal));
                    b.last().hours = Some(8.0);
                    disposal += 60 + b.rng.below(1500);
                    b.push(Action::ApproveExtension, Some(disposal));
                } else if r < 22 {
                    b.push(Action::RequestSuspension, Some(disposal));
                    let since = b.now;
                    b.push(Action::ApproveSuspension, None);
                    if !b.rng.chance(70) {
                        break 'case; // left suspended
                    }
                    disposal += b.now - since;
                    b.push(Action::Resume, Some(disposal));
                } else if r < 30 {
                    b.push(Action::RequestReturn, Some(disposal));
                    let due = b.now + 60;
                    b.push(Action::ApproveReturn, Some(due));
                    break; // dispatched again
                } else if r < 34 {
                    break 'case; // left with the department
                } else {
                    b.push(Action::Handle, Some(b.now + 60));
                    if let Some(t) = tasks.last_mut() {
                        t.handled = true;
                    }
                    b.push(Action::SendCheck, Some(b.now + 60));
                    if b.rng.chance(25) {
                        // 返工: back to the department with the disposal's deadline, perhaps passed.
                        let seq = b.push(Action::Check, Some(disposal));
                        b.last().flag = Some(false);
                        tasks.push(Task { start_seq: seq, handled: false });
                        continue;
                    }
                    b.push(Action::Check, Some(b.now + 60));
                    b.last().flag = Some(true);
                    if b.rng.chance(85) {
                        b.push(Action::Close, None);
                    }
                    break 'case;
                }
            }
        }
    }
    let case = CaseRecord {
        id: format!("case{index}"),
        number: index.to_string(),
        county: "320115".into(),
        source,
        class_code: "06010".into(),
        grid_code: format!("g{}", index % 3),
        community_code: format!("cm{}", index % 2),
        street_code: "s".into(),
        duty_grid: Some("dg".into()),
        events: b.events,
    };
    (case, tasks)
}

/// The periods of `kind` covering September 2026 to January 2027 (every history lies in
/// October and November; weeks run over the edges).
fn partition(kind: PeriodKind) -> Vec<Period> {
    let tz = chrono_tz::UTC;
    let first = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap_or_default();
    if kind == PeriodKind::Range {
        return Period::new(kind, first, Some(last), tz).into_iter().collect();
    }
    let mut out: Vec<Period> = Vec::new();
    let mut date = first;
    while date <= last {
        let Ok(p) = Period::new(kind, date, None, tz) else { break };
        date = p.to + Duration::days(1);
        out.push(p);
    }
    out
}

/// The counts that settle at an instant (see the module docs).
const ADDITIVE: [Indicator; 33] = [
    Indicator::PublicVerified,
    Indicator::DueForClosure,
    Indicator::ClosedOnTime,
    Indicator::DisposalsFinished,
    Indicator::DueForDisposal,
    Indicator::DisposedOnTime,
    Indicator::Reworks,
    Indicator::Extensions,
    Indicator::Returns,
    Indicator::Claims,
    Indicator::Reports,
    Indicator::DueVerifications,
    Indicator::VerifiedOnTime,
    Indicator::DueChecks,
    Indicator::CheckedOnTime,
    Indicator::Missed,
    Indicator::FiledInDutyGrids,
    Indicator::SelfHandled,
    Indicator::Accepted,
    Indicator::AcceptedOnTime,
    Indicator::NotAccepted,
    Indicator::VerificationsSent,
    Indicator::VerificationsSentOnTime,
    Indicator::ChecksSent,
    Indicator::ChecksSentOnTime,
    Indicator::FiledBy,
    Indicator::FiledOnTime,
    Indicator::Closes,
    Indicator::ClosesOnTime,
    Indicator::Dispatches,
    Indicator::DispatchesOnTime,
    Indicator::CityOrders,
    Indicator::GovernanceReceived,
];

/// Per subject: the additive counts, 超期处置+超期待处置, 立案数 of regions, and the hours.
type Sums = HashMap<(SubjectKind, String), (Vec<u32>, u32, u32, f64)>;

fn sums(e: &Evaluation) -> Sums {
    let mut out = Sums::new();
    for kind in SubjectKind::ALL {
        for (subject, t) in e.subjects(kind) {
            let counts = ADDITIVE.iter().map(|i| t.get(*i)).collect();
            let late = t.get(Indicator::DisposedLate) + t.get(Indicator::PendingOverdue);
            // 立案数 of a region counts at the filing; a department's is as known at the end.
            let filed = if kind == SubjectKind::Department { 0 } else { t.get(Indicator::Filed) };
            out.insert((kind, subject.clone()), (counts, late, filed, t.disposal_hours));
        }
    }
    out.retain(|_, v| v.0.iter().any(|c| *c > 0) || v.1 > 0 || v.2 > 0);
    out
}

/// What settled (disposals: case and starting event; closures: case) over a partition.
fn settlements(
    cases: &[CaseRecord],
    periods: &[Period],
    options: &Options,
    roster: &Roster,
) -> (Vec<(usize, u32)>, Vec<usize>) {
    let (mut disposals, mut closures) = (Vec::new(), Vec::new());
    let now = base() + Duration::days(1000);
    for p in periods {
        let ctx = Context::at(p.start, p.end, now, options, roster);
        walk(cases, &[], &ctx, |hit| {
            let Contribution::Case { index, events, .. } = hit.contribution else { return };
            match (hit.kind, hit.indicator) {
                (SubjectKind::Department, Indicator::DueForDisposal) => {
                    disposals.push((index, events.to_vec().first().copied().unwrap_or(0)))
                }
                (SubjectKind::County, Indicator::DueForClosure) => closures.push(index),
                _ => {}
            }
        });
    }
    disposals.sort_unstable();
    closures.sort_unstable();
    (disposals, closures)
}

fn close(a: &Sums, b: &Sums) -> bool {
    a.len() == b.len()
        && a.iter().all(|(k, (c, l, f, h))| {
            b.get(k).is_some_and(|(c2, l2, f2, h2)| c == c2 && l == l2 && f == f2 && (h - h2).abs() < 1e-6)
        })
}

fn check_seed(seed: u64, options: &Options) {
    let mut rng = Rng(seed);
    let (cases, tasks): (Vec<CaseRecord>, Vec<Vec<Task>>) = (0..30).map(|i| history(&mut rng, i)).unzip();
    let roster: Roster = HashMap::from([("dg".to_owned(), vec!["c1".to_owned()])]);
    let grids = GridCounts::new();
    let now = base() + Duration::days(1000);
    let total = |kind: PeriodKind| {
        let mut all = Evaluation::default();
        for p in partition(kind) {
            let ctx = Context::at(p.start, p.end, now, options, &roster);
            all.merge(evaluate(&cases, &[], &ctx, &grids));
        }
        sums(&all)
    };
    let whole = total(PeriodKind::Range);
    for kind in [PeriodKind::Day, PeriodKind::Week, PeriodKind::Month] {
        let parts = total(kind);
        if !close(&parts, &whole) {
            let diff: Vec<_> = parts
                .iter()
                .filter(|(k, v)| whole.get(*k).is_none_or(|w| w.0 != v.0 || w.1 != v.1 || w.2 != v.2))
                .map(|(k, v)| (k.clone(), v.0.clone(), v.1, v.2, whole.get(k).map(|w| (w.0.clone(), w.1, w.2))))
                .take(3)
                .collect();
            panic!("seed {seed}: {kind:?} sums differ from the whole span's: {diff:?}");
        }
    }
    let (disposals, closures) = settlements(&cases, &partition(PeriodKind::Range), options, &roster);
    assert!(disposals.len() > 10 && closures.len() > 5, "seed {seed}: histories too thin to test anything");
    for kind in [PeriodKind::Day, PeriodKind::Week, PeriodKind::Month] {
        let (d, c) = settlements(&cases, &partition(kind), options, &roster);
        assert_eq!(d, disposals, "seed {seed}: the disposals settled over {kind:?}s");
        assert_eq!(c, closures, "seed {seed}: the closures settled over {kind:?}s");
    }
    // Each settles at most once; every handled disposal and every closed filed case exactly once.
    let mut once = disposals.clone();
    once.dedup();
    assert_eq!(once, disposals, "seed {seed}: a disposal settled twice");
    let mut once = closures.clone();
    once.dedup();
    assert_eq!(once, closures, "seed {seed}: a closure settled twice");
    for (index, (case, tasks)) in cases.iter().zip(&tasks).enumerate() {
        for t in tasks.iter().filter(|t| t.handled) {
            assert!(
                disposals.binary_search(&(index, t.start_seq)).is_ok(),
                "seed {seed}: case {index}'s disposal from event {} was handled but never settled: {:?}",
                t.start_seq,
                case.events
            );
        }
        let filed = case.events.iter().any(|e| e.action == Action::File);
        let closed = case.events.iter().any(|e| e.action == Action::Close);
        if filed && closed {
            assert!(closures.binary_search(&index).is_ok(), "seed {seed}: case {index} closed but never settled");
        }
    }
}

#[test]
fn days_weeks_and_months_add_up_and_every_task_settles_exactly_once() {
    for seed in 0..40 {
        check_seed(seed, &Options::default());
    }
}

#[test]
fn the_options_keep_settlements_additive() {
    let options = Options {
        suspended_leave_closure: true,
        self_handled_valid: true,
        overdue_open_by: crate::scheme::OpenOverdue::Disposal,
        disposal_hours: crate::scheme::DisposalHours::Elapsed,
        ..Options::default()
    };
    for seed in 100..120 {
        check_seed(seed, &options);
    }
}
