//! Point → grid lookup, the hottest spatial operation of the platform: every reported case, every
//! collector's position fix and every imported component is assigned to the unit grid it lies in.
//!
//! Doing it in process instead of in PostGIS keeps it off the database and makes it work the same on the
//! embedded SQLite backend. An rstar 0.12 R-tree (the version geo-types implements `RTreeObject` for) holds
//! one bounding rectangle per polygon part, bulk-loaded for a well-balanced tree; the few rectangles that
//! contain the point are then checked exactly, by winding number with geo's robust orientation test, on
//! rings copied into one flat coordinate arena (see `Part` for why).
//!
//! A point exactly on an edge shared by two grids belongs to both geometrically; it is given to the item
//! that came first in `build`'s input, so the answer never depends on R-tree traversal order.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Point, Rect};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use std::ops::Range;

/// Where one polygon part lives in the coordinate arena, and which item it belongs to.
///
/// The rings are copied out of the `MultiPolygon`s into one contiguous arena so that the exact check after
/// the R-tree reads the outer ring with a single memory access; following `MultiPolygon → Vec<Polygon> →
/// LineString` pointers costs a cache miss each and, at 10⁵ grids, more than the point-in-polygon maths.
#[derive(Debug, Clone, PartialEq)]
struct Part {
    item: usize,
    exterior: Range<usize>,
    /// Range into `GridIndex::holes`.
    holes: Range<usize>,
}

/// One polygon part's bounding rectangle in the R-tree.
type Entry = GeomWithData<Rect<f64>, Part>;

/// Where a point is relative to a ring or polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Inside,
    OnBoundary,
    Outside,
}

/// An immutable point → grid index over items of type `T` (a grid code, an id, a whole record...).
#[derive(Debug, Clone)]
pub struct GridIndex<T> {
    items: Vec<T>,
    /// Every ring of every part, back to back (each ring closed, as geo keeps them).
    coords: Vec<Coord<f64>>,
    /// Coordinate ranges of the holes; a part's `holes` range indexes this.
    holes: Vec<Range<usize>>,
    tree: RTree<Entry>,
}

impl<T> GridIndex<T> {
    /// Builds the index. Items keep their order: ties on shared edges go to the earlier item. Items with
    /// an empty geometry are kept (they count in `len`) but can never be found.
    pub fn build(items: Vec<(T, MultiPolygon<f64>)>) -> Self {
        let mut coords = Vec::new();
        let mut holes = Vec::new();
        let mut entries = Vec::new();
        let mut kept = Vec::with_capacity(items.len());
        for (item, (value, mp)) in items.into_iter().enumerate() {
            for polygon in &mp.0 {
                let Some(rect) = polygon.bounding_rect() else { continue };
                let exterior = push_ring(&mut coords, polygon.exterior());
                let first_hole = holes.len();
                for hole in polygon.interiors() {
                    holes.push(push_ring(&mut coords, hole));
                }
                entries.push(GeomWithData::new(rect, Part { item, exterior, holes: first_hole..holes.len() }));
            }
            kept.push(value);
        }
        GridIndex { items: kept, coords, holes, tree: RTree::bulk_load(entries) }
    }

    /// The item whose boundary contains (or, on an edge, touches) the WGS84 point, or `None` when the point
    /// is in no grid or is not finite.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<&T> {
        self.locate_index(lon, lat).and_then(|i| self.items.get(i))
    }

    /// Like [`GridIndex::locate`], but returns the item's position in `build`'s input.
    pub fn locate_index(&self, lon: f64, lat: f64) -> Option<usize> {
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        let point = Coord { x: lon, y: lat };
        let mut best: Option<usize> = None;
        for entry in self.tree.locate_in_envelope_intersecting(&AABB::from_point(Point(point))) {
            let part = &entry.data;
            if best.is_some_and(|b| b <= part.item) {
                continue; // an earlier item already holds the point; the tie rule keeps it
            }
            if self.part_position(part, point) != Position::Outside {
                best = Some(part.item);
            }
        }
        best
    }

    /// Point versus one polygon part: inside the outer ring and not strictly inside a hole.
    fn part_position(&self, part: &Part, point: Coord<f64>) -> Position {
        let exterior = self.coords.get(part.exterior.clone()).unwrap_or(&[]);
        match ring_position(exterior, point) {
            Position::Inside => {}
            other => return other,
        }
        for hole in self.holes.get(part.holes.clone()).unwrap_or(&[]) {
            match ring_position(self.coords.get(hole.clone()).unwrap_or(&[]), point) {
                Position::Inside => return Position::Outside,
                Position::OnBoundary => return Position::OnBoundary,
                Position::Outside => {}
            }
        }
        Position::Inside
    }

    /// The item at position `i` of `build`'s input.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.items.get(i)
    }

    /// The bounding rectangle (`[min_lon, min_lat, max_lon, max_lat]`) of every polygon part, in
    /// no particular order: enough to draw the frame's silhouette ([`crate::outline`]).
    pub fn envelopes(&self) -> impl Iterator<Item = [f64; 4]> + '_ {
        self.tree.iter().map(|e| {
            let (min, max) = (e.geom().min(), e.geom().max());
            [min.x, min.y, max.x, max.y]
        })
    }

    /// Number of items (including any with an empty geometry).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Appends a ring to the arena and returns where it went.
