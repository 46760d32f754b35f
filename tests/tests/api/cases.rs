//! The closed loop over HTTP with the demo's users: intake (idempotent), the main path, special
//! paths, refusals by role, department and state, work-list visibility, city supervision orders,
//! and a tampered history detected by the chain.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_app};

/// A point inside the first unit grid of county A.
async fn point(app: &TestApp, token: &str) -> (f64, f64) {
    grid_centres(app, token, 1).await[0]
}

/// The centres of the bounding boxes of county A's first `limit` unit grids.
async fn grid_centres(app: &TestApp, token: &str, limit: usize) -> Vec<(f64, f64)> {
    let g = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit={limit}"), token).await;
    g.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let b: Vec<f64> = g["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
        })
        .collect()
}

/// The centre of a grid in the middle of county A: points a few hundred metres away on every side
/// are in the county too.
async fn middle(app: &TestApp, token: &str) -> (f64, f64) {
    let centres = grid_centres(app, token, 500).await;
    let mean = |f: fn(&(f64, f64)) -> f64| centres.iter().map(f).sum::<f64>() / centres.len() as f64;
    let middle = (mean(|c| c.0), mean(|c| c.1));
    let d = |c: (f64, f64)| (c.0 - middle.0).powi(2) + (c.1 - middle.1).powi(2);
    centres.iter().copied().min_by(|a, b| d(*a).total_cmp(&d(*b))).unwrap()
}

/// The ids of the likely duplicates an intake response suggests.
fn hinted(r: &tests::Resp) -> Vec<String> {
    let hints = r.body["possible_duplicates"].as_array().unwrap_or_else(|| panic!("no hints: {}", r.text));
    hints.iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect()
}

fn cases() -> String {
    format!("/api/v1/tenants/{COUNTY_A}/cases")
}

async fn act(app: &TestApp, token: &str, id: &str, body: Value) -> tests::Resp {
    app.post(&format!("{}/{id}/actions", cases()), token, body).await
}

async fn ok(app: &TestApp, token: &str, id: &str, body: Value) -> Value {
    let r = act(app, token, id, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text);
    r.body
}

struct Staff {
    collector: String,
    acceptor: String,
    dispatcher: String,
    handler: String,
    handler_dept: String,
}

async fn staff(app: &TestApp) -> Staff {
    let handler = app.demo(COUNTY_A, "handler").await;
    let handler_dept = app.department_of(&handler).await;
    Staff {
        collector: app.demo(COUNTY_A, "collector").await,
        acceptor: app.demo(COUNTY_A, "acceptor").await,
        dispatcher: app.demo(COUNTY_A, "dispatcher").await,
        handler,
        handler_dept,
    }
}

/// Accepts and files a reported case (the centre's two steps before dispatch).
async fn accept_and_file(app: &TestApp, s: &Staff, id: &str, class: &str) {
    ok(app, &s.acceptor, id, json!({"action": "accept"})).await;
    ok(app, &s.acceptor, id, json!({"action": "file", "class_code": class})).await;
}

