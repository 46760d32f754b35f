//! Directives and their responses:
//! - 源头治理建议 (`governance`): the county's supervision centre turns a recurring pattern into a
//!   recommendation addressed to the responsible department (or an agency outside the system),
//!   and records its response. Department evaluation counts them (源头治理建议数, 按时回复数).
//! - 市级督办 (`city_order`): the city orders a county to act on a case or a pattern, with a due
//!   time; on a case it also appends a 督办 event to the case. County evaluation counts them.
//!
//! A directive is `open`, then `answered` (once), then `closed` by its issuer.

use chrono::{DateTime, Utc};
use kernel::{Error, Result, Validator};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use tenancy::TenantOwned;
use tenancy::{Access, Role, TenantScope};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::entity::directive;
use tenancy::db::OrInternal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = DirectiveKind)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Governance,
    CityOrder,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Governance => "governance",
            Kind::CityOrder => "city_order",
        }
    }
}

/// The recurring pattern a directive is about (as a hotspot describes it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// `component` or `matter`, as the hotspot names it (absent in directives stored before
    /// hotspots named their kind).
    #[serde(default)]
    pub kind: Option<String>,
    pub class_code: String,
    /// `grid`, `component` or `radius`.
    pub by: evaluation::recurring::PlaceBy,
    /// The unit grid code or component id (for a radius: the grid of its centre).
    pub place: String,
    /// Cases that show the pattern (ids), for the record.
    #[serde(default)]
    pub cases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDirective {
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub due_at: DateTime<Utc>,
    /// The responsible department (of the county, or shared by its city).
    pub department_id: Option<Uuid>,
    /// Who it is addressed to, when not a department in the system (e.g. 供电公司).
    pub addressee: Option<String>,
    pub case_id: Option<Uuid>,
    pub pattern: Option<Pattern>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectiveView {
    pub id: Uuid,
    pub kind: Kind,
    /// The county concerned.
    pub tenant_code: String,
    /// Issued by (the county itself, or its city).
    pub issuer_tenant_id: Uuid,
    pub case_id: Option<Uuid>,
    pub pattern: Option<Pattern>,
    pub department_id: Option<Uuid>,
    pub addressee: String,
    pub title: String,
    pub body: String,
    pub due_at: DateTime<Utc>,
    /// `open`, `answered` or `closed`.
    pub status: String,
    pub response: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
    pub responded_by: Option<Uuid>,
    /// Answered by the due time.
    pub answered_on_time: Option<bool>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

fn view(m: directive::Model, tenant_code: &str) -> DirectiveView {
    DirectiveView {
        id: m.id,
        kind: if m.kind == "city_order" { Kind::CityOrder } else { Kind::Governance },
        tenant_code: tenant_code.to_owned(),
        issuer_tenant_id: m.issuer_tenant_id,
        case_id: m.case_id,
        pattern: m.pattern.as_deref().and_then(|p| serde_json::from_str(p).ok()),
        department_id: m.department_id,
        addressee: m.addressee,
        title: m.title,
        body: m.body,
        due_at: m.due_at,
        answered_on_time: m.responded_at.map(|r| r <= m.due_at),
        status: m.status,
        response: m.response,
        responded_at: m.responded_at,
        responded_by: m.responded_by,
        created_by: m.created_by,
        created_at: m.created_at,
    }
}

fn has(roles: &[Role], wanted: &[Role]) -> bool {
    roles.iter().any(|r| wanted.contains(r))
}

/// Whether the caller may issue a directive of `kind` (checked before its content).
pub fn may_issue(kind: Kind, access: Access, roles: &[Role]) -> Result<()> {
    match (kind, access) {
        (Kind::Governance, Access::Own) if has(roles, &[Role::SupervisionCenter, Role::TenantAdmin]) => Ok(()),
        (Kind::Governance, _) => {
            Err(Error::forbidden("a county's supervision centre issues its governance recommendations"))
        }
        (Kind::CityOrder, Access::Descendant) if has(roles, &[Role::CityOversight]) => Ok(()),
        (Kind::CityOrder, _) => Err(Error::forbidden("supervision orders come from the city's oversight")),
    }
}

/// Issues a directive to the county of `scope`: a governance recommendation from the county's
/// own supervision centre, or a city order from the city above it. A city order on a case is also
/// an action on it (`recent` as for [`cases::act::act`]).
pub async fn create(
    db: &DatabaseConnection,
    recent: &cases::recent::RecentCases,
    scope: &TenantScope,
    roles: &[Role],
    actor: &workflow::Actor,
    input: NewDirective,
) -> Result<DirectiveView> {
    may_issue(input.kind, scope.access(), roles)?;
    if scope.tenant().level() != kernel::DivisionLevel::County {
        return Err(Error::invalid("tenant_code", "directives concern a county"));
    }
    let mut v = Validator::new();
    let title = v.text("title", &input.title, 200);
    let body = v.text("body", &input.body, 4000);
    let now = Utc::now();
    if input.due_at <= now {
        v.add("due_at", "must be in the future");
    }
    if let Some(p) = &input.pattern
        && (p.class_code.len() != 5 || !p.class_code.bytes().all(|b| b.is_ascii_digit()))
    {
        v.add("pattern.class_code", "must be a 5-digit class code");
    }
    if let Some(k) = input.pattern.as_ref().and_then(|p| p.kind.as_deref())
        && !matches!(k, "component" | "matter")
    {
        v.add("pattern.kind", "must be component or matter");
    }
    let county = scope.tenant();
    if let Some(d) = input.department_id
        && !tenancy::department::is_dispatch_target(db, county, d).await?
    {
        v.add("department_id", "no such department in this county or shared by its city");
    }
    let addressee = match (&input.addressee, input.department_id) {
        (Some(a), _) => v.text("addressee", a, 128),
        (None, Some(_)) => String::new(),
        (None, None) if input.kind == Kind::CityOrder => county.code().to_string(),
        (None, None) => {
            v.add("addressee", "name the department (department_id) or the agency (addressee)");
            String::new()
        }
    };
    if let Some(case_id) = input.case_id {
        let found = cases::entity::case::Entity::find_by_id_in(county, case_id).one(db).await.or_internal()?;
        if found.is_none() {
            v.add("case_id", "no such case in this county");
        }
    }
    if input.kind == Kind::CityOrder && input.case_id.is_none() && input.pattern.is_none() {
        v.add("case_id", "a supervision order concerns a case or a pattern");
    }
    v.finish()?;
    // On a case, the order is also a 督办 event in the case's history (refused if the case is closed).
    if let (Kind::CityOrder, Some(case_id)) = (input.kind, input.case_id) {
        let cmd = workflow::Command::Supervise { note: title.clone(), due: input.due_at };
        cases::act::act(db, recent, scope, case_id, actor, cmd).await?;
    }
    let row = directive::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(county.id().0),
        issuer_tenant_id: Set(scope.principal().tenant_id().0),
        kind: Set(input.kind.as_str().to_owned()),
        case_id: Set(input.case_id),
        pattern: Set(input.pattern.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default())),
        department_id: Set(input.department_id),
        addressee: Set(addressee),
        title: Set(title),
        body: Set(body),
        due_at: Set(input.due_at),
        status: Set("open".into()),
        response: Set(None),
        responded_at: Set(None),
        responded_by: Set(None),
        created_by: Set(scope.principal().user_id().0),
        created_at: Set(now),
    };
    let saved = row.insert(db).await.or_internal()?;
    Ok(view(saved, county.code().as_str()))
}

