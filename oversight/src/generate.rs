//! A generator of realistic case histories for a county (the demo's history and the evaluation
//! benchmark): reports from collectors and the public spread over the unit grids and the period,
//! and a mix of the main path and every special path, with durations that are mostly on time and
//! sometimes late. Deterministic for a seed. Steps after `until` are not taken, so the newest
//! cases stay open where they would be.

use chrono::{DateTime, Duration, Utc};
use inventory::catalog::Kind;
use inventory::grid_cache::GridEntry;
use kernel::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{DatabaseConnection, FromQueryResult};
use uuid::Uuid;
use workflow::{Actor, Command, Source};

use crate::sql::all;
use cases::history::Scripted;

/// The people of a county who act in the generated histories.
#[derive(Debug, Clone, Default)]
pub struct Staff {
    pub collectors: Vec<Uuid>,
    pub centre: Vec<Uuid>,
    pub dispatchers: Vec<Uuid>,
    /// (member, department).
    pub handlers: Vec<(Uuid, Uuid)>,
}

/// A point inside a unit grid.
#[derive(Debug, Clone)]
pub struct Place {
    pub entry: GridEntry,
    pub lon: f64,
    pub lat: f64,
}

#[derive(FromQueryResult)]
struct GridRow {
    code: String,
    street_code: String,
    community_code: String,
    duty_grid_id: Option<Uuid>,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
}

/// The staff of a county, from its users' roles.
pub async fn staff(db: &DatabaseConnection, tenant: &tenancy::TenantRef) -> Result<Staff> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use tenancy::TenantOwned;
    use tenancy::db::OrInternal;
    use tenancy::entity::{casbin_rule, user};
    let users = user::Entity::find_in(tenant).order_by_asc(user::Column::Username).all(db).await.or_internal()?;
    let grants = casbin_rule::Entity::find()
        .filter(casbin_rule::Column::Ptype.eq("g"))
        .filter(casbin_rule::Column::V2.eq(tenant.code().to_string()))
        .all(db)
        .await
        .or_internal()?;
    let mut s = Staff::default();
    for u in users {
        let subject = format!("user:{}", u.id);
        for g in grants.iter().filter(|g| g.v0 == subject) {
            match (g.v1.as_str(), u.department_id) {
                ("collector", _) => s.collectors.push(u.id),
                ("supervision-center", _) => s.centre.push(u.id),
                ("command-center", _) => s.dispatchers.push(u.id),
                ("department", Some(d)) => s.handlers.push((u.id, d)),
                _ => {}
            }
        }
    }
    Ok(s)
}

/// Points in every unit grid of a county.
pub async fn places(db: &DatabaseConnection, tenant: &tenancy::TenantRef) -> Result<Vec<Place>> {
    let rows: Vec<GridRow> = all(
        db,
        "SELECT code, street_code, community_code, duty_grid_id, min_lon, min_lat, max_lon, max_lat \
         FROM unit_grids WHERE tenant_id = $1 ORDER BY code",
        vec![tenant.id().0.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|g| Place {
            lon: (g.min_lon + g.max_lon) / 2.0,
            lat: (g.min_lat + g.max_lat) / 2.0,
            entry: GridEntry {
                code: g.code,
                name: None,
                street_code: g.street_code,
                community_code: g.community_code,
                duty_grid_id: g.duty_grid_id,
            },
        })
        .collect())
}

/// Common classes of the demo, with whether each is a component (部件) class.
pub const CLASSES: [(&str, Kind); 8] = [
    ("06010", Kind::Matter),
    ("06011", Kind::Matter),
    ("06012", Kind::Matter),
    ("09009", Kind::Matter),
    ("06001", Kind::Matter),
    ("01001", Kind::Component),
    ("01005", Kind::Component),
    ("04001", Kind::Component),
];

fn actor(user: Uuid, role: &str, department: Option<Uuid>) -> Actor {
    Actor {
        user: user.to_string(),
        roles: vec![role.to_owned()],
        department: department.map(|d| d.to_string()),
        from_city: false,
        system: false,
    }
}

