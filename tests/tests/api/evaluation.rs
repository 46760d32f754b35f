//! Evaluation over HTTP: a small fixture of written histories (every special path, at known
//! times in October 2026 on the default calendar) against numbers computed by hand; schemes that
//! change the results; drill-down; the city's ranking of its counties; directives; recurring
//! problems; exports.
//!
//! The fixture (county A; every case in one unit grid, class 06010 with a 4-working-hour
//! disposal limit; working hours 08:30–12:00 and 13:30–17:30 Shanghai time):
//! - c1 main path, all on time (dispatched 09:30, handled 11:00).
//! - c2 handled late the next day, check failed (返工), handled again, closed.
//! - c3 public report: verification sent and found, claimed by department 0 (主动认领), closed.
//! - c4 public report found not true, verified late.
//! - c5 dispatched to department 0, returned (回退), dispatched to department 2, extended by 8 h
//!   (延期), handled the next day within the extension, closed.
//! - c6 suspended (挂账) and not resumed.
//! - c7 filed, then voided (作废) on the dispatcher's request.
//! - c8 self-handled (自处置) and closed.
//! - c9 rejected (不予受理).
//! - c10 dispatched and never handled (超期待处置).
//! - c11 a new report in November (after the period: it counts for nothing in October, but makes
//!   the October closures recur within 30 days).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{CITY, COUNTY_A, COUNTY_B, TestApp, spawn_app};
use uuid::Uuid;
use workflow::{Actor, Command, Source};

/// 2026-10-`day` at `hh:mm` in Shanghai.
fn at(day: u32, hh: u32, mm: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(2026, 10, day, hh, mm, 0).unwrap().with_timezone(&Utc)
}

struct People {
    collector: Actor,
    acceptor: Actor,
    dispatcher: Actor,
    /// Handler of department 2 (市政设施管理处) and of department 0 (城市管理局).
    h2: Actor,
    h0: Actor,
    dept2: String,
    dept0: String,
}

fn actor(user: &str, role: &str, department: Option<&str>) -> Actor {
    Actor {
        user: user.to_owned(),
        roles: vec![role.to_owned()],
        department: department.map(str::to_owned),
        from_city: false,
        system: false,
    }
}

async fn people(app: &TestApp, county: &str) -> People {
    let admin = app.demo(county, "admin").await;
    let id = |name: &'static str| {
        let admin = admin.clone();
        async move { app.user_id(county, name, &admin).await }
    };
    let dept_of = |name: &'static str| async move {
        let t = app.demo(county, name).await;
        app.get("/api/v1/me", &t).await.body["user"]["department_id"].as_str().unwrap().to_owned()
    };
    let (dept2, dept0) = (dept_of("handler").await, dept_of("handler0").await);
    People {
        collector: actor(&id("collector").await, "collector", None),
        acceptor: actor(&id("acceptor").await, "supervision-center", None),
        dispatcher: actor(&id("dispatcher").await, "command-center", None),
        h2: actor(&id("handler").await, "department", Some(&dept2)),
        h0: actor(&id("handler0").await, "department", Some(&dept0)),
        dept2,
        dept0,
    }
}

type Steps = Vec<(DateTime<Utc>, Actor, Command)>;

