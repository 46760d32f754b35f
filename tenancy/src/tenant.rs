//! The tenant tree: platform root → prefecture-level city → county-level area.

use chrono::Utc;
use kernel::{DivisionLevel, Error, Page, PageRequest, Result, TenantCode, Validator, ids::TenantId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::Entry;
use crate::authz::Authorizer;
use crate::context::{Access, Principal, Target, TenantRef, TenantScope};
use crate::db::{OrInternal, unique_or_internal};
use crate::entity::tenant;
use crate::roles::Role;
use crate::user::{self, NewUser, User};

pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    Active,
    /// Its users cannot log in and its API calls are refused.
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }
}

/// A tenant as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tenant {
    /// GB/T 2260 code, e.g. `320115`.
    #[schema(example = "320115")]
    pub code: String,
    #[schema(example = "江宁区")]
    pub name: String,
    pub level: DivisionLevel,
    /// The parent tenant's code (absent for the platform root).
    pub parent_code: Option<String>,
    pub status: TenantStatus,
    /// IANA time zone for business time (working hours, deadlines).
    #[schema(example = "Asia/Shanghai")]
    pub time_zone: String,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

/// The first administrator of a new tenant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAdmin {
    #[schema(example = "admin")]
    pub username: String,
    #[schema(example = "江宁区管理员")]
    pub display_name: String,
    #[schema(example = "Change-Me-2026!")]
    pub password: String,
}

/// A city (under the platform) or a county (under a city), with its first administrator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewTenant {
    #[schema(example = "320115")]
    pub code: String,
    #[schema(example = "江宁区")]
    pub name: String,
    /// Defaults to `Asia/Shanghai`.
    pub time_zone: Option<String>,
    /// The code and name must match the GB/T 2260 list the platform ships (2023 edition). A
    /// division newer than that list is created only with `unlisted: true`.
    #[serde(default)]
    pub unlisted: bool,
    pub admin: NewAdmin,
}

/// Changes to a tenant's descriptive fields.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub admin: User,
}

impl TenantRef {
    /// A stored tenant's essentials. Crate-private: outside `tenancy` a `TenantRef` comes from a
    /// scope, the public channel's county, or a [`crate::SystemScope`], never from any row.
    pub(crate) fn of(m: &tenant::Model) -> Self {
        let code = TenantCode::parse(&m.code).unwrap_or(TenantCode::PLATFORM);
        TenantRef {
            id: TenantId(m.id),
            level: DivisionLevel::parse(&m.level).unwrap_or(code.level()),
            code,
            parent_id: m.parent_id.map(TenantId),
            active: m.status == TenantStatus::Active.as_str(),
        }
    }
}

