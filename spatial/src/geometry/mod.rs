//! Grid boundary geometry: reading GeoJSON uploads, validating polygons, measuring them, finding
//! overlaps between grids, and writing geometry back out as GeoJSON.
//!
//! Boundaries are `geo::MultiPolygon<f64>` in WGS84 longitude/latitude throughout, because a unit grid may
//! legitimately consist of several parts (a grid split by a river) and one type keeps every caller simple.
//! Validation produces one plain-language reason per problem, with ring and polygon numbers counted the way
//! they appear in the GeoJSON file (ring 0 is the outer ring, rings 1.. are holes), so city staff can find
//! the spot in their GIS tool.

mod geojson_io;
mod measure;
mod overlap;
mod simple;
mod validate;

pub use geojson_io::{
    DocumentError, FeatureError, GridFeature, MAX_FEATURES_PER_FILE, MAX_VERTICES_PER_RING, from_geojson_value,
    parse_feature_collection, to_geojson_value,
};
pub use measure::{area_m2, bbox};
pub use overlap::overlaps;
pub use validate::{MIN_AREA_M2, validate_polygon};