/// Writes the fixture's cases (those named in `only`, or all) into `county`; returns their ids.
async fn fixture(app: &TestApp, county: &str, only: &[&str]) -> (People, HashMap<&'static str, String>) {
    let p = people(app, county).await;
    let db = app.db().await;
    let system = tenancy::SystemScope::by_code(&db, tenancy::Job::DemoSeed, county).await.unwrap().unwrap();
    let tenant = system.tenant().clone();
    let place = oversight::generate::places(&db, &tenant).await.unwrap().remove(0);
    let (c, s, d, h2, h0) = (&p.collector, &p.acceptor, &p.dispatcher, &p.h2, &p.h0);
    let step = |t: DateTime<Utc>, a: &Actor, cmd: Command| (t, a.clone(), cmd);
    let file = || Command::File { class_code: "06010".into(), condition: None };
    let dispatch = |dept: &str| Command::Dispatch { department: dept.to_owned() };
    let handle = || Command::Handle { note: "已处置".into(), photos: vec![] };
    let check = |passed| Command::Check { passed, note: None, photos: vec![] };
    let front = |day: u32| -> Steps { vec![step(at(day, 9, 10), s, Command::Accept), step(at(day, 9, 20), s, file())] };
    let mut all: Vec<(&'static str, Source, bool, DateTime<Utc>, Steps)> = Vec::new();
    let mut c1 = front(13);
    c1.extend([
        step(at(13, 9, 30), d, dispatch(&p.dept2)),
        step(at(13, 11, 0), h2, handle()),
        step(at(13, 11, 10), s, Command::SendCheck),
        step(at(13, 11, 40), c, check(true)),
        step(at(13, 11, 50), s, Command::Close),
    ]);
    all.push(("c1", Source::Patrol, false, at(13, 9, 0), c1));
    let mut c2 = front(13);
    c2.extend([
        step(at(13, 9, 30), d, dispatch(&p.dept2)),
        step(at(14, 10, 0), h2, handle()),
        step(at(14, 10, 10), s, Command::SendCheck),
        step(at(14, 10, 30), c, check(false)),
        step(at(14, 11, 0), h2, handle()),
        step(at(14, 11, 10), s, Command::SendCheck),
        step(at(14, 11, 30), c, check(true)),
        step(at(14, 11, 40), s, Command::Close),
    ]);
    all.push(("c2", Source::Patrol, false, at(13, 9, 0), c2));
    let c3 = vec![
        step(at(13, 9, 10), s, Command::SendVerification),
        step(at(13, 9, 40), c, Command::Verify { found: true, note: None, photos: vec![] }),
        step(at(13, 9, 50), s, file()),
        step(at(13, 10, 0), h0, Command::Claim),
        step(at(13, 12, 0), h0, handle()),
        step(at(13, 13, 40), s, Command::SendCheck),
        step(at(13, 14, 0), c, check(true)),
        step(at(13, 14, 10), s, Command::Close),
        step(at(14, 10, 0), s, Command::Callback { satisfaction: 5, note: None }),
    ];
    all.push(("c3", Source::Public, false, at(13, 9, 0), c3));
    let c4 = vec![
        step(at(13, 9, 10), s, Command::SendVerification),
        step(at(13, 10, 30), c, Command::Verify { found: false, note: None, photos: vec![] }),
    ];
    all.push(("c4", Source::Public, false, at(13, 9, 0), c4));
    let mut c5 = front(13);
    c5.extend([
        step(at(13, 9, 30), d, dispatch(&p.dept0)),
        step(at(13, 10, 0), h0, Command::RequestReturn { reason: "不属于本部门".into() }),
        step(at(13, 10, 20), d, Command::ApproveReturn),
        step(at(13, 10, 30), d, dispatch(&p.dept2)),
        step(at(13, 11, 0), h2, Command::RequestExtension { hours: 8.0, reason: "需协调".into() }),
        step(at(13, 11, 10), d, Command::ApproveExtension),
        step(at(14, 10, 0), h2, handle()),
        step(at(14, 10, 10), s, Command::SendCheck),
        step(at(14, 10, 30), c, check(true)),
        step(at(14, 10, 40), s, Command::Close),
    ]);
    all.push(("c5", Source::Patrol, false, at(13, 9, 0), c5));
    let mut c6 = front(13);
    c6.extend([
        step(at(13, 9, 30), d, dispatch(&p.dept2)),
        step(at(13, 10, 0), h2, Command::RequestSuspension { reason: "列入工程计划".into() }),
        step(at(13, 10, 10), d, Command::ApproveSuspension),
    ]);
    all.push(("c6", Source::Patrol, false, at(13, 9, 0), c6));
    let mut c7 = front(13);
    c7.extend([
        step(at(13, 9, 30), d, Command::RequestVoid { reason: "重复".into() }),
        step(at(13, 9, 40), s, Command::ApproveVoid),
    ]);
    all.push(("c7", Source::Patrol, false, at(13, 9, 0), c7));
    all.push(("c8", Source::Patrol, true, at(13, 9, 0), vec![step(at(13, 9, 25), s, Command::Close)]));
    all.push((
        "c9",
        Source::Patrol,
        false,
        at(13, 9, 0),
        vec![step(at(13, 9, 20), s, Command::Reject { reason: "不属于受理范围".into() })],
    ));
    let mut c10 = front(13);
    c10.push(step(at(13, 9, 30), d, dispatch(&p.dept2)));
    all.push(("c10", Source::Patrol, false, at(13, 9, 0), c10));
    let november = chrono_tz::Asia::Shanghai.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap().with_timezone(&Utc);
    all.push(("c11", Source::Patrol, false, november, vec![]));

    let chosen: Vec<_> = all.into_iter().filter(|(n, ..)| only.is_empty() || only.contains(n)).collect();
    let scripts: Vec<cases::history::Scripted> = chosen
        .iter()
        .map(|(_, source, self_handled, t, steps)| cases::history::Scripted {
            reporter: (*source == Source::Patrol).then(|| Uuid::parse_str(&p.collector.user).unwrap()),
            reporter_role: if *source == Source::Patrol { "collector".into() } else { "public".into() },
            source: *source,
            kind: inventory::catalog::Kind::Matter,
            class_code: "06010".into(),
            description: "暴露垃圾".into(),
            lon: place.lon,
            lat: place.lat,
            place: place.entry.clone(),
            self_handled: *self_handled,
            at: *t,
            steps: steps.clone(),
        })
        .collect();
    let ids = cases::history::write(&db, &tenant, &scripts).await.unwrap();
    let names = chosen.iter().map(|(n, ..)| *n).zip(ids.iter().map(Uuid::to_string)).collect();
    (p, names)
}

/// Writes one patrol case reported by the collector at `reported`, then `steps`, in the first unit
/// grid of `county`; returns its id.
async fn write_case(app: &TestApp, county: &str, p: &People, reported: DateTime<Utc>, steps: Steps) -> String {
    let db = app.db().await;
    let system = tenancy::SystemScope::by_code(&db, tenancy::Job::DemoSeed, county).await.unwrap().unwrap();
    let tenant = system.tenant().clone();
    let place = oversight::generate::places(&db, &tenant).await.unwrap().remove(0);
    let script = cases::history::Scripted {
        reporter: Some(Uuid::parse_str(&p.collector.user).unwrap()),
        reporter_role: "collector".into(),
        source: Source::Patrol,
        kind: inventory::catalog::Kind::Matter,
        class_code: "06010".into(),
        description: "暴露垃圾".into(),
        lon: place.lon,
        lat: place.lat,
        place: place.entry.clone(),
        self_handled: false,
        at: reported,
        steps,
    };
    cases::history::write(&db, &tenant, &[script]).await.unwrap().remove(0).to_string()
}

/// The value of `key` in the row of `subject`, 0 when the table has no row for it (nothing counted).
fn value_of(table: &Value, subject: &str, key: &str) -> Value {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject"] == subject)
        .map(|r| r["indicators"][key].clone())
        .unwrap_or(json!(0))
}

fn october(path: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}period=month&date=2026-10-15")
}

/// The row of `subject` in a table, as a map of indicator → value.
fn row<'a>(table: &'a Value, subject: &str) -> &'a Value {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject"] == subject)
        .unwrap_or_else(|| panic!("no row {subject} in {table}"))
}

fn check(r: &Value, expected: &[(&str, Value)]) {
    for (k, v) in expected {
        assert_eq!(&r["indicators"][*k], v, "{k} of {}: {}", r["subject"], r["indicators"]);
    }
}

