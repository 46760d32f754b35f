//! What the console's workbenches read besides the case loop itself: the work stations in
//! `/me`, queues spanning several states, the approval queues (a pending request), a case found
//! by its number, the list exported as CSV/XLSX, and the likely duplicates of a case — each
//! limited to what the caller may see and refused to another county.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{COUNTY_A, COUNTY_B, TestApp, spawn_app};

fn cases() -> String {
    format!("/api/v1/tenants/{COUNTY_A}/cases")
}

/// The centre of county A's `n`-th unit grid (0-based).
async fn point(app: &TestApp, token: &str, n: usize) -> (f64, f64) {
    let g = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit={}", n + 1), token).await;
    let b: Vec<f64> = g.body["items"][n]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
}

async fn ok(app: &TestApp, token: &str, id: &str, body: Value) -> Value {
    let r = app.post(&format!("{}/{id}/actions", cases()), token, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text);
    r.body
}

async fn report(app: &TestApp, token: &str, lon: f64, lat: f64, text: &str) -> Value {
    let body = json!({"kind": "matter", "class_code": "06010", "description": text, "lon": lon, "lat": lat});
    let r = app.post(&cases(), token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

fn ids(r: &tests::Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.text))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Each loop role holds the station of its workbench, and only that one.
#[tokio::test]
async fn me_names_the_work_station_of_each_loop_role() {
    let app = spawn_app().await;
    for (user, station) in [
        ("acceptor", Some("case:intake")),
        ("dispatcher", Some("case:dispatch")),
        ("handler", Some("case:handle")),
        ("collector", Some("case:patrol")),
        ("admin", None),
        ("auditor", None),
    ] {
        let token = app.demo(COUNTY_A, user).await;
        let me = app.get("/api/v1/me", &token).await;
        let held: Vec<&str> = me.body["permissions"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let stations: Vec<&str> = held
            .iter()
            .copied()
            .filter(|p| ["case:intake", "case:dispatch", "case:handle", "case:patrol"].contains(p))
            .collect();
        assert_eq!(stations, station.into_iter().collect::<Vec<_>>(), "{user}: {held:?}");
    }
}

/// A queue over several states, the approval queue of a pending request, and a number prefix;
/// a state or request that does not exist is refused by field rather than matching nothing.
#[tokio::test]
async fn work_lists_take_several_states_a_pending_request_and_a_number() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let dispatcher = app.demo(COUNTY_A, "dispatcher").await;
    let handler = app.demo(COUNTY_A, "handler").await;
    let dept = app.department_of(&handler).await;
    let (lon, lat) = point(&app, &collector, 0).await;
    let (lon2, lat2) = point(&app, &collector, 1).await;
    let a = report(&app, &collector, lon, lat, "井盖缺失").await;
    let b = report(&app, &collector, lon2, lat2, "暴露垃圾").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap().to_owned(), b["id"].as_str().unwrap().to_owned());
    ok(&app, &acceptor, &b_id, json!({"action": "accept"})).await;
    ok(&app, &acceptor, &b_id, json!({"action": "file", "class_code": "06010"})).await;
    ok(&app, &dispatcher, &b_id, json!({"action": "dispatch", "department": dept})).await;
    ok(&app, &handler, &b_id, json!({"action": "request_return", "reason": "不属本部门"})).await;

    // Each stage's deadline is on the event that began it (the case page's lights per stage).
    let d = app.get(&format!("{}/{b_id}", cases()), &acceptor).await;
    let timeline = d.body["timeline"].as_array().unwrap();
    let dispatch = timeline.iter().find(|e| e["action"] == "dispatch").unwrap();
    assert!(dispatch["due"].is_string(), "{dispatch}");
    assert!(timeline.iter().any(|e| e["due"].is_null()) || timeline.iter().all(|e| e["due"].is_string()));

    let r = app.get(&format!("{}?state=reported,dispatched", cases()), &acceptor).await;
    let mut got = ids(&r);
    got.sort();
    let mut want = vec![a_id.clone(), b_id.clone()];
    want.sort();
    assert_eq!(got, want);
    let r = app.get(&format!("{}?state=reported", cases()), &acceptor).await;
    assert_eq!(ids(&r), std::slice::from_ref(&a_id));
    let r = app.get(&format!("{}?pending=return", cases()), &dispatcher).await;
    assert_eq!(ids(&r), std::slice::from_ref(&b_id));
    assert_eq!(r.body["items"][0]["pending"], "return");
    let r = app.get(&format!("{}?pending=extension", cases()), &dispatcher).await;
    assert_eq!(ids(&r), Vec::<String>::new());
    // 督办件: the command centre's supervision orders.
    assert_eq!(ids(&app.get(&format!("{}?supervised=true", cases()), &dispatcher).await), Vec::<String>::new());
    let due = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let r = app
        .post(&format!("{}/{b_id}/supervision-orders", cases()), &dispatcher, json!({"note": "限期处理", "due": due}))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let r = app.get(&format!("{}?supervised=true", cases()), &dispatcher).await;
    assert_eq!(ids(&r), std::slice::from_ref(&b_id));
    assert_eq!(r.body["items"][0]["supervision_orders"], 1);
    let r = app.get(&format!("{}?supervised=false&state=reported,dispatched", cases()), &acceptor).await;
    assert_eq!(ids(&r), std::slice::from_ref(&a_id));
    // Newest first for a search, page by page in that order.
    let r = app.get(&format!("{}?state=reported,dispatched&order=newest&limit=1", cases()), &acceptor).await;
    assert_eq!(ids(&r), std::slice::from_ref(&b_id));
    let next = r.body["next_cursor"].as_str().unwrap();
    let r =
        app.get(&format!("{}?state=reported,dispatched&order=newest&limit=1&cursor={next}", cases()), &acceptor).await;
    assert_eq!(ids(&r), std::slice::from_ref(&a_id));
    let number = a["number"].as_str().unwrap();
    let r = app.get(&format!("{}?number={number}", cases()), &acceptor).await;
    assert_eq!(ids(&r), std::slice::from_ref(&a_id));

    for (query, field) in [("state=reported,lost", "state"), ("pending=forever", "pending"), ("number=20%25", "number")]
    {
        let r = app.get(&format!("{}?{query}", cases()), &acceptor).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", r.text);
        assert_eq!(r.fields(), [field], "{query}");
    }
    // Filters narrow what the caller may see, never widen it: the handler's department sees
    // its own case, not the other one still waiting for the centre.
    let r = app.get(&format!("{}?state=reported,dispatched", cases()), &handler).await;
    assert_eq!(ids(&r), [b_id]);
}

