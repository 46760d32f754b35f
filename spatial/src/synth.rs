//! Deterministic synthetic frames for the demo and for benchmarks (ChaCha8Rng seeded; same seed → same
//! output, on every platform).
//!
//! Real grid frames are government data that cannot ship with the product, yet the demo needs a city to
//! show and the benchmarks need 100,000 grids. The generator lays out square unit grids (about 100 m, the
//! size the standards recommend) that tile one rectangle exactly, in the same street → community → grid
//! hierarchy and code structure as a real frame, so every code path (code checks, overlap checks, lookup)
//! runs on it unchanged.
//!
//! Layout: every community is a `bw × bh` block of cells with `bw · bh = grids_per_community`. The blocks
//! fill a rectangle of block rows × block columns, visited column by column in a serpentine (down the
//! first column, up the second, ...), streets taking consecutive runs of blocks. Consecutive blocks always
//! share an edge, so every street is one connected area, and no block is left empty, so the frame is a
//! full rectangle. Cell corners are computed from integer cell indices, which makes the shared corners of
//! neighbouring cells bit-for-bit identical.

use crate::codes::COMMUNITY_CODE_LEN;
use geo::{BoundingRect, Contains, Coord, InteriorPoint, LineString, Polygon, Rect};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;

/// Largest 3-digit serial: the most grids per community, streets per county and communities per street.
pub const MAX_SERIAL_3: usize = 999;
/// Largest 6-digit component serial per class.
pub const MAX_COMPONENT_SERIAL: u32 = 999_999;

/// What to generate. Codes are not validated here: synthetic input is written by developers.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameSpec {
    /// 6-digit county code.
    pub county_code: String,
    /// North-west corner of the frame (WGS84).
    pub origin_lon: f64,
    pub origin_lat: f64,
    /// Edge of one square unit grid in metres (~100 m → ~10,000 m²).
    pub cell_m: f64,
    /// (9-digit code, name), in layout order.
    pub streets: Vec<(String, String)>,
    /// (12-digit code, name, street code), in layout order within each street.
    pub communities: Vec<(String, String, String)>,
    /// Grids per community, at most [`MAX_SERIAL_3`] (the serial has 3 digits); more are ignored.
    pub grids_per_community: usize,
}

impl FrameSpec {
    /// A frame of `streets` streets (codes county + 001, 002, ..., named 第1街道 ...) with
    /// `communities_per_street` communities each (street + 001, ..., named 第1社区 ...), each counted
    /// at most [`MAX_SERIAL_3`].
    pub fn numbered(
        county_code: &str,
        origin: (f64, f64),
        cell_m: f64,
        streets: usize,
        communities_per_street: usize,
        grids_per_community: usize,
    ) -> FrameSpec {
        let mut spec = FrameSpec {
            county_code: county_code.to_string(),
            origin_lon: origin.0,
            origin_lat: origin.1,
            cell_m,
            streets: Vec::new(),
            communities: Vec::new(),
            grids_per_community,
        };
        for s in 1..=streets.min(MAX_SERIAL_3) {
            let street_code = format!("{county_code}{s:03}");
            for c in 1..=communities_per_street.min(MAX_SERIAL_3) {
                spec.communities.push((
                    format!("{street_code}{c:03}"),
                    format!("第{s}街道第{c}社区"),
                    street_code.clone(),
                ));
            }
            spec.streets.push((street_code, format!("第{s}街道")));
        }
        spec
    }
}

/// The 100,000-grid frame of the point → grid benchmarks: 20 streets × 50 communities × 100 grids of
/// 100 m around Nanjing (a 40 km × 25 km rectangle). Kept here so the criterion bench and the PostGIS
/// comparison (`examples/gen_frame.rs`) measure exactly the same frame.
pub fn benchmark_spec() -> FrameSpec {
    FrameSpec::numbered("320106", (118.50, 32.30), 100.0, 20, 50, 100)
}

/// One generated unit grid.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthGrid {
    /// 15-digit grid code: community code + 3-digit serial.
    pub code: String,
    pub street_code: String,
    pub community_code: String,
    /// A square, counter-clockwise (RFC 7946 winding), corners shared exactly with its neighbours.
    pub polygon: Polygon<f64>,
}

