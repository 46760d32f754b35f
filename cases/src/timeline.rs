//! The packed timeline kept on each case row for evaluation ([`evaluation::timeline`]): written
//! with every event; filled here for cases stored before it existed, and checked against the log.

use kernel::Result;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::{case, case_event};

/// The stored events of a case, in order.
pub async fn events<C: ConnectionTrait>(db: &C, case_id: Uuid) -> Result<Vec<workflow::Event>> {
    let stored = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(case_id))
        .order_by_asc(case_event::Column::Seq)
        .all(db)
        .await
        .or_internal()?;
    stored.iter().map(crate::query::to_event).collect()
}

/// The timeline the stored events give.
pub async fn from_log<C: ConnectionTrait>(db: &C, case_id: Uuid) -> Result<Vec<u8>> {
    Ok(events(db, case_id).await?.iter().flat_map(evaluation::timeline::encode).collect())
}

/// Fills the timeline of every case without one, a batch at a time. Returns how many.
pub async fn backfill(db: &DatabaseConnection) -> Result<usize> {
    let mut done = 0;
    loop {
        let ids: Vec<Uuid> = case::Entity::find()
            .select_only()
            .column(case::Column::Id)
            .filter(case::Column::Timeline.is_null())
            .limit(500)
            .into_tuple()
            .all(db)
            .await
            .or_internal()?;
        if ids.is_empty() {
            return Ok(done);
        }
        for id in ids {
            let packed = from_log(db, id).await?;
            case::Entity::update_many()
                .col_expr(case::Column::Timeline, Expr::value(packed))
                .filter(case::Column::Id.eq(id))
                .filter(case::Column::Timeline.is_null())
                .exec(db)
                .await
                .or_internal()?;
            done += 1;
        }
    }
}
