//! States, sources, actions, commands and events of a case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a problem came from (问题来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 监督员上报 on patrol.
    Patrol,
    /// Public report through the web or WeChat.
    Public,
    /// 12319/12345 hotline, registered by staff.
    Hotline,
    /// A third party through the API.
    ThirdParty,
    /// A supervision order of the city (市级督办).
    CityOrder,
    /// Video / AI detection.
    Video,
}

impl Source {
    /// Reports not found by a collector must be verified on site (核实) before acceptance.
    pub fn needs_verification(self) -> bool {
        !matches!(self, Source::Patrol)
    }
}

/// The state of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// 上报 / registered, waiting for the supervision centre.
    Reported,
    /// 发核实: a collector of the duty grid is to verify on site.
    Verifying,
    /// 受理: accepted, waiting for 立案.
    Accepted,
    /// 立案: filed, waiting for 派遣 (or a department's claim).
    Filed,
    /// 派遣: with a department; the disposal clock runs.
    Dispatched,
    /// 挂账: suspended long-term work; the clock is stopped.
    Suspended,
    /// 处置反馈: the department reported it handled.
    Handled,
    /// 发核查: a collector is to check on site.
    Checking,
    /// 核查通过: waiting for 结案.
    Checked,
    /// 自处置: a collector fixed it on the spot; waiting for the centre's review.
    SelfHandled,
    /// 结案.
    Closed,
    /// 不予受理 / 不予立案.
    Rejected,
    /// 作废 (also a duplicate merged into another case).
    Voided,
}

impl State {
    pub fn is_terminal(self) -> bool {
        matches!(self, State::Closed | State::Rejected | State::Voided)
    }
}

/// Every action of the workflow (the `action` of an event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Report,
    SelfHandle,
    SendVerification,
    Verify,
    Accept,
    Reject,
    File,
    Dispatch,
    Claim,
    Handle,
    SendCheck,
    Check,
    Close,
    RequestExtension,
    ApproveExtension,
    RefuseExtension,
    RequestReturn,
    ApproveReturn,
    RefuseReturn,
    RequestSuspension,
    ApproveSuspension,
    RefuseSuspension,
    Resume,
    RequestVoid,
    ApproveVoid,
    RefuseVoid,
    Merge,
    Supervise,
    Callback,
    MarkOverdue,
}

/// Who acts: the roles the caller holds in the case's tenant (or, for a city order, in the
/// city), and the department they work for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: uuid_like::Id,
    pub roles: Vec<String>,
    pub department: Option<uuid_like::Id>,
    /// Acting from the city above the county (city oversight issuing 督办).
    pub from_city: bool,
    /// The system itself (timers).
    pub system: bool,
}

/// Ids are opaque strings here, so the state machine does not depend on a uuid crate.
pub mod uuid_like {
    pub type Id = String;
}

impl Actor {
    /// The public reporter of a case on the public page (role `public`): may only rate the
    /// handling of their report once it is closed (回访 by the reporter themselves).
    pub fn public() -> Actor {
        Actor {
            user: "public".into(),
            roles: vec![crate::machine::PUBLIC.into()],
            department: None,
            from_city: false,
            system: false,
        }
    }

