//! Who hears of a case's events: the notices an event raises and their recipients.
//!
//! [`plan`] is the rule, pure: from the case before and after an event, the notice (kind and
//! parameters) and its audiences — a department's users, the holders of a workflow role, the
//! collectors of the case's duty grid, or whoever holds the case now. [`resolve`] turns audiences
//! into users (reads, done before the event's transaction: a write holds one connection, never
//! two), and the caller records the notice with [`notifications::record`] in that transaction.
//! The actor is never told of their own action.

use kernel::Result;
use kernel::ids::TenantId;
use notifications::{CaseRef, Kind, Notice};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use tenancy::{Role, TenantOwned};
use uuid::Uuid;
use workflow::{Action, Event, State};

use crate::db::OrInternal;
use crate::entity::case;

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The users of a department (the county's, or one its city shares).
    Department(Uuid),
    /// The county's holders of a workflow role.
    Role(Role),
    /// The collectors of a duty grid; the county's collectors when it has none (or the case none).
    DutyGrid(Option<Uuid>),
}

/// A notice and its audiences.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub notice: Notice,
    pub audiences: Vec<Audience>,
}

/// Who holds a case in `state`: the department while it works on it, the command centre while it
/// waits for dispatch, the supervision centre otherwise (intake, verification, filing, check and
/// closure are the centre's). Nobody while the clock is stopped or the case is over.
pub fn holder(state: State, department: Option<Uuid>) -> Option<Audience> {
    match state {
        State::Dispatched => Some(department.map_or(Audience::Role(Role::CommandCenter), Audience::Department)),
        State::Filed => Some(Audience::Role(Role::CommandCenter)),
        State::Reported
        | State::Verifying
        | State::Accepted
        | State::Handled
        | State::Checking
        | State::Checked
        | State::SelfHandled => Some(Audience::Role(Role::SupervisionCenter)),
        State::Suspended | State::Closed | State::Rejected | State::Voided => None,
    }
}

fn department_of(c: &workflow::Case) -> Option<Uuid> {
    c.department.as_deref().and_then(|d| Uuid::parse_str(d).ok())
}

/// The notice `event` raises on the case `row` (as it was before the event), now `next`, if any.
pub fn plan(row: &case::Model, next: &workflow::Case, event: &Event) -> Option<Planned> {
    let case = Some(CaseRef { id: row.id, number: row.number.clone() });
    let p = &event.payload;
    let text = |k: &str| p.get(k).cloned().unwrap_or(Value::Null);
    let base = |extra: Value| {
        let mut params = json!({"state": crate::query::state_str(next.state), "class_code": next.class_code.as_deref().unwrap_or(&row.class_code)});
        if let (Some(o), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        params
    };
    let one = |kind: Kind, params: Value, audiences: Vec<Audience>| {
        Some(Planned { notice: Notice::new(kind, case.clone(), params), audiences })
    };
    match event.action {
        Action::Dispatch | Action::Claim => {
            let via = if event.action == Action::Claim { "claim" } else { "dispatch" };
            let d = department_of(next)?;
            one(
                Kind::TaskDispatched,
                base(json!({"via": via, "deadline": row_deadline(event)})),
                vec![Audience::Department(d)],
            )
        }
        // 返工: a failed check sends the case back to its department.
        Action::Check if next.state == State::Dispatched => {
            let d = department_of(next)?;
            one(
                Kind::TaskDispatched,
                base(json!({"via": "rework", "note": text("note")})),
                vec![Audience::Department(d)],
            )
        }
        Action::SendVerification => {
            one(Kind::VerificationTask, base(json!({})), vec![Audience::DutyGrid(row.duty_grid_id)])
        }
        Action::SendCheck => one(Kind::CheckTask, base(json!({})), vec![Audience::DutyGrid(row.duty_grid_id)]),
        Action::MarkOverdue => {
            let who = holder(next.state, department_of(next))?;
            one(Kind::DeadlineRed, base(json!({"deadline": row.deadline})), vec![who])
        }
        Action::Supervise => {
            let mut audiences = vec![Audience::Role(Role::CommandCenter)];
            if let Some(d) = department_of(next).filter(|_| next.state != State::Filed) {
                audiences.insert(0, Audience::Department(d));
            }
            let from_city = event.role.as_deref() == Some("city-oversight");
            one(
                Kind::SupervisionOrder,
                base(json!({"note": text("note"), "due": text("due"), "from_city": from_city})),
                audiences,
            )
        }
        Action::RequestExtension | Action::RequestReturn | Action::RequestSuspension | Action::RequestVoid => {
            let (request, approver) = match event.action {
                Action::RequestExtension => ("extension", Role::CommandCenter),
                Action::RequestReturn => ("return", Role::CommandCenter),
                Action::RequestSuspension => ("suspension", Role::CommandCenter),
                // 作废 is approved by the supervision centre (the workflow's table).
                _ => ("void", Role::SupervisionCenter),
            };
            one(
                Kind::ApprovalWaiting,
                base(json!({"request": request, "reason": text("reason"), "hours": text("hours")})),
                vec![Audience::Role(approver)],
            )
        }
        _ => None,
    }
}

fn row_deadline(event: &Event) -> Value {
    event.due.map(|d| json!(d)).unwrap_or(Value::Null)
}

/// The users of `audiences` in county `tenant`, without `except` (the actor).
pub(crate) async fn resolve<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    audiences: &[Audience],
    except: Option<&str>,
) -> Result<Vec<Uuid>> {
    let mut users = Vec::new();
    let mut code = None;
    for a in audiences {
        match a {
            Audience::Department(d) => users.extend(notifications::department_users(db, *d).await?),
            Audience::Role(role) => {
                let c = match code {
                    Some(c) => c,
                    None => *code.insert(tenant_code(db, tenant).await?),
                };
                users.extend(notifications::role_holders(db, c, *role).await?);
            }
            Audience::DutyGrid(grid) => {
                use inventory::entity::duty_grid_collector as dgc;
                let assigned: Vec<Uuid> = match grid {
                    Some(g) => dgc::Entity::find_in(&tenant_ref(db, tenant).await?)
                        .select_only()
                        .column(dgc::Column::UserId)
                        .filter(dgc::Column::DutyGridId.eq(*g))
                        .into_tuple::<Uuid>()
                        .all(db)
                        .await
                        .or_internal()?,
                    None => Vec::new(),
                };
                if assigned.is_empty() {
                    let c = match code {
                        Some(c) => c,
                        None => *code.insert(tenant_code(db, tenant).await?),
                    };
                    users.extend(notifications::role_holders(db, c, Role::Collector).await?);
                } else {
                    users.extend(assigned);
                }
            }
        }
    }
    let except = except.and_then(|u| Uuid::parse_str(u).ok());
    let mut seen = std::collections::HashSet::new();
    users.retain(|u| Some(*u) != except && seen.insert(*u));
    Ok(users)
}

