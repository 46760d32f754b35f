//! Reports from the public without an account (`/api/v1/public/{county}/reports`): the report
//! opens a case that must be verified on site, and the reporter gets a tracking code. The
//! status page shows only what is not personal: no reporter, no contact, no staff.
//!
//! The public page (随手拍) also needs what a citizen can read without the catalogue: the
//! county's name and extent and a short list of everyday problems in plain words, each mapped to
//! a matter class ([`PLAIN_CLASSES`]). With the tracking code as the only proof, the reporter
//! sees the progress and the department's after-photos, fetches only the photos of that report,
//! and rates the handling once after closure — recorded as the case's 回访 (`callback`) by the
//! workflow's public actor, so the evaluation reads it like a callback by the centre.

use chrono::{DateTime, Utc};
use kernel::{Error, Result, Validator};
use rand::seq::IndexedRandom;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use workflow::Source;

use tenancy::TenantOwned;

use crate::db::OrInternal;
use crate::entity::{case, case_event};
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
    #[schema(example = "closed")]
    pub status: &'static str,
    pub class_code: String,
    pub description: String,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The milestones so far, oldest first (no names of staff or departments).
    pub progress: Vec<PublicStep>,
    /// The reporter's own photos (fetch through `…/reports/{tracking_code}/photos/{photo_id}`).
    pub photos: Vec<Uuid>,
    /// The photos the department took after handling it (the latest handling).
    pub after_photos: Vec<Uuid>,
    /// The satisfaction recorded for the handling (1–5), by the reporter or the centre's callback.
    pub satisfaction: Option<u8>,
    /// Whether the reporter may rate the handling now: closed and not yet rated.
    pub can_rate: bool,
}

/// One milestone of a public report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStep {
    /// `received`, `verified`, `accepted`, `dispatched`, `handled`, `checked`, `closed`,
    /// `not_accepted` or `rated`.
    #[schema(example = "dispatched")]
    pub step: &'static str,
    pub at: DateTime<Utc>,
}

/// An everyday problem in plain words, as the public page offers it, and the matter class a
/// report of it is filed under.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlainClass {
    /// Stable key (`garbage`); the page's pictogram and wording are chosen by it.
    #[schema(example = "garbage")]
    pub key: &'static str,
    #[schema(example = "垃圾堆积")]
    pub name: &'static str,
    #[schema(example = "Rubbish piling up")]
    pub name_en: &'static str,
    /// The GB/T 47678.5 matter class sent as `class_code`.
    #[schema(example = "06010")]
    pub class_code: &'static str,
}

/// The everyday problems of the public page, most frequent first (a report of something else
/// is sent without a class: the centre classifies it).
pub const PLAIN_CLASSES: &[PlainClass] = &[
    PlainClass { key: "garbage", name: "垃圾堆积", name_en: "Rubbish piling up", class_code: "06010" },
    PlainClass { key: "bin", name: "垃圾桶满溢", name_en: "Overflowing bin", class_code: "06042" },
    PlainClass { key: "road", name: "道路破损", name_en: "Damaged road or pavement", class_code: "06013" },
    PlainClass {
        key: "manhole", name: "井盖缺损", name_en: "Broken or missing manhole cover", class_code: "01023"
    },
    PlainClass { key: "stall", name: "占道经营", name_en: "Street stalls blocking the way", class_code: "09006" },
    PlainClass { key: "parking", name: "乱停车", name_en: "Illegal parking", class_code: "09009" },
    PlainClass {
        key: "bikes", name: "共享单车乱放", name_en: "Shared bikes left in the way", class_code: "09011"
    },
    PlainClass { key: "ads", name: "小广告", name_en: "Illegal flyers and posters", class_code: "07001" },
    PlainClass { key: "noise", name: "噪声扰民", name_en: "Noise nuisance", class_code: "06028" },
    PlainClass { key: "fumes", name: "油烟污染", name_en: "Cooking fumes", class_code: "06027" },
    PlainClass { key: "construction", name: "工地扬尘", name_en: "Dust from a building site", class_code: "08004" },
];

/// What the public page of a county shows before anything is reported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCounty {
    #[schema(example = "320115")]
    pub code: String,
    #[schema(example = "江宁区")]
    pub name: String,
    /// The extent of the county's unit grids (WGS84 `[min_lon, min_lat, max_lon, max_lat]`), for
    /// the page's map; absent before the grids are imported.
    pub extent: Option<[f64; 4]>,
    /// The county's silhouette for the map (no basemap): rectangles `[min_lon, min_lat, max_lon,
    /// max_lat]` of a coarse lattice that its unit grids cover.
    pub outline: Vec<[f64; 4]>,
    /// The everyday problems to choose from.
    pub classes: Vec<PlainClass>,
}

/// The reporter's rating of the handling (回访 by the reporter themselves).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PublicRating {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    #[schema(example = 5, minimum = 1, maximum = 5)]
    pub satisfaction: u8,
    #[schema(example = "处理很及时")]
    pub comment: Option<String>,
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

/// Cells of the public map's silhouette along the county's longer side.
const OUTLINE_CELLS: usize = 48;

/// The public page's facts about a county: name, extent and silhouette (from the in-memory grid
/// index: one pass over the grids' rectangles, no query), the plain-word classes.
pub async fn county(db: &DatabaseConnection, grids: &GridCache, county: &str) -> Result<PublicCounty> {
    let tenant = tenancy::tenant::public_county(db, county).await?;
    let name = tenancy::tenant::find_by_code(db, county).await?.map(|t| t.name).unwrap_or_default();
    let frame = grids.get(db, &tenant).await?;
    let rects: Vec<[f64; 4]> = frame.index.envelopes().collect();
    Ok(PublicCounty {
        code: tenant.code().as_str().to_owned(),
        name,
        extent: spatial::outline::extent(rects.iter().copied()),
        outline: spatial::outline::silhouette(&rects, OUTLINE_CELLS),
        classes: PLAIN_CLASSES.to_vec(),
    })
}

