//! Opening a case: a collector's patrol report or on-the-spot fix (自处置), or staff registering
//! a public, hotline or third-party report. The location (converted from GCJ-02/BD-09 when
//! needed) gives the unit grid, community, street and duty grid; a census component gives its
//! own location. With an `Idempotency-Key`, a retried request returns the first response and
//! creates nothing.

use calendar::WorkCalendar;
use kernel::{Error, Result, Validator};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tenancy::TenantScope;
use tenancy::versions::Cached;
use utoipa::ToSchema;
use uuid::Uuid;
use workflow::{Action, Event, Source, chain};

use crate::db::OrInternal;
use crate::duplicates::{DUPLICATES, DuplicateRule};
use crate::entity::case;
use crate::query::CaseView;
use crate::recent::RecentCases;
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
    /// Ids of uploaded photos of the problem as found (for 自处置: before the fix).
    #[serde(default)]
    pub photos: Vec<String>,
    /// 自处置: the collector fixed a minor problem on the spot.
    #[serde(default)]
    pub self_handled: bool,
    /// 自处置 only: ids of uploaded photos after the fix. Unless the county's `self_handling`
    /// setting says otherwise, a 自处置 needs photos before (`photos`) and after.
    // Left out of the request hash when empty, so keys stored before it existed still match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_photos: Vec<String>,
}

/// A county's rule for 自处置 (tenant setting `self_handling`): by default a collector who fixes a
/// problem on the spot shows it fixed, with photos before and after.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct SelfHandling {
    /// Whether a 自处置 report needs at least one photo before the fix (`photos`) and one after
    /// (`after_photos`).
    pub require_photos: bool,
}

impl Default for SelfHandling {
    fn default() -> Self {
        Self { require_photos: true }
    }
}

impl SelfHandling {
    /// Every problem of the rule, by field (a boolean has none).
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        Ok(())
    }
}

/// The setting that holds a county's [`SelfHandling`] rule.
pub const SELF_HANDLING: &str = "self_handling";

/// The most photos a report carries in each of `photos` and `after_photos`.
pub const MAX_PHOTOS: usize = 20;

/// The response of an intake, with the HTTP status to send (a replay returns the first one).
/// The body is serialised JSON: the same bytes go to the client and to the idempotency record.
#[derive(Debug, Clone)]
pub struct Created {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

pub(crate) fn request_hash(input: &NewCase) -> String {
    let digest = Sha256::digest(serde_json::to_string(input).unwrap_or_default().as_bytes());
    hex::encode(digest)
}

/// Staff and collector intake: validation from in-memory state (policy roles, catalogue, grid
/// index and settings, each current by its version counter), then the group-commit writer.
#[derive(Debug)]
pub struct Service {
    db: DatabaseConnection,
    versions: tenancy::Versions,
    grids: Arc<GridCache>,
    rules: Cached<Uuid, Arc<Rules>>,
    classes: Cached<(Uuid, Kind, String), bool>,
    writer: crate::writer::Writer,
    recent: Arc<RecentCases>,
    keys: crate::idempotency::Keys,
}

impl Service {
    /// Starts the writer lanes on `writer_db` (needs a tokio runtime); `recent` is the index of
    /// recent open cases the duplicate search reads and the writer keeps current; `keys` the
    /// lifetime of idempotency records and the clock that stamps new cases.
    pub fn start(
        db: DatabaseConnection,
        writer_db: DatabaseConnection,
        versions: tenancy::Versions,
        grids: Arc<GridCache>,
        recent: Arc<RecentCases>,
        keys: crate::idempotency::Keys,
    ) -> Self {
        let writer = crate::writer::Writer::start(writer_db, recent.clone(), keys.clone());
        Self { db, versions, grids, rules: Cached::new(10_000), classes: Cached::new(10_000), writer, recent, keys }
    }

    /// The clock new cases are stamped with (public reports use it too).
    pub fn clock(&self) -> &crate::clock::Clock {
        self.keys.clock()
    }

    /// The idempotency records' lifetime (actions and the upkeep's purge use it too).
    pub fn keys(&self) -> &crate::idempotency::Keys {
        &self.keys
    }

    /// The index of recent open cases (for actions and public reports to keep it current).
    pub fn recent(&self) -> &RecentCases {
        &self.recent
    }

