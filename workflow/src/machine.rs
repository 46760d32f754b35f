//! The transitions: who may do what, in which state, and what it changes.

use chrono::{DateTime, Utc};
use kernel::Vocabulary;
use serde_json::{Value, json};

use crate::model::{Action, Actor, Case, Command, Event, Pending, Refusal, Source, State};

const SUPERVISION: &str = "supervision-center";
const COMMAND: &str = "command-center";
const DEPARTMENT: &str = "department";
const COLLECTOR: &str = "collector";
const CITY: &str = "city-oversight";
/// The reporter from the public, rating the handling of their own report on the public page
/// (no account: the tracking code is their proof). Only [`Actor::public`] holds it.
pub const PUBLIC: &str = "public";

use State::*;

/// The one table of transitions: the roles that may take an action and the states it may be
/// taken in. Conditions beyond role and state (own department, pending request, four eyes) are
/// in [`decide`].
pub fn rule(action: Action) -> (&'static [&'static str], &'static [State]) {
    const OPEN: &[State] =
        &[Reported, Verifying, Accepted, Filed, Dispatched, Suspended, Handled, Checking, Checked, SelfHandled];
    const BEFORE_DISPATCH: &[State] = &[Reported, Verifying, Accepted, Filed];
    match action {
        Action::Report | Action::SelfHandle => (&[COLLECTOR, SUPERVISION], &[]),
        Action::SendVerification => (&[SUPERVISION], &[Reported]),
        Action::Verify => (&[COLLECTOR], &[Verifying]),
        Action::Accept => (&[SUPERVISION], &[Reported]),
        Action::Reject => (&[SUPERVISION], &[Reported, Accepted, SelfHandled]),
        Action::File => (&[SUPERVISION], &[Accepted]),
        Action::Dispatch => (&[COMMAND], &[Filed]),
        Action::Claim => (&[DEPARTMENT], &[Filed]),
        Action::Handle => (&[DEPARTMENT], &[Dispatched]),
        Action::SendCheck => (&[SUPERVISION], &[Handled]),
        Action::Check => (&[COLLECTOR], &[Checking]),
        Action::Close => (&[SUPERVISION], &[Checked, SelfHandled]),
        Action::RequestExtension | Action::RequestReturn | Action::RequestSuspension => (&[DEPARTMENT], &[Dispatched]),
        Action::ApproveExtension
        | Action::RefuseExtension
        | Action::ApproveReturn
        | Action::RefuseReturn
        | Action::ApproveSuspension
        | Action::RefuseSuspension => (&[COMMAND], &[Dispatched]),
        Action::Resume => (&[COMMAND], &[Suspended]),
        Action::RequestVoid => (&[SUPERVISION, COMMAND], BEFORE_DISPATCH),
        Action::ApproveVoid | Action::RefuseVoid => (&[SUPERVISION], BEFORE_DISPATCH),
        Action::Merge => (&[SUPERVISION], BEFORE_DISPATCH),
        Action::Supervise => (&[COMMAND, CITY], OPEN),
        // 回访: the centre calls the reporter back, or the reporter rates it on the public page.
        Action::Callback => (&[SUPERVISION, PUBLIC], &[Closed]),
        Action::MarkOverdue => (&[], OPEN),
    }
}

fn not_allowed(why: impl Into<String>) -> Refusal {
    Refusal::NotAllowed(why.into())
}

fn invalid(field: &str, reason: impl Into<String>) -> Refusal {
    Refusal::Invalid(field.into(), reason.into())
}

