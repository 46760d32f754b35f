//! Point → grid lookup on the 100,000-grid benchmark frame (`synth::benchmark_spec`).
//!
//! The question this answers: is an in-process R-tree fast enough to assign every incoming position to
//! its unit grid without asking the database? Points are pre-generated uniformly over the frame (so
//! every lookup is a hit, the common case) and cycled through, so the measurement is `locate` alone.
//! `scripts/bench-grid-lookup` runs this next to the same lookup in PostGIS.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use geo::MultiPolygon;
use spatial::index::GridIndex;
use spatial::synth;
use std::time::Instant;

/// Points cycled through; a power of two so the cursor wraps with a mask.
const POINTS: usize = 1 << 16;

fn locate(c: &mut Criterion) {
    let grids = synth::frame(&synth::benchmark_spec());
    let items: Vec<(String, MultiPolygon<f64>)> =
        grids.iter().map(|g| (g.code.clone(), MultiPolygon(vec![g.polygon.clone()]))).collect();
    let count = items.len();
    let started = Instant::now();
    let index = GridIndex::build(items);
    let build = started.elapsed();
    println!("built GridIndex over {count} grids in {:.1} ms", build.as_secs_f64() * 1e3);

    let points = synth::random_points(&grids, POINTS, 2026);
    let hits = points.iter().filter(|&&(lon, lat)| index.locate(lon, lat).is_some()).count();
    println!("{hits} of {POINTS} benchmark points fall in a grid");
    assert_eq!(hits, POINTS, "the benchmark frame must have no gaps");

    let mut group = c.benchmark_group("grid_lookup");
    group.bench_function("locate_100k", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (lon, lat) = points[i];
            i = (i + 1) & (POINTS - 1);
            black_box(index.locate(black_box(lon), black_box(lat)))
        })
    });
    group.finish();
}

criterion_group!(benches, locate);
criterion_main!(benches);
