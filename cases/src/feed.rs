//! The live feed of a county's case events for the workbenches (server-sent events).
//!
//! A stream reads the event log by id (the SSE `id`, so a reconnect with `Last-Event-ID`
//! resumes where it stopped) about once a second. Reading the log instead of an in-process
//! channel means every replica's events reach every subscriber. Each subscriber receives only
//! events of cases it may see — the rules of the work list, applied to the case as it is now.
//!
//! Ids are taken when a row is written, but transactions commit in their own order: on
//! PostgreSQL, while one intake batch (or action) that took ids 100–108 is still committing,
//! another's 109–117 may already be visible. A reader that moved its position to 117 would never
//! deliver 100–108. So a stream reads only as far as the ids are without gaps ([`Horizon`]). A gap
//! is either a write still in progress, which fills it, or a write that rolled back (or ids a
//! crash skipped), which never will: it is passed once every transaction that was running when
//! the gap was first seen has ended, and no sooner than [`GAP_GRACE`] after. On SQLite one writer
//! commits at a time, so a gap is never filled later and is passed at once.

use futures_util::Stream;
use kernel::Result;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tenancy::{TenantOwned, TenantRef, TenantScope};
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
async fn start(db: &DatabaseConnection, tenant: &TenantRef, last_event_id: Option<i64>) -> Result<i64> {
    if let Some(id) = last_event_id {
        return Ok(id);
    }
    Ok(case_event::Entity::find_in(tenant)
        .order_by_desc(case_event::Column::Id)
        .one(db)
        .await
        .or_internal()?
        .map_or(0, |e| e.id))
}

/// Ids of the log read at once when looking for gaps.
const PAGE: u64 = 1000;

/// The least time a gap in the ids stands before it is passed (on PostgreSQL). An insert takes its
/// id a moment before its transaction has a transaction id of its own; a gap seen in that moment
/// is not yet covered by the check of running transactions.
const GAP_GRACE: Duration = Duration::from_secs(1);

/// How far one stream may read: ids up to the first gap that may still fill.
#[derive(Debug, Default)]
struct Horizon {
    /// Ids missing at or below this will never appear.
    settled_through: i64,
    /// The first gap not yet settled.
    pending: Option<Gap>,
}

#[derive(Debug)]
struct Gap {
    seen: Instant,
    /// The last id read when the gap was seen: every missing id below it had been taken by then.
    last_read: i64,
    /// PostgreSQL: the first transaction id not yet started when the gap was seen (`xmax` of a
    /// snapshot taken after the read). None: the gap is final when seen (SQLite).
    xmax: Option<i64>,
}

/// The end of the gapless run of `ids` (ascending, all after `after`): an id missing at or below
/// `settled_through` is no gap.
fn gapless_end(after: i64, ids: &[i64], settled_through: i64) -> i64 {
    let mut end = after;
    for &id in ids {
        if id == end + 1 || id - 1 <= settled_through {
            end = id;
        } else {
            break;
        }
    }
    end
}

/// `xmin` or `xmax` of a snapshot taken now.
async fn snapshot(db: &DatabaseConnection, which: &str) -> Result<i64> {
    let sql = format!("SELECT pg_snapshot_{which}(pg_current_snapshot())::text::int8 AS x");
    let row =
        db.query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, sql)).await.or_internal()?;
    row.and_then(|r| r.try_get::<i64>("", "x").ok())
        .ok_or_else(|| kernel::Error::internal(anyhow::anyhow!("no snapshot")))
}

