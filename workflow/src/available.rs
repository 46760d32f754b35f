//! The actions an actor may take on a case now, with the fields each command carries: what a
//! console shows as buttons and forms. Derived from [`decide`] itself (a dry run with
//! well-formed placeholder data), so the list cannot disagree with what the server accepts.

use chrono::{DateTime, TimeDelta, Utc};
use kernel::Vocabulary;
use serde::Serialize;
use utoipa::ToSchema;

use crate::machine::decide;
use crate::model::{Action, Actor, Case, Command, Refusal};

/// One action the caller may take now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Available {
    pub action: Action,
    /// Fields the command must carry besides `action`.
    pub required: Vec<&'static str>,
    /// Fields it may carry.
    pub optional: Vec<&'static str>,
}

/// The fields of each action's command: (required, optional).
pub fn fields(action: Action) -> (&'static [&'static str], &'static [&'static str]) {
    match action {
        Action::Verify => (&["found"], &["note", "photos"]),
        Action::Reject
        | Action::RequestReturn
        | Action::RequestSuspension
        | Action::RequestVoid
        | Action::RefuseExtension
        | Action::RefuseReturn
        | Action::RefuseSuspension
        | Action::RefuseVoid => (&["reason"], &[]),
        Action::File => (&["class_code"], &["condition"]),
        Action::Dispatch => (&["department"], &[]),
        Action::Handle => (&["note"], &["photos"]),
        Action::Check => (&["passed"], &["note", "photos"]),
        Action::RequestExtension => (&["hours", "reason"], &[]),
        Action::Merge => (&["into"], &[]),
        Action::Supervise => (&["note", "due"], &[]),
        Action::Callback => (&["satisfaction"], &["note"]),
        _ => (&[], &[]),
    }
}

/// A command for `action` whose data passes the workflow's own checks, or `None` for actions
/// that are not taken on an existing case by a person (reports, the overdue mark).
fn sample(action: Action, at: DateTime<Utc>) -> Option<Command> {
    let text = || "-".to_owned();
    Some(match action {
        Action::Report | Action::SelfHandle | Action::MarkOverdue => return None,
        Action::SendVerification => Command::SendVerification,
        Action::Verify => Command::Verify { found: true, note: None, photos: vec!["p".into()] },
        Action::Accept => Command::Accept,
        Action::Reject => Command::Reject { reason: text() },
        Action::File => Command::File { class_code: "00000".into(), condition: None },
        Action::Dispatch => Command::Dispatch { department: text() },
        Action::Claim => Command::Claim,
        Action::Handle => Command::Handle { note: text(), photos: Vec::new() },
        Action::SendCheck => Command::SendCheck,
        Action::Check => Command::Check { passed: true, note: None, photos: vec!["p".into()] },
        Action::Close => Command::Close,
        Action::RequestExtension => Command::RequestExtension { hours: 1.0, reason: text() },
        Action::ApproveExtension => Command::ApproveExtension,
        Action::RefuseExtension => Command::RefuseExtension { reason: text() },
        Action::RequestReturn => Command::RequestReturn { reason: text() },
        Action::ApproveReturn => Command::ApproveReturn,
        Action::RefuseReturn => Command::RefuseReturn { reason: text() },
        Action::RequestSuspension => Command::RequestSuspension { reason: text() },
        Action::ApproveSuspension => Command::ApproveSuspension,
        Action::RefuseSuspension => Command::RefuseSuspension { reason: text() },
        Action::Resume => Command::Resume,
        Action::RequestVoid => Command::RequestVoid { reason: text() },
        Action::ApproveVoid => Command::ApproveVoid,
        Action::RefuseVoid => Command::RefuseVoid { reason: text() },
        Action::Merge => Command::Merge { into: text() },
        Action::Supervise => Command::Supervise { note: text(), due: at + TimeDelta::days(1) },
        Action::Callback => Command::Callback { satisfaction: 3, note: None },
    })
}

/// What `actor` may do to `case` at `at`. An action whose only objection is to the placeholder
/// data is listed: the real data decides (a department id, a class code).
pub fn available(case: &Case, actor: &Actor, at: DateTime<Utc>) -> Vec<Available> {
    Action::ALL
        .iter()
        .filter_map(|&action| {
            let command = sample(action, at)?;
            match decide(case, actor, &command, at) {
                Ok(_) | Err(Refusal::Invalid(..)) => {
                    let (required, optional) = fields(action);
                    Some(Available { action, required: required.to_vec(), optional: optional.to_vec() })
                }
                Err(_) => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field table says what the command type carries: drift fails here.
    #[test]
    fn the_field_table_matches_each_command() {
        let at = Utc::now();
        for &action in Action::ALL {
            let Some(command) = sample(action, at) else { continue };
            let value = serde_json::to_value(&command).unwrap();
            let mut keys: Vec<&str> =
                value.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "action").collect();
            keys.sort_unstable();
            let (required, optional) = fields(action);
            let mut expected: Vec<&str> = required.iter().chain(optional).copied().collect();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{}", action.code());
        }
    }
}
