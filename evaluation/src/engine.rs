//! The walk over each case's events that counts what settled in a period.
//!
//! Rules (each visible in the scheme's [`Options`] where the sources disagree):
//! - Only events before the period's end are read, so a closed period always gives the same
//!   numbers (events are append-only). A period that has not ended is read up to now: a deadline
//!   still ahead is not overdue yet ([`Context::at`]).
//! - Event counts (立案, 核实, 返工, 延期, 回退, 认领, …) fall in the period their event happened in.
//! - A task with a deadline (a stage of the loop) *settles* when it is finished on time, or at its
//!   deadline if it is not: on-time work counts when done, late work counts when it became late.
//!   Each settlement instant depends only on what happened before it, so each disposal settles
//!   in exactly one period whatever the periods (days, weeks and months add up): 应处置数 is the
//!   disposals settled in the period; those finished by its end are 处置数 (按期 or 超期), the
//!   rest 超期待处置数 (so these three are as known at the period's end; their sums add up).
//! - Once a deadline has passed, nothing later moves it: an extension or a suspension approved
//!   after it does not un-settle the late disposal. A rework (返工) inherits the disposal's
//!   deadline; if that passed before the failed check, the rework settles at the check.
//! - A disposal suspended (挂账) in time and not resumed leaves the disposal indicators (its clock
//!   stopped); on resumption its moved deadline applies. An approved extension moves the deadline
//!   (the deadline recorded by the approving event).
//! - A disposal returned (回退) before its deadline leaves 应处置数 and counts as 回退数; one
//!   returned after it had already settled late (超期待处置).
//! - A filed (立案) case settles for closure once: at its closing, or when its disposal deadline
//!   passes before it: 应结案数, 结案数 (closed by the period's end), and 按期结案数 when closed in
//!   time with every disposal on time. A suspended case keeps its deadline for closure unless
//!   `suspended_leave_closure`.
//! - Position counts (核实, 核查, 受理, 立案, 派遣, 结案) are of the person who finished the task, in
//!   the period they finished it, on time against the task's deadline. 有效上报数, 作废数, 错误派遣数
//!   and a department's 立案数 are of the tasks of the period as known at its end.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use workflow::{Action, Source, State};

use crate::indicator::{Indicator, SubjectKind, Tally};
use crate::input::{CaseRecord, Directive, DirectiveKind, GridCounts, Roster};
use crate::scheme::{DispatchError, DisposalHours, OpenOverdue, Options, ValidReport};

/// The period and the choices of the scheme.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub start: DateTime<Utc>,
    /// The instant the walk reads up to (exclusive): the period's end, or now if that is earlier
    /// (see [`Context::at`]).
    pub end: DateTime<Utc>,
    pub options: &'a Options,
    pub roster: &'a Roster,
}

impl<'a> Context<'a> {
    /// The context of the period `[start, end)` evaluated at `now`. A period that has not ended
    /// counts only what is known now: it is read up to `now`, so a deadline still ahead is not
    /// overdue and nothing settles in the period's future (it will settle when it happens).
    pub fn at(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
        options: &'a Options,
        roster: &'a Roster,
    ) -> Context<'a> {
        Context { start, end: end.min(now).max(start), options, roster }
    }

    fn within(&self, t: DateTime<Utc>) -> bool {
        t >= self.start && t < self.end
    }
}

/// The sequence numbers of the (one or two) events that decided a count; 0 is none (events are
/// numbered from 1). A plain pair, so counting allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seqs(u32, u32);

impl Seqs {
    pub fn one(a: u32) -> Seqs {
        Seqs(a, 0)
    }

    pub fn two(a: u32, b: u32) -> Seqs {
        Seqs(a, b)
    }

    pub fn contains(&self, seq: u32) -> bool {
        seq != 0 && (self.0 == seq || self.1 == seq)
    }

    pub fn to_vec(self) -> Vec<u32> {
        [self.0, self.1].into_iter().filter(|s| *s != 0).collect()
    }
}

/// What produced one count: a case and the events that decided it, or a directive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Contribution {
    /// Index into the evaluated cases, the deciding events, and the deadline the count was judged
    /// against where it has one (after extensions and suspensions).
    Case { index: usize, events: Seqs, deadline: Option<DateTime<Utc>> },
    /// Index into the evaluated directives.
    Directive { index: usize },
}

