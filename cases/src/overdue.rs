//! The overdue sweep: open cases past their stage deadline get one `mark_overdue` event. Several
//! replicas may sweep at once; the unique (case, seq) index lets exactly one append win, and the
//! others' attempts fail harmlessly. Marking a case overdue changes nothing the duplicate index
//! ([`crate::recent`]) holds, so the sweep leaves it alone.

use chrono::{DateTime, Utc};
use kernel::Result;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::db::OrInternal;
use crate::entity::case;

/// The running clocks past their deadline at `now`, earliest first, at most 500 (the sweep's query).
/// Its terms are those of the partial index `ix_cases_due`, literally (see migration 000011): a
/// bound `overdue = $1` would keep a prepared statement's generic plan off the index.
pub fn due(now: DateTime<Utc>) -> sea_orm::Select<case::Entity> {
    case::Entity::find()
        .filter(Expr::col((case::Entity, case::Column::Overdue)).not())
        .filter(case::Column::Deadline.is_not_null())
        .filter(case::Column::Deadline.lt(now))
        .filter(case::Column::State.is_not_in(["closed", "rejected", "voided", "suspended"]))
        .order_by_asc(case::Column::Deadline)
        .limit(500)
}

/// Marks the cases overdue at `now`; returns how many this call marked. `replica` is the sweeping
/// server's id for the rows it writes (see `cases.replica`).
pub async fn sweep(db: &DatabaseConnection, replica: Option<uuid::Uuid>, now: DateTime<Utc>) -> Result<usize> {
    let due = due(now).all(db).await.or_internal()?;
    let system = crate::actor::system();
    let mut marked = 0;
    for row in due {
        let projection: workflow::Case = match serde_json::from_str(&row.projection) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(case = %row.id, error = %e, "unreadable projection");
                continue;
            }
        };
        let Ok(event) = workflow::decide(&projection, &system, &workflow::Command::MarkOverdue, crate::now()) else {
            continue;
        };
        match crate::act::append(db, replica, row, projection, event).await {
            Ok(_) => marked += 1,
            // Another replica marked it first: fine.
            Err(e) if e.code == kernel::ErrorCode::Conflict => {}
            Err(e) => tracing::warn!(error = %e, "marking a case overdue failed"),
        }
    }
    if marked > 0 {
        tracing::info!(marked, "cases marked overdue");
    }
    Ok(marked)
}

/// How far ahead of its deadline a running clock can turn yellow, in natural time: the last 20 %
/// of the longest limit in use (15 working days: 3 working days) stretched over a week-long
/// public holiday.
pub const YELLOW_HORIZON: chrono::TimeDelta = chrono::TimeDelta::days(14);

/// The running clocks not yet past their deadline but within [`YELLOW_HORIZON`] of it at `now`,
/// earliest first, at most 2,000: the candidates of [`warn`]. The terms are those of
/// `ix_cases_due`, as in [`due`].
pub fn nearly_due(now: DateTime<Utc>) -> sea_orm::Select<case::Entity> {
    case::Entity::find()
        .filter(Expr::col((case::Entity, case::Column::Overdue)).not())
        .filter(case::Column::Deadline.is_not_null())
        .filter(case::Column::Deadline.gte(now))
        .filter(case::Column::Deadline.lt(now + YELLOW_HORIZON))
        .filter(case::Column::State.is_not_in(["closed", "rejected", "voided", "suspended"]))
        .order_by_asc(case::Column::Deadline)
        .limit(2000)
}

/// The yellow pass: every running stage past 80 % of its limit at `now` (light yellow, in the
/// working time of its county's calendar) notifies whoever holds the case, once per stage — the
/// notice's key is the case, its state and the stage's start, and the outbox's unique key makes a
/// second sweep (or another replica's) record nothing. Returns how many notices this call
/// recorded. Red is the overdue mark itself ([`sweep`]: the `mark_overdue` event notifies).
pub async fn warn(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize> {
    use sea_orm::TransactionTrait;
    let rows = nearly_due(now).all(db).await.or_internal()?;
    let mut rules = std::collections::HashMap::new();
    let mut yellow = Vec::new();
    for row in rows {
        let Ok(p) = serde_json::from_str::<workflow::Case>(&row.projection) else { continue };
        if let std::collections::hash_map::Entry::Vacant(e) = rules.entry(row.tenant_id) {
            e.insert(crate::clock::load_of(db, row.tenant_id).await?);
        }
        let Some((cal, limits)) = rules.get(&row.tenant_id) else { continue };
        let Some(stage) = crate::clock::stage(&p, &row, limits, cal) else { continue };
        if crate::clock::light(&stage, cal, now) != calendar::Light::Yellow {
            continue;
        }
        let key = format!("deadline_yellow:{}:{}:{}", row.id, row.state, stage.start.timestamp_micros());
        yellow.push((row, p, key));
    }
    if yellow.is_empty() {
        return Ok(0);
    }
    // The keys already noted, in one query (the usual answer: all of them).
    use notifications::entity::notification_event as ne;
    let mut noted = std::collections::HashSet::new();
    for chunk in yellow.chunks(500) {
        let keys: Vec<String> = chunk.iter().map(|(_, _, k)| k.clone()).collect();
        let found: Vec<Option<String>> = ne::Entity::find()
            .select_only()
            .column(ne::Column::Dedupe)
            .filter(ne::Column::Dedupe.is_in(keys))
            .into_tuple()
            .all(db)
            .await
            .or_internal()?;
        noted.extend(found.into_iter().flatten());
    }
    let mut recorded = 0;
    for (row, p, key) in yellow {
        if noted.contains(&key) {
            continue;
        }
        let department = p.department.as_deref().and_then(|d| uuid::Uuid::parse_str(d).ok());
        let Some(who) = crate::notify::holder(p.state, department) else { continue };
        let users = crate::notify::resolve(db, kernel::ids::TenantId(row.tenant_id), &[who], None).await?;
        let notice = notifications::Notice::new(
            notifications::Kind::DeadlineYellow,
            Some(notifications::CaseRef { id: row.id, number: row.number.clone() }),
            serde_json::json!({"state": row.state, "class_code": row.class_code, "deadline": row.deadline}),
        )
        .once(key);
        let txn = db.begin().await.or_internal()?;
        let id = notifications::record(&txn, kernel::ids::TenantId(row.tenant_id), &notice, &users, now).await?;
        txn.commit().await.or_internal()?;
        if id.is_some() {
            recorded += 1;
        }
    }
    if recorded > 0 {
        tracing::info!(recorded, "deadlines turned yellow");
    }
    Ok(recorded)
}
