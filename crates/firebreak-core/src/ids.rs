//! Identifiers. Every id is a UUID; events and incidents use UUIDv7 so that ids sort
//! by creation time, which keeps the store's indexes append-friendly.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }

            /// The last eight hex digits: the random tail of a UUIDv7, so short ids of
            /// things made in the same minute still differ (their heads do not).
            pub fn short(&self) -> String {
                let s = self.0.simple().to_string();
                s[s.len() - 8..].to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// The id of one event in the log.
    EventId
);
uuid_id!(
    /// The id of an incident; every event belongs to exactly one.
    IncidentId
);
uuid_id!(
    /// The id of a device (one local store). Per-device sequence numbers count from 1.
    DeviceId
);
uuid_id!(
    /// The id of one run of a runbook inside an incident.
    RunId
);
