//! Taking an action on a case: decide with the state machine, append the event, update the
//! projection — in one transaction.

use kernel::{Error, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use tenancy::TenantOwned;
use tenancy::TenantScope;
use uuid::Uuid;
use workflow::{Actor, Command, Event, chain};

use crate::db::OrInternal;
use crate::duplicates::Nearby;
use crate::entity::{case, case_event};
use crate::query::{CaseView, find_visible, state_str};
use crate::recent::RecentCases;

/// The stored row of an event (`id` is the database's to assign).
pub(crate) fn event_model(tenant: Uuid, case_id: Uuid, e: &Event, prev: &str, hash: &str) -> case_event::Model {
    case_event::Model {
        id: 0,
        tenant_id: tenant,
        case_id,
        seq: e.seq as i32,
        action: serde_json::to_value(e.action).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        actor_id: e.actor.clone(),
        role: e.role.clone(),
        at: e.at,
        payload: e.payload.to_string(),
        due: e.due,
        prev_hash: prev.to_owned(),
        hash: hash.to_owned(),
    }
}

/// [`event_model`] as an insert.
pub(crate) fn event_row(tenant: Uuid, case_id: Uuid, e: &Event, prev: &str, hash: &str) -> case_event::ActiveModel {
    insertable(event_model(tenant, case_id, e, prev, hash))
}

/// An event row to insert, its `id` left to the database.
pub(crate) fn insertable(event: case_event::Model) -> case_event::ActiveModel {
    let mut row = case_event::ActiveModel::from(event);
    row.id = sea_orm::ActiveValue::NotSet;
    row
}

pub(crate) async fn insert_event<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    case_id: Uuid,
    e: &Event,
    prev: &str,
    hash: &str,
) -> Result<()> {
    let row = event_row(tenant, case_id, e, prev, hash);
    case_event::Entity::insert(row).exec_without_returning(db).await.map_err(|e| {
        if tenancy::db::is_unique_violation(&e) {
            Error::conflict("the case changed while this action was decided; reload it and try again")
        } else {
            Error::internal(e)
        }
    })?;
    Ok(())
}

