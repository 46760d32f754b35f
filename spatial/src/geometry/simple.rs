//! Does a ring cross or touch itself? An indexed segment test.
//!
//! geo's `Validation` compares every edge of a ring with every other edge, which is quadratic in the
//! vertex count: a 100,000-vertex ring took over two minutes and held an HTTP worker all the while. Here
//! the edges go into an R-tree (bulk-loaded, O(n log n)) and each edge is tested only against the edges
//! whose bounding boxes meet its own, which for any drawn boundary is a handful.
//!
//! The rule is geo's, so the answers do not change: two edges of a ring conflict when they intersect
//! (a point or a collinear overlap) and are not consecutive (one does not end where the other starts,
//! which also covers the closing edge meeting the first).

use geo::algorithm::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, LineString};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

type IndexedEdge = GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, usize>;

/// Where the ring first conflicts with itself: the earliest edge `i` (in ring order) that meets a later
/// edge `j`, the smallest such `j`, and a point of their intersection. `None` for a simple ring.
pub(crate) fn first_self_intersection(ring: &LineString<f64>) -> Option<Coord<f64>> {
    let lines: Vec<Line<f64>> = ring.lines().collect();
    let tree: RTree<IndexedEdge> = RTree::bulk_load(
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| GeomWithData::new(rstar::primitives::Rectangle::from(envelope(l)), i))
            .collect(),
    );
    for (i, a) in lines.iter().enumerate() {
        let mut hit: Option<(usize, Coord<f64>)> = None;
        for candidate in tree.locate_in_envelope_intersecting(&envelope(a)) {
            let j = candidate.data;
            if j <= i || hit.is_some_and(|(best, _)| best < j) {
                continue;
            }
            let b = &lines[j];
            if a.start == b.end || a.end == b.start {
                continue;
            }
            let point = match line_intersection(*a, *b) {
                Some(LineIntersection::SinglePoint { intersection, .. }) => intersection,
                Some(LineIntersection::Collinear { intersection }) => intersection.start,
                None => continue,
            };
            hit = Some((j, point));
        }
        if let Some((_, point)) = hit {
            return Some(point);
        }
    }
    None
}

fn envelope(l: &Line<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quadratic rule this module replaces, kept as the oracle.
    fn brute_force(ring: &LineString<f64>) -> Option<Coord<f64>> {
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

    /// A regular n-gon around (118.8, 31.9), closed.
    fn circle(n: usize, radius: f64) -> LineString<f64> {
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                let t = k as f64 / n as f64 * std::f64::consts::TAU;
                (118.8 + radius * t.cos(), 31.9 + radius * t.sin())
            })
            .collect();
        pts.push(pts[0]);
        LineString::from(pts)
    }

    #[test]
    fn agrees_with_the_quadratic_rule_on_simple_and_broken_rings() {
        let simple = circle(500, 0.01);
        assert_eq!(first_self_intersection(&simple), None);
        assert_eq!(brute_force(&simple), None);

        // Swap two vertices on opposite sides: the ring now crosses itself in several places, and the
        // first crossing in ring order must be the one the quadratic rule reports.
        let mut broken = simple.0.clone();
        broken.swap(10, 260);
        let broken = LineString::from(broken);
        assert!(brute_force(&broken).is_some());
        assert_eq!(first_self_intersection(&broken), brute_force(&broken));

        // A spike back along the previous edge: collinear overlap of non-consecutive edges.
        let spike = LineString::from(vec![
            (118.8, 31.9),
            (118.81, 31.9),
            (118.81, 31.91),
            (118.805, 31.91),
            (118.815, 31.91),
            (118.8, 31.92),
            (118.8, 31.9),
        ]);
        assert_eq!(first_self_intersection(&spike), brute_force(&spike));
    }

    #[test]
    fn a_hundred_thousand_vertex_ring_is_checked() {
        // Behaviour only (it finishes, and correctly); the timing is in benches/validate.rs.
        let ring = circle(100_000, 0.01);
        assert_eq!(first_self_intersection(&ring), None);
        let mut broken = ring.0.clone();
        broken.swap(1_000, 51_000);
        assert!(first_self_intersection(&LineString::from(broken)).is_some());
    }
}
