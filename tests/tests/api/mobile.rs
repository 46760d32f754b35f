//! What the collector's mobile web needs of the case routes: its verification and check tasks in
//! its work list, and on-site photos with a verification (核实) and a check (核查) — photos of its
//! own county only, then served through the case like a report's.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{COUNTY_A, COUNTY_B, TestApp, spawn_app};

async fn photo(app: &TestApp, county: &str, token: &str, bytes: &[u8]) -> String {
    app.upload_photo(county, token, bytes.to_vec()).await
}

#[tokio::test]
async fn verification_and_check_carry_on_site_photos_of_the_county() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let dispatcher = app.demo(COUNTY_A, "dispatcher").await;
    let handler = app.demo(COUNTY_A, "handler").await;
    let dept = app.department_of(&handler).await;
    let cases = format!("/api/v1/tenants/{COUNTY_A}/cases");
    let g = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=1"), &acceptor).await;
    let b: Vec<f64> = g.body["items"][0]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let (lon, lat) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let act = |token: String, id: String, body: Value| {
        let (app, cases) = (&app, &cases);
        async move { app.post(&format!("{cases}/{id}/actions"), &token, body).await }
    };

    let r = app
        .post(&cases, &acceptor, json!({"source": "hotline", "kind": "matter", "class_code": "09006", "description": "占道经营", "lon": lon, "lat": lat, "crs": "wgs84"}))
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(act(acceptor.clone(), id.clone(), json!({"action": "send_verification"})).await.status, StatusCode::OK);
    // The task is in the collector's list of verifications, and offers photos.
    let tasks = app.get(&format!("{cases}?state=verifying"), &collector).await;
    assert!(tasks.body["items"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()), "{}", tasks.text);
    let detail = app.get(&format!("{cases}/{id}"), &collector).await;
    let verify = detail.body["available_actions"].as_array().unwrap().iter().find(|a| a["action"] == "verify").cloned();
    assert_eq!(verify.unwrap()["optional"], json!(["note", "photos"]));

    // A photo of another county is refused, by field and position.
    let theirs = photo(&app, COUNTY_B, &app.demo(COUNTY_B, "collector").await, b"\xFF\xD8\xFF\xE0b").await;
    let r = act(collector.clone(), id.clone(), json!({"action": "verify", "found": true, "photos": [theirs]})).await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["photos[0]".to_owned()]), "{}", r.text);
    let site = photo(&app, COUNTY_A, &collector, b"\xFF\xD8\xFF\xE0site").await;
    let r = act(
        collector.clone(),
        id.clone(),
        json!({"action": "verify", "found": true, "note": "属实", "photos": [site]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let served = app.get_raw(&format!("{cases}/{id}/photos/{site}"), &acceptor).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.bytes().await.unwrap().as_ref(), b"\xFF\xD8\xFF\xE0site");

    // A check with its photo; without photos the event is as before (no empty list recorded).
    for (token, body) in [
        (acceptor.clone(), json!({"action": "file", "class_code": "09006"})),
        (dispatcher.clone(), json!({"action": "dispatch", "department": dept})),
        (handler.clone(), json!({"action": "handle", "note": "已劝离"})),
        (acceptor.clone(), json!({"action": "send_check"})),
    ] {
        assert_eq!(act(token, id.clone(), body).await.status, StatusCode::OK);
    }
    let checked = photo(&app, COUNTY_A, &collector, b"\xFF\xD8\xFF\xE0checked").await;
    let r = act(collector.clone(), id.clone(), json!({"action": "check", "passed": true, "photos": [checked]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let timeline = app.get(&format!("{cases}/{id}"), &acceptor).await.body["timeline"].clone();
    let payload =
        |action: &str| timeline.as_array().unwrap().iter().find(|e| e["action"] == action).unwrap()["payload"].clone();
    assert_eq!(payload("verify")["photos"], json!([site]));
    assert_eq!(payload("check")["photos"], json!([checked]));
    assert_eq!(app.get_raw(&format!("{cases}/{id}/photos/{checked}"), &acceptor).await.status(), StatusCode::OK);

    let other = app
        .post(&cases, &acceptor, json!({"source": "hotline", "kind": "matter", "class_code": "09006", "description": "x", "lon": lon, "lat": lat}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(acceptor.clone(), other.clone(), json!({"action": "send_verification"})).await;
    assert_eq!(
        act(collector.clone(), other.clone(), json!({"action": "verify", "found": true})).await.status,
        StatusCode::OK
    );
    let timeline = app.get(&format!("{cases}/{other}"), &acceptor).await.body["timeline"].clone();
    let verify = timeline.as_array().unwrap().iter().find(|e| e["action"] == "verify").unwrap();
    assert!(verify["payload"].get("photos").is_none(), "{verify}");
}
