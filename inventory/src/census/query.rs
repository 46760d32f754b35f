//! Reading the census: filtered pages, one component with its history, streamed exports
//! (GeoJSON and CSV), and statistics per county and across a city.

use futures_util::Stream;
use kernel::{DivisionLevel, Error, Page, PageRequest, Result};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tenancy::TenantOwned;
use tenancy::{TenantRef, TenantScope};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::{component, component_history};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComponentFilter {
    /// `min_lon,min_lat,max_lon,max_lat` (WGS84).
    #[param(example = "118.80,31.90,118.85,31.95")]
    pub bbox: Option<String>,
    pub grid: Option<String>,
    pub community: Option<String>,
    pub street: Option<String>,
    /// 5-digit class code.
    pub class: Option<String>,
    /// 完好, 破损, 丢失, 废弃 or 移除.
    pub status: Option<String>,
    /// 主管部门 统一社会信用代码.
    pub dept: Option<String>,
}

/// A census component as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Component {
    #[schema(example = "32011501001000001")]
    pub component_id: String,
    pub legacy_id: Option<String>,
    #[schema(example = "01001")]
    pub class_code: String,
    #[schema(example = "供水井盖")]
    pub name: String,
    pub dept_code: String,
    pub dept_name: String,
    pub owner_code: Option<String>,
    pub owner_name: Option<String>,
    pub maint_code: Option<String>,
    pub maint_name: Option<String>,
    pub grid_code: String,
    #[schema(example = "完好")]
    pub status: String,
    pub initial_date: chrono::NaiveDate,
    pub change_date: Option<chrono::NaiveDate>,
    pub data_source: Option<String>,
    pub note: Option<String>,
    pub street_code: Option<String>,
    pub street_name: Option<String>,
    pub community_code: Option<String>,
    pub community_name: Option<String>,
    /// GeoJSON geometry (WGS84): the point, or the line/polygon of the component.
    #[schema(value_type = Object)]
    pub location: Value,
    /// Local extension attributes.
    #[schema(value_type = Object)]
    pub extra: Value,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub(crate) fn view(m: component::Model) -> Component {
    let location = m
        .geometry
        .as_deref()
        .and_then(|g| serde_json::from_str(g).ok())
        .unwrap_or_else(|| json!({"type": "Point", "coordinates": [m.lon, m.lat]}));
    Component {
        extra: m.extra.as_deref().and_then(|e| serde_json::from_str(e).ok()).unwrap_or_else(|| json!({})),
        location,
        component_id: m.component_id,
        legacy_id: m.legacy_id,
        class_code: m.class_code,
        name: m.name,
        dept_code: m.dept_code,
        dept_name: m.dept_name,
        owner_code: m.owner_code,
        owner_name: m.owner_name,
        maint_code: m.maint_code,
        maint_name: m.maint_name,
        grid_code: m.grid_code,
        status: m.status,
        initial_date: m.initial_date,
        change_date: m.change_date,
        data_source: m.data_source,
        note: m.note,
        street_code: m.street_code,
        street_name: m.street_name,
        community_code: m.community_code,
        community_name: m.community_name,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn parse_bbox(s: &str) -> Result<(f64, f64, f64, f64)> {
    let parts: Vec<f64> = s.split(',').filter_map(|p| p.trim().parse().ok()).collect();
    match parts.as_slice() {
        [a, b, c, d] if a <= c && b <= d => Ok((*a, *b, *c, *d)),
        _ => Err(Error::invalid("bbox", "must be min_lon,min_lat,max_lon,max_lat with min ≤ max")),
    }
}

/// Checks a filter's values (`bbox`, …) without querying: a streamed export must refuse a bad
/// filter with 422 before the first byte goes out, not drop the connection half-way.
pub fn check_filter(f: &ComponentFilter) -> Result<()> {
    filter(component::Entity::find(), f).map(|_| ())
}

/// The tenant's components that pass the filter.
fn filtered(tenant: &TenantRef, f: &ComponentFilter) -> Result<Select<component::Entity>> {
    filter(component::Entity::find_in(tenant), f)
}

fn filter(mut q: Select<component::Entity>, f: &ComponentFilter) -> Result<Select<component::Entity>> {
    if let Some(b) = &f.bbox {
        let (a, b2, c, d) = parse_bbox(b)?;
        q = q.filter(component::Column::Lon.between(a, c)).filter(component::Column::Lat.between(b2, d));
    }
    for (col, value) in [
        (component::Column::GridCode, &f.grid),
        (component::Column::CommunityCode, &f.community),
        (component::Column::StreetCode, &f.street),
        (component::Column::ClassCode, &f.class),
        (component::Column::Status, &f.status),
        (component::Column::DeptCode, &f.dept),
    ] {
        if let Some(v) = value {
            q = q.filter(col.eq(v.trim()));
        }
    }
    Ok(q)
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &TenantScope,
    f: &ComponentFilter,
    page: &PageRequest,
) -> Result<Page<Component>> {
    let limit = page.limit()?;
    let mut q = filtered(scope.tenant(), f)?.order_by_asc(component::Column::Id).limit(limit + 1);
    if let Some(after) = page.after()? {
        q = q.filter(component::Column::Id.gt(after));
    }
    let rows = q.all(db).await.or_internal()?;
    Ok(Page::from_rows(rows, limit, |m| m.id).map(view))
}

pub(crate) async fn find(db: &DatabaseConnection, scope: &TenantScope, id: &str) -> Result<Option<component::Model>> {
    component::Entity::find_in(scope).filter(component::Column::ComponentId.eq(id)).one(db).await.or_internal()
}

pub async fn get(db: &DatabaseConnection, scope: &TenantScope, id: &str) -> Result<Component> {
    find(db, scope, id).await?.map(view).ok_or_else(|| Error::not_found("component"))
}

/// One change of a component.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    pub version: i32,
    /// `created` or `updated`.
    pub action: String,
    /// The user who made it (for imports, the uploader).
    pub actor_id: Option<Uuid>,
    /// The import job, when it came from one.
    pub job_id: Option<Uuid>,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `{field: [old, new]}`.
    #[schema(value_type = Object)]
    pub changes: Value,
}

/// Every change of a component. Creations are stored without a snapshot; the created state is
/// rebuilt here from the current row by undoing the later updates, newest first.
pub async fn history(db: &DatabaseConnection, scope: &TenantScope, id: &str) -> Result<Vec<Change>> {
    let Some(current) = find(db, scope, id).await? else {
        return Err(Error::not_found("component"));
    };
    let rows = component_history::Entity::find_in(scope)
        .filter(component_history::Column::ComponentId.eq(id))
        .order_by_asc(component_history::Column::Version)
        .all(db)
        .await
        .or_internal()?;
    let mut changes: Vec<Change> = rows
        .into_iter()
        .map(|h| Change {
            version: h.version,
            action: h.action,
            actor_id: h.actor_id,
            job_id: h.job_id,
            at: h.at,
            changes: serde_json::from_str(&h.changes).unwrap_or(Value::Null),
        })
        .collect();
    let mut state: serde_json::Map<String, Value> =
        super::store::stored_pairs(&current).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    for change in changes.iter_mut().rev() {
        if change.action == "created" {
            let created: serde_json::Map<String, Value> =
                state.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), json!([null, v]))).collect();
            change.changes = Value::Object(created);
            break;
        }
        if let Value::Object(fields) = &change.changes {
            for (field, pair) in fields {
                state.insert(field.clone(), pair.get(0).cloned().unwrap_or(Value::Null));
            }
        }
    }
    Ok(changes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Geojson,
    Csv,
    /// An Excel workbook with the CSV columns; built whole (see [`export_xlsx`]).
    Xlsx,
}

