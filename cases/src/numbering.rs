//! Case numbers: the county's local date of creation (`YYYYMMDD`, in the time zone of its work
//! calendar) and that day's sequence in the county, at least six digits — `20261202000001` is the
//! county's first case of 2 December. The same on every backend and for every channel (patrol,
//! staff registration, public reports, written histories).
//!
//! Numbers come from a counter per county and day (`case_number_counters`, migration 000014)
//! incremented inside the transaction that inserts the cases: a number commits or rolls back
//! with its case, so a county's numbers have no gaps — an auditor reads a gap as a deleted case.
//! The counter's row lock makes concurrent writers of one county (lanes, replicas, the public
//! channel) take their turns, so numbers follow creation order; to keep that true when a case
//! was stamped before another that was numbered first (two HTTP workers racing to the queue, or
//! another replica), the counter remembers the latest creation time it numbered, and a case
//! created before it is re-stamped with that time ([`Numbered::at`]).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kernel::{Error, Result};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::db::OrInternal;

/// Takes `issued` more numbers for a county-day; returns the new total and the latest creation
/// time numbered before this statement (µs; `None` for the day's first batch). `$4` is the
/// latest creation time of the batch. The increment and the insert of the cases are one
/// transaction: the row stays locked until it commits.
const RESERVE: &str = "INSERT INTO case_number_counters (tenant_id, day, issued, latest_us) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (tenant_id, day) DO UPDATE SET issued = case_number_counters.issued + excluded.issued, \
    previous_us = case_number_counters.latest_us, \
    latest_us = CASE WHEN excluded.latest_us > case_number_counters.latest_us \
      THEN excluded.latest_us ELSE case_number_counters.latest_us END \
    RETURNING issued, previous_us";

/// A new case to number: its county, the county's time zone and the case's creation time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    pub tenant: Uuid,
    pub zone: Tz,
    pub created_at: DateTime<Utc>,
}

/// The cases of one county and local day in a batch, oldest first.
#[derive(Debug)]
pub(crate) struct Group {
    pub tenant: Uuid,
    pub day: String,
    /// Positions in the batch, in creation order.
    members: Vec<usize>,
    latest_us: i64,
}

/// What the counter answered for a group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reserved {
    pub issued: i64,
    pub previous_us: Option<i64>,
}

/// A case's number, and the creation time it must carry (later than it had when a case created
/// after it was numbered first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Numbered {
    pub number: String,
    pub at: DateTime<Utc>,
}

/// The local date of `at` in `zone`, as the first part of a case number.
pub(crate) fn day_of(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y%m%d").to_string()
}

/// The batch's groups, ordered by (county, day) — the order their counters are locked in, the
/// same for every writer, so two writers never wait for each other in a cycle.
pub(crate) fn plan(items: &[Item]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| items.get(i).map(|it| it.created_at));
    for i in order {
        let Some(item) = items.get(i) else { continue };
        let day = day_of(item.created_at, item.zone);
        match groups.iter_mut().find(|g| g.tenant == item.tenant && g.day == day) {
            Some(g) => {
                g.members.push(i);
                g.latest_us = g.latest_us.max(item.created_at.timestamp_micros());
            }
            None => groups.push(Group {
                tenant: item.tenant,
                day,
                members: vec![i],
                latest_us: item.created_at.timestamp_micros(),
            }),
        }
    }
    groups.sort_by(|a, b| (a.tenant, &a.day).cmp(&(b.tenant, &b.day)));
    groups
}

/// Each item's number (in the batch's order) from its group's reservation. With `restamp`, a
/// case created before the latest one already numbered takes that one's time; without (written
/// histories, whose times are given), it keeps its own.
pub(crate) fn assign(items: &[Item], groups: &[Group], reserved: &[Reserved], restamp: bool) -> Result<Vec<Numbered>> {
    let mut out: Vec<Option<Numbered>> = vec![None; items.len()];
    for (g, r) in groups.iter().zip(reserved) {
        let first = r.issued - g.members.len() as i64 + 1;
        let floor = r.previous_us.filter(|_| restamp).and_then(DateTime::from_timestamp_micros);
        for (k, &i) in g.members.iter().enumerate() {
            let Some(item) = items.get(i) else { continue };
            let at = match floor {
                Some(f) if f > item.created_at => f,
                _ => item.created_at,
            };
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(Numbered { number: format!("{}{:06}", g.day, first + k as i64), at });
            }
        }
    }
    out.into_iter()
        .map(|n| n.ok_or_else(|| Error::internal(anyhow::anyhow!("a case was left without a number"))))
        .collect()
}

