//! Opening a case: a collector's patrol report or on-the-spot fix (自处置), or staff registering
//! a public, hotline or third-party report. The location (converted from GCJ-02/BD-09 when
//! needed) gives the unit grid, community, street and duty grid; a census component gives its
//! own location. With an `Idempotency-Key`, a retried request returns the first response and
//! creates nothing.

use kernel::{Error, Result, Validator};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tenancy::TenantScope;
use utoipa::ToSchema;
use uuid::Uuid;
use workflow::{Action, Event, Source, chain};

use crate::db::OrInternal;
use crate::entity::{case, idempotency_key};
use crate::query::CaseView;
use inventory::catalog::Kind;
use inventory::grid_cache::GridCache;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCase {
    /// Where the report came from. Collectors report `patrol` (the default for them); staff
    /// register `public`, `hotline`, `third_party` or `video`.
    pub source: Option<Source>,
    /// `component` (a census asset) or `matter` (an event).
    pub kind: Kind,
    /// 5-digit catalogue class of that kind.
    #[schema(example = "06010")]
    pub class_code: String,
    #[schema(example = "路边暴露垃圾一堆")]
    pub description: String,
    /// Location in `crs` (default WGS84); not needed when `component_id` is given.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// `wgs84`, `cgcs2000`, `gcj02` (WeChat, AMap) or `bd09` (Baidu).
    pub crs: Option<String>,
    /// The census component concerned (its location is used).
    pub component_id: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub urgent: bool,
    /// Ids of uploaded photos (before photos; for 自处置 also after photos).
    #[serde(default)]
    pub photos: Vec<String>,
    /// 自处置: the collector fixed a minor problem on the spot.
    #[serde(default)]
    pub self_handled: bool,
}

/// The response of an intake, with the HTTP status to send (a replay returns the first one).
#[derive(Debug, Clone)]
pub struct Created {
    pub status: u16,
    pub body: Value,
    pub replayed: bool,
}

