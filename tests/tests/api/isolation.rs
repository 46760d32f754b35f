//! Tenant isolation and role refusals, walked over every route of the OpenAPI document — so a
//! route added later is covered without anyone remembering to add it here.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_app};

/// (method, path template) of every operation in the served document.
async fn operations(app: &TestApp) -> Vec<(Method, String, Value)> {
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.body;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase().parse().unwrap(), path.clone(), op.clone()));
        }
    }
    assert!(out.len() >= 50, "the document lists too few operations: {}", out.len());
    out
}

fn tenant_scoped(ops: &[(Method, String, Value)]) -> Vec<(Method, String)> {
    let scoped: Vec<_> = ops
        .iter()
        .filter(|(_, p, _)| p.starts_with("/api/v1/tenants/{tenant_code}"))
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect();
    assert!(scoped.len() >= 40, "too few tenant-scoped operations: {}", scoped.len());
    scoped
}

/// Ids of one tenant's resources, to put into path templates.
struct Ids {
    tenant: String,
    department: String,
    user: String,
    grid: String,
    duty_grid: String,
    component: String,
    job: String,
    case: String,
    photo: String,
    directive: String,
    /// A point inside the tenant's frame, for the lookup route.
    point: (f64, f64),
}

impl Ids {
    fn fill(&self, template: &str) -> String {
        let mut path = template
            .replace("{tenant_code}", &self.tenant)
            .replace("{department_id}", &self.department)
            .replace("{user_id}", &self.user)
            .replace("{grid_code}", &self.grid)
            .replace("{duty_grid_id}", &self.duty_grid)
            .replace("{component_id}", &self.component)
            .replace("{job_id}", &self.job)
            .replace("{case_id}", &self.case)
            .replace("{photo_id}", &self.photo)
            .replace("{subject}", "department")
            .replace("{subject_id}", &self.department)
            .replace("{directive_id}", &self.directive)
            .replace("{tracking_code}", "UGNOSUCHCODE");
        assert!(!path.contains('{'), "unknown path parameter in {template}: add it to the isolation test");
        if path.ends_with("/grids/locate") {
            path.push_str(&format!("?lon={}&lat={}", self.point.0, self.point.1));
        }
        if template.ends_with("/evaluation/{subject}/{subject_id}/cases") || template.ends_with("/trend") {
            path.push_str("?indicator=due_for_disposal");
        }
        path
    }
}

async fn ids_of(app: &TestApp, tenant: &str, token: &str) -> Ids {
    let depts = app.get(&format!("/api/v1/tenants/{tenant}/departments"), token).await;
    let grids = app.get(&format!("/api/v1/tenants/{tenant}/grids?limit=1"), token).await;
    let grid = &grids.body["items"][0];
    let bbox: Vec<f64> = grid["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let duty = app.get(&format!("/api/v1/tenants/{tenant}/duty-grids"), token).await;
    let components = app.get(&format!("/api/v1/tenants/{tenant}/components?limit=1"), token).await;
    // A small dry-run import gives the tenant a job id.
    let job = app
        .client
        .post(format!("{}/api/v1/tenants/{tenant}/census/imports?dry_run=true", app.base))
        .bearer_auth(token)
        .body("component_id\n")
        .send()
        .await
        .unwrap();
    let job: Value = job.json().await.unwrap();
    // A case reported by the tenant's collector, with a photo.
    let collector = app.demo(tenant, "collector").await;
    let (lon, lat) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let photo: Value = app
        .client
        .post(format!("{}/api/v1/tenants/{tenant}/photos", app.base))
        .bearer_auth(&collector)
        .body(b"\x89PNG\r\n\x1a\nisolation".to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case = app
        .post(
            &format!("/api/v1/tenants/{tenant}/cases"),
            &collector,
            json!({"kind": "matter", "class_code": "06010", "description": "test", "lon": lon, "lat": lat, "photos": [photo["id"]]}),
        )
        .await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.text);
    // A governance recommendation of the tenant's supervision centre.
    let acceptor = app.demo(tenant, "acceptor").await;
    let due = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let directive = app
        .post(
            &format!("/api/v1/tenants/{tenant}/directives"),
            &acceptor,
            json!({"kind": "governance", "title": "t", "body": "b", "due_at": due, "addressee": "供电公司"}),
        )
        .await;
    assert_eq!(directive.status, StatusCode::CREATED, "{}", directive.text);
    Ids {
        tenant: tenant.into(),
        department: depts.body["items"][0]["id"].as_str().unwrap().into(),
        user: app.user_id(tenant, "collector", token).await,
        grid: grid["code"].as_str().unwrap().into(),
        duty_grid: duty.body[0]["id"].as_str().unwrap().into(),
        component: components.body["items"][0]["component_id"].as_str().unwrap().into(),
        job: job["id"].as_str().unwrap_or_else(|| panic!("no job: {job}")).into(),
        case: case.body["id"].as_str().unwrap().into(),
        photo: photo["id"].as_str().unwrap_or_else(|| panic!("no photo: {photo}")).into(),
        directive: directive.body["id"].as_str().unwrap().into(),
        point: ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0),
    }
}

