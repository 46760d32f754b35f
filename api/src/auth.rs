//! Authentication (one middleware) and authorization (one extractor).
//!
//! * [`authenticate`] runs before every route. Routes outside `/api/v1/` (health, docs) and the
//!   short [`PUBLIC_ROUTES`] list need no token; every other request must carry a valid bearer
//!   token, and when its path names a tenant (`/api/v1/tenants/{tenant_code}/…`) that tenant is
//!   resolved against the caller's place in the tree (another city's tenant: 404).
//! * [`Authorized<P>`] is the first parameter of every tenant-scoped handler. It checks the
//!   permission `P` (resource, action) with casbin and hands the handler a
//!   [`TenantScope`] — the only key to tenant-scoped queries. Because it is synchronous and
//!   comes first, a refused caller never gets as far as body parsing.

use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use kernel::{Error, ErrorCode};
use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::ops::Deref;
use tenancy::{Action, Principal, Resource, Target, TenantScope};

use crate::error::ApiError;
use crate::state::AppState;

/// Routes under `/api/v1/` that need no token. Keep this list short.
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/tenants"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/vocabulary"),
    ("GET", "/api/v1/divisions"),
    ("GET", "/api/v1/console/config"),
];

/// Path prefixes under `/api/v1/` that need no token: the public reporting channel.
pub const PUBLIC_PREFIXES: &[&str] = &["/api/v1/public/"];

/// Whether a request needs no token.
pub fn is_public(method: &str, path: &str) -> bool {
    !path.starts_with("/api/v1/")
        || PUBLIC_ROUTES.iter().any(|(m, p)| *m == method && *p == path)
        || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The tenant code of a tenant-scoped path, if the path is one.
pub fn tenant_code_in_path(path: &str) -> Option<&str> {
    path.strip_prefix("/api/v1/tenants/").map(|rest| rest.split('/').next().unwrap_or(rest)).filter(|c| !c.is_empty())
}

fn bearer(req: &ServiceRequest) -> Option<String> {
    bearer_of(req.request())
}

/// The bearer token of a request, if it sends one.
pub fn bearer_of(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// The authentication middleware (see the module docs). A refusal is answered here, as a
/// problem response, without reaching the router.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_public(req.method().as_str(), req.path()) {
        return after_changes(req, next).await.map(ServiceResponse::map_into_left_body);
    }
    match establish(&req).await {
        Ok(()) => after_changes(req, next).await.map(ServiceResponse::map_into_left_body),
        Err(e) => Ok(req.into_response(e.error_response()).map_into_right_body()),
    }
}

/// Runs the handler; if it bumped a version counter (it changed cached data and committed),
/// re-reads the counters before answering, so every later request sees the change.
async fn after_changes<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (response, bumped) = tenancy::versions::track(next.call(req)).await;
    if bumped
        && let Some(state) = state
        && let Err(e) = state.versions.refresh(&state.db).await
    {
        tracing::warn!(error = %e, "reading version counters failed");
    }
    response
}

/// Authenticates the caller and resolves the tenant of the path into the request extensions.
async fn establish(req: &ServiceRequest) -> Result<(), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError(Error::internal(anyhow::anyhow!("application state missing"))))?;
    let token = bearer(req).ok_or_else(|| {
        ApiError(Error::new(ErrorCode::Unauthenticated, "send `Authorization: Bearer <access token>`"))
    })?;
    let principal = state.authn.principal(&state.db, &state.auth, &token).await.map_err(ApiError)?;
    let span = tracing::Span::current();
    span.record("user", tracing::field::display(principal.user_id()));
    span.record("tenant", tracing::field::display(principal.tenant_code()));
    if let Some(code) = tenant_code_in_path(req.path()) {
        let target = state.authn.target(&state.db, &principal, code).await.map_err(ApiError)?;
        span.record("target", tracing::field::display(target.tenant().code()));
        req.extensions_mut().insert(target);
    }
    req.extensions_mut().insert(principal);
    Ok(())
}

/// The authenticated caller, for routes that are not tenant-scoped (e.g. `/api/v1/me`).
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .map(Authenticated)
                .ok_or_else(|| ApiError(Error::new(ErrorCode::Unauthenticated, "authentication is required"))),
        )
    }
}

/// A permission a route requires: one resource, one action.
pub trait Permission {
    const RESOURCE: Resource;
    const ACTION: Action;
}

