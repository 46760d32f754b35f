//! Likely duplicates of a new report: open cases of the same class within a radius and a time
//! window (tenant setting `duplicates`; defaults 50 m and 72 hours). The search goes through the
//! coarse location cell of each case, so it looks only at the cases in the few cells the radius
//! touches, however many cases the county has; the cases themselves are held in memory by
//! [`crate::recent`].

use sea_orm::FromQueryResult;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::entity::case;

/// A likely duplicate of a new report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateHint {
    pub id: Uuid,
    pub number: String,
    pub state: String,
    /// Distance from the new report, in metres.
    pub distance_m: f64,
    /// Where the other case is (WGS84), to show both on a map.
    pub lon: f64,
    pub lat: f64,
}

/// The likely duplicates of a case the actor may see, by the county's rule as it is now: what
/// the supervision centre compares side by side before a merge (`merge` into the one kept).
/// Only an open case has any: a closed one is nobody's duplicate.
pub async fn of_case(
    db: &sea_orm::DatabaseConnection,
    recent: &crate::recent::RecentCases,
    scope: &tenancy::TenantScope,
    actor: &workflow::Actor,
    id: Uuid,
) -> kernel::Result<Vec<DuplicateHint>> {
    let row = crate::query::find_visible(db, scope, actor, id).await?;
    if !Nearby::from(&row).is_open() {
        return Ok(Vec::new());
    }
    let rule: DuplicateRule = crate::settings::get_of(db, row.tenant_id, DUPLICATES).await?.unwrap_or_default();
    let hints = recent.duplicates_of(&[(&row, rule)]).into_iter().next().unwrap_or_default();
    if hints.is_empty() {
        return Ok(hints);
    }
    // Only hints the actor may see themselves (a department does not learn of others' cases).
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    use tenancy::db::OrInternal;
    let ids: Vec<Uuid> = hints.iter().map(|h| h.id).collect();
    let seen: Vec<Uuid> = crate::query::visible(db, scope, actor, case::Entity::find())
        .await?
        .filter(case::Column::Id.is_in(ids))
        .select_only()
        .column(case::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .or_internal()?;
    Ok(hints.into_iter().filter(|h| seen.contains(&h.id)).collect())
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

/// The largest radius a county may set: 500 m already means 121 cells to look at.
pub const MAX_RADIUS_M: f64 = 500.0;
/// The longest window a county may set (30 days): how far back [`crate::recent`] keeps cases.
pub const MAX_WINDOW_HOURS: i64 = 720;

impl DuplicateRule {
    /// Every problem of the rule, by field.
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors = Vec::new();
        if !(self.radius_m.is_finite() && self.radius_m >= 1.0 && self.radius_m <= MAX_RADIUS_M) {
            errors.push(("radius_m".to_owned(), format!("must be between 1 and {MAX_RADIUS_M} metres")));
        }
        if !(1..=MAX_WINDOW_HOURS).contains(&self.window_hours) {
            errors.push(("window_hours".to_owned(), format!("must be between 1 and {MAX_WINDOW_HOURS} hours")));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
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

/// The cell of a WGS84 point: rows of latitude from −90°, columns of longitude from −180°. Cells
/// key the index of recent open cases ([`crate::recent`]).
pub(crate) fn cell(lon: f64, lat: f64) -> i64 {
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
pub(crate) fn cells_near(lon: f64, lat: f64, radius_m: f64) -> Vec<i64> {
    let [west, south, east, north] = around(lon, lat, radius_m);
    let (first, last) = (cell(west, south), cell(east, north));
    let (first_col, last_col) = (first.rem_euclid(ROW), last.rem_euclid(ROW));
    (first.div_euclid(ROW)..=last.div_euclid(ROW))
        .flat_map(|row| (first_col..=last_col).map(move |col| row * ROW + col))
        .collect()
}

/// What the duplicate search keeps of a stored case (not its description or projection).
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct Nearby {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub number: String,
    pub state: String,
    pub class_code: String,
    pub lon: f64,
    pub lat: f64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Nearby {
    /// The columns [`Nearby`] is read from.
    pub const COLUMNS: [case::Column; 9] = [
        case::Column::Id,
        case::Column::TenantId,
        case::Column::Number,
        case::Column::State,
        case::Column::ClassCode,
        case::Column::Lon,
        case::Column::Lat,
        case::Column::CreatedAt,
        case::Column::UpdatedAt,
    ];

    /// Whether the case is still open (a closed, rejected or voided case is nobody's duplicate).
    pub fn is_open(&self) -> bool {
        !matches!(self.state.as_str(), "closed" | "rejected" | "voided")
    }

    /// Its location cell.
    pub fn cell(&self) -> i64 {
        cell(self.lon, self.lat)
    }
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
            updated_at: m.updated_at,
        }
    }
}

/// The nearest likely duplicates of `c` among `candidates` (at most [`MAX_HINTS`]).
///
/// Most candidates lie in the cells the radius touches but outside the radius, so they are told
/// apart by the fields held in [`Nearby`] itself (id, place, time) before any of its strings is
/// read: each string is an allocation of its own, and reading one is a cache miss more than a
/// comparison. Strings are copied only for the hints returned.
pub(crate) fn nearest<'a>(
    c: &Nearby,
    rule: &DuplicateRule,
    candidates: impl Iterator<Item = &'a Nearby>,
) -> Vec<DuplicateHint> {
    if c.class_code.is_empty() {
        return Vec::new();
    }
    let since = c.created_at - chrono::Duration::hours(rule.window_hours);
    // The box around the radius, and 5 cm more: distances are rounded to 10 cm.
    let [west, south, east, north] = around(c.lon, c.lat, rule.radius_m + 0.05);
    let mut near: Vec<(f64, &Nearby)> = candidates
        .filter(|o| {
            o.id != c.id
                && (west..=east).contains(&o.lon)
                && (south..=north).contains(&o.lat)
                && o.created_at >= since
                && o.tenant_id == c.tenant_id
        })
        .filter_map(|o| {
            let d = (distance_m((c.lon, c.lat), (o.lon, o.lat)) * 10.0).round() / 10.0;
            (d <= rule.radius_m).then_some((d, o))
        })
        .filter(|(_, o)| o.class_code == c.class_code && o.is_open())
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    near.truncate(MAX_HINTS);
    near.into_iter()
        .map(|(d, o)| DuplicateHint {
            id: o.id,
            number: o.number.clone(),
            state: o.state.clone(),
            distance_m: d,
            lon: o.lon,
            lat: o.lat,
        })
        .collect()
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
    fn the_nearest_are_every_open_case_of_the_class_within_the_radius_and_window() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let now = chrono::Utc::now();
        let tenant = Uuid::now_v7();
        let rule = DuplicateRule { radius_m: 50.0, window_hours: 72 };
        let mut compared = 0;
        // Few candidates a round, so the nearest ten are all of them, out to the radius's edge.
        for _ in 0..200 {
            let new = Nearby {
                id: Uuid::now_v7(),
                tenant_id: tenant,
                number: String::new(),
                state: "reported".into(),
                class_code: "01001".into(),
                lon: 118.7905,
                lat: 31.9805,
                created_at: now,
                updated_at: now,
            };
            let others: Vec<Nearby> = (0..40)
                .map(|i| Nearby {
                    id: Uuid::now_v7(),
                    tenant_id: if i % 17 == 0 { Uuid::now_v7() } else { tenant },
                    number: format!("n{i}"),
                    state: ["reported", "dispatched", "closed"][i % 3].into(),
                    class_code: ["01001", "01002"][i % 2].into(),
                    lon: 118.7905 + rng.random_range(-0.0008..0.0008),
                    lat: 31.9805 + rng.random_range(-0.0007..0.0007),
                    created_at: now - chrono::Duration::hours(rng.random_range(0..100)),
                    updated_at: now,
                })
                .collect();
            // Without the box: every candidate measured.
            let mut expected: Vec<(f64, &Nearby)> = others
                .iter()
                .filter(|o| o.tenant_id == tenant && o.class_code == "01001" && o.is_open())
                .filter(|o| o.created_at >= now - chrono::Duration::hours(72))
                .map(|o| ((distance_m((new.lon, new.lat), (o.lon, o.lat)) * 10.0).round() / 10.0, o))
                .filter(|(d, _)| *d <= rule.radius_m)
                .collect();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0));
            expected.truncate(MAX_HINTS);
            compared += expected.len();
            let found = nearest(&new, &rule, others.iter());
            assert_eq!(
                found.iter().map(|h| (h.id, h.distance_m)).collect::<Vec<_>>(),
                expected.iter().map(|(d, o)| (o.id, *d)).collect::<Vec<_>>()
            );
        }
        assert!(compared > 300, "the samples should hold duplicates: {compared}");
    }

    #[test]
    fn distances_are_metres() {
        let d = distance_m((118.79, 31.98), (118.79, 31.98045));
        assert!((d - 50.0).abs() < 0.5, "{d}");
    }
}
