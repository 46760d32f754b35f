//! The demo organisation seeded by `urbangrid serve --demo`: the city of Nanjing (320100) with
//! two of its districts, 玄武区 (320102) and 江宁区 (320115), a few departments each, and one user
//! per role. Codes and names are the real GB/T 2260 ones.

use kernel::{Result, TenantCode, ids::DepartmentId};
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::db::OrInternal;
use crate::roles::Role;
use crate::user::{ValidNewUser, insert};

pub const CITY: (&str, &str) = ("320100", "南京市");
pub const COUNTIES: [(&str, &str); 2] = [("320102", "玄武区"), ("320115", "江宁区")];

/// Departments of each demo county (name suffixes after the district's name).
pub const DEPARTMENTS: [&str; 5] = ["城市管理局", "住房和城乡建设局", "市政设施管理处", "园林绿化管理处", "水务局"];

/// Departments of the demo city, and whether each is shared with the counties as a dispatch target
/// (the city's water utility maintains mains and drains across districts).
pub const CITY_DEPARTMENTS: [(&str, bool); 2] = [("城市管理局", false), ("水务局", true)];

/// One demo account.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub tenant: &'static str,
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    /// Index into [`DEPARTMENTS`] (in the city: [`CITY_DEPARTMENTS`]) for department staff.
    pub department: Option<usize>,
}

/// Nanjing's other districts: with [`COUNTIES`], the ten counties of the evaluation benchmark's city.
pub const MORE_COUNTIES: [(&str, &str); 8] = [
    ("320104", "秦淮区"),
    ("320105", "建邺区"),
    ("320106", "鼓楼区"),
    ("320111", "浦口区"),
    ("320113", "栖霞区"),
    ("320114", "雨花台区"),
    ("320116", "六合区"),
    ("320117", "溧水区"),
];

/// Handlers of the other demo departments (index into [`DEPARTMENTS`]), so cases can be
/// dispatched to each and handled by a member.
const DEPARTMENT_HANDLERS: [(&str, &str, usize); 4] = [
    ("handler0", "城管处置员", 0),
    ("handler1", "住建处置员", 1),
    ("handler3", "园林处置员", 3),
    ("handler4", "水务处置员", 4),
];

/// The demo users: one per role in each tenant (and one handler per department).
pub fn users() -> Vec<DemoUser> {
    users_of(&COUNTIES)
}

fn users_of(counties: &[(&'static str, &'static str)]) -> Vec<DemoUser> {
    let user = |tenant, username, display_name, role, department| DemoUser {
        tenant,
        username,
        display_name,
        role,
        department,
    };
    let mut out = vec![
        user(CITY.0, "admin", "南京市管理员", Role::TenantAdmin, None),
        user(CITY.0, "oversight", "南京市监督", Role::CityOversight, None),
        user(CITY.0, "auditor", "南京市审计", Role::Auditor, None),
        // Handles the cases counties dispatch to the shared 南京市水务局.
        user(CITY.0, "handler", "市水务处置员", Role::Department, Some(1)),
    ];
    for &(code, _) in counties {
        out.extend(DEPARTMENT_HANDLERS.iter().map(|&(u, n, d)| user(code, u, n, Role::Department, Some(d))));
        out.extend([
            user(code, "admin", "区管理员", Role::TenantAdmin, None),
            user(code, "acceptor", "受理员", Role::SupervisionCenter, None),
            user(code, "dispatcher", "派遣员", Role::CommandCenter, None),
            user(code, "handler", "市政处置员", Role::Department, Some(2)),
            user(code, "collector", "监督员", Role::Collector, None),
            user(code, "auditor", "审计员", Role::Auditor, None),
        ]);
    }
    out
}

/// A valid 统一社会信用代码 for demo department `n` of county `code` (1 = 机构编制, 1 = 机关).
pub fn demo_uscc(code: &str, n: usize) -> String {
    crate::uscc::complete(&format!("11{code}MB{n:07}")).unwrap_or_default()
}

/// Seeds the demo organisation unless the demo city exists. Returns whether it seeded.
pub async fn seed(db: &DatabaseConnection, password: &str) -> Result<bool> {
    seed_with(db, password, &COUNTIES).await
}

