//! Evaluation (绩效评价), recurring problems (源头治理) and directives (治理建议, 市级督办).
//!
//! Every table is computed from the case event log on request, for a county or — addressed to a
//! city — over all of its counties side by side. `format=csv|xlsx` exports a table with Chinese
//! headers.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use evaluation::period::PeriodKind;
use evaluation::recurring::PlaceBy;
use evaluation::{Indicator, Scheme, SubjectKind};
use kernel::{Error, FieldError};
use oversight::directives::{DirectiveView, NewDirective};
use oversight::recurring::{HotspotQuery, Hotspots, Repeats};
use oversight::schemes::InForce;
use oversight::service::{Column, Drill, Preview, Table, Trend};
use serde::{Deserialize, Serialize};
use tenancy::{Access, Role};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Authorized, EvaluationRead, EvaluationWrite};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
#[schema(as = TableFormat)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
}

/// The period of a table.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `day`, `week`, `month` (default), `quarter`, `year` or `range`.
    pub period: Option<PeriodKind>,
    /// A day in the period (default: today in the tenant's time zone); for `range`, its first day.
    pub date: Option<NaiveDate>,
    /// The last day of a `range`.
    pub to: Option<NaiveDate>,
}

impl PeriodQuery {
    async fn resolve(&self, state: &AppState, scope: &tenancy::TenantScope) -> Result<evaluation::Period, ApiError> {
        let tz = oversight::service::time_zone(&state.db, scope).await?;
        let date = self.date.unwrap_or_else(|| Utc::now().with_timezone(&tz).date_naive());
        Ok(oversight::service::period(self.period.unwrap_or(PeriodKind::Month), date, self.to, tz)?)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<Format>,
}

fn subject(s: &str) -> Result<SubjectKind, ApiError> {
    SubjectKind::parse(s).ok_or_else(|| {
        ApiError(Error::invalid(
            "subject",
            "must be one of grid, community, street, county, department, collector, acceptor, shift_leader, dispatcher",
        ))
    })
}

fn indicator(s: &str) -> Result<Indicator, ApiError> {
    Indicator::parse(s).ok_or_else(|| ApiError(Error::invalid("indicator", "no such indicator")))
}

/// The indicators of each subject, with their Chinese names.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectIndicators {
    pub subject: SubjectKind,
    pub label: String,
    pub indicators: Vec<Column>,
}

