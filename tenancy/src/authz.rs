//! Authorization with casbin, "RBAC with domains": the domain is the caller's tenant code.
//!
//! * `g` rules assign a role to a user in a tenant: `g, user:<uuid>, tenant-admin, 320115`.
//! * `p` rules give a role an action on a resource: `p, auditor, *, department, read`.
//!   Resources of tenants *beneath* the caller's are named `descendant/<resource>`, so a city
//!   role that may read its counties holds `descendant/*` `read` and nothing else there.
//!
//! All rules live in the `casbin_rule` table. Each process holds an enforcer built from that
//! table behind a read-write lock: checks take the read lock (many at once); the lock is taken
//! for writing only to swap in a freshly built enforcer. Writers bump the `policy` version in
//! the same transaction as their rules; every replica reloads when it sees a new version (its
//! own writes at once, others' within [`Authorizer::POLL_INTERVAL`]).

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use kernel::{Error, Result, TenantCode};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::context::{Access, Principal, Target, TenantScope};
use crate::db::{self, OrInternal};
use crate::entity::casbin_rule;
use crate::roles::Role;

pub const POLICY_VERSION: &str = "policy";
/// Bump when [`default_policies`] changes; start-up then adds the rules that are missing.
pub const DEFAULT_POLICIES_REVISION: i64 = 9;
const DEFAULTS_VERSION: &str = "policy_defaults";

const MODEL: &str = r#"
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && (p.dom == "*" || r.dom == p.dom) && keyMatch(r.obj, p.obj) && (p.act == "*" || r.act == p.act)
"#;

/// What a route acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Tenant,
    Department,
    User,
    RoleAssignment,
    /// Streets, communities, unit grids, duty grids.
    Grid,
    /// Local catalogue extensions (the national catalogue is readable by every user).
    Catalog,
    /// The component census and its imports.
    Component,
    /// Cases of the closed loop (which action on a case is decided by the workflow's own table).
    Case,
    /// Evaluation tables, scoring schemes, recurring problems and directives.
    Evaluation,
    /// The audit trail (操作日志 / 登录日志).
    Audit,
    /// The dashboards and the big screen: a whole county's figures and open cases, for the roles
    /// that see every case (not a department or a collector, who see only some).
    Dashboard,
}

impl Resource {
    /// Every resource, in the order [`Authorizer::permissions`] lists them.
    pub const ALL: [Resource; 11] = [
        Resource::Tenant,
        Resource::Department,
        Resource::User,
        Resource::RoleAssignment,
        Resource::Grid,
        Resource::Catalog,
        Resource::Component,
        Resource::Case,
        Resource::Evaluation,
        Resource::Audit,
        Resource::Dashboard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Tenant => "tenant",
            Resource::Department => "department",
            Resource::User => "user",
            Resource::RoleAssignment => "role_assignment",
            Resource::Grid => "grid",
            Resource::Catalog => "catalog",
            Resource::Component => "component",
            Resource::Case => "case",
            Resource::Evaluation => "evaluation",
            Resource::Audit => "audit",
            Resource::Dashboard => "dashboard",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
    /// Issue a supervision order (督办): the city's one way of acting on a county's case.
    Supervise,
    /// Work the supervision centre's station of the loop (受理台: accept, file, send check, close).
    Intake,
    /// Work the command centre's station (派遣台: dispatch and the approvals).
    Dispatch,
    /// Work a department's station (我的任务: claim and handle).
    Handle,
    /// Work a collector's station (巡查: the mobile web, and 我的上报 on the desktop).
    Patrol,
}

impl Action {
    pub const ALL: [Action; 3] = [Action::Read, Action::Write, Action::Supervise];
    /// The work stations of the loop, held on `case` only: which workbench a user's roles staff.
    /// They open a console's workbench; each action on a case is still the workflow's decision
    /// (its `available_actions`), so a station grants no action by itself.
    pub const STATIONS: [Action; 4] = [Action::Intake, Action::Dispatch, Action::Handle, Action::Patrol];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Supervise => "supervise",
            Action::Intake => "intake",
            Action::Dispatch => "dispatch",
            Action::Handle => "handle",
            Action::Patrol => "patrol",
        }
    }
}

