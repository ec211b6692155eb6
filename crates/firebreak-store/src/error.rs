//! Everything that can go wrong in the store, each saying what and where.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot tell where to keep the store: pass --home DIR or set FIREBREAK_HOME")]
    NoHome,
    #[error("cannot create the store directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the store at {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create the store file {path}: {source}")]
    CreateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a Firebreak store (its application id is {found:#x}); point --home at another directory"
    )]
    NotAStore { path: PathBuf, found: i64 },
    #[error(
        "the store at {path} was written by a newer Firebreak (schema version {found}; this build knows up to {known}); upgrade Firebreak to open it"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("migration {name} of the store at {path} failed, nothing was changed: {source}")]
    Migration {
        path: PathBuf,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored event {id} cannot be read: {reason}")]
    CorruptEvent { id: String, reason: String },
    #[error("stored runbook {id} cannot be read: {reason}")]
    CorruptRunbook { id: String, reason: String },
    #[error("no incident matches {0:?}; `firebreak incident list` shows them")]
    UnknownIncident(String),
    #[error("{query:?} matches {count} incidents; type more of the id")]
    AmbiguousIncident { query: String, count: usize },
    #[error(
        "no open incident; start one with `firebreak incident start TITLE` or pass --incident ID"
    )]
    NoOpenIncident,
    #[error("no event matches {0:?}; `firebreak log` shows event ids")]
    UnknownEvent(String),
    #[error("{query:?} matches {count} events; type more of the id")]
    AmbiguousEvent { query: String, count: usize },
    #[error("no runbook {0:?}; `firebreak runbook list` shows them")]
    UnknownRunbook(String),
    #[error("runbook version {0} is not in this store")]
    UnknownRunbookVersion(String),
    #[error(
        "the event is {bytes} bytes, over the {limit}-byte limit every event has (so that it can reach the hub); shorten it or split it"
    )]
    EventTooLarge { bytes: usize, limit: usize },
    #[error("this store is not connected to a hub; run `firebreak hub connect URL --token TOKEN`")]
    NotConnected,
    #[error(
        "the store was connected to another hub while a sync was running; that sync's progress was not kept"
    )]
    HubChanged,
    #[error("cannot read or write the hub token file {path}: {source}")]
    TokenFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the store's sync state cannot be read: {0}")]
    CorruptSyncState(String),
    #[error(
        "{from} carries event {id} (device {device}, sequence number {seq}), but this store holds a different event under that id or number; none of it was stored. Someone's log was rewritten or restored from an old copy: report it, do not retry"
    )]
    SyncConflict {
        id: String,
        device: String,
        seq: u64,
        from: &'static str,
    },
    #[error("cannot read the handoff bundle {path}: {reason}")]
    ReadBundle {
        path: PathBuf,
        reason: std::io::Error,
    },
    // `problem`, not `source`: thiserror would make a field named `source` the error's
    // cause, and its reason would be printed twice down the chain.
    #[error("the handoff bundle {path} cannot be imported: {problem}")]
    Bundle {
        path: String,
        problem: firebreak_core::handoff::BundleError,
    },
    #[error("handoff {handoff} is addressed to {to}, not to you ({me})")]
    HandoffNotForYou {
        handoff: String,
        to: String,
        me: String,
    },
    #[error("handoff {handoff} was already taken over by {by} at {at}")]
    HandoffTaken {
        handoff: String,
        by: String,
        at: String,
    },
    #[error(transparent)]
    Rejected(#[from] firebreak_core::rules::Rejection),
    #[error(transparent)]
    Step(#[from] firebreak_core::step_ref::StepRefError),
}
