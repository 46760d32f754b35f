//! Writes the 100,000-grid benchmark frame and random lookup points as CSV files that PostgreSQL's
//! `COPY ... (FORMAT csv, HEADER true)` loads directly, so PostGIS can be timed on exactly the frame and
//! points the in-process benchmark uses.
//!
//! Usage: `cargo run --release -p spatial --example gen_frame -- OUT_DIR [POINTS] [SEED]`
//!
//! - `OUT_DIR/grids.csv`: `code,street_code,community_code,wkt` (WGS84 `POLYGON((lon lat, ...))`).
//! - `OUT_DIR/points.csv`: `id,lon,lat,expected_code`, where `expected_code` is the answer of
//!   `GridIndex::locate`, so the database's answers can be checked against ours.
//! - `OUT_DIR/grids.geojson`: the same frame as GeoJSON, for looking at it in a GIS.

use geo::{MultiPolygon, Polygon};
use spatial::index::GridIndex;
use spatial::synth;
use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Default number of lookup points.
const DEFAULT_POINTS: usize = 100_000;
/// Default seed for the points (not the bench's seed: the two runs need not share points, only the frame).
const DEFAULT_SEED: u64 = 7;

/// `POLYGON((x y, ...))` with Rust's shortest round-trip float formatting, so PostGIS reads back the
/// same doubles and neighbouring cells keep identical shared corners.
fn wkt(polygon: &Polygon<f64>) -> String {
    let ring = |ls: &geo::LineString<f64>| {
        let coords: Vec<String> = ls.0.iter().map(|c| format!("{} {}", c.x, c.y)).collect();
        format!("({})", coords.join(", "))
    };
    let rings: Vec<String> = std::iter::once(polygon.exterior()).chain(polygon.interiors()).map(ring).collect();
    format!("POLYGON({})", rings.join(", "))
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let out_dir = PathBuf::from(args.next().ok_or("usage: gen_frame OUT_DIR [POINTS] [SEED]")?);
    let points: usize = match args.next() {
        Some(s) => s.parse().map_err(|_| format!("POINTS must be a whole number, got \"{s}\""))?,
        None => DEFAULT_POINTS,
    };
    let seed: u64 = match args.next() {
        Some(s) => s.parse().map_err(|_| format!("SEED must be a whole number, got \"{s}\""))?,
        None => DEFAULT_SEED,
    };
    std::fs::create_dir_all(&out_dir)?;

    let grids = synth::frame(&synth::benchmark_spec());
    let mut csv = BufWriter::new(File::create(out_dir.join("grids.csv"))?);
    writeln!(csv, "code,street_code,community_code,wkt")?;
    for g in &grids {
        // The WKT contains commas, so it is quoted; it never contains quotes.
        writeln!(csv, "{},{},{},\"{}\"", g.code, g.street_code, g.community_code, wkt(&g.polygon))?;
    }
    csv.flush()?;
    synth::write_grids_geojson(&grids, File::create(out_dir.join("grids.geojson"))?)?;

    let index =
        GridIndex::build(grids.iter().map(|g| (g.code.as_str(), MultiPolygon(vec![g.polygon.clone()]))).collect());
    let mut csv = BufWriter::new(File::create(out_dir.join("points.csv"))?);
    writeln!(csv, "id,lon,lat,expected_code")?;
    for (id, (lon, lat)) in synth::random_points(&grids, points, seed).into_iter().enumerate() {
        let expected = index.locate(lon, lat).copied().unwrap_or("");
        writeln!(csv, "{},{lon},{lat},{expected}", id + 1)?;
    }
    csv.flush()?;
    println!("wrote {} grids and {points} points to {}", grids.len(), out_dir.display());
    Ok(())
}