/// The permissions each role starts with: `(role, domain, object, action)`.
pub fn default_policies() -> Vec<[&'static str; 4]> {
    let platform = "000000";
    let mut rules = vec![
        // The platform operator: its own tenant, and the tenants beneath it (not their data).
        ["platform-admin", platform, "tenant", "*"],
        ["platform-admin", platform, "user", "*"],
        ["platform-admin", platform, "role_assignment", "*"],
        ["platform-admin", platform, "department", "read"],
        ["platform-admin", platform, "descendant/tenant", "*"],
        ["platform-admin", platform, "descendant/user", "*"],
        ["platform-admin", platform, "descendant/role_assignment", "*"],
        // A city's or county's administrator: everything of its own tenant; reads beneath it,
        // and manages its counties' lifecycle (suspend, rename), but not their data.
        ["tenant-admin", "*", "tenant", "*"],
        ["tenant-admin", "*", "department", "*"],
        ["tenant-admin", "*", "user", "*"],
        ["tenant-admin", "*", "role_assignment", "*"],
        ["tenant-admin", "*", "grid", "*"],
        ["tenant-admin", "*", "catalog", "*"],
        ["tenant-admin", "*", "component", "*"],
        ["tenant-admin", "*", "case", "read"],
        ["tenant-admin", "*", "evaluation", "*"],
        ["tenant-admin", "*", "descendant/*", "read"],
        ["tenant-admin", "*", "descendant/tenant", "write"],
        // On a city–county platform the city sets its counties up (区县接入): the city's
        // administrator writes a county's frame — departments, users and their roles, grids,
        // local catalogue, census, settings — but never works its cases (no `descendant/case`
        // write: the city's one write into a county's loop stays the supervision order).
        ["tenant-admin", "*", "descendant/department", "write"],
        ["tenant-admin", "*", "descendant/user", "write"],
        ["tenant-admin", "*", "descendant/role_assignment", "write"],
        ["tenant-admin", "*", "descendant/grid", "write"],
        ["tenant-admin", "*", "descendant/catalog", "write"],
        ["tenant-admin", "*", "descendant/component", "write"],
        // Read-only roles.
        ["auditor", "*", "tenant", "read"],
        ["auditor", "*", "department", "read"],
        ["auditor", "*", "user", "read"],
        ["auditor", "*", "role_assignment", "read"],
        ["auditor", "*", "grid", "read"],
        ["auditor", "*", "catalog", "read"],
        ["auditor", "*", "component", "read"],
        ["auditor", "*", "case", "read"],
        ["auditor", "*", "evaluation", "read"],
        // The audit trail: the tenant's own auditor, and a city's auditor for its counties.
        ["auditor", "*", "audit", "read"],
        ["auditor", "*", "descendant/audit", "read"],
        ["city-oversight", "*", "tenant", "read"],
        ["city-oversight", "*", "department", "read"],
        ["city-oversight", "*", "grid", "read"],
        ["city-oversight", "*", "catalog", "read"],
        ["city-oversight", "*", "component", "read"],
        ["city-oversight", "*", "case", "read"],
        ["city-oversight", "*", "descendant/case", "supervise"],
        ["city-oversight", "*", "evaluation", "read"],
        // The city's supervision orders to a county (市级督办).
        ["city-oversight", "*", "descendant/evaluation", "supervise"],
        ["city-oversight", "*", "descendant/*", "read"],
        // The dashboards: whoever sees every case of the tenant (a city's administrator and
        // oversight read their counties' through `descendant/*`).
        ["tenant-admin", "*", "dashboard", "read"],
        ["auditor", "*", "dashboard", "read"],
        ["city-oversight", "*", "dashboard", "read"],
        ["supervision-center", "*", "dashboard", "read"],
        ["command-center", "*", "dashboard", "read"],
    ];
    for role in ["supervision-center", "command-center", "department", "collector"] {
        rules.push([role, "*", "tenant", "read"]);
        rules.push([role, "*", "department", "read"]);
        rules.push([role, "*", "grid", "read"]);
        rules.push([role, "*", "catalog", "read"]);
        rules.push([role, "*", "component", "read"]);
        rules.push([role, "*", "case", "read"]);
        rules.push([role, "*", "case", "write"]);
        // Evaluation results are published to everyone who works the loop (考核通报); writes are
        // the scheme (administrators) and directives, whose authors the directive rules check.
        rules.push([role, "*", "evaluation", "read"]);
    }
    rules.push(["supervision-center", "*", "evaluation", "write"]);
    rules.push(["command-center", "*", "evaluation", "write"]);
    rules.push(["department", "*", "evaluation", "write"]);
    rules.push(["command-center", "*", "case", "supervise"]);
    // The work stations (see [`Action::STATIONS`]): the centre's intake, the command centre's
    // dispatch, a department's tasks (also a city's shared department in its counties).
    rules.push(["supervision-center", "*", "case", "intake"]);
    rules.push(["command-center", "*", "case", "dispatch"]);
    rules.push(["department", "*", "case", "handle"]);
    rules.push(["collector", "*", "case", "patrol"]);
    rules.push(["department", "*", "descendant/case", "handle"]);
    // A department of a city may be shared with the counties, which dispatch cases to it: its
    // members work on those cases in the county (the workflow admits only their own department's).
    rules.push(["department", "*", "descendant/case", "read"]);
    rules.push(["department", "*", "descendant/case", "write"]);
    rules
}

