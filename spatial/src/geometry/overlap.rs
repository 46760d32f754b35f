//! Overlaps between grids of one frame.
//!
//! A grid frame must cover its area without overlaps, or a reported case would belong to two grids (and
//! two departments). Comparing every pair is quadratic (10⁵ grids → 5·10⁹ pairs), so candidates come from
//! an R-tree of bounding rectangles, and only pairs whose rectangles overlap in area go through the exact
//! (and comparatively slow) polygon intersection. Neighbours in a proper frame share edges: their
//! rectangles meet only along a line, so the common case never reaches the exact step.

use super::measure::area_m2;
use geo::{BooleanOps, BoundingRect, MultiPolygon, Rect};
use rstar::primitives::GeomWithData;
use rstar::{RTree, RTreeObject};

type Entry = GeomWithData<Rect<f64>, usize>;

/// Pairs `(i, j, overlap_m2)` with `i < j`, sorted, of boundaries whose intersection has a geodesic area
/// above `tolerance_m2`. Touching neighbours (shared edge or corner) have no overlapping area and are not
/// reported. Boundaries without positions are skipped.
pub fn overlaps(polys: &[MultiPolygon<f64>], tolerance_m2: f64) -> Vec<(usize, usize, f64)> {
    let entries: Vec<Entry> = polys
        .iter()
        .enumerate()
        .filter_map(|(i, mp)| mp.bounding_rect().map(|rect| GeomWithData::new(rect, i)))
        .collect();
    let tree = RTree::bulk_load(entries.clone());
    let mut found = Vec::new();
    for entry in &entries {
        let i = entry.data;
        let rect = entry.geom();
        for other in tree.locate_in_envelope_intersecting(&entry.envelope()) {
            let j = other.data;
            if j <= i || !rects_share_area(rect, other.geom()) {
                continue;
            }
            let overlap = area_m2(&polys[i].intersection(&polys[j]));
            if overlap > tolerance_m2 {
                found.push((i, j, overlap));
            }
        }
    }
    found.sort_by_key(|&(i, j, _)| (i, j));
    found
}

/// Whether two rectangles overlap with positive width and height. Polygons whose rectangles only touch
/// cannot overlap in area, so this is a safe filter before the exact intersection.
fn rects_share_area(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    let width = a.max().x.min(b.max().x) - a.min().x.max(b.min().x);
    let height = a.max().y.min(b.max().y) - a.min().y.max(b.min().y);
    width > 0.0 && height > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Polygon, polygon};

    fn square(lon: f64, lat: f64, side: f64) -> MultiPolygon<f64> {
        let p: Polygon<f64> = polygon![(x: lon, y: lat), (x: lon + side, y: lat), (x: lon + side, y: lat + side),
                                       (x: lon, y: lat + side), (x: lon, y: lat)];
        MultiPolygon(vec![p])
    }

    #[test]
    fn touching_neighbours_are_not_overlaps() {
        let polys = vec![square(118.8, 31.9, 0.001), square(118.801, 31.9, 0.001), square(118.801, 31.901, 0.001)];
        assert_eq!(overlaps(&polys, 0.0), vec![]);
    }

    #[test]
    fn an_overlap_is_reported_once_with_its_area() {
        let a = square(118.8, 31.9, 0.002);
        let b = square(118.801, 31.901, 0.002); // overlaps a quarter of a
        let c = square(118.9, 31.9, 0.001); // far away
        let quarter = area_m2(&square(118.801, 31.901, 0.001));
        let found = overlaps(&[c, a, b], 1.0);
        assert_eq!(found.len(), 1, "{found:?}");
        let (i, j, m2) = found[0];
        assert_eq!((i, j), (1, 2));
        assert!((m2 - quarter).abs() / quarter < 1e-3, "{m2} vs {quarter}");
    }

    #[test]
    fn the_tolerance_hides_slivers() {
        // 1e-6° ≈ 0.1 m wide sliver along a 110 m edge: about 10 m².
        let a = square(118.8, 31.9, 0.001);
        let b = square(118.800_999, 31.9, 0.001);
        let found = overlaps(&[a.clone(), b.clone()], 0.0);
        assert_eq!(found.len(), 1);
        assert!(found[0].2 > 5.0 && found[0].2 < 15.0, "{:?}", found);
        assert_eq!(overlaps(&[a, b], 50.0), vec![]);
    }

    #[test]
    fn a_grid_inside_another_and_an_empty_boundary() {
        let big = square(118.8, 31.9, 0.01);
        let small = square(118.802, 31.902, 0.001);
        let found = overlaps(&[MultiPolygon(vec![]), big, small.clone()], 1.0);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 2));
        assert!((found[0].2 - area_m2(&small)).abs() < 1.0);
    }

    #[test]
    fn results_are_sorted_by_pair() {
        let polys: Vec<_> = (0..4).map(|k| square(118.8 + f64::from(k) * 0.0005, 31.9, 0.001)).collect();
        let found: Vec<(usize, usize)> = overlaps(&polys, 0.0).into_iter().map(|(i, j, _)| (i, j)).collect();
        assert_eq!(found, vec![(0, 1), (1, 2), (2, 3)]);
    }
}
