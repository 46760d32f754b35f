//! Grid boundary validation (`geometry::validate_polygon`) of one ring of 1,000, 10,000 and
//! 100,000 positions (the most a ring may have, `MAX_VERTICES_PER_RING`).
//!
//! The question this answers: is validation no longer quadratic in a ring's vertices? (A
//! 100,000-vertex ring took 130 s with the all-pairs segment test.) The ring is a circle of about
//! 1 km radius near Nanjing, a valid boundary, so every check runs to the end.

use criterion::{BenchmarkId, Criterion, black_box, criterion_group, criterion_main};
use geo::{LineString, MultiPolygon, Polygon};
use spatial::geometry::validate_polygon;
use std::time::Duration;

/// A closed ring of exactly `positions` positions (the last repeats the first).
fn circle(positions: usize) -> MultiPolygon<f64> {
    let n = positions - 1;
    let mut coords: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            (118.80 + 0.01 * a.cos(), 32.00 + 0.01 * a.sin())
        })
        .collect();
    coords.push(coords[0]);
    MultiPolygon(vec![Polygon::new(LineString::from(coords), vec![])])
}

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("grid_validation");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for positions in [1_000, 10_000, spatial::geometry::MAX_VERTICES_PER_RING] {
        let ring = circle(positions);
        assert!(validate_polygon(&ring).is_ok(), "the benchmark ring is a valid boundary");
        group.bench_with_input(BenchmarkId::new("ring", positions), &ring, |b, ring| {
            b.iter(|| black_box(validate_polygon(black_box(ring))))
        });
    }
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
