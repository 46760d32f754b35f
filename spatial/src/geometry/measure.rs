//! Size and extent of grid boundaries.
//!
//! Areas are geodesic (on the WGS84 ellipsoid, Karney's method) because grid areas are reported to
//! supervisors in square metres and the standards size unit grids by area (about 10,000 m²); a planar
//! area in square degrees would be meaningless and a projected one would depend on the projection.

use geo::{BoundingRect, GeodesicArea, LineString, MultiPolygon, Polygon};

/// Geodesic area of one ring in m², regardless of its winding. Uploaded files wind rings both ways (RFC
/// 7946 asks for counter-clockwise outer rings, many tools write clockwise), so signs are not trusted.
fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    if ring.0.len() < 4 {
        return 0.0;
    }
    Polygon::new(ring.clone(), vec![]).geodesic_area_signed().abs()
}

/// Geodesic area of one polygon in m²: the outer ring minus its holes, whatever their winding.
pub(crate) fn polygon_area_m2(polygon: &Polygon<f64>) -> f64 {
    let holes: f64 = polygon.interiors().iter().map(ring_area_m2).sum();
    (ring_area_m2(polygon.exterior()) - holes).max(0.0)
}

/// Geodesic area in square metres (the sum over the parts, holes subtracted).
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter().map(polygon_area_m2).sum()
}

/// `(min_lon, min_lat, max_lon, max_lat)`, or `None` for a geometry without positions.
pub fn bbox(mp: &MultiPolygon<f64>) -> Option<(f64, f64, f64, f64)> {
    mp.bounding_rect().map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// A square of `side_deg` degrees with its south-west corner at (lon, lat), counter-clockwise.
    fn square(lon: f64, lat: f64, side_deg: f64) -> Polygon<f64> {
        polygon![(x: lon, y: lat), (x: lon + side_deg, y: lat), (x: lon + side_deg, y: lat + side_deg),
                 (x: lon, y: lat + side_deg), (x: lon, y: lat)]
    }

    #[test]
    fn area_of_a_hundred_metre_square_is_about_ten_thousand_m2() {
        // 0.001° of latitude ≈ 110.9 m; of longitude at 32° ≈ 94.5 m.
        let mp = MultiPolygon(vec![square(118.8, 32.0, 0.001)]);
        let area = area_m2(&mp);
        assert!((10_300.0..10_600.0).contains(&area), "{area}");
    }

    #[test]
    fn area_ignores_winding_and_subtracts_holes() {
        let ccw = square(118.8, 32.0, 0.01);
        let mut cw_ring = ccw.exterior().clone();
        cw_ring.0.reverse();
        let cw = Polygon::new(cw_ring, vec![]);
        let a_ccw = area_m2(&MultiPolygon(vec![ccw.clone()]));
        let a_cw = area_m2(&MultiPolygon(vec![cw]));
        assert!((a_ccw - a_cw).abs() < 1e-6, "{a_ccw} vs {a_cw}");

        let hole = square(118.802, 32.002, 0.002);
        let with_hole = Polygon::new(ccw.exterior().clone(), vec![hole.exterior().clone()]);
        let a_hole = area_m2(&MultiPolygon(vec![hole]));
        let a_with_hole = area_m2(&MultiPolygon(vec![with_hole]));
        assert!((a_with_hole - (a_ccw - a_hole)).abs() < 1e-3, "{a_with_hole}");
        assert!(a_hole > 0.0 && a_with_hole < a_ccw);
    }

    #[test]
    fn area_of_a_multipolygon_is_the_sum_of_its_parts() {
        let a = square(118.8, 32.0, 0.001);
        let b = square(118.9, 32.0, 0.001);
        let sum = area_m2(&MultiPolygon(vec![a.clone()])) + area_m2(&MultiPolygon(vec![b.clone()]));
        assert!((area_m2(&MultiPolygon(vec![a, b])) - sum).abs() < 1e-6);
        assert_eq!(area_m2(&MultiPolygon(vec![])), 0.0);
    }

    #[test]
    fn bbox_spans_all_parts() {
        let mp = MultiPolygon(vec![square(118.8, 32.0, 0.001), square(118.9, 31.5, 0.01)]);
        let (min_lon, min_lat, max_lon, max_lat) = bbox(&mp).unwrap();
        assert_eq!((min_lon, min_lat), (118.8, 31.5));
        assert!((max_lon - 118.91).abs() < 1e-12 && (max_lat - 32.001).abs() < 1e-12, "{max_lon} {max_lat}");
        assert_eq!(bbox(&MultiPolygon(vec![])), None);
    }
}