fn minutes(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> Duration {
    Duration::minutes(rng.random_range(lo..=hi))
}

/// One generated history reported at `at`.
pub fn script(rng: &mut ChaCha8Rng, staff: &Staff, places: &[Place], at: DateTime<Utc>) -> Option<Scripted> {
    // Problems cluster: a quarter of reports come from one grid in fifty, each with its own
    // recurring class (a market's rubbish, a junction's parking), the rest from anywhere.
    let hot = (places.len() / 50).max(1);
    let (index, hot_class) = if rng.random_range(0..100) < 25 {
        let i = rng.random_range(0..hot);
        (i * 50 % places.len().max(1), Some(CLASSES[i % CLASSES.len()]))
    } else {
        (rng.random_range(0..places.len().max(1)), None)
    };
    let place = places.get(index)?.clone();
    let pick = |rng: &mut ChaCha8Rng, v: &[Uuid]| v.get(rng.random_range(0..v.len().max(1))).copied();
    let collector = pick(rng, &staff.collectors)?;
    let centre = pick(rng, &staff.centre)?;
    let dispatcher = pick(rng, &staff.dispatchers)?;
    let handler = |rng: &mut ChaCha8Rng| staff.handlers.get(rng.random_range(0..staff.handlers.len().max(1))).copied();
    let (class, kind) = hot_class.unwrap_or_else(|| CLASSES[rng.random_range(0..CLASSES.len())]);
    let roll = rng.random_range(0..100);
    let source = match roll {
        0..80 => Source::Patrol,
        80..92 => Source::Public,
        92..97 => Source::Hotline,
        _ => Source::ThirdParty,
    };
    let c = actor(collector, "collector", None);
    let sc = actor(centre, "supervision-center", None);
    let cc = actor(dispatcher, "command-center", None);
    let mut t = at;
    let mut steps: Vec<(DateTime<Utc>, Actor, Command)> = Vec::new();
    let mut step = |t: &mut DateTime<Utc>, d: Duration, who: &Actor, cmd: Command| {
        *t += d;
        steps.push((*t, who.clone(), cmd));
    };
    let self_handled = source == Source::Patrol && rng.random_range(0..100) < 5;
    let (reporter, role) = match source {
        Source::Patrol => (Some(collector), "collector"),
        Source::Hotline => (Some(centre), "supervision-center"),
        _ => (None, "public"),
    };
    let done = |steps: Vec<(DateTime<Utc>, Actor, Command)>| {
        Some(Scripted {
            reporter,
            reporter_role: role.into(),
            source,
            kind,
            class_code: class.into(),
            description: "生成的历史案件".into(),
            lon: place.lon,
            lat: place.lat,
            place: place.entry.clone(),
            self_handled,
            at,
            steps,
        })
    };
    if self_handled {
        step(&mut t, minutes(rng, 10, 90), &sc, Command::Close);
        return done(steps);
    }
    // 受理 (or 核实 first for reports not found on patrol).
    if source.needs_verification() {
        step(&mut t, minutes(rng, 5, 40), &sc, Command::SendVerification);
        let found = rng.random_range(0..100) < 90;
        step(&mut t, minutes(rng, 15, 90), &c, Command::Verify { found, note: None, photos: vec![] });
        if !found {
            return done(steps);
        }
    } else if rng.random_range(0..100) < 4 {
        step(&mut t, minutes(rng, 5, 40), &sc, Command::Reject { reason: "不属于受理范围".into() });
        return done(steps);
    } else {
        step(&mut t, minutes(rng, 3, 45), &sc, Command::Accept);
    }
    // 立案.
    match rng.random_range(0..100) {
        0..2 => {
            step(&mut t, minutes(rng, 5, 30), &sc, Command::Reject { reason: "不符合立案条件".into() });
            return done(steps);
        }
        _ => step(&mut t, minutes(rng, 5, 40), &sc, Command::File { class_code: class.into(), condition: None }),
    }
    // 派遣, or a department's 主动认领, or 作废.
    let r = rng.random_range(0..100);
    if r < 1 {
        let other = actor(pick(rng, &staff.dispatchers).unwrap_or(dispatcher), "command-center", None);
        step(&mut t, minutes(rng, 5, 20), &other, Command::RequestVoid { reason: "重复上报".into() });
        step(&mut t, minutes(rng, 5, 30), &sc, Command::ApproveVoid);
        return done(steps);
    }
    let (mut member, mut dept) = handler(rng)?;
    if r < 9 {
        step(&mut t, minutes(rng, 5, 25), &actor(member, "department", Some(dept)), Command::Claim);
    } else {
        step(&mut t, minutes(rng, 3, 40), &cc, Command::Dispatch { department: dept.to_string() });
    }
    // Special paths while with the department.
    let path = rng.random_range(0..100);
    if path < 5 {
        let h = actor(member, "department", Some(dept));
        step(&mut t, minutes(rng, 20, 120), &h, Command::RequestReturn { reason: "不属于本部门职责".into() });
        step(&mut t, minutes(rng, 10, 60), &cc, Command::ApproveReturn);
        (member, dept) = handler(rng)?;
        step(&mut t, minutes(rng, 5, 30), &cc, Command::Dispatch { department: dept.to_string() });
    }
    let h = actor(member, "department", Some(dept));
    if (5..11).contains(&path) {
        step(&mut t, minutes(rng, 60, 240), &h, Command::RequestExtension { hours: 8.0, reason: "需协调施工".into() });
        step(&mut t, minutes(rng, 10, 60), &cc, Command::ApproveExtension);
    }
    if (11..13).contains(&path) {
        step(&mut t, minutes(rng, 60, 240), &h, Command::RequestSuspension { reason: "需列入工程计划".into() });
        step(&mut t, minutes(rng, 10, 60), &cc, Command::ApproveSuspension);
        step(&mut t, Duration::days(rng.random_range(3..20)), &cc, Command::Resume);
    }
    if (13..16).contains(&path) {
        let due = t + Duration::hours(30);
        step(&mut t, minutes(rng, 30, 300), &cc, Command::Supervise { note: "请加快处置".into(), due });
    }
    // 处置: mostly within hours; about one in eight takes days.
    let late = rng.random_range(0..100) < 12;
    let took = if late { Duration::hours(rng.random_range(30..120)) } else { minutes(rng, 40, 300) };
    step(&mut t, took, &h, Command::Handle { note: "已处置".into(), photos: Vec::new() });
    // 核查, with 返工 now and then.
    step(&mut t, minutes(rng, 5, 40), &sc, Command::SendCheck);
    if rng.random_range(0..100) < 7 {
        step(
            &mut t,
            minutes(rng, 20, 120),
            &c,
            Command::Check { passed: false, note: Some("未处置到位".into()), photos: vec![] },
        );
        step(&mut t, minutes(rng, 60, 360), &h, Command::Handle { note: "返工完成".into(), photos: Vec::new() });
        step(&mut t, minutes(rng, 5, 40), &sc, Command::SendCheck);
    }
    step(&mut t, minutes(rng, 20, 120), &c, Command::Check { passed: true, note: None, photos: vec![] });
    step(&mut t, minutes(rng, 5, 40), &sc, Command::Close);
    if source != Source::Patrol && rng.random_range(0..100) < 60 {
        let satisfaction = rng.random_range(3..=5);
        step(&mut t, Duration::hours(rng.random_range(4..48)), &sc, Command::Callback { satisfaction, note: None });
    }
    done(steps)
}

/// Generates `count` histories reported between `from` and `until` (steps after `until` are
/// left out: those cases are still open).
pub fn scripts(
    seed: u64,
    staff: &Staff,
    places: &[Place],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    count: usize,
) -> Vec<Scripted> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let span = (until - from).num_seconds().max(1);
    // Reports arrive in time order, as they do in life (and as rows are then laid out on disk).
    let mut times: Vec<i64> = (0..count).map(|_| rng.random_range(0..span)).collect();
    times.sort_unstable();
    let mut out = Vec::with_capacity(count);
    for offset in times {
        let at = chrono::SubsecRound::trunc_subsecs(from + Duration::seconds(offset), 0);
        if let Some(mut s) = script(&mut rng, staff, places, at) {
            s.steps.retain(|(t, _, _)| *t < until);
            // A step after one that was cut would be out of order: keep the prefix.
            out.push(s);
        }
    }
    out
}

