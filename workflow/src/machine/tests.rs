use super::*;
use crate::chain;
use crate::model::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).single().unwrap_or_default() + chrono::Duration::minutes(minutes)
}

fn actor(user: &str, roles: &[&str], department: Option<&str>) -> Actor {
    Actor {
        user: user.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        department: department.map(str::to_owned),
        from_city: false,
        system: false,
    }
}

fn report(source: Source, self_handled: bool) -> (Case, Vec<Event>) {
    let first = Event {
        seq: 1,
        action: if self_handled { Action::SelfHandle } else { Action::Report },
        actor: Some("collector-1".into()),
        role: Some("collector".into()),
        at: t(0),
        payload: json!({"source": source, "class_code": "06010"}),
        due: None,
    };
    (open(&first), vec![first])
}

fn step(case: Case, log: &mut Vec<Event>, who: &Actor, cmd: Command, minute: i64) -> Case {
    let e = decide(&case, who, &cmd, t(minute)).unwrap_or_else(|r| panic!("{cmd:?} refused: {r:?}"));
    let next = apply(case, &e);
    log.push(e);
    next
}

fn supervisor() -> Actor {
    actor("s", &["supervision-center"], None)
}
fn dispatcher() -> Actor {
    actor("d", &["command-center"], None)
}
fn dept(d: &str) -> Actor {
    actor(&format!("u-{d}"), &["department"], Some(d))
}
fn collector() -> Actor {
    actor("c", &["collector"], None)
}

#[test]
fn main_path_from_a_public_report_to_closure_and_callback() {
    let (mut c, mut log) = report(Source::Hotline, false);
    // A hotline report cannot be accepted before verification.
    assert!(matches!(decide(&c, &supervisor(), &Command::Accept, t(1)), Err(Refusal::WrongState(_))));
    c = step(c, &mut log, &supervisor(), Command::SendVerification, 1);
    c = step(c, &mut log, &collector(), Command::Verify { found: true, note: None, photos: vec![] }, 10);
    assert_eq!((c.state, c.verified), (State::Accepted, true));
    c = step(c, &mut log, &supervisor(), Command::File { class_code: "06010".into(), condition: None }, 12);
    c = step(c, &mut log, &dispatcher(), Command::Dispatch { department: "A".into() }, 15);
    assert_eq!((c.state, c.dispatched_at), (State::Dispatched, Some(t(15))));
    // Another department may not handle it.
    assert!(matches!(
        decide(&c, &dept("B"), &Command::Handle { note: "x".into(), photos: vec![] }, t(16)),
        Err(Refusal::NotAllowed(_))
    ));
    c = step(c, &mut log, &dept("A"), Command::Handle { note: "cleaned".into(), photos: vec!["p1".into()] }, 60);
    c = step(c, &mut log, &supervisor(), Command::SendCheck, 61);
    c = step(c, &mut log, &collector(), Command::Check { passed: true, note: None, photos: vec![] }, 80);
    c = step(c, &mut log, &supervisor(), Command::Close, 81);
    assert_eq!((c.state, c.closed_at), (State::Closed, Some(t(81))));
    c = step(c, &mut log, &supervisor(), Command::Callback { satisfaction: 5, note: None }, 200);
    assert_eq!(c.satisfaction, Some(5));
    assert!(decide(&c, &supervisor(), &Command::Callback { satisfaction: 4, note: None }, t(201)).is_err());
    assert_eq!(c.events as usize, log.len());
}