    /// Opens a case. `key` is the caller's Idempotency-Key, if any.
    pub async fn open(
        &self,
        authz: &tenancy::Authorizer,
        scope: &TenantScope,
        input: NewCase,
        key: Option<&str>,
    ) -> Result<Created> {
        let coming = self.writer.expect();
        let hash = request_hash(&input);
        if let Some(k) = key {
            crate::idempotency::check_key(k)?;
        }
        let prepared = match self.prepare(authz, scope, &input).await {
            Ok(p) => p,
            // A retry of a request that once succeeded gets the first answer, even if the same
            // request would be refused now.
            Err(e) => {
                if let Some(k) = key
                    && let Some(prior) = replay(
                        &self.db,
                        scope.tenant_id().0,
                        scope.principal().user_id().0,
                        k,
                        &hash,
                        self.keys.cutoff(),
                    )
                    .await?
                {
                    return Ok(prior);
                }
                return Err(e);
            }
        };
        let id = prepared.row.id;
        let created = self
            .writer
            .submit(
                crate::writer::Job::new(prepared, scope.principal().user_id().0, key.map(str::to_owned), hash),
                coming,
            )
            .await?;
        if !created.replayed {
            tracing::info!(case = %id, tenant = %scope.tenant().code(), "case opened");
        }
        Ok(created)
    }

    /// Everything but the write: checks, location, the case row and its first event.
    async fn prepare(&self, authz: &tenancy::Authorizer, scope: &TenantScope, input: &NewCase) -> Result<Prepared> {
        let db = &self.db;
        let tenant = scope.tenant_id().0;
        let user = scope.principal().user_id().0;
        if scope.tenant().level() != kernel::DivisionLevel::County {
            return Err(Error::conflict("cases belong to county-level tenants"));
        }
        let actor = crate::actor::of(authz, scope);
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
        if input.photos.len() > MAX_PHOTOS {
            v.add("photos", format!("at most {MAX_PHOTOS} photos"));
        }
        if input.after_photos.len() > MAX_PHOTOS {
            v.add("after_photos", format!("at most {MAX_PHOTOS} photos"));
        }
        let rules = self.rules_of(tenant).await?;
        if input.self_handled {
            if rules.self_handling.require_photos {
                // 自处置 closes without anyone else seeing the problem: the photos are the proof.
                if input.photos.is_empty() {
                    v.add("photos", "自处置 (self_handled) needs at least one photo before the fix");
                }
                if input.after_photos.is_empty() {
                    v.add("after_photos", "自处置 (self_handled) needs at least one photo after the fix");
                }
            }
        } else if !input.after_photos.is_empty() {
            v.add("after_photos", "only a 自处置 (self_handled) report has photos after a fix");
        }
        let role = match (source, input.self_handled) {
            (Source::Patrol, _) if is_collector => "collector",
            (Source::Patrol, _) => {
                return Err(Error::forbidden("patrol reports come from collectors (role `collector`)"));
            }
            (_, true) => {
                return Err(Error::invalid("self_handled", "only a collector's patrol report can be self-handled"));
            }
            (Source::CityOrder, _) => {
                return Err(Error::invalid("source", "city orders are issued as 督办 by the city"));
            }
            _ if is_staff => "supervision-center",
            _ => {
                return Err(Error::forbidden(
                    "registering public, hotline and third-party reports needs role `supervision-center`",
                ));
            }
        };
        let class_code = input.class_code.trim().to_owned();
        if !self.class_exists(scope.tenant(), input.kind, &class_code).await? {
            v.add(
                "class_code",
                format!("{} is not a {} class of the catalogue", input.class_code, input.kind.as_str()),
            );
        }
        v.finish()?;

        // Where: from the component, or from the point.
        let (lon, lat) = match &input.component_id {
            Some(id) => {
                let c = inventory::census::query::get(db, scope, id.trim())
                    .await
                    .map_err(|_| Error::invalid("component_id", "no such component in this county's census"))?;
                // The census says what the component is: a report of another class about it is a
                // mistake (wrong component picked, or wrong class), and would be dispatched to the
                // department of the wrong class.
                if let Some((field, problem)) = contradicts_census(input.kind, &class_code, &c) {
                    return Err(Error::invalid(field, problem));
                }
                let coords = c.location.get("coordinates").cloned().unwrap_or(Value::Null);
                let first = if coords.get(0).is_some_and(Value::is_number) {
                    coords
                } else {
                    coords.get(0).cloned().unwrap_or(Value::Null)
                };
                (
                    first.get(0).and_then(Value::as_f64).unwrap_or(0.0),
                    first.get(1).and_then(Value::as_f64).unwrap_or(0.0),
                )
            }
            None => match (input.lon, input.lat) {
                (Some(lon), Some(lat)) => inventory::grids::to_wgs84(lon, lat, input.crs.as_deref())?,
                _ => return Err(Error::invalid("lon", "a location is required: lon and lat, or component_id")),
            },
        };
        let place = locate(db, &self.grids, scope.tenant(), lon, lat).await?;
        if !input.photos.is_empty() || !input.after_photos.is_empty() {
            crate::photos::check_fields(db, scope, &[("photos", &input.photos), ("after_photos", &input.after_photos)])
                .await?;
        }
        let intake = Intake {
            source,
            kind: input.kind,
            class_code,
            description,
            lon,
            lat,
            component_id: input.component_id.clone(),
            address: input.address.clone(),
            urgent: input.urgent,
            photos: input.photos.clone(),
            after_photos: input.after_photos.clone(),
            self_handled: input.self_handled,
            contact: None,
        };
        prepare(scope.tenant(), &place, Some(user), role, &intake, rules, self.keys.clock().now())
    }

