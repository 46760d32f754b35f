//! The audit trail: what is recorded (with actor, source, request id, before/after), who reads
//! it, filters and exports, the hash chain's verification, retention, and that no route edits it.

use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::{CITY, COUNTY_A, COUNTY_B, DEMO_PASSWORD, TestApp, spawn_app};

fn trail(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/audit")
}

async fn records(app: &TestApp, tenant: &str, query: &str, token: &str) -> Vec<Value> {
    let r = app.get(&format!("{}?limit=500&{query}", trail(tenant)), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

fn kinds(items: &[Value]) -> Vec<&str> {
    items.iter().map(|r| r["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn security_events_and_administrative_changes_are_recorded() {
    let app = spawn_app().await;
    let auditor = app.demo(COUNTY_A, "auditor").await;
    let admin = app.demo(COUNTY_A, "admin").await;

    // Logins, failed and successful, and a logout.
    assert_eq!(app.login_raw(COUNTY_A, "collector", "Wrong-Password-1").await.status, StatusCode::UNAUTHORIZED);
    let pair = app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await.body;
    app.call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": pair["refresh_token"]}))).await;
    let auth = records(&app, COUNTY_A, "kind=auth.", &auditor).await;
    let collector: Vec<&Value> = auth.iter().filter(|r| r["actor"] == format!("{COUNTY_A}/collector")).collect();
    assert_eq!(
        collector.iter().map(|r| r["kind"].as_str().unwrap()).collect::<Vec<_>>(),
        ["auth.login_failed", "auth.login", "auth.logout"]
    );
    assert!(collector.iter().all(|r| r["source"] == "127.0.0.1"), "{collector:?}");
    assert!(collector[1]["actor_id"].is_string() && collector[0]["actor_id"].is_null());

    // A user created and changed (before/after), a password reset, roles, a department.
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/users"),
            &admin,
            json!({"username": "wangwu", "display_name": "王五", "password": "Wang-Wu-Pass-2026"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .client
        .patch(format!("{}/api/v1/tenants/{COUNTY_A}/users/{id}", app.base))
        .bearer_auth(&admin)
        .header("x-request-id", "req-audit-test-1")
        .json(&json!({"display_name": "王五五", "password": "Wang-Wu-Pass-2027"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.put(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}/roles"), &admin, json!({"roles": ["auditor"]})).await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/departments"),
            &admin,
            json!({"name": "测试部门", "uscc": tests::uscc(COUNTY_A, 1)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let user = records(&app, COUNTY_A, &format!("target=user:{id}"), &auditor).await;
    assert_eq!(kinds(&user), ["user.created", "user.password_reset", "user.updated", "user.roles_changed"]);
    let updated = &user[2];
    assert_eq!(updated["actor"], format!("{COUNTY_A}/admin"));
    assert_eq!(updated["request_id"], "req-audit-test-1");
    assert_eq!(user[1]["request_id"], "req-audit-test-1");
    assert_eq!(
        (updated["before"]["display_name"].as_str(), updated["after"]["display_name"].as_str()),
        (Some("王五"), Some("王五五"))
    );
    assert!(!updated.to_string().contains("argon2"), "a password hash in the trail: {updated}");
    assert_eq!((user[3]["before"].clone(), user[3]["after"].clone()), (json!([]), json!(["auditor"])));
    assert_eq!(kinds(&records(&app, COUNTY_A, "kind=department.created", &auditor).await), ["department.created"]);

    // A tenant suspended by the city: in the county's trail, by the city's administrator.
    let city_admin = app.demo(CITY, "admin").await;
    app.post(&format!("/api/v1/tenants/{COUNTY_B}/suspend"), &city_admin, json!({})).await;
    app.post(&format!("/api/v1/tenants/{COUNTY_B}/activate"), &city_admin, json!({})).await;
    let city_auditor = app.demo(CITY, "auditor").await;
    let status = records(&app, COUNTY_B, "kind=tenant.", &city_auditor).await;
    assert_eq!(kinds(&status), ["tenant.suspended", "tenant.activated"]);
    assert_eq!(status[0]["actor"], format!("{CITY}/admin"));
    assert_eq!(
        (status[0]["before"]["status"].as_str(), status[0]["after"]["status"].as_str()),
        (Some("active"), Some("suspended"))
    );

    // Filters: actor, time.
    let by_admin = records(&app, COUNTY_A, &format!("actor={COUNTY_A}/admin&kind=user."), &auditor).await;
    assert_eq!(by_admin.len(), 4);
    let later = chrono::Utc::now() + chrono::Duration::minutes(1);
    let none = records(
        &app,
        COUNTY_A,
        &format!("from={}", later.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        &auditor,
    )
    .await;
    assert!(none.is_empty());
    let r = app.get(&format!("{}?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", trail(COUNTY_A)), &auditor).await;
    assert_eq!(r.fields(), ["to"]);
}

#[tokio::test]
async fn the_trail_is_the_auditors_and_a_citys_auditor_reads_its_counties() {
    let app = spawn_app().await;
    let county_auditor = app.demo(COUNTY_A, "auditor").await;
    let city_auditor = app.demo(CITY, "auditor").await;
    for (tenant, token) in [(COUNTY_A, &county_auditor), (COUNTY_A, &city_auditor), (CITY, &city_auditor)] {
        assert_eq!(app.get(&trail(tenant), token).await.status, StatusCode::OK, "{tenant}");
    }
    // Administrators (they may read everything else) and other roles may not.
    for (tenant, token) in [
        (COUNTY_A, app.demo(COUNTY_A, "admin").await),
        (COUNTY_A, app.demo(CITY, "admin").await),
        (COUNTY_A, app.demo(COUNTY_A, "dispatcher").await),
        (COUNTY_A, app.demo(CITY, "oversight").await),
    ] {
        assert_eq!(app.get(&trail(tenant), &token).await.status, StatusCode::FORBIDDEN, "{tenant}");
        assert_eq!(app.get(&format!("{}/verify", trail(tenant)), &token).await.status, StatusCode::FORBIDDEN);
    }
    // Not upwards, not sideways.
    assert_eq!(app.get(&trail(CITY), &county_auditor).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&trail(COUNTY_B), &county_auditor).await.status, StatusCode::NOT_FOUND);
    // No route writes, edits or deletes records.
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let r = app.call(method.clone(), &trail(COUNTY_A), Some(&county_auditor), Some(json!({}))).await;
        assert!(!r.status.is_success(), "{method} {}", r.status);
        let r =
            app.call(method.clone(), &format!("{}/1", trail(COUNTY_A)), Some(&county_auditor), Some(json!({}))).await;
        assert!(!r.status.is_success(), "{method} {}", r.status);
    }
}

#[tokio::test]
async fn the_trail_exports_as_csv_and_xlsx_and_the_export_is_recorded() {
    let app = spawn_app().await;
    let auditor = app.demo(COUNTY_A, "auditor").await;
    app.login_raw(COUNTY_A, "collector", "Wrong-Password-1").await;
    let resp = app
        .client
        .get(format!("{}{}?format=csv&kind=auth.", app.base, trail(COUNTY_A)))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(resp.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let text = resp.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a UTF-8 byte-order mark, so Excel on Chinese Windows reads the text");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("操作类型") && lines[0].contains("来源地址"), "{}", lines[0]);
    assert!(lines.iter().any(|l| l.contains("auth.login_failed") && l.contains(&format!("{COUNTY_A}/collector"))));
    assert!(lines.iter().skip(1).all(|l| l.contains("auth.")), "the filter applies to the export");

    let resp = app
        .client
        .get(format!("{}{}?format=xlsx", app.base, trail(COUNTY_A)))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(resp.bytes().await.unwrap().starts_with(b"PK"));

    let exports = records(&app, COUNTY_A, "kind=export.audit", &auditor).await;
    assert_eq!(exports.len(), 2);
    assert_eq!(exports[0]["after"]["format"], "csv");
}

#[tokio::test]
async fn verification_finds_an_edited_or_removed_record() {
    let app = spawn_app().await;
    let auditor = app.demo(COUNTY_A, "auditor").await;
    for _ in 0..3 {
        app.login_raw(COUNTY_A, "collector", "Wrong-Password-1").await;
    }
    let verify = format!("{}/verify", trail(COUNTY_A));
    let r = app.get(&verify, &auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["valid"], true, "{}", r.text);
    let total = r.body["records"].as_i64().unwrap();
    assert!(total >= 4, "{}", r.text);

    // Someone with database access rewrites who failed to log in.
    let items = records(&app, COUNTY_A, "kind=auth.login_failed", &auditor).await;
    let seq = items[1]["seq"].as_i64().unwrap();
    let db = app.db().await;
    let changed = db
        .execute_unprepared(&format!(
            "UPDATE audit_records SET source = '10.0.0.1' WHERE seq = {seq} AND tenant_id = \
             (SELECT id FROM tenants WHERE code = '{COUNTY_A}')"
        ))
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    let r = app.get(&verify, &auditor).await;
    assert_eq!((r.body["valid"].as_bool(), r.body["broken_at"].as_i64()), (Some(false), Some(seq)), "{}", r.text);

    // Restored, then the newest record removed: the counter still knows it existed.
    db.execute_unprepared(&format!(
        "UPDATE audit_records SET source = '127.0.0.1' WHERE seq = {seq} AND tenant_id = \
         (SELECT id FROM tenants WHERE code = '{COUNTY_A}')"
    ))
    .await
    .unwrap();
    assert_eq!(app.get(&verify, &auditor).await.body["valid"], true);
    let last = records(&app, COUNTY_A, "", &auditor).await.last().unwrap()["seq"].as_i64().unwrap();
    db.execute_unprepared(&format!(
        "DELETE FROM audit_records WHERE seq = {last} AND tenant_id = (SELECT id FROM tenants WHERE code = '{COUNTY_A}')"
    ))
    .await
    .unwrap();
    let r = app.get(&verify, &auditor).await;
    assert_eq!((r.body["valid"].as_bool(), r.body["broken_at"].as_i64()), (Some(false), Some(last)), "{}", r.text);
}

#[tokio::test]
async fn records_are_kept_for_the_retention_period_and_then_purged() {
    let app = spawn_app().await;
    let auditor = app.demo(COUNTY_A, "auditor").await;
    app.login_raw(COUNTY_A, "collector", "Wrong-Password-1").await;
    let db = app.db().await;
    // The oldest record made 185 days old, the next 183.
    let items = records(&app, COUNTY_A, "", &auditor).await;
    let (oldest, next) = (items[0]["seq"].as_i64().unwrap(), items[1]["seq"].as_i64().unwrap());
    for (seq, days) in [(oldest, 185), (next, 183)] {
        let at = (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
        let sql = match app.backend {
            tests::Backend::Postgres => format!(
                "UPDATE audit_records SET at = '{at}'::timestamptz WHERE seq = {seq} AND tenant_id = \
                 (SELECT id FROM tenants WHERE code = '{COUNTY_A}')"
            ),
            tests::Backend::Sqlite => format!(
                "UPDATE audit_records SET at = '{at}' WHERE seq = {seq} AND tenant_id = \
                 (SELECT id FROM tenants WHERE code = '{COUNTY_A}')"
            ),
        };
        db.execute_unprepared(&sql).await.unwrap();
    }
    // A shorter retention than six months is not accepted.
    assert_eq!(tenancy::audit::purge(&db, 30).await.unwrap(), 1, "184 days are kept whatever was asked");
    let after = records(&app, COUNTY_A, "", &auditor).await;
    assert_eq!(after[0]["seq"].as_i64(), Some(next));
    let settings = api::Settings { audit_retention_days: 90, ..app.settings.clone() };
    assert!(settings.validate().is_err());
}

#[tokio::test]
async fn settings_changes_imports_and_personal_data_exports_are_recorded() {
    let app = spawn_app().await;
    let auditor = app.demo(COUNTY_A, "auditor").await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let r = app
        .put(
            &format!("/api/v1/tenants/{COUNTY_A}/settings/duplicates"),
            &admin,
            json!({"radius_m": 80.0, "window_hours": 48}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.get_raw(&format!("/api/v1/tenants/{COUNTY_A}/components/export?format=csv"), &admin).await;
    assert_eq!(r.status(), StatusCode::OK);
    drop(r);
    let settings = records(&app, COUNTY_A, "kind=settings.changed", &auditor).await;
    assert_eq!(settings.len(), 1);
    assert_eq!(
        (settings[0]["target"].as_str(), settings[0]["after"]["radius_m"].as_f64()),
        (Some("settings:duplicates"), Some(80.0))
    );
    let exports = records(&app, COUNTY_A, "kind=export.components", &auditor).await;
    assert_eq!((exports.len(), exports[0]["after"]["format"].as_str()), (1, Some("csv")));
}