fn push_ring(coords: &mut Vec<Coord<f64>>, ring: &LineString<f64>) -> Range<usize> {
    let start = coords.len();
    coords.extend_from_slice(&ring.0);
    start..coords.len()
}

/// Point versus a closed ring, by winding number with exact orientation tests (geo's `RobustKernel`),
/// so points on an edge are detected exactly rather than falling either side by rounding. This is the
/// same rule set as geo's `coord_pos_relative_to_ring`, on a slice of the arena instead of a `LineString`.
fn ring_position(ring: &[Coord<f64>], c: Coord<f64>) -> Position {
    if let [only] = ring {
        return if *only == c { Position::OnBoundary } else { Position::Outside };
    }
    let mut winding = 0i32;
    for edge in ring.windows(2) {
        let (a, b) = (edge[0], edge[1]);
        // An upward edge includes its start and excludes its end, a downward edge the reverse, horizontal
        // edges only count for the boundary test; crossings must be strictly right of the point.
        if a.y <= c.y {
            if b.y >= c.y {
                let o = RobustKernel::orient2d(a, b, c);
                if o == Orientation::CounterClockwise && b.y != c.y {
                    winding += 1;
                } else if o == Orientation::Collinear && between(c.x, a.x, b.x) {
                    return Position::OnBoundary;
                }
            }
        } else if b.y <= c.y {
            let o = RobustKernel::orient2d(a, b, c);
            if o == Orientation::Clockwise {
                winding -= 1;
            } else if o == Orientation::Collinear && between(c.x, a.x, b.x) {
                return Position::OnBoundary;
            }
        }
    }
    if winding == 0 { Position::Outside } else { Position::Inside }
}