/// The public reporter rates the handling themselves (回访 on the public page): only after
/// closure, once, and with nothing else allowed to them.
#[test]
fn the_public_reporter_rates_once_after_closure_and_does_nothing_else() {
    let public = Actor::public();
    let (mut c, mut log) = report(Source::Public, false);
    let rate = Command::Callback { satisfaction: 4, note: Some("很快".into()) };
    assert!(matches!(decide(&c, &public, &rate, t(1)), Err(Refusal::WrongState(_))), "not before closure");
    for cmd in [Command::Accept, Command::SendVerification, Command::Close] {
        assert!(matches!(decide(&c, &public, &cmd, t(1)), Err(Refusal::NotAllowed(_))), "{cmd:?}");
    }
    c = step(c, &mut log, &supervisor(), Command::SendVerification, 1);
    c = step(c, &mut log, &collector(), Command::Verify { found: true, note: None, photos: vec![] }, 2);
    c = step(c, &mut log, &supervisor(), Command::File { class_code: "06010".into(), condition: None }, 3);
    c = step(c, &mut log, &dispatcher(), Command::Dispatch { department: "A".into() }, 4);
    c = step(c, &mut log, &dept("A"), Command::Handle { note: "ok".into(), photos: vec![] }, 5);
    c = step(c, &mut log, &supervisor(), Command::SendCheck, 6);
    c = step(c, &mut log, &collector(), Command::Check { passed: true, note: None, photos: vec![] }, 7);
    c = step(c, &mut log, &supervisor(), Command::Close, 8);
    let e = decide(&c, &public, &rate, t(9)).unwrap();
    assert_eq!(e.role.as_deref(), Some("public"));
    c = step(c, &mut log, &public, rate.clone(), 9);
    assert_eq!(c.satisfaction, Some(4));
    assert!(matches!(decide(&c, &public, &rate, t(10)), Err(Refusal::WrongState(_))), "once");
}

#[test]
fn rework_extension_return_suspension_and_claim() {
    let (mut c, mut log) = report(Source::Patrol, false);
    c = step(c, &mut log, &supervisor(), Command::Accept, 1);
    c = step(c, &mut log, &supervisor(), Command::File { class_code: "01001".into(), condition: None }, 2);
    // 主动认领 by a department before dispatch.
    c = step(c, &mut log, &dept("A"), Command::Claim, 3);
    assert!(c.claimed && c.department.as_deref() == Some("A"));
    // 回退 approved: back to Filed, department cleared, counted.
    c = step(c, &mut log, &dept("A"), Command::RequestReturn { reason: "not ours".into() }, 4);
    assert!(decide(&c, &dept("A"), &Command::Handle { note: "x".into(), photos: vec![] }, t(5)).is_err(), "pending");
    c = step(c, &mut log, &dispatcher(), Command::ApproveReturn, 5);
    assert_eq!((c.state, c.department.clone(), c.return_count, c.dispatched_at), (State::Filed, None, 1, None));
    c = step(c, &mut log, &dispatcher(), Command::Dispatch { department: "B".into() }, 6);
    // 延期 approved adds hours; a refused one adds nothing.
    c = step(c, &mut log, &dept("B"), Command::RequestExtension { hours: 8.0, reason: "parts".into() }, 7);
    c = step(c, &mut log, &dispatcher(), Command::ApproveExtension, 8);
    c = step(c, &mut log, &dept("B"), Command::RequestExtension { hours: 4.0, reason: "more".into() }, 9);
    c = step(c, &mut log, &dispatcher(), Command::RefuseExtension { reason: "no".into() }, 10);
    assert_eq!(c.extension_hours, 8.0);
    // 挂账 and 恢复.
    c = step(c, &mut log, &dept("B"), Command::RequestSuspension { reason: "season".into() }, 11);
    c = step(c, &mut log, &dispatcher(), Command::ApproveSuspension, 12);
    assert_eq!(c.state, State::Suspended);
    c = step(c, &mut log, &dispatcher(), Command::Resume, 20);
    assert_eq!(c.pauses, vec![(t(12), Some(t(20)))], "the clock stopped from approval to resumption");
    // 返工: the check fails, back to the same department.
    c = step(c, &mut log, &dept("B"), Command::Handle { note: "done".into(), photos: vec![] }, 21);
    c = step(c, &mut log, &supervisor(), Command::SendCheck, 22);
    c = step(
        c,
        &mut log,
        &collector(),
        Command::Check { passed: false, note: Some("still broken".into()), photos: vec![] },
        23,
    );
    assert_eq!((c.state, c.department.as_deref(), c.rework_count), (State::Dispatched, Some("B"), 1));
}