fn view(m: tenant::Model, parent_code: Option<String>) -> Tenant {
    let level = DivisionLevel::parse(&m.level).unwrap_or(DivisionLevel::County);
    Tenant {
        code: m.code,
        name: m.name,
        level,
        parent_code,
        status: if m.status == "suspended" { TenantStatus::Suspended } else { TenantStatus::Active },
        time_zone: m.time_zone,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub async fn find_by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<Option<tenant::Model>> {
    tenant::Entity::find().filter(tenant::Column::Code.eq(code)).one(db).await.or_internal()
}

pub(crate) async fn find_by_id<C: ConnectionTrait>(db: &C, id: TenantId) -> Result<Option<tenant::Model>> {
    tenant::Entity::find_by_id(id.0).one(db).await.or_internal()
}

/// The tenant and its ancestors, nearest first (at most three: county, city, platform).
pub(crate) async fn chain<C: ConnectionTrait>(db: &C, id: TenantId) -> Result<Vec<TenantRef>> {
    let mut out = Vec::with_capacity(3);
    let mut next = Some(id);
    while let Some(id) = next {
        if out.len() >= 3 {
            break;
        }
        let Some(m) = find_by_id(db, id).await? else { break };
        let r = TenantRef::of(&m);
        next = r.parent_id;
        out.push(r);
    }
    Ok(out)
}

/// Resolves the tenant code of a request path against the caller's place in the tree.
///
/// A tenant that is neither the caller's nor beneath it is reported as not found, so callers
/// cannot probe which tenants exist.
pub async fn resolve_target<C: ConnectionTrait>(db: &C, principal: &Principal, code: &str) -> Result<Target> {
    let not_found = || Error::not_found("tenant");
    TenantCode::parse(code).map_err(|_| not_found())?;
    let model = find_by_code(db, code).await?.ok_or_else(not_found)?;
    let target = TenantRef::of(&model);
    if target.id == principal.tenant_id {
        return Ok(Target { tenant: target, access: Access::Own });
    }
    let ancestors = chain(db, target.id).await?;
    if ancestors.iter().skip(1).any(|a| a.id == principal.tenant_id) {
        Ok(Target { tenant: target, access: Access::Descendant })
    } else {
        Err(not_found())
    }
}

pub(crate) async fn parent_code<C: ConnectionTrait>(db: &C, m: &tenant::Model) -> Result<Option<String>> {
    match m.parent_id {
        None => Ok(None),
        Some(pid) => Ok(find_by_id(db, TenantId(pid)).await?.map(|p| p.code)),
    }
}

/// The scoped tenant itself.
pub async fn get(db: &DatabaseConnection, scope: &TenantScope) -> Result<Tenant> {
    let m = find_by_id(db, scope.tenant_id()).await?.ok_or_else(|| Error::not_found("tenant"))?;
    let parent = parent_code(db, &m).await?;
    Ok(view(m, parent))
}

/// The tenants directly beneath the scoped one.
pub async fn list_children(db: &DatabaseConnection, scope: &TenantScope, page: &PageRequest) -> Result<Page<Tenant>> {
    let limit = page.limit()?;
    let mut q = tenant::Entity::find()
        .filter(tenant::Column::ParentId.eq(scope.tenant_id().0))
        .order_by_asc(tenant::Column::Id)
        .limit(limit + 1);
    if let Some(after) = page.after()? {
        q = q.filter(tenant::Column::Id.gt(after));
    }
    let rows = q.all(db).await.or_internal()?;
    let parent = Some(scope.tenant().code.to_string());
    Ok(Page::from_rows(rows, limit, |m| m.id).map(|m| view(m, parent.clone())))
}

fn check_time_zone(v: &mut Validator, field: &str, tz: &str) {
    if tz.parse::<chrono_tz::Tz>().is_err() {
        v.add(field, format!("`{tz}` is not an IANA time zone (e.g. Asia/Shanghai)"));
    }
}

/// A listed code must carry its listed name and level; an unlisted one needs `unlisted: true`.
fn check_listed(v: &mut Validator, code: &TenantCode, name: &str, unlisted: bool) {
    let edition = crate::divisions::EDITION;
    match crate::divisions::lookup(code.as_str()) {
        Some(d) if d.level != code.level().as_str() => {
            v.add("code", format!("`{code}` is listed in GB/T 2260 ({edition}) as a {} ({})", d.level, d.name))
        }
        Some(d) if !name.is_empty() && crate::divisions::tenant_name(&d) != name => v.add(
            "name",
            format!("GB/T 2260 ({edition}) names `{code}` {}; use that name", crate::divisions::tenant_name(&d)),
        ),
        Some(_) => {}
        None if unlisted => {}
        None => v.add(
            "code",
            format!(
                "`{code}` is not in the GB/T 2260 list ({edition}) the platform ships; \
                 send `unlisted: true` with its name to create a newer division"
            ),
        ),
    }
}

/// Creates a child tenant (a city under the platform, a county under a city) with its first
/// administrator, in one transaction.
pub async fn create_child(
    db: &DatabaseConnection,
    authz: &Authorizer,
    scope: &TenantScope,
    input: NewTenant,
    origin: &crate::audit::Origin,
) -> Result<CreatedTenant> {
    if scope.access() != Access::Own {
        return Err(Error::forbidden("tenants are created by the parent tenant's own administrators"));
    }
    let parent = scope.tenant().clone();
    let mut v = Validator::new();
    let code = v.check("code", TenantCode::parse(input.code.trim()));
    let name = v.text("name", &input.name, 100);
    if let Some(code) = &code {
        // The list is consulted only for a code that fits the tree, so each mistake is one error.
        match parent.code.check_child(code) {
            Err(reason) => v.add("code", reason),
            Ok(()) => check_listed(&mut v, code, &name, input.unlisted),
        }
    }
    let time_zone = input.time_zone.clone().unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned());
    check_time_zone(&mut v, "time_zone", &time_zone);
    let admin = NewUser {
        username: input.admin.username,
        display_name: input.admin.display_name,
        password: input.admin.password,
        department_id: None,
        roles: vec![Role::TenantAdmin],
        mobile: None,
        email: None,
        staff_number: None,
    };
    let admin = user::validate_new(&mut v, "admin.", admin);
    v.finish()?;
    let (Some(code), Some(admin)) = (code, admin) else {
        return Err(Error::internal(anyhow::anyhow!("validator passed without values")));
    };
    if !parent.active {
        return Err(Error::conflict("a suspended tenant cannot create tenants"));
    }
    let password_hash = crate::password::hash(admin.password.clone()).await?;

    let txn = db.begin().await.or_internal()?;
    let now = Utc::now();
    let model = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code.to_string()),
        name: Set(name),
        level: Set(code.level().as_str().to_owned()),
        parent_id: Set(Some(parent.id.0)),
        status: Set(TenantStatus::Active.as_str().to_owned()),
        time_zone: Set(time_zone),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_or_internal(e, "code", "a tenant with this code already exists"))?;
    let new_ref = TenantRef::of(&model);
    let admin = user::insert(&txn, &new_ref, admin, password_hash).await?;
    let created = view(model.clone(), Some(parent.code.to_string()));
    // In the parent's trail (its administrator acted) and as the first record of the new one.
    let entry = Entry::new("tenant.created", format!("tenant:{code}")).after(&created);
    crate::audit::record_scoped(&txn, scope, origin, entry.clone()).await?;
    let actor = crate::audit::Actor::of(scope.principal());
    crate::audit::record(&txn, &new_ref, &actor, origin, entry).await?;
    txn.commit().await.or_internal()?;
    authz.reload_if_changed(db).await?;
    tracing::info!(tenant = %code, parent = %parent.code, "tenant created");
    Ok(CreatedTenant { tenant: created, admin })
}

