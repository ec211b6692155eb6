//! Transport types for sync with the team's hub: the status the status bar and the hub
//! settings screen draw, and the connect request. Re-exported from `types`.
//!
//! The hub token goes in (`ConnectHub`) and never comes back out: no type here has a
//! field for it, so no command can hand it to the webview.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why the last sync round failed, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncErrorView {
    /// `unreachable`, `hub_failing`, `unauthorized`, `refused`, `store`, …
    pub kind: String,
    pub message: String,
}

/// Where sync with the hub stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatusView {
    /// not_connected (no hub: everything stays on this laptop), syncing, synced,
    /// offline (the hub does not answer; retrying by itself) or failed (the hub
    /// refused: someone must act).
    pub phase: String,
    /// The hub's base URL; null when not connected.
    pub hub_url: Option<String>,
    /// This device's shared events the hub has not acknowledged yet.
    pub pending: u32,
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    pub error: Option<SyncErrorView>,
    /// When the next attempt is due, while offline or failed.
    pub next_attempt_at: Option<String>,
    /// The hub's clock minus this laptop's, in milliseconds, when measured.
    #[ts(type = "number | null")]
    pub clock_offset_ms: Option<i64>,
    /// More than a minute off: the hub corrects this laptop's times in the timeline.
    pub clock_skewed: bool,
    /// This store's device id (the hub binds it to the token's user on first push).
    pub device: String,
    /// The name the hub gives this device's events, once the hub has said (it is the
    /// token's user, which may differ from the name typed into this app).
    pub hub_user: Option<String>,
    /// Where the token is kept (readable by this user only); null when not connected.
    pub token_path: Option<String>,
}

// ----- requests --------------------------------------------------------------------

/// Connects this store to a hub. Unless `offline`, the hub is asked first and a wrong
/// URL or token saves nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectHub {
    /// `http://HOST:PORT` or `https://HOST:PORT`.
    pub url: String,
    /// The token `firebreak-hub user add NAME` printed.
    pub token: String,
    /// Save without asking the hub (it is down, or this laptop is offline).
    pub offline: bool,
}
