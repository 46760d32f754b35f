//! Identifier newtypes. A `UserId` is not a `DepartmentId`, even though both are UUIDs.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUIDv7).
            pub fn new() -> Self { Self(Uuid::now_v7()) }
            pub fn as_uuid(&self) -> Uuid { self.0 }
        }

        impl Default for $name {
            fn default() -> Self { Self::new() }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self { Self(u) }
        }
    )*};
}

uuid_id! {
    /// A tenant's internal id (its public key is its [`crate::TenantCode`]).
    TenantId,
    /// A user account; belongs to exactly one tenant.
    UserId,
    /// A department (专业部门) of a tenant.
    DepartmentId,
    /// A login session: one refresh-token family.
    SessionId,
}
