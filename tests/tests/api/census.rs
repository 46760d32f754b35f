//! The component census over HTTP: CSV and GeoJSON imports as jobs (bad rows reported by line,
//! field and reason), dry runs, updates with history, queries, exports, statistics, catalogue.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_app, uscc};

/// Uploads a file and waits for its job to finish.
async fn run_import(app: &TestApp, token: &str, tenant: &str, body: String, query: &str) -> Value {
    let id = start_import(app, token, tenant, body, query).await;
    for _ in 0..200 {
        let j = app.get(&format!("/api/v1/tenants/{tenant}/census/imports/{id}"), token).await;
        if j.body["status"] == "succeeded" || j.body["status"] == "failed" {
            return j.body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish");
}

/// Two grids of county A and a point inside each.
async fn two_grids(app: &TestApp, token: &str) -> Vec<(String, f64, f64)> {
    let grids = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=2"), token).await;
    grids.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let b: Vec<f64> = g["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            (g["code"].as_str().unwrap().to_owned(), (b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
        })
        .collect()
}

#[tokio::test]
async fn csv_import_reports_bad_rows_precisely_and_is_all_or_nothing() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let g = two_grids(&app, &admin).await;
    let dept = uscc(COUNTY_A, 1);
    let (g0, lon0, lat0) = &g[0];
    let (g1, lon1, lat1) = &g[1];
    // Headers: Chinese names, abbreviations and API names mixed; one unknown column (材质).
    let csv = format!(
        "管理部件标识码,GLBJMC,主管部门代码,ZGBMMC,管理部件状态,CSRQ,lon,lat,SZDYWGBSM,材质\n\
         32011501001900001,供水井盖,{dept},江宁区水务局,完好,20260301,{lon0},{lat0},{g0},铸铁\n\
         32011501001900002,,{dept},江宁区水务局,破损,2026-03-02,{lon1},{lat1},,\n\
         32010201001900003,,{dept},江宁区水务局,完好,20260301,{lon0},{lat0},,\n\
         32011501001900004,,91350100M000100Y44,江宁区水务局,坏了,2026-13-01,{lon0},{lat0},,\n\
         32011501001900005,,{dept},江宁区水务局,完好,20260301,{lon0},{lat0},{g1},\n\
         32011501001900006,,{dept},江宁区水务局,完好,20260301,116.39,39.90,,\n\
         32011599999900007,,{dept},江宁区水务局,完好,20260301,{lon0},{lat0},,\n"
    );
    let job = run_import(&app, &admin, COUNTY_A, csv.clone(), "").await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(
        (job["rows_read"].as_i64(), job["rows_failed"].as_i64(), job["rows_written"].as_i64()),
        (Some(7), Some(5), Some(0))
    );
    let errors: Vec<(i64, String, String)> = job["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let has = |line: i64, field: &str, needle: &str| {
        assert!(
            errors.iter().any(|(l, f, r)| *l == line && f == field && r.contains(needle)),
            "expected line {line} {field} ~ {needle} in {errors:#?}"
        )
    };
    has(4, "component_id", "320102");
    has(5, "dept_code", "check character");
    has(5, "status", "坏了");
    has(5, "initial_date", "2026-13-01");
    has(6, "grid_code", g0);
    has(7, "lon", "outside every unit grid");
    has(8, "class_code", "99999");
    let list = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components?class=01001&limit=500"), &admin).await;
    assert!(!list.text.contains("900001"), "all or nothing: nothing written");

    // Partial: the two good rows are written, the five bad ones reported.
    let job = run_import(&app, &admin, COUNTY_A, csv.clone(), "?mode=partial").await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!((job["rows_written"].as_i64(), job["rows_failed"].as_i64()), (Some(2), Some(5)));
    let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/32011501001900001"), &admin).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert_eq!(c.body["grid_code"], g0.as_str());
    assert_eq!(c.body["street_code"], &g0[..9]);
    assert_eq!(c.body["extra"]["材质"], "铸铁", "unknown columns are kept as extension attributes");
    let c2 = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/32011501001900002"), &admin).await;
    assert_eq!(c2.body["name"], "供水井盖", "the name defaults to the class name");
    assert_eq!(c2.body["grid_code"], g1.as_str(), "the grid is derived from the location");
    assert_eq!(c2.body["initial_date"], "2026-03-02");

    // Re-importing the same rows updates instead of duplicating; unchanged rows are not rewritten.
    let again = run_import(&app, &admin, COUNTY_A, csv.replace("供水井盖,", "上水井盖,"), "?mode=partial").await;
    assert_eq!(again["rows_written"], 1, "{again}");
    let history = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/32011501001900001/history"), &admin).await;
    let h = history.body.as_array().unwrap();
    assert_eq!(h.len(), 2, "{}", history.text);
    assert_eq!(h[0]["action"], "created");
    // The creation is stored without a snapshot and rebuilt from the current row by undoing later
    // updates: it shows the values as first imported.
    assert_eq!(h[0]["changes"]["name"], json!([null, "供水井盖"]), "{}", history.text);
    assert_eq!(h[0]["changes"]["status"], json!([null, "完好"]));
    assert_eq!(h[0]["changes"]["grid_code"], json!([null, g0.as_str()]));
    assert!(h[0]["changes"].get("owner_code").is_none(), "empty fields are not listed");
    assert_eq!(h[1]["action"], "updated");
    assert_eq!(h[1]["changes"]["name"], json!(["供水井盖", "上水井盖"]));
    assert!(h[1]["job_id"].is_string() && h[1]["actor_id"].is_string());

    // A dry run validates only.
    let dry = run_import(&app, &admin, COUNTY_A, csv.replace("900001", "900101"), "?mode=partial&dry_run=true").await;
    assert_eq!((dry["rows_valid"].as_i64(), dry["rows_written"].as_i64()), (Some(2), Some(0)), "{dry}");
    assert_eq!(
        app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/32011501001900101"), &admin).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn legacy_ids_geojson_import_single_writes_queries_exports() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let g = two_grids(&app, &admin).await;
    let (g0, lon0, lat0) = &g[0];
    let dept = uscc(COUNTY_A, 1);

    // Legacy 16-digit ids: 0102 污水井盖 maps to 01002; 0114 无主井盖 has no mapping.
    let csv = format!(
        "ObjID,DeptCode1,DeptName1,ObjState,ORDate,经度,纬度\n\
         3201150102000777,{dept},江宁区水务局,完好,20200101,{lon0},{lat0}\n\
         3201150114000778,{dept},江宁区水务局,完好,20200101,{lon0},{lat0}\n"
    );
    let job = run_import(&app, &admin, COUNTY_A, csv, "?mode=partial").await;
    assert_eq!(job["rows_written"], 1, "{job}");
    assert!(job["errors"][0]["reason"].as_str().unwrap().contains("0114"), "{job}");
    let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/32011501002000777"), &admin).await;
    assert_eq!(c.body["legacy_id"], "3201150102000777", "{}", c.text);
    assert_eq!(c.body["class_code"], "01002");

    // GeoJSON import: a line component (交通护栏) with its geometry.
    let fc = json!({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"GLBJBSM": "32011502017000900", "ZGBMDM": dept, "ZGBMMC": "江宁区城市管理局", "GLBJZT": "完好", "CSRQ": "20260301"},
        "geometry": {"type": "LineString", "coordinates": [[lon0, lat0], [lon0 + 0.0001, *lat0]]}
    }]});
    let job = run_import(&app, &admin, COUNTY_A, fc.to_string(), "?format=geojson").await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/32011502017000900"), &admin).await;
    assert_eq!(c.body["location"]["type"], "LineString", "{}", c.text);

    // One component through the API, then a status change with history.
    let base = format!("/api/v1/tenants/{COUNTY_A}/components");
    let body = json!({"component_id": "32011503005000901", "dept_code": dept, "dept_name": "江宁区城市管理局",
        "status": "intact", "initial_date": "2026-05-01", "location": {"type": "Point", "coordinates": [lon0, lat0]}});
    let r = app.post(&base, &admin, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "完好");
    assert_eq!(app.post(&base, &admin, body).await.status, StatusCode::CONFLICT);
    let r = app
        .patch(&format!("{base}/32011503005000901"), &admin, json!({"status": "破损", "change_date": "2026-06-01"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["status"].as_str(), r.body["version"].as_i64()), (Some("破损"), Some(2)));
    let r = app.patch(&format!("{base}/32011503005000901"), &admin, json!({"change_date": "2020-01-01"})).await;
    assert_eq!(r.fields(), ["change_date"], "{}", r.text);

    // Queries: by grid, class, status, bbox; paging.
    let r = app.get(&format!("{base}?grid={g0}&limit=500"), &admin).await;
    assert!(r.body["items"].as_array().unwrap().iter().all(|c| c["grid_code"] == g0.as_str()));
    assert!(r.text.contains("32011503005000901"));
    let r = app.get(&format!("{base}?class=03005&status=破损"), &admin).await;
    assert!(r.body["items"].as_array().unwrap().iter().all(|c| c["class_code"] == "03005" && c["status"] == "破损"));
    let bbox = format!("{},{},{},{}", lon0 - 1e-6, lat0 - 1e-6, lon0 + 1e-6, lat0 + 1e-6);
    let r = app.get(&format!("{base}?bbox={bbox}"), &admin).await;
    let ids: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|c| c["component_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"32011503005000901") && ids.contains(&"32011501002000777"), "{ids:?}");
    assert_eq!(app.get(&format!("{base}?bbox=1,2,3"), &admin).await.fields(), ["bbox"]);
    // A streamed export refuses a bad filter with a 422 before it starts (not a dropped stream).
    for format in ["csv", "geojson", "xlsx"] {
        let r = app.get(&format!("{base}/export?format={format}&bbox=1,2,3"), &admin).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{format}: {}", r.text);
        assert_eq!(r.fields(), ["bbox"], "{format}");
    }

    // Exports: CSV with standard abbreviations, GeoJSON with every component.
    let csv = app.get_raw(&format!("{base}/export?format=csv"), &admin).await.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("\u{feff}GLBJBSM,GLBJMC,ZGBMDM"), "a byte-order mark, then the header");
    let stats = app.get(&format!("/api/v1/tenants/{COUNTY_A}/census/stats"), &admin).await;
    let total = stats.body["total"].as_u64().unwrap() as usize;
    assert_eq!(lines.count(), total);
    let fc: Value = app.get_raw(&format!("{base}/export"), &admin).await.json().await.unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), total);
    let filtered: Value = app.get_raw(&format!("{base}/export?grid={g0}"), &admin).await.json().await.unwrap();
    assert!(filtered["features"].as_array().unwrap().iter().all(|f| f["properties"]["grid_code"] == g0.as_str()));
}