fn reserved_of(issued: i64, previous_us: Option<i64>) -> Reserved {
    Reserved { issued, previous_us }
}

/// Reserves a group's numbers through any connection (inside the caller's transaction).
pub(crate) async fn reserve<C: ConnectionTrait>(db: &C, g: &Group) -> Result<Reserved> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => RESERVE.to_owned(),
        _ => RESERVE.replace('$', "?"),
    };
    let values = [g.tenant.into(), g.day.clone().into(), (g.members.len() as i64).into(), g.latest_us.into()];
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .or_internal()?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("the number counter returned no row")))?;
    Ok(reserved_of(row.try_get("", "issued").or_internal()?, row.try_get("", "previous_us").or_internal()?))
}

/// Reserves a group's numbers on the writer's PostgreSQL transaction.
pub(crate) async fn reserve_pg(conn: &mut sea_orm::sqlx::PgConnection, g: &Group) -> Result<Reserved> {
    use sea_orm::sqlx::Row;
    let row = sea_orm::sqlx::query(RESERVE)
        .bind(g.tenant)
        .bind(g.day.as_str())
        .bind(g.members.len() as i64)
        .bind(g.latest_us)
        .fetch_one(conn)
        .await
        .map_err(Error::internal)?;
    Ok(reserved_of(
        row.try_get("issued").map_err(Error::internal)?,
        row.try_get("previous_us").map_err(Error::internal)?,
    ))
}

/// Numbers `items` inside the caller's transaction `db` (public reports, written histories).
pub(crate) async fn number<C: ConnectionTrait>(db: &C, items: &[Item], restamp: bool) -> Result<Vec<Numbered>> {
    let groups = plan(items);
    let mut reserved = Vec::with_capacity(groups.len());
    for g in &groups {
        reserved.push(reserve(db, g).await?);
    }
    assign(items, &groups, &reserved, restamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn the_date_is_the_countys_local_date() {
        // 05:43 in Beijing is 21:43 UTC the day before.
        assert_eq!(day_of(at("2026-12-01T21:43:00Z"), chrono_tz::Asia::Shanghai), "20261202");
        assert_eq!(day_of(at("2026-12-01T21:43:00Z"), chrono_tz::UTC), "20261201");
    }

    #[test]
    fn numbers_follow_creation_order_per_county_and_day_and_late_stamps_move_up() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let z = chrono_tz::Asia::Shanghai;
        let items = [
            Item { tenant: a, zone: z, created_at: at("2026-12-02T02:00:02Z") },
            Item { tenant: b, zone: z, created_at: at("2026-12-02T02:00:01Z") },
            Item { tenant: a, zone: z, created_at: at("2026-12-02T02:00:01Z") },
            // The next local day in county a.
            Item { tenant: a, zone: z, created_at: at("2026-12-02T16:00:00Z") },
        ];
        let groups = plan(&items);
        assert_eq!(groups.len(), 3);
        let days: Vec<_> = groups.iter().map(|g| (g.tenant, g.day.as_str())).collect();
        assert_eq!(days, [(a, "20261202"), (a, "20261203"), (b, "20261202")], "locked in one order");
        // County a had numbered 10 that day, the latest created at 02:00:01.5.
        let previous = at("2026-12-02T02:00:01.5Z").timestamp_micros();
        let reserved = [
            Reserved { issued: 12, previous_us: Some(previous) },
            Reserved { issued: 1, previous_us: None },
            Reserved { issued: 1, previous_us: None },
        ];
        let n = assign(&items, &groups, &reserved, true).unwrap();
        let numbers: Vec<&str> = n.iter().map(|x| x.number.as_str()).collect();
        assert_eq!(numbers, ["20261202000012", "20261202000001", "20261202000011", "20261203000001"]);
        assert_eq!(n[2].at, at("2026-12-02T02:00:01.5Z"), "created before a case already numbered: moved up");
        assert_eq!(n[0].at, items[0].created_at, "created after it: kept");
        let kept = assign(&items, &groups, &reserved, false).unwrap();
        assert_eq!(kept[2].at, items[2].created_at, "written histories keep their times");
    }
}
