//! The dashboard and the map's points over HTTP, with exact figures from cases the test makes
//! (the small demo has none of its own): a county's periods, sources, states and trend, a city
//! summed over its counties and side by side, and who may read them.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_app};

async fn point(app: &TestApp, county: &str, token: &str) -> (f64, f64) {
    let g = app.get(&format!("/api/v1/tenants/{county}/grids?limit=1"), token).await;
    let b: Vec<f64> = g.body["items"][0]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
}

async fn report(app: &TestApp, county: &str, token: &str, source: &str) -> String {
    let (lon, lat) = point(app, county, token).await;
    let body = json!({"source": source, "kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let r = app.post(&format!("/api/v1/tenants/{county}/cases"), token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, token: &str, id: &str, body: Value) {
    let r = app.post(&format!("/api/v1/tenants/{COUNTY_A}/cases/{id}/actions"), token, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text);
}

fn counts(v: &Value) -> [u64; 9] {
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
    [
        n("reported"),
        n("accepted"),
        n("filed"),
        n("dispatched"),
        n("closed"),
        n("closed_on_time"),
        n("filed_closed"),
        n("open_now"),
        n("overdue_now"),
    ]
}

fn source<'a>(figures: &'a Value, s: &str) -> &'a Value {
    &figures["by_source"].as_array().unwrap().iter().find(|x| x["source"] == s).unwrap_or_else(|| panic!("{s}"))["counts"]
}