fn text(field: &str, value: &str, max: usize) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// Decides a command against the case: the event to append, or why not.
pub fn decide(case: &Case, actor: &Actor, command: &Command, at: DateTime<Utc>) -> Result<Event, Refusal> {
    let action = command.action();
    let (roles, states) = rule(action);
    // Who: the system only marks overdue; city oversight acts only through 督办, from the city.
    let role = if action == Action::MarkOverdue {
        if !actor.system {
            return Err(not_allowed("only the system marks a case overdue"));
        }
        None
    } else {
        let role = roles
            .iter()
            .find(|r| actor.has(r) && (**r != CITY || actor.from_city))
            .ok_or_else(|| not_allowed(format!("{} needs one of the roles {}", action.quoted(), roles.join(", "))))?;
        Some((*role).to_owned())
    };
    if !states.contains(&case.state) {
        return Err(Refusal::WrongState(format!(
            "{} is not possible while the case is {}",
            action.quoted(),
            case.state.quoted()
        )));
    }
    // The department's own case only.
    let own = || -> Result<(), Refusal> {
        match (&case.department, &actor.department) {
            (Some(d), Some(a)) if d == a => Ok(()),
            _ => Err(not_allowed("the case is with another department")),
        }
    };
    let pending = |p: Pending| -> Result<(), Refusal> {
        if case.pending == Some(p) {
            Ok(())
        } else {
            Err(Refusal::WrongState(format!("no pending {} request", p.quoted())))
        }
    };
    let none_pending = || -> Result<(), Refusal> {
        match case.pending {
            None => Ok(()),
            Some(p) => Err(Refusal::WrongState(format!("a {} request is pending", p.quoted()))),
        }
    };
    let mut payload = serde_json::to_value(command).unwrap_or(Value::Null);
    match command {
        Command::Accept => {
            if case.source.needs_verification() && !case.verified {
                return Err(Refusal::WrongState(
                    "a report from this source must be verified on site first (发核实)".into(),
                ));
            }
        }
        Command::Reject { reason } | Command::RequestReturn { reason } | Command::RequestSuspension { reason } => {
            text("reason", reason, 500)?;
            if matches!(command, Command::RequestReturn { .. } | Command::RequestSuspension { .. }) {
                own()?;
                none_pending()?;
            }
        }
        Command::File { class_code, condition } => {
            if class_code.len() != 5 || !class_code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("class_code", "must be a 5-digit catalogue class"));
            }
            if let Some(c) = condition {
                text("condition", c, 500)?;
            }
        }
        Command::Dispatch { department } => text("department", department, 64)?,
        Command::Claim => {
            // A city's shared department handles what a county dispatched to it; claiming
            // (主动认领) is for the county's own departments.
            if actor.from_city {
                return Err(not_allowed("a city department handles only the cases dispatched to it"));
            }
            let Some(d) = &actor.department else { return Err(not_allowed("only a member of a department can claim")) };
            payload = json!({"action": "claim", "department": d});
        }
        Command::Handle { note, .. } => {
            own()?;
            none_pending()?;
            text("note", note, 2000)?;
        }
        Command::RequestExtension { hours, reason } => {
            own()?;
            none_pending()?;
            if !(hours.is_finite() && *hours > 0.0 && *hours <= 24.0 * 90.0) {
                return Err(invalid("hours", "must be more than 0 and at most 2,160 (90 days)"));
            }
            text("reason", reason, 500)?;
        }
        Command::ApproveExtension => pending(Pending::Extension)?,
        Command::RefuseExtension { reason } => {
            pending(Pending::Extension)?;
            text("reason", reason, 500)?;
        }
        Command::ApproveReturn => pending(Pending::Return)?,
        Command::RefuseReturn { reason } => {
            pending(Pending::Return)?;
            text("reason", reason, 500)?;
        }
        Command::ApproveSuspension => pending(Pending::Suspension)?,
        Command::RefuseSuspension { reason } => {
            pending(Pending::Suspension)?;
            text("reason", reason, 500)?;
        }
        Command::RequestVoid { reason } => {
            none_pending()?;
            text("reason", reason, 500)?;
        }
        Command::ApproveVoid | Command::RefuseVoid { .. } => {
            pending(Pending::Void)?;
            // Four eyes: whoever asked to void a case may not approve it.
            if case.pending_by.as_deref() == Some(actor.user.as_str()) && matches!(command, Command::ApproveVoid) {
                return Err(not_allowed("a void must be approved by someone other than who requested it"));
            }
        }
        Command::Merge { into } => text("into", into, 64)?,
        Command::Supervise { note, due } => {
            text("note", note, 1000)?;
            // An order due in the past would be overdue the moment it is issued.
            if *due <= at {
                return Err(invalid("due", "must lie in the future (RFC 3339)"));
            }
        }
        Command::Callback { satisfaction, .. } => {
            if matches!(case.source, Source::Patrol | Source::Video | Source::CityOrder) {
                return Err(Refusal::WrongState("only reports from the public get a callback".into()));
            }
            if case.satisfaction.is_some() {
                return Err(Refusal::WrongState("the callback is already recorded".into()));
            }
            if !(1..=5).contains(satisfaction) {
                return Err(invalid("satisfaction", "must be 1 (very unsatisfied) to 5 (very satisfied)"));
            }
        }
        Command::MarkOverdue => {
            if case.overdue {
                return Err(Refusal::WrongState("already marked overdue".into()));
            }
        }
        Command::Verify { .. }
        | Command::SendVerification
        | Command::SendCheck
        | Command::Check { .. }
        | Command::Close
        | Command::Resume => {}
    }
    Ok(Event {
        seq: case.events + 1,
        action,
        actor: (!actor.system).then(|| actor.user.clone()),
        role,
        at,
        payload,
        due: None,
    })
}