#[tokio::test]
async fn statistics_per_county_and_across_the_city() {
    let app = spawn_app().await;
    let oversight = app.demo(CITY, "oversight").await;
    let mut totals = Vec::new();
    for county in [COUNTY_B, COUNTY_A] {
        let s = app.get(&format!("/api/v1/tenants/{county}/census/stats"), &oversight).await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.text);
        let total = s.body["total"].as_i64().unwrap();
        assert!(total > 0);
        let by_class: i64 =
            s.body["by_class_and_status"].as_array().unwrap().iter().map(|r| r["count"].as_i64().unwrap()).sum();
        let by_place: i64 =
            s.body["by_street_and_community"].as_array().unwrap().iter().map(|r| r["count"].as_i64().unwrap()).sum();
        assert_eq!((by_class, by_place), (total, total));
        totals.push(total);
    }
    let city = app.get(&format!("/api/v1/tenants/{CITY}/census/stats/by-county"), &oversight).await;
    assert_eq!(city.status, StatusCode::OK, "{}", city.text);
    let codes: Vec<&str> =
        city.body["counties"].as_array().unwrap().iter().map(|c| c["tenant_code"].as_str().unwrap()).collect();
    assert_eq!(codes, [COUNTY_B, COUNTY_A]);
    assert_eq!(city.body["total"].as_i64().unwrap(), totals.iter().sum::<i64>());
    // A county sees only itself; it cannot read its neighbour's or the city's statistics.
    let a = app.demo(COUNTY_A, "auditor").await;
    assert_eq!(app.get(&format!("/api/v1/tenants/{COUNTY_B}/census/stats"), &a).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/tenants/{CITY}/census/stats/by-county"), &a).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn catalogue_national_and_extensions_inherited_by_counties() {
    let app = spawn_app().await;
    let county = app.demo(COUNTY_A, "admin").await;
    let all = app.get("/api/v1/catalog/classes", &county).await;
    let items = all.body.as_array().unwrap();
    assert_eq!(items.iter().filter(|c| c["kind"] == "component").count(), 153);
    assert_eq!(items.iter().filter(|c| c["kind"] == "matter").count(), 250);
    let both: Vec<_> = items.iter().filter(|c| c["code"] == "01001").collect();
    assert_eq!(both.len(), 2, "01001 is both a component and a matter");
    let r = app.get("/api/v1/catalog/classes?kind=matter&major=09", &county).await;
    assert!(r.body.as_array().unwrap().iter().all(|c| c["major_code"] == "09" && c["kind"] == "matter"));
    assert!(r.text.contains("机动车乱停放") && r.text.contains("Street order"));
    let legacy = app.get("/api/v1/catalog/legacy-mappings", &county).await;
    assert!(legacy.body.as_array().unwrap().iter().any(|m| m["legacy_code"] == "0101" && m["code"] == "01001"));

    // The city adds an extension; its counties see it, another city does not.
    let city = app.demo(CITY, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{CITY}/catalog/classes"),
            &city,
            json!({"kind": "component", "code": "01901", "name": "智能井盖"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["major_name"], "市政公用设施");
    assert_eq!(r.body["standard"], "local:320100");
    let seen = app.get(&format!("/api/v1/tenants/{COUNTY_A}/catalog/classes?kind=component&major=01"), &county).await;
    assert!(seen.text.contains("智能井盖"));
    // A county may not reuse a national or inherited code.
    for code in ["01001", "01901"] {
        let r = app
            .post(
                &format!("/api/v1/tenants/{COUNTY_A}/catalog/classes"),
                &county,
                json!({"kind": "component", "code": code, "name": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{code}: {}", r.text);
    }
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/catalog/classes"),
            &county,
            json!({"kind": "component", "code": "99001", "name": "x"}),
        )
        .await;
    assert_eq!(r.fields(), ["major_name"], "{}", r.text);
    let wuxi = app.onboard_city("320200", "无锡市", "Wuxi-Chief-2026!").await;
    let other = app.get("/api/v1/tenants/320200/catalog/classes?kind=component", &wuxi).await;
    assert!(!other.text.contains("智能井盖"));

    // Census rows may use the inherited class.
    let g = two_grids(&app, &county).await;
    let body = json!({"component_id": "32011501901000001", "dept_code": uscc(COUNTY_A, 1), "dept_name": "江宁区水务局",
        "status": "完好", "initial_date": "20260301", "lon": g[0].1, "lat": g[0].2});
    let r = app.post(&format!("/api/v1/tenants/{COUNTY_A}/components"), &county, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["name"], "智能井盖");
}

/// Starts an import of `body` and returns the job id.
async fn start_import(app: &TestApp, token: &str, tenant: &str, body: impl Into<reqwest::Body>, query: &str) -> String {
    let r = app
        .client
        .post(format!("{}/api/v1/tenants/{tenant}/census/imports{query}", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job: Value = r.json().await.unwrap();
    job["id"].as_str().unwrap().to_owned()
}

/// Polls a job until it ends; returns every state seen, the last one finished.
async fn follow_job(app: &TestApp, token: &str, tenant: &str, id: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..6000 {
        let j = app.get(&format!("/api/v1/tenants/{tenant}/census/imports/{id}"), token).await;
        let done = j.body["status"] == "succeeded" || j.body["status"] == "failed";
        seen.push(j.body);
        if done {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("import {id} did not finish");
}

/// `n` valid census rows of county A at one point, ids `320115 01001 8xxxxx` from serial 0; the
/// record of serial `i` is on line `i + 2`.
fn census_rows(n: usize, dept: &str, lon: f64, lat: f64, eol: &str) -> String {
    let mut csv = format!("GLBJBSM,GLBJMC,ZGBMDM,ZGBMMC,GLBJZT,CSRQ,lon,lat{eol}");
    for i in 0..n {
        csv.push_str(&format!("{},井盖{i},{dept},江宁区水务局,完好,20260301,{lon},{lat}{eol}", row_id(i)));
    }
    csv
}

fn row_id(i: usize) -> String {
    format!("320115010018{i:05}")
}

/// Makes the database itself refuse to store one component id (a real failure of the storage
/// part-way through an import, not a mock).
async fn refuse_component(app: &TestApp, id: &str) {
    let db = app.db().await;
    let statements = match app.backend {
        tests::Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION refuse_component() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.component_id = '{id}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$"
            ),
            "CREATE TRIGGER refuse_component BEFORE INSERT ON components FOR EACH ROW EXECUTE FUNCTION refuse_component()"
                .to_owned(),
        ],
        tests::Backend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_component BEFORE INSERT ON components WHEN NEW.component_id = '{id}' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
    };
    for s in statements {
        sea_orm::ConnectionTrait::execute_unprepared(&db, &s).await.unwrap();
    }
}

async fn census_total(app: &TestApp, token: &str) -> i64 {
    app.get(&format!("/api/v1/tenants/{COUNTY_A}/census/stats"), token).await.body["total"].as_i64().unwrap()
}

async fn exists(app: &TestApp, token: &str, id: &str) -> bool {
    let r = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/{id}"), token).await;
    assert!(matches!(r.status, StatusCode::OK | StatusCode::NOT_FOUND), "{}", r.text);
    r.status == StatusCode::OK
}

#[tokio::test]
async fn all_or_nothing_is_atomic_when_the_database_fails_part_way() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    // More rows than a write batch on either database; the last one cannot be stored.
    let n = 6001;
    refuse_component(&app, &row_id(n - 1)).await;
    let before = census_total(&app, &admin).await;
    let id = start_import(&app, &admin, COUNTY_A, census_rows(n, &uscc(COUNTY_A, 1), lon, lat, "\n"), "").await;
    let job = follow_job(&app, &admin, COUNTY_A, &id).await.pop().unwrap();
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["rows_written"], 0, "{job}");
    assert!(job["message"].as_str().unwrap().contains("nothing was written"), "{job}");
    assert_eq!(census_total(&app, &admin).await, before, "the census is exactly as before");
    assert!(!exists(&app, &admin, &row_id(0)).await);
}

#[tokio::test]
async fn partial_commits_in_file_order_and_says_up_to_which_line() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let n = 6001;
    refuse_component(&app, &row_id(5500)).await;
    let before = census_total(&app, &admin).await;
    let id =
        start_import(&app, &admin, COUNTY_A, census_rows(n, &uscc(COUNTY_A, 1), lon, lat, "\n"), "?mode=partial").await;
    let job = follow_job(&app, &admin, COUNTY_A, &id).await.pop().unwrap();
    assert_eq!(job["status"], "failed", "{job}");
    let through = job["written_through_line"]
        .as_i64()
        .unwrap_or_else(|| panic!("the job says up to which line it stored: {job}"));
    assert!((2..5502).contains(&through), "{job}");
    // Every row is valid, so lines 2..=through are exactly the rows written.
    assert_eq!(job["rows_written"].as_i64(), Some(through - 1), "{job}");
    assert_eq!(census_total(&app, &admin).await, before + through - 1);
    assert!(job["message"].as_str().unwrap().contains(&format!("up to line {through}")), "{job}");
    let serial = (through - 2) as usize;
    assert!(exists(&app, &admin, &row_id(serial)).await, "line {through} is stored");
    assert!(!exists(&app, &admin, &row_id(serial + 1)).await, "line {} is not", through + 1);
    assert!(!exists(&app, &admin, &row_id(n - 1)).await, "nothing after the failure is stored");
}

#[tokio::test]
async fn progress_never_goes_backwards() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let n = 12000;
    let id = start_import(&app, &admin, COUNTY_A, census_rows(n, &uscc(COUNTY_A, 1), lon, lat, "\n"), "").await;
    let states = follow_job(&app, &admin, COUNTY_A, &id).await;
    let last = states.last().unwrap();
    assert_eq!(last["status"], "succeeded", "{}", last["message"]);
    assert_eq!((last["rows_read"].as_i64(), last["rows_written"].as_i64()), (Some(n as i64), Some(n as i64)));
    for key in ["rows_read", "rows_valid", "rows_written", "rows_failed"] {
        let values: Vec<i64> = states.iter().map(|s| s[key].as_i64().unwrap()).collect();
        assert!(values.windows(2).all(|w| w[0] <= w[1]), "{key} went backwards: {values:?}");
    }
}

#[tokio::test]
async fn a_repeated_id_is_reported_on_both_lines() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let dept = uscc(COUNTY_A, 1);
    let mut csv = census_rows(3, &dept, lon, lat, "\n");
    // Line 5 repeats line 3's id with another name.
    csv.push_str(&format!("{},另一个井盖,{dept},江宁区水务局,完好,20260301,{lon},{lat}\n", row_id(1)));
    let errors = |job: &Value| -> Vec<(i64, String)> {
        job["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["line"].as_i64().unwrap(), e["reason"].as_str().unwrap().to_owned()))
            .collect()
    };

    let job = run_import(&app, &admin, COUNTY_A, csv.clone(), "").await;
    assert_eq!(job["status"], "failed", "{job}");
    let e = errors(&job);
    assert!(e.iter().any(|(l, r)| *l == 3 && r.contains("line 5")), "{e:?}");
    assert!(e.iter().any(|(l, r)| *l == 5 && r.contains("line 3")), "{e:?}");
    assert_eq!((job["rows_failed"].as_i64(), job["rows_written"].as_i64()), (Some(2), Some(0)), "{job}");
    assert!(!exists(&app, &admin, &row_id(1)).await);

    // Partial: the first occurrence is stored, the repeat refused (not silently overwriting it).
    let job = run_import(&app, &admin, COUNTY_A, csv, "?mode=partial").await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!((job["rows_written"].as_i64(), job["rows_failed"].as_i64()), (Some(3), Some(1)), "{job}");
    let e = errors(&job);
    assert!(e.iter().any(|(l, r)| *l == 3 && r.contains("line 5")), "{e:?}");
    assert!(e.iter().any(|(l, r)| *l == 5 && r.contains("line 3")), "{e:?}");
    let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/{}", row_id(1)), &admin).await;
    assert_eq!(c.body["name"], "井盖1", "{}", c.text);
}

#[tokio::test]
async fn error_lines_are_physical_lines_for_lf_and_crlf() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let dept = uscc(COUNTY_A, 1);
    for eol in ["\n", "\r\n"] {
        // Line 2 is good and its quoted note spans two lines (2 and 3); line 4 is bad; line 5 is
        // blank; line 6 is bad.
        let csv = [
            "GLBJBSM,ZGBMDM,ZGBMMC,GLBJZT,CSRQ,lon,lat,BZ".to_owned(),
            format!("{},{dept},江宁区水务局,完好,20260301,{lon},{lat},\"第一行{eol}第二行\"", row_id(1)),
            format!("{},{dept},江宁区水务局,坏了,20260301,{lon},{lat},", row_id(2)),
            String::new(),
            format!("{},{dept},江宁区水务局,完好,2026-13-01,{lon},{lat},", row_id(3)),
        ]
        .join(eol)
            + eol;
        let job = run_import(&app, &admin, COUNTY_A, csv, "?dry_run=true").await;
        let lines: Vec<(i64, &str)> = job["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["line"].as_i64().unwrap(), e["field"].as_str().unwrap()))
            .collect();
        assert_eq!(lines, [(4, "status"), (6, "initial_date")], "{eol:?}: {job}");
        assert_eq!((job["rows_read"].as_i64(), job["rows_valid"].as_i64()), (Some(3), Some(1)), "{eol:?}: {job}");
    }
}

#[tokio::test]
async fn csv_export_has_a_bom_a_file_name_and_no_live_formulas() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let dept = uscc(COUNTY_A, 1);
    let csv = format!(
        "GLBJBSM,GLBJMC,ZGBMDM,ZGBMMC,GLBJZT,CSRQ,lon,lat,BZ,SJLY\n\
         {},=1+2,{dept},@SUM(A1),完好,20260301,{lon},{lat},\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",-3\n",
        row_id(7)
    );
    let job = run_import(&app, &admin, COUNTY_A, csv, "").await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let r = app.get_raw(&format!("/api/v1/tenants/{COUNTY_A}/components/export?format=csv"), &admin).await;
    assert_eq!(r.status(), StatusCode::OK);
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"components-320115-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xef\xbb\xbf", "UTF-8 byte-order mark");
    let text = std::str::from_utf8(&bytes).unwrap();
    let line = text.lines().find(|l| l.starts_with(&row_id(7))).unwrap();
    let f = csv_fields(line);
    assert_eq!((f[1].as_str(), f[3].as_str()), ("'=1+2", "'@SUM(A1)"), "{line}");
    assert_eq!(f[13], "'=HYPERLINK(\"http://evil\",\"x\")", "{line}");
    assert_eq!(f[12], "'-3", "{line}");
    assert!(f[18].parse::<f64>().unwrap() > 0.0, "lon stays a number: {line}");
    // Stored as given; only the export neutralises.
    let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/{}", row_id(7)), &admin).await;
    assert_eq!(c.body["name"], "=1+2");
}