/// Renames a tenant or changes its time zone.
pub async fn update(
    db: &DatabaseConnection,
    scope: &TenantScope,
    patch: TenantPatch,
    origin: &crate::audit::Origin,
) -> Result<Tenant> {
    let mut v = Validator::new();
    let name = patch.name.as_deref().map(|n| v.text("name", n, 100));
    if let Some(tz) = &patch.time_zone {
        check_time_zone(&mut v, "time_zone", tz);
    }
    v.finish()?;
    let m = find_by_id(db, scope.tenant_id()).await?.ok_or_else(|| Error::not_found("tenant"))?;
    let parent = parent_code(db, &m).await?;
    let before = view(m.clone(), parent.clone());
    let mut am: tenant::ActiveModel = m.into();
    if let Some(name) = name {
        am.name = Set(name);
    }
    if let Some(tz) = patch.time_zone {
        am.time_zone = Set(tz);
    }
    am.updated_at = Set(Utc::now());
    let txn = db.begin().await.or_internal()?;
    let m = am.update(&txn).await.or_internal()?;
    let updated = view(m, parent);
    let entry = Entry::new("tenant.updated", format!("tenant:{}", updated.code)).before(&before).after(&updated);
    crate::audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()?;
    Ok(updated)
}

/// Suspends or re-activates a tenant. Only an ancestor may: a tenant cannot change its own
/// status (a suspended one could not undo it, an active one should not lock itself out).
pub async fn set_status(
    db: &DatabaseConnection,
    scope: &TenantScope,
    status: TenantStatus,
    origin: &crate::audit::Origin,
) -> Result<Tenant> {
    if scope.access() != Access::Descendant {
        return Err(Error::forbidden("a tenant's status is changed by a tenant above it"));
    }
    let m = find_by_id(db, scope.tenant_id()).await?.ok_or_else(|| Error::not_found("tenant"))?;
    let before = m.status.clone();
    let mut am: tenant::ActiveModel = m.into();
    am.status = Set(status.as_str().to_owned());
    am.updated_at = Set(Utc::now());
    let txn = db.begin().await.or_internal()?;
    let m = am.update(&txn).await.or_internal()?;
    // The tree's counter: a suspension ends the sessions of the tenant and all beneath it.
    crate::db::bump_version(&txn, crate::versions::AUTH).await?;
    let kind = if status == TenantStatus::Suspended { "tenant.suspended" } else { "tenant.activated" };
    let entry = Entry::new(kind, format!("tenant:{}", m.code))
        .before(serde_json::json!({"status": before}))
        .after(serde_json::json!({"status": status.as_str()}));
    crate::audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()?;
    tracing::info!(tenant = %m.code, status = status.as_str(), "tenant status changed");
    let parent = parent_code(db, &m).await?;
    Ok(view(m, parent))
}

