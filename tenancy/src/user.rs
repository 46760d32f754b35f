//! User accounts of a tenant and the roles they hold there.

use crate::scoped::TenantOwned;
use chrono::Utc;
use kernel::{
    DivisionLevel, Error, Page, PageRequest, Result, Validator,
    ids::{DepartmentId, UserId},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Entry, Origin};
use crate::authz::{self, Authorizer};
use crate::context::{TenantRef, TenantScope};
use crate::db::{OrInternal, unique_or_internal};
use crate::entity::{casbin_rule, department, user};
use crate::roles::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    /// Cannot log in; existing tokens stop working at the next request.
    Deactivated,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Deactivated => "deactivated",
        }
    }
}

/// A user as the API shows it (never with the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    #[schema(example = "320115")]
    pub tenant_code: String,
    #[schema(example = "zhangsan")]
    pub username: String,
    #[schema(example = "张三")]
    pub display_name: String,
    pub status: UserStatus,
    /// The department (专业部门) the user works for, if any.
    pub department_id: Option<Uuid>,
    /// Roles held in this tenant.
    pub roles: Vec<Role>,
    /// Mobile phone (11 digits), e-mail and staff number (工号): in full for those who manage
    /// the tenant's users and for the user themself, masked for everyone else
    /// (`138****5678`, `z***@example.gov.cn`, `***42`).
    #[schema(example = "138****5678")]
    pub mobile: Option<String>,
    #[schema(example = "z***@example.gov.cn")]
    pub email: Option<String>,
    #[schema(example = "***42")]
    pub staff_number: Option<String>,
    /// Whether the contact details above are masked.
    pub contacts_masked: bool,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

/// Whether a caller sees contact details in full (it manages the tenant's users) or masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    Full,
    Masked,
}

impl Disclosure {
    /// In full for a caller who may change the scoped tenant's users.
    pub fn for_caller(authz: &Authorizer, scope: &TenantScope) -> Result<Self> {
        let manages = authz.allows(scope.principal(), &scope.target(), authz::Resource::User, authz::Action::Write)?;
        Ok(if manages { Disclosure::Full } else { Disclosure::Masked })
    }
}

/// A user's contact details as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Contacts {
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub staff_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewUser {
    /// 3–64 characters: lower-case letters, digits, `.`, `_`, `-`; unique in the tenant.
    #[schema(example = "zhangsan")]
    pub username: String,
    #[schema(example = "张三")]
    pub display_name: String,
    /// At least 10 characters mixing three of: lower case, upper case, digits, symbols.
    #[schema(example = "Change-Me-2026!")]
    pub password: String,
    pub department_id: Option<Uuid>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Mainland mobile number; `+86`, spaces and dashes are dropped.
    #[schema(example = "13812345678")]
    pub mobile: Option<String>,
    #[schema(example = "zhang.san@example.gov.cn")]
    pub email: Option<String>,
    /// 工号: 1–32 letters, digits, `-`, `_`; unique in the tenant.
    #[schema(example = "JN-0042")]
    pub staff_number: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserPatch {
    pub display_name: Option<String>,
    /// `null` removes the user from their department.
    #[serde(default, deserialize_with = "kernel::patch::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub department_id: Option<Option<Uuid>>,
    pub status: Option<UserStatus>,
    /// A new password (an administrator's reset).
    pub password: Option<String>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "kernel::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub mobile: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "kernel::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "kernel::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub staff_number: Option<Option<String>>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RoleSet {
    /// The complete set of roles the user should hold in this tenant.
    pub roles: Vec<Role>,
}

/// A validated new user.
#[derive(Debug, Clone)]
pub(crate) struct ValidNewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub department_id: Option<DepartmentId>,
    pub roles: Vec<Role>,
    pub contacts: Contacts,
}

/// Checks one optional contact field.
fn check_contact(
    v: &mut Validator,
    field: &str,
    value: Option<&str>,
    check: fn(&str) -> Result<String, String>,
) -> Option<String> {
    let value = value?;
    v.check(field, check(value))
}

