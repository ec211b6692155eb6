//! What a front end shows about sync: the phase (not connected, syncing, synced,
//! offline, failed), how many of this device's events wait to be pushed, and when the
//! last round succeeded. `firebreak sync --status` reads it from the store alone; the
//! desktop's worker keeps it live.

use crate::error::FailureKind;
use chrono::{DateTime, Utc};
use firebreak_core::sync::clock::{best_estimate, is_skewed};
use firebreak_store::{HubConnection, Store, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// No hub configured: everything stays on this laptop.
    NotConnected,
    /// A round is under way.
    Syncing,
    /// The last round succeeded.
    Synced,
    /// The last round could not reach the hub (or the hub was failing); retrying.
    Offline,
    /// The last round was refused, or the token is bad: someone must act.
    Failed,
}

impl SyncPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncPhase::NotConnected => "not connected",
            SyncPhase::Syncing => "syncing",
            SyncPhase::Synced => "synced",
            SyncPhase::Offline => "offline",
            SyncPhase::Failed => "failed",
        }
    }
}

/// The last failure, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusError {
    /// `unreachable`, `hub_failing`, `unauthorized`, `refused`, `store`, …
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub phase: SyncPhase,
    pub hub_url: Option<String>,
    /// This device's shared events the hub has not acknowledged.
    pub pending: u64,
    pub acknowledged_seq: u64,
    pub pull_cursor: u64,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub error: Option<StatusError>,
    /// When the worker tries next, while offline or failed.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Hub clock minus this device's clock, from the best recent sample.
    pub clock_offset_ms: Option<i64>,
    /// More than a minute off: timestamps from this laptop will be corrected.
    pub clock_skewed: bool,
}

impl SyncStatus {
    /// No hub: `pending` events will be pushed once one is connected.
    pub fn not_connected(pending: u64) -> SyncStatus {
        SyncStatus {
            phase: SyncPhase::NotConnected,
            hub_url: None,
            pending,
            acknowledged_seq: 0,
            pull_cursor: 0,
            last_attempt_at: None,
            last_success_at: None,
            error: None,
            next_attempt_at: None,
            clock_offset_ms: None,
            clock_skewed: false,
        }
    }

    /// The status as the store records it, with no round running.
    pub fn from_store(store: &Store) -> Result<SyncStatus, StoreError> {
        let hub = store.hub_connection()?;
        let pending = store.pending_push_count()?;
        let clock = best_estimate(&store.clock_samples()?).map(|s| s.sample.offset_ms);
        Ok(match hub {
            None => SyncStatus::not_connected(pending),
            Some(hub) => SyncStatus {
                phase: phase_of(&hub),
                error: hub.last_error.as_ref().map(|f| StatusError {
                    kind: f.kind.clone(),
                    message: f.message.clone(),
                }),
                hub_url: Some(hub.url),
                pending,
                acknowledged_seq: hub.acknowledged_seq,
                pull_cursor: hub.pull_cursor,
                last_attempt_at: hub.last_attempt_at,
                last_success_at: hub.last_success_at,
                next_attempt_at: None,
                clock_offset_ms: clock,
                clock_skewed: clock.is_some_and(is_skewed),
            },
        })
    }
}

/// The phase the stored outcome of the last round means.
fn phase_of(hub: &HubConnection) -> SyncPhase {
    match &hub.last_error {
        Some(failure) if is_transient_kind(&failure.kind) => SyncPhase::Offline,
        Some(_) => SyncPhase::Failed,
        None if hub.last_success_at.is_some() => SyncPhase::Synced,
        // Connected, never synced yet: nothing has reached the hub.
        None => SyncPhase::Offline,
    }
}

fn is_transient_kind(kind: &str) -> bool {
    [FailureKind::Unreachable, FailureKind::HubFailing]
        .iter()
        .any(|k| k.as_str() == kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use firebreak_store::SyncFailure;

    fn hub(error: Option<&str>, synced: bool) -> HubConnection {
        HubConnection {
            url: "http://127.0.0.1:9".into(),
            connected_at: Utc::now(),
            acknowledged_seq: 0,
            pull_cursor: 0,
            pull_cursor_event: None,
            last_attempt_at: Some(Utc::now()),
            last_success_at: synced.then(Utc::now),
            last_error: error.map(|kind| SyncFailure {
                kind: kind.into(),
                message: "why".into(),
            }),
        }
    }

    #[test]
    fn the_phase_follows_the_last_outcome() {
        assert_eq!(phase_of(&hub(None, true)), SyncPhase::Synced);
        assert_eq!(
            phase_of(&hub(Some("unreachable"), true)),
            SyncPhase::Offline
        );
        assert_eq!(
            phase_of(&hub(Some("hub_failing"), false)),
            SyncPhase::Offline
        );
        assert_eq!(
            phase_of(&hub(Some("unauthorized"), true)),
            SyncPhase::Failed
        );
        assert_eq!(phase_of(&hub(Some("refused"), true)), SyncPhase::Failed);
        assert_eq!(phase_of(&hub(None, false)), SyncPhase::Offline);
    }
}
