//! The notification centre over HTTP: who hears of what (a dispatch tells exactly its
//! department's users, a check task the duty grid's collector, a request the approvers, a 督办 the
//! department and the command centre), the deadline timers (yellow and red, once per stage), an
//! import's end, read marks, and isolation between users and tenants.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_app};

fn base(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/notifications")
}

fn cases() -> String {
    format!("/api/v1/tenants/{COUNTY_A}/cases")
}

async fn ok(app: &TestApp, token: &str, id: &str, body: Value) -> Value {
    let r = app.post(&format!("{}/{id}/actions", cases()), token, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text);
    r.body
}

/// The caller's notifications about case `id` (the demo's background timers may notify about
/// the demo's own cases meanwhile), newest first.
async fn about(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let r = app.get(&format!("{}?limit=500", base(COUNTY_A)), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().iter().filter(|n| n["case_id"] == id).cloned().collect()
}

fn kinds(notes: &[Value]) -> Vec<&str> {
    notes.iter().map(|n| n["kind"].as_str().unwrap()).collect()
}

/// A point inside the first unit grid of county A.
async fn point(app: &TestApp, token: &str) -> (f64, f64) {
    let g = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=1"), token).await;
    let b: Vec<f64> = g.body["items"][0]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
}

struct Staff {
    collector: String,
    acceptor: String,
    dispatcher: String,
    handler: String,
    handler_dept: String,
    other_handler: String,
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
        other_handler: app.demo(COUNTY_A, "handler0").await,
    }
}

