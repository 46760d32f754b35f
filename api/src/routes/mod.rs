//! HTTP routes, one module per resource. Every handler is registered with `.service(...)` so
//! that it appears in the OpenAPI document; a handler that is not there does not exist.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod audit;
pub mod auth;
pub mod cases;
pub mod catalog;
pub mod census;
pub mod departments;
pub mod evaluation;
pub mod grids;
pub mod health;
pub mod notifications;
pub mod public;
pub mod settings;
pub mod tenants;
pub mod users;
pub mod vocabulary;

/// Registers every route of the service.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        // The case routes first: the router tries patterns in order, and intake and the work
        // lists are the busiest routes (no earlier pattern can match their paths).
        .service(cases::create)
        .service(cases::list)
        // `…/cases/export` before `…/cases/{case_id}`, which it would otherwise reach.
        .service(cases::export)
        .service(cases::get)
        .service(cases::duplicates)
        .service(cases::act)
        .service(cases::chain)
        .service(cases::supervise)
        .service(cases::suggestion)
        .service(cases::feed)
        .service(cases::upload_photo)
        .service(cases::photo)
        // Fixed segments before `{subject}`.
        .service(evaluation::indicators)
        .service(evaluation::get_scheme)
        .service(evaluation::put_scheme)
        .service(evaluation::trend)
        .service(evaluation::preview)
        .service(evaluation::table)
        .service(evaluation::drill)
        .service(evaluation::hotspots)
        .service(evaluation::repeats)
        .service(evaluation::create_directive)
        .service(evaluation::list_directives)
        .service(evaluation::get_directive)
        .service(evaluation::respond_directive)
        .service(evaluation::close_directive)
        .service(notifications::summary)
        .service(notifications::mark_read)
        .service(notifications::list)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::tenants)
        .service(auth::me)
        .service(auth::change_password)
        .service(auth::roles)
        .service(vocabulary::get)
        .service(vocabulary::divisions)
        .service(crate::console::config)
        .service(tenants::get)
        .service(tenants::update)
        .service(tenants::list_children)
        .service(tenants::create_child)
        .service(tenants::suspend)
        .service(tenants::activate)
        .service(tenants::readiness)
        .service(departments::list)
        .service(departments::create)
        .service(departments::get)
        .service(departments::update)
        .service(departments::delete)
        .service(departments::dispatch_targets)
        .service(users::list)
        .service(users::create)
        // Fixed segments before `{user_id}`.
        .service(users::import_template)
        .service(users::import)
        .service(users::get)
        .service(users::update)
        .service(users::get_roles)
        .service(users::set_roles)
        .service(users::unlock)
        .service(audit::verify)
        .service(audit::list)
        .service(catalog::national)
        .service(catalog::legacy)
        .service(catalog::tenant_classes)
        .service(catalog::add_class)
        // Fixed segments (import, locate, export) before `{grid_code}`: the first match wins.
        .service(grids::import)
        .service(grids::locate)
        .service(grids::export)
        .service(grids::list)
        .service(grids::get)
        .service(grids::streets)
        .service(grids::communities)
        .service(grids::duty_list)
        .service(grids::duty_create)
        .service(grids::duty_get)
        .service(grids::duty_update)
        .service(census::start_import)
        .service(census::get_import)
        .service(census::stats)
        .service(census::stats_by_county)
        .service(census::export)
        .service(census::list)
        .service(census::create)
        .service(census::get)
        .service(census::update)
        .service(census::history)
        .service(public::county)
        .service(public::report)
        .service(public::status)
        .service(public::report_photo)
        .service(public::rate)
        .service(public::upload_photo)
        .service(settings::get_calendar)
        .service(settings::put_calendar)
        .service(settings::get_limits)
        .service(settings::put_limits)
        .service(settings::get_duplicates)
        .service(settings::put_duplicates)
        .service(settings::get_self_handling)
        .service(settings::put_self_handling)
        .service(settings::get_responsibilities)
        .service(settings::put_responsibilities);
}
