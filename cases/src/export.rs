//! The case list as a file (案件导出): the rows a work list's filter matches, as the caller may
//! see them, in CSV (UTF-8 with a byte-order mark, for Excel and WPS) or XLSX. Labels are the
//! Chinese terms staff use; times are in the county's time zone.
//!
//! A county's list is a few thousand cases a quarter, so the file is built whole: rows are read a
//! page at a time and the workbook is written on a blocking thread (the same constant-memory
//! writer as the census export). More rows than a sheet holds are refused rather than cut off.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kernel::{Error, Result, Vocabulary};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use tenancy::TenantScope;
use utoipa::ToSchema;
use uuid::Uuid;
use workflow::Actor;

use crate::db::OrInternal;
use crate::entity::case;
use crate::query::{CaseFilter, filtered, visible};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CaseExportFormat {
    /// UTF-8 with a byte-order mark; formula-like text neutralised.
    Csv,
    /// An Excel workbook; codes and numbers as text cells, lon/lat as numbers.
    Xlsx,
}

/// The export's columns; lon and lat come last, as numbers.
pub const HEADER: [&str; 17] = [
    "案件编号",
    "状态",
    "来源",
    "类型",
    "类别代码",
    "问题描述",
    "地址",
    "街道代码",
    "社区代码",
    "单元网格",
    "处置部门",
    "超期",
    "上报时间",
    "当前时限",
    "结案时间",
    "经度",
    "纬度",
];

/// The most rows one export holds (an XLSX sheet's rows, less the header).
pub const MAX_ROWS: u64 = 1_048_575;

fn label<V: Vocabulary + for<'de> Deserialize<'de>>(code: &str) -> String {
    serde_json::from_value::<V>(serde_json::Value::String(code.to_owned()))
        .map(|v| v.zh().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

fn local(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// The text cells of a case, in [`HEADER`] order (without lon/lat).
fn cells(m: &case::Model, departments: &std::collections::HashMap<Uuid, String>, tz: Tz) -> Vec<String> {
    vec![
        m.number.clone(),
        label::<workflow::State>(&m.state),
        label::<workflow::Source>(&m.source),
        if m.kind == "component" { "部件".into() } else { "事件".into() },
        m.class_code.clone(),
        m.description.clone(),
        m.address.clone().unwrap_or_default(),
        m.street_code.clone(),
        m.community_code.clone(),
        m.grid_code.clone(),
        m.department_id.and_then(|d| departments.get(&d).cloned()).unwrap_or_default(),
        if m.overdue { "是".into() } else { "否".into() },
        local(Some(m.created_at), tz),
        local(m.deadline, tz),
        local(m.closed_at, tz),
    ]
}

/// The cases `actor` may see that `f` matches, as a file of `format`.
pub async fn export(
    db: &DatabaseConnection,
    scope: &TenantScope,
    actor: &Actor,
    f: &CaseFilter,
    format: CaseExportFormat,
) -> Result<Vec<u8>> {
    use sea_orm::PaginatorTrait;
    const PAGE: u64 = 2000;
    f.check()?;
    let base = filtered(visible(db, scope, actor, case::Entity::find()).await?, f);
    let total = base.clone().count(db).await.or_internal()?;
    if total > MAX_ROWS {
        return Err(Error::invalid("format", format!("{total} cases are more than one file holds; narrow the filter")));
    }
    let (cal, _) = crate::clock::load(db, scope).await?;
    let tz: Tz = cal.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let departments: std::collections::HashMap<Uuid, String> =
        tenancy::department::dispatch_targets(db, scope).await?.into_iter().map(|d| (d.id, d.name)).collect();
    let mut sheet = match format {
        CaseExportFormat::Xlsx => Some(inventory::census::sheet::SheetWriter::new("cases", &HEADER)?),
        CaseExportFormat::Csv => None,
    };
    let mut csv = csv::WriterBuilder::new().from_writer(kernel::spreadsheet::UTF8_BOM.as_bytes().to_vec());
    if sheet.is_none() {
        csv.write_record(HEADER).map_err(Error::internal)?;
    }
    let mut after = None::<Uuid>;
    loop {
        let mut q = base.clone().order_by_asc(case::Column::Id).limit(PAGE);
        if let Some(a) = after {
            q = q.filter(case::Column::Id.gt(a));
        }
        let rows = q.all(db).await.or_internal()?;
        let Some(last) = rows.last().map(|r| r.id) else { break };
        after = Some(last);
        match sheet.take() {
            Some(mut w) => {
                let departments = departments.clone();
                sheet = Some(
                    tokio::task::spawn_blocking(move || {
                        for m in &rows {
                            w.row(&cells(m, &departments, tz), &[m.lon, m.lat])?;
                        }
                        Ok::<_, Error>(w)
                    })
                    .await
                    .map_err(Error::internal)??,
                );
            }
            None => {
                for m in &rows {
                    let text = cells(m, &departments, tz);
                    let record = text
                        .iter()
                        .map(|t| kernel::spreadsheet::csv_text(t).into_owned())
                        .chain([m.lon.to_string(), m.lat.to_string()]);
                    csv.write_record(record).map_err(Error::internal)?;
                }
            }
        }
    }
    match sheet {
        Some(w) => tokio::task::spawn_blocking(move || w.finish()).await.map_err(Error::internal)?,
        None => csv.into_inner().map_err(|e| Error::internal(anyhow::anyhow!("csv: {e}"))),
    }
}