/// The fields of one CSV line.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let (mut cur, mut quoted, mut chars) = (String::new(), false, line.chars().peekable());
    while let Some(ch) = chars.next() {
        match (ch, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

#[tokio::test]
async fn gb18030_csv_is_detected_or_named_and_read_correctly() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let dept = uscc(COUNTY_A, 1);
    // What Excel on Chinese Windows saves as "CSV": GBK/GB18030, Chinese headers, CRLF.
    let text = format!(
        "管理部件标识码,部件名称,主管部门代码,主管部门名称,部件状态,初始日期,lon,lat\r\n\
         {},供水井盖,{dept},江宁区水务局,完好,20260301,{lon},{lat}\r\n\
         {},雨水井盖,{dept},江宁区水务局,不存在的状态,20260301,{lon},{lat}\r\n",
        row_id(1),
        row_id(2)
    );
    let (bytes, _, lossy) = encoding_rs::GB18030.encode(&text);
    assert!(!lossy);
    assert!(std::str::from_utf8(&bytes).is_err(), "the test file really is not UTF-8");
    for query in ["?mode=partial", "?mode=partial&encoding=gbk", "?mode=partial&encoding=gb18030"] {
        let id = start_import(&app, &admin, COUNTY_A, bytes.to_vec(), query).await;
        let job = follow_job(&app, &admin, COUNTY_A, &id).await.pop().unwrap();
        assert_eq!(job["encoding"], "gb18030", "{query}: {job}");
        assert_eq!(job["format"], "csv", "{job}");
        assert_eq!((job["rows_read"].as_i64(), job["rows_valid"].as_i64()), (Some(2), Some(1)), "{query}: {job}");
        // The bad row is reported on its physical line, with the field decoded as Chinese.
        assert_eq!(job["errors"][0]["line"], 3, "{job}");
        assert_eq!(job["errors"][0]["field"], "status", "{job}");
        let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/{}", row_id(1)), &admin).await;
        assert_eq!((c.body["name"].as_str(), c.body["dept_name"].as_str()), (Some("供水井盖"), Some("江宁区水务局")));
    }
    // UTF-8 stays UTF-8, and a wrong `encoding=` is a 422 naming the parameter.
    let id = start_import(&app, &admin, COUNTY_A, text.clone(), "?mode=partial").await;
    assert_eq!(follow_job(&app, &admin, COUNTY_A, &id).await.pop().unwrap()["encoding"], "utf-8");
    let r = app
        .client
        .post(format!("{}/api/v1/tenants/{COUNTY_A}/census/imports?encoding=latin1", app.base))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("encoding"));
}

