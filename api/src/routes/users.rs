//! Users of a tenant and their role assignments.

use actix_web::{HttpResponse, get, patch, post, put, web};
use kernel::{Page, PageRequest};
use serde::Serialize;
use tenancy::Role;
use tenancy::user::{self, NewUser, RoleSet, User, UserPatch};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Authorized, Origin, RoleRead, RoleWrite, UserRead, UserWrite};
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// The users of a tenant, in creation order.
#[utoipa::path(
    tag = "users",
    operation_id = "users.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"), PageRequest),
    responses(
        (status = 200, description = "One page of users", body = Page<User>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/users")]
pub async fn list(
    scope: Authorized<UserRead>,
    state: web::Data<AppState>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    let disclosure = user::Disclosure::for_caller(&state.authz, &scope)?;
    Ok(HttpResponse::Ok().json(user::list(&state.db, &scope, &page, disclosure).await?))
}

/// Create a user, optionally with roles (a user with role `department` needs `department_id`).
#[utoipa::path(
    tag = "users",
    operation_id = "users.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115")),
    request_body = NewUser,
    responses(
        (status = 201, description = "The new user", body = User),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/users")]
pub async fn create(
    scope: Authorized<UserWrite>,
    state: web::Data<AppState>,
    origin: Origin,
    body: Json<NewUser>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(user::create(&state.db, &state.authz, &scope, body.0, &origin).await?))
}

/// One user.
#[utoipa::path(
    tag = "users",
    operation_id = "users.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/users/{user_id}")]
pub async fn get(
    scope: Authorized<UserRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let disclosure = user::Disclosure::for_caller(&state.authz, &scope)?;
    Ok(HttpResponse::Ok().json(user::get(&state.db, &scope, path.1, disclosure).await?))
}

/// Change a user's name, department or status, or reset the password. Deactivating a user or
/// resetting the password ends all of the user's sessions; a reset also lifts a login lockout.
#[utoipa::path(
    tag = "users",
    operation_id = "users.update",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The updated user", body = User),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[patch("/api/v1/tenants/{tenant_code}/users/{user_id}")]
pub async fn update(
    scope: Authorized<UserWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
    body: Json<UserPatch>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(user::update(&state.db, &scope, path.1, body.0, &origin).await?))
}

#[derive(Serialize, ToSchema)]
pub struct UserRoles {
    pub user_id: Uuid,
    pub roles: Vec<Role>,
}

/// The roles a user holds in this tenant.
#[utoipa::path(
    tag = "users",
    operation_id = "users.roles.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    responses(
        (status = 200, description = "The user's roles", body = UserRoles),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/users/{user_id}/roles")]
pub async fn get_roles(
    scope: Authorized<RoleRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let u = user::get(&state.db, &scope, path.1, user::Disclosure::Masked).await?;
    Ok(HttpResponse::Ok().json(UserRoles { user_id: u.id, roles: u.roles }))
}

/// Replace the roles a user holds in this tenant. Takes effect at the user's next request.
/// The last active administrator cannot give up the role.
#[utoipa::path(
    tag = "users",
    operation_id = "users.roles.set",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    request_body = RoleSet,
    responses(
        (status = 200, description = "The user's roles now", body = UserRoles),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/users/{user_id}/roles")]
pub async fn set_roles(
    scope: Authorized<RoleWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
    body: Json<RoleSet>,
) -> ApiResult<HttpResponse> {
    let u = user::set_roles(&state.db, &state.authz, &scope, path.1, body.0, &origin).await?;
    Ok(HttpResponse::Ok().json(UserRoles { user_id: u.id, roles: u.roles }))
}

/// Lift a login lockout of the user (too many failed logins) before its window ends.
#[utoipa::path(
    tag = "users",
    operation_id = "users.unlock",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    responses(
        (status = 204, description = "The user can log in again"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/users/{user_id}/unlock")]
pub async fn unlock(
    scope: Authorized<UserWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    user::unlock(&state.db, &scope, path.1, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The largest users file accepted.
const MAX_USER_IMPORT_BYTES: u64 = 5 * 1024 * 1024;

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The file type of the users template.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TemplateFormat {
    /// UTF-8 with a byte-order mark (Excel and WPS open it as UTF-8).
    #[default]
    Csv,
    Xlsx,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<TemplateFormat>,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserImportQuery {
    /// Only check the file and report what would be created.
    pub dry_run: Option<bool>,
}

/// The template for importing users: one header row, `用户名(username)`, `姓名(display_name)`,
/// `初始密码(password)`, `角色(roles)`, `部门(department)`, `手机号(mobile)`, `邮箱(email)`,
/// `工号(staff_number)`.
#[utoipa::path(
    tag = "users",
    operation_id = "users.import.template",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"), TemplateQuery),
    responses(
        (status = 200, description = "The template file",
            content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/users/import-template")]
pub async fn import_template(_scope: Authorized<UserRead>, q: Query<TemplateQuery>) -> ApiResult<HttpResponse> {
    use actix_web::http::header;
    let sheet = oversight::export::Sheet {
        title: "用户导入模板".into(),
        header: tenancy::user_import::template_header(),
        rows: Vec::new(),
    };
    let (bytes, content_type, ext) = match q.format.unwrap_or_default() {
        TemplateFormat::Csv => (oversight::export::csv(&sheet)?, "text/csv; charset=utf-8", "csv"),
        TemplateFormat::Xlsx => (oversight::export::xlsx(&sheet)?, XLSX_TYPE, "xlsx"),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"users-template.{ext}\"")))
        .body(bytes))
}

/// Create users from a file: the template filled in, as CSV (UTF-8 or GB18030/GBK) or XLSX (the
/// first sheet; recognised by its content). Columns by API name or Chinese name; `username` and
/// `display_name` are required; `roles` are role ids or Chinese names separated by `,` or `、`;
/// `department` is a department's name or id; a row without `password` gets a generated one,
/// answered once. All or nothing: every bad row is reported as `lines[<line>].<column>` (the
/// header is line 1) and nothing is created unless every row is valid; `dry_run=true` only checks.
/// At most 2,000 rows.
#[utoipa::path(
    tag = "users",
    operation_id = "users.import",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the tenant", example = "320115"), UserImportQuery),
    request_body(description = "The filled-in template",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "Dry run: what would be created", body = tenancy::user_import::UserImport),
        (status = 201, description = "The users created (with generated passwords, shown this once)", body = tenancy::user_import::UserImport),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::TooLarge),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/users/import")]
pub async fn import(
    scope: Authorized<UserWrite>,
    state: web::Data<AppState>,
    q: Query<UserImportQuery>,
    origin: Origin,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let bytes = crate::extract::read_body(body, MAX_USER_IMPORT_BYTES).await?;
    let (header, rows) = inventory::census::sheet::read_table(&bytes, tenancy::user_import::MAX_ROWS)
        .map_err(|reason| kernel::Error::invalid("file", reason))?;
    let dry_run = q.dry_run.unwrap_or(false);
    let report = tenancy::user_import::import(&state.db, &state.authz, &scope, &header, rows, dry_run, &origin).await?;
    Ok(if dry_run { HttpResponse::Ok() } else { HttpResponse::Created() }.json(report))
}
