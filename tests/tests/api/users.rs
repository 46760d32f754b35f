//! Users and role assignments: validation, role rules, and changes that take effect without a
//! restart.

use reqwest::StatusCode;
use serde_json::{Value, json};
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

#[tokio::test]
async fn contact_details_are_checked_unique_and_masked_for_those_who_do_not_manage_users() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let users = format!("/api/v1/tenants/{COUNTY_A}/users");
    let body = json!({"username": "zhao.liu", "display_name": "赵六", "password": "Zhaoliu-Pass-2026",
        "roles": ["collector"], "mobile": "+86 138-1234-5678", "email": "zhao.liu@example.gov.cn", "staff_number": "JN-0042"});
    let r = app.post(&users, &admin, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        (&r.body["mobile"], &r.body["email"], &r.body["staff_number"], &r.body["contacts_masked"]),
        (&json!("13812345678"), &json!("zhao.liu@example.gov.cn"), &json!("JN-0042"), &json!(false))
    );
    let id = r.body["id"].as_str().unwrap().to_owned();

    // Bad values are refused by field, and nothing is written.
    let bad = json!({"username": "qian.qi", "display_name": "钱七", "password": "Qianqi-Pass-2026",
        "mobile": "12345", "email": "qian@", "staff_number": "工号 7"});
    let r = app.post(&users, &admin, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.fields(), ["mobile", "email", "staff_number"], "{}", r.text);
    // A staff number is unique in the tenant.
    let dup = json!({"username": "sun.ba", "display_name": "孙八", "password": "Sunba-Pass-2026!", "staff_number": "JN-0042"});
    let r = app.post(&users, &admin, dup).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.fields(), ["staff_number"], "{}", r.text);

    // The administrators (the county's, and its city's who set it up) see them in full; others masked.
    let find = |list: &serde_json::Value| {
        list["items"].as_array().unwrap().iter().find(|u| u["id"] == id.as_str()).cloned().unwrap()
    };
    assert_eq!(find(&app.get(&format!("{users}?limit=500"), &admin).await.body)["mobile"], "13812345678");
    let auditor = app.demo(COUNTY_A, "auditor").await;
    // Those who read the county's users without managing them: its auditor, the city's oversight.
    let city = app.demo(CITY, "oversight").await;
    for token in [&auditor, &city] {
        let r = app.get(&format!("{users}?limit=500"), token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let u = find(&r.body);
        assert_eq!(
            (&u["mobile"], &u["email"], &u["staff_number"], &u["contacts_masked"]),
            (&json!("138****5678"), &json!("z***@example.gov.cn"), &json!("***42"), &json!(true)),
            "{u}"
        );
        assert!(!r.text.contains("13812345678") && !r.text.contains("zhao.liu@"), "{}", r.text);
        assert_eq!(app.get(&format!("{users}/{id}"), token).await.body["mobile"], "138****5678");
    }
    // The user reads their own in full.
    let me = app.login(COUNTY_A, "zhao.liu", "Zhaoliu-Pass-2026").await;
    assert_eq!(app.get("/api/v1/me", &me).await.body["user"]["mobile"], "13812345678");

    // A patch changes one, clears another with null, leaves the third.
    let r = app.patch(&format!("{users}/{id}"), &admin, json!({"mobile": "13900001111", "email": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (&r.body["mobile"], &r.body["email"], &r.body["staff_number"]),
        (&json!("13900001111"), &json!(null), &json!("JN-0042"))
    );
    let r = app.patch(&format!("{users}/{id}"), &admin, json!({"mobile": "139"})).await;
    assert_eq!(r.fields(), ["mobile"], "{}", r.text);
    // The audit trail keeps only the masked values.
    let trail = app.get(&format!("/api/v1/tenants/{COUNTY_A}/audit?target=user:{id}"), &auditor).await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.text);
    assert!(trail.text.contains("139****1111") && !trail.text.contains("13900001111"), "{}", trail.text);
}

async fn upload(
    app: &tests::TestApp,
    token: &str,
    query: &str,
    bytes: Vec<u8>,
    content_type: &str,
) -> (StatusCode, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/tenants/{COUNTY_A}/users/import{query}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn usernames(app: &tests::TestApp, token: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/tenants/{COUNTY_A}/users?limit=500"), token).await;
    r.body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect()
}

fn error_fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_users_template_downloads_as_csv_with_a_bom_or_as_xlsx() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let path = format!("/api/v1/tenants/{COUNTY_A}/users/import-template");
    let csv = app.get_raw(&path, &admin).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "{text}");
    assert_eq!(
        text.trim_start_matches('\u{feff}').trim_end(),
        "用户名(username),姓名(display_name),初始密码(password),角色(roles),部门(department),手机号(mobile),邮箱(email),工号(staff_number)"
    );
    let xlsx = app.get_raw(&format!("{path}?format=xlsx"), &admin).await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    let r = app.get(&format!("{path}?format=pdf"), &admin).await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["format".to_owned()]), "{}", r.text);
}

