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