fn request_hash(input: &NewCase) -> String {
    let digest = Sha256::digest(serde_json::to_string(input).unwrap_or_default().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens a case. `key` is the caller's Idempotency-Key, if any.
pub async fn open(
    db: &DatabaseConnection,
    grids: &GridCache,
    scope: &TenantScope,
    input: NewCase,
    key: Option<&str>,
) -> Result<Created> {
    let tenant = scope.tenant_id().0;
    let user = scope.principal().user_id.0;
    let hash = request_hash(&input);
    if let Some(k) = key {
        if k.is_empty() || k.len() > 128 {
            return Err(Error::invalid("Idempotency-Key", "must be 1–128 characters"));
        }
        if let Some(prior) = replay(db, tenant, k, &hash).await? {
            return Ok(prior);
        }
    }
    if scope.tenant().level != kernel::DivisionLevel::County {
        return Err(Error::conflict("cases belong to county-level tenants"));
    }
    let actor = crate::actor::of(db, scope).await?;
    let is_collector = actor.has("collector");
    let is_staff = actor.has("supervision-center");
    let source = input.source.unwrap_or(if is_collector { Source::Patrol } else { Source::Public });
    let mut v = Validator::new();
    let description = v.text("description", &input.description, 2000);
    if let Some(a) = &input.address
        && a.chars().count() > 256
    {
        v.add("address", "must be at most 256 characters");
    }
    if input.photos.len() > 20 {
        v.add("photos", "at most 20 photos");
    }
    let role = match (source, input.self_handled) {
        (Source::Patrol, _) if is_collector => "collector",
        (Source::Patrol, _) => return Err(Error::forbidden("patrol reports come from collectors (role `collector`)")),
        (_, true) => {
            return Err(Error::invalid("self_handled", "only a collector's patrol report can be self-handled"));
        }
        (Source::CityOrder, _) => return Err(Error::invalid("source", "city orders are issued as 督办 by the city")),
        _ if is_staff => "supervision-center",
        _ => {
            return Err(Error::forbidden(
                "registering public, hotline and third-party reports needs role `supervision-center`",
            ));
        }
    };
    if !inventory::catalog::class_exists(db, scope.tenant(), input.kind, input.class_code.trim()).await? {
        v.add("class_code", format!("{} is not a {} class of the catalogue", input.class_code, input.kind.as_str()));
    }
    v.finish()?;

    // Where: from the component, or from the point.
    let (lon, lat) = match &input.component_id {
        Some(id) => {
            let c = inventory::census::query::get(db, scope, id.trim())
                .await
                .map_err(|_| Error::invalid("component_id", "no such component in this county's census"))?;
            let coords = c.location.get("coordinates").cloned().unwrap_or(Value::Null);
            let first = if coords.get(0).is_some_and(Value::is_number) {
                coords
            } else {
                coords.get(0).cloned().unwrap_or(Value::Null)
            };
            (first.get(0).and_then(Value::as_f64).unwrap_or(0.0), first.get(1).and_then(Value::as_f64).unwrap_or(0.0))
        }
        None => match (input.lon, input.lat) {
            (Some(lon), Some(lat)) => inventory::grids::to_wgs84(lon, lat, input.crs.as_deref())?,
            _ => return Err(Error::invalid("lon", "a location is required: lon and lat, or component_id")),
        },
    };
    let place = locate(db, grids, scope.tenant(), lon, lat).await?;
    crate::photos::check_ids(db, tenant, &input.photos).await?;

    let intake = Intake {
        source,
        kind: input.kind,
        class_code: input.class_code.trim().to_owned(),
        description,
        lon,
        lat,
        component_id: input.component_id.clone(),
        address: input.address.clone(),
        urgent: input.urgent,
        photos: input.photos.clone(),
        self_handled: input.self_handled,
        contact: None,
    };
    let txn = db.begin().await.or_internal()?;
    let stored = insert_case(&txn, scope.tenant(), &place, Some(user), role, &intake, None).await?;
    let body = response(&txn, &stored).await?;
    let now = stored.created_at;
    if let Some(k) = key {
        let saved = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
            tenant_id: Set(tenant),
            key: Set(k.to_owned()),
            user_id: Set(Some(user)),
            request_hash: Set(hash.clone()),
            status: Set(201),
            response: Set(body.to_string()),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await;
        if let Err(e) = saved {
            // A concurrent request with the same key won: drop this case, answer as it did.
            txn.rollback().await.or_internal()?;
            if tenancy::db::is_unique_violation(&e) {
                return replay(db, tenant, k, &hash)
                    .await?
                    .ok_or_else(|| Error::conflict("a request with this Idempotency-Key is still in progress"));
            }
            return Err(Error::internal(e));
        }
    }
    txn.commit().await.or_internal()?;
    tracing::info!(case = %stored.id, tenant = %scope.tenant().code, "case opened");
    Ok(Created { status: 201, body, replayed: false })
}

async fn replay(db: &DatabaseConnection, tenant: Uuid, key: &str, hash: &str) -> Result<Option<Created>> {
    let Some(prior) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::TenantId.eq(tenant))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await
        .or_internal()?
    else {
        return Ok(None);
    };
    if prior.request_hash != hash {
        return Err(Error::invalid("Idempotency-Key", "was already used for a different request"));
    }
    Ok(Some(Created {
        status: prior.status as u16,
        body: serde_json::from_str(&prior.response).unwrap_or(Value::Null),
        replayed: true,
    }))
}

/// What a new case is made of, however it arrived.
#[derive(Debug, Clone)]
pub(crate) struct Intake {
    pub source: Source,
    pub kind: Kind,
    /// Empty when the public did not know the class (the centre sets it when filing).
    pub class_code: String,
    pub description: String,
    /// WGS84.
    pub lon: f64,
    pub lat: f64,
    pub component_id: Option<String>,
    pub address: Option<String>,
    pub urgent: bool,
    pub photos: Vec<String>,
    pub self_handled: bool,
    /// A public reporter's contact (personal: never shown publicly).
    pub contact: Option<String>,
}

/// The unit grid (with community, street, duty grid) of a WGS84 point.
pub(crate) async fn locate(
    db: &DatabaseConnection,
    grids: &GridCache,
    tenant: &tenancy::TenantRef,
    lon: f64,
    lat: f64,
) -> Result<inventory::grid_cache::GridEntry> {
    let frame = grids.get(db, tenant.id, tenant.code.as_str()).await?;
    frame.index.locate(lon, lat).cloned().ok_or_else(|| {
        Error::invalid("lon", format!("({lon:.6}, {lat:.6}) lies outside every unit grid of this county"))
    })
}

/// The next case number's sequence part. PostgreSQL: a sequence (never blocks concurrent
/// intake; numbers are unique and increasing, with gaps within a county). Elsewhere (SQLite, one
/// writer at a time): a per-county counter.
async fn next_number<C: sea_orm::ConnectionTrait>(txn: &C, tenant: &tenancy::TenantRef) -> Result<i64> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        let row = txn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT nextval('case_number_seq') AS n",
            ))
            .await
            .or_internal()?
            .ok_or_else(|| Error::internal(anyhow::anyhow!("no value from case_number_seq")))?;
        return row.try_get::<i64>("", "n").or_internal();
    }
    let name = format!("case_no:{}", tenant.code);
    tenancy::db::bump_version(txn, &name).await?;
    tenancy::db::read_version(txn, &name).await
}