/// CSV columns of the export: the standard abbreviations (GB/T 47678.7) and the location.
pub const CSV_HEADER: &str = "GLBJBSM,GLBJMC,ZGBMDM,ZGBMMC,QSDWDM,QSDWMC,YHDWDM,YHDWMC,SZDYWGBSM,GLBJZT,CSRQ,BGRQ,SJLY,BZ,SZJDDM,SZJDMC,SZSQDM,SZSQMC,lon,lat";

/// The export's cells of a component, in [`CSV_HEADER`] order; lon and lat are numbers, the
/// rest text.
fn export_cells(m: &component::Model) -> (Vec<String>, [f64; 2]) {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let text = vec![
        m.component_id.clone(),
        m.name.clone(),
        m.dept_code.clone(),
        m.dept_name.clone(),
        o(&m.owner_code),
        o(&m.owner_name),
        o(&m.maint_code),
        o(&m.maint_name),
        m.grid_code.clone(),
        m.status.clone(),
        m.initial_date.format("%Y%m%d").to_string(),
        m.change_date.map(|d| d.format("%Y%m%d").to_string()).unwrap_or_default(),
        o(&m.data_source),
        o(&m.note),
        o(&m.street_code),
        o(&m.street_name),
        o(&m.community_code),
        o(&m.community_name),
    ];
    (text, [m.lon, m.lat])
}