async fn report(app: &TestApp, s: &Staff, body: Value) -> String {
    let r = app.post(&cases(), &s.collector, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_owned()
}

/// A report sent with an Idempotency-Key, answered as it came.
async fn keyed_report(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}{}", app.base, cases()))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Many reports at once are written in shared batches: a retry of a stored report, and a retry
/// racing its own original, each get the first answer, and every other report is stored once.
#[tokio::test]
async fn concurrent_reports_and_retries_are_each_stored_once() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let send = |key: String, n: usize| {
        let (app, token) = (&app, &s.collector);
        let body = json!({"kind": "matter", "class_code": "06010", "description": format!("第{n}处暴露垃圾"), "lon": lon, "lat": lat});
        async move {
            let r = keyed_report(app, token, &key, &body).await;
            let replayed = r.headers().contains_key("idempotent-replayed");
            (r.status(), replayed, r.json::<Value>().await.unwrap())
        }
    };
    let (status, _, stored) = send("stored".into(), 0).await;
    assert_eq!(status, StatusCode::CREATED);

    // 24 new reports, 4 retries of the stored one and 4 pairs of a report racing its own retry.
    let mut sends = Vec::new();
    for n in 1..=24 {
        sends.push(send(format!("new-{n}"), n));
    }
    for _ in 0..4 {
        sends.push(send("stored".into(), 0));
    }
    for n in 25..=28 {
        sends.push(send(format!("raced-{n}"), n));
        sends.push(send(format!("raced-{n}"), n));
    }
    let answers = futures_util::future::join_all(sends).await;
    for (status, _, body) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    let new = &answers[..24];
    let retries = &answers[24..28];
    let raced = &answers[28..];
    assert!(new.iter().all(|(_, replayed, _)| !replayed));
    for (_, replayed, body) in retries {
        assert!(replayed);
        assert_eq!(body, &stored, "a retry gets the first response, byte for byte");
    }
    for pair in raced.chunks(2) {
        assert_eq!(pair[0].2["id"], pair[1].2["id"], "a report and its racing retry are one case");
        assert_eq!(pair.iter().filter(|(_, replayed, _)| *replayed).count(), 1);
    }
    let mut ids: Vec<&str> = answers.iter().map(|(_, _, b)| b["id"].as_str().unwrap()).collect();
    let mut numbers: Vec<&str> = answers.iter().map(|(_, _, b)| b["number"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(ids.len(), 1 + 24 + 4, "one stored, 24 new, 4 raced");
    assert_eq!(numbers.len(), ids.len(), "every case has its own number");
    let list = app.get(&format!("{}?limit=100", cases()), &s.acceptor).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1 + 24 + 4, "{}", list.text);
}

#[tokio::test]
async fn full_loop_from_a_collector_report_to_closure_with_a_valid_chain() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});

    // Idempotent intake: the retry returns the first response and creates nothing.
    let send = |key: &'static str, body: Value| {
        let (app, token) = (&app, &s.collector);
        async move { keyed_report(app, token, key, &body).await }
    };
    let first = send("report-1", body.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = first.text().await.unwrap();
    tests::assert_unique_keys(&first);
    let first: Value = serde_json::from_str(&first).unwrap();
    let retry = send("report-1", body.clone()).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["id"], first["id"]);
    let other = send(
        "report-1",
        json!({"kind": "matter", "class_code": "06010", "description": "另一个", "lon": lon, "lat": lat}),
    )
    .await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list = app.get(&cases(), &s.acceptor).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "one case only: {}", list.text);
    tests::assert_unique_keys(&list.text);
    assert_eq!(list.body["items"][0]["class_code"], "06010");

    let id = first["id"].as_str().unwrap();
    assert_eq!(first["state"], "reported");
    assert_eq!(first["source"], "patrol");
    assert!(first["grid_code"].as_str().unwrap().starts_with(COUNTY_A));
    assert!(first["number"].as_str().unwrap().len() >= 14);

    // Role and state refusals along the way.
    let r = act(&app, &s.collector, id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "{}", r.text);
    let r = act(&app, &s.dispatcher, id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not filed yet: {}", r.text);

    ok(&app, &s.acceptor, id, json!({"action": "accept"})).await;
    let r = act(&app, &s.acceptor, id, json!({"action": "file", "class_code": "99999"})).await;
    assert_eq!(r.fields(), ["class_code"]);
    ok(&app, &s.acceptor, id, json!({"action": "file", "class_code": "06010", "condition": "面积大于1平方米"})).await;
    let r = act(
        &app,
        &s.dispatcher,
        id,
        json!({"action": "dispatch", "department": "00000000-0000-0000-0000-000000000000"}),
    )
    .await;
    assert_eq!(r.fields(), ["department"]);
    let c = ok(&app, &s.dispatcher, id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    assert_eq!((c["state"].as_str(), c["department_id"].as_str()), (Some("dispatched"), Some(s.handler_dept.as_str())));
    ok(&app, &s.handler, id, json!({"action": "handle", "note": "已清运"})).await;
    ok(&app, &s.acceptor, id, json!({"action": "send_check"})).await;
    ok(&app, &s.collector, id, json!({"action": "check", "passed": true})).await;
    let closed = ok(&app, &s.acceptor, id, json!({"action": "close"})).await;
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string());

    let detail = app.get(&format!("{}/{id}", cases()), &s.acceptor).await;
    tests::assert_unique_keys(&detail.text);
    let actions: Vec<&str> =
        detail.body["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["report", "accept", "file", "dispatch", "handle", "send_check", "check", "close"]);
    let chain = app.get(&format!("{}/{id}/chain", cases()), &s.acceptor).await;
    assert_eq!((chain.body["valid"].as_bool(), chain.body["events"].as_u64()), (Some(true), Some(8)), "{}", chain.text);

    // Tamper with a stored event: the chain says where.
    let db = app.db().await;
    let fifth = detail.body["timeline"][4]["hash"].as_str().unwrap();
    let changed = db
        .execute_unprepared(&format!(
            "UPDATE case_events SET payload = '{{\"action\":\"handle\",\"note\":\"改过的\",\"photos\":[]}}' WHERE hash = '{fifth}'"
        ))
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    let chain = app.get(&format!("{}/{id}/chain", cases()), &s.acceptor).await;
    assert_eq!(
        (chain.body["valid"].as_bool(), chain.body["broken_at"].as_u64()),
        (Some(false), Some(5)),
        "{}",
        chain.text
    );
}

#[tokio::test]
async fn public_report_needs_verification_and_gets_a_callback() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    // Registered from the hotline with WeChat (GCJ-02) coordinates.
    let (glon, glat) = spatial::crs::wgs84_to_gcj02(lon, lat);
    let r = app
        .post(&cases(), &s.acceptor, json!({"source": "hotline", "kind": "matter", "class_code": "09009", "description": "机动车乱停放", "lon": glon, "lat": glat, "crs": "gcj02"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!((r.body["lon"].as_f64().unwrap() - lon).abs() < 1e-6, "stored in WGS84");
    let r = act(&app, &s.acceptor, &id, json!({"action": "accept"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "must be verified first: {}", r.text);
    ok(&app, &s.acceptor, &id, json!({"action": "send_verification"})).await;
    // The collector of the duty grid sees the task.
    let tasks = app.get(&format!("{}?state=verifying", cases()), &s.collector).await;
    assert_eq!(tasks.body["items"][0]["id"], id.as_str(), "{}", tasks.text);
    ok(&app, &s.collector, &id, json!({"action": "verify", "found": true})).await;
    ok(&app, &s.acceptor, &id, json!({"action": "file", "class_code": "09009"})).await;
    // 主动认领: the department claims before dispatch.
    let c = ok(&app, &s.handler, &id, json!({"action": "claim"})).await;
    assert_eq!((c["claimed"].as_bool(), c["department_id"].as_str()), (Some(true), Some(s.handler_dept.as_str())));
    ok(&app, &s.handler, &id, json!({"action": "handle", "note": "已劝离"})).await;
    ok(&app, &s.acceptor, &id, json!({"action": "send_check"})).await;
    ok(&app, &s.collector, &id, json!({"action": "check", "passed": true})).await;
    ok(&app, &s.acceptor, &id, json!({"action": "close"})).await;
    let r = act(&app, &s.acceptor, &id, json!({"action": "callback", "satisfaction": 9})).await;
    assert_eq!(r.fields(), ["satisfaction"]);
    let c = ok(&app, &s.acceptor, &id, json!({"action": "callback", "satisfaction": 4, "note": "满意"})).await;
    assert_eq!(c["satisfaction"], 4);

    // A hotline report found not to exist is not accepted.
    let r = app
        .post(&cases(), &s.acceptor, json!({"source": "public", "kind": "matter", "class_code": "06010", "description": "x", "lon": lon, "lat": lat}))
        .await;
    let id2 = r.body["id"].as_str().unwrap().to_owned();
    ok(&app, &s.acceptor, &id2, json!({"action": "send_verification"})).await;
    assert_eq!(ok(&app, &s.collector, &id2, json!({"action": "verify", "found": false})).await["state"], "rejected");
}

#[tokio::test]
async fn rework_extension_return_suspension_void_merge_and_self_handling() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let body = json!({"kind": "component", "class_code": "01001", "description": "井盖破损", "lon": lon, "lat": lat});
    let id = report(&app, &s, body.clone()).await;
    accept_and_file(&app, &s, &id, "01001").await;
    ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    // 回退 refused, then 延期 approved (8 h), 挂账 and 恢复.
    ok(&app, &s.handler, &id, json!({"action": "request_return", "reason": "不属于本单位"})).await;
    let r = act(&app, &s.handler, &id, json!({"action": "handle", "note": "x"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a request is pending");
    // Messages speak the API's vocabulary, with the Chinese term, never Rust's debug names.
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("a `return` (回退) request is pending"), "{}", r.text);
    ok(&app, &s.dispatcher, &id, json!({"action": "refuse_return", "reason": "属于"})).await;
    ok(&app, &s.handler, &id, json!({"action": "request_extension", "hours": 8, "reason": "等待配件"})).await;
    let c = ok(&app, &s.dispatcher, &id, json!({"action": "approve_extension"})).await;
    assert_eq!(c["extension_hours"], 8.0);
    ok(&app, &s.handler, &id, json!({"action": "request_suspension", "reason": "需要工程改造"})).await;
    assert_eq!(ok(&app, &s.dispatcher, &id, json!({"action": "approve_suspension"})).await["state"], "suspended");
    ok(&app, &s.dispatcher, &id, json!({"action": "resume"})).await;
    // 返工: the check fails; back to the same department.
    ok(&app, &s.handler, &id, json!({"action": "handle", "note": "已更换"})).await;
    ok(&app, &s.acceptor, &id, json!({"action": "send_check"})).await;
    let c = ok(&app, &s.collector, &id, json!({"action": "check", "passed": false, "note": "仍松动"})).await;
    assert_eq!((c["state"].as_str(), c["rework_count"].as_u64()), (Some("dispatched"), Some(1)));
    // 回退 approved: back to filed for re-dispatch.
    ok(&app, &s.handler, &id, json!({"action": "request_return", "reason": "权属变更"})).await;
    let c = ok(&app, &s.dispatcher, &id, json!({"action": "approve_return"})).await;
    assert_eq!(
        (c["state"].as_str(), c["return_count"].as_u64(), c["department_id"].is_null()),
        (Some("filed"), Some(1), true)
    );

    // 作废 needs a second supervision-centre user.
    let dup = report(&app, &s, body.clone()).await;
    ok(&app, &s.acceptor, &dup, json!({"action": "request_void", "reason": "重复"})).await;
    let r = act(&app, &s.acceptor, &dup, json!({"action": "approve_void"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let admin = app.demo(COUNTY_A, "admin").await;
    let r = app
        .post(&format!("/api/v1/tenants/{COUNTY_A}/users"), &admin, json!({"username": "leader", "display_name": "值班长", "password": "Shift-Lead-2026", "roles": ["supervision-center"]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let leader = app.login(COUNTY_A, "leader", "Shift-Lead-2026").await;
    assert_eq!(ok(&app, &leader, &dup, json!({"action": "approve_void"})).await["state"], "voided");

    // Merge a duplicate into the kept case.
    let dup2 = report(&app, &s, body.clone()).await;
    let c = ok(&app, &s.acceptor, &dup2, json!({"action": "merge", "into": id})).await;
    assert_eq!((c["state"].as_str(), c["merged_into"].as_str()), (Some("voided"), Some(id.as_str())));

    // 自处置: fixed on the spot (shown by photos before and after), closed without dispatch.
    let mut photos = Vec::new();
    for bytes in [&b"\x89PNG\r\n\x1a\nbefore"[..], &b"\x89PNG\r\n\x1a\nafter"[..]] {
        let r = app
            .client
            .post(format!("{}/api/v1/tenants/{COUNTY_A}/photos", app.base))
            .bearer_auth(&s.collector)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        photos.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    let r = app.post(&cases(), &s.collector, json!({"kind": "matter", "class_code": "06012", "description": "路面有杂物，已清理", "lon": lon, "lat": lat, "self_handled": true, "photos": [photos[0]], "after_photos": [photos[1]]})).await;
    assert_eq!((r.status, r.body["state"].as_str()), (StatusCode::CREATED, Some("self_handled")), "{}", r.text);
    let sh = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(ok(&app, &s.acceptor, &sh, json!({"action": "close"})).await["state"], "closed");
    // Staff cannot report as patrol, and a collector cannot register hotline reports.
    let r = app.post(&cases(), &s.acceptor, json!({"source": "patrol", "kind": "matter", "class_code": "06010", "description": "x", "lon": lon, "lat": lat})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post(&cases(), &s.collector, json!({"source": "hotline", "kind": "matter", "class_code": "06010", "description": "x", "lon": lon, "lat": lat})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &cases(),
            &s.collector,
            json!({"kind": "matter", "class_code": "06010", "description": "x", "lon": 116.39, "lat": 39.9}),
        )
        .await;
    assert_eq!(r.fields(), ["lon"], "outside the county");
}

#[tokio::test]
async fn work_lists_show_each_role_its_own_cases_and_the_city_issues_orders() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let mine = report(&app, &s, body.clone()).await;
    let other = report(&app, &s, body.clone()).await;
    for id in [&mine, &other] {
        accept_and_file(&app, &s, id, "06010").await;
    }
    // Another department of the county.
    let admin = app.demo(COUNTY_A, "admin").await;
    let depts = app.get(&format!("/api/v1/tenants/{COUNTY_A}/departments"), &admin).await;
    let other_dept =
        depts.body["items"].as_array().unwrap().iter().find(|d| d["id"] != s.handler_dept.as_str()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    ok(&app, &s.dispatcher, &mine, json!({"action": "dispatch", "department": s.handler_dept})).await;
    ok(&app, &s.dispatcher, &other, json!({"action": "dispatch", "department": other_dept})).await;
    let handler_view = app.get(&cases(), &s.handler).await;
    let ids: Vec<&str> =
        handler_view.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [mine.as_str()], "{}", handler_view.text);
    assert_eq!(app.get(&format!("{}/{other}", cases()), &s.handler).await.status, StatusCode::NOT_FOUND);
    let r = act(&app, &s.handler, &other, json!({"action": "handle", "note": "x"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let all = app.get(&format!("{}?state=dispatched", cases()), &s.dispatcher).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["counts"], json!([{"state": "dispatched", "count": 2}]));

    // The city issues a 督办 on the county's case; another city cannot see it.
    let oversight = app.demo(CITY, "oversight").await;
    let due = "2026-12-31T08:00:00Z";
    let r = app
        .post(&format!("{}/{mine}/supervision-orders", cases()), &oversight, json!({"note": "限期处理", "due": due}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["supervision_orders"], 1);
    let r = app.post(&format!("{}/{mine}/actions", cases()), &oversight, json!({"action": "close"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the city does not act inside the county's workflow");
    let b_admin = app.demo(COUNTY_B, "admin").await;
    assert_eq!(app.get(&format!("{}/{mine}", cases()), &b_admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&cases(), &b_admin).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn public_reports_get_a_tracking_code_a_private_status_and_a_rate_limit() {
    let app = tests::spawn_with(|s| s.public_reports_per_minute = 3).await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let (glon, glat) = spatial::crs::wgs84_to_gcj02(lon, lat);
    let base = format!("/api/v1/public/{COUNTY_A}/reports");
    let body = json!({"description": "小区门口垃圾堆积", "lon": glon, "lat": glat, "crs": "gcj02", "contact": "13800000000", "class_code": "06010"});
    let r = app.call(reqwest::Method::POST, &base, None, Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let code = r.body["tracking_code"].as_str().unwrap().to_owned();
    assert!(code.starts_with("UG") && code.len() == 12);

    let st = app.call(reqwest::Method::GET, &format!("{base}/{code}"), None, None).await;
    assert_eq!((st.status, st.body["status"].as_str()), (StatusCode::OK, Some("received")), "{}", st.text);
    assert!(!st.text.contains("13800000000") && !st.text.contains("reporter"), "no personal data: {}", st.text);

    // The centre sees it as a public report that must be verified; the contact is for the callback.
    let list = app.get(&format!("{}?source=public", cases()), &s.acceptor).await;
    let id = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("{}/{id}", cases()), &s.acceptor).await.body["timeline"][0]["payload"]["contact"],
        "13800000000"
    );
    ok(&app, &s.acceptor, &id, json!({"action": "send_verification"})).await;
    ok(&app, &s.collector, &id, json!({"action": "verify", "found": true})).await;
    let st = app.call(reqwest::Method::GET, &format!("{base}/{code}"), None, None).await;
    assert_eq!(st.body["status"], "received");
    ok(&app, &s.acceptor, &id, json!({"action": "file", "class_code": "06010"})).await;
    assert_eq!(
        app.call(reqwest::Method::GET, &format!("{base}/{code}"), None, None).await.body["status"],
        "in_progress"
    );

    // Bad input is named; unknown or non-county tenants are not found. Every attempt from an
    // address counts against its limit (3 a minute here), so probing is limited too.
    let r =
        app.call(reqwest::Method::POST, &base, None, Some(json!({"description": "", "lon": glon, "lat": glat}))).await;
    assert_eq!(r.fields(), ["description"]);
    let r = app.call(reqwest::Method::POST, &format!("/api/v1/public/{CITY}/reports"), None, Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(reqwest::Method::GET, &format!("{base}/UGNOSUCHCODE"), None, None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app.call(reqwest::Method::POST, &base, None, Some(body)).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(r.headers.contains_key("retry-after"));
}

/// The duplicate radius (50 m by default) holds in every direction: open cases of the class 45 m
/// away, north, south, east, west and diagonally, are suggested, the nearest first; those 56 m
/// away are not.
#[tokio::test]
async fn duplicates_are_suggested_within_the_radius_in_every_direction() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = middle(&app, &s.collector).await;
    let metres_per_degree = 6_371_008.8_f64.to_radians();
    let at = |east: f64, north: f64| {
        (lon + east / (metres_per_degree * lat.to_radians().cos()), lat + north / metres_per_degree)
    };
    let diagonal = std::f64::consts::FRAC_1_SQRT_2;
    let directions = [(0.0, 1.0), (0.0, -1.0), (1.0, 0.0), (-1.0, 0.0), (diagonal, diagonal), (-diagonal, -diagonal)];
    let mut inside = Vec::new();
    for (i, &(east, north)) in directions.iter().enumerate() {
        for (distance, list) in [(45.0 - i as f64, Some(&mut inside)), (56.0, None)] {
            let (x, y) = at(east * distance, north * distance);
            let id = report(
                &app,
                &s,
                json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": x, "lat": y}),
            )
            .await;
            if let Some(list) = list {
                list.push(id);
            }
        }
    }
    let r = app
        .post(
            &cases(),
            &s.collector,
            json!({"kind": "matter", "class_code": "06010", "description": "中间", "lon": lon, "lat": lat}),
        )
        .await;
    let hints: Vec<(&str, f64)> = r.body["possible_duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_str().unwrap(), h["distance_m"].as_f64().unwrap()))
        .collect();
    // Nearest first: the sixth direction was placed closest (40 m), the first farthest (45 m).
    let expected: Vec<&str> = inside.iter().rev().map(String::as_str).collect();
    assert_eq!(hints.iter().map(|h| h.0).collect::<Vec<_>>(), expected, "{}", r.text);
    for (i, (_, d)) in hints.iter().enumerate() {
        assert!((d - (40.0 + i as f64)).abs() < 0.5, "hint {i} at {d} m: {}", r.text);
    }
}

#[tokio::test]
async fn a_nearby_open_case_of_the_same_class_is_suggested_and_merged() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let first = report(
        &app,
        &s,
        json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat}),
    )
    .await;
    // ~11 m away, same class: suggested; another class or far away: not.
    let r = app.post(&cases(), &s.collector, json!({"kind": "matter", "class_code": "06010", "description": "同一堆垃圾", "lon": lon + 0.0001, "lat": lat})).await;
    let hints = r.body["possible_duplicates"].as_array().unwrap();
    assert_eq!(hints.len(), 1, "{}", r.text);
    assert_eq!(hints[0]["id"], first.as_str());
    assert!(hints[0]["distance_m"].as_f64().unwrap() > 5.0 && hints[0]["distance_m"].as_f64().unwrap() < 20.0);
    let dup = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &cases(),
            &s.collector,
            json!({"kind": "matter", "class_code": "09009", "description": "乱停车", "lon": lon, "lat": lat}),
        )
        .await;
    assert_eq!(r.body["possible_duplicates"], json!([]));
    let c = ok(&app, &s.acceptor, &dup, json!({"action": "merge", "into": first})).await;
    assert_eq!(c["merged_into"], first.as_str());
    let r = act(&app, &s.acceptor, &first, json!({"action": "merge", "into": first})).await;
    assert_eq!(r.fields(), ["into"]);
    // The merged duplicate is voided: from the next report on, only the kept case is suggested.
    let r = app
        .post(
            &cases(),
            &s.collector,
            json!({"kind": "matter", "class_code": "06010", "description": "又一次", "lon": lon + 0.0001, "lat": lat}),
        )
        .await;
    assert_eq!(hinted(&r), std::slice::from_ref(&first), "{}", r.text);
}

/// A county sets its own duplicate radius and window; values out of range are refused by field.
#[tokio::test]
async fn a_county_sets_its_duplicate_radius_and_window() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let rule = format!("/api/v1/tenants/{COUNTY_A}/settings/duplicates");
    assert_eq!(app.get(&rule, &s.collector).await.body, json!({"radius_m": 50.0, "window_hours": 72}));
    let r = app.put(&rule, &admin, json!({"radius_m": 0, "window_hours": 1000})).await;
    assert_eq!(r.fields(), ["radius_m", "window_hours"], "{}", r.text);
    assert_eq!(
        app.put(&rule, &admin, json!({"radius_m": 501, "window_hours": 0})).await.fields(),
        ["radius_m", "window_hours"]
    );
    assert_eq!(
        app.put(&rule, &s.acceptor, json!({"radius_m": 200, "window_hours": 24})).await.status,
        StatusCode::FORBIDDEN
    );

    let (lon, lat) = middle(&app, &s.collector).await;
    let body =
        |lon: f64| json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let first = report(&app, &s, body(lon)).await;
    // About 150 m east: too far under the default 50 m.
    let east = lon + 150.0 / (6_371_008.8_f64.to_radians() * lat.to_radians().cos());
    let r = app.post(&cases(), &s.collector, body(east)).await;
    assert_eq!(hinted(&r), Vec::<String>::new(), "{}", r.text);
    let second = r.body["id"].as_str().unwrap().to_owned();

    let r = app.put(&rule, &admin, json!({"radius_m": 200, "window_hours": 24})).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({"radius_m": 200.0, "window_hours": 24})));
    assert_eq!(app.get(&rule, &admin).await.body, r.body);
    // Within 200 m: the one reported at the same place first, then the one 150 m away.
    let r = app.post(&cases(), &s.collector, body(east)).await;
    assert_eq!(hinted(&r), [second, first], "{}", r.text);
}

/// What another replica writes reaches this server's duplicate search within its catch-up
/// (about a second): a case reported there is suggested here, and once merged there it is not.
#[tokio::test]
async fn another_replicas_reports_and_merges_reach_the_duplicate_search() {
    let app = spawn_app().await;
    let replica = app.replica().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let there = report(&replica, &s, body.clone()).await;
    // Each probe is itself a report here, suggesting the earlier ones (this server's own) at once;
    // few enough that all fit in the ten suggestions.
    let pause = std::time::Duration::from_millis(400);
    let mut probes: Vec<String> = Vec::new();
    let mut suggested = false;
    for _ in 0..9 {
        let r = app.post(&cases(), &s.collector, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let hints = hinted(&r);
        assert!(probes.iter().all(|p| hints.contains(p)), "{}", r.text);
        probes.push(r.body["id"].as_str().unwrap().to_owned());
        if hints.contains(&there) {
            suggested = true;
            break;
        }
        tokio::time::sleep(pause).await;
    }
    assert!(suggested, "the replica's report was not suggested here within 3.6 s");

    // Merged there; here the probes are merged too, so the place holds one open case of ours.
    ok(&replica, &s.acceptor, &there, json!({"action": "merge", "into": probes[0]})).await;
    for p in &probes[1..] {
        ok(&app, &s.acceptor, p, json!({"action": "merge", "into": probes[0]})).await;
    }
    let mut gone = false;
    for _ in 0..8 {
        let r = app.post(&cases(), &s.collector, body.clone()).await;
        let hints = hinted(&r);
        assert!(hints.contains(&probes[0]) && !probes[1..].iter().any(|p| hints.contains(p)), "{}", r.text);
        if !hints.contains(&there) {
            gone = true;
            break;
        }
        tokio::time::sleep(pause).await;
    }
    assert!(gone, "the case merged on the replica was still suggested here after 3.2 s");
}

#[tokio::test]
async fn the_work_calendar_names_the_years_it_has_no_holidays_for() {
    use chrono::Datelike;
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let path = format!("/api/v1/tenants/{COUNTY_A}/settings/work-calendar");
    let year = (chrono::Utc::now() + chrono::Duration::hours(8)).year();
    // The default carries the 2026 schedule only.
    let cal = app.get(&path, &admin).await.body;
    let expected: Vec<i32> = [year, year + 1].into_iter().filter(|y| *y != 2026).collect();
    assert_eq!(cal["missing_holiday_years"], json!(expected), "{cal}");

    // With this year's and next year's holidays added, nothing is missing.
    let mut full = cal["calendar"].clone();
    full["holidays"] = json!([format!("{year}-10-01"), format!("{}-01-01", year + 1)]);
    full["workdays"] = json!([]);
    let r = app.put(&path, &admin, full).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["missing_holiday_years"], json!([]), "{}", r.text);
    assert_eq!(app.get(&path, &admin).await.body["missing_holiday_years"], json!([]));

    // Only last year's: both flagged.
    let mut old = cal["calendar"].clone();
    old["holidays"] = json!([format!("{}-10-01", year - 1)]);
    old["workdays"] = json!([]);
    let r = app.put(&path, &admin, old).await;
    assert_eq!(r.body["missing_holiday_years"], json!([year, year + 1]), "{}", r.text);
}

#[tokio::test]
async fn deadlines_skip_holidays_lights_turn_and_overdue_is_marked_exactly_once() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let settings = format!("/api/v1/tenants/{COUNTY_A}/settings");
    // The next ten days (Shanghai time) are public holidays; the dispatch stage has 1 working hour.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let holidays: Vec<String> = (0..10).map(|d| (today + chrono::Duration::days(d)).to_string()).collect();
    let mut cal = app.get(&format!("{settings}/work-calendar"), &admin).await.body["calendar"].clone();
    assert_eq!(cal["time_zone"], "Asia/Shanghai");
    cal["holidays"] = json!(holidays);
    cal["workdays"] = json!([]);
    let r = app.put(&format!("{settings}/work-calendar"), &admin, cal.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut limits = app.get(&format!("{settings}/time-limits"), &admin).await.body;
    limits["stages"]["dispatch"] = json!({"amount": 1.0, "unit": "working_hours"});
    let r = app.put(&format!("{settings}/time-limits"), &admin, limits.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Bad settings are refused field by field; only the county's own administrators set them.
    let mut bad = cal.clone();
    bad["time_zone"] = json!("Mars/Olympus");
    assert_eq!(app.put(&format!("{settings}/work-calendar"), &admin, bad).await.fields(), ["time_zone"]);
    let mut bad = limits.clone();
    bad["stages"]["file"] = json!({"amount": -1.0, "unit": "working_hours"});
    assert!(app.put(&format!("{settings}/time-limits"), &admin, bad).await.fields()[0].starts_with("stages.file"));
    assert_eq!(
        app.put(&format!("{settings}/time-limits"), &s.acceptor, limits.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    // The city's administrators set their counties up; the city's oversight does not.
    let oversight = app.demo(CITY, "oversight").await;
    assert_eq!(app.put(&format!("{settings}/time-limits"), &oversight, limits).await.status, StatusCode::FORBIDDEN);

    let (lon, lat) = point(&app, &s.collector).await;
    let id = report(
        &app,
        &s,
        json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat}),
    )
    .await;
    ok(&app, &s.acceptor, &id, json!({"action": "accept"})).await;
    let filed = ok(&app, &s.acceptor, &id, json!({"action": "file", "class_code": "06010"})).await;
    let deadline: chrono::DateTime<chrono::Utc> = filed["deadline"].as_str().unwrap().parse().unwrap();
    let after_holidays =
        (today + chrono::Duration::days(10)).and_hms_opt(0, 0, 0).unwrap().and_utc() - chrono::Duration::hours(8);
    assert!(deadline > after_holidays, "the hour of work falls after the holidays: {deadline}");
    assert!(deadline < after_holidays + chrono::Duration::days(4), "but soon after them: {deadline}");
    assert_eq!(filed["light"], "green");

    // The sweep: not yet on day 9; on day 30 exactly one mark, even with two sweeps at once.
    let db = app.db().await;
    let now = chrono::Utc::now();
    assert_eq!(cases::overdue::sweep(&db, None, now + chrono::Duration::days(9)).await.unwrap(), 0);
    let later = now + chrono::Duration::days(30);
    let (a, b) = tokio::join!(cases::overdue::sweep(&db, None, later), cases::overdue::sweep(&db, None, later));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(cases::overdue::sweep(&db, None, later).await.unwrap(), 0);
    let detail = app.get(&format!("{}/{id}", cases()), &s.dispatcher).await;
    let marks = detail.body["timeline"].as_array().unwrap().iter().filter(|e| e["action"] == "mark_overdue").count();
    assert_eq!(marks, 1);
    assert_eq!((detail.body["overdue"].as_bool(), detail.body["state"].as_str()), (Some(true), Some("filed")));
    assert_eq!(
        detail.body["timeline"].as_array().unwrap().last().unwrap()["actor_id"],
        Value::Null,
        "the system acted"
    );
    let overdue = app.get(&format!("{}?overdue=true", cases()), &s.dispatcher).await;
    assert_eq!(overdue.body["items"][0]["id"], id.as_str());
    let chain = app.get(&format!("{}/{id}/chain", cases()), &s.acceptor).await;
    assert_eq!(chain.body["valid"], true, "{}", chain.text);

    // Suspension stops the disposal clock: no deadline while suspended.
    ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    ok(&app, &s.handler, &id, json!({"action": "request_suspension", "reason": "工程"})).await;
    let c = ok(&app, &s.dispatcher, &id, json!({"action": "approve_suspension"})).await;
    assert!(c["deadline"].is_null() && c["light"].is_null(), "{c}");
    let c = ok(&app, &s.dispatcher, &id, json!({"action": "resume"})).await;
    assert!(c["deadline"].is_string());
}

#[tokio::test]
async fn the_responsibility_list_suggests_the_most_specific_department() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let depts: Vec<String> = app.get(&format!("/api/v1/tenants/{COUNTY_A}/departments"), &admin).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    let grids = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=100"), &admin).await.body["items"]
        .as_array()
        .unwrap()
        .clone();
    let centre = |g: &Value| {
        let b: Vec<f64> = g["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
    };
    let (g0, g1) = (&grids[0], &grids[1]);
    let other_street = grids.iter().find(|g| g["street_code"] != g0["street_code"]).unwrap();
    let list = format!("/api/v1/tenants/{COUNTY_A}/settings/responsibilities");
    let lines = json!([
        {"class_code": "06010", "department_id": depts[0]},
        {"class_code": "06010", "street_code": g0["street_code"], "department_id": depts[1]},
        {"class_code": "06010", "grid_code": g0["code"], "department_id": depts[2]},
    ]);
    let r = app.put(&list, &admin, lines.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(&list, &s.dispatcher).await.body.as_array().unwrap().len(), 3);
    let bad = json!([{"class_code": "6010", "street_code": "320102001", "department_id": "00000000-0000-0000-0000-000000000000"}]);
    let r = app.put(&list, &admin, bad).await;
    assert_eq!(r.fields(), ["[0].class_code", "[0].street_code", "[0].department_id"], "{}", r.text);
    // Well-formed codes that name nothing of the county's are refused too, each by its line and
    // field, and the list in force is unchanged.
    let county = &COUNTY_A[..6];
    let unknown = json!([
        {"class_code": "99999", "department_id": depts[0]},
        {"class_code": "06010", "street_code": format!("{county}999"), "department_id": depts[0]},
        {"class_code": "06010", "community_code": format!("{county}999999"), "department_id": depts[0]},
        {"class_code": "06010", "grid_code": format!("{county}999999999"), "department_id": depts[0]},
    ]);
    let r = app.put(&list, &admin, unknown).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["[0].class_code", "[1].street_code", "[2].community_code", "[3].grid_code"], "{}", r.text);
    assert!(r.text.contains("not a unit grid of this county"), "{}", r.text);
    assert_eq!(app.get(&list, &s.dispatcher).await.body.as_array().unwrap().len(), 3);
    assert_eq!(app.put(&list, &s.dispatcher, lines).await.status, StatusCode::FORBIDDEN);

    let mut expect = Vec::new();
    for (g, dept, by) in [(g0, &depts[2], "grid"), (g1, &depts[1], "street"), (other_street, &depts[0], "class")] {
        let (lon, lat) = centre(g);
        let id = report(
            &app,
            &s,
            json!({"kind": "matter", "class_code": "06010", "description": "x", "lon": lon, "lat": lat}),
        )
        .await;
        expect.push((id, dept.clone(), by));
    }
    for (id, dept, by) in expect {
        let r = app.get(&format!("{}/{id}/dispatch-suggestion", cases()), &s.dispatcher).await;
        assert_eq!(
            (r.body["department_id"].as_str(), r.body["matched_by"].as_str()),
            (Some(dept.as_str()), Some(by)),
            "{}",
            r.text
        );
    }
    // No line for the class: no suggestion.
    let (lon, lat) = centre(g0);
    let id =
        report(&app, &s, json!({"kind": "matter", "class_code": "09009", "description": "x", "lon": lon, "lat": lat}))
            .await;
    assert!(app.get(&format!("{}/{id}/dispatch-suggestion", cases()), &s.dispatcher).await.body.is_null());
    // A component's owner department comes first.
    let comp =
        app.get(&format!("/api/v1/tenants/{COUNTY_A}/components?limit=1"), &admin).await.body["items"][0].clone();
    let owner = app.get(&format!("/api/v1/tenants/{COUNTY_A}/departments"), &admin).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["uscc"] == comp["dept_code"])
        .unwrap()["id"]
        .clone();
    let id = report(&app, &s, json!({"kind": "component", "class_code": comp["class_code"], "description": "破损", "component_id": comp["component_id"]})).await;
    let r = app.get(&format!("{}/{id}/dispatch-suggestion", cases()), &s.dispatcher).await;
    assert_eq!(
        (r.body["department_id"].clone(), r.body["matched_by"].as_str()),
        (owner, Some("component_owner")),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn photos_are_sniffed_limited_and_served_only_through_a_visible_case() {
    let app = tests::spawn_with(|s| s.max_photo_bytes = 4096).await;
    let s = staff(&app).await;
    let upload = |token: String, bytes: Vec<u8>| {
        let app = &app;
        async move {
            let r = app
                .client
                .post(format!("{}/api/v1/tenants/{COUNTY_A}/photos", app.base))
                .bearer_auth(token)
                .body(bytes)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let png = b"\x89PNG\r\n\x1a\nbefore-photo".to_vec();
    let (status, before) = upload(s.collector.clone(), png.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{before}");
    assert_eq!((before["content_type"].as_str(), before["size"].as_i64()), (Some("image/png"), Some(png.len() as i64)));
    assert_eq!(before["sha256"].as_str().unwrap().len(), 64);
    // The content decides, not the name or the header: GIF and SVG are refused; so is a big file.
    let (status, body) = upload(s.collector.clone(), b"GIF89a....".to_vec()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")));
    let (status, _) = upload(s.collector.clone(), [b"\xFF\xD8\xFF".to_vec(), vec![0u8; 5000]].concat()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (lon, lat) = point(&app, &s.collector).await;
    let r = app.post(&cases(), &s.collector, json!({"kind": "matter", "class_code": "06010", "description": "x", "lon": lon, "lat": lat, "photos": ["00000000-0000-0000-0000-000000000000"]})).await;
    assert_eq!(r.fields(), ["photos[0]"]);
    let id = report(&app, &s, json!({"kind": "matter", "class_code": "06010", "description": "x", "lon": lon, "lat": lat, "photos": [before["id"]]})).await;
    let url = format!("{}/{id}/photos/{}", cases(), before["id"].as_str().unwrap());
    let r = app.get_raw(&url, &s.acceptor).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    // Not through a case that does not reference it, not to a department that cannot see the case,
    // not to another county.
    let other =
        report(&app, &s, json!({"kind": "matter", "class_code": "06012", "description": "y", "lon": lon, "lat": lat}))
            .await;
    assert_eq!(
        app.get(&format!("{}/{other}/photos/{}", cases(), before["id"].as_str().unwrap()), &s.acceptor).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&url, &s.handler).await.status, StatusCode::NOT_FOUND);
    let b_admin = app.demo(COUNTY_B, "admin").await;
    assert_eq!(app.get(&url, &b_admin).await.status, StatusCode::NOT_FOUND);

    // Feedback with an after-photo; once dispatched to it, the department sees both.
    accept_and_file(&app, &s, &id, "06010").await;
    ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    let (_, after) = upload(s.handler.clone(), b"\xFF\xD8\xFF\xE0after".to_vec()).await;
    let r = act(&app, &s.handler, &id, json!({"action": "handle", "note": "done", "photos": ["nope"]})).await;
    assert_eq!(r.fields(), ["photos[0]"]);
    ok(&app, &s.handler, &id, json!({"action": "handle", "note": "done", "photos": [after["id"]]})).await;
    assert_eq!(app.get(&url, &s.handler).await.status, StatusCode::OK);
    let r = app
        .client
        .get(format!("{}{}/{id}/photos/{}", app.base, cases(), after["id"].as_str().unwrap()))
        .bearer_auth(&s.acceptor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
}

/// Reads a live stream until `until` appears in it (or the time runs out); returns what was read.
async fn read_stream(resp: reqwest::Response, until: &str, seconds: u64) -> String {
    use futures_util::StreamExt;
    let mut text = String::new();
    let mut body = resp.bytes_stream();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !text.contains(until) {
        match tokio::time::timeout_at(deadline, body.next()).await {
            Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            _ => break,
        }
    }
    text
}

#[tokio::test]
async fn the_live_feed_delivers_each_user_only_the_cases_they_may_see() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let mine = report(&app, &s, body.clone()).await;
    let theirs = report(&app, &s, body).await;
    for id in [&mine, &theirs] {
        accept_and_file(&app, &s, id, "06010").await;
    }
    let admin = app.demo(COUNTY_A, "admin").await;
    let depts = app.get(&format!("/api/v1/tenants/{COUNTY_A}/departments"), &admin).await;
    let other_dept =
        depts.body["items"].as_array().unwrap().iter().find(|d| d["id"] != s.handler_dept.as_str()).unwrap()["id"]
            .clone();

    let open = |token: String| {
        let app = &app;
        async move {
            let r = app.get_raw(&format!("/api/v1/tenants/{COUNTY_A}/case-events"), &token).await;
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(r.headers()["content-type"], "text/event-stream");
            r
        }
    };
    let handler_feed = open(s.handler.clone()).await;
    let dispatcher_feed = open(s.dispatcher.clone()).await;
    ok(&app, &s.dispatcher, &theirs, json!({"action": "dispatch", "department": other_dept})).await;
    ok(&app, &s.dispatcher, &mine, json!({"action": "dispatch", "department": s.handler_dept})).await;

    let seen = read_stream(dispatcher_feed, &mine, 10).await;
    assert!(seen.contains(&theirs) && seen.contains(&mine), "the command centre sees both: {seen}");
    assert!(seen.contains("event: case") && seen.contains("\"action\":\"dispatch\""), "{seen}");
    let seen = read_stream(handler_feed, &mine, 10).await;
    assert!(seen.contains(&mine), "the department sees its case: {seen}");
    assert!(!seen.contains(&theirs), "but not another department's: {seen}");
    // Another department's case is not visible to it at all (README: 404, as for another
    // tenant), whether read or acted on.
    let r = app.get(&format!("/api/v1/tenants/{COUNTY_A}/cases/{theirs}"), &s.handler).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/cases/{theirs}/actions"),
            &s.handler,
            json!({"action": "handle", "note": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Resuming from an id replays what came after it.
    let first_id: i64 = seen.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().parse().unwrap();
    let r = app
        .client
        .get(format!("{}/api/v1/tenants/{COUNTY_A}/case-events", app.base))
        .bearer_auth(&s.dispatcher)
        .header("last-event-id", (first_id - 1).to_string())
        .send()
        .await
        .unwrap();
    let replay = read_stream(r, &mine, 10).await;
    assert!(replay.contains(&format!("id: {first_id}")), "{replay}");
}

/// PostgreSQL commits transactions in their own order, not in the order they took event ids: the
/// feed must not pass an id still being written (it would never deliver it).
#[tokio::test]
async fn the_live_feed_waits_for_an_event_still_being_written_before_passing_it() {
    let app = spawn_app().await;
    if app.backend == tests::Backend::Sqlite {
        return; // one writer at a time: ids become visible in order
    }
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let (slow, fast) = (report(&app, &s, body.clone()).await, report(&app, &s, body).await);
    for id in [&slow, &fast] {
        accept_and_file(&app, &s, id, "06010").await;
    }
    let feed = app.get_raw(&format!("/api/v1/tenants/{COUNTY_A}/case-events"), &s.dispatcher).await;
    assert_eq!(feed.status(), StatusCode::OK);

    // A writer takes the next event id and has not committed yet …
    let db = app.db().await;
    let slow_writer = writing_event(&db, &slow, 1000).await;
    // … while a later one commits.
    ok(&app, &s.dispatcher, &fast, json!({"action": "dispatch", "department": s.handler_dept})).await;
    let (feed, early) = read_until(feed, &fast, 3).await;
    assert!(!early.contains(&fast), "the later event waits for the earlier id: {early}");

    slow_writer.commit().await.unwrap();
    let (feed, seen) = read_until(feed.expect("the stream is open"), "dispatch", 10).await;
    let at = |case: &str| seen.find(case).unwrap_or_else(|| panic!("{case} not delivered: {seen}"));
    assert!(at(&slow) < at(&fast), "delivered in id order: {seen}");

    // A writer that rolls back leaves a gap that never fills: the feed passes it.
    let failed_writer = writing_event(&db, &slow, 1001).await;
    ok(&app, &s.dispatcher, &slow, json!({"action": "dispatch", "department": s.handler_dept})).await;
    failed_writer.rollback().await.unwrap();
    let (_, seen) = read_until(feed.expect("the stream is open"), "dispatch", 10).await;
    assert!(seen.contains(&slow), "the event after the gap is delivered: {seen}");
}

/// A transaction that has written an event (number `seq`) of `case` and not yet ended.
async fn writing_event(db: &sea_orm::DatabaseConnection, case: &str, seq: i32) -> sea_orm::DatabaseTransaction {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared(&format!(
        "INSERT INTO case_events (tenant_id, case_id, seq, action, actor_id, role, at, payload, due, prev_hash, hash) \
         SELECT tenant_id, id, {seq}, 'supervise', NULL, 'supervision-center', now(), '{{}}', NULL, 'x', 'y' \
         FROM cases WHERE id = '{case}'"
    ))
    .await
    .unwrap();
    txn
}

/// Reads a live stream until `until` appears (or the time runs out); returns the stream and what was read.
async fn read_until(resp: reqwest::Response, until: &str, seconds: u64) -> (Option<reqwest::Response>, String) {
    let (mut resp, mut text) = (Some(resp), String::new());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while let Some(r) = resp.as_mut()
        && !text.contains(until)
    {
        match tokio::time::timeout_at(deadline, r.chunk()).await {
            Ok(Ok(Some(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(_) => resp = None,
            Err(_) => break,
        }
    }
    (resp, text)
}

#[tokio::test]
async fn a_county_dispatches_to_a_department_its_city_shares() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let city_admin = app.demo(CITY, "admin").await;
    let city_depts = app.get(&format!("/api/v1/tenants/{CITY}/departments"), &city_admin).await;
    let dept = |shared: bool| {
        city_depts.body["items"].as_array().unwrap().iter().find(|d| d["shared"] == shared).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (shared, unshared) = (dept(true), dept(false));

    // The county's targets: its own departments, then the city's shared one (and not the other).
    let targets = app.get(&format!("/api/v1/tenants/{COUNTY_A}/dispatch-targets"), &s.dispatcher).await;
    let listed: Vec<(&str, &str)> = targets
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["tenant_code"].as_str().unwrap()))
        .collect();
    assert_eq!(listed.len(), 6, "{}", targets.text);
    assert!(listed.contains(&(shared.as_str(), CITY)));
    assert!(!listed.iter().any(|(id, _)| *id == unshared));
    // Only a city shares.
    let county_admin = app.demo(COUNTY_A, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/departments"),
            &county_admin,
            json!({"name": "共享处", "uscc": tests::uscc(COUNTY_A, 90), "shared": true}),
        )
        .await;
    assert_eq!(r.fields(), ["shared"], "{}", r.text);

    let (lon, lat) = point(&app, &s.collector).await;
    let id = report(
        &app,
        &s,
        json!({"kind": "matter", "class_code": "06010", "description": "供水管漏水", "lon": lon, "lat": lat}),
    )
    .await;
    let other = report(
        &app,
        &s,
        json!({"kind": "matter", "class_code": "06010", "description": "另一处", "lon": lon, "lat": lat}),
    )
    .await;
    for case in [&id, &other] {
        accept_and_file(&app, &s, case, "06010").await;
    }
    let r = act(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": unshared})).await;
    assert_eq!(r.fields(), ["department"], "an unshared city department is no target: {}", r.text);
    let c = ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": shared})).await;
    assert_eq!(c["department_id"], shared.as_str());

    // The city's handler works on that case in the county, and sees nothing else there.
    let city_handler = app.demo(CITY, "handler").await;
    let list = app.get(&cases(), &city_handler).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let ids: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()], "only the case dispatched to it, not the claimable one");
    assert_eq!(app.get(&format!("{}/{other}", cases()), &city_handler).await.status, StatusCode::NOT_FOUND);
    let r = act(&app, &city_handler, &other, json!({"action": "claim"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = act(&app, &city_handler, &id, json!({"action": "dispatch", "department": shared})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The county's own department cannot touch it.
    let r = act(&app, &s.handler, &id, json!({"action": "handle", "note": "不是我的"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let handled = ok(&app, &city_handler, &id, json!({"action": "handle", "note": "已修复供水管"})).await;
    assert_eq!(handled["state"], "handled");
    // Another county of the city never dispatched to it: nothing there.
    let b = app.get(&format!("/api/v1/tenants/{COUNTY_B}/cases"), &city_handler).await;
    assert_eq!((b.status, b.body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{}", b.text);
    // The city's other roles are unchanged: its auditor reads no county cases.
    let auditor = app.demo(CITY, "auditor").await;
    assert_eq!(app.get(&cases(), &auditor).await.status, StatusCode::FORBIDDEN);
}

/// The S3-compatible store the suite may use (`URBANGRID_TEST_S3_ENDPOINT`; `.ci/run` starts one).
fn s3_endpoint() -> Option<String> {
    std::env::var("URBANGRID_TEST_S3_ENDPOINT").ok().filter(|s| !s.is_empty())
}

fn with_bucket(s: &mut api::Settings, endpoint: &str, bucket: &str) {
    s.s3_endpoint = Some(endpoint.to_owned());
    s.s3_bucket = Some(bucket.to_owned());
    s.s3_access_key = Some(api::config::Secret("urbangrid-test".into()));
    s.s3_secret_key = Some(api::config::Secret("urbangrid-test-secret".into()));
}

#[tokio::test]
async fn photos_go_to_an_s3_compatible_store_when_one_is_configured() {
    let Some(endpoint) = s3_endpoint() else {
        eprintln!("URBANGRID_TEST_S3_ENDPOINT is not set: object-store test skipped");
        return;
    };
    // A server refuses to start on a bucket that is not there, saying which.
    let missing = format!("ug-missing-{}", uuid::Uuid::new_v4().simple());
    // The first server stays alive: its database and directory go when it is dropped.
    let first = tests::spawn_app().await;
    let mut settings = first.settings.clone();
    with_bucket(&mut settings, &endpoint, &missing);
    let Err(err) = api::Application::build(settings).await else { panic!("started without its bucket") };
    assert!(format!("{err:#}").contains(&missing), "{err:#}");

    let bucket = format!("ug-test-{}", uuid::Uuid::new_v4().simple());
    let created = reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.unwrap();
    assert!(created.status().is_success(), "create bucket: {}", created.status());
    let app = tests::spawn_with(|s| with_bucket(s, &endpoint, &bucket)).await;
    let s = staff(&app).await;
    let png = b"\x89PNG\r\n\x1a\nstored-in-the-bucket".to_vec();
    let r = app
        .client
        .post(format!("{}/api/v1/tenants/{COUNTY_A}/photos", app.base))
        .bearer_auth(&s.collector)
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let photo: Value = r.json().await.unwrap();
    let sha = photo["sha256"].as_str().unwrap();

    // The object is in the bucket under the county and the hash, and nothing was written locally.
    use rusty_s3::S3Action;
    let store = rusty_s3::Bucket::new(endpoint.parse().unwrap(), rusty_s3::UrlStyle::Path, bucket.clone(), "us-east-1")
        .unwrap();
    let credentials = rusty_s3::Credentials::new("urbangrid-test", "urbangrid-test-secret");
    let signed = store
        .get_object(Some(&credentials), &format!("photos/{COUNTY_A}/{sha}"))
        .sign(std::time::Duration::from_secs(60));
    let object = reqwest::get(signed).await.unwrap();
    assert_eq!(object.status(), StatusCode::OK);
    assert_eq!(object.bytes().await.unwrap().to_vec(), png);
    assert!(!app.settings.data_dir.join("photos").exists(), "no local copy");

    // Served back through a case, from the store.
    let (lon, lat) = point(&app, &s.collector).await;
    let id = report(&app, &s, json!({"kind": "matter", "class_code": "06010", "description": "x", "lon": lon, "lat": lat, "photos": [photo["id"]]})).await;
    let r = app
        .client
        .get(format!("{}{}/{id}/photos/{}", app.base, cases(), photo["id"].as_str().unwrap()))
        .bearer_auth(&s.acceptor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
}

/// The overdue sweep runs every 30 seconds on every server: it must read the partial index of
/// running clocks, not the whole `cases` table. Checked with the statement as the server sends
/// it, parameters bound: on PostgreSQL as a prepared statement's generic plan (which knows no
/// parameter's value), on SQLite as prepared.
#[tokio::test]
async fn the_overdue_sweep_reads_the_index_of_running_clocks() {
    use sea_orm::sea_query::{PostgresQueryBuilder, QueryBuilder};
    use sea_orm::{DbBackend, QueryTrait, Statement, TransactionTrait};
    let app = spawn_app().await;
    let db = app.db().await;
    let backend = db.get_database_backend();
    let query = cases::overdue::due(chrono::Utc::now()).build(backend);
    let plan: Vec<String> = if backend == DbBackend::Postgres {
        let args: Vec<String> =
            query.values.iter().flat_map(|v| v.0.iter()).map(|v| PostgresQueryBuilder.value_to_string(v)).collect();
        let txn = db.begin().await.unwrap();
        for setup in [
            "SET LOCAL plan_cache_mode = force_generic_plan".to_owned(),
            "SET LOCAL enable_seqscan = off".to_owned(),
            format!("PREPARE due_cases AS {}", query.sql),
        ] {
            txn.execute_unprepared(&setup).await.unwrap();
        }
        let explain = format!("EXPLAIN EXECUTE due_cases({})", args.join(", "));
        let rows = txn.query_all_raw(Statement::from_string(backend, explain)).await.unwrap();
        rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
    } else {
        let explain = Statement { sql: format!("EXPLAIN QUERY PLAN {}", query.sql), ..query };
        let rows = db.query_all_raw(explain).await.unwrap();
        rows.iter().map(|r| r.try_get::<String>("", "detail").unwrap()).collect()
    };
    assert!(plan.iter().any(|line| line.contains("ix_cases_due")), "{plan:#?}");
}

/// The console's buttons: the detail lists what the caller may do now, and every action listed
/// is accepted when sent with its fields; the timeline names who acted.
#[tokio::test]
async fn a_case_lists_the_actions_its_caller_may_take_now_and_names_its_actors() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (lon, lat) = point(&app, &s.collector).await;
    let id = report(
        &app,
        &s,
        json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat}),
    )
    .await;
    let available = |token: String| {
        let (app, id) = (&app, id.clone());
        async move {
            let r = app.get(&format!("{}/{id}", cases()), &token).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let list = r.body["available_actions"].as_array().unwrap().clone();
            let names: Vec<String> = list.iter().map(|a| a["action"].as_str().unwrap().to_owned()).collect();
            (names, list, r.body)
        }
    };

    let (acceptor, list, detail) = available(s.acceptor.clone()).await;
    for a in ["accept", "reject", "send_verification", "request_void", "merge"] {
        assert!(acceptor.contains(&a.to_owned()), "the supervision centre may {a}: {acceptor:?}");
    }
    assert!(!acceptor.contains(&"dispatch".to_owned()) && !acceptor.contains(&"close".to_owned()), "{acceptor:?}");
    let reject = list.iter().find(|a| a["action"] == "reject").unwrap();
    assert_eq!(reject["required"], json!(["reason"]));
    // The report's actor is named.
    let first = &detail["timeline"][0];
    assert_eq!(first["actor_name"], "监督员", "{first}");
    let (collector, ..) = available(s.collector.clone()).await;
    assert!(collector.is_empty(), "a collector has nothing to do on a reported case: {collector:?}");

    accept_and_file(&app, &s, &id, "06010").await;
    let (dispatcher, list, _) = available(s.dispatcher.clone()).await;
    assert!(
        dispatcher.contains(&"dispatch".to_owned()) && dispatcher.contains(&"supervise".to_owned()),
        "{dispatcher:?}"
    );
    assert_eq!(list.iter().find(|a| a["action"] == "dispatch").unwrap()["required"], json!(["department"]));
    ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": s.handler_dept})).await;

    let (handler, _, detail) = available(s.handler.clone()).await;
    let mut expected =
        ["handle", "request_extension", "request_return", "request_suspension"].map(String::from).to_vec();
    expected.sort();
    let mut got = handler.clone();
    got.sort();
    assert_eq!(got, expected);
    // The dispatch names its actor and role; a department member is named with the department.
    let dispatch = detail["timeline"].as_array().unwrap().iter().find(|e| e["action"] == "dispatch").unwrap();
    assert_eq!(dispatch["role"], "command-center", "{dispatch}");
    assert!(dispatch["actor_name"].as_str().is_some_and(|n| !n.is_empty()), "{dispatch}");
    // Every listed action is one the server takes (here: the handler's feedback).
    ok(&app, &s.handler, &id, json!({"action": "handle", "note": "已清理"})).await;
    let (_, _, detail) = available(s.handler.clone()).await;
    let handle = detail["timeline"].as_array().unwrap().iter().find(|e| e["action"] == "handle").unwrap();
    assert!(handle["actor_department"].as_str().is_some_and(|d| !d.is_empty()), "{handle}");
    assert_eq!(detail["available_actions"], json!([]), "nothing left for the department once handled");
}