/// The case's own tenant (from the row being written or swept, never one a caller named).
async fn tenant_ref<C: ConnectionTrait>(db: &C, tenant: TenantId) -> Result<tenancy::TenantRef> {
    let code = tenant_code(db, tenant).await?;
    let scope = tenancy::SystemScope::by_code(db, tenancy::Job::Notifications, code.as_str()).await?;
    let scope = scope.ok_or_else(|| kernel::Error::internal(anyhow::anyhow!("tenant {code} not found")))?;
    Ok(scope.tenant().clone())
}

async fn tenant_code<C: ConnectionTrait>(db: &C, tenant: TenantId) -> Result<kernel::TenantCode> {
    use tenancy::entity::tenant;
    let code: Option<String> = tenant::Entity::find_by_id(tenant.0)
        .select_only()
        .column(tenant::Column::Code)
        .into_tuple()
        .one(db)
        .await
        .or_internal()?;
    let code = code.ok_or_else(|| kernel::Error::internal(anyhow::anyhow!("tenant {} not found", tenant.0)))?;
    kernel::TenantCode::parse(&code).map_err(|e| kernel::Error::internal(anyhow::anyhow!(e)))
}

/// The notice of `event` and its recipients, resolved: what [`crate::act`] records with the event.
pub(crate) async fn prepare<C: ConnectionTrait>(
    db: &C,
    row: &case::Model,
    next: &workflow::Case,
    event: &Event,
) -> Result<Option<(Notice, Vec<Uuid>)>> {
    let Some(planned) = plan(row, next, event) else { return Ok(None) };
    let users = resolve(db, TenantId(row.tenant_id), &planned.audiences, event.actor.as_deref()).await?;
    Ok(Some((planned.notice, users)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_follows_the_state() {
        let d = Uuid::now_v7();
        assert_eq!(holder(State::Dispatched, Some(d)), Some(Audience::Department(d)));
        assert_eq!(holder(State::Filed, None), Some(Audience::Role(Role::CommandCenter)));
        assert_eq!(holder(State::Reported, None), Some(Audience::Role(Role::SupervisionCenter)));
        assert_eq!(holder(State::Suspended, Some(d)), None);
        assert_eq!(holder(State::Closed, None), None);
    }
}