/// The filtered list as CSV (byte-order mark, Chinese header and labels) and XLSX; another
/// county's user gets nothing.
#[tokio::test]
async fn the_work_list_exports_as_csv_and_xlsx_with_its_filters() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let (lon, lat) = point(&app, &collector, 0).await;
    let (lon2, lat2) = point(&app, &collector, 1).await;
    let a = report(&app, &collector, lon, lat, "=cmd|' /C calc'!A0").await;
    let b = report(&app, &collector, lon2, lat2, "暴露垃圾").await;
    ok(&app, &acceptor, b["id"].as_str().unwrap(), json!({"action": "accept"})).await;

    let r = app.get_raw(&format!("{}/export?format=csv&state=reported", cases()), &acceptor).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let text = r.text().await.unwrap();
    assert!(text.starts_with("\u{feff}案件编号,状态,来源"), "{text}");
    assert!(text.contains(a["number"].as_str().unwrap()), "{text}");
    assert!(text.contains("已上报") && text.contains("监督员上报"), "labels, not codes: {text}");
    assert!(!text.contains(b["number"].as_str().unwrap()), "the filter applies: {text}");
    assert!(text.contains("'=cmd"), "a formula is neutralised: {text}");
    assert_eq!(text.lines().count(), 2, "{text}");

    let r = app.get_raw(&format!("{}/export?format=xlsx", cases()), &acceptor).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".xlsx"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK\x03\x04"));

    let r = app.get(&format!("{}/export?format=pdf", cases()), &acceptor).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let other = app.demo(COUNTY_B, "acceptor").await;
    let r = app.get(&format!("{}/export?format=csv", cases()), &other).await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status);
    assert!(!r.text.contains(a["number"].as_str().unwrap()));
}

/// A case's likely duplicates with their places, for the centre to compare and merge; none once
/// merged; hidden from those who may not see the case, and from another county.
#[tokio::test]
async fn a_case_lists_its_likely_duplicates_until_they_are_merged() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let handler = app.demo(COUNTY_A, "handler").await;
    let (lon, lat) = point(&app, &collector, 0).await;
    let first = report(&app, &collector, lon, lat, "暴露垃圾").await;
    let dup = report(&app, &collector, lon + 0.0001, lat, "同一堆垃圾").await;
    let (first_id, dup_id) = (first["id"].as_str().unwrap().to_owned(), dup["id"].as_str().unwrap().to_owned());

    let r = app.get(&format!("{}/{dup_id}/duplicates", cases()), &acceptor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let hints = r.body.as_array().unwrap();
    assert_eq!(hints.len(), 1, "{}", r.text);
    assert_eq!(hints[0]["id"], first_id.as_str());
    assert!((hints[0]["lon"].as_f64().unwrap() - lon).abs() < 1e-9);
    assert!(hints[0]["distance_m"].as_f64().unwrap() < 20.0);
    // Both ways: the first case sees the later report too.
    let r = app.get(&format!("{}/{first_id}/duplicates", cases()), &acceptor).await;
    assert_eq!(r.body.as_array().unwrap()[0]["id"], dup_id.as_str(), "{}", r.text);

    assert_eq!(app.get(&format!("{}/{dup_id}/duplicates", cases()), &handler).await.status, StatusCode::NOT_FOUND);
    let other = app.demo(COUNTY_B, "acceptor").await;
    let r = app.get(&format!("{}/{dup_id}/duplicates", cases()), &other).await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status);

    ok(&app, &acceptor, &dup_id, json!({"action": "merge", "into": first_id})).await;
    let r = app.get(&format!("{}/{dup_id}/duplicates", cases()), &acceptor).await;
    assert_eq!(r.body, json!([]), "a merged case is nobody's duplicate");
    let r = app.get(&format!("{}/{first_id}/duplicates", cases()), &acceptor).await;
    assert_eq!(r.body, json!([]), "{}", r.text);
}
