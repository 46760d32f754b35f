//! The demo frame of `serve --demo`: for each demo county, real streets and communities (from
//! the 2023 division codes) laid out as a synthetic tiling of ~100 m unit grids without gaps,
//! one duty grid per street patrolled by the county's demo collector, and components of common
//! classes scattered over the grids. Deterministic: the same seed gives the same frame.

use chrono::NaiveDate;
use kernel::Result;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use spatial::codes::GridCode;
use spatial::synth::{self, FrameSpec, SynthGrid};
use std::collections::HashMap;
use uuid::Uuid;

use crate::census::store::{Author, upsert_batch};
use crate::census::validate::ValidComponent;
use crate::db::OrInternal;
use crate::divisions;
use crate::entity::{duty_grid, duty_grid_collector, unit_grid};
use crate::grid_cache::version_key;
use crate::grids::{ValidGrid, write_grids};
use tenancy::{Job, SystemScope, TenantOwned};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub streets: usize,
    pub communities_per_street: usize,
    pub grids_per_community: usize,
    pub components: usize,
}

impl Scale {
    /// The product demo: a few thousand grids and tens of thousands of components per county.
    pub const FULL: Scale =
        Scale { streets: 6, communities_per_street: 8, grids_per_community: 40, components: 20_000 };
    /// Small enough for every test to start with a frame.
    pub const SMALL: Scale = Scale { streets: 2, communities_per_street: 2, grids_per_community: 4, components: 60 };
}

/// Where each demo county's frame starts (its north-west corner, WGS84).
fn origin(county: &str) -> (f64, f64) {
    match county {
        "320102" => (118.770, 32.090),
        _ => (118.790, 31.980),
    }
}

/// Common component classes of the demo census, and the demo department (index into
/// `tenancy::demo::DEPARTMENTS`) in charge of each major class.
const CLASSES: [&str; 16] = [
    "01001", "01002", "01003", "01004", "01005", "01006", "01007", "01011", "01037", "02012", "02014", "02017",
    "03001", "03005", "04002", "04013",
];

fn department_for(class: &str) -> usize {
    match &class[..2] {
        "01" => 2, // 市政设施管理处
        "04" => 3, // 园林绿化管理处
        _ => 0,    // 城市管理局
    }
}

/// Seeds the demo frame of every demo county that has no grids yet.
pub async fn seed(db: &DatabaseConnection, scale: Scale) -> Result<()> {
    seed_counties(db, scale, &tenancy::demo::COUNTIES).await
}

const FRAME_STAGE: &str = "frame";
/// What a county's demo frame writes, children first.
pub const FRAME_TABLES: &[&str] =
    &["component_history", "components", "duty_grid_collectors", "unit_grids", "duty_grids", "communities", "streets"];

/// Seeds the frame of each of `counties` (existing tenants) whose frame is not complete.
pub async fn seed_counties(db: &DatabaseConnection, scale: Scale, counties: &[(&str, &str)]) -> Result<()> {
    for &(code, name) in counties {
        // The seed acts in the demo counties without a caller: its own named system scope.
        let Some(tenant) = SystemScope::by_code(db, Job::DemoSeed, code).await? else {
            continue;
        };
        if tenancy::demo::stage::done(db, FRAME_STAGE, code).await? {
            continue;
        }
        let has_grids = unit_grid::Entity::find_in(&tenant).one(db).await.or_internal()?;
        if has_grids.is_some() {
            // Begun but not finished: start the county's frame afresh.
            tracing::warn!(county = code, "an interrupted demo frame is seeded again");
            tenancy::demo::stage::wipe(db, &tenant, FRAME_TABLES).await?;
        }
        seed_county(db, &tenant, code, name, scale).await?;
        tenancy::demo::stage::mark_done(db, FRAME_STAGE, code).await?;
    }
    Ok(())
}