/// Counts tenants (used by bootstrap to detect an empty database).
pub(crate) async fn any_exists(db: &DatabaseConnection) -> Result<bool> {
    Ok(tenant::Entity::find().one(db).await.or_internal()?.is_some())
}

/// Inserts a tenant row directly (bootstrap and demo seeding; no authorization).
pub(crate) async fn insert_raw<C: ConnectionTrait>(
    db: &C,
    code: TenantCode,
    name: &str,
    parent: Option<TenantId>,
) -> Result<TenantRef> {
    let now = Utc::now();
    let m = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code.to_string()),
        name: Set(name.to_owned()),
        level: Set(code.level().as_str().to_owned()),
        parent_id: Set(parent.map(|p| p.0)),
        status: Set(TenantStatus::Active.as_str().to_owned()),
        time_zone: Set(DEFAULT_TIME_ZONE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| unique_or_internal(e, "code", "a tenant with this code already exists"))?;
    Ok(TenantRef::of(&m))
}

/// The API view of a tenant by id (for the caller's own tenant).
pub(crate) async fn view_by_id<C: ConnectionTrait>(db: &C, id: TenantId) -> Result<Tenant> {
    let m = find_by_id(db, id).await?.ok_or_else(|| Error::not_found("tenant"))?;
    let parent = parent_code(db, &m).await?;
    Ok(view(m, parent))
}

/// The tenant above `tenant` in the tree (a county's city), if any: what a county inherits from.
pub async fn parent_of<C: ConnectionTrait>(db: &C, tenant: &TenantRef) -> Result<Option<TenantRef>> {
    let Some(parent) = tenant.parent_id() else { return Ok(None) };
    Ok(find_by_id(db, parent).await?.map(|m| TenantRef::of(&m)))
}

/// The counties a scope covers, loaded from the tenant tree: a county itself, a city's child
/// counties (in code order), nothing for the platform. For city-wide reads (statistics,
/// evaluation), each county named by a `TenantRef` rather than an id.
pub async fn counties_of<C: ConnectionTrait>(db: &C, scope: &TenantScope) -> Result<Vec<TenantRef>> {
    let rows = match scope.tenant().level() {
        DivisionLevel::County => tenant::Entity::find_by_id(scope.tenant_id().0).all(db).await.or_internal()?,
        DivisionLevel::City => tenant::Entity::find()
            .filter(tenant::Column::ParentId.eq(scope.tenant_id().0))
            .order_by_asc(tenant::Column::Code)
            .all(db)
            .await
            .or_internal()?,
        DivisionLevel::Platform => Vec::new(),
    };
    Ok(rows.iter().map(TenantRef::of).collect())
}

