//! The notification centre (the console's bell) and the outbox of the events behind it.
//!
//! A change that someone should hear about — a task dispatched to a department, a verification
//! or check task for a duty grid, a deadline turning yellow or red, a 督办, an approval waiting, an
//! import finished — records a [`Notice`] with [`record`] *in the transaction of the change*: the
//! notice exists exactly when the change does. A notice is stored once as an event (the outbox
//! the webhooks read: stable id, kind, tenant, time, parameters) and once per recipient (the
//! bell's rows, with a read mark). Nothing is rendered here: `params` carry what the console
//! needs to phrase the message in the reader's language.
//!
//! Who the recipients are is the caller's business (the case crate knows departments, duty grids
//! and roles of the workflow; the census import knows who started it); this crate offers the two
//! lookups they share ([`department_users`], [`role_holders`]).

pub mod entity;

use chrono::{DateTime, Utc};
use kernel::ids::TenantId;
use kernel::{Error, Result};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tenancy::db::OrInternal;
use tenancy::{Access, Role, TenantScope};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use entity::{notification, notification_event};

/// What a notification is about. The console renders each kind with its `params`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A case was dispatched to the recipient's department, claimed by it, or sent back to it for
    /// rework (`params.via`: `dispatch`, `claim` or `rework`).
    TaskDispatched,
    /// 核实: a collector of the case's duty grid is to verify the report on site.
    VerificationTask,
    /// 核查: a collector of the case's duty grid is to check the handling on site.
    CheckTask,
    /// The running stage passed 80 % of its time limit (`params.state`, `params.deadline`).
    DeadlineYellow,
    /// The running stage passed its deadline: the case was marked overdue.
    DeadlineRed,
    /// A supervision order (督办) on a case (`params.note`, `params.due`, `params.from_city`).
    SupervisionOrder,
    /// A request waits for the recipient's approval (`params.request`: `extension`, `return`,
    /// `suspension` or `void`; `params.reason`, and `params.hours` for an extension).
    ApprovalWaiting,
    /// A census import the recipient started has finished (`params.job_id`, `params.status`:
    /// `succeeded` or `failed`, `params.message`).
    ImportFinished,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::TaskDispatched,
        Kind::VerificationTask,
        Kind::CheckTask,
        Kind::DeadlineYellow,
        Kind::DeadlineRed,
        Kind::SupervisionOrder,
        Kind::ApprovalWaiting,
        Kind::ImportFinished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::TaskDispatched => "task_dispatched",
            Kind::VerificationTask => "verification_task",
            Kind::CheckTask => "check_task",
            Kind::DeadlineYellow => "deadline_yellow",
            Kind::DeadlineRed => "deadline_red",
            Kind::SupervisionOrder => "supervision_order",
            Kind::ApprovalWaiting => "approval_waiting",
            Kind::ImportFinished => "import_finished",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The case a notice is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    pub id: Uuid,
    pub number: String,
}

/// A notice to record: its kind, the case it is about, the parameters of its message and, for
/// notices a timer raises, the key that makes it once-only.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: Kind,
    pub case: Option<CaseRef>,
    pub params: Value,
    /// Unique per tenant: a second notice with the same key is not recorded (two servers
    /// sweeping the same deadline, or one sweeping it twice).
    pub dedupe: Option<String>,
}

impl Notice {
    pub fn new(kind: Kind, case: Option<CaseRef>, params: Value) -> Self {
        Self { kind, case, params, dedupe: None }
    }

    pub fn once(mut self, key: impl Into<String>) -> Self {
        self.dedupe = Some(key.into());
        self
    }
}