    /// The county's calendar, time limits and duplicate rule, parsed once per settings version.
    async fn rules_of(&self, tenant: Uuid) -> Result<Arc<Rules>> {
        let version = self.versions.get(&crate::settings::version_key_of(tenant));
        if let Some(r) = self.rules.get(&tenant, version) {
            return Ok(r);
        }
        let (cal, limits) = crate::clock::load_of(&self.db, tenant).await?;
        let duplicates = crate::settings::get_of(&self.db, tenant, DUPLICATES).await?.unwrap_or_default();
        let self_handling = crate::settings::get_of(&self.db, tenant, SELF_HANDLING).await?.unwrap_or_default();
        let rules = Arc::new(Rules { self_handling, ..Rules::new(cal, limits, duplicates) });
        self.rules.put(tenant, version, rules.clone());
        Ok(rules)
    }

    async fn class_exists(&self, tenant: &tenancy::TenantRef, kind: Kind, code: &str) -> Result<bool> {
        let key = (tenant.id().0, kind, code.to_owned());
        let version = self.versions.get(inventory::catalog::CATALOG_VERSION);
        if let Some(known) = self.classes.get(&key, version) {
            return Ok(known);
        }
        let exists = inventory::catalog::class_exists(&self.db, tenant, kind, code).await?;
        self.classes.put(key, version, exists);
        Ok(exists)
    }
}

/// Where and why a report of `kind` and `class_code` about census component `c` contradicts the
/// census, if it does (the field to name, and the message): a report about a component is a
/// `component` report (部件) of the component's own class.
pub(crate) fn contradicts_census(
    kind: Kind,
    class_code: &str,
    c: &inventory::census::query::Component,
) -> Option<(&'static str, String)> {
    if kind != Kind::Component {
        return Some((
            "kind",
            format!(
                "census component {} is a 部件: report it as `component` of its class {}",
                c.component_id, c.class_code
            ),
        ));
    }
    (class_code != c.class_code).then(|| {
        (
            "class_code",
            format!(
                "{class_code} contradicts the census: component {} ({}) is of class {}",
                c.component_id, c.name, c.class_code
            ),
        )
    })
}

/// The first answer to an earlier request of the same user with the same key, if there was one
/// created after `cutoff` (older records have expired).
pub(crate) async fn replay<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    user: Uuid,
    key: &str,
    hash: &str,
    cutoff: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Created>> {
    let Some(prior) = crate::idempotency::find(db, tenant, user, key, cutoff).await? else {
        return Ok(None);
    };
    let stored = crate::idempotency::answer_of(&prior, hash)?;
    Ok(Some(Created { status: stored.status, body: stored.body, replayed: true }))
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
    /// 自处置: photos after the fix.
    pub after_photos: Vec<String>,
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
    let frame = grids.get(db, tenant).await?;
    frame.index.locate(lon, lat).cloned().ok_or_else(|| {
        Error::invalid("lon", format!("({lon:.6}, {lat:.6}) lies outside every unit grid of this county"))
    })
}

/// A county's rules for new cases: work calendar (and its time zone), time limits, duplicate
/// rule.
#[derive(Debug)]
pub(crate) struct Rules {
    pub cal: WorkCalendar,
    pub limits: crate::clock::TimeLimits,
    pub duplicates: DuplicateRule,
    /// The calendar's zone, parsed once: the date of the county's case numbers.
    pub zone: chrono_tz::Tz,
    /// Whether 自处置 needs photos before and after.
    pub self_handling: SelfHandling,
}

impl Rules {
    pub fn new(cal: WorkCalendar, limits: crate::clock::TimeLimits, duplicates: DuplicateRule) -> Self {
        let zone = crate::clock::zone_of(&cal);
        Self { cal, limits, duplicates, zone, self_handling: SelfHandling::default() }
    }
}

/// A new case before it is stored: its row (without a number yet), first event and that event's
/// hash, with the rules the response needs.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub row: case::Model,
    /// The row's projection as a value (the row holds it serialised).
    pub projection: workflow::Case,
    pub first: Event,
    pub hash: String,
    pub rules: Arc<Rules>,
}