pub(crate) fn check_contacts(
    v: &mut Validator,
    prefix: &str,
    mobile: Option<&str>,
    email: Option<&str>,
    staff: Option<&str>,
) -> Contacts {
    Contacts {
        mobile: check_contact(v, &format!("{prefix}mobile"), mobile, crate::contact::mobile),
        email: check_contact(v, &format!("{prefix}email"), email, crate::contact::email),
        staff_number: check_contact(v, &format!("{prefix}staff_number"), staff, crate::contact::staff_number),
    }
}

pub(crate) fn check_username(name: &str) -> Result<String, String> {
    let name = name.trim().to_lowercase();
    let ok_chars = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=64).contains(&name.len()) || !ok_chars {
        return Err("must be 3–64 characters of a–z, 0–9, `.`, `_` or `-`".into());
    }
    Ok(name)
}

pub(crate) fn check_roles(
    v: &mut Validator,
    field: &str,
    roles: &[Role],
    level: DivisionLevel,
    department: Option<DepartmentId>,
) {
    for role in roles {
        if !role.allowed_at(level) {
            v.add(field, format!("role `{}` cannot be held in a {} tenant", role.as_str(), level.as_str()));
        }
    }
    if roles.contains(&Role::Department) && department.is_none() {
        v.add(field, "role `department` needs the user's department_id");
    }
}

/// Validates a new user (field names prefixed with `prefix`, e.g. `admin.`).
pub(crate) fn validate_new(v: &mut Validator, prefix: &str, input: NewUser) -> Option<ValidNewUser> {
    let username = v.check(&format!("{prefix}username"), check_username(&input.username));
    let display_name = v.text(&format!("{prefix}display_name"), &input.display_name, 100);
    if let Err(reason) = crate::password::check_strength(&input.password, username.as_deref().unwrap_or_default()) {
        v.add(format!("{prefix}password"), reason);
    }
    let contacts =
        check_contacts(v, prefix, input.mobile.as_deref(), input.email.as_deref(), input.staff_number.as_deref());
    let mut roles = input.roles;
    roles.sort();
    roles.dedup();
    Some(ValidNewUser {
        username: username?,
        display_name,
        password: input.password,
        department_id: input.department_id.map(DepartmentId),
        roles,
        contacts,
    })
}

async fn check_department<C: ConnectionTrait>(db: &C, tenant: &TenantRef, id: DepartmentId, field: &str) -> Result<()> {
    let found = department::Entity::find_by_id_in(tenant, id.0).one(db).await.or_internal()?;
    if found.is_none() {
        return Err(Error::invalid(field, "no such department in this tenant"));
    }
    Ok(())
}

/// Inserts a validated user with its roles inside the caller's transaction.
pub(crate) async fn insert<C: ConnectionTrait>(
    db: &C,
    tenant: &TenantRef,
    u: ValidNewUser,
    password_hash: String,
) -> Result<User> {
    let mut v = Validator::new();
    check_roles(&mut v, "roles", &u.roles, tenant.level, u.department_id);
    v.finish()?;
    if let Some(d) = u.department_id {
        check_department(db, tenant, d, "department_id").await?;
    }
    let now = Utc::now();
    let m = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.id.0),
        username: Set(u.username),
        display_name: Set(u.display_name),
        password_hash: Set(password_hash),
        status: Set(UserStatus::Active.as_str().to_owned()),
        department_id: Set(u.department_id.map(|d| d.0)),
        mobile: Set(u.contacts.mobile),
        email: Set(u.contacts.email),
        staff_number: Set(u.contacts.staff_number),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(taken)?;
    authz::replace_roles(db, UserId(m.id), tenant.code, &u.roles).await?;
    Ok(view(m, tenant, u.roles, Disclosure::Full))
}

/// Which unique value a failed insert or update collided with.
fn taken(e: sea_orm::DbErr) -> Error {
    if e.to_string().contains("staff_number") {
        unique_or_internal(e, "staff_number", "this staff number is taken in the tenant")
    } else {
        unique_or_internal(e, "username", "this user name is taken in the tenant")
    }
}