/// Metres per degree of latitude and of longitude at `lat` (WGS84 series expansion, < 1 mm/° error).
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let m_lat = 111_132.92 - 559.82 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos() - 0.0023 * (6.0 * phi).cos();
    let m_lon = 111_412.84 * phi.cos() - 93.5 * (3.0 * phi).cos() + 0.118 * (5.0 * phi).cos();
    (m_lat, m_lon)
}

/// Rows × columns with `rows · cols = n` units of `unit_h × unit_w` cells each, choosing the divisor that
/// makes the whole as close to square as possible (ties go to fewer rows).
fn squarest_factor(n: usize, unit_h: usize, unit_w: usize) -> (usize, usize) {
    let mut best = (1, n);
    let mut best_gap = usize::MAX;
    for rows in 1..=n {
        if !n.is_multiple_of(rows) {
            continue;
        }
        let cols = n / rows;
        let gap = (rows * unit_h).abs_diff(cols * unit_w);
        if gap < best_gap {
            best = (rows, cols);
            best_gap = gap;
        }
    }
    best
}

/// Square cells tiling one rectangle with no gaps and no overlaps (adjacent cells share exact vertex
/// coordinates); each street a contiguous area, each community a rectangular sub-block of its street;
/// serials 001.. run west→east, north→south within a community. Streets without communities in
/// `communities`, and communities whose street is not in `streets`, get no grids.
pub fn frame(spec: &FrameSpec) -> Vec<SynthGrid> {
    let per_community = spec.grids_per_community.min(MAX_SERIAL_3);
    let ordered: Vec<(&str, &str)> = spec
        .streets
        .iter()
        .flat_map(|(street, _)| {
            spec.communities.iter().filter(move |c| &c.2 == street).map(move |c| (street.as_str(), c.0.as_str()))
        })
        .collect();
    if ordered.is_empty() || per_community == 0 || !spec.cell_m.is_finite() || spec.cell_m <= 0.0 {
        return Vec::new();
    }
    // A community block of bh rows × bw columns, then block rows × block columns.
    let (bh, bw) = squarest_factor(per_community, 1, 1);
    let (block_rows, _) = squarest_factor(ordered.len(), bh, bw);
    let total_rows = block_rows * bh;

    // Size cells for the frame's middle latitude so they are as square as possible over its height.
    let (m_lat0, _) = metres_per_degree(spec.origin_lat);
    let mid_lat = spec.origin_lat - (total_rows as f64 * spec.cell_m / m_lat0) / 2.0;
    let (m_lat, m_lon) = metres_per_degree(mid_lat);
    let (dlat, dlon) = (spec.cell_m / m_lat, spec.cell_m / m_lon);
    // Rounded to 1e-7° (1 cm) so the decimal text written to GeoJSON or WKT reads back as the same f64
    // with any correct parser (serde_json's default fast parser is only exact for such short decimals).
    let lon_at = |col: usize| round7(spec.origin_lon + col as f64 * dlon);
    let lat_at = |row: usize| round7(spec.origin_lat - row as f64 * dlat);

    let mut grids = Vec::with_capacity(ordered.len() * per_community);
    for (seq, (street, community)) in ordered.into_iter().enumerate() {
        let block_col = seq / block_rows;
        let down = seq % block_rows;
        let block_row = if block_col % 2 == 0 { down } else { block_rows - 1 - down };
        for k in 0..per_community {
            let row = block_row * bh + k / bw;
            let col = block_col * bw + k % bw;
            let (west, east, north, south) = (lon_at(col), lon_at(col + 1), lat_at(row), lat_at(row + 1));
            let ring =
                LineString::from(vec![(west, south), (east, south), (east, north), (west, north), (west, south)]);
            grids.push(SynthGrid {
                code: format!("{community}{:03}", k + 1),
                street_code: street.to_string(),
                community_code: community.to_string(),
                polygon: Polygon::new(ring, vec![]),
            });
        }
    }
    grids
}

/// One generated component (部件).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthComponent {
    /// 17-digit id: county + class + 6-digit serial.
    pub id: String,
    pub class_code: String,
    pub grid_code: String,
    pub lon: f64,
    pub lat: f64,
    pub status: &'static str,
}

/// Component statuses with their weights out of 100: most street furniture is intact.
const STATUS_WEIGHTS: [(&str, u32); 5] = [("完好", 88), ("破损", 5), ("丢失", 3), ("废弃", 2), ("移除", 2)];

