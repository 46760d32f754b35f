//! Unit grids (单元网格) of a county and the street → community → grid hierarchy.
//!
//! A grid code is 15 digits: county (6) + street (3) + community (3) + serial (3); legacy
//! 14-digit codes (2-digit serial) are converted on import and kept as `legacy_code`. Streets and
//! communities are created from the codes, named from the feature's properties or the official
//! division list.

use chrono::Utc;
use futures_util::Stream;
use kernel::{DivisionLevel, Error, ErrorCode, FieldError, Page, PageRequest, Result};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use spatial::codes::GridCode;
use spatial::crs::Crs;
use std::collections::{HashMap, HashSet};
use tenancy::TenantOwned;
use tenancy::TenantScope;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::OrInternal;
use crate::divisions;
use crate::entity::{community, duty_grid, duty_grid_collector, street, unit_grid};
use crate::grid_cache::{GridCache, version_key};

/// Overlaps smaller than this (m²) are digitising noise, not errors.
pub const DEFAULT_OVERLAP_TOLERANCE_M2: f64 = 1.0;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportOptions {
    /// Write the valid features even if some are invalid (they are listed as skipped). By
    /// default one invalid feature means nothing is written.
    #[serde(default)]
    pub partial: bool,
    /// Validate and report without writing.
    #[serde(default)]
    pub dry_run: bool,
    /// Overlaps between grids larger than this many m² are reported (default 1).
    pub overlap_tolerance_m2: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeatureProblem {
    /// Position of the feature in the collection (from 0).
    pub index: usize,
    pub code: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overlap {
    pub a: String,
    pub b: String,
    pub area_m2: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridImportReport {
    pub features: usize,
    /// Grids written (new or replaced); 0 for a dry run.
    pub written: usize,
    pub created: usize,
    pub replaced: usize,
    /// Invalid features: with `partial`, skipped; without it, nothing was written.
    pub skipped: Vec<FeatureProblem>,
    /// Overlaps between grids above the tolerance (reported, not refused).
    pub overlaps: Vec<Overlap>,
    pub dry_run: bool,
}

/// A unit grid without its geometry (list views).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridSummary {
    pub id: Uuid,
    #[schema(example = "320115001001001")]
    pub code: String,
    /// The 14-digit code it was imported from, if any.
    pub legacy_code: Option<String>,
    pub name: Option<String>,
    pub street_code: String,
    pub community_code: String,
    pub duty_grid_id: Option<Uuid>,
    pub area_m2: f64,
    /// [min_lon, min_lat, max_lon, max_lat] (WGS84).
    pub bbox: [f64; 4],
}

/// A unit grid with its geometry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grid {
    #[serde(flatten)]
    pub summary: GridSummary,
    /// GeoJSON Polygon or MultiPolygon (WGS84).
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GridFilter {
    /// 9-digit street code.
    pub street: Option<String>,
    /// 12-digit community code.
    pub community: Option<String>,
    pub duty_grid_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Street {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Community {
    pub code: String,
    pub name: String,
    pub street_code: String,
}

fn summary(m: &unit_grid::Model) -> GridSummary {
    GridSummary {
        id: m.id,
        code: m.code.clone(),
        legacy_code: m.legacy_code.clone(),
        name: m.name.clone(),
        street_code: m.street_code.clone(),
        community_code: m.community_code.clone(),
        duty_grid_id: m.duty_grid_id,
        area_m2: m.area_m2,
        bbox: [m.min_lon, m.min_lat, m.max_lon, m.max_lat],
    }
}

fn require_county(scope: &TenantScope) -> Result<()> {
    if scope.tenant().level() != DivisionLevel::County {
        return Err(Error::conflict("unit grids belong to county-level tenants"));
    }
    Ok(())
}

fn prop_str(props: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    match props.get(key)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A feature that passed every check, ready to write.
pub(crate) struct ValidGrid {
    pub code: GridCode,
    pub legacy: Option<String>,
    pub name: Option<String>,
    pub street_name: Option<String>,
    pub community_name: Option<String>,
    pub geometry: geo::MultiPolygon<f64>,
}

/// What the judging of an upload found, before any database work.
struct Judged {
    features: usize,
    skipped: Vec<FeatureProblem>,
    valid: Vec<ValidGrid>,
    /// Codes of the valid features.
    seen: HashSet<String>,
}

/// Runs `work` on tokio's blocking pool: parsing and validating a large upload takes seconds of CPU
/// and must not hold an HTTP worker thread (which would stall every other request it serves).
async fn off_worker<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(Error::internal)
}

/// Parses the upload and judges each feature on its own (pure CPU work, no database).
fn judge(body: &[u8], tenant_code: &str) -> Result<Judged> {
    let parsed = spatial::geometry::parse_feature_collection(body).map_err(|e| Error::invalid(e.field, e.reason))?;
    let features = parsed.len();
    let mut skipped = Vec::new();
    let mut valid: Vec<ValidGrid> = Vec::new();
    let mut seen = HashSet::new();
    for item in parsed {
        let f = match item {
            Ok(f) => f,
            Err(e) => {
                skipped.push(FeatureProblem { index: e.index, code: e.code, reason: e.reason });
                continue;
            }
        };
        let raw_code = prop_str(&f.properties, "code");
        let problem = |reason: String| FeatureProblem { index: f.index, code: raw_code.clone(), reason };
        let Some(raw) = raw_code.clone() else {
            skipped.push(problem("property `code` (the 15-digit grid code) is missing".into()));
            continue;
        };
        let (code, legacy) = match GridCode::parse_any(&raw) {
            Ok(c) => c,
            Err(reason) => {
                skipped.push(problem(reason));
                continue;
            }
        };
        if code.county_code() != tenant_code {
            skipped
                .push(problem(format!("code {} does not begin with this county's code {tenant_code}", code.as_str())));
            continue;
        }
        let mut mismatch = None;
        for (key, expected) in [("street_code", code.street_code()), ("community_code", code.community_code())] {
            if let Some(given) = prop_str(&f.properties, key)
                && given != expected
            {
                mismatch = Some(format!("{key} {given} disagrees with the grid code, which implies {expected}"));
            }
        }
        if let Some(reason) = mismatch {
            skipped.push(problem(reason));
            continue;
        }
        if !seen.insert(code.as_str().to_owned()) {
            skipped.push(problem(format!("code {} appears more than once in the file", code.as_str())));
            continue;
        }
        valid.push(ValidGrid {
            legacy,
            name: prop_str(&f.properties, "name"),
            street_name: prop_str(&f.properties, "street_name"),
            community_name: prop_str(&f.properties, "community_name"),
            geometry: f.geometry,
            code,
        });
    }
    Ok(Judged { features, skipped, valid, seen })
}

/// Imports a GeoJSON FeatureCollection of unit grids (upsert by code).
pub async fn import(
    db: &DatabaseConnection,
    scope: &TenantScope,
    body: Vec<u8>,
    opts: &ImportOptions,
) -> Result<GridImportReport> {
    require_county(scope)?;
    let tenant_code = scope.tenant().code().to_string();
    let tolerance = opts.overlap_tolerance_m2.unwrap_or(DEFAULT_OVERLAP_TOLERANCE_M2);
    if !(tolerance >= 0.0 && tolerance.is_finite()) {
        return Err(Error::invalid("overlap_tolerance_m2", "must be a non-negative number"));
    }
    let code = tenant_code.clone();
    let Judged { features, skipped, valid, seen } = off_worker(move || judge(&body, &code)).await??;

    // Overlaps among the imported grids and with the stored grids they do not replace.
    let existing = unit_grid::Entity::find_in(scope).all(db).await.or_internal()?;
    let existing_codes: HashSet<String> = existing.iter().map(|g| g.code.clone()).collect();
    // Reading the stored boundaries and the pairwise overlap test are CPU work too.
    let (valid, overlaps) = off_worker(move || -> Result<(Vec<ValidGrid>, Vec<Overlap>)> {
        let mut codes: Vec<String> = valid.iter().map(|g| g.code.as_str().to_owned()).collect();
        let mut polys: Vec<geo::MultiPolygon<f64>> = valid.iter().map(|g| g.geometry.clone()).collect();
        let imported = polys.len();
        for g in existing.iter().filter(|g| !seen.contains(&g.code)) {
            let value: serde_json::Value = serde_json::from_str(&g.geometry).map_err(Error::internal)?;
            if let Ok(mp) = spatial::geometry::from_geojson_value(&value) {
                codes.push(g.code.clone());
                polys.push(mp);
            }
        }
        let overlaps = spatial::geometry::overlaps(&polys, tolerance)
            .into_iter()
            .filter(|(i, j, _)| *i < imported || *j < imported)
            .map(|(i, j, area)| Overlap {
                a: codes.get(i).cloned().unwrap_or_default(),
                b: codes.get(j).cloned().unwrap_or_default(),
                area_m2: (area * 10.0).round() / 10.0,
            })
            .collect();
        Ok((valid, overlaps))
    })
    .await??;

    let created = valid.iter().filter(|g| !existing_codes.contains(g.code.as_str())).count();
    let mut report =
        GridImportReport { features, written: 0, created: 0, replaced: 0, skipped, overlaps, dry_run: opts.dry_run };
    if !report.skipped.is_empty() && !opts.partial {
        let mut err = Error::validation(
            report
                .skipped
                .iter()
                .map(|p| {
                    let code = p.code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
                    FieldError::new(format!("features[{}]", p.index), format!("{code}{}", p.reason))
                })
                .collect(),
        );
        err.message = format!(
            "{} of {} features are invalid; nothing was written (use partial=true to import the valid ones)",
            report.skipped.len(),
            features
        );
        return Err(err);
    }
    if opts.dry_run || valid.is_empty() {
        return Ok(report);
    }
    write_grids(db, scope.tenant_id().0, scope.tenant().code().as_str(), &valid).await?;
    report.written = valid.len();
    report.created = created;
    report.replaced = valid.len() - created;
    tracing::info!(tenant = %tenant_code, written = report.written, skipped = report.skipped.len(), "grids imported");
    Ok(report)
}

pub(crate) async fn write_grids(
    db: &DatabaseConnection,
    tenant: Uuid,
    tenant_code: &str,
    valid: &[ValidGrid],
) -> Result<()> {
    let now = Utc::now();
    let mut streets: HashMap<String, String> = HashMap::new();
    let mut communities: HashMap<String, (String, String)> = HashMap::new();
    for g in valid {
        let s = g.code.street_code().to_owned();
        let c = g.code.community_code().to_owned();
        let s_name = g
            .street_name
            .clone()
            .or_else(|| divisions::street_name(&s).map(str::to_owned))
            .unwrap_or_else(|| s.clone());
        let c_name = g
            .community_name
            .clone()
            .or_else(|| divisions::community_name(&c).map(str::to_owned))
            .unwrap_or_else(|| c.clone());
        streets.entry(s.clone()).or_insert(s_name);
        communities.entry(c).or_insert((c_name, s));
    }
    let txn = db.begin().await.or_internal()?;
    let street_rows: Vec<street::ActiveModel> = streets
        .into_iter()
        .map(|(code, name)| street::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant),
            code: Set(code),
            name: Set(name),
        })
        .collect();
    for chunk in street_rows.chunks(500) {
        street::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([street::Column::TenantId, street::Column::Code])
                    .update_column(street::Column::Name)
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
    }
    let community_rows: Vec<community::ActiveModel> = communities
        .into_iter()
        .map(|(code, (name, street_code))| community::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant),
            code: Set(code),
            name: Set(name),
            street_code: Set(street_code),
        })
        .collect();
    for chunk in community_rows.chunks(500) {
        community::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([community::Column::TenantId, community::Column::Code])
                    .update_column(community::Column::Name)
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
    }
    let mut rows = Vec::with_capacity(valid.len());
    for g in valid {
        let (min_lon, min_lat, max_lon, max_lat) = spatial::geometry::bbox(&g.geometry).unwrap_or_default();
        rows.push(unit_grid::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant),
            code: Set(g.code.as_str().to_owned()),
            legacy_code: Set(g.legacy.clone()),
            name: Set(g.name.clone()),
            street_code: Set(g.code.street_code().to_owned()),
            community_code: Set(g.code.community_code().to_owned()),
            duty_grid_id: Set(None),
            geometry: Set(spatial::geometry::to_geojson_value(&g.geometry).to_string()),
            area_m2: Set(spatial::geometry::area_m2(&g.geometry)),
            min_lon: Set(min_lon),
            min_lat: Set(min_lat),
            max_lon: Set(max_lon),
            max_lat: Set(max_lat),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    // A re-imported grid keeps its id and duty grid; its geometry and names are replaced.
    for chunk in rows.chunks(500) {
        unit_grid::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([unit_grid::Column::TenantId, unit_grid::Column::Code])
                    .update_columns([
                        unit_grid::Column::LegacyCode,
                        unit_grid::Column::Name,
                        unit_grid::Column::Geometry,
                        unit_grid::Column::AreaM2,
                        unit_grid::Column::MinLon,
                        unit_grid::Column::MinLat,
                        unit_grid::Column::MaxLon,
                        unit_grid::Column::MaxLat,
                        unit_grid::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .or_internal()?;
    }
    tenancy::db::bump_version(&txn, &version_key(tenant_code)).await?;
    txn.commit().await.or_internal()?;
    Ok(())
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &TenantScope,
    filter: &GridFilter,
    page: &PageRequest,
) -> Result<Page<GridSummary>> {
    let limit = page.limit()?;
    let mut q = unit_grid::Entity::find_in(scope).order_by_asc(unit_grid::Column::Id).limit(limit + 1);
    if let Some(s) = &filter.street {
        q = q.filter(unit_grid::Column::StreetCode.eq(s.as_str()));
    }
    if let Some(c) = &filter.community {
        q = q.filter(unit_grid::Column::CommunityCode.eq(c.as_str()));
    }
    if let Some(d) = filter.duty_grid_id {
        q = q.filter(unit_grid::Column::DutyGridId.eq(d));
    }
    if let Some(after) = page.after()? {
        q = q.filter(unit_grid::Column::Id.gt(after));
    }
    let rows = q.all(db).await.or_internal()?;
    Ok(Page::from_rows(rows, limit, |m| m.id).map(|m| summary(&m)))
}

fn with_geometry(m: unit_grid::Model) -> Result<Grid> {
    let geometry = serde_json::from_str(&m.geometry).map_err(Error::internal)?;
    Ok(Grid { summary: summary(&m), geometry })
}

pub async fn get(db: &DatabaseConnection, scope: &TenantScope, code: &str) -> Result<Grid> {
    let m = unit_grid::Entity::find_in(scope)
        .filter(unit_grid::Column::Code.eq(code))
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("unit grid"))?;
    with_geometry(m)
}

/// The grids as a GeoJSON FeatureCollection, produced page by page (memory does not grow with
/// the number of grids).
pub fn export(db: DatabaseConnection, scope: TenantScope) -> impl Stream<Item = Result<String>> {
    const PAGE: u64 = 500;
    enum State {
        Start,
        After(Option<Uuid>, bool),
        Done,
    }
    futures_util::stream::unfold(State::Start, move |state| {
        let db = db.clone();
        let tenant = scope.tenant().clone();
        async move {
            let (after, first) = match state {
                State::Done => return None,
                State::Start => {
                    return Some((
                        Ok(r#"{"type":"FeatureCollection","features":["#.to_owned()),
                        State::After(None, true),
                    ));
                }
                State::After(a, f) => (a, f),
            };
            let mut q = unit_grid::Entity::find_in(&tenant).order_by_asc(unit_grid::Column::Id).limit(PAGE);
            if let Some(a) = after {
                q = q.filter(unit_grid::Column::Id.gt(a));
            }
            let rows = match q.all(&db).await.or_internal() {
                Ok(r) => r,
                Err(e) => return Some((Err(e), State::Done)),
            };
            if rows.is_empty() {
                return Some((Ok("]}\n".to_owned()), State::Done));
            }
            let last = rows.last().map(|r| r.id);
            let mut chunk = String::new();
            for (i, r) in rows.iter().enumerate() {
                if !(first && i == 0) {
                    chunk.push(',');
                }
                let props = serde_json::json!({
                    "code": r.code, "name": r.name, "legacy_code": r.legacy_code,
                    "street_code": r.street_code, "community_code": r.community_code,
                    "duty_grid_id": r.duty_grid_id, "area_m2": r.area_m2,
                });
                chunk.push_str(&format!(r#"{{"type":"Feature","properties":{props},"geometry":{}}}"#, r.geometry));
            }
            Some((Ok(chunk), State::After(last, false)))
        }
    })
}

/// Which of `codes` are unit grids of the scoped county (for reference checks).
pub async fn existing_grid_codes(
    db: &DatabaseConnection,
    scope: &TenantScope,
    codes: &[&str],
) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    // Bounded IN lists: SQLite takes at most 32,766 parameters.
    for chunk in codes.chunks(500) {
        let rows = unit_grid::Entity::find_in(scope)
            .select_only()
            .column(unit_grid::Column::Code)
            .filter(unit_grid::Column::Code.is_in(chunk.iter().copied()))
            .into_tuple::<String>()
            .all(db)
            .await
            .or_internal()?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn streets(db: &DatabaseConnection, scope: &TenantScope) -> Result<Vec<Street>> {
    Ok(street::Entity::find_in(scope)
        .order_by_asc(street::Column::Code)
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|s| Street { code: s.code, name: s.name })
        .collect())
}

pub async fn communities(
    db: &DatabaseConnection,
    scope: &TenantScope,
    street_code: Option<&str>,
) -> Result<Vec<Community>> {
    let mut q = community::Entity::find_in(scope);
    if let Some(s) = street_code {
        q = q.filter(community::Column::StreetCode.eq(s));
    }
    Ok(q.order_by_asc(community::Column::Code)
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|c| Community { code: c.code, name: c.name, street_code: c.street_code })
        .collect())
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocateQuery {
    /// Longitude in the given `crs`.
    #[param(example = 118.82)]
    pub lon: f64,
    /// Latitude in the given `crs`.
    #[param(example = 31.95)]
    pub lat: f64,
    /// `wgs84` (default), `cgcs2000`, `gcj02` (WeChat, AMap, Tencent) or `bd09` (Baidu).
    pub crs: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub code: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectorRef {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyGridRef {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub collectors: Vec<CollectorRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Location {
    /// The point in WGS84 after conversion.
    pub lon: f64,
    pub lat: f64,
    pub unit_grid: Named,
    pub community: Named,
    pub street: Named,
    pub duty_grid: Option<DutyGridRef>,
}

/// Converts a point to WGS84, checking it is plausible.
pub fn to_wgs84(lon: f64, lat: f64, crs: Option<&str>) -> Result<(f64, f64)> {
    let crs = match crs {
        None => Crs::Wgs84,
        Some(s) => Crs::parse(s).map_err(|reason| Error::invalid("crs", reason))?,
    };
    spatial::crs::check_lon_lat(lon, lat).map_err(|reason| Error::invalid("lon", reason))?;
    Ok(spatial::crs::to_wgs84(crs, lon, lat))
}

/// The grid, community, street and duty grid (with its collectors) at a point.
pub async fn locate(
    db: &DatabaseConnection,
    cache: &GridCache,
    scope: &TenantScope,
    q: &LocateQuery,
) -> Result<Location> {
    let (lon, lat) = to_wgs84(q.lon, q.lat, q.crs.as_deref())?;
    let frame = cache.get(db, scope.tenant()).await?;
    let entry = frame.index.locate(lon, lat).cloned().ok_or_else(|| {
        Error::new(
            ErrorCode::OutsideGrids,
            format!("({lon:.6}, {lat:.6}) lies outside every unit grid of {}", scope.tenant().code()),
        )
    })?;
    let street_name = street::Entity::find_in(scope)
        .filter(street::Column::Code.eq(entry.street_code.as_str()))
        .one(db)
        .await
        .or_internal()?
        .map(|s| s.name);
    let community_name = community::Entity::find_in(scope)
        .filter(community::Column::Code.eq(entry.community_code.as_str()))
        .one(db)
        .await
        .or_internal()?
        .map(|c| c.name);
    let duty_grid = match entry.duty_grid_id {
        Some(id) => crate::duty::reference(db, scope, id).await?,
        None => None,
    };
    Ok(Location {
        lon,
        lat,
        unit_grid: Named { code: entry.code, name: entry.name },
        community: Named { code: entry.community_code, name: community_name },
        street: Named { code: entry.street_code, name: street_name },
        duty_grid,
    })
}

/// Ids of duty grids' collectors (for the duty module).
pub(crate) async fn collectors_of(
    db: &DatabaseConnection,
    scope: &TenantScope,
    duty_grid: Uuid,
) -> Result<Vec<duty_grid_collector::Model>> {
    duty_grid_collector::Entity::find_in(scope)
        .filter(duty_grid_collector::Column::DutyGridId.eq(duty_grid))
        .all(db)
        .await
        .or_internal()
}

pub(crate) async fn find_duty_grid(
    db: &DatabaseConnection,
    scope: &TenantScope,
    id: Uuid,
) -> Result<Option<duty_grid::Model>> {
    duty_grid::Entity::find_by_id_in(scope, id).one(db).await.or_internal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// A county-sized upload judged through `off_worker` leaves the (single) runtime thread free:
    /// a ticking task keeps running while the judging is under way. Judged inline, as before,
    /// the ticker would not run until the judging had finished.
    #[tokio::test(flavor = "current_thread")]
    async fn judging_an_upload_leaves_the_runtime_thread_free() {
        let spec = spatial::synth::FrameSpec::numbered("320111", (118.62, 32.06), 100.0, 4, 10, 50);
        let features: Vec<serde_json::Value> = spatial::synth::frame(&spec)
            .into_iter()
            .map(|g| {
                let mp = geo::MultiPolygon(vec![g.polygon]);
                serde_json::json!({"type": "Feature", "properties": {"code": g.code},
                    "geometry": spatial::geometry::to_geojson_value(&mp)})
            })
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": features})).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let ticks_before_done = Arc::new(AtomicUsize::new(0));
        let ticker = {
            let (done, ticks) = (done.clone(), ticks_before_done.clone());
            tokio::spawn(async move {
                while !done.load(Ordering::SeqCst) {
                    ticks.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                }
            })
        };
        let judged = off_worker(move || judge(&body, "320111")).await.unwrap().unwrap();
        done.store(true, Ordering::SeqCst);
        ticker.await.unwrap();
        assert_eq!((judged.features, judged.valid.len(), judged.skipped.len()), (2000, 2000, 0));
        assert!(ticks_before_done.load(Ordering::SeqCst) > 1, "the runtime thread ran other tasks meanwhile");
    }
}

/// How complete a county's frame and census are (the go-live checklist reads these).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameCounts {
    pub streets: u64,
    pub communities: u64,
    /// Communities with no unit grid.
    pub communities_without_grids: u64,
    pub unit_grids: u64,
    /// Unit grids in no duty grid.
    pub unit_grids_outside_duty_grids: u64,
    pub duty_grids: u64,
    /// Duty grids without a collector.
    pub duty_grids_without_collectors: u64,
    pub components: u64,
}

/// Counts of the scoped county's frame and census, in a handful of queries (no geometry read).
pub async fn frame_counts(db: &DatabaseConnection, scope: &TenantScope) -> Result<FrameCounts> {
    use sea_orm::PaginatorTrait;
    let streets = street::Entity::find_in(scope).count(db).await.or_internal()?;
    let communities: HashSet<String> = community::Entity::find_in(scope)
        .select_only()
        .column(community::Column::Code)
        .into_tuple::<String>()
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .collect();
    let gridded: HashSet<String> = unit_grid::Entity::find_in(scope)
        .select_only()
        .column(unit_grid::Column::CommunityCode)
        .distinct()
        .into_tuple::<String>()
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .collect();
    let unit_grids = unit_grid::Entity::find_in(scope).count(db).await.or_internal()?;
    let unit_grids_outside_duty_grids = unit_grid::Entity::find_in(scope)
        .filter(unit_grid::Column::DutyGridId.is_null())
        .count(db)
        .await
        .or_internal()?;
    let duty: Vec<Uuid> = duty_grid::Entity::find_in(scope)
        .select_only()
        .column(duty_grid::Column::Id)
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .or_internal()?;
    let staffed: HashSet<Uuid> = duty_grid_collector::Entity::find_in(scope)
        .select_only()
        .column(duty_grid_collector::Column::DutyGridId)
        .distinct()
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .collect();
    let components = crate::entity::component::Entity::find_in(scope).count(db).await.or_internal()?;
    Ok(FrameCounts {
        streets,
        communities: communities.len() as u64,
        communities_without_grids: communities.difference(&gridded).count() as u64,
        unit_grids,
        unit_grids_outside_duty_grids,
        duty_grids: duty.len() as u64,
        duty_grids_without_collectors: duty.iter().filter(|d| !staffed.contains(d)).count() as u64,
        components,
    })
}