/// Seeds the demo city with the given counties (the benchmark's city has ten).
pub async fn seed_with(
    db: &DatabaseConnection,
    password: &str,
    counties: &[(&'static str, &'static str)],
) -> Result<bool> {
    if crate::tenant::find_by_code(db, CITY.0).await?.is_some() {
        return Ok(false);
    }
    let hash = crate::password::hash(password.to_owned()).await?;
    let txn = db.begin().await.or_internal()?;
    let root = crate::tenant::find_by_code(&txn, TenantCode::PLATFORM.as_str())
        .await?
        .map(|m| crate::context::TenantRef::of(&m))
        .ok_or_else(|| kernel::Error::internal(anyhow::anyhow!("platform tenant missing")))?;
    let city = crate::tenant::insert_raw(&txn, parse(CITY.0)?, CITY.1, Some(root.id)).await?;
    let mut city_departments = Vec::new();
    for (i, (dept, shared)) in CITY_DEPARTMENTS.iter().enumerate() {
        let name = format!("{}{dept}", CITY.1);
        let id = crate::department::insert_raw(&txn, city.id, &name, &demo_uscc(CITY.0, i + 1), *shared).await?;
        city_departments.push(DepartmentId(id));
    }
    let mut tenants = vec![(city.clone(), city_departments)];
    for &(code, name) in counties {
        let county = crate::tenant::insert_raw(&txn, parse(code)?, name, Some(city.id)).await?;
        let mut departments = Vec::new();
        for (i, dept) in DEPARTMENTS.iter().enumerate() {
            let id = crate::department::insert_raw(
                &txn,
                county.id,
                &format!("{name}{dept}"),
                &demo_uscc(code, i + 1),
                false,
            )
            .await?;
            departments.push(DepartmentId(id));
        }
        tenants.push((county, departments));
    }
    for u in users_of(counties) {
        let Some((tenant, departments)) = tenants.iter().find(|(t, _)| t.code.as_str() == u.tenant) else { continue };
        let user = ValidNewUser {
            username: u.username.into(),
            display_name: u.display_name.into(),
            password: password.into(),
            department_id: u.department.and_then(|i| departments.get(i).copied()),
            roles: vec![u.role],
            contacts: Default::default(),
        };
        insert(&txn, tenant, user, hash.clone()).await?;
    }
    txn.commit().await.or_internal()?;
    tracing::info!(counties = counties.len(), "demo organisation seeded: 南京市 and its counties");
    Ok(true)
}

fn parse(code: &str) -> Result<TenantCode> {
    TenantCode::parse(code).map_err(|e| kernel::Error::internal(anyhow::anyhow!(e)))
}

/// Demo seeding after the organisation runs in stages per county (the frame, the history), each
/// over several transactions. A stage writes its marker last; a county whose stage has rows but
/// no marker was interrupted (a crash, Ctrl-C) and is wiped and seeded again on the next start,
/// so a half-seeded demo never stays half-seeded.
pub mod stage {
    use kernel::Result;
    use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

    use crate::db::OrInternal;
    use crate::system::SystemScope;

    fn key(stage: &str, county: &str) -> String {
        format!("demo:{stage}:{county}")
    }

    pub async fn done(db: &DatabaseConnection, stage: &str, county: &str) -> Result<bool> {
        Ok(crate::db::read_version(db, &key(stage, county)).await? > 0)
    }

    pub async fn mark_done(db: &DatabaseConnection, stage: &str, county: &str) -> Result<()> {
        crate::db::bump_counter(db, &key(stage, county), 1).await
    }

    /// Deletes the county's rows of `tables`, in the order given, in one transaction. Only the
    /// demo seed's own [`SystemScope`] may (it redoes an interrupted stage).
    pub async fn wipe(db: &DatabaseConnection, tenant: &SystemScope, tables: &[&str]) -> Result<()> {
        let tenant = tenant.tenant().id().0;
        use sea_orm::TransactionTrait;
        let txn = db.begin().await.or_internal()?;
        for table in tables {
            let sql = format!("DELETE FROM {table} WHERE tenant_id = $1");
            txn.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [tenant.into()]))
                .await
                .or_internal()?;
        }
        txn.commit().await.or_internal()
    }
}
