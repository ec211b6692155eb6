//! What can go wrong in the hub outside a refused request (those are `Refusal`s and
//! `ApiError`s): opening and using its database, managing users, serving.

use std::path::PathBuf;

/// The hub's storage failed. Nothing a failed call was doing was committed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create the hub's data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the hub database {path}: {source}")]
    CreateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the hub database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{path} is not a Firebreak hub database (its application id is {found:#x}); point --data at another directory"
    )]
    NotAHub { path: PathBuf, found: i64 },
    #[error(
        "the hub database {path} was written by a newer hub (schema version {found}; this build knows up to {known}); upgrade the hub"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("migration {name} of the hub database {path} failed, nothing was changed: {source}")]
    Migration {
        path: PathBuf,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("hub database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the stored event at cursor {cursor} cannot be read: {reason}")]
    Corrupt { cursor: i64, reason: String },
    #[error("the hub's database connection is unusable after a panic; restart the hub")]
    Poisoned,
}

/// `user add|list|revoke` refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(
        "{0:?} cannot be a user name: use 1 to 64 letters, digits, `.`, `_`, `-` or `@`, starting with a letter or digit"
    )]
    InvalidName(String),
    #[error(
        "user {0} already has a token; `firebreak-hub user revoke {0}` first to issue a new one"
    )]
    HasToken(String),
    #[error("no user {0}; `firebreak-hub user list` shows them")]
    Unknown(String),
    #[error("cannot draw a token from the operating system's random generator: {0}")]
    Random(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot read {what} {path}: {reason}")]
    Tls {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("the TLS certificate and key do not make a server configuration: {0}")]
    TlsConfig(String),
    #[error("serving failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