/// The subjects of evaluation and their indicators, with the Chinese names used as column headers.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "evaluation.indicators",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115")),
    responses(
        (status = 200, description = "Subjects and their indicators (names follow the scheme in force)", body = [SubjectIndicators]),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/evaluation/indicators")]
pub async fn indicators(scope: Authorized<EvaluationRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let scheme = oversight::schemes::in_force(&state.db, scope.tenant()).await?.scheme;
    let out: Vec<SubjectIndicators> = SubjectKind::ALL
        .into_iter()
        .map(|k| SubjectIndicators {
            subject: k,
            label: k.label().to_owned(),
            indicators: oversight::service::columns(k, &scheme),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// The scoring scheme in force: the tenant's own, its city's (counties inherit), or the default
/// (standards.md §5.3).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "evaluation.scheme.get",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115")),
    responses(
        (status = 200, description = "The scheme and where it comes from", body = InForce),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/evaluation/scheme")]
pub async fn get_scheme(scope: Authorized<EvaluationRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(oversight::schemes::in_force(&state.db, scope.tenant()).await?))
}

/// Replace the tenant's scheme (a city's scheme applies to every county without its own).
/// Every problem is reported by field; weights of a subject must sum to 100.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "evaluation.scheme.put",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115")),
    request_body = Scheme,
    responses(
        (status = 200, description = "The stored scheme", body = InForce),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[put("/api/v1/tenants/{tenant_code}/evaluation/scheme")]
pub async fn put_scheme(
    scope: Authorized<EvaluationWrite>,
    state: web::Data<AppState>,
    body: Json<serde_json::Value>,
    origin: crate::auth::Origin,
) -> ApiResult<HttpResponse> {
    scheme_author(&state, &scope)?;
    let scheme = checked_scheme(&body.0)?;
    cases::settings::put(&state.db, &*scope, oversight::schemes::SETTING, &scheme).await?;
    crate::routes::audit::note(&state, &scope, &origin, "scheme.changed", "scheme".into(), &scheme).await?;
    Ok(HttpResponse::Ok().json(InForce { scheme, source: "own".into() }))
}

fn attachment(bytes: Vec<u8>, content_type: &str, name: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .body(bytes)
}

/// The evaluation table of one subject — `grid`, `community`, `street`, `county`, `department`,
/// `collector`, `acceptor`, `shift_leader` or `dispatcher` — ranked by composite score. At a city,
/// the rows are of all its counties (`county` ranks the counties).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "evaluation.table",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115"),
        ("subject" = String, Path, description = "grid, community, street, county, department, collector, acceptor, shift_leader, dispatcher", example = "department"),
        PeriodQuery,
        FormatQuery,
    ),
    responses(
        (status = 200, description = "The table (JSON), or CSV / XLSX with Chinese headers", body = Table),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/evaluation/{subject}")]
pub async fn table(
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    q: Query<PeriodQuery>,
    f: Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let kind = subject(&path.1)?;
    let period = q.resolve(&state, &scope).await?;
    let t = oversight::service::evaluation_table(&state.db, &scope, kind, &period).await?;
    let name = format!("evaluation-{}-{}-{}", t.tenant, kind.as_str(), period.from);
    respond(f.format.unwrap_or_default(), &t, &name).await
}

/// How one subject's table would look under a candidate scheme, next to the table under the
/// scheme in force, for the same period (nothing is stored): the scheme editor's preview, for
/// the tenant's administrators. The candidate is checked as `PUT …/evaluation/scheme` checks it,
/// every problem reported by field.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "evaluation.preview",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115"),
        ("subject" = String, Path, description = "grid, community, street, county, department, collector, acceptor, shift_leader, dispatcher", example = "department"),
        PeriodQuery,
    ),
    request_body = Scheme,
    responses(
        (status = 200, description = "The table under the scheme in force and under the candidate", body = Preview),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/evaluation/{subject}/preview")]
pub async fn preview(
    scope: Authorized<EvaluationWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    q: Query<PeriodQuery>,
    body: Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    // The scheme editor's tool: for those who may set the scheme.
    scheme_author(&state, &scope)?;
    let kind = subject(&path.1)?;
    let scheme = checked_scheme(&body.0)?;
    let period = q.resolve(&state, &scope).await?;
    Ok(HttpResponse::Ok().json(oversight::service::preview(&state.db, &scope, kind, &period, scheme).await?))
}

/// A tenant's scheme is set (and previewed) by its own administrators.
fn scheme_author(state: &AppState, scope: &tenancy::TenantScope) -> Result<(), ApiError> {
    let roles = state.authz.roles(scope.principal());
    if scope.access() != Access::Own || !roles.contains(&Role::TenantAdmin) {
        return Err(ApiError(Error::forbidden("a tenant's scheme is set by its own administrators")));
    }
    Ok(())
}

/// A scheme from a request body, with every problem reported by field.
fn checked_scheme(body: &serde_json::Value) -> Result<Scheme, ApiError> {
    let scheme: Scheme = crate::extract::parse(body.to_string().as_bytes())?;
    scheme.validate().map_err(|errors| {
        ApiError(Error::validation(errors.into_iter().map(|(f, r)| FieldError::new(f, r)).collect()))
    })?;
    Ok(scheme)
}

/// JSON, or the same table as CSV or XLSX with Chinese headers.
async fn respond<T>(format: Format, value: &T, name: &str) -> ApiResult<HttpResponse>
where
    T: Serialize,
    for<'a> oversight::export::Sheet: From<&'a T>,
{
    Ok(match format {
        Format::Json => HttpResponse::Ok().json(value),
        Format::Csv => {
            let bytes = oversight::export::csv(&oversight::export::Sheet::from(value))?;
            attachment(bytes, "text/csv; charset=utf-8", format!("{name}.csv"))
        }
        Format::Xlsx => attachment(
            oversight::export::xlsx_off_worker(oversight::export::Sheet::from(value)).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{name}.xlsx"),
        ),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// The indicator's key (see `evaluation/indicators`).
    pub indicator: String,
}

/// What produced one number: the cases (with the deciding events) or directives behind an
/// indicator of one subject; for a rate, those behind its numerator.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "evaluation.drill",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115"),
        ("subject" = String, Path, description = "Subject kind", example = "department"),
        ("subject_id" = String, Path, description = "Region code, department id or user id"),
        IndicatorQuery,
        PeriodQuery,
    ),
    responses(
        (status = 200, description = "The number and what produced it", body = Drill),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/evaluation/{subject}/{subject_id}/cases")]
pub async fn drill(
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    i: Query<IndicatorQuery>,
    q: Query<PeriodQuery>,
) -> ApiResult<HttpResponse> {
    let kind = subject(&path.1)?;
    let ind = indicator(&i.indicator)?;
    let period = q.resolve(&state, &scope).await?;
    Ok(HttpResponse::Ok().json(oversight::service::drill_down(&state.db, &scope, kind, &path.2, ind, &period).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    pub indicator: String,
    /// How many periods, ending with the one given (1–24, default 6).
    pub count: Option<usize>,
}

/// One indicator of every subject over consecutive periods (e.g. the counties' 按期结案率 month
/// by month).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "evaluation.trend",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320100"),
        ("subject" = String, Path, description = "Subject kind", example = "county"),
        TrendQuery,
        PeriodQuery,
    ),
    responses(
        (status = 200, description = "Periods and one series per subject", body = Trend),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/evaluation/{subject}/trend")]
pub async fn trend(
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    t: Query<TrendQuery>,
    q: Query<PeriodQuery>,
) -> ApiResult<HttpResponse> {
    let kind = subject(&path.1)?;
    let ind = indicator(&t.indicator)?;
    let tz = oversight::service::time_zone(&state.db, &scope).await?;
    let period = q.resolve(&state, &scope).await?;
    let out = oversight::service::trend(&state.db, &scope, kind, ind, &period, t.count.unwrap_or(6), tz).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotspotParams {
    /// `grid` (default), `component` or `radius`.
    pub by: Option<PlaceBy>,
    /// For `radius`: metres (default 100).
    pub radius_m: Option<f64>,
    /// Length of the window in days (default 30).
    pub window_days: Option<i64>,
    /// Cases of one class at one place to count as recurring (default 3).
    pub min_count: Option<usize>,
    /// End of the window (default now).
    pub until: Option<DateTime<Utc>>,
    /// At most this many places (default 50, at most 500).
    pub limit: Option<usize>,
}

/// Recurring problems: places where one class came back again and again in the window, ranked
/// by count with the trend against the window before. At a city, across all its counties.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "recurring.hotspots",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115"), HotspotParams, FormatQuery),
    responses(
        (status = 200, description = "Hotspots (JSON), or CSV / XLSX", body = Hotspots),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/recurring/hotspots")]
pub async fn hotspots(
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    p: Query<HotspotParams>,
    f: Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let q = HotspotQuery {
        by: p.by.unwrap_or(PlaceBy::Grid),
        radius_m: p.radius_m.unwrap_or(100.0),
        window_days: p.window_days.unwrap_or(30),
        min_count: p.min_count.unwrap_or(3),
        until: p.until.unwrap_or_else(Utc::now),
        limit: p.limit.unwrap_or(50).min(500),
    };
    let out = oversight::recurring::hotspots_of(&state.db, &scope, &q).await?;
    respond(f.format.unwrap_or_default(), &out, &format!("hotspots-{}", scope.tenant().code())).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RepeatParams {
    /// A problem that comes back within this many days of closing counts as a repeat (default 30).
    pub within_days: Option<i64>,
}

/// Repeat rates per department and class: cases closed in the period whose problem came back
/// (same class, same unit grid or component) within the days after closing.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "recurring.repeats",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county or city", example = "320115"), RepeatParams, PeriodQuery, FormatQuery),
    responses(
        (status = 200, description = "Repeat rates, highest first (JSON), or CSV / XLSX", body = Repeats),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/recurring/repeats")]
pub async fn repeats(
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    r: Query<RepeatParams>,
    q: Query<PeriodQuery>,
    f: Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let period = q.resolve(&state, &scope).await?;
    let out =
        oversight::recurring::repeats_of(&state.db, &scope, period.start, period.end, r.within_days.unwrap_or(30))
            .await?;
    respond(f.format.unwrap_or_default(), &out, &format!("repeats-{}-{}", scope.tenant().code(), period.from)).await
}

/// Issue a directive to a county: a source-governance recommendation (`governance`, by the
/// county's supervision centre, to the responsible department or an outside agency), or a
/// supervision order (`city_order`, by the city's oversight, on a case or a pattern; on a case it
/// is also a 督办 event of the case).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "directives.create",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    request_body = NewDirective,
    responses(
        (status = 201, description = "The directive", body = DirectiveView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/directives")]
pub async fn create_directive(
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    body: Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    use oversight::directives::Kind;
    let principal = scope.principal();
    // Who may issue is decided before the body is read: a recommendation is written in the
    // county by its supervision centre; an order from the city needs `supervise` there.
    let kind = if body.0.get("kind").and_then(|k| k.as_str()) == Some("city_order") {
        Kind::CityOrder
    } else {
        Kind::Governance
    };
    let needed = match kind {
        Kind::Governance => tenancy::Action::Write,
        Kind::CityOrder => tenancy::Action::Supervise,
    };
    if !state.authz.allows(principal, &scope.target(), tenancy::Resource::Evaluation, needed)? {
        return Err(ApiError(Error::forbidden("the caller's roles do not allow issuing this directive")));
    }
    let roles = state.authz.roles(principal);
    oversight::directives::may_issue(kind, scope.access(), &roles)?;
    let input: NewDirective = crate::extract::parse(body.0.to_string().as_bytes())?;
    let actor = cases::actor::of(&state.authz, &scope);
    let out = oversight::directives::create(&state.db, state.intake.recent(), &scope, &roles, &actor, input).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The directives concerning a county, newest first (a department sees those addressed to it).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "directives.list",
    security(("bearer" = [])),
    params(("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115")),
    responses(
        (status = 200, description = "Directives", body = [DirectiveView]),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/directives")]
pub async fn list_directives(scope: Authorized<EvaluationRead>, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let roles = state.authz.roles(scope.principal());
    Ok(HttpResponse::Ok().json(oversight::directives::list(&state.db, &scope, &roles).await?))
}

/// One directive concerning the county.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "directives.get",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("directive_id" = Uuid, Path, description = "Directive id"),
    ),
    responses(
        (status = 200, description = "The directive", body = DirectiveView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api/v1/tenants/{tenant_code}/directives/{directive_id}")]
pub async fn get_directive(
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let roles = state.authz.roles(scope.principal());
    Ok(HttpResponse::Ok().json(oversight::directives::get(&state.db, &scope, &roles, path.1).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub response: String,
}

/// Answer a directive (once): the addressed department; for an outside agency, the supervision
/// centre on its behalf; for a city order, the county's centres.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "directives.respond",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("directive_id" = Uuid, Path, description = "Directive id"),
    ),
    request_body = Response,
    responses(
        (status = 200, description = "The answered directive", body = DirectiveView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/directives/{directive_id}/response")]
pub async fn respond_directive(
    scope: Authorized<EvaluationWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    body: Json<Response>,
) -> ApiResult<HttpResponse> {
    let roles = state.authz.roles(scope.principal());
    Ok(HttpResponse::Ok()
        .json(oversight::directives::respond(&state.db, &scope, &roles, path.1, &body.0.response).await?))
}

/// Close an answered directive (its issuer).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "directives.close",
    security(("bearer" = [])),
    params(
        ("tenant_code" = String, Path, description = "GB/T 2260 code of the county", example = "320115"),
        ("directive_id" = Uuid, Path, description = "Directive id"),
    ),
    responses(
        (status = 200, description = "The closed directive", body = DirectiveView),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/api/v1/tenants/{tenant_code}/directives/{directive_id}/close")]
pub async fn close_directive(
    // Read access suffices to reach it: the city closes its own orders in a county, where it may
    // not write; the directive lets only its issuer close it.
    scope: Authorized<EvaluationRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let roles = state.authz.roles(scope.principal());
    Ok(HttpResponse::Ok().json(oversight::directives::close(&state.db, &scope, &roles, path.1).await?))
}