fn spec(county: &str, scale: Scale) -> FrameSpec {
    let (lon, lat) = origin(county);
    let mut spec = FrameSpec::numbered(
        county,
        (lon, lat),
        100.0,
        scale.streets,
        scale.communities_per_street,
        scale.grids_per_community,
    );
    // Real streets and communities where the division list has them.
    let streets: Vec<_> = divisions::streets_of(county).into_iter().take(scale.streets).collect();
    if streets.len() == scale.streets {
        spec.streets = streets.iter().map(|(c, n)| (c.to_string(), n.to_string())).collect();
        spec.communities.clear();
        for (street, street_name) in &streets {
            let mut real: Vec<(String, String, String)> = divisions::communities_of(street)
                .into_iter()
                .take(scale.communities_per_street)
                .map(|(c, n)| (c.to_string(), n.to_string(), street.to_string()))
                .collect();
            for i in real.len()..scale.communities_per_street {
                real.push((
                    format!("{street}{:03}", 900 + i),
                    format!("{street_name}第{}社区", i + 1),
                    street.to_string(),
                ));
            }
            spec.communities.extend(real);
        }
    }
    spec
}

async fn seed_county(
    db: &DatabaseConnection,
    scope: &SystemScope,
    code: &str,
    county_name: &str,
    scale: Scale,
) -> Result<()> {
    let tenant = scope.tenant().id().0;
    let started = std::time::Instant::now();
    let spec = spec(code, scale);
    let grids = synth::frame(&spec);
    let street_names: HashMap<&str, &str> = spec.streets.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
    let community_names: HashMap<&str, &str> =
        spec.communities.iter().map(|(c, n, _)| (c.as_str(), n.as_str())).collect();
    let valid: Vec<ValidGrid> = grids
        .iter()
        .filter_map(|g| {
            Some(ValidGrid {
                code: GridCode::parse(&g.code).ok()?,
                legacy: None,
                name: None,
                street_name: street_names.get(g.street_code.as_str()).map(|s| s.to_string()),
                community_name: community_names.get(g.community_code.as_str()).map(|s| s.to_string()),
                geometry: geo::MultiPolygon(vec![g.polygon.clone()]),
            })
        })
        .collect();
    write_grids(db, tenant, code, &valid).await?;
    seed_duty_grids(db, scope, &spec, &grids).await?;
    seed_components(db, scope, code, county_name, &grids, &street_names, &community_names, scale).await?;
    tracing::info!(
        county = code,
        grids = grids.len(),
        components = scale.components,
        ms = started.elapsed().as_millis() as u64,
        "demo frame seeded"
    );
    Ok(())
}

async fn seed_duty_grids(
    db: &DatabaseConnection,
    scope: &SystemScope,
    spec: &FrameSpec,
    grids: &[SynthGrid],
) -> Result<()> {
    let tenant = scope.tenant().id().0;
    let collector = tenancy::entity::user::Entity::find_in(scope)
        .filter(tenancy::entity::user::Column::Username.eq("collector"))
        .one(db)
        .await
        .or_internal()?;
    let now = chrono::Utc::now();
    let txn = db.begin().await.or_internal()?;
    for (i, (street, name)) in spec.streets.iter().enumerate() {
        let id = Uuid::now_v7();
        duty_grid::Entity::insert(duty_grid::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant),
            code: Set(format!("DG-{:03}", i + 1)),
            name: Set(format!("{name}责任网格")),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await
        .or_internal()?;
        let codes: Vec<String> = grids.iter().filter(|g| &g.street_code == street).map(|g| g.code.clone()).collect();
        for chunk in codes.chunks(500) {
            unit_grid::Entity::update_many_in(scope)
                .col_expr(unit_grid::Column::DutyGridId, sea_orm::sea_query::Expr::value(Some(id)))
                .filter(unit_grid::Column::Code.is_in(chunk.to_vec()))
                .exec(&txn)
                .await
                .or_internal()?;
        }
        if let Some(u) = &collector {
            duty_grid_collector::Entity::insert(duty_grid_collector::ActiveModel {
                duty_grid_id: Set(id),
                user_id: Set(u.id),
                tenant_id: Set(tenant),
            })
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
        }
    }
    tenancy::db::bump_version(&txn, &version_key(scope.tenant().code().as_str())).await?;
    txn.commit().await.or_internal()
}

