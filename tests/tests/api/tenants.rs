//! Onboarding along the tenant tree: platform → city → county → departments and users.

use reqwest::StatusCode;
use serde_json::json;
use tests::{CITY, COUNTY_A, DEMO_PASSWORD, spawn_app, uscc};

#[tokio::test]
async fn platform_onboards_city_city_onboards_county_county_onboards_staff() {
    let app = spawn_app().await;
    let city = app.onboard_city("320200", "无锡市", "Wuxi-Chief-2026!").await;

    // The city admin creates a county under the city, with its first administrator.
    let r = app
        .post(
            "/api/v1/tenants/320200/children",
            &city,
            json!({"code": "320205", "name": "锡山区", "admin": {"username": "xs-admin", "display_name": "锡山区管理员", "password": "Xishan-Chief-2026!"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["tenant"]["level"], "county");
    assert_eq!(r.body["tenant"]["parent_code"], "320200");
    assert_eq!(r.body["admin"]["roles"], json!(["tenant-admin"]));

    // The county admin creates a department and a user in it with roles.
    let county = app.login("320205", "xs-admin", "Xishan-Chief-2026!").await;
    let dept = app
        .post(
            "/api/v1/tenants/320205/departments",
            &county,
            json!({"name": "锡山区城市管理局", "uscc": uscc("320205", 1)}),
        )
        .await;
    assert_eq!(dept.status, StatusCode::CREATED, "{}", dept.text);
    let dept_id = dept.body["id"].as_str().unwrap();
    let user = app
        .post(
            "/api/v1/tenants/320205/users",
            &county,
            json!({"username": "wang.wu", "display_name": "王五", "password": "Wangwu-Pass-2026",
                   "department_id": dept_id, "roles": ["department", "auditor"]}),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.text);
    assert_eq!(user.body["roles"], json!(["department", "auditor"]));

    // The new user logs in and sees themself, their tenant and roles.
    let token = app.login("320205", "wang.wu", "Wangwu-Pass-2026").await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["username"], "wang.wu");
    assert_eq!(me.body["user"]["department_id"], dept_id);
    assert_eq!(me.body["tenant"]["code"], "320205");
    assert_eq!(me.body["tenant"]["name"], "锡山区");

    // The platform lists its cities; the city its counties.
    let root = app.platform_admin().await;
    let cities = app.get("/api/v1/tenants/000000/children", &root).await;
    let codes: Vec<_> = cities.body["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"320200") && codes.contains(&CITY), "{codes:?}");
    let counties = app.get("/api/v1/tenants/320200/children", &city).await;
    assert_eq!(counties.body["items"][0]["code"], "320205");
}

#[tokio::test]
async fn wrong_codes_duplicates_and_orphans_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let root = app.platform_admin().await;
    let admin = json!({"username": "admin", "display_name": "管理员", "password": "Good-Password-2026"});
    let cases = [
        // (parent, code, expected status, expected code, expected field)
        ("000000", "32010", 422, "validation_failed", "code"),
        ("000000", "320115", 422, "validation_failed", "code"), // a county directly under the platform
        ("000000", "320000", 422, "validation_failed", "code"), // a province
        ("000000", "990100", 422, "validation_failed", "code"), // no such province
        ("000000", CITY, 409, "already_exists", "code"),
    ];
    for (parent, code, status, err, field) in cases {
        let r = app
            .post(
                &format!("/api/v1/tenants/{parent}/children"),
                &root,
                // The listed name, so that only the duplicate is wrong.
                json!({"code": code, "name": if code == CITY { "南京市" } else { "某市" }, "admin": admin}),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{code}: {}", r.text);
        assert_eq!(r.code(), err, "{code}");
        assert!(r.fields().contains(&field.to_owned()), "{code}: {:?}", r.fields());
    }

    let city = app.demo(CITY, "admin").await;
    // A county code from another city, and a city code under a city.
    for code in ["320215", "320200"] {
        let r = app
            .post(
                &format!("/api/v1/tenants/{CITY}/children"),
                &city,
                json!({"code": code, "name": "某区", "admin": admin}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {}", r.text);
        assert!(r.body["detail"].as_str().unwrap().contains(code), "{}", r.text);
    }
    // A county cannot have children.
    let county = app.demo(COUNTY_A, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/children"),
            &county,
            json!({"code": "320199", "name": "某区", "admin": admin}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);

    // Every problem at once: bad code, empty name, weak password, bad time zone.
    let r = app
        .post(
            "/api/v1/tenants/000000/children",
            &root,
            json!({"code": "x", "name": " ", "time_zone": "Mars/Base", "admin": {"username": "A!", "display_name": "a", "password": "weak"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(fields, ["admin.password", "admin.username", "code", "name", "time_zone"]);

    // A missing field is named, nested.
    let r = app
        .post(
            "/api/v1/tenants/000000/children",
            &root,
            json!({"code": "320300", "name": "徐州市", "admin": {"username": "admin", "display_name": "x"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["admin.password"]);

    // Nothing was half-written: no 320300 tenant and no admin for it.
    let list = app.get("/api/v1/tenants/000000/children", &root).await;
    assert!(!list.text.contains("320300"));
    assert_eq!(app.login_raw("320300", "admin", "Good-Password-2026").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn suspension_blocks_login_and_live_tokens_of_the_tenant_and_its_counties() {
    let app = spawn_app().await;
    let root = app.platform_admin().await;
    let city_admin = app.demo(CITY, "admin").await;
    let county_admin = app.demo(COUNTY_A, "admin").await;

    // A tenant cannot suspend itself.
    let r = app.post(&format!("/api/v1/tenants/{CITY}/suspend"), &city_admin, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    let r = app.post(&format!("/api/v1/tenants/{CITY}/suspend"), &root, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "suspended");

    for token in [&city_admin, &county_admin] {
        let r = app.get("/api/v1/me", token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert_eq!(r.code(), "tenant_suspended");
    }
    let r = app.login_raw(COUNTY_A, "admin", DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "tenant_suspended");

    let r = app.post(&format!("/api/v1/tenants/{CITY}/activate"), &root, json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/me", &county_admin).await.status, StatusCode::OK);

    // A city admin manages its counties' status.
    let r = app.post(&format!("/api/v1/tenants/{COUNTY_A}/suspend"), &city_admin, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get("/api/v1/me", &county_admin).await.code(), "tenant_suspended");
    assert_eq!(app.get("/api/v1/me", &city_admin).await.status, StatusCode::OK);
}

#[tokio::test]
async fn tenant_admin_renames_its_tenant_and_changes_time_zone() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let r = app.patch(&format!("/api/v1/tenants/{COUNTY_A}"), &admin, json!({"time_zone": "Asia/Urumqi"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["time_zone"], "Asia/Urumqi");
    assert_eq!(r.body["name"], "江宁区");
    let r = app.patch(&format!("/api/v1/tenants/{COUNTY_A}"), &admin, json!({"time_zone": "Nowhere"})).await;
    assert_eq!(r.fields(), ["time_zone"]);
}

#[tokio::test]
async fn a_new_tenant_matches_the_shipped_gbt_2260_list_unless_declared_unlisted() {
    let app = spawn_app().await;
    let root = app.platform_admin().await;
    let admin = json!({"username": "admin", "display_name": "管理员", "password": "Good-Password-2026"});
    let create = |body: serde_json::Value| app.post("/api/v1/tenants/000000/children", &root, body);

    // A real code under a wrong name names `name` and the listed name.
    let r = create(json!({"code": "320200", "name": "锡城市", "admin": admin})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["name"]);
    assert!(r.text.contains("无锡市"), "{}", r.text);

    // A well-formed code that the list does not hold is refused, naming `code` and the way out.
    let r = create(json!({"code": "329900", "name": "新设市", "admin": admin})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["code"]);
    assert!(r.text.contains("unlisted"), "{}", r.text);
    assert_eq!(app.login_raw("329900", "admin", "Good-Password-2026").await.status, StatusCode::UNAUTHORIZED);

    // Declared unlisted, it is created.
    let r = create(json!({"code": "329900", "name": "新设市", "unlisted": true, "admin": admin})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["tenant"]["name"], "新设市");

    // The listed name is accepted; a municipality (直辖市) is a city under its own name.
    for (code, name) in [("320200", "无锡市"), ("310100", "上海市")] {
        let r = create(json!({"code": code, "name": name, "admin": admin})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{code}: {}", r.text);
    }

    // A county under its city: listed name required too.
    let city = app.login("320200", "admin", "Good-Password-2026").await;
    let r = app
        .post("/api/v1/tenants/320200/children", &city, json!({"code": "320205", "name": "某区", "admin": admin}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("锡山区"), "{}", r.text);
}

#[tokio::test]
async fn the_division_list_feeds_pickers_without_a_login() {
    use reqwest::Method;
    let app = spawn_app().await;
    let r = app.call(Method::GET, &format!("/api/v1/divisions?parent={CITY}"), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows = r.body.as_array().expect("an array");
    assert!(rows.iter().any(|d| d["code"] == COUNTY_A && d["name"] == "江宁区" && d["level"] == "county"), "{rows:?}");
    assert!(rows.iter().all(|d| d["parent_code"] == CITY));
    let r = app.call(Method::GET, "/api/v1/divisions?level=city&q=%E5%8D%97%E4%BA%AC", None, None).await;
    assert_eq!(
        r.body.as_array().map(|a| a.iter().map(|d| d["code"].clone()).collect::<Vec<_>>()),
        Some(vec![json!(CITY)])
    );
    // A municipality's city level carries the municipality's name, as its tenant must.
    let r = app.call(Method::GET, "/api/v1/divisions?parent=310000", None, None).await;
    assert_eq!(r.body[0]["name"], "上海市", "{}", r.text);
    for bad in ["level=town", "parent=320100&colour=red"] {
        let r = app.call(Method::GET, &format!("/api/v1/divisions?{bad}"), None, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.text);
    }
}