/// Writes `count` generated histories for the county, in batches.
pub async fn seed_county(
    db: &DatabaseConnection,
    tenant: &tenancy::TenantRef,
    seed: u64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    count: usize,
) -> Result<usize> {
    let staff = staff(db, tenant).await?;
    let places = places(db, tenant).await?;
    if staff.collectors.is_empty() || staff.handlers.is_empty() || places.is_empty() {
        return Ok(0);
    }
    let all = scripts(seed, &staff, &places, from, until, count);
    let mut written = 0;
    for chunk in all.chunks(2000) {
        written += cases::history::write(db, tenant, chunk).await?.len();
    }
    Ok(written)
}

/// The demo's history: for each demo county without cases, `per_county` cases over the `days`
/// before `until`. Returns how many were written.
pub async fn seed_demo(
    db: &DatabaseConnection,
    counties: &[(&str, &str)],
    per_county: usize,
    days: i64,
    until: DateTime<Utc>,
) -> Result<usize> {
    use tenancy::TenantOwned;
    use tenancy::db::OrInternal;
    let mut written = 0;
    for (i, &(code, _)) in counties.iter().enumerate() {
        // The demo seed writes histories without a caller: its own named system scope.
        let Some(system) = tenancy::SystemScope::by_code(db, tenancy::Job::DemoSeed, code).await? else { continue };
        let tenant = system.tenant().clone();
        if tenancy::demo::stage::done(db, "history", code).await? {
            continue;
        }
        let any = cases::entity::case::Entity::find_in(&system).one(db).await.or_internal()?;
        if any.is_some() {
            // Begun but not finished: the county's demo history is written afresh.
            eprintln!("demo history of {code} was interrupted; generating it again");
            tenancy::demo::stage::wipe(db, &system, &["case_events", "cases", "case_number_counters"]).await?;
        }
        written += seed_county(db, &tenant, 2026 + i as u64, until - Duration::days(days), until, per_county).await?;
        tenancy::demo::stage::mark_done(db, "history", code).await?;
    }
    Ok(written)
}