/// The directives concerning the county of `scope`, newest first. A department member sees those
/// addressed to their department.
pub async fn list(db: &DatabaseConnection, scope: &TenantScope, roles: &[Role]) -> Result<Vec<DirectiveView>> {
    let mut q = directive::Entity::find_in(scope);
    let staff = has(
        roles,
        &[Role::SupervisionCenter, Role::CommandCenter, Role::TenantAdmin, Role::Auditor, Role::CityOversight],
    );
    // From the city only its oversight and administrators see a county's directives whole.
    let city_reader = has(roles, &[Role::CityOversight, Role::TenantAdmin]);
    let sees_all = staff && (scope.access() == Access::Own || city_reader);
    if !sees_all {
        let Some(dep) = scope.principal().department_id() else { return Ok(Vec::new()) };
        q = q.filter(directive::Column::DepartmentId.eq(dep.0));
    }
    let rows = q.order_by_desc(directive::Column::CreatedAt).all(db).await.or_internal()?;
    Ok(rows.into_iter().map(|m| view(m, scope.tenant().code().as_str())).collect())
}

async fn find(db: &DatabaseConnection, scope: &TenantScope, id: Uuid) -> Result<directive::Model> {
    directive::Entity::find_by_id_in(scope, id)
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("directive"))
}

pub async fn get(db: &DatabaseConnection, scope: &TenantScope, roles: &[Role], id: Uuid) -> Result<DirectiveView> {
    list(db, scope, roles).await?.into_iter().find(|d| d.id == id).ok_or_else(|| Error::not_found("directive"))
}

/// Records the response: by the addressed department (or, for an agency outside the system, by
/// the supervision centre on its behalf); a city order by the county's centres.
pub async fn respond(
    db: &DatabaseConnection,
    scope: &TenantScope,
    roles: &[Role],
    id: Uuid,
    response: &str,
) -> Result<DirectiveView> {
    let m = find(db, scope, id).await?;
    let principal = scope.principal();
    let own_department = m.department_id.is_some() && principal.department_id().map(|d| d.0) == m.department_id;
    let allowed = match m.kind.as_str() {
        "city_order" => {
            scope.access() == Access::Own
                && has(roles, &[Role::SupervisionCenter, Role::CommandCenter, Role::TenantAdmin])
        }
        _ => {
            own_department
                || (m.department_id.is_none()
                    && scope.access() == Access::Own
                    && has(roles, &[Role::SupervisionCenter]))
        }
    };
    if !allowed {
        return Err(Error::forbidden("only the addressee answers a directive"));
    }
    if m.status != "open" {
        return Err(Error::conflict("the directive was already answered"));
    }
    let mut v = Validator::new();
    let text = v.text("response", response, 4000);
    v.finish()?;
    let mut am: directive::ActiveModel = m.into();
    am.status = Set("answered".into());
    am.response = Set(Some(text));
    am.responded_at = Set(Some(Utc::now()));
    am.responded_by = Set(Some(principal.user_id().0));
    let saved = am.update(db).await.or_internal()?;
    Ok(view(saved, scope.tenant().code().as_str()))
}

/// Closes an answered directive: by its issuer (the county's centre, or the city).
pub async fn close(db: &DatabaseConnection, scope: &TenantScope, roles: &[Role], id: Uuid) -> Result<DirectiveView> {
    let m = find(db, scope, id).await?;
    let issuer = scope.principal().tenant_id().0 == m.issuer_tenant_id
        && has(roles, &[Role::SupervisionCenter, Role::TenantAdmin, Role::CityOversight]);
    if !issuer {
        return Err(Error::forbidden("only the issuer closes a directive"));
    }
    if m.status != "answered" {
        return Err(Error::conflict("only an answered directive can be closed"));
    }
    let mut am: directive::ActiveModel = m.into();
    am.status = Set("closed".into());
    let saved = am.update(db).await.or_internal()?;
    Ok(view(saved, scope.tenant().code().as_str()))
}
