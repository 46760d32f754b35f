//! The API's vocabulary: every closed set of codes with its Chinese and English labels, so that a
//! console or a third party shows `已派遣` for `dispatched` without keeping its own table.

use actix_web::{HttpResponse, get, http::header};
use kernel::Term;
use kernel::vocab::terms;
use serde::Serialize;
use utoipa::ToSchema;

/// Codes and labels, by the field or parameter they appear in.
#[derive(Serialize, ToSchema)]
pub struct Vocabulary {
    /// A case's `state`.
    pub case_states: Vec<Term>,
    /// The `action` of a case event or of `POST …/actions`.
    pub actions: Vec<Term>,
    /// A case's `source` (问题来源).
    pub sources: Vec<Term>,
    /// A case's pending request (`pending`).
    pub pending_requests: Vec<Term>,
    /// Roles held in a tenant.
    pub roles: Vec<Term>,
    /// Area classes of streets and communities (区域分类), which select the disposal limit.
    pub area_classes: Vec<Term>,
    /// Units of time limits.
    pub time_units: Vec<Term>,
}

/// Every code the API uses, with labels. Needs no login (the login page shows labels too).
#[utoipa::path(
    tag = "vocabulary",
    operation_id = "vocabulary.get",
    responses((status = 200, description = "Codes and labels", body = Vocabulary))
)]
#[get("/api/v1/vocabulary")]
pub async fn get() -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=3600")).json(Vocabulary {
        case_states: terms::<workflow::State>(),
        actions: terms::<workflow::Action>(),
        sources: terms::<workflow::Source>(),
        pending_requests: terms::<workflow::model::Pending>(),
        roles: terms::<tenancy::roles::Role>(),
        area_classes: terms::<cases::clock::AreaClass>(),
        time_units: terms::<calendar::Unit>(),
    })
}

/// A GB/T 2260 division of the list the platform ships (tenancy/data, 2023 edition).
#[derive(Serialize, ToSchema)]
pub struct DivisionEntry {
    #[schema(example = "320115")]
    pub code: &'static str,
    /// The name a tenant of this division carries (a municipality's 市辖区 is named after the
    /// municipality).
    #[schema(example = "江宁区")]
    pub name: &'static str,
    /// `province`, `city` or `county`.
    #[schema(example = "county")]
    pub level: &'static str,
    #[schema(example = "320100")]
    pub parent_code: &'static str,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DivisionQuery {
    /// Only the direct children of this division (a city's counties: `320100`).
    pub parent: Option<String>,
    /// Only this level.
    pub level: Option<DivisionLevelFilter>,
    /// A code prefix or part of the name.
    pub q: Option<String>,
}

#[derive(Clone, Copy, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
/// A level of the GB/T 2260 list (the platform itself is not one).
pub enum DivisionLevelFilter {
    Province,
    City,
    County,
}

/// The administrative divisions a new tenant's code and name are checked against, for pickers.
/// Needs no login. Not paged: the whole list is about 3,400 entries and a filter narrows it to a
/// city's counties or a search's few.
#[utoipa::path(
    tag = "vocabulary",
    operation_id = "divisions.list",
    params(DivisionQuery),
    responses(
        (status = 200, description = "Matching divisions in code order", body = Vec<DivisionEntry>),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
#[get("/api/v1/divisions")]
pub async fn divisions(q: crate::extract::Query<DivisionQuery>) -> HttpResponse {
    let level = q.level.map(|l| match l {
        DivisionLevelFilter::Province => "province",
        DivisionLevelFilter::City => "city",
        DivisionLevelFilter::County => "county",
    });
    let found = tenancy::divisions::search(q.parent.as_deref(), level, q.q.as_deref());
    let body: Vec<DivisionEntry> = found
        .iter()
        .map(|d| DivisionEntry {
            code: d.code,
            name: tenancy::divisions::tenant_name(d),
            level: d.level,
            parent_code: d.parent_code,
        })
        .collect();
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=3600")).json(body)
}
