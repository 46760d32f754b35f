//! Users and role assignments: validation, role rules, and changes that take effect without a
//! restart.

use reqwest::StatusCode;
use serde_json::json;
use tests::{CITY, COUNTY_A, spawn_app};

#[tokio::test]
async fn role_changes_take_effect_at_the_next_request() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let users = format!("/api/v1/tenants/{COUNTY_A}/users");
    assert_eq!(app.get(&users, &collector).await.status, StatusCode::FORBIDDEN);

    let id = app.user_id(COUNTY_A, "collector", &admin).await;
    let r = app.put(&format!("{users}/{id}/roles"), &admin, json!({"roles": ["collector", "auditor"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["roles"], json!(["collector", "auditor"]));
    // Same token, no restart: the new role is in force.
    assert_eq!(app.get(&users, &collector).await.status, StatusCode::OK);
    let r = app.get(&format!("{users}/{id}/roles"), &admin).await;
    assert_eq!(r.body["roles"], json!(["collector", "auditor"]));

    let r = app.put(&format!("{users}/{id}/roles"), &admin, json!({"roles": ["collector"]})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get(&users, &collector).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn role_rules_are_enforced() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let users = format!("/api/v1/tenants/{COUNTY_A}/users");
    let id = app.user_id(COUNTY_A, "auditor", &admin).await;

    // Platform and city roles cannot be held in a county; `department` needs a department.
    for (roles, needle) in [
        (json!(["platform-admin"]), "platform-admin"),
        (json!(["city-oversight"]), "city-oversight"),
        (json!(["department"]), "department_id"),
        (json!(["no-such-role"]), "unknown variant"),
    ] {
        let r = app.put(&format!("{users}/{id}/roles"), &admin, json!({"roles": roles})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{roles}: {}", r.text);
        assert!(r.text.contains(needle), "{roles}: {}", r.text);
        assert!(r.fields()[0].starts_with("roles"), "{:?}", r.fields());
    }
    // The last administrator cannot drop the role or be deactivated.
    let me = app.user_id(COUNTY_A, "admin", &admin).await;
    let r = app.put(&format!("{users}/{me}/roles"), &admin, json!({"roles": ["auditor"]})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = app.patch(&format!("{users}/{me}"), &admin, json!({"status": "deactivated"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // With a second administrator, it can.
    app.put(&format!("{users}/{id}/roles"), &admin, json!({"roles": ["tenant-admin"]})).await;
    let r = app.put(&format!("{users}/{me}/roles"), &admin, json!({"roles": ["auditor"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // City oversight is a city role.
    let city = app.demo(CITY, "admin").await;
    let auditor = app.user_id(CITY, "auditor", &city).await;
    let r = app
        .put(&format!("/api/v1/tenants/{CITY}/users/{auditor}/roles"), &city, json!({"roles": ["city-oversight"]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn new_users_are_validated_and_unique_per_tenant() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let users = format!("/api/v1/tenants/{COUNTY_A}/users");
    let r = app.post(&users, &admin, json!({"username": "x", "display_name": "", "password": "password"})).await;
    let mut f = r.fields();
    f.sort();
    assert_eq!(f, ["display_name", "password", "username"], "{}", r.text);
    let r = app
        .post(&users, &admin, json!({"username": "Li.Si", "display_name": "李四", "password": "Li.Si-Pass-2026"}))
        .await;
    assert_eq!(r.fields(), ["password"], "a password containing the user name is refused: {}", r.text);
    let r = app
        .post(&users, &admin, json!({"username": "Li.Si", "display_name": "李四", "password": "Strong-Pass-2026"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["username"], "li.si", "user names are stored in lower case");
    assert!(r.body.get("password_hash").is_none() && !r.text.contains("argon2"));
    let r = app
        .post(&users, &admin, json!({"username": "li.si", "display_name": "李四", "password": "Strong-Pass-2026"}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_exists"));
    assert_eq!(r.fields(), ["username"]);
    // A wrong content type is named.
    let r = app
        .client
        .post(format!("{}{users}", app.base))
        .bearer_auth(&admin)
        .body("username=x")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn two_administrators_demoting_each_other_at_once_leave_one() {
    let app = spawn_app().await;
    let users = format!("/api/v1/tenants/{COUNTY_A}/users");
    let first = app.demo(COUNTY_A, "admin").await;
    let first_id = app.user_id(COUNTY_A, "admin", &first).await;
    let second_id = app.user_id(COUNTY_A, "auditor", &first).await;
    let r = app.put(&format!("{users}/{second_id}/roles"), &first, json!({"roles": ["tenant-admin"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let second = app.demo(COUNTY_A, "auditor").await;

    for _ in 0..10 {
        let (demote_second, demote_first) = (format!("{users}/{second_id}/roles"), format!("{users}/{first_id}/roles"));
        let (a, b) = tokio::join!(
            app.put(&demote_second, &first, json!({"roles": ["auditor"]})),
            app.put(&demote_first, &second, json!({"roles": ["auditor"]})),
        );
        // Exactly one goes through; the other is refused as the last administrator's (409) or, if
        // it arrives after the first took effect, as no longer an administrator's (403).
        let ok = [a.status, b.status].iter().filter(|s| **s == StatusCode::OK).count();
        let refused =
            [a.status, b.status].iter().filter(|s| [StatusCode::CONFLICT, StatusCode::FORBIDDEN].contains(s)).count();
        assert_eq!((ok, refused), (1, 1), "{} / {}", a.text, b.text);
        // Put things back for the next round (the one still an administrator does it).
        let (restorer, demoted) = if a.status == StatusCode::OK { (&first, &second_id) } else { (&second, &first_id) };
        let r = app.put(&format!("{users}/{demoted}/roles"), restorer, json!({"roles": ["tenant-admin"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
}
