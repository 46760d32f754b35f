//! The go-live checklist of a county (上线检查): is everything the closed loop needs in place —
//! departments, staff for each role of the loop, the frame and its duty grids, the census, the
//! responsibility list, the work calendar and the time limits. Each item names what is missing,
//! so the console can send the administrator to the step that fixes it.

use chrono::{Datelike, Utc};
use kernel::{DivisionLevel, Error, Result};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use tenancy::{Role, TenantScope};
use utoipa::ToSchema;

use crate::clock::{LIMITS, TimeLimits};

/// One check of the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadinessItem {
    /// Stable key: `departments`, `users.supervision-center`, `users.command-center`,
    /// `users.department`, `users.collector`, `streets`, `communities`, `unit_grids`,
    /// `communities_gridded`, `duty_grids_staffed`, `duty_grids_cover`, `census`,
    /// `responsibilities`, `work_calendar`, `time_limits`.
    #[schema(example = "duty_grids_staffed")]
    pub key: String,
    pub ok: bool,
    /// The numbers behind the verdict, by name.
    #[schema(example = json!({"duty_grids": 6, "without_collectors": 0}))]
    pub counts: BTreeMap<String, u64>,
    /// What was found, or what is missing (Chinese, for the console).
    #[schema(example = "6 个责任网格均已配置监督员")]
    pub detail: String,
}

/// The checklist of a county.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "320115")]
    pub tenant_code: String,
    /// Whether every item is ok.
    pub ready: bool,
    pub items: Vec<ReadinessItem>,
}

fn item(key: &str, ok: bool, counts: &[(&str, u64)], detail: String) -> ReadinessItem {
    ReadinessItem {
        key: key.to_owned(),
        ok,
        counts: counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        detail,
    }
}

/// The roles without which a case cannot go round the loop.
const LOOP_ROLES: [Role; 4] = [Role::SupervisionCenter, Role::CommandCenter, Role::Department, Role::Collector];

/// At most this many missing class codes are named in a detail.
const NAMED: usize = 10;

