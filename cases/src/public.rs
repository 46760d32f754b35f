//! Reports from the public without an account (`/api/v1/public/{county}/reports`): the report
//! opens a case that must be verified on site, and the reporter gets a tracking code. The
//! status page shows only what is not personal: no reporter, no contact, no staff.

use chrono::{DateTime, Utc};
use kernel::{Error, Result, Validator};
use rand::seq::IndexedRandom;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use workflow::Source;

use tenancy::TenantOwned;

use crate::db::OrInternal;
use crate::entity::case;
use crate::intake::{Intake, Rules, insert_case, locate, prepare};
use inventory::catalog::Kind;
use inventory::grid_cache::GridCache;
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PublicReport {
    #[schema(example = "小区门口垃圾堆积多日")]
    pub description: String,
    /// Where, in `crs` (phones and WeChat usually give `gcj02`).
    pub lon: f64,
    pub lat: f64,
    pub crs: Option<String>,
    /// The matter class if the reporter chose one; the centre sets it otherwise.
    pub class_code: Option<String>,
    pub address: Option<String>,
    /// Ids of uploaded photos.
    #[serde(default)]
    pub photos: Vec<String>,
    /// A phone number or other contact for the callback (回访); never shown publicly.
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    /// Keep this to follow the report.
    #[schema(example = "UG7K3M9Q2XHD")]
    pub tracking_code: String,
    pub received_at: DateTime<Utc>,
}

/// What the public may see of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStatus {
    pub tracking_code: String,
    /// `received`, `in_progress`, `closed` or `not_accepted`.
    pub status: &'static str,
    pub class_code: String,
    pub description: String,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

fn tracking_code() -> String {
    // No 0/O, 1/I/L: codes are read out over the phone.
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let tail: String = (0..10).filter_map(|_| ALPHABET.choose(&mut rng).map(|&c| c as char)).collect();
    format!("UG{tail}")
}

/// Registers a public report for an active county, numbered in the county's one series.
/// `recent` takes in the new case once it is stored; `clock` stamps it.
pub async fn report(
    db: &DatabaseConnection,
    grids: &GridCache,
    recent: &crate::recent::RecentCases,
    clock: &crate::clock::Clock,
    county: &str,
    input: PublicReport,
) -> Result<Receipt> {
    let tenant = tenancy::tenant::public_county(db, county).await?;
    let mut v = Validator::new();
    let description = v.text("description", &input.description, 2000);
    if let Some(c) = &input.contact
        && c.chars().count() > 64
    {
        v.add("contact", "must be at most 64 characters");
    }
    if input.photos.len() > 9 {
        v.add("photos", "at most 9 photos");
    }
    let class_code = input.class_code.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if !class_code.is_empty() {
        let classes = inventory::catalog::visible_classes_for(db, &tenant, Kind::Matter).await?;
        if !classes.contains_key(&class_code) {
            v.add("class_code", format!("{class_code} is not a matter class"));
        }
    }
    v.finish()?;
    let (lon, lat) = inventory::grids::to_wgs84(input.lon, input.lat, input.crs.as_deref())?;
    let place = locate(db, grids, &tenant, lon, lat).await?;
    crate::photos::check_ids(db, &tenant, &input.photos).await?;
    let intake = Intake {
        source: Source::Public,
        kind: Kind::Matter,
        class_code,
        description,
        lon,
        lat,
        component_id: None,
        address: input.address,
        urgent: false,
        photos: input.photos,
        after_photos: Vec::new(),
        self_handled: false,
        contact: input.contact.filter(|c| !c.trim().is_empty()),
    };
    let code = tracking_code();
    let (cal, limits) = crate::clock::load(db, &tenant).await?;
    let rules = Arc::new(Rules::new(cal, limits, Default::default()));
    let mut new = prepare(&tenant, &place, None, "public", &intake, rules, clock.now())?;
    new.row.tracking_code = Some(code.clone());
    new.row.replica = Some(recent.replica());
    let txn = db.begin().await.or_internal()?;
    let stored = insert_case(&txn, new).await?;
    txn.commit().await.or_internal()?;
    recent.record([crate::duplicates::Nearby::from(&stored)]);
    tracing::info!(case = %stored.id, county, "public report received");
    Ok(Receipt { tracking_code: code, received_at: stored.created_at })
}

/// The public status of a report.
pub async fn status(db: &DatabaseConnection, county: &str, code: &str) -> Result<PublicStatus> {
    let tenant = tenancy::tenant::public_county(db, county).await?;
    let c = case::Entity::find_in(&tenant)
        .filter(case::Column::TrackingCode.eq(code.trim().to_uppercase()))
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("report"))?;
    let status = match c.state.as_str() {
        "reported" | "verifying" | "accepted" => "received",
        "closed" => "closed",
        "rejected" | "voided" => "not_accepted",
        _ => "in_progress",
    };
    Ok(PublicStatus {
        tracking_code: code.trim().to_uppercase(),
        status,
        class_code: c.class_code,
        description: c.description,
        received_at: c.created_at,
        updated_at: c.updated_at,
        closed_at: c.closed_at,
    })
}
