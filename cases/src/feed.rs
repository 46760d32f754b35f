//! The live feed of a county's case events for the workbenches (server-sent events).
//!
//! A stream reads the event log by id (the SSE `id`, so a reconnect with `Last-Event-ID`
//! resumes where it stopped) about once a second. Reading the log instead of an in-process
//! channel means every replica's events reach every subscriber. Each subscriber receives only
//! events of cases it may see — the rules of the work list, applied to the case as it is now.

use futures_util::Stream;
use kernel::Result;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;
use tenancy::TenantScope;
use utoipa::ToSchema;
use uuid::Uuid;
use workflow::Actor;

use crate::db::OrInternal;
use crate::entity::{case, case_event};
use crate::query::Sight;

/// One message of the feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedEvent {
    /// The SSE id: pass it back as `Last-Event-ID` to resume.
    pub id: i64,
    pub case_id: Uuid,
    pub number: String,
    pub seq: i32,
    pub action: String,
    pub state: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Where a new stream starts: after `last_event_id`, or after the newest event now.
async fn start(db: &DatabaseConnection, tenant: Uuid, last_event_id: Option<i64>) -> Result<i64> {
    if let Some(id) = last_event_id {
        return Ok(id);
    }
    Ok(case_event::Entity::find()
        .filter(case_event::Column::TenantId.eq(tenant))
        .order_by_desc(case_event::Column::Id)
        .one(db)
        .await
        .or_internal()?
        .map_or(0, |e| e.id))
}

/// The events after `after` that the subscriber may see, and the new position.
async fn next(db: &DatabaseConnection, tenant: Uuid, sight: &Sight, after: i64) -> Result<(Vec<FeedEvent>, i64)> {
    let events = case_event::Entity::find()
        .filter(case_event::Column::TenantId.eq(tenant))
        .filter(case_event::Column::Id.gt(after))
        .order_by_asc(case_event::Column::Id)
        .limit(200)
        .all(db)
        .await
        .or_internal()?;
    let Some(last) = events.last().map(|e| e.id) else { return Ok((Vec::new(), after)) };
    let ids: Vec<Uuid> = events.iter().map(|e| e.case_id).collect();
    let cases: HashMap<Uuid, case::Model> = case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let visible = events
        .into_iter()
        .filter_map(|e| {
            let c = cases.get(&e.case_id)?;
            sight.sees(c).then(|| FeedEvent {
                id: e.id,
                case_id: e.case_id,
                number: c.number.clone(),
                seq: e.seq,
                action: e.action,
                state: c.state.clone(),
                at: e.at,
            })
        })
        .collect();
    Ok((visible, last))
}

/// The feed as SSE text chunks. Ends when the client goes away.
pub async fn stream(
    db: DatabaseConnection,
    scope: TenantScope,
    actor: Actor,
    last_event_id: Option<i64>,
    every: Duration,
) -> Result<impl Stream<Item = Result<String>>> {
    let tenant = scope.tenant_id().0;
    let sight = Sight::of(&db, &scope, &actor).await?;
    let position = start(&db, tenant, last_event_id).await?;
    let first = ": connected\n\n".to_owned();
    Ok(futures_util::stream::unfold((position, Some(first), sight), move |(mut after, pending, sight)| {
        let db = db.clone();
        async move {
            if let Some(text) = pending {
                return Some((Ok(text), (after, None, sight)));
            }
            // Invisible events still move the position; a comment every ~15 polls keeps proxies open.
            for _ in 0..15 {
                tokio::time::sleep(every).await;
                match next(&db, tenant, &sight, after).await {
                    Err(e) => return Some((Err(e), (after, None, sight))),
                    Ok((events, position)) => {
                        after = position;
                        if !events.is_empty() {
                            let text: String = events
                                .iter()
                                .map(|e| {
                                    format!(
                                        "id: {}\nevent: case\ndata: {}\n\n",
                                        e.id,
                                        serde_json::to_string(e).unwrap_or_default()
                                    )
                                })
                                .collect();
                            return Some((Ok(text), (after, None, sight)));
                        }
                    }
                }
            }
            Some((Ok(": ping\n\n".to_owned()), (after, None, sight)))
        }
    }))
}
