//! The go-live checklist of a county: green on the demo, red on a fresh county, and each item
//! turning green when its cause is fixed.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_app, uscc};

const KEYS: [&str; 15] = [
    "departments",
    "users.supervision-center",
    "users.command-center",
    "users.department",
    "users.collector",
    "streets",
    "communities",
    "unit_grids",
    "communities_gridded",
    "duty_grids_staffed",
    "duty_grids_cover",
    "census",
    "responsibilities",
    "work_calendar",
    "time_limits",
];

async fn checklist(app: &TestApp, county: &str, token: &str) -> BTreeMap<String, Value> {
    let r = app.get(&format!("/api/v1/tenants/{county}/readiness"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["tenant_code"], county);
    let items: BTreeMap<String, Value> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap().to_owned(), i.clone()))
        .collect();
    assert_eq!(
        items.keys().collect::<Vec<_>>(),
        KEYS.iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>(),
        "{}",
        r.text
    );
    assert_eq!(r.body["ready"].as_bool().unwrap(), items.values().all(|i| i["ok"] == true));
    for i in items.values() {
        assert!(!i["detail"].as_str().unwrap().is_empty(), "{i}");
        assert!(i["counts"].is_object(), "{i}");
    }
    items
}

fn red(items: &BTreeMap<String, Value>) -> Vec<&str> {
    items.iter().filter(|(_, i)| i["ok"] != true).map(|(k, _)| k.as_str()).collect()
}

#[tokio::test]
async fn the_demo_counties_are_ready_for_those_who_may_read_them() {
    let app = spawn_app().await;
    for county in [COUNTY_A, COUNTY_B] {
        let admin = app.demo(county, "admin").await;
        let items = checklist(&app, county, &admin).await;
        assert!(red(&items).is_empty(), "{county}: {items:?}");
        assert!(items["census"]["counts"]["components"].as_u64().unwrap() > 0);
        assert_eq!(items["duty_grids_cover"]["counts"]["outside_duty_grids"], 0);
    }
    // The county's auditor and the city's administrator read it; the loop's roles do not.
    checklist(&app, COUNTY_A, &app.demo(COUNTY_A, "auditor").await).await;
    checklist(&app, COUNTY_A, &app.demo(CITY, "admin").await).await;
    for role in ["collector", "dispatcher", "acceptor", "handler"] {
        let r = app.get(&format!("/api/v1/tenants/{COUNTY_A}/readiness"), &app.demo(COUNTY_A, role).await).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "{role}: {}", r.text);
    }
    // A city has no go-live checklist of its own.
    let r = app.get(&format!("/api/v1/tenants/{CITY}/readiness"), &app.demo(CITY, "admin").await).await;
    assert_eq!(
        (r.status, r.fields()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["tenant_code".to_owned()]),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn a_fresh_county_is_red_and_each_item_turns_green_when_its_cause_is_fixed() {
    let app = spawn_app().await;
    let city = app.demo(CITY, "admin").await;
    let county = "320111";
    let r = app
        .post(
            &format!("/api/v1/tenants/{CITY}/children"),
            &city,
            json!({"code": county, "name": "浦口区", "admin": {"username": "admin", "display_name": "管理员", "password": "Pukou-Chief-2026!"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let admin = app.login(county, "admin", "Pukou-Chief-2026!").await;
    let base = format!("/api/v1/tenants/{county}");

    let items = checklist(&app, county, &admin).await;
    // Only the built-in calendar (with this year's holidays) is in place.
    let mut expected_red: Vec<&str> = KEYS.iter().copied().filter(|k| *k != "work_calendar").collect();
    expected_red.sort();
    assert_eq!(red(&items), expected_red, "{items:?}");
    assert_eq!(items["departments"]["counts"]["departments"], 0);

    // A department with a valid 统一社会信用代码.
    let r = app
        .post(&format!("{base}/departments"), &admin, json!({"name": "浦口区城市管理局", "uscc": uscc(county, 1)}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let department = r.body["id"].as_str().unwrap().to_owned();
    let items = checklist(&app, county, &admin).await;
    assert_eq!(items["departments"]["ok"], true, "{}", items["departments"]);
    assert_eq!(items["departments"]["counts"]["valid_uscc"], 1);

    // A collector: green; deactivated: red again.
    let r = app
        .post(
            &format!("{base}/users"),
            &admin,
            json!({"username": "collector", "display_name": "监督员", "password": "Pukou-Patrol-2026!", "roles": ["collector"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let collector = r.body["id"].as_str().unwrap().to_owned();
    let items = checklist(&app, county, &admin).await;
    assert_eq!(items["users.collector"]["ok"], true, "{}", items["users.collector"]);
    assert_eq!(items["users.command-center"]["ok"], false);
    let r = app.patch(&format!("{base}/users/{collector}"), &admin, json!({"status": "deactivated"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(checklist(&app, county, &admin).await["users.collector"]["ok"], false);

    // Time limits reviewed and saved.
    let limits = app.get(&format!("{base}/settings/time-limits"), &admin).await.body;
    let r = app.put(&format!("{base}/settings/time-limits"), &admin, limits).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(checklist(&app, county, &admin).await["time_limits"]["ok"], true);

    // The responsibility list: one class short is red and names it; every class is green.
    let classes = app.get(&format!("{base}/catalog/classes"), &admin).await.body;
    let mut codes: Vec<String> =
        classes.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_owned()).collect();
    codes.sort();
    codes.dedup();
    let lines = |codes: &[String]| -> Value {
        codes.iter().map(|c| json!({"class_code": c, "department_id": department})).collect::<Vec<_>>().into()
    };
    let r = app.put(&format!("{base}/settings/responsibilities"), &admin, lines(&codes[1..])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let item = checklist(&app, county, &admin).await["responsibilities"].clone();
    assert_eq!((item["ok"].clone(), item["counts"]["without_department"].clone()), (json!(false), json!(1)), "{item}");
    assert!(item["detail"].as_str().unwrap().contains(codes[0].as_str()), "{item}");
    let r = app.put(&format!("{base}/settings/responsibilities"), &admin, lines(&codes)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let items = checklist(&app, county, &admin).await;
    assert_eq!(items["responsibilities"]["ok"], true, "{}", items["responsibilities"]);
    assert!(!red(&items).contains(&"departments") && !red(&items).contains(&"time_limits"));
    assert!(red(&items).contains(&"unit_grids") && red(&items).contains(&"census"));
}
