//! Users from a spreadsheet (the onboarding wizard's 批量导入): every row is checked — user name
//! (also against the file's other rows and the tenant's users), name, password, roles,
//! department, contact details — and nothing is written unless every row is valid. A row
//! without a password gets a generated one, answered once.

use kernel::{Error, Result, Validator};
use sea_orm::{DatabaseConnection, QuerySelect, TransactionTrait};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Entry, Origin};
use crate::authz::Authorizer;
use crate::context::TenantScope;
use crate::db::OrInternal;
use crate::entity::{department, user};
use crate::roles::Role;
use crate::scoped::TenantOwned;
use crate::user::{Contacts, ValidNewUser};

/// The most rows one file imports.
pub const MAX_ROWS: usize = 2000;

/// The columns: API name, then the Chinese headers accepted for it (the template's first).
pub const COLUMNS: [(&str, &[&str]); 8] = [
    ("username", &["用户名", "账号"]),
    ("display_name", &["姓名", "显示名称"]),
    ("password", &["初始密码", "密码"]),
    ("roles", &["角色"]),
    ("department", &["部门", "所属部门"]),
    ("mobile", &["手机号", "手机", "手机号码"]),
    ("email", &["邮箱", "电子邮箱"]),
    ("staff_number", &["工号"]),
];

/// The template's header: each column's Chinese name and API name, `用户名(username)`.
pub fn template_header() -> Vec<String> {
    COLUMNS.iter().map(|(api, zh)| format!("{}({api})", zh.first().copied().unwrap_or(api))).collect()
}

/// The column a header cell names: the API name, a Chinese name, or the template's `名(api)`.
fn column_of(header: &str) -> Option<usize> {
    let h = header.trim().trim_start_matches('\u{feff}').trim();
    let (outer, inner) = match h.split_once(['(', '（']) {
        Some((o, rest)) => (o.trim(), Some(rest.trim_end_matches([')', '）']).trim())),
        None => (h, None),
    };
    let names = [Some(h), Some(outer), inner];
    COLUMNS.iter().position(|(api, zh)| {
        names.iter().flatten().any(|n| !n.is_empty() && (n.eq_ignore_ascii_case(api) || zh.contains(n)))
    })
}

/// One user of the import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedUser {
    /// The line of the file (the header is line 1).
    pub line: u64,
    #[schema(example = "zhangsan")]
    pub username: String,
    /// Absent in a dry run.
    pub id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub department_id: Option<Uuid>,
    /// Whether the file gave no password, so one is (or would be) generated.
    pub password_generated: bool,
    /// The generated password, shown this once (absent in a dry run and when the file gave one).
    #[schema(example = "k7Q-mP3x.Rw9")]
    pub generated_password: Option<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserImport {
    pub dry_run: bool,
    /// Users created (0 in a dry run).
    pub created: u64,
    pub users: Vec<ImportedUser>,
}