/// Checks references in a command against the tenant's data.
async fn check_references(
    db: &DatabaseConnection,
    scope: &TenantScope,
    row: &case::Model,
    command: &Command,
) -> Result<()> {
    let case_id = row.id;
    match command {
        Command::Dispatch { department } => {
            let id = Uuid::parse_str(department).map_err(|_| Error::invalid("department", "is not a department id"))?;
            if !tenancy::department::is_dispatch_target(db, scope.tenant(), id).await? {
                return Err(Error::invalid("department", "no such department in this county or shared by its city"));
            }
        }
        Command::Merge { into } => {
            let id = Uuid::parse_str(into).map_err(|_| Error::invalid("into", "is not a case id"))?;
            let kept = case::Entity::find_by_id_in(scope, id)
                .one(db)
                .await
                .or_internal()?
                .ok_or_else(|| Error::invalid("into", "no such case in this county"))?;
            if id == case_id {
                return Err(Error::invalid("into", "a case cannot be merged into itself"));
            }
            if matches!(kept.state.as_str(), "rejected" | "voided") {
                return Err(Error::invalid("into", "the case to keep is itself rejected or voided"));
            }
        }
        Command::Handle { photos, .. } | Command::Verify { photos, .. } | Command::Check { photos, .. } => {
            crate::photos::check_ids(db, scope, photos).await?
        }
        Command::File { class_code, .. } => {
            let kind = inventory::catalog::Kind::parse(&row.kind).unwrap_or(inventory::catalog::Kind::Matter);
            if !inventory::catalog::class_exists(db, scope.tenant(), kind, class_code).await? {
                return Err(Error::invalid(
                    "class_code",
                    format!("{class_code} is not a {} class of the catalogue", kind.as_str()),
                ));
            }
            // Filed under another class than its census component's, the case would contradict
            // the census as a report of that class would (see intake). A component removed from
            // the census since leaves nothing to contradict.
            if let Some(id) = &row.component_id
                && let Ok(c) = inventory::census::query::get(db, scope, id).await
                && let Some((_, problem)) = crate::intake::contradicts_census(kind, class_code, &c)
            {
                return Err(Error::invalid("class_code", problem));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Takes `command` on the case as `actor`; `recent` takes in the case as it now is (a case closed
/// or voided is no longer anyone's likely duplicate, from the next report on).
pub async fn act(
    db: &DatabaseConnection,
    recent: &RecentCases,
    scope: &TenantScope,
    case_id: Uuid,
    actor: &Actor,
    command: Command,
) -> Result<CaseView> {
    let (view, _) = decide_and_append(db, recent, scope, case_id, actor, &command, None).await?;
    Ok(view)
}

/// The answer to an action sent with an `Idempotency-Key`: the case after it as JSON (the same
/// bytes the record keeps), and whether it is the stored answer of an earlier request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

/// [`act`] with an `Idempotency-Key`: a retried action (the same key, case and command) gets the
/// first answer — status and body — instead of a 409 because the case has moved on; the same key
/// with another case or command is refused (422 naming `Idempotency-Key`). The record is stored in
/// the transaction of the event, so an answer is kept exactly when the action took effect; a
/// refused action stores nothing, and its retry is decided again.
#[allow(clippy::too_many_arguments)]
pub async fn act_keyed(
    db: &DatabaseConnection,
    recent: &RecentCases,
    keys: &crate::idempotency::Keys,
    scope: &TenantScope,
    case_id: Uuid,
    actor: &Actor,
    command: Command,
    key: &str,
) -> Result<Answer> {
    crate::idempotency::check_key(key)?;
    let (tenant, user) = (scope.tenant_id().0, scope.principal().user_id().0);
    let hash = request_hash(case_id, &command);
    let replay = || async {
        let prior = crate::idempotency::find(db, tenant, user, key, keys.cutoff()).await?;
        prior
            .map(|p| {
                crate::idempotency::answer_of(&p, &hash).map(|s| Answer {
                    status: s.status,
                    body: s.body,
                    replayed: true,
                })
            })
            .transpose()
    };
    if let Some(answer) = replay().await? {
        return Ok(answer);
    }
    let pending = Pending { tenant, user, key, hash: hash.clone(), keys };
    match decide_and_append(db, recent, scope, case_id, actor, &command, Some(pending)).await {
        Ok((_, body)) => Ok(Answer { status: 200, body: body.unwrap_or_default(), replayed: false }),
        // A retry racing its original: the original's event or record came first.
        Err(e) => match replay().await? {
            Some(answer) => Ok(answer),
            None => Err(e),
        },
    }
}

/// What identifies an action request: the case and the command.
fn request_hash(case_id: Uuid, command: &Command) -> String {
    use sha2::Digest;
    let body = serde_json::to_string(command).unwrap_or_default();
    hex::encode(sha2::Sha256::digest(format!("actions\n{case_id}\n{body}").as_bytes()))
}

/// An idempotency record to store with the action's event.
struct Pending<'a> {
    tenant: Uuid,
    user: Uuid,
    key: &'a str,
    hash: String,
    keys: &'a crate::idempotency::Keys,
}

async fn decide_and_append(
    db: &DatabaseConnection,
    recent: &RecentCases,
    scope: &TenantScope,
    case_id: Uuid,
    actor: &Actor,
    command: &Command,
    pending: Option<Pending<'_>>,
) -> Result<(CaseView, Option<String>)> {
    let row = find_visible(db, scope, actor, case_id).await?;
    check_references(db, scope, &row, command).await?;
    let projection: workflow::Case = serde_json::from_str(&row.projection).map_err(Error::internal)?;
    let now = crate::now();
    let event = workflow::decide(&projection, actor, command, now).map_err(crate::refusal)?;
    let (saved, view, body) = append_recorded(db, Some(recent.replica()), row, projection, event, pending).await?;
    recent.record([Nearby::from(&saved)]);
    Ok((view, body))
}

/// Appends a decided event and updates the projection row, stamped with the writing server
/// (`replica`); returns the row as saved and its view.
pub(crate) async fn append(
    db: &DatabaseConnection,
    replica: Option<Uuid>,
    row: case::Model,
    projection: workflow::Case,
    event: Event,
) -> Result<(case::Model, CaseView)> {
    let (saved, view, _) = append_recorded(db, replica, row, projection, event, None).await?;
    Ok((saved, view))
}

/// [`append`], and with `pending` the idempotency record of the request in the same transaction;
/// then also the view as stored in it (JSON).
async fn append_recorded(
    db: &DatabaseConnection,
    replica: Option<Uuid>,
    row: case::Model,
    projection: workflow::Case,
    mut event: Event,
    pending: Option<Pending<'_>>,
) -> Result<(case::Model, CaseView, Option<String>)> {
    let next = workflow::apply(projection, &event);
    // Read before the transaction: a write holds one connection, never two.
    let (cal, limits) = crate::clock::load_of(db, row.tenant_id).await?;
    let class_code = next.class_code.clone().unwrap_or_else(|| row.class_code.clone());
    let deadline =
        crate::clock::deadline_of(&next, &case::Model { class_code: class_code.clone(), ..row.clone() }, &cal, &limits);
    // The event records the deadline under today's rules before it is hashed.
    event.due = deadline;
    let hash = chain::link(&row.last_hash, &event);
    // Who hears of it, read before the transaction too; the notice is written in it.
    let notice = crate::notify::prepare(db, &row, &next, &event).await?;
    let txn = db.begin().await.or_internal()?;
    insert_event(&txn, row.tenant_id, row.id, &event, &row.last_hash, &hash).await?;
    if let Some((notice, users)) = &notice {
        notifications::record(&txn, kernel::ids::TenantId(row.tenant_id), notice, users, event.at).await?;
    }
    let department = next.department.as_deref().and_then(|d| Uuid::parse_str(d).ok());
    let row_timeline = row.timeline.clone();
    let mut am: case::ActiveModel = row.into();
    am.deadline = Set(deadline);
    am.state = Set(state_str(next.state).to_owned());
    am.class_code = Set(class_code);
    am.department_id = Set(department);
    am.overdue = Set(next.overdue);
    am.closed_at = Set(next.closed_at);
    am.projection = Set(serde_json::to_string(&next).map_err(Error::internal)?);
    am.last_hash = Set(hash);
    // A case stored before timelines existed gets its whole timeline from the start-up backfill.
    if let Some(mut timeline) = row_timeline {
        timeline.extend_from_slice(&evaluation::timeline::encode(&event));
        am.timeline = Set(Some(timeline));
    }
    am.updated_at = Set(event.at);
    am.replica = Set(replica);
    let saved = case::Entity::update(am).exec(&txn).await.or_internal()?;
    let view = CaseView::from_row(&saved)?.with_clock(&saved, &cal, &limits, crate::now());
    let body = match pending {
        Some(p) => {
            let body = serde_json::to_string(&view).map_err(Error::internal)?;
            let cutoff = p.keys.cutoff();
            // An expired record of the key (not purged yet) no longer counts.
            crate::idempotency::forget_expired(&txn, p.tenant, p.user, p.key, cutoff).await?;
            crate::idempotency::store(
                &txn,
                crate::entity::idempotency_key::Model {
                    tenant_id: p.tenant,
                    user_id: p.user,
                    key: p.key.to_owned(),
                    request_hash: p.hash,
                    status: 200,
                    response: body.clone(),
                    created_at: p.keys.clock().now(),
                },
            )
            .await?;
            Some(body)
        }
        None => None,
    };
    txn.commit().await.or_internal()?;
    Ok((saved, view, body))
}
