//! Likely duplicates of a new report: open cases of the same class within a radius and a time
//! window (tenant setting `duplicates`; defaults 50 m and 72 hours). The search goes through the
//! coarse location cell of each case, so it reads only the cases of the class in the few cells
//! the radius touches, however many cases the county has.

use kernel::{Error, Result};
use sea_orm::{ColumnTrait, Condition, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::case;

/// A likely duplicate of a new report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateHint {
    pub id: Uuid,
    pub number: String,
    pub state: String,
    /// Distance from the new report, in metres.
    pub distance_m: f64,
}

/// How close, and how recent, an open case of the same class must be to be suggested as a
/// duplicate. Tenant setting `duplicates`; defaults 50 m and 72 hours.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct DuplicateRule {
    pub radius_m: f64,
    pub window_hours: i64,
}

impl Default for DuplicateRule {
    fn default() -> Self {
        Self { radius_m: 50.0, window_hours: 72 }
    }
}

fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    // Haversine on a sphere: plenty for tens of metres.
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let (dlat, dlon) = ((b.1 - a.1).to_radians(), (b.0 - a.0).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// At most this many likely duplicates are returned (the nearest).
pub const MAX_HINTS: usize = 10;

/// The setting that holds a tenant's [`DuplicateRule`].
pub const DUPLICATES: &str = "duplicates";

/// Cells per degree (a cell is 0.001° on a side, about 111 m × 95 m in China).
const CELLS_PER_DEGREE: f64 = 1000.0;
/// Cells in one row of the grid (360° of longitude).
const ROW: i64 = 400_000;

/// The cell of a WGS84 point: rows of latitude from −90°, columns of longitude from −180°. The
/// migration that added `cases.cell` fills old rows with the same formula.
pub fn cell(lon: f64, lat: f64) -> i64 {
    let row = ((lat + 90.0) * CELLS_PER_DEGREE).floor() as i64;
    let col = ((lon + 180.0) * CELLS_PER_DEGREE).floor() as i64;
    row * ROW + col
}

/// A box around a point in degrees — west, south, east, north — that holds every point within
/// `radius_m` of it (a little more: 111 km per degree of latitude is on the short side).
fn around(lon: f64, lat: f64, radius_m: f64) -> [f64; 4] {
    let deg_lat = radius_m / 111_000.0;
    let deg_lon = deg_lat / lat.to_radians().cos().max(0.1);
    [lon - deg_lon, lat - deg_lat, lon + deg_lon, lat + deg_lat]
}

/// The cells within `radius_m` of a point (those its bounding box touches).
fn cells_near(lon: f64, lat: f64, radius_m: f64) -> Vec<i64> {
    let [west, south, east, north] = around(lon, lat, radius_m);
    let (first, last) = (cell(west, south), cell(east, north));
    let (first_col, last_col) = (first.rem_euclid(ROW), last.rem_euclid(ROW));
    (first.div_euclid(ROW)..=last.div_euclid(ROW))
        .flat_map(|row| (first_col..=last_col).map(move |col| row * ROW + col))
        .collect()
}

/// Whether `other` is a likely duplicate of `c`, and how far away it is.
/// What the duplicate search reads of a stored case (not its description or projection).
#[derive(Debug, Clone, FromQueryResult)]
struct Nearby {
    id: Uuid,
    tenant_id: Uuid,
    number: String,
    state: String,
    class_code: String,
    lon: f64,
    lat: f64,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&case::Model> for Nearby {
    fn from(m: &case::Model) -> Self {
        Nearby {
            id: m.id,
            tenant_id: m.tenant_id,
            number: m.number.clone(),
            state: m.state.clone(),
            class_code: m.class_code.clone(),
            lon: m.lon,
            lat: m.lat,
            created_at: m.created_at,
        }
    }
}

fn hint(c: &case::Model, rule: &DuplicateRule, other: &Nearby) -> Option<DuplicateHint> {
    let open = !matches!(other.state.as_str(), "closed" | "rejected" | "voided");
    let recent = other.created_at >= c.created_at - chrono::Duration::hours(rule.window_hours);
    if other.id == c.id || other.tenant_id != c.tenant_id || other.class_code != c.class_code || !open || !recent {
        return None;
    }
    let d = (distance_m((c.lon, c.lat), (other.lon, other.lat)) * 10.0).round() / 10.0;
    (d <= rule.radius_m).then(|| DuplicateHint {
        id: other.id,
        number: other.number.clone(),
        state: other.state.clone(),
        distance_m: d,
    })
}

/// The cells to read for one (county, class), and from when.
type Probe = (BTreeSet<i64>, chrono::DateTime<chrono::Utc>);

/// Likely duplicates of each new case, in one query for them all: open cases of the same class
/// within the radius and window, and earlier cases of the same batch.
pub(crate) async fn duplicates_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    new: &[(&case::Model, DuplicateRule)],
) -> Result<Vec<Vec<DuplicateHint>>> {
    let groups = probes(new);
    let stored = if groups.is_empty() { Vec::new() } else { probe(db, &groups).await? };
    Ok(hints(new, &stored))
}

/// [`duplicates_of`] on PostgreSQL, as one statement of one shape (see [`probe_postgres`]).
pub(crate) async fn duplicates_of_postgres(
    pool: &sea_orm::sqlx::PgPool,
    new: &[(&case::Model, DuplicateRule)],
) -> Result<Vec<Vec<DuplicateHint>>> {
    let stored = probe_postgres(pool, new).await?;
    Ok(hints(new, &stored))
}

/// One index probe per (county, class): the cells near any of its new cases, from the earliest
/// window start; each case's own radius and window are applied by [`hints`].
fn probes<'a>(new: &[(&'a case::Model, DuplicateRule)]) -> BTreeMap<(Uuid, &'a str), Probe> {
    let mut groups: BTreeMap<(Uuid, &str), Probe> = BTreeMap::new();
    for (c, rule) in new {
        if c.class_code.is_empty() {
            continue;
        }
        let since = c.created_at - chrono::Duration::hours(rule.window_hours);
        let group = groups.entry((c.tenant_id, c.class_code.as_str())).or_insert((BTreeSet::new(), since));
        group.0.extend(cells_near(c.lon, c.lat, rule.radius_m));
        group.1 = group.1.min(since);
    }
    groups
}

