//! Is this boundary usable as a unit grid?
//!
//! A grid boundary is used for point-in-polygon lookups, area reports and overlap checks; each of those
//! silently gives wrong answers on a broken polygon (a bow-tie has two "insides", an unclosed ring is closed
//! somewhere the author did not draw). So an upload is rejected with a reason that says what is wrong and
//! where, in the numbering of the GeoJSON file: polygon `p` of a MultiPolygon, ring `r` of that polygon (ring
//! 0 = outer ring, rings 1.. = holes), position `k` of that ring.
//!
//! The topological rules (simple rings, holes inside the shell, parts not overlapping) are those of geo's
//! `Validation` (OGC simple features), applied here in the same order with the same predicates, except that
//! the simple-ring test is the indexed one in [`super::simple`]: geo's compares every edge with every other
//! edge, and a 100,000-vertex ring took minutes. Holes and parts are compared with geo's `relate`, which is
//! R-tree based. This module adds the checks that only make sense for us (inside China, non-zero area)
//! and writes each problem as a sentence with a location.

use super::measure::polygon_area_m2;
use super::simple::first_self_intersection;
use crate::crs::check_lon_lat;
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::{LineString, MultiPolygon, Polygon, PreparedGeometry, Relate, RemoveRepeatedPoints};

/// Smallest area (m²) a polygon part may have. Anything smaller is a degenerate shape (collinear or
/// repeated points, a sliver from a digitising slip), never a real grid: unit grids are ~10,000 m².
pub const MIN_AREA_M2: f64 = 0.01;

/// Rings in GeoJSON order: the outer ring, then the holes.
fn rings(polygon: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(polygon.exterior()).chain(polygon.interiors())
}

/// Checks a boundary before it is stored: closed rings (first == last) with ≥ 4 positions, finite
/// coordinates inside `CHINA_BBOX`, valid per geo's `Validation` (no self-intersection, holes inside their
/// shell, parts not overlapping or sharing edges), and non-zero area. The first problem found is reported,
/// e.g. "ring 0 of polygon 0 is not closed" or "self-intersection near (118.80000, 31.90000) in ring 0 of
/// polygon 0".
pub fn validate_polygon(mp: &MultiPolygon<f64>) -> Result<(), String> {
    if mp.0.is_empty() {
        return Err("the geometry has no polygons".to_string());
    }
    for (p, polygon) in mp.0.iter().enumerate() {
        for (r, ring) in rings(polygon).enumerate() {
            check_ring_shape(ring, r, p)?;
        }
    }
    check_topology(mp)?;
    for (p, polygon) in mp.0.iter().enumerate() {
        if planar_area_m2(polygon) < MIN_AREA_M2 || polygon_area_m2(polygon) < MIN_AREA_M2 {
            return Err(format!("polygon {p} has no area: its positions lie on a line or repeat"));
        }
    }
    Ok(())
}

/// Area in m² from the planar (shoelace) area in square degrees, scaled at the polygon's latitude.
///
/// Used next to the geodesic area for the degenerate-shape check: positions on one parallel are collinear
/// in longitude/latitude (zero planar area), but the geodesics between them bow towards the pole, so the
/// geodesic area of such a "polygon" is a few square metres rather than zero.
fn planar_area_m2(polygon: &Polygon<f64>) -> f64 {
    let shoelace = |ring: &LineString<f64>| {
        ring.lines().map(|l| l.start.x * l.end.y - l.end.x * l.start.y).sum::<f64>().abs() / 2.0
    };
    let deg2 = shoelace(polygon.exterior()) - polygon.interiors().iter().map(shoelace).sum::<f64>();
    let lat = polygon.exterior().0.first().map_or(0.0, |c| c.y);
    let m_per_deg = 111_320.0;
    deg2 * m_per_deg * m_per_deg * lat.to_radians().cos()
}

/// Closed, long enough, and every position a plausible Chinese longitude/latitude.
fn check_ring_shape(ring: &LineString<f64>, r: usize, p: usize) -> Result<(), String> {
    let n = ring.0.len();
    if n < 4 {
        return Err(format!("ring {r} of polygon {p} has {n} positions; a closed ring needs at least 4"));
    }
    if ring.0.first() != ring.0.last() {
        return Err(format!("ring {r} of polygon {p} is not closed: its last position must repeat its first"));
    }
    for (k, c) in ring.0.iter().enumerate() {
        check_lon_lat(c.x, c.y).map_err(|e| format!("position {k} of ring {r} of polygon {p}: {e}"))?;
    }
    Ok(())
}

