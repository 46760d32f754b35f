//! GeoJSON (RFC 7946) in and out.
//!
//! Grid frames arrive as FeatureCollections exported from a GIS. One bad feature must not hide the other
//! thousands, so the document is split into features first and each feature is judged on its own: the
//! result is one `Ok`/`Err` per feature, in file order, and only a document that is not a
//! FeatureCollection at all fails as a whole.
//!
//! Ring closedness is checked on the raw GeoJSON positions: converting to geo (`Polygon::new`) closes an
//! open ring silently, which would accept a boundary with a missing last point as if it had been drawn.

use super::validate::validate_polygon;
use geo::{MultiPolygon, Polygon};
use serde_json::{Map, Value};

/// The most features one upload may hold. A county has a few thousand unit grids; a file with more
/// than this is a mistake (a parcel layer, a whole province) and would hold the importer for minutes.
pub const MAX_FEATURES_PER_FILE: usize = 50_000;

/// The most positions one ring may have. A unit grid's boundary has tens to a few thousand; a ring
/// with more is an undecimated survey trace, refused before its topology is checked.
pub const MAX_VERTICES_PER_RING: usize = 100_000;

/// Why a whole upload was refused (not one feature of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// The part of the document at fault: `body` (not a FeatureCollection) or `features` (too many).
    pub field: &'static str,
    pub reason: String,
}

impl DocumentError {
    fn body(reason: impl Into<String>) -> Self {
        Self { field: "body", reason: reason.into() }
    }
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// One feature of an upload that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct GridFeature {
    /// Position in the FeatureCollection's `features` array, counted from 0.
    pub index: usize,
    /// The feature's `properties` (empty when absent or null).
    pub properties: Map<String, Value>,
    pub geometry: MultiPolygon<f64>,
}

/// Why one feature of an upload was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureError {
    /// Position in the FeatureCollection's `features` array, counted from 0.
    pub index: usize,
    /// `properties.code` when it is a string or a number, so the error can name the grid.
    pub code: Option<String>,
    pub reason: String,
}

/// Parses an RFC 7946 FeatureCollection.
///
/// `Err` if the document is not a FeatureCollection at all (not JSON, another GeoJSON type, no
/// `features` array) or has more than [`MAX_FEATURES_PER_FILE`] features. Otherwise one entry per feature: `Ok(GridFeature)`, or `Err(FeatureError)` for a
/// missing geometry, a geometry that is not a Polygon/MultiPolygon, malformed coordinates, an unclosed
/// ring, or a boundary that fails [`validate_polygon`].
pub fn parse_feature_collection(bytes: &[u8]) -> Result<Vec<Result<GridFeature, FeatureError>>, DocumentError> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| DocumentError::body(format!("the file is not valid JSON: {e}")))?;
    let Value::Object(mut doc) = doc else {
        return Err(DocumentError::body("the file is not a GeoJSON FeatureCollection: it is not a JSON object"));
    };
    match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        Some(other) => {
            return Err(DocumentError::body(format!("the file is a GeoJSON {other}, not a FeatureCollection")));
        }
        None => return Err(DocumentError::body("the file is not a GeoJSON FeatureCollection: it has no \"type\"")),
    }
    let Some(Value::Array(features)) = doc.remove("features") else {
        return Err(DocumentError::body("the FeatureCollection has no \"features\" array"));
    };
    if features.len() > MAX_FEATURES_PER_FILE {
        return Err(DocumentError {
            field: "features",
            reason: format!(
                "the file has {} features; at most {MAX_FEATURES_PER_FILE} are accepted per file (split it by street)",
                features.len()
            ),
        });
    }
    Ok(features.into_iter().enumerate().map(|(index, feature)| parse_feature(index, feature)).collect())
}

/// Judges one element of `features`.
fn parse_feature(index: usize, feature: Value) -> Result<GridFeature, FeatureError> {
    let Value::Object(mut feature) = feature else {
        return Err(FeatureError { index, code: None, reason: "the feature is not a JSON object".to_string() });
    };
    let properties = match feature.remove("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => {
            let reason = "\"properties\" must be an object".to_string();
            return Err(FeatureError { index, code: None, reason });
        }
    };
    let code = match properties.get("code") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let fail = |reason: String| FeatureError { index, code: code.clone(), reason };
    if feature.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(fail("the element is not a GeoJSON Feature (its \"type\" must be \"Feature\")".to_string()));
    }
    let geometry = match feature.remove("geometry") {
        None | Some(Value::Null) => return Err(fail("the feature has no geometry".to_string())),
        Some(g) => g,
    };
    let geometry = from_geojson_value(&geometry).map_err(&fail)?;
    validate_polygon(&geometry).map_err(fail)?;
    Ok(GridFeature { index, properties, geometry })
}

