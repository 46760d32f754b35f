//! Cases written with a given history: demo data, test fixtures and the evaluation benchmark.
//!
//! Every step is decided by the workflow as if taken at its time by its actor, stamped with the
//! deadline the county's rules give and hash-chained — the same rows live actions store — so
//! evaluation cannot tell a written history from a lived one. A step the workflow refuses makes
//! the whole batch fail, naming the case and step.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use inventory::catalog::Kind;
use inventory::grid_cache::GridEntry;
use kernel::{Error, Result, Vocabulary};
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use uuid::Uuid;
use workflow::{Actor, Command, Refusal, Source, chain};

use crate::db::OrInternal;
use crate::duplicates::DuplicateRule;
use crate::entity::{case, case_event};
use crate::intake::{Intake, Rules, prepare};

/// One case to write: the report, then each step at its time.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub reporter: Option<Uuid>,
    /// The role the reporter acts in (`collector`, `supervision-center`, `public`).
    pub reporter_role: String,
    pub source: Source,
    pub kind: Kind,
    pub class_code: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub place: GridEntry,
    pub self_handled: bool,
    pub at: DateTime<Utc>,
    pub steps: Vec<(DateTime<Utc>, Actor, Command)>,
}

/// A built case: its row and its events with their links.
struct Built {
    row: case::Model,
    events: Vec<case_event::ActiveModel>,
}

fn build(tenant: &tenancy::TenantRef, s: &Scripted, rules: &Arc<Rules>, index: usize) -> Result<Built> {
    let intake = Intake {
        source: s.source,
        kind: s.kind,
        class_code: s.class_code.clone(),
        description: s.description.clone(),
        lon: s.lon,
        lat: s.lat,
        component_id: None,
        address: None,
        urgent: false,
        photos: Vec::new(),
        after_photos: Vec::new(),
        self_handled: s.self_handled,
        contact: None,
    };
    let p = prepare(tenant, &s.place, s.reporter, &s.reporter_role, &intake, rules.clone(), s.at)?;
    let mut row = p.row;
    let mut events = vec![crate::act::event_row(tenant.id().0, row.id, &p.first, chain::GENESIS, &p.hash)];
    let mut projection = workflow::machine::open(&p.first);
    let mut prev = p.hash;
    for (i, (at, actor, command)) in s.steps.iter().enumerate() {
        let mut event = workflow::decide(&projection, actor, command, *at).map_err(|r| {
            Error::invalid(format!("scripts[{index}].steps[{i}]"), {
                let why = match r {
                    Refusal::NotAllowed(m) | Refusal::WrongState(m) => m,
                    Refusal::Invalid(field, reason) => format!("{field} {reason}"),
                };
                format!("{} refused: {why}", command.action().quoted())
            })
        })?;
        let next = workflow::apply(projection, &event);
        if let Some(c) = &next.class_code {
            row.class_code = c.clone();
        }
        event.due = crate::clock::deadline_of(&next, &row, &rules.cal, &rules.limits);
        let hash = chain::link(&prev, &event);
        events.push(crate::act::event_row(tenant.id().0, row.id, &event, &prev, &hash));
        if let Some(t) = row.timeline.as_mut() {
            t.extend_from_slice(&evaluation::timeline::encode(&event));
        }
        row.deadline = event.due;
        row.state = crate::query::state_str(next.state).to_owned();
        row.department_id = next.department.as_deref().and_then(|d| Uuid::parse_str(d).ok());
        row.overdue = next.overdue;
        row.closed_at = next.closed_at;
        row.updated_at = *at;
        prev = hash;
        projection = next;
    }
    row.projection = serde_json::to_string(&projection).map_err(Error::internal)?;
    row.last_hash = prev;
    Ok(Built { row, events })
}

/// Writes the scripted cases of one county in one transaction; returns their ids in order.
pub async fn write(db: &DatabaseConnection, tenant: &tenancy::TenantRef, scripts: &[Scripted]) -> Result<Vec<Uuid>> {
    let (cal, limits) = crate::clock::load(db, tenant).await?;
    let rules = Arc::new(Rules::new(cal, limits, DuplicateRule::default()));
    let mut built = scripts.iter().enumerate().map(|(i, s)| build(tenant, s, &rules, i)).collect::<Result<Vec<_>>>()?;
    let txn = db.begin().await.or_internal()?;
    // Numbered like live reports, in the order of their (given) times, which are kept.
    let items: Vec<crate::numbering::Item> = built
        .iter()
        .map(|b| crate::numbering::Item { tenant: tenant.id().0, zone: rules.zone, created_at: b.row.created_at })
        .collect();
    let numbers = crate::numbering::number(&txn, &items, false).await?;
    for (b, n) in built.iter_mut().zip(numbers) {
        b.row.number = n.number;
    }
    // Bounded by the parameters one statement may bind (SQLite: 32,766; PostgreSQL: 65,535).
    for chunk in built.chunks(500) {
        let rows = chunk.iter().map(|b| case::ActiveModel::from(b.row.clone()));
        case::Entity::insert_many(rows).exec_without_returning(&txn).await.or_internal()?;
        let events: Vec<case_event::ActiveModel> = chunk.iter().flat_map(|b| b.events.iter().cloned()).collect();
        for part in events.chunks(2000) {
            case_event::Entity::insert_many(part.to_vec()).exec_without_returning(&txn).await.or_internal()?;
        }
    }
    txn.commit().await.or_internal()?;
    Ok(built.iter().map(|b| b.row.id).collect())
}
