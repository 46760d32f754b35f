//! The catalogue of managed components (管理部件) and matters (管理事项).
//!
//! The national classes of GB/T 47678.5-2026 (153 components, 250 matters) ship in
//! `data/catalog-gbt47678.5-2026.tsv` and are seeded at start-up; they belong to no tenant.
//! Codes repeat across kinds (01001 is both a component and a matter), so a class is keyed by
//! (standard, kind, code). A city or county may add local extension classes without touching the
//! national ones; a county sees its city's extensions too. Legacy CJ/T 214 4-digit component
//! classes map to the new codes through `data/legacy-class-map.tsv` — only where the mapping is
//! supported by an identical name or number; anything else is reported, never guessed.

use chrono::Utc;
use kernel::{DivisionLevel, Error, Result, Validator, ids::TenantId};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tenancy::TenantScope;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::{catalog_class, legacy_class_map};

pub const NATIONAL_STANDARD: &str = "GB/T 47678.5-2026";
pub const LEGACY_STANDARD: &str = "CJ/T 214-2007";
const NATIONAL_TSV: &str = include_str!("../data/catalog-gbt47678.5-2026.tsv");
const LEGACY_TSV: &str = include_str!("../data/legacy-class-map.tsv");
const GLOSS_TSV: &str = include_str!("../data/catalog-en.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[schema(as = ClassKind)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 管理部件: a physical asset in the census.
    Component,
    /// 管理事项: a matter (event) class.
    Matter,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Matter => "matter",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "component" => Some(Kind::Component),
            "matter" => Some(Kind::Matter),
            _ => None,
        }
    }
}

/// English glosses of the major classes.
fn major_gloss(kind: Kind, major: &str) -> Option<&'static str> {
    Some(match (kind, major) {
        (Kind::Component, "01") => "Municipal utilities",
        (Kind::Component, "02") => "Transport facilities",
        (Kind::Component, "03") => "Sanitation facilities",
        (Kind::Component, "04") => "Landscaping and greenery",
        (Kind::Component, "05") => "Other managed components",
        (Kind::Matter, "01") => "Municipal utility faults",
        (Kind::Matter, "02") => "Transport facility faults",
        (Kind::Matter, "03") => "Sanitation facility faults",
        (Kind::Matter, "04") => "Greenery facility faults",
        (Kind::Matter, "05") => "Other component faults",
        (Kind::Matter, "06") => "City appearance and environment",
        (Kind::Matter, "07") => "Advertising and publicity",
        (Kind::Matter, "08") => "Construction management",
        (Kind::Matter, "09") => "Street order",
        (Kind::Matter, "10") => "Other matters",
        _ => return None,
    })
}

/// A class as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogClass {
    /// `GB/T 47678.5-2026`, or `local:<tenant code>` for an extension.
    #[schema(example = "GB/T 47678.5-2026")]
    pub standard: String,
    pub kind: Kind,
    #[schema(example = "01")]
    pub major_code: String,
    #[schema(example = "市政公用设施")]
    pub major_name: String,
    #[schema(example = "Municipal utilities")]
    pub major_name_en: Option<String>,
    /// 5 digits: major (2) + minor (3).
    #[schema(example = "01001")]
    pub code: String,
    #[schema(example = "供水井盖")]
    pub name: String,
    #[schema(example = "Water-supply manhole cover")]
    pub name_en: Option<String>,
    /// The tenant that defined this extension (absent for national classes).
    pub tenant_code: Option<String>,
}

/// Filters of the class lists.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClassFilter {
    /// `component` or `matter`.
    pub kind: Option<Kind>,
    /// Major class, 2 digits (e.g. `01`).
    pub major: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewClass {
    pub kind: Kind,
    /// 5 digits; the first two are the major class. Must not collide with a national class or an
    /// extension already visible to the tenant.
    #[schema(example = "01901")]
    pub code: String,
    #[schema(example = "智能井盖")]
    pub name: String,
    /// Defaults to the national major class's name when the major exists.
    pub major_name: Option<String>,
    pub name_en: Option<String>,
}