/// Records `notice` in tenant `tenant` for `recipients` (duplicates ignored), inside the caller's
/// transaction `db`. Returns the event's id, or `None` when a notice with the same `dedupe` key
/// was recorded before (then nobody is notified again). The event is recorded even without
/// recipients: the outbox has it for the webhooks.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    notice: &Notice,
    recipients: &[Uuid],
    at: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let params = notice.params.to_string();
    let event = notification_event::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.0),
        kind: Set(notice.kind.as_str().to_owned()),
        case_id: Set(notice.case.as_ref().map(|c| c.id)),
        case_number: Set(notice.case.as_ref().map(|c| c.number.clone())),
        params: Set(params.clone()),
        dedupe: Set(notice.dedupe.clone()),
        created_at: Set(at),
    };
    let inserted = notification_event::Entity::insert(event)
        .on_conflict(
            OnConflict::columns([notification_event::Column::TenantId, notification_event::Column::Dedupe])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .or_internal()?;
    if inserted == 0 {
        return Ok(None);
    }
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<notification::ActiveModel> = recipients
        .iter()
        .filter(|u| seen.insert(**u))
        .map(|user| notification::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            event_id: Set(id),
            user_id: Set(*user),
            kind: Set(notice.kind.as_str().to_owned()),
            case_id: Set(notice.case.as_ref().map(|c| c.id)),
            case_number: Set(notice.case.as_ref().map(|c| c.number.clone())),
            params: Set(params.clone()),
            created_at: Set(at),
            read_at: Set(None),
        })
        .collect();
    // Bounded by the parameters one statement may bind (10 per row).
    for chunk in rows.chunks(1000) {
        notification::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await.or_internal()?;
    }
    Ok(Some(id))
}

/// The active users working for department `department` (of the county, or of its city when the
/// city shares the department).
pub async fn department_users<C: ConnectionTrait>(db: &C, department: Uuid) -> Result<Vec<Uuid>> {
    use tenancy::entity::user;
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::DepartmentId.eq(department))
        .filter(user::Column::Status.eq("active"))
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .or_internal()
}

/// The active users holding `role` in tenant `tenant`.
pub async fn role_holders<C: ConnectionTrait>(db: &C, tenant: kernel::TenantCode, role: Role) -> Result<Vec<Uuid>> {
    use tenancy::entity::user;
    let ids: Vec<Uuid> = tenancy::authz::holders_of(db, role, tenant).await?.into_iter().map(|u| u.0).collect();
    if ids.is_empty() {
        return Ok(ids);
    }
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Status.eq("active"))
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .or_internal()
}