fn str_field(payload: &Value, key: &str) -> Option<String> {
    payload.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The projection after the first event (a report or a self-handling report).
pub fn open(first: &Event) -> Case {
    let source =
        first.payload.get("source").and_then(|s| serde_json::from_value(s.clone()).ok()).unwrap_or(Source::Patrol);
    Case {
        state: if first.action == Action::SelfHandle { SelfHandled } else { Reported },
        source,
        reporter: first.actor.clone(),
        verified: false,
        class_code: str_field(&first.payload, "class_code"),
        department: None,
        claimed: false,
        pending: None,
        pending_by: None,
        pending_hours: None,
        extension_hours: 0.0,
        rework_count: 0,
        return_count: 0,
        supervision_orders: 0,
        overdue: false,
        satisfaction: None,
        merged_into: None,
        stage_started: first.at,
        dispatched_at: None,
        closed_at: None,
        pauses: Vec::new(),
        events: 1,
    }
}

/// Folds one event into the projection.
pub fn apply(mut case: Case, e: &Event) -> Case {
    let p = &e.payload;
    let before = case.state;
    match e.action {
        Action::Report | Action::SelfHandle => return open(e),
        Action::SendVerification => case.state = Verifying,
        Action::Verify => {
            if p.get("found").and_then(Value::as_bool).unwrap_or(false) {
                case.verified = true;
                case.state = Accepted;
            } else {
                case.state = Rejected;
            }
        }
        Action::Accept => case.state = Accepted,
        Action::Reject => case.state = Rejected,
        Action::File => {
            case.class_code = str_field(p, "class_code").or(case.class_code);
            case.state = Filed;
        }
        Action::Dispatch | Action::Claim => {
            case.department = str_field(p, "department");
            case.claimed = e.action == Action::Claim;
            case.dispatched_at.get_or_insert(e.at);
            case.state = Dispatched;
        }
        Action::Handle => case.state = Handled,
        Action::SendCheck => case.state = Checking,
        Action::Check => {
            if p.get("passed").and_then(Value::as_bool).unwrap_or(false) {
                case.state = Checked;
            } else {
                // 返工: back to the same department.
                case.rework_count += 1;
                case.state = Dispatched;
            }
        }
        Action::Close => {
            case.closed_at = Some(e.at);
            case.state = Closed;
        }
        Action::RequestExtension | Action::RequestReturn | Action::RequestSuspension | Action::RequestVoid => {
            case.pending = Some(match e.action {
                Action::RequestExtension => Pending::Extension,
                Action::RequestReturn => Pending::Return,
                Action::RequestSuspension => Pending::Suspension,
                _ => Pending::Void,
            });
            case.pending_by = e.actor.clone();
            case.pending_hours = p.get("hours").and_then(Value::as_f64);
        }
        Action::ApproveExtension => case.extension_hours += case.pending_hours.unwrap_or(0.0),
        Action::ApproveReturn => {
            case.return_count += 1;
            case.department = None;
            case.claimed = false;
            // The next department's clock starts at its dispatch.
            case.dispatched_at = None;
            case.state = Filed;
        }
        Action::ApproveSuspension => {
            case.pauses.push((e.at, None));
            case.state = Suspended;
        }
        Action::Resume => {
            if let Some(last) = case.pauses.last_mut() {
                last.1 = Some(e.at);
            }
            case.state = Dispatched;
        }
        Action::ApproveVoid => case.state = Voided,
        Action::Merge => {
            case.merged_into = str_field(p, "into");
            case.state = Voided;
        }
        Action::RefuseExtension | Action::RefuseReturn | Action::RefuseSuspension | Action::RefuseVoid => {}
        Action::Supervise => case.supervision_orders += 1,
        Action::Callback => case.satisfaction = p.get("satisfaction").and_then(Value::as_u64).map(|s| s as u8),
        Action::MarkOverdue => case.overdue = true,
    }
    if matches!(
        e.action,
        Action::ApproveExtension
            | Action::RefuseExtension
            | Action::ApproveReturn
            | Action::RefuseReturn
            | Action::ApproveSuspension
            | Action::RefuseSuspension
            | Action::ApproveVoid
            | Action::RefuseVoid
    ) {
        case.pending = None;
        case.pending_by = None;
        case.pending_hours = None;
    }
    if case.state != before {
        case.stage_started = e.at;
    }
    case.events += 1;
    case
}

#[cfg(test)]
mod tests;