/// One counted fact.
pub struct Hit<'a> {
    pub kind: SubjectKind,
    pub subject: &'a str,
    pub indicator: Indicator,
    /// Hours of a finished disposal (only for [`Indicator::DisposalsFinished`]).
    pub hours: f64,
    pub contribution: Contribution,
}

/// A task of the loop: a stage with its deadline.
#[derive(Debug, Clone)]
struct Task {
    stage: State,
    start: DateTime<Utc>,
    start_seq: u32,
    due: Option<DateTime<Utc>>,
    department: Option<String>,
    /// Suspended (挂账) before its deadline: its clock stopped, so it has no deadline until resumed.
    suspended: bool,
    /// Its deadline passed while it ran (seen at a later event): it settled late then, and no
    /// later extension, suspension or resumption moves that deadline.
    locked: bool,
    /// Time spent suspended so far, and the start of the suspension in progress.
    paused: Duration,
    paused_since: Option<DateTime<Utc>>,
    /// For a disposal: how it ended (`true` = handled, `false` = returned) and when.
    end: Option<(DateTime<Utc>, u32, bool)>,
}

impl Task {
    fn new(
        stage: State,
        start: DateTime<Utc>,
        start_seq: u32,
        due: Option<DateTime<Utc>>,
        department: Option<String>,
    ) -> Task {
        Task {
            stage,
            start,
            start_seq,
            due,
            department,
            suspended: false,
            locked: false,
            paused: Duration::zero(),
            paused_since: None,
            end: None,
        }
    }

    fn on_time(&self, at: DateTime<Utc>) -> bool {
        self.due.is_none_or(|d| at <= d)
    }

    /// Whether its deadline had passed before `t` (a task suspended in time has none).
    fn passed(&self, t: DateTime<Utc>) -> bool {
        self.locked || (!self.suspended && self.due.is_some_and(|d| d < t))
    }

    /// When a late task settled: at its deadline, or at its start if it began past it (a rework
    /// inherits the deadline of the disposal, which may have passed before the failed check).
    fn late_at(&self) -> Option<DateTime<Utc>> {
        self.due.map(|d| d.max(self.start))
    }
}

/// The case for closure: the deadline it is judged against, and when it settled.
#[derive(Debug, Default)]
struct Closure {
    /// The disposal deadline in force, and since when (a deadline set after it passed — a
    /// rework's inherited one — settles when it was set, not in a period already over).
    due: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// When it settled, whether by its closing (in time), its department then, and the deadline.
    settled: Option<Settled>,
}

#[derive(Debug, Clone)]
struct Settled {
    at: DateTime<Utc>,
    closed_in_time: bool,
    department: Option<String>,
    deadline: Option<DateTime<Utc>>,
}

impl Closure {
    /// Settles it late if its deadline passed before `t`.
    fn check(&mut self, t: DateTime<Utc>, department: Option<&str>) {
        if self.settled.is_none()
            && let Some((due, since)) = self.due
            && due < t
        {
            self.settled = Some(Settled {
                at: due.max(since),
                closed_in_time: false,
                department: department.map(str::to_owned),
                deadline: Some(due),
            });
        }
    }

    fn set(&mut self, due: Option<DateTime<Utc>>, now: DateTime<Utc>) {
        if self.due.map(|(d, _)| d) != due {
            self.due = due.map(|d| (d, now));
        }
    }
}

struct Dispatch {
    actor: String,
    seq: u32,
    at: DateTime<Utc>,
    returned: bool,
    reworked: bool,
}

fn case_hit(kind: SubjectKind, subject: &str, indicator: Indicator, index: usize, events: Seqs) -> Hit<'_> {
    Hit { kind, subject, indicator, hours: 0.0, contribution: Contribution::Case { index, events, deadline: None } }
}

/// Walks every case and directive, calling `emit` for each counted fact.
pub fn walk(cases: &[CaseRecord], directives: &[Directive], ctx: &Context, mut emit: impl FnMut(Hit)) {
    for (index, case) in cases.iter().enumerate() {
        walk_case(index, case, ctx, &mut emit);
    }
    for (index, d) in directives.iter().enumerate() {
        if !ctx.within(d.created_at) {
            continue;
        }
        let (kind, subject, received, answered) = match (d.kind, &d.department) {
            (DirectiveKind::CityOrder, _) => {
                (SubjectKind::County, d.county.as_str(), Indicator::CityOrders, Indicator::CityOrdersAnsweredOnTime)
            }
            (DirectiveKind::Governance, Some(dep)) => (
                SubjectKind::Department,
                dep.as_str(),
                Indicator::GovernanceReceived,
                Indicator::GovernanceAnsweredOnTime,
            ),
            (DirectiveKind::Governance, None) => continue,
        };
        let hit =
            |indicator| Hit { kind, subject, indicator, hours: 0.0, contribution: Contribution::Directive { index } };
        emit(hit(received));
        if d.responded_at.is_some_and(|r| r <= d.due_at && r < ctx.end) {
            emit(hit(answered));
        }
    }
}