/// A legacy class mapping.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegacyMapping {
    #[schema(example = "CJ/T 214-2007")]
    pub legacy_standard: String,
    pub kind: Kind,
    #[schema(example = "0101")]
    pub legacy_code: String,
    #[schema(example = "上水井盖")]
    pub legacy_name: String,
    #[schema(example = "01001")]
    pub code: String,
}

fn tsv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

/// Seeds the national catalogue and the legacy mapping where rows are missing (idempotent).
pub async fn seed(db: &DatabaseConnection) -> Result<()> {
    let existing: std::collections::HashSet<(String, String)> = catalog_class::Entity::find()
        .filter(catalog_class::Column::Standard.eq(NATIONAL_STANDARD))
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|c| (c.kind, c.code))
        .collect();
    let glosses: HashMap<&str, &str> = tsv_rows(GLOSS_TSV).filter_map(|r| Some((*r.first()?, *r.get(1)?))).collect();
    let now = Utc::now();
    let mut rows = Vec::new();
    for r in tsv_rows(NATIONAL_TSV) {
        let [kind, major_code, major_name, code, name] = r.as_slice() else { continue };
        if existing.contains(&(kind.to_string(), code.to_string())) {
            continue;
        }
        rows.push(catalog_class::ActiveModel {
            id: Set(Uuid::now_v7()),
            standard: Set(NATIONAL_STANDARD.into()),
            kind: Set(kind.to_string()),
            major_code: Set(major_code.to_string()),
            major_name: Set(major_name.to_string()),
            code: Set(code.to_string()),
            name: Set(name.to_string()),
            name_en: Set(glosses.get(name).map(|s| s.to_string())),
            tenant_id: Set(None),
            created_at: Set(now),
        });
    }
    for chunk in rows.chunks(200) {
        catalog_class::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await.or_internal()?;
    }
    let mapped = legacy_class_map::Entity::find().all(db).await.or_internal()?;
    let mut maps = Vec::new();
    for r in tsv_rows(LEGACY_TSV) {
        let [std, kind, legacy_code, legacy_name, code, ..] = r.as_slice() else { continue };
        if mapped.iter().any(|m| m.legacy_standard == *std && m.kind == *kind && m.legacy_code == *legacy_code) {
            continue;
        }
        maps.push(legacy_class_map::ActiveModel {
            legacy_standard: Set(std.to_string()),
            kind: Set(kind.to_string()),
            legacy_code: Set(legacy_code.to_string()),
            legacy_name: Set(legacy_name.to_string()),
            code: Set(code.to_string()),
        });
    }
    if !maps.is_empty() {
        legacy_class_map::Entity::insert_many(maps).exec_without_returning(db).await.or_internal()?;
    }
    Ok(())
}

fn view(m: catalog_class::Model, owners: &HashMap<Uuid, String>) -> CatalogClass {
    let kind = Kind::parse(&m.kind).unwrap_or(Kind::Component);
    CatalogClass {
        major_name_en: major_gloss(kind, &m.major_code).map(str::to_owned),
        tenant_code: m.tenant_id.and_then(|t| owners.get(&t).cloned()),
        standard: m.standard,
        kind,
        major_code: m.major_code,
        major_name: m.major_name,
        code: m.code,
        name: m.name,
        name_en: m.name_en,
    }
}

fn filtered(filter: &ClassFilter) -> sea_orm::Select<catalog_class::Entity> {
    let mut q = catalog_class::Entity::find()
        .order_by_asc(catalog_class::Column::Kind)
        .order_by_asc(catalog_class::Column::Code)
        .order_by_asc(catalog_class::Column::Standard);
    if let Some(kind) = filter.kind {
        q = q.filter(catalog_class::Column::Kind.eq(kind.as_str()));
    }
    if let Some(major) = &filter.major {
        q = q.filter(catalog_class::Column::MajorCode.eq(major.as_str()));
    }
    q
}

