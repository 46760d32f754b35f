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
