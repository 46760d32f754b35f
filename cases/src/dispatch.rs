//! The responsibility list (权责清单) and the dispatch suggestion it gives.
//!
//! A line maps a class, optionally narrowed to a street, community or unit grid, to the
//! department responsible. For a case the most specific line wins; a census component whose
//! 主管部门 is one of the county's departments (same 统一社会信用代码) wins over all lines. The
//! dispatcher sees the suggestion and may choose another department.

use std::collections::HashSet;
use tenancy::TenantOwned;

use kernel::{Result, Validator};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use tenancy::TenantScope;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::responsibility;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Line {
    #[schema(example = "06010")]
    pub class_code: String,
    pub street_code: Option<String>,
    pub community_code: Option<String>,
    pub grid_code: Option<String>,
    pub department_id: Uuid,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    pub department_id: Uuid,
    pub department_name: String,
    /// `component_owner`, `grid`, `community`, `street` or `class`.
    pub matched_by: &'static str,
}

pub async fn list(db: &DatabaseConnection, scope: &TenantScope) -> Result<Vec<Line>> {
    Ok(responsibility::Entity::find_in(scope)
        .order_by_asc(responsibility::Column::ClassCode)
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|r| Line {
            class_code: r.class_code,
            street_code: r.street_code,
            community_code: r.community_code,
            grid_code: r.grid_code,
            department_id: r.department_id,
        })
        .collect())
}

/// Replaces the whole list (every bad line reported by index and field).
pub async fn replace(db: &DatabaseConnection, scope: &TenantScope, lines: Vec<Line>) -> Result<Vec<Line>> {
    let tenant = scope.tenant_id().0;
    let code = scope.tenant().code().to_string();
    // The county's own departments and those its city shares.
    let departments: std::collections::HashSet<Uuid> =
        tenancy::department::dispatch_targets(db, scope).await?.into_iter().map(|d| d.id).collect();
    // What the lines may name: the catalogue's classes (components and matters), the county's
    // streets, communities and unit grids.
    let mut classes = inventory::catalog::visible_classes(db, scope, inventory::catalog::Kind::Component).await?;
    classes.extend(inventory::catalog::visible_classes(db, scope, inventory::catalog::Kind::Matter).await?);
    let streets: HashSet<String> = inventory::grids::streets(db, scope).await?.into_iter().map(|s| s.code).collect();
    let communities: HashSet<String> =
        inventory::grids::communities(db, scope, None).await?.into_iter().map(|c| c.code).collect();
    let grid_codes: Vec<&str> = lines.iter().filter_map(|l| l.grid_code.as_deref()).collect();
    let grids = inventory::grids::existing_grid_codes(db, scope, &grid_codes).await?;
    let mut v = Validator::new();
    for (i, l) in lines.iter().enumerate() {
        if l.class_code.len() != 5 || !l.class_code.bytes().all(|b| b.is_ascii_digit()) {
            v.add(format!("[{i}].class_code"), "must be a 5-digit class code");
        } else if !classes.contains_key(&l.class_code) {
            v.add(format!("[{i}].class_code"), format!("`{}` is not a class of the catalogue", l.class_code));
        }
        for (field, value, len) in [
            ("street_code", &l.street_code, 9),
            ("community_code", &l.community_code, 12),
            ("grid_code", &l.grid_code, 15),
        ] {
            let Some(c) = value else { continue };
            if let Err(reason) = spatial::codes::check_child_code(c, len, &code, field) {
                v.add(format!("[{i}].{field}"), reason);
                continue;
            }
            let (known, what) = match field {
                "street_code" => (streets.contains(c), "street"),
                "community_code" => (communities.contains(c), "community"),
                _ => (grids.contains(c), "unit grid"),
            };
            if !known {
                v.add(format!("[{i}].{field}"), format!("`{c}` is not a {what} of this county"));
            }
        }
        if !departments.contains(&l.department_id) {
            v.add(format!("[{i}].department_id"), "no such department in this county or shared by its city");
        }
    }
    v.finish()?;
    let txn = db.begin().await.or_internal()?;
    responsibility::Entity::delete_in(scope).exec(&txn).await.or_internal()?;
    if !lines.is_empty() {
        let rows: Vec<responsibility::ActiveModel> = lines
            .iter()
            .map(|l| responsibility::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant),
                class_code: Set(l.class_code.clone()),
                street_code: Set(l.street_code.clone()),
                community_code: Set(l.community_code.clone()),
                grid_code: Set(l.grid_code.clone()),
                department_id: Set(l.department_id),
            })
            .collect();
        responsibility::Entity::insert_many(rows).exec_without_returning(&txn).await.or_internal()?;
    }
    txn.commit().await.or_internal()?;
    list(db, scope).await
}

