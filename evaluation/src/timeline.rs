//! A case's timeline: its events, in the few fields evaluation reads, packed into fixed 52-byte
//! records and kept on the case row beside the projection. Every append to the event log appends
//! a record in the same transaction, so evaluation reads one row per case instead of one per
//! event (a city's month is ten times fewer rows). It is derived data: [`records`] of the stored
//! events must equal the packed timeline, which a test checks and a start-up backfill restores.
//!
//! Record layout (little endian): action (1), flags (1), seq (2), at µs (8), due µs (8),
//! actor uuid (16), detail (16: a department uuid, a class code, or extension hours).

use chrono::{DateTime, Utc};
use serde_json::Value;
use workflow::{Action, Event};

use crate::input::EventRecord;

pub const RECORD: usize = 52;

/// Stable codes of the actions (never renumber: timelines are stored).
const ACTIONS: [Action; 30] = [
    Action::Report,
    Action::SelfHandle,
    Action::SendVerification,
    Action::Verify,
    Action::Accept,
    Action::Reject,
    Action::File,
    Action::Dispatch,
    Action::Claim,
    Action::Handle,
    Action::SendCheck,
    Action::Check,
    Action::Close,
    Action::RequestExtension,
    Action::ApproveExtension,
    Action::RefuseExtension,
    Action::RequestReturn,
    Action::ApproveReturn,
    Action::RefuseReturn,
    Action::RequestSuspension,
    Action::ApproveSuspension,
    Action::RefuseSuspension,
    Action::Resume,
    Action::RequestVoid,
    Action::ApproveVoid,
    Action::RefuseVoid,
    Action::Merge,
    Action::Supervise,
    Action::Callback,
    Action::MarkOverdue,
];

const HAS_ACTOR: u8 = 1;
const HAS_DUE: u8 = 2;
const HAS_FLAG: u8 = 4;
const FLAG: u8 = 8;
const DETAIL_DEPARTMENT: u8 = 16;
const DETAIL_CLASS: u8 = 32;
const DETAIL_HOURS: u8 = 48;
const DETAIL_MASK: u8 = 48;

fn uuid_bytes(s: &str) -> Option<[u8; 16]> {
    let hex: Vec<u8> = s.bytes().filter(|b| *b != b'-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

fn uuid_text(b: &[u8]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{byte:02x}"));
    }
    s
}

/// The packed record of one event.
pub fn encode(e: &Event) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    let code = ACTIONS.iter().position(|a| *a == e.action).unwrap_or(0) as u8;
    let mut flags = 0u8;
    r[0] = code;
    r[2..4].copy_from_slice(&(e.seq.min(u16::MAX as u32) as u16).to_le_bytes());
    r[4..12].copy_from_slice(&e.at.timestamp_micros().to_le_bytes());
    if let Some(due) = e.due {
        flags |= HAS_DUE;
        r[12..20].copy_from_slice(&due.timestamp_micros().to_le_bytes());
    }
    if let Some(actor) = e.actor.as_deref().and_then(uuid_bytes) {
        flags |= HAS_ACTOR;
        r[20..36].copy_from_slice(&actor);
    }
    let p = &e.payload;
    let flag = match e.action {
        Action::Verify => p.get("found").and_then(Value::as_bool),
        Action::Check => p.get("passed").and_then(Value::as_bool),
        _ => None,
    };
    if let Some(f) = flag {
        flags |= HAS_FLAG | if f { FLAG } else { 0 };
    }
    let detail = &mut r[36..52];
    match e.action {
        Action::Dispatch | Action::Claim => {
            if let Some(d) = p.get("department").and_then(Value::as_str).and_then(uuid_bytes) {
                flags |= DETAIL_DEPARTMENT;
                detail.copy_from_slice(&d);
            }
        }
        Action::File => {
            if let Some(c) = p.get("class_code").and_then(Value::as_str).filter(|c| c.len() <= 16) {
                flags |= DETAIL_CLASS;
                detail[..c.len()].copy_from_slice(c.as_bytes());
            }
        }
        Action::RequestExtension => {
            if let Some(h) = p.get("hours").and_then(Value::as_f64) {
                flags |= DETAIL_HOURS;
                detail[..8].copy_from_slice(&h.to_le_bytes());
            }
        }
        _ => {}
    }
    r[1] = flags;
    r
}