fn walk_case(index: usize, c: &CaseRecord, ctx: &Context, emit: &mut impl FnMut(Hit)) {
    let opts = ctx.options;
    let regions = [
        (SubjectKind::Grid, c.grid_code.as_str()),
        (SubjectKind::Community, c.community_code.as_str()),
        (SubjectKind::Street, c.street_code.as_str()),
        (SubjectKind::County, c.county.as_str()),
    ];
    let region =
        |emit: &mut dyn FnMut(Hit), ind: Indicator, events: Seqs, hours: f64, deadline: Option<DateTime<Utc>>| {
            for (kind, code) in regions {
                emit(Hit {
                    kind,
                    subject: code,
                    indicator: ind,
                    hours,
                    contribution: Contribution::Case { index, events, deadline },
                });
            }
        };
    let collectors: &[String] =
        c.duty_grid.as_ref().and_then(|g| ctx.roster.get(g)).map(Vec::as_slice).unwrap_or_default();

    let mut projection: Option<workflow::Case> = None;
    let mut task: Option<Task> = None;
    let mut disposals: Vec<Task> = Vec::new();
    let mut dispatches: Vec<Dispatch> = Vec::new();
    let mut report: Option<(u32, String, DateTime<Utc>)> = None;
    let mut filed: Option<(u32, String, DateTime<Utc>)> = None;
    let mut closure = Closure::default();
    let mut close_seq = 0;

    for e in c.events.iter().take_while(|e| e.at < ctx.end) {
        let event = e.to_event(c.source);
        let before = projection.as_ref().map(|p| p.state);
        let now = e.at;
        // A deadline that passed before this event settled the case for closure then.
        if filed.is_some() {
            closure.check(now, task.as_ref().and_then(|t| t.department.as_deref()));
        }
        let next = match projection.take() {
            None => workflow::machine::open(&event),
            Some(p) => workflow::apply(p, &event),
        };
        let here = ctx.within(now);
        let actor = e.actor.as_deref().unwrap_or("");
        let department = next.department.clone();

        // Facts counted at their event.
        match e.action {
            Action::Report | Action::SelfHandle if c.source == Source::Patrol && !actor.is_empty() => {
                report = Some((e.seq, actor.to_owned(), now));
                if here {
                    emit(case_hit(SubjectKind::Collector, actor, Indicator::Reports, index, Seqs::one(e.seq)));
                    if e.action == Action::SelfHandle {
                        emit(case_hit(SubjectKind::Collector, actor, Indicator::SelfHandled, index, Seqs::one(e.seq)));
                    }
                }
            }
            Action::Verify
                if e.flag == Some(true) && !matches!(c.source, Source::Patrol | Source::CityOrder) && here =>
            {
                region(emit, Indicator::PublicVerified, Seqs::one(e.seq), 0.0, None);
                for who in collectors {
                    emit(case_hit(SubjectKind::Collector, who, Indicator::Missed, index, Seqs::two(1, e.seq)));
                }
            }
            Action::File => {
                filed = Some((e.seq, actor.to_owned(), now));
                if here {
                    region(emit, Indicator::Filed, Seqs::one(e.seq), 0.0, None);
                    emit(case_hit(SubjectKind::ShiftLeader, actor, Indicator::FiledBy, index, Seqs::one(e.seq)));
                    for who in collectors {
                        emit(case_hit(
                            SubjectKind::Collector,
                            who,
                            Indicator::FiledInDutyGrids,
                            index,
                            Seqs::one(e.seq),
                        ));
                    }
                }
            }
            Action::Check if e.flag == Some(false) => {
                if let Some(d) = dispatches.last_mut() {
                    d.reworked = true;
                }
                if let (true, Some(dep)) = (here, &department) {
                    emit(case_hit(SubjectKind::Department, dep, Indicator::Reworks, index, Seqs::one(e.seq)));
                }
            }
            Action::ApproveExtension if here => {
                if let Some(dep) = &department {
                    emit(case_hit(SubjectKind::Department, dep, Indicator::Extensions, index, Seqs::one(e.seq)));
                }
            }
            Action::ApproveReturn => {
                if let Some(d) = dispatches.last_mut() {
                    d.returned = true;
                }
                let returned_from = task.as_ref().and_then(|t| t.department.clone());
                if let (true, Some(dep)) = (here, returned_from) {
                    emit(case_hit(SubjectKind::Department, &dep, Indicator::Returns, index, Seqs::one(e.seq)));
                }
            }
            Action::Claim if here => {
                if let Some(dep) = &department {
                    emit(case_hit(SubjectKind::Department, dep, Indicator::Claims, index, Seqs::one(e.seq)));
                }
            }
            Action::Dispatch => {
                dispatches.push(Dispatch {
                    actor: actor.to_owned(),
                    seq: e.seq,
                    at: now,
                    returned: false,
                    reworked: false,
                });
            }
            Action::Close => {
                close_seq = e.seq;
                if closure.settled.is_none() {
                    closure.settled = Some(Settled {
                        at: now,
                        closed_in_time: true,
                        department: task
                            .as_ref()
                            .and_then(|t| t.department.clone())
                            .or_else(|| disposals.last().and_then(|t| t.department.clone())),
                        deadline: closure.due.map(|(d, _)| d),
                    });
                }
            }
            _ => {}
        }

        // Tasks: a change of state ends the running task and starts the next one.
        let after = next.state;
        let suspends = before == Some(State::Dispatched) && after == State::Suspended;
        let resumes = before == Some(State::Suspended) && after == State::Dispatched;
        if suspends || resumes {
            if let Some(t) = task.as_mut() {
                if suspends {
                    t.paused_since = Some(now);
                    if t.passed(now) {
                        // Already late: it settled at its deadline, which the suspension
                        // (whose event has no deadline) must not erase.
                        t.locked = true;
                    } else {
                        t.suspended = true;
                        t.due = e.due;
                    }
                } else {
                    if let Some(since) = t.paused_since.take() {
                        t.paused += now - since;
                    }
                    if t.suspended {
                        t.suspended = false;
                        t.due = e.due;
                    }
                }
            }
        } else if before != Some(after) || (e.action == Action::Check && after == State::Dispatched) {
            if let Some(mut t) = task.take() {
                finish(index, &mut t, e, ctx, emit);
                if t.stage == State::Dispatched {
                    disposals.push(t);
                }
            }
            if !after.is_terminal() {
                task = Some(Task::new(after, now, e.seq, e.due, department.clone()));
            }
        } else if let Some(t) = task.as_mut() {
            // Same stage: an approved extension (or a recomputation) moves the deadline — unless
            // it had already passed.
            if t.passed(now) {
                t.locked = true;
            } else if e.due.is_some() && !t.suspended {
                t.due = e.due;
            }
        }
        // The case's closure deadline follows its disposal.
        match (&task, after) {
            (Some(t), State::Dispatched) => closure.set(t.due, now),
            (Some(t), State::Suspended) if t.suspended && opts.suspended_leave_closure => closure.set(None, now),
            (_, State::Filed) => closure.set(None, now), // returned in time: no deadline until dispatched again
            _ => {}
        }
        projection = Some(next);
    }
    let Some(last) = projection else { return };
    let open_task = task;
    if filed.is_some() {
        closure.check(ctx.end, open_task.as_ref().and_then(|t| t.department.as_deref()));
    }

    // Disposals: each settles once — when finished on time, or when its deadline passed (at its
    // start if it began past it) — and counts in the period that holds that instant.
    let running = open_task.iter().filter(|t| t.stage == State::Dispatched).cloned();
    let mut late = false;
    let mut responsible = None;
    for t in disposals.iter().chain(running.collect::<Vec<_>>().iter()) {
        let Some(dep) = t.department.as_deref() else { continue };
        responsible = Some(dep.to_owned());
        let handled = t.end.filter(|end| end.2).map(|(at, seq, _)| (at, seq));
        let returned = t.end.filter(|end| !end.2).map(|(at, ..)| at);
        if let Some((at, seq)) = handled
            && ctx.within(at)
        {
            let suspended = match opts.disposal_hours {
                DisposalHours::ExcludingSuspended => t.paused,
                DisposalHours::Elapsed => Duration::zero(),
            };
            let hours = (at - t.start - suspended).num_seconds() as f64 / 3600.0;
            average(emit, &region, index, dep, t.start_seq, seq, hours);
        }
        let on_time = handled.is_some_and(|(at, _)| t.on_time(at));
        let settle = match (handled, returned) {
            (Some((at, _)), _) if on_time => Some(at),
            // Returned before its deadline: it leaves 应处置数 (and counts as 回退).
            (None, Some(r)) if !t.passed(r) => None,
            // Suspended in time and not resumed: the clock stopped.
            (None, None) if t.suspended => None,
            _ => t.late_at(),
        };
        let Some(settle) = settle else { continue };
        if !on_time && settle < ctx.end {
            late = true;
        }
        if !ctx.within(settle) {
            continue;
        }
        let start = Seqs::one(t.start_seq);
        let dept = |ind, events: Seqs| Hit {
            kind: SubjectKind::Department,
            subject: dep,
            indicator: ind,
            hours: 0.0,
            contribution: Contribution::Case { index, events, deadline: t.due },
        };
        emit(dept(Indicator::DueForDisposal, start));
        match handled {
            Some((_, seq)) => {
                let events = Seqs::two(t.start_seq, seq);
                emit(dept(Indicator::Disposed, events));
                emit(dept(if on_time { Indicator::DisposedOnTime } else { Indicator::DisposedLate }, events));
            }
            None => emit(dept(Indicator::PendingOverdue, start)),
        }
    }

    // Positions whose outcome is known only at the period's end.
    if let Some((seq, who, at)) = &report
        && ctx.within(*at)
    {
        let reached = match opts.valid_report {
            ValidReport::Filed => filed.is_some(),
            ValidReport::Dispatched => !dispatches.is_empty() || last.claimed || last.department.is_some(),
        };
        let self_handled_closed = opts.self_handled_valid && last.state == State::Closed && filed.is_none();
        if (reached && !matches!(last.state, State::Voided | State::Rejected)) || self_handled_closed {
            emit(case_hit(SubjectKind::Collector, who, Indicator::ValidReports, index, Seqs::one(*seq)));
        }
    }
    if let Some((seq, who, at)) = &filed
        && ctx.within(*at)
        && last.state == State::Voided
    {
        emit(case_hit(SubjectKind::ShiftLeader, who, Indicator::VoidedAfterFiling, index, Seqs::one(*seq)));
    }
    for d in dispatches.iter().filter(|d| ctx.within(d.at)) {
        let error = match opts.accurate_dispatch_minus {
            DispatchError::Returns => d.returned,
            DispatchError::Reworks => d.reworked,
        };
        if error {
            emit(case_hit(SubjectKind::Dispatcher, &d.actor, Indicator::DispatchErrors, index, Seqs::one(d.seq)));
        }
    }

    // A department's 立案数: the cases filed in the period it is responsible for at its end.
    let suspended_now = last.state == State::Suspended;
    if let Some((filed_seq, _, filed_at)) = &filed
        && !matches!(last.state, State::Voided | State::Rejected)
        && ctx.within(*filed_at)
        && !(suspended_now && opts.region_filed_excludes_suspended)
        && let Some(dep) = &responsible
    {
        emit(case_hit(SubjectKind::Department, dep, Indicator::Filed, index, Seqs::one(*filed_seq)));
    }
    // The case for closure: settled once, at its closing or when its disposal deadline passed.
    if let (Some((filed_seq, ..)), Some(s)) = (&filed, &closure.settled)
        && ctx.within(s.at)
    {
        let events = Seqs::two(*filed_seq, close_seq);
        let both = |emit: &mut dyn FnMut(Hit), ind: Indicator| {
            region(emit, ind, events, 0.0, s.deadline);
            if let Some(dep) = &s.department {
                emit(Hit {
                    kind: SubjectKind::Department,
                    subject: dep,
                    indicator: ind,
                    hours: 0.0,
                    contribution: Contribution::Case { index, events, deadline: s.deadline },
                });
            }
        };
        both(emit, Indicator::DueForClosure);
        if last.closed_at.is_some() {
            both(emit, Indicator::Closed);
            if s.closed_in_time && !late {
                both(emit, Indicator::ClosedOnTime);
            }
        }
    }

    // The backlog at the period's end.
    if !last.state.is_terminal() && c.events.first().is_some_and(|e| e.at < ctx.end) {
        let seq = c.events.iter().take_while(|e| e.at < ctx.end).last().map(|e| e.seq).unwrap_or(1);
        region(emit, Indicator::OpenAtEnd, Seqs::one(seq), 0.0, None);
        let stage_due = open_task.as_ref().and_then(|t| t.due);
        let deadline = match (opts.overdue_open_by, open_task.as_ref().map(|t| t.stage)) {
            (OpenOverdue::Stage, _) => stage_due,
            // By the disposal: after handling, overdue only if the handling was late; while with
            // the department, its disposal deadline (none while suspended in time); before
            // dispatch, the stage's.
            (OpenOverdue::Disposal, Some(State::Handled | State::Checking | State::Checked)) => disposals
                .last()
                .filter(|t| t.end.is_some_and(|(at, _, handled)| handled && !t.on_time(at)))
                .and_then(|t| t.due),
            (OpenOverdue::Disposal, _) => stage_due,
        };
        if let Some(d) = deadline.filter(|d| *d < ctx.end) {
            region(emit, Indicator::OverdueAtEnd, Seqs::one(seq), 0.0, Some(d));
        }
    }
}