/// A notification as its recipient sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ae8a4-7c1e-7b52-9d3f-2a4b6c8d0e1f",
    "event_id": "019ae8a4-7c1d-7a10-8e2f-1b3c5d7e9f01",
    "kind": "task_dispatched",
    "case_id": "019ae8a1-0a2b-7c3d-8e4f-5a6b7c8d9e0f",
    "case_number": "320115-20261204-0042",
    "params": {"via": "dispatch"},
    "created_at": "2026-12-04T08:15:00Z",
    "read_at": null
}))]
pub struct NotificationView {
    pub id: Uuid,
    /// The event behind it (shared by every recipient of the same notice; the webhooks' id).
    pub event_id: Uuid,
    pub kind: Kind,
    pub case_id: Option<Uuid>,
    pub case_number: Option<String>,
    /// What the message says, by kind (see [`Kind`]); the console renders it.
    #[schema(value_type = Object)]
    pub params: Value,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

fn view(m: notification::Model) -> NotificationView {
    NotificationView {
        id: m.id,
        event_id: m.event_id,
        // A kind this build does not know (written by a newer one) reads as the nearest generic.
        kind: Kind::parse(&m.kind).unwrap_or(Kind::TaskDispatched),
        case_id: m.case_id,
        case_number: m.case_number,
        params: serde_json::from_str(&m.params).unwrap_or(Value::Null),
        created_at: m.created_at,
        read_at: m.read_at,
    }
}

/// One page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    /// Pass as `cursor` to get the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of the caller's notifications.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFilter {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// How many to return (1–500, default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// What the bell polls: the unread count and the newest notification's id (a newer id than the
/// last one seen means something new arrived).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"unread": 3, "latest_id": "019ae8a4-7c1e-7b52-9d3f-2a4b6c8d0e1f"}))]
pub struct Summary {
    pub unread: u64,
    pub latest_id: Option<Uuid>,
}

/// Which notifications to mark read: the listed ones, or all of the caller's.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ids": ["019ae8a4-7c1e-7b52-9d3f-2a4b6c8d0e1f"]}))]
pub struct MarkRead {
    #[serde(default)]
    pub ids: Vec<Uuid>,
    #[serde(default)]
    pub all: bool,
}

/// How many notifications a mark changed (0 when they were read already).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"marked": 1}))]
pub struct Marked {
    pub marked: u64,
}

/// The most ids one mark takes.
pub const MAX_MARK: usize = 500;

/// The caller's own notifications in the scope's tenant. In the caller's own tenant these are all
/// of theirs, also those from the counties beneath it (a city department shared with its counties
/// hears of the counties' cases); reached into a county, only those about that county.
fn mine(scope: &TenantScope) -> sea_orm::Select<notification::Entity> {
    let q = notification::Entity::find().filter(notification::Column::UserId.eq(scope.principal().user_id().0));
    match scope.access() {
        Access::Own => q,
        Access::Descendant => q.filter(notification::Column::TenantId.eq(scope.tenant_id().0)),
    }
}

/// The caller's notifications, newest first.
pub async fn list(db: &DatabaseConnection, scope: &TenantScope, filter: &ListFilter) -> Result<NotificationPage> {
    let page = kernel::PageRequest { limit: filter.limit, cursor: filter.cursor.clone() };
    let limit = page.limit()?;
    let mut q = mine(scope);
    if filter.unread == Some(true) {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(after) = page.after()? {
        q = q.filter(notification::Column::Id.lt(after));
    }
    let rows = q.order_by_desc(notification::Column::Id).limit(limit + 1).all(db).await.or_internal()?;
    let page = kernel::Page::from_rows(rows, limit, |r| r.id);
    Ok(NotificationPage { items: page.items.into_iter().map(view).collect(), next_cursor: page.next_cursor })
}

/// The caller's unread count and newest notification.
pub async fn summary(db: &DatabaseConnection, scope: &TenantScope) -> Result<Summary> {
    let unread = mine(scope).filter(notification::Column::ReadAt.is_null()).count(db).await.or_internal()?;
    let latest_id = mine(scope)
        .select_only()
        .column(notification::Column::Id)
        .order_by_desc(notification::Column::Id)
        .limit(1)
        .into_tuple::<Uuid>()
        .one(db)
        .await
        .or_internal()?;
    Ok(Summary { unread, latest_id })
}

/// Marks the caller's notifications read (ids of others' are ignored; marking twice is fine).
pub async fn mark_read(db: &DatabaseConnection, scope: &TenantScope, mark: &MarkRead) -> Result<Marked> {
    if !mark.all && mark.ids.is_empty() {
        return Err(Error::invalid("ids", "name the notifications to mark read, or send `all: true`"));
    }
    if mark.all && !mark.ids.is_empty() {
        return Err(Error::invalid("ids", "send either `ids` or `all: true`, not both"));
    }
    if mark.ids.len() > MAX_MARK {
        return Err(Error::invalid("ids", format!("at most {MAX_MARK} ids at once")));
    }
    let mut q = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Some(Utc::now())))
        .filter(notification::Column::UserId.eq(scope.principal().user_id().0))
        .filter(notification::Column::ReadAt.is_null());
    if scope.access() == Access::Descendant {
        q = q.filter(notification::Column::TenantId.eq(scope.tenant_id().0));
    }
    if !mark.all {
        q = q.filter(notification::Column::Id.is_in(mark.ids.clone()));
    }
    let r = q.exec(db).await.or_internal()?;
    Ok(Marked { marked: r.rows_affected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(Value::String(k.as_str().to_owned())));
        }
    }
}