macro_rules! permissions {
    ($($(#[$doc:meta])* $name:ident = ($res:ident, $act:ident);)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;
        impl Permission for $name {
            const RESOURCE: Resource = Resource::$res;
            const ACTION: Action = Action::$act;
        }
    )*};
}

permissions! {
    TenantRead = (Tenant, Read);
    TenantWrite = (Tenant, Write);
    DepartmentRead = (Department, Read);
    DepartmentWrite = (Department, Write);
    UserRead = (User, Read);
    UserWrite = (User, Write);
    RoleRead = (RoleAssignment, Read);
    RoleWrite = (RoleAssignment, Write);
    GridRead = (Grid, Read);
    GridWrite = (Grid, Write);
    CatalogRead = (Catalog, Read);
    CatalogWrite = (Catalog, Write);
    ComponentRead = (Component, Read);
    ComponentWrite = (Component, Write);
    CaseRead = (Case, Read);
    CaseWrite = (Case, Write);
    CaseSupervise = (Case, Supervise);
    EvaluationRead = (Evaluation, Read);
    EvaluationWrite = (Evaluation, Write);
    /// The audit trail; the handlers also require the `auditor` role itself.
    AuditRead = (Audit, Read);
    /// A whole tenant's figures and open cases (dashboards, big screen).
    DashboardRead = (Dashboard, Read);
}

/// Proof that the caller holds permission `P` on the tenant of the path.
#[derive(Debug)]
pub struct Authorized<P: Permission> {
    scope: TenantScope,
    _permission: PhantomData<P>,
}

impl<P: Permission> Deref for Authorized<P> {
    type Target = TenantScope;
    fn deref(&self) -> &TenantScope {
        &self.scope
    }
}

impl<P: Permission> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize::<P>(req).map(|scope| Authorized { scope, _permission: PhantomData }))
    }
}

fn authorize<P: Permission>(req: &HttpRequest) -> Result<TenantScope, ApiError> {
    let ext = req.extensions();
    let principal = ext
        .get::<Principal>()
        .cloned()
        .ok_or_else(|| ApiError(Error::new(ErrorCode::Unauthenticated, "authentication is required")))?;
    let target = ext
        .get::<Target>()
        .cloned()
        .ok_or_else(|| ApiError(Error::internal(anyhow::anyhow!("route is not tenant-scoped: {}", req.path()))))?;
    drop(ext);
    // The router's view of the tenant must be the one the middleware resolved.
    if req.match_info().get("tenant_code") != Some(target.tenant().code().as_str()) {
        return Err(ApiError(Error::not_found("tenant")));
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError(Error::internal(anyhow::anyhow!("application state missing"))))?;
    state.authz.check(principal, target, P::RESOURCE, P::ACTION).map_err(ApiError)
}

/// Where a request came from, for the audit trail: the client address (as for throttling) and
/// the request id of the response's `X-Request-Id`.
#[derive(Debug, Clone)]
pub struct Origin(pub tenancy::audit::Origin);

impl Deref for Origin {
    type Target = tenancy::audit::Origin;
    fn deref(&self) -> &tenancy::audit::Origin {
        &self.0
    }
}

impl FromRequest for Origin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.trust_forwarded_for);
        let request_id = req.extensions().get::<crate::telemetry::RequestId>().map(|r| r.0.clone());
        ready(Ok(Origin(tenancy::audit::Origin { source: client_address(req, trust), request_id })))
    }
}

/// The client address used for login throttling.
pub fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    let info = req.connection_info();
    let addr = if trust_forwarded_for { info.realip_remote_addr() } else { info.peer_addr() };
    let addr = addr.unwrap_or("unknown");
    // Strip the port: throttling is per host.
    match addr.parse::<std::net::SocketAddr>() {
        Ok(sa) => sa.ip().to_string(),
        Err(_) => addr.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_code_is_taken_from_scoped_paths_only() {
        assert_eq!(tenant_code_in_path("/api/v1/tenants/320115/users"), Some("320115"));
        assert_eq!(tenant_code_in_path("/api/v1/tenants/320115"), Some("320115"));
        assert_eq!(tenant_code_in_path("/api/v1/me"), None);
        assert_eq!(tenant_code_in_path("/api/v1/tenants/"), None);
    }

    #[test]
    fn public_list_is_exact() {
        assert!(is_public("POST", "/api/v1/auth/login"));
        assert!(!is_public("GET", "/api/v1/auth/login"));
        assert!(!is_public("POST", "/api/v1/auth/login/x"));
        assert!(is_public("GET", "/healthz"));
        assert!(!is_public("GET", "/api/v1/me"));
    }
}