/// Inserts the case row and its first event inside the caller's transaction.
pub(crate) async fn insert_case<C: sea_orm::ConnectionTrait>(
    txn: &C,
    tenant: &tenancy::TenantRef,
    place: &inventory::grid_cache::GridEntry,
    reporter: Option<Uuid>,
    role: &str,
    intake: &Intake,
    tracking_code: Option<String>,
) -> Result<case::Model> {
    let now = crate::now();
    let id = Uuid::now_v7();
    let payload = json!({
        "source": intake.source, "kind": intake.kind, "class_code": intake.class_code, "description": intake.description,
        "lon": intake.lon, "lat": intake.lat, "grid_code": place.code, "component_id": intake.component_id,
        "urgent": intake.urgent, "photos": intake.photos, "address": intake.address, "contact": intake.contact,
    });
    let first = Event {
        seq: 1,
        action: if intake.self_handled { Action::SelfHandle } else { Action::Report },
        actor: reporter.map(|u| u.to_string()),
        role: Some(role.to_owned()),
        at: now,
        payload,
    };
    let projection = workflow::machine::open(&first);
    let hash = chain::link(chain::GENESIS, &first);
    let seq = next_number(txn, tenant).await?;
    let row = case::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.id.0),
        number: Set(format!("{}{:06}", now.format("%Y%m%d"), seq)),
        state: Set(crate::query::state_str(projection.state).to_owned()),
        source: Set(serde_json::to_value(intake.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()),
        kind: Set(intake.kind.as_str().to_owned()),
        class_code: Set(intake.class_code.clone()),
        description: Set(intake.description.clone()),
        address: Set(intake.address.clone()),
        lon: Set(intake.lon),
        lat: Set(intake.lat),
        grid_code: Set(place.code.clone()),
        community_code: Set(place.community_code.clone()),
        street_code: Set(place.street_code.clone()),
        duty_grid_id: Set(place.duty_grid_id),
        component_id: Set(intake.component_id.clone()),
        reporter_id: Set(reporter),
        urgent: Set(intake.urgent),
        department_id: Set(None),
        overdue: Set(false),
        deadline: Set(None),
        tracking_code: Set(tracking_code),
        projection: Set(serde_json::to_string(&projection).map_err(Error::internal)?),
        last_hash: Set(hash.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
    };
    let inserted = case::Entity::insert(row).exec_with_returning(txn).await.or_internal()?;
    let (cal, limits) = crate::clock::load(txn, tenant.id.0).await?;
    if let Some(deadline) = crate::clock::deadline_of(&projection, &inserted, &cal, &limits) {
        let mut am: case::ActiveModel = inserted.into();
        am.deadline = Set(Some(deadline));
        case::Entity::update(am).exec(txn).await.or_internal()?;
    }
    crate::act::insert_event(txn, tenant.id.0, id, &first, chain::GENESIS, &hash).await?;
    case::Entity::find_by_id(id).one(txn).await.or_internal()?.ok_or_else(|| Error::not_found("case"))
}