/// The national classes.
pub async fn list_national(db: &DatabaseConnection, filter: &ClassFilter) -> Result<Vec<CatalogClass>> {
    let rows = filtered(filter).filter(catalog_class::Column::TenantId.is_null()).all(db).await.or_internal()?;
    Ok(rows.into_iter().map(|m| view(m, &HashMap::new())).collect())
}

/// The tenants whose extensions `scope`'s tenant sees: itself and, for a county, its city.
fn extension_owners(scope: &TenantScope) -> Vec<(TenantId, String)> {
    owners_of(scope.tenant())
}

fn owners_of(t: &tenancy::TenantRef) -> Vec<(TenantId, String)> {
    let mut owners = vec![(t.id(), t.code().to_string())];
    if t.level() == DivisionLevel::County
        && let Some(parent) = t.parent_id()
    {
        let city_code = format!("{}00", &t.code().as_str()[..4]);
        owners.push((parent, city_code));
    }
    owners
}

/// National classes plus the extensions the tenant sees (its city's and its own).
pub async fn list_for_tenant(
    db: &DatabaseConnection,
    scope: &TenantScope,
    filter: &ClassFilter,
) -> Result<Vec<CatalogClass>> {
    let owners = extension_owners(scope);
    let ids: Vec<Uuid> = owners.iter().map(|(id, _)| id.0).collect();
    let rows = filtered(filter)
        .filter(catalog_class::Column::TenantId.is_null().or(catalog_class::Column::TenantId.is_in(ids)))
        .all(db)
        .await
        .or_internal()?;
    let names: HashMap<Uuid, String> = owners.into_iter().map(|(id, code)| (id.0, code)).collect();
    Ok(rows.into_iter().map(|m| view(m, &names)).collect())
}

/// Component (or matter) classes visible to a tenant: code → name.
pub async fn visible_classes<C: ConnectionTrait>(
    db: &C,
    scope: &TenantScope,
    kind: Kind,
) -> Result<HashMap<String, String>> {
    visible_classes_for(db, scope.tenant(), kind).await
}

/// The same for a tenant known without a caller (public intake).
pub async fn visible_classes_for<C: ConnectionTrait>(
    db: &C,
    tenant: &tenancy::TenantRef,
    kind: Kind,
) -> Result<HashMap<String, String>> {
    let ids: Vec<Uuid> = owners_of(tenant).iter().map(|(id, _)| id.0).collect();
    Ok(catalog_class::Entity::find()
        .filter(catalog_class::Column::Kind.eq(kind.as_str()))
        .filter(catalog_class::Column::TenantId.is_null().or(catalog_class::Column::TenantId.is_in(ids)))
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect())
}

/// Version counter bumped by every change to local extensions (cached class checks key on it).
pub const CATALOG_VERSION: &str = "catalog";

/// Whether one class is visible to a tenant (a single indexed lookup, for hot paths).
pub async fn class_exists<C: ConnectionTrait>(
    db: &C,
    tenant: &tenancy::TenantRef,
    kind: Kind,
    code: &str,
) -> Result<bool> {
    let ids: Vec<Uuid> = owners_of(tenant).iter().map(|(id, _)| id.0).collect();
    Ok(catalog_class::Entity::find()
        .filter(catalog_class::Column::Kind.eq(kind.as_str()))
        .filter(catalog_class::Column::Code.eq(code))
        .filter(catalog_class::Column::TenantId.is_null().or(catalog_class::Column::TenantId.is_in(ids)))
        .one(db)
        .await
        .or_internal()?
        .is_some())
}

