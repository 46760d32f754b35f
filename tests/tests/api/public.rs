//! The public page (随手拍) over HTTP: the county's page facts, a report followed by its
//! tracking code to closure with the department's after-photo, the photos of that report only,
//! and the reporter's one rating after closure — recorded as the case's callback. A tracking
//! code is its county's alone.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_with};

fn public(county: &str, rest: &str) -> String {
    format!("/api/v1/public/{county}{rest}")
}

async fn upload(app: &TestApp, path: &str, token: Option<&str>, bytes: &[u8]) -> String {
    let mut req = app.client.post(format!("{}{path}", app.base)).body(bytes.to_vec());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn ok(app: &TestApp, token: &str, id: &str, body: Value) {
    let r = app.post(&format!("/api/v1/tenants/{COUNTY_A}/cases/{id}/actions"), token, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text);
}

#[tokio::test]
async fn the_county_page_names_the_county_its_extent_and_everyday_problems() {
    let app = spawn_with(|_| {}).await;
    let r = app.call(Method::GET, &public(COUNTY_A, ""), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["code"].as_str(), r.body["name"].as_str()), (Some(COUNTY_A), Some("江宁区")));
    let e: Vec<f64> = r.body["extent"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(e[0] < e[2] && e[1] < e[3] && (118.0..120.0).contains(&e[0]), "{e:?}");
    // The silhouette for the map: a few hundred rectangles at most, inside the extent, and every
    // grid's centre on one of them.
    let outline: Vec<Vec<f64>> = serde_json::from_value(r.body["outline"].clone()).unwrap();
    assert!(!outline.is_empty() && outline.len() < 48 * 48, "{}", outline.len());
    let within =
        |o: &Vec<f64>| o[0] >= e[0] - 1e-9 && o[1] >= e[1] - 1e-9 && o[2] <= e[2] + 1e-9 && o[3] <= e[3] + 1e-9;
    assert!(outline.iter().all(within));
    let admin = app.demo(COUNTY_A, "admin").await;
    let grids = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=200"), &admin).await;
    for g in grids.body["items"].as_array().unwrap() {
        let b: Vec<f64> = g["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let (x, y) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
        assert!(outline.iter().any(|o| o[0] <= x && x <= o[2] && o[1] <= y && y <= o[3]), "{}", g["code"]);
    }
    let classes = r.body["classes"].as_array().unwrap();
    assert!(classes.len() >= 8);
    assert!(classes.iter().any(|c| c["key"] == "garbage" && c["class_code"] == "06010" && c["name"] == "垃圾堆积"));
    // Every plain-word class is a matter class the public channel accepts.
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let matters = app.get(&format!("/api/v1/tenants/{COUNTY_A}/catalog/classes?kind=matter"), &acceptor).await;
    let codes: Vec<&str> = matters.body.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    for c in classes {
        assert!(codes.contains(&c["class_code"].as_str().unwrap()), "{c}");
    }
    // Only counties have a public page.
    for other in [CITY, "000000", "999999", "abc"] {
        let r = app.call(Method::GET, &public(other, ""), None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{other}: {}", r.text);
    }
}

#[tokio::test]
async fn a_public_report_is_followed_to_closure_its_after_photo_shown_and_rated_once() {
    let app = spawn_with(|s| s.public_reports_per_minute = 100).await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let dispatcher = app.demo(COUNTY_A, "dispatcher").await;
    let handler = app.demo(COUNTY_A, "handler").await;
    let dept = app.department_of(&handler).await;
    let g = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=1"), &acceptor).await;
    let b: Vec<f64> = g.body["items"][0]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let (lon, lat) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);

    let mine = upload(&app, &public(COUNTY_A, "/photos"), None, b"\xFF\xD8\xFF\xE0citizen-photo").await;
    let r = app
        .call(
            Method::POST,
            &public(COUNTY_A, "/reports"),
            None,
            Some(json!({"description": "小区门口垃圾堆积", "lon": lon, "lat": lat, "crs": "wgs84", "class_code": "06010", "photos": [mine], "contact": "13800000000"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let code = r.body["tracking_code"].as_str().unwrap().to_owned();
    let status = public(COUNTY_A, &format!("/reports/{code}"));
    let s = app.call(Method::GET, &status, None, None).await;
    assert_eq!(
        (s.body["status"].as_str(), s.body["can_rate"].as_bool()),
        (Some("received"), Some(false)),
        "{}",
        s.text
    );
    assert_eq!(s.body["photos"], json!([mine]));
    assert_eq!(s.body["progress"][0]["step"], "received");
    assert!(!s.text.contains("13800000000"), "no contact in public: {}", s.text);
    let rating = public(COUNTY_A, &format!("/reports/{code}/rating"));
    let r = app.call(Method::POST, &rating, None, Some(json!({"satisfaction": 5}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not before closure: {}", r.text);

    // The loop, driven by the county's staff; the department's after-photo.
    let id =
        app.get(&format!("/api/v1/tenants/{COUNTY_A}/cases?source=public"), &acceptor).await.body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let after =
        upload(&app, &format!("/api/v1/tenants/{COUNTY_A}/photos"), Some(&handler), b"\xFF\xD8\xFF\xE0after").await;
    let other =
        upload(&app, &format!("/api/v1/tenants/{COUNTY_A}/photos"), Some(&handler), b"\xFF\xD8\xFF\xE0other").await;
    ok(&app, &acceptor, &id, json!({"action": "send_verification"})).await;
    ok(&app, &collector, &id, json!({"action": "verify", "found": true})).await;
    ok(&app, &acceptor, &id, json!({"action": "file", "class_code": "06010"})).await;
    ok(&app, &dispatcher, &id, json!({"action": "dispatch", "department": dept})).await;
    let s = app.call(Method::GET, &status, None, None).await;
    assert_eq!(s.body["status"], "in_progress");
    ok(&app, &handler, &id, json!({"action": "handle", "note": "已清运", "photos": [after]})).await;
    ok(&app, &acceptor, &id, json!({"action": "send_check"})).await;
    ok(&app, &collector, &id, json!({"action": "check", "passed": true})).await;
    ok(&app, &acceptor, &id, json!({"action": "close"})).await;

    let s = app.call(Method::GET, &status, None, None).await;
    assert_eq!((s.body["status"].as_str(), s.body["can_rate"].as_bool()), (Some("closed"), Some(true)), "{}", s.text);
    assert_eq!(s.body["after_photos"], json!([after]));
    let steps: Vec<&str> = s.body["progress"].as_array().unwrap().iter().map(|p| p["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["received", "verified", "dispatched", "handled", "checked", "closed"]);
    assert!(!s.text.contains(&dept), "no department in public: {}", s.text);

    // The photos of this report, and no other photo of the county.
    let photo = |county: &str, photo: &str| {
        let url = format!("{}{}", app.base, public(county, &format!("/reports/{code}/photos/{photo}")));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    let r = photo(COUNTY_A, &after).await;
    assert_eq!((r.status(), r.headers()["content-type"].to_str().unwrap()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\xFF\xD8\xFF\xE0after");
    assert_eq!(photo(COUNTY_A, &mine).await.status(), StatusCode::OK);
    assert_eq!(photo(COUNTY_A, &other).await.status(), StatusCode::NOT_FOUND, "not a photo of this report");
    assert_eq!(photo(COUNTY_A, "00000000-0000-0000-0000-000000000000").await.status(), StatusCode::NOT_FOUND);
    // Another county does not know the code.
    assert_eq!(photo(COUNTY_B, &after).await.status(), StatusCode::NOT_FOUND);
    let r = app.call(Method::GET, &public(COUNTY_B, &format!("/reports/{code}")), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::POST,
            &public(COUNTY_B, &format!("/reports/{code}/rating")),
            None,
            Some(json!({"satisfaction": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The rating: 1–5, once; it is the case's callback.
    let r = app.call(Method::POST, &rating, None, Some(json!({"satisfaction": 9}))).await;
    assert_eq!(r.fields(), ["satisfaction"], "{}", r.text);
    let r = app.call(Method::POST, &rating, None, Some(json!({"satisfaction": 4, "comment": "x".repeat(501)}))).await;
    assert_eq!(r.fields(), ["comment"], "{}", r.text);
    let r = app.call(Method::POST, &rating, None, Some(json!({"satisfaction": 5, "comment": "处理很及时"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["satisfaction"].as_u64(), r.body["can_rate"].as_bool()), (Some(5), Some(false)));
    let r = app.call(Method::POST, &rating, None, Some(json!({"satisfaction": 1}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict"), "{}", r.text);
    let detail = app.get(&format!("/api/v1/tenants/{COUNTY_A}/cases/{id}"), &acceptor).await;
    assert_eq!(detail.body["satisfaction"], 5);
    let last = detail.body["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["action"].as_str(), last["role"].as_str()), (Some("callback"), Some("public")), "{last}");
    assert_eq!(last["payload"]["note"], "处理很及时");
    // The centre's callback finds it recorded.
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/cases/{id}/actions"),
            &acceptor,
            json!({"action": "callback", "satisfaction": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

/// Rating is a public write: it counts against the client address's limit.
#[tokio::test]
async fn ratings_count_against_the_public_limit() {
    let app = spawn_with(|s| s.public_reports_per_minute = 1).await;
    let rating = public(COUNTY_A, "/reports/UG2345678923/rating");
    let first = app.call(Method::POST, &rating, None, Some(json!({"satisfaction": 5}))).await;
    assert_eq!(first.status, StatusCode::NOT_FOUND);
    let second = app.call(Method::POST, &rating, None, Some(json!({"satisfaction": 5}))).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS, "{}", second.text);
}