#[test]
fn void_needs_a_second_person_and_merge_links_the_kept_case() {
    let (mut c, mut log) = report(Source::Public, false);
    c = step(c, &mut log, &supervisor(), Command::RequestVoid { reason: "duplicate".into() }, 1);
    assert!(matches!(decide(&c, &supervisor(), &Command::ApproveVoid, t(2)), Err(Refusal::NotAllowed(_))));
    let leader = actor("leader", &["supervision-center"], None);
    c = step(c, &mut log, &leader, Command::ApproveVoid, 2);
    assert_eq!(c.state, State::Voided);

    let (mut d, mut log) = report(Source::Public, false);
    d = step(d, &mut log, &supervisor(), Command::Merge { into: "case-1".into() }, 1);
    assert_eq!((d.state, d.merged_into.as_deref()), (State::Voided, Some("case-1")));
}

#[test]
fn self_handling_is_reviewed_and_closed_without_dispatch() {
    let (mut c, mut log) = report(Source::Patrol, true);
    assert_eq!(c.state, State::SelfHandled);
    assert!(decide(&c, &dispatcher(), &Command::Dispatch { department: "A".into() }, t(1)).is_err());
    c = step(c, &mut log, &supervisor(), Command::Close, 2);
    assert_eq!((c.state, c.department), (State::Closed, None));
}

#[test]
fn supervision_orders_come_from_command_or_the_city_and_overdue_only_from_the_system() {
    let (mut c, mut log) = report(Source::Patrol, false);
    let city_user = Actor { from_city: true, ..actor("city", &["city-oversight"], None) };
    let due = t(600);
    c = step(c, &mut log, &city_user, Command::Supervise { note: "fix before the inspection".into(), due }, 1);
    // City oversight held in the county itself does not issue orders.
    let local = actor("x", &["city-oversight"], None);
    assert!(decide(&c, &local, &Command::Supervise { note: "x".into(), due }, t(2)).is_err());
    assert!(decide(&c, &supervisor(), &Command::MarkOverdue, t(3)).is_err());
    let past = Command::Supervise { note: "x".into(), due: t(0) };
    assert!(matches!(decide(&c, &city_user, &past, t(2)), Err(Refusal::Invalid(ref f, _)) if f == "due"));
    let system = Actor { system: true, ..actor("system", &[], None) };
    c = step(c, &mut log, &system, Command::MarkOverdue, 4);
    assert!(c.overdue && c.supervision_orders == 1);
    assert!(decide(&c, &system, &Command::MarkOverdue, t(5)).is_err(), "exactly once");
}