/// Adds a local extension class to the scoped tenant.
pub async fn add_extension(db: &DatabaseConnection, scope: &TenantScope, input: NewClass) -> Result<CatalogClass> {
    let mut v = Validator::new();
    let code = input.code.trim().to_owned();
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
        v.add("code", "must be 5 digits (2-digit major class + 3-digit minor class)");
    }
    let name = v.text("name", &input.name, 30);
    let major_name_given = input.major_name.as_deref().map(|n| v.text("major_name", n, 50));
    v.finish()?;
    let major_code = code[..2].to_owned();
    let visible = visible_classes(db, scope, input.kind).await?;
    if visible.contains_key(&code) {
        return Err(Error::already_exists(
            "code",
            format!("class {code} already exists for this tenant ({})", input.kind.as_str()),
        ));
    }
    let national_major = catalog_class::Entity::find()
        .filter(catalog_class::Column::Kind.eq(input.kind.as_str()))
        .filter(catalog_class::Column::MajorCode.eq(major_code.as_str()))
        .one(db)
        .await
        .or_internal()?
        .map(|m| m.major_name);
    let Some(major_name) = major_name_given.or(national_major) else {
        return Err(Error::invalid("major_name", format!("major class {major_code} is not national; name it")));
    };
    let model = catalog_class::ActiveModel {
        id: Set(Uuid::now_v7()),
        standard: Set(format!("local:{}", scope.tenant().code())),
        kind: Set(input.kind.as_str().to_owned()),
        major_code: Set(major_code),
        major_name: Set(major_name),
        code: Set(code),
        name: Set(name),
        name_en: Set(input.name_en.filter(|s| !s.trim().is_empty())),
        tenant_id: Set(Some(scope.tenant_id().0)),
        created_at: Set(Utc::now()),
    };
    let txn = db.begin().await.or_internal()?;
    let m = catalog_class::Entity::insert(model)
        .exec_with_returning(&txn)
        .await
        .map_err(|e| tenancy::db::unique_or_internal(e, "code", "this class already exists"))?;
    tenancy::db::bump_version(&txn, CATALOG_VERSION).await?;
    txn.commit().await.or_internal()?;
    let owners = HashMap::from([(scope.tenant_id().0, scope.tenant().code().to_string())]);
    Ok(view(m, &owners))
}

/// The legacy class mapping.
pub async fn legacy_mappings(db: &DatabaseConnection) -> Result<Vec<LegacyMapping>> {
    let rows = legacy_class_map::Entity::find()
        .order_by_asc(legacy_class_map::Column::LegacyCode)
        .all(db)
        .await
        .or_internal()?;
    Ok(rows
        .into_iter()
        .map(|m| LegacyMapping {
            kind: Kind::parse(&m.kind).unwrap_or(Kind::Component),
            legacy_standard: m.legacy_standard,
            legacy_code: m.legacy_code,
            legacy_name: m.legacy_name,
            code: m.code,
        })
        .collect())
}

/// Legacy 4-digit component class → 5-digit class.
pub async fn legacy_component_map<C: ConnectionTrait>(db: &C) -> Result<HashMap<String, String>> {
    Ok(legacy_class_map::Entity::find()
        .filter(legacy_class_map::Column::Kind.eq(Kind::Component.as_str()))
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|m| (m.legacy_code, m.code))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalogue_has_153_components_and_250_matters() {
        let rows: Vec<_> = tsv_rows(NATIONAL_TSV).collect();
        assert_eq!(rows.iter().filter(|r| r[0] == "component").count(), 153);
        assert_eq!(rows.iter().filter(|r| r[0] == "matter").count(), 250);
        assert!(rows.iter().all(|r| r[3].len() == 5 && r[3].starts_with(r[1])));
    }

    #[test]
    fn legacy_map_targets_exist_in_the_catalogue() {
        let components: std::collections::HashSet<&str> = NATIONAL_TSV
            .lines()
            .filter(|l| l.starts_with("component\t"))
            .filter_map(|l| l.split('\t').nth(3))
            .collect();
        let rows: Vec<_> = tsv_rows(LEGACY_TSV).collect();
        assert!(rows.len() >= 60);
        for r in rows {
            assert!(components.contains(r[4]), "{:?}", r);
            assert_eq!(r[2].len(), 4);
        }
    }
}