fn average(
    emit: &mut impl FnMut(Hit),
    region: &impl Fn(&mut dyn FnMut(Hit), Indicator, Seqs, f64, Option<DateTime<Utc>>),
    index: usize,
    dep: &str,
    start: u32,
    end: u32,
    hours: f64,
) {
    emit(Hit {
        kind: SubjectKind::Department,
        subject: dep,
        indicator: Indicator::DisposalsFinished,
        hours,
        contribution: Contribution::Case { index, events: Seqs::two(start, end), deadline: None },
    });
    region(emit, Indicator::DisposalsFinished, Seqs::two(start, end), hours, None);
}

/// Ends the running task with event `e`: position counts of whoever finished it.
fn finish(index: usize, t: &mut Task, e: &crate::input::EventRecord, ctx: &Context, emit: &mut impl FnMut(Hit)) {
    let on_time = t.on_time(e.at);
    let events = Seqs::two(t.start_seq, e.seq);
    if t.stage == State::Dispatched {
        let handled = e.action == Action::Handle;
        if handled || e.action == Action::ApproveReturn {
            t.end = Some((e.at, e.seq, handled));
        }
        return;
    }
    if !ctx.within(e.at) {
        return;
    }
    let Some(actor) = e.actor.as_deref() else { return };
    let mut hit = |kind, ind| emit(case_hit(kind, actor, ind, index, events));
    let mut pair = |kind, all, timely| {
        hit(kind, all);
        if on_time {
            hit(kind, timely);
        }
    };
    match (t.stage, e.action) {
        (State::Reported, Action::Accept | Action::SendVerification | Action::Reject) => {
            pair(SubjectKind::Acceptor, Indicator::Accepted, Indicator::AcceptedOnTime);
            match e.action {
                Action::Reject => hit(SubjectKind::Acceptor, Indicator::NotAccepted),
                Action::SendVerification => {
                    let mut h = |ind| emit(case_hit(SubjectKind::Acceptor, actor, ind, index, events));
                    h(Indicator::VerificationsSent);
                    if on_time {
                        h(Indicator::VerificationsSentOnTime);
                    }
                }
                _ => {}
            }
        }
        (State::Verifying, Action::Verify) => {
            pair(SubjectKind::Collector, Indicator::DueVerifications, Indicator::VerifiedOnTime)
        }
        (State::Accepted, Action::File) if on_time => hit(SubjectKind::ShiftLeader, Indicator::FiledOnTime),
        (State::Filed, Action::Dispatch) => {
            pair(SubjectKind::Dispatcher, Indicator::Dispatches, Indicator::DispatchesOnTime)
        }
        (State::Handled, Action::SendCheck) => {
            pair(SubjectKind::Acceptor, Indicator::ChecksSent, Indicator::ChecksSentOnTime)
        }
        (State::Checking, Action::Check) => {
            pair(SubjectKind::Collector, Indicator::DueChecks, Indicator::CheckedOnTime)
        }
        (State::Checked | State::SelfHandled, Action::Close) => {
            pair(SubjectKind::ShiftLeader, Indicator::Closes, Indicator::ClosesOnTime)
        }
        _ => {}
    }
}

