//! The tamper-evident event log: each event's hash covers the previous event's hash and the
//! event itself in a canonical JSON form (object keys sorted), so changing, removing or
//! reordering any stored event breaks every later link.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::Event;

/// The hash before the first event of a case.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// JSON with object keys sorted at every level, independent of how it was parsed.
pub fn canonical(v: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write_canonical(v, &mut out);
    // Only JSON text was written: valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// [`canonical`] into a buffer (one allocation for the whole document; this runs for every event).
fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut *out, k);
                out.push(b':');
                write_canonical(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// The hash of `event` following `prev`: SHA-256 of `prev`, a newline and the event's canonical
/// JSON, in lowercase hex.
pub fn link(prev: &str, event: &Event) -> String {
    let body = serde_json::to_value(event).unwrap_or(Value::Null);
    let mut text = Vec::with_capacity(prev.len() + 512);
    text.extend_from_slice(prev.as_bytes());
    text.push(b'\n');
    write_canonical(&body, &mut text);
    hex::encode(Sha256::digest(&text))
}

/// Checks a stored log: sequence numbers 1, 2, 3 … and every hash. Returns the first broken
/// event's sequence number and why.
pub fn verify<'a>(events: impl IntoIterator<Item = (&'a Event, &'a str, &'a str)>) -> Result<(), (u32, String)> {
    let mut expected_prev = GENESIS.to_owned();
    for (i, (event, prev, hash)) in events.into_iter().enumerate() {
        let seq = i as u32 + 1;
        if event.seq != seq {
            return Err((seq, format!("event {} found where {seq} was expected (missing or reordered)", event.seq)));
        }
        if prev != expected_prev {
            return Err((seq, "its link to the previous event does not match".into()));
        }
        let actual = link(prev, event);
        if actual != hash {
            return Err((seq, "its content does not match its hash (changed after it was written)".into()));
        }
        expected_prev = actual;
    }
    Ok(())
}