#[allow(clippy::too_many_arguments)]
async fn seed_components(
    db: &DatabaseConnection,
    scope: &SystemScope,
    code: &str,
    county_name: &str,
    grids: &[SynthGrid],
    street_names: &HashMap<&str, &str>,
    community_names: &HashMap<&str, &str>,
    scale: Scale,
) -> Result<()> {
    let classes: HashMap<String, String> = crate::entity::catalog_class::Entity::find()
        .filter(crate::entity::catalog_class::Column::Kind.eq("component"))
        .filter(crate::entity::catalog_class::Column::TenantId.is_null())
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let grid_of: HashMap<&str, &SynthGrid> = grids.iter().map(|g| (g.code.as_str(), g)).collect();
    let seed = code.parse::<u64>().unwrap_or(0);
    let census_date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
    let rows: Vec<ValidComponent> = synth::components(code, grids, &CLASSES, scale.components, seed)
        .into_iter()
        .filter_map(|c| {
            let g = grid_of.get(c.grid_code.as_str())?;
            let dept = department_for(&c.class_code);
            Some(ValidComponent {
                name: classes.get(&c.class_code).cloned().unwrap_or_default(),
                component_id: c.id,
                legacy_id: None,
                dept_code: tenancy::demo::demo_uscc(code, dept + 1),
                dept_name: format!(
                    "{county_name}{}",
                    tenancy::demo::DEPARTMENTS.get(dept).copied().unwrap_or_default()
                ),
                owner_code: None,
                owner_name: None,
                maint_code: None,
                maint_name: None,
                class_code: c.class_code,
                grid_code: c.grid_code.clone(),
                status: c.status.to_owned(),
                initial_date: census_date,
                change_date: None,
                data_source: Some("实测".into()),
                note: None,
                street_code: g.street_code.clone(),
                street_name: street_names.get(g.street_code.as_str()).map(|s| s.to_string()),
                community_code: g.community_code.clone(),
                community_name: community_names.get(g.community_code.as_str()).map(|s| s.chars().take(50).collect()),
                lon: c.lon,
                lat: c.lat,
                geometry: None,
                extra: None,
            })
        })
        .collect();
    for chunk in rows.chunks(1000) {
        upsert_batch(db, scope, chunk.to_vec(), Author::default()).await?;
    }
    Ok(())
}

/// Writes a benchmark data set for a county: `grids.geojson` (the unit grids) and
/// `components.csv` (census rows with GB/T 47678.7 column names), streamed to disk.
pub fn write_benchmark_set(
    dir: &std::path::Path,
    county: &str,
    streets: usize,
    communities_per_street: usize,
    grids_per_community: usize,
    components: usize,
) -> std::io::Result<(usize, usize)> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let spec =
        FrameSpec::numbered(county, (118.60, 32.20), 100.0, streets, communities_per_street, grids_per_community);
    let grids = synth::frame(&spec);
    let file = std::fs::File::create(dir.join("grids.geojson"))?;
    synth::write_grids_geojson(&grids, std::io::BufWriter::new(file))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(dir.join("components.csv"))?));
    w.write_record(["GLBJBSM", "ZGBMDM", "ZGBMMC", "SZDYWGBSM", "GLBJZT", "CSRQ", "SJLY", "lon", "lat"])?;
    let dept = tenancy::demo::demo_uscc(county, 1);
    let rows = synth::components(county, &grids, &CLASSES, components, 7);
    for c in &rows {
        w.write_record([
            c.id.as_str(),
            dept.as_str(),
            "城市管理局",
            c.grid_code.as_str(),
            c.status,
            "20260301",
            "实测",
            &format!("{:.7}", c.lon),
            &format!("{:.7}", c.lat),
        ])?;
    }
    w.flush()?;
    std::io::stdout().flush()?;
    Ok((grids.len(), rows.len()))
}