#[tokio::test]
async fn a_users_file_with_any_bad_row_creates_nobody_and_names_every_problem() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let before = usernames(&app, &admin).await;
    let csv = "\u{feff}用户名(username),姓名(display_name),初始密码(password),角色(roles),部门(department),手机号(mobile),邮箱(email),工号(staff_number)\n\
        li.si,李四,Lisi-Pass-2026!,collector,,13812345678,,JN-1\n\
        li.si,李四二,,collector,,,,\n\
        collector,重名,,collector,,,,\n\
        wang.wu,王五,,janitor,,,,\n\
        zhao.liu,赵六,,department,不存在的局,,,\n\
        qian.qi,钱七,short,,,1381234567,,JN-1\n\
        ,无名,,,,,,\n";
    let (status, body) = upload(&app, &admin, "", csv.as_bytes().to_vec(), "text/csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        error_fields(&body),
        [
            "lines[3].username",
            "lines[4].username",
            "lines[5].roles",
            "lines[6].department",
            "lines[7].password",
            "lines[7].mobile",
            "lines[7].staff_number",
            "lines[8].username",
        ],
        "{body}"
    );
    let reasons = body["errors"].to_string();
    assert!(reasons.contains("line 2") && reasons.contains("taken") && reasons.contains("janitor"), "{reasons}");
    assert_eq!(usernames(&app, &admin).await, before, "nothing was created");

    // An unknown column is refused as such; others may not import at all.
    let (status, body) = upload(&app, &admin, "", "username,display_name,备注\nx.y,某,\n".into(), "text/csv").await;
    assert_eq!((status, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["header".to_owned()]), "{body}");
    let (status, _) = upload(&app, &app.demo(COUNTY_A, "auditor").await, "", csv.into(), "text/csv").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_import_from_gb18030_csv_or_xlsx_with_a_dry_run_first() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let depts = app.get(&format!("/api/v1/tenants/{COUNTY_A}/departments"), &admin).await;
    let water = depts.body["items"].as_array().unwrap().iter().find(|d| d["name"] == "江宁区水务局").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = usernames(&app, &admin).await;
    // Excel on Chinese Windows saves CSV as GBK; Chinese headers and role names, 、 between roles.
    let text = "用户名,姓名,密码,角色,部门,手机号,邮箱,工号\n\
        sun.ba,孙八,Sunba-Pass-2026!,监督员、command-center,,13812345678,sun.ba@example.gov.cn,JN-8\n\
        zhou.jiu,周九,,department,江宁区水务局,,,\n";
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    let (status, body) = upload(&app, &admin, "?dry_run=true", gbk.to_vec(), "text/csv").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["dry_run"].clone(), body["created"].clone()), (json!(true), json!(0)));
    assert_eq!(body["users"][1]["password_generated"], true);
    assert!(body["users"][1]["generated_password"].is_null() && body["users"][0]["id"].is_null());
    assert_eq!(usernames(&app, &admin).await, before, "a dry run creates nobody");

    let (status, body) = upload(&app, &admin, "", gbk.to_vec(), "text/csv").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["created"], 2);
    assert_eq!(body["users"][0]["roles"], json!(["command-center", "collector"]));
    assert_eq!(body["users"][0]["password_generated"], false);
    assert!(body["users"][0]["generated_password"].is_null());
    assert_eq!(body["users"][1]["department_id"], water.as_str());
    let generated = body["users"][1]["generated_password"].as_str().unwrap().to_owned();
    let zhou = app.login(COUNTY_A, "zhou.jiu", &generated).await;
    let me = app.get("/api/v1/me", &zhou).await;
    assert_eq!(me.body["user"]["roles"], json!(["department"]));
    assert_eq!(me.body["user"]["department_id"], water.as_str());
    app.login(COUNTY_A, "sun.ba", "Sunba-Pass-2026!").await;
    // Importing the same file again: every user name is now taken.
    let (status, body) = upload(&app, &admin, "", gbk.to_vec(), "text/csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["lines[2].username", "lines[2].staff_number", "lines[3].username"], "{body}");

    // XLSX: the first sheet, numbers typed as numbers (a mobile) read as their digits.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["username", "display_name", "roles", "mobile"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "wu.shi").unwrap();
    sheet.write_string(1, 1, "吴十").unwrap();
    sheet.write_string(1, 2, "auditor").unwrap();
    sheet.write_number(1, 3, 13900001111.0).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let (status, body) = upload(&app, &admin, "", xlsx, ct).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["users"][0]["id"].as_str().unwrap();
    let user = app.get(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}"), &admin).await;
    assert_eq!(user.body["mobile"], "13900001111", "{}", user.text);

    // Audited: each user, and the import.
    let auditor = app.demo(COUNTY_A, "auditor").await;
    let trail = app.get(&format!("/api/v1/tenants/{COUNTY_A}/audit?kind=users.imported"), &auditor).await;
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 2, "{}", trail.text);
    let created = app.get(&format!("/api/v1/tenants/{COUNTY_A}/audit?kind=user.created"), &auditor).await;
    assert!(created.body["items"].as_array().unwrap().len() >= 3, "{}", created.text);
}