fn micros(b: &[u8]) -> Option<DateTime<Utc>> {
    let v = i64::from_le_bytes(b.try_into().ok()?);
    DateTime::from_timestamp_micros(v)
}

/// The records of a packed timeline, in order. A malformed tail is ignored.
pub fn decode(bytes: &[u8]) -> Vec<EventRecord> {
    let mut out = Vec::with_capacity(bytes.len() / RECORD);
    for r in bytes.chunks_exact(RECORD) {
        let (Some(action), Some(at)) = (ACTIONS.get(r[0] as usize), micros(&r[4..12])) else { continue };
        let flags = r[1];
        let detail = &r[36..52];
        let text = |b: &[u8]| String::from_utf8_lossy(b).trim_end_matches('\0').to_owned();
        out.push(EventRecord {
            seq: u16::from_le_bytes([r[2], r[3]]) as u32,
            action: *action,
            actor: (flags & HAS_ACTOR != 0).then(|| uuid_text(&r[20..36])),
            at,
            due: if flags & HAS_DUE != 0 { micros(&r[12..20]) } else { None },
            department: (flags & DETAIL_MASK == DETAIL_DEPARTMENT).then(|| uuid_text(detail)),
            flag: (flags & HAS_FLAG != 0).then_some(flags & FLAG != 0),
            class_code: (flags & DETAIL_MASK == DETAIL_CLASS).then(|| text(detail)),
            hours: (flags & DETAIL_MASK == DETAIL_HOURS)
                .then(|| detail[..8].try_into().ok().map(f64::from_le_bytes))
                .flatten(),
        });
    }
    out
}

/// The records of stored events (what [`decode`] of their timeline must give).
pub fn records(events: &[Event]) -> Vec<EventRecord> {
    decode(&events.iter().flat_map(encode).collect::<Vec<u8>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(seq: u32, action: Action, payload: Value, due: Option<i64>) -> Event {
        let t0: DateTime<Utc> = "2026-10-13T01:00:00.123456Z".parse().unwrap();
        Event {
            seq,
            action,
            actor: Some("01a21f74-40e3-7565-866c-f072fd7341dd".into()),
            role: None,
            at: t0 + chrono::Duration::minutes(seq as i64),
            payload,
            due: due.map(|m| t0 + chrono::Duration::minutes(m)),
        }
    }

    #[test]
    fn every_field_evaluation_reads_survives_the_round_trip() {
        let dept = "01a21f74-40e3-7565-866c-f072fd734100";
        let events = [
            ev(1, Action::Report, json!({"source": "patrol", "class_code": "06010"}), Some(30)),
            ev(2, Action::Verify, json!({"found": false}), None),
            ev(3, Action::File, json!({"class_code": "06012"}), Some(60)),
            ev(4, Action::Dispatch, json!({"department": dept}), Some(600)),
            ev(5, Action::RequestExtension, json!({"hours": 8.5, "reason": "x"}), Some(600)),
            ev(6, Action::Check, json!({"passed": true}), None),
            Event { actor: None, ..ev(7, Action::MarkOverdue, Value::Null, None) },
        ];
        let bytes: Vec<u8> = events.iter().flat_map(encode).collect();
        assert_eq!(bytes.len(), 7 * RECORD);
        let back = decode(&bytes);
        assert_eq!(back.len(), 7);
        for (e, r) in events.iter().zip(&back) {
            assert_eq!((r.seq, r.action, r.at, r.due, &r.actor), (e.seq, e.action, e.at, e.due, &e.actor));
        }
        assert_eq!(back[1].flag, Some(false));
        assert_eq!(back[2].class_code.as_deref(), Some("06012"));
        assert_eq!(back[3].department.as_deref(), Some(dept));
        assert_eq!(back[4].hours, Some(8.5));
        assert_eq!(back[5].flag, Some(true));
        assert_eq!(back[0].department, None);
    }
}