/// The process's casbin enforcer and the policy version it was built from.
pub struct Authorizer {
    enforcer: RwLock<Enforcer>,
    /// The roles of each (subject, tenant code), from the same rules as the enforcer.
    roles: RwLock<HashMap<(String, String), Vec<Role>>>,
    /// Decisions already taken, with the policy version they were taken at (evaluating the
    /// matcher is the costliest part of a request that is otherwise served from memory).
    decisions: crate::versions::Cached<(String, String, String, &'static str), bool>,
    loaded_version: AtomicI64,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer").field("loaded_version", &self.loaded_version).finish_non_exhaustive()
    }
}

impl Authorizer {
    pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

    /// Builds the enforcer from the `casbin_rule` table.
    pub async fn load(db: &DatabaseConnection) -> Result<Self> {
        let version = db::read_version(db, POLICY_VERSION).await?;
        let (enforcer, roles) = build_enforcer(db).await?;
        Ok(Self {
            enforcer: RwLock::new(enforcer),
            roles: RwLock::new(roles),
            decisions: crate::versions::Cached::new(100_000),
            loaded_version: AtomicI64::new(version),
        })
    }

    /// Rebuilds the enforcer when the stored policy version differs from the loaded one.
    /// Called after this process changed rules, and periodically for other replicas' changes.
    pub async fn reload_if_changed(&self, db: &DatabaseConnection) -> Result<bool> {
        let version = db::read_version(db, POLICY_VERSION).await?;
        if version == self.loaded_version.load(Ordering::Acquire) {
            return Ok(false);
        }
        let (enforcer, roles) = build_enforcer(db).await?;
        match self.roles.write() {
            Ok(mut guard) => *guard = roles,
            Err(poisoned) => *poisoned.into_inner() = roles,
        }
        // Enforcer and version change together under the write lock (decisions are cached by
        // version, read under the read lock).
        let mut guard = match self.enforcer.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = enforcer;
        self.loaded_version.store(version, Ordering::Release);
        drop(guard);
        tracing::info!(version, "authorization policy reloaded");
        Ok(true)
    }

    /// The roles the principal holds in its own tenant, as the loaded policy says (the same
    /// view that authorization uses).
    pub fn roles(&self, principal: &Principal) -> Vec<Role> {
        let guard = match self.roles.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.get(&(principal.subject(), principal.tenant_code.to_string())).cloned().unwrap_or_default()
    }

    /// Whether `principal` holds `action` on `resource` of `target`.
    pub fn allows(&self, principal: &Principal, target: &Target, resource: Resource, action: Action) -> Result<bool> {
        let object = match target.access {
            Access::Own => resource.as_str().to_owned(),
            Access::Descendant => format!("descendant/{}", resource.as_str()),
        };
        self.allows_object(principal, object, action)
    }

    /// Every permission the principal holds, as `resource:action` in its own tenant and
    /// `descendant/resource:action` in the tenants beneath it — the same decisions as
    /// [`Authorizer::allows`], for a client that shows only what the server would allow.
    pub fn permissions(&self, principal: &Principal) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for prefix in ["", "descendant/"] {
            for resource in Resource::ALL {
                let stations: &[Action] = if resource == Resource::Case { &Action::STATIONS } else { &[] };
                for &action in Action::ALL.iter().chain(stations) {
                    let object = format!("{prefix}{}", resource.as_str());
                    if self.allows_object(principal, object.clone(), action)? {
                        out.push(format!("{object}:{}", action.as_str()));
                    }
                }
            }
        }
        Ok(out)
    }

    fn allows_object(&self, principal: &Principal, object: String, action: Action) -> Result<bool> {
        let key = (principal.subject(), principal.tenant_code.to_string(), object, action.as_str());
        let guard = match self.enforcer.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Read under the enforcer's lock: a reload swaps enforcer and version together.
        let version = self.loaded_version.load(Ordering::Acquire);
        if let Some(allowed) = self.decisions.get(&key, version) {
            return Ok(allowed);
        }
        let allowed = guard
            .enforce((key.0.as_str(), key.1.as_str(), key.2.as_str(), key.3))
            .map_err(|e| Error::internal(anyhow::anyhow!("casbin: {e}")))?;
        self.decisions.put(key, version, allowed);
        Ok(allowed)
    }

    /// Checks and, when allowed, returns the scope that tenant-scoped queries require.
    pub fn check(
        &self,
        principal: Principal,
        target: Target,
        resource: Resource,
        action: Action,
    ) -> Result<TenantScope> {
        if self.allows(&principal, &target, resource, action)? {
            Ok(TenantScope::new(principal, target))
        } else {
            Err(Error::forbidden(format!(
                "your roles do not allow `{}` on `{}` of tenant {}",
                action.as_str(),
                resource.as_str(),
                target.tenant.code
            )))
        }
    }
}