/// The department suggested for a case the caller may see.
pub async fn suggest(
    db: &DatabaseConnection,
    scope: &TenantScope,
    actor: &workflow::Actor,
    case_id: Uuid,
) -> Result<Option<Suggestion>> {
    let c = crate::query::find_visible(db, scope, actor, case_id).await?;
    let departments = tenancy::department::dispatch_targets(db, scope).await?;
    let name_of = |id: Uuid| departments.iter().find(|d| d.id == id).map(|d| d.name.clone());
    if let Some(component) = &c.component_id
        && let Ok(comp) = inventory::census::query::get(db, scope, component).await
        && let Some(d) = departments.iter().find(|d| d.uscc == comp.dept_code)
    {
        return Ok(Some(Suggestion {
            department_id: d.id,
            department_name: d.name.clone(),
            matched_by: "component_owner",
        }));
    }
    let lines = responsibility::Entity::find_in(scope)
        .filter(responsibility::Column::ClassCode.eq(c.class_code.as_str()))
        .all(db)
        .await
        .or_internal()?;
    let ranked = lines.iter().filter_map(|l| {
        let rank = match (&l.grid_code, &l.community_code, &l.street_code) {
            (Some(g), _, _) if *g == c.grid_code => (4, "grid"),
            (Some(_), _, _) => return None,
            (None, Some(m), _) if *m == c.community_code => (3, "community"),
            (None, Some(_), _) => return None,
            (None, None, Some(s)) if *s == c.street_code => (2, "street"),
            (None, None, Some(_)) => return None,
            (None, None, None) => (1, "class"),
        };
        Some((rank, l.department_id))
    });
    let best = ranked.max_by_key(|((rank, _), _)| *rank);
    Ok(best.and_then(|((_, matched_by), id)| {
        name_of(id).map(|department_name| Suggestion { department_id: id, department_name, matched_by })
    }))
}

/// The demo department (index into `tenancy::demo::DEPARTMENTS`) in charge of a class, by its
/// major class (the same for components and matters up to 05): municipal and traffic facilities
/// the 市政设施管理处, green space the 园林绿化管理处, other components and construction the
/// 住房和城乡建设局, everything else the 城市管理局.
fn demo_department_for(code: &str) -> usize {
    match code.get(..2) {
        Some("01" | "02") => 2,
        Some("04") => 3,
        Some("05" | "08") => 1,
        _ => 0,
    }
}

/// Seeds each demo county's responsibility list (a county-wide line for every class of the
/// catalogue) and stores its time limits (the defaults, as a county that reviewed them would), so
/// that the demo passes the go-live checklist. Once per county; a list or limits already stored
/// are kept.
pub async fn seed_demo(db: &DatabaseConnection, counties: &[(&str, &str)]) -> Result<()> {
    const STAGE: &str = "responsibilities";
    for &(code, county_name) in counties {
        if tenancy::demo::stage::done(db, STAGE, code).await? {
            continue;
        }
        let Some(system) = tenancy::SystemScope::by_code(db, tenancy::Job::DemoSeed, code).await? else { continue };
        let tenant = system.tenant().clone();
        let departments = tenancy::entity::department::Entity::find_in(&system).all(db).await.or_internal()?;
        // The demo names a county's departments `<county><department>` (江宁区水务局).
        let by_name: std::collections::HashMap<&str, Uuid> =
            departments.iter().filter_map(|d| Some((d.name.strip_prefix(county_name)?, d.id))).collect();
        let existing = responsibility::Entity::find_in(&system).one(db).await.or_internal()?;
        if existing.is_none() {
            let mut codes: Vec<String> =
                inventory::catalog::visible_classes_for(db, &tenant, inventory::catalog::Kind::Component)
                    .await?
                    .into_keys()
                    .collect();
            codes.extend(
                inventory::catalog::visible_classes_for(db, &tenant, inventory::catalog::Kind::Matter)
                    .await?
                    .into_keys(),
            );
            codes.sort();
            codes.dedup();
            let rows: Vec<responsibility::ActiveModel> = codes
                .into_iter()
                .filter_map(|c| {
                    let name = tenancy::demo::DEPARTMENTS.get(demo_department_for(&c))?;
                    let department = *by_name.get(name)?;
                    Some(responsibility::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        tenant_id: Set(tenant.id().0),
                        class_code: Set(c),
                        street_code: Set(None),
                        community_code: Set(None),
                        grid_code: Set(None),
                        department_id: Set(department),
                    })
                })
                .collect();
            let txn = db.begin().await.or_internal()?;
            for chunk in rows.chunks(200) {
                responsibility::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await.or_internal()?;
            }
            txn.commit().await.or_internal()?;
        }
        let limits: Option<crate::clock::TimeLimits> = crate::settings::get(db, &system, crate::clock::LIMITS).await?;
        if limits.is_none() {
            crate::settings::put(db, &system, crate::clock::LIMITS, &crate::clock::TimeLimits::default()).await?;
        }
        tenancy::demo::stage::mark_done(db, STAGE, code).await?;
    }
    Ok(())
}