/// Builds the row and first event of a new case, created at `now` (no storage involved).
pub(crate) fn prepare(
    tenant: &tenancy::TenantRef,
    place: &inventory::grid_cache::GridEntry,
    reporter: Option<Uuid>,
    role: &str,
    intake: &Intake,
    rules: Arc<Rules>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Prepared> {
    let mut payload = json!({
        "source": intake.source, "kind": intake.kind, "class_code": intake.class_code, "description": intake.description,
        "lon": intake.lon, "lat": intake.lat, "grid_code": place.code, "component_id": intake.component_id,
        "urgent": intake.urgent, "photos": intake.photos, "address": intake.address, "contact": intake.contact,
    });
    if !intake.after_photos.is_empty()
        && let Some(p) = payload.as_object_mut()
    {
        p.insert("after_photos".to_owned(), json!(intake.after_photos));
    }
    let first = Event {
        seq: 1,
        action: if intake.self_handled { Action::SelfHandle } else { Action::Report },
        actor: reporter.map(|u| u.to_string()),
        role: Some(role.to_owned()),
        at: now,
        payload,
        due: None,
    };
    let projection = workflow::machine::open(&first);
    let row = case::Model {
        id: Uuid::now_v7(),
        tenant_id: tenant.id().0,
        number: String::new(),
        state: crate::query::state_str(projection.state).to_owned(),
        source: serde_json::to_value(intake.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        kind: intake.kind.as_str().to_owned(),
        class_code: intake.class_code.clone(),
        description: intake.description.clone(),
        address: intake.address.clone(),
        lon: intake.lon,
        lat: intake.lat,
        grid_code: place.code.clone(),
        community_code: place.community_code.clone(),
        street_code: place.street_code.clone(),
        duty_grid_id: place.duty_grid_id,
        component_id: intake.component_id.clone(),
        reporter_id: reporter,
        urgent: intake.urgent,
        department_id: None,
        overdue: false,
        deadline: None,
        tracking_code: None,
        projection: String::new(),
        last_hash: String::new(),
        created_at: now,
        updated_at: now,
        replica: None,
        closed_at: None,
        timeline: None,
    };
    let mut p = Prepared { row, projection, first, hash: String::new(), rules };
    stamp(&mut p, now)?;
    Ok(p)
}

/// Sets everything of a new case that depends on when it was created: its times, the first
/// event's time and deadline, the projection, the packed timeline and the first hash. Called
/// again by the writer when the case must carry a later time (see [`crate::numbering`]).
pub(crate) fn stamp(p: &mut Prepared, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    p.first.at = now;
    p.first.due = None;
    p.projection = workflow::machine::open(&p.first);
    let row = &mut p.row;
    row.created_at = now;
    row.updated_at = now;
    row.projection = serde_json::to_string(&p.projection).map_err(Error::internal)?;
    row.deadline = crate::clock::deadline_of(&p.projection, row, &p.rules.cal, &p.rules.limits);
    p.first.due = row.deadline;
    row.timeline = Some(evaluation::timeline::encode(&p.first).to_vec());
    p.hash = chain::link(chain::GENESIS, &p.first);
    row.last_hash = p.hash.clone();
    Ok(())
}

/// Stores one prepared case (number, row, first event) inside the caller's transaction: the
/// path of public reports, which do not go through the group-commit writer. Numbered from the
/// same counter as every other channel.
pub(crate) async fn insert_case<C: sea_orm::ConnectionTrait>(txn: &C, mut p: Prepared) -> Result<case::Model> {
    let item = crate::numbering::Item { tenant: p.row.tenant_id, zone: p.rules.zone, created_at: p.row.created_at };
    let numbered = crate::numbering::number(txn, &[item], true).await?;
    let Some(n) = numbered.into_iter().next() else {
        return Err(Error::internal(anyhow::anyhow!("no number for a public report")));
    };
    if n.at != p.row.created_at {
        stamp(&mut p, n.at)?;
    }
    p.row.number = n.number;
    case::Entity::insert(case::ActiveModel::from(p.row.clone())).exec_without_returning(txn).await.or_internal()?;
    let event = crate::act::event_row(p.row.tenant_id, p.row.id, &p.first, chain::GENESIS, &p.hash);
    crate::entity::case_event::Entity::insert(event).exec_without_returning(txn).await.or_internal()?;
    Ok(p.row)
}

/// The intake response: the case and its likely duplicates.
#[derive(Serialize)]
struct Response<'a> {
    #[serde(flatten)]
    case: &'a CaseView,
    possible_duplicates: &'a [crate::duplicates::DuplicateHint],
}

/// The intake response for a new case (its view, numbered), serialised.
pub(crate) fn response(case: &CaseView, hints: &[crate::duplicates::DuplicateHint]) -> Result<String> {
    serde_json::to_string(&Response { case, possible_duplicates: hints }).map_err(Error::internal)
}
