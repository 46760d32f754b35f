//! Unit grids over HTTP: GeoJSON import with per-feature reports, overlaps, legacy codes, point
//! lookup in WGS84/GCJ-02/BD-09, export, duty grids.

use reqwest::StatusCode;
use serde_json::{Value, json};
use spatial::synth::{FrameSpec, frame};
use tests::{CITY, COUNTY_A, TestApp, spawn_app};

const NEW_COUNTY: &str = "320111"; // 浦口区: onboarded empty by each test

/// A new county with an empty frame; returns its admin's token.
async fn empty_county(app: &TestApp) -> String {
    let city = app.demo(CITY, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{CITY}/children"),
            &city,
            json!({"code": NEW_COUNTY, "name": "浦口区", "admin": {"username": "admin", "display_name": "浦口区管理员", "password": "Pukou-Chief-2026"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.login(NEW_COUNTY, "admin", "Pukou-Chief-2026").await
}

/// 2 streets × 2 communities × 3 grids of 100 m, as GeoJSON features.
fn features() -> Vec<Value> {
    let spec = FrameSpec::numbered(NEW_COUNTY, (118.62, 32.06), 100.0, 2, 2, 3);
    let mut out = Vec::new();
    for g in frame(&spec) {
        let mp = geo::MultiPolygon(vec![g.polygon.clone()]);
        out.push(json!({"type": "Feature", "properties": {"code": g.code}, "geometry": spatial::geometry::to_geojson_value(&mp)}));
    }
    out
}

fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

async fn import(app: &TestApp, token: &str, body: &Value, query: &str) -> tests::Resp {
    let r = app
        .client
        .post(format!("{}/api/v1/tenants/{NEW_COUNTY}/grids/import{query}", app.base))
        .bearer_auth(token)
        .header("content-type", "application/geo+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    tests::Resp { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

#[tokio::test]
async fn import_reports_every_bad_feature_and_writes_nothing_unless_partial() {
    let app = spawn_app().await;
    let token = empty_county(&app).await;
    let good = features();
    let mut bad = good.clone();
    // 12: not closed; 13: a bow tie; 14: another county's code; 15: no code; 16: a duplicate.
    bad.push(json!({"type": "Feature", "properties": {"code": "320111001001901"},
        "geometry": {"type": "Polygon", "coordinates": [[[118.70, 32.0], [118.701, 32.0], [118.701, 32.001], [118.70, 32.001]]]}}));
    bad.push(json!({"type": "Feature", "properties": {"code": "320111001001902"},
        "geometry": {"type": "Polygon", "coordinates": [[[118.70, 32.0], [118.701, 32.001], [118.701, 32.0], [118.70, 32.001], [118.70, 32.0]]]}}));
    let mut foreign = good[0].clone();
    foreign["properties"]["code"] = json!("320115001001001");
    bad.push(foreign);
    let mut nameless = good[1].clone();
    nameless["properties"] = json!({"name": "x"});
    bad.push(nameless);
    bad.push(good[2].clone());

    let r = import(&app, &token, &collection(bad.clone()), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let fields = r.fields();
    assert_eq!(fields, ["features[12]", "features[13]", "features[14]", "features[15]", "features[16]"], "{}", r.text);
    let reasons = r.body["errors"].as_array().unwrap();
    assert!(reasons[0]["reason"].as_str().unwrap().contains("320111001001901"), "the code is named: {}", r.text);
    assert!(reasons[0]["reason"].as_str().unwrap().contains("not closed"), "{}", r.text);
    assert!(reasons[1]["reason"].as_str().unwrap().contains("self-intersection"), "{}", r.text);
    assert!(reasons[2]["reason"].as_str().unwrap().contains("320111"), "{}", r.text);
    assert!(reasons[3]["reason"].as_str().unwrap().contains("code"), "{}", r.text);
    assert!(reasons[4]["reason"].as_str().unwrap().contains("more than once"), "{}", r.text);
    let listed = app.get(&format!("/api/v1/tenants/{NEW_COUNTY}/grids"), &token).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0, "nothing was written");

    // A dry run reports without writing; partial writes the good ones and lists the rest.
    let r = import(&app, &token, &collection(bad.clone()), "?partial=true&dry_run=true").await;
    assert_eq!((r.status, r.body["written"].as_u64()), (StatusCode::OK, Some(0)), "{}", r.text);
    let r = import(&app, &token, &collection(bad), "?partial=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["written"], 12);
    assert_eq!(r.body["created"], 12);
    assert_eq!(r.body["skipped"].as_array().unwrap().len(), 5);
    assert_eq!(r.body["overlaps"], json!([]), "a tiling has no overlaps: {}", r.text);

    // Streets and communities come from the codes.
    let streets = app.get(&format!("/api/v1/tenants/{NEW_COUNTY}/streets"), &token).await;
    assert_eq!(streets.body.as_array().unwrap().len(), 2);
    let communities = app.get(&format!("/api/v1/tenants/{NEW_COUNTY}/communities?street=320111001"), &token).await;
    assert_eq!(communities.body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn absurd_uploads_are_refused_with_the_limit_named() {
    let app = spawn_app().await;
    let token = empty_county(&app).await;
    let limit = spatial::geometry::MAX_VERTICES_PER_RING;
    // One ring with one position too many: a zigzag along a line, closed, otherwise harmless.
    let mut ring: Vec<Value> =
        (0..limit).map(|i| json!([118.62 + i as f64 * 1e-8, 32.06 + (i % 2) as f64 * 1e-6])).collect();
    ring.push(ring[0].clone());
    let mut body = features();
    body.push(json!({"type": "Feature", "properties": {"code": "320111001001901"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}));
    let r = import(&app, &token, &collection(body), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["features[12]"], "{}", r.text);
    let reason = r.body["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("{} positions; at most {limit}", limit + 1)), "{reason}");

    // Too many features: the whole file is refused before any of them is looked at.
    let max = spatial::geometry::MAX_FEATURES_PER_FILE;
    let tiny = json!({"type": "Feature", "properties": {}, "geometry": null});
    let r = import(&app, &token, &collection(vec![tiny; max + 1]), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["features"], "{}", r.text);
    let reason = r.body["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("{} features; at most {max}", max + 1)), "{reason}");
    let listed = app.get(&format!("/api/v1/tenants/{NEW_COUNTY}/grids"), &token).await;
    assert_eq!(listed.body["items"], json!([]), "nothing was written");
}

#[tokio::test]
async fn reimport_replaces_overlaps_are_reported_and_legacy_codes_convert() {
    let app = spawn_app().await;
    let token = empty_county(&app).await;
    let good = features();
    assert_eq!(import(&app, &token, &collection(good.clone()), "").await.status, StatusCode::OK);

    // A grid shifted half a cell overlaps its neighbours (~5,000 m² each way), given with a
    // legacy 14-digit code (2-digit serial).
    let mut shifted = good[0].clone();
    let ring = shifted["geometry"]["coordinates"][0].as_array().unwrap().clone();
    let moved: Vec<Value> = ring.iter().map(|p| json!([p[0].as_f64().unwrap() + 0.0005, p[1]])).collect();
    shifted["geometry"]["coordinates"][0] = json!(moved);
    shifted["properties"]["code"] = json!("32011100100150");
    let r = import(&app, &token, &collection(vec![shifted]), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["created"], 1);
    let overlaps = r.body["overlaps"].as_array().unwrap();
    assert!(!overlaps.is_empty(), "{}", r.text);
    assert!(overlaps.iter().all(|o| o["a"] == "320111001001050" || o["b"] == "320111001001050"), "{}", r.text);
    assert!(overlaps.iter().any(|o| o["area_m2"].as_f64().unwrap() > 3000.0), "{}", r.text);
    let g = app.get(&format!("/api/v1/tenants/{NEW_COUNTY}/grids/320111001001050"), &token).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.body["legacy_code"], "32011100100150");
    assert_eq!(g.body["geometry"]["type"], "Polygon");

    // Re-importing the original replaces, not duplicates.
    let r = import(&app, &token, &collection(good.clone()), "").await;
    assert_eq!((r.body["created"].as_u64(), r.body["replaced"].as_u64()), (Some(0), Some(12)), "{}", r.text);
    let all = app.get(&format!("/api/v1/tenants/{NEW_COUNTY}/grids?limit=100"), &token).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 13);

    // The export is a FeatureCollection of every grid.
    let export = app.get_raw(&format!("/api/v1/tenants/{NEW_COUNTY}/grids/export"), &token).await;
    assert_eq!(export.headers()["content-type"], "application/geo+json");
    let fc: Value = export.json().await.unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["features"].as_array().unwrap().len(), 13);
    assert!(fc["features"].as_array().unwrap().iter().all(|f| f["geometry"]["type"] == "Polygon"));

    // Grids belong to counties: a city cannot import them.
    let city = app.demo(CITY, "admin").await;
    let r = app
        .client
        .post(format!("{}/api/v1/tenants/{CITY}/grids/import", app.base))
        .bearer_auth(&city)
        .body(collection(good).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn locate_in_wgs84_gcj02_and_bd09_and_outside() {
    let app = spawn_app().await;
    let token = app.demo(COUNTY_A, "collector").await;
    let grids = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=100"), &token).await;
    let grid = &grids.body["items"][5];
    let bbox: Vec<f64> = grid["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let (lon, lat) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let code = grid["code"].as_str().unwrap();

    let base = format!("/api/v1/tenants/{COUNTY_A}/grids/locate");
    let r = app.get(&format!("{base}?lon={lon}&lat={lat}"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["unit_grid"]["code"], code);
    assert_eq!(r.body["community"]["code"], &code[..12]);
    assert_eq!(r.body["street"]["code"], &code[..9]);
    assert!(r.body["street"]["name"].as_str().unwrap().ends_with("街道"), "{}", r.text);
    assert_eq!(r.body["duty_grid"]["collectors"][0]["username"], "collector");

    // The same place as WeChat/AMap (GCJ-02) and Baidu (BD-09) report it: ~500 m away in raw numbers.
    let (glon, glat) = spatial::crs::wgs84_to_gcj02(lon, lat);
    assert!((glon - lon).abs() > 0.002, "GCJ-02 differs visibly");
    let r = app.get(&format!("{base}?lon={glon}&lat={glat}&crs=gcj02"), &token).await;
    assert_eq!(r.body["unit_grid"]["code"], code, "{}", r.text);
    assert!((r.body["lon"].as_f64().unwrap() - lon).abs() < 1e-6);
    let (blon, blat) = spatial::crs::gcj02_to_bd09(glon, glat);
    let r = app.get(&format!("{base}?lon={blon}&lat={blat}&crs=bd09"), &token).await;
    assert_eq!(r.body["unit_grid"]["code"], code, "{}", r.text);
    // Taken as WGS84, the GCJ-02 numbers land elsewhere (or nowhere).
    let r = app.get(&format!("{base}?lon={glon}&lat={glat}"), &token).await;
    assert_ne!(r.body["unit_grid"]["code"], code);

    let r = app.get(&format!("{base}?lon=116.39&lat=39.9"), &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "outside_grids"));
    let r = app.get(&format!("{base}?lon=200&lat=39.9"), &token).await;
    assert_eq!(r.fields(), ["lon"]);
    let r = app.get(&format!("{base}?lon={lon}&lat={lat}&crs=mercator"), &token).await;
    assert_eq!(r.fields(), ["crs"]);
}

#[tokio::test]
async fn duty_grids_assign_grids_once_and_only_collectors() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let base = format!("/api/v1/tenants/{COUNTY_A}/duty-grids");
    let existing = app.get(&base, &admin).await;
    let taken = existing.body[0]["grid_codes"][0].as_str().unwrap().to_owned();
    let collector = app.user_id(COUNTY_A, "collector", &admin).await;
    let acceptor = app.user_id(COUNTY_A, "acceptor", &admin).await;

    let r = app.post(&base, &admin, json!({"code": "DG-900", "name": "新网格", "grid_codes": [taken, "320115999999999"], "collector_ids": [acceptor]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["grid_codes[0]", "grid_codes[1]", "collector_ids[0]"]);

    // Move the grid out of its duty grid, then into a new one.
    let first = &existing.body[0];
    let rest: Vec<Value> = first["grid_codes"].as_array().unwrap()[1..].to_vec();
    let r = app
        .put(
            &format!("{base}/{}", first["id"].as_str().unwrap()),
            &admin,
            json!({"code": first["code"], "name": first["name"], "grid_codes": rest, "collector_ids": [collector]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            &base,
            &admin,
            json!({"code": "DG-900", "name": "新网格", "grid_codes": [taken], "collector_ids": [collector]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["grid_codes"], json!([taken]));
    // The lookup sees the change at once (the grid version moved on).
    let g = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids/{taken}"), &admin).await;
    let bbox: Vec<f64> = g.body["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let here = app
        .get(
            &format!(
                "/api/v1/tenants/{COUNTY_A}/grids/locate?lon={}&lat={}",
                (bbox[0] + bbox[2]) / 2.0,
                (bbox[1] + bbox[3]) / 2.0
            ),
            &admin,
        )
        .await;
    assert_eq!(here.body["duty_grid"]["code"], "DG-900", "{}", here.text);
    let r = app.post(&base, &admin, json!({"code": "DG-900", "name": "重复"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_exists"));
}

/// A start that dies while seeding the demo leaves a county's frame half-written (grids, no
/// components): the next start sees the missing completion mark and seeds the county again.
#[tokio::test]
async fn an_interrupted_demo_frame_is_seeded_again_on_the_next_start() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let db = app.db().await;
    let backend = db.get_database_backend();
    let count = |table: &'static str| {
        let db = &db;
        async move {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE tenant_id = (SELECT id FROM tenants WHERE code = '{COUNTY_A}')"
            );
            let row = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    let (grids, components) = (count("unit_grids").await, count("components").await);
    assert!(grids > 0 && components > 0, "the demo frame has grids and components");
    // As if the process died after writing the grids: no components, no completion mark.
    for sql in [
        format!("DELETE FROM components WHERE tenant_id = (SELECT id FROM tenants WHERE code = '{COUNTY_A}')"),
        format!("DELETE FROM sync_versions WHERE name = 'demo:frame:{COUNTY_A}'"),
    ] {
        db.execute_raw(Statement::from_string(backend, sql)).await.unwrap();
    }
    let again = app.replica().await;
    assert_eq!((count("unit_grids").await, count("components").await), (grids, components));
    // And the county works as before.
    let token = again.demo(COUNTY_A, "collector").await;
    let r = again.get(&format!("/api/v1/tenants/{COUNTY_A}/components?limit=1"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}
