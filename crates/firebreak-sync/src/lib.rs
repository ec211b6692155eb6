//! Firebreak's sync client: one store, one hub.
//!
//! A round pushes this device's unacknowledged events in sequence order, then pulls
//! everyone's events after the stored cursor, storing each page with its cursor in one
//! transaction. Every step resumes from what is on disk, so a round cut anywhere (a
//! reset connection, a truncated answer, SIGKILL) is finished by the next one with
//! nothing lost and nothing doubled: the hub treats a re-sent event as a no-op, and the
//! store skips a pulled event it already has.
//!
//! Layout:
//! - `error`: why a round failed, sorted into the kinds people act on (unreachable,
//!   unauthorised, refused, …) and whether retrying can help.
//! - `client`: the hub's HTTP API as blocking calls (ureq), each with the timestamps a
//!   clock estimate needs.
//! - `round`: one sync round against a store.
//! - `backoff`: exponential backoff with jitter (pure).
//! - `status`: what a front end shows: offline, syncing, synced, pending, last sync.
//! - `worker`: the background loop of the desktop app and `firebreak sync --watch`.
//!
//! The decisions themselves (what to push, whether a pulled page is sound) are pure
//! functions in `firebreak_core::sync`; this crate is the I/O around them.

mod backoff;
mod client;
mod error;
mod round;
mod status;
mod worker;

pub use backoff::Backoff;
pub use client::{ClientOptions, HubClient};
pub use error::{FailureKind, SyncError};
pub use round::{RoundReport, sync_once, sync_round};
pub use status::{SyncPhase, SyncStatus};
pub use worker::{SyncWorker, WorkerOptions};