/// A GeoJSON geometry object for a boundary: a `Polygon` when there is one part, else a `MultiPolygon`.
pub fn to_geojson_value(mp: &MultiPolygon<f64>) -> Value {
    let value = match mp.0.as_slice() {
        [single] => geojson::Value::from(single),
        _ => geojson::Value::from(mp),
    };
    Value::Object(geojson::JsonObject::from(&value))
}

/// Reads a GeoJSON `Polygon` or `MultiPolygon` geometry object into a boundary.
///
/// Checks the structure (geometry type, numeric positions of at least 2 numbers, rings of at least 4
/// positions, rings closed on the raw positions) but not the topology: call [`validate_polygon`] for that.
/// A third number in a position (elevation) is accepted and dropped.
pub fn from_geojson_value(v: &Value) -> Result<MultiPolygon<f64>, String> {
    let kind = match v {
        Value::Object(obj) => obj.get("type").and_then(Value::as_str),
        _ => return Err("the geometry is not a JSON object".to_string()),
    };
    match kind {
        Some("Polygon" | "MultiPolygon") => {}
        Some(other) => {
            return Err(format!("the geometry is a {other}; a grid boundary must be a Polygon or MultiPolygon"));
        }
        None => return Err("the geometry has no \"type\"".to_string()),
    }
    let value = geojson::Value::from_json_value(v.clone()).map_err(|e| describe_geojson_error(&e))?;
    let raw_polygons: Vec<&geojson::PolygonType> = match &value {
        geojson::Value::Polygon(p) => vec![p],
        geojson::Value::MultiPolygon(ps) => ps.iter().collect(),
        other => {
            let kind = other.type_name();
            return Err(format!("the geometry is a {kind}; a grid boundary must be a Polygon or MultiPolygon"));
        }
    };
    for (p, rings) in raw_polygons.iter().enumerate() {
        check_raw_rings(rings, p)?;
    }
    Ok(MultiPolygon(raw_polygons.into_iter().map(to_geo_polygon).collect()))
}

/// The geojson crate's error messages are written for developers; these are the cases an upload hits.
fn describe_geojson_error(err: &geojson::Error) -> String {
    match err {
        geojson::Error::PositionTooShort(n) => {
            format!("a position has {n} number(s); it needs at least longitude and latitude")
        }
        geojson::Error::ExpectedProperty(name) => format!("the geometry has no \"{name}\""),
        geojson::Error::ExpectedF64Value => "a coordinate is not a number".to_string(),
        geojson::Error::ExpectedArrayValue(_) => {
            "the coordinates are not nested arrays of [longitude, latitude] positions".to_string()
        }
        other => format!("the geometry's coordinates are malformed: {other}"),
    }
}

/// Structure of one polygon's rings as written in the file: present, long enough, closed.
fn check_raw_rings(rings: &geojson::PolygonType, p: usize) -> Result<(), String> {
    if rings.is_empty() {
        return Err(format!("polygon {p} has no rings"));
    }
    for (r, ring) in rings.iter().enumerate() {
        let n = ring.len();
        if n < 4 {
            return Err(format!("ring {r} of polygon {p} has {n} positions; a closed ring needs at least 4"));
        }
        if n > MAX_VERTICES_PER_RING {
            return Err(format!(
                "ring {r} of polygon {p} has {n} positions; at most {MAX_VERTICES_PER_RING} are accepted per ring \
                 (simplify the boundary in the GIS)"
            ));
        }
        let (first, last) = (&ring[0], &ring[n - 1]);
        if first != last {
            return Err(format!(
                "ring {r} of polygon {p} is not closed: its last position {} must repeat its first {}",
                show_position(last),
                show_position(first)
            ));
        }
    }
    Ok(())
}

fn show_position(position: &[f64]) -> String {
    let parts: Vec<String> = position.iter().map(f64::to_string).collect();
    format!("({})", parts.join(", "))
}