/// What the audit trail keeps of a user: never the password hash, contact details masked (the
/// trail is read by auditors, who do not manage users).
pub(crate) fn summary(u: &User) -> Value {
    serde_json::json!({
        "username": u.username,
        "display_name": u.display_name,
        "status": u.status,
        "department_id": u.department_id,
        "roles": u.roles,
        "mobile": u.mobile.as_deref().map(crate::contact::mask_mobile),
        "email": u.email.as_deref().map(crate::contact::mask_email),
        "staff_number": u.staff_number.as_deref().map(crate::contact::mask_staff_number),
    })
}

fn view(m: user::Model, tenant: &TenantRef, roles: Vec<Role>, disclosure: Disclosure) -> User {
    let masked = disclosure == Disclosure::Masked;
    let show = |v: Option<String>, mask: fn(&str) -> String| v.map(|v| if masked { mask(&v) } else { v });
    User {
        mobile: show(m.mobile, crate::contact::mask_mobile),
        email: show(m.email, crate::contact::mask_email),
        staff_number: show(m.staff_number, crate::contact::mask_staff_number),
        contacts_masked: masked,
        id: m.id,
        tenant_code: tenant.code.to_string(),
        username: m.username,
        display_name: m.display_name,
        status: if m.status == "deactivated" { UserStatus::Deactivated } else { UserStatus::Active },
        department_id: m.department_id,
        roles,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// How a timeline names the person behind an event.
#[derive(Debug, Clone)]
pub struct ActorName {
    pub display_name: String,
    pub department_id: Option<Uuid>,
}

/// Display names of `ids` among the users of the scoped tenant and of the city above it (whose
/// oversight and shared departments act in its counties). Unknown ids are left out.
pub async fn names_of<C: ConnectionTrait>(
    db: &C,
    scope: &TenantScope,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ActorName>> {
    let mut tenants = vec![scope.tenant_id().0];
    tenants.extend(scope.tenant().parent_id.map(|p| p.0));
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = user::Entity::find()
            .filter(user::Column::TenantId.is_in(tenants.clone()))
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await
            .or_internal()?;
        out.extend(
            rows.into_iter()
                .map(|m| (m.id, ActorName { display_name: m.display_name, department_id: m.department_id })),
        );
    }
    Ok(out)
}

async fn find<C: ConnectionTrait>(db: &C, scope: &TenantScope, id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id_in(scope, id).one(db).await.or_internal()?.ok_or_else(|| Error::not_found("user"))
}

pub async fn create(
    db: &DatabaseConnection,
    authz: &Authorizer,
    scope: &TenantScope,
    input: NewUser,
    origin: &Origin,
) -> Result<User> {
    let mut v = Validator::new();
    let valid = validate_new(&mut v, "", input);
    v.finish()?;
    let valid = valid.ok_or_else(|| Error::internal(anyhow::anyhow!("validator passed without values")))?;
    let hash = crate::password::hash(valid.password.clone()).await?;
    let txn = db.begin().await.or_internal()?;
    let user = insert(&txn, scope.tenant(), valid, hash).await?;
    let entry = Entry::new("user.created", format!("user:{}", user.id)).after(summary(&user));
    audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()?;
    authz.reload_if_changed(db).await?;
    Ok(user)
}

pub async fn get(db: &DatabaseConnection, scope: &TenantScope, id: Uuid, disclosure: Disclosure) -> Result<User> {
    let m = find(db, scope, id).await?;
    let roles = authz::roles_of(db, UserId(m.id), scope.tenant().code).await?;
    // One's own details are never masked.
    let disclosure = if scope.principal().user_id.0 == id { Disclosure::Full } else { disclosure };
    Ok(view(m, scope.tenant(), roles, disclosure))
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &TenantScope,
    page: &PageRequest,
    disclosure: Disclosure,
) -> Result<Page<User>> {
    let limit = page.limit()?;
    let mut q = user::Entity::find_in(scope).order_by_asc(user::Column::Id).limit(limit + 1);
    if let Some(after) = page.after()? {
        q = q.filter(user::Column::Id.gt(after));
    }
    let rows = q.all(db).await.or_internal()?;
    // One query for the roles of the whole page.
    let grants = casbin_rule::Entity::find()
        .filter(casbin_rule::Column::Ptype.eq("g"))
        .filter(casbin_rule::Column::V2.eq(scope.tenant().code.to_string()))
        .all(db)
        .await
        .or_internal()?;
    let mut roles: HashMap<String, Vec<Role>> = HashMap::new();
    for g in grants {
        if let Some(role) = Role::parse(&g.v1) {
            roles.entry(g.v0).or_default().push(role);
        }
    }
    Ok(Page::from_rows(rows, limit, |m| m.id).map(|m| {
        let mut r = roles.remove(&format!("user:{}", m.id)).unwrap_or_default();
        r.sort();
        view(m, scope.tenant(), r, disclosure)
    }))
}

/// Refuses a change that would leave the tenant without an active administrator.
/// Serialises, per tenant, the changes that can take away an administrator: the first write of
/// the caller's transaction, so two administrators demoting each other at once are checked one
/// after the other (PostgreSQL: a row lock until commit; SQLite: the database's write lock).
async fn lock_admins<C: ConnectionTrait>(txn: &C, scope: &TenantScope) -> Result<()> {
    crate::db::bump_counter(txn, &format!("admins:{}", scope.tenant().code), 1).await
}

/// Fails unless another active administrator remains. Call inside the transaction, after
/// [`lock_admins`].
async fn ensure_other_admin<C: ConnectionTrait>(db: &C, scope: &TenantScope, leaving: UserId) -> Result<()> {
    let admin_role =
        if scope.tenant().level == DivisionLevel::Platform { Role::PlatformAdmin } else { Role::TenantAdmin };
    let holders = authz::holders_of(db, admin_role, scope.tenant().code).await?;
    let others: Vec<Uuid> = holders.into_iter().filter(|u| *u != leaving).map(|u| u.0).collect();
    let active_others = if others.is_empty() {
        0
    } else {
        user::Entity::find_in(scope)
            .filter(user::Column::Id.is_in(others))
            .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
            .all(db)
            .await
            .or_internal()?
            .len()
    };
    if active_others == 0 {
        return Err(Error::conflict(format!(
            "the tenant would be left without an active `{}`; appoint another first",
            admin_role.as_str()
        )));
    }
    Ok(())
}

pub async fn update(
    db: &DatabaseConnection,
    scope: &TenantScope,
    id: Uuid,
    patch: UserPatch,
    origin: &Origin,
) -> Result<User> {
    let current = find(db, scope, id).await?;
    let mut v = Validator::new();
    let display_name = patch.display_name.as_deref().map(|n| v.text("display_name", n, 100));
    // Each contact: absent keeps it, `null` clears it, a value is checked.
    let contacts = check_contacts(
        &mut v,
        "",
        patch.mobile.as_ref().and_then(|m| m.as_deref()),
        patch.email.as_ref().and_then(|m| m.as_deref()),
        patch.staff_number.as_ref().and_then(|m| m.as_deref()),
    );
    if let Some(pw) = &patch.password
        && let Err(reason) = crate::password::check_strength(pw, &current.username)
    {
        v.add("password", reason);
    }
    v.finish()?;
    let roles = authz::roles_of(db, UserId(id), scope.tenant().code).await?;
    if let Some(Some(d)) = patch.department_id {
        check_department(db, scope.tenant(), DepartmentId(d), "department_id").await?;
    }
    if let Some(None) = patch.department_id
        && roles.contains(&Role::Department)
    {
        return Err(Error::invalid("department_id", "a user with role `department` must belong to a department"));
    }
    let deactivates_admin = patch.status == Some(UserStatus::Deactivated)
        && current.status == UserStatus::Active.as_str()
        && (roles.contains(&Role::TenantAdmin) || roles.contains(&Role::PlatformAdmin));
    let new_hash = match patch.password {
        Some(pw) => Some(crate::password::hash(pw).await?),
        None => None,
    };
    let txn = db.begin().await.or_internal()?;
    if deactivates_admin {
        lock_admins(&txn, scope).await?;
        ensure_other_admin(&txn, scope, UserId(id)).await?;
    }
    // Status, password and department are part of every cached principal of the tenant.
    crate::db::bump_version(&txn, &crate::session::auth_version_key(scope.tenant().code.as_str())).await?;
    let before = summary(&view(current.clone(), scope.tenant(), roles.clone(), Disclosure::Full));
    let account = crate::session::account_key(scope.tenant().code.as_str(), &current.username);
    let mut am: user::ActiveModel = current.into();
    if let Some(n) = display_name {
        am.display_name = Set(n);
    }
    if let Some(d) = patch.department_id {
        am.department_id = Set(d);
    }
    if let Some(s) = patch.status {
        am.status = Set(s.as_str().to_owned());
    }
    if patch.mobile.is_some() {
        am.mobile = Set(contacts.mobile);
    }
    if patch.email.is_some() {
        am.email = Set(contacts.email);
    }
    if patch.staff_number.is_some() {
        am.staff_number = Set(contacts.staff_number);
    }
    let password_changed = new_hash.is_some();
    if let Some(h) = new_hash {
        am.password_hash = Set(h);
    }
    am.updated_at = Set(Utc::now());
    let m = am.update(&txn).await.map_err(taken)?;
    if password_changed || patch.status == Some(UserStatus::Deactivated) {
        // A reset password or a deactivation ends every session of the user.
        crate::session::revoke_all_for_user(&txn, UserId(id), scope.tenant().code.as_str(), None).await?;
    }
    if password_changed {
        // The administrator's reset lifts a lockout: the user can log in with the new password.
        crate::session::clear_attempts(&txn, &account).await?;
    }
    let updated = view(m, scope.tenant(), roles, Disclosure::Full);
    let target = format!("user:{id}");
    let mut after = summary(&updated);
    if password_changed {
        after["password"] = serde_json::json!("reset");
        audit::record_scoped(&txn, scope, origin, Entry::new("user.password_reset", target.clone())).await?;
    }
    audit::record_scoped(&txn, scope, origin, Entry::new("user.updated", target).before(before).after(after)).await?;
    txn.commit().await.or_internal()?;
    Ok(updated)
}

pub async fn set_roles(
    db: &DatabaseConnection,
    authz: &Authorizer,
    scope: &TenantScope,
    id: Uuid,
    set: RoleSet,
    origin: &Origin,
) -> Result<User> {
    let current = find(db, scope, id).await?;
    let mut roles = set.roles;
    roles.sort();
    roles.dedup();
    let mut v = Validator::new();
    check_roles(&mut v, "roles", &roles, scope.tenant().level, current.department_id.map(DepartmentId));
    v.finish()?;
    let txn = db.begin().await.or_internal()?;
    lock_admins(&txn, scope).await?;
    let before = authz::roles_of(&txn, UserId(id), scope.tenant().code).await?;
    for admin_role in [Role::TenantAdmin, Role::PlatformAdmin] {
        if before.contains(&admin_role) && !roles.contains(&admin_role) {
            ensure_other_admin(&txn, scope, UserId(id)).await?;
        }
    }
    authz::replace_roles(&txn, UserId(id), scope.tenant().code, &roles).await?;
    let entry = Entry::new("user.roles_changed", format!("user:{id}")).before(&before).after(&roles);
    audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()?;
    authz.reload_if_changed(db).await?;
    Ok(view(current, scope.tenant(), roles, Disclosure::Full))
}

/// The caller's own account and tenant.
pub async fn me(db: &DatabaseConnection, principal: &crate::Principal) -> Result<(User, crate::tenant::Tenant)> {
    let m = user::Entity::find_by_id_in(principal, principal.user_id.0)
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("user"))?;
    let tenant = crate::tenant::view_by_id(db, principal.tenant_id).await?;
    let roles = authz::roles_of(db, principal.user_id, principal.tenant_code).await?;
    let tref = TenantRef {
        id: principal.tenant_id,
        code: principal.tenant_code,
        level: principal.tenant_code.level(),
        parent_id: None,
        active: true,
    };
    Ok((view(m, &tref, roles, Disclosure::Full), tenant))
}

/// Lifts a login lockout of a user (an administrator's explicit unlock).
pub async fn unlock(db: &DatabaseConnection, scope: &TenantScope, id: Uuid, origin: &Origin) -> Result<()> {
    let current = find(db, scope, id).await?;
    let txn = db.begin().await.or_internal()?;
    crate::session::clear_attempts(&txn, &crate::session::account_key(scope.tenant().code.as_str(), &current.username))
        .await?;
    audit::record_scoped(&txn, scope, origin, Entry::new("user.unlocked", format!("user:{id}"))).await?;
    txn.commit().await.or_internal()
}

/// A user's change of their own password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// At least 10 characters mixing three of: lower case, upper case, digits, symbols; not
    /// containing the user name and not the current password.
    #[schema(example = "Brand-New-Pass-2026")]
    pub new_password: String,
}