type RoleMap = HashMap<(String, String), Vec<Role>>;

async fn build_enforcer(db: &DatabaseConnection) -> Result<(Enforcer, RoleMap)> {
    let model =
        DefaultModel::from_str(MODEL).await.map_err(|e| Error::internal(anyhow::anyhow!("casbin model: {e}")))?;
    let enforcer = Enforcer::new(model, MemoryAdapter::default())
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("casbin: {e}")))?;
    let rows = casbin_rule::Entity::find().all(db).await.or_internal()?;
    build_from_rows(enforcer, rows).await
}

async fn build_from_rows(mut enforcer: Enforcer, rows: Vec<casbin_rule::Model>) -> Result<(Enforcer, RoleMap)> {
    let (mut p, mut g) = (Vec::new(), Vec::new());
    let mut roles = RoleMap::new();
    for r in &rows {
        if r.ptype == "g"
            && let Some(role) = Role::parse(&r.v1)
        {
            let held = roles.entry((r.v0.clone(), r.v2.clone())).or_default();
            held.push(role);
            held.sort();
        }
    }
    for r in rows {
        match r.ptype.as_str() {
            "p" => p.push(vec![r.v0, r.v1, r.v2, r.v3]),
            "g" => g.push(vec![r.v0, r.v1, r.v2]),
            other => tracing::warn!(ptype = other, "ignoring unknown casbin rule type"),
        }
    }
    if !p.is_empty() {
        enforcer.add_policies(p).await.map_err(|e| Error::internal(anyhow::anyhow!("casbin: {e}")))?;
    }
    if !g.is_empty() {
        enforcer.add_grouping_policies(g).await.map_err(|e| Error::internal(anyhow::anyhow!("casbin: {e}")))?;
    }
    Ok((enforcer, roles))
}

/// Inserts the default `p` rules that are missing, once per [`DEFAULT_POLICIES_REVISION`]
/// (so a rule an operator deliberately removed stays removed until the defaults change).
pub async fn ensure_default_policies(db: &DatabaseConnection) -> Result<()> {
    if db::read_version(db, DEFAULTS_VERSION).await? >= DEFAULT_POLICIES_REVISION {
        return Ok(());
    }
    let existing =
        casbin_rule::Entity::find().filter(casbin_rule::Column::Ptype.eq("p")).all(db).await.or_internal()?;
    for [role, dom, obj, act] in default_policies() {
        let present = existing.iter().any(|r| r.v0 == role && r.v1 == dom && r.v2 == obj && r.v3 == act);
        if !present {
            insert_rule(db, "p", &[role, dom, obj, act]).await?;
        }
    }
    // Record the revision reached; bump the policy version so replicas reload.
    while db::read_version(db, DEFAULTS_VERSION).await? < DEFAULT_POLICIES_REVISION {
        db::bump_version(db, DEFAULTS_VERSION).await?;
    }
    db::bump_version(db, POLICY_VERSION).await
}

async fn insert_rule<C: ConnectionTrait>(db: &C, ptype: &str, values: &[&str]) -> Result<()> {
    let v = |i: usize| Set(values.get(i).copied().unwrap_or_default().to_owned());
    let row = casbin_rule::ActiveModel {
        ptype: Set(ptype.to_owned()),
        v0: v(0),
        v1: v(1),
        v2: v(2),
        v3: v(3),
        v4: v(4),
        v5: v(5),
        ..Default::default()
    };
    casbin_rule::Entity::insert(row).exec_without_returning(db).await.or_internal()?;
    Ok(())
}