/// Each new case's nearest likely duplicates among the stored ones and those before it in `new`.
fn hints(new: &[(&case::Model, DuplicateRule)], stored: &[Nearby]) -> Vec<Vec<DuplicateHint>> {
    let batch: Vec<Nearby> = new.iter().map(|(c, _)| Nearby::from(*c)).collect();
    new.iter()
        .enumerate()
        .map(|(i, (c, rule))| {
            if c.class_code.is_empty() {
                return Vec::new();
            }
            let earlier = &batch[..i];
            let mut hints: Vec<DuplicateHint> = stored.iter().chain(earlier).filter_map(|o| hint(c, rule, o)).collect();
            hints.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
            hints.truncate(MAX_HINTS);
            hints
        })
        .collect()
}

const NEARBY_COLUMNS: [case::Column; 8] = [
    case::Column::Id,
    case::Column::TenantId,
    case::Column::Number,
    case::Column::State,
    case::Column::ClassCode,
    case::Column::Lon,
    case::Column::Lat,
    case::Column::CreatedAt,
];

/// The open cases in the probed cells (any backend): one condition per (county, class).
async fn probe<C: sea_orm::ConnectionTrait>(db: &C, groups: &BTreeMap<(Uuid, &str), Probe>) -> Result<Vec<Nearby>> {
    let mut any = Condition::any();
    for ((tenant, class), (cells, since)) in groups {
        any = any.add(
            Condition::all()
                .add(case::Column::TenantId.eq(*tenant))
                .add(case::Column::ClassCode.eq(*class))
                .add(case::Column::Cell.is_in(cells.iter().copied()))
                .add(case::Column::CreatedAt.gte(*since)),
        );
    }
    case::Entity::find()
        .select_only()
        .columns(NEARBY_COLUMNS)
        .filter(case::Column::State.is_not_in(["closed", "rejected", "voided"]))
        .filter(any)
        .into_model::<Nearby>()
        .all(db)
        .await
        .or_internal()
}