/// Changes the caller's own password (old + new). The other sessions of the user end; the
/// calling session stays. A wrong current password counts as a failed login of the account, so
/// a stolen access token cannot be used to guess the password faster than the login allows.
pub async fn change_own_password(
    db: &DatabaseConnection,
    s: &crate::session::AuthSettings,
    principal: &crate::Principal,
    input: PasswordChange,
    origin: &Origin,
) -> Result<()> {
    let mut v = Validator::new();
    if input.current_password.is_empty() {
        v.add("current_password", "must not be empty");
    }
    if let Err(reason) = crate::password::check_strength(&input.new_password, &principal.username) {
        v.add("new_password", reason);
    } else if input.new_password == input.current_password {
        v.add("new_password", "must differ from the current password");
    }
    v.finish()?;
    let current = user::Entity::find_by_id_in(principal, principal.user_id.0)
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("user"))?;
    let code = principal.tenant_code.as_str();
    let account = crate::session::account_key(code, &current.username);
    crate::session::check_attempt(db, s, &account).await?;
    let actor = audit::Actor::of(principal);
    let target = format!("user:{}", current.id);
    if !crate::password::verify(input.current_password, Some(current.password_hash.clone())).await? {
        let txn = db.begin().await.or_internal()?;
        audit::record(&txn, principal, &actor, origin, Entry::new("user.password_change_failed", target)).await?;
        txn.commit().await.or_internal()?;
        return Err(Error::invalid("current_password", "is not the current password"));
    }
    let hash = crate::password::hash(input.new_password).await?;
    let txn = db.begin().await.or_internal()?;
    let mut am: user::ActiveModel = current.into();
    am.password_hash = Set(hash);
    am.updated_at = Set(Utc::now());
    am.update(&txn).await.or_internal()?;
    crate::session::revoke_all_for_user(&txn, principal.user_id, code, Some(principal.session_id)).await?;
    crate::session::clear_attempts(&txn, &account).await?;
    audit::record(&txn, principal, &actor, origin, Entry::new("user.password_changed", target)).await?;
    txn.commit().await.or_internal()
}

/// How many active users of the scoped tenant hold each role there (roles nobody holds are
/// absent).
pub async fn active_role_counts(db: &DatabaseConnection, scope: &TenantScope) -> Result<HashMap<Role, u64>> {
    let active: std::collections::HashSet<String> = user::Entity::find_in(scope)
        .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
        .select_only()
        .column(user::Column::Id)
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .map(|id| crate::context::subject(UserId(id)))
        .collect();
    let grants = casbin_rule::Entity::find()
        .filter(casbin_rule::Column::Ptype.eq("g"))
        .filter(casbin_rule::Column::V2.eq(scope.tenant().code.to_string()))
        .all(db)
        .await
        .or_internal()?;
    let mut counts = HashMap::new();
    for g in grants {
        if let Some(role) = Role::parse(&g.v1)
            && active.contains(&g.v0)
        {
            *counts.entry(role).or_default() += 1;
        }
    }
    Ok(counts)
}