/// A collector's report, accepted and filed: waiting for dispatch.
async fn filed(app: &TestApp, s: &Staff) -> String {
    let (lon, lat) = point(app, &s.collector).await;
    let body = json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": lon, "lat": lat});
    let r = app.post(&cases(), &s.collector, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    ok(app, &s.acceptor, &id, json!({"action": "accept"})).await;
    ok(app, &s.acceptor, &id, json!({"action": "file", "class_code": "06010"})).await;
    id
}

async fn unread(app: &TestApp, token: &str) -> u64 {
    let r = app.get(&format!("{}/summary", base(COUNTY_A)), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["unread"].as_u64().unwrap()
}

#[tokio::test]
async fn a_dispatch_a_request_and_a_supervision_order_notify_exactly_their_audiences() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let id = filed(&app, &s).await;
    let before = unread(&app, &s.handler).await;
    let number =
        ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": s.handler_dept})).await["number"]
            .clone();

    // The department's user hears of it, with the case's id and number; nobody else does.
    let notes = about(&app, &s.handler, &id).await;
    assert_eq!(kinds(&notes), ["task_dispatched"]);
    assert_eq!((&notes[0]["case_number"], &notes[0]["params"]["via"]), (&number, &json!("dispatch")));
    assert_eq!(notes[0]["read_at"], Value::Null);
    assert_eq!(unread(&app, &s.handler).await, before + 1);
    let summary = app.get(&format!("{}/summary", base(COUNTY_A)), &s.handler).await;
    assert_eq!(summary.body["latest_id"], notes[0]["id"]);
    for other in [&s.other_handler, &s.dispatcher, &s.acceptor, &s.collector] {
        assert!(about(&app, other, &id).await.is_empty(), "a dispatch tells only the department");
    }

    // A request for an extension waits for the command centre.
    ok(&app, &s.handler, &id, json!({"action": "request_extension", "hours": 8.0, "reason": "需调配机械"})).await;
    let notes = about(&app, &s.dispatcher, &id).await;
    assert_eq!(kinds(&notes), ["approval_waiting"]);
    assert_eq!((&notes[0]["params"]["request"], &notes[0]["params"]["hours"]), (&json!("extension"), &json!(8.0)));
    assert_eq!(about(&app, &s.handler, &id).await.len(), 1, "the requester is not told of their own request");

    // The city's 督办 reaches the department holding the case and the command centre.
    let oversight = app.demo(CITY, "oversight").await;
    let r = app
        .post(
            &format!("{}/{id}/supervision-orders", cases()),
            &oversight,
            json!({"note": "限期处理", "due": "2030-12-31T08:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for who in [&s.handler, &s.dispatcher] {
        let notes = about(&app, who, &id).await;
        assert_eq!(notes[0]["kind"], "supervision_order");
        assert_eq!((&notes[0]["params"]["note"], &notes[0]["params"]["from_city"]), (&json!("限期处理"), &json!(true)));
    }
    assert!(about(&app, &s.other_handler, &id).await.is_empty());

    // Read marks: one, again (idempotent), then all.
    let notes = about(&app, &s.handler, &id).await;
    let first = notes.last().unwrap()["id"].clone();
    let mark = app.post(&format!("{}/read", base(COUNTY_A)), &s.handler, json!({"ids": [first]})).await;
    assert_eq!((mark.status, &mark.body["marked"]), (StatusCode::OK, &json!(1)), "{}", mark.text);
    let again = app.post(&format!("{}/read", base(COUNTY_A)), &s.handler, json!({"ids": [first]})).await;
    assert_eq!(again.body["marked"], 0);
    let unread_list = app.get(&format!("{}?unread=true&limit=500", base(COUNTY_A)), &s.handler).await;
    assert!(unread_list.body["items"].as_array().unwrap().iter().all(|n| n["id"] != first));
    let bad = app.post(&format!("{}/read", base(COUNTY_A)), &s.handler, json!({})).await;
    assert_eq!(bad.fields(), ["ids"]);
    let all = app.post(&format!("{}/read", base(COUNTY_A)), &s.handler, json!({"all": true})).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(unread(&app, &s.handler).await, 0);
    assert!(about(&app, &s.handler, &id).await.iter().all(|n| n["read_at"].is_string()));
}

#[tokio::test]
async fn a_check_task_goes_to_the_duty_grids_collector_and_a_rework_back_to_the_department() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    // A second collector of the county, on no duty grid.
    let admin = app.demo(COUNTY_A, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/users"),
            &admin,
            json!({"username": "collector2", "display_name": "监督员二", "password": "Collector-Two-2026", "roles": ["collector"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let collector2 = app.login(COUNTY_A, "collector2", "Collector-Two-2026").await;

    let id = filed(&app, &s).await;
    ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    ok(&app, &s.handler, &id, json!({"action": "handle", "note": "已清运"})).await;
    ok(&app, &s.acceptor, &id, json!({"action": "send_check"})).await;
    assert_eq!(kinds(&about(&app, &s.collector, &id).await), ["check_task"]);
    assert!(about(&app, &collector2, &id).await.is_empty(), "only the duty grid's collector");

    // 返工: the failed check sends it back to the department.
    ok(&app, &s.collector, &id, json!({"action": "check", "passed": false, "note": "仍有残留"})).await;
    let notes = about(&app, &s.handler, &id).await;
    assert_eq!(kinds(&notes), ["task_dispatched", "task_dispatched"]);
    assert_eq!((&notes[0]["params"]["via"], &notes[0]["params"]["note"]), (&json!("rework"), &json!("仍有残留")));
}

#[tokio::test]
async fn deadlines_turn_yellow_and_red_once_per_stage() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    // Waiting for dispatch may take ten natural hours.
    let admin = app.demo(COUNTY_A, "admin").await;
    let limits_path = format!("/api/v1/tenants/{COUNTY_A}/settings/time-limits");
    let mut limits = app.get(&limits_path, &admin).await.body;
    limits["stages"]["dispatch"] = json!({"amount": 10.0, "unit": "natural_hours"});
    let r = app.put(&limits_path, &admin, limits).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let id = filed(&app, &s).await;
    let now = chrono::Utc::now();
    let hours = |h: i64| now + chrono::Duration::hours(h);
    let db = app.db().await;
    let mine = |notes: Vec<Value>, kind: &str| notes.iter().filter(|n| n["kind"] == kind).count();
    // Green at 5 hours; yellow at 9 (90 %), told to the command centre once however often swept.
    cases::overdue::warn(&db, hours(5)).await.unwrap();
    assert_eq!(mine(about(&app, &s.dispatcher, &id).await, "deadline_yellow"), 0);
    let (a, b) = tokio::join!(cases::overdue::warn(&db, hours(9)), cases::overdue::warn(&db, hours(9)));
    a.unwrap();
    b.unwrap();
    cases::overdue::warn(&db, hours(9) + chrono::Duration::minutes(30)).await.unwrap();
    let notes = about(&app, &s.dispatcher, &id).await;
    assert_eq!(mine(notes.clone(), "deadline_yellow"), 1, "{notes:?}");
    assert_eq!(notes[0]["params"]["state"], "filed");
    assert!(about(&app, &s.acceptor, &id).await.is_empty(), "the supervision centre does not hold a filed case");

    // Red at 11 hours: the overdue mark tells the holder, once.
    cases::overdue::sweep(&db, None, hours(11)).await.unwrap();
    cases::overdue::sweep(&db, None, hours(12)).await.unwrap();
    cases::overdue::warn(&db, hours(12)).await.unwrap();
    let notes = about(&app, &s.dispatcher, &id).await;
    assert_eq!((mine(notes.clone(), "deadline_red"), mine(notes.clone(), "deadline_yellow")), (1, 1), "{notes:?}");
    // The outbox holds each notice once, whoever its recipients.
    use notifications::entity::notification_event as ne;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let events = ne::Entity::find().filter(ne::Column::CaseId.eq(uuid::Uuid::parse_str(&id).unwrap())).count(&db).await;
    assert_eq!(events.unwrap(), 2);
}

#[tokio::test]
async fn a_finished_import_tells_the_user_who_started_it() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let (lon, lat) = point(&app, &admin).await;
    let dept = tests::uscc(COUNTY_A, 1);
    let csv = format!(
        "GLBJBSM,GLBJMC,ZGBMDM,ZGBMMC,GLBJZT,CSRQ,lon,lat\n32011501001800001,井盖,{dept},江宁区水务局,完好,20260301,{lon},{lat}\n"
    );
    let r = app
        .client
        .post(format!("{}/api/v1/tenants/{COUNTY_A}/census/imports", app.base))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job = r.json::<Value>().await.unwrap()["id"].clone();
    let mut found = None;
    for _ in 0..200 {
        let r = app.get(&base(COUNTY_A), &admin).await;
        found = r.body["items"].as_array().unwrap().iter().find(|n| n["kind"] == "import_finished").cloned();
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let note = found.expect("no import_finished notification");
    assert_eq!(note["params"]["job_id"], job);
    let status = app.get(&format!("/api/v1/tenants/{COUNTY_A}/census/imports/{}", job.as_str().unwrap()), &admin).await;
    assert_eq!(note["params"]["status"], status.body["status"]);
    assert_eq!(note["case_id"], Value::Null);
    // Nobody else of the county hears of it.
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let r = app.get(&base(COUNTY_A), &acceptor).await;
    assert!(r.body["items"].as_array().unwrap().iter().all(|n| n["kind"] != "import_finished"));
}

#[tokio::test]
async fn notifications_are_their_recipients_only() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let id = filed(&app, &s).await;
    ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": s.handler_dept})).await;
    let mine = about(&app, &s.handler, &id).await;
    assert_eq!(mine.len(), 1);

    // Another tenant's user cannot reach county A's notifications at all.
    let other_county = app.demo(COUNTY_B, "handler").await;
    for path in [base(COUNTY_A), format!("{}/summary", base(COUNTY_A))] {
        let r = app.get(&path, &other_county).await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{path}: {}", r.text);
        assert!(!r.text.contains(&id));
    }
    let r = app.post(&format!("{}/read", base(COUNTY_A)), &other_county, json!({"all": true})).await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND));
    // In its own county it sees none of them.
    let r = app.get(&base(COUNTY_B), &other_county).await;
    assert!(!r.text.contains(&id), "{}", r.text);

    // Another user of the same county neither sees nor marks them.
    assert!(about(&app, &s.other_handler, &id).await.is_empty());
    let r = app.post(&format!("{}/read", base(COUNTY_A)), &s.other_handler, json!({"ids": [mine[0]["id"]]})).await;
    assert_eq!(r.body["marked"], 0);
    let r = app.post(&format!("{}/read", base(COUNTY_A)), &s.other_handler, json!({"all": true})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(about(&app, &s.handler, &id).await[0]["read_at"], Value::Null);

    // Paging: newest first, by cursor.
    let page = app.get(&format!("{}?limit=1", base(COUNTY_A)), &s.handler).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    let bad = app.get(&format!("{}?cursor=nope", base(COUNTY_A)), &s.handler).await;
    assert_eq!(bad.fields(), ["cursor"]);
}

#[tokio::test]
async fn a_city_department_shared_with_the_county_hears_of_its_dispatch_at_home() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let city_handler = app.demo(CITY, "handler").await;
    let shared = app.department_of(&city_handler).await;
    let id = filed(&app, &s).await;
    ok(&app, &s.dispatcher, &id, json!({"action": "dispatch", "department": shared})).await;
    // In the city's own tenant: all of the user's notifications, the counties' included.
    let home = app.get(&format!("{}?limit=500", base(CITY)), &city_handler).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    let notes: Vec<&Value> = home.body["items"].as_array().unwrap().iter().filter(|n| n["case_id"] == id).collect();
    assert_eq!(notes.len(), 1, "{}", home.text);
    assert_eq!(notes[0]["kind"], "task_dispatched");
    let summary = app.get(&format!("{}/summary", base(CITY)), &city_handler).await;
    assert!(summary.body["unread"].as_u64().unwrap() >= 1);
    // The county's own department users hear nothing of it.
    assert!(about(&app, &s.handler, &id).await.is_empty());
}

#[tokio::test]
async fn a_void_request_waits_for_another_supervision_centre_user() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/users"),
            &admin,
            json!({"username": "leader", "display_name": "值班长", "password": "Shift-Lead-2026", "roles": ["supervision-center"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let leader = app.login(COUNTY_A, "leader", "Shift-Lead-2026").await;
    let id = filed(&app, &s).await;
    ok(&app, &s.acceptor, &id, json!({"action": "request_void", "reason": "重复上报"})).await;
    let notes = about(&app, &leader, &id).await;
    assert_eq!(kinds(&notes), ["approval_waiting"]);
    assert_eq!((&notes[0]["params"]["request"], &notes[0]["params"]["reason"]), (&json!("void"), &json!("重复上报")));
    assert!(about(&app, &s.acceptor, &id).await.is_empty(), "not the requester");
    assert!(about(&app, &s.dispatcher, &id).await.is_empty(), "voids are the supervision centre's");
}
