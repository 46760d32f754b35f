//! Reads what evaluation needs from storage: the cases touched in a period with their events,
//! the collectors of each duty grid, unit grids per region, and directives.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use evaluation::input::{CaseRecord, Directive, DirectiveKind, GridCounts, Roster};
use evaluation::recurring::Problem;
use kernel::{Error, Result};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, TransactionTrait};
use tenancy::db::OrInternal;
use uuid::Uuid;

use crate::sql::all;

/// The cases that can count in a period ending at `end`: created before it, and changed since
/// `start` or still open — two disjoint index range scans (by update time; by open state).
fn alive(columns: &str) -> String {
    format!(
        "SELECT {columns} FROM cases c WHERE c.tenant_id = $1 AND c.updated_at >= $2 AND c.created_at < $3 \
         UNION ALL SELECT {columns} FROM cases c WHERE c.tenant_id = $1 AND c.updated_at < $2 AND c.created_at < $3 \
         AND c.state IN ('reported', 'verifying', 'accepted', 'filed', 'dispatched', 'suspended', 'handled', \
         'checking', 'checked', 'self_handled')"
    )
}

#[derive(FromQueryResult)]
struct CaseRow {
    id: Uuid,
    number: String,
    source: String,
    class_code: String,
    grid_code: String,
    community_code: String,
    street_code: String,
    duty_grid_id: Option<Uuid>,
    timeline: Option<Vec<u8>>,
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| Error::internal(anyhow_like(format!("stored value {s:?}: {e}"))))
}

fn anyhow_like(msg: String) -> std::io::Error {
    std::io::Error::other(msg)
}

/// The cases of one county (tenant `id`, code `county`) that can count in `[start, end)`, each
/// with its events — read from the packed timeline on the case row, one row per case.
pub(crate) async fn cases(
    db: &sea_orm::DatabaseConnection,
    tenant: Uuid,
    county: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<CaseRecord>> {
    let txn = db.begin().await.or_internal()?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Compiling this one-off scan costs more than it saves.
        txn.execute_unprepared("SET LOCAL jit = off").await.or_internal()?;
    }
    let rows: Vec<CaseRow> = all(
        &txn,
        &alive(
            "c.id, c.number, c.source, c.class_code, c.grid_code, c.community_code, c.street_code, c.duty_grid_id, \
             c.timeline",
        ),
        vec![tenant.into(), start.into(), end.into()],
    )
    .await?;
    txn.commit().await.or_internal()?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut events = evaluation::timeline::decode(r.timeline.as_deref().unwrap_or_default());
        events.retain(|e| e.at < end);
        out.push(CaseRecord {
            id: r.id.to_string(),
            number: r.number,
            county: county.to_owned(),
            source: parse_enum(&r.source)?,
            class_code: r.class_code,
            grid_code: r.grid_code,
            community_code: r.community_code,
            street_code: r.street_code,
            duty_grid: r.duty_grid_id.map(|d| d.to_string()),
            events,
        });
    }
    // A stable order (drill-down lists follow it).
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

#[derive(FromQueryResult)]
struct RosterRow {
    duty_grid_id: Uuid,
    user_id: Uuid,
}

/// The collectors of each duty grid of a county.
pub(crate) async fn roster<C: ConnectionTrait>(db: &C, tenant: Uuid) -> Result<Roster> {
    let rows: Vec<RosterRow> = all(
        db,
        "SELECT duty_grid_id, user_id FROM duty_grid_collectors WHERE tenant_id = $1 ORDER BY duty_grid_id, user_id",
        vec![tenant.into()],
    )
    .await?;
    let mut out: Roster = HashMap::new();
    for r in rows {
        out.entry(r.duty_grid_id.to_string()).or_default().push(r.user_id.to_string());
    }
    Ok(out)
}

#[derive(FromQueryResult)]
struct GridRow {
    street_code: String,
    community_code: String,
    n: i64,
}

/// Unit grids per street, community and the county itself.
pub(crate) async fn grid_counts<C: ConnectionTrait>(db: &C, tenant: Uuid, county: &str) -> Result<GridCounts> {
    let rows: Vec<GridRow> = all(
        db,
        "SELECT street_code, community_code, COUNT(*) AS n FROM unit_grids WHERE tenant_id = $1 \
         GROUP BY street_code, community_code",
        vec![tenant.into()],
    )
    .await?;
    let mut out: GridCounts = HashMap::new();
    for r in rows {
        let n = r.n as u32;
        *out.entry(r.street_code).or_default() += n;
        *out.entry(r.community_code).or_default() += n;
        *out.entry(county.to_owned()).or_default() += n;
    }
    Ok(out)
}

#[derive(FromQueryResult)]
struct DirectiveRow {
    id: Uuid,
    kind: String,
    department_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
}