async fn send(app: &TestApp, method: &Method, path: &str, token: &str) -> tests::Resp {
    if path.ends_with("/case-events") {
        // A live stream never ends: only its status (and the refusal's body) is read.
        let r = app.get_raw(path, token).await;
        let status = r.status();
        let headers = r.headers().clone();
        let text = if status.is_success() { String::new() } else { r.text().await.unwrap_or_default() };
        return tests::Resp { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null), text };
    }
    let body = (*method != Method::GET && *method != Method::DELETE).then(|| json!({}));
    app.call(method.clone(), path, Some(token), body).await
}

#[tokio::test]
async fn users_of_another_county_or_city_get_403_or_404_and_no_data() {
    let app = spawn_app().await;
    let ops = operations(&app).await;
    let routes = tenant_scoped(&ops);
    let b_admin = app.demo(COUNTY_B, "admin").await;
    let b = ids_of(&app, COUNTY_B, &b_admin).await;
    let b_uscc =
        app.get(&format!("/api/v1/tenants/{COUNTY_B}/departments/{}", b.department), &b_admin).await.body["uscc"]
            .as_str()
            .unwrap()
            .to_owned();
    let secrets =
        [b.department.clone(), b.user.clone(), b_uscc, "玄武区".to_owned(), b.component.clone(), b.duty_grid.clone()];

    // Every role of county A, and the administrator and oversight of another city.
    let mut attackers = Vec::new();
    for user in ["admin", "acceptor", "dispatcher", "handler", "collector", "auditor"] {
        attackers.push((format!("{COUNTY_A}/{user}"), app.demo(COUNTY_A, user).await));
    }
    let wuxi = app.onboard_city("320200", "无锡市", "Wuxi-Chief-2026!").await;
    let r = app
        .post(
            "/api/v1/tenants/320200/users",
            &wuxi,
            json!({"username": "oversight", "display_name": "无锡市监督", "password": "Wuxi-Watch-2026!", "roles": ["city-oversight"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    attackers.push(("320200/admin".into(), wuxi));
    attackers.push(("320200/oversight".into(), app.login("320200", "oversight", "Wuxi-Watch-2026!").await));

    for (who, token) in &attackers {
        for (method, template) in &routes {
            let path = b.fill(template);
            let r = send(&app, method, &path, token).await;
            assert!(
                r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
                "{who}: {method} {path} answered {}: {}",
                r.status,
                r.text
            );
            for secret in &secrets {
                assert!(!r.text.contains(secret.as_str()), "{who}: {method} {path} leaked {secret}");
            }
        }
    }
    // Nothing of B changed.
    let after = app.get(&format!("/api/v1/tenants/{COUNTY_B}/departments/{}", b.department), &b_admin).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/tenants/{COUNTY_B}"), &b_admin).await.body["status"], "active");
}

/// What a forgotten tenant filter would leak: the caller's own tenant code in the path, with ids
/// that belong to another tenant. Every route with an id answers as if the id did not exist.
#[tokio::test]
async fn another_tenants_ids_under_the_callers_own_tenant_code_are_not_found() {
    let app = spawn_app().await;
    let ops = operations(&app).await;
    let with_ids: Vec<_> = tenant_scoped(&ops)
        .into_iter()
        .filter(|(_, t)| t.replace("{tenant_code}", "").replace("{subject}", "").contains('{'))
        .collect();
    assert!(with_ids.len() >= 20, "too few routes with ids: {}", with_ids.len());
    let b_admin = app.demo(COUNTY_B, "admin").await;
    let b = ids_of(&app, COUNTY_B, &b_admin).await;
    let case_before = app.get(&format!("/api/v1/tenants/{COUNTY_B}/cases/{}", b.case), &b_admin).await.text;
    let dept_before = app.get(&format!("/api/v1/tenants/{COUNTY_B}/departments/{}", b.department), &b_admin).await.text;
    // B's ids, under A's code.
    let foreign = Ids { tenant: COUNTY_A.into(), ..b };
    let secrets = ["玄武区", "isolation"];

    for user in ["admin", "acceptor", "dispatcher", "handler", "collector", "auditor"] {
        let token = app.demo(COUNTY_A, user).await;
        for (method, template) in &with_ids {
            let path = foreign.fill(template);
            let r = send(&app, method, &path, &token).await;
            // 403: the role may not use the route at all; 422: the empty body is refused before
            // any lookup. Neither says whether the id exists; a success would.
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN, StatusCode::UNPROCESSABLE_ENTITY].contains(&r.status),
                "{user}: {method} {path} answered {}: {}",
                r.status,
                r.text
            );
            for secret in secrets {
                assert!(!r.text.contains(secret), "{user}: {method} {path} leaked {secret}: {}", r.text);
            }
        }
    }
    // With a body that passes validation, a case action on B's case is plainly not found.
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/cases/{}/actions", foreign.case),
            &acceptor,
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // Nothing of B changed.
    assert_eq!(
        app.get(&format!("/api/v1/tenants/{COUNTY_B}/cases/{}", foreign.case), &b_admin).await.text,
        case_before
    );
    assert_eq!(
        app.get(&format!("/api/v1/tenants/{COUNTY_B}/departments/{}", foreign.department), &b_admin).await.text,
        dept_before
    );
}

#[tokio::test]
async fn city_oversight_reads_its_counties_and_writes_nothing() {
    let app = spawn_app().await;
    let routes = tenant_scoped(&operations(&app).await);
    let b_admin = app.demo(COUNTY_B, "admin").await;
    let b = ids_of(&app, COUNTY_B, &b_admin).await;
    let oversight = app.demo(CITY, "oversight").await;
    let mut reads = 0;
    for (method, template) in &routes {
        let path = b.fill(template);
        let r = send(&app, method, &path, &oversight).await;
        if template.contains("/audit") {
            // The audit trail is read by the city's auditor, not its oversight.
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}: {}", r.text);
        } else if *method == Method::GET {
            assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text);
            reads += 1;
        } else if template.contains("/notifications") {
            // Everyone marks their own notifications read (none of the city's users are in a
            // county's); refused here only for the empty body.
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {}", r.text);
        } else if template.ends_with("/supervision-orders") {
            // 督办 is the one thing the city does in a county (here refused only for its empty
            // body; an empty directive is a recommendation, which only the county issues).
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {}", r.text);
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}: {}", r.text);
        }
    }
    assert!(reads >= 20, "{reads}");
    // The city administrator sets its counties up (区县接入: departments, users, grids, census,
    // settings) but never works their cases.
    let city_admin = app.demo(CITY, "admin").await;
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_B}/departments"),
            &city_admin,
            json!({"name": "市里代建的部门", "uscc": tests::uscc(COUNTY_B, 91)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let limits = app.get(&format!("/api/v1/tenants/{COUNTY_B}/settings/time-limits"), &city_admin).await;
    let r =
        app.put(&format!("/api/v1/tenants/{COUNTY_B}/settings/time-limits"), &city_admin, limits.body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(&format!("/api/v1/tenants/{COUNTY_B}/cases/{}/actions", b.case), &city_admin, json!({"action": "accept"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_B}/cases"),
            &city_admin,
            json!({"description": "x", "location": {"lon": 118.8, "lat": 32.0}, "class": "010101"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The platform operator creates cities but does not set a county's settings.
    let platform = app.platform_admin().await;
    let r = app.put(&format!("/api/v1/tenants/{COUNTY_B}/settings/time-limits"), &platform, limits.body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app.get(&format!("/api/v1/tenants/{COUNTY_B}/users/{}", b.user), &city_admin).await;
    assert_eq!(r.status, StatusCode::OK);
}

/// What each role may do on its own tenant's routes — written independently of the casbin
/// policies, so a policy change that widens access fails here.
fn may(role: &str, method: &Method, template: &str) -> bool {
    let reads_everything = matches!(role, "admin" | "auditor");
    let workflow_role = matches!(role, "acceptor" | "dispatcher" | "handler" | "collector");
    let path = template.trim_start_matches("/api/v1/tenants/{tenant_code}");
    if path == "/suspend" || path == "/activate" {
        return false; // only an ancestor changes a tenant's status
    }
    if path.starts_with("/audit") {
        return role == "auditor"; // the audit trail is the auditor's alone (三员分立)
    }
    if *method == Method::GET && (path == "/dashboard" || path == "/cases/points") {
        // The dashboard counts every case: for the roles that see every case.
        return matches!(role, "admin" | "auditor" | "acceptor" | "dispatcher");
    }
    if *method == Method::GET {
        // Everything but user management is readable by every role of the tenant.
        // The go-live checklist counts the tenant's users: for those who read them.
        return !(path.starts_with("/users") || path == "/readiness") || reads_everything;
    }
    if path.starts_with("/notifications") {
        return true; // each user's own notifications
    }
    if path.ends_with("/supervision-orders") {
        return role == "dispatcher"; // 督办: the command centre (and the city)
    }
    if path.starts_with("/directives") {
        // Issued and closed by the supervision centre; answered by whom it is addressed to (the
        // casbin grant; the directive itself decides further).
        if path.ends_with("/response") {
            return matches!(role, "admin" | "acceptor" | "dispatcher" | "handler");
        }
        return matches!(role, "admin" | "acceptor");
    }
    if path.starts_with("/cases") || path.starts_with("/photos") {
        return workflow_role; // intake and actions; the workflow decides which action
    }
    role == "admin"
}

#[tokio::test]
async fn each_role_is_refused_the_actions_it_does_not_hold() {
    let app = spawn_app().await;
    let routes = tenant_scoped(&operations(&app).await);
    let admin = app.demo(COUNTY_A, "admin").await;
    let a = ids_of(&app, COUNTY_A, &admin).await;
    let mut refusals = 0;
    for role in ["admin", "acceptor", "dispatcher", "handler", "collector", "auditor"] {
        let token = app.demo(COUNTY_A, role).await;
        for (method, template) in &routes {
            let path = a.fill(template);
            if may(role, method, template) {
                // Allowed reads answer; allowed writes are exercised by the functional tests.
                if *method == Method::GET {
                    let r = send(&app, method, &path, &token).await;
                    // A department sees only its own cases (and claimable ones), and the directives
                    // addressed to it (a collector none): another is not found.
                    let hidden = (role == "handler" && template.contains("{case_id}"))
                        || (matches!(role, "handler" | "collector") && template.contains("{directive_id}"));
                    let expected = if hidden { StatusCode::NOT_FOUND } else { StatusCode::OK };
                    assert_eq!(r.status, expected, "{role}: GET {path}: {}", r.text);
                }
            } else {
                let r = send(&app, method, &path, &token).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {method} {path}: {}", r.text);
                assert_eq!(r.code(), "forbidden");
                refusals += 1;
            }
        }
    }
    assert!(refusals >= 90, "{refusals}");
    // City oversight holds no user management in its own city either.
    let oversight = app.demo(CITY, "oversight").await;
    assert_eq!(app.get(&format!("/api/v1/tenants/{CITY}/users"), &oversight).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn only_the_public_allow_list_answers_without_a_token() {
    let app = spawn_app().await;
    let ops = operations(&app).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let a = ids_of(&app, COUNTY_A, &admin).await;
    for (method, template, op) in &ops {
        let path = a.fill(template);
        let documented_secure = op["security"].as_array().is_some_and(|s| !s.is_empty());
        let listed_public = api::auth::is_public(method.as_str(), template);
        let outside_api = !template.starts_with("/api/v1/");
        assert_eq!(documented_secure, !(listed_public || outside_api), "{method} {template}: security in the document");
        if documented_secure {
            let body = (*method != Method::GET).then(|| json!({}));
            let r = app.call(method.clone(), &path, None, body).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
}

/// A county case moved along the loop by the county's own staff: `reported`, `filed`, or
/// `dispatched` to `department`.
async fn county_case(app: &TestApp, state: &str, department: &str) -> String {
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let dispatcher = app.demo(COUNTY_A, "dispatcher").await;
    let grids = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=1"), &collector).await;
    let b: Vec<f64> = grids.body["items"][0]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let (lon, lat) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let cases = format!("/api/v1/tenants/{COUNTY_A}/cases");
    let r = app
        .post(
            &cases,
            &collector,
            json!({"kind": "matter", "class_code": "06010", "description": state, "lon": lon, "lat": lat}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut steps = vec![];
    if state != "reported" {
        steps.push((&acceptor, json!({"action": "accept"})));
        steps.push((&acceptor, json!({"action": "file", "class_code": "06010"})));
    }
    if state == "dispatched" {
        steps.push((&dispatcher, json!({"action": "dispatch", "department": department})));
    }
    for (token, body) in steps {
        let r = app.post(&format!("{cases}/{id}/actions"), token, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text);
    }
    id
}

/// Roles held in the city act in the city. Whatever a city user holds there, in a county it
/// reads only as city oversight (or sees what was dispatched to its shared department), its one
/// write is the supervision order (督办), and a shared department handles only the cases
/// dispatched to it: no city role accepts, files, dispatches or reports inside a county.
#[tokio::test]
async fn a_city_user_acts_in_a_county_only_as_oversight_or_the_shared_department() {
    let app = spawn_app().await;
    let city_admin = app.demo(CITY, "admin").await;
    let depts = app.get(&format!("/api/v1/tenants/{CITY}/departments"), &city_admin).await;
    let shared = depts.body["items"].as_array().unwrap().iter().find(|d| d["shared"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The city's handler belongs to the shared department; each row gives it other roles.
    let user = app.user_id(CITY, "handler", &city_admin).await;
    let token = app.demo(CITY, "handler").await;
    let reported = county_case(&app, "reported", &shared).await;
    let filed = county_case(&app, "filed", &shared).await;
    let cases = format!("/api/v1/tenants/{COUNTY_A}/cases");
    let due = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let refused = |s: StatusCode| s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND;

    let table: &[&[&str]] = &[
        &["department"],
        &["department", "command-center"],
        &["department", "supervision-center"],
        &["department", "collector"],
        &["department", "command-center", "supervision-center", "collector"],
        &["command-center"],
        &["supervision-center", "collector"],
        &["city-oversight"],
        &["city-oversight", "department", "command-center", "supervision-center"],
    ];
    for roles in table {
        let r =
            app.put(&format!("/api/v1/tenants/{CITY}/users/{user}/roles"), &city_admin, json!({"roles": roles})).await;
        assert_eq!(r.status, StatusCode::OK, "{roles:?}: {}", r.text);
        let (department, oversight) = (roles.contains(&"department"), roles.contains(&"city-oversight"));
        let dispatched = county_case(&app, "dispatched", &shared).await;

        // Reads: oversight everything; the shared department only what was dispatched to it.
        let list = app.get(&cases, &token).await;
        if department || oversight {
            assert_eq!(list.status, StatusCode::OK, "{roles:?}: {}", list.text);
            let ids: Vec<&str> =
                list.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
            assert_eq!(ids.contains(&reported.as_str()), oversight, "{roles:?} sees the reported case: {ids:?}");
            assert_eq!(ids.contains(&filed.as_str()), oversight, "{roles:?} sees the filed case: {ids:?}");
            assert!(ids.contains(&dispatched.as_str()), "{roles:?} sees the dispatched case: {ids:?}");
        } else {
            assert_eq!(list.status, StatusCode::FORBIDDEN, "{roles:?}: {}", list.text);
        }
        let r = app.get(&format!("{cases}/{reported}"), &token).await;
        assert_eq!(r.status == StatusCode::OK, oversight, "{roles:?} reads a reported case: {}", r.text);

        // The county's workflow: never the city's to accept, file, dispatch, claim or report.
        for (id, body) in [
            (&reported, json!({"action": "accept"})),
            (&reported, json!({"action": "send_verification"})),
            (&filed, json!({"action": "dispatch", "department": shared})),
            (&filed, json!({"action": "claim"})),
            (&dispatched, json!({"action": "approve_extension"})),
        ] {
            let r = app.post(&format!("{cases}/{id}/actions"), &token, body.clone()).await;
            assert!(refused(r.status), "{roles:?} {body}: {} {}", r.status, r.text);
        }
        let r = app
            .post(
                &cases,
                &token,
                json!({"kind": "matter", "class_code": "06010", "description": "city", "lon": 118.8, "lat": 31.9}),
            )
            .await;
        assert!(refused(r.status), "{roles:?} reports a case in the county: {} {}", r.status, r.text);

        // The one write of oversight: 督办, due in the future.
        if oversight {
            let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
            let r = app
                .post(&format!("{cases}/{dispatched}/supervision-orders"), &token, json!({"note": "限期", "due": past}))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{roles:?} past due: {}", r.text);
            assert_eq!(r.fields(), ["due"], "{}", r.text);
        }
        let r = app
            .post(&format!("{cases}/{dispatched}/supervision-orders"), &token, json!({"note": "限期处理", "due": due}))
            .await;
        assert_eq!(r.status == StatusCode::OK, oversight, "{roles:?} supervises: {} {}", r.status, r.text);
        // The shared department handles what was dispatched to it.
        let r = app
            .post(&format!("{cases}/{dispatched}/actions"), &token, json!({"action": "handle", "note": "已处理"}))
            .await;
        assert_eq!(r.status == StatusCode::OK, department, "{roles:?} handles: {} {}", r.status, r.text);
    }
    // The two refused cases are untouched.
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    for (id, state) in [(&reported, "reported"), (&filed, "filed")] {
        let r = app.get(&format!("{cases}/{id}"), &acceptor).await;
        assert_eq!(r.body["state"], state, "{}", r.text);
    }
}