/// Tallies per subject, one map per subject kind.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub tallies: HashMap<SubjectKind, HashMap<String, Tally>>,
}

impl Evaluation {
    pub fn subjects(&self, kind: SubjectKind) -> impl Iterator<Item = (&String, &Tally)> {
        self.tallies.get(&kind).into_iter().flat_map(|m| m.iter())
    }

    pub fn tally(&self, kind: SubjectKind, subject: &str) -> Option<&Tally> {
        self.tallies.get(&kind).and_then(|m| m.get(subject))
    }

    /// Adds another evaluation's tallies (the counties of a city).
    pub fn merge(&mut self, other: Evaluation) {
        for (kind, map) in other.tallies {
            let mine = self.tallies.entry(kind).or_default();
            for (subject, t) in map {
                mine.entry(subject).or_default().merge(&t);
            }
        }
    }
}

/// Counts every indicator of every subject.
pub fn evaluate(cases: &[CaseRecord], directives: &[Directive], ctx: &Context, grids: &GridCounts) -> Evaluation {
    // One map per kind, indexed by the kind's position: the hot loop does one string lookup per hit.
    let mut maps: Vec<HashMap<String, Tally>> = SubjectKind::ALL.iter().map(|_| HashMap::new()).collect();
    walk(cases, directives, ctx, |hit| {
        let Some(map) = maps.get_mut(hit.kind as usize) else { return };
        let tally = match map.get_mut(hit.subject) {
            Some(t) => t,
            None => map.entry(hit.subject.to_owned()).or_default(),
        };
        tally.add(hit.indicator);
        if hit.indicator == Indicator::DisposalsFinished {
            tally.disposal_hours += hit.hours;
        }
    });
    let mut out = Evaluation::default();
    for (kind, mut map) in SubjectKind::ALL.into_iter().zip(maps) {
        if kind.group() == crate::indicator::Group::Region {
            for (code, t) in map.iter_mut() {
                t.grids = if kind == SubjectKind::Grid { 1 } else { grids.get(code).copied().unwrap_or(0) };
            }
        }
        if !map.is_empty() {
            out.tallies.insert(kind, map);
        }
    }
    out
}

