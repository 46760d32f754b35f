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
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(map.get(k).unwrap_or(&Value::Null))))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The hash of `event` following `prev`.
pub fn link(prev: &str, event: &Event) -> String {
    let body = serde_json::to_value(event).unwrap_or(Value::Null);
    let digest = Sha256::digest(format!("{prev}\n{}", canonical(&body)).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
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