/// The roles a user holds in a tenant, read from the store (the source of truth).
pub async fn roles_of<C: ConnectionTrait>(db: &C, user: kernel::ids::UserId, tenant: TenantCode) -> Result<Vec<Role>> {
    let rows = casbin_rule::Entity::find()
        .filter(casbin_rule::Column::Ptype.eq("g"))
        .filter(casbin_rule::Column::V0.eq(crate::context::subject(user)))
        .filter(casbin_rule::Column::V2.eq(tenant.to_string()))
        .all(db)
        .await
        .or_internal()?;
    let mut roles: Vec<Role> = rows.iter().filter_map(|r| Role::parse(&r.v1)).collect();
    roles.sort();
    Ok(roles)
}

/// Replaces the roles a user holds in a tenant, inside the caller's transaction, and bumps the
/// policy version. The caller reloads the authorizer after commit.
pub async fn replace_roles<C: ConnectionTrait>(
    db: &C,
    user: kernel::ids::UserId,
    tenant: TenantCode,
    roles: &[Role],
) -> Result<()> {
    casbin_rule::Entity::delete_many()
        .filter(casbin_rule::Column::Ptype.eq("g"))
        .filter(casbin_rule::Column::V0.eq(crate::context::subject(user)))
        .filter(casbin_rule::Column::V2.eq(tenant.to_string()))
        .exec(db)
        .await
        .or_internal()?;
    let subject = crate::context::subject(user);
    let domain = tenant.to_string();
    for role in roles {
        insert_rule(db, "g", &[&subject, role.as_str(), &domain]).await?;
    }
    db::bump_version(db, POLICY_VERSION).await
}