/// Directives concerning a county created in `[start, end)`.
pub(crate) async fn directives<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    county: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<Directive>> {
    let rows: Vec<DirectiveRow> = all(
        db,
        "SELECT id, kind, department_id, created_at, due_at, responded_at FROM directives \
         WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id",
        vec![tenant.into(), start.into(), end.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Directive {
            id: r.id.to_string(),
            kind: if r.kind == "city_order" { DirectiveKind::CityOrder } else { DirectiveKind::Governance },
            county: county.to_owned(),
            department: r.department_id.map(|d| d.to_string()),
            created_at: r.created_at,
            due_at: r.due_at,
            responded_at: r.responded_at,
        })
        .collect())
}

#[derive(FromQueryResult)]
struct ProblemRow {
    id: Uuid,
    number: String,
    kind: String,
    class_code: String,
    grid_code: String,
    component_id: Option<String>,
    lon: f64,
    lat: f64,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    department_id: Option<Uuid>,
    state: String,
}

/// The cases of a county created in `[from, until)` (and those closed in it), for recurring problems.
pub(crate) async fn problems<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    county: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Problem>> {
    let rows: Vec<ProblemRow> = all(
        db,
        "SELECT id, number, kind, class_code, grid_code, component_id, lon, lat, created_at, closed_at, department_id, state \
         FROM cases WHERE tenant_id = $1 AND ((created_at >= $2 AND created_at < $3) \
         OR (closed_at >= $2 AND closed_at < $3)) ORDER BY created_at, id",
        vec![tenant.into(), from.into(), until.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Problem {
            id: r.id.to_string(),
            number: r.number,
            county: county.to_owned(),
            kind: r.kind,
            class_code: r.class_code,
            grid_code: r.grid_code,
            component_id: r.component_id,
            lon: r.lon,
            lat: r.lat,
            created_at: r.created_at,
            closed_at: r.closed_at,
            department: r.department_id.map(|d| d.to_string()),
            valid: !matches!(r.state.as_str(), "rejected" | "voided"),
        })
        .collect())
}

#[derive(FromQueryResult)]
struct NameRow {
    key: String,
    name: String,
}

#[derive(FromQueryResult)]
struct IdNameRow {
    id: Uuid,
    name: String,
}

/// Display names of the subjects of a county (and of its city's shared departments): region
/// codes, department ids, user ids, the county code.
pub(crate) async fn names<C: ConnectionTrait>(db: &C, tenant: Uuid) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for q in [
        "SELECT code AS key, name FROM streets WHERE tenant_id = $1",
        "SELECT code AS key, name FROM communities WHERE tenant_id = $1",
        "SELECT code AS key, name FROM tenants WHERE id = $1",
    ] {
        let rows: Vec<NameRow> = all(db, q, vec![tenant.into()]).await?;
        out.extend(rows.into_iter().map(|r| (r.key, r.name)));
    }
    for q in [
        // Departments of the county and every department of its city (shared ones receive cases).
        "SELECT id, name FROM departments WHERE tenant_id = $1 \
         OR tenant_id = (SELECT parent_id FROM tenants WHERE id = $1)",
        "SELECT id, display_name AS name FROM users WHERE tenant_id = $1",
    ] {
        let rows: Vec<IdNameRow> = all(db, q, vec![tenant.into()]).await?;
        out.extend(rows.into_iter().map(|r| (r.id.to_string(), r.name)));
    }
    Ok(out)
}

#[derive(FromQueryResult)]
struct GridNameRow {
    code: String,
    name: Option<String>,
    community_code: String,
}

/// Display names of the unit grids `codes` of a county: the grid's own name, or — grids are
/// often imported without one — its community's name (from `names`) and its serial number.
pub(crate) async fn grid_names<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    codes: &[&str],
    names: &HashMap<String, String>,
) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    // Bounded statements: SQLite allows 32,766 parameters, and long lists plan badly anyway.
    for chunk in codes.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT code, name, community_code FROM unit_grids WHERE tenant_id = $1 AND code IN ({})",
            marks.join(", ")
        );
        let mut values: Vec<sea_orm::Value> = vec![tenant.into()];
        values.extend(chunk.iter().map(|c| (*c).to_owned().into()));
        let rows: Vec<GridNameRow> = all(db, &sql, values).await?;
        for r in rows {
            let name = match r.name.filter(|n| !n.trim().is_empty()) {
                Some(n) => n,
                None => {
                    let serial = r.code.get(r.community_code.len()..).unwrap_or(&r.code).to_owned();
                    match names.get(&r.community_code) {
                        Some(community) => format!("{community}{serial}号网格"),
                        None => format!("{serial}号网格"),
                    }
                }
            };
            out.insert(r.code, name);
        }
    }
    Ok(out)
}