/// Positions are known to have ≥ 2 numbers here (the geojson crate rejects shorter ones).
fn to_geo_polygon(rings: &geojson::PolygonType) -> Polygon<f64> {
    let mut rings = rings
        .iter()
        .map(|ring| geo::LineString::from(ring.iter().map(|pos| (pos[0], pos[1])).collect::<Vec<(f64, f64)>>()));
    let exterior = rings.next().unwrap_or_else(|| geo::LineString::new(vec![]));
    Polygon::new(exterior, rings.collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn square_coords(lon: f64, lat: f64, side: f64) -> Value {
        json!([[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]])
    }

    fn feature(code: Value, geometry: Value) -> Value {
        json!({"type": "Feature", "properties": {"code": code, "name": "网格"}, "geometry": geometry})
    }

    fn collection(features: Vec<Value>) -> Vec<u8> {
        serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features})).unwrap()
    }

    #[test]
    fn parses_good_features_and_keeps_their_properties() {
        let doc = collection(vec![
            feature(
                json!("320106001001001"),
                json!({"type": "Polygon", "coordinates": square_coords(118.8, 31.9, 0.001)}),
            ),
            feature(
                json!(320106001001002_u64),
                json!({"type": "MultiPolygon", "coordinates": [square_coords(118.81, 31.9, 0.001)]}),
            ),
        ]);
        let out = parse_feature_collection(&doc).unwrap();
        assert_eq!(out.len(), 2);
        let first = out[0].as_ref().unwrap();
        assert_eq!(first.index, 0);
        assert_eq!(first.properties["code"], json!("320106001001001"));
        assert_eq!(first.properties["name"], json!("网格"));
        assert_eq!(first.geometry.0.len(), 1);
        assert_eq!(first.geometry.0[0].exterior().0.len(), 5);
        let second = out[1].as_ref().unwrap();
        assert_eq!(second.index, 1);
        assert_eq!(second.geometry.0[0].exterior().0[0].x, 118.81);
    }

    #[test]
    fn each_bad_feature_gets_its_own_error_with_index_and_code() {
        let open_ring = json!([[[118.8, 31.9], [118.81, 31.9], [118.81, 31.91], [118.8, 31.91]]]);
        let bow = json!([[[118.8, 31.9], [118.81, 31.91], [118.81, 31.9], [118.8, 31.91], [118.8, 31.9]]]);
        let doc = collection(vec![
            feature(json!("A"), json!({"type": "Polygon", "coordinates": square_coords(118.8, 31.9, 0.001)})),
            feature(json!("B"), Value::Null),
            feature(json!(42), json!({"type": "Point", "coordinates": [118.8, 31.9]})),
            feature(json!("D"), json!({"type": "Polygon", "coordinates": open_ring})),
            feature(json!("E"), json!({"type": "Polygon", "coordinates": bow})),
            json!({"type": "Feature", "properties": null, "geometry": {"type": "Polygon", "coordinates": [[[1]]]}}),
            json!("not a feature"),
            json!({"type": "Feature", "properties": {"code": true},
                   "geometry": {"type": "Polygon", "coordinates": square_coords(200.0, 31.9, 0.001)}}),
        ]);
        let out = parse_feature_collection(&doc).unwrap();
        assert_eq!(out.len(), 8);
        assert!(out[0].is_ok());
        let err = |i: usize| out[i].clone().unwrap_err();
        assert_eq!(
            err(1),
            FeatureError { index: 1, code: Some("B".into()), reason: "the feature has no geometry".into() }
        );
        assert_eq!(err(2).code.as_deref(), Some("42"));
        assert!(err(2).reason.contains("is a Point"), "{}", err(2).reason);
        assert!(err(3).reason.starts_with("ring 0 of polygon 0 is not closed"), "{}", err(3).reason);
        assert_eq!(err(4).reason, "self-intersection near (118.80500, 31.90500) in ring 0 of polygon 0");
        assert_eq!(err(5).code, None);
        assert!(err(5).reason.contains("needs at least longitude and latitude"), "{}", err(5).reason);
        assert_eq!(err(6).index, 6);
        assert_eq!(err(6).reason, "the feature is not a JSON object");
        assert_eq!(err(7).code, None);
        assert!(err(7).reason.contains("longitude 200 is outside China"), "{}", err(7).reason);
    }

    #[test]
    fn a_document_that_is_not_a_feature_collection_fails_as_a_whole() {
        assert!(parse_feature_collection(b"{not json").unwrap_err().reason.starts_with("the file is not valid JSON"));
        assert!(parse_feature_collection(b"[1,2]").unwrap_err().reason.contains("not a JSON object"));
        let feature = serde_json::to_vec(&feature(json!("A"), Value::Null)).unwrap();
        assert_eq!(
            parse_feature_collection(&feature).unwrap_err().reason,
            "the file is a GeoJSON Feature, not a FeatureCollection"
        );
        assert_eq!(
            parse_feature_collection(br#"{"type":"FeatureCollection"}"#).unwrap_err().reason,
            "the FeatureCollection has no \"features\" array"
        );
        assert!(parse_feature_collection(br#"{"features":[]}"#).unwrap_err().reason.contains("no \"type\""));
        assert_eq!(parse_feature_collection(br#"{"type":"FeatureCollection","features":[]}"#).unwrap(), vec![]);
    }

    #[test]
    fn absurd_inputs_are_refused_naming_the_limit() {
        let many = collection(vec![json!(null); MAX_FEATURES_PER_FILE + 1]);
        let err = parse_feature_collection(&many).unwrap_err();
        assert_eq!(err.field, "features");
        assert!(err.reason.contains(&format!("at most {MAX_FEATURES_PER_FILE}")), "{}", err.reason);
        assert_eq!(
            parse_feature_collection(&collection(vec![json!(null); MAX_FEATURES_PER_FILE])).unwrap().len(),
            MAX_FEATURES_PER_FILE
        );

        let mut ring: Vec<Value> = (0..MAX_VERTICES_PER_RING)
            .map(|i| json!([118.8 + i as f64 * 1e-9, 31.9 + (i % 2) as f64 * 1e-6]))
            .collect();
        ring.push(ring[0].clone());
        let err = from_geojson_value(&json!({"type": "Polygon", "coordinates": [ring]})).unwrap_err();
        assert!(
            err.contains(&format!("has {} positions; at most {MAX_VERTICES_PER_RING}", MAX_VERTICES_PER_RING + 1)),
            "{err}"
        );
    }

    #[test]
    fn properties_must_be_an_object_and_type_must_be_feature() {
        let doc = collection(vec![
            json!({"type": "Feature", "properties": [1], "geometry": null}),
            json!({"type": "Polygon", "properties": {"code": "X"}, "coordinates": []}),
        ]);
        let out = parse_feature_collection(&doc).unwrap();
        assert_eq!(out[0].clone().unwrap_err().reason, "\"properties\" must be an object");
        let e = out[1].clone().unwrap_err();
        assert_eq!(e.code.as_deref(), Some("X"));
        assert!(e.reason.contains("not a GeoJSON Feature"), "{}", e.reason);
    }

    #[test]
    fn to_geojson_value_writes_polygon_or_multipolygon() {
        let one =
            from_geojson_value(&json!({"type": "Polygon", "coordinates": square_coords(118.8, 31.9, 0.5)})).unwrap();
        let v = to_geojson_value(&one);
        assert_eq!(v["type"], "Polygon");
        assert_eq!(v["coordinates"], square_coords(118.8, 31.9, 0.5));
        let mut two = one.clone();
        two.0.push(
            from_geojson_value(&json!({"type": "Polygon", "coordinates": square_coords(119.0, 31.9, 0.5)}))
                .unwrap()
                .0
                .remove(0),
        );
        let v = to_geojson_value(&two);
        assert_eq!(v["type"], "MultiPolygon");
        assert_eq!(v["coordinates"].as_array().unwrap().len(), 2);
        assert_eq!(from_geojson_value(&v).unwrap(), two);
    }

    #[test]
    fn from_geojson_value_checks_structure_and_drops_elevation() {
        let with_z = json!({"type": "Polygon", "coordinates":
            [[[118.8, 31.9, 10.0], [118.81, 31.9, 10.0], [118.81, 31.91, 10.0], [118.8, 31.9, 10.0]]]});
        let mp = from_geojson_value(&with_z).unwrap();
        assert_eq!(mp.0[0].exterior().0[1], geo::coord! { x: 118.81, y: 31.9 });

        let short = json!({"type": "Polygon", "coordinates": [[[118.8, 31.9], [118.81, 31.9], [118.8, 31.9]]]});
        assert_eq!(
            from_geojson_value(&short).unwrap_err(),
            "ring 0 of polygon 0 has 3 positions; a closed ring needs at least 4"
        );
        let hole_open = json!({"type": "MultiPolygon", "coordinates": [square_coords(118.8, 31.9, 0.01),
            [[[118.9, 31.9], [118.91, 31.9], [118.91, 31.91], [118.9, 31.91], [118.9, 31.9]],
             [[118.901, 31.901], [118.902, 31.901], [118.902, 31.902], [118.901, 31.9015]]]]});
        let err = from_geojson_value(&hole_open).unwrap_err();
        assert_eq!(
            err,
            "ring 1 of polygon 1 is not closed: its last position (118.901, 31.9015) must repeat its first (118.901, 31.901)"
        );
        assert_eq!(
            from_geojson_value(&json!({"type": "Polygon", "coordinates": []})).unwrap_err(),
            "polygon 0 has no rings"
        );
        assert!(from_geojson_value(&json!({"type": "Polygon"})).unwrap_err().contains("coordinates"));
        assert!(
            from_geojson_value(&json!({"type": "Polygon", "coordinates": "x"})).unwrap_err().contains("nested arrays")
        );
        let text = json!({"type": "Polygon", "coordinates": [[["118.8", 31.9], [118.81, 31.9], [118.81, 31.91], ["118.8", 31.9]]]});
        assert_eq!(from_geojson_value(&text).unwrap_err(), "a coordinate is not a number");
        assert_eq!(from_geojson_value(&json!([1])).unwrap_err(), "the geometry is not a JSON object");
        assert_eq!(from_geojson_value(&json!({"coordinates": []})).unwrap_err(), "the geometry has no \"type\"");
        assert!(
            from_geojson_value(&json!({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}))
                .unwrap_err()
                .contains("LineString")
        );
    }
}
