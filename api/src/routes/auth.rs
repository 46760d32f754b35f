//! Login, token refresh, logout, and who-am-I.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use kernel::{Error, PageRequest};
use serde::Serialize;
use tenancy::Role;
use tenancy::session::{self, LoginRequest, RefreshRequest, TokenPair};
use tenancy::tenant::{Tenant, TenantEntry, TenantSearch};
use tenancy::user::{PasswordChange, User};
use utoipa::ToSchema;

use crate::auth::{Authenticated, Origin};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Log in with tenant code, user name and password.
///
/// Repeated failures for one account or from one address are refused for a while with 429.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens issued", body = TokenPair),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Invalid),
        (status = 429, response = crate::openapi::TooMany),
    )
)]
#[post("/api/v1/auth/login")]
pub async fn login(state: web::Data<AppState>, origin: Origin, body: Json<LoginRequest>) -> ApiResult<HttpResponse> {
    let pair = session::login(&state.db, &state.auth, body.0, &origin).await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Exchange a refresh token for a new token pair. Each refresh token works once; presenting a
/// used one again ends the whole session.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenPair),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[post("/api/v1/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> ApiResult<HttpResponse> {
    let pair = session::refresh(&state.db, &state.auth, body.0).await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// End the session of a refresh token; its access tokens stop working at once.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out (also for unknown tokens)"))
)]
#[post("/api/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, origin: Origin, body: Json<RefreshRequest>) -> ApiResult<HttpResponse> {
    session::logout(&state.db, body.0, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Searches of the tenant picker accepted per client address and minute (typing in the picker
/// sends one per pause; a scraper of the tenant list is slowed down).
pub const TENANT_SEARCHES_PER_MINUTE: std::num::NonZeroU32 = std::num::NonZeroU32::new(120).unwrap();

/// The tenants one can log in to, for the login page's picker (no token): active tenants
/// beneath no suspended one — code, name, level and parent — in creation order, filtered by `q`
/// (a code prefix or a part of the name). Limited per client address.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.tenants.list",
    params(TenantSearch, PageRequest),
    responses(
        (status = 200, description = "One page of tenants", body = kernel::Page<TenantEntry>),
        (status = 422, response = crate::openapi::Invalid),
        (status = 429, response = crate::openapi::TooMany),
    )
)]
#[get("/api/v1/auth/tenants")]
pub async fn tenants(
    state: web::Data<AppState>,
    req: HttpRequest,
    search: Query<TenantSearch>,
    page: Query<PageRequest>,
) -> ApiResult<HttpResponse> {
    let source = crate::auth::client_address(&req, state.trust_forwarded_for);
    state.directory_limiter.check_key(&source).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        ApiError(Error::rate_limited(wait.as_secs().max(1)))
    })?;
    Ok(HttpResponse::Ok().json(tenancy::tenant::directory(&state.db, &search, &page).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub tenant: Tenant,
    /// What the caller's roles allow, as the server decides it: `resource:action` in the
    /// caller's own tenant and `descendant/resource:action` in the tenants beneath it.
    /// Resources: `tenant`, `department`, `user`, `role_assignment`, `grid`, `catalog`,
    /// `component`, `case`, `evaluation`, `audit`; actions: `read`, `write`, `supervise`, and on
    /// `case` the work stations `intake` (supervision centre), `dispatch` (command centre) and
    /// `handle` (departments), which say which workbench the caller staffs. (Which
    /// case action a role may take in which state is the workflow's: see a case's
    /// `available_actions`.)
    #[schema(example = json!(["tenant:read", "case:read", "case:write", "evaluation:read"]))]
    pub permissions: Vec<String>,
}

/// The calling user, their tenant and roles, and the permissions those roles give.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[get("/api/v1/me")]
pub async fn me(state: web::Data<AppState>, caller: Authenticated) -> ApiResult<HttpResponse> {
    let (user, tenant) = tenancy::user::me(&state.db, &caller.0).await?;
    let permissions = state.authz.permissions(&caller.0)?;
    Ok(HttpResponse::Ok().json(Me { user, tenant, permissions }))
}

/// Change your own password: the current one and the new one. Your other sessions end; this
/// one stays. A wrong current password counts as a failed login of the account (429 when the
/// account is locked).
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.password.change",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "The password was changed"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Invalid),
        (status = 429, response = crate::openapi::TooMany),
    )
)]
#[post("/api/v1/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Authenticated,
    origin: Origin,
    body: Json<PasswordChange>,
) -> ApiResult<HttpResponse> {
    tenancy::user::change_own_password(&state.db, &state.auth, &caller.0, body.0, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct RoleInfo {
    pub role: Role,
    #[schema(example = "监督中心")]
    pub name_zh: &'static str,
    /// Tenant levels where the role can be held.
    pub levels: Vec<kernel::DivisionLevel>,
}

/// The roles of the platform.
#[utoipa::path(
    tag = "auth",
    operation_id = "roles.list",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every role", body = Vec<RoleInfo>),
        (status = 401, response = crate::openapi::Unauthorized),
    )
)]
#[get("/api/v1/roles")]
pub async fn roles(_caller: Authenticated) -> HttpResponse {
    use kernel::DivisionLevel::*;
    let list: Vec<RoleInfo> = Role::ALL
        .into_iter()
        .map(|role| RoleInfo {
            role,
            name_zh: role.name_zh(),
            levels: [Platform, City, County].into_iter().filter(|l| role.allowed_at(*l)).collect(),
        })
        .collect();
    HttpResponse::Ok().json(list)
}
