//! Work lists, case detail with its timeline, and chain verification — each limited to what the
//! caller may see: a department its own cases and those it may claim; a collector the
//! verification and check tasks of its duty grids and its own reports; the centres, auditors,
//! administrators and city oversight everything of the county.

use chrono::{DateTime, Utc};
use kernel::{Error, Page, PageRequest, Result};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::{Deserialize, Serialize};
use tenancy::TenantOwned;
use tenancy::TenantScope;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use workflow::{Actor, State, chain};

use crate::db::OrInternal;
use crate::entity::{case, case_event};

pub fn state_str(s: State) -> &'static str {
    match s {
        State::Reported => "reported",
        State::Verifying => "verifying",
        State::Accepted => "accepted",
        State::Filed => "filed",
        State::Dispatched => "dispatched",
        State::Suspended => "suspended",
        State::Handled => "handled",
        State::Checking => "checking",
        State::Checked => "checked",
        State::SelfHandled => "self_handled",
        State::Closed => "closed",
        State::Rejected => "rejected",
        State::Voided => "voided",
    }
}

/// A case as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: Uuid,
    /// Case number, unique in the county: date + sequence.
    #[schema(example = "20261128000042")]
    pub number: String,
    pub kind: String,
    pub description: String,
    pub address: Option<String>,
    /// WGS84.
    pub lon: f64,
    pub lat: f64,
    pub grid_code: String,
    pub community_code: String,
    pub street_code: String,
    pub duty_grid_id: Option<Uuid>,
    pub component_id: Option<String>,
    pub reporter_id: Option<Uuid>,
    pub urgent: bool,
    pub department_id: Option<Uuid>,
    /// When the current stage's time limit runs out (absent while suspended or when done).
    pub deadline: Option<DateTime<Utc>>,
    /// The current stage's traffic light: `green` up to 80 % of its limit used, `yellow` to
    /// 100 %, `red` past it.
    #[schema(value_type = Option<String>, example = "green")]
    pub light: Option<calendar::Light>,
    /// State, counters, pending request and stage clock, from the event log.
    #[serde(flatten)]
    pub workflow: workflow::Case,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CaseView {
    pub fn from_row(r: &case::Model) -> Result<CaseView> {
        Ok(Self::with_projection(r, serde_json::from_str(&r.projection).map_err(Error::internal)?))
    }

    /// The view of a row whose projection is at hand (a new case: no need to parse it back).
    pub(crate) fn with_projection(r: &case::Model, mut workflow: workflow::Case) -> CaseView {
        // The class is shown once, from the projection (flattened into the view); the row's
        // column is the one lists filter on, and the two agree — the row's is taken when set.
        if !r.class_code.is_empty() {
            workflow.class_code = Some(r.class_code.clone());
        }
        CaseView {
            id: r.id,
            number: r.number.clone(),
            kind: r.kind.clone(),
            description: r.description.clone(),
            address: r.address.clone(),
            lon: r.lon,
            lat: r.lat,
            grid_code: r.grid_code.clone(),
            community_code: r.community_code.clone(),
            street_code: r.street_code.clone(),
            duty_grid_id: r.duty_grid_id,
            component_id: r.component_id.clone(),
            reporter_id: r.reporter_id,
            urgent: r.urgent,
            department_id: r.department_id,
            deadline: r.deadline,
            light: None,
            workflow,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl CaseView {
    /// Adds the traffic light of the running stage at `now`.
    pub fn with_clock(
        mut self,
        row: &case::Model,
        cal: &calendar::WorkCalendar,
        limits: &crate::clock::TimeLimits,
        now: DateTime<Utc>,
    ) -> Self {
        self.light = crate::clock::stage(&self.workflow, row, limits, cal).map(|s| crate::clock::light(&s, cal, now));
        self
    }
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub seq: i32,
    pub action: String,
    pub actor_id: Option<String>,
    /// The actor's display name (absent for the system).
    #[schema(example = "张三")]
    pub actor_name: Option<String>,
    /// The name of the actor's department, for department staff.
    #[schema(example = "江宁区城市管理局")]
    pub actor_department: Option<String>,
    pub role: Option<String>,
    pub at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The deadline of the stage this event began (none when no clock runs after it): with the
    /// next stage's start, how each stage went against its limit.
    pub due: Option<DateTime<Utc>>,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseView,
    pub timeline: Vec<TimelineEntry>,
    /// What the caller may do to the case now (`POST …/actions` with `action` and the fields
    /// named; `supervise` through `…/supervision-orders`), from the workflow table itself.
    pub available_actions: Vec<workflow::available::Available>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// One state (`dispatched`) or several, comma-separated (`reported,verifying`): a
    /// workbench's queue spans the states of its station.
    pub state: Option<String>,
    pub class: Option<String>,
    pub street: Option<String>,
    pub department: Option<Uuid>,
    pub overdue: Option<bool>,
    /// e.g. `patrol`, `hotline`.
    pub source: Option<String>,
    /// Reported at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Reported before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Cases with this request awaiting approval: `extension`, `return`, `suspension` or `void`
    /// (the approval queues).
    pub pending: Option<String>,
    /// `true`: cases under at least one supervision order (督办件, the command centre's queue);
    /// `false`: cases under none.
    pub supervised: Option<bool>,
    /// Case numbers starting with this (a whole number finds one case).
    #[param(example = "20261128")]
    pub number: Option<String>,
    /// `oldest` first (the default: a queue is worked in the order it came) or `newest` first
    /// (a search). Ids are time-ordered (UUIDv7), and the cursor follows the order.
    pub order: Option<CaseOrder>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CaseOrder {
    #[default]
    Oldest,
    Newest,
}

impl CaseFilter {
    /// Refuses values no case can have, by field (an unknown state would silently match nothing).
    pub fn check(&self) -> Result<()> {
        use kernel::Vocabulary;
        if let Some(states) = &self.state {
            for s in states.split(',') {
                if !State::ALL.iter().any(|k| k.code() == s.trim()) {
                    return Err(Error::invalid("state", format!("unknown state `{}`", s.trim())));
                }
            }
        }
        if let Some(p) = &self.pending
            && !workflow::model::Pending::ALL.iter().any(|k| k.code() == p)
        {
            return Err(Error::invalid("pending", "one of extension, return, suspension, void"));
        }
        if let Some(n) = &self.number
            && (n.is_empty() || n.len() > 32 || !n.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(Error::invalid("number", "letters and digits of a case number (1–32)"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateCount {
    pub state: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkList {
    #[serde(flatten)]
    pub page: Page<CaseView>,
    /// Counts by state of everything the filter matches (not only this page).
    pub counts: Vec<StateCount>,
}

/// Who sees which case — the one definition, used as an SQL condition by the work list and the
/// detail routes, and in memory by the live feed.
pub(crate) struct Sight {
    all: bool,
    /// The department, and whether it may claim (see filed cases): a county's own may, a city's
    /// shared one sees only what was dispatched to it.
    department: Option<(Uuid, bool)>,
    /// The collector and the duty grids it patrols.
    collector: Option<(Uuid, Vec<Uuid>)>,
}

impl Sight {
    pub(crate) async fn of(db: &DatabaseConnection, scope: &TenantScope, actor: &Actor) -> Result<Sight> {
        // (From the city, only administrators and oversight read every case; a shared city
        // department sees what was dispatched to it.)
        let all = ["supervision-center", "command-center", "auditor", "tenant-admin", "city-oversight"]
            .iter()
            .any(|r| actor.has(r));
        let department = if actor.has("department") {
            actor.department.as_deref().and_then(|d| Uuid::parse_str(d).ok()).map(|d| (d, !actor.from_city))
        } else {
            None
        };
        let collector = if actor.has("collector") && !all {
            let user = Uuid::parse_str(&actor.user).unwrap_or_default();
            let duty = inventory::entity::duty_grid_collector::Entity::find_in(scope)
                .filter(inventory::entity::duty_grid_collector::Column::UserId.eq(user))
                .all(db)
                .await
                .or_internal()?
                .into_iter()
                .map(|d| d.duty_grid_id)
                .collect();
            Some((user, duty))
        } else {
            None
        };
        Ok(Sight { all, department, collector })
    }

    /// A department: its own cases and (a county's own) claimable filed ones. A collector: the verification and
    /// check tasks of its duty grids, and its own reports. The centres, auditors, administrators
    /// and the city: everything.
    pub(crate) fn sees(&self, c: &case::Model) -> bool {
        if self.all {
            return true;
        }
        let dept =
            self.department.is_some_and(|(d, claims)| c.department_id == Some(d) || (claims && c.state == "filed"));
        let patrol = self.collector.as_ref().is_some_and(|(user, duty)| {
            c.reporter_id == Some(*user)
                || (c.duty_grid_id.is_some_and(|d| duty.contains(&d))
                    && matches!(c.state.as_str(), "verifying" | "checking"))
        });
        dept || patrol
    }

    /// The same rule as a query condition.
    fn condition(&self) -> Condition {
        if self.all {
            return Condition::all();
        }
        let mut cond = Condition::any();
        if let Some((d, claims)) = self.department {
            cond = cond.add(case::Column::DepartmentId.eq(d));
            if claims {
                cond = cond.add(case::Column::State.eq("filed"));
            }
        }
        if let Some((user, duty)) = &self.collector {
            cond = cond.add(case::Column::ReporterId.eq(*user)).add(
                Condition::all()
                    .add(case::Column::DutyGridId.is_in(duty.clone()))
                    .add(case::Column::State.is_in(["verifying", "checking"])),
            );
        }
        // Nothing matched: an empty "any" would mean everything, so say nothing.
        if cond.is_empty() { Condition::all().add(Expr::val(1).eq(0)) } else { cond }
    }
}

/// Limits a query to the scoped tenant's cases the actor may see.
pub(crate) async fn visible(
    db: &DatabaseConnection,
    scope: &TenantScope,
    actor: &Actor,
    q: Select<case::Entity>,
) -> Result<Select<case::Entity>> {
    let sight = Sight::of(db, scope, actor).await?;
    Ok(case::Entity::filter_in(q, scope).filter(sight.condition()))
}

pub(crate) fn filtered(mut q: Select<case::Entity>, f: &CaseFilter) -> Select<case::Entity> {
    if let Some(states) = &f.state {
        q = q.filter(case::Column::State.is_in(states.split(',').map(str::trim)));
    }
    if let Some(p) = &f.pending {
        // The pending request lives in the projection only; its JSON is written by serde_json
        // (compact, fixed key), so the text match is exact. Codes are checked in `check`.
        q = q.filter(case::Column::Projection.like(format!("%\"pending\":\"{p}\"%")));
    }
    if let Some(supervised) = f.supervised {
        // Like `pending`: the count lives in the projection, written compact by serde_json, so
        // "none" is exactly `"supervision_orders":0` followed by the next field or the end.
        let none = Condition::any()
            .add(case::Column::Projection.like("%\"supervision_orders\":0,%"))
            .add(case::Column::Projection.like("%\"supervision_orders\":0}%"));
        q = q.filter(if supervised { none.not() } else { none });
    }
    if let Some(n) = &f.number {
        q = q.filter(case::Column::Number.starts_with(n.as_str()));
    }
    for (col, v) in
        [(case::Column::ClassCode, &f.class), (case::Column::StreetCode, &f.street), (case::Column::Source, &f.source)]
    {
        if let Some(v) = v {
            q = q.filter(col.eq(v.as_str()));
        }
    }
    if let Some(d) = f.department {
        q = q.filter(case::Column::DepartmentId.eq(d));
    }
    if let Some(o) = f.overdue {
        q = q.filter(case::Column::Overdue.eq(o));
    }
    if let Some(from) = f.from {
        q = q.filter(case::Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(case::Column::CreatedAt.lt(to));
    }
    q
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &TenantScope,
    actor: &Actor,
    f: &CaseFilter,
    page: &PageRequest,
) -> Result<WorkList> {
    let limit = page.limit()?;
    f.check()?;
    let base = filtered(visible(db, scope, actor, case::Entity::find()).await?, f);
    let counts: Vec<(String, i64)> = base
        .clone()
        .select_only()
        .column(case::Column::State)
        .column_as(Expr::col(case::Column::Id).count(), "n")
        .group_by(case::Column::State)
        .order_by_asc(case::Column::State)
        .into_tuple()
        .all(db)
        .await
        .or_internal()?;
    let newest = f.order == Some(CaseOrder::Newest);
    let mut q = if newest { base.order_by_desc(case::Column::Id) } else { base.order_by_asc(case::Column::Id) }
        .limit(limit + 1);
    if let Some(after) = page.after()? {
        q = q.filter(if newest { case::Column::Id.lt(after) } else { case::Column::Id.gt(after) });
    }
    let rows = q.all(db).await.or_internal()?;
    let (cal, limits) = crate::clock::load(db, scope).await?;
    let now = crate::now();
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(CaseView::from_row(r)?.with_clock(r, &cal, &limits, now));
    }
    Ok(WorkList {
        page: Page::from_rows(items, limit, |c| c.id),
        counts: counts.into_iter().map(|(state, count)| StateCount { state, count }).collect(),
    })
}

/// A case the actor may see, or not found.
pub(crate) async fn find_visible(
    db: &DatabaseConnection,
    scope: &TenantScope,
    actor: &Actor,
    id: Uuid,
) -> Result<case::Model> {
    visible(db, scope, actor, case::Entity::find_by_id(id))
        .await?
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("case"))
}

pub async fn detail(db: &DatabaseConnection, scope: &TenantScope, actor: &Actor, id: Uuid) -> Result<CaseDetail> {
    let row = find_visible(db, scope, actor, id).await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(id))
        .order_by_asc(case_event::Column::Seq)
        .all(db)
        .await
        .or_internal()?;
    let (cal, limits) = crate::clock::load(db, scope).await?;
    let actor_ids: Vec<Uuid> = events.iter().filter_map(|e| e.actor_id.as_deref()?.parse().ok()).collect();
    let names = tenancy::user::names_of(db, scope, &actor_ids).await?;
    let departments: std::collections::HashMap<Uuid, String> =
        tenancy::department::dispatch_targets(db, scope).await?.into_iter().map(|d| (d.id, d.name)).collect();
    let now = crate::now();
    let case = CaseView::from_row(&row)?.with_clock(&row, &cal, &limits, now);
    let available_actions = workflow::available::available(&case.workflow, actor, now);
    Ok(CaseDetail {
        case,
        available_actions,
        timeline: events
            .into_iter()
            .map(|e| {
                let name = e.actor_id.as_deref().and_then(|a| a.parse::<Uuid>().ok()).and_then(|a| names.get(&a));
                TimelineEntry {
                    seq: e.seq,
                    action: e.action,
                    actor_name: name.map(|n| n.display_name.clone()),
                    actor_department: name.and_then(|n| n.department_id).and_then(|d| departments.get(&d)).cloned(),
                    actor_id: e.actor_id,
                    role: e.role,
                    at: e.at,
                    payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
                    due: e.due,
                    hash: e.hash,
                }
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainReport {
    pub valid: bool,
    pub events: usize,
    /// The first event whose link or content does not match.
    pub broken_at: Option<u32>,
    pub reason: Option<String>,
}

/// A stored event as the workflow knows it.
pub fn to_event(s: &case_event::Model) -> Result<workflow::Event> {
    let action = serde_json::from_value(serde_json::Value::String(s.action.clone())).map_err(Error::internal)?;
    Ok(workflow::Event {
        seq: s.seq as u32,
        action,
        actor: s.actor_id.clone(),
        role: s.role.clone(),
        at: s.at,
        payload: serde_json::from_str(&s.payload).unwrap_or(serde_json::Value::Null),
        due: s.due,
    })
}

/// Recomputes the case's hash chain from its stored events.
pub async fn verify(db: &DatabaseConnection, scope: &TenantScope, actor: &Actor, id: Uuid) -> Result<ChainReport> {
    let row = find_visible(db, scope, actor, id).await?;
    let stored = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(row.id))
        .order_by_asc(case_event::Column::Seq)
        .all(db)
        .await
        .or_internal()?;
    let events = stored.iter().map(to_event).collect::<Result<Vec<_>>>()?;
    let result = chain::verify(events.iter().zip(&stored).map(|(e, s)| (e, s.prev_hash.as_str(), s.hash.as_str())));
    let tail_ok = stored.last().is_none_or(|s| s.hash == row.last_hash);
    Ok(match (result, tail_ok) {
        (Ok(()), true) => ChainReport { valid: true, events: stored.len(), broken_at: None, reason: None },
        (Ok(()), false) => ChainReport {
            valid: false,
            events: stored.len(),
            broken_at: Some(stored.len() as u32),
            reason: Some("the last event is not the one the case points to (events removed from the end)".into()),
        },
        (Err((seq, reason)), _) => {
            ChainReport { valid: false, events: stored.len(), broken_at: Some(seq), reason: Some(reason) }
        }
    })
}