/// The checklist of the scoped county (a city or the platform has none: 422 on `tenant_code`).
pub async fn check(db: &DatabaseConnection, scope: &TenantScope) -> Result<Readiness> {
    if scope.tenant().level() != DivisionLevel::County {
        return Err(Error::invalid("tenant_code", "the go-live checklist is a county's (区县)"));
    }
    let mut items = Vec::new();

    let (departments, valid) = tenancy::department::uscc_counts(db, scope).await?;
    items.push(item(
        "departments",
        valid >= 1,
        &[("departments", departments), ("valid_uscc", valid)],
        if valid >= 1 {
            format!("{departments} 个专业部门，{valid} 个统一社会信用代码有效")
        } else if departments == 0 {
            "尚未创建专业部门".to_owned()
        } else {
            format!("{departments} 个专业部门均无有效的统一社会信用代码")
        },
    ));

    let holders = tenancy::user::active_role_counts(db, scope).await?;
    for role in LOOP_ROLES {
        let n = holders.get(&role).copied().unwrap_or_default();
        let name = role.name_zh();
        items.push(item(
            &format!("users.{}", role.as_str()),
            n >= 1,
            &[("users", n)],
            if n >= 1 {
                format!("{n} 个启用的{name}用户")
            } else {
                format!("尚无启用的{name}（{}）用户", role.as_str())
            },
        ));
    }

    let f = inventory::grids::frame_counts(db, scope).await?;
    items.push(item(
        "streets",
        f.streets >= 1,
        &[("streets", f.streets)],
        if f.streets >= 1 {
            format!("{} 个街道", f.streets)
        } else {
            "尚无街道：导入单元网格后自动生成".to_owned()
        },
    ));
    items.push(item(
        "communities",
        f.communities >= 1,
        &[("communities", f.communities)],
        if f.communities >= 1 {
            format!("{} 个社区", f.communities)
        } else {
            "尚无社区：导入单元网格后自动生成".to_owned()
        },
    ));
    items.push(item(
        "unit_grids",
        f.unit_grids >= 1,
        &[("unit_grids", f.unit_grids)],
        if f.unit_grids >= 1 {
            format!("已导入 {} 个单元网格", f.unit_grids)
        } else {
            "尚未导入单元网格".to_owned()
        },
    ));
    items.push(item(
        "communities_gridded",
        f.communities >= 1 && f.communities_without_grids == 0,
        &[("communities", f.communities), ("without_grids", f.communities_without_grids)],
        match (f.communities, f.communities_without_grids) {
            (0, _) => "尚无社区".to_owned(),
            (n, 0) => format!("{n} 个社区均有单元网格"),
            (n, m) => format!("{n} 个社区中 {m} 个没有单元网格"),
        },
    ));
    items.push(item(
        "duty_grids_staffed",
        f.duty_grids >= 1 && f.duty_grids_without_collectors == 0,
        &[("duty_grids", f.duty_grids), ("without_collectors", f.duty_grids_without_collectors)],
        match (f.duty_grids, f.duty_grids_without_collectors) {
            (0, _) => "尚未划分责任网格".to_owned(),
            (n, 0) => format!("{n} 个责任网格均已配置监督员"),
            (n, m) => format!("{n} 个责任网格中 {m} 个没有监督员"),
        },
    ));
    items.push(item(
        "duty_grids_cover",
        f.unit_grids >= 1 && f.unit_grids_outside_duty_grids == 0,
        &[("unit_grids", f.unit_grids), ("outside_duty_grids", f.unit_grids_outside_duty_grids)],
        match (f.unit_grids, f.unit_grids_outside_duty_grids) {
            (0, _) => "尚未导入单元网格".to_owned(),
            (n, 0) => format!("{n} 个单元网格均属于责任网格"),
            (n, m) => format!("{n} 个单元网格中 {m} 个不属于任何责任网格"),
        },
    ));
    items.push(item(
        "census",
        f.components >= 1,
        &[("components", f.components)],
        if f.components >= 1 {
            format!("部件普查 {} 条", f.components)
        } else {
            "尚未导入部件普查数据".to_owned()
        },
    ));

    // Every class of the catalogue the county sees (national and local, components and
    // matters; one code is one line) has a county-wide line: a case of any class gets a
    // suggested department wherever it is.
    let mut classes: HashSet<String> =
        inventory::catalog::visible_classes(db, scope, inventory::catalog::Kind::Component)
            .await?
            .into_keys()
            .collect();
    classes.extend(inventory::catalog::visible_classes(db, scope, inventory::catalog::Kind::Matter).await?.into_keys());
    let covered: HashSet<String> = crate::dispatch::list(db, scope)
        .await?
        .into_iter()
        .filter(|l| l.street_code.is_none() && l.community_code.is_none() && l.grid_code.is_none())
        .map(|l| l.class_code)
        .collect();
    let mut missing: Vec<&String> = classes.iter().filter(|c| !covered.contains(*c)).collect();
    missing.sort();
    let total = classes.len() as u64;
    items.push(item(
        "responsibilities",
        missing.is_empty(),
        &[("classes", total), ("without_department", missing.len() as u64)],
        if missing.is_empty() {
            format!("{total} 个类别均在权责清单中有全区县范围的责任部门")
        } else {
            let named: Vec<&str> = missing.iter().take(NAMED).map(|c| c.as_str()).collect();
            let more = if missing.len() > NAMED { " 等" } else { "" };
            format!(
                "{total} 个类别中 {} 个在权责清单中没有全区县范围的责任部门：{}{more}",
                missing.len(),
                named.join("、")
            )
        },
    ));

    let (calendar, _) = crate::clock::load(db, scope).await?;
    let year = Utc::now().with_timezone(&crate::clock::zone_of(&calendar)).year();
    let has_holidays = calendar.years_without_holidays([year]).is_empty();
    items.push(item(
        "work_calendar",
        has_holidays,
        &[("year", u64::try_from(year).unwrap_or_default())],
        if has_holidays {
            format!("工作日历已有 {year} 年的法定节假日")
        } else {
            format!("工作日历没有 {year} 年的法定节假日安排")
        },
    ));

    let stored: Option<TimeLimits> = crate::settings::get(db, scope, LIMITS).await?;
    let (ok, classes, detail) = match stored {
        Some(l) if l.validate().is_ok() => {
            (true, l.classes.len() as u64, format!("已配置时限（{} 个类别的处置时限）", l.classes.len()))
        }
        Some(l) => (false, l.classes.len() as u64, "时限配置无效，请重新保存".to_owned()),
        None => (false, 0, "使用内置默认时限，尚未按本区县核定保存".to_owned()),
    };
    items.push(item("time_limits", ok, &[("class_limits", classes)], detail));

    Ok(Readiness { tenant_code: scope.tenant().code().to_string(), ready: items.iter().all(|i| i.ok), items })
}