async fn table(app: &TestApp, token: &str, tenant: &str, subject: &str) -> Value {
    let r = app.get(&october(&format!("/api/v1/tenants/{tenant}/evaluation/{subject}")), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

#[tokio::test]
async fn indicators_of_every_subject_match_the_hand_computed_fixture() {
    let app = spawn_app().await;
    let (p, _) = fixture(&app, COUNTY_A, &[]).await;
    let admin = app.demo(COUNTY_A, "admin").await;

    let d = table(&app, &admin, COUNTY_A, "department").await;
    assert_eq!(d["period"]["from"], "2026-10-01");
    let dept2 = row(&d, &p.dept2);
    check(
        dept2,
        &[
            ("due_for_disposal", json!(5)),
            ("disposed", json!(4)),
            ("disposed_on_time", json!(2)),
            ("disposed_late", json!(2)),
            ("pending_overdue", json!(1)),
            ("disposal_rate", json!(80.0)),
            ("on_time_disposal_rate", json!(40.0)),
            ("late_disposal_rate", json!(40.0)),
            ("pending_overdue_rate", json!(20.0)),
            ("reworks", json!(1)),
            ("extensions", json!(1)),
            ("extension_rate", json!(20.0)),
            ("returns", json!(0)),
            ("claims", json!(0)),
            ("filed", json!(5)),
            // c6, suspended in time and not resumed, stays due for closure at the deadline it had.
            ("due_for_closure", json!(5)),
            ("closed", json!(3)),
            ("closed_on_time", json!(2)),
            ("closure_rate", json!(60.0)),
            ("on_time_closure_rate", json!(40.0)),
            ("rework_rate", json!(20.0)),
            ("avg_disposal_hours", json!(12.5)),
        ],
    );
    // 10×100 (立案数 5 ≤ 50) + 30×60 (结案率) + 30×40 (按期处置率) + 30×(100−20) (返工率) = 64.
    assert_eq!((dept2["score"].as_f64(), dept2["grade"].as_str()), (Some(64.0), Some("C")));
    assert_eq!(dept2["name"], "江宁区市政设施管理处");
    let dept0 = row(&d, &p.dept0);
    check(
        dept0,
        &[
            ("due_for_disposal", json!(1)),
            ("disposed_on_time", json!(1)),
            ("returns", json!(1)),
            ("claims", json!(1)),
            ("closed_on_time", json!(1)),
            ("avg_disposal_hours", json!(2)),
        ],
    );
    // All 100, plus the 主动认领 bonus of 0.5; ranked first.
    assert_eq!((dept0["score"].as_f64(), dept0["rank"].as_u64()), (Some(100.5), Some(1)));

    let r = table(&app, &admin, COUNTY_A, "county").await;
    let county = row(&r, COUNTY_A);
    check(
        county,
        &[
            ("filed", json!(7)),
            ("public_verified", json!(1)),
            ("report_rate", json!(14.29)),
            ("due_for_closure", json!(6)),
            ("closed", json!(4)),
            ("closed_on_time", json!(3)),
            ("closure_rate", json!(66.67)),
            ("on_time_closure_rate", json!(50.0)),
            ("open_at_end", json!(2)),
            ("overdue_at_end", json!(1)),
            ("avg_disposal_hours", json!(10.4)),
            ("filed_per_grid", json!(0.44)),
        ],
    );
    // The unit grid, community and street of the fixture show the same counts.
    let grids = table(&app, &admin, COUNTY_A, "grid").await;
    assert_eq!(grids["rows"].as_array().unwrap().len(), 1);
    assert_eq!(grids["rows"][0]["indicators"]["filed"], 7);
    assert_eq!(table(&app, &admin, COUNTY_A, "street").await["rows"][0]["indicators"]["closed"], 4);

    let collectors = table(&app, &admin, COUNTY_A, "collector").await;
    check(
        row(&collectors, &p.collector.user),
        &[
            ("reports", json!(8)),
            // c8, self-handled and never filed, is not 有效 under valid_report=filed (it is 自处置).
            ("valid_reports", json!(5)),
            ("valid_report_rate", json!(62.5)),
            ("due_verifications", json!(2)),
            ("verified_on_time", json!(1)),
            ("on_time_verification_rate", json!(50.0)),
            ("due_checks", json!(5)),
            ("checked_on_time", json!(5)),
            ("missed", json!(1)),
            ("filed_in_duty_grids", json!(7)),
            ("missed_rate", json!(14.29)),
            ("self_handled", json!(1)),
        ],
    );
    let acceptors = table(&app, &admin, COUNTY_A, "acceptor").await;
    check(
        row(&acceptors, &p.acceptor.user),
        &[
            ("accepted", json!(9)),
            ("accepted_on_time", json!(9)),
            ("not_accepted", json!(1)),
            ("verifications_sent", json!(2)),
            ("verifications_sent_on_time", json!(2)),
            ("checks_sent", json!(5)),
            ("checks_sent_on_time", json!(5)),
        ],
    );
    let leaders = table(&app, &admin, COUNTY_A, "shift_leader").await;
    check(
        row(&leaders, &p.acceptor.user),
        &[
            ("filed_by", json!(7)),
            ("filed_on_time", json!(7)),
            ("voided_after_filing", json!(1)),
            ("accurate_filed", json!(6)),
            ("accurate_filing_rate", json!(85.71)),
            ("closes", json!(5)),
            ("closes_on_time", json!(5)),
        ],
    );
    let dispatchers = table(&app, &admin, COUNTY_A, "dispatcher").await;
    check(
        row(&dispatchers, &p.dispatcher.user),
        &[
            ("dispatches", json!(6)),
            ("dispatches_on_time", json!(6)),
            ("dispatch_errors", json!(1)),
            ("accurate_dispatches", json!(5)),
            ("accurate_dispatch_rate", json!(83.33)),
        ],
    );

    // A closed period is reproducible: the same numbers again, and nothing of November counts.
    assert_eq!(table(&app, &admin, COUNTY_A, "department").await["rows"], d["rows"]);
    let november =
        app.get(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/collector?period=month&date=2026-11-10"), &admin).await;
    check(row(&november.body, &p.collector.user), &[("reports", json!(1)), ("valid_reports", json!(0))]);
    // One day in range: the 14th holds c5's closure (within its extended deadline) but none of the
    // 13th's filings, nor c2 (late: it settled at its deadline on the 13th).
    let day = app
        .get(
            &format!("/api/v1/tenants/{COUNTY_A}/evaluation/county?period=range&date=2026-10-14&to=2026-10-14"),
            &admin,
        )
        .await;
    check(row(&day.body, COUNTY_A), &[("filed", json!(0)), ("closed", json!(1)), ("closed_on_time", json!(1))]);
}

#[tokio::test]
async fn drill_down_lists_the_cases_and_events_behind_a_number() {
    let app = spawn_app().await;
    let (p, ids) = fixture(&app, COUNTY_A, &[]).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let drill = |subject: &str, id: &str, indicator: &str| {
        october(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/{subject}/{id}/cases?indicator={indicator}"))
    };
    let late = app.get(&drill("department", &p.dept2, "disposed_late"), &admin).await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.text);
    assert_eq!(late.body["value"], 2.0);
    let items = late.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "both disposals of c2: {items:?}");
    assert!(items.iter().all(|i| i["id"] == ids["c2"].as_str()));
    // Each names the dispatch (or failed check) that began it and the handling that ended it.
    let actions: Vec<Vec<&str>> = items
        .iter()
        .map(|i| i["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(actions, [vec!["dispatch", "handle"], vec!["check", "handle"]]);

    let pending = app.get(&drill("department", &p.dept2, "pending_overdue_rate"), &admin).await;
    assert_eq!(pending.body["value"], 20.0);
    assert_eq!(pending.body["parts"], json!(["pending_overdue"]));
    assert_eq!(pending.body["items"][0]["id"], ids["c10"].as_str());

    let filed = app.get(&drill("county", COUNTY_A, "filed"), &admin).await;
    let mut got: Vec<&str> =
        filed.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    let mut want: Vec<&str> = ["c1", "c2", "c3", "c5", "c6", "c7", "c10"].iter().map(|n| ids[n].as_str()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);

    let missed = app.get(&drill("collector", &p.collector.user, "missed"), &admin).await;
    assert_eq!(missed.body["items"][0]["id"], ids["c3"].as_str());
    // Bad requests name the field.
    assert_eq!(app.get(&drill("department", &p.dept2, "no_such"), &admin).await.fields(), ["indicator"]);
    assert_eq!(app.get(&drill("department", &p.dept2, "reports"), &admin).await.fields(), ["indicator"]);
    assert_eq!(app.get(&drill("planet", &p.dept2, "filed"), &admin).await.fields(), ["subject"]);
}

#[tokio::test]
async fn a_scheme_changes_results_as_configured_and_a_city_scheme_is_inherited() {
    let app = spawn_app().await;
    let (p, _) = fixture(&app, COUNTY_A, &[]).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let path = format!("/api/v1/tenants/{COUNTY_A}/evaluation/scheme");
    let got = app.get(&path, &admin).await.body;
    assert_eq!(got["source"], "default");
    let mut scheme = got["scheme"].clone();
    // The default region weights sum to 100 with 按期结案率 at 40 %.
    let region: f64 =
        scheme["weights"]["region"].as_array().unwrap().iter().map(|c| c["weight"].as_f64().unwrap()).sum();
    assert_eq!(region, 100.0);

    // 返工率 over 立案数 instead of 应结案数; 按期结案率 over 结案数.
    scheme["options"]["rework_rate_base"] = json!("filed");
    scheme["options"]["on_time_closure_base"] = json!("closed");
    let r = app.put(&path, &admin, scheme.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let d = table(&app, &admin, COUNTY_A, "department").await;
    let dept2 = row(&d, &p.dept2);
    check(dept2, &[("rework_rate", json!(20.0)), ("on_time_closure_rate", json!(66.67))]);
    // 10×100 + 30×60 + 30×40 + 30×80 = 64.
    assert_eq!(dept2["score"].as_f64(), Some(64.0));
    let county = table(&app, &admin, COUNTY_A, "county").await;
    check(row(&county, COUNTY_A), &[("on_time_closure_rate", json!(75.0))]);

    // Invalid schemes are refused field by field and change nothing.
    let mut bad = scheme.clone();
    bad["weights"]["department"][0]["weight"] = json!(50.0);
    bad["grades"][1]["min"] = json!(95.0);
    bad["ladders"]["department_filed"]["steps"] = json!([[100.0, 100.0], [50.0, 90.0]]);
    let r = app.put(&path, &admin, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let fields = r.fields();
    for f in ["weights.department", "grades[1].min", "ladders.department_filed.steps[1]"] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }
    assert_eq!(row(&table(&app, &admin, COUNTY_A, "department").await, &p.dept2)["score"].as_f64(), Some(64.0));
    // Only the county's administrators set it.
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    assert_eq!(app.put(&path, &acceptor, scheme.clone()).await.status, StatusCode::FORBIDDEN);

    // A city's scheme applies to a county without its own: county B inherits a stricter grading.
    let city = app.demo(CITY, "admin").await;
    let mut strict = got["scheme"].clone();
    strict["name"] = json!("南京市考评方案");
    strict["grades"] = json!([{"grade": "优", "min": 99.0}, {"grade": "差", "min": 0.0}]);
    let r = app.put(&format!("/api/v1/tenants/{CITY}/evaluation/scheme"), &city, strict).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = app.demo(COUNTY_B, "admin").await;
    let inherited = app.get(&format!("/api/v1/tenants/{COUNTY_B}/evaluation/scheme"), &b).await.body;
    assert_eq!(
        (inherited["source"].as_str(), inherited["scheme"]["name"].as_str()),
        (Some("city"), Some("南京市考评方案"))
    );
    // County A keeps its own.
    assert_eq!(app.get(&path, &admin).await.body["source"], "own");

    // A region class judges sparse areas by their own ladder: the fixture's street in a class
    // whose 网格均立案数 ladder gives 0 points drops the street's score by the 20 % weight.
    let street = table(&app, &admin, COUNTY_A, "street").await["rows"][0].clone();
    let mut classed = scheme.clone();
    classed["region_classes"] = json!([{
        "name": "二类区域",
        "codes": [street["subject"]],
        "ladders": {"region_filed": {"direction": "at_most", "steps": [[0.0, 100.0]], "otherwise": 0.0}},
    }]);
    assert_eq!(app.put(&path, &admin, classed).await.status, StatusCode::OK);
    let after = table(&app, &admin, COUNTY_A, "street").await["rows"][0].clone();
    assert_eq!(after["region_class"], "二类区域");
    let drop = street["score"].as_f64().unwrap() - after["score"].as_f64().unwrap();
    assert!((drop - 18.0).abs() < 0.01, "90 points × 20 % lost: {drop}");
}

#[tokio::test]
async fn the_city_ranks_its_counties_and_counties_see_only_themselves() {
    let app = spawn_app().await;
    fixture(&app, COUNTY_A, &[]).await;
    fixture(&app, COUNTY_B, &["c1", "c10"]).await;
    let oversight = app.demo(CITY, "oversight").await;
    let t = table(&app, &oversight, CITY, "county").await;
    let rows = t["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    // A: 10×(100−14.29) + 20×90 + 30×66.67 + 40×50 = 66.57; B: 10×100 + 20×90 + 30×50 + 40×50 = 63.
    assert_eq!((rows[0]["subject"].as_str(), rows[0]["score"].as_f64()), (Some(COUNTY_A), Some(66.57)));
    assert_eq!((rows[1]["subject"].as_str(), rows[1]["score"].as_f64()), (Some(COUNTY_B), Some(63.0)));
    assert_eq!((rows[0]["rank"].as_u64(), rows[1]["rank"].as_u64()), (Some(1), Some(2)));
    assert_eq!(rows[1]["name"], "玄武区");
    check(&rows[1], &[("open_at_end", json!(1)), ("overdue_at_end", json!(1))]);
    // Departments across counties, side by side.
    let d = table(&app, &oversight, CITY, "department").await;
    let names: Vec<&str> = d["rows"].as_array().unwrap().iter().filter_map(|r| r["name"].as_str()).collect();
    assert!(names.contains(&"江宁区市政设施管理处") && names.contains(&"玄武区市政设施管理处"), "{names:?}");
    // The trend of one indicator by month.
    let trend = app
        .get(
            &format!("/api/v1/tenants/{CITY}/evaluation/county/trend?indicator=closure_rate&period=month&date=2026-10-15&count=3"),
            &oversight,
        )
        .await;
    assert_eq!(trend.status, StatusCode::OK, "{}", trend.text);
    assert_eq!(trend.body["periods"].as_array().unwrap().len(), 3);
    let a = trend.body["series"].as_array().unwrap().iter().find(|s| s["subject"] == COUNTY_A).unwrap();
    assert_eq!(a["values"], json!([null, null, 66.67]));
    // Hotspots across the city.
    let h = app
        .get(&format!("/api/v1/tenants/{CITY}/recurring/hotspots?until=2026-10-20T00:00:00Z&min_count=2"), &oversight)
        .await;
    let counties: Vec<&str> =
        h.body["items"].as_array().unwrap().iter().map(|i| i["county"].as_str().unwrap()).collect();
    assert_eq!(counties, [COUNTY_A, COUNTY_B]);

    // A county sees only itself: not the city's table, not the other county's.
    let a = app.demo(COUNTY_A, "admin").await;
    for path in [
        format!("/api/v1/tenants/{CITY}/evaluation/county"),
        format!("/api/v1/tenants/{COUNTY_B}/evaluation/department"),
        format!("/api/v1/tenants/{COUNTY_B}/recurring/hotspots"),
        format!("/api/v1/tenants/{COUNTY_B}/directives"),
    ] {
        let r = app.get(&path, &a).await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{path}: {}", r.status);
    }
    // At county A, the county table has county A only.
    let own = table(&app, &a, COUNTY_A, "county").await;
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn recurring_problems_and_repeat_rates() {
    let app = spawn_app().await;
    let (p, ids) = fixture(&app, COUNTY_A, &[]).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let h = app
        .get(
            &format!("/api/v1/tenants/{COUNTY_A}/recurring/hotspots?until=2026-10-20T00:00:00Z&window_days=30"),
            &admin,
        )
        .await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text);
    let spot = &h.body["items"][0];
    // Seven real problems (the rejected and voided ones are not) in one grid, none before.
    assert_eq!(
        (spot["class_code"].as_str(), spot["count"].as_u64(), spot["trend"].as_i64()),
        (Some("06010"), Some(7), Some(7))
    );
    assert_eq!(h.body["items"].as_array().unwrap().len(), 1);
    let r = app
        .get(
            &format!("/api/v1/tenants/{COUNTY_A}/recurring/hotspots?by=radius&radius_m=50&until=2026-10-20T00:00:00Z"),
            &admin,
        )
        .await;
    assert_eq!(r.body["items"][0]["count"], 7);
    let bad =
        app.get(&format!("/api/v1/tenants/{COUNTY_A}/recurring/hotspots?min_count=1&window_days=0"), &admin).await;
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, ["min_count", "window_days"]);

    // October's closures all came back in November (c11, same class, same grid).
    let rep = app.get(&october(&format!("/api/v1/tenants/{COUNTY_A}/recurring/repeats")), &admin).await;
    let items = rep.body["items"].as_array().unwrap();
    let dept2 = items.iter().find(|i| i["department"] == p.dept2.as_str()).unwrap();
    assert_eq!(
        (dept2["closed"].as_u64(), dept2["repeated"].as_u64(), dept2["rate"].as_f64()),
        (Some(3), Some(3), Some(100.0))
    );
    assert_eq!(dept2["department_name"], "江宁区市政设施管理处");
    // Within 7 days, none: c11 came 20 days later.
    let rep = app.get(&october(&format!("/api/v1/tenants/{COUNTY_A}/recurring/repeats?within_days=7")), &admin).await;
    assert!(rep.body["items"].as_array().unwrap().iter().all(|i| i["repeated"] == 0), "{}", rep.text);
    let _ = ids;
}

#[tokio::test]
async fn directives_are_issued_answered_once_and_counted() {
    let app = spawn_app().await;
    let (p, ids) = fixture(&app, COUNTY_A, &[]).await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let path = format!("/api/v1/tenants/{COUNTY_A}/directives");
    let due = (Utc::now() + Duration::days(7)).to_rfc3339();
    let body = json!({
        "kind": "governance",
        "title": "暴露垃圾反复出现",
        "body": "建议增设垃圾收集点并调整清运频次",
        "due_at": due,
        "department_id": p.dept2,
        "pattern": {"class_code": "06010", "by": "grid", "place": "x", "cases": [ids["c1"], ids["c2"]]},
    });
    // Collectors do not issue them; bad input names its fields and stores nothing.
    let collector = app.demo(COUNTY_A, "collector").await;
    assert_eq!(app.post(&path, &collector, body.clone()).await.status, StatusCode::FORBIDDEN);
    let mut bad = body.clone();
    bad["title"] = json!(" ");
    bad["due_at"] = json!("2020-01-01T00:00:00Z");
    bad["department_id"] = json!(Uuid::nil());
    let mut fields = app.post(&path, &acceptor, bad).await.fields();
    fields.sort();
    assert_eq!(fields, ["department_id", "due_at", "title"]);
    assert_eq!(app.get(&path, &acceptor).await.body.as_array().unwrap().len(), 0);

    let r = app.post(&path, &acceptor, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    // The addressed department sees and answers it; another department neither.
    let h2 = app.demo(COUNTY_A, "handler").await;
    let h0 = app.demo(COUNTY_A, "handler0").await;
    assert_eq!(app.get(&path, &h2).await.body.as_array().unwrap().len(), 1);
    assert_eq!(app.get(&path, &h0).await.body.as_array().unwrap().len(), 0);
    let answer = json!({"response": "已增设两处收集点"});
    let r = app.post(&format!("{path}/{id}/response"), &h0, answer.clone()).await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status);
    let r = app.post(&format!("{path}/{id}/response"), &h2, answer.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["status"].as_str(), r.body["answered_on_time"].as_bool()), (Some("answered"), Some(true)));
    assert_eq!(app.post(&format!("{path}/{id}/response"), &h2, answer).await.status, StatusCode::CONFLICT);
    let r = app.post(&format!("{path}/{id}/close"), &acceptor, json!({})).await;
    assert_eq!(r.body["status"], "closed", "{}", r.text);

    // The city's supervision order on an open case: also a 督办 event of the case.
    let oversight = app.demo(CITY, "oversight").await;
    let order = json!({"kind": "city_order", "title": "请限期处置", "body": "超期未处置", "due_at": due, "case_id": ids["c10"]});
    let admin_a = app.demo(COUNTY_A, "admin").await;
    assert_eq!(
        app.post(&path, &admin_a, order.clone()).await.status,
        StatusCode::FORBIDDEN,
        "a county cannot order itself"
    );
    let r = app.post(&path, &oversight, order).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let order_id = r.body["id"].as_str().unwrap().to_owned();
    let case = app.get(&format!("/api/v1/tenants/{COUNTY_A}/cases/{}", ids["c10"]), &admin_a).await;
    assert_eq!(case.body["timeline"].as_array().unwrap().last().unwrap()["action"], "supervise");
    let r = app.post(&format!("{path}/{order_id}/response"), &acceptor, json!({"response": "已督促处置"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Only the city, its issuer, closes it.
    assert_eq!(app.post(&format!("{path}/{order_id}/close"), &acceptor, json!({})).await.status, StatusCode::FORBIDDEN);
    let r = app.post(&format!("{path}/{order_id}/close"), &oversight, json!({})).await;
    assert_eq!(r.body["status"], "closed", "{}", r.text);

    // Counted this month: the department's recommendation, the county's order.
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let month = |s: &str| format!("/api/v1/tenants/{COUNTY_A}/evaluation/{s}?period=month&date={today}");
    let d = app.get(&month("department"), &admin_a).await.body;
    check(row(&d, &p.dept2), &[("governance_received", json!(1)), ("governance_answered_on_time", json!(1))]);
    let c = app.get(&month("county"), &admin_a).await.body;
    check(row(&c, COUNTY_A), &[("city_orders", json!(1)), ("city_order_response_rate", json!(100.0))]);
    let drill = app.get(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/county/{COUNTY_A}/cases?indicator=city_orders&period=month&date={today}"), &admin_a).await;
    assert_eq!(drill.body["items"][0]["id"], order_id.as_str());
    assert_eq!(drill.body["items"][0]["kind"], "directive");
    let _ = NaiveDate::MIN;
}

#[tokio::test]
async fn tables_export_as_csv_and_xlsx_with_chinese_headers() {
    let app = spawn_app().await;
    let (p, _) = fixture(&app, COUNTY_A, &[]).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let url = |f: &str| {
        format!("{}{}", app.base, october(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/department?format={f}")))
    };
    let csv = app.client.get(url("csv")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("\u{feff}排名,编码,名称,应处置数,处置数,按期处置数"), "{header}");
    assert!(header.ends_with("综合得分,等级,区域分类"), "{header}");
    let dept2 = text.lines().find(|l| l.contains(&p.dept2)).unwrap();
    assert!(dept2.contains("江宁区市政设施管理处,5,4,2,2,80,40,40"), "{dept2}");
    let xlsx = app.client.get(url("xlsx")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.headers()["content-disposition"].to_str().unwrap().ends_with(".xlsx\""));
    let bytes = xlsx.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip archive");
    // Hotspots and repeat rates export the same way.
    let hot = app
        .get_raw(
            &format!("/api/v1/tenants/{COUNTY_A}/recurring/hotspots?until=2026-10-20T00:00:00Z&format=csv"),
            &admin,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(hot.starts_with("\u{feff}区县,小类代码,位置,经度,纬度,案件数,上期案件数,增减"), "{hot}");
    assert!(hot.lines().nth(1).unwrap().starts_with(&format!("{COUNTY_A},06010,")), "{hot}");
    let rep = app
        .client
        .get(format!("{}{}", app.base, october(&format!("/api/v1/tenants/{COUNTY_A}/recurring/repeats?format=xlsx"))))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(rep.status(), StatusCode::OK);
    assert_eq!(&rep.bytes().await.unwrap()[..2], b"PK");
}

#[tokio::test]
async fn each_case_row_keeps_the_timeline_its_event_log_gives_and_a_lost_one_is_rebuilt() {
    use sea_orm::{ConnectionTrait, EntityTrait};
    let app = spawn_app().await;
    let (_, ids) = fixture(&app, COUNTY_A, &[]).await;
    // A live case too: reported and acted on over HTTP.
    let collector = app.demo(COUNTY_A, "collector").await;
    let acceptor = app.demo(COUNTY_A, "acceptor").await;
    let g = app.get(&format!("/api/v1/tenants/{COUNTY_A}/grids?limit=1"), &collector).await;
    let b: Vec<f64> = g.body["items"][0]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let r = app
        .post(
            &format!("/api/v1/tenants/{COUNTY_A}/cases"),
            &collector,
            json!({"kind": "matter", "class_code": "06010", "description": "暴露垃圾", "lon": (b[0] + b[2]) / 2.0, "lat": (b[1] + b[3]) / 2.0}),
        )
        .await;
    let live = r.body["id"].as_str().unwrap().to_owned();
    for action in [json!({"action": "accept"}), json!({"action": "file", "class_code": "06012"})] {
        let r = app.post(&format!("/api/v1/tenants/{COUNTY_A}/cases/{live}/actions"), &acceptor, action).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let db = app.db().await;
    let all = cases::entity::case::Entity::find().all(&db).await.unwrap();
    assert_eq!(all.len(), ids.len() + 1);
    for c in &all {
        let expected = cases::timeline::from_log(&db, c.id).await.unwrap();
        assert_eq!(c.timeline.as_deref(), Some(expected.as_slice()), "case {}", c.number);
    }
    let live_row = all.iter().find(|c| c.id.to_string() == live).unwrap();
    let records = evaluation::timeline::decode(live_row.timeline.as_deref().unwrap());
    assert_eq!(
        records.iter().map(|r| r.action).collect::<Vec<_>>(),
        [workflow::Action::Report, workflow::Action::Accept, workflow::Action::File]
    );
    assert_eq!(records[2].class_code.as_deref(), Some("06012"));

    // Lost timelines (e.g. cases stored before they existed) are rebuilt from the log at start-up,
    // and evaluation gives the same numbers.
    let admin = app.demo(COUNTY_A, "admin").await;
    let before = table(&app, &admin, COUNTY_A, "department").await["rows"].clone();
    db.execute_unprepared("UPDATE cases SET timeline = NULL").await.unwrap();
    assert_eq!(cases::timeline::backfill(&db).await.unwrap(), ids.len() + 1);
    assert_eq!(table(&app, &admin, COUNTY_A, "department").await["rows"], before);
}

#[tokio::test]
async fn a_deadline_still_ahead_is_not_overdue_in_a_period_that_has_not_ended() {
    let app = spawn_app().await;
    let p = people(&app, COUNTY_A).await;
    let now = Utc::now();
    let ago = |minutes: i64| now - Duration::minutes(minutes);
    // Dispatched four hours ago and extended by 24 working hours: its deadline is days away.
    let steps: Steps = vec![
        (ago(350), p.acceptor.clone(), Command::Accept),
        (ago(340), p.acceptor.clone(), Command::File { class_code: "06010".into(), condition: None }),
        (ago(240), p.dispatcher.clone(), Command::Dispatch { department: p.dept2.clone() }),
        (ago(180), p.h2.clone(), Command::RequestExtension { hours: 24.0, reason: "需协调".into() }),
        (ago(120), p.dispatcher.clone(), Command::ApproveExtension),
    ];
    let id = write_case(&app, COUNTY_A, &p, ago(360), steps).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let case = app.get(&format!("/api/v1/tenants/{COUNTY_A}/cases/{id}"), &admin).await;
    let deadline: DateTime<Utc> = case.body["deadline"].as_str().unwrap().parse().unwrap();
    assert!(deadline > now + Duration::hours(12), "the extended deadline is days away: {deadline}");

    let tz = chrono_tz::Asia::Shanghai;
    let today = now.with_timezone(&tz).date_naive();
    // A range that has not ended and holds the deadline; and the current month when the deadline
    // falls in it (it does unless today is one of the month's last days).
    let mut periods =
        vec![format!("period=range&date={}&to={}", today - Duration::days(1), today + Duration::days(30))];
    let next_month = NaiveDate::from_ymd_opt(
        if today.month() == 12 { today.year() + 1 } else { today.year() },
        today.month() % 12 + 1,
        1,
    )
    .unwrap();
    let month_end = tz.from_local_datetime(&next_month.and_hms_opt(0, 0, 0).unwrap()).unwrap().with_timezone(&Utc);
    if deadline < month_end {
        periods.push(format!("period=month&date={today}"));
    }
    for q in &periods {
        let county = app.get(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/county?{q}"), &admin).await;
        assert_eq!(county.status, StatusCode::OK, "{}", county.text);
        check(row(&county.body, COUNTY_A), &[("open_at_end", json!(1)), ("overdue_at_end", json!(0))]);
        let d = app.get(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/department?{q}"), &admin).await.body;
        for key in ["due_for_disposal", "pending_overdue", "due_for_closure"] {
            assert_eq!(value_of(&d, &p.dept2, key), json!(0), "{key} ({q}): not due before its deadline");
        }
    }
}

#[tokio::test]
async fn every_county_appears_in_the_city_tables_and_rows_name_their_county_and_grid() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let (p, _) = fixture(&app, COUNTY_A, &["c1", "c10"]).await;
    let oversight = app.demo(CITY, "oversight").await;
    // County B has no case: it still has its row, with zeros (and no rate without a base).
    let t = table(&app, &oversight, CITY, "county").await;
    assert_eq!(t["rows"].as_array().unwrap().len(), 2, "{t}");
    let b = row(&t, COUNTY_B);
    check(
        b,
        &[
            ("filed", json!(0)),
            ("due_for_closure", json!(0)),
            ("closed", json!(0)),
            ("open_at_end", json!(0)),
            ("closure_rate", Value::Null),
        ],
    );
    assert_eq!((b["name"].as_str(), b["county"].as_str()), (Some("玄武区"), Some(COUNTY_B)));
    check(row(&t, COUNTY_A), &[("filed", json!(2)), ("open_at_end", json!(1))]);

    // Department and position rows of the city's tables name their county.
    let d = table(&app, &oversight, CITY, "department").await;
    let dept2 = row(&d, &p.dept2);
    assert_eq!((dept2["county"].as_str(), dept2["county_name"].as_str()), (Some(COUNTY_A), Some("江宁区")));
    for subject in ["department", "collector", "acceptor", "shift_leader", "dispatcher"] {
        let t = table(&app, &oversight, CITY, subject).await;
        let rows = t["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "{subject}: {t}");
        for r in rows {
            assert_eq!((r["county"].as_str(), r["county_name"].as_str()), (Some(COUNTY_A), Some("江宁区")), "{r}");
        }
    }
    // The export names the county too.
    let csv = app
        .client
        .get(format!("{}{}", app.base, october(&format!("/api/v1/tenants/{CITY}/evaluation/department?format=csv"))))
        .bearer_auth(&oversight)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("\u{feff}排名,编码,名称,区县编码,区县,应处置数"), "{csv}");
    assert!(csv.contains(&format!("{},江宁区市政设施管理处,{COUNTY_A},江宁区,", p.dept2)), "{csv}");

    // Grid rows carry the grid's name: the community's name and serial when the grid has none…
    let g = table(&app, &oversight, CITY, "grid").await;
    let grid = g["rows"][0].clone();
    let code = grid["subject"].as_str().unwrap().to_owned();
    let communities = table(&app, &oversight, CITY, "community").await;
    let community = communities["rows"][0]["name"].as_str().unwrap().to_owned();
    assert_eq!(grid["name"].as_str(), Some(format!("{community}{}号网格", &code[12..]).as_str()), "{grid}");
    // …and its own name when it has one.
    let db = app.db().await;
    db.execute_unprepared(&format!("UPDATE unit_grids SET name = '菜市场北侧网格' WHERE code = '{code}'"))
        .await
        .unwrap();
    let g = table(&app, &oversight, CITY, "grid").await;
    assert_eq!(g["rows"][0]["name"], "菜市场北侧网格");
    let own = table(&app, &app.demo(COUNTY_A, "admin").await, COUNTY_A, "grid").await;
    assert_eq!(own["rows"][0]["name"], "菜市场北侧网格");
}

#[tokio::test]
async fn late_suspensions_and_reworks_settle_once_and_the_days_add_up_to_the_month() {
    let app = spawn_app().await;
    let (p, ids) = fixture(&app, COUNTY_A, &["c2", "c6", "c8"]).await;
    // s1: dispatched at 09:30 on the 13th (deadline 15:00); its suspension is approved at 16:10,
    // after the deadline had passed, and it is never resumed.
    let steps: Steps = vec![
        (at(13, 9, 10), p.acceptor.clone(), Command::Accept),
        (at(13, 9, 20), p.acceptor.clone(), Command::File { class_code: "06010".into(), condition: None }),
        (at(13, 9, 30), p.dispatcher.clone(), Command::Dispatch { department: p.dept2.clone() }),
        (at(13, 16, 0), p.h2.clone(), Command::RequestSuspension { reason: "列入工程计划".into() }),
        (at(13, 16, 10), p.dispatcher.clone(), Command::ApproveSuspension),
    ];
    let s1 = write_case(&app, COUNTY_A, &p, at(13, 9, 0), steps).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let dept = |q: String| {
        let (app, admin) = (&app, &admin);
        async move {
            let r = app.get(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/department?{q}"), admin).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.body
        }
    };
    let month = dept("period=month&date=2026-10-15".into()).await;
    // s1 was late before its suspension: due and overdue, for disposal and for closure. c2's two
    // disposals (the rework inherits a deadline that had passed) are due; c6, suspended in time,
    // leaves the disposal counts but stays due for closure.
    check(
        row(&month, &p.dept2),
        &[
            ("due_for_disposal", json!(3)),
            ("disposed_late", json!(2)),
            ("pending_overdue", json!(1)),
            ("due_for_closure", json!(3)),
            ("closed", json!(1)),
        ],
    );
    let pending = app
        .get(
            &october(&format!(
                "/api/v1/tenants/{COUNTY_A}/evaluation/department/{}/cases?indicator=pending_overdue",
                p.dept2
            )),
            &admin,
        )
        .await;
    assert_eq!(pending.body["items"][0]["id"], s1.as_str(), "{}", pending.text);

    // The days add up to the month: every disposal and every closure settles in exactly one day.
    let additive = ["due_for_disposal", "disposed_on_time", "due_for_closure", "reworks"];
    let mut days: HashMap<&str, i64> = HashMap::new();
    let mut late_or_pending = 0;
    for d in 1..=31 {
        let t = dept(format!("period=day&date=2026-10-{d:02}")).await;
        for k in additive {
            *days.entry(k).or_default() += value_of(&t, &p.dept2, k).as_i64().unwrap();
        }
        // 超期处置 and 超期待处置 are as known at each period's end; their sum adds up.
        late_or_pending += value_of(&t, &p.dept2, "disposed_late").as_i64().unwrap()
            + value_of(&t, &p.dept2, "pending_overdue").as_i64().unwrap();
        if d == 14 {
            // The 14th holds c2's rework: it settled at the failed check, its deadline long past.
            check(row(&t, &p.dept2), &[("due_for_disposal", json!(1)), ("disposed_late", json!(1))]);
        }
    }
    for k in additive {
        assert_eq!(json!(days[k]), row(&month, &p.dept2)["indicators"][k], "{k}: the days' sum against the month");
    }
    assert_eq!(late_or_pending, 3);

    // suspended_leave_closure=true takes c6 (suspended in time) out of 应结案数, not s1 (already
    // late when suspended). self_handled_valid=true makes c8 (自处置) an 有效上报.
    let path = format!("/api/v1/tenants/{COUNTY_A}/evaluation/scheme");
    let collectors = table(&app, &admin, COUNTY_A, "collector").await;
    check(row(&collectors, &p.collector.user), &[("reports", json!(4)), ("valid_reports", json!(3))]);
    let mut scheme = app.get(&path, &admin).await.body["scheme"].clone();
    scheme["options"]["suspended_leave_closure"] = json!(true);
    scheme["options"]["self_handled_valid"] = json!(true);
    assert_eq!(app.put(&path, &admin, scheme).await.status, StatusCode::OK);
    let month = dept("period=month&date=2026-10-15".into()).await;
    check(row(&month, &p.dept2), &[("due_for_disposal", json!(3)), ("due_for_closure", json!(2))]);
    let collectors = table(&app, &admin, COUNTY_A, "collector").await;
    check(row(&collectors, &p.collector.user), &[("valid_reports", json!(4)), ("self_handled", json!(1))]);
    let _ = ids;
}

#[tokio::test]
async fn drill_down_shows_the_deadline_used_and_the_scheme_names_its_choices() {
    let app = spawn_app().await;
    let p = people(&app, COUNTY_A).await;
    let front = |dept: &str| -> Steps {
        vec![
            (at(13, 9, 10), p.acceptor.clone(), Command::Accept),
            (at(13, 9, 20), p.acceptor.clone(), Command::File { class_code: "06010".into(), condition: None }),
            (at(13, 9, 30), p.dispatcher.clone(), Command::Dispatch { department: dept.to_owned() }),
        ]
    };
    // e1: extended by 8 working hours, never handled (超期待处置 against the extended deadline).
    let mut steps = front(&p.dept2);
    steps.extend([
        (at(13, 10, 0), p.h2.clone(), Command::RequestExtension { hours: 8.0, reason: "需协调".into() }),
        (at(13, 10, 10), p.dispatcher.clone(), Command::ApproveExtension),
    ]);
    let e1 = write_case(&app, COUNTY_A, &p, at(13, 9, 0), steps).await;
    // e2: handled on time by department 0, never sent to check.
    let mut steps = front(&p.dept0);
    steps.push((at(13, 11, 0), p.h0.clone(), Command::Handle { note: "已处置".into(), photos: vec![] }));
    write_case(&app, COUNTY_A, &p, at(13, 9, 0), steps).await;
    // e3: suspended for a day, resumed, handled within its moved deadline, never sent to check.
    let mut steps = front(&p.dept2);
    steps.extend([
        (at(13, 10, 0), p.h2.clone(), Command::RequestSuspension { reason: "列入工程计划".into() }),
        (at(13, 10, 10), p.dispatcher.clone(), Command::ApproveSuspension),
        (at(14, 10, 10), p.dispatcher.clone(), Command::Resume),
        (at(14, 11, 10), p.h2.clone(), Command::Handle { note: "已处置".into(), photos: vec![] }),
    ]);
    write_case(&app, COUNTY_A, &p, at(13, 9, 0), steps).await;
    let admin = app.demo(COUNTY_A, "admin").await;

    // The drill-down of 超期待处置 gives the deadline it was judged against: the extended one, not
    // the dispatch's.
    let drill = |subject: &str, id: &str, indicator: &str| {
        october(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/{subject}/{id}/cases?indicator={indicator}"))
    };
    let pending = app.get(&drill("department", &p.dept2, "pending_overdue"), &admin).await;
    assert_eq!(pending.status, StatusCode::OK, "{}", pending.text);
    let items = pending.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", pending.text);
    assert_eq!(items[0]["id"], e1.as_str());
    let case = app.get(&format!("/api/v1/tenants/{COUNTY_A}/cases/{e1}"), &admin).await;
    let extended: DateTime<Utc> = case.body["deadline"].as_str().unwrap().parse().unwrap();
    let used: DateTime<Utc> = items[0]["deadline"].as_str().unwrap().parse().unwrap();
    let dispatched: DateTime<Utc> = items[0]["events"][0]["due"].as_str().unwrap().parse().unwrap();
    assert_eq!(items[0]["events"][0]["action"], "dispatch");
    assert_eq!(used, extended);
    assert!(used > dispatched, "the extension moved it: {used} after {dispatched}");
    let overdue = app.get(&drill("county", COUNTY_A, "overdue_at_end"), &admin).await;
    let e1_item = overdue.body["items"].as_array().unwrap().iter().find(|i| i["id"] == e1.as_str()).unwrap().clone();
    assert_eq!(e1_item["deadline"].as_str().map(|d| d.parse::<DateTime<Utc>>().unwrap()), Some(extended));

    // The scheme names its choices; by default 超期未结 follows each case's current stage (e2 and
    // e3 wait for their checks past that stage's deadline) and 平均处置时长 leaves out suspended time.
    let path = format!("/api/v1/tenants/{COUNTY_A}/evaluation/scheme");
    let mut scheme = app.get(&path, &admin).await.body["scheme"].clone();
    assert_eq!(
        (scheme["options"]["overdue_open_by"].as_str(), scheme["options"]["disposal_hours"].as_str()),
        (Some("stage"), Some("excluding_suspended"))
    );
    let county = table(&app, &admin, COUNTY_A, "county").await;
    check(row(&county, COUNTY_A), &[("open_at_end", json!(3)), ("overdue_at_end", json!(3))]);
    let d = table(&app, &admin, COUNTY_A, "department").await;
    // e3: 25 h 40 min from dispatch to handling, 24 h of it suspended.
    check(row(&d, &p.dept2), &[("avg_disposal_hours", json!(1.67))]);
    // By the disposal deadline only e1 is overdue (e2 and e3 were handled in time); with elapsed
    // time, e3's suspension counts.
    scheme["options"]["overdue_open_by"] = json!("disposal");
    scheme["options"]["disposal_hours"] = json!("elapsed");
    assert_eq!(app.put(&path, &admin, scheme).await.status, StatusCode::OK);
    let county = table(&app, &admin, COUNTY_A, "county").await;
    check(row(&county, COUNTY_A), &[("open_at_end", json!(3)), ("overdue_at_end", json!(1))]);
    let d = table(&app, &admin, COUNTY_A, "department").await;
    check(row(&d, &p.dept2), &[("avg_disposal_hours", json!(25.67))]);
    let bad = app
        .put(&path, &admin, {
            let mut s = app.get(&path, &admin).await.body["scheme"].clone();
            s["options"]["overdue_open_by"] = json!("whenever");
            s
        })
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
}

#[tokio::test]
async fn a_candidate_scheme_is_previewed_beside_the_one_in_force_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (p, _) = fixture(&app, COUNTY_A, &[]).await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let scheme_path = format!("/api/v1/tenants/{COUNTY_A}/evaluation/scheme");
    let mut candidate = app.get(&scheme_path, &admin).await.body["scheme"].clone();
    candidate["options"]["rework_rate_base"] = json!("filed");
    candidate["options"]["on_time_closure_base"] = json!("closed");
    let path = october(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/department/preview"));
    let r = app.post(&path, &admin, candidate.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The candidate's numbers are those the same scheme gives once stored (see the test above),
    // and the current table is the one in force.
    check(row(&r.body["candidate"], &p.dept2), &[("rework_rate", json!(20.0)), ("on_time_closure_rate", json!(66.67))]);
    assert_eq!(row(&r.body["candidate"], &p.dept2)["score"].as_f64(), Some(64.0));
    let in_force = table(&app, &admin, COUNTY_A, "department").await;
    assert_eq!(row(&r.body["current"], &p.dept2)["score"], row(&in_force, &p.dept2)["score"]);
    assert_eq!(row(&r.body["current"], &p.dept2)["indicators"], row(&in_force, &p.dept2)["indicators"]);
    assert_eq!(row(&r.body["current"], &p.dept2)["grade"], row(&in_force, &p.dept2)["grade"]);

    // A stricter grading moves the department's grade in the candidate only.
    let mut strict = candidate.clone();
    strict["grades"] = json!([{"grade": "优", "min": 99.0}, {"grade": "差", "min": 0.0}]);
    let r = app.post(&path, &admin, strict).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(row(&r.body["candidate"], &p.dept2)["grade"], "差");
    assert_ne!(row(&r.body["current"], &p.dept2)["grade"], "差");
    // Nothing was stored.
    assert_eq!(app.get(&scheme_path, &admin).await.body["source"], "default");

    // A bad candidate is refused field by field, like a PUT.
    let mut bad = candidate.clone();
    bad["weights"]["department"][0]["weight"] = json!(50.0);
    let r = app.post(&path, &admin, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.fields().iter().any(|f| f == "weights.department"), "{:?}", r.fields());
    let r = app
        .post(&october(&format!("/api/v1/tenants/{COUNTY_A}/evaluation/nothing/preview")), &admin, candidate.clone())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another county's staff preview nothing of county A.
    let other = app.demo(COUNTY_B, "admin").await;
    let r = app.post(&path, &other, candidate).await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status);
    assert!(r.body.get("candidate").is_none());
}