/// A likely duplicate of a new report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateHint {
    pub id: Uuid,
    pub number: String,
    pub state: String,
    /// Distance from the new report, in metres.
    pub distance_m: f64,
}

/// How close, and how recent, an open case of the same class must be to be suggested as a
/// duplicate. Tenant setting `duplicates`; defaults 50 m and 72 hours.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct DuplicateRule {
    pub radius_m: f64,
    pub window_hours: i64,
}

impl Default for DuplicateRule {
    fn default() -> Self {
        Self { radius_m: 50.0, window_hours: 72 }
    }
}

fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    // Haversine on a sphere: plenty for tens of metres.
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let (dlat, dlon) = ((b.1 - a.1).to_radians(), (b.0 - a.0).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// Open cases of the same class near the given one, reported within the window.
pub async fn possible_duplicates<C: sea_orm::ConnectionTrait>(db: &C, c: &case::Model) -> Result<Vec<DuplicateHint>> {
    if c.class_code.is_empty() {
        return Ok(Vec::new());
    }
    let rule: DuplicateRule = crate::settings::get(db, c.tenant_id, "duplicates").await?.unwrap_or_default();
    let deg_lat = rule.radius_m / 111_000.0;
    let deg_lon = deg_lat / c.lat.to_radians().cos().max(0.1);
    let since = c.created_at - chrono::Duration::hours(rule.window_hours);
    let near = case::Entity::find()
        .filter(case::Column::TenantId.eq(c.tenant_id))
        .filter(case::Column::ClassCode.eq(c.class_code.as_str()))
        .filter(case::Column::Id.ne(c.id))
        .filter(case::Column::State.is_not_in(["closed", "rejected", "voided"]))
        .filter(case::Column::CreatedAt.gte(since))
        .filter(case::Column::Lon.between(c.lon - deg_lon, c.lon + deg_lon))
        .filter(case::Column::Lat.between(c.lat - deg_lat, c.lat + deg_lat))
        .all(db)
        .await
        .or_internal()?;
    let mut hints: Vec<DuplicateHint> = near
        .into_iter()
        .map(|o| DuplicateHint {
            distance_m: (distance_m((c.lon, c.lat), (o.lon, o.lat)) * 10.0).round() / 10.0,
            id: o.id,
            number: o.number,
            state: o.state,
        })
        .filter(|h| h.distance_m <= rule.radius_m)
        .collect();
    hints.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    Ok(hints)
}

/// The intake response: the case and its likely duplicates.
async fn response<C: sea_orm::ConnectionTrait>(db: &C, stored: &case::Model) -> Result<Value> {
    let (cal, limits) = crate::clock::load(db, stored.tenant_id).await?;
    let view = CaseView::from_row(stored)?.with_clock(stored, &cal, &limits, crate::now());
    let mut body = serde_json::to_value(view).map_err(Error::internal)?;
    let hints = possible_duplicates(db, stored).await?;
    if let Value::Object(map) = &mut body {
        map.insert("possible_duplicates".into(), serde_json::to_value(hints).map_err(Error::internal)?);
    }
    Ok(body)
}