fn csv_line(m: &component::Model) -> String {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let (text, [lon, lat]) = export_cells(m);
    let record =
        text.iter().map(|t| kernel::spreadsheet::csv_text(t).into_owned()).chain([lon.to_string(), lat.to_string()]);
    let _ = w.write_record(record);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The filtered census as an XLSX workbook (the CSV columns; ids and codes as text cells, lon and
/// lat as numbers, formula-like text quote-prefixed). A workbook is a ZIP archive and cannot be
/// streamed: rows are read a page at a time and written on a blocking thread by the
/// constant-memory writer, which keeps them in a temporary file until the archive is built.
/// More rows than a sheet holds are refused (422) rather than cut off.
pub async fn export_xlsx(db: &DatabaseConnection, scope: &TenantScope, f: &ComponentFilter) -> Result<Vec<u8>> {
    const PAGE: u64 = 5000;
    let tenant = scope.tenant();
    let total = filtered(tenant, f)?.count(db).await.or_internal()?;
    if total > super::sheet::XLSX_MAX_ROWS {
        return Err(Error::invalid(
            "format",
            format!(
                "{total} components are more than an XLSX sheet holds ({}); narrow the filter or export CSV",
                super::sheet::XLSX_MAX_ROWS
            ),
        ));
    }
    let header: Vec<&str> = CSV_HEADER.split(',').collect();
    let mut sheet = Some(super::sheet::SheetWriter::new("components", &header)?);
    let mut after = None::<Uuid>;
    loop {
        let mut q = filtered(tenant, f)?.order_by_asc(component::Column::Id).limit(PAGE);
        if let Some(a) = after {
            q = q.filter(component::Column::Id.gt(a));
        }
        let rows = q.all(db).await.or_internal()?;
        let Some(last) = rows.last().map(|r| r.id) else { break };
        after = Some(last);
        let mut w = sheet.take().ok_or_else(|| Error::internal(anyhow::anyhow!("sheet writer missing")))?;
        sheet = Some(
            tokio::task::spawn_blocking(move || {
                for m in &rows {
                    let (text, numbers) = export_cells(m);
                    w.row(&text, &numbers)?;
                }
                Ok::<_, Error>(w)
            })
            .await
            .map_err(Error::internal)??,
        );
    }
    let w = sheet.ok_or_else(|| Error::internal(anyhow::anyhow!("sheet writer missing")))?;
    tokio::task::spawn_blocking(move || w.finish()).await.map_err(Error::internal)?
}

/// Streams the filtered census, a page at a time. CSV starts with a UTF-8 byte-order mark and
/// neutralises formula-like text (`kernel::spreadsheet`).
pub fn export(
    db: DatabaseConnection,
    scope: TenantScope,
    f: ComponentFilter,
    format: ExportFormat,
) -> impl Stream<Item = Result<String>> {
    const PAGE: u64 = 1000;
    futures_util::stream::unfold((0u8, None::<Uuid>), move |(stage, after)| {
        let db = db.clone();
        let f = f.clone();
        let tenant = scope.tenant().clone();
        async move {
            match stage {
                0 => {
                    let head = match format {
                        ExportFormat::Geojson => r#"{"type":"FeatureCollection","features":["#.to_owned(),
                        ExportFormat::Csv => format!("{}{CSV_HEADER}\n", kernel::spreadsheet::UTF8_BOM),
                        ExportFormat::Xlsx => {
                            return Some((
                                Err(Error::internal(anyhow::anyhow!("XLSX is built by export_xlsx, not streamed"))),
                                (2, None),
                            ));
                        }
                    };
                    Some((Ok(head), (1, None)))
                }
                1 => {
                    let q = match filtered(&tenant, &f) {
                        Ok(q) => q,
                        Err(e) => return Some((Err(e), (2, None))),
                    };
                    let mut q = q.order_by_asc(component::Column::Id).limit(PAGE);
                    if let Some(a) = after {
                        q = q.filter(component::Column::Id.gt(a));
                    }
                    let rows = match q.all(&db).await.or_internal() {
                        Ok(r) => r,
                        Err(e) => return Some((Err(e), (2, None))),
                    };
                    if rows.is_empty() {
                        let tail = if format == ExportFormat::Geojson { "]}\n" } else { "" };
                        return Some((Ok(tail.to_owned()), (2, None)));
                    }
                    let last = rows.last().map(|r| r.id);
                    let mut chunk = String::new();
                    for (i, m) in rows.into_iter().enumerate() {
                        match format {
                            ExportFormat::Csv | ExportFormat::Xlsx => chunk.push_str(&csv_line(&m)),
                            ExportFormat::Geojson => {
                                if after.is_some() || i > 0 {
                                    chunk.push(',');
                                }
                                let c = view(m);
                                let geometry = c.location.clone();
                                let mut props = serde_json::to_value(&c).unwrap_or(Value::Null);
                                if let Some(o) = props.as_object_mut() {
                                    o.remove("location");
                                }
                                chunk.push_str(
                                    &json!({"type": "Feature", "properties": props, "geometry": geometry}).to_string(),
                                );
                            }
                        }
                    }
                    Some((Ok(chunk), (1, last)))
                }
                _ => None,
            }
        }
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountByClass {
    pub class_code: String,
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountByPlace {
    pub street_code: Option<String>,
    pub community_code: Option<String>,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CensusStats {
    pub tenant_code: String,
    pub total: i64,
    pub by_class_and_status: Vec<CountByClass>,
    pub by_street_and_community: Vec<CountByPlace>,
}

async fn stats_of(db: &DatabaseConnection, tenant: &TenantRef) -> Result<CensusStats> {
    let code = tenant.code();
    let code = code.as_str();
    let by_class: Vec<(String, String, i64)> = component::Entity::find_in(tenant)
        .select_only()
        .column(component::Column::ClassCode)
        .column(component::Column::Status)
        .column_as(Expr::col(component::Column::Id).count(), "n")
        .group_by(component::Column::ClassCode)
        .group_by(component::Column::Status)
        .order_by_asc(component::Column::ClassCode)
        .order_by_asc(component::Column::Status)
        .into_tuple()
        .all(db)
        .await
        .or_internal()?;
    let by_place: Vec<(Option<String>, Option<String>, i64)> = component::Entity::find_in(tenant)
        .select_only()
        .column(component::Column::StreetCode)
        .column(component::Column::CommunityCode)
        .column_as(Expr::col(component::Column::Id).count(), "n")
        .group_by(component::Column::StreetCode)
        .group_by(component::Column::CommunityCode)
        .order_by_asc(component::Column::StreetCode)
        .order_by_asc(component::Column::CommunityCode)
        .into_tuple()
        .all(db)
        .await
        .or_internal()?;
    Ok(CensusStats {
        tenant_code: code.to_owned(),
        total: by_class.iter().map(|r| r.2).sum(),
        by_class_and_status: by_class
            .into_iter()
            .map(|(class_code, status, count)| CountByClass { class_code, status, count })
            .collect(),
        by_street_and_community: by_place
            .into_iter()
            .map(|(street_code, community_code, count)| CountByPlace { street_code, community_code, count })
            .collect(),
    })
}

/// Census statistics of the scoped county.
pub async fn stats(db: &DatabaseConnection, scope: &TenantScope) -> Result<CensusStats> {
    stats_of(db, scope.tenant()).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CityStats {
    pub city_code: String,
    /// Each county of the city.
    pub counties: Vec<CensusStats>,
    /// Counts by class and status summed over the counties.
    pub total: i64,
    pub by_class_and_status: Vec<CountByClass>,
}

/// Census statistics of every county beneath the scoped city (for a county: of itself), and
/// their sum.
pub async fn city_stats(db: &DatabaseConnection, scope: &TenantScope) -> Result<CityStats> {
    if scope.tenant().level() == DivisionLevel::Platform {
        return Err(Error::conflict("the census belongs to counties; ask a city"));
    }
    let counties = tenancy::tenant::counties_of(db, scope).await?;
    let mut out = Vec::with_capacity(counties.len());
    let mut sum: std::collections::BTreeMap<(String, String), i64> = Default::default();
    for c in counties {
        let s = stats_of(db, &c).await?;
        for r in &s.by_class_and_status {
            *sum.entry((r.class_code.clone(), r.status.clone())).or_default() += r.count;
        }
        out.push(s);
    }
    Ok(CityStats {
        city_code: scope.tenant().code().to_string(),
        total: out.iter().map(|s| s.total).sum(),
        counties: out,
        by_class_and_status: sum
            .into_iter()
            .map(|((class_code, status), count)| CountByClass { class_code, status, count })
            .collect(),
    })
}