/// What produced `indicator` (or the counts it derives from) for one subject.
pub fn drill(
    cases: &[CaseRecord],
    directives: &[Directive],
    ctx: &Context,
    kind: SubjectKind,
    subject: &str,
    indicator: Indicator,
) -> Vec<Contribution> {
    let parts = indicator.parts();
    let mut out = Vec::new();
    walk(cases, directives, ctx, |hit| {
        if hit.kind == kind && hit.subject == subject && parts.contains(&hit.indicator) {
            out.push(hit.contribution);
        }
    });
    out
}

/// One row of a result table (see [`crate::score`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Row {
    pub kind: SubjectKind,
    pub subject: String,
    pub name: Option<String>,
    /// The county (tenant code) whose cases the row counts. A city's tables evaluate each county
    /// apart, so a department shared by the city appears once for each county it served.
    pub county: Option<String>,
    /// The county's name.
    pub county_name: Option<String>,
    /// Indicator key → value (counts, percentages, hours); `null` where a rate has no base.
    #[schema(value_type = Object)]
    pub indicators: serde_json::Map<String, serde_json::Value>,
    pub score: Option<f64>,
    pub grade: Option<String>,
    pub rank: Option<u32>,
    /// The region class (区域分类) whose thresholds judged this subject.
    pub region_class: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::EventRecord;
    use chrono::Duration;

    fn t(minutes: i64) -> DateTime<Utc> {
        "2026-10-13T01:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
    }

    fn ev(seq: u32, action: Action, at: i64, due: Option<i64>) -> EventRecord {
        EventRecord {
            seq,
            action,
            actor: Some("u1".into()),
            at: t(at),
            due: due.map(t),
            department: matches!(action, Action::Dispatch).then(|| "d1".to_owned()),
            flag: None,
            class_code: None,
            hours: None,
        }
    }

    fn case(events: Vec<EventRecord>) -> CaseRecord {
        CaseRecord {
            id: "c".into(),
            number: "1".into(),
            county: "320115".into(),
            source: Source::Patrol,
            class_code: "06010".into(),
            grid_code: "g".into(),
            community_code: "cm".into(),
            street_code: "s".into(),
            duty_grid: None,
            events,
        }
    }

    fn dept(cases: &[CaseRecord], from: i64, to: i64) -> Tally {
        let (options, roster) = (Options::default(), Roster::new());
        let ctx = Context { start: t(from), end: t(to), options: &options, roster: &roster };
        evaluate(cases, &[], &ctx, &GridCounts::new()).tally(SubjectKind::Department, "d1").cloned().unwrap_or_default()
    }

    #[test]
    fn a_suspended_disposal_leaves_the_indicators_and_counts_when_done_after_resuming() {
        let day = 24 * 60;
        let c = case(vec![
            ev(1, Action::Report, 0, Some(30)),
            ev(2, Action::Accept, 10, Some(40)),
            ev(3, Action::File, 20, Some(50)),
            ev(4, Action::Dispatch, 30, Some(270)),
            ev(5, Action::RequestSuspension, 60, Some(270)),
            ev(6, Action::ApproveSuspension, 70, None),
            // Resumed five days later; the deadline moves by the time suspended.
            ev(7, Action::Resume, 5 * day, Some(5 * day + 200)),
            ev(8, Action::Handle, 5 * day + 120, Some(5 * day + 240)),
        ]);
        let cases = [c];
        // Suspended at the end of the first two days (its original deadline passed meanwhile):
        // not due, not overdue.
        let first = dept(&cases, 0, 2 * day);
        assert_eq!(
            (first.get(Indicator::DueForDisposal), first.get(Indicator::PendingOverdue), first.get(Indicator::Filed)),
            (0, 0, 1)
        );
        // Handled within the moved deadline: due and on time in the period it was done.
        let later = dept(&cases, 2 * day, 10 * day);
        assert_eq!(
            (
                later.get(Indicator::DueForDisposal),
                later.get(Indicator::DisposedOnTime),
                later.get(Indicator::DisposedLate)
            ),
            (1, 1, 0)
        );
        // Had it not been resumed by the end of the period, it would still be left out.
        let open = case(cases[0].events.iter().take(6).cloned().collect());
        assert_eq!(dept(&[open], 0, 10 * day).get(Indicator::DueForDisposal), 0);
    }

    #[test]
    fn a_deadline_still_ahead_is_not_overdue_before_the_period_ends() {
        let c = case(vec![
            ev(1, Action::Report, 0, Some(30)),
            ev(2, Action::Accept, 10, Some(40)),
            ev(3, Action::File, 20, Some(50)),
            ev(4, Action::Dispatch, 30, Some(3000)),
        ]);
        let (options, roster) = (Options::default(), Roster::new());
        let cases = [c];
        let count = |now: i64| {
            let ctx = Context::at(t(0), t(10_000), t(now), &options, &roster);
            let e = evaluate(&cases, &[], &ctx, &GridCounts::new());
            let d = e.tally(SubjectKind::Department, "d1").cloned().unwrap_or_default();
            let r = e.tally(SubjectKind::County, "320115").cloned().unwrap_or_default();
            (d.get(Indicator::DueForDisposal), d.get(Indicator::PendingOverdue), r.get(Indicator::OverdueAtEnd))
        };
        // Evaluated before the deadline (the period has not ended): nothing is due or overdue yet.
        assert_eq!(count(100), (0, 0, 0));
        // Evaluated after it: overdue, once.
        assert_eq!(count(5000), (1, 1, 1));
        assert_eq!(count(20_000), (1, 1, 1));
    }

    #[test]
    fn drill_down_gives_what_the_count_counted() {
        let c = case(vec![
            ev(1, Action::Report, 0, Some(30)),
            ev(2, Action::Accept, 10, Some(40)),
            ev(3, Action::File, 20, Some(50)),
            ev(4, Action::Dispatch, 30, Some(60)),
            ev(5, Action::Handle, 90, Some(120)),
        ]);
        let (options, roster) = (Options::default(), Roster::new());
        let ctx = Context { start: t(0), end: t(1000), options: &options, roster: &roster };
        let cases = [c];
        let late = drill(&cases, &[], &ctx, SubjectKind::Department, "d1", Indicator::LateDisposalRate);
        assert_eq!(late, vec![Contribution::Case { index: 0, events: Seqs::two(4, 5), deadline: Some(t(60)) }]);
        let t = evaluate(&cases, &[], &ctx, &GridCounts::new());
        assert_eq!(t.tally(SubjectKind::Department, "d1").map(|t| t.get(Indicator::DisposedLate)), Some(1));
    }
}
