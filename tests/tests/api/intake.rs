//! Intake and numbering over HTTP: case numbers per county without gaps, in creation order and
//! dated in the county's time zone, shared by the public channel; idempotency keys per (tenant,
//! user, key) that expire; retried actions; the census check of component reports; 自处置 photos.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{COUNTY_A, COUNTY_B, TestApp, spawn_app};

fn cases_of(county: &str) -> String {
    format!("/api/v1/tenants/{county}/cases")
}

/// The centre of a county's first unit grid.
async fn point_in(app: &TestApp, county: &str, token: &str) -> (f64, f64) {
    let g = app.get(&format!("/api/v1/tenants/{county}/grids?limit=1"), token).await;
    let b: Vec<f64> = g.body["items"][0]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
}

fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A case number's date and sequence parts.
fn parts(number: &str) -> (&str, u64) {
    assert!(number.len() >= 14 && number.bytes().all(|b| b.is_ascii_digit()), "{number}");
    (&number[..8], number[8..].parse().unwrap())
}

/// Every case of a county as (created_at, number), oldest first (cases created at the same
/// instant by their numbers).
async fn numbers_of(app: &TestApp, county: &str, token: &str) -> Vec<(DateTime<Utc>, String)> {
    let list = app.get(&format!("{}?limit=200", cases_of(county)), token).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let mut out: Vec<(DateTime<Utc>, String)> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (instant(c["created_at"].as_str().unwrap()), c["number"].as_str().unwrap().to_owned()))
        .collect();
    out.sort();
    out
}