/// geo's `Validation` rules for a MultiPolygon, first problem first: per polygon, each ring has ≥ 3
/// distinct positions and is simple, holes lie inside the shell touching it (and each other) at points
/// only, then this polygon against every later one: no shared area, no shared edge.
fn check_topology(mp: &MultiPolygon<f64>) -> Result<(), String> {
    for (p, polygon) in mp.0.iter().enumerate() {
        check_polygon(polygon, p)?;
        for (q, other) in mp.0.iter().enumerate().skip(p + 1) {
            let im = polygon.relate(other);
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                return Err(format!("polygons {p} and {q} overlap"));
            }
            if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                return Err(format!("polygons {p} and {q} share an edge; draw them as one polygon"));
            }
        }
    }
    Ok(())
}

fn check_polygon(polygon: &Polygon<f64>, p: usize) -> Result<(), String> {
    for (r, ring) in rings(polygon).enumerate() {
        if ring.remove_repeated_points().0.len() < 4 {
            return Err(format!("ring {r} of polygon {p} has fewer than 3 distinct positions"));
        }
        if let Some(c) = first_self_intersection(ring) {
            return Err(format!("self-intersection near ({:.5}, {:.5}) in ring {r} of polygon {p}", c.x, c.y));
        }
    }
    if polygon.interiors().is_empty() {
        return Ok(());
    }
    let shell = Polygon::new(polygon.exterior().clone(), vec![]);
    let shell = PreparedGeometry::from(&shell);
    let holes: Vec<Polygon<f64>> = polygon.interiors().iter().map(|h| Polygon::new(h.clone(), vec![])).collect();
    for (h, hole) in holes.iter().enumerate() {
        let r = h + 1;
        let prepared = PreparedGeometry::from(hole);
        let im = shell.relate(&prepared);
        if !im.is_contains() {
            return Err(format!("ring {r} of polygon {p} is a hole that is not inside the outer ring"));
        }
        if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            return Err(format!("rings 0 and {r} of polygon {p} touch along a line"));
        }
        for (k, other) in holes.iter().enumerate().skip(h + 1) {
            let im = prepared.relate(other);
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                return Err(format!("rings {r} and {} of polygon {p} overlap", k + 1));
            }
            if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                return Err(format!("rings {r} and {} of polygon {p} touch along a line", k + 1));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, polygon};

    fn square(lon: f64, lat: f64, side: f64) -> Polygon<f64> {
        polygon![(x: lon, y: lat), (x: lon + side, y: lat), (x: lon + side, y: lat + side),
                 (x: lon, y: lat + side), (x: lon, y: lat)]
    }

    fn mp(polys: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
        MultiPolygon(polys)
    }

    #[test]
    fn a_plain_square_is_valid() {
        assert_eq!(validate_polygon(&mp(vec![square(118.8, 31.9, 0.001)])), Ok(()));
    }

    #[test]
    fn a_square_with_a_hole_and_a_separate_part_is_valid() {
        let outer = square(118.8, 31.9, 0.01);
        let hole = square(118.802, 31.902, 0.002);
        let with_hole = Polygon::new(outer.exterior().clone(), vec![hole.exterior().clone()]);
        assert_eq!(validate_polygon(&mp(vec![with_hole, square(118.9, 31.9, 0.001)])), Ok(()));
    }

    #[test]
    fn an_empty_multipolygon_is_rejected() {
        assert_eq!(validate_polygon(&mp(vec![])), Err("the geometry has no polygons".to_string()));
    }

    #[test]
    fn a_bow_tie_reports_where_it_crosses() {
        // (118.8, 31.9) → (118.81, 31.91) → (118.81, 31.9) → (118.8, 31.91): edges cross at the centre.
        let bow = Polygon::new(
            LineString::from(vec![(118.8, 31.9), (118.81, 31.91), (118.81, 31.9), (118.8, 31.91), (118.8, 31.9)]),
            vec![],
        );
        assert_eq!(
            validate_polygon(&mp(vec![bow])),
            Err("self-intersection near (118.80500, 31.90500) in ring 0 of polygon 0".to_string())
        );
    }

    #[test]
    fn too_few_positions_are_rejected() {
        // geo's Polygon::new closes rings, so a 2-point input becomes 3 positions.
        let thin = Polygon::new(LineString::from(vec![(118.8, 31.9), (118.81, 31.9)]), vec![]);
        let err = validate_polygon(&mp(vec![thin])).unwrap_err();
        assert_eq!(err, "ring 0 of polygon 0 has 3 positions; a closed ring needs at least 4");
    }

    #[test]
    fn repeated_positions_are_too_few_distinct_points() {
        let ring = LineString::from(vec![(118.8, 31.9), (118.81, 31.9), (118.81, 31.9), (118.8, 31.9)]);
        let err = validate_polygon(&mp(vec![Polygon::new(ring, vec![])])).unwrap_err();
        assert_eq!(err, "ring 0 of polygon 0 has fewer than 3 distinct positions");
    }

    #[test]
    fn collinear_positions_have_no_area() {
        let ring = LineString::from(vec![(118.8, 31.9), (118.81, 31.9), (118.82, 31.9), (118.8, 31.9)]);
        let err = validate_polygon(&mp(vec![Polygon::new(ring, vec![])])).unwrap_err();
        assert_eq!(err, "polygon 0 has no area: its positions lie on a line or repeat");
        // A real but tiny triangle (about 0.5 m²) passes.
        let tiny = LineString::from(vec![(118.8, 31.9), (118.80001, 31.9), (118.80001, 31.90001), (118.8, 31.9)]);
        assert_eq!(validate_polygon(&mp(vec![Polygon::new(tiny, vec![])])), Ok(()));
    }

    #[test]
    fn positions_outside_china_name_the_position() {
        let err = validate_polygon(&mp(vec![square(31.9, 118.8, 0.001)])).unwrap_err();
        assert!(err.starts_with("position 0 of ring 0 of polygon 0: longitude 31.9 is outside China"), "{err}");
        let nan = Polygon::new(
            LineString::from(vec![(118.8, 31.9), (f64::NAN, 31.9), (118.81, 31.91), (118.8, 31.9)]),
            vec![],
        );
        let err = validate_polygon(&mp(vec![nan])).unwrap_err();
        assert_eq!(err, "position 1 of ring 0 of polygon 0: longitude NaN is not a finite number");
    }

    #[test]
    fn a_hole_outside_its_shell_is_rejected() {
        let outer = square(118.8, 31.9, 0.01);
        let stray = square(118.9, 31.9, 0.001);
        let poly = Polygon::new(outer.exterior().clone(), vec![stray.exterior().clone()]);
        assert_eq!(
            validate_polygon(&mp(vec![poly])),
            Err("ring 1 of polygon 0 is a hole that is not inside the outer ring".to_string())
        );
    }

    #[test]
    fn overlapping_holes_are_rejected() {
        let outer = square(118.8, 31.9, 0.01);
        let h1 = square(118.801, 31.901, 0.004);
        let h2 = square(118.803, 31.903, 0.004);
        let poly = Polygon::new(outer.exterior().clone(), vec![h1.exterior().clone(), h2.exterior().clone()]);
        assert_eq!(validate_polygon(&mp(vec![poly])), Err("rings 1 and 2 of polygon 0 overlap".to_string()));
    }

    #[test]
    fn overlapping_and_edge_sharing_parts_are_rejected() {
        let a = square(118.8, 31.9, 0.01);
        let b = square(118.805, 31.905, 0.01);
        assert_eq!(validate_polygon(&mp(vec![a.clone(), b])), Err("polygons 0 and 1 overlap".to_string()));
        let neighbour = square(118.81, 31.9, 0.01);
        let err = validate_polygon(&mp(vec![a, neighbour])).unwrap_err();
        assert!(err.starts_with("polygons 0 and 1 share an edge"), "{err}");
    }

    #[test]
    fn a_hundred_thousand_vertex_ring_validates() {
        // Behaviour only (it finishes, with the right answer); the timing is in benches/validate.rs.
        let n = 100_000;
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                let t = k as f64 / n as f64 * std::f64::consts::TAU;
                (118.8 + 0.01 * t.cos(), 31.9 + 0.01 * t.sin())
            })
            .collect();
        pts.push(pts[0]);
        let ring = LineString::from(pts.clone());
        let hole = square(118.799, 31.899, 0.002);
        let poly = Polygon::new(ring, vec![hole.exterior().clone()]);
        assert_eq!(validate_polygon(&mp(vec![poly])), Ok(()));
        pts.swap(10, 50_010);
        let err = validate_polygon(&mp(vec![Polygon::new(LineString::from(pts), vec![])])).unwrap_err();
        assert!(err.starts_with("self-intersection near ("), "{err}");
    }
}