    pub fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// What an actor asks for. The payload is validated here, not by HTTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    SendVerification,
    /// 核实: the collector found the problem on site, or not.
    Verify {
        found: bool,
        note: Option<String>,
        /// Ids of uploaded photos taken on site (left out of the event when empty, so events
        /// and request hashes written before photos existed stay the same).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<String>,
    },
    Accept,
    /// 不予受理 (before acceptance) or 不予立案 (after).
    Reject {
        reason: String,
    },
    /// 立案 with the class and the 立案条件 confirmed.
    File {
        class_code: String,
        condition: Option<String>,
    },
    Dispatch {
        department: String,
    },
    /// 主动认领 by a department before dispatch.
    Claim,
    /// 处置反馈 with after-photos.
    Handle {
        note: String,
        #[serde(default)]
        photos: Vec<String>,
    },
    SendCheck,
    /// 核查: passed, or back to the department (返工).
    Check {
        passed: bool,
        note: Option<String>,
        /// Ids of uploaded photos taken on site (left out of the event when empty).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<String>,
    },
    Close,
    RequestExtension {
        hours: f64,
        reason: String,
    },
    ApproveExtension,
    RefuseExtension {
        reason: String,
    },
    RequestReturn {
        reason: String,
    },
    ApproveReturn,
    RefuseReturn {
        reason: String,
    },
    RequestSuspension {
        reason: String,
    },
    ApproveSuspension,
    RefuseSuspension {
        reason: String,
    },
    Resume,
    RequestVoid {
        reason: String,
    },
    ApproveVoid,
    RefuseVoid {
        reason: String,
    },
    /// A duplicate: voided with a link to the case that is kept.
    Merge {
        into: String,
    },
    /// 督办: a supervision order with a due time.
    Supervise {
        note: String,
        due: DateTime<Utc>,
    },
    /// 回访 of a public reporter after closure.
    Callback {
        satisfaction: u8,
        note: Option<String>,
    },
    MarkOverdue,
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::SendVerification => Action::SendVerification,
            Command::Verify { .. } => Action::Verify,
            Command::Accept => Action::Accept,
            Command::Reject { .. } => Action::Reject,
            Command::File { .. } => Action::File,
            Command::Dispatch { .. } => Action::Dispatch,
            Command::Claim => Action::Claim,
            Command::Handle { .. } => Action::Handle,
            Command::SendCheck => Action::SendCheck,
            Command::Check { .. } => Action::Check,
            Command::Close => Action::Close,
            Command::RequestExtension { .. } => Action::RequestExtension,
            Command::ApproveExtension => Action::ApproveExtension,
            Command::RefuseExtension { .. } => Action::RefuseExtension,
            Command::RequestReturn { .. } => Action::RequestReturn,
            Command::ApproveReturn => Action::ApproveReturn,
            Command::RefuseReturn { .. } => Action::RefuseReturn,
            Command::RequestSuspension { .. } => Action::RequestSuspension,
            Command::ApproveSuspension => Action::ApproveSuspension,
            Command::RefuseSuspension { .. } => Action::RefuseSuspension,
            Command::Resume => Action::Resume,
            Command::RequestVoid { .. } => Action::RequestVoid,
            Command::ApproveVoid => Action::ApproveVoid,
            Command::RefuseVoid { .. } => Action::RefuseVoid,
            Command::Merge { .. } => Action::Merge,
            Command::Supervise { .. } => Action::Supervise,
            Command::Callback { .. } => Action::Callback,
            Command::MarkOverdue => Action::MarkOverdue,
        }
    }
}

/// A pending request awaiting approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pending {
    Extension,
    Return,
    Suspension,
    Void,
}

/// One fact in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// 1, 2, 3 … within the case.
    pub seq: u32,
    pub action: Action,
    pub actor: Option<String>,
    /// The role the actor acted in.
    pub role: Option<String>,
    pub at: DateTime<Utc>,
    /// The command's data (and, for the first event, the report).
    pub payload: serde_json::Value,
    /// The deadline of the stage the case is in after this event, by the time limits and work
    /// calendar in force when it happened (none while no clock runs). Evaluation reads it from
    /// here, so later changes of the rules do not rewrite the past. Part of the hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
}

/// The projection of a case's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Case {
    pub state: State,
    pub source: Source,
    /// The collector (or staff member) who reported it.
    pub reporter: Option<String>,
    pub verified: bool,
    pub class_code: Option<String>,
    pub department: Option<String>,
    /// Claimed by the department before dispatch (主动认领).
    pub claimed: bool,
    pub pending: Option<Pending>,
    /// The requester of the pending request (an approval must come from someone else for 作废).
    pub pending_by: Option<String>,
    /// Requested hours of a pending extension.
    pub pending_hours: Option<f64>,
    /// Approved extension hours, summed.
    pub extension_hours: f64,
    pub rework_count: u32,
    pub return_count: u32,
    pub supervision_orders: u32,
    pub overdue: bool,
    pub satisfaction: Option<u8>,
    pub merged_into: Option<String>,
    /// When the current stage began (the clock of its time limit).
    pub stage_started: DateTime<Utc>,
    /// When the disposal clock started (first dispatch or claim).
    pub dispatched_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Suspension intervals (挂账 → 恢复); the last is open while suspended. They stop the
    /// disposal clock.
    #[serde(default)]
    #[schema(value_type = Vec<PauseInterval>)]
    pub pauses: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// Number of events folded in.
    pub events: u32,
}

/// One suspension interval as the API shows it: `[from, until]` (RFC 3339), `until` null while
/// the case is still suspended. Only a schema: [`Case::pauses`] stores the pair itself, and the
/// derive would describe a pair as an array of objects.
pub struct PauseInterval;

impl utoipa::PartialSchema for PauseInterval {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
        let instant = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
        ArrayBuilder::new()
            .items(instant)
            .min_items(Some(2))
            .max_items(Some(2))
            .description(Some(
                "[from, until]: when the suspension was approved and when the case resumed (null while suspended)",
            ))
            .into()
    }
}

impl ToSchema for PauseInterval {}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The actor's roles (or department) do not allow it.
    NotAllowed(String),
    /// Not possible in the case's current state.
    WrongState(String),
    /// The command's data is wrong: (field, reason).
    Invalid(String, String),
}