/// Two counties reporting at the same time — patrol reports through the group-commit writer and
/// public reports through their own path, all at once — each number their day 1, 2, …, n with no
/// gap and no number shared, in the order the cases were created. The day is the county's:
/// 05:43 in Beijing is 21:43 UTC the day before, and the number carries the Beijing date.
#[tokio::test]
async fn two_counties_reporting_at_once_each_number_their_day_from_one_without_gaps() {
    let app = tests::spawn_with(|s| s.public_reports_per_minute = 100).await;
    // A day with no demo cases, at 05:43 Beijing time.
    app.settings.clock.set(instant("2026-12-20T21:43:00Z"));
    let mut counties = Vec::new();
    for county in [COUNTY_A, COUNTY_B] {
        let collector = app.demo(county, "collector").await;
        let acceptor = app.demo(county, "acceptor").await;
        let (lon, lat) = point_in(&app, county, &collector).await;
        counties.push((county, collector, acceptor, lon, lat));
    }
    const PATROL: usize = 20;
    const PUBLIC: usize = 3;
    let mut sends = Vec::new();
    for n in 0..PATROL {
        for (county, collector, _, lon, lat) in &counties {
            let app = &app;
            sends.push(Box::pin(async move {
                let body = json!({"kind": "matter", "class_code": "06010", "description": format!("第{n}处暴露垃圾"), "lon": lon, "lat": lat});
                let r = app.post(&cases_of(county), collector, body).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                (county.to_string(), r.body["number"].as_str().unwrap().to_owned())
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = (String, String)>>>);
        }
    }
    for n in 0..PUBLIC {
        for (county, _, _, lon, lat) in &counties {
            let app = &app;
            sends.push(Box::pin(async move {
                let (glon, glat) = spatial::crs::wgs84_to_gcj02(*lon, *lat);
                let body = json!({"description": format!("市民反映第{n}处垃圾"), "lon": glon, "lat": glat, "crs": "gcj02", "class_code": "06010"});
                let r = app
                    .call(reqwest::Method::POST, &format!("/api/v1/public/{county}/reports"), None, Some(body))
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                (county.to_string(), String::new())
            }));
        }
    }
    let answered = futures_util::future::join_all(sends).await;

    for (county, _, acceptor, _, _) in &counties {
        let stored = numbers_of(&app, county, acceptor).await;
        let today: Vec<&(DateTime<Utc>, String)> = stored.iter().filter(|(_, n)| n.starts_with("20261221")).collect();
        assert_eq!(today.len(), PATROL + PUBLIC, "every report of the 21st (Beijing) carries its date: {stored:?}");
        assert!(stored.iter().all(|(_, n)| !n.starts_with("20261220")), "no case has the UTC date: {stored:?}");
        // In creation order the sequence parts are exactly 1..=n.
        let seqs: Vec<u64> = today.iter().map(|(_, n)| parts(n).1).collect();
        assert_eq!(seqs, (1..=(PATROL + PUBLIC) as u64).collect::<Vec<_>>(), "{county}: {today:?}");
        // The answers gave the stored numbers.
        for (c, number) in answered.iter().filter(|(c, n)| c == county && !n.is_empty()) {
            assert!(today.iter().any(|(_, n)| n == number), "{c}: {number} not stored");
        }
    }
}

/// Numbers are the same 8 + 6 digits on every backend, and a county's series continues across
/// channels: a public report takes the next number after the patrol reports before it.
#[tokio::test]
async fn the_public_channel_takes_the_next_number_of_the_countys_series() {
    let app = spawn_app().await;
    app.settings.clock.set(instant("2026-12-22T02:00:00Z"));
    let collector = app.demo(COUNTY_A, "collector").await;
    let (lon, lat) = point_in(&app, COUNTY_A, &collector).await;
    let patrol = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let first = app.post(&cases_of(COUNTY_A), &collector, patrol.clone()).await;
    assert_eq!(first.body["number"], "20261222000001", "{}", first.text);
    let (glon, glat) = spatial::crs::wgs84_to_gcj02(lon, lat);
    let public = json!({"description": "市民反映垃圾", "lon": glon, "lat": glat, "crs": "gcj02"});
    let r = app.call(reqwest::Method::POST, &format!("/api/v1/public/{COUNTY_A}/reports"), None, Some(public)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let third = app.post(&cases_of(COUNTY_A), &collector, patrol).await;
    assert_eq!(third.body["number"], "20261222000003", "the public report took 000002: {}", third.text);
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let list = app.get(&format!("{}?source=public", cases_of(COUNTY_A)), &acceptor).await;
    let numbers: Vec<&str> =
        list.body["items"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect();
    assert!(numbers.contains(&"20261222000002"), "{}", list.text);
}

/// A POST of `body` to `path` with an Idempotency-Key: status, whether it was replayed, and the
/// body text, checked against the document (a replayed answer must match it as the first did).
async fn keyed_post(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> (StatusCode, bool, String) {
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let replayed = r.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let status = r.status();
    let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = r.text().await.unwrap();
    if let Err(tests::contract::Violation(v)) =
        tests::contract::check("POST", path, status.as_u16(), content_type.as_deref(), &text)
    {
        panic!("the response breaks the OpenAPI document: {v}");
    }
    (status, replayed, text)
}

/// A report sent with an Idempotency-Key: status, whether it was replayed, body.
async fn keyed(app: &TestApp, county: &str, token: &str, key: &str, body: &Value) -> (StatusCode, bool, Value) {
    let (status, replayed, text) = keyed_post(app, &cases_of(county), token, key, body).await;
    (status, replayed, serde_json::from_str(&text).unwrap())
}

/// How many idempotency records hold `key`.
async fn records_of(app: &TestApp, key: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let db = app.db().await;
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => "SELECT count(*) AS n FROM idempotency_records WHERE key = $1",
                _ => "SELECT count(*) AS n FROM idempotency_records WHERE key = ?",
            },
            [key.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// A key is the sender's own: the same key from another user of the county, or from a user of
/// another county, is another request — a case of its own, not someone else's answer (nor a 422
/// because their bodies differ).
#[tokio::test]
async fn an_idempotency_key_is_scoped_to_its_tenant_and_user() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/users"),
            &admin,
            json!({"username": "collector2", "display_name": "监督员二", "password": "Second-Collector-2026", "roles": ["collector"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let second = app.login(COUNTY_A, "collector2", "Second-Collector-2026").await;
    let b_collector = app.demo(COUNTY_B, "collector").await;
    let (lon, lat) = point_in(&app, COUNTY_A, &collector).await;
    let (blon, blat) = point_in(&app, COUNTY_B, &b_collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});

    let (status, replayed, first) = keyed(&app, COUNTY_A, &collector, "shared-key", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{first}");
    // Another user of the county, same key, same body: a new case.
    let (status, replayed, other) = keyed(&app, COUNTY_A, &second, "shared-key", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{other}");
    assert_ne!(other["id"], first["id"]);
    // … and with another body: still a request of its own, not a reuse of someone else's key.
    let changed = json!({"kind": "matter", "class_code": "06010", "description": "另一处垃圾", "lon": lon, "lat": lat});
    let (status, _, third) = keyed(&app, COUNTY_A, &second, "shared-key-2", &changed).await;
    assert_eq!(status, StatusCode::CREATED, "{third}");
    let (status, replayed, mine) = keyed(&app, COUNTY_A, &collector, "shared-key-2", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{mine}");
    // A user of another county with the same key.
    let b_body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": blon, "lat": blat});
    let (status, replayed, b) = keyed(&app, COUNTY_B, &b_collector, "shared-key", &b_body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{b}");
    // Each sender's retry still gets its own first answer.
    let (status, replayed, again) = keyed(&app, COUNTY_A, &second, "shared-key", &body).await;
    assert_eq!((status, replayed, &again["id"]), (StatusCode::CREATED, true, &other["id"]));
    let (_, replayed, again) = keyed(&app, COUNTY_A, &collector, "shared-key", &body).await;
    assert_eq!((replayed, &again["id"]), (true, &first["id"]));
    let (_, replayed, again) = keyed(&app, COUNTY_B, &b_collector, "shared-key", &b_body).await;
    assert_eq!((replayed, &again["id"]), (true, &b["id"]));
    // The same user reusing a key for another request is refused, naming the header.
    let (status, _, refused) = keyed(&app, COUNTY_A, &collector, "shared-key", &changed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["errors"][0]["field"], "Idempotency-Key", "{refused}");
}

/// A key replays its first answer for a day (the default lifetime); after that it is new again —
/// even before the upkeep has purged the record — and the upkeep purges expired records.
#[tokio::test]
async fn idempotency_keys_expire_after_a_day_and_are_purged() {
    let app = spawn_app().await;
    assert_eq!(app.settings.idempotency_key_ttl_secs, 24 * 3600, "the default lifetime");
    let collector = app.demo(COUNTY_A, "collector").await;
    let (lon, lat) = point_in(&app, COUNTY_A, &collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let now = Utc::now();
    app.settings.clock.set(now - chrono::Duration::hours(48));
    let (status, _, first) = keyed(&app, COUNTY_A, &collector, "retry-me", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (_, kept, _) = keyed(&app, COUNTY_A, &collector, "to-be-purged", &body).await;
    assert!(!kept);
    // 23 hours later the key still replays.
    app.settings.clock.set(now - chrono::Duration::hours(25));
    let (_, replayed, again) = keyed(&app, COUNTY_A, &collector, "retry-me", &body).await;
    assert_eq!((replayed, &again["id"]), (true, &first["id"]));
    // 25 hours later it is a new request: a new case (and another body is no reuse).
    app.settings.clock.set(now - chrono::Duration::hours(23));
    let (status, replayed, later) = keyed(&app, COUNTY_A, &collector, "retry-me", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{later}");
    assert_ne!(later["id"], first["id"]);
    // … whose answer the key now replays.
    let (_, replayed, again) = keyed(&app, COUNTY_A, &collector, "retry-me", &body).await;
    assert_eq!((replayed, &again["id"]), (true, &later["id"]));
    assert_eq!(records_of(&app, "retry-me").await, 1);

    // The upkeep purges expired records (at start, then every ten minutes): a replica starting
    // now removes the one of `to-be-purged`, written 25 hours before the clock's time.
    assert_eq!(records_of(&app, "to-be-purged").await, 1);
    let _replica = app.replica().await;
    let mut left = 1;
    for _ in 0..50 {
        left = records_of(&app, "to-be-purged").await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "purged");
    assert_eq!(records_of(&app, "retry-me").await, 1, "an unexpired record is kept");
}

/// An action sent with an Idempotency-Key: status, whether it was replayed, body.
async fn keyed_action(app: &TestApp, token: &str, case: &str, key: &str, body: &Value) -> (StatusCode, bool, String) {
    keyed_post(app, &format!("{}/{case}/actions", cases_of(COUNTY_A)), token, key, body).await
}

/// A dispatch retried with its Idempotency-Key (the answer was lost on the way) gets the first
/// answer — same status, same bytes — instead of a 409 because the case is dispatched now; the
/// same key with another body or on another case is refused; a retry racing its original is
/// one event.
#[tokio::test]
async fn a_retried_action_with_its_key_replays_the_first_answer() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let dispatcher = app.demo(COUNTY_A, "dispatcher").await;
    let handler = app.demo(COUNTY_A, "handler").await;
    let dept = app.department_of(&handler).await;
    let (lon, lat) = point_in(&app, COUNTY_A, &collector).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
        let r = app.post(&cases_of(COUNTY_A), &collector, body).await;
        let id = r.body["id"].as_str().unwrap().to_owned();
        for step in [json!({"action": "accept"}), json!({"action": "file", "class_code": "06010"})] {
            let r = app.post(&format!("{}/{id}/actions", cases_of(COUNTY_A)), &acceptor, step).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        ids.push(id);
    }
    let dispatch = json!({"action": "dispatch", "department": dept});

    let (status, replayed, first) = keyed_action(&app, &dispatcher, &ids[0], "dispatch-1", &dispatch).await;
    assert_eq!((status, replayed), (StatusCode::OK, false), "{first}");
    let (status, replayed, again) = keyed_action(&app, &dispatcher, &ids[0], "dispatch-1", &dispatch).await;
    assert_eq!((status, replayed), (StatusCode::OK, true), "{again}");
    assert_eq!(again, first, "the first answer, byte for byte");
    // Without the key the same retry is decided again: the case is dispatched already.
    let r = app.post(&format!("{}/{}/actions", cases_of(COUNTY_A), ids[0]), &dispatcher, dispatch.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // The same key for another request: another body, or another case.
    let other = json!({"action": "dispatch", "department": uuid::Uuid::nil()});
    for (case, body) in [(&ids[0], &other), (&ids[1], &dispatch)] {
        let (status, _, refused) = keyed_action(&app, &dispatcher, case, "dispatch-1", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let refused: Value = serde_json::from_str(&refused).unwrap();
        assert_eq!(refused["errors"][0]["field"], "Idempotency-Key", "{refused}");
    }
    let state = app.get(&format!("{}/{}", cases_of(COUNTY_A), ids[1]), &dispatcher).await;
    assert_eq!(state.body["state"], "filed", "the refused request did nothing");
    // A refused action stores nothing: its key is free for the corrected request.
    let (status, _, _) = keyed_action(&app, &dispatcher, &ids[1], "dispatch-2", &other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, replayed, _) = keyed_action(&app, &dispatcher, &ids[1], "dispatch-2", &dispatch).await;
    assert_eq!((status, replayed), (StatusCode::OK, false));

    // A retry racing its original: both answered 200 with the same case, one event.
    let sends = (0..4).map(|_| keyed_action(&app, &dispatcher, &ids[2], "dispatch-3", &dispatch));
    let answers = futures_util::future::join_all(sends).await;
    for (status, _, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    assert_eq!(answers.iter().filter(|(_, replayed, _)| !replayed).count(), 1, "one decided, the others replayed");
    let detail = app.get(&format!("{}/{}", cases_of(COUNTY_A), ids[2]), &dispatcher).await;
    let dispatches = detail.body["timeline"].as_array().unwrap().iter().filter(|e| e["action"] == "dispatch").count();
    assert_eq!(dispatches, 1, "{}", detail.text);
}

/// A component report names the census component's own class: another class, or an event
/// (`matter`) report about a component, is refused naming the field; filing the case under
/// another class later is refused the same way.
#[tokio::test]
async fn a_component_report_that_contradicts_the_census_is_refused() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let comp =
        app.get(&format!("/api/v1/tenants/{COUNTY_A}/components?limit=1"), &admin).await.body["items"][0].clone();
    let (id, class) = (comp["component_id"].as_str().unwrap(), comp["class_code"].as_str().unwrap());
    // Another component class of the catalogue.
    let catalog = app.get(&format!("/api/v1/tenants/{COUNTY_A}/catalog/classes?kind=component"), &admin).await;
    let classes: Vec<String> = catalog
        .body
        .as_array()
        .or(catalog.body["items"].as_array())
        .unwrap_or_else(|| panic!("{}", catalog.text))
        .iter()
        .filter_map(|c| c["code"].as_str().map(str::to_owned))
        .collect();
    let other = classes.iter().find(|c| c.as_str() != class && c.len() == 5).unwrap_or_else(|| panic!("{classes:?}"));

    let r = app
        .post(
            &cases_of(COUNTY_A),
            &collector,
            json!({"kind": "component", "class_code": other, "description": "破损", "component_id": id}),
        )
        .await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["class_code".to_owned()]), "{}", r.text);
    let detail = r.body["errors"][0]["reason"].as_str().unwrap_or_default();
    assert!(detail.contains(id) && detail.contains(class), "says what the census holds: {}", r.text);
    let r = app
        .post(
            &cases_of(COUNTY_A),
            &collector,
            json!({"kind": "matter", "class_code": "06010", "description": "破损", "component_id": id}),
        )
        .await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_owned()]), "{}", r.text);

    // Its own class is accepted; filing it under another is refused.
    let r = app
        .post(
            &cases_of(COUNTY_A),
            &collector,
            json!({"kind": "component", "class_code": class, "description": "破损", "component_id": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let case = r.body["id"].as_str().unwrap().to_owned();
    let act = format!("{}/{case}/actions", cases_of(COUNTY_A));
    assert_eq!(app.post(&act, &acceptor, json!({"action": "accept"})).await.status, StatusCode::OK);
    let r = app.post(&act, &acceptor, json!({"action": "file", "class_code": other})).await;
    assert_eq!(r.fields(), ["class_code"], "{}", r.text);
    let r = app.post(&act, &acceptor, json!({"action": "file", "class_code": class})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// Uploads a (tiny) PNG as `token`; returns its id.
async fn photo(app: &TestApp, county: &str, token: &str, tag: &str) -> String {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(tag.as_bytes());
    app.upload_photo(county, token, bytes).await
}

/// 自处置 closes a case nobody else saw: by default it needs photos before and after the fix,
/// each missing list named; a county may waive that in its `self_handling` setting.
#[tokio::test]
async fn self_handling_needs_before_and_after_photos_unless_the_county_waives_them() {
    let app = spawn_app().await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (lon, lat) = point_in(&app, COUNTY_A, &collector).await;
    let fixed = |extra: Value| {
        let mut body = json!({"kind": "matter", "class_code": "06012", "description": "路面有杂物，已清理", "lon": lon, "lat": lat, "self_handled": true});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let settings = format!("/api/v1/tenants/{COUNTY_A}/settings/self-handling");
    assert_eq!(app.get(&settings, &admin).await.body, json!({"require_photos": true}), "required by default");

    let r = app.post(&cases_of(COUNTY_A), &collector, fixed(json!({}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["photos", "after_photos"], "{}", r.text);
    let before = photo(&app, COUNTY_A, &collector, "before").await;
    let after = photo(&app, COUNTY_A, &collector, "after").await;
    let r = app.post(&cases_of(COUNTY_A), &collector, fixed(json!({"photos": [before]}))).await;
    assert_eq!(r.fields(), ["after_photos"], "{}", r.text);
    let r = app.post(&cases_of(COUNTY_A), &collector, fixed(json!({"after_photos": [after]}))).await;
    assert_eq!(r.fields(), ["photos"], "{}", r.text);
    let r = app
        .post(&cases_of(COUNTY_A), &collector, fixed(json!({"photos": [before], "after_photos": ["not-a-photo"]})))
        .await;
    assert_eq!(r.fields(), ["after_photos[0]"], "{}", r.text);
    // After photos belong to a 自处置 only.
    let report = json!({"kind": "matter", "class_code": "06012", "description": "路面有杂物", "lon": lon, "lat": lat, "after_photos": [after]});
    let r = app.post(&cases_of(COUNTY_A), &collector, report).await;
    assert_eq!(r.fields(), ["after_photos"], "{}", r.text);

    let r =
        app.post(&cases_of(COUNTY_A), &collector, fixed(json!({"photos": [before], "after_photos": [after]}))).await;
    assert_eq!((r.status, r.body["state"].as_str()), (StatusCode::CREATED, Some("self_handled")), "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    // The after photo is served through the case, like the before photo.
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    for p in [&before, &after] {
        let r = app.get(&format!("{}/{id}/photos/{p}", cases_of(COUNTY_A)), &acceptor).await;
        assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.text);
    }

    // The county waives the photos: a 自处置 without them is accepted (a collector cannot do it).
    let r = app.put(&settings, &collector, json!({"require_photos": false})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app.put(&settings, &admin, json!({"require_photos": "no"})).await;
    assert_eq!(r.fields(), ["require_photos"], "{}", r.text);
    let r = app.put(&settings, &admin, json!({"require_photos": false})).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({"require_photos": false})), "{}", r.text);
    let r = app.post(&cases_of(COUNTY_A), &collector, fixed(json!({}))).await;
    assert_eq!((r.status, r.body["state"].as_str()), (StatusCode::CREATED, Some("self_handled")), "{}", r.text);
    // Another county keeps the default.
    let b_collector = app.demo(COUNTY_B, "collector").await;
    let (blon, blat) = point_in(&app, COUNTY_B, &b_collector).await;
    let body = json!({"kind": "matter", "class_code": "06012", "description": "路面有杂物，已清理", "lon": blon, "lat": blat, "self_handled": true});
    let r = app.post(&cases_of(COUNTY_B), &b_collector, body).await;
    assert_eq!(r.fields(), ["photos", "after_photos"], "{}", r.text);
}