/// An active county, for routes that have no caller (public intake). Anything else is not found.
pub async fn public_county(db: &DatabaseConnection, code: &str) -> Result<TenantRef> {
    let not_found = || Error::not_found("county");
    TenantCode::parse(code).map_err(|_| not_found())?;
    let m = find_by_code(db, code).await?.ok_or_else(not_found)?;
    let t = TenantRef::of(&m);
    let chain_active = chain(db, t.id).await?.iter().all(|a| a.active);
    if t.level != DivisionLevel::County || !chain_active {
        return Err(not_found());
    }
    Ok(t)
}

/// The search of the login page's tenant picker.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantSearch {
    /// A code prefix (`3201`) or a part of the name (`江宁`); at most 50 characters.
    pub q: Option<String>,
}

/// A tenant as the login page's picker shows it (no status, time zone or dates: the picker
/// lists only tenants whose users may log in).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantEntry {
    #[schema(example = "320115")]
    pub code: String,
    #[schema(example = "江宁区")]
    pub name: String,
    pub level: DivisionLevel,
    /// The parent tenant's code (absent for the platform root).
    #[schema(example = "320100")]
    pub parent_code: Option<String>,
}

/// The tenants whose users may log in, for the login page (no caller): active tenants beneath no
/// suspended one, in creation order, filtered by `q` (code prefix or name substring).
pub async fn directory(
    db: &DatabaseConnection,
    search: &TenantSearch,
    page: &PageRequest,
) -> Result<Page<TenantEntry>> {
    let limit = page.limit()?;
    let after = page.after()?;
    let q = search.q.as_deref().map(str::trim).unwrap_or_default();
    if q.chars().count() > 50 {
        return Err(Error::invalid("q", "must be at most 50 characters"));
    }
    // LIKE wildcards typed by the user match themselves only when escaped; they are simply dropped.
    let q: String = q.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
    // The tree is three levels deep and the root is never suspended: a tenant may log in when it
    // is active and its parent is not suspended.
    let suspended: Vec<Uuid> = tenant::Entity::find()
        .filter(tenant::Column::Status.eq(TenantStatus::Suspended.as_str()))
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut query = tenant::Entity::find()
        .filter(tenant::Column::Status.eq(TenantStatus::Active.as_str()))
        .order_by_asc(tenant::Column::Id)
        .limit(limit + 1);
    if !suspended.is_empty() {
        query = query.filter(
            sea_orm::Condition::any()
                .add(tenant::Column::ParentId.is_null())
                .add(tenant::Column::ParentId.is_not_in(suspended)),
        );
    }
    if !q.is_empty() {
        query = query.filter(
            sea_orm::Condition::any().add(tenant::Column::Code.starts_with(&q)).add(tenant::Column::Name.contains(&q)),
        );
    }
    if let Some(after) = after {
        query = query.filter(tenant::Column::Id.gt(after));
    }
    let rows = query.all(db).await.or_internal()?;
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|m| m.parent_id).collect();
    let parents: std::collections::HashMap<Uuid, String> = if parent_ids.is_empty() {
        Default::default()
    } else {
        tenant::Entity::find()
            .filter(tenant::Column::Id.is_in(parent_ids))
            .all(db)
            .await
            .or_internal()?
            .into_iter()
            .map(|m| (m.id, m.code))
            .collect()
    };
    Ok(Page::from_rows(rows, limit, |m| m.id).map(|m| TenantEntry {
        level: DivisionLevel::parse(&m.level).unwrap_or(DivisionLevel::County),
        parent_code: m.parent_id.and_then(|p| parents.get(&p).cloned()),
        code: m.code,
        name: m.name,
    }))
}