/// The case of a tracking code in a public county (a code of another county is not found).
async fn find_report(db: &DatabaseConnection, county: &str, code: &str) -> Result<(tenancy::TenantRef, case::Model)> {
    let tenant = tenancy::tenant::public_county(db, county).await?;
    let c = case::Entity::find_in(&tenant)
        .filter(case::Column::TrackingCode.eq(code.trim().to_uppercase()))
        .filter(case::Column::Source.eq("public"))
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("report"))?;
    Ok((tenant, c))
}

/// Photo ids listed under `field` of an event's payload.
fn photo_ids(payload: &serde_json::Value, field: &str) -> Vec<Uuid> {
    payload
        .get(field)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok())).collect())
        .unwrap_or_default()
}

/// What the public may see, from the row and its events.
fn public_status(c: &case::Model, events: &[case_event::Model]) -> Result<PublicStatus> {
    let projection: workflow::Case = serde_json::from_str(&c.projection).map_err(Error::internal)?;
    let status = match c.state.as_str() {
        "reported" | "verifying" | "accepted" => "received",
        "closed" => "closed",
        "rejected" | "voided" => "not_accepted",
        _ => "in_progress",
    };
    let (mut photos, mut after_photos, mut progress) = (Vec::new(), Vec::new(), Vec::new());
    for e in events {
        let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null);
        let step = match e.action.as_str() {
            "report" => {
                photos = photo_ids(&payload, "photos");
                Some("received")
            }
            "verify" if payload.get("found").and_then(|f| f.as_bool()) == Some(true) => Some("verified"),
            "accept" => Some("accepted"),
            "dispatch" | "claim" => Some("dispatched"),
            "handle" => {
                // A rework replaces what the earlier handling showed.
                after_photos = photo_ids(&payload, "photos");
                Some("handled")
            }
            "check" if payload.get("passed").and_then(|f| f.as_bool()) == Some(true) => Some("checked"),
            "close" => Some("closed"),
            "reject" | "approve_void" | "merge" => Some("not_accepted"),
            "verify" => Some("not_accepted"),
            "callback" => Some("rated"),
            _ => None,
        };
        if let Some(step) = step {
            progress.push(PublicStep { step, at: e.at });
        }
    }
    Ok(PublicStatus {
        tracking_code: c.tracking_code.clone().unwrap_or_default(),
        status,
        class_code: c.class_code.clone(),
        description: c.description.clone(),
        received_at: c.created_at,
        updated_at: c.updated_at,
        closed_at: c.closed_at,
        progress,
        photos,
        after_photos,
        satisfaction: projection.satisfaction,
        can_rate: c.state == "closed" && projection.satisfaction.is_none(),
    })
}

async fn events_of(db: &DatabaseConnection, c: &case::Model) -> Result<Vec<case_event::Model>> {
    case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(c.id))
        .order_by_asc(case_event::Column::Seq)
        .all(db)
        .await
        .or_internal()
}

/// The public status of a report.
pub async fn status(db: &DatabaseConnection, county: &str, code: &str) -> Result<PublicStatus> {
    let (_, c) = find_report(db, county, code).await?;
    public_status(&c, &events_of(db, &c).await?)
}

/// The bytes and type of a photo of a public report: the reporter's own or the department's
/// after-photos, and nothing else of the county.
pub async fn photo(
    db: &DatabaseConnection,
    store: &crate::storage::PhotoStore,
    county: &str,
    code: &str,
    photo_id: Uuid,
) -> Result<(String, Vec<u8>)> {
    let (tenant, c) = find_report(db, county, code).await?;
    let shown = public_status(&c, &events_of(db, &c).await?)?;
    if !shown.photos.contains(&photo_id) && !shown.after_photos.contains(&photo_id) {
        return Err(Error::not_found("photo"));
    }
    let p = crate::entity::photo::Entity::find_by_id_in(&tenant, photo_id)
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("photo"))?;
    let bytes = store.get(tenant.code().as_str(), &p.sha256).await?;
    Ok((p.content_type, bytes))
}

/// The reporter rates the handling of a closed report, once (the case's 回访 satisfaction).
pub async fn rate(
    db: &DatabaseConnection,
    recent: &crate::recent::RecentCases,
    county: &str,
    code: &str,
    rating: PublicRating,
) -> Result<PublicStatus> {
    let (_, row) = find_report(db, county, code).await?;
    let mut v = Validator::new();
    let note = match rating.comment.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => Some(v.text("comment", c, 500)),
        _ => None,
    };
    v.finish()?;
    let projection: workflow::Case = serde_json::from_str(&row.projection).map_err(Error::internal)?;
    if projection.satisfaction.is_some() {
        return Err(Error::conflict("this report has already been rated"));
    }
    if row.state != "closed" {
        return Err(Error::conflict("a report can be rated once it is closed"));
    }
    let command = workflow::Command::Callback { satisfaction: rating.satisfaction, note };
    let event =
        workflow::decide(&projection, &workflow::Actor::public(), &command, crate::now()).map_err(crate::refusal)?;
    let (saved, _) = crate::act::append(db, Some(recent.replica()), row, projection, event).await?;
    recent.record([crate::duplicates::Nearby::from(&saved)]);
    tracing::info!(case = %saved.id, county, "public rating recorded");
    public_status(&saved, &events_of(db, &saved).await?)
}