impl Horizon {
    /// How far the log can be read after `after` without passing a write still in progress, and
    /// whether the page was full (more to read at once).
    async fn advance(&mut self, db: &DatabaseConnection, after: i64) -> Result<(i64, bool)> {
        // Settle first, then read: a transaction that ended before the check is in the read.
        if let Some(gap) = &self.pending {
            let settled = match gap.xmax {
                None => true,
                Some(xmax) => gap.seen.elapsed() >= GAP_GRACE && snapshot(db, "xmin").await? >= xmax,
            };
            if settled {
                self.settled_through = self.settled_through.max(gap.last_read);
                self.pending = None;
            }
        }
        // Every county's ids, not only this one's: the sequence is shared, so most gaps in one
        // county's events are other counties' events. Only the ids are read.
        let ids: Vec<i64> = case_event::Entity::find()
            .select_only()
            .column(case_event::Column::Id)
            .filter(case_event::Column::Id.gt(after))
            .order_by_asc(case_event::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await
            .or_internal()?;
        let end = gapless_end(after, &ids, self.settled_through);
        let last_read = ids.last().copied().unwrap_or(after);
        // A gap that filled (the write committed) needs no settling; a later gap gets its own.
        if self.pending.as_ref().is_some_and(|gap| end >= gap.last_read) {
            self.pending = None;
        }
        if end < last_read && self.pending.is_none() {
            let xmax = match db.get_database_backend() {
                sea_orm::DbBackend::Postgres => Some(snapshot(db, "xmax").await?),
                _ => None,
            };
            self.pending = Some(Gap { seen: Instant::now(), last_read, xmax });
        }
        Ok((end, ids.len() as u64 == PAGE && end == last_read))
    }
}

/// The events after `after` that the subscriber may see, the new position, and whether there is
/// more to read at once.
async fn next(
    db: &DatabaseConnection,
    tenant: &TenantRef,
    sight: &Sight,
    horizon: &mut Horizon,
    after: i64,
) -> Result<(Vec<FeedEvent>, i64, bool)> {
    let (end, more) = horizon.advance(db, after).await?;
    if end == after {
        return Ok((Vec::new(), after, false));
    }
    let events = case_event::Entity::find_in(tenant)
        .filter(case_event::Column::Id.gt(after))
        .filter(case_event::Column::Id.lte(end))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await
        .or_internal()?;
    let ids: Vec<Uuid> = events.iter().map(|e| e.case_id).collect();
    let cases: HashMap<Uuid, case::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        case::Entity::find()
            .filter(case::Column::Id.is_in(ids))
            .all(db)
            .await
            .or_internal()?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
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
    Ok((visible, end, more))
}

/// The feed as SSE text chunks. Ends when the client goes away.
pub async fn stream(
    db: DatabaseConnection,
    scope: TenantScope,
    actor: Actor,
    last_event_id: Option<i64>,
    every: Duration,
) -> Result<impl Stream<Item = Result<String>>> {
    let tenant = scope.tenant().clone();
    let sight = Sight::of(&db, &scope, &actor).await?;
    let position = start(&db, &tenant, last_event_id).await?;
    let first = ": connected\n\n".to_owned();
    let state = (position, Some(first), sight, Horizon::default());
    Ok(futures_util::stream::unfold(state, move |(mut after, pending, sight, mut horizon)| {
        let db = db.clone();
        let tenant = tenant.clone();
        async move {
            if let Some(text) = pending {
                return Some((Ok(text), (after, None, sight, horizon)));
            }
            // Invisible events still move the position; a comment every ~15 polls keeps proxies open.
            let mut more = false;
            for _ in 0..15 {
                if !more {
                    tokio::time::sleep(every).await;
                }
                match next(&db, &tenant, &sight, &mut horizon, after).await {
                    Err(e) => return Some((Err(e), (after, None, sight, horizon))),
                    Ok((events, position, full)) => {
                        (after, more) = (position, full);
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
                            return Some((Ok(text), (after, None, sight, horizon)));
                        }
                    }
                }
            }
            Some((Ok(": ping\n\n".to_owned()), (after, None, sight, horizon)))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::gapless_end;

    #[test]
    fn the_horizon_stops_at_the_first_gap_not_yet_settled() {
        assert_eq!(gapless_end(10, &[], 0), 10, "nothing new");
        assert_eq!(gapless_end(10, &[11, 12, 13], 0), 13);
        assert_eq!(gapless_end(10, &[11, 12, 15, 16], 0), 12, "13 and 14 may still commit");
        assert_eq!(gapless_end(10, &[12, 13], 0), 10, "a gap right after the position");
        assert_eq!(gapless_end(10, &[11, 12, 15, 16], 14), 16, "13 and 14 are settled: never coming");
        assert_eq!(gapless_end(10, &[11, 12, 15, 18], 14), 15, "16 and 17 are not");
    }
}