fn pick_status(rng: &mut ChaCha8Rng) -> &'static str {
    let mut roll = rng.random_range(0..100u32);
    for (status, weight) in STATUS_WEIGHTS {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    STATUS_WEIGHTS[0].0
}

/// Rounds to 1e-7° (about 1 cm), the precision a surveyed component position carries.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// A point strictly inside `polygon` (not on its boundary, even after rounding): rejection sampling in the
/// central 90% of its bounding box, falling back to geo's interior point for shapes that sampling misses.
fn point_strictly_inside(polygon: &Polygon<f64>, rng: &mut ChaCha8Rng) -> Option<Coord<f64>> {
    let rect: Rect<f64> = polygon.bounding_rect()?;
    for _ in 0..64 {
        let x = round7(rect.min().x + (0.05 + 0.9 * rng.random::<f64>()) * rect.width());
        let y = round7(rect.min().y + (0.05 + 0.9 * rng.random::<f64>()) * rect.height());
        let c = Coord { x, y };
        if polygon.contains(&c) {
            return Some(c);
        }
    }
    polygon.interior_point().map(|p| p.0).filter(|c| polygon.contains(c))
}

/// `count` components spread over `grids` (points strictly inside their grid), classes drawn from
/// `classes` (5-digit codes), serials 000001.. unique per class, statuses mostly "完好" with some
/// "破损"/"丢失"/"废弃"/"移除". Deterministic for a given seed. Returns fewer than `count` only when
/// `grids` or `classes` is empty, or a class runs out of 6-digit serials.
pub fn components(
    county_code: &str,
    grids: &[SynthGrid],
    classes: &[&str],
    count: usize,
    seed: u64,
) -> Vec<SynthComponent> {
    let mut out = Vec::with_capacity(count);
    if grids.is_empty() || classes.is_empty() {
        return out;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut next_serial: HashMap<&str, u32> = HashMap::new();
    for _ in 0..count {
        let grid = &grids[rng.random_range(0..grids.len())];
        let class = classes[rng.random_range(0..classes.len())];
        let status = pick_status(&mut rng);
        let Some(point) = point_strictly_inside(&grid.polygon, &mut rng) else { continue };
        let serial = next_serial.entry(class).or_insert(0);
        if *serial >= MAX_COMPONENT_SERIAL {
            continue;
        }
        *serial += 1;
        out.push(SynthComponent {
            id: format!("{county_code}{class}{serial:06}"),
            class_code: class.to_string(),
            grid_code: grid.code.clone(),
            lon: point.x,
            lat: point.y,
            status,
        });
    }
    out
}

/// `count` points uniformly distributed over the bounding rectangle of `grids` (for a [`frame`], the frame
/// itself), deterministic for a seed. Empty when `grids` have no positions.
pub fn random_points(grids: &[SynthGrid], count: usize, seed: u64) -> Vec<(f64, f64)> {
    let Some(rect) = grids.iter().filter_map(|g| g.polygon.bounding_rect()).reduce(|a, b| {
        Rect::new(
            Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    }) else {
        return Vec::new();
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let x = rect.min().x + rng.random::<f64>() * rect.width();
            let y = rect.min().y + rng.random::<f64>() * rect.height();
            (x, y)
        })
        .collect()
}

/// The display name written for a synthetic grid.
fn grid_name(grid: &SynthGrid) -> String {
    format!("单元网格{}", grid.code.get(COMMUNITY_CODE_LEN..).unwrap_or(&grid.code))
}

/// Writes the grids as a GeoJSON FeatureCollection with properties {code, name, street_code,
/// community_code}, one feature per line, streamed (a 100,000-grid frame is never held as one JSON value).
pub fn write_grids_geojson(grids: &[SynthGrid], w: impl Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(w);
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, grid) in grids.iter().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let geometry = Value::Object(geojson::JsonObject::from(&geojson::Value::from(&grid.polygon)));
        let feature = json!({
            "type": "Feature",
            "properties": {
                "code": grid.code,
                "name": grid_name(grid),
                "street_code": grid.street_code,
                "community_code": grid.community_code,
            },
            "geometry": geometry,
        });
        serde_json::to_writer(&mut w, &feature)?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{area_m2, overlaps, parse_feature_collection, validate_polygon};
    use crate::index::GridIndex;
    use geo::MultiPolygon;
    use std::collections::{BTreeMap, HashSet, VecDeque};

    fn spec(streets: usize, communities: usize, grids: usize) -> FrameSpec {
        FrameSpec::numbered("320106", (118.70, 32.10), 100.0, streets, communities, grids)
    }

    fn corners(g: &SynthGrid) -> (f64, f64, f64, f64) {
        let r = g.polygon.bounding_rect().unwrap();
        (r.min().x, r.min().y, r.max().x, r.max().y)
    }

    #[test]
    fn numbered_spec_builds_hierarchical_codes() {
        let s = spec(2, 3, 4);
        assert_eq!(s.streets, vec![("320106001".into(), "第1街道".into()), ("320106002".into(), "第2街道".into())]);
        assert_eq!(s.communities.len(), 6);
        assert_eq!(s.communities[4], ("320106002002".into(), "第2街道第2社区".into(), "320106002".into()));
        for (code, _, street) in &s.communities {
            assert_eq!(crate::codes::check_child_code(code, 12, street, "community"), Ok(()));
        }
    }

    #[test]
    fn frame_has_one_grid_per_serial_with_valid_codes() {
        let grids = frame(&spec(3, 4, 6));
        assert_eq!(grids.len(), 3 * 4 * 6);
        let codes: HashSet<&str> = grids.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(codes.len(), grids.len());
        for g in &grids {
            let code = crate::codes::GridCode::parse(&g.code).unwrap();
            assert_eq!(code.community_code(), g.community_code);
            assert_eq!(code.street_code(), g.street_code);
            assert_eq!(validate_polygon(&MultiPolygon(vec![g.polygon.clone()])), Ok(()));
        }
        assert_eq!(grids[0].code, "320106001001001");
        assert_eq!(grids[5].code, "320106001001006");
        assert_eq!(grids[6].code, "320106001002001");
    }

    #[test]
    fn cells_are_about_the_requested_size() {
        let grids = frame(&spec(1, 1, 4));
        for g in &grids {
            let area = area_m2(&MultiPolygon(vec![g.polygon.clone()]));
            assert!((9_950.0..10_050.0).contains(&area), "{area}");
        }
        let (w, s, _, n) = corners(&grids[0]);
        assert!((w - 118.70).abs() < 1e-12 && (n - 32.10).abs() < 1e-12, "origin is the north-west corner");
        assert!(s < n);
    }

    #[test]
    fn frame_tiles_a_rectangle_without_gaps_or_overlaps() {
        let grids = frame(&spec(3, 5, 6)); // 15 communities of 2×3 cells
        let polys: Vec<MultiPolygon<f64>> = grids.iter().map(|g| MultiPolygon(vec![g.polygon.clone()])).collect();
        assert_eq!(overlaps(&polys, 0.0), vec![]);
        // Distinct corner values form a lattice: the cells fill cols × rows exactly.
        let xs: HashSet<u64> =
            grids.iter().flat_map(|g| g.polygon.exterior().0.iter().map(|c| c.x.to_bits())).collect();
        let ys: HashSet<u64> =
            grids.iter().flat_map(|g| g.polygon.exterior().0.iter().map(|c| c.y.to_bits())).collect();
        assert_eq!((xs.len() - 1) * (ys.len() - 1), grids.len(), "cols {} rows {}", xs.len() - 1, ys.len() - 1);
        // And every point of the rectangle is in some grid.
        let index =
            GridIndex::build(grids.iter().map(|g| (g.code.clone(), MultiPolygon(vec![g.polygon.clone()]))).collect());
        for (lon, lat) in random_points(&grids, 500, 7) {
            assert!(index.locate(lon, lat).is_some(), "gap at {lon},{lat}");
        }
    }

    #[test]
    fn serials_run_west_to_east_then_north_to_south() {
        let grids = frame(&spec(1, 1, 6)); // one community: 2 rows × 3 columns
        let c: Vec<_> = grids.iter().map(corners).collect();
        assert_eq!(c[0].1, c[1].1);
        assert_eq!(c[0].2, c[1].0); // 002 is east of 001, sharing the exact edge
        assert_eq!(c[1].2, c[2].0);
        assert_eq!(c[3].3, c[0].1); // 004 starts the next row, south of 001
        assert_eq!(c[3].0, c[0].0);
    }

    /// Cell (col, row) of every grid, from its north-west corner.
    fn cells(grids: &[SynthGrid]) -> Vec<(i64, i64)> {
        let (w0, _, e0, n0) = corners(&grids[0]);
        let (_, s0, _, _) = corners(&grids[0]);
        let (dx, dy) = (e0 - w0, n0 - s0);
        let west = grids.iter().map(|g| corners(g).0).fold(f64::INFINITY, f64::min);
        let north = grids.iter().map(|g| corners(g).3).fold(f64::NEG_INFINITY, f64::max);
        grids
            .iter()
            .map(|g| {
                let (w, _, _, n) = corners(g);
                (((w - west) / dx).round() as i64, ((north - n) / dy).round() as i64)
            })
            .collect()
    }

    fn connected(cells: &[(i64, i64)]) -> bool {
        let set: HashSet<(i64, i64)> = cells.iter().copied().collect();
        let mut seen = HashSet::from([cells[0]]);
        let mut queue = VecDeque::from([cells[0]]);
        while let Some((x, y)) = queue.pop_front() {
            for n in [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)] {
                if set.contains(&n) && seen.insert(n) {
                    queue.push_back(n);
                }
            }
        }
        seen.len() == set.len()
    }

    #[test]
    fn streets_and_communities_are_contiguous_even_with_uneven_counts() {
        let mut s = spec(3, 0, 4);
        // Street 1: 5 communities, street 2: 1, street 3: 3 → 9 blocks, serpentine runs cross block columns.
        for (street, n) in [("320106001", 5), ("320106002", 1), ("320106003", 3)] {
            for c in 1..=n {
                s.communities.push((format!("{street}{c:03}"), format!("社区{c}"), street.to_string()));
            }
        }
        let grids = frame(&s);
        assert_eq!(grids.len(), 9 * 4);
        let all = cells(&grids);
        let mut by_street: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
        let mut by_community: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
        for (g, cell) in grids.iter().zip(&all) {
            by_street.entry(&g.street_code).or_default().push(*cell);
            by_community.entry(&g.community_code).or_default().push(*cell);
        }
        assert_eq!(by_street.len(), 3);
        for (street, cells) in &by_street {
            assert!(connected(cells), "street {street} is split: {cells:?}");
        }
        for (community, cells) in &by_community {
            let (xs, ys): (Vec<i64>, Vec<i64>) = cells.iter().copied().unzip();
            let w = xs.iter().max().unwrap() - xs.iter().min().unwrap() + 1;
            let h = ys.iter().max().unwrap() - ys.iter().min().unwrap() + 1;
            assert_eq!((w * h) as usize, cells.len(), "community {community} is not a rectangle");
        }
    }

    #[test]
    fn streets_without_communities_and_orphan_communities_get_no_grids() {
        let mut s = spec(2, 0, 3);
        s.communities.push(("320106002001".into(), "社区".into(), "320106002".into()));
        s.communities.push(("320106009001".into(), "孤儿社区".into(), "320106009".into()));
        let grids = frame(&s);
        assert_eq!(grids.len(), 3);
        assert!(grids.iter().all(|g| g.street_code == "320106002"));
        assert!(frame(&spec(0, 0, 5)).is_empty());
        assert!(frame(&spec(2, 2, 0)).is_empty());
        let mut zero_cell = spec(1, 1, 1);
        zero_cell.cell_m = 0.0;
        assert!(frame(&zero_cell).is_empty());
    }

    #[test]
    fn grids_per_community_is_capped_at_the_serial_width() {
        let grids = frame(&spec(1, 1, 1_200));
        assert_eq!(grids.len(), MAX_SERIAL_3);
        assert_eq!(grids.last().unwrap().code, "320106001001999");
    }

    #[test]
    fn benchmark_spec_describes_100_000_grids() {
        let spec = benchmark_spec();
        assert_eq!(spec.streets.len(), 20);
        assert_eq!(spec.communities.len(), 1_000);
        assert_eq!(spec.streets.len() * 50 * spec.grids_per_community, 100_000);
        assert_eq!(spec.cell_m, 100.0);
    }

    #[test]
    fn frame_is_deterministic() {
        assert_eq!(frame(&spec(2, 3, 7)), frame(&spec(2, 3, 7)));
    }

    #[test]
    fn components_lie_strictly_inside_their_grid_with_unique_ids() {
        let grids = frame(&spec(2, 2, 9));
        let classes = ["01001", "01037", "03005"];
        let comps = components("320106", &grids, &classes, 500, 42);
        assert_eq!(comps.len(), 500);
        let by_code: HashMap<&str, &SynthGrid> = grids.iter().map(|g| (g.code.as_str(), g)).collect();
        let mut ids = HashSet::new();
        for c in &comps {
            let id = crate::codes::ComponentId::parse(&c.id).unwrap();
            assert_eq!(id.county_code(), "320106");
            assert_eq!(id.class_code(), c.class_code);
            assert!(classes.contains(&c.class_code.as_str()));
            assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
            let grid = by_code[c.grid_code.as_str()];
            assert!(grid.polygon.contains(&Coord { x: c.lon, y: c.lat }), "{} not inside {}", c.id, c.grid_code);
        }
        // Serials per class run 000001.. without gaps.
        for class in classes {
            let n = comps.iter().filter(|c| c.class_code == class).count();
            assert!(comps.iter().any(|c| c.id == format!("320106{class}{n:06}")));
        }
    }

    #[test]
    fn component_statuses_are_mostly_intact_with_every_other_status_present() {
        let grids = frame(&spec(1, 1, 4));
        let comps = components("320106", &grids, &["01001"], 2_000, 1);
        let count = |s: &str| comps.iter().filter(|c| c.status == s).count();
        assert!(count("完好") > 1_600, "{}", count("完好"));
        for s in ["破损", "丢失", "废弃", "移除"] {
            assert!(count(s) > 0, "{s} missing");
        }
        assert_eq!(comps.iter().map(|c| c.status).filter(|s| !STATUS_WEIGHTS.iter().any(|w| w.0 == *s)).count(), 0);
    }

    #[test]
    fn components_are_deterministic_per_seed() {
        let grids = frame(&spec(1, 2, 4));
        let a = components("320106", &grids, &["01001", "02014"], 50, 9);
        assert_eq!(a, components("320106", &grids, &["01001", "02014"], 50, 9));
        assert_ne!(a, components("320106", &grids, &["01001", "02014"], 50, 10));
        assert!(components("320106", &[], &["01001"], 5, 1).is_empty());
        assert!(components("320106", &grids, &[], 5, 1).is_empty());
    }

    #[test]
    fn random_points_cover_the_frame_deterministically() {
        let grids = frame(&spec(1, 2, 4));
        let pts = random_points(&grids, 100, 3);
        assert_eq!(pts.len(), 100);
        assert_eq!(pts, random_points(&grids, 100, 3));
        let index =
            GridIndex::build(grids.iter().map(|g| (g.code.clone(), MultiPolygon(vec![g.polygon.clone()]))).collect());
        let hit: HashSet<&String> = pts.iter().filter_map(|&(x, y)| index.locate(x, y)).collect();
        assert_eq!(hit.len(), grids.len(), "100 points should touch all 8 grids");
        assert!(random_points(&[], 10, 1).is_empty());
    }

    #[test]
    fn written_geojson_parses_back_into_the_same_grids() {
        let grids = frame(&spec(2, 2, 4));
        let mut buf = Vec::new();
        write_grids_geojson(&grids, &mut buf).unwrap();
        let features = parse_feature_collection(&buf).unwrap();
        assert_eq!(features.len(), grids.len());
        for (grid, f) in grids.iter().zip(features) {
            let f = f.unwrap();
            assert_eq!(f.properties["code"], json!(grid.code));
            assert_eq!(f.properties["street_code"], json!(grid.street_code));
            assert_eq!(f.properties["community_code"], json!(grid.community_code));
            assert!(f.properties["name"].as_str().unwrap().starts_with("单元网格"));
            assert_eq!(f.geometry, MultiPolygon(vec![grid.polygon.clone()]), "coordinates must survive exactly");
        }
        let mut empty = Vec::new();
        write_grids_geojson(&[], &mut empty).unwrap();
        assert_eq!(parse_feature_collection(&empty).unwrap().len(), 0);
    }

    #[test]
    fn squarest_factor_prefers_square_shapes() {
        assert_eq!(squarest_factor(100, 1, 1), (10, 10));
        assert_eq!(squarest_factor(7, 1, 1), (1, 7));
        assert_eq!(squarest_factor(1000, 10, 10).0 * squarest_factor(1000, 10, 10).1, 1000);
        assert_eq!(squarest_factor(6, 2, 3), (3, 2)); // 3 rows of 2 cells = 6 = 2 columns of 3 cells
    }
}