/// Roles of a cell: ids or Chinese names, separated by `,` `，` `、` `;` `；` or spaces.
fn parse_roles(cell: &str) -> std::result::Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for token in cell.split([',', '，', '、', ';', '；', ' ', '|']).map(str::trim).filter(|t| !t.is_empty()) {
        let role = Role::parse(token).or_else(|| Role::ALL.into_iter().find(|r| r.name_zh() == token));
        match role {
            Some(r) => roles.push(r),
            None => {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                return Err(format!("unknown role `{token}` (one of: {})", known.join(", ")));
            }
        }
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// Checks every row and, unless `dry_run` or a row is refused, creates the users in one
/// transaction. Errors name `lines[<line>].<column>` (or `header`, or `file`).
pub async fn import(
    db: &DatabaseConnection,
    authz: &Authorizer,
    scope: &TenantScope,
    header: &[String],
    rows: Vec<(u64, Vec<String>)>,
    dry_run: bool,
    origin: &Origin,
) -> Result<UserImport> {
    let mut v = Validator::new();
    let mut index: [Option<usize>; COLUMNS.len()] = [None; COLUMNS.len()];
    for (i, h) in header.iter().enumerate() {
        if h.trim().is_empty() {
            continue;
        }
        match column_of(h) {
            Some(c) if index[c].is_some() => v.add("header", format!("column `{h}` appears twice")),
            Some(c) => index[c] = Some(i),
            None => {
                let known: Vec<&str> = COLUMNS.iter().map(|(a, _)| *a).collect();
                v.add("header", format!("unknown column `{h}` (columns: {})", known.join(", ")))
            }
        }
    }
    for required in [0, 1] {
        if index[required].is_none() {
            v.add("header", format!("the column `{}` is missing", COLUMNS[required].0));
        }
    }
    v.finish()?;
    let mut v = Validator::new();
    if rows.is_empty() {
        return Err(Error::invalid("file", "the file has no user rows below its header"));
    }

    let tenant = scope.tenant();
    let existing: Vec<(String, Option<String>)> = user::Entity::find_in(scope)
        .select_only()
        .column(user::Column::Username)
        .column(user::Column::StaffNumber)
        .into_tuple()
        .all(db)
        .await
        .or_internal()?;
    let taken_names: HashSet<String> = existing.iter().map(|(u, _)| u.to_lowercase()).collect();
    let taken_staff: HashSet<String> = existing.iter().filter_map(|(_, s)| s.clone()).collect();
    let departments = department::Entity::find_in(scope).all(db).await.or_internal()?;
    let mut by_name: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for d in &departments {
        by_name.entry(d.name.as_str()).or_default().push(d.id);
    }
    let ids: HashSet<Uuid> = departments.iter().map(|d| d.id).collect();

    let mut seen_names: HashMap<String, u64> = HashMap::new();
    let mut seen_staff: HashMap<String, u64> = HashMap::new();
    let mut valid: Vec<(u64, ValidNewUser, bool)> = Vec::new();
    for (line, cells) in &rows {
        let cell = |c: usize| index[c].and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or_default();
        let field = |c: usize| format!("lines[{line}].{}", COLUMNS[c].0);
        let username = v.check(&field(0), crate::user::check_username(cell(0)));
        if let Some(name) = &username {
            if let Some(first) = seen_names.get(name) {
                v.add(field(0), format!("`{name}` is also on line {first} of the file"));
            } else if taken_names.contains(name) {
                v.add(field(0), format!("`{name}` is taken in the tenant"));
            }
            seen_names.entry(name.clone()).or_insert(*line);
        }
        let display_name = v.text(&field(1), cell(1), 100);
        let password = cell(2).to_owned();
        if !password.is_empty()
            && let Err(reason) = crate::password::check_strength(&password, username.as_deref().unwrap_or_default())
        {
            v.add(field(2), reason);
        }
        let roles = v.check(&field(3), parse_roles(cell(3))).unwrap_or_default();
        let department = match cell(4) {
            "" => None,
            d => match (Uuid::parse_str(d).ok(), by_name.get(d).map(Vec::as_slice)) {
                (Some(id), _) if ids.contains(&id) => Some(id),
                (_, Some([id])) => Some(*id),
                (_, Some(_)) => {
                    v.add(field(4), format!("several departments are named `{d}`: give its id"));
                    None
                }
                _ => {
                    v.add(field(4), format!("no department `{d}` in this tenant (name or id)"));
                    None
                }
            },
        };
        let departed = department.map(kernel::ids::DepartmentId);
        // A department that was named but not found is already reported.
        if departed.is_some() || cell(4).is_empty() {
            crate::user::check_roles(&mut v, &field(3), &roles, tenant.level(), departed);
        }
        let opt = |c: usize| Some(cell(c)).filter(|s| !s.is_empty());
        let contacts: Contacts =
            crate::user::check_contacts(&mut v, &format!("lines[{line}]."), opt(5), opt(6), opt(7));
        if let Some(staff) = &contacts.staff_number {
            if let Some(first) = seen_staff.get(staff) {
                v.add(field(7), format!("`{staff}` is also on line {first} of the file"));
            } else if taken_staff.contains(staff) {
                v.add(field(7), format!("`{staff}` is taken in the tenant"));
            }
            seen_staff.entry(staff.clone()).or_insert(*line);
        }
        if let Some(username) = username {
            let generated = password.is_empty();
            let user = ValidNewUser { username, display_name, password, department_id: departed, roles, contacts };
            valid.push((*line, user, generated));
        }
    }
    v.finish()?;

    let mut users: Vec<ImportedUser> = valid
        .iter()
        .map(|(line, u, generated)| ImportedUser {
            line: *line,
            username: u.username.clone(),
            id: None,
            roles: u.roles.clone(),
            department_id: u.department_id.map(|d| d.0),
            password_generated: *generated,
            generated_password: None,
        })
        .collect();
    if dry_run {
        return Ok(UserImport { dry_run, created: 0, users });
    }
    let mut hashed = Vec::with_capacity(valid.len());
    for (_, mut u, generated) in valid {
        let shown = if generated {
            u.password = crate::bootstrap::random_password();
            Some(u.password.clone())
        } else {
            None
        };
        let hash = crate::password::hash(u.password.clone()).await?;
        hashed.push((u, hash, shown));
    }
    let txn = db.begin().await.or_internal()?;
    for ((u, hash, shown), out) in hashed.into_iter().zip(users.iter_mut()) {
        let created = crate::user::insert(&txn, tenant, u, hash).await?;
        let entry = Entry::new("user.created", format!("user:{}", created.id)).after(crate::user::summary(&created));
        audit::record_scoped(&txn, scope, origin, entry).await?;
        out.id = Some(created.id);
        out.generated_password = shown;
    }
    let created = users.len() as u64;
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    let entry = Entry::new("users.imported", format!("tenant:{}", tenant.code()))
        .after(serde_json::json!({"created": created, "usernames": names}));
    audit::record_scoped(&txn, scope, origin, entry).await?;
    txn.commit().await.or_internal()?;
    authz.reload_if_changed(db).await?;
    Ok(UserImport { dry_run, created, users })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn headers_by_api_name_chinese_name_or_the_templates_form() {
        assert_eq!(column_of("username"), Some(0));
        assert_eq!(column_of("Display_Name"), Some(1));
        assert_eq!(column_of("工号"), Some(7));
        assert_eq!(column_of("\u{feff}用户名(username)"), Some(0));
        assert_eq!(column_of("手机号（mobile）"), Some(5));
        for h in template_header() {
            assert!(column_of(&h).is_some(), "{h}");
        }
        assert_eq!(column_of("备注"), None);
    }

    #[test]
    fn roles_by_id_or_chinese_name_in_any_separator() {
        assert_eq!(parse_roles("collector、department").unwrap(), [Role::Department, Role::Collector]);
        assert_eq!(parse_roles("监督员, tenant-admin，collector").unwrap(), [Role::TenantAdmin, Role::Collector]);
        assert!(parse_roles("").unwrap().is_empty());
        assert!(parse_roles("collector, janitor").unwrap_err().contains("janitor"));
    }
}
