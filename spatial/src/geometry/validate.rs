//! Is this boundary usable as a unit grid?
//!
//! A grid boundary is used for point-in-polygon lookups, area reports and overlap checks; each of those
//! silently gives wrong answers on a broken polygon (a bow-tie has two "insides", an unclosed ring is closed
//! somewhere the author did not draw). So an upload is rejected with a reason that says what is wrong and
//! where, in the numbering of the GeoJSON file: polygon `p` of a MultiPolygon, ring `r` of that polygon (ring
//! 0 = outer ring, rings 1.. = holes), position `k` of that ring.
//!
//! The topological rules (simple rings, holes inside the shell, parts not overlapping) are geo's
//! `Validation` (OGC simple features); this module adds the checks that only make sense for us (inside
//! China, non-zero area) and turns geo's error values into sentences with a location.

use super::measure::polygon_area_m2;
use crate::crs::check_lon_lat;
use geo::algorithm::line_intersection::{LineIntersection, line_intersection};
use geo::algorithm::validation::{InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};

/// Smallest area (m²) a polygon part may have. Anything smaller is a degenerate shape (collinear or
/// repeated points, a sliver from a digitising slip), never a real grid: unit grids are ~10,000 m².
pub const MIN_AREA_M2: f64 = 0.01;

/// Rings in GeoJSON order: the outer ring, then the holes.
fn rings(polygon: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(polygon.exterior()).chain(polygon.interiors())
}

/// geo's ring role as the GeoJSON ring number.
fn ring_number(role: RingRole) -> usize {
    match role {
        RingRole::Exterior => 0,
        RingRole::Interior(i) => i + 1,
    }
}

fn ring_at(polygon: &Polygon<f64>, ring: usize) -> Option<&LineString<f64>> {
    rings(polygon).nth(ring)
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
    mp.check_validation().map_err(|e| describe(mp, &e))?;
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

/// Turns geo's validation error into a sentence with polygon and ring numbers.
fn describe(mp: &MultiPolygon<f64>, err: &InvalidMultiPolygon) -> String {
    match err {
        InvalidMultiPolygon::InvalidPolygon(index, inner) => {
            let p = index.0;
            describe_polygon(mp.0.get(p), p, inner)
        }
        InvalidMultiPolygon::ElementsOverlaps(a, b) => format!("polygons {} and {} overlap", a.0, b.0),
        InvalidMultiPolygon::ElementsTouchOnALine(a, b) => {
            format!("polygons {} and {} share an edge; draw them as one polygon", a.0, b.0)
        }
    }
}

fn describe_polygon(polygon: Option<&Polygon<f64>>, p: usize, err: &InvalidPolygon) -> String {
    match err {
        InvalidPolygon::TooFewPointsInRing(role) => {
            format!("ring {} of polygon {p} has fewer than 3 distinct positions", ring_number(*role))
        }
        InvalidPolygon::SelfIntersection(role) => {
            let r = ring_number(*role);
            match polygon.and_then(|poly| ring_at(poly, r)).and_then(self_intersection_point) {
                Some(c) => format!("self-intersection near ({:.5}, {:.5}) in ring {r} of polygon {p}", c.x, c.y),
                None => format!("ring {r} of polygon {p} crosses or touches itself"),
            }
        }
        InvalidPolygon::NonFiniteCoord(role, index) => {
            format!("position {} of ring {} of polygon {p} is not a finite number", index.0, ring_number(*role))
        }
        InvalidPolygon::InteriorRingNotContainedInExteriorRing(role) => {
            format!("ring {} of polygon {p} is a hole that is not inside the outer ring", ring_number(*role))
        }
        InvalidPolygon::IntersectingRingsOnALine(a, b) => {
            format!("rings {} and {} of polygon {p} touch along a line", ring_number(*a), ring_number(*b))
        }
        InvalidPolygon::IntersectingRingsOnAnArea(a, b) => {
            format!("rings {} and {} of polygon {p} overlap", ring_number(*a), ring_number(*b))
        }
    }
}

/// Where a ring crosses or touches itself, found with the same rule geo's validation uses (two edges meet
/// and are not consecutive), so the location reported is the problem geo found. Quadratic, but only run
/// on a ring already known to be invalid.
fn self_intersection_point(ring: &LineString<f64>) -> Option<Coord<f64>> {
    let lines: Vec<_> = ring.lines().collect();
    for (i, a) in lines.iter().enumerate() {
        for b in lines.iter().skip(i + 1) {
            if a.start == b.end || a.end == b.start {
                continue;
            }
            match line_intersection(*a, *b) {
                Some(LineIntersection::SinglePoint { intersection, .. }) => return Some(intersection),
                Some(LineIntersection::Collinear { intersection }) => return Some(intersection.start),
                None => {}
            }
        }
    }
    None
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
    fn self_intersection_point_finds_nothing_on_a_simple_ring() {
        assert_eq!(self_intersection_point(square(118.8, 31.9, 0.01).exterior()), None);
    }
}
