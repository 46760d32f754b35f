//! Departments: validation of the 统一社会信用代码, uniqueness, hierarchy, paging, deletion rules.

use reqwest::StatusCode;
use serde_json::json;
use tests::{COUNTY_A, COUNTY_B, spawn_app, uscc};

#[tokio::test]
async fn create_validate_update_and_delete_departments() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let base = format!("/api/v1/tenants/{COUNTY_A}/departments");

    let parent = app.post(&base, &admin, json!({"name": "江宁区交通运输局", "uscc": uscc(COUNTY_A, 1)})).await;
    assert_eq!(parent.status, StatusCode::CREATED, "{}", parent.text);
    let parent_id = parent.body["id"].as_str().unwrap().to_owned();

    // A wrong check character, a forbidden letter, a wrong length: each reason is specific.
    let mut bad = uscc(COUNTY_A, 2);
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    for (code, needle) in [(bad.as_str(), "check character"), ("91350100M000100YO3", "`O`"), ("123", "18 characters")] {
        let r = app.post(&base, &admin, json!({"name": "某部门", "uscc": code})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(r.fields(), ["uscc"]);
        assert!(r.text.contains(needle), "{code}: {}", r.text);
    }
    // Lower case is normalised; a duplicate in the same tenant conflicts; another tenant may reuse it.
    let r = app.post(&base, &admin, json!({"name": "重复", "uscc": uscc(COUNTY_A, 1).to_lowercase()})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_exists"));
    assert_eq!(r.fields(), ["uscc"]);
    let b_admin = app.demo(COUNTY_B, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_B}/departments"),
            &b_admin,
            json!({"name": "同码", "uscc": uscc(COUNTY_A, 1)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let foreign_id = r.body["id"].as_str().unwrap().to_owned();

    // A child under the parent; a parent from another tenant is refused.
    let child = app
        .post(&base, &admin, json!({"name": "江宁区公路管理站", "uscc": uscc(COUNTY_A, 3), "parent_id": parent_id}))
        .await;
    assert_eq!(child.status, StatusCode::CREATED, "{}", child.text);
    let child_id = child.body["id"].as_str().unwrap().to_owned();
    let r = app.post(&base, &admin, json!({"name": "x", "uscc": uscc(COUNTY_A, 4), "parent_id": foreign_id})).await;
    assert_eq!(r.fields(), ["parent_id"]);

    // No cycles.
    let r = app.patch(&format!("{base}/{parent_id}"), &admin, json!({"parent_id": child_id})).await;
    assert_eq!(r.fields(), ["parent_id"], "{}", r.text);
    // Rename; clear the parent with null.
    let r = app.patch(&format!("{base}/{child_id}"), &admin, json!({"name": "江宁区公路站", "parent_id": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "江宁区公路站");
    assert!(r.body["parent_id"].is_null());

    // A department with users cannot be deleted; an empty one can.
    let handler_dept = app.get("/api/v1/me", &app.demo(COUNTY_A, "handler").await).await.body["user"]["department_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.delete(&format!("{base}/{handler_dept}"), &admin).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(app.delete(&format!("{base}/{child_id}"), &admin).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("{base}/{child_id}"), &admin).await.status, StatusCode::NOT_FOUND);
    // Another tenant's department is not found here.
    assert_eq!(app.get(&format!("{base}/{foreign_id}"), &admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{base}/not-a-uuid"), &admin).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_page_with_a_cursor_in_a_stable_order() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let base = format!("/api/v1/tenants/{COUNTY_A}/departments");
    for n in 0..4 {
        let r = app.post(&base, &admin, json!({"name": format!("部门{n}"), "uscc": uscc(COUNTY_A, 10 + n)})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    // 5 demo departments + 4 new.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{base}?limit=2&cursor={c}"),
            None => format!("{base}?limit=2"),
        };
        let page = app.get(&url, &admin).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|d| d["id"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 9);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "ids are unique and ascending (creation order)");

    let r = app.get(&format!("{base}?limit=0"), &admin).await;
    assert_eq!(r.fields(), ["limit"]);
    let r = app.get(&format!("{base}?cursor=zzz"), &admin).await;
    assert_eq!(r.fields(), ["cursor"]);
    let r = app.get(&format!("{base}?limit=abc"), &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