/// An XLSX workbook of one sheet: `rows` of text cells, and `numeric_id` rows whose first cell
/// is typed as a number (as Excel does when the column is not formatted as text).
fn workbook(rows: &[Vec<String>], numeric_id: &[usize]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if c == 0 && numeric_id.contains(&r) {
                sheet.write_number(r as u32, 0, v.parse::<f64>().unwrap()).unwrap();
            } else if let Ok(n) = v.parse::<f64>().map_err(|_| ()).and_then(|n| if c >= 6 { Ok(n) } else { Err(()) }) {
                sheet.write_number(r as u32, c as u16, n).unwrap();
            } else {
                sheet.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn xlsx_import_reports_rows_as_excel_numbers_them() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let dept = uscc(COUNTY_A, 1);
    let row = |id: String, name: &str, status: &str| {
        vec![
            id,
            name.into(),
            dept.clone(),
            "江宁区水务局".into(),
            status.into(),
            "20260301".into(),
            lon.to_string(),
            lat.to_string(),
        ]
    };
    let header: Vec<String> =
        ["管理部件标识码", "部件名称", "主管部门代码", "主管部门名称", "部件状态", "初始日期", "lon", "lat"]
            .map(String::from)
            .into();
    let rows = vec![
        header,
        row(row_id(11), "供水井盖", "完好"),
        row(row_id(12), "雨水井盖", "坏了"),
        // A blank row, as spreadsheets keep them, then an id typed as a number (Excel kept 15 digits).
        vec![],
        row(row_id(14), "路灯", "完好"),
    ];
    let file = workbook(&rows, &[4]);
    // Detected from the content (a ZIP container), and named explicitly.
    for query in ["?mode=partial", "?mode=partial&format=xlsx"] {
        let id = start_import(&app, &admin, COUNTY_A, file.clone(), query).await;
        let job = follow_job(&app, &admin, COUNTY_A, &id).await.pop().unwrap();
        assert_eq!(job["format"], "xlsx", "{job}");
        assert!(job["encoding"].is_null(), "{job}");
        assert_eq!((job["rows_read"].as_i64(), job["rows_valid"].as_i64()), (Some(3), Some(1)), "{job}");
        let errors = job["errors"].as_array().unwrap();
        let lines: Vec<(i64, &str)> =
            errors.iter().map(|e| (e["line"].as_i64().unwrap(), e["field"].as_str().unwrap())).collect();
        assert_eq!(lines, [(3, "status"), (5, "component_id")], "{job}");
        assert!(errors[1]["reason"].as_str().unwrap().contains("15 digits"), "{job}");
        let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/{}", row_id(11)), &admin).await;
        assert_eq!(c.body["name"], "供水井盖", "{}", c.text);
    }
}

#[tokio::test]
async fn xlsx_export_keeps_ids_as_text_and_formulas_dead() {
    use calamine::Reader;
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (_, lon, lat) = two_grids(&app, &admin).await.remove(0);
    let dept = uscc(COUNTY_A, 1);
    let csv = format!(
        "GLBJBSM,GLBJMC,ZGBMDM,ZGBMMC,GLBJZT,CSRQ,lon,lat,BZ\n\
         {},=1+2,{dept},@SUM(A1),完好,20260301,{lon},{lat},-3\n",
        row_id(21)
    );
    assert_eq!(run_import(&app, &admin, COUNTY_A, csv, "").await["status"], "succeeded");
    let r = app.get_raw(&format!("/api/v1/tenants/{COUNTY_A}/components/export?format=xlsx"), &admin).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"components-320115-") && disposition.ends_with(".xlsx\""),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header.join(","), inventory::census::query::CSV_HEADER);
    let row = sheet.rows().find(|r| r[0].to_string() == row_id(21)).expect("the row, its id as 17-digit text");
    assert!(matches!(row[0], calamine::Data::String(_)), "ids are text cells: {:?}", row[0]);
    // Formula-like text is a text cell (no formula anywhere in the sheet) with the quote prefix.
    assert_eq!((row[1].to_string().as_str(), row[3].to_string().as_str()), ("=1+2", "@SUM(A1)"));
    assert!(matches!(row[1], calamine::Data::String(_)) && matches!(row[13], calamine::Data::String(_)));
    let formulas = book.worksheet_formula(&book.sheet_names()[0].clone()).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formulas in the export");
    assert!(matches!(row[18], calamine::Data::Float(_)), "lon is a number: {:?}", row[18]);
}