#[test]
fn the_chain_detects_changes_removals_and_reordering() {
    let (mut c, mut log) = report(Source::Patrol, false);
    c = step(c, &mut log, &supervisor(), Command::Accept, 1);
    let _ = step(c, &mut log, &supervisor(), Command::File { class_code: "01001".into(), condition: None }, 2);
    let mut prev = chain::GENESIS.to_owned();
    let mut stored = Vec::new();
    for e in &log {
        let h = chain::link(&prev, e);
        stored.push((e.clone(), prev.clone(), h.clone()));
        prev = h;
    }
    let view = |s: &[(Event, String, String)]| chain::verify(s.iter().map(|(e, p, h)| (e, p.as_str(), h.as_str())));
    assert_eq!(view(&stored), Ok(()));
    let mut changed = stored.clone();
    changed[1].0.payload = json!({"action": "accept", "note": "edited"});
    assert_eq!(view(&changed).map_err(|e| e.0), Err(2));
    let mut removed = stored.clone();
    removed.remove(1);
    assert_eq!(view(&removed).map_err(|e| e.0), Err(2));
    // Key order does not matter to the hash.
    assert_eq!(chain::canonical(&json!({"b": 1, "a": [ {"d": 2, "c": 3} ]})), r#"{"a":[{"c":3,"d":2}],"b":1}"#);
}

/// Every command with sample data.
fn commands() -> Vec<Command> {
    vec![
        Command::SendVerification,
        Command::Verify { found: true, note: None, photos: vec![] },
        Command::Verify { found: false, note: None, photos: vec![] },
        Command::Accept,
        Command::Reject { reason: "r".into() },
        Command::File { class_code: "01001".into(), condition: None },
        Command::Dispatch { department: "A".into() },
        Command::Dispatch { department: "B".into() },
        Command::Claim,
        Command::Handle { note: "n".into(), photos: vec![] },
        Command::SendCheck,
        Command::Check { passed: true, note: None, photos: vec![] },
        Command::Check { passed: false, note: None, photos: vec![] },
        Command::Close,
        Command::RequestExtension { hours: 2.0, reason: "r".into() },
        Command::ApproveExtension,
        Command::RefuseExtension { reason: "r".into() },
        Command::RequestReturn { reason: "r".into() },
        Command::ApproveReturn,
        Command::RefuseReturn { reason: "r".into() },
        Command::RequestSuspension { reason: "r".into() },
        Command::ApproveSuspension,
        Command::RefuseSuspension { reason: "r".into() },
        Command::Resume,
        Command::RequestVoid { reason: "r".into() },
        Command::ApproveVoid,
        Command::RefuseVoid { reason: "r".into() },
        Command::Merge { into: "x".into() },
        Command::Supervise { note: "n".into(), due: t(100) },
        Command::Callback { satisfaction: 3, note: None },
        Command::MarkOverdue,
    ]
}

fn actors() -> Vec<Actor> {
    vec![
        supervisor(),
        actor("leader", &["supervision-center"], None),
        dispatcher(),
        dept("A"),
        dept("B"),
        collector(),
        actor("aud", &["auditor"], None),
        Actor { from_city: true, ..actor("city", &["city-oversight"], None) },
        Actor { system: true, ..actor("system", &[], None) },
    ]
}

proptest! {
    /// Random actors issuing random commands never reach an inconsistent case, and every accepted
    /// command is exactly one event: the projection rebuilt from the log equals the live one.
    #[test]
    fn random_sequences_stay_consistent(
        source in prop::sample::select(vec![Source::Patrol, Source::Public, Source::Hotline]),
        self_handled in any::<bool>(),
        steps in prop::collection::vec((0usize..9, 0usize..31), 0..80),
    ) {
        let (mut case, mut log) = report(source, self_handled);
        let (actors, commands) = (actors(), commands());
        for (minute, (a, c)) in steps.into_iter().enumerate() {
            let (Some(who), Some(cmd)) = (actors.get(a), commands.get(c)) else { continue };
            let before = case.clone();
            match decide(&case, who, cmd, t(minute as i64 + 1)) {
                Ok(e) => {
                    prop_assert_eq!(e.seq, case.events + 1);
                    case = apply(case, &e);
                    log.push(e);
                }
                Err(_) => prop_assert_eq!(&case, &before),
            }
            // Invariants of every reachable case.
            prop_assert_eq!(case.events as usize, log.len());
            match case.state {
                State::Dispatched | State::Suspended | State::Handled | State::Checking | State::Checked => {
                    prop_assert!(case.department.is_some(), "{:?} without a department", case.state)
                }
                State::Filed | State::Reported | State::Verifying | State::Accepted => prop_assert!(case.department.is_none()),
                _ => {}
            }
            if case.pending.is_some() {
                prop_assert!(matches!(case.state, State::Dispatched) || case.pending == Some(Pending::Void));
            }
            prop_assert!(case.closed_at.is_some() == (case.state == State::Closed));
            let open_pause = case.pauses.last().is_some_and(|p| p.1.is_none());
            prop_assert_eq!(open_pause, case.state == State::Suspended);
            if case.state == State::Accepted && source.needs_verification() && !self_handled {
                prop_assert!(case.verified);
            }
        }
        // Replaying the log gives the same case.
        let mut replay = open(&log[0]);
        for e in &log[1..] {
            replay = apply(replay, e);
        }
        prop_assert_eq!(replay, case);
    }
}

/// Stored chains stay valid across versions: the hash of a fixed event (escapes, non-ASCII text,
/// a float, nested objects, a null) is pinned to the value the first implementation gave.
#[test]
fn the_hash_of_an_event_is_stable_across_versions() {
    let e = Event {
        seq: 3,
        action: Action::Report,
        actor: Some("0193a0c4-0000-7000-8000-000000000001".into()),
        role: Some("collector".into()),
        at: t(17),
        payload: json!({"description": "井盖\"破损\"\n\\ 需处理", "lon": 118.796_877_1, "lat": 32.060_255,
            "photos": [], "address": null, "z": {"b": [1, {"y": true, "x": -0.5}], "a": "é"}}),
        due: Some(t(120)),
    };
    assert_eq!(chain::link(chain::GENESIS, &e), "10eef8647cc9029cb496e343f3fa420f55b7bc263e999a246cf6647106dcfd38");
}