#[tokio::test]
async fn the_dashboard_counts_exactly_what_happened() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let dispatcher = app.demo(COUNTY_A, "dispatcher").await;
    let handler = app.demo(COUNTY_A, "handler").await;
    let dept = app.get("/api/v1/me", &handler).await.body["user"]["department_id"].clone();

    // Closed on time; dispatched and open; refused; a hotline report waiting.
    let closed = report(&app, COUNTY_A, &collector, "patrol").await;
    let open = report(&app, COUNTY_A, &collector, "patrol").await;
    let refused = report(&app, COUNTY_A, &collector, "patrol").await;
    report(&app, COUNTY_A, &acceptor, "hotline").await;
    for id in [&closed, &open, &refused] {
        act(&app, &acceptor, id, json!({"action": "accept"})).await;
    }
    act(&app, &acceptor, &refused, json!({"action": "reject", "reason": "不属于城管范围"})).await;
    for id in [&closed, &open] {
        act(&app, &acceptor, id, json!({"action": "file", "class_code": "06010"})).await;
        act(&app, &dispatcher, id, json!({"action": "dispatch", "department": dept})).await;
    }
    act(&app, &handler, &closed, json!({"action": "handle", "note": "已清运"})).await;
    act(&app, &acceptor, &closed, json!({"action": "send_check"})).await;
    act(&app, &collector, &closed, json!({"action": "check", "passed": true})).await;
    act(&app, &acceptor, &closed, json!({"action": "close"})).await;
    // Another county's report counts for the city only.
    let collector_b = app.demo(COUNTY_B, "collector").await;
    report(&app, COUNTY_B, &collector_b, "patrol").await;
    // Every running clock runs out: the dispatched case and both waiting reports (A's and B's).
    let db = app.db().await;
    assert_eq!(cases::overdue::sweep(&db, None, chrono::Utc::now() + chrono::Duration::days(30)).await.unwrap(), 3);

    let d = app.get(&format!("/api/v1/tenants/{COUNTY_A}/dashboard"), &dispatcher).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    let b = &d.body;
    //                                   rep acc fil dis clo ont f&c open ovd
    assert_eq!(counts(&b["today"]["total"]), [4, 3, 2, 2, 1, 1, 1, 2, 2], "{}", d.text);
    assert_eq!(counts(&b["month"]["total"]), [4, 3, 2, 2, 1, 1, 1, 2, 2]);
    assert_eq!(
        (b["today"]["total"]["on_time_rate"].as_f64(), b["today"]["total"]["closure_rate"].as_f64()),
        (Some(1.0), Some(0.5))
    );
    assert_eq!(counts(source(&b["today"], "patrol")), [3, 3, 2, 2, 1, 1, 1, 1, 1]);
    assert_eq!(counts(source(&b["today"], "hotline")), [1, 0, 0, 0, 0, 0, 0, 1, 1]);
    assert_eq!(source(&b["today"], "hotline")["on_time_rate"], Value::Null);
    assert_eq!(b["open_by_state"], json!([{"state": "reported", "count": 1}, {"state": "dispatched", "count": 1}]));
    let trend = b["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 30);
    assert_eq!(trend[29]["date"], b["date"]);
    assert_eq!(
        (&trend[29]["reported"], &trend[29]["closed"], &trend[29]["overdue"]),
        (&json!(4), &json!(1), &json!(2))
    );
    assert_eq!(trend.iter().map(|t| t["reported"].as_u64().unwrap()).sum::<u64>(), 4);
    assert_eq!(b["counties"], json!([]));

    // Another day: nothing happened then, but what is open now is open.
    let old = app.get(&format!("/api/v1/tenants/{COUNTY_A}/dashboard?date=2020-01-15"), &dispatcher).await;
    assert_eq!(counts(&old.body["today"]["total"]), [0, 0, 0, 0, 0, 0, 0, 2, 2], "{}", old.text);
    assert_eq!(old.body["trend"][29]["date"], "2020-01-15");
    let bad = app.get(&format!("/api/v1/tenants/{COUNTY_A}/dashboard?date=yesterday"), &dispatcher).await;
    assert_eq!(bad.fields(), ["date"]);

    // The city: summed over its counties, and side by side.
    let oversight = app.demo(CITY, "oversight").await;
    let c = app.get(&format!("/api/v1/tenants/{CITY}/dashboard"), &oversight).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert_eq!(counts(&c.body["today"]["total"]), [5, 3, 2, 2, 1, 1, 1, 3, 3]);
    let rows: Vec<(&str, u64, u64, u64, u64)> = c.body["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap();
            (r["code"].as_str().unwrap(), n("open_now"), n("overdue_now"), n("month_reported"), n("month_closed"))
        })
        .collect();
    assert_eq!(rows, [(COUNTY_B, 1, 1, 1, 0), (COUNTY_A, 2, 2, 4, 1)]);
    assert_eq!(c.body["counties"][0]["name"], "玄武区");

    // The map's points: the open cases, column by column.
    let p = app.get(&format!("/api/v1/tenants/{COUNTY_A}/cases/points"), &dispatcher).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(p.body["count"], 2);
    let mut ids: Vec<&str> = p.body["id"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    ids.sort();
    assert!(ids.contains(&open.as_str()) && !ids.contains(&closed.as_str()) && !ids.contains(&refused.as_str()));
    for col in ["number", "lon", "lat", "state", "light", "class_code", "county"] {
        assert_eq!(p.body[col].as_array().unwrap().len(), 2, "{col}");
    }
    assert!(
        p.body["light"].as_array().unwrap().iter().all(|l| ["green", "yellow", "red"].contains(&l.as_str().unwrap()))
    );
    let cp = app.get(&format!("/api/v1/tenants/{CITY}/cases/points"), &oversight).await;
    assert_eq!((cp.body["count"].as_u64(), &cp.body["counties"]), (Some(3), &json!([COUNTY_B, COUNTY_A])));
}

#[tokio::test]
async fn the_dashboard_is_for_those_who_see_the_whole_county() {
    let app = spawn_app().await;
    let paths = [format!("/api/v1/tenants/{COUNTY_A}/dashboard"), format!("/api/v1/tenants/{COUNTY_A}/cases/points")];
    for (tenant, user) in [(COUNTY_A, "admin"), (COUNTY_A, "acceptor"), (COUNTY_A, "auditor"), (CITY, "oversight")] {
        let token = app.demo(tenant, user).await;
        for path in &paths {
            assert_eq!(app.get(path, &token).await.status, StatusCode::OK, "{tenant}/{user} {path}");
        }
    }
    for user in ["handler", "collector"] {
        let token = app.demo(COUNTY_A, user).await;
        for path in &paths {
            assert_eq!(app.get(path, &token).await.status, StatusCode::FORBIDDEN, "{user} {path}");
        }
    }
    // Another county's staff: not this county's figures.
    let other = app.demo(COUNTY_B, "dispatcher").await;
    for path in &paths {
        let r = app.get(path, &other).await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{path}: {}", r.text);
        assert!(r.body.get("today").is_none() && r.body.get("id").is_none());
    }
}