/// Users of a tenant holding `role` (subjects parsed back to user ids).
pub async fn holders_of<C: ConnectionTrait>(
    db: &C,
    role: Role,
    tenant: TenantCode,
) -> Result<Vec<kernel::ids::UserId>> {
    let rows = casbin_rule::Entity::find()
        .filter(casbin_rule::Column::Ptype.eq("g"))
        .filter(casbin_rule::Column::V1.eq(role.as_str()))
        .filter(casbin_rule::Column::V2.eq(tenant.to_string()))
        .all(db)
        .await
        .or_internal()?;
    Ok(rows
        .iter()
        .filter_map(|r| r.v0.strip_prefix("user:").and_then(|u| uuid::Uuid::parse_str(u).ok()))
        .map(kernel::ids::UserId)
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use kernel::ids::{SessionId, TenantId, UserId};
    use std::collections::BTreeSet;

    /// An authorizer holding the default policies and `role` for one user in `tenant`.
    async fn holding(role: Role, tenant: &str) -> (Authorizer, Principal) {
        let user = uuid::Uuid::now_v7();
        let mut rows: Vec<casbin_rule::Model> = default_policies()
            .into_iter()
            .enumerate()
            .map(|(i, [a, b, c, d])| rule(i as i64, "p", [a, b, c, d]))
            .collect();
        rows.push(rule(-1, "g", [&format!("user:{user}"), role.as_str(), tenant, ""]));
        let model = DefaultModel::from_str(MODEL).await.unwrap();
        let enforcer = Enforcer::new(model, MemoryAdapter::default()).await.unwrap();
        let (enforcer, roles) = build_from_rows(enforcer, rows).await.unwrap();
        let authz = Authorizer {
            enforcer: RwLock::new(enforcer),
            roles: RwLock::new(roles),
            decisions: crate::versions::Cached::new(1000),
            loaded_version: AtomicI64::new(1),
        };
        let principal = Principal {
            user_id: UserId(user),
            username: "u".into(),
            tenant_id: TenantId(uuid::Uuid::now_v7()),
            tenant_code: TenantCode::parse(tenant).unwrap(),
            session_id: SessionId(uuid::Uuid::now_v7()),
            department_id: None,
        };
        (authz, principal)
    }

    fn rule(id: i64, ptype: &str, v: [&str; 4]) -> casbin_rule::Model {
        casbin_rule::Model {
            id,
            ptype: ptype.into(),
            v0: v[0].into(),
            v1: v[1].into(),
            v2: v[2].into(),
            v3: v[3].into(),
            v4: String::new(),
            v5: String::new(),
        }
    }

    /// `resource:action` for every action of `all` (a `*` rule) and the listed single actions.
    fn expected(all: &[&str], reads: &[&str], writes: &[&str], supervises: &[&str]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for r in all {
            for a in ["read", "write", "supervise"] {
                out.insert(format!("{r}:{a}"));
            }
        }
        for (list, a) in [(reads, "read"), (writes, "write"), (supervises, "supervise")] {
            out.extend(list.iter().map(|r| format!("{r}:{a}")));
        }
        out
    }

    /// `set` and the work stations `held` (`case:intake`…).
    fn station(mut set: BTreeSet<String>, held: &[&str]) -> BTreeSet<String> {
        set.extend(held.iter().map(|s| (*s).to_owned()));
        set
    }

    const EVERY: [&str; 11] = [
        "tenant",
        "department",
        "user",
        "role_assignment",
        "grid",
        "catalog",
        "component",
        "case",
        "evaluation",
        "audit",
        "dashboard",
    ];

    fn descendants(resources: &[&str]) -> Vec<String> {
        resources.iter().map(|r| format!("descendant/{r}")).collect()
    }

    #[tokio::test]
    async fn each_role_expands_to_the_permissions_its_policies_grant() {
        let every_below = descendants(&EVERY);
        let every_below: Vec<&str> = every_below.iter().map(String::as_str).collect();
        let loop_reads = ["tenant", "department", "grid", "catalog", "component", "case", "evaluation"];
        // The centres see every case: the dashboards too.
        let centre_reads = [&loop_reads[..], &["dashboard"]].concat();
        let cases: Vec<(Role, &str, BTreeSet<String>)> = vec![
            (
                Role::PlatformAdmin,
                "000000",
                expected(
                    &[
                        "tenant",
                        "user",
                        "role_assignment",
                        "descendant/tenant",
                        "descendant/user",
                        "descendant/role_assignment",
                    ],
                    &["department"],
                    &[],
                    &[],
                ),
            ),
            (
                Role::TenantAdmin,
                "320115",
                expected(
                    &["tenant", "department", "user", "role_assignment", "grid", "catalog", "component", "evaluation"],
                    &[&["case", "dashboard"][..], &every_below].concat(),
                    // A city sets its counties up (区县接入): their frame, never their cases.
                    &[
                        "descendant/tenant",
                        "descendant/department",
                        "descendant/user",
                        "descendant/role_assignment",
                        "descendant/grid",
                        "descendant/catalog",
                        "descendant/component",
                    ],
                    &[],
                ),
            ),
            (
                Role::Auditor,
                "320115",
                expected(
                    &[],
                    &[
                        "tenant",
                        "department",
                        "user",
                        "role_assignment",
                        "grid",
                        "catalog",
                        "component",
                        "case",
                        "evaluation",
                        "audit",
                        "descendant/audit",
                        "dashboard",
                    ],
                    &[],
                    &[],
                ),
            ),
            (
                Role::CityOversight,
                "320100",
                expected(
                    &[],
                    &[&loop_reads[..], &every_below, &["dashboard"]].concat(),
                    &[],
                    &["descendant/case", "descendant/evaluation"],
                ),
            ),
            (
                Role::SupervisionCenter,
                "320115",
                station(expected(&[], &centre_reads, &["case", "evaluation"], &[]), &["case:intake"]),
            ),
            (
                Role::CommandCenter,
                "320115",
                station(expected(&[], &centre_reads, &["case", "evaluation"], &["case"]), &["case:dispatch"]),
            ),
            (
                Role::Department,
                "320115",
                station(
                    expected(
                        &[],
                        &[&loop_reads[..], &["descendant/case"]].concat(),
                        &["case", "evaluation", "descendant/case"],
                        &[],
                    ),
                    &["case:handle", "descendant/case:handle"],
                ),
            ),
            (Role::Collector, "320115", station(expected(&[], &loop_reads, &["case"], &[]), &["case:patrol"])),
        ];
        assert_eq!(cases.len(), Role::ALL.len(), "every role is expanded");
        for (role, tenant, want) in cases {
            let (authz, principal) = holding(role, tenant).await;
            let got = authz.permissions(&principal).unwrap();
            let got_set: BTreeSet<String> = got.iter().cloned().collect();
            assert_eq!(got_set.len(), got.len(), "{role:?}: duplicates in {got:?}");
            assert_eq!(got_set, want, "{role:?} in {tenant}");
        }
    }

    #[tokio::test]
    async fn permissions_are_those_of_the_callers_own_tenant() {
        // The same user's role in another tenant grants nothing where it is not held.
        let (authz, mut principal) = holding(Role::TenantAdmin, "320115").await;
        principal.tenant_code = TenantCode::parse("320102").unwrap();
        assert!(authz.permissions(&principal).unwrap().is_empty());
    }
}
