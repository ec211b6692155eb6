//! The hub's storage, behind a trait so that a PostgreSQL implementation (for teams
//! that run several hubs behind a load balancer) can sit beside the embedded SQLite
//! one. Calls are synchronous; the HTTP layer runs them on tokio's blocking pool.
//!
//! What every implementation must keep:
//! - **One transaction per push.** `push` reads what `push_rules::decide` needs and
//!   writes what it returns in one transaction, or nothing at all.
//! - **Events are never updated or deleted**, and stored exactly as pushed.
//! - **Each event is stamped once, at insertion,** with its device's clock offset as
//!   the hub holds it at that moment (the best of the device's recent samples, the
//!   push's own sample counted), or none when it knows none. The stamp is served with
//!   the event (`HubEvent::offset_ms`) and never changes: a re-push stores nothing and
//!   a later sample only stamps later events.
//! - **Cursors become visible in order.** Once a pull has seen cursor `c`, no event
//!   with a cursor below `c` may appear later, or a client that moved past it never
//!   fetches it. SQLite has one writer at a time, so commit order is cursor order;
//!   PostgreSQL's sequences are not, so its pushes must take a lock that serializes
//!   them (or assign cursors at commit).
//! - **Durable before acknowledged.** `push` returns only after the commit is on disk.
//!
//! The SQL the SQLite implementation runs avoids SQLite-only functions and syntax
//! (`INSERT … ON CONFLICT DO NOTHING`, `COALESCE`, `LIMIT … OFFSET`), so that it
//! carries over; only its schema (`STRICT` tables, triggers) and placeholders differ.

mod migrations;
mod sqlite;

pub use migrations::{MIGRATIONS, Migration};
pub use sqlite::{APPLICATION_ID, DB_FILE, SqliteStorage};

use crate::error::StorageError;
use crate::push_rules::{Refusal, ValidBatch};
use crate::token::TokenHash;
use chrono::{DateTime, Utc};
use firebreak_core::ids::{DeviceId, IncidentId};
use firebreak_core::sync::clock::RecordedSample;
use firebreak_core::sync::{ClockSample, HubEvent};
use std::fmt;

/// A user of the hub, as a token authenticates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
}

/// A user as `user list` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Holds a token that is not revoked.
    pub active: bool,
    pub devices: u64,
    pub last_seen: Option<DateTime<Utc>>,
}

/// What `add_user` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddUser {
    /// A new user with this token.
    Created,
    /// The user existed with every token revoked; this token is now theirs, and so
    /// are their devices still.
    Reissued,
    /// The user has a live token: nothing was changed.
    HasToken,
}

/// An accepted push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    pub acknowledged_seq: u64,
    pub stored: usize,
    pub already_stored: usize,
    /// The newest cursor after the commit.
    pub head: u64,
}

/// What the hub knows about a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub device: DeviceId,
    pub user: String,
    pub bound_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub acknowledged_seq: u64,
    /// The best of its recent clock samples.
    pub clock: Option<RecordedSample>,
}

/// A push (or a clock sample) refused by the rules, or failed in storage. Either way
/// nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<rusqlite::Error> for PushError {
    fn from(e: rusqlite::Error) -> Self {
        PushError::Storage(StorageError::Sqlite(e))
    }
}

/// Everything the hub keeps: users and their tokens, devices bound to users, the
/// events, private sequence numbers, and clock samples.
pub trait HubStorage: Send + Sync + fmt::Debug + 'static {
    /// Creates `name` with the token whose hash is `token`, or gives a user whose
    /// tokens are all revoked this new one.
    fn add_user(
        &self,
        name: &str,
        token: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<AddUser, StorageError>;

    /// Revokes every live token of `name`; the count revoked, `None` for no such user.
    fn revoke_user(&self, name: &str, now: DateTime<Utc>) -> Result<Option<usize>, StorageError>;

    /// Every user, by name.
    fn users(&self) -> Result<Vec<UserSummary>, StorageError>;

    /// The user holding this live (not revoked) token.
    fn authenticate(&self, token: &TokenHash) -> Result<Option<User>, StorageError>;

    /// Stores a batch of `user`'s device in one transaction: binds the device to the
    /// user on its first events (refusing a device bound to someone else), checks the
    /// batch with `push_rules::decide`, records the clock sample, writes the new events
    /// stamped with the device's offset as it now stands, commits.
    fn push(
        &self,
        user: &User,
        batch: &ValidBatch,
        now: DateTime<Utc>,
    ) -> Result<PushOutcome, PushError>;

    /// Records a clock sample reported on a pull. A device not yet bound is skipped
    /// (nothing of it is shown yet); one bound to another user is refused.
    fn record_clock(
        &self,
        user: &User,
        device: DeviceId,
        sample: ClockSample,
        now: DateTime<Utc>,
    ) -> Result<(), PushError>;

    /// Up to `limit` events after `cursor`, oldest first, authored by their users.
    fn events_after(&self, cursor: u64, limit: usize) -> Result<Vec<HubEvent>, StorageError>;

    /// The newest cursor (0 when empty).
    fn head(&self) -> Result<u64, StorageError>;

    fn device(&self, device: DeviceId) -> Result<Option<DeviceRecord>, StorageError>;

    /// Incidents the hub has an `incident_started` event of.
    fn started_incidents(&self) -> Result<Vec<IncidentId>, StorageError>;

    /// Every event of an incident, in cursor order.
    fn incident_events(&self, incident: IncidentId) -> Result<Vec<HubEvent>, StorageError>;
}
