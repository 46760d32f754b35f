//! What evaluation reads: plain records the persistence layer fills from the event log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use workflow::{Action, Source};

/// One case: where it is, and its events in order.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    /// The case id (for drill-down).
    pub id: String,
    pub number: String,
    /// The county (tenant code) the case belongs to.
    pub county: String,
    pub source: Source,
    /// The class reported (a 立案 event may change it).
    pub class_code: String,
    pub grid_code: String,
    pub community_code: String,
    pub street_code: String,
    pub duty_grid: Option<String>,
    pub events: Vec<EventRecord>,
}

/// One event, with the few payload facts evaluation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub seq: u32,
    pub action: Action,
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    /// The deadline of the stage the case entered with this event, as set when it happened.
    pub due: Option<DateTime<Utc>>,
    /// The department of a dispatch or claim.
    pub department: Option<String>,
    /// `found` of a verification, `passed` of a check.
    pub flag: Option<bool>,
    /// The class of a 立案.
    pub class_code: Option<String>,
    /// Hours of an extension request.
    pub hours: Option<f64>,
}

impl EventRecord {
    /// The event as the state machine folds it (only the payload keys it reads; none for the
    /// actions that read none, so most events allocate nothing).
    pub fn to_event(&self, source: Source) -> workflow::Event {
        let needs_payload = matches!(self.action, Action::Report | Action::SelfHandle)
            || self.department.is_some()
            || self.flag.is_some()
            || self.class_code.is_some()
            || self.hours.is_some();
        if !needs_payload {
            return workflow::Event {
                seq: self.seq,
                action: self.action,
                actor: None,
                role: None,
                at: self.at,
                payload: serde_json::Value::Null,
                due: self.due,
            };
        }
        let mut payload = serde_json::Map::new();
        let mut put = |k: &str, v: serde_json::Value| {
            payload.insert(k.to_owned(), v);
        };
        if matches!(self.action, Action::Report | Action::SelfHandle) {
            put("source", serde_json::to_value(source).unwrap_or_default());
        }
        if let Some(d) = &self.department {
            put("department", d.clone().into());
        }
        if let Some(f) = self.flag {
            put(if self.action == Action::Check { "passed" } else { "found" }, f.into());
        }
        if let Some(c) = &self.class_code {
            put("class_code", c.clone().into());
        }
        if let Some(h) = self.hours {
            put("hours", h.into());
        }
        workflow::Event {
            seq: self.seq,
            action: self.action,
            actor: self.actor.clone(),
            role: None,
            at: self.at,
            payload: serde_json::Value::Object(payload),
            due: self.due,
        }
    }
}

/// Who patrols which duty grid (责任网格): 漏报 of a grid is charged to its collectors. The log
/// does not record rosters, so this is the assignment as it stands.
pub type Roster = HashMap<String, Vec<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveKind {
    /// 源头治理建议 from the centre to a responsible agency.
    Governance,
    /// 市级督办 from the city to a county.
    CityOrder,
}

/// A directive and whether it was answered in time.
#[derive(Debug, Clone)]
pub struct Directive {
    pub id: String,
    pub kind: DirectiveKind,
    pub county: String,
    pub department: Option<String>,
    pub created_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

/// Unit grids per region code (street, community, county), for 立案数 per grid.
pub type GridCounts = HashMap<String, u32>;
