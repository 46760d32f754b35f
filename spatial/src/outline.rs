//! A county's silhouette for a map that has no basemap (the public page): the rectangles of a
//! coarse lattice over the extent that some unit grid touches, merged into runs along each row.
//! A few hundred rectangles draw the shape of thousands of grids, and cost one pass over their
//! bounding rectangles — cheap enough to compute per request from the in-memory grid index.

/// `[min_lon, min_lat, max_lon, max_lat]`.
pub type Rect = [f64; 4];

/// The extent of all rectangles, or `None` when there are none (or none finite).
pub fn extent(rects: impl IntoIterator<Item = Rect>) -> Option<Rect> {
    let mut out: Option<Rect> = None;
    for r in rects.into_iter().filter(|r| r.iter().all(|v| v.is_finite())) {
        out = Some(match out {
            None => r,
            Some(e) => [e[0].min(r[0]), e[1].min(r[1]), e[2].max(r[2]), e[3].max(r[3])],
        });
    }
    out
}

/// The silhouette of `rects` on a lattice of `cells` cells along the extent's longer side (square
/// cells): every cell some rectangle overlaps, as runs along each row, a run continued upwards by
/// the same run of the rows above (a rectangular county is one rectangle), bottom first.
pub fn silhouette(rects: &[Rect], cells: usize) -> Vec<Rect> {
    let Some(e) = extent(rects.iter().copied()) else { return Vec::new() };
    let cells = cells.clamp(1, 512);
    let side = ((e[2] - e[0]).max(e[3] - e[1]) / cells as f64).max(1e-9);
    let cols = (((e[2] - e[0]) / side).ceil() as usize).clamp(1, cells);
    let rows = (((e[3] - e[1]) / side).ceil() as usize).clamp(1, cells);
    let mut on = vec![false; cols * rows];
    // The cell of a coordinate, kept inside the lattice (the far edge belongs to the last cell).
    // Cells are half-open: a grid ending exactly on a cell's edge does not reach into the next.
    let low = |v: f64, origin: f64, n: usize| (((v - origin) / side).floor().max(0.0) as usize).min(n - 1);
    let high = |v: f64, origin: f64, n: usize, from: usize| {
        ((((v - origin) / side).ceil().max(1.0) as usize) - 1).clamp(from, n - 1)
    };
    for r in rects.iter().filter(|r| r.iter().all(|v| v.is_finite())) {
        let (c0, r0) = (low(r[0], e[0], cols), low(r[1], e[1], rows));
        let (c1, r1) = (high(r[2], e[0], cols, c0), high(r[3], e[1], rows, r0));
        for row in r0..=r1 {
            for col in c0..=c1 {
                if let Some(x) = on.get_mut(row * cols + col) {
                    *x = true;
                }
            }
        }
    }
    let mut out: Vec<Rect> = Vec::new();
    // Runs of the previous row: (first column, past the last column) → index in `out`.
    let mut open: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
    for row in 0..rows {
        let mut next = std::collections::HashMap::new();
        let mut col = 0;
        while col < cols {
            if !on.get(row * cols + col).copied().unwrap_or(false) {
                col += 1;
                continue;
            }
            let start = col;
            while col < cols && on.get(row * cols + col).copied().unwrap_or(false) {
                col += 1;
            }
            let (y0, y1) = (e[1] + row as f64 * side, (e[1] + (row + 1) as f64 * side).min(e[3]));
            let (x0, x1) = (e[0] + start as f64 * side, (e[0] + col as f64 * side).min(e[2]));
            match open.get(&(start, col)).and_then(|&i| out.get_mut(i).map(|r| (i, r))) {
                Some((i, r)) => {
                    r[3] = y1;
                    next.insert((start, col), i);
                }
                None => {
                    next.insert((start, col), out.len());
                    out.push([x0, y0, x1, y1]);
                }
            }
        }
        open = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_l_shape_becomes_row_runs_and_a_gap_stays_open() {
        // Three unit squares in an L (bottom row two, top row one on the left), and nothing else.
        let rects = [[0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 2.0, 1.0], [0.0, 1.0, 1.0, 2.0]];
        let s = silhouette(&rects, 2);
        assert_eq!(s, vec![[0.0, 0.0, 2.0, 1.0], [0.0, 1.0, 1.0, 2.0]]);
        // A rectangle of many grids is one rectangle; a T keeps its stem.
        let block: Vec<Rect> =
            (0..4).flat_map(|x| (0..3).map(move |y| [x as f64, y as f64, x as f64 + 1.0, y as f64 + 1.0])).collect();
        assert_eq!(silhouette(&block, 4), vec![[0.0, 0.0, 4.0, 3.0]]);
        let t = [[1.0, 0.0, 2.0, 1.0], [1.0, 1.0, 2.0, 2.0], [0.0, 2.0, 3.0, 3.0]];
        assert_eq!(silhouette(&t, 3), vec![[1.0, 0.0, 2.0, 2.0], [0.0, 2.0, 3.0, 3.0]]);
        // Two squares far apart: the cells between them stay empty.
        let apart = [[0.0, 0.0, 1.0, 1.0], [9.0, 0.0, 10.0, 1.0]];
        let s = silhouette(&apart, 10);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(extent(apart), Some([0.0, 0.0, 10.0, 1.0]));
    }

    #[test]
    fn nothing_or_nonsense_draws_nothing() {
        assert!(silhouette(&[], 40).is_empty());
        assert!(silhouette(&[[f64::NAN, 0.0, 1.0, 1.0]], 40).is_empty());
        assert_eq!(extent([]), None);
        // A single point-sized grid still draws one cell.
        assert_eq!(silhouette(&[[1.0, 1.0, 1.0, 1.0]], 40).len(), 1);
    }
}