/// Whether `x` lies between `a` and `b` inclusive, in either order.
fn between(x: f64, a: f64, b: f64) -> bool {
    (a <= x && x <= b) || (b <= x && x <= a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{CoordinatePosition, Polygon, coordinate_position::CoordPos, polygon};

    fn square(lon: f64, lat: f64, side: f64) -> MultiPolygon<f64> {
        let p: Polygon<f64> = polygon![(x: lon, y: lat), (x: lon + side, y: lat), (x: lon + side, y: lat + side),
                                       (x: lon, y: lat + side), (x: lon, y: lat)];
        MultiPolygon(vec![p])
    }

    /// A 3 × 3 block of 0.01° squares named "r{row}c{col}", starting at (118.8, 31.9).
    fn block() -> GridIndex<String> {
        let mut items = Vec::new();
        for row in 0..3 {
            for col in 0..3 {
                let lon = 118.8 + f64::from(col) * 0.01;
                let lat = 31.9 + f64::from(row) * 0.01;
                items.push((format!("r{row}c{col}"), square(lon, lat, 0.01)));
            }
        }
        GridIndex::build(items)
    }

    #[test]
    fn locate_finds_the_cell_containing_the_point() {
        let index = block();
        assert_eq!(index.len(), 9);
        assert!(!index.is_empty());
        assert_eq!(index.locate(118.805, 31.905).map(String::as_str), Some("r0c0"));
        assert_eq!(index.locate(118.825, 31.915).map(String::as_str), Some("r1c2"));
        assert_eq!(index.locate(118.815, 31.925).map(String::as_str), Some("r2c1"));
        assert_eq!(index.locate_index(118.815, 31.925), Some(7));
    }

    #[test]
    fn locate_outside_every_grid_is_none() {
        let index = block();
        assert_eq!(index.locate(118.7, 31.9), None);
        assert_eq!(index.locate(118.835, 31.905), None);
        assert_eq!(index.locate(f64::NAN, 31.905), None);
        assert_eq!(index.locate(118.805, f64::INFINITY), None);
    }

    #[test]
    fn a_shared_edge_goes_to_the_earlier_item_whatever_the_order() {
        let left = square(118.8, 31.9, 0.01);
        let right = square(118.81, 31.9, 0.01);
        let edge = (118.81, 31.905);
        let index = GridIndex::build(vec![("left", left.clone()), ("right", right.clone())]);
        assert_eq!(index.locate(edge.0, edge.1), Some(&"left"));
        let index = GridIndex::build(vec![("right", right), ("left", left)]);
        assert_eq!(index.locate(edge.0, edge.1), Some(&"right"));
        // The outer boundary counts too.
        assert_eq!(index.locate(118.8, 31.905), Some(&"left"));
    }

    #[test]
    fn a_shared_corner_goes_to_the_earliest_of_four() {
        let index = block();
        // (118.81, 31.91) is a corner of r0c0, r0c1, r1c0 and r1c1.
        assert_eq!(index.locate(118.81, 31.91).map(String::as_str), Some("r0c0"));
    }

    #[test]
    fn holes_and_multi_part_grids_are_respected() {
        let outer = square(118.8, 31.9, 0.03);
        let hole = square(118.81, 31.91, 0.01);
        let with_hole =
            MultiPolygon(vec![Polygon::new(outer.0[0].exterior().clone(), vec![hole.0[0].exterior().clone()])]);
        let two_parts = MultiPolygon(vec![hole.0[0].clone(), square(119.0, 32.0, 0.01).0[0].clone()]);
        let index = GridIndex::build(vec![(1, with_hole), (2, two_parts), (3, MultiPolygon(vec![]))]);
        assert_eq!(index.locate(118.805, 31.905), Some(&1));
        assert_eq!(index.locate(118.815, 31.915), Some(&2)); // inside the hole of 1, in part 0 of 2
        assert_eq!(index.locate(119.005, 32.005), Some(&2)); // part 1 of 2
        assert_eq!(index.locate(118.95, 31.95), None); // between the parts of 2
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn get_returns_items_in_build_order() {
        let index = block();
        assert_eq!(index.get(4).map(String::as_str), Some("r1c1"));
        assert!(index.get(9).is_none());
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let index: GridIndex<u32> = GridIndex::build(vec![]);
        assert!(index.is_empty());
        assert_eq!(index.len(), 0);
        assert_eq!(index.locate(118.8, 31.9), None);
    }

    #[test]
    fn ring_position_agrees_with_geo_on_a_concave_ring() {
        // An L-shape with a hole: compare against geo's own coordinate_position on a dense lattice that
        // includes vertices, edges and points just off them.
        let outer =
            LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 1.0), (1.0, 1.0), (1.0, 4.0), (0.0, 4.0), (0.0, 0.0)]);
        let hole = LineString::from(vec![(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75), (0.25, 0.25)]);
        let polygon = Polygon::new(outer, vec![hole]);
        let index = GridIndex::build(vec![("L", MultiPolygon(vec![polygon.clone()]))]);
        let part = &index.tree.iter().next().unwrap().data;
        for i in -2..=34 {
            for j in -2..=34 {
                let c = Coord { x: f64::from(i) * 0.125, y: f64::from(j) * 0.125 };
                let expected = match polygon.coordinate_position(&c) {
                    CoordPos::Inside => Position::Inside,
                    CoordPos::OnBoundary => Position::OnBoundary,
                    CoordPos::Outside => Position::Outside,
                };
                assert_eq!(index.part_position(part, c), expected, "at {c:?}");
            }
        }
    }

    #[test]
    fn between_is_inclusive_in_both_orders() {
        assert!(between(1.0, 0.0, 2.0) && between(1.0, 2.0, 0.0) && between(2.0, 0.0, 2.0));
        assert!(!between(3.0, 0.0, 2.0) && !between(-0.1, 2.0, 0.0));
    }
}
