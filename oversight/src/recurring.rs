//! Recurring problems over storage, for a county or a city's counties.

use chrono::{DateTime, Duration, Utc};
use evaluation::recurring::{Hotspot, PlaceBy, Repeat, hotspots, repeats};
use futures_util::future::try_join_all;
use kernel::{Error, Result};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use tenancy::TenantScope;
use utoipa::ToSchema;

use crate::service::areas;

#[derive(Debug, Clone)]
pub struct HotspotQuery {
    pub by: PlaceBy,
    pub radius_m: f64,
    pub window_days: i64,
    pub min_count: usize,
    pub until: DateTime<Utc>,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hotspots {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub by: PlaceBy,
    pub radius_m: f64,
    pub min_count: usize,
    pub items: Vec<Hotspot>,
}

fn check(window_days: i64, min_count: usize, radius_m: f64) -> Result<()> {
    let mut v = kernel::Validator::new();
    if !(1..=366).contains(&window_days) {
        v.add("window_days", "must be between 1 and 366");
    }
    if min_count < 2 {
        v.add("min_count", "must be at least 2 (a problem recurs)");
    }
    if !(5.0..=5000.0).contains(&radius_m) {
        v.add("radius_m", "must be between 5 and 5000 metres");
    }
    v.finish()
}

pub async fn hotspots_of(db: &DatabaseConnection, scope: &TenantScope, q: &HotspotQuery) -> Result<Hotspots> {
    check(q.window_days, q.min_count, q.radius_m)?;
    let from = q.until - Duration::days(q.window_days);
    // The window before, for the trend.
    let since = from - Duration::days(q.window_days);
    let areas = areas(db, scope).await?;
    let loaded = try_join_all(areas.iter().map(|a| crate::load::problems(db, a.id, &a.code, since, q.until))).await?;
    let problems: Vec<_> = loaded.into_iter().flatten().collect();
    let mut items = hotspots(&problems, q.by, q.radius_m, from, q.until, q.min_count);
    items.truncate(q.limit);
    Ok(Hotspots { from, until: q.until, by: q.by, radius_m: q.radius_m, min_count: q.min_count, items })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Repeats {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub within_days: i64,
    pub items: Vec<Repeat>,
}

/// Repeat rates of cases closed in `[from, until)`: back within `within_days` after closing.
pub async fn repeats_of(
    db: &DatabaseConnection,
    scope: &TenantScope,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    within_days: i64,
) -> Result<Repeats> {
    if !(1..=180).contains(&within_days) {
        return Err(Error::invalid("within_days", "must be between 1 and 180"));
    }
    let areas = areas(db, scope).await?;
    let later = until + Duration::days(within_days);
    let loaded = try_join_all(areas.iter().map(|a| crate::load::problems(db, a.id, &a.code, from, later))).await?;
    let problems: Vec<_> = loaded.into_iter().flatten().collect();
    let mut items = repeats(&problems, from, until, within_days);
    let mut names = std::collections::HashMap::new();
    for a in &areas {
        names.extend(crate::load::names(db, a.id).await?);
    }
    for r in &mut items {
        r.department_name = names.get(&r.department).cloned();
    }
    Ok(Repeats { from, until, within_days, items })
}