/// Every census field written through an import comes back unchanged, on a new component and on
/// an update of it (on PostgreSQL both go through COPY and a staged upsert, whose column lists
/// would drift apart silently).
#[tokio::test]
async fn every_census_field_round_trips_through_an_import() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let grid = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=1"), &admin).await.body["items"][0].clone();
    let b: Vec<f64> = grid["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let (lon, lat) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let (grid_code, street, community) = (
        grid["code"].as_str().unwrap().to_owned(),
        grid["street_code"].as_str().unwrap().to_owned(),
        grid["community_code"].as_str().unwrap().to_owned(),
    );
    let id = "32011501001990001";
    for (n, status, note) in [(1, "破损", "首次普查"), (2, "丢失", "复查变更")] {
        let fields = json!({
            "component_id": id,
            "class_code": "01001",
            "name": format!("上水井盖{n}"),
            "dept_code": uscc(COUNTY_A, n),
            "dept_name": format!("主管部门{n}"),
            "owner_code": uscc(COUNTY_A, n + 10),
            "owner_name": format!("权属单位{n}"),
            "maint_code": uscc(COUNTY_A, n + 20),
            "maint_name": format!("养护单位{n}"),
            "grid_code": grid_code,
            "status": status,
            "initial_date": "2026-03-01",
            "change_date": format!("2026-0{}-15", 4 + n),
            "data_source": format!("普查{n}"),
            "note": note,
            "street_code": street,
            "street_name": format!("街道{n}"),
            "community_code": community,
            "community_name": format!("社区{n}"),
            "lon": lon,
            "lat": lat,
        });
        let keys: Vec<&String> = fields.as_object().unwrap().keys().collect();
        let values: Vec<String> = keys
            .iter()
            .map(|k| match &fields[k.as_str()] {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect();
        let csv = format!("{}\n{}\n", keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","), values.join(","));
        let job = run_import(&app, &admin, COUNTY_A, csv, "").await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let c = app.get(&format!("/api/v1/tenants/{COUNTY_A}/components/{id}"), &admin).await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.text);
        for key in keys {
            let (sent, stored) = (&fields[key.as_str()], &c.body[key.as_str()]);
            if key == "lon" || key == "lat" {
                let at = &c.body["location"]["coordinates"][if key == "lon" { 0 } else { 1 }];
                assert!((at.as_f64().unwrap() - sent.as_f64().unwrap()).abs() < 1e-9, "{key}: {}", c.text);
            } else {
                assert_eq!(stored, sent, "import {n}: {key} came back as {stored}");
            }
        }
    }
}