/// The open cases near the new ones on PostgreSQL, in one statement of one shape whatever the
/// batch holds: one row per new case and cell near it, with the case's box and window start, as
/// arrays bound in binary and joined by `unnest`; only stored cases inside a box come back (the
/// cells span about four times the area of the circle). Each connection parses and plans it once.
async fn probe_postgres(pool: &sea_orm::sqlx::PgPool, new: &[(&case::Model, DuplicateRule)]) -> Result<Vec<Nearby>> {
    use sea_orm::sqlx::Row;
    let (mut tenants, mut classes, mut cells, mut since) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut boxes: [Vec<f64>; 4] = Default::default();
    for (c, rule) in new {
        if c.class_code.is_empty() {
            continue;
        }
        let bounds = around(c.lon, c.lat, rule.radius_m);
        for cell in cells_near(c.lon, c.lat, rule.radius_m) {
            tenants.push(c.tenant_id);
            classes.push(c.class_code.as_str());
            cells.push(cell);
            since.push(c.created_at - chrono::Duration::hours(rule.window_hours));
            for (column, bound) in boxes.iter_mut().zip(bounds) {
                column.push(bound);
            }
        }
    }
    if cells.is_empty() {
        return Ok(Vec::new());
    }
    const SQL: &str = "SELECT DISTINCT c.id, c.tenant_id, c.number, c.state, c.class_code, c.lon, c.lat, c.created_at \
        FROM unnest($1::uuid[], $2::text[], $3::int8[], $4::timestamptz[], $5::float8[], $6::float8[], $7::float8[], \
                    $8::float8[]) AS q(tenant_id, class_code, cell, since, west, south, east, north) \
        JOIN cases c ON c.tenant_id = q.tenant_id AND c.class_code = q.class_code AND c.cell = q.cell \
        WHERE c.created_at >= q.since AND c.lon BETWEEN q.west AND q.east AND c.lat BETWEEN q.south AND q.north \
          AND c.state NOT IN ('closed', 'rejected', 'voided')";
    let [west, south, east, north] = boxes;
    let rows = sea_orm::sqlx::query(SQL)
        .bind(tenants)
        .bind(classes)
        .bind(cells)
        .bind(since)
        .bind(west)
        .bind(south)
        .bind(east)
        .bind(north)
        .fetch_all(pool)
        .await
        .map_err(Error::internal)?;
    rows.iter()
        .map(|r| {
            Ok(Nearby {
                id: r.try_get("id")?,
                tenant_id: r.try_get("tenant_id")?,
                number: r.try_get("number")?,
                state: r.try_get("state")?,
                class_code: r.try_get("class_code")?,
                lon: r.try_get("lon")?,
                lat: r.try_get("lat")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<std::result::Result<_, sea_orm::sqlx::Error>>()
        .map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_points_share_or_border_cells() {
        let a = cell(118.7901, 31.9801);
        assert_eq!(cell(118.7909, 31.9809), a, "same 0.001° square");
        assert_eq!(cell(118.7911, 31.9801), a + 1, "next column");
        assert_eq!(cell(118.7901, 31.9811), a + ROW, "next row");
    }

    #[test]
    fn the_cells_near_a_point_cover_its_radius() {
        let near = cells_near(118.7905, 31.9805, 50.0);
        assert!(near.len() <= 4, "50 m around a cell's centre stays in it and its neighbours: {near:?}");
        for (dx, dy) in [(0.0005, 0.0), (-0.0005, 0.0), (0.0, 0.00044), (0.0, -0.00044)] {
            assert!(near.contains(&cell(118.7905 + dx, 31.9805 + dy)), "({dx}, {dy})");
        }
        assert_eq!(cells_near(118.7905, 31.9805, 500.0).len(), 121, "11 × 11 cells for 500 m");
    }

    #[test]
    fn distances_are_metres() {
        let d = distance_m((118.79, 31.98), (118.79, 31.98045));
        assert!((d - 50.0).abs() < 0.5, "{d}");
    }
}
